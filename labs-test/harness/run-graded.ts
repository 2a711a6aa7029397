import { RealClock } from "../../runtime/real-clock.js";
import { runWorld, type World } from "../../runtime/world.js";
import { partOfTest } from "../labs.js";
import type { GradedOptions } from "./registry.js";

/** One run of one graded test: what the runners, the table and the grader read. */
export interface GradedResult {
  name: string;
  part: string;
  seed: number;
  passed: boolean;
  virtualMs: number;
  wallMs: number;
  realtime: boolean;
  error?: string;
  /** Hash of the run's whole trace, when asked for (RunSettings.hash). */
  digest?: string;
}

export interface RunSettings {
  seed: number;
  realtime: boolean;
  /** Trace file (TRACE=…), if any. */
  file?: string;
  debug?: string;
  /** Simulated mode: fail once virtual time passes this (ms); runWorld's default otherwise. */
  limitMs?: number;
  /** Hash the whole trace and return it (replay checks), whatever the test asks. */
  hash?: boolean;
  /** Keep up to this many events in memory (a timeline page of the run, VIS=…). */
  record?: number;
}

/**
 * Run a graded test's body once in a fresh world with the given seed. Never throws:
 * the failure, if any, comes back beside the result (its first line in result.error).
 */
export async function runGraded(
  name: string,
  body: (w: World) => Promise<void>,
  opts: GradedOptions,
  s: RunSettings,
): Promise<{ result: GradedResult; failure?: unknown; world?: World }> {
  const wall = new RealClock();
  let virtualMs = 0;
  let failure: unknown;
  let failed = false;
  let digest: string | undefined;
  let world: World | undefined;
  try {
    await runWorld(
      { seed: s.seed, realtime: s.realtime, file: s.file, debug: s.debug, hash: opts.hash === true || s.hash === true, limitMs: s.limitMs, record: s.record },
      async (w) => {
        world = w;
        try {
          await body(w);
        } finally {
          virtualMs = w.clock.now();
          if (s.hash === true) digest = w.tracer.digest();
        }
      },
    );
  } catch (e) {
    failed = true;
    failure = e;
  }
  const result: GradedResult = {
    name,
    part: partOfTest(name)?.id ?? "",
    seed: s.seed,
    passed: !failed,
    virtualMs,
    wallMs: wall.now(),
    realtime: s.realtime,
  };
  if (digest !== undefined) result.digest = digest;
  if (failed) result.error = firstLine(failure);
  return failed ? { result, failure, world } : { result, world };
}

/** The first line of an error's message (what tables and reports show). */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0] ?? "";
}
