// The cases a hunt's workers run, passed from hunt.ts to cases.ts in the environment
// (LABS_HUNT_CASES, JSON): each a pool test name, its part and the faults it keeps.
import { z } from "zod";

/** The environment variable hunt.ts passes the cases in. */
export const CASES_ENV = "LABS_HUNT_CASES";

const casesSchema = z.array(
  z.object({
    name: z.string().min(1),
    part: z.string().min(1),
    keep: z.array(z.number().int().nonnegative()).optional(),
  }),
);

/** One case: a pool test name, its part, and the schedule's faults it applies (default all). */
export type HuntCase = z.infer<typeof casesSchema>[number];

/**
 * The cases in LABS_HUNT_CASES's text (JSON).
 * @throws Error naming the variable when the text is not a list of { name, part, keep? }.
 */
export function parseCases(text: string | undefined): HuntCase[] {
  if (text === undefined || text.trim() === "") throw new Error(`${CASES_ENV} is not set: the hunt's workers get their cases from it (labs-test/hunt/hunt.ts)`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${CASES_ENV} is not JSON: ${(e as Error).message}`);
  }
  const r = casesSchema.safeParse(raw);
  if (!r.success) throw new Error(`${CASES_ENV} is not a list of { name, part, keep? }: ${r.error.issues[0]?.message ?? "invalid"}`);
  return r.data;
}
