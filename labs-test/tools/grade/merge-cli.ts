// `make grade-merge IN='shards/*/runs.json' OUT=dir`: join the runs.json of every shard
// (SHARD=i/n of make grade or make sweep-XX) into one results.json and junit.xml.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { globSync } from "glob";
import { readRunsFile, RunsFileError } from "../runs-file.js";
import { MergeError, mergeRuns } from "./merge.js";
import { writeReport } from "./report.js";

function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

const cmd = new Command("grade-merge")
  .description("join shard results (runs.json files, or folders holding one) into results.json and junit.xml")
  .requiredOption("--out <dir>", "where results.json and junit.xml go")
  .argument("<runs...>", "runs.json files or folders (globs are expanded)")
  .showHelpAfterError()
  .parse();
const out = cmd.opts<{ out: string }>().out;
const files = cmd.args.flatMap((a) => {
  const hits = globSync(a);
  if (hits.length === 0 && !existsSync(a)) fail(`${a}: no such file`);
  return (hits.length > 0 ? hits : [a]).map((f) => (statSync(f).isDirectory() ? path.join(f, "runs.json") : f));
});
try {
  const merged = mergeRuns(files.map((file) => ({ file, runs: readRunsFile(file) })));
  const results = writeReport(merged, path.resolve(out), path.resolve(out));
  process.stdout.write(`merged ${files.length} shard(s): score ${results.score}/${results.max_score}\n`);
} catch (e) {
  if (e instanceof MergeError || e instanceof RunsFileError) fail(e.message);
  throw e;
}
