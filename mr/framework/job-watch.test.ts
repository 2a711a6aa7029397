// The graded MapReduce script's watch on a job (job-watch.ts): each rule fires, with its
// message, once its bound has passed, and not while the job is making progress. Processes
// are stand-ins whose exit the test decides; bounds are shortened to tens of real ms.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { RealClock } from "../../runtime/real-clock.js";
import { JobStuck, JobWatch } from "./job-watch.js";
import type { Proc, ProcResult } from "./launch.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fakeProc(label: string): Proc & { exit(): void } {
  let exit = (): void => {};
  const done = new Promise<ProcResult>((resolve) => {
    exit = () => resolve({ label, exitCode: 0, timedOut: false, stdout: "", stderr: "" });
  });
  return { pid: 1, label, done, exit };
}

function setup(workersGone = true): { watch: JobWatch; dir: string; activity: string; clock: RealClock } {
  const base = mkdtempSync(path.join(tmpdir(), "job-watch-"));
  dirs.push(base);
  const dir = path.join(base, "mr-tmp");
  mkdirSync(dir);
  const activity = path.join(base, "mr-activity");
  const clock = new RealClock();
  const watch = new JobWatch({
    dir,
    activityFile: activity,
    clock,
    workersGone,
    limits: { firstCallMs: 600, coordinatorGraceMs: 400, workerGraceMs: 400 },
  });
  return { watch, dir, activity, clock };
}

async function outcome(watch: JobWatch, clock: RealClock, ms: number): Promise<string> {
  const r = await Promise.race([watch.stuck.then(() => "none", (e: unknown) => (e instanceof JobStuck ? e.message : String(e))), clock.sleep(ms).then(() => "still running")]);
  watch.stop();
  clock.stop();
  return r;
}

test("no call answered but Example: no task was handed out (a stub coordinator)", async () => {
  const { watch, activity, clock } = setup();
  watch.coordinator(fakeProc("c"));
  watch.worker(fakeProc("w1"));
  writeFileSync(activity, "worker-ready\nExample\n");
  expect(await outcome(watch, clock, 3000)).toMatch(/answered no call \(Example aside\): no task was handed out \(is the coordinator still a stub/);
});

test("every worker gone and the coordinator still running: no progress, naming a stub when nothing was written", async () => {
  const { watch, clock, activity } = setup();
  watch.coordinator(fakeProc("c"));
  const w = [fakeProc("w1"), fakeProc("w2")];
  for (const p of w) watch.worker(p);
  appendFileSync(activity, "GetTask\n");
  for (const p of w) p.exit();
  expect(await outcome(watch, clock, 3000)).toMatch(/all 2 workers have exited without writing a single file, and the coordinator is still running/);
});

test("a worker still running after the coordinator exited fails its own check", async () => {
  const { watch, clock, activity, dir } = setup();
  const c = fakeProc("c");
  watch.coordinator(c);
  watch.worker(fakeProc("w1"));
  appendFileSync(activity, "GetTask\n");
  writeFileSync(path.join(dir, "mr-out-0"), "a 1\n");
  c.exit();
  expect(await outcome(watch, clock, 3000)).toMatch(/^1 worker\(s\) still running 0 s after the coordinator exited: workers must exit when the job is done/);
});

test("a job that answers calls and ends cleanly trips nothing", async () => {
  const { watch, clock, activity } = setup();
  const c = fakeProc("c");
  const w = fakeProc("w1");
  watch.coordinator(c);
  watch.worker(w);
  appendFileSync(activity, "Example\nGetTask\n");
  await clock.sleep(300);
  w.exit();
  c.exit();
  expect(await outcome(watch, clock, 1200)).toBe("still running");
});

test("where the test restarts workers itself, no worker alive is not a failure", async () => {
  const { watch, clock, activity } = setup(false);
  watch.coordinator(fakeProc("c"));
  const w = fakeProc("w1");
  watch.worker(w);
  appendFileSync(activity, "GetTask\n");
  w.exit();
  expect(await outcome(watch, clock, 1200)).toBe("still running");
});
