// The visualization page's browser code, kept as real files beside this one (visualize.page.js,
// visualize.page.css) so that an editor, a linter and a reader see JavaScript and CSS, not a
// string. The playground's worker has no file system: its bundler (playground/build.ts,
// BROWSER_ASSETS) replaces this module with one holding the two texts.
import { readFileSync } from "node:fs";
import path from "node:path";

/** The page's script (visualize.page.js). Throws if the file cannot be read. */
export function visualizeScript(): string {
  return readFileSync(path.join(import.meta.dirname, "visualize.page.js"), "utf8");
}

/** The page's style sheet (visualize.page.css). Throws if the file cannot be read. */
export function visualizeStyle(): string {
  return readFileSync(path.join(import.meta.dirname, "visualize.page.css"), "utf8");
}
