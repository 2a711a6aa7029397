// `npx tsx raft/bench.ts [2A 2B 2C 2D]`: runs the graded Raft tests once and prints each
// test's "Passed" figures beside the 2022 handout's sample figures, flagging any RPC or byte
// count above the handout's, then the total wall and CPU time. SEED and REALTIME pass through.
// With COUNT=n it runs every test under n seeds instead (`make test-XX COUNT=n`; SEED, RUN and
// PARALLEL pass through) and prints each test's mean and largest figures and how many runs
// were above the handout's, then each test's wall and CPU seconds (mean, largest) and each
// part's (the sum of its tests' means). --markdown, --json FILE (one seed only): the table for
// BENCHMARKS.md (labs-test/tools/bench-report.ts), one row per part and one for all of them.

import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { readGradedResults } from "../../labs-test/harness/run-graded.js";
import { findPart } from "../../labs-test/labs.js";
import { readStats, STATS_ENV, type StatsRecord } from "../../labs-test/harness/stats-sink.js";
import { readRunsFile } from "../../labs-test/tools/runs-file.js";
import type { JobRecord } from "../../labs-test/tools/seed-protocol.js";
import { BenchReport, benchCommand, REPORT_OPTIONS, type ReportTarget } from "../../labs-test/tools/bench-report.js";
import type { GradedResult } from "../../labs-test/harness/run-graded.js";
import { RealClock } from "../../runtime/real-clock.js";

interface Handout {
  seconds: number;
  rpcs: number;
  bytes: number;
  cmds: number;
}

/** The sample run printed on the course's Spring 2022 Lab 2 page, by test title. */
const HANDOUT: Record<string, Handout> = {
  "Test (2A): initial election": { seconds: 3.5, rpcs: 58, bytes: 16840, cmds: 0 },
  "Test (2A): election after network failure": { seconds: 5.4, rpcs: 118, bytes: 25269, cmds: 0 },
  "Test (2A): multiple elections": { seconds: 7.3, rpcs: 624, bytes: 138014, cmds: 0 },
  "Test (2B): basic agreement": { seconds: 0.9, rpcs: 16, bytes: 4572, cmds: 3 },
  "Test (2B): RPC byte count": { seconds: 1.7, rpcs: 48, bytes: 114536, cmds: 11 },
  "Test (2B): agreement after follower reconnects": { seconds: 3.6, rpcs: 78, bytes: 22131, cmds: 7 },
  "Test (2B): no agreement if too many followers disconnect": { seconds: 3.8, rpcs: 172, bytes: 40935, cmds: 3 },
  "Test (2B): concurrent Start()s": { seconds: 1.1, rpcs: 24, bytes: 7379, cmds: 6 },
  "Test (2B): rejoin of partitioned leader": { seconds: 5.1, rpcs: 152, bytes: 37021, cmds: 4 },
  "Test (2B): leader backs up quickly over incorrect follower logs": { seconds: 17.2, rpcs: 2080, bytes: 1587388, cmds: 102 },
  "Test (2B): RPC counts aren't too high": { seconds: 2.2, rpcs: 60, bytes: 20119, cmds: 12 },
  "Test (2C): basic persistence": { seconds: 5.0, rpcs: 86, bytes: 22849, cmds: 6 },
  "Test (2C): more persistence": { seconds: 17.6, rpcs: 952, bytes: 218854, cmds: 16 },
  "Test (2C): partitioned leader and one follower crash, leader restarts": { seconds: 2.0, rpcs: 34, bytes: 8937, cmds: 4 },
  "Test (2C): Figure 8": { seconds: 31.2, rpcs: 580, bytes: 130675, cmds: 32 },
  "Test (2C): unreliable agreement": { seconds: 1.7, rpcs: 1044, bytes: 366392, cmds: 246 },
  "Test (2C): Figure 8 (unreliable)": { seconds: 33.6, rpcs: 10700, bytes: 33695245, cmds: 308 },
  "Test (2C): churn": { seconds: 16.1, rpcs: 8864, bytes: 44771259, cmds: 1544 },
  "Test (2C): unreliable churn": { seconds: 16.5, rpcs: 4220, bytes: 6414632, cmds: 906 },
  "Test (2D): snapshots basic": { seconds: 11.6, rpcs: 176, bytes: 61716, cmds: 192 },
  "Test (2D): install snapshots (disconnect)": { seconds: 64.2, rpcs: 878, bytes: 320610, cmds: 336 },
  "Test (2D): install snapshots (disconnect+unreliable)": { seconds: 81.1, rpcs: 1059, bytes: 375850, cmds: 341 },
  "Test (2D): install snapshots (crash)": { seconds: 53.5, rpcs: 601, bytes: 256638, cmds: 339 },
  "Test (2D): install snapshots (unreliable+crash)": { seconds: 63.5, rpcs: 687, bytes: 288294, cmds: 336 },
  "Test (2D): crash and restart all servers": { seconds: 19.5, rpcs: 268, bytes: 81352, cmds: 58 },
};

