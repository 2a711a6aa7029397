// A long-lived many-seeds worker: loads the test files once (collect mode), then runs one
// (test, seed) job at a time, each in a fresh world, and answers over the IPC channel.
// Started by seed-pool.ts with `node --import tsx`; stdout and stderr go to a log.
//
// A heartbeat and a guard thread run beside the jobs (worker-lifeline.ts), started before
// any test file (and so any submitted code) is loaded.
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { processCpuMs, RealClock } from "../../runtime/real-clock.js";
import { drainMicrotasks } from "../../runtime/sim-clock.js";
import { hasWorld, type World } from "../../runtime/world.js";
import { collected, collectingFrom, startCollecting, type CollectedCase } from "../harness/registry.js";
import { failReport } from "../harness/replay.js";
import { describeThrown } from "../harness/describe-thrown.js";
import { firstLine, runGraded, type GradedResult } from "../harness/run-graded.js";
import { firstLineOf } from "../harness/safe-text.js";
import { startHeartbeat, startOrphanGuard } from "./worker-lifeline.js";
import { HEARTBEAT_MS, helloSchema, jobSchema, type Job, type JobRecord, type WorkerMessage } from "./seed-protocol.js";

// Taken before any test file (and so any submitted code) is loaded.
const send = process.send?.bind(process);
const parentPid = process.ppid;
if (send === undefined) {
  process.stderr.write("seed-worker: start me with an IPC channel (seed-pool.ts does)\n");
  process.exit(2);
}
const post = (m: WorkerMessage): Promise<void> =>
  new Promise((resolve) => {
    send(m, undefined, {}, () => resolve());
  });

register("./vitest-shim-hooks.ts", import.meta.url);

/** Timers and immediates alive now: a test that leaves some behind is still running. */
function pendingWork(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout" || r === "Immediate").length;
}

/** A failure's full text, whatever was thrown, capped (describe-thrown.ts). */
function detailOf(e: unknown): string {
  return describeThrown(e);
}

async function runPlain(c: Extract<CollectedCase, { kind: "plain" }>, job: Job): Promise<{ record: JobRecord; failure?: unknown }> {
  // Plain tests make their own worlds from SEED, as under vitest.
  process.env.SEED = String(job.seed);
  const wall = new RealClock();
  const cpu0 = processCpuMs();
  try {
    await c.body();
    return { record: { name: c.name, seed: job.seed, passed: true, virtualMs: 0, wallMs: wall.now(), cpuMs: processCpuMs() - cpu0 } };
  } catch (e) {
    return {
      record: { name: c.name, seed: job.seed, passed: false, virtualMs: 0, wallMs: wall.now(), cpuMs: processCpuMs() - cpu0, error: firstLine(e) },
      failure: e,
    };
  }
}

/** Student modules evaluated afresh (student-modules.ts), when student code runs in the sandbox. */
let freshModules: (() => void) | undefined;

