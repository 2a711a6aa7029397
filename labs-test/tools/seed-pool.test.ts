import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { RealClock } from "../../runtime/real-clock.js";
import { chooseIsolation, listProcesses, readProc } from "./process-family.js";
import { runPool, type PoolJob, type PoolOptions } from "./seed-pool.js";

const timers = new RealClock();

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
  const tampered: string[] = [];
  const records = await runPool(
    jobs(list),
    options(["labs-test/tools/fixtures/pool-fixture.ts"], { jobWallMs: 4_000, onRecord: (j) => seen.push(j.test), onTamper: (w) => tampered.push(w) }),
  );
  expect(tampered).toEqual(["a message without the worker's secret (during FixtureForges seed 1)"]);
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

const fixture = ["labs-test/tools/fixtures/pool-fixture.ts"];

test("a run stuck in a synchronous loop or wait is stopped by its missing heartbeat, long before the wall limit; with dropHungTests its other seeds do not run", async () => {
  const tampered: string[] = [];
  const records = await runPool(
    jobs([["FixtureSpinsSilently", 1], ["FixtureSpinsSilently", 2], ["FixtureLongCheck", 1], ["FixtureSpinsSilently", 3], ["FixtureBlocks", 1]]),
    options(fixture, { jobWallMs: 600_000, stallCpuMs: 1500, dropHungTests: true, onTamper: (w) => tampered.push(w) }),
  );
  expect(records.get(0)).toMatchObject({ passed: false, error: expect.stringMatching(/stopped answering: its event loop was blocked for \d+\.\d s of CPU/) });
  for (const id of [1, 3]) {
    expect(records.get(id)).toMatchObject({ passed: false, skipped: true, error: "not run: FixtureSpinsSilently hung on seed 1, and one failure already costs its points" });
  }
  expect(records.get(2)!.passed, "a long check that reports progress is not stuck").toBe(true);
  expect(records.get(4)).toMatchObject({ passed: false, error: expect.stringMatching(/stopped answering: it sat blocked for \d+\.\d s/) });
  expect(tampered).toEqual([]);
}, 120_000);

test("thrown values that cannot be printed, and a 30 MB message, fail their run at once with capped text; a chatty run still passes", async () => {
  const records = await runPool(
    jobs([["FixtureThrowsNoPrototype", 1], ["FixtureThrowsBadToString", 1], ["FixtureThrowsHuge", 1], ["FixtureChatty", 1]]),
    options(fixture, { jobWallMs: 60_000, logCapBytes: 100_000, logDir: mkdtempSync(path.join(logDir, "chatty-")) }),
  );
  expect(records.get(0)).toMatchObject({ passed: false, error: expect.stringMatching(/an object without a prototype/) });
  expect(records.get(1)).toMatchObject({ passed: false, error: expect.stringMatching(/toString: \[function\]/) });
  const huge = records.get(2)!;
  expect(huge.passed).toBe(false);
  expect(Buffer.byteLength(huge.error!)).toBeLessThanOrEqual(1024);
  expect(Buffer.byteLength(huge.detail!)).toBeLessThanOrEqual(64 * 1024);
  expect(records.get(3)!.passed).toBe(true);
}, 120_000);

test("the log of a chatty run stops at the cap, saying so", async () => {
  const dir = mkdtempSync(path.join(logDir, "cap-"));
  await runPool(jobs([["FixtureChatty", 1]]), options(fixture, { logCapBytes: 50_000, logDir: dir }));
  const text = readFileSync(path.join(dir, "worker-0.log"), "utf8");
  expect(Buffer.byteLength(text)).toBeLessThan(50_200);
  expect(text).toMatch(/… \(log cut at 50000 bytes; later output dropped\)\n$/);
}, 60_000);

test("a detached child started by a run is gone when the pool returns, and is reported", async () => {
  const target = path.join(logDir, "outlived-1");
  const escaped: number[] = [];
  const dir = mkdtempSync(path.join(logDir, "escape-"));
  const records = await runPool(
    jobs([["FixtureOutlivesRun", 1]]),
    options(fixture, { logDir: dir, env: { ...process.env, LABS_FIXTURE_TARGET: target }, onEscaped: (n) => escaped.push(n) }),
  );
  expect(records.get(0)!.passed, records.get(0)!.error).toBe(true);
  const pid = Number(/started pid (\d+)/.exec(readFileSync(path.join(dir, "worker-0.log"), "utf8"))![1]);
  expect(readProc(pid)?.state ?? "gone").toMatch(/gone|Z/);
  expect(escaped.reduce((a, n) => a + n, 0)).toBeGreaterThanOrEqual(1);
  await new Promise((r) => timers.after(3000, () => r(undefined)));
  expect(existsSync(target)).toBe(false);
}, 60_000);

// Only root can run workers as a uid of their own; elsewhere the container stops such a process.
test.skipIf(process.getuid?.() !== 0)("under isolation, a double-forked child in a session of its own is gone when the pool returns", async () => {
  const target = path.join(logDir, "outlived-2");
  chmodSync(logDir, 0o777); // the worker's uid may write there; the child tries to
  const escaped: number[] = [];
  const dir = mkdtempSync(path.join(logDir, "escape2-"));
  const isolation = chooseIsolation()!;
  expect(isolation.uid).toBeGreaterThan(0);
  const records = await runPool(
    jobs([["FixtureOutlivesRun", 1], ["FixturePasses", 1]]),
    options(fixture, { logDir: dir, isolation, env: { ...process.env, LABS_FIXTURE_TARGET: target, LABS_FIXTURE_DOUBLE_FORK: "1" }, onEscaped: (n) => escaped.push(n) }),
  );
  expect(records.get(0)!.passed, records.get(0)!.error).toBe(true);
  expect(listProcesses(true).filter((p) => p.uid === isolation.uid && p.state !== "Z")).toEqual([]);
  expect(escaped.reduce((a, n) => a + n, 0)).toBeGreaterThanOrEqual(1);
  await new Promise((r) => timers.after(3000, () => r(undefined)));
  expect(existsSync(target)).toBe(false);
}, 60_000);
