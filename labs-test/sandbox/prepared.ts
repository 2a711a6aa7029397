// What the grader prepares once for its workers, in the grading tree's `.labs-cache/`
// (which workers may read but not write): each student file transpiled for the compartment
// (transpile.ts) and the value export names of every student file (export-names.ts). A
// worker that finds them never loads TypeScript; one that does not (a file changed, no
// grader) computes them itself. Entries are keyed by the source's hash, so a stale entry is
// never used.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { studentExportNames, studentFilesUnder } from "./student-shims.js";
import { FRAMEWORK_IN_COMPARTMENT } from "./policy.js";
import { TranspileError, transpileStudentFile } from "./transpile.js";

const DIR = ".labs-cache/student";
const NAMES = "export-names.json";

interface NamesFile {
  /** Each student file (relative, forward slashes) → the hash of its source. */
  sources: Record<string, string>;
  /** Each student file → its value export names. */
  names: Record<string, string[]>;
}

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

function relOf(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join("/");
}

function bodyPath(root: string, file: string, source: string): string {
  return path.join(root, DIR, `${relOf(root, file)}.${hashOf(source)}.cjs`);
}

/** The prepared module body of the student file `file` (absolute) with this source, if any. */
export function preparedBody(root: string, file: string, source: string): string | undefined {
  const p = bodyPath(root, file, source);
  return existsSync(p) ? readFileSync(p, "utf8") : undefined;
}

/**
 * The prepared export names of every student file under root (absolute path → names), or
 * undefined unless they were prepared for exactly these files with exactly this content
 * (`export * from` makes one file's names depend on another's).
 */
export function preparedExportNames(root: string, files: readonly string[]): Map<string, string[]> | undefined {
  const p = path.join(root, DIR, NAMES);
  if (!existsSync(p)) return undefined;
  const got = JSON.parse(readFileSync(p, "utf8")) as NamesFile;
  if (Object.keys(got.sources).length !== files.length) return undefined;
  const out = new Map<string, string[]>();
  for (const f of files) {
    const rel = relOf(root, f);
    const names = got.names[rel];
    if (got.sources[rel] !== hashOf(readFileSync(f, "utf8")) || names === undefined) return undefined;
    out.set(f, names);
  }
  return out;
}

/**
 * Prepare every student file under root (a grading tree, its student files installed):
 * the compartment's module bodies (and those of the framework files that run inside it)
 * and the export names. Run by the trusted grader before
 * its workers start; TypeScript only parses the files, nothing of them runs.
 */
export function prepareStudentCode(root: string): void {
  const files = studentFilesUnder(root);
  const inCompartment = FRAMEWORK_IN_COMPARTMENT.map((f) => path.join(root, f)).filter((f) => existsSync(f));
  for (const f of [...files, ...inCompartment]) {
    const source = readFileSync(f, "utf8");
    let body: string;
    try {
      body = transpileStudentFile(f, source);
    } catch (e) {
      // The worker meets the same error when it loads the file, and the test says so.
      if (e instanceof TranspileError) continue;
      throw e;
    }
    const out = bodyPath(root, f, source);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, body);
  }
  const names: NamesFile = { sources: {}, names: {} };
  for (const f of files) {
    names.sources[relOf(root, f)] = hashOf(readFileSync(f, "utf8"));
    names.names[relOf(root, f)] = studentExportNames(root, f);
  }
  mkdirSync(path.join(root, DIR), { recursive: true });
  writeFileSync(path.join(root, DIR, NAMES), JSON.stringify(names));
}