async function runJob(job: Job): Promise<{ record: JobRecord; retire: boolean }> {
  const c = collected().get(job.test);
  if (c === undefined) {
    const error = firstLineOf(`no test named ${job.test} in the loaded files`);
    return { record: { name: job.test, seed: job.seed, passed: false, virtualMs: 0, wallMs: 0, error }, retire: false };
  }
  // Every run starts from fresh student modules (evaluated again, or kept only when provably
  // unchanged): nothing a student keeps at module level carries from one seed to the next,
  // so a run is the same as a replay of its seed alone.
  try {
    freshModules?.();
  } catch (e) {
    const detail = detailOf(e);
    return { record: { name: job.test, seed: job.seed, passed: false, virtualMs: 0, wallMs: 0, error: `loading the student files failed: ${firstLineOf(detail)}`, detail }, retire: true };
  }
  const before = pendingWork();
  let record: JobRecord;
  let failure: unknown;
  let options: string | undefined;
  if (c.kind === "graded") {
    const r: { result: GradedResult; failure?: unknown; world?: World } = await runGraded(c.name, c.body, c.opts, {
      seed: job.seed,
      realtime: job.realtime === true,
      limitMs: job.limitMs,
      hash: job.hash,
      testFile: c.file,
    });
    const { name, seed, passed, virtualMs, wallMs, cpuMs, error, digest } = r.result;
    record = { name, seed, passed, virtualMs, wallMs, cpuMs, error, digest };
    failure = r.failure;
    options = r.world?.describeOptions();
  } else {
    ({ record, failure } = await runPlain(c, job));
  }
  await drainMicrotasks();
  let retire = false;
  const left = pendingWork() - before;
  if (hasWorld() || left > 0) {
    // Something of this test still runs (a real timer, a world never ended): it must not
    // reach the next seed, so the test fails and this process retires.
    retire = true;
    if (record.passed) {
      record.passed = false;
      record.error = `the test left work running after it ended (${hasWorld() ? "its world is still active" : `${left} timer(s)`})`;
    }
  }
  if (!record.passed) {
    record.detail = detailOf(failure ?? record.error);
    process.stdout.write(failReport(job.test, job.seed, record.detail, job.realtime === true, c.file, options));
  }
  return { record, retire };
}

async function main(): Promise<void> {
  const hello = helloSchema.parse(await nextMessage());
  const nonce = hello.nonce;
  // Student code runs only inside the sandbox (frozen built-ins, a compartment): installed
  // before any test file, and so any student file, is loaded. Imported here, not at the
  // top, so that a measurement of the grader without the boundary (hello.sandbox false,
  // from the trusted parent) loads nothing of it.
  if (hello.sandbox !== false) {
    (await import("../sandbox/install.js")).installSandbox();
    freshModules = (await import("../sandbox/student-modules.js")).freshStudentModules;
  }
  startHeartbeat(HEARTBEAT_MS, () => void post({ type: "beat", nonce }));
  startOrphanGuard(parentPid, hello.isolated === true);
  startCollecting();
  try {
    for (const f of hello.files) {
      collectingFrom(path.relative(process.cwd(), path.resolve(f)).split(path.sep).join("/"));
      await import(pathToFileURL(path.resolve(f)).href);
    }
  } catch (e) {
    await post({ type: "ready", nonce, tests: [], loadError: `loading the tests failed: ${detailOf(e)}` });
    process.exit(1);
  }
  await post({ type: "ready", nonce, tests: [...collected().keys()] });
  for (;;) {
    const job = jobSchema.parse(await nextMessage());
    let answer: { record: JobRecord; retire: boolean };
    try {
      answer = await runJob(job);
    } catch (e) {
      // The worker's own machinery failed on this run (it never should): say so rather than
      // go silent, and retire, since this process's state is now unknown.
      const detail = detailOf(e);
      answer = { record: { name: job.test, seed: job.seed, passed: false, virtualMs: 0, wallMs: 0, error: `the test worker failed: ${firstLineOf(detail)}`, detail }, retire: true };
    }
    await post({ type: "result", nonce, id: job.id, record: answer.record, retire: answer.retire });
    if (answer.retire) process.exit(0);
  }
}

const inbox: unknown[] = [];
let waiting: ((m: unknown) => void) | undefined;
process.on("message", (m: unknown) => {
  if (waiting !== undefined) {
    const w = waiting;
    waiting = undefined;
    w(m);
  } else inbox.push(m);
});
// The parent closing the channel means the run is over.
process.on("disconnect", () => process.exit(0));

function nextMessage(): Promise<unknown> {
  if (inbox.length > 0) return Promise.resolve(inbox.shift());
  return new Promise((resolve) => {
    waiting = resolve;
  });
}

await main().catch((e: unknown) => {
  process.stderr.write(`seed-worker: ${describeThrown(e)}\n`);
  process.exit(70);
});
