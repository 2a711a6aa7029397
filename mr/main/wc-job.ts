// `make wc`: word count as a real MapReduce job (a coordinator and 3 workers) on the
// built-in input, checked against mrsequential. Options:
//   --input 'books/*.txt'  any files (globs allowed)      --workers n   (default 3)
//   --out dir              where the output goes           --nreduce n  (default 10)
//   --mb n                 with no --input: a generated corpus of n MB instead
import { Command } from "commander";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { buildMr } from "../framework/build.js";
import { courseLikeCorpus, cachedCorpus } from "../framework/corpus.js";
import { expandInputs } from "../framework/inputs.js";
import { ProcessGroup } from "../framework/launch.js";
import { firstDifference, outputFiles, sortedNonEmpty, topWords } from "../framework/outputs.js";
import { appPath, gutenbergDir, programPath } from "../framework/paths.js";
import { runJob } from "../framework/run-job.js";
import { positiveInt, runProgram, UsageError } from "./cli.js";

function defaultInput(mb: number | undefined): { files: string[]; what: string } {
  if (mb !== undefined) {
    return { files: cachedCorpus({ bytes: Math.round(mb * 1e6), files: 8, seed: 1 }, "wc"), what: `a generated ${mb} MB corpus` };
  }
  const dir = gutenbergDir();
  if (dir) {
    const files = readdirSync(dir).filter((n) => /^pg.*txt$/.test(n)).sort().map((n) => join(dir, n));
    return { files, what: `the course's texts (${dir})` };
  }
  return { files: courseLikeCorpus(), what: "the generated stand-in for the course's texts" };
}

runProgram("wc", async () => {
  const cmd = new Command("wc")
    .option("--input <patterns>", "input files or glob patterns, space-separated (default: the built-in input)")
    .option("--workers <n>", "number of worker processes", "3")
    .option("--nreduce <n>", "number of reduce tasks", "10")
    .option("--out <dir>", "output folder", "out/wc")
    .option("--mb <n>", "with no --input: use a generated corpus of this many MB")
    .showHelpAfterError()
    .parse();
  const o = cmd.opts<{ input?: string; workers: string; nreduce: string; out: string; mb?: string }>();
  const workers = positiveInt("--workers", o.workers);
  const nReduce = positiveInt("--nreduce", o.nreduce);
  const mb = o.mb === undefined || o.mb === "" ? undefined : Number(o.mb);
  if (mb !== undefined && !(mb > 0 && mb <= 10_000)) throw new UsageError(`--mb must be a number in (0, 10000], got ${o.mb ?? ""}`);
  const input =
    o.input !== undefined && o.input.trim() !== ""
      ? { files: (await expandInputs(o.input.trim().split(/\s+/))).map((f) => resolve(f)), what: o.input }
      : defaultInput(mb);

  await buildMr();
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  for (const n of readdirSync(out)) if (n.startsWith("mr-") || n.startsWith(".mr-")) rmSync(join(out, n), { force: true });

  const bytes = input.files.reduce((s, f) => s + statSync(f).size, 0);
  console.log(`word count on ${input.what}: ${input.files.length} files, ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(`MapReduce: 1 coordinator, ${workers} worker${workers === 1 ? "" : "s"}, ${nReduce} reduce tasks`);
  const group = new ProcessGroup();
  const job = await runJob({ dir: out, inputs: input.files, app: appPath("wc"), workers, nReduce, group });
  if (job.failures.length > 0) throw new UsageError(`the job failed:\n  ${job.failures.join("\n  ")}`);
  const got = sortedNonEmpty(outputFiles(out));
  // Intermediate files are of no more use.
  for (const n of readdirSync(out)) if (/^mr-\d+-\d+$/.test(n)) rmSync(join(out, n));

  const rel = relative(process.cwd(), out);
  const shown = rel === "" ? "." : rel.startsWith("..") ? out : rel;
  console.log(`done in ${(job.jobMs / 1000).toFixed(1)} s; output: ${shown}/mr-out-0 .. mr-out-${nReduce - 1} (${got.length} distinct words)`);
  console.log("10 most frequent words:");
  for (const { word, count } of topWords(got, 10)) console.log(`  ${String(count).padStart(9)}  ${word}`);

  const seqOut = join(out, "mr-correct-wc.txt");
  const seq = await group.node(programPath("mrsequential"), ["--out", seqOut, appPath("wc"), ...input.files], { cwd: out, label: "mrsequential" }).done;
  await group.dispose();
  if (seq.exitCode !== 0) throw new UsageError(`mrsequential failed: ${seq.stderr.trim()}`);
  const diff = firstDifference(got, sortedNonEmpty([seqOut]));
  if (diff !== undefined) throw new UsageError(`the output differs from mrsequential's (${shown}/mr-correct-wc.txt): ${diff}`);
  console.log(`check: same as mrsequential (${shown}/mr-correct-wc.txt)`);
});
