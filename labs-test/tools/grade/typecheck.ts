import { writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";

// Does the submission build? The course's Makefile refuses to hand in code that does
// not compile; here, type errors in what a part's tests import fail that part.

export interface TypeCheck {
  ok: boolean;
  /** tsc's error lines (paths relative to the tree). */
  output: string;
}

/**
 * Type-check the given test files and everything they import, in tree, with the
 * project's compiler settings. Wall limit: timeoutMs.
 */
export async function typeCheck(tree: string, testFiles: string[], timeoutMs: number): Promise<TypeCheck> {
  const config = `tsconfig.grade-${testFiles.map((f) => path.basename(f, ".ts")).join("-")}.json`;
  writeFileSync(path.join(tree, config), JSON.stringify({ extends: "./tsconfig.json", include: [], files: testFiles }, null, 1));
  const tsc = path.join(tree, "node_modules/typescript/bin/tsc");
  const r = await execa("node", [tsc, "-p", config, "--noEmit", "--pretty", "false"], {
    cwd: tree,
    reject: false,
    timeout: timeoutMs,
    all: true,
  });
  if (r.timedOut) return { ok: false, output: `the type check took longer than ${timeoutMs / 1000} s` };
  return { ok: r.exitCode === 0, output: (r.all ?? "").trim() };
}
