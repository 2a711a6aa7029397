// The timeline page in a real browser (headless Chromium): a 200,000-event trace opens
// without console errors or network fetches, its lanes drawn, and stays usable (zoom, step).
// The pages of failing 2C and kvraft runs are tested beside those labs' reference
// (raft/reference/, kvraft/reference/). Screenshots go to .labs-runs/vis-test/. First-view
// times are printed (measured, never asserted).
import path from "node:path";
import { expect, test } from "vitest";
import { chromiumForTests, hooks, VIS_TEST_OUT as OUT } from "./page-driver.js";
import { bigTrace } from "./fixtures/big-trace.js";
import { writeTimeline } from "./write-page.js";

const { open } = chromiumForTests();

test("a 200,000-event trace opens: lanes drawn, no errors", async () => {
  const file = path.join(OUT, "big-200k.html");
  const bytes = writeTimeline(bigTrace(200_000), file, { title: "200,000 synthetic events" });
  const { page, problems, ms } = await open(file);
  const h = hooks(page);
  process.stdout.write(`200,000-event page: ${(bytes / 1e6).toFixed(1)} MB, first view in ${ms.toFixed(0)} ms (wall)\n`);
  expect(await h((t) => t.events)).toBe(200_000);
  expect(await h((t) => t.lanes.length)).toBe(6);
  const d = await h((t) => t.drawn());
  expect(d.rpcs).toBeGreaterThan(1000);
  expect(d.bands).toBeGreaterThan(0);
  await page.mouse.move(600, 200);
  await page.mouse.wheel(0, -500);
  await page.keyboard.press("ArrowRight");
  await page.screenshot({ path: path.join(OUT, "big-200k.png") });
  expect(problems).toEqual([]);
});
