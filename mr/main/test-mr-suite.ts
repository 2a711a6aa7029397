// The seven tests of the course's test-mr.sh, one function each, with its pass rule and
// its output lines. Each runs in a fresh mr-tmp folder whose parent holds the inputs,
// which are passed as ../pg-*.txt like the course's shell glob.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { RealClock } from "../../runtime/real-clock.js";
import { appPath, programPath } from "../framework/paths.js";
import { describeExit, type Proc, type ProcessGroup, type ProcResult } from "../framework/launch.js";
import { catLines, firstDifference, outputFiles, sortedNonEmpty } from "../framework/outputs.js";
import { compareKeys } from "../framework/key-order.js";
import { ACTIVITY_ENV } from "../framework/activity.js";
import type { JobWatch, JobWatchOptions } from "../framework/job-watch.js";
import { restartWorkersUntilDone } from "./restart-loop.js";
import { STALLS, stallMarker } from "../../apps/late.js";

export interface SuiteContext {
  /** The mr-tmp folder the test runs in. */
  dir: string;
  /** Input paths as the programs see them from dir, e.g. ../pg-grimm.txt. */
  inputs: string[];
  socket: string;
  group: ProcessGroup;
  clock: RealClock;
  /** Fails the test at once when its job cannot finish (mr/framework/job-watch.ts). */
  watch: JobWatch;
  /** A line of the test's output; silent once the test has been stopped. */
  say(line: string): void;
  /**
   * Node flags for the student's processes (coordinator, workers): Node's permission model
   * confining them to dir (test-mr-confine.ts).
   */
  confine: readonly string[];
  /** Where the expected output is made, beside dir: the student's processes cannot write there. */
  expectedDir: string;
}

export interface MrTest {
  name: string;
  run(ctx: SuiteContext): Promise<boolean>;
  /** How this test's job is watched, where the defaults do not fit. */
  watch?: Pick<JobWatchOptions, "workersGone">;
}

function coordinator(ctx: SuiteContext): Proc {
  return ctx.watch.coordinator(
    ctx.group.node(programPath("mrcoordinator"), ["--socket", ctx.socket, ...ctx.inputs], {
      cwd: ctx.dir,
      label: "mrcoordinator",
      env: { [ACTIVITY_ENV]: ctx.watch.activityFile },
      nodeFlags: ctx.confine,
    }),
  );
}

let workerCount = 0;
function worker(ctx: SuiteContext, app: string): Proc {
  return ctx.watch.worker(
    ctx.group.node(programPath("mrworker"), ["--socket", ctx.socket, appPath(app)], {
      cwd: ctx.dir,
      env: { [ACTIVITY_ENV]: ctx.watch.activityFile },
      label: `mrworker ${app} #${++workerCount}`,
      nodeFlags: ctx.confine,
    }),
  );
}

/**
 * Runs mrsequential in expectedDir (out of the student's processes' reach), keeps its
 * sorted non-empty lines, and removes its mr-out-0.
 */
async function reference(ctx: SuiteContext, app: string): Promise<string[]> {
  const r = await ctx.group.node(programPath("mrsequential"), [appPath(app), ...ctx.inputs], { cwd: ctx.expectedDir, label: "mrsequential" }).done;
  if (r.exitCode !== 0) throw new Error(`mrsequential ${app} failed (exit ${r.exitCode ?? r.signal ?? "?"}):\n${r.stderr.trim().slice(0, 2000)}`);
  const lines = sortedNonEmpty([join(ctx.expectedDir, "mr-out-0")]);
  for (const f of outputFiles(ctx.expectedDir)) rmSync(f);
  return lines;
}

/** Starting pause: the coordinator needs a moment to create its socket. */
const pause = (ctx: SuiteContext): Promise<void> => ctx.clock.sleep(1000);

const all = (ps: Proc[]): Promise<ProcResult[]> => Promise.all(ps.map((p) => p.done));

/** Extra lines after a FAIL: the processes that did not end well, and what they said. */
function explain(ctx: SuiteContext, results: ProcResult[]): void {
  for (const r of results) {
    if (r.exitCode !== 0 || r.timedOut) ctx.say(`    (${describeExit(r)})`);
  }
}

function compareWith(ctx: SuiteContext, want: string[], what: string, results: () => ProcResult[]): boolean {
  const got = sortedNonEmpty(outputFiles(ctx.dir));
  const diff = firstDifference(got, want);
  if (diff === undefined) {
    ctx.say(`--- ${what} test: PASS`);
    return true;
  }
  ctx.say(`--- ${what} output is not the same as mr-correct-${what}.txt`);
  ctx.say(`    (${diff})`);
  explain(ctx, results());
  ctx.say(`--- ${what} test: FAIL`);
  return false;
}

/** Collects results as processes end, for failure reports. */
function track(ps: Proc[]): () => ProcResult[] {
  const seen: ProcResult[] = [];
  for (const p of ps) void p.done.then((r) => seen.push(r));
  return () => seen;
}

/**
 * The common start: a coordinator, the pause, one background and one foreground
 * worker; resolves when the foreground worker has exited.
 */
