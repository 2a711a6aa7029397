import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { partOfTest } from "../../labs.js";
import type { RunsFile } from "../runs-file.js";
import { printSummaryTable } from "../summary-table.js";
import { asGradedResult } from "../sweep.js";
import { gradescopeResults, type GradescopeResults } from "./gradescope.js";
import { junitXml } from "./junit.js";
import { scoreRuns, total } from "./score.js";

/** The grade's overall text (results.json's output): what ran, what did not, and why. */
function summaryText(runs: RunsFile, score: number, max: number): string {
  const seeds = runs.seeds.length <= 10 ? runs.seeds.join(", ") : `${runs.seeds[0]}..${runs.seeds[runs.seeds.length - 1]}`;
  const lines = [
    `score ${score}/${max}: parts ${runs.parts.join(", ")}, each graded test run ${runs.seeds.length} time(s) (seeds ${seeds}); ` +
      `a test's points count only if every run passed`,
  ];
  for (const [part, why] of Object.entries(runs.notRun)) lines.push(`part ${part}: ${why}`);
  lines.push(...runs.notes);
  return lines.join("\n");
}

/**
 * Score runs (one grade, or merged shards), write OUT/results.json (Gradescope) and
 * OUT/junit.xml, and print the table. Returns the results written.
 */
export function writeReport(runs: RunsFile, outDir: string, logDir: string): GradescopeResults {
  const scores = scoreRuns(runs);
  const score = total(scores.map((s) => s.score));
  const max = total(scores.map((s) => s.maxScore));
  const results = gradescopeResults(runs, scores, summaryText(runs, score, max));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "results.json"), JSON.stringify(results, null, 1) + "\n");
  writeFileSync(path.join(outDir, "junit.xml"), junitXml(runs));
  printSummaryTable(
    runs.records.map((r) => asGradedResult(r, partOfTest(r.name)?.id ?? "")),
    runs.tests,
    logDir,
  );
  process.stdout.write(`\n${results.output}\n`);
  for (const s of scores) {
    process.stdout.write(`  ${s.number.padEnd(6)} ${s.name.padEnd(58)} ${String(s.score).padStart(6)}/${s.maxScore}\n`);
  }
  process.stdout.write(`results: ${path.join(outDir, "results.json")}, ${path.join(outDir, "junit.xml")}\n`);
  return results;
}
