import { createHash, randomInt } from "node:crypto";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { RealClock } from "../../../runtime/real-clock.js";
import { capText } from "../../harness/safe-text.js";
import { studentFilesIn, testsToRun, type LabPart } from "../../labs.js";
import { chooseIsolation, type Isolation } from "../process-family.js";
import { Progress } from "../progress.js";
import { writeRunsFile, type RunsFile } from "../runs-file.js";
import { DEFAULT_LIMIT_MS, DEFAULT_STALL_CPU_MS, limitsOf, runPool } from "../seed-pool.js";
import type { JobRecord } from "../seed-protocol.js";
import { toolVersions } from "../versions.js";
import { consecutiveSeeds, shardOf, type Shard } from "../work-plan.js";
import { CASES_ENV } from "../../hunt/cases-env.js";
import type { GradescopeResults } from "./gradescope.js";
import { gradeMr } from "./grade-mr.js";
import { installStudentFiles } from "./install.js";
import { DEFAULT_PROFILE, gradeTests, huntsOf, planItems, profileOf, type ProfileId } from "./profile.js";
import { writePendingResults, writeReport } from "./report.js";
import { makeScratch, sweepStaleScratch } from "./scratch.js";
import { openSubmission, submissionRoot } from "./submission.js";
import { changedFiles, hashFile, makePristineTree, sourceFiles } from "./tree.js";
import { typeCheck } from "./typecheck.js";
import { precompile } from "../../sandbox/precompile.js";
import { permissionFlags } from "../../sandbox/permissions.js";

export interface GradeOptions {
  /** A folder with the student files at their repo paths, or a .tar.gz/.tgz/.zip of one. */
  submission: string;
  parts: LabPart[];
  /** Runs per graded test. */
  count: number;
  /** results.json, junit.xml, runs.json and logs go here. */
  out: string;
  /** First seed (seeds are seed … seed+count-1); fresh when absent. */
  seed?: number;
  shard?: Shard;
  workers: number;
  /** Wall ms one test run may take (a wedged or looping run is killed). */
  testWallMs: number;
  /** Wall ms for all runs; a run going then is stopped, and runs not started fail. */
  totalWallMs: number;
  /** CPU ms a test worker may use without a heartbeat before its run counts as stuck (seed-pool.ts). */
  stallCpuMs?: number;
  /** The grading profile (profile.ts); default course. */
  profile?: ProfileId;
  /**
   * Runs of each part's hunt instead of the profile's budget (the grader's own tests keep
   * theirs small); the plan in runs.json records the runs made.
   */
  huntRuns?: number;
  /** The project whose tests grade the submission (its source is copied). */
  root: string;
  /** Keep the scratch tree (debugging the grader). */
  keepTree?: boolean;
  /**
   * Skip the type check (default: check). For the grader's own tests of hostile
   * submissions, which exercise the runs, and for re-grading code already checked.
   */
  skipTypeCheck?: boolean;
  /**
  /**
   * Run the workers as a uid of their own when this process is root (default true;
   * process-family.ts). False: as this process's user.
   */
  isolate?: boolean;
  /** Where scratch folders go (default: the system temp folder). */
  tmp?: string;
  /** The submission's name in runs.json and the gradebook (default: its file or folder name). */
  name?: string;
  /**
   * Skip the static check of student code (default: check). Only for the grader's own
   * tests of the sandbox, which must show that the boundary holds where the check is blind.
   */
  skipStaticCheck?: boolean;
  /**
   * Measurement only (grade-cli.ts --no-boundary): grade with the submitted code outside the
   * boundary (no static check, no compartment, no lockdown, no permission model), so that
   * the boundary's cost can be measured against the same grader in one run. Never for a
   * submission that is not trusted.
   */
  noBoundary?: boolean;
}

const TYPE_ERRORS_CAP = 4000;

/** The checkout's cache of the framework as JavaScript, shared by its grades (precompile.ts). */
const SHARED_MODULES = ".labs-runs/grade-cache";

/** Failures per test whose full text (64 KB) runs.json keeps; later ones keep 2 KB. */
const FULL_DETAILS_PER_TEST = 3;
const SHORT_DETAIL = 2048;

/** What workers see of the environment: no test settings, nothing of the grader's; their own temp and home. */
function childEnv(workerDir: string): NodeJS.ProcessEnv {
  const keep = ["PATH", "LANG", "TERM"];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  env.TMPDIR = path.join(workerDir, "tmp");
  env.HOME = path.join(workerDir, "home");
  return env;
}

