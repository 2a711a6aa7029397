// A class's submissions: one entry per student in the SUBMISSIONS folder, a folder or an
// archive (.zip, .tar.gz, .tgz) named after the student. The student's id is the name
// without the archive extension, with anything but letters, digits and . _ @ + - turned
// into _ (ids name folders in OUT and rows of the gradebook). Hidden entries (.DS_Store)
// and other files are left out and listed.
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface Student {
  id: string;
  /** The folder or archive. */
  path: string;
}

export class RosterError extends Error {}

const ARCHIVE = /\.(zip|tar\.gz|tgz)$/i;

/** A student id from an entry name (see the file's header). */
export function studentId(entry: string): string {
  const bare = entry.replace(ARCHIVE, "");
  const id = bare.replace(/[^A-Za-z0-9._@+-]/g, "_").replace(/^[.-]+/, "_");
  return id === "" ? "_" : id;
}

/**
 * The students in dir, sorted by id (byte order: the same on every machine, so SHARD=i/n
 * splits them the same way everywhere). Throws RosterError when dir cannot be read, holds
 * no submission, or two entries map to one id.
 */
export function readRoster(dir: string): { students: Student[]; ignored: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new RosterError(`SUBMISSIONS=${dir}: not a readable folder (${(e as Error).message})`);
  }
  const students: Student[] = [];
  const ignored: string[] = [];
  for (const name of names.sort()) {
    const p = path.join(dir, name);
    const st = lstatSync(p);
    if (name.startsWith(".") || !(st.isDirectory() || (st.isFile() && ARCHIVE.test(name)))) {
      ignored.push(name);
      continue;
    }
    students.push({ id: studentId(name), path: p });
  }
  const seen = new Map<string, string>();
  for (const s of students) {
    const other = seen.get(s.id);
    if (other !== undefined) throw new RosterError(`${path.basename(other)} and ${path.basename(s.path)} are both student ${s.id}; rename one`);
    seen.set(s.id, s.path);
  }
  if (students.length === 0) throw new RosterError(`SUBMISSIONS=${dir} holds no submission (a folder or a .zip/.tar.gz/.tgz per student)`);
  students.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { students, ignored };
}

/** This shard's students: every n-th, as work-plan.ts splits runs. */
export function shardStudents(students: Student[], shard: { index: number; count: number } | undefined): Student[] {
  return shard === undefined ? students : students.filter((_, i) => i % shard.count === shard.index - 1);
}

/**
 * A digest of a submission as handed in (an archive's bytes, or a folder's files and their
 * contents): a re-submitted student is graded again on resume. A folder's walk stops at
 * 10000 files (what the grader would unpack at most).
 */
export function inputDigest(p: string): string {
  const h = createHash("sha256");
  if (lstatSync(p).isFile()) return h.update(readFileSync(p)).digest("hex");
  let files = 0;
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(p, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (++files > 10_000) return;
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) h.update(`${r}\0`).update(readFileSync(path.join(p, r))).update("\0");
      else h.update(`${r}\0(not a file)\0`);
    }
  };
  walk("");
  return h.digest("hex");
}
