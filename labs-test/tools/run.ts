// `make test-XX`, `make test` and `make watch-XX`: run one lab part's tests (or
// everything), honouring SEED, RUN, COUNT, TRACE, DEBUG, REALTIME, VIS, REF and PARALLEL.
// Each run first passes the pre-run checks (pre-run.ts: the type check, then the static check
// of student code) and transpiles the student files that changed for the sandbox, then:
// - COUNT=1: one vitest run inside this process (graded, extra and, with REF=1,
//   reference tests together);
// - COUNT=n: the many-seeds runner (sweep.ts);
// - mr: the MapReduce script (real processes);
// - all (make test): vitest processes over every test file, then the mr script;
// - --watch: the same as COUNT=1, then again each time a student file is saved (watch.ts).
// The Makefile runs it bundled by esbuild into .labs-runs/runner/run.mjs (plain Node, no
// tsx loader: see the Makefile), so a module it imports must not find files beside itself
// through import.meta.url (find a package with createRequire, or use the working
// directory, which is the repository's root). Heavy libraries load only on the path that
// needs them. `tsx labs-test/tools/run.ts 2A` runs it unbundled, only slower.
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { EnvError, readTestEnv, type TestEnv } from "../harness/env.js";
import { allReferenceTests, findPart, PARTS, referenceTestsToRun, type LabPart } from "../labs.js";
import { firstFailure, preRunChecks, RUNS_DIR, type CheckScope } from "./pre-run.js";
import { prepareChanged } from "../sandbox/prepare-changed.js";
import { planRun, type RunPlan } from "./run-plan.js";
import { SelectError } from "./select-tests.js";
import type { SweepOptions } from "./sweep.js";
import { mark } from "./timing.js";
import { closingLine, countsLine, runVitest, VitestSession, type VitestCounts } from "./vitest-run.js";

mark("runner loaded");

function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

