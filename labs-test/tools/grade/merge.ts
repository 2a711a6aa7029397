import { partOfTestIn } from "../../labs.js";
import type { RunsFile } from "../runs-file.js";
import { planItems } from "./profile.js";

// Joining shards: every shard must come from the same plan (parts, tests, seeds, shard
// count, grading profile, framework version) and grade the same submission (the digest of
// its student files), and together they must run each (test, seed) pair exactly once.

export class MergeError extends Error {}

/** Why shard b (file bFile) cannot be merged with a (file aFile); undefined when it can. */
function mismatch(a: RunsFile, aFile: string, b: RunsFile, bFile: string): string | undefined {
  // First: another profile also runs other tests, and the profile is what the reader must hear.
  if (a.profile !== b.profile) return `${bFile} comes from another plan (profile ${b.profile ?? "none"}, ${aFile} ${a.profile ?? "none"})`;
  if (JSON.stringify([a.parts, a.tests, a.seeds, a.shard.count]) !== JSON.stringify([b.parts, b.tests, b.seeds, b.shard.count])) {
    return `${bFile} comes from another plan (parts, tests, seeds or shard count differ from ${aFile})`;
  }
  if (JSON.stringify(a.hunts ?? []) !== JSON.stringify(b.hunts ?? [])) return `${bFile} comes from another plan (its hunts or their seeds differ from ${aFile}'s)`;
  if (a.framework !== b.framework) return `${bFile} comes from another plan (another version of the tests and framework than ${aFile})`;
  if (a.submission?.digest !== b.submission?.digest) {
    return `${bFile} grades another submission than ${aFile} (${b.submission?.name ?? "unnamed"}'s student files differ from ${a.submission?.name ?? "unnamed"}'s)`;
  }
  return undefined;
}

/**
 * One RunsFile from shard files. Throws MergeError when the shards disagree on the plan
 * or when some pair ran zero times or more than once (pairs of parts that were not run,
 * for a missing file or type errors, are expected to have no runs).
 */
export function mergeRuns(shards: Array<{ file: string; runs: RunsFile }>): RunsFile {
  if (shards.length === 0) throw new MergeError("no shard results given");
  const first = shards[0]!.runs;
  for (const s of shards) {
    const why = mismatch(first, shards[0]!.file, s.runs, s.file);
    if (why !== undefined) throw new MergeError(why);
  }
  const notRun: Record<string, string> = {};
  for (const s of shards) Object.assign(notRun, s.runs.notRun);
  const skipped = new Set(first.parts.filter((p) => notRun[p] !== undefined));
  const seen = new Map<number, number>();
  for (const s of shards) for (const r of s.runs.records) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  const plan = planItems(first);
  const huntPart = new Map((first.hunts ?? []).map((h) => [h.test, h.part]));
  const problems: string[] = [];
  for (const it of plan) {
    const n = seen.get(it.id) ?? 0;
    const p = huntPart.get(it.test) ?? partOfTestIn(it.test, first.parts)?.id;
    const expected = p !== undefined && skipped.has(p) ? 0 : 1;
    if (n !== expected) problems.push(`${it.test} seed ${it.seed} ran ${n} time(s)`);
  }
  for (const id of seen.keys()) if (id >= plan.length) problems.push(`a run with id ${id} is not in the plan`);
  for (const s of shards) {
    for (const r of s.runs.records) {
      const it = plan[r.id];
      if (it !== undefined && (it.test !== r.name || it.seed !== r.seed)) problems.push(`${s.file}: run ${r.id} is ${r.name} seed ${r.seed}, but the plan says ${it.test} seed ${it.seed}`);
    }
  }
  if (problems.length > 0) {
    throw new MergeError(`the shards do not cover the plan exactly once:\n  ${problems.slice(0, 20).join("\n  ")}${problems.length > 20 ? `\n  … ${problems.length - 20} more` : ""}`);
  }
  const notes = [...new Set(shards.flatMap((s) => s.runs.notes))];
  return {
    ...first,
    shard: { index: 1, count: 1 },
    notRun,
    notes,
    records: shards.flatMap((s) => s.runs.records).sort((a, b) => a.id - b.id),
    wallSeconds: Math.max(...shards.map((s) => s.runs.wallSeconds)),
  };
}
