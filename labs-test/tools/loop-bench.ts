// `npm run bench:loop [-- --part 2A --runs 5]`: how soon a student sees results. Times
// `make test-XX` on an unchanged tree (after one warm-up run: the type check's stamp and
// vitest's module cache are then in place), from the command's start to the first test's
// "Test (…)" line and to the closing line, and its CPU seconds (the make process tree's);
// then `make watch-XX`: start to first result, and a save of the part's first student file
// (a comment line added, then removed: the type check and the tests run again) to the
// round's first test line and its closing line. The student file is restored at the end,
// also on Ctrl-C. --markdown, --json FILE: the table for BENCHMARKS.md (bench-report.ts).
import { readFileSync, writeFileSync } from "node:fs";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { execa, type ResultPromise } from "execa";
import { RealClock } from "../../runtime/real-clock.js";
import { findPart } from "../labs.js";
import { BenchReport, benchCommand, REPORT_OPTIONS } from "./bench-report.js";

const { values: args } = parseArgs({
  options: { part: { type: "string", default: "2A" }, runs: { type: "string", default: "5" }, ...REPORT_OPTIONS },
});
const part = findPart(args.part!);
const runs = Number(args.runs);
if (part === undefined || part.realProcesses === true || part.studentFiles.length === 0) {
  process.stderr.write(`--part: a simulated lab part with student files (2A … challenge), not ${JSON.stringify(args.part)}\n`);
  process.exit(2);
}
if (!Number.isSafeInteger(runs) || runs < 1 || runs > 100) {
  process.stderr.write(`--runs: 1 to 100, not ${JSON.stringify(args.runs)}\n`);
  process.exit(2);
}
const clock = new RealClock();
const TEST_LINE = /^Test \(/;
const CLOSING = /^\d+ passed, \d+ failed/;

/** CPU seconds of this process's reaped children (proc(5) cutime + cstime), and of any process by pid (its own and its reaped children's). */
function cpuSeconds(pid: number | "self"): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  const tick = 100;
  return pid === "self" ? (f[13]! + f[14]!) / tick : (f[11]! + f[12]! + f[13]! + f[14]!) / tick;
}

/** The pids of every live process below pid. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const p of frontier) {
      try {
        for (const tid of readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/)) if (tid !== "") next.push(Number(tid));
      } catch {
        // gone already
      }
    }
    out.push(...next);
    frontier = next;
  }
  return out;
}

/** Lines of a child's stdout as they come, with the wall ms at which each arrived. */
class Lines {
  private readonly queue: Array<{ at: number; line: string }> = [];
  private waiter: (() => void) | undefined;
  private ended = false;

  constructor(child: ResultPromise) {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.on("line", (line) => {
      this.queue.push({ at: clock.now(), line });
      this.waiter?.();
    });
    rl.on("close", () => {
      this.ended = true;
      this.waiter?.();
    });
  }

