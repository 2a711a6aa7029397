// Where things are, whether this module runs as TypeScript (tsx, vitest) or as the
// compiled JavaScript under build/.
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// This file is <root>/mr/framework/paths.ts, or <root>/build/mr/framework/paths.js compiled.
const mrDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** True when this code runs from build/ (node), false when from sources (tsx). */
export const runningCompiled = basename(dirname(mrDir)) === "build";

/** The project's top folder. */
export const projectRoot = runningCompiled ? dirname(dirname(mrDir)) : dirname(mrDir);

export const buildDir = join(projectRoot, "build");

/** Touched after every successful build of the MapReduce programs (see build.ts). */
export const buildStamp = join(buildDir, ".mr-built");

/** The compiled JavaScript of a source file given relative to the project root. */
export function compiledPath(sourceRel: string): string {
  return join(buildDir, sourceRel.replace(/\.(m?)ts$/, ".$1js"));
}

/** The compiled entry point of one of the MapReduce programs. */
export function programPath(name: "mrcoordinator" | "mrworker" | "mrsequential"): string {
  return compiledPath(`mr/main/${name}.ts`);
}

/** The compiled module of a built-in app, e.g. appPath("wc"). */
export function appPath(name: string): string {
  return compiledPath(`apps/${name}.ts`);
}

/**
 * The course's texts, beside the project, if this machine has them. MR_COURSE_TEXTS
 * names another folder, or "none" to act as a fresh machine would.
 */
export function gutenbergDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env.MR_COURSE_TEXTS;
  if (override === "none") return undefined;
  const dir = override ? resolve(override) : resolve(projectRoot, "..", "shared", "data", "gutenberg");
  return existsSync(dir) ? dir : undefined;
}

/** Scratch space for runs and generated data (git ignores it). */
export const runsDir = join(projectRoot, ".labs-runs");
