// Type-check before testing: a student's type error must be reported as a type error,
// not as a test that "failed to reach agreement" because tsx ran code that tsc rejects.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface TypecheckResult {
  ok: boolean;
  /** tsc's diagnostics (file(line,col): error TSxxxx: …), empty when ok. */
  output: string;
}

/**
 * Run `tsc --noEmit` on the project whose tsconfig.json is in dir (default: this repo). Incremental, with its build
 * info under buildInfoDir, so a second run on an unchanged tree takes about 2 s instead of 8.
 * Throws only if tsc itself cannot be started.
 */
export async function typecheck(buildInfoDir: string, dir: string = ROOT): Promise<TypecheckResult> {
  const r = await execa(
    path.join(ROOT, "node_modules", ".bin", "tsc"),
    ["-p", "tsconfig.json", "--noEmit", "--incremental", "--tsBuildInfoFile", path.resolve(buildInfoDir, "tsbuildinfo"), "--pretty", "false"],
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
