// The crash test's worker-restart loop (test-mr.sh's `while [ -e $SOCKNAME -a ! -f mr-done ]`).
// The course's loop checks the socket once, about a second after the coordinator's launch,
// and stops for good if it is not there yet; a coordinator that takes longer than that to
// start (under load: 0.45–0.9 s and more) then leaves the job without restarted workers
// until the 180 s limit. This loop waits for the socket for as long as the coordinator runs.
import { existsSync } from "node:fs";

export interface RestartLoopOptions {
  /** The coordinator's unix socket: a worker is started only while it exists. */
  socket: string;
  /** True once the coordinator process has exited (the course's mr-done marker). */
  coordinatorDone: () => boolean;
  /** Start one worker; its done settles when it exits and never rejects. */
  startWorker: () => { done: Promise<unknown> };
  /** The test's clock (real ms). */
  sleep: (ms: number) => Promise<void>;
  /** Rest after each worker's exit before the next (course: 1 s). */
  restMs?: number;
  /** How often to look for a socket not there yet (real ms). */
  pollMs?: number;
}

/** Run crash workers one after another until the coordinator exits; resolves then. */
export async function restartWorkersUntilDone(o: RestartLoopOptions): Promise<void> {
  const rest = o.restMs ?? 1000;
  const poll = o.pollMs ?? 100;
  while (!o.coordinatorDone()) {
    if (!existsSync(o.socket)) {
      // Not up yet (or already gone, in which case coordinatorDone turns true shortly).
      await o.sleep(poll);
      continue;
    }
    await o.startWorker().done;
    await o.sleep(rest);
  }
}
