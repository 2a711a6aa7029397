// Type errors of the student's files in the page: TypeScript's compiler over an in-memory
// tree of the student's files, the declarations of the course's modules they may import
// (emitted at build time, build.ts) and the standard library, with the project's strict
// options. Only the student's files are reported; what TypeScript finds inside the
// framework's declarations is left to the framework's own type check.
import ts from "typescript";
import typeFiles from "playground:type-files";
import type { Diagnostic } from "./protocol.js";

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2023.d.ts"],
  types: [],
  strict: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
};

/**
 * Diagnostics for the student's files (repository-relative path → text), 1-based lines;
 * empty when the files type-check.
 */
export function typecheck(files: Record<string, string>): Diagnostic[] {
  const texts = new Map<string, string>(Object.entries(typeFiles));
  for (const [rel, text] of Object.entries(files)) texts.set(`/labs/${rel}`, text);
  const host: ts.CompilerHost = {
    getSourceFile: (name, lang) => {
      const t = texts.get(name);
      return t === undefined ? undefined : ts.createSourceFile(name, t, lang, true);
    },
    getDefaultLibFileName: () => "/lib/lib.d.ts",
    getDefaultLibLocation: () => "/lib",
    writeFile: () => {},
    getCurrentDirectory: () => "/labs",
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (f) => texts.has(f),
    readFile: (f) => texts.get(f),
    directoryExists: (d) => [...texts.keys()].some((f) => f.startsWith(d.endsWith("/") ? d : `${d}/`)),
    getDirectories: () => [],
  };
  const roots = [...Object.keys(files).map((rel) => `/labs/${rel}`), "/labs/playground-globals.d.ts"];
  const program = ts.createProgram(roots, OPTIONS, host);
  const out: Diagnostic[] = [];
  for (const rel of Object.keys(files)) {
    const sf = program.getSourceFile(`/labs/${rel}`);
    if (sf === undefined) continue;
    const syntactic = program.getSyntacticDiagnostics(sf);
    const all = [...syntactic.map((d) => ({ d, kind: "syntax" as const })), ...(syntactic.length > 0 ? [] : program.getSemanticDiagnostics(sf).map((d) => ({ d, kind: "type" as const })))];
    for (const { d, kind } of all) {
      if (d.category !== ts.DiagnosticCategory.Error) continue;
      const pos = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      out.push({ file: rel, line: pos.line + 1, col: pos.character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, "\n"), kind });
    }
  }
  return out;
}
