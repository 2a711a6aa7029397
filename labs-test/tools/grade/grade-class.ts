// make grade-class: every student of a SUBMISSIONS folder graded the same way (same parts,
// seeds, profile, framework), each by its own `make grade` in a child process with its own
// scratch tree, into OUT/students/<id>/ (results.json, junit.xml, runs.json, logs/,
// grade.log); then OUT/gradebook.csv and OUT/class.json (the plan, the roster, timings).
//
// Resumable: a student whose folder says it was graded under the same plan (parts, tests,
// seeds, profile and the framework's digest) from the same submission (its digest as
// handed in) is not graded again. A grade the grader itself failed, or that was stopped,
// is tried again next time. SHARD=i/n grades every n-th student (sorted by id), so that n
// machines share a class; make gradebook joins their OUT folders (class-merge.ts).
import { spawn } from "node:child_process";
import { createHash, randomInt } from "node:crypto";
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { RealClock } from "../../../runtime/real-clock.js";
import type { LabPart } from "../../labs.js";
import { writeFileAtomic } from "../atomic-file.js";
import { onInterrupt } from "../interrupt-cleanup.js";
import { readProc, waitGone } from "../process-family.js";
import { consecutiveSeeds, type Shard } from "../work-plan.js";
import { gradeSettingsArgs, type GradeSettings } from "./cli-options.js";
import { inputDigest, readRoster, shardStudents, type Student } from "./class-roster.js";
import { frameworkDigest } from "./grade.js";
import { gradebookCsv, rowOf, type GradebookRow } from "./gradebook.js";
import { gradeTests, profileOf } from "./profile.js";

export class ClassError extends Error {}

const planSchema = z.object({
  parts: z.array(z.string()),
  tests: z.array(z.string()),
  seeds: z.array(z.number().int().positive()),
  profile: z.string(),
  /** frameworkDigest: the tests and framework, by content. */
  framework: z.string(),
});
export type ClassPlan = z.infer<typeof planSchema>;

/** OUT/class.json: what one grade-class run (one shard) graded, and how. */
export const classFileSchema = z.object({
  format: z.literal("labs-ts-class/1"),
  plan: planSchema,
  /** Every student of SUBMISSIONS (all shards), with the digest of what they handed in. */
  roster: z.array(z.object({ id: z.string(), input: z.string() })),
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }),
  /** The students this run covers (its shard's), graded now or before. */
  students: z.array(z.string()),
  timing: z.object({ graded: z.number().int().nonnegative(), skipped: z.number().int().nonnegative(), failed: z.number().int().nonnegative(), wallSeconds: z.number().nonnegative() }),
});
export type ClassFile = z.infer<typeof classFileSchema>;

/** OUT/students/<id>/graded.json: the grade in the folder is final for this plan and input. */
const markerSchema = z.object({ plan: z.string(), input: z.string() });

export interface ClassOptions {
  submissions: string;
  out: string;
  parts: LabPart[];
  count: number;
  /** First seed; else the one a previous run into OUT used (resuming), else fresh. */
  seed?: number;
  shard?: Shard;
  settings: GradeSettings;
  /** This project (its grader grades each student). */
  root: string;
  /** One line per student and a summary (default: stdout). */
  log?: (line: string) => void;
}

export interface ClassReport {
  file: ClassFile;
  rows: GradebookRow[];
  /** Wall seconds per student graded now (undefined when none was). */
  perStudentSeconds: number | undefined;
}

/** A key for a plan: two grades under equal keys ran the same tests, seeds, profile and framework. */
export function planKey(plan: ClassPlan): string {
  return createHash("sha256").update(JSON.stringify(plan)).digest("hex");
}

function readClassFile(file: string): ClassFile | undefined {
  try {
    return classFileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    return undefined;
  }
}

/** Hold OUT for this run: two grade-class runs writing one OUT would mix their students. */
function lockOut(out: string): () => void {
  const lock = path.join(out, ".grade-class.lock");
  try {
    const o = JSON.parse(readFileSync(lock, "utf8")) as { pid: number; startTicks: number };
    const p = readProc(o.pid);
    if (p !== undefined && p.state !== "Z" && p.startTicks === o.startTicks) throw new ClassError(`another make grade-class (pid ${o.pid}) is writing ${out}`);
  } catch (e) {
    if (e instanceof ClassError) throw e;
  }
  writeFileSync(lock, JSON.stringify({ pid: process.pid, startTicks: readProc(process.pid)?.startTicks ?? -1 }));
  return () => rmSync(lock, { force: true });
}

