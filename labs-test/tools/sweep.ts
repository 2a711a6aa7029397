// Many seeds of a part's tests in long-lived worker processes (seed-pool.ts):
// `make test-2C COUNT=1000` and `make sweep-2C SEEDS=1..500 [SHARD=i/n] [OUT=dir]`.
// Prints a progress bar, then `test | passed/runs | mean virtual s | mean wall s` and, for
// every failure, its seed, first error line and replay command.
import { randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { RealClock } from "../../runtime/real-clock.js";
import { readTestEnv } from "../harness/env.js";
import type { GradedResult } from "../harness/run-graded.js";
import type { LabPart } from "../labs.js";
import { defaultWorkers } from "./cpu-quota.js";
import { formatDuration, Progress } from "./progress.js";
import { writeRunsFile } from "./runs-file.js";
import { DEFAULT_LIMIT_MS, limitsOf, runPool } from "./seed-pool.js";
import type { JobRecord } from "./seed-protocol.js";
import { selectTests } from "./select-tests.js";
import { printSummaryTable } from "./summary-table.js";
import { toolVersions } from "./versions.js";
import { buildPlan, consecutiveSeeds, parseSeedRange, parseShard, PlanError, shardOf, type Shard } from "./work-plan.js";

export interface SweepOptions {
  parts: LabPart[];
  tests: string[];
  seeds: number[];
  shard?: Shard;
  workers: number;
  /** Wall ms one run may take before its worker is killed. */
  jobWallMs: number;
  /** Write OUT/runs.json (for grade-merge). */
  out?: string;
  logDir: string;
  realtime: boolean;
}

export interface SweepResult {
  records: JobRecord[];
  failed: number;
}

/** The table rows' source: a worker record as the summary table reads it. */
export function asGradedResult(r: JobRecord, part: string, realtime = false): GradedResult {
  return { name: r.name, part, seed: r.seed, passed: r.passed, virtualMs: r.virtualMs, wallMs: r.wallMs, realtime, error: r.error };
}

export async function sweep(o: SweepOptions): Promise<SweepResult> {
  const wall = new RealClock();
  const items = shardOf(buildPlan(o.tests, o.seeds), o.shard);
  const seedText = o.seeds.length === 1 ? `seed ${o.seeds[0]}` : `seeds ${o.seeds[0]}..${o.seeds[o.seeds.length - 1]}`;
  process.stdout.write(
    `${items.length} runs (${o.tests.length} test(s) × ${seedText}${o.shard ? `, shard ${o.shard.index}/${o.shard.count}` : ""}), ` +
      `${o.workers} worker process(es); logs in ${o.logDir}\n`,
  );
  const progress = new Progress(items.length, process.stdout, process.stdout.isTTY === true, () => wall.now());
  const records = await runPool(items, {
    cwd: process.cwd(),
    files: [...new Set(o.parts.flatMap((p) => p.testFiles))],
    workers: o.workers,
    jobWallMs: o.jobWallMs,
    startWallMs: 120_000,
    totalWallMs: Number.MAX_SAFE_INTEGER,
    limitMs: DEFAULT_LIMIT_MS,
    limitMsFor: limitsOf(o.parts),
    logDir: o.logDir,
    realtime: o.realtime,
    onRecord: (job, r) => progress.tick(r.passed, `${job.test} seed ${job.seed}`),
  });
  const list = items.map((it) => records.get(it.id)!);
  const partOf = (t: string): string => o.parts.find((p) => p.tests.includes(t) || (p.extraTests ?? []).includes(t))?.id ?? "";
  printSummaryTable(list.map((r) => asGradedResult(r, partOf(r.name), o.realtime)), o.tests, o.logDir);
  // The first line's seed range again, last: what `| tail` keeps.
  const failed = list.filter((r) => !r.passed).length;
  process.stdout.write(`${items.length} runs over ${seedText}: ${list.length - failed} passed, ${failed} failed, in ${formatDuration(wall.now())}\n`);
  if (o.out !== undefined) {
    mkdirSync(o.out, { recursive: true });
    writeRunsFile(path.join(o.out, "runs.json"), {
      format: "labs-ts-runs/1",
      parts: o.parts.map((p) => p.id),
      tests: o.tests,
      seeds: o.seeds,
      shard: o.shard ?? { index: 1, count: 1 },
      notRun: {},
      notes: [],
      records: items.map((it) => ({ ...records.get(it.id)!, id: it.id })),
      versions: toolVersions(process.cwd()),
      wallSeconds: wall.now() / 1000,
    });
    process.stdout.write(`runs written to ${path.join(o.out, "runs.json")}\n`);
  }
  return { records: list, failed: list.filter((r) => !r.passed).length };
}

/** Settings from the environment (the Makefile's SEED, COUNT, SEEDS, RUN, PARALLEL, SHARD, OUT). */
export function sweepOptionsFromEnv(parts: LabPart[], logDir: string, env: NodeJS.ProcessEnv = process.env): SweepOptions {
  const t = readTestEnv(env);
  const get = (k: string): string | undefined => (env[k]?.trim() ? env[k]!.trim() : undefined);
  const seedsRaw = get("SEEDS");
  const shardRaw = get("SHARD");
  if (seedsRaw !== undefined && (t.seed !== undefined || get("COUNT") !== undefined)) {
    throw new PlanError("give either SEEDS=a..b or SEED=n COUNT=k, not both");
  }
  if (shardRaw !== undefined && seedsRaw === undefined && t.seed === undefined) {
    throw new PlanError("SHARD needs fixed seeds (SEEDS=a..b, or SEED=n with COUNT), so that every shard has the same work list");
  }
  const seeds = seedsRaw !== undefined ? parseSeedRange(seedsRaw) : consecutiveSeeds(t.seed ?? randomInt(1, 2 ** 31), t.count);
  if (parts.some((p) => p.realProcesses)) throw new PlanError("mr runs real processes: use make test-mr COUNT=n");
  return {
    parts,
    tests: selectTests(parts, t.run),
    seeds,
    shard: shardRaw === undefined ? undefined : parseShard(shardRaw),
    workers: t.parallel ?? defaultWorkers(),
    jobWallMs: 600_000,
    out: get("OUT"),
    logDir,
    realtime: t.realtime,
  };
}
