// Run graded tests in this process, one seed each, the way a many-seeds worker does:
// for profiling (`node --cpu-prof --import tsx labs-test/tools/in-process.ts 3A 3B --seed 1`)
// and for timing test bodies without any process start-up in the figures. `--count n` runs
// seeds seed..seed+n-1 (test bodies per CPU second, as a worker runs them); `--extra` adds
// the parts' extra tests, as the runner does.
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { processCpuMs, RealClock } from "../../runtime/real-clock.js";
import { collected, startCollecting, type GradedCase, type PlainCase } from "../harness/registry.js";
import { runGraded } from "../harness/run-graded.js";
import { findPart, testsToRun } from "../labs.js";
import { installSandbox } from "../sandbox/install.js";
import { prepareChanged } from "../sandbox/prepare-changed.js";
import { freshStudentModules } from "../sandbox/student-modules.js";
import { limitsOf } from "./seed-pool.js";
import { selectTests } from "./select-tests.js";

const cmd = new Command("in-process")
  .argument("<parts...>", "lab parts, e.g. 3A 3B")
  .option("--seed <n>", "seed for every test", "1")
  .option("--run <regex>", "only the tests whose names match")
  .option("--hash", "print a hash of each run's whole trace (compare two versions of the code)")
  .option("--count <n>", "run seeds seed..seed+n-1", "1")
  .option("--extra", "also the parts' extra tests (what the runner runs)")
  .option("--fresh", "fresh student modules before each run, as a many-seeds worker does (sandbox only)")
  .option("--no-sandbox", "load student files as plain modules (to measure the sandbox's cost; never for grading)")
  .parse();
const o = cmd.opts<{ seed: string; run?: string; hash?: boolean; count: string; extra?: boolean; sandbox: boolean; fresh?: boolean }>();
const parts = cmd.args.map((id) => {
  const p = findPart(id);
  if (p === undefined || p.realProcesses) throw new Error(`not a simulated lab part: ${id}`);
  return p;
});
const seed = Number(o.seed);
if (!Number.isSafeInteger(seed) || seed < 1) throw new Error(`--seed ${o.seed}: want a positive integer`);
const count = Number(o.count);
if (!Number.isSafeInteger(count) || count < 1) throw new Error(`--count ${o.count}: want a positive integer`);

register("./vitest-shim-hooks.ts", import.meta.url);
// As make test-XX's runner does before its workers start: student files transpiled once
// into .labs-runs/prepared/, so no test below pays for loading TypeScript (a worker of
// make test-XX or of the grader never does on an unchanged tree).
if (o.sandbox) {
  prepareChanged(".");
  installSandbox();
}
startCollecting();
for (const f of new Set(parts.flatMap((p) => p.testFiles))) await import(pathToFileURL(path.resolve(f)).href);

const total = new RealClock();
const cpu0 = processCpuMs();
const cpuByTest = new Map<string, number>();
const names = selectTests(parts, o.run, o.extra === true ? testsToRun : (p) => p.tests);
for (let s = seed; s < seed + count; s++) {
  for (const name of names) {
    const c = collected().get(name);
    if (c === undefined) throw new Error(`${name} is not a test in the loaded files`);
    const t0 = processCpuMs();
    if (o.fresh === true && o.sandbox) freshStudentModules();
    const line = c.kind === "graded" ? await graded(c, s) : await plain(c, s);
    cpuByTest.set(name, (cpuByTest.get(name) ?? 0) + processCpuMs() - t0);
    process.stderr.write(`${name.padEnd(62)} ${line}\n`);
  }
}
if (count > 1) {
  for (const [name, ms] of cpuByTest) process.stderr.write(`${name.padEnd(40)} mean CPU ${(ms / count).toFixed(0).padStart(6)} ms\n`);
}
const cpuS = (processCpuMs() - cpu0) / 1000;
process.stderr.write(`total wall ${(total.now() / 1000).toFixed(1)} s, CPU ${cpuS.toFixed(1)} s: ${(count / cpuS).toFixed(2)} seeds per CPU second\n`);

async function graded(c: GradedCase, s: number): Promise<string> {
  const { result } = await runGraded(c.name, c.body, c.opts, { seed: s, realtime: false, limitMs: limitsOf(parts)(c.name), hash: o.hash });
  const figures = `${(result.virtualMs / 1000).toFixed(1).padStart(6)} virtual s ${(result.wallMs / 1000).toFixed(2).padStart(6)} wall s`;
  const digest = result.digest === undefined ? "" : ` ${result.digest.slice(0, 16)}`;
  return `${result.passed ? "ok  " : "FAIL"} ${figures}${digest}${result.error === undefined ? "" : `: ${result.error}`}`;
}

/** A plain test makes its own worlds from SEED, as under vitest (the worker does the same). */
async function plain(c: PlainCase, s: number): Promise<string> {
  process.env.SEED = String(s);
  const wall = new RealClock();
  try {
    await c.body();
    return `ok   ${(wall.now() / 1000).toFixed(2).padStart(24)} wall s`;
  } catch (e) {
    return `FAIL ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
  } finally {
    wall.stop();
  }
}
