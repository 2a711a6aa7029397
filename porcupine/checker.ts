// The driver: split the history with the model's partition (a history is linearizable
// iff every partition is; Horn & Kroening's P-compositionality), search the partitions
// one after another under one wall-clock budget, and stop at the first illegal one.
import { RealClock } from "../runtime/real-clock.js";
import { fillDefaults, type Model, type Operation } from "./model.js";
import { checkProgress } from "./progress.js";
import { searchPartition, type SearchResult } from "./search.js";

export type CheckResult = "ok" | "illegal" | "unknown";

/** "unchecked": not searched, because an earlier partition was illegal or time ran out. */
export type PartitionStatus = CheckResult | "unchecked";

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
 * Decide whether `history` is linearizable with respect to `model`. `timeoutMs` is a
 * wall-clock budget for the whole check; 0 (or Infinity) means no limit, as in the
 * spec. "unknown" means the budget ran out before any partition proved illegal and
 * before all were proven ok.
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

  let result: CheckResult = "ok";
  for (const p of partitions) {
    if (expired()) {
      result = "unknown";
      break;
    }
    const t0 = clock.now();
    let r: SearchResult = searchPartition(full, p.ops, { verbose: false, expired });
    if (r.verdict === "illegal" && opts.verbose !== false) {
      // The fast pass found the violation; a second, verbose pass records the longest
      // prefixes for the picture. If it runs out of time, what it found still holds.
      const v = searchPartition(full, p.ops, { verbose: true, expired });
      r = { ...v, verdict: "illegal" };
    }
    p.status = r.verdict;
    p.linearization = r.linearization;
    p.partials = r.partials;
    p.ms = clock.now() - t0;
    p.steps = r.steps;
    p.memoSize = r.memoSize;
    if (r.verdict !== "ok") {
      result = r.verdict;
      break;
    }
  }
  return { result, info: { partitions }, ms: clock.now() };
}

/** True only when the history is proven linearizable (no time limit). */
export function isLinearizable<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[]): boolean {
  return checkOperations(model, history, 0, { verbose: false }).result === "ok";
}
