// What goes into the student tree (`make handout`): which paths are copied, which are
// left out, and how each file's bytes are made. Everything is computed in memory first,
// so a bad input (a marker error, a missing student file) writes nothing.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { FRAMEWORK_FOLDERS, labFolders, PARTS, studentFilesIn, type LabPart } from "../labs.js";
import { hasMarkers, stubRegions, whollySolution } from "../solution-markers.js";
import { studentReadme } from "./handout-readme.js";

export class HandoutError extends Error {}

/**
 * Top-level folders and files a student needs: the settings, the shared framework folders
 * and every lab's folder (from the manifest); anything else in the repo stays behind.
 */
const INCLUDE = [...new Set([
  ".ci", ".gitignore", "Makefile", "package.json", "package-lock.json",
  "tsconfig.json", "tsconfig.build.json", "tsconfig.mr.json", "vitest.config.ts",
  ...FRAMEWORK_FOLDERS, ...labFolders(),
])];

/** Folder names never copied, wherever they are: our reference tests, build output, runs. */
const SKIP_DIRS = new Set(["reference", "node_modules", "build", ".labs-runs", "mr-tmp", ".git"]);

/**
 * Files that stay behind (a path ending in "/" is a whole folder): the instructor's tools
 * (this generator, the grader), contributor docs, notes that describe our reference
 * solution (its design, measurements, internals), and the timeline page's browser test
 * (it needs Chromium, which a student's machine need not have; the page itself ships), and
 * the runner's planning test (run-plan.test.ts: how REF=1 picks reference tests, which a
 * handout does not have), the watch's test (watch-tests.test.ts: it breaks our solution's
 * raft/raft.ts, which a handout does not have). README.md is replaced by the student README generated from the
 * manifest. A lab's README.md holds the reference solution's notes: every lab with student
 * files leaves it behind (raft/API.md, the student's contract, ships).
 */
export const HANDOUT_DROP: ReadonlySet<string> = new Set([
  "README.md",
  "CONTRIBUTING.md",
  "labs-test/tools/handout.ts",
  "labs-test/tools/handout-tree.ts",
  "labs-test/tools/handout-readme.ts",
  "labs-test/tools/handout.test.ts",
  "labs-test/tools/run-plan.test.ts",
  "labs-test/tools/watch-tests.test.ts",
  "labs-test/tools/grade/",
  "labs-test/vis/timeline-browser.test.ts",
  ...labFolders(PARTS.filter((p) => p.studentFiles.length > 0)).map((lab) => `${lab}/README.md`),
]);

/** Files whose instructor sections (INSTRUCTOR_BEGIN … INSTRUCTOR_END lines) stay behind. */
const INSTRUCTOR_SECTIONS: ReadonlySet<string> = new Set(["Makefile"]);
export const INSTRUCTOR_BEGIN = "# INSTRUCTOR BEGIN";
export const INSTRUCTOR_END = "# INSTRUCTOR END";

/**
 * text without its instructor sections, marker lines included: the Makefile's grade,
 * autograder and handout targets (and their help lines) name tools the handout leaves
 * behind. Sections do not nest.
 * @throws HandoutError naming file:line for an END without a BEGIN, a BEGIN inside a
 *   section, or a section never closed.
 */
export function dropInstructorSections(rel: string, text: string): string {
  const out: string[] = [];
  let openedAt = 0;
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const marker = line.trimEnd();
    if (marker === INSTRUCTOR_BEGIN) {
      if (openedAt !== 0) throw new HandoutError(`${rel}:${i + 1}: "${INSTRUCTOR_BEGIN}" inside the section opened at line ${openedAt} (sections do not nest)`);
      openedAt = i + 1;
    } else if (marker === INSTRUCTOR_END) {
      if (openedAt === 0) throw new HandoutError(`${rel}:${i + 1}: "${INSTRUCTOR_END}" without a "${INSTRUCTOR_BEGIN}" before it`);
      openedAt = 0;
    } else if (openedAt === 0) {
      out.push(line);
    }
  });
  if (openedAt !== 0) throw new HandoutError(`${rel}:${openedAt}: "${INSTRUCTOR_BEGIN}" is never closed by "${INSTRUCTOR_END}"`);
  return out.join("\n");
}

/** Whether HANDOUT_DROP leaves this path behind (itself, or a folder holding it). */
export function dropped(rel: string): boolean {
  if (HANDOUT_DROP.has(rel)) return true;
  for (let i = rel.indexOf("/"); i !== -1; i = rel.indexOf("/", i + 1)) {
    if (HANDOUT_DROP.has(rel.slice(0, i + 1))) return true;
  }
  return false;
}

/** One file of the tree: its path (posix, relative), bytes and permission bits. */
export interface TreeFile {
  path: string;
  bytes: Buffer;
  mode: number;
}

function walk(root: string, rel: string, out: string[]): void {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) return;
  const st = statSync(abs);
  if (st.isFile()) {
    if (!rel.endsWith(".trace.jsonl")) out.push(rel);
    return;
  }
  if (!st.isDirectory()) return;
  for (const name of readdirSync(abs).sort()) {
    if (SKIP_DIRS.has(name)) continue;
    walk(root, rel === "" ? name : path.posix.join(rel, name), out);
  }
}

/**
 * The student tree made from the repository at root, in path order: solution regions of
 * every part's student files (studentFilesIn) stubbed, except that a helper file the
 * manifest does not list and that is wholly solution (whollySolution: our own file split,
 * e.g. raft/log.ts) is left out, as are reference folders and HANDOUT_DROP; README.md
 * generated.
 * @throws HandoutError for a student file the manifest lists that does not exist, or a
 *   file outside every part's student files that holds SOLUTION markers.
 * @throws MarkerError (from solution-markers.ts) for a malformed region, naming file:line.
 */
export function handoutTree(root: string, parts: readonly LabPart[] = PARTS): TreeFile[] {
  const student = new Map<string, string>();
  const ours = new Set<string>();
  for (const p of parts) {
    for (const f of studentFilesIn(p, root)) {
      if (!existsSync(path.join(root, f))) {
        throw new HandoutError(`part ${p.id}: the manifest (labs-test/labs.ts) lists student file ${f}, but ${path.join(root, f)} does not exist`);
      }
      student.set(f, p.id);
      if (!p.studentFiles.includes(f) && whollySolution(f, readFileSync(path.join(root, f), "utf8"))) ours.add(f);
    }
  }
  const paths: string[] = [];
  for (const top of INCLUDE) walk(root, top, paths);
  const files: TreeFile[] = [];
  for (const rel of paths.sort()) {
    if (dropped(rel) || ours.has(rel)) continue;
    const abs = path.join(root, rel);
    const mode = statSync(abs).mode & 0o777;
    let bytes = readFileSync(abs);
    const text = bytes.toString("utf8");
    if (student.has(rel)) {
      bytes = Buffer.from(stubRegions(rel, text), "utf8");
    } else if (INSTRUCTOR_SECTIONS.has(rel)) {
      bytes = Buffer.from(dropInstructorSections(rel, text), "utf8");
    } else if (hasMarkers(text)) {
      throw new HandoutError(
        `${rel} holds SOLUTION markers but is no part's student file in labs-test/labs.ts ` +
          `(add it to a part's studentFiles, or take the markers out)`,
      );
    }
    files.push({ path: rel, bytes, mode });
  }
  files.push({ path: "README.md", bytes: Buffer.from(studentReadme(parts, (p) => studentFilesIn(p, root).filter((f) => !ours.has(f))), "utf8"), mode: 0o644 });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
