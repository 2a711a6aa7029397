import { readFileSync, rmSync } from "node:fs";
import { execa } from "execa";
import { z } from "zod";

// One vitest process: the runner's unit of work. Counts come from vitest's JSON report.

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