/**
 * "!" marks a count above the handout's; "*" one above it only because the run agreed more
 * commands than the handout's sample did while spending no more per command (the
 * workload of some tests is random: TestSnapshotAllCrash2D agrees 36 to 81 commands).
 */
function mark(ours: number, theirs: number | undefined, cmds: number, theirCmds: number | undefined): "" | "!" | "*" {
  if (theirs === undefined || ours <= theirs) return "";
  if (theirCmds !== undefined && theirCmds > 0 && cmds > theirCmds && ours / cmds <= theirs / theirCmds) return "*";
  return "!";
}

const LEGEND =
  '"!": above the handout\'s sample figure. "*": above it, but that run agreed more commands than the\n' +
  "handout's sample did and spent no more per command (the test's workload is random).\n";

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
  return [fmt(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(fmt)].join("\n");
}

/** Mean of a non-empty list. */
function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/**
 * COUNT=n: the graded runner's n seeds (SEED, RUN and PARALLEL pass through to it), then
 * per test the mean and largest figures beside the handout's, and each run's wall and CPU
 * time (the worker process's, test body only: no start-up) per test and summed per part.
 */
async function benchMany(partIds: string[], count: number, dir: string): Promise<void> {
  const statsFile = path.join(dir, "stats.jsonl");
  const outDir = path.join(dir, "out");
  process.stdout.write(`running ${partIds.join(" ")} under ${count} seeds (log: ${path.join(dir, "runner.log")}) ...\n`);
  const r = await execa("tsx", ["labs-test/tools/run.ts", ...partIds], {
    env: { [STATS_ENV]: path.resolve(statsFile), COUNT: String(count), OUT: path.resolve(outDir), FORCE_COLOR: "0" },
    stdio: ["ignore", { file: path.join(dir, "runner.log") }, { file: path.join(dir, "runner.log") }],
    reject: false,
    preferLocal: true,
  });
  const byTitle = new Map<string, StatsRecord[]>();
  for (const s of readStats(statsFile).filter((x) => x.kind === "test")) {
    // A title that names its seed (the determinism test's) is one row for all seeds.
    const key = s.title.replace(/\bseed \d+/, "seed n");
    byTitle.set(key, [...(byTitle.get(key) ?? []), s]);
  }
  const rows: string[][] = [];
  let over = 0;
  let scaled = 0;
  for (const [title, runs] of byTitle) {
    const h = HANDOUT[title];
    const cell = (pick: (s: StatsRecord) => number, theirs: number | undefined): string[] => {
      const v = runs.map(pick);
      const marks = runs.map((s) => mark(pick(s), theirs, s.ops, h?.cmds));
      const bang = marks.filter((m) => m === "!").length;
      const star = marks.filter((m) => m === "*").length;
      over += bang;
      scaled += star;
      const note = [bang > 0 ? `${bang}!` : "", star > 0 ? `${star}*` : ""].filter((x) => x !== "").join(" ");
      return [String(Math.round(mean(v))), String(Math.max(...v)), String(theirs ?? "-"), note];
    };
    const cmds = runs.map((s) => s.ops);
    rows.push([
      title,
      String(runs.length),
      ...cell((s) => s.rpcs, h?.rpcs),
      ...cell((s) => s.bytes, h?.bytes),
      String(Math.round(mean(cmds))),
      `${Math.min(...cmds)}-${Math.max(...cmds)}`,
      String(h?.cmds ?? "-"),
    ]);
  }
  process.stdout.write(
    table(
      ["test", "runs", "RPCs mean", "max", "handout", "over", "bytes mean", "max", "handout", "over", "cmds mean", "range", "handout"],
      rows,
    ) + "\n\n",
  );
  if (over + scaled > 0) process.stdout.write(LEGEND);
  const runsFile = path.join(outDir, "runs.json");
  if (existsSync(runsFile)) process.stdout.write(timesTable(readRunsFile(runsFile).records, partIds) + "\n");
  const log = readFileSync(path.join(dir, "runner.log"), "utf8").trim().split("\n");
  const seeds = log.find((l) => l.includes(" seeds "))?.replace(/; logs in .*$/, "") ?? "";
  process.stdout.write(`${over} run figure(s) above the handout's (!), ${scaled} above it with a larger workload (*)\n`);
  process.stdout.write(`runner: ${seeds}; ${log.at(-1) ?? ""}\n`);
  if (r.exitCode === 0) rmSync(dir, { recursive: true, force: true });
  process.exitCode = r.exitCode === 0 ? 0 : 1;
}

