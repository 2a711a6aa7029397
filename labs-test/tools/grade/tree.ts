import { createHash } from "node:crypto";
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, symlinkSync } from "node:fs";
import path from "node:path";
import { execaSync } from "execa";
import { PARTS, studentFilesIn } from "../../labs.js";

// The pristine tree a submission is graded in: a fresh copy of this project's framework
// (tests, harness, tools) and its own copy of node_modules, into which only the manifest's
// student files are copied. It holds no solution of any kind: no student file of any part
// (not even another lab's reference), no helper file of ours beside them, nothing under a
// `reference/` folder (the second Raft, planted bugs, reference tests). Nothing in it links
// back to the instructor's checkout, so nothing graded can read or change that checkout
// through it. Hashes of the framework files let the grader notice a submission that
// rewrote them while it ran.

/** Never copied: installed packages, build output, run logs, scratch. */
const SKIP_DIRS = new Set(["node_modules", ".git", ".labs-runs", "build", "out", "handout", "mr-tmp", "coverage"]);

/** The project's source files (relative paths): git's view when there is a repository. */
export function sourceFiles(root: string): string[] {
  if (existsSync(path.join(root, ".git"))) {
    const r = execaSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: root, reject: false });
    if (r.exitCode === 0) {
      return r.stdout
        .split("\0")
        .filter((f) => f !== "" && existsSync(path.join(root, f)))
        .filter((f) => !SKIP_DIRS.has(f.split("/")[0]!));
    }
  }
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(r);
      } else if (e.isFile()) out.push(r);
    }
  };
  walk("");
  return out;
}

export function hashFile(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** Solution code of ours, by repository path: never in a grading tree or an autograder zip. */
export function solutionFiles(root: string): Set<string> {
  return new Set(PARTS.flatMap((p) => studentFilesIn(p, root)));
}

/** A path under a `reference/` folder (our solution's internals and tests, the second Raft). */
export function underReference(rel: string): boolean {
  return rel.split("/").slice(0, -1).includes("reference");
}

/** The framework files a grading tree or autograder zip holds: source minus every solution. */
export function frameworkFiles(root: string): string[] {
  const solutions = solutionFiles(root);
  return sourceFiles(root).filter((f) => !solutions.has(f) && !underReference(f));
}

/**
 * Copy root's framework (frameworkFiles) into dest (an empty folder), leaving out `omit`
 * too, and node_modules (linkOrCopyTree). Returns the copied files' hashes.
 */
export function makePristineTree(root: string, dest: string, omit: Set<string>): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const f of frameworkFiles(root)) {
    if (omit.has(f)) continue;
    const to = path.join(dest, f);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(path.join(root, f), to);
    hashes.set(f, hashFile(to));
  }
  linkOrCopyTree(path.join(root, "node_modules"), path.join(dest, "node_modules"));
  return hashes;
}

/**
 * A copy of the folder src at dest in which each file is a hard link to src's where the
 * file system allows (a copy otherwise); a symbolic link that stays inside src is made
 * again as it was (node_modules's are relative, so they point into the copy), one that
 * leads out of src is replaced by a copy of its target. A hard link leads nowhere:
 * nothing in dest names a path of src, and the processes that run submitted code may not
 * write (Node's permission model), so the shared files stay as they are.
 */
export function linkOrCopyTree(src: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const e of readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, e.name);
    const to = path.join(dest, e.name);
    if (e.isDirectory()) linkOrCopyTree(from, to);
    else if (e.isSymbolicLink()) {
      // A link inside src is made again; one that leads out of it (an installer's link to
      // a package elsewhere) would be a path back out of the tree: its target is copied.
      const target = readlinkSync(from);
      const inside = !path.relative(src, path.resolve(src, target)).startsWith("..") && !path.isAbsolute(target);
      if (inside) symlinkSync(target, to);
      else if (statSync(from).isDirectory()) linkOrCopyTree(realpathSync(from), to);
      else linkOrCopy(realpathSync(from), to);
    } else if (e.isFile()) linkOrCopy(from, to);
  }
}

/** dest as a hard link to src where the file system allows, a copy otherwise. */
function linkOrCopy(src: string, dest: string): void {
  try {
    linkSync(src, dest);
  } catch {
    copyFileSync(src, dest);
  }
}

/** Framework files whose content is no longer what was copied (or that are gone). */
export function changedFiles(dest: string, hashes: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [f, h] of hashes) {
    const p = path.join(dest, f);
    if (!existsSync(p) || hashFile(p) !== h) changed.push(f);
  }
  return changed;
}
