// `make hunt-2C [TIME=s | RUNS=n] [SEED=n] [PARALLEL=n] [KEEP=i,j] [SHRINK=0] [VIS=off]`:
// search a part's fault schedules (hunt.ts) and report. Prints runs per second; for a
// failing run its seed, its message, the command that replays it, its schedule, the
// shrunk schedule with its own replay command, a timeline page (the run replayed in this
// process) and the line that keeps it in the regression list. Exit 0: nothing found;
// 1: a run failed; 2: bad input (an unknown part, a bad budget, a type error).
import { RealClock } from "../../runtime/real-clock.js";
import { findPart } from "../labs.js";
import { describeTypeErrors, typecheck } from "../tools/typecheck.js";
import { hunt, huntReplayCommand, type HuntFailure, type HuntResult, type HuntRun } from "./hunt.js";
import { huntSettingsFromEnv, type HuntSettings } from "./hunt-env.js";
import { HuntError, huntPart, HUNT_PARTS, type HuntPart } from "./parts.js";
import { replayRun } from "./replay-run.js";
import { REGRESSIONS_FILE, regressionLine } from "./regressions.js";
import { formatSchedule, scheduleOf } from "./schedule.js";

function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

const say = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** A redrawn line on a terminal, a plain line every 10 s otherwise. */
function progress(part: HuntPart, s: HuntSettings): (run: HuntRun, totals: { runs: number; failed: number }) => void {
  const wall = new RealClock();
  const tty = process.stdout.isTTY === true;
  let lastPlain = 0;
  return (_run, { runs, failed }) => {
    const t = wall.now() / 1000;
    const left = s.budget.seconds === undefined ? "" : `, ${Math.max(0, s.budget.seconds - t).toFixed(0)} s left`;
    const line = `hunt-${part.id}: ${runs} runs, ${failed} failed, ${(runs / Math.max(t, 1e-3)).toFixed(1)} runs/s${left}`;
    if (tty) {
      process.stdout.write(`\r${line.padEnd(Math.min(process.stdout.columns ?? 100, 100) - 1)}`);
    } else if (t - lastPlain >= 10 || failed > 0) {
      lastPlain = t;
      say(`  ${line}`);
    }
  };
}

function indent(text: string, by = "    "): string {
  return text
    .split("\n")
    .map((l) => by + l)
    .join("\n");
}

/** The message without the worker's stack lines. */
function messageOf(f: HuntFailure): string {
  return f.detail
    .split("\n")
    .filter((l) => !/^\s+at /.test(l))
    .join("\n");
}

async function reportFailure(part: HuntPart, r: HuntResult, f: HuntFailure, s: HuntSettings): Promise<void> {
  if (f.kind === "setup") {
    say(`--- FAIL: hunt-${part.id}: no run could start\n${indent(messageOf(f))}`);
    return;
  }
  const schedule = scheduleOf(part, f.seed);
  const shrunk = f.shrunk;
  const keep = shrunk !== undefined ? shrunk.keep : f.keep;
  let message = messageOf(f);
  let timeline: string | undefined;
  // The run again here (it prints its title): the workers keep no events for a page, and
  // a second run that does not fail the same way would show the run is not a function of its seed.
  const replay = await replayRun(part, f.seed, keep, s.timeline);
  if (!replay.result.passed) {
    message = replay.message;
    timeline = replay.timeline;
  }
  say(`--- FAIL: hunt-${part.id} (seed ${f.seed}), found after ${(f.foundAfterMs / 1000).toFixed(1)} s and ${f.foundAfterRuns} runs`);
  say(indent(message.split("\n").slice(0, 12).join("\n")));
  say(`    replay: ${huntReplayCommand(part.id, f.seed, f.keep)}`);
  say(indent(formatSchedule(schedule, f.keep).join("\n")));
  if (shrunk !== undefined) {
    const n = f.keep?.length ?? schedule.faults.length;
    const how = `${shrunk.rounds} rounds, ${shrunk.runs} runs, ${(r.shrinkWallMs / 1000).toFixed(1)} s${shrunk.minimal ? "" : "; stopped by its time limit"}`;
    if (shrunk.keep.length === n) {
      say(`    not shrunk: every one of its ${n} faults is needed (${how})`);
    } else {
      if (shrunk.keep.length === 0) {
        say(`    shrunk: it fails with no fault at all (${how}): the workload alone is enough`);
      } else {
        say(`    shrunk to ${shrunk.keep.length} of ${n} faults (${how}): ${shrunk.error}`);
        say(indent(formatSchedule(schedule, shrunk.keep).slice(1).join("\n")));
      }
      say(`    replay: ${huntReplayCommand(part.id, f.seed, shrunk.keep)}`);
    }
  }
  if (replay.result.passed) {
    say(`    warning: replayed in this process, seed ${f.seed} passed: the run is not a function of its seed (something reads real time or Math's randomness)`);
  } else if (timeline !== undefined) {
    say(`    timeline: ${timeline}`);
  }
  say(`    keep it: add this line to ${REGRESSIONS_FILE} (make test replays every line)\n      ${regressionLine(part.id, f.seed, keep, schedule, "what it found")}`);
}

async function main(): Promise<void> {
  const ids = process.argv.slice(2);
  if (ids.length !== 1) fail(`usage: hunt-cli.ts <part>; parts: ${HUNT_PARTS.map((p) => p.id).join(" ")}`);
  let part: HuntPart;
  let s: HuntSettings;
  try {
    part = huntPart(ids[0]!);
    s = huntSettingsFromEnv();
  } catch (e) {
    if (e instanceof HuntError) fail(e.message);
    throw e;
  }
  // A type error is reported as one, not as a run that "failed to reach agreement"; only
  // this part's run body and student files count (a stub of a later lab may not compile yet).
  const studentFiles = findPart(part.id)?.studentFiles ?? [];
  const tc = await typecheck({ buildInfoDir: ".labs-runs", files: [part.module, ...studentFiles] });
  if (!tc.ok) fail(describeTypeErrors(tc.output, studentFiles));

  const budget = [s.budget.seconds === undefined ? "" : `${s.budget.seconds} s`, s.budget.runs === undefined ? "" : `${s.budget.runs} runs`].filter((x) => x !== "").join(" or ");
  say(`hunt-${part.id}: random fault schedules${s.keep === undefined ? "" : ` (only faults ${s.keep.join(",") || "none"})`}, budget ${budget}${s.seed === undefined ? "" : `, seeds from ${s.seed}`}`);
  let r: HuntResult;
  try {
    r = await hunt(part.id, s.budget, {
      seed: s.seed,
      workers: s.workers,
      keep: s.keep,
      shrink: s.shrink,
      onRun: progress(part, s),
      onShrinkRound: (round, candidates) => say(`  shrinking: round ${round}, ${candidates.length} subset(s) of the faults`),
    });
  } catch (e) {
    if (e instanceof HuntError) fail(e.message);
    throw e;
  }
  if (process.stdout.isTTY === true) process.stdout.write("\n");
  say(
    `hunt-${part.id}: ${r.runs} runs in ${(r.wallMs / 1000).toFixed(1)} s (${r.runsPerSecond.toFixed(1)} runs/s, ` +
      `${r.runs > 0 ? (r.cpuMs / r.runs / 1000).toFixed(3) : "-"} CPU s per run), seeds ${r.seeds.first}..${r.seeds.last}; logs in ${r.logDir}`,
  );
  if (r.failure === undefined) {
    say(`hunt-${part.id}: no failure found`);
    process.exit(0);
  }
  await reportFailure(part, r, r.failure, s);
  process.exit(1);
}

await main();
