import path from "node:path";
import { partOfTest } from "../../labs.js";
import { writeFileAtomic } from "../atomic-file.js";
import type { RunsFile } from "../runs-file.js";
import { printSummaryTable } from "../summary-table.js";
import { asGradedResult } from "../sweep.js";
import { gradescopeResults, type GradescopeResults } from "./gradescope.js";
import { junitXml } from "./junit.js";
import { profileOf } from "./profile.js";
import { scoreRuns, total } from "./score.js";

/** The grade's overall text (results.json's output): what ran, what did not, and why. */
function summaryText(runs: RunsFile, score: number, max: number): string {
  const seeds = runs.seeds.length <= 10 ? runs.seeds.join(", ") : `${runs.seeds[0]}..${runs.seeds[runs.seeds.length - 1]}`;
  const profile = runs.profile ?? "course";
  const hunts = (runs.hunts ?? []).map((h) => `${h.part} ${h.seeds.length} runs`).join(", ");
  const lines = [
    `score ${score}/${max}: parts ${runs.parts.join(", ")}, each graded test run ${runs.seeds.length} time(s) (seeds ${seeds}); ` +
      `a test's points count only if every run passed`,
    `profile ${profile}: ${profileOf(profile).summary}${hunts === "" ? "" : ` (hunts: ${hunts}, seeds from ${runs.hunts![0]!.seeds[0]})`}`,
  ];
  for (const [part, why] of Object.entries(runs.notRun)) lines.push(`part ${part}: ${why}`);
  lines.push(...runs.notes);
  return lines.join("\n");
}

/**
 * Score runs (one grade, or merged shards) and write OUT/results.json (Gradescope) and
 * OUT/junit.xml, each atomically (a reader, or a grader killed meanwhile, never sees half
 * a file). Prints nothing. Returns the results written.
 */
export function writeResults(runs: RunsFile, outDir: string): GradescopeResults {
  const scores = scoreRuns(runs);
  const score = total(scores.map((s) => s.score));
  const max = total(scores.map((s) => s.maxScore));
  const results = gradescopeResults(runs, scores, summaryText(runs, score, max));
  writeFileAtomic(path.join(outDir, "results.json"), JSON.stringify(results, null, 1) + "\n");
  writeFileAtomic(path.join(outDir, "junit.xml"), junitXml(runs));
  return results;
}

/** What a grade plans before it runs: everything of a RunsFile but its outcome. */
export type GradePlan = Omit<RunsFile, "notRun" | "records" | "notes" | "wallSeconds">;

/** Runs in which no part was graded, each saying why (a grade that did not finish or could not start). */
export function notGradedRuns(plan: GradePlan, why: string): RunsFile {
  return { ...plan, notRun: Object.fromEntries(plan.parts.map((p) => [p, `not graded: ${why}`])), records: [], notes: [], wallSeconds: 0 };
}

/**
 * A zero results.json (and junit.xml) for a grade that has not finished: written before a
 * grade starts, so that a grader killed on the way (even by SIGKILL) leaves a valid result
 * saying so; the finished grade replaces it.
 */
export function writePendingResults(plan: GradePlan, outDir: string): void {
  writeResults(notGradedRuns(plan, "the grade did not finish (the grader was stopped or failed); please tell the course staff"), outDir);
}

/**
 * Score runs, write OUT/results.json and OUT/junit.xml (writeResults), and print the
 * table and the scores. Returns the results written.
 */
export function writeReport(runs: RunsFile, outDir: string, logDir: string): GradescopeResults {
  const results = writeResults(runs, outDir);
  // A hunt's runs have their own replay command (make hunt-XX): its line below says it.
  const hunts = new Set((runs.hunts ?? []).map((h) => h.test));
  printSummaryTable(
    runs.records.filter((r) => !hunts.has(r.name)).map((r) => asGradedResult(r, partOfTest(r.name)?.id ?? "")),
    runs.tests,
    logDir,
  );
  process.stdout.write(`\n${results.output}\n`);
  for (const t of results.tests) {
    process.stdout.write(`  ${t.number.padEnd(6)} ${t.name.padEnd(40)} ${t.output.split("\n")[0]!.padEnd(24)} ${String(t.score).padStart(6)}/${t.max_score}\n`);
  }
  process.stdout.write(`results: ${path.join(outDir, "results.json")}, ${path.join(outDir, "junit.xml")}\n`);
  return results;
}
