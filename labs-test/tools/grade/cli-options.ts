// The command-line settings make grade and make grade-class share: parts, count, seed,
// the limits of a grade and its profile. A bad value is a clear error and exit status 2,
// before anything is written.
import type { Command } from "commander";
import { z } from "zod";
import { findPart, PARTS, type LabPart } from "../../labs.js";
import { defaultWorkers } from "../cpu-quota.js";
import { parseShard, PlanError, type Shard } from "../work-plan.js";
import { parseProfile, type ProfileId } from "./profile.js";

/** Print `error: msg` and exit with status 2 (a usage error). */
export function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

/** raw as an integer from 1 to max, or a usage error naming `what`. */
export function positiveInt(what: string, raw: string, max: number): number {
  const r = z
    .string()
    .trim()
    .regex(/^\d+$/, `${what} must be a positive integer`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `${what} must be between 1 and ${max}`)
    .safeParse(raw);
  if (!r.success) fail(r.error.issues[0]?.message ?? "invalid");
  return r.data;
}

/** PARTS=2A,2B: graded parts, each once, or a usage error listing the graded parts. */
export function parseParts(raw: string): LabPart[] {
  const ids = raw.split(/[,\s]+/).filter(Boolean);
  if (ids.length === 0) fail("PARTS is empty; give e.g. PARTS=2A,2B");
  const gradable = PARTS.filter((p) => p.studentFiles.length > 0).map((p) => p.id);
  const parts = ids.map((id) => {
    const p = findPart(id);
    if (p === undefined || p.studentFiles.length === 0) fail(`PARTS names ${JSON.stringify(id)}, which is not a graded part; parts: ${gradable.join(" ")}`);
    return p;
  });
  return [...new Set(parts)];
}

/** SEED=n (empty: none). */
export function parseSeed(raw: string | undefined): number | undefined {
  return raw === undefined || raw.trim() === "" ? undefined : positiveInt("SEED", raw, 2 ** 53 - 1 - 100_000);
}

/** SHARD=i/n (empty: none); it needs a SEED, so that every shard plans the same seeds. */
export function parseShardOption(raw: string | undefined, seed: number | undefined): Shard | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  let shard: Shard;
  try {
    shard = parseShard(raw);
  } catch (e) {
    if (e instanceof PlanError) fail(e.message);
    throw e;
  }
  if (seed === undefined) fail("SHARD needs SEED, so that every shard runs the same seeds");
  return shard;
}

/** A grade's limits and profile, as given. */
export interface GradeSettings {
  workers: number;
  testWallMs: number;
  totalWallMs: number;
  stallCpuMs: number;
  profile: ProfileId;
  skipTypeCheck: boolean;
  isolate: boolean;
}

/** Add the options of GradeSettings to cmd. */
export function withGradeSettings(cmd: Command): Command {
  return cmd
    .option("--workers <n>", "worker processes (default: the CPUs the container allows)", String(defaultWorkers()))
    .option("--test-wall-s <s>", "wall seconds one test run may take before it is killed", "120")
    .option("--total-wall-s <s>", "wall seconds for the whole grade (of one submission)", "3600")
    .option("--stall-cpu-s <s>", "seconds a test worker may go without a heartbeat (CPU if spinning, wall if blocked) before its run counts as stuck", "5")
    .option("--profile <name>", "grading profile (course)", "course")
    .option("--no-typecheck", "skip the type check (code already checked)")
    .option("--no-isolate", "run test workers as this user even when root (default: a uid of their own)");
}

/** GradeSettings from cmd's options (withGradeSettings), or a usage error. */
export function readGradeSettings(cmd: Command): GradeSettings {
  const o = cmd.opts<{ workers: string; testWallS: string; totalWallS: string; stallCpuS: string; profile: string; typecheck: boolean; isolate: boolean }>();
  let profile: ProfileId;
  try {
    profile = parseProfile(o.profile);
  } catch (e) {
    if (e instanceof PlanError) fail(e.message);
    throw e;
  }
  return {
    workers: positiveInt("PARALLEL", o.workers, 64),
    testWallMs: positiveInt("TEST_WALL_S", o.testWallS, 86_400) * 1000,
    totalWallMs: positiveInt("TOTAL_WALL_S", o.totalWallS, 7 * 86_400) * 1000,
    stallCpuMs: positiveInt("STALL_S", o.stallCpuS, 3600) * 1000,
    profile,
    skipTypeCheck: !o.typecheck,
    isolate: o.isolate,
  };
}

/** The command-line arguments that give a grade these settings (grade-class passes them on). */
export function gradeSettingsArgs(s: GradeSettings): string[] {
  return [
    "--workers", String(s.workers),
    "--test-wall-s", String(s.testWallMs / 1000),
    "--total-wall-s", String(s.totalWallMs / 1000),
    "--stall-cpu-s", String(s.stallCpuMs / 1000),
    "--profile", s.profile,
    ...(s.skipTypeCheck ? ["--no-typecheck"] : []),
    ...(s.isolate ? [] : ["--no-isolate"]),
  ];
}
