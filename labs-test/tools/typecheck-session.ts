// The watch's type check: the TypeScript program stays in memory between saves, so a
// re-check reads again only the files that changed and checks only what they can affect
// (a fraction of a CPU second for 2A), where a new tsc process would parse every file of
// the program again (3 to 4 CPU s). Same settings, file set, build info and messages as
// typecheck.ts, whose stamp it also leaves after a clean check.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type ts from "typescript";
import { stampCleanCheck, typecheckPaths, writeProject, type TypecheckOptions, type TypecheckPaths, type TypecheckResult } from "./typecheck.js";

type Ts = typeof ts;

/** A source file as last read: project files by content, node_modules files by size and mtime. */
interface Cached {
  sf: ts.SourceFile;
  fingerprint: string;
}

export class TypecheckSession {
  private old: ts.EmitAndSemanticDiagnosticsBuilderProgram | undefined;
  private readonly cache = new Map<string, Cached>();

  private constructor(
    private readonly ts: Ts,
    private readonly dir: string,
    private readonly fileSet: NonNullable<TypecheckPaths["fileSet"]>,
    private readonly options: ts.CompilerOptions,
    private readonly host: ts.CompilerHost,
  ) {
    // The state tsc left (typecheck.ts, same options): files it found clean are not
    // checked again on the first check, only read.
    this.old = ts.readBuilderProgram(options, host);
  }

  /**
   * Loads TypeScript (a large module: the Makefile preloads it for make watch-XX) and
   * reads the project's tsconfig.json. Throws if it cannot be read.
   */
  static async open(opts: TypecheckOptions & { files: string[]; dir: string }): Promise<TypecheckSession> {
    const tsModule = (await import("typescript")).default;
    const paths = typecheckPaths(opts);
    const fileSet = paths.fileSet!;
    const project = writeProject(fileSet.project, fileSet.files, opts.dir);
    const parsed = tsModule.getParsedCommandLineOfConfigFile(project, {}, {
      ...tsModule.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(tsModule.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    });
    if (parsed === undefined) throw new Error(`cannot read ${project}`);
    const options = { ...parsed.options, noEmit: true, incremental: true, tsBuildInfoFile: paths.info };
    const host = tsModule.createIncrementalCompilerHost(options);
    return new TypecheckSession(tsModule, opts.dir, fileSet, options, host);
  }

  /** Check now: every file changed since the last check is read again. Synchronous (TypeScript's API is). */
  check(): TypecheckResult {
    const { ts } = this;
    // Written before any file is read: an input modified after it makes no stamp.
    const marker = `${this.fileSet.stampFile}.started`;
    writeFileSync(marker, "");
    const startedMs = statSync(marker).mtimeMs;
    const host: ts.CompilerHost = { ...this.host, getSourceFile: (f, lang, onError) => this.sourceFile(f, lang, onError) };
    const roots = this.fileSet.files.map((f) => path.resolve(this.dir, f));
    const program = ts.createEmitAndSemanticDiagnosticsBuilderProgram(roots, this.options, host, this.old);
    this.old = program;
    const syntactic = [...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics()];
    // As tsc: semantic errors only once the syntax is right.
    const diagnostics = syntactic.length > 0 ? syntactic : [...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics()];
    // With noEmit, writes only the build info: the next tsc process starts from this check.
    program.emit();
    const ok = diagnostics.every((d) => d.category !== ts.DiagnosticCategory.Error);
    if (ok) {
      const files = program.getSourceFiles().map((s) => path.resolve(s.fileName));
      stampCleanCheck(this.fileSet, files, startedMs, this.dir);
    }
    const output = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => this.dir,
      getNewLine: () => "\n",
    });
    return { ok, output: output.trim(), unchanged: false };
  }

  /** The host's source file, parsed again only when the file changed since it was last read. */
  private sourceFile(fileName: string, lang: ts.ScriptTarget | ts.CreateSourceFileOptions, onError?: (m: string) => void): ts.SourceFile | undefined {
    const st = statSync(fileName, { throwIfNoEntry: false });
    if (st === undefined) {
      this.cache.delete(fileName);
      return undefined;
    }
    const fingerprint = fileName.split(/[\\/]/).includes("node_modules") ? `${st.size}:${st.mtimeMs}` : readFileSync(fileName, "utf8");
    const hit = this.cache.get(fileName);
    if (hit !== undefined && hit.fingerprint === fingerprint) return hit.sf;
    // The incremental host's own read: it gives the file the version the builder compares.
    const sf = this.host.getSourceFile(fileName, lang, onError);
    if (sf !== undefined) this.cache.set(fileName, { sf, fingerprint });
    return sf;
  }
}
