// mrsequential's output against the course's own word counts of its eight texts when
// those texts are beside the project; otherwise against an independent count of the
// generated stand-ins.
import { expect, test } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runSequential } from "./sequential.js";
import { loadApp } from "./plugin.js";
import { gutenbergDir } from "./paths.js";
import { courseLikeCorpus } from "./corpus.js";

const gutenberg = gutenbergDir();
const files = gutenberg
  ? readdirSync(gutenberg).filter((n) => /^pg.*txt$/.test(n)).sort().map((n) => join(gutenberg, n))
  : courseLikeCorpus();

const lines = (text: string): string[] => text.replace(/\n$/, "").split("\n");

test("wc", async () => {
  const out = lines(await runSequential(await loadApp("wc"), files));
  const total = out.reduce((s, l) => s + Number(l.split(" ")[1]), 0);
  if (gutenberg) {
    expect(out).toHaveLength(22107);
    expect(total).toBe(623948);
    expect(out.slice(0, 3)).toEqual(["A 509", "ABOUT 2", "ACT 8"]);
    for (const l of ["the 29748", "The 2602", "a 13382"]) expect(out).toContain(l);
  } else {
    const words = files.flatMap((f) => readFileSync(f, "utf8").match(/\p{L}+/gu) ?? []);
    expect(out).toHaveLength(new Set(words).size);
    expect(total).toBe(words.length);
  }
});

test("indexer has a line per distinct word; nocrash reports the file sizes", async () => {
  const idx = lines(await runSequential(await loadApp("indexer"), files));
  if (gutenberg) expect(idx).toHaveLength(22107);
  expect(idx.every((l) => /^\p{L}+ [1-8] /u.test(l))).toBe(true);

  const nc = lines(await runSequential(await loadApp("nocrash"), files));
  expect(nc.map((l) => l.split(" ")[0])).toEqual(["a", "b", "c", "d"]);
  const sizes = files.map((f) => readFileSync(f).length).sort().join(" ");
  expect(nc[2]).toBe(`c ${sizes}`);
  if (gutenberg) expect(nc[2]).toBe("c 138885 139054 412665 441033 453168 540174 581863 594262");
  expect(nc[3]).toBe(`d ${Array(files.length).fill("xyzzy").join(" ")}`);
});
