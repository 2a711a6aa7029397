// The project files a source file imports by relative path, for the tests that keep the
// layout's rules (which side may depend on which). Reads the text; it does not compile.
import { readFileSync } from "node:fs";
import path from "node:path";

const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)\.js["']/g;

/**
 * The `.ts` files that `file` (a path relative to `root`, with / or the platform's
 * separator) imports or re-exports by relative specifier, as root-relative paths with /
 * separators, in order of appearance. Throws if the file cannot be read.
 */
export function relativeImports(root: string, file: string): string[] {
  const from = path.posix.dirname(file.split(path.sep).join("/"));
  return [...readFileSync(path.join(root, file), "utf8").matchAll(IMPORT)].map((m) =>
    path.posix.normalize(path.posix.join(from, `${m[1]}.ts`)),
  );
}
