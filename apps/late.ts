// Workers that stall past the coordinator's 10 s timeout while staying alive, then finish
// and report, long after their task was handed to someone else (the late-worker test).
// Two reduce tasks are held up, each in its middle (at its second key):
// - task 0 (keys c, u): the first worker to reach "u" stalls 12 s; the task is redone
//   at ~10 s, so this worker's report comes late, while task 5 is still not done;
// - task 5 (keys d, n, p, z): the first two workers to reach "n" stall 15 s; the first
//   one's report (~15 s) is what ends the job; the second reports after the job is over.
// A coordinator that counts task 0's late report as new progress declares the job done
// at ~12 s, before task 5's output exists; a worker that writes mr-out in place leaves a
// half-written file in view for seconds. Only worker processes stall (mrsequential, the
// reference run, does not); which ones is decided per job folder by marker files that
// exactly one process manages to create.
import { closeSync, openSync } from "node:fs";
import type { KeyValue } from "../mr/framework/app.js";
import { compareKeys } from "../mr/framework/key-order.js";
import { RealClock } from "../runtime/real-clock.js";

/** Which keys' reduce calls stall, how many times (attempts), and for how long (real ms). */
export const STALLS: Record<string, { times: number; ms: number }> = {
  u: { times: 1, ms: 12_000 },
  n: { times: 2, ms: 15_000 },
};

/** The marker a worker creates (exclusively) in the job's folder for the n-th stall on key. */
export function stallMarker(key: string, n: number): string {
  return `mr-late-${key}-${n}`;
}

const KEYS = "abcdefghijklmnopqrstuvwxyz".split("");
const isWorker = /mrworker/.test(process.argv[1] ?? "");

/** Whether this call takes one of key's stall slots (the first `times` callers do). */
function claimStall(key: string): boolean {
  const s = STALLS[key];
  if (s === undefined) return false;
  for (let n = 1; n <= s.times; n++) {
    try {
      closeSync(openSync(stallMarker(key, n), "wx"));
      return true;
    } catch {
      // taken: try the next slot
    }
  }
  return false;
}

/** Every key, valued by the input's name and size: a deterministic output of 26 lines. */
export function map(filename: string, contents: string): KeyValue[] {
  return KEYS.map((k) => ({ Key: k, Value: `${filename}:${Buffer.byteLength(contents)}` }));
}

export async function reduce(key: string, values: string[]): Promise<string> {
  if (isWorker && claimStall(key)) {
    const clock = new RealClock();
    await clock.sleep(STALLS[key]!.ms);
    clock.stop();
  }
  return [...values].sort(compareKeys).join(" ");
}
