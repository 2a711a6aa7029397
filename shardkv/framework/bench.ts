// Lab 4's figures: `npm run bench:shard [-- --seed n] [--realtime]`. Runs the graded 4A,
// 4B and challenge tests in one vitest process and reports the total wall time (and,
// with --realtime, the CPU time the test processes used), each test's virtual seconds,
// and each test's RPC and op counts (the stats sink, LABS_STATS), and how long the
// linearizability checks took. --markdown, --json FILE: the table for BENCHMARKS.md
// (labs-test/tools/bench-report.ts), one row per part and mode.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { readGradedResults } from "../../labs-test/harness/run-graded.js";
import { readStats, STATS_ENV } from "../../labs-test/harness/stats-sink.js";
import { findPart } from "../../labs-test/labs.js";
import { BenchReport, benchCommand, REPORT_OPTIONS } from "../../labs-test/tools/bench-report.js";
import { RealClock } from "../../runtime/real-clock.js";

const { values: args } = parseArgs({
  options: {
    seed: { type: "string" },
    realtime: { type: "boolean", default: false },
    ...REPORT_OPTIONS,
  },
});

/** CPU seconds (user + system) used by this process's finished children, from /proc. */
function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 (cutime, cstime) of proc(5), counted from field 3 here; 100 ticks/s.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const report = new BenchReport(
    {
      id: "shardkv",
      lab: "Lab 4: shardctrler and shardkv",
      caption:
        "The graded 4A, 4B and challenge tests in one vitest process: per part, the test time its tests cover and the wall time inside them; the whole run's wall and CPU time in the notes. The course's Go run of 4A+4B took 98 s (our measurement), its handout's sample 101.5 s for 4B alone.",
      columns: ["mode", "part", "tests passed", "test time s", "wall s inside tests"],
    },
    benchCommand("shardkv/framework/bench.ts"),
  );
  const parts = ["4A", "4B", "challenge"].map((id) => findPart(id)!);
  const files = [...new Set(parts.flatMap((p) => p.testFiles))];
  const tests = parts.flatMap((p) => p.tests);
  const dir = mkdtempSync(path.join(tmpdir(), "shard-bench-"));
  const statsFile = path.join(dir, "stats.jsonl");
  const resultsFile = path.join(dir, "results.jsonl");
  const env: Record<string, string> = { [STATS_ENV]: statsFile, LABS_RESULTS: resultsFile };
  if (args.seed !== undefined) env["SEED"] = args.seed;
  if (args.realtime) env["REALTIME"] = "1";

  const cpu0 = childCpuSeconds();
  const wall = new RealClock();
  const r = await execa("vitest", ["run", ...files, "-t", `^(${tests.join("|")})$`], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
    reject: false,
    preferLocal: true,
  });
  const totalMs = wall.now();
  const cpu1 = childCpuSeconds();

  const results = readGradedResults(resultsFile);
  const stats = readStats(statsFile);
  rmSync(dir, { recursive: true, force: true });

  const passed = results.filter((x) => x.passed).length;
  const mode = args.realtime ? "real time" : "simulated";
  console.log(`\n=== Lab 4 bench (${mode}): 4A + 4B + challenge ===`);
  console.log(`tests: ${passed}/${results.length} passed (vitest exit ${r.exitCode})`);
  for (const x of results.filter((y) => !y.passed)) console.log(`  FAILED ${x.name} seed ${x.seed}: ${x.error}`);
  const cpu = cpu0 !== undefined && cpu1 !== undefined ? `, CPU ${(cpu1 - cpu0).toFixed(1)} s` : "";
  console.log(`wall time: ${(totalMs / 1000).toFixed(1)} s in all${cpu}`);
  for (const p of parts) {
    const mine = results.filter((x) => p.tests.includes(x.name));
    const v = mine.reduce((a, x) => a + x.virtualMs, 0) / 1000;
    const w = mine.reduce((a, x) => a + x.wallMs, 0) / 1000;
    console.log(`  ${p.id.padEnd(9)} ${mine.length} tests, ${v.toFixed(1)} s of test time, ${w.toFixed(1)} s wall inside tests`);
    report.row([mode, p.id, `${mine.filter((x) => x.passed).length}/${p.tests.length}`, v.toFixed(1), w.toFixed(1)]);
  }
  report.note(`${mode}: ${passed}/${results.length} passed, wall ${(totalMs / 1000).toFixed(1)} s in all${cpu}`);
  console.log(`per test: ${args.realtime ? "" : "virtual "}s, RPCs, clerk ops (4A: per sub-test, no ops):`);
  for (const s of stats.filter((x) => x.kind === "test")) {
    console.log(
      `  ${s.title.padEnd(58)} ${s.seconds.toFixed(1).padStart(5)} ${String(s.rpcs).padStart(7)} ${String(s.ops).padStart(6)}`,
    );
  }
  for (const c of stats.filter((x) => x.kind === "check")) {
    const line = `checker: "${c.title}": ${c.ops} ops, ${c.partitions} keys, "${c.result}" in ${c.wallMs.toFixed(1)} ms`;
    console.log(line);
    report.note(`${mode}: ${line}`);
  }
  console.log("Go course baseline: 4A 3.7 s, 4B 94.6 s wall (our measured run); handout sample 4B 101.5 s.");
  report.finish(args);
  if (r.exitCode !== 0) process.exitCode = 1;
}

await main();
