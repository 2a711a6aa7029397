import { z } from "zod";

// Test-run settings come from the environment (make test-2A SEED=… RUN=…); each is
// checked here so that a typo gives a clear message instead of a silent default.

const seedSchema = z
  .string()
  .regex(/^\d+$/, "must be a non-negative integer")
  .transform(Number)
  .refine(Number.isSafeInteger, "is too large (at most 2^53-1)");

const countSchema = z
  .string()
  .regex(/^\d+$/, "must be a positive integer")
  .transform(Number)
  .refine((n) => n >= 1 && n <= 100000, "must be between 1 and 100000");

const flagSchema = z.enum(["", "0", "1", "true", "false", "yes", "no"], {
  message: 'must be 1 or 0 (or true/false)',
});

const visSchema = z.enum(["fail", "always", "off"], {
  message: "must be fail (a timeline page for each failing test; the default), always, or off",
});

export class EnvError extends Error {}

function parse<T>(name: string, schema: z.ZodType<T, string>, raw: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new EnvError(`${name}=${JSON.stringify(raw)}: ${r.error.issues[0]?.message ?? "invalid"}`);
  }
  return r.data;
}

export interface TestEnv {
  seed?: number;
  count: number;
  run?: string;
  realtime: boolean;
  trace?: string;
  debug?: string;
  parallel?: number;
  /** Timeline pages: for failing tests (default), every test, or none. */
  vis: "fail" | "always" | "off";
  /** REF=1: make test-XX also runs the parts' reference tests (where our solution is present). */
  ref: boolean;
}

export function readTestEnv(env: NodeJS.ProcessEnv = process.env): TestEnv {
  const get = (k: string): string | undefined => {
    const v = env[k];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const seedRaw = get("SEED");
  const countRaw = get("COUNT");
  const parRaw = get("PARALLEL");
  const rt = get("REALTIME") ?? "";
  const run = get("RUN");
  if (run !== undefined) {
    try {
      new RegExp(run);
    } catch (e) {
      throw new EnvError(`RUN=${JSON.stringify(run)} is not a valid pattern: ${(e as Error).message}`);
    }
  }
  return {
    seed: seedRaw === undefined ? undefined : parse("SEED", seedSchema, seedRaw),
    count: countRaw === undefined ? 1 : parse("COUNT", countSchema, countRaw),
    parallel: parRaw === undefined ? undefined : parse("PARALLEL", countSchema, parRaw),
    run,
    realtime: ["1", "true", "yes"].includes(parse("REALTIME", flagSchema, rt)),
    trace: get("TRACE"),
    debug: get("DEBUG"),
    vis: parse("VIS", visSchema, get("VIS") ?? "fail"),
    ref: ["1", "true", "yes"].includes(parse("REF", flagSchema, get("REF") ?? "")),
  };
}
