// Type-check before testing: a student's type error must be reported as a type error,
// not as a test that "failed to reach agreement" because tsx ran code that tsc rejects.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface TypecheckResult {
  ok: boolean;
  /** tsc's diagnostics (file(line,col): error TSxxxx: …), empty when ok. */
  output: string;
}

export interface TypecheckOptions {
  /** Where tsc keeps its incremental build info (and the generated tsconfig), e.g. .labs-runs. */
  buildInfoDir: string;
  /** The project: the folder of its tsconfig.json (default: this repo). */
  dir?: string;
  /**
   * Check only these files (relative to dir) and what they import, e.g. a part's test
   * files: their closure holds the student files and the framework they run against, but
   * not tests of our reference's internals, which a student's solution need not satisfy.
   * Default: the whole project.
   */
  files?: string[];
}

/**
 * Run `tsc --noEmit` (strict, the project's tsconfig). Incremental, with its build info
 * under buildInfoDir (one per file set), so a second run on an unchanged tree takes about
 * 2 s instead of 8. Throws only if tsc itself cannot be started.
 */
export async function typecheck(opts: TypecheckOptions): Promise<TypecheckResult> {
  const dir = opts.dir ?? ROOT;
  const buildInfoDir = path.resolve(dir, opts.buildInfoDir);
  mkdirSync(buildInfoDir, { recursive: true });
  let project = "tsconfig.json";
  let key = "all";
  if (opts.files !== undefined) {
    const files = [...new Set(opts.files)].sort();
    key = createHash("sha256").update(files.join("\n")).digest("hex").slice(0, 12);
    project = path.join(buildInfoDir, `tsconfig.typecheck-${key}.json`);
    const config = { extends: path.join(dir, "tsconfig.json"), files: files.map((f) => path.resolve(dir, f)), include: [] };
    writeFileSync(project, JSON.stringify(config, null, 2) + "\n");
  }
  const info = path.join(buildInfoDir, `tsbuildinfo-${key}`);
  const r = await execa(
    path.join(ROOT, "node_modules", ".bin", "tsc"),
    ["-p", project, "--noEmit", "--incremental", "--tsBuildInfoFile", info, "--pretty", "false"],
    { reject: false, all: true, cwd: dir },
  );
  if (r.failed && r.exitCode === undefined) throw new Error(`could not run tsc: ${r.message}`);
  return { ok: r.exitCode === 0, output: (r.all ?? "").trim() };
}

/** The message the runner prints for a failed check: the errors, grouped by file, student files first. */
export function describeTypeErrors(output: string, studentFiles: string[]): string {
  const lines = output.split("\n").filter((l) => l.trim() !== "");
  const isStudent = (l: string): boolean => studentFiles.some((f) => l.startsWith(f + "("));
  const ordered = [...lines.filter(isStudent), ...lines.filter((l) => !isStudent(l))];
  const files = new Set(lines.map((l) => /^([^(]+)\(\d+,\d+\)/.exec(l)?.[1]).filter((f) => f !== undefined));
  return (
    `type errors: the code does not type-check (tsc --noEmit), so no test was run.\n` +
    `  files: ${[...files].join(", ") || "(see below)"}\n` +
    ordered.map((l) => `  ${l}`).join("\n")
  );
}
