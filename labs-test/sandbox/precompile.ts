// The grader's side of ts-hooks.mjs: every framework TypeScript file of a grading tree,
// transpiled once by the trusted parent into `.labs-cache/esm/` (which workers may read
// but not write), so that no worker pays for loading TypeScript and transpiling the
// framework again. Student files are not here: they load only inside the compartment.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
// @ts-expect-error: a plain JavaScript module (ts-hooks.mjs says why), typed here by use.
import { cachedModulePath, transpileFramework } from "./ts-hooks.mjs";

const cachePath = cachedModulePath as (root: string, file: string, text: string) => string;
const transpile = transpileFramework as (file: string, text: string) => Promise<string>;

/** Fill tree's module cache for these files (relative to tree; .ts files only). */
export async function precompile(tree: string, files: readonly string[]): Promise<void> {
  for (const rel of files) {
    if (!rel.endsWith(".ts") || rel.endsWith(".d.ts")) continue;
    const file = path.join(tree, rel);
    const text = readFileSync(file, "utf8");
    const out = cachePath(tree, file, text);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, await transpile(file, text));
  }
}
