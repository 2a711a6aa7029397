// What the grader prepares once for its workers, in the grading tree's `.labs-cache/`
// (which workers may read but not write): each student file transpiled for the compartment
// (transpile.ts) and the value export names of every student file (export-names.ts). A
// worker that finds them never loads TypeScript; one that does not (a file changed, no
// grader) computes them itself. `make test-XX`'s runner keeps the same in
// `.labs-runs/prepared/` for the files that changed since its last run (prepare-changed.ts),
// so that vitest's workers on an unchanged tree do not load TypeScript either. (This file
// also runs in the playground's browser worker, whose node:fs has only what it imports.) Entries are
// keyed by the source's hash and the preparer's own (its files' text), so a stale entry is
// never used.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { studentExportNames, studentFilesUnder } from "./student-shims.js";
import { FRAMEWORK_IN_COMPARTMENT } from "./policy.js";
import { TranspileError, transpileStudentFile } from "./transpile.js";

/** The grader's folder (prepareStudentCode), then the runner's (prepareChanged), relative to the root. */
const GRADER_DIR = ".labs-cache/student";
export const RUNNER_DIR = ".labs-runs/prepared";
/** The export names' file in either folder. */
export const NAMES = "export-names.json";

/**
 * The files, relative to the root, whose text decides what is prepared: the transpiler,
 * the export-name reader and the policy they follow. Not TypeScript's version: a grading
 * worker may not read node_modules (its permissions name the tree only) and would then
 * never match what the grader prepared; a grading tree is new for every grade, and the
 * Makefile clears the runner's folder when it installs the packages again.
 */
const PREPARER_FILES = ["labs-test/sandbox/transpile.ts", "labs-test/sandbox/share-check.ts", "labs-test/sandbox/export-names.ts", "labs-test/sandbox/student-shims.ts", "labs-test/sandbox/policy.ts"];

export interface NamesFile {
  /** Each student file (relative, forward slashes) → the key of its source (keyOf). */
  sources: Record<string, string>;
  /** Each student file → its value export names. */
  names: Record<string, string[]>;
}

const preparers = new Map<string, string>();

/** The preparer's fingerprint under root (read once per process). An unreadable file counts as "missing". */
function preparerOf(root: string): string {
  let p = preparers.get(root);
  if (p === undefined) {
    const h = createHash("sha256");
    for (const f of PREPARER_FILES) {
      let text = "missing";
      try {
        text = readFileSync(path.join(root, f), "utf8");
      } catch {
        // counted as missing
      }
      h.update(text).update("\0");
    }
    p = h.digest("hex");
    preparers.set(root, p);
  }
  return p;
}

/** The key of a source under this preparer. */
function keyOf(root: string, text: string): string {
  return createHash("sha256").update(preparerOf(root)).update("\0").update(text).digest("hex").slice(0, 16);
}

function relOf(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join("/");
}

/** Where the body of `file` (absolute) with this source is kept in dir (GRADER_DIR or RUNNER_DIR). */
export function bodyPath(root: string, dir: string, file: string, source: string): string {
  return path.join(root, dir, `${relOf(root, file)}.${keyOf(root, source)}.cjs`);
}

/** The prepared module body of the student file `file` (absolute) with this source, if any. */
export function preparedBody(root: string, file: string, source: string): string | undefined {
  for (const dir of [GRADER_DIR, RUNNER_DIR]) {
    const p = bodyPath(root, dir, file, source);
    if (existsSync(p)) return readFileSync(p, "utf8");
  }
  return undefined;
}

/**
 * The prepared export names of every student file under root (absolute path → names), or
 * undefined unless they were prepared for exactly these files with exactly this content
 * (`export * from` makes one file's names depend on another's).
 */
export function preparedExportNames(root: string, files: readonly string[]): Map<string, string[]> | undefined {
  for (const dir of [GRADER_DIR, RUNNER_DIR]) {
    const found = namesIn(root, dir, files);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The export names kept in dir for exactly these files as they are now, or undefined. */
export function namesIn(root: string, dir: string, files: readonly string[]): Map<string, string[]> | undefined {
  const p = path.join(root, dir, NAMES);
  if (!existsSync(p)) return undefined;
  let got: NamesFile;
  try {
    got = JSON.parse(readFileSync(p, "utf8")) as NamesFile;
  } catch {
    return undefined;
  }
  if (Object.keys(got.sources ?? {}).length !== files.length) return undefined;
  const out = new Map<string, string[]>();
  for (const f of files) {
    const rel = relOf(root, f);
    const names = got.names?.[rel];
    if (got.sources[rel] !== keyOf(root, readFileSync(f, "utf8")) || !Array.isArray(names)) return undefined;
    out.set(f, names);
  }
  return out;
}

/** Every file the compartment loads under root: the student files and the framework files that run inside it. */
export function compartmentFiles(root: string): { student: string[]; all: string[] } {
  const student = studentFilesUnder(root);
  const inCompartment = FRAMEWORK_IN_COMPARTMENT.map((f) => path.join(root, f)).filter((f) => existsSync(f));
  return { student, all: [...student, ...inCompartment] };
}

/** A module body, or undefined for a file TypeScript cannot read (the worker meets the same error when it loads the file, and the test says so). */
export function bodyOf(file: string, source: string): string | undefined {
  try {
    return transpileStudentFile(file, source);
  } catch (e) {
    if (e instanceof TranspileError) return undefined;
    throw e;
  }
}

/** The export-names file for these student files (absolute paths) as they are now; reads them with TypeScript. */
export function namesFile(root: string, student: readonly string[]): NamesFile {
  const names: NamesFile = { sources: {}, names: {} };
  for (const f of student) {
    names.sources[relOf(root, f)] = keyOf(root, readFileSync(f, "utf8"));
    names.names[relOf(root, f)] = studentExportNames(root, f);
  }
  return names;
}

/**
 * Prepare every student file under root (a grading tree, its student files installed):
 * the compartment's module bodies (and those of the framework files that run inside it)
 * and the export names. Run by the trusted grader before
 * its workers start; TypeScript only parses the files, nothing of them runs.
 */
export function prepareStudentCode(root: string): void {
  const { student, all } = compartmentFiles(root);
  for (const f of all) {
    const source = readFileSync(f, "utf8");
    const body = bodyOf(f, source);
    if (body === undefined) continue;
    const out = bodyPath(root, GRADER_DIR, f, source);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, body);
  }
  mkdirSync(path.join(root, GRADER_DIR), { recursive: true });
  writeFileSync(path.join(root, GRADER_DIR, NAMES), JSON.stringify(namesFile(root, student)));
}
