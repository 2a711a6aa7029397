// The driver: split the history with the model's partition (a history is linearizable
// iff every partition is; Horn & Kroening's P-compositionality) and search the partitions
// under one wall-clock budget, taking turns, so that any illegal partition ends the check
// however hard the others are (the Go version searches them in parallel goroutines and
// stops at the first illegal one). Each round gives every undecided partition a slice of
// search steps, twice the last round's, in the model's partition order; the last one left
// runs to the end. A partition that needs s steps is so decided after at most about 2s
// steps of each other, and the verdict never depends on timing, only on the budget.
import { RealClock } from "../runtime/real-clock.js";
import { fillDefaults, type Model, type Operation } from "./model.js";
import { checkProgress } from "./progress.js";
import { searchPartition, startSearch, type SearchResult } from "./search.js";

export type CheckResult = "ok" | "illegal" | "unknown";

/**
 * A partition's own verdict: "unknown" when the budget ran out before it was decided,
 * "unchecked" when it was left undecided because another partition was illegal.
 */
export type PartitionStatus = CheckResult | "unchecked";

/** Steps each undecided partition gets in the first round; each later round doubles it. */
const FIRST_SLICE = 2048;

export interface PartitionInfo<I, O> {
  ops: Operation<I, O>[];
  status: PartitionStatus;
  /** For ok partitions: a full linearization (indices into ops). */
  linearization: number[] | undefined;
  /** Longest linearizable prefixes found (indices into ops), longest first. */
  partials: number[][];
  ms: number;
  steps: number;
  memoSize: number;
}

/** What the visualization needs: every partition with what the search learned about it. */
export interface LinearizationInfo<I, O> {
  partitions: PartitionInfo<I, O>[];
}

export interface CheckOutcome<I, O> {
  result: CheckResult;
  info: LinearizationInfo<I, O>;
  ms: number;
}

export interface CheckOptions {
  /**
   * Record longest prefixes for an illegal partition (re-searching it verbosely within
   * what is left of the budget). Default true; false skips that second pass.
   */
  verbose?: boolean;
}

/**
 * Decide whether `history` is linearizable with respect to `model` (the course's
 * CheckOperationsVerbose). `timeoutMs` is a wall-clock budget for the whole check; 0 (or
 * Infinity) means no limit, as in the Go version. "illegal" as soon as any partition is
 * proven illegal, even while others are undecided; "unknown" means the budget ran out
 * before that and before every partition was proven ok.
 * @throws Error for a negative or NaN timeoutMs, or a history with bad times.
 */
export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  timeoutMs: number,
  opts: CheckOptions = {},
): CheckOutcome<I, O> {
  if (!(timeoutMs >= 0)) throw new Error(`porcupine: timeoutMs must be >= 0, got ${timeoutMs}`);
  const full = fillDefaults(model);
  const clock = new RealClock();
  const limited = timeoutMs > 0 && Number.isFinite(timeoutMs);
  const expired = (): boolean => {
    checkProgress();
    return limited && clock.now() >= timeoutMs;
  };

  const parts = full.partition(history);
  const partitions: PartitionInfo<I, O>[] = parts.map((ops) => ({
    ops,
    status: "unchecked",
    linearization: undefined,
    partials: [],
    ms: 0,
    steps: 0,
    memoSize: 0,
  }));

  const searches = partitions.map((p) => startSearch(full, p.ops, false));
  const settle = (p: PartitionInfo<I, O>, r: SearchResult): void => {
    p.status = r.verdict;
    p.linearization = r.linearization;
    p.partials = r.partials;
    p.steps = r.steps;
    p.memoSize = r.memoSize;
  };
  let undecided = partitions.map((_, i) => i);
  let illegal: number | undefined;
  let outOfTime = false;
  let slice = FIRST_SLICE;
  while (undecided.length > 0 && illegal === undefined && !outOfTime) {
    const still: number[] = [];
    for (const i of undecided) {
      if (illegal !== undefined || outOfTime || expired()) {
        outOfTime ||= illegal === undefined;
        still.push(i);
        continue;
      }
      const p = partitions[i]!;
      const t0 = clock.now();
      const r = searches[i]!.run(undecided.length === 1 ? Infinity : slice, expired);
      p.ms += clock.now() - t0;
      if (r === undefined || r.verdict === "unknown") {
        outOfTime = r !== undefined;
        still.push(i);
        continue;
      }
      settle(p, r);
      if (r.verdict === "illegal") illegal = i;
    }
    undecided = still;
    slice *= 2;
  }
  for (const i of undecided) {
    const p = partitions[i]!;
    p.status = illegal === undefined ? "unknown" : "unchecked";
    p.steps = searches[i]!.steps;
    p.memoSize = searches[i]!.memoSize;
  }
  if (illegal !== undefined && opts.verbose !== false) {
    // The fast pass found the violation; a second, verbose pass records the longest
    // prefixes for the picture. If it runs out of time, what it found still holds.
    const p = partitions[illegal]!;
    const t0 = clock.now();
    const v = searchPartition(full, p.ops, { verbose: true, expired });
    p.partials = v.partials;
    p.ms += clock.now() - t0;
  }
  const result: CheckResult = illegal !== undefined ? "illegal" : undecided.length > 0 ? "unknown" : "ok";
  return { result, info: { partitions }, ms: clock.now() };
}

/** True only when the history is proven linearizable (no time limit). */
export function isLinearizable<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[]): boolean {
  return checkOperations(model, history, 0, { verbose: false }).result === "ok";
}
