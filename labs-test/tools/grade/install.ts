import { copyFileSync, lstatSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { LabPart } from "../../labs.js";

// Copy a submission's student files (the manifest's list for the graded parts, and
// nothing else) into the pristine tree.

export interface Installed {
  /** Part id → why it cannot be graded (a missing or unusable file). */
  notRun: Map<string, string>;
  /** Submission files that were not copied because no graded part lists them. */
  ignored: string[];
}

const IGNORED_LISTED = 50;

function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    if (out.length > 10_000) return;
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk("");
  return out;
}

/** Why a submitted student file cannot be used, or undefined when it is a plain file. */
function unusable(file: string): string | undefined {
  let st;
  try {
    st = lstatSync(file);
  } catch {
    return "is missing";
  }
  if (st.isSymbolicLink()) return "is a symbolic link (submit the file itself)";
  if (!st.isFile()) return "is not a file";
  if (st.size > 5 * 1024 * 1024) return "is larger than 5 MB";
  return undefined;
}

/**
 * Copy each graded part's student files from root into tree. A part with a file missing
 * is not run (it scores 0), and that file is removed from the tree, so no reference copy
 * stands in for it.
 */
export function installStudentFiles(root: string, tree: string, parts: LabPart[]): Installed {
  const notRun = new Map<string, string>();
  const wanted = new Set(parts.flatMap((p) => p.studentFiles));
  const bad = new Map<string, string>();
  for (const f of wanted) {
    const why = unusable(path.join(root, f));
    if (why !== undefined) {
      bad.set(f, why);
      rmSync(path.join(tree, f), { force: true });
      continue;
    }
    mkdirSync(path.dirname(path.join(tree, f)), { recursive: true });
    copyFileSync(path.join(root, f), path.join(tree, f));
  }
  for (const p of parts) {
    const problems = p.studentFiles.filter((f) => bad.has(f)).map((f) => `${f} ${bad.get(f)!}`);
    if (problems.length > 0) notRun.set(p.id, `not graded: the submission's ${problems.join("; ")}`);
  }
  const all = filesUnder(root).filter((f) => !wanted.has(f));
  const ignored = all.length > IGNORED_LISTED ? [...all.slice(0, IGNORED_LISTED), `… and ${all.length - IGNORED_LISTED} more`] : all;
  return { notRun, ignored };
}
