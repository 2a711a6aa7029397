// `make grade SUBMISSION=path PARTS=2A,2B COUNT=n OUT=dir [SEED=n] [SHARD=i/n] [PARALLEL=n]
//  [PROFILE=course] [TEST_WALL_S=s] [TOTAL_WALL_S=s] [STALL_S=s]`
//
// Exit status: 0 graded (whatever the score), 1 the submission could not be opened, 2 bad
// settings (nothing written), 3 the grader itself failed. In cases 1 and 3, OUT still holds a
// valid zero results.json saying why.
import path from "node:path";
import { Command } from "commander";
import { writeRunsFile } from "../runs-file.js";
import { toolVersions } from "../versions.js";
import { consecutiveSeeds } from "../work-plan.js";
import { fail, parseParts, parseSeed, parseShardOption, positiveInt, readGradeSettings, withGradeSettings } from "./cli-options.js";
import { grade, submissionName } from "./grade.js";
import { notGradedRuns, writeReport } from "./report.js";
import { SubmissionError } from "./submission.js";

const cmd = withGradeSettings(
  new Command("grade")
    .description("grade a submission: its student files over a pristine tree, every graded test COUNT times")
    .requiredOption("--submission <path>", "a folder with the student files at their repo paths, or a .tar.gz/.tgz/.zip of one")
    .requiredOption("--parts <list>", "comma-separated parts, e.g. 2A,2B,2C,2D")
    .option("--count <n>", "runs per test (a test scores only if every run passes)", "1")
    .requiredOption("--out <dir>", "where results.json, junit.xml and runs.json go")
    .option("--seed <n>", "first seed (seeds n … n+count-1); fresh by default")
    .option("--shard <i/n>", "run only the i-th of n shares of the (test, seed) list (needs --seed)")
    .option("--name <name>", "the submission's name in runs.json and gradebooks (default: its file or folder name)")
    .option("--keep-tree", "keep the scratch tree (debugging)")
    .option("--no-boundary", "measurement only: run the submitted code outside the sandbox and the permission model, to measure what the boundary costs (never for code that is not trusted)"),
).showHelpAfterError();
cmd.parse();
const raw = cmd.opts<{ submission: string; parts: string; count: string; out: string; seed?: string; shard?: string; name?: string; keepTree?: boolean; boundary: boolean }>();

if (raw.submission.trim() === "") fail("SUBMISSION is empty; give a folder, .tar.gz or .zip");
const parts = parseParts(raw.parts);
const count = positiveInt("COUNT", raw.count, 100_000);
const seed = parseSeed(raw.seed);
const shard = parseShardOption(raw.shard, seed);
const settings = readGradeSettings(cmd);
if (raw.out.trim() === "") fail("OUT is empty");
const out = path.resolve(raw.out);
const root = path.resolve(import.meta.dirname, "../../..");
const name = raw.name ?? submissionName(raw.submission);

try {
  const results = await grade({ submission: raw.submission, parts, count, out, seed, shard, root, name, keepTree: raw.keepTree, noBoundary: !raw.boundary, ...settings });
  process.stdout.write(`score ${results.score}/${results.max_score}\n`);
} catch (e) {
  // An unusable submission, or the grader itself failing: still a valid results.json
  // (score 0, saying why) in OUT, and a clear error.
  const grader = !(e instanceof SubmissionError);
  const why = grader ? `the grader failed (${e instanceof Error ? e.message : String(e)}); please tell the course staff` : e.message;
  const runs = notGradedRuns(
    {
      format: "labs-ts-runs/1",
      parts: parts.map((p) => p.id),
      tests: parts.flatMap((p) => p.tests),
      seeds: consecutiveSeeds(seed ?? 1, count),
      shard: shard ?? { index: 1, count: 1 },
      versions: toolVersions(root),
      profile: settings.profile,
      submission: { name, digest: "" },
    },
    why,
  );
  writeRunsFile(path.join(out, "runs.json"), runs);
  writeReport(runs, out, out);
  if (grader) process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.stderr.write(`error: ${why}\n`);
  process.exit(grader ? 3 : 1);
}
