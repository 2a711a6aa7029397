// Input file arguments: plain paths or glob patterns, each checked to be a readable
// regular file before any work starts.
import { accessSync, constants, statSync } from "node:fs";
import { resolve } from "node:path";

export class InputError extends Error {}

/**
 * Expands the arguments in order (a pattern's matches sorted), drops repeats, and
 * checks each file. Paths are returned as given (relative stays relative), because
 * apps such as indexer use the name they receive as a key.
 */
export async function expandInputs(args: string[], cwd = process.cwd()): Promise<string[]> {
  if (args.length === 0) throw new InputError("no input files given");
  // Loaded here, not at the top: mrworker shares modules with this file and should start fast.
  const { glob, hasMagic } = await import("glob");
  const out: string[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    let files = [arg];
    if (hasMagic(arg) && !exists(resolve(cwd, arg))) {
      files = (await glob(arg, { cwd, nodir: true, posix: true })).sort();
      if (files.length === 0) throw new InputError(`no input file matches ${arg}`);
    }
    for (const f of files) {
      checkReadable(resolve(cwd, f), f);
      if (!seen.has(resolve(cwd, f))) {
        seen.add(resolve(cwd, f));
        out.push(f);
      }
    }
  }
  return out;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function checkReadable(abs: string, shown: string): void {
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new InputError(`input file not found: ${shown}`);
  }
  if (!st.isFile()) throw new InputError(`input is not a regular file: ${shown}`);
  try {
    accessSync(abs, constants.R_OK);
  } catch {
    throw new InputError(`input file is not readable: ${shown}`);
  }
}
