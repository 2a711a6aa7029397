// Compiles runtime/, mr/ and apps/ to build/ (incrementally), so that the programs
// start as plain JavaScript: a worker is ready in a fraction of a second.
import { execa } from "execa";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildStamp, projectRoot } from "./paths.js";

export class BuildError extends Error {}

const SOURCE_DIRS = ["runtime", "mr", "apps"];
const PROGRAMS = ["mrcoordinator", "mrworker", "mrsequential"].map((p) => join(projectRoot, "build", "mr", "main", `${p}.js`));

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** tsc takes a couple of seconds even with nothing to do; skip it when build/ is newer. */
function upToDate(): boolean {
  let built: number;
  try {
    built = statSync(buildStamp).mtimeMs;
    for (const p of PROGRAMS) statSync(p);
  } catch {
    return false;
  }
  const configs = ["tsconfig.json", "tsconfig.mr.json"].map((f) => statSync(join(projectRoot, f)).mtimeMs);
  return Math.max(...configs, ...SOURCE_DIRS.map((d) => newestSource(join(projectRoot, d)))) < built;
}

export async function buildMr(): Promise<void> {
  if (upToDate()) return;
  const tsc = join(projectRoot, "node_modules", "typescript", "bin", "tsc");
  const r = await execa(process.execPath, [tsc, "-p", join(projectRoot, "tsconfig.mr.json")], {
    cwd: projectRoot,
    reject: false,
    all: true,
  });
  if (r.exitCode !== 0) throw new BuildError(`build failed (tsc -p tsconfig.mr.json):\n${String(r.all ?? "")}`);
  // tsc leaves its build info alone when only mtimes changed, so keep a stamp of our own.
  writeFileSync(buildStamp, "");
}
