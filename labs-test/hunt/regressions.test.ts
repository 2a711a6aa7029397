// `make test` replays every run of the regression list (regressions.txt): seeds on which the
// schedule search once failed, each of which a correct solution passes. A line whose seed
// now draws another schedule (its hash changed) fails with a note to find the bug again.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { readTestEnv } from "../harness/env.js";
import { huntReplayCommand } from "./hunt.js";
import { huntPart } from "./parts.js";
import { parseRegressions, REGRESSIONS_FILE, type Regression } from "./regressions.js";
import { replayRun } from "./replay-run.js";
import { formatKeep, scheduleHash, scheduleOf } from "./schedule.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

let list: Regression[] = [];
let problem: unknown;
try {
  list = parseRegressions(readFileSync(path.join(ROOT, REGRESSIONS_FILE), "utf8"));
} catch (e) {
  problem = e;
}

test("the regression list is well-formed", () => {
  if (problem !== undefined) throw problem;
  expect(Array.isArray(list)).toBe(true);
});

for (const r of list) {
  const what = `${r.part} seed ${r.seed}${r.keep === undefined ? "" : ` keep=${formatKeep(r.keep)}`}`;
  test(`hunt regression ${what}${r.comment === "" ? "" : ` (${r.comment})`}`, async () => {
    const part = huntPart(r.part);
    const hash = scheduleHash(scheduleOf(part, r.seed));
    if (r.hash !== undefined && hash !== r.hash) {
      throw new Error(
        `${REGRESSIONS_FILE}:${r.line}: seed ${r.seed} now draws schedule ${hash}, not ${r.hash}: how schedules are drawn ` +
          `changed, so this line no longer replays the run it was found with; find it again (make hunt-${r.part}) and update the line`,
      );
    }
    const { result, message, timeline } = await replayRun(part, r.seed, r.keep, readTestEnv().vis !== "off");
    if (!result.passed) {
      throw new Error(
        `${message}\n    replay: ${huntReplayCommand(r.part, r.seed, r.keep)}` + (timeline === undefined ? "" : `\n    timeline: ${timeline}`),
      );
    }
  });
}
