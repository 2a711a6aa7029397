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
import { VIS_RECORD_CAP, writeRunTimeline } from "./timeline-of-run.js";

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
  gradedWithSeed(name, async (seed, run) => {
    await runWorld(
      {
        seed,
        realtime: env.realtime,
        file: traceFileFor(name),
        debug: env.debug,
        hash: opts.hash,
        record: env.vis === "off" ? undefined : VIS_RECORD_CAP,
      },
      async (w) => {
        run.world = w;
        try {
          await body(w);
        } finally {
          run.virtualMs += w.clock.now();
        }
      },
    );
  });
}

/** What a gradedWithSeed body reports about its run. */
export interface SeededRun {
  /** Virtual ms its worlds ran, added up. */
  virtualMs: number;
  /** The world to draw a timeline of (VIS), if any. */
  world?: World;
}

/**
 * A graded test that builds its own worlds from its seed (a determinism check runs one
 * seed twice): the same seed choice, failure report, replay command and per-run result
 * record as graded().
 */
export function gradedWithSeed(name: string, body: (seed: number, run: SeededRun) => Promise<void>): void {
  test(name, async () => {
    const seed = env.seed ?? randomInt(1, 2 ** 31);
    const wall = new RealClock();
    const run: SeededRun = { virtualMs: 0 };
    let failure: unknown;
    try {
      await body(seed, run);
    } catch (e) {
      failure = e;
    }
    const virtualMs = run.virtualMs;
    const world = run.world;
    const result: GradedResult = {
      name,
      part: partOfTest(name)?.id ?? "",
      seed,
      passed: failure === undefined,
      virtualMs,
      wallMs: wall.now(),
      realtime: env.realtime,
    };
    let timeline = "";
    if (world !== undefined && (env.vis === "always" || (env.vis === "fail" && failure !== undefined))) {
      const text = failure === undefined ? null : failure instanceof Error ? failure.message : String(failure);
      timeline = writeRunTimeline(name, seed, world, text === null ? null : { t: virtualMs, text });
      if (failure === undefined) say(`    timeline of ${name}: ${timeline}`);
    }
    if (failure !== undefined) {
      const msg = failure instanceof Error ? failure.message : String(failure);
      result.error = msg.split("\n")[0];
      say(
        `--- FAIL: ${name} (seed ${seed})\n    ${msg}\n    replay: ${replayCommand(name, seed, env.realtime)}` +
          (timeline ? `\n    timeline: ${timeline}` : ""),
      );
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
