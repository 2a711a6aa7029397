// `make test-XX`'s side of prepared.ts: before vitest starts, the runner transpiles the
// student files that changed since its last run into `.labs-runs/prepared/`, where vitest's
// workers find them (prepared.ts preparedBody), so that no worker loads TypeScript for
// files the runner has seen.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { bodyOf, bodyPath, compartmentFiles, namesFile, namesIn, NAMES, RUNNER_DIR } from "./prepared.js";

/** Write whole or not at all: a worker of a run started at the same time may be reading. */
function writeWhole(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * Prepare (into `.labs-runs/prepared/`) what is missing there for the files under root as
 * they are now, and drop the bodies of their older versions. Loads TypeScript only when
 * some file changed. Returns the number of files transpiled (the export names count as
 * one when they were read again).
 */
export function prepareChanged(root: string): number {
  const { student, all } = compartmentFiles(root);
  let made = 0;
  for (const f of all) {
    const source = readFileSync(f, "utf8");
    const out = bodyPath(root, RUNNER_DIR, f, source);
    if (existsSync(out)) continue;
    const body = bodyOf(f, source);
    made++;
    if (body !== undefined) writeWhole(out, body);
    const dir = path.dirname(out);
    if (!existsSync(dir)) continue;
    const stem = `${path.basename(f)}.`;
    for (const e of readdirSync(dir)) {
      if (e.startsWith(stem) && e.endsWith(".cjs") && e !== path.basename(out)) rmSync(path.join(dir, e), { force: true });
    }
  }
  if (namesIn(root, RUNNER_DIR, student) === undefined) {
    writeWhole(path.join(root, RUNNER_DIR, NAMES), JSON.stringify(namesFile(root, student)));
    made++;
  }
  return made;
}
