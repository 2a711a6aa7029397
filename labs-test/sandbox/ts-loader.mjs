// `node --import ./labs-test/sandbox/ts-loader.mjs`: TypeScript for processes that run
// under Node's permission model without child processes (the grader's workers). tsx
// transforms through esbuild, whose service is a child process; these hooks use
// TypeScript's own transpiler in the hooks thread instead. Plain JavaScript, since nothing
// could load TypeScript before it.
import { register } from "node:module";

process.setSourceMapsEnabled(true);
register("./ts-hooks.mjs", import.meta.url);
