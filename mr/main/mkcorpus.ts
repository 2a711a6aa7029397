// mkcorpus --mb n --files k --seed s --out dir: writes the deterministic generated
// corpus, for trying MapReduce on inputs of any size.
import { Command } from "commander";
import { writeCorpus } from "../framework/corpus.js";
import { positiveInt, runProgram, UsageError } from "./cli.js";

runProgram("mkcorpus", async () => {
  const cmd = new Command("mkcorpus")
    .description("write a deterministic English-like corpus")
    .option("--mb <n>", "total size in MB (10^6 bytes)", "3")
    .option("--files <k>", "number of files", "8")
    .option("--seed <s>", "random seed", "1")
    .requiredOption("--out <dir>", "folder to write into")
    .showHelpAfterError()
    .parse();
  const o = cmd.opts<{ mb: string; files: string; seed: string; out: string }>();
  const mb = Number(o.mb);
  if (!(mb > 0 && mb <= 100_000)) throw new UsageError(`--mb must be a number in (0, 100000], got ${JSON.stringify(o.mb)}`);
  const seed = Number(o.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer >= 0, got ${JSON.stringify(o.seed)}`);
  const paths = writeCorpus(o.out, { bytes: Math.round(mb * 1e6), files: positiveInt("--files", o.files), seed });
  process.stdout.write(`${paths.length} files in ${o.out}\n`);
});
