import { existsSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import AdmZip from "adm-zip";
import * as tar from "tar";

// A submission: a directory holding the student files at their repo paths, or a
// .tar.gz/.tgz/.zip of one. Archives are checked entry by entry before anything is
// written: no absolute paths, no `..`, no links, so nothing lands outside the scratch
// folder it is unpacked into.

export class SubmissionError extends Error {}

/** Why an archive entry name is unsafe, or undefined when it is fine. */
export function unsafeEntry(name: string): string | undefined {
  const n = name.replace(/\\/g, "/");
  if (n.startsWith("/") || /^[A-Za-z]:/.test(n)) return `absolute path ${JSON.stringify(name)}`;
  if (n.split("/").includes("..")) return `path with .. ${JSON.stringify(name)}`;
  if (n.includes("\0")) return `path with a NUL byte`;
  return undefined;
}

const MAX_ENTRIES = 10_000;
const MAX_BYTES = 200 * 1024 * 1024;

async function unpackTar(file: string, dest: string): Promise<void> {
  const problems: string[] = [];
  let count = 0;
  let bytes = 0;
  await tar.t({
    file,
    onReadEntry: (e) => {
      count++;
      bytes += e.size ?? 0;
      const why = unsafeEntry(e.path);
      if (why !== undefined) problems.push(why);
      else if (e.type !== "File" && e.type !== "Directory" && e.type !== "OldFile" && e.type !== "ContiguousFile") {
        problems.push(`${e.type} entry ${JSON.stringify(e.path)} (only files and folders are accepted)`);
      }
    },
  });
  if (problems.length > 0) throw new SubmissionError(`the archive ${file} has unsafe entries: ${problems.slice(0, 5).join("; ")}`);
  if (count > MAX_ENTRIES || bytes > MAX_BYTES) throw new SubmissionError(`the archive ${file} is too large (${count} entries, ${bytes} bytes)`);
  await tar.x({ file, cwd: dest, strict: true, preservePaths: false });
}

function unpackZip(file: string, dest: string): void {
  let zip: AdmZip;
  try {
    zip = new AdmZip(file);
  } catch (e) {
    throw new SubmissionError(`${file} is not a readable zip archive (${(e as Error).message})`);
  }
  const entries = zip.getEntries();
  if (entries.length > MAX_ENTRIES) throw new SubmissionError(`the archive ${file} has too many entries (${entries.length})`);
  const problems: string[] = [];
  let bytes = 0;
  for (const e of entries) {
    const why = unsafeEntry(e.entryName);
    if (why !== undefined) problems.push(why);
    // Unix mode in the upper half of the external attributes: 0o120000 is a symlink.
    else if (((e.attr >>> 16) & 0o170000) === 0o120000) problems.push(`symlink entry ${JSON.stringify(e.entryName)}`);
    bytes += e.header.size;
  }
  if (problems.length > 0) throw new SubmissionError(`the archive ${file} has unsafe entries: ${problems.slice(0, 5).join("; ")}`);
  if (bytes > MAX_BYTES) throw new SubmissionError(`the archive ${file} is too large (${bytes} bytes unpacked)`);
  for (const e of entries) {
    const target = path.join(dest, e.entryName);
    if (e.isDirectory) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, e.getData());
  }
}

/**
 * Where the student files are: the folder itself, or, when none of them is there and the
 * folder holds a single folder (an archive of `project/…`), that one.
 */
export function submissionRoot(dir: string, wanted: string[]): string {
  if (wanted.some((f) => existsSync(path.join(dir, f)))) return dir;
  const names = readdirSync(dir).filter((n) => n !== "__MACOSX");
  if (names.length === 1 && lstatSync(path.join(dir, names[0]!)).isDirectory()) return path.join(dir, names[0]!);
  return dir;
}

/**
 * The folder to read student files from. Archives are unpacked into scratch (an empty
 * folder the caller owns). Throws SubmissionError for anything that is not a folder or
 * a safe .tar.gz/.tgz/.zip.
 */
export async function openSubmission(submission: string, scratch: string): Promise<string> {
  let st;
  try {
    st = statSync(submission);
  } catch {
    throw new SubmissionError(`submission ${submission} does not exist`);
  }
  if (st.isDirectory()) return submission;
  if (!st.isFile()) throw new SubmissionError(`submission ${submission} is neither a folder nor an archive`);
  const lower = submission.toLowerCase();
  mkdirSync(scratch, { recursive: true });
  if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) {
    try {
      await unpackTar(submission, scratch);
    } catch (e) {
      if (e instanceof SubmissionError) throw e;
      throw new SubmissionError(`${submission} is not a readable .tar.gz archive (${(e as Error).message})`);
    }
  } else if (lower.endsWith(".zip")) {
    unpackZip(submission, scratch);
  } else {
    throw new SubmissionError(`submission ${submission} is neither a folder nor a .tar.gz, .tgz or .zip archive`);
  }
  return scratch;
}
