// The graded MapReduce script, test for test with the course's test-mr.sh (and
// test-mr-many.sh with --count n). Usage:
//   npx tsx mr/main/test-mr.ts [--count n] [--json out.json] [--run regex]
// Every process runs at most 180 s; every process started is killed and every socket
// and scratch folder removed on the way out, whether the run passes, fails or is
// interrupted. The student's coordinator and workers run under Node's permission model,
// confined to their job folder (test-mr-confine.ts).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { Command } from "commander";
import { RealClock } from "../../runtime/real-clock.js";
import { buildMr } from "../framework/build.js";
import { courseLikeCorpus } from "../framework/corpus.js";
import { coordinatorSock } from "../transport/endpoint.js";
import { gutenbergDir } from "../framework/paths.js";
import { confinedTo } from "./test-mr-confine.js";
import { killEverything, ProcessGroup } from "../framework/launch.js";
import { JobWatch } from "../framework/job-watch.js";
import { SUITE, type SuiteContext } from "./test-mr-suite.js";
import { say } from "../../labs-test/harness/say.js";

interface Outcome {
  name: string;
  passed: boolean;
  seconds: number;
  run: number;
}

function positive(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw new Error(`--count wants a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

const cmd = new Command("test-mr")
  .description("the MapReduce lab's graded tests (the course's test-mr.sh)")
  .option("--count <n>", "run the whole suite n times, one after the other (test-mr-many.sh)", "1")
  .option("--json <file>", "also write one {name, passed, seconds} entry per test per run")
  .option("--run <regex>", "only the tests whose name matches (like RUN= for the other parts)")
  .showHelpAfterError()
  .parse();
const opts = cmd.opts<{ count: string; json?: string; run?: string }>();
const count = positive(opts.count);
const selected = selectTests(opts.run);

/** The suite's tests that --run selects; a pattern that matches none is an error. */
function selectTests(run: string | undefined): typeof SUITE {
  if (run === undefined) return SUITE;
  let re: RegExp;
  try {
    re = new RegExp(run);
  } catch (e) {
    throw new Error(`--run: not a regular expression: ${(e as Error).message}`);
  }
  const picked = SUITE.filter((t) => re.test(t.name));
  if (picked.length === 0) throw new Error(`--run ${run} matches no test; the tests are: ${SUITE.map((t) => t.name).join(", ")}`);
  return picked;
}

// One socket per script run, so that runs by different people (or CI) side by side
// cannot collide, as they would on the course's single per-user name.
const socket = `${coordinatorSock()}-t${process.pid}`;
const base = mkdtempSync(join(tmpdir(), "labs-mr-"));
process.on("exit", () => {
  killEverything(); // before their folder goes
  rmSync(socket, { force: true });
  rmSync(base, { recursive: true, force: true });
});

function linkInputs(): string[] {
  const dir = gutenbergDir();
  const sources = dir
    ? readdirSync(dir).filter((n) => /^pg.*txt$/.test(n)).map((n) => join(dir, n))
    : courseLikeCorpus();
  say(dir ? `(inputs: the course texts in ${dir})` : "(inputs: no course texts here (../shared/data/gutenberg); generated stand-ins of the same size and names)");
  for (const src of sources) symlinkSync(resolve(src), join(base, basename(src)));
  // As the shell would expand ../pg*txt.
  return sources.map((s) => `../${basename(s)}`).sort();
}

async function runSuite(run: number, inputs: string[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const clock = new RealClock();
  for (const test of selected) {
    const dir = join(base, "mr-tmp");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const expectedDir = join(base, "expected");
    rmSync(expectedDir, { recursive: true, force: true });
    mkdirSync(expectedDir);
    rmSync(socket, { force: true });
    const group = new ProcessGroup();
    say(`*** Starting ${test.name} test.`);
    const t0 = clock.now();
    const activityFile = join(base, "mr-activity");
    rmSync(activityFile, { force: true });
    const watch = new JobWatch({ dir, activityFile, clock, ...test.watch });
    let stopped = false;
    let failSaid = false;
    const ctx: SuiteContext = {
      dir, inputs, socket, group, clock, watch, expectedDir,
      // The activity file is the one file outside dir the processes write (job-watch.ts).
      confine: confinedTo({ dir, base, socket, alsoWritable: [activityFile] }),
      say: (line) => {
        if (stopped) return;
        if (line.endsWith("test: FAIL")) failSaid = true;
        say(line);
      },
    };
    let passed: boolean;
    try {
      // A job that cannot finish fails now, with its likely cause, not at the 180 s limit.
      passed = await Promise.race([test.run(ctx), watch.stuck]);
    } catch (e) {
      stopped = true;
      // Its own check may have failed already while it waited for the processes to end.
      if (!failSaid) say(`--- ${test.name} test: FAIL`);
      say(`    (${failSaid ? "then stopped: " : ""}${(e as Error).message})`);
      passed = false;
    } finally {
      stopped = true;
      watch.stop();
      await group.dispose();
    }
    const seconds = Math.round((clock.now() - t0) / 100) / 10;
    say(`    (${test.name}: ${seconds.toFixed(1)} s)`);
    outcomes.push({ name: test.name, passed, seconds, run });
  }
  clock.stop();
  return outcomes;
}

async function main(): Promise<number> {
  await buildMr();
  const inputs = linkInputs();
  const all: Outcome[] = [];
  let failedTrial: number | undefined;
  const clock = new RealClock();
  for (let run = 1; run <= count; run++) {
    if (count > 1) say(`*** Trial ${run} of ${count}`);
    const outcomes = await runSuite(run, inputs);
    all.push(...outcomes);
    const ok = outcomes.every((o) => o.passed);
    say(ok ? "*** PASSED ALL TESTS" : "*** FAILED SOME TESTS");
    if (!ok) {
      failedTrial = run;
      break; // like test-mr-many.sh: stop at the first failing trial
    }
  }
  if (count > 1) {
    say(failedTrial === undefined ? `*** PASSED ALL ${count} TESTING TRIALS` : `*** FAILED TESTS IN TRIAL ${failedTrial}`);
    for (const t of selected) {
      const mine = all.filter((o) => o.name === t.name);
      const mean = mine.reduce((s, o) => s + o.seconds, 0) / Math.max(1, mine.length);
      say(`    ${t.name.padEnd(20)} ${mine.filter((o) => o.passed).length}/${mine.length} passed, mean ${mean.toFixed(1)} s`);
    }
  }
  say(`    (total ${(clock.now() / 1000).toFixed(1)} s)`);
  clock.stop();
  if (opts.json !== undefined) {
    writeFileSync(opts.json, JSON.stringify(all.map(({ name, passed, seconds }) => ({ name, passed, seconds })), null, 2) + "\n");
  }
  return failedTrial === undefined ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`test-mr: ${e instanceof Error ? e.message : String(e)}\n`);
    say("*** FAILED SOME TESTS");
    process.exit(1);
  },
);