/**
 * Wall and CPU seconds of each run's test body (the many-seeds worker's records), per
 * test (mean, largest) and per part (the sums of its tests' means: one seed of the part),
 * graded and extra tests apart. CPU is "-" for records of a worker that does not send it.
 */
function timesTable(records: JobRecord[], partIds: string[]): string {
  const byTest = new Map<string, JobRecord[]>();
  for (const x of records) byTest.set(x.name, [...(byTest.get(x.name) ?? []), x]);
  const sec = (ms: number): string => (ms / 1000).toFixed(3);
  const cpuOf = (runs: JobRecord[]): number[] | undefined =>
    runs.every((x) => x.cpuMs !== undefined) ? runs.map((x) => x.cpuMs!) : undefined;
  const rows: string[][] = [];
  for (const [name, runs] of byTest) {
    const wall = runs.map((x) => x.wallMs);
    const cpu = cpuOf(runs);
    rows.push([
      name,
      `${runs.filter((x) => x.passed).length}/${runs.length}`,
      sec(mean(wall)),
      sec(Math.max(...wall)),
      cpu === undefined ? "-" : sec(mean(cpu)),
      cpu === undefined ? "-" : sec(Math.max(...cpu)),
    ]);
  }
  const sums: string[][] = [];
  for (const id of partIds) {
    const p = findPart(id)!;
    const sum = (names: readonly string[]): [string, string] => {
      const present = names.map((n) => byTest.get(n)).filter((x): x is JobRecord[] => x !== undefined);
      if (present.length === 0) return ["-", "-"];
      const cpus = present.map(cpuOf);
      const cpu = cpus.every((c) => c !== undefined) ? sec(cpus.reduce((a, c) => a + mean(c!), 0)) : "-";
      return [sec(present.reduce((a, runs) => a + mean(runs.map((x) => x.wallMs)), 0)), cpu];
    };
    sums.push([id, ...sum(p.tests), ...sum(p.extraTests ?? [])]);
  }
  return (
    table(["test", "passed", "wall s mean", "max", "CPU s mean", "max"], rows) +
    "\n\n" +
    table(["part", "graded wall s", "graded CPU s", "extra wall s", "extra CPU s"], sums) +
    "\n(per part: the sum of its tests' mean wall and CPU seconds, i.e. one seed of the part, test bodies only)\n"
  );
}

