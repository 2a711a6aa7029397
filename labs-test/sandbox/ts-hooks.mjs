// Module hooks for ts-loader.mjs: a relative `./x.js` that names a TypeScript file resolves
// to `./x.ts`, and a `.ts` file loads as an ES module with its types erased and an inline
// source map (stack traces name the .ts line). The grader fills a cache of these modules
// before its workers start (precompile.ts, with esbuild: `.labs-cache/esm/` under the
// worker's cwd, each keyed by its source's hash); a worker transpiles with TypeScript (no
// child process) only a file missing there. Plain JavaScript: this is what makes
// TypeScript loadable.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Where the cached module for a source file (absolute) with this text would be. */
export function cachedModulePath(root, file, text) {
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 16);
  return path.join(root, ".labs-cache/esm", `${path.relative(root, file)}.${hash}.mjs`);
}

/** A framework module transpiled by TypeScript (the settings of tsconfig.json and tsx). */
export async function transpileFramework(file, text) {
  const ts = (await import("typescript")).default;
  const out = ts.transpileModule(text, {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      isolatedModules: true,
      inlineSourceMap: true,
    },
  });
  return out.outputText;
}

/** @param {string} specifier @param {{ parentURL?: string }} context @param {Function} next */
export async function resolve(specifier, context, next) {
  if ((specifier.startsWith("./") || specifier.startsWith("../")) && specifier.endsWith(".js") && context.parentURL?.startsWith("file:")) {
    const ts = new URL(specifier.slice(0, -3) + ".ts", context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, format: "module", shortCircuit: true };
  }
  return next(specifier, context);
}

/** @param {string} url @param {object} context @param {Function} next */
export async function load(url, context, next) {
  if (url.startsWith("file:") && url.split("?")[0].endsWith(".ts")) {
    const file = fileURLToPath(url.split("?")[0]);
    const text = readFileSync(file, "utf8");
    const cached = cachedModulePath(process.cwd(), file, text);
    const source = existsSync(cached) ? readFileSync(cached, "utf8") : await transpileFramework(file, text);
    return { format: "module", source, shortCircuit: true };
  }
  return next(url, context);
}
