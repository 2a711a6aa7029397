// `make test-XX`: runs one lab part's graded tests (or everything, for `make test`),
// honouring SEED, RUN, COUNT, TRACE, DEBUG, REALTIME and PARALLEL.
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { EnvError, readTestEnv, type TestEnv } from "../harness/env.js";
import { allReferenceTests, findPart, PARTS, referenceTestsToRun, testsToRun, type LabPart } from "../labs.js";
import { selectTests as selectFrom, SelectError } from "./select-tests.js";
import { sweep, sweepOptionsFromEnv, type SweepOptions } from "./sweep.js";
import { runVitest, type VitestCounts } from "./vitest-run.js";
import { describeTypeErrors, typecheck } from "./typecheck.js";
import { staticCheckParts } from "./static-check.js";
import { PlanError } from "./work-plan.js";

const RUNS_DIR = ".labs-runs";

function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The graded tests of these parts that RUN selects (Go's -run: an unanchored regex). RUN
 * may select reference tests only (their names are in their files, not the manifest).
 */
function selectTests(parts: LabPart[], run: string | undefined, referenceFiles: readonly string[] = []): string[] {
  try {
    return selectFrom(parts, run);
  } catch (e) {
    if (e instanceof SelectError && referenceFiles.length > 0) return [];
    if (e instanceof SelectError) fail(e.message);
    throw e;
  }
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

function closingLine(c: { passed: number; failed: number; skipped: number }): string {
  return `${c.passed} passed, ${c.failed} failed` + (c.skipped > 0 ? `, ${c.skipped} skipped` : "");
}

/** The graded MapReduce script, which runs real processes in real time. */
async function runMr(env: TestEnv): Promise<VitestCounts> {
  const dir = runDir();
  const json = path.join(dir, "mr.json");
  const args = ["tsx", findPart("mr")!.testFiles[0]!, "--json", json];
  if (env.count > 1) args.push("--count", String(env.count));
  if (env.run !== undefined) args.push("--run", env.run);
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
 * COUNT=1: one vitest process for the graded tests, then one for the parts' reference
 * tests where our reference solution is present (RUN filters both); output to the terminal.
 */
async function runOnce(parts: LabPart[], env: TestEnv): Promise<VitestCounts> {
  const reference = referenceTestsToRun(parts, ".");
  const tests = selectTests(parts, env.run, reference);
  const files = [...new Set(parts.flatMap((p) => p.testFiles))];
  const dir = runDir();
  // Tests filtered out by name show up as skipped in vitest's report; they were not run.
  const total: VitestCounts = { passed: 0, failed: 0, skipped: 0, ok: true };
  if (tests.length > 0) {
    const c = await runVitest({
      files,
      namePattern: `^(${tests.map(escapeRe).join("|")})$`,
      env: envFor(env),
      reportFile: path.join(dir, "report.json"),
    });
    total.passed += c.passed;
    total.failed += c.failed;
    total.ok &&= c.ok;
  }
  if (reference.length > 0) {
    process.stdout.write(`\n===== reference tests (our solution's internals; not in a handout) =====\n`);
    const r = await runVitest({
      files: reference,
      ...(env.run === undefined ? {} : { namePattern: env.run }),
      env: envFor(env),
      reportFile: path.join(dir, "reference.json"),
      passWithNoTests: env.run !== undefined,
    });
    total.passed += r.passed;
    total.failed += r.failed;
    total.ok &&= r.ok;
  }
  return total;
}

/** COUNT=n: the many-seeds runner (long-lived workers, one world per seed). */
async function runMany(parts: LabPart[]): Promise<VitestCounts> {
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
  const ids = process.argv.slice(2);
  if (ids.length === 0) fail(`usage: run.ts <part…|all>; parts: ${PARTS.map((p) => p.id).join(" ")}`);
  let env: TestEnv;
  try {
    env = readTestEnv();
  } catch (e) {
    if (e instanceof EnvError) fail(e.message);
    throw e;
  }
  let counts: VitestCounts;
  if (ids.length === 1 && ids[0] === "all") {
    await typecheckFirst(PARTS, true);
    counts = await runAll(env);
  } else {
    const parts = ids.map((id) => findPart(id) ?? fail(`unknown part ${id}; parts: ${PARTS.map((p) => p.id).join(" ")}`));
    for (const p of parts) {
      const missing = p.testFiles.filter((f) => !existsSync(f));
      if (missing.length > 0) fail(`part ${p.id} is not built yet (missing ${missing.join(", ")})`);
    }
    await typecheckFirst(parts);
    if (parts.some((p) => p.realProcesses)) {
      if (parts.length > 1) fail("run mr on its own: make test-mr");
      counts = await runMr(env);
    } else {
      counts = env.count > 1 ? await runMany(parts) : await runOnce(parts, env);
    }
  }
  process.stdout.write(`${closingLine(counts)}\n`);
  process.exit(counts.ok && counts.failed === 0 ? 0 : 1);
}

/**
 * Once per invocation, before any test: a type error in the parts' test files or anything
 * they import (the student files among them) is reported as one (exit 2), not as failed
 * tests. `all` checks the whole project.
 */
async function typecheckFirst(parts: LabPart[], wholeProject = false): Promise<void> {
  const files = wholeProject ? undefined : [...new Set(parts.flatMap((p) => [...p.testFiles, ...p.studentFiles]))];
  const r = await typecheck({ buildInfoDir: RUNS_DIR, files });
  if (!r.ok) fail(describeTypeErrors(r.output, [...new Set(parts.flatMap((p) => p.studentFiles))]));
  // What the sandbox would refuse, said before any test (Labs 2-4; Lab 1's processes have
  // the permission model instead).
  const problems = staticCheckParts(".", parts);
  if (problems.length > 0) fail(`student code uses what the sandbox refuses (labs-test/sandbox/policy.ts):\n${problems.join("\n")}`);
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
    lines.push(`  ${title}: ${closingLine(c)}`);
  }
  process.stdout.write(`\n===== summary =====\n${lines.join("\n")}\n`);
  return total;
}

await main();
