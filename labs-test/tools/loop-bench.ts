// `npm run bench:loop [-- --part 2A --runs 5] [--against DIR]`: how soon a student sees
// results. Times `make test-XX` on an unchanged tree (after one warm-up run: the check
// caches, the prepared student code and vitest's module cache are then in place), from the
// command's start to the first test's "Test (…)" line and to the closing line, and its CPU
// seconds (the make process tree's); then `make watch-XX`: start to first result, and a
// save of the part's first student file (a comment line added, then removed: the checks
// and the tests run again) to the round's first test line and its closing line, and the
// CPU seconds of the watch's process tree in that time (its resident test process too).
//
// --against DIR: the same in another checkout of the project (an older commit, with its
// own node_modules), run by turns with this one (run i here, then run i there; a watch in
// each, saved by turns), so that both see the same load; rows for both and their ratios.
// The student files are restored at the end, also on Ctrl-C. The runner's LABS_TIMING
// marks (timing.ts) say where the last run's time went. --markdown, --json FILE: the table
// for BENCHMARKS.md (bench-report.ts).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { execa, type ResultPromise } from "execa";
import { machineMs } from "../../runtime/machine-clock.js";
import { RealClock } from "../../runtime/real-clock.js";
import { findPart } from "../labs.js";
import { BenchReport, benchCommand, currentCommit, REPORT_OPTIONS } from "./bench-report.js";

