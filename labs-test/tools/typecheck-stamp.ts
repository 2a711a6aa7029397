// What a clean type check read, written down so that the next `make test-XX` on an
// unchanged tree can skip tsc (seconds of CPU) and still never miss a change: a stamp holds
// only while every file tsc read, every folder it looked in and the settings it ran under
// are as they were.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const stampSchema = z.object({
  version: z.literal(1),
  /** Names the check: its file set, its tsconfig, the TypeScript version. */
  key: z.string(),
  /** What each input looked like: see entryOf. */
  entries: z.record(z.string(), z.string()),
});

export type TypecheckStamp = z.infer<typeof stampSchema>;

/**
 * An input's fingerprint. Project files by content (an editor may keep the mtime; a
 * checkout may restore old content with a new one); files under node_modules (hundreds of
 * .d.ts, replaced only by an install) by size and mtime; a folder by its sorted entry names
 * (a file added beside a checked one can change what an import resolves to). A missing
 * input is "missing", so its appearance is a change too.
 */
function entryOf(kind: "file" | "dir", abs: string): string {
  const st = statSync(abs, { throwIfNoEntry: false });
  if (st === undefined) return "missing";
  if (kind === "dir") return hash(readdirSync(abs).sort().join("\n"));
  if (abs.split(path.sep).includes("node_modules")) return `${st.size}:${st.mtimeMs}`;
  return hash(readFileSync(abs));
}

function hash(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex").slice(0, 32);
}

/**
 * The stamp of a clean check that read these files (absolute paths, as `tsc --listFiles`
 * prints them), or undefined when one of them was modified at or after startedMs (the
 * mtime, in ms, of a file written just before tsc started: the file system's own clock):
 * tsc may have read the old content, so the check proves nothing about the new one. extraFiles are settings read outside the program (tsconfig.json,
 * package.json, node_modules/.package-lock.json).
 */
export function takeStamp(key: string, programFiles: string[], extraFiles: string[], startedMs: number): TypecheckStamp | undefined {
  const entries: Record<string, string> = {};
  const dirs = new Set<string>();
  for (const f of [...programFiles, ...extraFiles]) {
    const st = statSync(f, { throwIfNoEntry: false });
    if (st !== undefined && st.mtimeMs >= startedMs) return undefined;
    entries[`file:${f}`] = entryOf("file", f);
    if (!f.split(path.sep).includes("node_modules")) dirs.add(path.dirname(f));
  }
  for (const d of dirs) entries[`dir:${d}`] = entryOf("dir", d);
  return { version: 1, key, entries };
}

/** Whether every input the stamp lists still looks the same (stops at the first change). */
export function stampHolds(stamp: TypecheckStamp, key: string): boolean {
  if (stamp.key !== key) return false;
  for (const [name, was] of Object.entries(stamp.entries)) {
    const kind = name.startsWith("dir:") ? "dir" : "file";
    if (entryOf(kind, name.slice(kind.length + 1)) !== was) return false;
  }
  return true;
}

/** The stamp in this file, or undefined when there is none or it is unreadable (then tsc runs). */
export function readStamp(file: string): TypecheckStamp | undefined {
  try {
    const r = stampSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Write the stamp whole or not at all (two runs at once may race for the file). */
export function writeStamp(file: string, stamp: TypecheckStamp): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(stamp) + "\n");
  renameSync(tmp, file);
}

export function removeStamp(file: string): void {
  rmSync(file, { force: true });
}
