// Module hooks for ts-loader.mjs: a relative `./x.js` that names a TypeScript file resolves
// to `./x.ts`, and a `.ts` file loads as an ES module transpiled by TypeScript (types
// erased, an inline source map so stack traces name the .ts line). Plain JavaScript: this
// is what makes TypeScript loadable.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const OPTIONS = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  isolatedModules: true,
  inlineSourceMap: true,
  inlineSources: false,
};

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
    const out = ts.transpileModule(readFileSync(file, "utf8"), { fileName: file, compilerOptions: OPTIONS });
    return { format: "module", source: out.outputText, shortCircuit: true };
  }
  return next(url, context);
}
