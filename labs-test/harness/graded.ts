import { randomInt } from "node:crypto";
import { appendFileSync } from "node:fs";
import path from "node:path";
import { test } from "vitest";
import { processCpuMs, RealClock } from "../../runtime/real-clock.js";
import { runWorld, type World } from "../../runtime/world.js";
import { readTestEnv } from "./env.js";
import { FailureLatch } from "./failure-latch.js";
import { partOfTest } from "../labs.js";
import { replayCommand } from "./replay.js";
import { say } from "./say.js";

export interface GradedResult {
  name: string;
  part: string;
  seed: number;
  passed: boolean;
  virtualMs: number;
  wallMs: number;
  /** CPU ms the test used (on a shared machine, a steadier measure than wallMs). */
  cpuMs: number;
  realtime: boolean;
  error?: string;
}

export interface GradedOptions {
  /** Record a hash of every trace event (determinism checks); see World.tracer.digest(). */
  hash?: boolean;
}

/**
 * Wall ms one graded test may run, in either mode, before it fails with its seed. It sits
 * below vitest's testTimeout (vitest.config.ts), whose own timeout names no seed.
 */
export const WALL_LIMIT_MS = 10 * 60 * 1000;

/** A graded test's wall-clock limit passed (the message says which and how to replay). */
export class WallLimitExceeded extends Error {}

const env = readTestEnv();

function traceFileFor(name: string): string | undefined {
  if (env.trace === undefined) return undefined;
  // One test selected by exact name: use the file as given; otherwise one file per test.
  if (env.run === name) return env.trace;
  const ext = path.extname(env.trace);
  return `${env.trace.slice(0, env.trace.length - ext.length)}.${name}${ext || ".jsonl"}`;
}

export interface RunGradedOptions extends GradedOptions {
  seed: number;
  realtime: boolean;
  trace?: string;
  debug?: string;
  /** Wall ms before the test fails (default WALL_LIMIT_MS). */
  wallLimitMs?: number;
  /** Simulated mode: virtual ms before the test fails (default: the runtime's 30 min). */
  limitMs?: number;
  /** Where the FAIL and replay lines go (default: stdout, like go test). */
  print?: (line: string) => void;
}

export interface GradedRun {
  result: GradedResult;
  /** Set when the test failed; its message ends with the seed and the replay command. */
  failure?: Error;
}

/**
 * Run one graded test body in a fresh world and turn every way it can end into a result.
 * Each failure — an assertion, a stalled or livelocked simulation, the virtual limit, the
 * wall limit, an error nobody caught in a detached task (an unhandled rejection in student
 * code) — prints `--- FAIL: name (seed n)`, the message and the replay command.
 */
export async function runGraded(
  name: string,
  body: (w: World) => Promise<void>,
  opts: RunGradedOptions,
): Promise<GradedRun> {
  const { seed, realtime } = opts;
  const wall = new RealClock();
  const cpu0 = processCpuMs();
  let world: World | undefined;
  let failure: unknown;
  // Errors thrown where the body cannot see them (a loop's unhandled rejection) and the
  // wall limit both land here, and end the test at once.
  const latch = new FailureLatch();
  const wallLimitMs = opts.wallLimitMs ?? WALL_LIMIT_MS;
  const limit = wall.after(wallLimitMs, () =>
    latch.fail(
      new WallLimitExceeded(
        `test ran longer than its wall-clock limit of ${wallLimitMs / 1000} s` +
          (realtime ? "" : ` (at virtual ${(world === undefined ? 0 : world.clock.now() / 1000).toFixed(3)} s)`),
      ),
    ),
  );
  try {
    await runWorld(
      { seed, realtime, file: opts.trace, debug: opts.debug, hash: opts.hash, limitMs: opts.limitMs },
      async (w) => {
        world = w;
        await Promise.race([body(w), latch.failed]);
      },
    );
  } catch (e) {
    failure = e;
  } finally {
    limit.cancel();
    latch.release();
    wall.stop();
  }
  const result: GradedResult = {
    name,
    part: partOfTest(name)?.id ?? "",
    seed,
    passed: failure === undefined,
    // A stalled world never returns to the body, so the clock is read here, not there.
    virtualMs: world?.clock.now() ?? 0,
    wallMs: wall.now(),
    cpuMs: processCpuMs() - cpu0,
    realtime,
  };
  if (failure === undefined) return { result };
  const err = failure instanceof Error ? failure : new Error(String(failure));
  const replay = replayCommand(name, seed, realtime);
  result.error = err.message.split("\n")[0];
  (opts.print ?? say)(`--- FAIL: ${name} (seed ${seed})\n    ${err.message}\n    replay: ${replay}`);
  err.message += `\n    seed ${seed}; replay: ${replay}`;
  return { result, failure: err };
}

/**
 * A graded test: runs body in a fresh world (virtual clock unless REALTIME=1) with a
 * printed, replayable seed.
 */
export function graded(name: string, body: (w: World) => Promise<void>, opts: GradedOptions = {}): void {
  test(name, async () => {
    const seed = env.seed ?? randomInt(1, 2 ** 31);
    const { result, failure } = await runGraded(name, body, {
      ...opts,
      seed,
      realtime: env.realtime,
      trace: traceFileFor(name),
      debug: env.debug,
    });
    const results = process.env.LABS_RESULTS;
    if (results) appendFileSync(results, JSON.stringify(result) + "\n");
    if (failure !== undefined) throw failure;
  });
}
