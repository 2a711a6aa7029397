import { testsToRun, type LabPart } from "../labs.js";

export class SelectError extends Error {}

/**
 * The tests of these parts that RUN selects (Go's -run: an unanchored regex); all of
 * them without RUN. Throws SelectError when RUN matches none.
 */
export function selectTests(parts: LabPart[], run: string | undefined, list: (p: LabPart) => string[] = testsToRun): string[] {
  const all = parts.flatMap(list);
  if (run === undefined) return all;
  const re = new RegExp(run);
  const picked = all.filter((t) => re.test(t));
  if (picked.length === 0) {
    throw new SelectError(`RUN=${run} matches no test of ${parts.map((p) => p.id).join(", ")}; the tests are:\n  ${all.join("\n  ")}`);
  }
  return picked;
}
