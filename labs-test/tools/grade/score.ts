import { findPart, profileTests, splitPoints } from "../../labs.js";
import { huntReplayCommand } from "../../hunt/hunt.js";
import { replayCommand } from "../../harness/replay.js";
import { capText } from "../../harness/safe-text.js";
import type { RunsFile } from "../runs-file.js";
import type { JobRecord } from "../seed-protocol.js";
import { profileOf } from "./profile.js";

// The course's rule: a test's points count only if it passed every run. The profile
// (profile.ts) says which tests share a part's points: the graded ones (course), or the
// graded and extra ones and the part's hunt (strict), where a failing hunt run costs the
// whole part.

export interface TestScore {
  name: string;
  part: string;
  /** "2C.6": part and position in the manifest. */
  number: string;
  score: number;
  maxScore: number;
  runs: number;
  passedRuns: number;
  /** Failed runs, in seed order (runs not run after a hang are in `skipped`). */
  failures: JobRecord[];
  /** Runs not run because an earlier run of the test hung (they count as failed). */
  skipped: JobRecord[];
  /** Why the part was not run (missing file, type errors). */
  notRun?: string;
  meanVirtualMs: number;
  meanWallMs: number;
  /** Runs planned (the grade's seeds; a hunt's own). */
  planned: number;
  /** The line is a part's schedule search (its replay command is make hunt-XX). */
  hunt: boolean;
  /** Why a test that passed every run scored 0: its part's hunt failed. */
  lostTo?: string;
}

export function scoreRuns(runs: RunsFile): TestScore[] {
  const profile = profileOf(runs.profile);
  const out: TestScore[] = [];
  for (const partId of runs.parts) {
    const part = findPart(partId);
    if (part === undefined) throw new Error(`runs name an unknown part ${partId}`);
    const hunt = (runs.hunts ?? []).find((h) => h.part === partId);
    const lines = [
      ...profileTests(part, profile).filter((name) => runs.tests.includes(name)).map((name) => ({ name, planned: runs.seeds.length, hunt: false })),
      ...(hunt === undefined ? [] : [{ name: hunt.test, planned: hunt.seeds.length, hunt: true }]),
    ];
    if (lines.length === 0) continue;
    const points = splitPoints(part.points, lines.map((l) => l.name));
    const notRun = runs.notRun[partId];
    const recordsOf = (name: string): JobRecord[] => runs.records.filter((r) => r.name === name).sort((a, b) => a.seed - b.seed);
    const passedAll = (name: string, planned: number): boolean => {
      const rs = recordsOf(name);
      return notRun === undefined && rs.length === planned && rs.every((r) => r.passed);
    };
    const huntFailed = hunt !== undefined && !passedAll(hunt.test, hunt.seeds.length);
    const firstHuntFailure = hunt === undefined ? undefined : recordsOf(hunt.test).find((r) => !r.passed);
    lines.forEach(({ name, planned, hunt: isHunt }, i) => {
      const rs = recordsOf(name);
      const passedRuns = rs.filter((r) => r.passed).length;
      const allPassed = passedAll(name, planned);
      const mean = (f: (r: JobRecord) => number): number => (rs.length === 0 ? 0 : rs.reduce((a, r) => a + f(r), 0) / rs.length);
      const lostTo =
        allPassed && huntFailed && !isHunt
          ? `0 points: the part's schedule search failed${firstHuntFailure === undefined ? "" : ` (seed ${firstHuntFailure.seed}: ${huntReplayCommand(partId, firstHuntFailure.seed)})`}, which costs the whole part under profile ${profile.id}`
          : undefined;
      out.push({
        name,
        part: partId,
        number: `${partId}.${i + 1}`,
        score: allPassed && !huntFailed ? points.get(name)! : 0,
        maxScore: points.get(name)!,
        runs: notRun === undefined ? rs.length : 0,
        passedRuns: notRun === undefined ? passedRuns : 0,
        failures: rs.filter((r) => !r.passed && r.skipped !== true),
        skipped: rs.filter((r) => r.skipped === true),
        notRun,
        meanVirtualMs: mean((r) => r.virtualMs),
        meanWallMs: mean((r) => r.wallMs),
        planned,
        hunt: isHunt,
        lostTo,
      });
    });
  }
  return out;
}

/** Sum of scores in whole cents (points are split in cents, so this is exact). */
export function total(xs: number[]): number {
  return Math.round(xs.reduce((a, x) => a + x * 100, 0)) / 100;
}

/** Bytes of one test's output in results.json (Gradescope shows it per test). */
export const OUTPUT_CAP = 8 * 1024;

/**
 * A test's text for students and staff: the pass fraction (the test's name stays the same
 * for every student, so Gradescope can line tests up), then each failing seed and its
 * replay command, then the first failure in full. At most OUTPUT_CAP bytes.
 */
export function testOutput(t: TestScore, seedsPlanned: number = t.planned): string {
  if (t.notRun !== undefined) return cap(t.notRun);
  const missing = seedsPlanned - t.runs;
  const lines = [`passed ${t.passedRuns}/${seedsPlanned} runs${missing > 0 ? ` (${missing} did not run)` : ""}`];
  if (t.hunt) lines[0] += " of random fault schedules (make hunt-" + t.part + "); a failing run costs the whole part";
  if (t.lostTo !== undefined) lines.push(t.lostTo);
  if (t.skipped.length > 0) lines.push(`${t.skipped.length} run(s) not run: ${(t.skipped[0]!.error ?? "an earlier run hung").replace(/^not run: /, "")}`);
  for (const f of t.failures) {
    const replay = t.hunt ? huntReplayCommand(t.part, f.seed) : replayCommand(t.name, f.seed, false, undefined, t.part);
    lines.push(`FAIL seed ${f.seed}: ${f.error ?? "failed"}`, `  replay: ${replay}`);
  }
  const details = t.failures.filter((f) => f.detail !== undefined && f.detail !== f.error);
  if (details.length > 0) {
    lines.push("", `first failure in full (seed ${details[0]!.seed}):`, details[0]!.detail!);
  }
  return cap(lines.join("\n"));
}

function cap(s: string): string {
  return capText(s, OUTPUT_CAP, "\n… (output cut at 8 KB)");
}
