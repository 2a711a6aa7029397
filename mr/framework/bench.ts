// npm run bench:mr: word count on a generated corpus (about 100 MB), mrsequential vs
// the MapReduce job with 1 and 2 workers. Options: --mb n, --files k, --repeat r (the
// median run is shown). Also measures how fast a worker process is ready. --markdown,
// --json FILE: the table for BENCHMARKS.md (labs-test/tools/bench-report.ts).
import { Command } from "commander";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism, loadavg } from "node:os";
import { RealClock } from "../../runtime/real-clock.js";
import { BenchReport, benchCommand } from "../../labs-test/tools/bench-report.js";
import { buildMr } from "./build.js";
import { cachedCorpus } from "./corpus.js";
import { ProcessGroup, type ProcResult } from "./launch.js";
import { CPU_REPORT, positiveInt, UsageError } from "../main/cli.js";
import { firstDifference, outputFiles, sortedNonEmpty } from "./outputs.js";
import { appPath, programPath, runsDir } from "./paths.js";
import { runJob } from "./run-job.js";
import { coordinatorSock } from "../transport/endpoint.js";

const cmd = new Command("bench:mr")
  .option("--mb <n>", "corpus size in MB", "100")
  .option("--files <k>", "number of input files (map tasks)", "16")
  .option("--repeat <r>", "runs of each configuration; the median is shown", "1")
  .option("--json <file>", "merge the table for BENCHMARKS.md into this file")
  .option("--markdown", "print the table for BENCHMARKS.md")
  .parse();
const o = cmd.opts<{ mb: string; files: string; repeat: string; json?: string; markdown?: boolean }>();
function options(): { mb: number; nFiles: number; repeat: number } {
  try {
    const mb = Number(o.mb);
    if (!(mb > 0 && mb <= 10_000)) throw new UsageError(`--mb must be a number in (0, 10000], got ${JSON.stringify(o.mb)}`);
    return { mb, nFiles: positiveInt("--files", o.files), repeat: positiveInt("--repeat", o.repeat) };
  } catch (e) {
    console.error(`bench:mr: ${(e as Error).message}`);
    process.exit(1);
  }
}
const { mb, nFiles, repeat } = options();
const group = new ProcessGroup();
const clock = new RealClock();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const CPU_ENV = { MR_CPU_REPORT: "1" };

/** CPU ms a program reported about itself (MR_CPU_REPORT=1). */
function cpuMs(r: ProcResult): number {
  const m = CPU_REPORT.exec(r.stderr);
  if (!m) throw new Error(`${r.label} reported no CPU time`);
  return Number(m[1]);
}

interface Sample {
  ms: number;
  totalMs?: number;
  /** CPU of all processes, and of the busiest one. */
  cpuMs: number;
  maxCpuMs: number;
}

async function sequential(dir: string, inputs: string[]): Promise<Sample> {
  const t0 = clock.now();
  const r = await group.node(programPath("mrsequential"), [appPath("wc"), ...inputs], { cwd: dir, label: "mrsequential", env: CPU_ENV }).done;
  if (r.exitCode !== 0) throw new Error(`mrsequential failed: ${r.stderr}`);
  const ms = clock.now() - t0;
  return { ms, cpuMs: cpuMs(r), maxCpuMs: cpuMs(r) };
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
  const report = new BenchReport(
    {
      id: "mr",
      lab: "Lab 1: MapReduce",
      caption:
        "Word count on a generated corpus (seed 1), nReduce 10: mrsequential against the MapReduce job with 1 and 2 workers, real processes over a unix socket; the median of the runs. The estimate divides mrsequential's CPU time by the busiest process's: the speed-up when every process has a core to itself, which a loaded machine does not give.",
      columns: ["corpus", "run", "wall s", "MB/s", "speed-up", "CPU s, all processes", "CPU s, busiest process", "speed-up with a free core each (est.)"],
    },
    benchCommand("mr/framework/bench.ts"),
  );
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
  const ready = await workerStartup();
  console.log(`worker ready (spawn .. first RPC attempt .. exit): ${ready.toFixed(0)} ms`);
  report.note(`a worker is ready (spawn to its first RPC attempt to exit, median of 5) in ${ready.toFixed(0)} ms`);

  const pick = (xs: Sample[]): Sample => [...xs].sort((a, b) => a.ms - b.ms)[Math.floor(xs.length / 2)]!;
  const seq: Sample[] = [];
  for (let i = 0; i < repeat; i++) seq.push(await sequential(dir("sequential"), inputs));
  const want = sortedNonEmpty(outputFiles(join(base, "sequential")));

  const rows: { name: string; s: Sample }[] = [{ name: "mrsequential", s: pick(seq) }];
  for (const workers of [1, 2]) {
    const samples: Sample[] = [];
    for (let i = 0; i < repeat; i++) {
      const d = dir(`mr-${workers}`);
      const r = await runJob({ dir: d, inputs, app: appPath("wc"), workers, nReduce: 10, group, env: CPU_ENV });
      if (r.failures.length > 0) throw new Error(`job failed: ${r.failures.join("; ")}`);
      const diff = firstDifference(sortedNonEmpty(outputFiles(d)), want);
      if (diff !== undefined) throw new Error(`${workers}-worker output differs from mrsequential: ${diff}`);
      const cpu = r.results.map(cpuMs);
      samples.push({ ms: r.jobMs, totalMs: r.totalMs, cpuMs: cpu.reduce((a, b) => a + b, 0), maxCpuMs: Math.max(...cpu) });
    }
    rows.push({ name: `MapReduce, ${workers} worker${workers > 1 ? "s" : ""}`, s: pick(samples) });
  }
  const seq0 = rows[0]!.s;
  const sec = (ms: number): string => (ms / 1000).toFixed(1);
  console.log("");
  console.log("| run | wall s | MB/s | speedup | CPU s, all processes | CPU s, busiest process | speedup with a free core each (est.) | wall s to coordinator exit |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const { name, s: r } of rows) {
    const cells = [
      name,
      sec(r.ms),
      (mb / (r.ms / 1000)).toFixed(1),
      `${(seq0.ms / r.ms).toFixed(2)}x`,
      sec(r.cpuMs),
      sec(r.maxCpuMs),
      `${(seq0.maxCpuMs / r.maxCpuMs).toFixed(2)}x`,
      r.totalMs === undefined ? "" : sec(r.totalMs),
    ];
    console.log(`| ${cells.join(" | ")} |`);
    report.row([`${mb} MB in ${nFiles} files, ${repeat} run(s)`, ...cells.slice(0, 7)]);
  }
  console.log("\nwall s: until the output is final (the last worker has exited); the coordinator exits 1-2 s later,");
  console.log("as the course's mrcoordinator does (done() polled once a second, then one more second).");
  console.log("The estimate divides mrsequential's CPU time by the busiest process's: the speedup when every");
  console.log("process has a core to itself, which a loaded machine (see the load average) does not give.");
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  rmSync(base, { recursive: true, force: true });
  report.finish({ json: o.json, markdown: o.markdown });
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
