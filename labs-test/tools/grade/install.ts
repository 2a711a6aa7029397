import { copyFileSync, lstatSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { studentFilesIn, type LabPart } from "../../labs.js";

// Copy a submission's student files into the pristine tree: for the graded parts, the
// manifest's listed files plus the student's helper files beside them (studentFilesIn:
// any other .ts file in a student file's folder that the framework does not own), and
// nothing else. A file named like a framework file (raft/config.ts) is never copied.

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
      if (e.isDirectory()) walk(r); // a linked folder is a link here, not followed
      else out.push(r);
    }
  };
  walk("");
  return out;
}

/**
 * Why a submitted student file (rel, under root) cannot be used, or undefined when it is a
 * plain file reached through plain folders. A symbolic link anywhere on the way (raft/
 * linked to another student's folder, raft.ts linked to a reference) is refused: what is
 * graded is what the submission itself holds.
 */
function unusable(root: string, rel: string): string | undefined {
  const parts = rel.split("/");
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join("/");
    try {
      if (lstatSync(path.join(root, dir)).isSymbolicLink()) return `is inside ${dir}/, a symbolic link (submit the folder itself)`;
    } catch {
      return "is missing";
    }
  }
  const file = path.join(root, rel);
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
 * Copy each graded part's student files (studentFilesIn) from root into tree. A part with
 * a file missing or unusable is not run (it scores 0), and that file is removed from the
 * tree, so no reference copy stands in for it.
 */
export function installStudentFiles(root: string, tree: string, parts: LabPart[]): Installed {
  const notRun = new Map<string, string>();
  const filesOf = new Map(parts.map((p) => [p.id, studentFilesIn(p, root)]));
  const wanted = new Set([...filesOf.values()].flat());
  const bad = new Map<string, string>();
  for (const f of wanted) {
    const why = unusable(root, f);
    if (why !== undefined) {
      bad.set(f, why);
      rmSync(path.join(tree, f), { force: true });
      continue;
    }
    mkdirSync(path.dirname(path.join(tree, f)), { recursive: true });
    copyFileSync(path.join(root, f), path.join(tree, f));
  }
  for (const p of parts) {
    const problems = filesOf.get(p.id)!.filter((f) => bad.has(f)).map((f) => `${f} ${bad.get(f)!}`);
    if (problems.length > 0) notRun.set(p.id, `not graded: the submission's ${problems.join("; ")}`);
  }
  const all = filesUnder(root).filter((f) => !wanted.has(f));
  const ignored = all.length > IGNORED_LISTED ? [...all.slice(0, IGNORED_LISTED), `… and ${all.length - IGNORED_LISTED} more`] : all;
  return { notRun, ignored };
}
