// Lab 3's figures: `npx tsx kvraft/bench.ts [--seed n] [--realtime] [--run regex]`.
// Runs the 3A+3B graded tests in one vitest process and reports the total wall time,
// TestSpeed3A's virtual ms per op and ops per wall second, and how long the
// linearizability checker took on the largest history the suite produced. --markdown,
// --json FILE: the table for BENCHMARKS.md (labs-test/tools/bench-report.ts), one row per
// mode (simulated, --realtime).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { readGradedResults } from "../../labs-test/harness/run-graded.js";
import { readStats, STATS_ENV } from "../../labs-test/harness/stats-sink.js";
import { BenchReport, benchCommand, REPORT_OPTIONS } from "../../labs-test/tools/bench-report.js";
import { RealClock } from "../../runtime/real-clock.js";

const { values: args } = parseArgs({
  options: {
    seed: { type: "string" },
    realtime: { type: "boolean", default: false },
    run: { type: "string", default: "3A$|3B$" },
    ...REPORT_OPTIONS,
  },
});

async function main(): Promise<void> {
  const report = new BenchReport(
    {
      id: "kvraft",
      lab: "Lab 3: kvraft",
      caption:
        "The 3A and 3B graded tests in one vitest process: wall time (and inside the tests) for the test time they cover, TestSpeed's ms per op and ops per wall second, and the linearizability checker on the largest history the suite produced.",
      columns: ["mode", "tests passed", "wall s (inside tests)", "test time s", "TestSpeed3A", "TestSpeed3B", "largest history checked"],
    },
    benchCommand("kvraft/framework/bench.ts"),
  );
  const dir = mkdtempSync(path.join(tmpdir(), "kvraft-bench-"));
  const statsFile = path.join(dir, "stats.jsonl");
  const resultsFile = path.join(dir, "results.jsonl");
  const env: Record<string, string> = { [STATS_ENV]: statsFile, LABS_RESULTS: resultsFile };
  if (args.seed !== undefined) env["SEED"] = args.seed;
  if (args.realtime) env["REALTIME"] = "1";

  const wall = new RealClock();
  const r = await execa("vitest", ["run", "kvraft/kvraft.test.ts", "-t", args.run!], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
    reject: false,
    preferLocal: true,
  });
  const totalMs = wall.now();

  const results = readGradedResults(resultsFile);
  const stats = readStats(statsFile);
  rmSync(dir, { recursive: true, force: true });

  const passed = results.filter((x) => x.passed).length;
  const mode = args.realtime ? "real time" : "simulated";
  console.log(`\n=== kvraft bench (${mode}) ===`);
  console.log(`tests: ${passed}/${results.length} passed (vitest exit ${r.exitCode})`);
  for (const x of results.filter((y) => !y.passed)) console.log(`  FAILED ${x.name} seed ${x.seed}: ${x.error}`);
  const virtual = results.reduce((a, x) => a + x.virtualMs, 0);
  const inTests = results.reduce((a, x) => a + x.wallMs, 0);
  console.log(
    `wall time: ${(totalMs / 1000).toFixed(1)} s in all (${(inTests / 1000).toFixed(1)} s inside tests) ` +
      `for ${(virtual / 1000).toFixed(1)} s of test time`,
  );

  const speeds = new Map<string, string>();
  for (const s of stats) {
    if (s.kind !== "speed") continue;
    const figure = `${((s.seconds * 1000) / s.ops).toFixed(2)} ${args.realtime ? "" : "virtual "}ms/op, ${((s.ops * 1000) / s.wallMs).toFixed(0)} ops per wall second`;
    console.log(`${s.title}: ${figure}`);
    speeds.set(/\((3[AB])\)/.exec(s.title)?.[1] ?? s.title, figure);
  }
  let checked = "-";

  const checks = stats.filter((s) => s.kind === "check");
  if (checks.length > 0) {
    const largest = checks.reduce((a, b) => (b.ops > a.ops ? b : a));
    const slowest = checks.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
    const total = checks.reduce((a, c) => a + c.wallMs, 0);
    console.log(
      `checker: largest history ${largest.ops} ops (${largest.partitions} keys, "${largest.title}") ` +
        `decided "${largest.result}" in ${largest.wallMs.toFixed(1)} ms; slowest ${slowest.wallMs.toFixed(1)} ms ` +
        `(${slowest.ops} ops); ${total.toFixed(0)} ms over ${checks.length} checks`,
    );
    const undecided = checks.filter((c) => c.result !== "ok");
    for (const c of undecided) console.log(`  checker said "${c.result}" on "${c.title}" (${c.ops} ops)`);
    checked = `${largest.ops} ops, ${largest.partitions} keys: "${largest.result}" in ${largest.wallMs.toFixed(0)} ms`;
  }
  report.row([
    mode,
    `${passed}/${results.length}`,
    `${(totalMs / 1000).toFixed(1)} (${(inTests / 1000).toFixed(1)})`,
    (virtual / 1000).toFixed(1),
    speeds.get("3A") ?? "-",
    speeds.get("3B") ?? "-",
    checked,
  ]);
  report.finish(args);
  if (r.exitCode !== 0) process.exitCode = 1;
}

await main();
