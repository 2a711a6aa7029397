// Shrinking a failing schedule: the fewest of its faults that still make the same seed
// fail. A variant of delta debugging over fault indices that tries a round of candidates
// at once (the hunt runs a round in parallel workers): first no fault at all, then each
// subset that drops one block of the faults still kept, halving the block size whenever
// no candidate of a round fails. It ends 1-minimal (dropping any single kept fault makes
// the run pass) unless its budget runs out first.

/** A failure of one candidate run: its first line. */
export type Verdict = { failed: true; error: string } | { failed: false };

/** Runs one round of candidates (subsets of fault indices), a verdict per candidate, in order. */
export type RoundRunner = (candidates: number[][]) => Promise<Verdict[]>;

export interface ShrinkResult {
  /** The smallest failing subset found, sorted. */
  keep: number[];
  /** Its failure (the original one if nothing smaller failed). */
  error: string;
  rounds: number;
  runs: number;
  /** Whether it ended 1-minimal (false: the budget ran out first). */
  minimal: boolean;
}

/**
 * Shrink the failing set `all` (its failure: error). outOfBudget() is asked before each
 * round. Candidates are tried in a fixed order, and the first failing one of a round is
 * taken, so the result depends only on the verdicts.
 */
export async function shrinkFaults(all: readonly number[], error: string, run: RoundRunner, outOfBudget: () => boolean): Promise<ShrinkResult> {
  let keep = [...all].sort((a, b) => a - b);
  let err = error;
  let rounds = 0;
  let runs = 0;
  const round = async (candidates: number[][]): Promise<number> => {
    rounds++;
    runs += candidates.length;
    const verdicts = await run(candidates);
    const i = verdicts.findIndex((v) => v.failed);
    if (i >= 0) err = (verdicts[i] as { error: string }).error;
    return i;
  };
  if (keep.length === 0) return { keep, error: err, rounds, runs, minimal: true };
  if (outOfBudget()) return { keep, error: err, rounds, runs, minimal: false };
  if ((await round([[]])) === 0) return { keep: [], error: err, rounds, runs, minimal: true };
  let block = Math.ceil(keep.length / 2);
  while (keep.length > 1) {
    if (outOfBudget()) return { keep, error: err, rounds, runs, minimal: false };
    const candidates: number[][] = [];
    for (let start = 0; start < keep.length; start += block) {
      const without = [...keep.slice(0, start), ...keep.slice(start + block)];
      // Dropping everything was the first round's question.
      if (without.length > 0) candidates.push(without);
    }
    const i = candidates.length === 0 ? -1 : await round(candidates);
    if (i >= 0) {
      keep = candidates[i]!;
      block = Math.min(block, Math.ceil(keep.length / 2));
    } else if (block > 1) {
      block = Math.ceil(block / 2);
    } else {
      break;
    }
  }
  return { keep, error: err, rounds, runs, minimal: true };
}
