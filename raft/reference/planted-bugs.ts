// Bugs students really write, planted one at a time into a scratch copy of the repository
// (our reference solution, or the student-style Raft of student-raft/ installed as
// raft/raft.ts, with one bug's edits), each beside the extra test written to catch it.
// planted-bugs.test.ts checks that each test still fails on its bug in every seed it runs;
// run this file to see, for more seeds, how the course's own tests of the same part fare
// against the same bug:
//   tsx raft/reference/planted-bugs.ts [--count n] [--seed n] [--course] [bug…]
// The bugs themselves are listed in planted-bugs-list.ts.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { execa } from "execa";
import { findPart } from "../../labs-test/labs.js";
import { PLANTED_BUGS } from "./planted-bugs-list.js";

export { PLANTED_BUGS };
import { asRaftTs, copyRepo, REPO_ROOT, STUDENT_RAFT } from "./student-raft/scratch.js";

/** One edit: `from` must occur exactly once in the file (relative to the repository root). */
export interface PlantEdit {
  /** Default raft/raft.ts (for the student-style Raft: its source as installed there). */
  file?: string;
  from: string;
  to: string;
}

export interface PlantedBug {
  /** Unique per solution; the bug's id is `${solution}/${name}`. */
  name: string;
  /** What a student's code does wrong. */
  bug: string;
  part: "2A" | "2B" | "2C" | "2D" | "3A";
  /** Which Raft carries it: our reference, or the student-style Raft (installed as raft/raft.ts first). */
  solution: "reference" | "student";
  /** The extra test that must catch it. */
  test: string;
  edits: PlantEdit[];
}

export function bugId(bug: PlantedBug): string {
  return `${bug.solution}/${bug.name}`;
}

const RAFT = "raft/raft.ts";

/** A file of the unplanted scratch tree for bug's solution, read from this repository. */
export function pristine(bug: PlantedBug, file: string): string {
  if (bug.solution === "student" && file === RAFT) return asRaftTs(readFileSync(STUDENT_RAFT, "utf8"));
  return readFileSync(path.join(REPO_ROOT, file), "utf8");
}

/**
 * source (the file `file`) with bug's edits to that file applied.
 * @throws Error naming the bug and the edit whose `from` does not occur exactly once
 *   (the solution changed: update the plant).
 */
export function plant(bug: PlantedBug, source: string, file = RAFT): string {
  let out = source;
  for (const e of bug.edits.filter((x) => (x.file ?? RAFT) === file)) {
    const n = out.split(e.from).length - 1;
    if (n !== 1) throw new Error(`planted bug ${bugId(bug)}: ${file} holds ${n} copies of ${JSON.stringify(e.from.trim())}, not 1: update the plant`);
    out = out.replace(e.from, () => e.to);
  }
  return out;
}

/** The files bug edits. */
export function plantedFiles(bug: PlantedBug): string[] {
  return [...new Set(bug.edits.map((e) => e.file ?? RAFT))];
}

/**
 * No bug at all: the unplanted tree of solution, for part's tests. Run it like a bug
 * (runPlanted) to see the plants' tests pass without their plants: a plant is "caught"
 * only if its test fails where the unplanted solution passes (a tree that cannot run at
 * all fails every test, plant or no plant).
 */
export function unplanted(solution: PlantedBug["solution"], part: PlantedBug["part"]): PlantedBug {
  return { name: "unplanted", bug: "none", part, solution, test: "", edits: [] };
}

/** How many of the runs passed, and how many ran. */
export interface Tally {
  passed: number;
  runs: number;
}

