import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { execaSync } from "execa";

// The pristine tree a submission is graded in: a fresh copy of this project's source
// (tests, harness, framework) with node_modules linked, into which only the manifest's
// student files are copied. Hashes of the framework files let the grader notice a
// submission that rewrote them while it ran.

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

/**
 * Copy root's source into dest (an empty folder), leaving out `omit` (the student files
 * the submission provides), and link node_modules. Returns the copied files' hashes.
 */
export function makePristineTree(root: string, dest: string, omit: Set<string>): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const f of sourceFiles(root)) {
    if (omit.has(f)) continue;
    const to = path.join(dest, f);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(path.join(root, f), to);
    hashes.set(f, hashFile(to));
  }
  symlinkSync(path.join(root, "node_modules"), path.join(dest, "node_modules"), "dir");
  return hashes;
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
