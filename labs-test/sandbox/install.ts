// Turn the sandbox on in a Node process that runs tests outside vitest (the many-seeds
// worker, in-process.ts): lockdown(), then loader hooks that give every import of a student
// file the stand-in module (hooks.ts). Call before importing any test file.
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { lockdownOnce } from "./lockdown.js";
import { preparedExportNames } from "./prepared.js";
import { ROOT } from "./student-modules.js";
import { studentExportNames, studentFilesUnder } from "./student-shims.js";

export function installSandbox(): void {
  lockdownOnce();
  const shims: Record<string, string[]> = {};
  const files = studentFilesUnder(ROOT);
  // In a grading tree the grader read them already (prepared.ts): no TypeScript here then.
  const prepared = preparedExportNames(ROOT, files);
  for (const f of files) shims[pathToFileURL(f).href] = prepared?.get(f) ?? studentExportNames(ROOT, f);
  const modulesUrl = new URL("./student-modules.ts", import.meta.url).href;
  register("./hooks.ts", import.meta.url, { data: { shims, modulesUrl } });
}
