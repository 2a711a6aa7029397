// One hunt run in this process, as the workers run it: for the timeline page of a failing
// seed (the workers keep no events), and for the regression list that `make test` replays.
// The same seed and faults give the same run here as in a worker.
import { runGraded, type GradedResult } from "../harness/run-graded.js";
import { VIS_RECORD_CAP, writeRunTimeline } from "../harness/timeline-of-run.js";
import { DEFAULT_LIMIT_MS } from "../tools/seed-pool.js";
import { huntBody } from "./bodies.js";
import { huntTestName, type HuntPart } from "./parts.js";

export interface ReplayResult {
  result: GradedResult;
  /** The failure's whole message ("" if the run passed). */
  message: string;
  /** The timeline page's path (or a note why there is none), when asked for and the run failed. */
  timeline?: string;
}

/** The file name of a run's page: Hunt2C-seed7.html, Hunt2C-keep-3-7-seed7.html for a subset. */
function pageName(part: HuntPart, keep: readonly number[] | undefined): string {
  const base = huntTestName(part);
  return keep === undefined ? base : `${base}-keep-${keep.length === 0 ? "none" : keep.join("-")}`;
}

/**
 * Run part's hunt body once with seed (keep: the faults to apply, default all) on the
 * virtual clock; with timeline, keep its events and write a timeline page if it fails.
 */
export async function replayRun(part: HuntPart, seed: number, keep: readonly number[] | undefined, timeline: boolean): Promise<ReplayResult> {
  const body = await huntBody(part);
  const { result, failure, world } = await runGraded(huntTestName(part), (w) => body(w, keep), {}, {
    seed,
    realtime: false,
    limitMs: DEFAULT_LIMIT_MS,
    record: timeline ? VIS_RECORD_CAP : undefined,
  });
  const message = result.passed ? "" : failure instanceof Error ? failure.message : String(failure);
  const out: ReplayResult = { result, message };
  if (timeline && !result.passed && world !== undefined) {
    out.timeline = writeRunTimeline(pageName(part, keep), seed, world, { t: result.virtualMs, text: message });
  }
  return out;
}
