// make gradebook: join the OUT folders of a class graded in shards (make grade-class
// SHARD=i/n on n machines, a CI matrix or a Slurm array) into one OUT with every student's
// folder and one gradebook. Every shard must come from the same plan and the same roster;
// no student may come from two shards; students no shard graded are reported.
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../atomic-file.js";
import { ClassError, classFileSchema, planKey, type ClassFile } from "./grade-class.js";
import { gradebookCsv, rowOf, type GradebookRow } from "./gradebook.js";

export interface ClassMerge {
  rows: GradebookRow[];
  /** Students of the roster that no shard covered. */
  missing: string[];
  /** Students whose grade did not finish (the grader failed or was stopped): grade them again. */
  unfinished: string[];
}

function readClass(dir: string): ClassFile {
  const file = path.join(dir, "class.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ClassError(`${file}: not a readable class.json (${(e as Error).message}); is ${dir} the OUT of a make grade-class?`);
  }
  const r = classFileSchema.safeParse(raw);
  if (!r.success) throw new ClassError(`${file}: not a class.json (${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message})`);
  return r.data;
}

/**
 * Join the class OUT folders `inputs` into out (which may be one of them). Throws
 * ClassError when they disagree on the plan or the roster, or a student is in two.
 */
export function mergeClass(inputs: string[], out: string): ClassMerge {
  if (inputs.length === 0) throw new ClassError("no class folders given");
  const shards = inputs.map((dir) => ({ dir, file: readClass(dir) }));
  const first = shards[0]!;
  const key = planKey(first.file.plan);
  const roster = JSON.stringify(first.file.roster);
  const from = new Map<string, string>();
  for (const s of shards) {
    if (s.file.plan.profile !== first.file.plan.profile) {
      throw new ClassError(`${s.dir} was graded under profile ${s.file.plan.profile}, ${first.dir} under profile ${first.file.plan.profile}: one gradebook holds one profile`);
    }
    if (planKey(s.file.plan) !== key) throw new ClassError(`${s.dir} was graded under another plan than ${first.dir} (parts, seeds, profile or framework differ)`);
    if (JSON.stringify(s.file.roster) !== roster) throw new ClassError(`${s.dir} was graded from other submissions than ${first.dir} (the rosters or what the students handed in differ)`);
    for (const id of s.file.students) {
      const other = from.get(id);
      if (other !== undefined) throw new ClassError(`student ${id} is in both ${other} and ${s.dir}`);
      from.set(id, s.dir);
    }
  }
  mkdirSync(path.join(out, "students"), { recursive: true });
  const parts = first.file.plan.parts;
  const rows: GradebookRow[] = [];
  const missing: string[] = [];
  const unfinished: string[] = [];
  for (const { id } of first.file.roster) {
    const dir = from.get(id);
    if (dir === undefined) {
      missing.push(id);
      continue;
    }
    const src = path.join(dir, "students", id);
    const dest = path.join(out, "students", id);
    if (path.resolve(src) !== path.resolve(dest)) cpSync(src, dest, { recursive: true });
    const final = existsSync(path.join(dest, "graded.json"));
    if (!final) unfinished.push(id);
    rows.push(rowOf(id, dest, parts, final ? undefined : "not finished: run make grade-class again for this shard (it resumes)"));
  }
  writeFileAtomic(path.join(out, "gradebook.csv"), gradebookCsv(parts, rows));
  const timing = shards.reduce(
    (a, s) => ({
      graded: a.graded + s.file.timing.graded,
      skipped: a.skipped + s.file.timing.skipped,
      failed: a.failed + s.file.timing.failed,
      wallSeconds: Math.max(a.wallSeconds, s.file.timing.wallSeconds),
    }),
    { graded: 0, skipped: 0, failed: 0, wallSeconds: 0 },
  );
  const merged: ClassFile = { ...first.file, shard: { index: 1, count: 1 }, students: first.file.roster.map((r) => r.id).filter((id) => from.has(id)), timing };
  writeFileAtomic(path.join(out, "class.json"), JSON.stringify(merged, null, 1) + "\n");
  return { rows, missing, unfinished };
}
