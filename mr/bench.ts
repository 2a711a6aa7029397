// npm run bench:mr: word count on a generated corpus (about 100 MB), mrsequential vs
// the MapReduce job with 1 and 2 workers. Options: --mb n, --files k, --repeat r (the
// median run is shown). Also measures how fast a worker process is ready.
import { Command } from "commander";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism, loadavg } from "node:os";
import { RealClock } from "../runtime/real-clock.js";
import { buildMr } from "./build.js";
import { cachedCorpus } from "./corpus.js";
import { ProcessGroup } from "./launch.js";
import { firstDifference, outputFiles, sortedNonEmpty } from "./outputs.js";
import { appPath, programPath, runsDir } from "./paths.js";
import { runJob } from "./run-job.js";
import { coordinatorSock } from "./transport/endpoint.js";

const cmd = new Command("bench:mr")
  .option("--mb <n>", "corpus size in MB", "100")
  .option("--files <k>", "number of input files (map tasks)", "16")
  .option("--repeat <r>", "runs of each configuration; the median is shown", "1")
  .parse();
const o = cmd.opts<{ mb: string; files: string; repeat: string }>();
const mb = Number(o.mb);
const nFiles = Number(o.files);
const repeat = Number(o.repeat);
const group = new ProcessGroup();
const clock = new RealClock();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function sequential(dir: string, inputs: string[]): Promise<number> {
  const t0 = clock.now();
  const r = await group.node(programPath("mrsequential"), [appPath("wc"), ...inputs], { cwd: dir, label: "mrsequential" }).done;
  if (r.exitCode !== 0) throw new Error(`mrsequential failed: ${r.stderr}`);
  return clock.now() - t0;
}

/** Spawn to exit of a worker that finds no coordinator on its first try: the time to be ready. */
async function workerStartup(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = clock.now();
    await group.node(programPath("mrworker"), ["--socket", `${coordinatorSock()}-nobody`, "--wait", "1", appPath("wc")], { cwd: runsDir, label: "probe" }).done;
    times.push(clock.now() - t0);
  }
  return median(times);
}

async function main(): Promise<void> {
  await buildMr();
  const inputs = cachedCorpus({ bytes: Math.round(mb * 1e6), files: nFiles, seed: 1 }, "bench");
  const base = join(runsDir, "bench");
  const dir = (name: string): string => {
    const d = join(base, name);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    return d;
  };
  console.log(`corpus: ${mb} MB in ${nFiles} files (generated, seed 1); word count, nReduce 10; ${repeat} run(s) each, median shown`);
  console.log(`load average now: ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${availableParallelism()} cores`);
  console.log(`worker ready (spawn .. first RPC attempt .. exit): ${(await workerStartup()).toFixed(0)} ms`);

  const seqMs: number[] = [];
  for (let i = 0; i < repeat; i++) seqMs.push(await sequential(dir("sequential"), inputs));
  const want = sortedNonEmpty(outputFiles(join(base, "sequential")));

  const rows: { name: string; ms: number; totalMs?: number }[] = [{ name: "mrsequential", ms: median(seqMs) }];
  for (const workers of [1, 2]) {
    const job: number[] = [];
    const total: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const d = dir(`mr-${workers}`);
      const r = await runJob({ dir: d, inputs, app: appPath("wc"), workers, nReduce: 10, group });
      if (r.failures.length > 0) throw new Error(`job failed: ${r.failures.join("; ")}`);
      const diff = firstDifference(sortedNonEmpty(outputFiles(d)), want);
      if (diff !== undefined) throw new Error(`${workers}-worker output differs from mrsequential: ${diff}`);
      job.push(r.jobMs);
      total.push(r.totalMs);
    }
    rows.push({ name: `MapReduce, ${workers} worker${workers > 1 ? "s" : ""}`, ms: median(job), totalMs: median(total) });
  }
  const base0 = rows[0]!.ms;
  console.log("");
  console.log("| run | wall s | MB/s | speedup | with coordinator exit, s |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    const s = r.ms / 1000;
    console.log(`| ${r.name} | ${s.toFixed(1)} | ${(mb / s).toFixed(1)} | ${(base0 / r.ms).toFixed(2)}x | ${r.totalMs === undefined ? "" : (r.totalMs / 1000).toFixed(1)} |`);
  }
  console.log("\nwall s: until the output is final (the last worker has exited); the coordinator exits 1-2 s later,");
  console.log("as the course's mrcoordinator does (done() polled once a second, then one more second).");
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  rmSync(base, { recursive: true, force: true });
}

main().then(
  async () => {
    await group.dispose();
    clock.stop();
  },
  async (e: unknown) => {
    console.error(`bench:mr: ${e instanceof Error ? e.message : String(e)}`);
    await group.dispose();
    process.exit(1);
  },
);
