import { findPart, testPoints } from "../../labs.js";
import { replayCommand } from "../../harness/replay.js";
import { capText } from "../../harness/safe-text.js";
import type { RunsFile } from "../runs-file.js";
import type { JobRecord } from "../seed-protocol.js";

// The course's rule: a test's points count only if it passed every run.

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
}

export function scoreRuns(runs: RunsFile): TestScore[] {
  const out: TestScore[] = [];
  for (const partId of runs.parts) {
    const part = findPart(partId);
    if (part === undefined) throw new Error(`runs name an unknown part ${partId}`);
    const points = testPoints(part);
    part.tests.forEach((name, i) => {
      if (!runs.tests.includes(name)) return;
      const rs = runs.records.filter((r) => r.name === name).sort((a, b) => a.seed - b.seed);
      const passedRuns = rs.filter((r) => r.passed).length;
      const notRun = runs.notRun[partId];
      const allPassed = notRun === undefined && rs.length === runs.seeds.length && passedRuns === rs.length;
      const mean = (f: (r: JobRecord) => number): number => (rs.length === 0 ? 0 : rs.reduce((a, r) => a + f(r), 0) / rs.length);
      out.push({
        name,
        part: partId,
        number: `${partId}.${i + 1}`,
        score: allPassed ? points.get(name)! : 0,
        maxScore: points.get(name)!,
        runs: notRun === undefined ? rs.length : 0,
        passedRuns: notRun === undefined ? passedRuns : 0,
        failures: rs.filter((r) => !r.passed && r.skipped !== true),
        skipped: rs.filter((r) => r.skipped === true),
        notRun,
        meanVirtualMs: mean((r) => r.virtualMs),
        meanWallMs: mean((r) => r.wallMs),
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
export function testOutput(t: TestScore, seedsPlanned: number): string {
  if (t.notRun !== undefined) return cap(t.notRun);
  const missing = seedsPlanned - t.runs;
  const lines = [`passed ${t.passedRuns}/${seedsPlanned} runs${missing > 0 ? ` (${missing} did not run)` : ""}`];
  if (t.skipped.length > 0) lines.push(`${t.skipped.length} run(s) not run: ${(t.skipped[0]!.error ?? "an earlier run hung").replace(/^not run: /, "")}`);
  for (const f of t.failures) {
    lines.push(`FAIL seed ${f.seed}: ${f.error ?? "failed"}`, `  replay: ${replayCommand(t.name, f.seed, false, undefined, t.part)}`);
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
