// What make test-XX runs in its one vitest run: graded and extra tests by exact name,
// reference tests only with REF=1 and only where our solution is present.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { findPart, referenceTestsToRun } from "../labs.js";
import { planRun } from "./run-plan.js";
import { SelectError } from "./select-tests.js";

const p2A = findPart("2A")!;
const p2B = findPart("2B")!;
const empty = mkdtempSync(path.join(tmpdir(), "labs-run-plan-"));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

test("graded and extra tests by exact name, in the parts' test files; no reference tests unless asked", () => {
  const { specs, notes } = planRun([p2A], undefined, false);
  expect(specs).toHaveLength(1);
  expect(specs[0]!.files).toEqual(p2A.testFiles);
  const re = specs[0]!.namePattern!;
  for (const t of [...p2A.tests, ...p2A.extraTests!]) expect(re.test(t), t).toBe(true);
  // Other parts' tests share the files: the names must keep them out.
  for (const t of [...p2B.tests, "TestInitialElection2AB", "xTestReElection2A"]) expect(re.test(t), t).toBe(false);
  expect(notes.join("\n")).toContain("REF=1 adds the reference tests");
});

test("REF=1 adds the reference tests, every test of theirs, or those RUN names", () => {
  const reference = referenceTestsToRun([p2A], ".");
  expect(reference.length).toBeGreaterThan(0);
  const all = planRun([p2A], undefined, true);
  expect(all.specs[1]).toEqual({ files: reference });
  const run = planRun([p2A], "Election", true);
  expect(run.specs[0]!.namePattern!.test("TestInitialElection2A")).toBe(true);
  expect(run.specs[0]!.namePattern!.test("TestReElection2A")).toBe(true);
  expect(run.specs[1]!.files).toEqual(reference);
  expect(run.specs[1]!.namePattern).toEqual(/Election/);
});

test("a RUN that names only reference tests runs them with REF=1, and says so without it", () => {
  const only = planRun([p2A], "PreVote", true);
  expect(only.specs).toEqual([{ files: referenceTestsToRun([p2A], "."), namePattern: /PreVote/ }]);
  expect(() => planRun([p2A], "PreVote", false)).toThrow(SelectError);
  expect(() => planRun([p2A], "PreVote", false)).toThrow(/reference tests run only with REF=1/);
});

test("where our solution is absent (a handout), REF=1 runs no reference test and says why", () => {
  const { specs, notes } = planRun([p2A], undefined, true, empty);
  expect(specs).toHaveLength(1);
  expect(notes.join("\n")).toMatch(/no reference tests to run here/);
  expect(() => planRun([p2A], "PreVote", true, empty)).toThrow(/matches no test of 2A/);
  expect(planRun([p2A], undefined, false, empty).notes).toEqual([]);
});