async function twoWorkersRun(ctx: SuiteContext, app: string): Promise<{ rest: Proc[]; seen: () => ProcResult[] }> {
  const c = coordinator(ctx);
  await pause(ctx);
  const bg = worker(ctx, app);
  const fg = worker(ctx, app);
  const seen = track([c, bg, fg]);
  await fg.done;
  return { rest: [c, bg], seen };
}

const wc: MrTest = {
  name: "wc",
  async run(ctx) {
    const want = await reference(ctx, "wc");
    const c = coordinator(ctx);
    await pause(ctx);
    const ws = [worker(ctx, "wc"), worker(ctx, "wc"), worker(ctx, "wc")];
    const seen = track([c, ...ws]);
    // Only the coordinator is waited for: its exit must mean the output is final.
    await c.done;
    const ok = compareWith(ctx, want, "wc", seen);
    await all(ws);
    return ok;
  },
};

const indexer: MrTest = {
  name: "indexer",
  async run(ctx) {
    const want = await reference(ctx, "indexer");
    // A worker's exit must also mean the output is final.
    const { rest, seen } = await twoWorkersRun(ctx, "indexer");
    const ok = compareWith(ctx, want, "indexer", seen);
    await all(rest);
    return ok;
  },
};

const mapParallelism: MrTest = {
  name: "map parallelism",
  async run(ctx) {
    const { rest, seen } = await twoWorkersRun(ctx, "mtiming");
    const lines = catLines(outputFiles(ctx.dir));
    let ok = true;
    const nt = lines.filter((l) => l.startsWith("times-")).length;
    if (nt !== 2) {
      ctx.say(`--- saw ${nt} workers rather than 2`);
      ctx.say("--- map parallelism test: FAIL");
      ok = false;
    }
    if (lines.some((l) => /^parallel.* 2/.test(l))) {
      ctx.say("--- map parallelism test: PASS");
    } else {
      ctx.say("--- map workers did not run in parallel");
      ctx.say("--- map parallelism test: FAIL");
      ok = false;
    }
    if (!ok) explain(ctx, seen());
    await all(rest);
    return ok;
  },
};

const reduceParallelism: MrTest = {
  name: "reduce parallelism",
  async run(ctx) {
    const { rest, seen } = await twoWorkersRun(ctx, "rtiming");
    const nt = catLines(outputFiles(ctx.dir)).filter((l) => /^[a-z] 2/.test(l)).length;
    let ok = true;
    if (nt < 2) {
      ctx.say("--- too few parallel reduces");
      explain(ctx, seen());
      ctx.say("--- reduce parallelism test: FAIL");
      ok = false;
    } else {
      ctx.say("--- reduce parallelism test: PASS");
    }
    await all(rest);
    return ok;
  },
};

const jobCount: MrTest = {
  name: "job count",
  async run(ctx) {
    const c = coordinator(ctx);
    await pause(ctx);
    const first = [worker(ctx, "jobcount"), worker(ctx, "jobcount")];
    await first[1]!.done;
    // Late workers: the job is done, so they must run no map task.
    const late = [worker(ctx, "jobcount"), worker(ctx, "jobcount")];
    const seen = track([c, ...first, ...late]);
    await late[1]!.done;
    // NT=$(cat mr-out* | awk '{print $2}'); [ "$NT" -eq "8" ]
    const nt = catLines(outputFiles(ctx.dir))
      .map((l) => l.trim().split(/\s+/)[1] ?? "")
      .join("\n")
      .replace(/\n+$/, "");
    const ok = nt.trim() === "8";
    if (ok) ctx.say("--- job count test: PASS");
    else {
      ctx.say(`--- map jobs ran incorrect number of times (${nt.replace(/\n/g, " ")} != 8)`);
      explain(ctx, seen());
      ctx.say("--- job count test: FAIL");
    }
    await all([c, first[0]!, late[0]!]);
    return ok;
  },
};

const earlyExit: MrTest = {
  name: "early exit",
  async run(ctx) {
    const c = coordinator(ctx);
    await pause(ctx);
    const ws = [worker(ctx, "early_exit"), worker(ctx, "early_exit"), worker(ctx, "early_exit")];
    const everyone = [c, ...ws];
    const seen = track(everyone);
    // The first of the four to exit: from then on the output must not change.
    await Promise.race(everyone.map((p) => p.done));
    const atFirstExit = sortedNonEmpty(outputFiles(ctx.dir));
    await all(everyone);
    const atEnd = sortedNonEmpty(outputFiles(ctx.dir));
    const diff = firstDifference(atFirstExit, atEnd);
    // The course compares the two snapshots only, which also passes when no output
    // appears at all; the job must also have finished: one "file 1" line per input.
    const incomplete = firstDifference(atEnd, ctx.inputs.map((f) => `${f} 1`).sort(compareKeys));
    if (diff === undefined && incomplete === undefined) {
      ctx.say("--- early exit test: PASS");
      return true;
    }
    if (diff !== undefined) {
      ctx.say("--- output changed after first worker exited");
      ctx.say(`    (${diff})`);
    } else {
      ctx.say("--- early exit output is not complete");
      ctx.say(`    (${incomplete ?? ""})`);
    }
    explain(ctx, seen());
    ctx.say("--- early exit test: FAIL");
    return false;
  },
};