/** Sums of a part's figures beside the handout's: one row of the BENCHMARKS.md table. */
function partRow(part: string, stats: StatsRecord[], results: GradedResult[], testCount: number): Array<string | number> {
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const theirs = (pick: (h: Handout) => number): string => {
    const hs = stats.map((s) => HANDOUT[s.title]);
    return hs.every((h) => h !== undefined) ? String(Math.round(sum(hs.map((h) => pick(h!))) * 10) / 10) : "-";
  };
  const above = stats.filter((s) => {
    const h = HANDOUT[s.title];
    return mark(s.rpcs, h?.rpcs, s.ops, h?.cmds) === "!" || mark(s.bytes, h?.bytes, s.ops, h?.cmds) === "!";
  }).length;
  const cpu = results.every((x) => x.cpuMs !== undefined) ? (sum(results.map((x) => x.cpuMs!)) / 1000).toFixed(2) : "-";
  return [
    part,
    `${results.filter((x) => x.passed).length}/${testCount}`,
    `${sum(stats.map((s) => s.seconds)).toFixed(1)} (${theirs((h) => h.seconds)})`,
    `${sum(stats.map((s) => s.rpcs))} (${theirs((h) => h.rpcs)})`,
    `${sum(stats.map((s) => s.bytes))} (${theirs((h) => h.bytes)})`,
    `${sum(stats.map((s) => s.ops))} (${theirs((h) => h.cmds)})`,
    above,
    (sum(results.map((x) => x.wallMs)) / 1000).toFixed(2),
    cpu,
  ];
}

