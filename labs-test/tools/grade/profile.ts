// Grading profiles: which tests carry points and how many. `course` is the course's graded
// tests and points (the manifest's `tests` and `points`). Others (a `strict` profile in
// which our extra tests carry points too) are meant to be added here and in the manifest;
// a profile named here travels with the plan (runs.json, results.json, the gradebook), so
// that runs of different profiles are never merged or taken for one another.
import { PlanError } from "../work-plan.js";

export const PROFILES = {
  course: "the course's graded tests and points",
} as const;

export type ProfileId = keyof typeof PROFILES;

export const DEFAULT_PROFILE: ProfileId = "course";

/** PROFILE=… (empty: the default). Throws PlanError naming the profiles there are. */
export function parseProfile(raw: string | undefined): ProfileId {
  const id = raw?.trim() ?? "";
  if (id === "") return DEFAULT_PROFILE;
  if (Object.hasOwn(PROFILES, id)) return id as ProfileId;
  const known = Object.entries(PROFILES).map(([k, v]) => `${k} (${v})`).join(", ");
  throw new PlanError(`PROFILE=${JSON.stringify(id)} is not a grading profile; profiles: ${known}`);
}
