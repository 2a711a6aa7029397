// The apps' exact behaviour (that of the course's mrapps), run in this process. The crash app's crashing
// and the multi-second sleeps are exercised by the graded script instead.
import { afterAll, beforeAll, expect, test } from "vitest";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as wc from "../../apps/wc.js";
import * as indexer from "../../apps/indexer.js";
import * as mtiming from "../../apps/mtiming.js";
import * as rtiming from "../../apps/rtiming.js";
import * as jobcount from "../../apps/jobcount.js";
import * as earlyExit from "../../apps/early_exit.js";
import * as nocrash from "../../apps/nocrash.js";
import * as crash from "../../apps/crash.js";

const home = process.cwd();
const dir = mkdtempSync(join(tmpdir(), "mr-apps-"));
beforeAll(() => process.chdir(dir));
afterAll(() => {
  process.chdir(home);
  rmSync(dir, { recursive: true, force: true });
});

test("wc: one pair per run of letters, reduce counts", () => {
  const kva = wc.map("f", "Hello, wörld! héllo 42 foo_bar Hello");
  expect(kva.map((kv) => kv.Key)).toEqual(["Hello", "wörld", "héllo", "foo", "bar", "Hello"]);
  expect(kva.every((kv) => kv.Value === "1")).toBe(true);
  expect(wc.reduce("Hello", ["1", "1", "1"])).toBe("3");
});

test("indexer: each distinct word once per document, reduce sorts the names", () => {
  expect(indexer.map("../b.txt", "to be or not to be")).toEqual(
    ["to", "be", "or", "not"].map((w) => ({ Key: w, Value: "../b.txt" })),
  );
  expect(indexer.reduce("be", ["../b.txt", "../a.txt", "../Z.txt"])).toBe("3 ../Z.txt,../a.txt,../b.txt");
});

test("rtiming map: ten keys a..j; early_exit map: the file name", () => {
  expect(rtiming.map("x", "ignored")).toEqual("abcdefghij".split("").map((k) => ({ Key: k, Value: "1" })));
  expect(earlyExit.map("../pg-grimm.txt", "text")).toEqual([{ Key: "../pg-grimm.txt", Value: "1" }]);
});

test("nocrash: name, name length, content bytes, xyzzy; reduce sorts byte-wise", async () => {
  const kva = await nocrash.map("../pg-é.txt", "ab€");
  expect(kva).toEqual([
    { Key: "a", Value: "../pg-é.txt" },
    { Key: "b", Value: "12" }, // bytes, like Go's len
    { Key: "c", Value: "5" },
    { Key: "d", Value: "xyzzy" },
  ]);
  expect(await nocrash.reduce("b", ["40", "100", "29"])).toBe("100 29 40");
  expect(typeof crash.map).toBe("function");
  expect(typeof crash.reduce).toBe("function");
});

test("mtiming counts live workers in the same phase, then removes its own file", async () => {
  const deadPid = 4_000_000; // above any Linux pid_max: never alive
  writeFileSync(`mr-worker-map-${process.ppid}`, "x"); // a live process
  writeFileSync(`mr-worker-map-${deadPid}`, "x");
  writeFileSync(`mr-worker-reduce-${process.ppid}`, "x"); // another phase
  const kva = await mtiming.map("f", "");
  expect(kva).toHaveLength(2);
  expect(kva[0]!.Key).toBe(`times-${process.pid}`);
  expect(kva[0]!.Value).toMatch(/^\d{10}\.\d$/);
  expect(kva[1]).toEqual({ Key: `parallel-${process.pid}`, Value: "2" });
  expect(existsSync(`mr-worker-map-${process.pid}`)).toBe(false);
  expect(mtiming.reduce("k", ["3", "10", "2"])).toBe("10 2 3");
});

test("jobcount reduce counts the marker files its maps leave", () => {
  for (const n of ["mr-worker-jobcount-1-0", "mr-worker-jobcount-1-1", "mr-worker-jobcount-2-0", "mr-out-0"]) {
    writeFileSync(n, "x");
  }
  expect(jobcount.reduce("a", ["x", "x"])).toBe("3");
  expect(readdirSync(".").filter((n) => n.startsWith("mr-worker-jobcount"))).toHaveLength(3);
});
