// Which modules the tests must get as stand-ins (shim.ts), and what each exports: every
// student file under the root, with its value export names. Shared by Node's hooks
// (install.ts) and vitest's plugin (vite-plugin.ts).
import { existsSync } from "node:fs";
import path from "node:path";
import { PARTS, studentFilesIn } from "../labs.js";
import { exportNames } from "./export-names.js";
import { FRAMEWORK_API } from "./policy.js";

/**
 * Every student file of every simulated part under root (absolute paths; missing ones left
 * out). Lab 1's files are not among them: its coordinator and workers are real processes,
 * confined by Node's permission model (mr/main/test-mr-confine.ts), and its framework's
 * unit tests import them as plain modules.
 */
export function studentFilesUnder(root: string): string[] {
  const out = new Set<string>();
  for (const p of PARTS.filter((p) => p.realProcesses !== true)) for (const f of studentFilesIn(p, root)) out.add(path.join(root, f));
  return [...out].filter((f) => existsSync(f)).sort();
}

/** A student file's value export names; `export * from` a framework module counts that module's API. */
export function studentExportNames(root: string, file: string): string[] {
  return exportNames(file, (from, spec) => {
    const rel = path.relative(root, path.resolve(path.dirname(from), spec.replace(/\.js$/, ".ts"))).split(path.sep).join("/");
    if (Object.hasOwn(FRAMEWORK_API, rel)) return [...FRAMEWORK_API[rel]!];
    return rel.startsWith("..") || !existsSync(path.join(root, rel)) ? [] : undefined;
  });
}
