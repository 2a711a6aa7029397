// The static check's cache must never answer for a file as it was: a changed file, a
// changed list of the part's files or a changed checker is checked again.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { findPart } from "../labs.js";
import { StaticCheckCache } from "./static-check-cache.js";
import { staticCheckParts, type Problem } from "./static-check.js";

const root = mkdtempSync(path.join(tmpdir(), "static-check-cache-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cacheFile = path.join(root, ".labs-runs", "static-check.json");

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

/** Asks the cache about raft/raft.ts; returns how many times the check itself ran. */
function ask(cache: StaticCheckCache, own: string[], elsewhere: string[] = []): { ran: number; problems: Problem[] } {
  let ran = 0;
  const problems = cache.problems(root, "raft/raft.ts", own, elsewhere, () => {
    ran++;
    return [{ file: "raft/raft.ts", line: 1, message: `checked ${ran}` }];
  });
  return { ran, problems };
}

test("a file is checked once; the answer holds across processes until the file, its part's files or the checker change", () => {
  write("raft/raft.ts", "export const a = 1;\n");
  write("labs-test/tools/static-check.ts", "// checker v1\n");
  const first = new StaticCheckCache(cacheFile);
  expect(ask(first, ["raft/raft.ts"]).ran).toBe(1);
  expect(ask(first, ["raft/raft.ts"]).ran).toBe(0);
  first.save();
  // A new process (a new cache object over the same file) remembers.
  const again = new StaticCheckCache(cacheFile);
  expect(ask(again, ["raft/raft.ts"])).toEqual({ ran: 0, problems: [{ file: "raft/raft.ts", line: 1, message: "checked 1" }] });
  write("raft/raft.ts", "export const a = 2;\n");
  expect(ask(again, ["raft/raft.ts"]).ran).toBe(1);
  // Another student file beside it, or a file of another part, changes what imports are allowed.
  expect(ask(again, ["raft/raft.ts", "raft/util.ts"]).ran).toBe(1);
  expect(ask(again, ["raft/raft.ts"], ["kvraft/server.ts"]).ran).toBe(1);
  again.save();
  // The checker changed: nothing it said before stands.
  write("labs-test/tools/static-check.ts", "// checker v2\n");
  expect(ask(new StaticCheckCache(cacheFile), ["raft/raft.ts"]).ran).toBe(1);
});

test("a malformed cache file is an empty cache", () => {
  write(".labs-runs/static-check.json", "{ not json");
  expect(ask(new StaticCheckCache(cacheFile), ["raft/raft.ts"]).ran).toBe(1);
});

test("through staticCheckParts: a problem saved into a checked file is reported on the next run, and gone once fixed", () => {
  const part = findPart("2A")!;
  write("raft/raft.ts", "export const a = 1;\n");
  expect(staticCheckParts(root, [part], new StaticCheckCache(cacheFile))).toEqual([]);
  const cache = new StaticCheckCache(cacheFile);
  write("raft/raft.ts", "export const a = 1;\nexport const b = process.pid;\n");
  expect(staticCheckParts(root, [part], cache)).toEqual([expect.stringMatching(/^raft\/raft\.ts:2: uses process/)]);
  cache.save();
  write("raft/raft.ts", "export const a = 1;\n");
  expect(staticCheckParts(root, [part], new StaticCheckCache(cacheFile))).toEqual([]);
});
