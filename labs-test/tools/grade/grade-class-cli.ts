// `make grade-class SUBMISSIONS=dir OUT=dir PARTS=2A,2B COUNT=n [SEED=n] [SHARD=i/n]
//  [PROFILE=course] [PARALLEL=n] [TEST_WALL_S=s] [TOTAL_WALL_S=s] [STALL_S=s]`
//
// Exit status: 0 every student of the shard has a final grade (whatever the scores), 1 some
// grade did not finish (run it again: it resumes), 2 bad settings or an unusable SUBMISSIONS.
import path from "node:path";
import { Command } from "commander";
import { fail, parseParts, parseSeed, parseShardOption, positiveInt, readGradeSettings, withGradeSettings } from "./cli-options.js";
import { RosterError } from "./class-roster.js";
import { ClassError, gradeClass } from "./grade-class.js";

const cmd = withGradeSettings(
  new Command("grade-class")
    .description("grade every student of a folder (one folder or archive each) into OUT/students/<id>/, and write OUT/gradebook.csv")
    .requiredOption("--submissions <dir>", "a folder holding one folder or .zip/.tar.gz/.tgz per student")
    .requiredOption("--out <dir>", "where the students' results and the gradebook go")
    .requiredOption("--parts <list>", "comma-separated parts, e.g. 2A,2B,2C,2D")
    .option("--count <n>", "runs per test (a test scores only if every run passes)", "1")
    .option("--seed <n>", "first seed (seeds n … n+count-1) for every student; by default the one OUT was graded with, else fresh")
    .option("--shard <i/n>", "grade only every n-th student, from the i-th (needs --seed)"),
).showHelpAfterError();
cmd.parse();
const raw = cmd.opts<{ submissions: string; out: string; parts: string; count: string; seed?: string; shard?: string }>();
if (raw.submissions.trim() === "") fail("SUBMISSIONS is empty; give a folder with one folder or archive per student");
if (raw.out.trim() === "") fail("OUT is empty");
const parts = parseParts(raw.parts);
const count = positiveInt("COUNT", raw.count, 100_000);
const seed = parseSeed(raw.seed);
const shard = parseShardOption(raw.shard, seed);
const settings = readGradeSettings(cmd);
const root = path.resolve(import.meta.dirname, "../../..");

try {
  const report = await gradeClass({ submissions: path.resolve(raw.submissions), out: path.resolve(raw.out), parts, count, seed, shard, settings, root });
  process.exit(report.file.timing.failed > 0 ? 1 : 0);
} catch (e) {
  if (e instanceof RosterError || e instanceof ClassError) fail(e.message);
  throw e;
}
