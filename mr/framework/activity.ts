// What the graded script sees of a running job besides its processes and files
// (mr/framework/job-watch.ts): with MR_ACTIVITY_FILE set, the coordinator's transport notes
// every call it answers (the method's name) and each worker notes once that it is up and
// has reached the coordinator ("worker-ready"), one line each, appended to that file
// (never in the job's folder). Without the variable, nothing is written.
import { appendFileSync } from "node:fs";

/** The environment variable naming the activity file. */
export const ACTIVITY_ENV = "MR_ACTIVITY_FILE";
/** A worker's line once it has started and reached the coordinator. */
export const WORKER_READY = "worker-ready";

/** Append one line to the activity file, if there is one; never throws. */
export function noteActivity(line: string): void {
  const file = process.env[ACTIVITY_ENV];
  if (file === undefined || file === "") return;
  try {
    appendFileSync(file, `${line}\n`);
  } catch {
    // the script's folder is gone: nobody is watching any more
  }
}
