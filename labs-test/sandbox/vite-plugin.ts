// vitest's side of the sandbox (vitest.config.ts): an import of a student file resolves to
// the stand-in module of shim.ts, which loads the file into the compartment of the test's
// process (student-modules.ts). Under `make test-XX` a student's code meets the same
// boundary as in grading.
import path from "node:path";
import type { Plugin } from "vite";
import { preparedExportNames } from "./prepared.js";
import { shimSource } from "./shim.js";
import { studentExportNames, studentFilesUnder } from "./student-shims.js";

const SUFFIX = "?labs-sandbox-shim";

/** The plugin for the project at root (absolute). */
export function sandboxPlugin(root: string): Plugin {
  const modules = path.join(root, "labs-test/sandbox/student-modules.ts");
  let files: Set<string> | undefined;
  const studentFile = (id: string): boolean => (files ??= new Set(studentFilesUnder(root))).has(id);
  return {
    name: "labs-sandbox",
    enforce: "pre",
    async resolveId(source, importer, options) {
      if (importer === undefined || importer.endsWith(SUFFIX)) return null;
      const r = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (r === null || r.external === true) return null;
      const id = r.id.split("?")[0]!;
      return studentFile(id) ? id + SUFFIX : null;
    },
    load(id) {
      if (!id.endsWith(SUFFIX)) return null;
      const file = id.slice(0, -SUFFIX.length);
      // Read by make test-XX's runner already unless the files changed since (prepared.ts).
      const names = preparedExportNames(root, [...(files ??= new Set(studentFilesUnder(root)))])?.get(file) ?? studentExportNames(root, file);
      return shimSource(file, names, modules);
    },
  };
}
