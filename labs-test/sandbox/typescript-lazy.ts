// TypeScript's compiler API, loaded on first use. The sandbox needs it to transpile a
// student file and read its export names, but a grading worker gets both prepared by the
// grader (prepared.ts) and should not pay for loading the compiler (~9 MB of JavaScript)
// at every start.
import { createRequire } from "node:module";
import type TS from "typescript";

let loaded: typeof TS | undefined;

/** The `typescript` package, loaded once. */
export function typescript(): typeof TS {
  loaded ??= createRequire(import.meta.url)("typescript") as typeof TS;
  return loaded;
}
