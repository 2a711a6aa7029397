// The schedule search: runs a part's hunt body under consecutive seeds in the many-seeds
// worker pool (labs-test/tools/seed-pool.ts: long-lived worker processes, one fresh world
// per run, a wall limit per run) until its budget (seconds or runs) is spent or a run
// fails; then shrinks the failing seed's schedule to the fewest faults that still fail,
// one round of candidate subsets at a time, each round in parallel workers. This is what
// `make hunt-2C` runs (hunt-cli.ts) and what a grader calls with a budget per part.
// Every run happens in a worker process: the submitted code never runs in the caller's.
import { randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { RealClock } from "../../runtime/real-clock.js";
import { DEFAULT_LIMIT_MS, runPool, type PoolJob } from "../tools/seed-pool.js";
import type { JobRecord } from "../tools/seed-protocol.js";
import { CASES_ENV, type HuntCase } from "./cases-env.js";
import { HuntError, huntPart, huntTestName, type HuntPart } from "./parts.js";
import { formatKeep, scheduleOf, selectFaults } from "./schedule.js";
import { shrinkFaults, type ShrinkResult, type Verdict } from "./shrink.js";

/** A budget: stop after this many wall seconds or this many runs, whichever comes first (at least one). */
export interface HuntBudget {
  seconds?: number;
  runs?: number;
}

export interface HuntOptions {
  /** The first seed (then seed+1, …); default a random one. */
  seed?: number;
  /** Worker processes (default one per core). */
  workers?: number;
  /** The tree to run in: its lab files, harnesses and this folder (default the current directory). */
  cwd?: string;
  /** Apply only these faults of each schedule (KEEP); default all. */
  keep?: readonly number[];
  /** Shrink a failing schedule (default: yes, unless keep is given). */
  shrink?: boolean;
  /** Wall seconds shrinking may take (default 300); it stops with the smallest failing subset so far. */
  shrinkSeconds?: number;
  /** Folder for the workers' logs (default .labs-runs/hunt-<part>-… under cwd). */
  logDir?: string;
  /** Environment for the workers (default this process's). */
  env?: NodeJS.ProcessEnv;
  /** Wall ms one run may take before its worker is killed and the run counts as failed (a hang). Default 300 s. */
  jobWallMs?: number;
  /** Each finished run of the search, in completion order, with the totals so far. */
  onRun?: (run: HuntRun, totals: { runs: number; failed: number }) => void;
  /** Each shrinking round as it starts: its number (from 1) and the subsets it tries. */
  onShrinkRound?: (round: number, candidates: readonly number[][]) => void;
}

/** One finished run. */
export interface HuntRun {
  seed: number;
  passed: boolean;
  /** The failure's first line. */
  error?: string;
  /** The failure's full message (capped by the worker). */
  detail?: string;
  virtualMs: number;
  wallMs: number;
  cpuMs?: number;
}

export interface HuntFailure {
  seed: number;
  error: string;
  detail: string;
  /**
   * "run": this seed's run failed; "setup": no run could start (the lab's code failed to
   * load, or a worker died while loading): no seed is to blame, nothing is shrunk.
   */
  kind: "run" | "setup";
  /** The faults the failing run applied (undefined: all of its schedule's). */
  keep?: number[];
  /** Wall ms from the start of the search until the first failure came in. */
  foundAfterMs: number;
  /** Runs finished by then, that one included. */
  foundAfterRuns: number;
  /** The shrunk schedule, if shrinking ran. */
  shrunk?: ShrinkResult;
}

export interface HuntResult {
  part: string;
  /** Runs finished, and how many of them failed (runs still in flight at a failure finish too). */
  runs: number;
  failed: number;
  /** The seeds of the finished runs lie in first..last (last: the highest that finished). */
  seeds: { first: number; last: number };
  /** Wall ms of the search (shrinking not included). */
  wallMs: number;
  /** CPU ms the runs took in the workers, summed. */
  cpuMs: number;
  /** Finished runs per wall second of the search. */
  runsPerSecond: number;
  /**
   * The failure reported: of the runs that failed before the search stopped (runs in
   * flight at the first failure finish too), the one with the lowest seed.
   */
  failure?: HuntFailure;
  /** Wall ms shrinking took (0 if it did not run). */
  shrinkWallMs: number;
  /** The workers' logs (everything the runs printed). */
  logDir: string;
}

/** Seeds handed to one pool at a time under a time budget. */
const CHUNK = 20_000;
/** The most seeds one search hands out. */
const MAX_RUNS = 10_000_000;

/**
 * The command that replays one run exactly (and, with keep, only those faults).
 */
export function huntReplayCommand(part: string, seed: number, keep?: readonly number[]): string {
  return `make hunt-${part} SEED=${seed} RUNS=1${keep === undefined ? "" : ` KEEP=${formatKeep(keep)}`}`;
}

/**
 * Check a budget.
 * @throws HuntError unless seconds (if given) is a positive finite number, runs (if given)
 *   a positive integer, and at least one is given.
 */
export function checkBudget(b: HuntBudget): void {
  if (b.seconds === undefined && b.runs === undefined) throw new HuntError("a hunt needs a budget: seconds (TIME=60) or runs (RUNS=n)");
  if (b.seconds !== undefined && !(Number.isFinite(b.seconds) && b.seconds > 0)) {
    throw new HuntError(`TIME=${String(b.seconds)}: the budget in seconds must be a positive number`);
  }
  if (b.runs !== undefined && !(Number.isSafeInteger(b.runs) && b.runs > 0 && b.runs <= MAX_RUNS)) {
    throw new HuntError(`RUNS=${String(b.runs)}: the budget in runs must be a whole number from 1 to ${MAX_RUNS}`);
  }
}

/** A failed record the pool made because no run could start (loading the cases failed). */
function isSetupFailure(r: JobRecord): boolean {
  return r.virtualMs === 0 && /^(loading the tests failed|the test process (exited|did not finish loading|misbehaved) while loading)/.test(r.error ?? "");
}

function asRun(r: JobRecord): HuntRun {
  return { seed: r.seed, passed: r.passed, error: r.error, detail: r.detail, virtualMs: r.virtualMs, wallMs: r.wallMs, cpuMs: r.cpuMs };
}

interface PoolSettings {
  cwd: string;
  workers: number;
  logDir: string;
  env: NodeJS.ProcessEnv;
  jobWallMs: number;
}

/** One pool over these cases: jobs name a case and a seed. */
function poolRun(s: PoolSettings, cases: HuntCase[], jobs: PoolJob[], onRecord: (job: PoolJob, r: JobRecord) => void, signal?: AbortSignal): Promise<Map<number, JobRecord>> {
  return runPool(jobs, {
    cwd: s.cwd,
    files: ["labs-test/hunt/cases.ts"],
    workers: s.workers,
    jobWallMs: s.jobWallMs,
    startWallMs: 120_000,
    totalWallMs: Number.MAX_SAFE_INTEGER,
    limitMs: DEFAULT_LIMIT_MS,
    logDir: s.logDir,
    env: { ...s.env, [CASES_ENV]: JSON.stringify(cases) },
    onRecord,
    signal,
  });
}

/**
 * Search part's schedules within budget.
 * @throws HuntError for an unknown part, a bad budget, a bad seed or worker count, or a
 *   keep naming a fault the first seed's schedule does not have.
 */
export async function hunt(partId: string, budget: HuntBudget, o: HuntOptions = {}): Promise<HuntResult> {
  const part = huntPart(partId);
  checkBudget(budget);
  const first = o.seed ?? randomInt(1, 2 ** 31);
  if (!Number.isSafeInteger(first) || first < 1) throw new HuntError(`SEED=${String(o.seed)}: a hunt's seeds are whole numbers from 1`);
  const workers = o.workers ?? Math.max(1, cpus().length);
  if (!Number.isSafeInteger(workers) || workers < 1) throw new HuntError(`PARALLEL=${String(o.workers)}: want a whole number of workers from 1`);
  if (o.keep !== undefined) selectFaults(scheduleOf(part, first), o.keep);
  const cwd = path.resolve(o.cwd ?? process.cwd());
  const logDir = path.resolve(cwd, o.logDir ?? path.join(".labs-runs", `hunt-${part.id}-${process.pid}-${randomInt(1e9)}`));
  mkdirSync(logDir, { recursive: true });
  const settings: PoolSettings = { cwd, workers, logDir, env: o.env ?? process.env, jobWallMs: o.jobWallMs ?? 300_000 };
  const name = huntTestName(part);
  const keep = o.keep === undefined ? undefined : [...o.keep];

  const wall = new RealClock();
  const stop = new AbortController();
  const timer = budget.seconds === undefined ? undefined : wall.after(budget.seconds * 1000, () => stop.abort());
  let runs = 0;
  let failed = 0;
  let cpuMs = 0;
  let failure: HuntFailure | undefined;
  let next = first;
  let last = first;
  const limit = budget.runs ?? MAX_RUNS;
  try {
    while (!stop.signal.aborted && next - first < limit) {
      const count = Math.min(limit - (next - first), CHUNK);
      const jobs = Array.from({ length: count }, (_, i) => ({ id: i, test: name, seed: next + i }));
      next += count;
      await poolRun(settings, [{ name, part: part.id, keep }], jobs, (_job, r) => {
        // Once loading failed, the pool fails every job left the same way: one is enough.
        if (isSetupFailure(r) && failure?.kind === "setup") return;
        runs++;
        last = Math.max(last, r.seed);
        cpuMs += r.cpuMs ?? 0;
        if (!r.passed) {
          failed++;
          if (failure === undefined || r.seed < failure.seed) {
            failure = {
              seed: r.seed,
              error: r.error ?? "failed",
              detail: r.detail ?? r.error ?? "failed",
              kind: isSetupFailure(r) ? "setup" : "run",
              keep,
              foundAfterMs: failure?.foundAfterMs ?? wall.now(),
              foundAfterRuns: failure?.foundAfterRuns ?? runs,
            };
          }
          stop.abort();
        }
        o.onRun?.(asRun(r), { runs, failed });
      }, stop.signal);
    }
  } finally {
    timer?.cancel();
  }
  const wallMs = wall.now();
  wall.stop();

  let shrinkWallMs = 0;
  const f = failure as HuntFailure | undefined;
  if (f !== undefined && f.kind === "run" && (o.shrink ?? keep === undefined)) {
    const sw = new RealClock();
    const all = f.keep ?? scheduleOf(part, f.seed).faults.map((_, i) => i);
    let round = 0;
    const runRound = (candidates: number[][]): Promise<Verdict[]> => {
      o.onShrinkRound?.(++round, candidates);
      return shrinkRound(settings, part, f.seed, candidates);
    };
    f.shrunk = await shrinkFaults(all, f.error, runRound, () => sw.now() > (o.shrinkSeconds ?? 300) * 1000);
    shrinkWallMs = sw.now();
    sw.stop();
  }
  return {
    part: part.id,
    runs,
    failed,
    seeds: { first, last },
    wallMs,
    cpuMs,
    runsPerSecond: wallMs > 0 ? runs / (wallMs / 1000) : 0,
    failure: f,
    shrinkWallMs,
    logDir,
  };
}

/** One shrinking round: the seed once per candidate subset, in parallel workers. */
async function shrinkRound(s: PoolSettings, part: HuntPart, seed: number, candidates: number[][]): Promise<Verdict[]> {
  const cases: HuntCase[] = candidates.map((keep) => ({ name: `${huntTestName(part)}/keep=${formatKeep(keep)}`, part: part.id, keep }));
  const jobs = cases.map((c, i) => ({ id: i, test: c.name, seed }));
  const records = await poolRun(s, cases, jobs, () => {});
  return jobs.map((j) => {
    const r = records.get(j.id);
    return r !== undefined && !r.passed ? { failed: true, error: r.error ?? "failed" } : { failed: false };
  });
}
