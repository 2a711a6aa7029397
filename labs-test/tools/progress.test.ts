import { expect, test } from "vitest";
import { formatDuration, Progress } from "./progress.js";

// The progress display: a redrawn bar on a terminal, plain lines in logs.

function sink(): { out: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const out = { columns: 80, write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { out, text: () => chunks.join("") };
}

test("on a terminal the bar is redrawn in place and ends with a newline", () => {
  const s = sink();
  const p = new Progress(4, s.out, true);
  for (let i = 0; i < 4; i++) p.tick(i !== 2, `T seed ${i}`);
  const text = s.text();
  expect(text.split("\r").length - 1).toBe(4);
  expect(text).toContain("[###############---------------] 2/4 runs, 0 failed");
  expect(text).toMatch(/\[#{30}\] 4\/4 runs, 1 failed {2}T seed 3 *\n$/);
});

test("without a terminal: plain lines, every failure named, no carriage returns", () => {
  const s = sink();
  const p = new Progress(100, s.out, false);
  for (let i = 0; i < 100; i++) p.tick(i !== 50, `T seed ${i}`);
  const lines = s.text().trimEnd().split("\n");
  expect(s.text()).not.toContain("\r");
  expect(lines.length).toBeLessThanOrEqual(13);
  expect(lines).toContain("  51/100 runs, 1 failed (last: T seed 50 failed)");
  expect(lines.at(-1)).toBe("  100/100 runs, 1 failed");
});

test("with a clock, the time left is estimated from the runs so far (none before two runs)", () => {
  const s = sink();
  let t = 0;
  const p = new Progress(10, s.out, false, () => t);
  t = 30_000;
  p.tick(true, "T seed 1");
  t = 60_000;
  p.tick(true, "T seed 2");
  t = 150_000;
  p.tick(false, "T seed 3");
  const lines = s.text().trimEnd().split("\n");
  expect(lines[0]).toBe("  1/10 runs, 0 failed");
  expect(lines[1]).toBe("  2/10 runs, 0 failed, about 4m 00s left");
  expect(lines[2]).toBe("  3/10 runs, 1 failed, about 5m 50s left (last: T seed 3 failed)");
  expect(formatDuration(3_725_000)).toBe("1h 02m");
  expect(formatDuration(999)).toBe("1s");
});
