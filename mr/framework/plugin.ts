// Loads a MapReduce application by path at run time, the way the course loads a Go
// plugin: the module must export map and reduce functions (Map/Reduce also accepted).
import { existsSync, statSync } from "node:fs";
import { extname, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { KeyValue, MapFunc, MrApp, ReduceFunc } from "./app.js";
import { buildStamp, compiledPath, projectRoot, runningCompiled } from "./paths.js";

export class AppLoadError extends Error {}

const TS_EXT = new Set([".ts", ".mts"]);

/**
 * Finds the file to import for an app spec: a path (relative to cwd) or a bare
 * built-in name like "wc". Under plain node a .ts app inside the project is replaced
 * by its compiled twin in build/.
 */
export function resolveAppFile(spec: string, cwd = process.cwd()): string {
  if (spec.trim() === "") throw new AppLoadError("no app given: pass the path of an app module, e.g. apps/wc.ts");
  let file = resolve(cwd, spec);
  // Also found from elsewhere: "wc" and "apps/wc.ts" name the project's own apps.
  const fromRoot = resolve(projectRoot, spec);
  const builtin = join(projectRoot, "apps", `${spec}.ts`);
  if (!existsSync(file) && !isAbsolute(spec) && existsSync(fromRoot)) file = fromRoot;
  else if (!existsSync(file) && /^[\w-]+$/.test(spec) && existsSync(builtin)) file = builtin;
  if (!existsSync(file)) throw new AppLoadError(`app not found: ${spec} (no file ${file})`);
  if (!statSync(file).isFile()) throw new AppLoadError(`app ${spec} is not a file: ${file}`);
  if (!TS_EXT.has(extname(file)) || !runningCompiled) return file;

  const rel = relative(projectRoot, file);
  const js = compiledPath(rel);
  if (rel.startsWith("..") || isAbsolute(rel) || !existsSync(js)) {
    throw new AppLoadError(
      `cannot load the TypeScript app ${file} from compiled code: build it first (make build-mr) ` +
        `and pass its .js file, or run the program with tsx`,
    );
  }
  if (builtAt(js) < statSync(file).mtimeMs) {
    process.stderr.write(`warning: ${file} changed after the last build; run make build-mr\n`);
  }
  return js;
}

/** When js was last built: the build stamp (tsc skips rewriting unchanged files), else its own time. */
function builtAt(js: string): number {
  const own = statSync(js).mtimeMs;
  return existsSync(buildStamp) ? Math.max(own, statSync(buildStamp).mtimeMs) : own;
}

function describeExports(mod: Record<string, unknown>): string {
  const names = Object.keys(mod);
  return names.length === 0 ? "none" : names.map((n) => `${n}: ${typeof mod[n]}`).join(", ");
}

/** Turns a bad return value into an error that names the app and the call. */
function checkedMap(path: string, f: (filename: string, contents: string) => unknown): MapFunc {
  const check = (filename: string, out: unknown): KeyValue[] => {
    if (!Array.isArray(out)) throw new Error(`map in ${path} returned ${typeof out} for ${filename}, not an array of {Key, Value}`);
    for (const kv of out as unknown[]) {
      const ok = typeof kv === "object" && kv !== null && typeof (kv as KeyValue).Key === "string" && typeof (kv as KeyValue).Value === "string";
      if (!ok) throw new Error(`map in ${path} returned ${JSON.stringify(kv)} for ${filename}; want {Key: string, Value: string}`);
    }
    return out as KeyValue[];
  };
  return (filename, contents) => {
    const out = f(filename, contents);
    return out instanceof Promise ? out.then((v: unknown) => check(filename, v)) : check(filename, out);
  };
}

function checkedReduce(path: string, f: (key: string, values: string[]) => unknown): ReduceFunc {
  const check = (key: string, out: unknown): string => {
    if (typeof out !== "string") throw new Error(`reduce in ${path} returned ${typeof out} for key ${JSON.stringify(key)}, not a string`);
    return out;
  };
  return (key, values) => {
    const out = f(key, values);
    return out instanceof Promise ? out.then((v: unknown) => check(key, v)) : check(key, out);
  };
}

export async function loadApp(spec: string, cwd = process.cwd()): Promise<MrApp> {
  const file = resolveAppFile(spec, cwd);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new AppLoadError(`cannot load app ${file}: ${(e as Error).message}`);
  }
  const map = mod.map ?? mod.Map;
  const reduce = mod.reduce ?? mod.Reduce;
  if (typeof map !== "function" || typeof reduce !== "function") {
    const missing = [typeof map !== "function" ? "map" : "", typeof reduce !== "function" ? "reduce" : ""].filter(Boolean);
    throw new AppLoadError(
      `app ${file} does not export ${missing.join(" and ")} as a function (exports: ${describeExports(mod)})`,
    );
  }
  return {
    path: file,
    map: checkedMap(file, map as (filename: string, contents: string) => unknown),
    reduce: checkedReduce(file, reduce as (key: string, values: string[]) => unknown),
  };
}
