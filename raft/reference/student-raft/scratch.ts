// Builds a scratch copy of the repository in which the student-style Raft (raft.ts beside
// this file) stands in for our reference as raft/raft.ts, so the graded tests, kvraft and
// the benches run on it unchanged. Used by ../student-raft.test.ts and by hand:
//   tsx raft/reference/student-raft/scratch.ts /tmp/sr && cd /tmp/sr && tsx labs-test/tools/run.ts 2A

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { execaSync } from "execa";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository this file lives in. */
export const REPO_ROOT = path.resolve(HERE, "../../..");
/** The student-style Raft's source. */
export const STUDENT_RAFT = path.join(HERE, "raft.ts");

/**
 * The student Raft's source with its imports rewritten for raft/raft.ts (it sits two
 * directories deeper). Throws if an import is left that would not resolve there.
 */
export function asRaftTs(source: string): string {
  const out = source.replaceAll('from "../../../', 'from "../').replaceAll('from "../../', 'from "./');
  const bad = out.split("\n").filter((l) => /from "\.\.\/\.\.\//.test(l));
  if (bad.length > 0) throw new Error(`student raft: imports still too deep for raft/raft.ts:\n${bad.join("\n")}`);
  return out;
}

/** Files of the repo worth copying: tracked or new, not ignored, still present; no reference code. */
function repoFiles(root: string): string[] {
  let listing: string;
  try {
    listing = execaSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root }).stdout;
  } catch (e) {
    throw new Error(`student raft: cannot list the repo's files with git in ${root}: ${(e as Error).message}`);
  }
  return listing
    .split("\n")
    .filter((f) => f !== "" && !f.startsWith("raft/reference/") && !f.startsWith(".labs-runs/"))
    .filter((f) => existsSync(path.join(root, f)));
}

/**
 * Copy the repo at root into dest (which must not exist or be empty) without its
 * reference tests, and link its node_modules. Throws if dest is not empty.
 */
export function copyRepo(dest: string, root: string = REPO_ROOT): void {
  if (existsSync(dest) && readdirSync(dest).length > 0) {
    throw new Error(`scratch copy: ${dest} exists and is not empty`);
  }
  for (const f of repoFiles(root)) {
    const to = path.join(dest, f);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(path.join(root, f), to);
  }
  symlinkSync(realpathSync(path.join(root, "node_modules")), path.join(dest, "node_modules"), "dir");
}

/** copyRepo, then the student Raft as raft/raft.ts. */
export function buildStudentRaftTree(dest: string, root: string = REPO_ROOT): void {
  copyRepo(dest, root);
  writeFileSync(path.join(dest, "raft/raft.ts"), asRaftTs(readFileSync(STUDENT_RAFT, "utf8")));
}

function main(): void {
  const program = new Command()
    .name("scratch")
    .description("copy this repo to <dest> with the student-style Raft as raft/raft.ts")
    .argument("<dest>", "a directory that does not exist yet (or is empty)")
    .action((dest: string) => {
      buildStudentRaftTree(path.resolve(dest));
      process.stdout.write(`student Raft installed in ${path.resolve(dest)}/raft/raft.ts\n`);
    });
  program.parse();
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
