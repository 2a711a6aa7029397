import { readFileSync } from "node:fs";
import { z } from "zod";
import { writeFileAtomic } from "./atomic-file.js";
import { recordSchema } from "./seed-protocol.js";

// runs.json: every (test, seed) run of one many-seeds run or one shard of it, with the
// whole plan, so that grade-merge can check that the shards together ran each pair once.

export const runsFileSchema = z.object({
  format: z.literal("labs-ts-runs/1"),
  /** The parts run (their ids, in manifest order). */
  parts: z.array(z.string()),
  /** Tests and seeds of the whole plan (every shard lists the same). */
  tests: z.array(z.string()),
  seeds: z.array(z.number().int().positive()),
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }),
  /** Parts that scored 0 without running (missing file, type errors), with why. */
  notRun: z.record(z.string(), z.string()).default({}),
  /** Messages for the whole grade (ignored files, tampering). */
  notes: z.array(z.string()).default([]),
  records: z.array(recordSchema.extend({ id: z.number().int().nonnegative() })),
  versions: z.record(z.string(), z.string()),
  wallSeconds: z.number().nonnegative(),
  /** A grade's profile (grade/profile.ts); absent from sweeps. */
  profile: z.string().optional(),
  /**
   * The schedule searches the profile runs (grade/profile.ts HuntPlan): each part's hunt
   * line and its seeds, planned after every (test, seed) pair (grade/profile.ts planItems).
   */
  hunts: z.array(z.object({ part: z.string(), test: z.string(), seeds: z.array(z.number().int().positive()) })).optional(),
  /** A grade's submission: its name and a digest of the student files installed from it. */
  submission: z.object({ name: z.string(), digest: z.string() }).optional(),
  /** Digest of the framework files the runs used (the pristine tree): the project's version, by content. */
  framework: z.string().optional(),
});
export type RunsFile = z.infer<typeof runsFileSchema>;

export class RunsFileError extends Error {}

/** Write runs.json (checked against the schema first; atomically: never half a file). */
export function writeRunsFile(file: string, runs: RunsFile): void {
  writeFileAtomic(file, JSON.stringify(runsFileSchema.parse(runs), null, 1) + "\n");
}

/** Read and check a runs.json; throws RunsFileError naming the file on anything malformed. */
export function readRunsFile(file: string): RunsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new RunsFileError(`${file}: not a readable JSON file (${(e as Error).message})`);
  }
  const r = runsFileSchema.safeParse(raw);
  if (!r.success) throw new RunsFileError(`${file}: not a runs.json (${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message})`);
  return r.data;
}
