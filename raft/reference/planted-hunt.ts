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
import { bugId, plantedTree, PLANTED_BUGS, type PlantedBug } from "./planted-bugs.js";

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
