// Properties of configs that the 4A and 4B tests check (framework side).
import { NShards, type Config } from "../common.js";

/** Fails (through fatal) unless shard counts over c's groups differ by at most one. */
export function checkBalanced(c: Config, fatal: (msg: string) => never): void {
  const counts = new Map<number, number>();
  for (const g of c.shards) counts.set(g, (counts.get(g) ?? 0) + 1);
  let min = 257;
  let max = 0;
  for (const g of Object.keys(c.groups).map(Number)) {
    const n = counts.get(g) ?? 0;
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  if (max > min + 1) fatal(`max ${max} too much larger than min ${min}`);
}

/** How many shards are on a different gid in after than in before. */
export function shardsMoved(before: Config, after: Config): number {
  let n = 0;
  for (let s = 0; s < NShards; s++) if (before.shards[s] !== after.shards[s]) n++;
  return n;
}

/**
 * The fewest shards that must change group to go from before's assignment to any
 * balanced assignment over after's groups: each group keeps at most its quota (the
 * NShards % n larger quotas going to the groups that hold the most), the rest move.
 */
export function minimalMoves(before: Config, after: Config): number {
  const gids = Object.keys(after.groups).map(Number);
  if (gids.length === 0) return before.shards.filter((g) => g !== 0).length;
  const held = gids.map((g) => before.shards.filter((x) => x === g).length).sort((a, b) => b - a);
  const base = Math.floor(NShards / gids.length);
  const extra = NShards % gids.length;
  let kept = 0;
  held.forEach((h, i) => (kept += Math.min(h, base + (i < extra ? 1 : 0))));
  return NShards - kept;
}
