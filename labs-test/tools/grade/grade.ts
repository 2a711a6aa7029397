import { randomInt } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { RealClock } from "../../../runtime/real-clock.js";
import { studentFilesIn, type LabPart } from "../../labs.js";
import { Progress } from "../progress.js";
import { writeRunsFile, type RunsFile } from "../runs-file.js";
import { DEFAULT_LIMIT_MS, limitsOf, runPool } from "../seed-pool.js";
import type { JobRecord } from "../seed-protocol.js";
import { toolVersions } from "../versions.js";
import { buildPlan, consecutiveSeeds, shardOf, type Shard } from "../work-plan.js";
import type { GradescopeResults } from "./gradescope.js";
import { gradeMr } from "./grade-mr.js";
import { installStudentFiles } from "./install.js";
import { writeReport } from "./report.js";
import { openSubmission, submissionRoot } from "./submission.js";
import { changedFiles, makePristineTree } from "./tree.js";
import { typeCheck } from "./typecheck.js";
import { staticCheckParts } from "../static-check.js";
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
  /** Wall ms for all runs; runs not started by then fail. */
  totalWallMs: number;
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
   * Skip the static check of student code (default: check). Only for the grader's own
   * tests of the sandbox, which must show that the boundary holds where the check is blind.
   */
  skipStaticCheck?: boolean;
}

const TYPE_ERRORS_CAP = 4000;

/** What workers see of the environment: no test settings, nothing of the grader's. */
function childEnv(): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "TERM"];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

/**
 * Grade a submission: copy its student files over a pristine tree, type-check, run
 * every graded test of the parts `count` times in child processes, score, and write
 * OUT/results.json, OUT/junit.xml and OUT/runs.json. Throws SubmissionError for a
 * submission that cannot be opened (nothing is written then).
 */
export async function grade(o: GradeOptions): Promise<GradescopeResults> {
  const wall = new RealClock();
  const scratch = mkdtempSync(path.join(tmpdir(), "labs-grade-"));
  try {
    const opened = await openSubmission(o.submission, path.join(scratch, "submission"));
    const wanted = [...new Set(o.parts.flatMap((p) => p.studentFiles))];
    const root = submissionRoot(opened, wanted);
    const tree = path.join(scratch, "tree");
    mkdirSync(tree);
    // Leave out our own helper files beside the student files too: the submission's
    // code, not a reference helper, must be what is graded.
    const hashes = makePristineTree(o.root, tree, new Set(o.parts.flatMap((p) => studentFilesIn(p, o.root))));
    const installed = installStudentFiles(root, tree, o.parts);
    const notRun = installed.notRun;
    const notes: string[] = [];
    if (installed.ignored.length > 0) notes.push(`ignored (not student files of these parts): ${installed.ignored.join(", ")}`);

    // What the sandbox would refuse (an import outside the course's modules, process, eval
    // …): the part is not run, and the student reads why with file:line.
    for (const p of o.parts.filter((p) => !notRun.has(p.id) && !p.realProcesses && o.skipStaticCheck !== true)) {
      const problems = staticCheckParts(tree, [p]);
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
        const text = tc.output.length > TYPE_ERRORS_CAP ? tc.output.slice(0, TYPE_ERRORS_CAP) + "\n…" : tc.output;
        process.stdout.write(`${text}\n`);
        for (const p of parts) notRun.set(p.id, `not graded: the submission does not build (type errors):\n${text}`);
      }
    }

    const seeds = consecutiveSeeds(o.seed ?? randomInt(1, 2 ** 31), o.count);
    const tests = o.parts.flatMap((p) => p.tests);
    const runnable = new Set(o.parts.filter((p) => !notRun.has(p.id)).flatMap((p) => p.tests));
    const items = shardOf(buildPlan(tests, seeds), o.shard).filter((it) => runnable.has(it.test));
    const logDir = path.join(o.out, "logs");
    mkdirSync(logDir, { recursive: true });
    const records = new Map<number, JobRecord>();

    const simulated = o.parts.filter((p) => !p.realProcesses && !notRun.has(p.id));
    const simItems = items.filter((it) => simulated.some((p) => p.tests.includes(it.test)));
    // The framework as JavaScript once, here, rather than TypeScript loaded in every worker.
    if (simItems.length > 0) await precompile(tree, [...hashes.keys()]);
    const workTmp = path.join(scratch, "tmp");
    mkdirSync(workTmp, { recursive: true });
    mkdirSync(path.join(tree, ".labs-runs"), { recursive: true });
    if (simItems.length > 0) {
      process.stdout.write(`${simItems.length} runs (${seeds.length} per test), ${o.workers} worker process(es)\n`);
      const progress = new Progress(simItems.length);
      const got = await runPool(simItems, {
        cwd: tree,
        files: [...new Set(simulated.flatMap((p) => p.testFiles))],
        workers: o.workers,
        jobWallMs: o.testWallMs,
        startWallMs: 120_000,
        totalWallMs: o.totalWallMs,
        limitMs: DEFAULT_LIMIT_MS,
        limitMsFor: limitsOf(simulated),
        logDir,
        // Workers read the tree only and write only their scratch: no child processes.
        env: { ...childEnv(), TMPDIR: workTmp },
        nodeFlags: permissionFlags([tree], [workTmp, path.join(tree, ".labs-runs")]),
        // tsx would start esbuild's service, a child process the permission model refuses.
        loader: "labs-test/sandbox/ts-loader.mjs",
        onRecord: (job, r) => progress.tick(r.passed, `${job.test} seed ${job.seed}`),
      });
      for (const [id, r] of got) records.set(id, r);
    }
    for (const p of o.parts.filter((p) => p.realProcesses && !notRun.has(p.id))) {
      const mine = items.filter((it) => p.tests.includes(it.test));
      const mrSeeds = [...new Set(mine.map((it) => it.seed))];
      process.stdout.write(`MapReduce: ${mrSeeds.length} run(s) of the test script\n`);
      const rs = await gradeMr(tree, p, mrSeeds, Math.max(o.testWallMs, 600_000), childEnv());
      for (const it of mine) {
        const r = rs.find((x) => x.name === it.test && x.seed === it.seed);
        if (r !== undefined) records.set(it.id, r);
      }
    }

    // The parent trusts no file in the tree, but a submission that rewrote the tests or
    // the harness while it ran voids its runs.
    const changed = changedFiles(tree, hashes);
    if (changed.length > 0) {
      const why = `the submission changed framework files while it ran (${changed.slice(0, 10).join(", ")}); its runs do not count`;
      notes.push(why);
      for (const [id, r] of records) records.set(id, { ...r, passed: false, error: why, detail: why });
    }

    const runs: RunsFile = {
      format: "labs-ts-runs/1",
      parts: o.parts.map((p) => p.id),
      tests,
      seeds,
      shard: o.shard ?? { index: 1, count: 1 },
      notRun: Object.fromEntries(notRun),
      notes,
      records: items.filter((it) => records.has(it.id)).map((it) => ({ ...records.get(it.id)!, id: it.id })),
      versions: toolVersions(o.root),
      wallSeconds: wall.now() / 1000,
    };
    writeRunsFile(path.join(o.out, "runs.json"), runs);
    return writeReport(runs, o.out, logDir);
  } finally {
    if (o.keepTree === true) process.stdout.write(`scratch tree kept: ${scratch}\n`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}