async function main(): Promise<void> {
  const { values: args, positionals } = parseArgs({ options: REPORT_OPTIONS, allowPositionals: true });
  const target: ReportTarget = args;
  const partIds = positionals.length > 0 ? positionals : ["2A", "2B", "2C", "2D"];
  const report = new BenchReport(
    {
      id: "raft",
      lab: "Lab 2: Raft",
      caption:
        "The graded Raft tests under one seed, simulated time: per part, the sums over its tests of the figures each prints on its Passed line, beside (in brackets) the sums of the course's Spring 2022 sample run; how many tests had an RPC or byte count above the sample's (and not only because their random workload agreed more commands); wall and CPU seconds inside the tests. The counts are exact for the seed; wall and CPU depend on the machine, whose whole-run figures are in the notes.",
      columns: ["part", "tests passed", "virtual s (handout)", "RPCs (handout)", "bytes (handout)", "commands (handout)", "tests above the handout", "wall s in tests", "CPU s in tests"],
    },
    benchCommand("raft/framework/bench.ts", ["SEED", "REALTIME"]),
  );
  const tests = partIds.flatMap((id) => {
    const p = findPart(id);
    if (p === undefined || !p.testFiles.includes("raft/raft.test.ts")) throw new Error(`not a Raft part: ${id}`);
    return p.tests;
  });

  const dir = path.join(".labs-runs", `bench-raft-${process.pid}-${randomInt(1e9)}`);
  mkdirSync(dir, { recursive: true });
  const count = Number(process.env.COUNT ?? "1");
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`COUNT=${process.env.COUNT} is not a positive integer`);
  if (count > 1) {
    if (target.json !== undefined || target.markdown === true) throw new Error("--json and --markdown report one seed: run without COUNT");
    return benchMany(partIds, count, dir);
  }
  const statsFile = path.join(dir, "stats.jsonl");
  const resultsFile = path.join(dir, "results.jsonl");
  const logFile = path.join(dir, "vitest.log");
  const timeFile = path.join(dir, "time.txt");

  const vitest = ["npx", "vitest", "run", "raft/raft.test.ts", "-t", `^(${tests.join("|")})$`];
  // /usr/bin/time gives the CPU time of vitest and its workers; without it, wall time only.
  const timed = existsSync("/usr/bin/time");
  const cmd = timed ? ["/usr/bin/time", "-f", "%U %S", "-o", timeFile, ...vitest] : vitest;
  process.stdout.write(`running ${tests.length} tests of ${partIds.join(" ")} (log: ${logFile}) ...\n`);
  const wall = new RealClock();
  const r = await execa(cmd[0]!, cmd.slice(1), {
    env: { [STATS_ENV]: path.resolve(statsFile), LABS_RESULTS: path.resolve(resultsFile), FORCE_COLOR: "0" },
    stdio: ["ignore", { file: logFile }, { file: logFile }],
    reject: false,
    preferLocal: true,
  });
  const wallS = wall.now() / 1000;

  const stats = readStats(statsFile).filter((x) => x.kind === "test");
  const results = readGradedResults(resultsFile);
  const rows: string[][] = [];
  let over = 0;
  let scaled = 0;
  for (const s of stats) {
    const h = HANDOUT[s.title];
    const flag = (ours: number, theirs: number | undefined): string => {
      const m = mark(ours, theirs, s.ops, h?.cmds);
      if (m === "!") over++;
      if (m === "*") scaled++;
      return m === "" ? String(ours) : `${ours} ${m}`;
    };
    rows.push([
      s.title,
      s.seconds.toFixed(1),
      h?.seconds.toFixed(1) ?? "-",
      String(s.peers),
      flag(s.rpcs, h?.rpcs),
      String(h?.rpcs ?? "-"),
      flag(s.bytes, h?.bytes),
      String(h?.bytes ?? "-"),
      String(s.ops),
      String(h?.cmds ?? "-"),
    ]);
  }
  const mode = stats[0]?.realtime === true ? "wall" : "virtual";
  process.stdout.write(
    table(
      ["test", `our s (${mode})`, "handout s", "peers", "our RPCs", "handout RPCs", "our bytes", "handout bytes", "our cmds", "handout cmds"],
      rows,
    ) + "\n\n",
  );

  const failed = results.filter((x) => !x.passed);
  for (const f of failed) process.stdout.write(`FAILED ${f.name} (seed ${f.seed}): ${f.error ?? ""}\n`);
  const missing = tests.filter((t) => !results.some((x) => x.name === t));
  if (missing.length > 0) process.stdout.write(`no result for: ${missing.join(", ")}\n`);
  if (over + scaled > 0) process.stdout.write(LEGEND);
  if (over > 0) process.stdout.write(`${over} figure(s) above the handout's (marked !)\n`);
  if (scaled > 0) process.stdout.write(`${scaled} figure(s) above it with a larger workload (marked *)\n`);

  let cpu = "";
  if (timed && existsSync(timeFile)) {
    const m = /([\d.]+)\s+([\d.]+)\s*$/.exec(readFileSync(timeFile, "utf8").trim());
    if (m) cpu = `, CPU ${(Number(m[1]) + Number(m[2])).toFixed(1)} s (user ${m[1]} s, sys ${m[2]} s)`;
  }
  const summary = `${results.length - failed.length}/${tests.length} passed; total wall ${wallS.toFixed(1)} s${cpu}`;
  process.stdout.write(`${summary}\n`);
  const partOfTitle = (title: string): string | undefined => /^Test \((\w+)\)/.exec(title)?.[1];
  for (const id of partIds) {
    const names = findPart(id)!.tests;
    report.row(partRow(id, stats.filter((s) => partOfTitle(s.title) === id), results.filter((x) => names.includes(x.name)), names.length));
  }
  if (partIds.length > 1) report.row(partRow(partIds.join("+"), stats, results, tests.length));
  report.note(`the whole run (vitest's start-up included): ${summary}`);
  report.finish(target);
  if (r.exitCode === 0 && failed.length === 0 && missing.length === 0) rmSync(dir, { recursive: true, force: true });
  process.exitCode = failed.length > 0 || missing.length > 0 || r.exitCode !== 0 ? 1 : 0;
}

await main();
