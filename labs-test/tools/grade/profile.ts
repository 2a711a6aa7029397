// Grading profiles: which tests carry points, and which parts' schedule searches run. The
// profiles themselves are the manifest's (labs-test/labs.ts GRADING_PROFILES): `course`,
// the course's graded tests and points (the default), and `strict`, in which our extra
// tests share each part's points and a failing run of the part's hunt costs the whole part.
// A profile travels with the plan (runs.json, results.json, class.json, the gradebook), so
// that runs of different profiles are never merged or taken for one another.
import { findProfile, GRADING_PROFILES, profileTests, type GradingProfile, type LabPart } from "../../labs.js";
import { buildPlan, PlanError, type WorkItem } from "../work-plan.js";

export type ProfileId = string;

export const DEFAULT_PROFILE: ProfileId = "course";

/** The profiles there are, with what each checks, for messages: `course (…), strict (…)`. */
export function profileList(): string {
  return GRADING_PROFILES.map((g) => `${g.id} (${g.summary})`).join(", ");
}

/** PROFILE=… (empty: the default). Throws PlanError naming the profiles there are. */
export function parseProfile(raw: string | undefined): ProfileId {
  const id = raw?.trim() ?? "";
  if (id === "") return DEFAULT_PROFILE;
  if (findProfile(id) !== undefined) return id;
  throw new PlanError(`PROFILE=${JSON.stringify(id)} is not a grading profile; profiles: ${profileList()}`);
}

/**
 * The profile a plan names (runs.json's `profile`; absent: course, as before profiles).
 * @throws PlanError for a name the manifest does not have.
 */
export function profileOf(id: string | undefined): GradingProfile {
  return findProfile(parseProfile(id))!;
}

/** The name of a part's hunt line in a grade (the hunt's own test name: Hunt2C). */
export function huntLineName(partId: string): string {
  return `Hunt${partId}`;
}

/** One part's hunt in a grade's plan: its line's name and the seeds it runs. */
export interface HuntPlan {
  part: string;
  test: string;
  seeds: number[];
}

/**
 * The hunts a grade of parts under profile runs, each with runs seeds from firstSeed
 * (or the override's count, for the grader's own tests); simulated parts only.
 */
export function huntsOf(parts: readonly LabPart[], profile: GradingProfile, firstSeed: number, runsOverride?: number): HuntPlan[] {
  return parts
    .filter((p) => profile.huntRuns[p.id] !== undefined && p.realProcesses !== true)
    .map((p) => {
      const n = runsOverride ?? profile.huntRuns[p.id]!;
      return { part: p.id, test: huntLineName(p.id), seeds: Array.from({ length: n }, (_, i) => firstSeed + i) };
    });
}

/** The tests a grade of parts under profile runs, in manifest order (graded, then extras where they count). */
export function gradeTests(parts: readonly LabPart[], profile: GradingProfile): string[] {
  return parts.flatMap((p) => profileTests(p, profile));
}

/**
 * Every run a grade plans: each test under each seed (buildPlan), then each hunt's seeds,
 * numbered on from there, so that shards and grade-merge agree on every run's id.
 */
export function planItems(plan: { tests: string[]; seeds: number[]; hunts?: readonly HuntPlan[] }): WorkItem[] {
  const items = buildPlan(plan.tests, plan.seeds);
  for (const h of plan.hunts ?? []) for (const seed of h.seeds) items.push({ id: items.length, test: h.test, seed });
  return items;
}
