import { randomInt } from "node:crypto";
import { appendFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { partOfTest } from "../labs.js";
import type { World } from "../../runtime/world.js";
import { describeThrown, messageOf } from "./describe-thrown.js";
import { readTestEnv } from "./env.js";
import { collect, collecting, type GradedOptions } from "./registry.js";
import { optionsLine, replayCommand } from "./replay.js";
import { firstLine, runGraded, type GradedResult } from "./run-graded.js";
import { RealClock } from "../../runtime/real-clock.js";
import { say } from "./say.js";
import { VIS_RECORD_CAP, writeRunTimeline } from "./timeline-of-run.js";

export type { GradedResult } from "./run-graded.js";
export type { GradedOptions } from "./registry.js";

const env = readTestEnv();

function traceFileFor(name: string): string | undefined {
  if (env.trace === undefined) return undefined;
  // One test selected by exact name: use the file as given; otherwise one file per test.
  if (env.run === name) return env.trace;
  const ext = path.extname(env.trace);
  return `${env.trace.slice(0, env.trace.length - ext.length)}.${name}${ext || ".jsonl"}`;
}

/** The running test's file relative to the repository root (tells same-named tests of two labs apart). */
function testFile(): string | undefined {
  const p = expect.getState().testPath;
  return p === undefined ? undefined : path.relative(process.cwd(), p).split(path.sep).join("/");
}

/**
 * A graded test: runs body in a fresh world (virtual clock unless REALTIME=1) with a
 * printed, replayable seed. Under the many-seeds worker (collect mode) it is only
 * recorded; the worker runs it once per seed.
 */
export function graded(name: string, body: (w: World) => Promise<void>, opts: GradedOptions = {}): void {
  if (collecting()) {
    collect({ kind: "graded", name, body, opts });
    return;
  }
  test(name, async () => {
    const seed = env.seed ?? randomInt(1, 2 ** 31);
    const { result, failure, world } = await runGraded(name, body, opts, {
      seed,
      realtime: env.realtime,
      file: traceFileFor(name),
      debug: env.debug,
      record: env.vis === "off" ? undefined : VIS_RECORD_CAP,
      // The name alone cannot tell 4A's TestBasic from labrpc's; the file can.
      testFile: testFile(),
    });
    let timeline = "";
    if (world !== undefined && (env.vis === "always" || (env.vis === "fail" && !result.passed))) {
      const text = result.passed ? null : messageOf(failure);
      timeline = writeRunTimeline(name, seed, world, text === null ? null : { t: result.virtualMs, text });
      if (result.passed) say(`    timeline of ${name}: ${timeline}`);
    }
    if (!result.passed) {
      const msg = messageOf(failure);
      const report = `--- FAIL: ${name} (seed ${seed})\n    ${msg}\n    replay: ${replayCommand(name, seed, env.realtime, testFile())}\n`;
      say((report + optionsLine(world?.describeOptions()) + (timeline ? `    timeline: ${timeline}\n` : "")).trimEnd());
    }
    const results = process.env.LABS_RESULTS;
    if (results) appendFileSync(results, JSON.stringify(result) + "\n");
    if (!result.passed) {
      throw withReplayLine(failure, `\n    seed ${seed}; replay: ${replayCommand(name, seed, env.realtime, testFile())}`);
    }
  });
}

/**
 * A graded test that builds its own worlds from its seed (a determinism check runs one
 * seed twice): the same seed choice, failure report, replay command and per-run result
 * record as graded(). body adds the virtual ms its worlds ran to run.virtualMs. Under
 * the many-seeds worker it is a plain test, which reads its seed from SEED.
 */
export function gradedWithSeed(name: string, body: (seed: number, run: { virtualMs: number }) => Promise<void>): void {
  if (collecting()) {
    collect({ kind: "plain", name, body: () => body(readTestEnv().seed ?? randomInt(1, 2 ** 31), { virtualMs: 0 }) });
    return;
  }
  test(name, async () => {
    const seed = env.seed ?? randomInt(1, 2 ** 31);
    const wall = new RealClock();
    const run = { virtualMs: 0 };
    let failure: unknown;
    let failed = false;
    try {
      await body(seed, run);
    } catch (e) {
      failed = true;
      failure = e;
    }
    const result: GradedResult = {
      name,
      part: partOfTest(name)?.id ?? "",
      seed,
      passed: !failed,
      virtualMs: run.virtualMs,
      wallMs: wall.now(),
      realtime: false,
    };
    if (failed) {
      result.error = firstLine(failure);
      const msg = messageOf(failure);
      say(`--- FAIL: ${name} (seed ${seed})\n    ${msg}\n    replay: ${replayCommand(name, seed, false)}`);
    }
    const results = process.env.LABS_RESULTS;
    if (results) appendFileSync(results, JSON.stringify(result) + "\n");
    if (failed) {
      throw withReplayLine(failure, `\n    seed ${seed}; replay: ${replayCommand(name, seed, false)}`);
    }
  });
}

/**
 * The failure vitest reports: the thrown Error with the replay line added to its message,
 * or, for a value that is not an Error or will not take the line (a throwing getter, a
 * frozen object), a new Error describing it.
 */
function withReplayLine(failure: unknown, line: string): Error {
  try {
    if (failure instanceof Error) {
      failure.message += line;
      return failure;
    }
  } catch {
    // described below
  }
  return new Error(describeThrown(failure) + line);
}
