import { afterAll, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCorpus } from "./corpus.js";

const dir = mkdtempSync(join(tmpdir(), "mr-corpus-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the generated corpus is deterministic, sized as asked, and English-like", () => {
  const a = writeCorpus(join(dir, "a"), { bytes: 200_000, files: 4, seed: 7 });
  const b = writeCorpus(join(dir, "b"), { bytes: 200_000, files: 4, seed: 7 });
  const c = writeCorpus(join(dir, "c"), { bytes: 200_000, files: 4, seed: 8 });
  expect(a.map((f) => readFileSync(f, "utf8"))).toEqual(b.map((f) => readFileSync(f, "utf8")));
  expect(readFileSync(a[0]!, "utf8")).not.toEqual(readFileSync(c[0]!, "utf8"));

  const text = a.map((f) => readFileSync(f, "utf8")).join("");
  const size = Buffer.byteLength(text);
  expect(size).toBeGreaterThanOrEqual(200_000);
  expect(size).toBeLessThan(201_000);
  const words = text.match(/\p{L}+/gu) ?? [];
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const top = [...counts].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([w]) => w);
  expect(top).toContain("the"); // Zipf: the commonest English words lead
  expect(counts.size).toBeGreaterThan(3000);
  expect(text).toMatch(/[.?!]\n\n[A-Z]/); // sentences and paragraphs
  expect(Math.max(...text.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80);
});