function runDir(): string {
  const dir = path.join(RUNS_DIR, `${process.pid}-${randomInt(1e9)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function envFor(env: TestEnv, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  if (env.seed !== undefined) out.SEED = String(env.seed);
  if (env.realtime) out.REALTIME = "1";
  if (env.trace !== undefined) out.TRACE = path.resolve(env.trace);
  if (env.debug !== undefined) out.DEBUG = env.debug;
  if (env.run !== undefined) out.RUN = env.run;
  return { ...out, ...extra };
}

/** The graded MapReduce script, which runs real processes in real time. */
async function runMr(env: TestEnv): Promise<VitestCounts> {
  const dir = runDir();
  const json = path.join(dir, "mr.json");
  const args = ["tsx", findPart("mr")!.testFiles[0]!, "--json", json];
  if (env.count > 1) args.push("--count", String(env.count));
  if (env.run !== undefined) args.push("--run", env.run);
  const { execa } = await import("execa");
  const r = await execa(args[0]!, args.slice(1), { stdio: "inherit", reject: false, preferLocal: true });
  let results: Array<{ passed: boolean }> = [];
  try {
    results = JSON.parse(readFileSync(json, "utf8")) as Array<{ passed: boolean }>;
  } catch {
    return { passed: 0, failed: 1, skipped: 0, ok: false };
  }
  const passed = results.filter((x) => x.passed).length;
  const failed = results.length - passed + (r.exitCode !== 0 && passed === results.length ? 1 : 0);
  return { passed, failed, skipped: 0, ok: r.exitCode === 0 };
}

/**
 * COUNT=1: one vitest run, inside this process, of the parts' graded and extra tests and,
 * with REF=1, their reference tests (RUN filters all of them); output to the terminal.
 */
async function runOnce(plan: RunPlan, session: VitestSession): Promise<VitestCounts> {
  for (const n of plan.notes) process.stdout.write(`${n}\n`);
  try {
    return await session.run(plan.specs);
  } finally {
    await session.close();
  }
}

/**
 * What a COUNT=1 run executes (run-plan.ts), or exit with RUN's error. Puts the settings
 * into this process's environment, which vitest's workers inherit.
 */
function planOrFail(parts: LabPart[], env: TestEnv): RunPlan {
  try {
    const plan = planRun(parts, env.run, env.ref);
    Object.assign(process.env, envFor(env));
    return plan;
  } catch (e) {
    if (e instanceof SelectError) fail(e.message);
    throw e;
  }
}

/** COUNT=n: the many-seeds runner (long-lived workers, one world per seed). */
async function runMany(parts: LabPart[]): Promise<VitestCounts> {
  const { sweep, sweepOptionsFromEnv } = await import("./sweep.js");
  const { PlanError } = await import("./work-plan.js");
  let o: SweepOptions;
  try {
    o = sweepOptionsFromEnv(parts, runDir());
  } catch (e) {
    if (e instanceof PlanError || e instanceof SelectError) fail(e.message);
    throw e;
  }
  const r = await sweep(o);
  return { passed: r.records.length - r.failed, failed: r.failed, skipped: 0, ok: r.failed === 0 };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const watch = args[0] === "--watch";
  const ids = watch ? args.slice(1) : args;
  if (ids.length === 0) fail(`usage: run.ts [--watch] <part…|all>; parts: ${PARTS.map((p) => p.id).join(" ")}`);
  let env: TestEnv;
  try {
    env = readTestEnv();
  } catch (e) {
    if (e instanceof EnvError) fail(e.message);
    throw e;
  }
  if (ids.length === 1 && ids[0] === "all") {
    if (watch) fail("watch one part at a time: make watch-2A");
    await checkFirst({ parts: PARTS, wholeProject: true });
    finish(await runAll(env));
  }
  const parts = ids.map((id) => findPart(id) ?? fail(`unknown part ${id}; parts: ${PARTS.map((p) => p.id).join(" ")}`));
  for (const p of parts) {
    const missing = p.testFiles.filter((f) => !existsSync(f));
    if (missing.length > 0) fail(`part ${p.id} is not built yet (missing ${missing.join(", ")})`);
  }
  const realProcesses = parts.some((p) => p.realProcesses);
  if (watch) {
    if (realProcesses) fail("make watch-XX runs the simulated parts; for mr, run make test-mr");
    if (env.count > 1) fail("make watch-XX runs each test once per save; COUNT is for make test-XX");
    const { watchParts } = await import("./watch.js");
    await watchParts(parts, planOrFail(parts, env));
    return;
  }
  if (realProcesses && parts.length > 1) fail("run mr on its own: make test-mr");
  if (realProcesses || env.count > 1) {
    await checkFirst({ parts, wholeProject: false });
    finish(realProcesses ? await runMr(env) : await runMany(parts));
  }
  // vitest loads (0.6 CPU s) while the checks run: a tsc process, when one is needed, has
  // the other core. No test starts before the checks pass.
  const plan = planOrFail(parts, env);
  const session = VitestSession.open();
  session.catch(() => undefined); // its error is reported where it is awaited, after the checks
  await checkFirst({ parts, wholeProject: false });
  const opened = await session;
  mark("vitest open");
  finish(await runOnce(plan, opened));
}

/** The closing line (the CI reads it), then exit: 0 when everything passed. */
function finish(counts: VitestCounts): never {
  process.stdout.write(`${closingLine(counts)}\n`);
  process.exit(counts.ok && counts.failed === 0 ? 0 : 1);
}

/**
 * Once per invocation, before any test: a failed pre-run check is reported as itself (exit
 * 2). Then the student files that changed since the last run are transpiled for the
 * sandbox here, once, rather than in each of vitest's workers (prepared.ts, prepare-changed.ts).
 */
async function checkFirst(scope: CheckScope): Promise<void> {
  const msg = await firstFailure(preRunChecks(), scope);
  if (msg !== undefined) fail(msg);
  prepareChanged(".");
  mark("student code prepared");
}

/** `make test`: every vitest file, labrpc again on the wall clock, then the mr script. */
async function runAll(env: TestEnv): Promise<VitestCounts> {
  if (env.run !== undefined || env.count > 1) fail("make test runs everything once; use make test-XX for RUN or COUNT");
  const dir = runDir();
  // Reference tests of parts whose student files no longer hold our solution do not run
  // (in a handout they are not there at all, and nothing is said).
  const present = new Set(referenceTestsToRun(PARTS, "."));
  const absentReference = allReferenceTests().filter((f) => !present.has(f) && existsSync(f));
  if (absentReference.length > 0) process.stdout.write(`not running reference tests (our solution is not here): ${absentReference.join(", ")}\n`);
  const steps: Array<[string, () => Promise<VitestCounts>]> = [
    [
      "all vitest suites (simulated time)",
      () => runVitest({ files: [], exclude: absentReference, env: envFor(env), reportFile: path.join(dir, "all.json") }),
    ],
    [
      "labrpc on the wall clock (REALTIME=1)",
      () =>
        runVitest({
          files: findPart("labrpc")!.testFiles,
          env: envFor({ ...env, realtime: true }),
          reportFile: path.join(dir, "labrpc-rt.json"),
        }),
    ],
  ];
  if (existsSync(findPart("mr")!.testFiles[0]!)) steps.push(["MapReduce (real processes)", () => runMr(env)]);
  const total: VitestCounts = { passed: 0, failed: 0, skipped: 0, ok: true };
  const lines: string[] = [];
  for (const [title, step] of steps) {
    process.stdout.write(`\n===== ${title} =====\n`);
    const c = await step();
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
    total.ok &&= c.ok;
    lines.push(`  ${title}: ${countsLine(c)}`);
  }
  process.stdout.write(`\n===== summary =====\n${lines.join("\n")}\n`);
  return total;
}

await main();
