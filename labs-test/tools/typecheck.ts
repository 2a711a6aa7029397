// Type-check before testing: a student's type error must be reported as a type error,
// not as a test that "failed to reach agreement" because tsx ran code that tsc rejects.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { readStamp, removeStamp, stampHolds, takeStamp, writeStamp } from "./typecheck-stamp.js";

/** TypeScript's package folder, and the repository it is installed in (found from here, bundled or not). */
const TYPESCRIPT_DIR = path.dirname(createRequire(import.meta.url).resolve("typescript/package.json"));
const ROOT = path.resolve(TYPESCRIPT_DIR, "..", "..");

export interface TypecheckResult {
  ok: boolean;
  /** tsc's diagnostics (file(line,col): error TSxxxx: …), empty when ok. */
  output: string;
  /** tsc did not run: nothing it read has changed since its last clean check of these files. */
  unchanged: boolean;
}

export interface TypecheckOptions {
  /** Where tsc keeps its incremental build info (and the generated tsconfig), e.g. .labs-runs. */
  buildInfoDir: string;
  /** The project: the folder of its tsconfig.json (default: this repo). */
  dir?: string;
  /**
   * Check only these files (relative to dir) and what they import, e.g. a part's test
   * files: their closure holds the student files and the framework they run against, but
   * not tests of our reference's internals, which a student's solution need not satisfy.
   * Default: the whole project.
   */
  files?: string[];
}

/** Settings tsc reads besides the program's files: a change to one is a change to the check. */
const SETTINGS_FILES = ["tsconfig.json", "package.json", path.join("node_modules", ".package-lock.json")];

/**
 * Run `tsc --noEmit` (strict, the project's tsconfig). Incremental, with its build info
 * under buildInfoDir (one per file set), so a run after a small change re-checks only what
 * the change can affect. For a file set, a clean check also leaves a stamp
 * (typecheck-stamp.ts) of everything tsc read; while it holds, tsc is not started at all
 * (3 to 4 CPU s saved for 2A) and the result is ok with unchanged set. The whole project
 * is always checked by tsc: its `include` globs can take in a file from any new folder.
 * Throws only if tsc itself cannot be started.
 */
export async function typecheck(opts: TypecheckOptions): Promise<TypecheckResult> {
  const dir = opts.dir ?? ROOT;
  const paths = typecheckPaths(opts);
  let project = path.join(dir, "tsconfig.json");
  if (paths.fileSet !== undefined) {
    const stamp = readStamp(paths.fileSet.stampFile);
    if (stamp !== undefined && stampHolds(stamp, paths.fileSet.stampKey)) return { ok: true, output: "", unchanged: true };
    removeStamp(paths.fileSet.stampFile);
    project = writeProject(paths.fileSet.project, paths.fileSet.files, dir);
  }
  const { info } = paths;
  // For a file set, written just before tsc starts: its mtime tells which inputs changed
  // during the check.
  const startedMs = statSync(project).mtimeMs;
  const { execa } = await import("execa");
  const r = await execa(
    path.join(TYPESCRIPT_DIR, "bin", "tsc"),
    ["-p", project, "--noEmit", "--incremental", "--tsBuildInfoFile", info, "--pretty", "false", "--listFiles"],
    { reject: false, all: true, cwd: dir },
  );
  if (r.failed && r.exitCode === undefined) throw new Error(`could not run tsc: ${r.message}`);
  // --listFiles prints each file of the program as an absolute path, one a line, after
  // the diagnostics (whose paths are relative to dir).
  const lines = (r.all ?? "").split("\n");
  const programFiles = lines.filter((l) => path.isAbsolute(l) && /\.(d\.)?[cm]?tsx?$|\.json$/.test(l));
  const listed = new Set(programFiles);
  const output = lines.filter((l) => !listed.has(l)).join("\n").trim();
  const ok = r.exitCode === 0;
  if (ok && paths.fileSet !== undefined) stampCleanCheck(paths.fileSet, programFiles, startedMs, dir);
  return { ok, output, unchanged: false };
}

/** Where a check of these options keeps its state (all under buildInfoDir). */
export interface TypecheckPaths {
  /** tsc's incremental build info. */
  info: string;
  /** For a file set (not the whole project): its generated tsconfig, its stamp and the stamp's key. */
  fileSet?: { files: string[]; project: string; stampFile: string; stampKey: string };
}

export function typecheckPaths(opts: TypecheckOptions): TypecheckPaths {
  const dir = opts.dir ?? ROOT;
  const buildInfoDir = path.resolve(dir, opts.buildInfoDir);
  mkdirSync(buildInfoDir, { recursive: true });
  if (opts.files === undefined) return { info: path.join(buildInfoDir, "tsbuildinfo-all") };
  const files = [...new Set(opts.files)].sort();
  const key = createHash("sha256").update(files.join("\n")).digest("hex").slice(0, 12);
  return {
    info: path.join(buildInfoDir, `tsbuildinfo-${key}`),
    fileSet: {
      files,
      project: path.join(buildInfoDir, `tsconfig.typecheck-${key}.json`),
      stampFile: path.join(buildInfoDir, `typecheck-${key}.stamp.json`),
      stampKey: `${files.join("\n")}\ntypescript ${typescriptVersion()}`,
    },
  };
}

/** The tsconfig of a file set: the project's settings, only these files (and what they import). Returns its path. */
export function writeProject(project: string, files: string[], dir: string = ROOT): string {
  const config = { extends: path.join(dir, "tsconfig.json"), files: files.map((f) => path.resolve(dir, f)), include: [] };
  // Whole or not at all: another run's tsc may be reading it.
  const tmp = `${project}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + "\n");
  renameSync(tmp, project);
  return project;
}

/**
 * After a clean check of a file set that read programFiles (absolute paths): its stamp,
 * unless an input changed at or after startedMs (the mtime of a file written just before
 * the check began).
 */
export function stampCleanCheck(fileSet: NonNullable<TypecheckPaths["fileSet"]>, programFiles: string[], startedMs: number, dir: string = ROOT): void {
  const extra = SETTINGS_FILES.map((f) => path.join(dir, f));
  const stamp = takeStamp(fileSet.stampKey, programFiles, extra, startedMs);
  if (stamp !== undefined) writeStamp(fileSet.stampFile, stamp);
}

function typescriptVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(TYPESCRIPT_DIR, "package.json"), "utf8")) as { version?: unknown };
  return String(pkg.version);
}

/**
 * The message the runner prints for a failed check: the errors, grouped by file, student
 * files first. testsRan: the check ran beside the tests (make watch-XX), not before them.
 */
export function describeTypeErrors(output: string, studentFiles: string[], testsRan = false): string {
  const lines = output.split("\n").filter((l) => l.trim() !== "");
  const isStudent = (l: string): boolean => studentFiles.some((f) => l.startsWith(f + "("));
  const ordered = [...lines.filter(isStudent), ...lines.filter((l) => !isStudent(l))];
  const files = new Set(lines.map((l) => /^([^(]+)\(\d+,\d+\)/.exec(l)?.[1]).filter((f) => f !== undefined));
  return (
    (testsRan
      ? `type errors: the code does not type-check (tsc --noEmit); the tests above ran on it as written, and make test-XX runs none until these are fixed.\n`
      : `type errors: the code does not type-check (tsc --noEmit), so no test was run.\n`) +
    `  files: ${[...files].join(", ") || "(see below)"}\n` +
    ordered.map((l) => `  ${l}`).join("\n")
  );
}
