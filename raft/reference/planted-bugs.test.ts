// Each of our Raft and kvraft extra tests was written to catch bugs students really write:
// planted in a scratch copy of our reference or of the student-style Raft (planted-bugs.ts,
// planted-bugs-list.ts), each bug must fail its test in every seed run here, so that a
// change to the test (or to a solution) that lets the bug through is caught. The course's
// tests of the same part catch these bugs rarely or never (`tsx
// raft/reference/planted-bugs.ts --course` measures it).

import { expect, test } from "vitest";
import { findPart } from "../../labs-test/labs.js";
import { bugId, only, plant, plantedFiles, PLANTED_BUGS, pristine, runPlanted } from "./planted-bugs.js";

const SEED = 1000;
const RUNS = 2;

test("every plant still applies to its solution, and names an extra test of its part", () => {
  expect(new Set(PLANTED_BUGS.map(bugId)).size).toBe(PLANTED_BUGS.length);
  for (const bug of PLANTED_BUGS) {
    for (const file of plantedFiles(bug)) {
      const source = pristine(bug, file);
      expect(plant(bug, source, file), `${bugId(bug)} changes ${file}`).not.toBe(source);
    }
    expect(findPart(bug.part)!.extraTests ?? [], bugId(bug)).toContain(bug.test);
  }
  const bug = PLANTED_BUGS[0]!;
  expect(() => plant({ ...bug, edits: [{ from: "no such text", to: "" }] }, pristine(bug, "raft/raft.ts"))).toThrow(/holds 0 copies .*update the plant/);
});

test.each(PLANTED_BUGS.map((b) => [bugId(b), b] as const))("planted bug %s fails its test in every seed", async (id, bug) => {
  const [t] = await runPlanted(bug, [only([bug.test])], SEED, RUNS, true);
  expect(t, `${bug.bug}: replay with tsx raft/reference/planted-bugs.ts --seed ${SEED} --count ${RUNS} ${id}`).toEqual({ passed: 0, runs: RUNS });
}, 180_000);
