// Whether each planted bug is still a program. A plant is text edits to a solution; when
// the solution changes, an edit can still apply (its text occurs once) and yet no longer
// type-check: it assigns to what became a method, or names a field that is gone. tsx runs
// a scratch tree without a type check, so such a plant fails its test with a TypeError
// rather than with the bug it stands for, and "catches" nothing. Checking the planted
// files with the project's compiler settings, in memory, finds that in seconds.
import path from "node:path";
import ts from "typescript";
import { bugId, plant, plantedFiles, pristine, type PlantedBug } from "./planted-bugs.js";
import { REPO_ROOT } from "./student-raft/scratch.js";

/**
 * The type errors in each bug's planted files (by bugId; an empty list: none), each as
 * "file:line: message". The files are checked as the project's tsconfig.json does, against
 * the rest of this repository as it is.
 * @throws Error if tsconfig.json cannot be read.
 */
export function plantTypeErrors(bugs: readonly PlantedBug[]): Map<string, string[]> {
  const config = ts.readConfigFile(path.join(REPO_ROOT, "tsconfig.json"), (f) => ts.sys.readFile(f));
  if (config.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
  const options = { ...ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT).options, noEmit: true };
  const base = ts.createCompilerHost(options);
  // Files no plant touches are parsed once for every program.
  const unchanged = new Map<string, ts.SourceFile | undefined>();
  const out = new Map<string, string[]>();
  let old: ts.Program | undefined;
  for (const bug of bugs) {
    const planted = new Map(plantedFiles(bug).map((f) => [path.join(REPO_ROOT, f), plant(bug, pristine(bug, f), f)] as const));
    const host: ts.CompilerHost = {
      ...base,
      fileExists: (f) => planted.has(path.resolve(f)) || base.fileExists(f),
      readFile: (f) => planted.get(path.resolve(f)) ?? base.readFile(f),
      getSourceFile: (f, lang) => {
        const text = planted.get(path.resolve(f));
        if (text !== undefined) return ts.createSourceFile(f, text, lang);
        if (!unchanged.has(f)) unchanged.set(f, base.getSourceFile(f, lang));
        return unchanged.get(f);
      },
    };
    const program = ts.createProgram({ rootNames: [...planted.keys()], options, host, oldProgram: old });
    old = program;
    const errors: string[] = [];
    for (const file of planted.keys()) {
      const sf = program.getSourceFile(file)!;
      for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
        const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line + 1;
        errors.push(`${path.relative(REPO_ROOT, file)}:${line}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
      }
    }
    out.set(bugId(bug), errors);
  }
  return out;
}