/** Grade one student in a child process; resolves to a failure text, or undefined if the grade is final. */
function gradeOne(o: ClassOptions, s: Student, dir: string, seed: number): Promise<string | undefined> {
  const logFd = openSync(path.join(dir, "grade.log"), "w");
  const args = [
    "--import", "tsx", path.join(o.root, "labs-test/tools/grade/grade-cli.ts"),
    "--submission", path.resolve(s.path),
    "--name", s.id,
    "--parts", o.parts.map((p) => p.id).join(","),
    "--count", String(o.count),
    "--seed", String(seed),
    "--out", dir,
    ...gradeSettingsArgs(o.settings),
  ];
  const child = spawn(process.execPath, args, { cwd: o.root, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  // Stopped meanwhile: the child stops its own workers and scratch on SIGTERM; wait for it.
  const withdraw = onInterrupt(() => {
    if (child.pid === undefined) return;
    child.kill("SIGTERM");
    waitGone(child.pid, 30_000);
  });
  return new Promise((resolve) => {
    child.on("error", (e) => {
      withdraw();
      resolve(`the grader could not start (${e.message})`);
    });
    child.on("exit", (code, signal) => {
      withdraw();
      // 0: graded; 1: the submission cannot be opened (final: results.json says why).
      if (code === 0 || code === 1) resolve(undefined);
      else resolve(signal !== null ? `the grader was stopped by ${signal}; see grade.log` : `the grader failed (exit status ${code}); see grade.log`);
    });
  });
}

/**
 * Grade this shard's students of o.submissions into o.out (see the file's header). Throws
 * ClassError for an unusable SUBMISSIONS folder or an OUT another run is writing.
 */
export async function gradeClass(o: ClassOptions): Promise<ClassReport> {
  const log = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const wall = new RealClock();
  const { students, ignored } = readRoster(o.submissions);
  if (ignored.length > 0) log(`not submissions (left out): ${ignored.slice(0, 20).join(", ")}${ignored.length > 20 ? ", …" : ""}`);
  const mine = shardStudents(students, o.shard);
  mkdirSync(path.join(o.out, "students"), { recursive: true });
  const unlock = lockOut(o.out);
  const withdraw = onInterrupt(unlock);
  try {
    const classFile = path.join(o.out, "class.json");
    const before = readClassFile(classFile);
    const partIds = o.parts.map((p) => p.id);
    const seed =
      o.seed ??
      (before !== undefined && JSON.stringify(before.plan.parts) === JSON.stringify(partIds) && before.plan.seeds.length === o.count
        ? before.plan.seeds[0]!
        : randomInt(1, 2 ** 31));
    const plan: ClassPlan = {
      parts: partIds,
      tests: gradeTests(o.parts, profileOf(o.settings.profile)),
      seeds: consecutiveSeeds(seed, o.count),
      profile: o.settings.profile,
      framework: frameworkDigest(o.root, o.parts),
    };
    const key = planKey(plan);
    const roster = students.map((s) => ({ id: s.id, input: inputDigest(s.path) }));
    const inputOf = new Map(roster.map((r) => [r.id, r.input]));
    log(`${mine.length} student(s)${o.shard ? ` (shard ${o.shard.index}/${o.shard.count} of ${students.length})` : ""}: parts ${partIds.join(",")}, ${o.count} run(s) per test from seed ${seed}`);

    let graded = 0;
    let skipped = 0;
    let failed = 0;
    let gradingMs = 0;
    const rows: GradebookRow[] = [];
    for (const [i, s] of mine.entries()) {
      const dir = path.join(o.out, "students", s.id);
      const markerFile = path.join(dir, "graded.json");
      let marker: z.infer<typeof markerSchema> | undefined;
      try {
        marker = markerSchema.parse(JSON.parse(readFileSync(markerFile, "utf8")));
      } catch {
        marker = undefined;
      }
      const tag = `[${i + 1}/${mine.length}] ${s.id}`;
      if (marker?.plan === key && marker.input === inputOf.get(s.id) && existsSync(path.join(dir, "results.json"))) {
        skipped++;
        const row = rowOf(s.id, dir, partIds);
        rows.push(row);
        log(`${tag}: ${row.total}/${row.max}, already graded under this plan`);
        continue;
      }
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const t0 = wall.now();
      const failure = await gradeOne(o, s, dir, seed);
      const took = wall.now() - t0;
      gradingMs += took;
      if (failure === undefined) {
        graded++;
        writeFileAtomic(markerFile, JSON.stringify({ plan: key, input: inputOf.get(s.id) }) + "\n");
      } else failed++;
      const row = rowOf(s.id, dir, partIds, failure);
      rows.push(row);
      log(`${tag}: ${row.total}/${row.max} in ${(took / 1000).toFixed(1)} s (${row.status})`);
    }

    writeFileAtomic(path.join(o.out, "gradebook.csv"), gradebookCsv(partIds, rows));
    const file: ClassFile = {
      format: "labs-ts-class/1",
      plan,
      roster,
      shard: o.shard ?? { index: 1, count: 1 },
      students: mine.map((s) => s.id),
      timing: { graded, skipped, failed, wallSeconds: wall.now() / 1000 },
    };
    writeFileAtomic(classFile, JSON.stringify(file, null, 1) + "\n");
    const ran = graded + failed;
    const each = ran === 0 ? undefined : gradingMs / ran / 1000;
    log(
      `gradebook: ${path.join(o.out, "gradebook.csv")} (${rows.length} student(s): ${graded} graded now, ${skipped} already graded, ${failed} not finished)` +
        (each === undefined ? "" : `; ${each.toFixed(1)} s per student, so 300 students take about ${((each * 300) / 3600).toFixed(1)} h on this machine (divide by n for SHARD=i/n over n machines)`),
    );
    return { file, rows, perStudentSeconds: each };
  } finally {
    withdraw();
    unlock();
  }
}
