// What one run of make test-XX (COUNT=1) or one round of make watch-XX executes: the
// parts' graded and extra tests by name, and with REF=1 their reference tests, all in one
// vitest run (each file with its own name filter).
import { referenceTestsToRun, type LabPart } from "../labs.js";
import { selectTests, SelectError } from "./select-tests.js";
import type { VitestSpec } from "./vitest-run.js";

export interface RunPlan {
  specs: VitestSpec[];
  /** Lines to print before the run (which reference tests run, or why none do). */
  notes: string[];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The specs for these parts. Graded and extra tests: those of the manifest that RUN (Go's
 * -run, an unanchored regex) selects, matched by exact name in the parts' test files
 * (which hold other parts' tests too). Reference tests, with withReference and where our
 * solution is present: every test in their files, or those whose names RUN matches (their
 * names are in their files, not the manifest; RUN may select only them).
 * Throws SelectError when RUN selects nothing that would run.
 */
export function planRun(parts: LabPart[], run: string | undefined, withReference: boolean, rootDir = "."): RunPlan {
  const present = referenceTestsToRun(parts, rootDir);
  const reference = withReference ? present : [];
  const notes: string[] = [];
  if (reference.length > 0) notes.push(`with the reference tests (our solution's internals; not in a handout): ${reference.join(", ")}`);
  else if (withReference) notes.push(`REF=1: no reference tests to run here (our solution is not in ${parts.map((p) => p.id).join(", ")}'s student files)`);
  else if (present.length > 0) notes.push(`(REF=1 adds the reference tests: ${present.join(", ")})`);
  let tests: string[];
  try {
    tests = selectTests(parts, run);
  } catch (e) {
    if (!(e instanceof SelectError)) throw e;
    if (reference.length === 0) {
      throw present.length > 0 ? new SelectError(`${e.message}\n(reference tests run only with REF=1)`) : e;
    }
    tests = [];
  }
  const specs: VitestSpec[] = [];
  if (tests.length > 0) {
    const files = [...new Set(parts.flatMap((p) => p.testFiles))];
    specs.push({ files, namePattern: new RegExp(`^(${tests.map(escapeRe).join("|")})$`) });
  }
  if (reference.length > 0) specs.push({ files: reference, ...(run === undefined ? {} : { namePattern: new RegExp(run) }) });
  return { specs, notes };
}