/** A scratch copy of the repository holding bug (its solution, its edits); the caller removes dir. */
export function plantedTree(bug: PlantedBug): string {
  const dir = mkdtempSync(path.join(tmpdir(), `planted-${bug.solution}-${bug.name}-`));
  try {
    copyRepo(dir);
    const files = new Set(plantedFiles(bug));
    if (bug.solution === "student") files.add(RAFT);
    for (const file of files) writeFileSync(path.join(dir, file), plant(bug, pristine(bug, file), file));
    return dir;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * In one scratch copy holding bug, run each RUN regex's tests of bug's part (extra tests
 * included) under seeds seed..seed+count-1, and tally them. The many-seeds runner (what
 * `make test-XX COUNT=n` runs: it type-checks first, then spreads the seeds over worker
 * processes) by default; with inProcess, one process runs the seeds one after another
 * (labs-test/tools/in-process.ts), without the type check: seconds less per bug, for the
 * reference test. One tally per regex, in order.
 * @throws Error if the run printed no result (it did not run).
 */
export async function runPlanted(bug: PlantedBug, runs: readonly string[], seed: number, count: number, inProcess = false): Promise<Tally[]> {
  const dir = plantedTree(bug);
  try {
    const tallies: Tally[] = [];
    for (const run of runs) tallies.push(inProcess ? await inProcessTally(dir, bug, run, seed, count) : await runnerTally(dir, bug, run, seed, count));
    return tallies;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runnerTally(dir: string, bug: PlantedBug, run: string, seed: number, count: number): Promise<Tally> {
  // COUNT=1 would take the single-run path; two or more take the many-seeds runner.
  const r = await execa("node_modules/.bin/tsx", ["labs-test/tools/run.ts", bug.part], {
    cwd: dir,
    env: { SEED: String(seed), COUNT: String(Math.max(count, 2)), RUN: run, FORCE_COLOR: "0" },
    reject: false,
    all: true,
  });
  const m = /^(\d+) passed, (\d+) failed/m.exec(r.stdout);
  if (m === null) throw new Error(`planted bug ${bugId(bug)}: the runner printed no closing line:\n${r.all ?? ""}`);
  return { passed: Number(m[1]), runs: Number(m[1]) + Number(m[2]) };
}

/** Wall-time bound on one bug's in-process run (a loaded machine is slow, not stuck). */
const IN_PROCESS_WALL_MS = 15 * 60 * 1000;

/** in-process.ts's lines: `<test name> ok …` or `<test name> FAIL …`, one per test and seed. */
const RESULT_LINE = /^(Test\S+)\s+(ok|FAIL)\b/gm;

async function inProcessTally(dir: string, bug: PlantedBug, run: string, seed: number, count: number): Promise<Tally> {
  const r = await execa("node", ["--import", "tsx", "labs-test/tools/in-process.ts", bug.part, "--extra", "--run", run, "--seed", String(seed), "--count", String(count)], {
    cwd: dir,
    env: { FORCE_COLOR: "0", VIS: "off" },
    reject: false,
    all: true,
    // A world ends at its virtual limit; only a plant that spins without yielding gets here.
    timeout: IN_PROCESS_WALL_MS,
  });
  if (r.timedOut) throw new Error(`planted bug ${bugId(bug)}: in-process.ts ran over ${IN_PROCESS_WALL_MS / 1000} s of wall time:\n${r.all ?? ""}`);
  const results = [...(r.stderr ?? "").matchAll(RESULT_LINE)];
  if (results.length === 0) throw new Error(`planted bug ${bugId(bug)}: in-process.ts printed no result:\n${r.all ?? ""}`);
  return { passed: results.filter((m) => m[2] === "ok").length, runs: results.length };
}

/** A regex selecting exactly these test names. */
export function only(tests: readonly string[]): string {
  return `^(${tests.join("|")})$`;
}

async function main(): Promise<void> {
  const ids = PLANTED_BUGS.map(bugId);
  const program = new Command()
    .name("planted-bugs")
    .description("plant each bug in a scratch copy and run the test written to catch it (and, with --course, the course's tests of its part)")
    .argument("[bugs...]", `bugs to plant (default all; a name without its solution selects both): ${ids.join(", ")}`)
    .option("--count <n>", "seeds per test", "20")
    .option("--seed <n>", "first seed", "1000")
    .option("--course", "also run the course's graded tests of each bug's part")
    .option("--in-process", "run each bug's seeds in one process without the type check (as the reference test does)")
    .parse();
  const o = program.opts<{ count: string; seed: string; course?: boolean; inProcess?: boolean }>();
  const count = Number(o.count);
  const seed = Number(o.seed);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`--count must be a positive integer, not ${o.count}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, not ${o.seed}`);
  const names = program.args;
  const picked = (b: PlantedBug): boolean => names.length === 0 || names.includes(bugId(b)) || names.includes(b.name);
  const unknown = names.filter((n) => !PLANTED_BUGS.some((b) => bugId(b) === n || b.name === n));
  if (unknown.length > 0) throw new Error(`unknown bug ${unknown.join(", ")}; bugs: ${ids.join(", ")}`);
  const n = Math.max(count, 2);
  process.stdout.write(`bug | test | caught (runs failed) | course's ${o.course ? "graded tests of the part: runs failed" : "tests: not run (--course)"}\n`);
  for (const bug of PLANTED_BUGS.filter(picked)) {
    const [own, c] = await runPlanted(bug, [only([bug.test]), ...(o.course ? [only(findPart(bug.part)!.tests)] : [])], seed, n, o.inProcess === true);
    const course = c === undefined ? "-" : `${c.runs - c.passed} of ${c.runs}`;
    process.stdout.write(`${bugId(bug)} | ${bug.test} | ${own!.runs - own!.passed} of ${own!.runs} (seeds ${seed}..${seed + n - 1}) | ${course}\n`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(2);
  });
}
