// The static check's results (static-check.ts) kept between runs, so that `make test-XX`
// on files it has already checked neither parses them nor loads TypeScript (about a CPU
// second). An entry is keyed by everything the check of one file reads: the file's
// content, its part's student files and the other parts' (imports among them are judged by
// these lists), and the checker itself (static-check.ts, the sandbox's policy.ts and
// TypeScript's version), so a change to any of them checks the file again.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { FileCheckCache, Problem } from "./static-check.js";

/** The files whose text decides what the check reports, relative to the root. */
const CHECKER_FILES = ["labs-test/tools/static-check.ts", "labs-test/sandbox/policy.ts", "node_modules/typescript/package.json"];

const fileSchema = z.object({
  version: z.literal(1),
  entries: z.record(z.string(), z.array(z.object({ file: z.string(), line: z.number(), message: z.string() }))),
});

function hash(parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 32);
}

function readOr(file: string, otherwise: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return otherwise;
  }
}

/**
 * A cache kept in `file` (JSON; written whole, by rename, only when something new was
 * checked). An unreadable or malformed file is an empty cache.
 */
export class StaticCheckCache implements FileCheckCache {
  private entries: Record<string, Problem[]> = {};
  private checker: string | undefined;
  private dirty = false;

  constructor(private readonly file: string) {
    try {
      const r = fileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (r.success) this.entries = r.data.entries;
    } catch {
      // no cache yet
    }
  }

  problems(root: string, rel: string, own: readonly string[], elsewhere: readonly string[], check: () => Problem[]): Problem[] {
    let source: string;
    try {
      source = readFileSync(path.join(root, rel), "utf8");
    } catch {
      return check(); // the check reports (or skips) a missing file itself
    }
    this.checker ??= hash(CHECKER_FILES.map((f) => readOr(path.join(root, f), "missing")));
    const key = hash([this.checker, rel, source, [...own].sort().join("\n"), [...elsewhere].sort().join("\n")]);
    const hit = this.entries[key];
    if (hit !== undefined) return hit;
    const found = check();
    this.entries[key] = found;
    this.dirty = true;
    return found;
  }

  /** Keep what was checked (the entries of files that changed since stay until the cache is cleared). */
  save(): void {
    if (!this.dirty) return;
    // A file saved many times leaves many entries; past a few hundred, start over.
    const keys = Object.keys(this.entries);
    const entries = keys.length > 500 ? Object.fromEntries(keys.slice(-100).map((k) => [k, this.entries[k]!])) : this.entries;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, entries }) + "\n");
    renameSync(tmp, this.file);
    this.dirty = false;
  }
}
