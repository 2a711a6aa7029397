// Compiles runtime/, mr/ and apps/ to build/ (incrementally: after the first build only
// the files changed since, each on its own), so that the programs start as plain
// JavaScript: a worker is ready in a fraction of a second.
import { execa } from "execa";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import ts from "typescript";
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

/**
 * Compile to build/: the first time (or after a tsconfig change) the whole of runtime/,
 * mr/ and apps/ with tsc; after that only the files changed since the last build, each
 * transpiled on its own (no type check: `make test-mr` type-checks first, and tsc's own
 * incremental mode still parses the whole program: 15-25 s before the first test).
 * @throws BuildError with tsc's output when the full build fails.
 */
export async function buildMr(): Promise<void> {
  if (upToDate()) return;
  const changed = changedSinceBuild();
  if (changed === undefined) {
    await fullBuild();
  } else {
    for (const f of changed) transpileOne(f);
  }
  writeFileSync(buildStamp, "");
}

async function fullBuild(): Promise<void> {
  const tsc = join(projectRoot, "node_modules", "typescript", "bin", "tsc");
  const r = await execa(process.execPath, [tsc, "-p", join(projectRoot, "tsconfig.mr.json")], {
    cwd: projectRoot,
    reject: false,
    all: true,
  });
  if (r.exitCode !== 0) throw new BuildError(`build failed (tsc -p tsconfig.mr.json):\n${String(r.all ?? "")}`);
  // tsc leaves its build info alone when only mtimes changed, so keep a stamp of our own.
}

/** Files the graded script runs with tsx rather than from build/ (tsconfig.mr.json's exclude). */
const NOT_BUILT = /^mr\/main\/test-mr.*\.ts$/;

/** Source files (relative to the root) newer than the last build; undefined: build everything. */
function changedSinceBuild(): string[] | undefined {
  let built: number;
  try {
    built = statSync(buildStamp).mtimeMs;
  } catch {
    return undefined;
  }
  const configs = ["tsconfig.json", "tsconfig.mr.json"].map((f) => statSync(join(projectRoot, f)).mtimeMs);
  if (Math.max(...configs) >= built) return undefined;
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(projectRoot, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts") && !NOT_BUILT.test(r)) {
        if (statSync(join(projectRoot, r)).mtimeMs >= built || !existsSync(outputOf(r))) out.push(r);
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(d);
  return out;
}

function outputOf(rel: string): string {
  return join(projectRoot, "build", rel.replace(/\.ts$/, ".js"));
}

/** One file to build/, as tsc would emit it (ES2022 modules, a source map beside it). */
function transpileOne(rel: string): void {
  const out = outputOf(rel);
  const r = ts.transpileModule(readFileSync(join(projectRoot, rel), "utf8"), {
    fileName: basename(rel),
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      esModuleInterop: true,
      sourceMap: true,
      sourceRoot: relative(dirname(out), join(projectRoot, dirname(rel))),
    },
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, r.outputText);
  if (r.sourceMapText !== undefined) writeFileSync(`${out}.map`, r.sourceMapText);
}
