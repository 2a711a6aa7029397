// Like nocrash, but the first worker process to run a reduce task stalls in the middle of
// it (after its first key) for LATE_MS, past the coordinator's 10 s timeout, while staying
// alive; then it finishes the task and reports it done, long after another worker has
// redone it. Its output must still come out exactly right, never half-written, and its
// late report must change nothing. Which process stalls is decided once per job folder
// by a marker file that exactly one process manages to create.
import { openSync, closeSync } from "node:fs";
import { RealClock } from "../runtime/real-clock.js";
import { crashApp } from "./support/crash-app.js";

/** Real ms the chosen worker stalls: past the course's 10 s reassignment timeout. */
export const LATE_MS = 12_000;
/** Created (exclusively) in the job's folder by the worker that stalls. */
export const LATE_MARKER = "mr-late-marker";

const base = crashApp(async () => {});
let reduceCalls = 0;
let chosen: boolean | undefined;

/** Whether this process is the one that stalls: the first to create the marker. */
function isChosen(): boolean {
  if (chosen === undefined) {
    try {
      closeSync(openSync(LATE_MARKER, "wx"));
      chosen = true;
    } catch {
      chosen = false;
    }
  }
  return chosen;
}

export const map = base.map;

export async function reduce(key: string, values: string[]): Promise<string> {
  reduceCalls++;
  if (reduceCalls === 2 && isChosen()) {
    const clock = new RealClock();
    await clock.sleep(LATE_MS);
    clock.stop();
  }
  return base.reduce(key, values);
}