  /** Wall ms (since `since`) of the first line matching `first` (if any came before) and of the line matching `until`. */
  async until(until: RegExp, since: number, first?: RegExp): Promise<{ first?: number; at: number; line: string }> {
    let firstAt: number | undefined;
    for (;;) {
      const next = this.queue.shift();
      if (next === undefined) {
        if (this.ended) throw new Error(`the output ended before a line matching ${until}`);
        await new Promise<void>((resolve) => (this.waiter = resolve));
        this.waiter = undefined;
        continue;
      }
      if (first !== undefined && firstAt === undefined && first.test(next.line)) firstAt = next.at - since;
      if (until.test(next.line)) return { first: firstAt, at: next.at - since, line: next.line };
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const env = { FORCE_COLOR: "0", SEED: "", RUN: "", REF: "", COUNT: "", VIS: "" };
const sec = (ms: number): string => (ms / 1000).toFixed(2);

async function timeTest(): Promise<{ first: number; closing: number; cpu: number }> {
  const cpu0 = cpuSeconds("self");
  const t0 = clock.now();
  const child = execa("make", [`test-${part!.id}`], { env, reject: false, stderr: "inherit" });
  const r = await new Lines(child).until(CLOSING, t0, TEST_LINE);
  const done = await child;
  if (done.exitCode !== 0) throw new Error(`make test-${part!.id} failed (${r.line}): fix that first`);
  return { first: r.first ?? r.at, closing: r.at, cpu: cpuSeconds("self") - cpu0 };
}

async function main(): Promise<void> {
  const report = new BenchReport(
    {
      id: "loop",
      lab: "The test loop: make test-XX and make watch-XX",
      caption:
        "How soon a student sees results: wall seconds from the command's start (or from a save of a student file) to the first test's first line and to the closing line `N passed, N failed`, and CPU seconds (the runner and its vitest workers). An unchanged tree skips the type check (its stamp) and finds vitest's transformed modules cached; a watch keeps the type checker and vitest loaded between saves.",
      columns: ["what", "runs", "to first test s (median)", "to closing line s (median)", "CPU s (median)"],
    },
    benchCommand("labs-test/tools/loop-bench.ts"),
  );
  const id = part!.id;
  process.stdout.write(`make test-${id}: a warm-up run, then ${runs} timed\n`);
  await timeTest();
  const once: Array<{ first: number; closing: number; cpu: number }> = [];
  for (let i = 0; i < runs; i++) {
    once.push(await timeTest());
    process.stdout.write(`  first test ${sec(once.at(-1)!.first)} s, closing line ${sec(once.at(-1)!.closing)} s, CPU ${once.at(-1)!.cpu.toFixed(2)} s\n`);
  }
  report.row([`make test-${id}, unchanged tree`, runs, sec(median(once.map((x) => x.first))), sec(median(once.map((x) => x.closing))), median(once.map((x) => x.cpu)).toFixed(2)]);

  const file = part!.studentFiles[0]!;
  const original = readFileSync(file, "utf8");
  const restore = (): void => writeFileSync(file, original);
  const t0 = clock.now();
  // Its own process group, so that stopping it stops its vitest workers too.
  const watch = execa("make", [`watch-${id}`], { env, reject: false, detached: true, stderr: "inherit" });
  const stopWatch = (): void => {
    try {
      process.kill(-watch.pid!, "SIGINT");
    } catch {
      // already gone
    }
  };
  process.once("SIGINT", () => {
    restore();
    stopWatch();
    process.exit(130);
  });
  try {
    const lines = new Lines(watch);
    const start = await lines.until(CLOSING, t0, TEST_LINE);
    await lines.until(/^watching /, t0);
    const runner = descendants(watch.pid!).find((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").includes("--watch"));
    if (runner === undefined) throw new Error("cannot find the watch's runner process");
    process.stdout.write(`make watch-${id}: first test ${sec(start.first ?? start.at)} s, closing line ${sec(start.at)} s after start\n`);
    report.row([`make watch-${id}, start`, 1, sec(start.first ?? start.at), sec(start.at), "-"]);
    const saves: Array<{ first: number; closing: number; cpu: number }> = [];
    for (let i = 0; i < runs; i++) {
      const cpu0 = cpuSeconds(runner);
      const ts = clock.now();
      writeFileSync(file, i % 2 === 0 ? `${original}\n// bench:loop save ${i}\n` : original);
      const r = await lines.until(CLOSING, ts, TEST_LINE);
      await lines.until(/^watching /, ts);
      saves.push({ first: r.first ?? r.at, closing: r.at, cpu: cpuSeconds(runner) - cpu0 });
      process.stdout.write(`  save ${i + 1}: first test ${sec(saves.at(-1)!.first)} s, closing line ${sec(saves.at(-1)!.closing)} s, CPU ${saves.at(-1)!.cpu.toFixed(2)} s\n`);
      await clock.sleep(500);
    }
    report.row([
      `make watch-${id}, a save of ${file}`,
      runs,
      sec(median(saves.map((x) => x.first))),
      sec(median(saves.map((x) => x.closing))),
      median(saves.map((x) => x.cpu)).toFixed(2),
    ]);
  } finally {
    restore();
    stopWatch();
    await watch;
    clock.stop();
  }
  report.finish(args);
}

await main();
