// The schedule search alone finds every planted Raft bug (issue 18's "the hunt alone finds
// it"): each bug, planted in its own scratch copy, fails the hunt run of its recorded seed
// (HUNT_FINDS), and the unplanted solution passes the same runs, so each find is its bug's.
// Measuring the time to a find takes minutes a bug (`tsx raft/reference/planted-hunt.ts`);
// replaying where it was found takes seconds.
import { rmSync } from "node:fs";
import { expect, test } from "vitest";
import { bugId, plantedTree, PLANTED_BUGS, unplanted, type PlantedBug } from "./planted-bugs.js";
import { HUNT_FINDS, replayIn } from "./planted-hunt.js";

const RAFT_PARTS: ReadonlyArray<PlantedBug["part"]> = ["2A", "2B", "2C", "2D"];
const RAFT_BUGS = PLANTED_BUGS.filter((b) => RAFT_PARTS.includes(b.part));

/** What to run to find bug again, and where its seed is recorded. */
function searchAgain(bug: PlantedBug): string {
  return `search again with tsx raft/reference/planted-hunt.ts --time 300 --seed 1 ${bugId(bug)} and update HUNT_FINDS in raft/reference/planted-hunt.ts`;
}

test("every planted Raft bug has a recorded find, and every recorded find a bug", () => {
  expect(RAFT_BUGS.map(bugId).sort()).toEqual(Object.keys(HUNT_FINDS).sort());
});

test.each(RAFT_BUGS.map((b) => [bugId(b), b] as const))("the hunt finds %s at its recorded seed", async (id, bug) => {
  const seed = HUNT_FINDS[id]!;
  const dir = plantedTree(bug);
  try {
    const [run] = await replayIn(dir, [{ part: bug.part, seed }]);
    expect(run!.passed, `${bug.bug}: hunt-${bug.part} seed ${seed} passes with the bug planted; ${searchAgain(bug)}`).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

test.each(["reference", "student"] as const)("the unplanted %s Raft passes every recorded find's run", async (solution) => {
  const bugs = RAFT_BUGS.filter((b) => b.solution === solution);
  const dir = plantedTree(unplanted(solution, "2A"));
  try {
    const runs = await replayIn(
      dir,
      bugs.map((b) => ({ part: b.part, seed: HUNT_FINDS[bugId(b)]! })),
    );
    const failed = runs.flatMap((r, i) => (r.passed ? [] : [`${bugId(bugs[i]!)}'s hunt-${r.part} seed ${r.seed}: ${r.message.split("\n")[0]}`]));
    expect(failed, "a find the correct Raft fails too is no find of its bug").toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