/**
 * Let the workers' uid read the tree (whatever the umask that copied it). node_modules is
 * left alone: its files are hard links to the checkout's (tree.ts), so a chmod here would
 * change the instructor's files; the checkout's node_modules is checked open to all instead.
 */
function openToWorkers(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink() || e.name === "node_modules") continue;
    const mode = lstatSync(p).mode & 0o777;
    if (e.isDirectory()) {
      chmodSync(p, mode | 0o755);
      openToWorkers(p);
    } else chmodSync(p, mode | 0o644);
  }
}

/** Whether every user may list and enter dir and reach it (each folder on its path has the x bit for others). */
function openToAll(dir: string): boolean {
  if ((statSync(dir).mode & 0o005) !== 0o005) return false;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

/** A digest of files (repo path, content digest), for telling submissions and framework versions apart. */
export function digestOf(entries: Array<[string, string]>): string {
  const h = createHash("sha256");
  for (const [f, sum] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${f}\0${sum}\n`);
  return h.digest("hex");
}

/**
 * A digest of the framework a grade of these parts runs (every source file of root but
 * the parts' student files): the same as a grade records in runs.json's `framework`. It
 * stands for the project's version by content, with or without git.
 */
export function frameworkDigest(root: string, parts: LabPart[]): string {
  const omit = new Set(parts.flatMap((p) => studentFilesIn(p, root)));
  return digestOf(sourceFiles(root).filter((f) => !omit.has(f)).map((f) => [f, hashFile(path.join(root, f))]));
}

/** The name a submission goes by: its file or folder name without an archive extension. */
export function submissionName(submission: string): string {
  return path.basename(path.resolve(submission)).replace(/\.(tar\.gz|tgz|zip)$/i, "");
}

/**
 * Grade a submission: copy its student files over a pristine tree, type-check, run
 * every graded test of the parts `count` times in child processes, score, and write
 * OUT/results.json, OUT/junit.xml and OUT/runs.json. A zero results.json saying the grade
 * did not finish is written first, so that a grader killed on the way leaves a valid one;
 * the finished grade replaces it atomically. Throws SubmissionError for a submission that
 * cannot be opened (the caller writes why), and Error when the grader itself fails.
 */
export async function grade(o: GradeOptions): Promise<GradescopeResults> {
  const wall = new RealClock();
  const tmp = o.tmp;
  sweepStaleScratch(tmp);
  const seeds = consecutiveSeeds(o.seed ?? randomInt(1, 2 ** 31), o.count);
  const profile = o.profile ?? DEFAULT_PROFILE;
  const profileDef = profileOf(profile);
  const tests = gradeTests(o.parts, profileDef);
  // A part's hunt runs its own seeds, from the grade's first: a grade stays a function of its seeds.
  const hunts = huntsOf(o.parts, profileDef, seeds[0]!, o.huntRuns);
  const plan = {
    format: "labs-ts-runs/1" as const,
    parts: o.parts.map((p) => p.id),
    tests,
    seeds,
    shard: o.shard ?? { index: 1, count: 1 },
    versions: toolVersions(o.root),
    profile,
    ...(hunts.length > 0 ? { hunts } : {}),
  };
  writePendingResults(plan, o.out);

  let isolation: Isolation | undefined = o.isolate === false ? undefined : chooseIsolation();
  const tmpDir = tmp ?? tmpdir();
  // The workers' uid must reach the scratch tree and read the packages it links to.
  const closed = [tmpDir, o.root, realpathSync(path.join(o.root, "node_modules"))].find((d) => !openToAll(d));
  if (isolation !== undefined && closed !== undefined) {
    process.stdout.write(`note: ${closed} is not open to other users, so the test workers run as this user, not as a uid of their own\n`);
    isolation = undefined;
  }
  const scratch = makeScratch(isolation, o.keepTree === true, tmpDir);
  try {
    const opened = await openSubmission(o.submission, path.join(scratch.dir, "submission"));
    const wanted = [...new Set(o.parts.flatMap((p) => p.studentFiles))];
    const root = submissionRoot(opened, wanted);
    const tree = path.join(scratch.dir, "tree");
    mkdirSync(tree);
    // Leave out our own helper files beside the student files too: the submission's
    // code, not a reference helper, must be what is graded.
    const hashes = makePristineTree(o.root, tree, new Set(o.parts.flatMap((p) => studentFilesIn(p, o.root))));
    const installed = installStudentFiles(root, tree, o.parts);
    if (isolation !== undefined) {
      openToWorkers(tree);
      // The one folder of the tree the framework writes (MapReduce's generated corpus): theirs.
      mkdirSync(path.join(tree, ".labs-runs"));
      chownSync(path.join(tree, ".labs-runs"), isolation.uid, isolation.gid);
    }
    const studentFiles = [...new Set(o.parts.flatMap((p) => studentFilesIn(p, root)))].filter((f) => existsSync(path.join(tree, f)));
    const submission = { name: o.name ?? submissionName(o.submission), digest: digestOf(studentFiles.map((f) => [f, hashFile(path.join(tree, f))])) };
    const framework = digestOf([...hashes]);
    const notRun = installed.notRun;
    const notes: string[] = [];
    if (installed.ignored.length > 0) notes.push(`ignored (not student files of these parts): ${installed.ignored.join(", ")}`);

    // What the sandbox would refuse (an import outside the course's modules, process, eval
    // …): the part is not run, and the student reads why with file:line.
    // Parts with the same student files (2A-2D) have the same answer: checked once. (Loaded
    // here: TypeScript's parser, ~9 MB of JavaScript, is loaded only when a check runs.)
    const checked = new Map<string, string[]>();
    for (const p of o.parts.filter((p) => !notRun.has(p.id) && !p.realProcesses && o.skipStaticCheck !== true && o.noBoundary !== true)) {
      const key = studentFilesIn(p, tree).sort().join("\n");
      const problems = checked.get(key) ?? (await import("../static-check.js")).staticCheckParts(tree, [p]);
      checked.set(key, problems);
      if (problems.length > 0) notRun.set(p.id, `not graded: the submission uses what the sandbox refuses (see the student README's rules):\n${problems.slice(0, 40).join("\n")}`);
    }

    // Does it build? One check per set of test files (raft's parts share one).
    const groups = new Map<string, LabPart[]>();
    for (const p of o.parts.filter((p) => !notRun.has(p.id) && !p.realProcesses)) {
      const key = p.testFiles.join(",");
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    for (const [files, parts] of o.skipTypeCheck === true ? [] : groups) {
      process.stdout.write(`type-checking ${files} …\n`);
      const tc = await typeCheck(tree, files.split(","), 300_000);
      if (!tc.ok) {
        const text = capText(tc.output, TYPE_ERRORS_CAP, "\n…");
        process.stdout.write(`${text}\n`);
        for (const p of parts) notRun.set(p.id, `not graded: the submission does not build (type errors):\n${text}`);
      }
    }

    const runnable = new Set([
      ...o.parts.filter((p) => !notRun.has(p.id)).flatMap((p) => tests.filter((t) => testsToRun(p).includes(t))),
      ...hunts.filter((h) => !notRun.has(h.part)).map((h) => h.test),
    ]);
    const items = shardOf(planItems(plan), o.shard).filter((it) => runnable.has(it.test));
    const huntCases = hunts.filter((h) => runnable.has(h.test)).map((h) => ({ name: h.test, part: h.part }));
    const logDir = path.join(o.out, "logs");
    mkdirSync(logDir, { recursive: true });
    const records = new Map<number, JobRecord>();
    const tampering: string[] = [];
    let escaped = 0;
    const env = childEnv(scratch.workerDir);

    const simulated = o.parts.filter((p) => !p.realProcesses && !notRun.has(p.id));
    const simItems = items.filter((it) => simulated.some((p) => testsToRun(p).includes(it.test)) || huntCases.some((c) => c.name === it.test));
    // The framework as JavaScript once, here, rather than TypeScript loaded in every worker.
    // Without the boundary (a measurement), the student files load as plain modules: made
    // JavaScript here like the framework's (never kept in the shared cache), not for the compartment.
    if (simItems.length > 0) {
      precompile(tree, [...hashes.keys()], path.join(o.root, SHARED_MODULES), { studentCode: o.noBoundary !== true });
      if (o.noBoundary === true) precompile(tree, studentFiles, undefined, { studentCode: false });
    }
    mkdirSync(path.join(tree, ".labs-runs"), { recursive: true });
    if (simItems.length > 0) {
      const huntNote = huntCases.length === 0 ? "" : `; hunts: ${hunts.filter((h) => runnable.has(h.test)).map((h) => `${h.part} ${h.seeds.length} runs`).join(", ")}`;
      process.stdout.write(`${simItems.length} runs (${seeds.length} per test${huntNote}), profile ${profile}, ${o.workers} worker process(es)\n`);
      const progress = new Progress(simItems.length);
      const got = await runPool(simItems, {
        cwd: tree,
        // A hunt's runs are cases of the hunt's own "test file", in the same workers (labs-test/hunt/cases.ts).
        files: [...new Set(simulated.flatMap((p) => p.testFiles)), ...(huntCases.length > 0 ? ["labs-test/hunt/cases.ts"] : [])],
        workers: o.workers,
        jobWallMs: o.testWallMs,
        startWallMs: 120_000,
        totalWallMs: Math.max(1, o.totalWallMs - wall.now()),
        limitMs: DEFAULT_LIMIT_MS,
        limitMsFor: limitsOf(simulated),
        logDir,
        env: huntCases.length > 0 ? { ...env, [CASES_ENV]: JSON.stringify(huntCases) } : env,
        isolation,
        stallCpuMs: o.stallCpuMs ?? DEFAULT_STALL_CPU_MS,
        dropHungTests: true,
        // Workers read the tree only and write only their scratch: no child processes. And
        // their guard thread's name (seed-worker.ts), by which the stall watch passes over
        // its waking: unnamed, it could hold off the detection of a worker blocked asleep.
        nodeFlags: o.noBoundary === true ? [] : permissionFlags([tree], [scratch.workerDir, path.join(tree, ".labs-runs"), "/proc/thread-self/comm"]),
        sandbox: o.noBoundary !== true,
        // tsx would start esbuild's service, a child process the permission model refuses.
        loader: "labs-test/sandbox/ts-loader.mjs",
        onRecord: (job, r) => progress.tick(r.passed, `${job.test} seed ${job.seed}`),
        onTamper: (why) => tampering.push(why),
        onEscaped: (n) => (escaped += n),
      });
      for (const [id, r] of got) records.set(id, r);
    }
    for (const p of o.parts.filter((p) => p.realProcesses && !notRun.has(p.id))) {
      const mine = items.filter((it) => p.tests.includes(it.test));
      const mrSeeds = [...new Set(mine.map((it) => it.seed))];
      process.stdout.write(`MapReduce: ${mrSeeds.length} run(s) of the test script\n`);
      const rs = await gradeMr({ tree, part: p, seeds: mrSeeds, runWallMs: Math.max(o.testWallMs, 600_000), env, resultsDir: path.join(scratch.workerDir, "tmp"), isolation, onEscaped: (n) => (escaped += n) });
      for (const it of mine) {
        const r = rs.find((x) => x.name === it.test && x.seed === it.seed);
        if (r !== undefined) records.set(it.id, r);
      }
    }

    // What voids every run: the grader trusts no file in the tree and no word of a worker
    // beyond what it can check, but a submission caught rewriting the tests, speaking for
    // its worker, or leaving processes behind has shown its runs cannot be taken at face value.
    const voids: string[] = [];
    const changed = changedFiles(tree, hashes);
    if (changed.length > 0) voids.push(`the submission changed framework files while it ran (${changed.slice(0, 10).join(", ")}); its runs do not count`);
    if (tampering.length > 0) voids.push(`the submission's test process sent what only submitted code sends (${tampering.slice(0, 3).join("; ")}); its runs do not count`);
    if (escaped > 0) voids.push(`the submission started ${escaped} process(es) that left their test's process group to outlive it (all stopped); its runs do not count`);
    for (const why of voids) {
      notes.push(why);
      for (const [id, r] of records) records.set(id, { ...r, passed: false, error: why, detail: why });
    }

    const kept = items.filter((it) => records.has(it.id)).map((it) => ({ ...records.get(it.id)!, id: it.id }));
    const fullDetails = new Map<string, number>();
    for (const r of kept) {
      if (r.passed || r.detail === undefined) continue;
      const n = fullDetails.get(r.name) ?? 0;
      fullDetails.set(r.name, n + 1);
      if (n >= FULL_DETAILS_PER_TEST) r.detail = capText(r.detail, SHORT_DETAIL);
    }
    const runs: RunsFile = {
      ...plan,
      notRun: Object.fromEntries(notRun),
      notes,
      records: kept,
      wallSeconds: wall.now() / 1000,
      submission,
      framework,
    };
    writeRunsFile(path.join(o.out, "runs.json"), runs);
    return writeReport(runs, o.out, logDir);
  } finally {
    scratch.release();
  }
}
