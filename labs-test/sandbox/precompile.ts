// The grader's side of ts-hooks.mjs and prepared.ts: before its workers start, the trusted
// parent transpiles every framework TypeScript file of the grading tree into
// `.labs-cache/esm/` and prepares the student files for the compartment, all of which
// workers may read but not write. No worker then loads TypeScript or transpiles the
// framework again. The framework goes through esbuild, as under tsx (the same output as
// `make test-XX` runs, at a few ms per file; TypeScript's transpiler took ~30 ms per file,
// ~9 s of CPU per grade); esbuild's service is a child process, which the parent may start
// and a worker may not.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { transformSync } from "esbuild";
// @ts-expect-error: a plain JavaScript module (ts-hooks.mjs says why), typed here by use.
import { cachedModulePath } from "./ts-hooks.mjs";
import { prepareStudentCode } from "./prepared.js";

const cachePath = cachedModulePath as (root: string, file: string, text: string) => string;

/** A framework module as ES module JavaScript with an inline source map (stack traces name the .ts line). */
function transpile(file: string, text: string): string {
  return transformSync(text, {
    loader: "ts",
    format: "esm",
    target: "es2022",
    sourcemap: "inline",
    sourcefile: file,
    // As tsconfig.json's target ES2022 (and tsx): class fields keep their define semantics.
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
  }).code;
}

/**
 * Fill tree's caches: the module cache for these framework files (relative to tree; .ts
 * files only) and the prepared student code (prepared.ts).
 */
export function precompile(tree: string, files: readonly string[]): void {
  for (const rel of files) {
    if (!rel.endsWith(".ts") || rel.endsWith(".d.ts")) continue;
    const file = path.join(tree, rel);
    const text = readFileSync(file, "utf8");
    const out = cachePath(tree, file, text);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, transpile(file, text));
  }
  prepareStudentCode(tree);
}
