// Compiles runtime/, mr/ and apps/ to build/ (incrementally), so that the programs
// start as plain JavaScript: a worker is ready in a fraction of a second.
import { execa } from "execa";
import { join } from "node:path";
import { projectRoot } from "./paths.js";

export class BuildError extends Error {}

export async function buildMr(): Promise<void> {
  const tsc = join(projectRoot, "node_modules", "typescript", "bin", "tsc");
  const r = await execa(process.execPath, [tsc, "-p", join(projectRoot, "tsconfig.mr.json")], {
    cwd: projectRoot,
    reject: false,
    all: true,
  });
  if (r.exitCode !== 0) throw new BuildError(`build failed (tsc -p tsconfig.mr.json):\n${String(r.all ?? "")}`);
}
