import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { runPool, type PoolJob, type PoolOptions } from "./seed-pool.js";

// The many-seeds pool runs each job in a fresh world, trusts only records sent over its
// channel with the worker's secret, and keeps one bad run from touching the next.

const logDir = mkdtempSync(path.join(tmpdir(), "labs-pool-test-"));
afterAll(() => rmSync(logDir, { recursive: true, force: true }));

function options(files: string[], extra: Partial<PoolOptions> = {}): PoolOptions {
  return {
    cwd: process.cwd(),
    files,
    workers: 1,
    jobWallMs: 15_000,
    startWallMs: 120_000,
    totalWallMs: 600_000,
    limitMs: 125_000,
    logDir,
    ...extra,
  };
}

function jobs(list: Array<[string, number]>): PoolJob[] {
  return list.map(([test, seed], id) => ({ id, test, seed }));
}

test("a seed run in a worker that ran other seeds replays exactly as in a fresh worker", async () => {
  const files = ["raft/raft.test.ts"];
  const used = await runPool(
    jobs([["TestReElection2A", 5], ["TestManyElections2A", 6], ["TestReElection2A", 7], ["TestReElection2A", 5]]),
    options(files, { hash: true }),
  );
  const fresh = await runPool(jobs([["TestReElection2A", 5]]), options(files, { hash: true }));
  const d = (m: typeof used, id: number): string | undefined => m.get(id)?.digest;
  expect([...used.values()].every((r) => r.passed)).toBe(true);
  expect(d(used, 0)).toMatch(/^[0-9a-f]{64}$/);
  expect(d(used, 3)).toBe(d(used, 0));
  expect(d(fresh, 0)).toBe(d(used, 0));
  expect(d(used, 2)).not.toBe(d(used, 0));
}, 120_000);

// The job after each bad one was already handed to the worker that goes away (a worker holds
// its next job): it must still run, in a fresh worker, and pass.
test("a run that leaves a timer, loops, exits or forges a record fails alone; the next seed is unharmed", async () => {
  const list: Array<[string, number]> = [
    ["FixturePasses", 1],
    ["FixtureLeavesTimer", 1],
    ["FixturePasses", 2],
    ["FixtureLoops", 1],
    ["FixturePasses", 3],
    ["FixtureExits", 1],
    ["FixturePasses", 4],
    ["FixtureForges", 1],
    ["FixturePasses", 5],
    ["FixtureFails", 1],
    ["NoSuchTest", 1],
  ];
  const seen: string[] = [];
  const records = await runPool(
    jobs(list),
    options(["labs-test/tools/fixtures/pool-fixture.ts"], { jobWallMs: 4_000, onRecord: (j) => seen.push(j.test) }),
  );
  expect(seen).toHaveLength(list.length);
  const r = (i: number) => records.get(i)!;
  for (const i of [0, 2, 4, 6, 8]) expect(r(i).passed, `FixturePasses seed ${r(i).seed}: ${r(i).error}`).toBe(true);
  expect(r(1)).toMatchObject({ passed: false, error: expect.stringMatching(/left work running/) });
  expect(r(3)).toMatchObject({ passed: false, error: expect.stringMatching(/no result within 4 s/) });
  expect(r(5)).toMatchObject({ passed: false, error: expect.stringMatching(/exited before reporting/) });
  expect(r(7)).toMatchObject({ passed: false, error: expect.stringMatching(/without the worker's secret/) });
  expect(r(9)).toMatchObject({ passed: false, error: "an honest failure" });
  expect(r(10)).toMatchObject({ passed: false, error: expect.stringMatching(/no test named NoSuchTest/) });
}, 120_000);

test("a test file that throws at import fails every job with the error, at once", async () => {
  const records = await runPool(jobs([["FixturePasses", 1], ["FixturePasses", 2]]), options(["labs-test/tools/fixtures/throws-at-import.ts"], { workers: 2 }));
  expect([...records.values()].map((r) => r.passed)).toEqual([false, false]);
  expect(records.get(0)!.error).toMatch(/loading the tests failed: Error: boom at import/);
  expect(records.get(1)!.error).toBe(records.get(0)!.error);
}, 60_000);

test("jobs not started within the whole run's limit fail, saying so", async () => {
  const records = await runPool(jobs([["FixturePasses", 1], ["FixturePasses", 2]]), options(["labs-test/tools/fixtures/pool-fixture.ts"], { totalWallMs: 1 }));
  expect([...records.values()].map((r) => r.error)).toEqual([
    "not run: the whole run's limit of 0.001 s (wall) was reached",
    "not run: the whole run's limit of 0.001 s (wall) was reached",
  ]);
}, 60_000);
