// `make handout OUT=dir`: write the student tree (see handout-tree.ts) to a new directory.
// The tree is built in memory, written to a temporary sibling of OUT and renamed into
// place, so a failure leaves nothing half-written.
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { PARTS, type LabPart } from "../labs.js";
import { MarkerError } from "../solution-markers.js";
import { HandoutError, handoutTree } from "./handout-tree.js";

export { HandoutError } from "./handout-tree.js";

/**
 * Write the student tree of the repository at root into out (a path that does not exist,
 * or an empty directory). Returns the files written (relative paths, sorted).
 * @throws HandoutError if out is a file or a non-empty directory, or as handoutTree does;
 *   MarkerError for a malformed solution region. Nothing is written then.
 */
export function writeHandout(root: string, out: string, parts: readonly LabPart[] = PARTS): string[] {
  const dest = path.resolve(out);
  if (existsSync(dest)) {
    if (!statSync(dest).isDirectory()) throw new HandoutError(`OUT=${out} exists and is not a directory`);
    if (readdirSync(dest).length > 0) throw new HandoutError(`OUT=${out} is not empty; give a new or empty directory`);
  }
  if (path.relative(path.resolve(root), dest) === "") throw new HandoutError(`OUT=${out} is the repository itself`);
  const files = handoutTree(root, parts);
  const tmp = `${dest}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const f of files) {
      const abs = path.join(tmp, f.path);
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, f.bytes);
      chmodSync(abs, f.mode);
    }
    if (existsSync(dest)) rmSync(dest, { recursive: true });
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return files.map((f) => f.path);
}

function main(): void {
  const cmd = new Command()
    .name("make handout")
    .description("write the student tree: solution regions stubbed, reference tests and notes left out")
    .requiredOption("--out <dir>", "a new (or empty) directory")
    .option("--root <dir>", "the repository to make it from", ".")
    .parse();
  const { out, root } = cmd.opts<{ out: string; root: string }>();
  try {
    const files = writeHandout(root, out);
    process.stdout.write(`wrote ${files.length} files to ${out}; then: cd ${out} && make test-2A\n`);
  } catch (e) {
    if (e instanceof HandoutError || e instanceof MarkerError) {
      process.stderr.write(`make handout: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();
