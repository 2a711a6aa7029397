// A job whose first worker process to run reduce stalls after its first reduce call (so,
// most often, in the middle of a task: 26 keys over 10 reduce tasks) for LATE_MS, past the
// coordinator's 10 s timeout, while staying alive; then it finishes and reports the task
// done, long after another worker has redone it. Its output must still come out exactly
// right, never half-written, and its late report must change nothing. Which process
// stalls is decided once per job folder by a marker file that exactly one worker manages
// to create; mrsequential (the reference run) never stalls.
import { closeSync, openSync } from "node:fs";
import type { KeyValue } from "../mr/app.js";
import { compareKeys } from "../mr/key-order.js";
import { RealClock } from "../runtime/real-clock.js";

/** Real ms the chosen worker stalls: past the course's 10 s reassignment timeout. */
export const LATE_MS = 12_000;
/** Created (exclusively) in the job's folder by the worker that stalls. */
export const LATE_MARKER = "mr-late-marker";

const KEYS = "abcdefghijklmnopqrstuvwxyz".split("");
const isWorker = /mrworker/.test(process.argv[1] ?? "");
let reduceCalls = 0;
let chosen: boolean | undefined;

/** Whether this process is the one that stalls: the first worker to create the marker. */
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

/** Every key, valued by the input's name and size: a deterministic output of 26 lines. */
export function map(filename: string, contents: string): KeyValue[] {
  return KEYS.map((k) => ({ Key: k, Value: `${filename}:${Buffer.byteLength(contents)}` }));
}

export async function reduce(_key: string, values: string[]): Promise<string> {
  reduceCalls++;
  if (isWorker && reduceCalls === 2 && isChosen()) {
    const clock = new RealClock();
    await clock.sleep(LATE_MS);
    clock.stop();
  }
  return [...values].sort(compareKeys).join(" ");
}
