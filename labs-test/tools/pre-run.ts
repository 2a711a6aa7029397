// What the runner checks before any test of a run starts (make test-XX, make test, and
// each re-run of make watch-XX). A failed check is reported as itself, with no test run:
// a type error as a type error, not as tests that fail for reasons the student cannot see.
import { PARTS, type LabPart } from "../labs.js";
import path from "node:path";
import { staticCheckParts } from "./static-check.js";
import { StaticCheckCache } from "./static-check-cache.js";
import { mark } from "./timing.js";
import { describeTypeErrors, typecheck, type TypecheckResult } from "./typecheck.js";

/** The scratch folder of the runner's checks and runs (gitignored). */
export const RUNS_DIR = ".labs-runs";

/** What a check covers: some parts, or (make test) the whole project. */
export interface CheckScope {
  parts: LabPart[];
  wholeProject: boolean;
}

/** A check before the tests: undefined when they may run, or the message to print instead. */
export type PreRunCheck = (scope: CheckScope) => Promise<string | undefined>;

/** The files whose closure a part's type check covers: its test files and its student files. */
export function typecheckFiles(parts: readonly LabPart[]): string[] {
  return [...new Set(parts.flatMap((p) => [...p.testFiles, ...p.studentFiles]))];
}

/** The message for a failed type check of these parts (their student files' errors first); testsRan: it ran beside the tests (make watch-XX). */
export function typeErrorMessage(r: TypecheckResult, parts: readonly LabPart[], testsRan = false): string | undefined {
  return r.ok ? undefined : describeTypeErrors(r.output, [...new Set(parts.flatMap((p) => p.studentFiles))], testsRan);
}

/**
 * tsc over the parts' test files and everything they import (the student files among
 * them), or the whole project; skipped while nothing it read has changed since a clean
 * check (typecheck.ts).
 */
export const typecheckOnce: PreRunCheck = (scope) => typecheckBy(scope, false);

/** typecheckOnce for a check that runs beside the tests (make watch-XX's first round): its message says they ran. */
export const typecheckBesideTests: PreRunCheck = (scope) => typecheckBy(scope, true);

async function typecheckBy(scope: CheckScope, testsRan: boolean): Promise<string | undefined> {
  const files = scope.wholeProject ? undefined : typecheckFiles(scope.parts);
  const r = await typecheck({ buildInfoDir: RUNS_DIR, files });
  return typeErrorMessage(r, scope.wholeProject ? PARTS : scope.parts, testsRan);
}

/**
 * What the sandbox would refuse in the parts' student code (an import outside the policy,
 * process, eval …), each with file:line (static-check.ts); files already checked are
 * answered from the cache (static-check-cache.ts). Lab 1's processes have Node's
 * permission model instead.
 */
export const staticCheckOnce: PreRunCheck = async (scope) => {
  // Files checked before (same content, same checker) are not parsed again.
  const cache = new StaticCheckCache(path.join(RUNS_DIR, "static-check.json"));
  const problems = staticCheckParts(".", scope.parts, cache);
  cache.save();
  return problems.length === 0 ? undefined : `student code uses what the sandbox refuses (labs-test/sandbox/policy.ts):\n${problems.join("\n")}`;
};

/**
 * The checks, in order; the first that fails stops the run. The type check comes first
 * (a watch passes its own, which keeps the program in memory between saves), then the
 * static check of student code.
 */
export function preRunChecks(typecheckStep: PreRunCheck = typecheckOnce): PreRunCheck[] {
  return [typecheckStep, staticCheckOnce];
}

/** The first failing check's message, or undefined when every check passes. */
export async function firstFailure(checks: readonly PreRunCheck[], scope: CheckScope): Promise<string | undefined> {
  for (const check of checks) {
    const msg = await check(scope);
    mark(`check ${check.name || "?"} done`);
    if (msg !== undefined) return msg;
  }
  return undefined;
}
