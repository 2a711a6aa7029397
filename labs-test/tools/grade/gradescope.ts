import { z } from "zod";
import type { RunsFile } from "../runs-file.js";
import { scrubDeep } from "../../harness/safe-text.js";
import { testOutput, total, type TestScore } from "./score.js";

// Gradescope's results.json: the fields its autograder reads, checked by this schema
// before the file is written (and by a test). Every string in it is scrubbed (no NUL, no
// lone surrogate: safe-text.ts) and each test's output capped, whatever the runs held.

const visibility = z.enum(["hidden", "after_due_date", "after_published", "visible"]);

export const gradescopeTestSchema = z
  .object({
    score: z.number().nonnegative(),
    max_score: z.number().nonnegative(),
    status: z.enum(["passed", "failed"]),
    name: z.string().min(1),
    number: z.string().regex(/^[\w]+\.\d+$/),
    output: z.string().max(9000),
    tags: z.array(z.string()),
    visibility,
  })
  .strict();

export const gradescopeResultsSchema = z
  .object({
    score: z.number().nonnegative(),
    max_score: z.number().nonnegative(),
    execution_time: z.number().int().nonnegative(),
    output: z.string(),
    visibility,
    stdout_visibility: visibility,
    extra_data: z.record(z.string(), z.unknown()),
    tests: z.array(gradescopeTestSchema),
  })
  .strict()
  .refine((r) => Math.abs(r.score - total(r.tests.map((t) => t.score))) < 0.005, "score is the sum of the tests' scores");
export type GradescopeResults = z.infer<typeof gradescopeResultsSchema>;

/** results.json for these runs: one entry per graded test, the course's all-runs-pass rule. */
export function gradescopeResults(runs: RunsFile, scores: TestScore[], summary: string): GradescopeResults {
  const tests = scores.map((t) => ({
    score: t.score,
    max_score: t.maxScore,
    status: t.score === t.maxScore && t.notRun === undefined ? ("passed" as const) : ("failed" as const),
    // The same name for every student and every grade: the pass fraction is in the output.
    name: t.name,
    number: t.number,
    output: testOutput(t),
    tags: [t.part],
    visibility: "visible" as const,
  }));
  return gradescopeResultsSchema.parse(scrubDeep({
    score: total(tests.map((t) => t.score)),
    max_score: total(tests.map((t) => t.max_score)),
    execution_time: Math.round(runs.wallSeconds),
    output: summary,
    visibility: "visible",
    stdout_visibility: "hidden",
    extra_data: {
      parts: runs.parts,
      seeds: runs.seeds,
      runsPerTest: runs.seeds.length,
      shard: runs.shard,
      versions: runs.versions,
      notes: runs.notes,
      profile: runs.profile,
      submission: runs.submission,
      framework: runs.framework,
    },
    tests,
  }, SUMMARY_CAP));
}

/** Bytes of any one string in results.json (the summary; each test's output is capped at 8 KB before). */
const SUMMARY_CAP = 64 * 1024;
