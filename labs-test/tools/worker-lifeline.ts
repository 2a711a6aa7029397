// What ties a long-lived test process (a grading or sweep worker, seed-worker.ts; make
// watch-XX's resident process, watch-worker.ts) to the process that started it. Both are
// started before any test file, and so any student code, is loaded:
//
// - a heartbeat from the main thread's event loop: a run stuck in a synchronous loop stops
//   it, and the parent notices within seconds and stops the process;
// - a guard thread that kills the process, and what it started, once its parent is gone:
//   a parent killed with SIGKILL (or a closed terminal) cannot clean up after itself, and a
//   process stuck in a loop never sees its channel close.
import { Worker } from "node:worker_threads";
import { onCheckProgress } from "../../porcupine/progress.js";
import { RealClock } from "../../runtime/real-clock.js";

/** The name (Linux's comm) of a guard thread, which wakes twice a second (seed-pool.ts passes over it). */
export const GUARD_THREAD_NAME = "labs-guard";

/**
 * Call beat every `everyMs` wall ms while the event loop turns, and from inside a long
 * linearizability check (framework code that runs synchronously for seconds), at most
 * once per `everyMs` there. The first beat goes out now.
 */
export function startHeartbeat(everyMs: number, beat: () => void): void {
  const clock = new RealClock();
  const tick = (): void => {
    beat();
    clock.after(everyMs, tick);
  };
  tick();
  let last = clock.now();
  onCheckProgress(() => {
    if (clock.now() - last < everyMs) return;
    last = clock.now();
    beat();
  });
}

// Plain JavaScript (the thread does not go through tsx), named so that the parent, looking
// for a thread that can run, passes over this one's waking. Every half second: is the
// parent still there? If not, kill this process's group, or, when it runs under a uid of its
// own, every process of that uid; then this process itself (it may lead no group).
const GUARD = `
const { workerData } = require("node:worker_threads");
try { require("node:fs").writeFileSync("/proc/thread-self/comm", "${GUARD_THREAD_NAME}"); } catch {}
const pause = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  Atomics.wait(pause, 0, 0, 500);
  if (process.ppid === workerData.parent) continue;
  try { process.kill(workerData.isolated ? -1 : -process.pid, "SIGKILL"); } catch {}
  process.kill(process.pid, "SIGKILL");
}`;

/**
 * Start the guard thread: this process dies within about half a second of `parentPid`
 * ceasing to be its parent. `isolated`: the process runs as a uid of its own, and every
 * process of that uid goes with it. Take parentPid before any student code runs.
 */
export function startOrphanGuard(parentPid: number, isolated: boolean): void {
  const w = new Worker(GUARD, { eval: true, workerData: { parent: parentPid, isolated } });
  w.unref();
}
