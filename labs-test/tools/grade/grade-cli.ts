// `make grade SUBMISSION=path PARTS=2A,2B COUNT=n OUT=dir [SEED=n] [SHARD=i/n] [PARALLEL=n]
//  [PROFILE=course] [TEST_WALL_S=s] [TOTAL_WALL_S=s] [STALL_S=s]`
import path from "node:path";
import { Command } from "commander";
import { z } from "zod";
import { findPart, PARTS, type LabPart } from "../../labs.js";
import { defaultWorkers } from "../cpu-quota.js";
import { writeRunsFile } from "../runs-file.js";
import { toolVersions } from "../versions.js";
import { consecutiveSeeds, parseShard, PlanError, type Shard } from "../work-plan.js";
import { grade, submissionName } from "./grade.js";
import { parseProfile, type ProfileId } from "./profile.js";
import { writeReport } from "./report.js";
import { SubmissionError } from "./submission.js";

const positiveInt = (what: string, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${what} must be a positive integer`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `${what} must be between 1 and ${max}`);

function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

function check<T>(schema: z.ZodType<T, string>, raw: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) fail(r.error.issues[0]?.message ?? "invalid");
  return r.data;
}

function parseParts(raw: string): LabPart[] {
  const ids = raw.split(/[,\s]+/).filter(Boolean);
  if (ids.length === 0) fail("PARTS is empty; give e.g. PARTS=2A,2B");
  const gradable = PARTS.filter((p) => p.studentFiles.length > 0).map((p) => p.id);
  const parts = ids.map((id) => {
    const p = findPart(id);
    if (p === undefined || p.studentFiles.length === 0) fail(`PARTS names ${JSON.stringify(id)}, which is not a graded part; parts: ${gradable.join(" ")}`);
    return p;
  });
  return [...new Set(parts)];
}

const cmd = new Command("grade")
  .description("grade a submission: its student files over a pristine tree, every graded test COUNT times")
  .requiredOption("--submission <path>", "a folder with the student files at their repo paths, or a .tar.gz/.tgz/.zip of one")
  .requiredOption("--parts <list>", "comma-separated parts, e.g. 2A,2B,2C,2D")
  .option("--count <n>", "runs per test (a test scores only if every run passes)", "1")
  .requiredOption("--out <dir>", "where results.json, junit.xml and runs.json go")
  .option("--seed <n>", "first seed (seeds n … n+count-1); fresh by default")
  .option("--shard <i/n>", "run only the i-th of n shares of the (test, seed) list (needs --seed)")
  .option("--workers <n>", "worker processes (default: the CPUs the container allows)", String(defaultWorkers()))
  .option("--test-wall-s <s>", "wall seconds one test run may take before it is killed", "120")
  .option("--total-wall-s <s>", "wall seconds for the whole grade", "3600")
  .option("--stall-cpu-s <s>", "CPU seconds a test worker may spin without a heartbeat before its run counts as stuck", "5")
  .option("--profile <name>", "grading profile (course)", "course")
  .option("--keep-tree", "keep the scratch tree (debugging)")
  .option("--no-typecheck", "skip the type check (code already checked)")
  .option("--no-isolate", "run test workers as this user even when root (default: a uid of their own)")
  .showHelpAfterError();
cmd.parse();
const raw = cmd.opts<{
  submission: string; parts: string; count: string; out: string; seed?: string; shard?: string;
  workers: string; testWallS: string; totalWallS: string; stallCpuS: string; profile: string; keepTree?: boolean; typecheck: boolean; isolate: boolean;
}>();

if (raw.submission.trim() === "") fail("SUBMISSION is empty; give a folder, .tar.gz or .zip");
const parts = parseParts(raw.parts);
const count = check(positiveInt("COUNT", 100_000), raw.count);
const seed = raw.seed === undefined || raw.seed.trim() === "" ? undefined : check(positiveInt("SEED", 2 ** 53 - 1 - 100_000), raw.seed);
let shard: Shard | undefined;
if (raw.shard !== undefined && raw.shard.trim() !== "") {
  try {
    shard = parseShard(raw.shard);
  } catch (e) {
    if (e instanceof PlanError) fail(e.message);
    throw e;
  }
  if (seed === undefined) fail("SHARD needs SEED, so that every shard runs the same seeds");
}
const workers = check(positiveInt("PARALLEL", 64), raw.workers);
const testWallMs = check(positiveInt("the test wall limit", 86_400), raw.testWallS) * 1000;
const totalWallMs = check(positiveInt("the whole-run limit", 7 * 86_400), raw.totalWallS) * 1000;
const stallCpuMs = check(positiveInt("the stall limit", 3600), raw.stallCpuS) * 1000;
let profile: ProfileId;
try {
  profile = parseProfile(raw.profile);
} catch (e) {
  if (e instanceof PlanError) fail(e.message);
  throw e;
}
if (raw.out.trim() === "") fail("OUT is empty");
const out = path.resolve(raw.out);
const root = path.resolve(import.meta.dirname, "../../..");

try {
  const results = await grade({
    submission: raw.submission, parts, count, out, seed, shard, workers, testWallMs, totalWallMs, stallCpuMs, profile, root,
    keepTree: raw.keepTree, skipTypeCheck: !raw.typecheck, isolate: raw.isolate,
  });
  process.stdout.write(`score ${results.score}/${results.max_score}\n`);
} catch (e) {
  // An unusable submission, or the grader itself failing: still a valid results.json
  // (score 0, saying why) in OUT, and a clear error.
  const grader = !(e instanceof SubmissionError);
  const why = grader ? `the grader failed (${e instanceof Error ? e.message : String(e)}); please tell the course staff` : e.message;
  const runs = {
    format: "labs-ts-runs/1" as const,
    parts: parts.map((p) => p.id),
    tests: parts.flatMap((p) => p.tests),
    seeds: consecutiveSeeds(seed ?? 1, count),
    shard: shard ?? { index: 1, count: 1 },
    notRun: Object.fromEntries(parts.map((p) => [p.id, `not graded: ${why}`])),
    notes: [],
    records: [],
    versions: toolVersions(root),
    wallSeconds: 0,
    profile,
    submission: { name: submissionName(raw.submission), digest: "" },
  };
  writeRunsFile(path.join(out, "runs.json"), runs);
  writeReport(runs, out, out);
  if (grader) process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.stderr.write(`error: ${why}\n`);
  process.exit(grader ? 3 : 1);
}
