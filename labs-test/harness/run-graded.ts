import { existsSync, readFileSync } from "node:fs";
import { processCpuMs, RealClock } from "../../runtime/real-clock.js";
import { runWorld, type World } from "../../runtime/world.js";
import { partOfTest } from "../labs.js";
import { messageOf } from "./describe-thrown.js";
import { FailureLatch } from "./failure-latch.js";
import type { GradedOptions } from "./registry.js";
import { firstLineOf } from "./safe-text.js";

/**
 * Wall ms one graded test may run, in either mode, before it fails with its seed. It sits
 * below vitest's testTimeout (vitest.config.ts), whose own timeout names no seed.
 */
export const WALL_LIMIT_MS = 10 * 60 * 1000;

/** A graded test's wall-clock limit passed. */
export class WallLimitExceeded extends Error {}

/** One run of one graded test: what the runners, the table and the grader read. */
export interface GradedResult {
  name: string;
  part: string;
  seed: number;
  passed: boolean;
  virtualMs: number;
  wallMs: number;
  /** CPU ms the test used (on a shared machine, a steadier measure than wallMs). */
  cpuMs?: number;
  realtime: boolean;
  error?: string;
  /** Hash of the run's whole trace, when asked for (RunSettings.hash). */
  digest?: string;
}

/**
 * The records graded() appended to a LABS_RESULTS file (one JSON line per finished run), in
 * order; [] when the file does not exist (no test ran).
 */
export function readGradedResults(file: string): GradedResult[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as GradedResult);
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
  /** The test's file (relative to the repository root): names repeat across labs (TestBasic). */
  testFile?: string;
  /** Keep up to this many events in memory (a timeline page of the run, VIS=…). */
  record?: number;
  /** Wall ms before the test fails (default WALL_LIMIT_MS). */
  wallLimitMs?: number;
}

/**
 * Run a graded test's body once in a fresh world with the given seed. Never throws:
 * the failure, if any, comes back beside the result (its first line in result.error),
 * and the callers print it with the seed and the replay command. Every way a test can
 * end becomes such a failure: an assertion, a stalled or livelocked simulation, the
 * virtual limit, the wall limit, and an error nobody caught in a detached task (an
 * unhandled rejection in student code), which ends the test at once.
 */
export async function runGraded(
  name: string,
  body: (w: World) => Promise<void>,
  opts: GradedOptions,
  s: RunSettings,
): Promise<{ result: GradedResult; failure?: unknown; world?: World }> {
  const wall = new RealClock();
  const cpu0 = processCpuMs();
  let failure: unknown;
  let failed = false;
  let digest: string | undefined;
  let world: World | undefined;
  // Errors thrown where the body cannot see them and the wall limit land here, and end
  // the test at once.
  const latch = new FailureLatch();
  const wallLimitMs = s.wallLimitMs ?? WALL_LIMIT_MS;
  const limit = wall.after(wallLimitMs, () =>
    latch.fail(
      new WallLimitExceeded(
        `test ran longer than its wall-clock limit of ${wallLimitMs / 1000} s` +
          (s.realtime ? "" : ` (at virtual ${((world?.clock.now() ?? 0) / 1000).toFixed(3)} s)`),
      ),
    ),
  );
  try {
    await runWorld(
      { seed: s.seed, realtime: s.realtime, file: s.file, debug: s.debug, hash: opts.hash === true || s.hash === true, limitMs: s.limitMs, record: s.record },
      async (w) => {
        world = w;
        try {
          await Promise.race([body(w), latch.failed]);
        } finally {
          if (s.hash === true) digest = w.tracer.digest();
        }
      },
    );
  } catch (e) {
    failed = true;
    failure = e;
  } finally {
    limit.cancel();
    latch.release();
    wall.stop();
  }
  const result: GradedResult = {
    name,
    part: partOfTest(name, s.testFile)?.id ?? "",
    seed: s.seed,
    passed: !failed,
    // A stalled world never returns to the body, so the clock is read here, not there.
    virtualMs: world?.clock.now() ?? 0,
    wallMs: wall.now(),
    cpuMs: processCpuMs() - cpu0,
    realtime: s.realtime,
  };
  if (digest !== undefined) result.digest = digest;
  if (failed) result.error = firstLine(failure);
  return failed ? { result, failure, world } : { result, world };
}

/**
 * The first line of an error's message (what tables and reports show), at most 1 KB. Any
 * thrown value works, even one whose toString throws (describe-thrown.ts).
 */
export function firstLine(e: unknown): string {
  return firstLineOf(messageOf(e));
}
