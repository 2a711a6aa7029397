import { randomInt } from "node:crypto";
import { appendFileSync } from "node:fs";
import path from "node:path";
import { test } from "vitest";
import { RealClock } from "../../runtime/real-clock.js";
import { runWorld, type World } from "../../runtime/world.js";
import { readTestEnv } from "./env.js";
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
  realtime: boolean;
  error?: string;
}

export interface GradedOptions {
  /** Record a hash of every trace event (determinism checks); see World.tracer.digest(). */
  hash?: boolean;
}

const env = readTestEnv();


function traceFileFor(name: string): string | undefined {
  if (env.trace === undefined) return undefined;
  // One test selected by exact name: use the file as given; otherwise one file per test.
  if (env.run === name) return env.trace;
  const ext = path.extname(env.trace);
  return `${env.trace.slice(0, env.trace.length - ext.length)}.${name}${ext || ".jsonl"}`;
}

/**
 * A graded test: runs body in a fresh world (virtual clock unless REALTIME=1) with a
 * printed, replayable seed.
 */
export function graded(name: string, body: (w: World) => Promise<void>, opts: GradedOptions = {}): void {
  gradedWithSeed(name, async (seed, spent) => {
    await runWorld(
      { seed, realtime: env.realtime, file: traceFileFor(name), debug: env.debug, hash: opts.hash },
      async (w) => {
        try {
          await body(w);
        } finally {
          spent.virtualMs += w.clock.now();
        }
      },
    );
  });
}

/**
 * A graded test that builds its own worlds from its seed (a determinism check runs one
 * seed twice): same seed choice, failure report, replay command and per-run result record
 * as graded(). body adds the virtual ms its worlds ran to spent.virtualMs.
 */
export function gradedWithSeed(name: string, body: (seed: number, spent: { virtualMs: number }) => Promise<void>): void {
  test(name, async () => {
    const seed = env.seed ?? randomInt(1, 2 ** 31);
    const wall = new RealClock();
    const spent = { virtualMs: 0 };
    let failure: unknown;
    try {
      await body(seed, spent);
    } catch (e) {
      failure = e;
    }
    const result: GradedResult = {
      name,
      part: partOfTest(name)?.id ?? "",
      seed,
      passed: failure === undefined,
      virtualMs: spent.virtualMs,
      wallMs: wall.now(),
      realtime: env.realtime,
    };
    if (failure !== undefined) {
      const msg = failure instanceof Error ? failure.message : String(failure);
      result.error = msg.split("\n")[0];
      say(`--- FAIL: ${name} (seed ${seed})\n    ${msg}\n    replay: ${replayCommand(name, seed, env.realtime)}`);
    }
    const results = process.env.LABS_RESULTS;
    if (results) appendFileSync(results, JSON.stringify(result) + "\n");
    if (failure !== undefined) {
      if (failure instanceof Error) {
        failure.message += `\n    seed ${seed}; replay: ${replayCommand(name, seed, env.realtime)}`;
      }
      throw failure;
    }
  });
}
