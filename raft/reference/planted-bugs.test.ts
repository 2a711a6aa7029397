// Each of our Raft extra tests was written to catch one bug students really write: planted
// in a scratch copy of our reference (planted-bugs.ts), the bug must fail its test in every
// seed run here, so that a change to the test (or to the reference) that lets the bug
// through is caught. The course's tests of the same part catch these bugs rarely or never
// (`tsx raft/reference/planted-bugs.ts --course` measures it).

import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { findPart } from "../../labs-test/labs.js";
import { only, plant, PLANTED_BUGS, runPlanted } from "./planted-bugs.js";

const SEED = 1000;
const RUNS = 2;

test("every plant still applies to the reference, and names an extra test of its part", () => {
  const source = readFileSync("raft/raft.ts", "utf8");
  for (const bug of PLANTED_BUGS) {
    expect(plant(bug, source)).not.toBe(source);
    expect(findPart(bug.part)!.extraTests ?? []).toContain(bug.test);
  }
  expect(() => plant({ ...PLANTED_BUGS[0]!, edits: [{ from: "no such text", to: "" }] }, source)).toThrow(/holds 0 copies .*update the plant/);
});

test.each(PLANTED_BUGS.map((b) => [b.name, b] as const))("planted bug %s fails its test in every seed", async (_name, bug) => {
  const [t] = await runPlanted(bug, [only([bug.test])], SEED, RUNS);
  expect(t, `${bug.bug}: replay with tsx raft/reference/planted-bugs.ts --seed ${SEED} --count ${RUNS} ${bug.name}`).toEqual({ passed: 0, runs: RUNS });
}, 180_000);
