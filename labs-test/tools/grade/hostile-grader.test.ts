import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { RealClock } from "../../../runtime/real-clock.js";
import { listProcesses, readProc } from "../process-family.js";
import { readResults, stubWith, writeSubmission } from "./grade-fixtures.js";
import { makeScratch, sweepStaleScratch } from "./scratch.js";

// The grader itself stopped mid-run, while its workers spin in a submission's loop: by
// SIGKILL (nothing can be cleaned up then) and by SIGTERM (everything can). Either way OUT
// holds a valid zero results.json, no worker survives, and nothing is left in the temp
// folder once the next grade has swept what a SIGKILL left.

const scratch = mkdtempSync(path.join(tmpdir(), "labs-grader-killed-"));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const clock = new RealClock();
const sleep = (ms: number): Promise<void> => new Promise((r) => clock.after(ms, () => r()));

/** Poll until f() is true or ms pass; returns f()'s last answer. */
async function until(f: () => boolean, ms: number): Promise<boolean> {
  for (const t0 = clock.now(); clock.now() - t0 < ms; await sleep(200)) if (f()) return true;
  return f();
}

/** The grader's scratch folders in tmp (its own tsx compile cache aside). */
const leftIn = (tmp: string): string[] => readdirSync(tmp).filter((n) => !n.startsWith("tsx-"));

/** Live processes of a grade: its workers' uid when it isolated them, else anything working in its scratch. */
function liveWorkers(scratchDir: string): number[] {
  const owner = JSON.parse(readFileSync(path.join(scratchDir, "owner.json"), "utf8")) as { uid?: number };
  return listProcesses(true)
    .filter((p) => p.state !== "Z")
    .filter((p) => {
      if (owner.uid !== undefined) return p.uid === owner.uid;
      try {
        return readlinkSync(`/proc/${p.pid}/cwd`).startsWith(scratchDir + "/");
      } catch {
        return false;
      }
    })
    .map((p) => p.pid);
}

/**
 * How long a grade may take to start its workers (preparing the tree, loading the tests).
 * A few seconds on an idle machine; on two cores shared with the rest of `make test` it has
 * taken 48 s, so the bound is generous: it only keeps a broken start from hanging the file.
 */
const START_WAIT_MS = 150_000;

/** Start make grade's CLI on a submission whose every run spins, and wait until its workers run. */
async function startSpinningGrade(name: string): Promise<{ child: ReturnType<typeof spawn>; tmp: string; out: string; scratchDir: string; workers: number[] }> {
  const tmp = path.join(scratch, `tmp-${name}`);
  mkdirSync(tmp);
  const out = path.join(scratch, `out-${name}`);
  const sub = writeSubmission(scratch, name, { "raft/raft.ts": stubWith("for (;;) { /* spin */ }") });
  const args = ["--import", "tsx", "labs-test/tools/grade/grade-cli.ts", "--submission", sub, "--parts", "2A", "--out", out, "--seed", "5"];
  const child = spawn(process.execPath, [...args, "--no-typecheck", "--workers", "2", "--stall-cpu-s", "600", "--test-wall-s", "600"], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: "ignore",
  });
  let scratchDir = "";
  let workers: number[] = [];
  const running = await until(() => {
    const dir = readdirSync(tmp).find((n) => n.startsWith("labs-grade-"));
    if (dir === undefined || !existsSync(path.join(tmp, dir, "owner.json")) || !existsSync(path.join(out, "logs"))) return false;
    scratchDir = path.join(tmp, dir);
    workers = liveWorkers(scratchDir);
    return workers.length >= 2;
  }, START_WAIT_MS);
  expect(running, "the grade started its workers").toBe(true);
  await sleep(1000); // they are spinning in the submission's constructor now
  return { child, tmp, out, scratchDir, workers };
}

/** OUT after a grade that did not finish: a valid zero results.json that says so. */
function expectPendingResults(out: string): void {
  const r = readResults(out);
  expect(r.score).toBe(0);
  expect(r.tests).toHaveLength(3);
  for (const t of r.tests) expect(t.output).toMatch(/the grade did not finish/);
}

test("SIGKILL of the grader mid-run: a zero results.json is already in OUT, the workers die with it, and the next grade sweeps the scratch", async () => {
  const g = await startSpinningGrade("sigkill");
  g.child.kill("SIGKILL");
  await new Promise((r) => g.child.once("exit", r));
  expectPendingResults(g.out);
  // Each worker's guard thread sees its parent gone and kills it, loop or no loop.
  expect(await until(() => g.workers.every((pid) => (readProc(pid)?.state ?? "Z") === "Z"), 20_000), `workers ${g.workers.join(", ")} still running`).toBe(true);
  expect(liveWorkers(g.scratchDir)).toEqual([]);
  expect(leftIn(g.tmp)).toEqual([path.basename(g.scratchDir)]);
  expect(sweepStaleScratch(g.tmp)).toEqual([g.scratchDir]);
  expect(leftIn(g.tmp)).toEqual([]);
}, 300_000);

test("SIGTERM of the grader (SIGINT and SIGHUP take the same path): it stops its workers, removes its scratch and dies of the signal; OUT holds the zero results.json", async () => {
  const g = await startSpinningGrade("sigterm");
  g.child.kill("SIGTERM");
  const [, signal] = (await new Promise((r) => g.child.once("exit", (...a) => r(a)))) as [number | null, string | null];
  expect(signal).toBe("SIGTERM");
  expectPendingResults(g.out);
  expect(g.workers.filter((pid) => (readProc(pid)?.state ?? "Z") !== "Z")).toEqual([]);
  expect(leftIn(g.tmp)).toEqual([]);
}, 300_000);

test("the stale-scratch sweep stops what still runs in a dead grader's folder and removes it; a live grader's folder stays", async () => {
  const tmp = mkdtempSync(path.join(scratch, "sweep-"));
  const live = makeScratch(undefined, false, tmp);
  const dead = makeScratch(undefined, false, tmp);
  // The dead one: its owner record names a process that is gone.
  const gone = spawn(process.execPath, ["-e", "0"]);
  await new Promise((r) => gone.once("exit", r));
  const owner = path.join(dead.dir, "owner.json");
  const record = JSON.parse(readFileSync(owner, "utf8")) as Record<string, unknown>;
  writeFileSync(owner, JSON.stringify({ ...record, pid: gone.pid }));
  // Something of it still runs, detached, in its folder.
  const leftover = spawn(process.execPath, ["-e", "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600000)"], { cwd: dead.dir, detached: true, stdio: "ignore" });
  leftover.unref();
  await until(() => readProc(leftover.pid!) !== undefined, 5000);
  expect(sweepStaleScratch(tmp)).toEqual([dead.dir]);
  expect(readProc(leftover.pid!)?.state ?? "gone").toMatch(/gone|Z/);
  expect(existsSync(dead.dir)).toBe(false);
  expect(existsSync(live.dir)).toBe(true);
  live.release();
  dead.release();
  expect(readdirSync(tmp)).toEqual([]);
}, 60_000);
