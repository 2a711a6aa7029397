// How the schedule search alone fares against the planted bugs (issue 18's "the hunt alone,
// without the directed tests, finds it"): each bug planted in its own scratch copy (as
// planted-bugs.ts makes them), then `make hunt-<its part>` there with a budget, and the
// time and runs to the first failure, or "not found" within the budget. One bug at a time,
// so that each search has the workers it is given. By hand, for docs/benchmarks-history.md:
//   tsx raft/reference/planted-hunt.ts [--time s] [--runs n] [--seed n] [--parallel n] [bug…]

import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { execa } from "execa";
import type { ReplayLine } from "../../labs-test/hunt/replay-cli.js";
import { bugId, plantedTree, PLANTED_BUGS, type PlantedBug } from "./planted-bugs.js";

/**
 * Where the hunt alone first finds each planted Raft bug: the seed `planted-hunt.ts --time
 * 300 --seed 1 <bug>` reports (docs/benchmarks-history.md: the tables of 2026-12-06, for
 * 2C of 2026-12-07). planted-hunt.test.ts replays each seed with its bug planted (it must
 * fail) and without (it must pass), so a change to the schedules, the driver or a Raft that
 * loses a find, or turns one into a false alarm, is seen; a change to how schedules are drawn
 * moves every find: search again and update these.
 */
export const HUNT_FINDS: Readonly<Record<string, number>> = {
  "reference/figure8-count-old-term": 377,
  "student/figure8-count-old-term": 113,
  "reference/timer-reset-every-vote": 189,
  "student/timer-reset-every-vote": 137,
  "reference/truncate-on-old-append": 4,
  "student/truncate-on-old-append": 1,
  "reference/commit-to-own-last-index": 13,
  "student/commit-to-own-last-index": 10,
  "reference/old-term-reply-counted": 837,
  "student/old-term-reply-counted": 682,
  "reference/old-snapshot-reapplied": 234,
  "student/old-snapshot-reapplied": 269,
  "reference/stale-vote-reply": 599,
  "student/stale-vote-reply": 143,
  "reference/candidate-no-self-vote": 400,
  "student/candidate-no-self-vote": 23,
  "reference/vote-counted-twice": 3,
  "student/vote-counted-twice": 3,
  "reference/candidate-ignores-higher-term": 22,
  "student/candidate-ignores-higher-term": 524,
  "reference/leader-ignores-higher-term": 1571,
  "student/leader-ignores-higher-term": 115,
  "reference/leader-keeps-progress": 46,
  "student/leader-keeps-progress": 11,
  "reference/vote-not-restored": 638,
  "student/vote-not-restored": 882,
  "reference/partial-snapshot-drops-suffix": 4849,
  "student/partial-snapshot-drops-suffix": 407,
};

/**
 * Replay hunt runs (part and seed each, every fault of the schedule) in the tree at dir, in
 * one process (labs-test/hunt/replay-cli.ts): one line per run, in order.
 * @throws Error with the replay's output if it did not print a line for every run.
 */
export async function replayIn(dir: string, runs: ReadonlyArray<{ part: string; seed: number }>): Promise<ReplayLine[]> {
  const r = await execa("node_modules/.bin/tsx", ["labs-test/hunt/replay-cli.ts", ...runs.map((x) => `${x.part}:${x.seed}`)], {
    cwd: dir,
    env: { VIS: "off", FORCE_COLOR: "0" },
    reject: false,
    all: true,
  });
  const lines = r.stdout
    .split("\n")
    .filter((l) => l.startsWith('{"part"'))
    .map((l) => JSON.parse(l) as ReplayLine);
  if (lines.length !== runs.length) throw new Error(`replay in ${dir}: ${lines.length} of ${runs.length} runs reported (exit ${r.exitCode}):\n${r.all ?? ""}`);
  return lines;
}

/** What one search printed, read back from hunt-cli.ts's lines. */
export interface HuntTally {
  runs: number;
  wallS: number;
  /** The failing seed, with the wall seconds and runs until it came in, and its first line. */
  found?: { seed: number; afterS: number; afterRuns: number; error: string };
}

/** hunt-cli.ts's summary line and failure line. */
const SUMMARY = /^hunt-\S+: (\d+) runs in ([\d.]+) s/m;
const FOUND = /^--- FAIL: hunt-\S+ \(seed (\d+)\), found after ([\d.]+) s and (\d+) runs\n\s*(.*)$/m;

/** Plant bug in a scratch copy and search its part's schedules there; throws if the search printed no summary. */
export async function huntPlanted(bug: PlantedBug, env: Record<string, string>): Promise<HuntTally> {
  const dir = plantedTree(bug);
  try {
    const r = await execa("node_modules/.bin/tsx", ["labs-test/hunt/hunt-cli.ts", bug.part], {
      cwd: dir,
      env: { ...env, SHRINK: "0", VIS: "off", FORCE_COLOR: "0" },
      reject: false,
      all: true,
    });
    const s = SUMMARY.exec(r.stdout);
    if (s === null) throw new Error(`planted bug ${bugId(bug)}: the hunt printed no summary (exit ${r.exitCode}):\n${r.all ?? ""}`);
    const f = FOUND.exec(r.stdout);
    return {
      runs: Number(s[1]),
      wallS: Number(s[2]),
      found: f === null ? undefined : { seed: Number(f[1]), afterS: Number(f[2]), afterRuns: Number(f[3]), error: f[4]!.trim() },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const ids = PLANTED_BUGS.map(bugId);
  const program = new Command()
    .name("planted-hunt")
    .description("plant each bug in a scratch copy and run its part's schedule search there (no directed tests)")
    .argument("[bugs...]", `bugs (default all; a name without its solution selects both): ${ids.join(", ")}`)
    .option("--time <s>", "wall seconds per search (TIME)", "60")
    .option("--runs <n>", "runs per search (RUNS), with or instead of --time")
    .option("--seed <n>", "first seed (SEED)", "1")
    .option("--parallel <n>", "worker processes (PARALLEL)", "1")
    .parse();
  const o = program.opts<{ time: string; runs?: string; seed: string; parallel: string }>();
  const names = program.args;
  const unknown = names.filter((n) => !PLANTED_BUGS.some((b) => bugId(b) === n || b.name === n));
  if (unknown.length > 0) throw new Error(`unknown bug ${unknown.join(", ")}; bugs: ${ids.join(", ")}`);
  const env: Record<string, string> = { TIME: o.time, SEED: o.seed, PARALLEL: o.parallel, ...(o.runs === undefined ? {} : { RUNS: o.runs }) };
  process.stdout.write(`budget: TIME=${o.time}${o.runs === undefined ? "" : ` RUNS=${o.runs}`} SEED=${o.seed} PARALLEL=${o.parallel}\n`);
  process.stdout.write(`bug | part | found: seed, wall s and runs to it | runs in the search | first line\n`);
  for (const bug of PLANTED_BUGS.filter((b) => names.length === 0 || names.includes(bugId(b)) || names.includes(b.name))) {
    const t = await huntPlanted(bug, env);
    const found = t.found === undefined ? `not found in ${t.wallS.toFixed(0)} s` : `seed ${t.found.seed}, ${t.found.afterS.toFixed(1)} s, ${t.found.afterRuns} runs`;
    process.stdout.write(`${bugId(bug)} | ${bug.part} | ${found} | ${t.runs} | ${t.found?.error ?? "-"}\n`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(2);
  });
}
