// The class's gradebook: one CSV row per student (student, each part's score, total, max,
// status, seeds), read back from each student's results.json and runs.json.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { readRunsFile } from "../runs-file.js";
import { gradescopeResultsSchema } from "./gradescope.js";
import { total } from "./score.js";

export interface GradebookRow {
  student: string;
  /** Part id → points. */
  parts: Record<string, number>;
  total: number;
  max: number;
  /** "ok", or why not: a part not graded, runs voided, the grade failed. */
  status: string;
  /** The seeds the runs used, "a..b" or "a". */
  seeds: string;
  /** The grading profile the results were scored under (grade/profile.ts). */
  profile: string;
}

/** One field of a CSV row: quoted when needed, and a leading = + - @ defused (a spreadsheet would run it). */
export function csvField(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The gradebook's text: a header, then the rows in the given order. */
export function gradebookCsv(parts: string[], rows: GradebookRow[]): string {
  const head = ["student", ...parts, "total", "max", "status", "seeds", "profile"];
  const lines = rows.map((r) => [r.student, ...parts.map((p) => String(r.parts[p] ?? 0)), String(r.total), String(r.max), r.status, r.seeds, r.profile].map(csvField).join(","));
  return [head.map(csvField).join(","), ...lines].join("\n") + "\n";
}

/** First line of s, at most 200 characters: statuses stay one short line. */
function short(s: string): string {
  const line = s.split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * A student's row from OUT/students/<id> (dir): results.json for the scores, runs.json for
 * parts not graded and voided runs. `failure` overrides the status (the grade did not end
 * cleanly). A folder without a results.json gives a row of zeros saying so.
 */
export function rowOf(student: string, dir: string, parts: string[], failure?: string): GradebookRow {
  const zero = (status: string): GradebookRow => ({ student, parts: Object.fromEntries(parts.map((p) => [p, 0])), total: 0, max: 0, status, seeds: "", profile: "" });
  const file = path.join(dir, "results.json");
  if (!existsSync(file)) return zero(failure ?? "missing: no results.json");
  let results;
  try {
    results = gradescopeResultsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch (e) {
    return zero(`unreadable results.json (${short((e as Error).message)})`);
  }
  const byPart = Object.fromEntries(parts.map((p) => [p, total(results.tests.filter((t) => t.tags.includes(p)).map((t) => t.score))]));
  const seeds = (results.extra_data.seeds as number[] | undefined) ?? [];
  const profile = typeof results.extra_data.profile === "string" ? results.extra_data.profile : "course";
  let status = "ok";
  const runsFile = path.join(dir, "runs.json");
  if (failure !== undefined) status = failure;
  else if (existsSync(runsFile)) {
    const runs = readRunsFile(runsFile);
    const notRun = Object.entries(runs.notRun);
    const voided = runs.notes.find((n) => n.endsWith("its runs do not count"));
    if (voided !== undefined) status = `runs voided: ${short(voided)}`;
    else if (notRun.length > 0) status = `${notRun.map(([p]) => p).join(", ")} ${short(notRun[0]![1])}`;
  }
  return {
    student,
    parts: byPart,
    total: results.score,
    max: results.max_score,
    status,
    seeds: seeds.length === 0 ? "" : seeds.length === 1 ? String(seeds[0]) : `${seeds[0]}..${seeds[seeds.length - 1]}`,
    profile,
  };
}