const crash: MrTest = {
  name: "crash",
  // Its restart loops leave moments with no worker alive.
  watch: { workersGone: false },
  async run(ctx) {
    const want = await reference(ctx, "nocrash");
    const c = coordinator(ctx);
    // Crash workers die by design; only the coordinator's end is worth reporting.
    const seen = track([c]);
    let coordinatorDone = false; // the course's mr-done marker
    void c.done.then(() => (coordinatorDone = true));
    await pause(ctx);
    const procs: Proc[] = [c, worker(ctx, "crash")];
    // Three restart loops: until the coordinator exits, run a crash worker, rest 1 s
    // (waiting for its socket however long it takes to appear).
    const loop = (): Promise<void> =>
      restartWorkersUntilDone({
        socket: ctx.socket,
        coordinatorDone: () => coordinatorDone,
        startWorker: () => {
          const w = worker(ctx, "crash");
          procs.push(w);
          return w;
        },
        sleep: (ms) => ctx.clock.sleep(ms),
      });
    await Promise.all([loop(), loop(), loop(), ...procs.map((p) => p.done)]);
    await all(procs);
    rmSync(ctx.socket, { force: true });
    return compareWith(ctx, want, "crash", seen);
  },
};

// ---- ours (manifest: extraTests): not in test-mr.sh ------------------------------------

/** Every distinct content seen in each mr-out-* file while polling, until stop() is called. */
function watchOutputs(ctx: SuiteContext): { stop: () => Promise<Map<string, Set<string>>> } {
  const seen = new Map<string, Set<string>>();
  let running = true;
  const poll = async (): Promise<void> => {
    while (running) {
      for (const f of outputFiles(ctx.dir)) {
        let text: string;
        try {
          text = readFileSync(f, "utf8");
        } catch {
          continue; // renamed away between listing and reading
        }
        const set = seen.get(f) ?? new Set<string>();
        set.add(text);
        seen.set(f, set);
      }
      await ctx.clock.sleep(20);
    }
  };
  const loop = poll();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

// Workers that stall past the 10 s timeout in the middle of reduce tasks while staying
// alive, then finish and report long after their tasks were redone (apps/late): the
// coordinator's exit must mean the output is final (a late report must not count as new
// progress), no mr-out file may ever be seen half-written, and the output must be exact.
const lateWorker: MrTest = {
  name: "late worker",
  async run(ctx) {
    const want = await reference(ctx, "late");
    const watch = watchOutputs(ctx);
    const c = coordinator(ctx);
    await pause(ctx);
    const ws = [worker(ctx, "late"), worker(ctx, "late"), worker(ctx, "late")];
    const seen = track([c, ...ws]);
    await c.done;
    const atExit = firstDifference(sortedNonEmpty(outputFiles(ctx.dir)), want);
    await all(ws);
    const observed = await watch.stop();
    // The evidence first, then guesses that fit it: a half-written file explains an early
    // or wrong output by itself; an early exit ends the job before the stalls repeat.
    let ok = true;
    const halfWritten: string[] = [];
    for (const [f, contents] of observed) {
      const final = existsSync(f) ? readFileSync(f, "utf8") : undefined;
      const partial = [...contents].find((text) => text !== final);
      if (partial !== undefined) {
        halfWritten.push(`${basename(f)} was seen with ${partial.length} bytes, but ends with ${final?.length ?? "no"} bytes`);
      }
    }
    if (halfWritten.length > 0) {
      ctx.say("--- an mr-out file was seen half-written: write to a temporary file and rename it when complete");
      for (const h of halfWritten) ctx.say(`    (${h})`);
      ok = false;
    }
    if (atExit !== undefined) {
      ctx.say(
        halfWritten.length > 0
          ? "--- the coordinator exited before the output was complete (see the half-written file above)"
          : "--- the coordinator exited before the output was complete: did it take a late worker's report of a task " +
              "it had already handed to another worker as new progress?",
      );
      ctx.say(`    (${atExit})`);
      ok = false;
    } else {
      for (const [key, st] of Object.entries(STALLS)) {
        if (!existsSync(join(ctx.dir, stallMarker(key, st.times)))) {
          ctx.say(`--- fewer than ${st.times} worker(s) stalled on key ${key}: tasks were not handed out again after 10 s?`);
          ok = false;
        }
      }
    }
    if (seen().some((r) => r.exitCode !== 0 || r.timedOut)) {
      ctx.say("--- a process did not exit cleanly");
      ok = false;
    }
    if (!ok) {
      explain(ctx, seen());
      ctx.say("--- late worker test: FAIL");
      return false;
    }
    return compareWith(ctx, want, "late worker", seen);
  },
};

/** In the course's order. */
export const SUITE: MrTest[] = [wc, indexer, mapParallelism, reduceParallelism, jobCount, earlyExit, crash, lateWorker];
