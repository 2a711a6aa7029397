// The grader's side of ts-hooks.mjs and prepared.ts: before its workers start, the trusted
// parent transpiles every framework TypeScript file of the grading tree into
// `.labs-cache/esm/` and prepares the student files for the compartment, all of which
// workers may read but not write. No worker then loads TypeScript or transpiles the
// framework again. The framework goes through esbuild, as under tsx (the same output as
// `make test-XX` runs, at a few ms per file; TypeScript's transpiler took ~30 ms per file,
// ~9 s of CPU per grade); esbuild's service is a child process, which the parent may start
// and a worker may not.
//
// The framework's modules are the same for every grade made from one checkout, so the
// parent keeps them in a shared cache (the checkout's `.labs-runs/grade-cache/`, keyed like
// the tree's by each source's hash) and copies them into each tree: a class of 300 pays
// for esbuild once. Copies, not links: nothing a grade's workers could reach leads back to
// a file another grade will use. Only the trusted parent writes the shared cache (a temp
// file renamed into place, so grades started together never read half a module).
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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
 * files only) and, unless `studentCode` is false, the prepared student code (prepared.ts).
 * `shared` (a folder only the grader writes): modules already transpiled there are copied
 * rather than made again, and new ones are kept there; a shared folder that cannot be
 * written is passed over.
 */
export function precompile(tree: string, files: readonly string[], shared?: string, { studentCode = true }: { studentCode?: boolean } = {}): void {
  for (const rel of files) {
    if (!rel.endsWith(".ts") || rel.endsWith(".d.ts")) continue;
    const file = path.join(tree, rel);
    const text = readFileSync(file, "utf8");
    const out = cachePath(tree, file, text);
    mkdirSync(path.dirname(out), { recursive: true });
    const kept = shared === undefined ? undefined : path.join(shared, path.relative(path.join(tree, ".labs-cache"), out));
    if (kept !== undefined && existsSync(kept)) {
      copyFileSync(kept, out);
      continue;
    }
    const code = transpile(file, text);
    writeFileSync(out, code);
    if (kept !== undefined) keep(kept, code);
  }
  if (studentCode) prepareStudentCode(tree);
}

/** Put a module into the shared cache; a cache that cannot be written only costs time. */
function keep(file: string, code: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  } catch {
    // a read-only checkout: each grade transpiles for itself
  }
}
