import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { TestRunResult, Vitest } from "vitest/node";
import { z } from "zod";
import { mark } from "./timing.js";
import { vitestSettings } from "./vitest-settings.js";

// The runner's two ways to run vitest: a vitest process (runVitest; `make test`), counts
// from its JSON report; or vitest inside the runner (VitestSession; make test-XX and
// make watch-XX), where each file can carry its own test-name filter, so a part's graded,
// extra and reference tests share one start-up, and a watch re-runs without starting over.

const reportSchema = z.object({
  numPassedTests: z.number(),
  numFailedTests: z.number(),
  numPendingTests: z.number(),
  numTodoTests: z.number().optional(),
  numTotalTests: z.number(),
  success: z.boolean(),
});

export interface VitestCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Files that failed to load or crashed count as failures even with no test result. */
  ok: boolean;
}

/** A step's counts for a summary: `N passed, N failed[, N skipped]`. */
export function countsLine(c: { passed: number; failed: number; skipped: number }): string {
  return `${c.passed} passed, ${c.failed} failed` + (c.skipped > 0 ? `, ${c.skipped} skipped` : "");
}

/**
 * The lines a run ends with: the count of skipped tests (the course skips two For2023 tests) on a line of its
 * own, then the plain `N passed, N failed` the CI reads, always last.
 */
export function closingLine(c: { passed: number; failed: number; skipped: number }): string {
  return (c.skipped > 0 ? `(${c.skipped} skipped)\n` : "") + `${c.passed} passed, ${c.failed} failed`;
}

export interface VitestRunOptions {
  files: string[];
  namePattern?: string;
  /** Files (globs) left out even when `files` is empty (= every test file). */
  exclude?: string[];
  env?: Record<string, string>;
  reportFile: string;
  /** A name filter that selects nothing in these files is not a failure. */
  passWithNoTests?: boolean;
  /** Where output goes: the terminal, or a log file. */
  logFile?: string;
}

export async function runVitest(opts: VitestRunOptions): Promise<VitestCounts> {
  rmSync(opts.reportFile, { force: true });
  const args = ["vitest", "run", ...opts.files, "--reporter=default", "--reporter=json", `--outputFile.json=${opts.reportFile}`];
  if (opts.namePattern !== undefined) args.push("-t", opts.namePattern);
  for (const x of opts.exclude ?? []) args.push("--exclude", x);
  if (opts.passWithNoTests === true) args.push("--passWithNoTests");
  const { execa } = await import("execa");
  const r = await execa(args[0]!, args.slice(1), {
    env: { ...opts.env, FORCE_COLOR: opts.logFile ? "0" : (process.env.FORCE_COLOR ?? "1") },
    stdio: opts.logFile ? ["ignore", { file: opts.logFile }, { file: opts.logFile }] : "inherit",
    reject: false,
    preferLocal: true,
  });
  let report: z.infer<typeof reportSchema>;
  try {
    report = reportSchema.parse(JSON.parse(readFileSync(opts.reportFile, "utf8")));
  } catch {
    return { passed: 0, failed: 1, skipped: 0, ok: false };
  }
  const failed = report.numFailedTests + (r.exitCode !== 0 && report.numFailedTests === 0 ? 1 : 0);
  return {
    passed: report.numPassedTests,
    failed,
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
    ok: r.exitCode === 0,
  };
}

/** Where vitest keeps transformed modules between runs (keyed by content and config): gitignored. */
export const MODULE_CACHE_DIR = path.join(".labs-runs", "vitest-modules");

/** Some test files and the tests of theirs to run. */
export interface VitestSpec {
  /** Test files, relative to the working directory. */
  files: string[];
  /** Only the tests whose full names match (vitest's -t); every test when unset. */
  namePattern?: RegExp;
}

/**
 * vitest inside this process, with the project's settings (vitest-settings.ts) and the default
 * reporter on stdout. Tests run in vitest's worker processes, which inherit this process's
 * environment (SEED, RUN, TRACE … : set process.env before open). Transformed modules are
 * kept on disk (MODULE_CACHE_DIR), so a run on an unchanged tree transforms nothing.
 */
export class VitestSession {
  private started = false;

  private constructor(private readonly vitest: Vitest) {}

  /** Loads vitest and the config; prints nothing and runs nothing until run(). */
  static async open(): Promise<VitestSession> {
    mark("vitest open start");
    const { createVitest } = await import("vitest/node");
    mark("vitest/node imported");
    // The settings inline (config: false): vite then neither bundles nor loads vitest.config.ts.
    const root = process.cwd();
    const { plugins, test } = vitestSettings(root);
    const vitest = await createVitest(
      "test",
      {
        ...test,
        root,
        config: false,
        watch: false,
        reporters: ["default"],
        experimental: { fsModuleCache: true, fsModuleCachePath: MODULE_CACHE_DIR },
      },
      { plugins },
    );
    return new VitestSession(vitest);
  }

  /** One vitest run of all these specs (files run in parallel across vitest's workers). */
  async run(specs: VitestSpec[]): Promise<VitestCounts> {
    if (!this.started) {
      // The reporters' start (vitest's RUN banner).
      await this.vitest.standalone();
      this.started = true;
    }
    const project = this.vitest.getRootProject();
    const specifications = specs.flatMap((s) =>
      s.files.map((f) =>
        project.createSpecification(path.resolve(f), s.namePattern === undefined ? {} : { testNamePattern: s.namePattern }),
      ),
    );
    mark("vitest run start");
    return countResults(await this.vitest.runTestSpecifications(specifications));
  }

  /** Forget what vitest knows of these files (changed on disk since), so the next run reads them again. */
  invalidate(files: string[]): void {
    for (const f of files) this.vitest.invalidateFile(path.resolve(f));
  }

  close(): Promise<void> {
    return this.vitest.close();
  }
}

/**
 * Tests that passed and failed. Tests a name filter left out are reported as skipped by
 * vitest; they were not run, and are not counted. A file that failed to load, or an error
 * outside any test, counts as one failure when no test of it failed.
 */
function countResults(r: TestRunResult): VitestCounts {
  const c: VitestCounts = { passed: 0, failed: 0, skipped: 0, ok: r.unhandledErrors.length === 0 };
  for (const m of r.testModules) {
    let failed = 0;
    for (const t of m.children.allTests()) {
      const state = t.result().state;
      if (state === "passed") c.passed++;
      else if (state === "failed") failed++;
    }
    if (failed === 0 && (m.errors().length > 0 || m.state() === "failed")) failed = 1;
    c.failed += failed;
    if (!m.ok()) c.ok = false;
  }
  if (!c.ok && c.failed === 0) c.failed = 1;
  return c;
}
