// The timeline page's browser code, kept as real files beside this one (timeline.page.js,
// timeline.page.css) so that an editor, a linter and a reader see JavaScript and CSS, not a
// string. The playground's worker has no file system: its bundler (playground/build.ts,
// BROWSER_ASSETS) replaces this module with one holding the two texts.
import { readFileSync } from "node:fs";
import path from "node:path";

/** The page's script (timeline.page.js). Throws if the file cannot be read. */
export function timelineScript(): string {
  return readFileSync(path.join(import.meta.dirname, "timeline.page.js"), "utf8");
}

/** The page's style sheet (timeline.page.css). Throws if the file cannot be read. */
export function timelineStyle(): string {
  return readFileSync(path.join(import.meta.dirname, "timeline.page.css"), "utf8");
}
