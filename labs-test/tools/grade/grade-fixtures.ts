// Submissions for the grader's own tests (grade.test.ts, hostile-*.test.ts): the reference
// as a student hands it in, the handout's stub (what every hostile submission starts from:
// it scores 0 by itself), and a call of the real grader on part 2A with short limits.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { findPart, studentFilesIn } from "../../labs.js";
import { stubRegions } from "../../solution-markers.js";
import { grade, type GradeOptions } from "./grade.js";
import { gradescopeResultsSchema, type GradescopeResults } from "./gradescope.js";

export const part2A = findPart("2A")!;

/** The reference raft.ts. */
export const reference = readFileSync("raft/raft.ts", "utf8");

/** The handout's raft.ts: every solution region stubbed. */
export const stub = stubRegions("raft/raft.ts", reference);

/** The reference's helper files beside raft.ts (raft/log.ts, raft/progress.ts, ...), by repo path. */
export const referenceHelpers: Record<string, string> = Object.fromEntries(
  studentFilesIn(part2A, ".").filter((f) => f !== "raft/raft.ts").map((f) => [f, readFileSync(f, "utf8")]),
);

const INIT = "// Your initialization code here (2A, 2B, 2C).";

/**
 * The stub with `body` run in Raft's constructor (once per peer made) and `header` at the
 * top of the module (imports, module-level code that runs when the tests load).
 */
export function stubWith(body: string, header = ""): string {
  if (!stub.includes(INIT)) throw new Error(`the stub no longer contains ${INIT}`);
  return `${header}\n${stub.replace(INIT, `${INIT}\n${body}`)}`;
}

/** Reference raft.ts with one change; throws if the change did not apply. */
export function patched(from: string, to: string, append = ""): string {
  if (!reference.includes(from)) throw new Error(`raft.ts no longer contains ${from}`);
  return reference.replace(from, to) + append;
}

/**
 * A submission folder dir/name with these files (repo path → text). A raft.ts made from
 * the reference imports its helper files, so they come along (files given here win).
 */
export function writeSubmission(dir: string, name: string, files: Record<string, string>): string {
  const sub = path.join(dir, name);
  const fromReference = files["raft/raft.ts"]?.includes('from "./log.js"') === true;
  for (const [f, text] of Object.entries(fromReference ? { ...referenceHelpers, ...files } : files)) {
    mkdirSync(path.dirname(path.join(sub, f)), { recursive: true });
    writeFileSync(path.join(sub, f), text);
  }
  return sub;
}

/**
 * Grade sub on part 2A (seed 1000, one run a test, one worker, 60 s wall per run, no type
 * check unless asked) into dir/out-name, and read back results.json through its schema.
 * One worker: a second costs its start-up (a few CPU s) for three short runs. The wall
 * limit is far above a run's need, so that a loaded machine fails no honest run; a test of
 * the limit itself sets its own.
 */
export async function gradeInto(dir: string, name: string, sub: string, extra: Partial<GradeOptions> = {}): Promise<{ results: GradescopeResults; out: string }> {
  const out = path.join(dir, `out-${name}`);
  await grade({
    submission: sub,
    parts: [part2A],
    count: 1,
    out,
    seed: 1000,
    workers: 1,
    testWallMs: 60_000,
    totalWallMs: 300_000,
    root: process.cwd(),
    skipTypeCheck: true,
    ...extra,
  });
  return { results: readResults(out), out };
}

/** OUT/results.json, checked against Gradescope's schema. */
export function readResults(out: string): GradescopeResults {
  return gradescopeResultsSchema.parse(JSON.parse(readFileSync(path.join(out, "results.json"), "utf8")));
}

/** Test name → score. */
export const byTest = (r: GradescopeResults): Record<string, number> => Object.fromEntries(r.tests.map((t) => [t.name, t.score]));
