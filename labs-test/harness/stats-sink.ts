// The one stats sink of the test harnesses: when LABS_STATS names a file, every measurement
// a test makes is appended to it as one JSON line of one record type. The benchmark
// scripts (raft/framework/bench.ts, kvraft/framework/bench.ts) set LABS_STATS for the vitest processes they
// start and read the file back with readStats(); tests without LABS_STATS write nothing.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { costModel, DEFAULT_COST_MODEL, type CostModel } from "../../runtime/cost-model.js";
import { hasWorld, world } from "../../runtime/index.js";

/** The environment variable naming the stats file (JSON lines, appended). */
export const STATS_ENV = "LABS_STATS";

/** A whole cost model (every field), checked as runtime/cost-model.ts checks one. */
const costSchema = z
  .record(z.string(), z.union([z.number(), z.strictObject({ hits: z.number(), outOf: z.number() })]))
  .transform((v, ctx): CostModel => {
    const missing = Object.keys(DEFAULT_COST_MODEL).filter((k) => !(k in v));
    if (missing.length > 0) {
      ctx.addIssue({ code: "custom", message: `cost model without ${missing.join(", ")}` });
      return z.NEVER;
    }
    try {
      return costModel(v as Partial<CostModel>);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  });

const statsRecordSchema = z.strictObject({
  /**
   * What was measured: "test" is one begin()..end() span (the course's "Passed" line);
   * "speed" a timed run of operations inside a test; "check" one linearizability check.
   */
  kind: z.enum(["test", "speed", "check"]),
  /** The title given to begin() (the course's test title). */
  title: z.string(),
  /** Whether the runtime clock was the wall clock (REALTIME=1); else seconds are virtual. */
  realtime: z.boolean(),
  /** Runtime-clock seconds the span took (virtual in simulated mode); 0 for a check. */
  seconds: z.number().nonnegative(),
  /** Wall-clock milliseconds the span took (a check: the checker's own time). */
  wallMs: z.number().nonnegative(),
  /** Servers in the test (the course's npeers); 0 for a check. */
  peers: z.number().int().nonnegative(),
  /** RPCs handed to the network during the span (labrpc's total count). */
  rpcs: z.number().int().nonnegative(),
  /** Bytes of those RPCs' arguments and replies (labrpc's total bytes). */
  bytes: z.number().int().nonnegative(),
  /** Work done: commands agreed (Raft), clerk operations (key/value), operations checked. */
  ops: z.number().int().nonnegative(),
  /** A check's verdict ("ok", "illegal", "unknown"); "" for the other kinds. */
  result: z.string(),
  /** A check's independent partitions (keys) of the history; 0 for the other kinds. */
  partitions: z.number().int().nonnegative(),
  /**
   * The cost model the world ran under (World.cost: runtime/cost-model.ts), so that figures
   * measured under different models are never compared unawares; absent for a record made
   * outside a world.
   */
  cost: costSchema.optional(),
});

/** One line of the stats file. */
export type StatsRecord = z.infer<typeof statsRecordSchema>;

/** What a caller must give; the rest defaults to 0, "" and the world's clock mode and cost model. */
export type StatsInput = Pick<StatsRecord, "kind" | "title"> & Partial<Omit<StatsRecord, "kind" | "title" | "cost">>;

/**
 * Append one record to the file named by LABS_STATS, if set. Must run inside a world (it
 * reads the clock mode) unless `realtime` is given. Throws if the record is malformed
 * (a negative count, a fractional RPC count): a bench must not read garbage.
 */
export function recordStats(input: StatsInput): void {
  const file = process.env[STATS_ENV];
  if (file === undefined || file === "") return;
  const record = statsRecordSchema.parse({
    seconds: 0,
    wallMs: 0,
    peers: 0,
    rpcs: 0,
    bytes: 0,
    ops: 0,
    result: "",
    partitions: 0,
    ...input,
    realtime: input.realtime ?? !world().simulated,
    ...(hasWorld() ? { cost: world().cost } : {}),
  });
  appendFileSync(file, JSON.stringify(record) + "\n");
}

/**
 * Every record in a stats file, in the order written; [] if the file does not exist (no
 * test got as far as recording). Throws an Error naming the file and line of a bad line.
 */
export function readStats(file: string): StatsRecord[] {
  if (!existsSync(file)) return [];
  const out: StatsRecord[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
      }
      const r = statsRecordSchema.safeParse(json);
      if (!r.success) throw new Error(`${file}:${i + 1}: not a stats record: ${r.error.issues[0]?.message ?? "invalid"}`);
      out.push(r.data);
    });
  return out;
}