const { values: args } = parseArgs({
  options: { part: { type: "string", default: "2A" }, runs: { type: "string", default: "5" }, against: { type: "string" }, ...REPORT_OPTIONS },
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
const MARK = /^labs-timing (\S+) (\d+) cpu=(\d+) (.*)$/;

/** A checkout to measure: this one, and with --against the one it is compared with. */
interface Tree {
  dir: string;
  label: string;
}
const trees: Tree[] = [{ dir: path.resolve("."), label: `this tree (${currentCommit()})` }];
if (args.against !== undefined) trees.push({ dir: path.resolve(args.against), label: `--against ${args.against} (${currentCommit(args.against)})` });

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

/** One LABS_TIMING mark: machine ms, the process, its CPU ms so far, what. */
interface Mark {
  at: number;
  pid: number;
  cpuMs: number;
  what: string;
}

/** Lines of a child's stdout as they come, with the wall ms at which each arrived, and its stderr's timing marks. */
class Lines {
  private readonly queue: Array<{ at: number; line: string }> = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  readonly marks: Mark[] = [];

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
    readline.createInterface({ input: child.stderr! }).on("line", (line) => {
      const m = MARK.exec(line);
      if (m === null) process.stderr.write(`${line}\n`);
      else this.marks.push({ at: Number(m[1]), pid: Number(m[2]), cpuMs: Number(m[3]), what: m[4]! });
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

/** The marks since machine ms t0, one line each: seconds since t0, the process, its CPU s so far. */
function timeline(marks: readonly Mark[], t0: number): string {
  return marks
    .filter((m) => m.at >= t0)
    .sort((a, b) => a.at - b.at)
    .map((m) => `    ${((m.at - t0) / 1000).toFixed(3).padStart(7)} s  pid ${String(m.pid).padStart(7)}  CPU ${(m.cpuMs / 1000).toFixed(2)} s  ${m.what}`)
    .join("\n");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const env = { FORCE_COLOR: "0", SEED: "", RUN: "", REF: "", COUNT: "", VIS: "", LABS_TIMING: "1" };
const sec = (ms: number): string => (ms / 1000).toFixed(2);

interface Timed {
  first: number;
  closing: number;
  cpu: number;
}

async function timeTest(tree: Tree): Promise<Timed & { marks: string }> {
  const cpu0 = cpuSeconds("self");
  const t0 = clock.now();
  const m0 = machineMs();
  const child = execa("make", [`test-${part!.id}`], { cwd: tree.dir, env, reject: false });
  const lines = new Lines(child);
  const r = await lines.until(CLOSING, t0, TEST_LINE);
  const done = await child;
  if (done.exitCode !== 0) throw new Error(`make test-${part!.id} in ${tree.dir} failed (${r.line}): fix that first`);
  return { first: r.first ?? r.at, closing: r.at, cpu: cpuSeconds("self") - cpu0, marks: timeline(lines.marks, m0) };
}

/** A running make watch-XX in a tree, its runner process and its student file. */
interface Watch {
  tree: Tree;
  child: ResultPromise;
  lines: Lines;
  runner: number;
  file: string;
  original: string;
  start: { first?: number; at: number };
}

async function startWatch(tree: Tree): Promise<Watch> {
  const file = path.join(tree.dir, part!.studentFiles[0]!);
  const t0 = clock.now();
  // Its own process group, so that stopping it stops its vitest workers too.
  const child = execa("make", [`watch-${part!.id}`], { cwd: tree.dir, env, reject: false, detached: true });
  const lines = new Lines(child);
  const start = await lines.until(CLOSING, t0, TEST_LINE);
  await lines.until(/^watching /, t0);
  const runner = descendants(child.pid!).find((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").includes("--watch"));
  if (runner === undefined) throw new Error(`cannot find the watch's runner process in ${tree.dir}`);
  return { tree, child, lines, runner, file, original: readFileSync(file, "utf8"), start };
}

/** CPU seconds of a watch's runner and everything below it, alive or reaped (a resident test process lives across saves). */
function treeCpuSeconds(pid: number): number {
  let sum = cpuSeconds(pid);
  for (const p of descendants(pid)) {
    try {
      sum += cpuSeconds(p);
    } catch {
      // gone since: its time is its parent's reaped children's now
    }
  }
  return sum;
}

async function save(w: Watch, i: number): Promise<Timed & { marks: string }> {
  const cpu0 = treeCpuSeconds(w.runner);
  const ts = clock.now();
  const m0 = machineMs();
  writeFileSync(w.file, i % 2 === 0 ? `${w.original}\n// bench:loop save ${i}\n` : w.original);
  const r = await w.lines.until(CLOSING, ts, TEST_LINE);
  await w.lines.until(/^watching /, ts);
  return { first: r.first ?? r.at, closing: r.at, cpu: treeCpuSeconds(w.runner) - cpu0, marks: timeline(w.lines.marks, m0) };
}

function stop(w: Watch): void {
  writeFileSync(w.file, w.original);
  try {
    process.kill(-w.child.pid!, "SIGINT");
  } catch {
    // already gone
  }
}

function rowsFor(report: BenchReport, what: string, byTree: Timed[][]): void {
  byTree.forEach((xs, t) => {
    report.row([what, trees[t]!.label, xs.length, sec(median(xs.map((x) => x.first))), sec(median(xs.map((x) => x.closing))), median(xs.map((x) => x.cpu)).toFixed(2)]);
  });
  if (byTree.length === 2) {
    const ratio = (f: (x: Timed) => number): string => (median(byTree[0]!.map(f)) / median(byTree[1]!.map(f))).toFixed(2) + "x";
    report.row([what, "ratio, this tree / --against (medians)", byTree[0]!.length, ratio((x) => x.first), ratio((x) => x.closing), ratio((x) => x.cpu)]);
  }
}

async function main(): Promise<void> {
  const report = new BenchReport(
    {
      id: "loop",
      lab: "The test loop: make test-XX and make watch-XX",
      caption:
        "How soon a student sees results: wall seconds from the command's start (or from a save of a student file) to the first test's first line and to the closing line `N passed, N failed`, and CPU seconds (make, the runner and its vitest workers; for a save, the watch's whole process tree, its resident test process and the type check beside the tests included). An unchanged tree finds the type check's stamp, the static check's cache, the student code prepared for the sandbox and vitest's transformed modules, and loads no TypeScript; a watch keeps the type checker and a test process with the harness and the tests loaded between saves, and evaluates only the student files again (odd saves add a comment line, which the test process transpiles; even saves restore the file as it was). With --against, the two checkouts ran by turns under the same load.",
      columns: ["what", "tree", "runs", "to first test s (median)", "to closing line s (median)", "CPU s (median)"],
    },
    benchCommand("labs-test/tools/loop-bench.ts"),
  );
  const id = part!.id;
  process.stdout.write(`make test-${id}: a warm-up run in each tree, then ${runs} timed by turns\n`);
  for (const t of trees) await timeTest(t);
  const once: Timed[][] = trees.map(() => []);
  let lastMarks = "";
  for (let i = 0; i < runs; i++) {
    for (const [t, tree] of trees.entries()) {
      const x = await timeTest(tree);
      once[t]!.push(x);
      if (t === 0) lastMarks = x.marks;
      process.stdout.write(`  ${tree.label}: first test ${sec(x.first)} s, closing line ${sec(x.closing)} s, CPU ${x.cpu.toFixed(2)} s\n`);
    }
  }
  if (lastMarks !== "") process.stdout.write(`  where this tree's last run went (LABS_TIMING marks, from make's start):\n${lastMarks}\n`);
  rowsFor(report, `make test-${id}, unchanged tree`, once);

  const watches: Watch[] = [];
  process.once("SIGINT", () => {
    watches.forEach(stop);
    process.exit(130);
  });
  try {
    for (const tree of trees) {
      const w = await startWatch(tree);
      watches.push(w);
      process.stdout.write(`make watch-${id} in ${tree.label}: first test ${sec(w.start.first ?? w.start.at)} s, closing line ${sec(w.start.at)} s after start\n`);
      report.row([`make watch-${id}, start`, tree.label, 1, sec(w.start.first ?? w.start.at), sec(w.start.at), "-"]);
    }
    const saves: Timed[][] = trees.map(() => []);
    for (let i = 0; i < runs; i++) {
      for (const [t, w] of watches.entries()) {
        const x = await save(w, i);
        saves[t]!.push(x);
        if (t === 0) lastMarks = x.marks;
        process.stdout.write(`  save ${i + 1} in ${w.tree.label}: first test ${sec(x.first)} s, closing line ${sec(x.closing)} s, CPU ${x.cpu.toFixed(2)} s\n`);
        await clock.sleep(500);
      }
    }
    if (lastMarks !== "") process.stdout.write(`  where this tree's last save went (LABS_TIMING marks, from the save):\n${lastMarks}\n`);
    rowsFor(report, `make watch-${id}, a save of ${part!.studentFiles[0]}`, saves);
  } finally {
    watches.forEach(stop);
    await Promise.all(watches.map((w) => w.child));
    clock.stop();
  }
  report.finish(args);
}

await main();
