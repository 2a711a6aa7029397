// Reading a job's results the way test-mr.sh does: every mr-out* file, lines sorted
// byte-wise (as `sort` under one locale), blank lines dropped.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compareKeys } from "./key-order.js";

/** The output files in dir (names starting with mr-out), in name order. */
export function outputFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith("mr-out"))
    .sort()
    .map((n) => join(dir, n));
}

/** All lines of the given files, in file order (the lines of `cat mr-out*`). */
export function catLines(files: string[]): string[] {
  const lines: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    if (text === "") continue;
    lines.push(...text.replace(/\n$/, "").split("\n"));
  }
  return lines;
}

/** `sort files | grep .` */
export function sortedNonEmpty(files: string[]): string[] {
  return catLines(files)
    .filter((l) => l !== "")
    .sort(compareKeys);
}

/** Where two sorted outputs first differ, for a failure message; undefined if equal. */
export function firstDifference(got: string[], want: string[]): string | undefined {
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) {
      const show = (s: string | undefined): string => (s === undefined ? "EOF" : JSON.stringify(s));
      return `line ${i + 1}: got ${show(got[i])}, want ${show(want[i])} (${got.length} lines vs ${want.length})`;
    }
  }
  return undefined;
}

/** The n most frequent words of a word-count output ("word count" lines). */
export function topWords(lines: string[], n: number): { word: string; count: number }[] {
  return lines
    .map((l) => {
      const i = l.lastIndexOf(" ");
      return { word: l.slice(0, i), count: Number(l.slice(i + 1)) };
    })
    .sort((a, b) => b.count - a.count || compareKeys(a.word, b.word))
    .slice(0, n);
}
