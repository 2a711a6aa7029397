// Each of our Raft and kvraft extra tests was written to catch bugs students really write:
// planted in a scratch copy of our reference or of the student-style Raft (planted-bugs.ts,
// planted-bugs-list.ts), each bug must fail its test in every seed run here, so that a
// change to the test (or to a solution) that lets the bug through is caught; without its
// plant, each test passes in the same seeds (the control at the end). The course's
// tests of the same part catch these bugs rarely or never (`tsx
// raft/reference/planted-bugs.ts --course` measures it).

import { expect, test } from "vitest";
import { findPart } from "../../labs-test/labs.js";
import { plantTypeErrors } from "./plant-typecheck.js";
import { bugId, only, plant, plantedFiles, PLANTED_BUGS, pristine, runPlanted, unplanted, type PlantedBug } from "./planted-bugs.js";

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

// A plant that no longer type-checks (the solution changed under an edit that still
// applies) would fail its test with a TypeError, not with its bug.
test("every planted solution still type-checks", () => {
  const errors = [...plantTypeErrors(PLANTED_BUGS)].filter(([, e]) => e.length > 0).map(([id, e]) => `${id}: ${e.join("; ")}`);
  expect(errors).toEqual([]);
}, 120_000);

test("a plant that no longer type-checks is reported, with its file and line", () => {
  const bug = PLANTED_BUGS.find((b) => b.solution === "reference")!;
  const broken = { ...bug, edits: [{ from: "  private snapshotData(): Uint8Array {", to: "  private snapshotData(): Uint8Array {\n    this.snapshotData = new Uint8Array(0);" }] };
  const [errors] = [...plantTypeErrors([broken]).values()];
  expect(errors!.join("\n")).toMatch(/^raft\/raft\.ts:\d+: Type 'Uint8Array.*' is not assignable/m);
}, 60_000);

test.each(PLANTED_BUGS.map((b) => [bugId(b), b] as const))("planted bug %s fails its test in every seed", async (id, bug) => {
  const [t] = await runPlanted(bug, [only([bug.test])], SEED, RUNS, true);
  expect(t, `${bug.bug}: replay with tsx raft/reference/planted-bugs.ts --seed ${SEED} --count ${RUNS} ${id}`).toEqual({ passed: 0, runs: RUNS });
}, 180_000);

// The control: without their plants, the same tests pass in the same seeds. Without it, a
// scratch tree that cannot run at all (a module that fails to load) would "catch" every bug.
const GROUPS = [...new Set(PLANTED_BUGS.map((b) => `${b.solution} ${b.part}`))].sort();
test.each(GROUPS)("the unplanted %s passes the tests of its plants in every seed", async (group) => {
  const [solution, part] = group.split(" ") as [PlantedBug["solution"], PlantedBug["part"]];
  const tests = [...new Set(PLANTED_BUGS.filter((b) => b.solution === solution && b.part === part).map((b) => b.test))];
  const [t] = await runPlanted(unplanted(solution, part), [only(tests)], SEED, RUNS, true);
  expect(t).toEqual({ passed: tests.length * RUNS, runs: tests.length * RUNS });
}, 300_000);
