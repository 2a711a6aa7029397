// The (test, seed) work list of a many-seeds run, and its split into shards (SHARD=i/n)
// so that several machines can each run a part and grade-merge can join them.

export interface WorkItem {
  /** Position in the whole list: the same on every shard. */
  id: number;
  test: string;
  seed: number;
}

export class PlanError extends Error {}

const MAX_SEEDS = 100_000;

/**
 * SEEDS=a..b (inclusive) → [a, …, b]. Throws PlanError on anything else, on a > b, or
 * on more than 100000 seeds.
 */
export function parseSeedRange(raw: string): number[] {
  const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(raw);
  if (m === null) throw new PlanError(`SEEDS=${JSON.stringify(raw)}: want a range like 1..100`);
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 1) {
    throw new PlanError(`SEEDS=${JSON.stringify(raw)}: seeds are integers from 1 to 2^53-1`);
  }
  if (a > b) throw new PlanError(`SEEDS=${JSON.stringify(raw)}: the range is empty (${a} > ${b})`);
  if (b - a + 1 > MAX_SEEDS) throw new PlanError(`SEEDS=${JSON.stringify(raw)}: at most ${MAX_SEEDS} seeds`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** COUNT consecutive seeds from base. */
export function consecutiveSeeds(base: number, count: number): number[] {
  if (!Number.isSafeInteger(base + count) || base < 1) throw new PlanError(`seed ${base} is out of range`);
  return Array.from({ length: count }, (_, i) => base + i);
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** SHARD=i/n with 1 ≤ i ≤ n (a CI matrix's 1…n). Throws PlanError otherwise. */
export function parseShard(raw: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  if (m === null) throw new PlanError(`SHARD=${JSON.stringify(raw)}: want i/n, like 2/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 10_000) throw new PlanError(`SHARD=${raw}: n must be between 1 and 10000`);
  if (index < 1 || index > count) throw new PlanError(`SHARD=${raw}: i must be between 1 and ${count}`);
  return { index, count };
}

/** Every test under every seed, seed by seed (so partial progress covers every test). */
export function buildPlan(tests: string[], seeds: number[]): WorkItem[] {
  const items: WorkItem[] = [];
  for (const seed of seeds) for (const test of tests) items.push({ id: items.length, test, seed });
  return items;
}

/** This shard's share: every n-th item, so each shard gets a mix of tests and seeds. */
export function shardOf(items: WorkItem[], shard: Shard | undefined): WorkItem[] {
  if (shard === undefined) return items;
  return items.filter((it) => it.id % shard.count === shard.index - 1);
}
