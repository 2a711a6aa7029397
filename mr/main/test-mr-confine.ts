// Where the graded script's student processes (the coordinator and workers built from
// mr/coordinator.ts, mr/worker.ts, mr/rpc.ts) may reach: Node's permission model (labs-test/
// sandbox/permissions.ts) lets them read the compiled programs and the packages, the
// inputs and the folders of the run, and write only their job folder and their socket; no
// child processes, no worker threads. So no process of theirs can change the tests, the
// build, the expected output (made in a folder beside the job folder) or any other file.
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { permissionFlags } from "../../labs-test/sandbox/permissions.js";
import { buildDir, projectRoot } from "../framework/paths.js";

export interface Confinement {
  /** The job folder (mr-tmp): the processes' cwd, and the one folder they may write. */
  dir: string;
  /** The run's folder: the inputs (as ../pg-*.txt from dir), dir and the expected output's folder. */
  base: string;
  /** The coordinator's unix socket (it removes a stale one at start). */
  socket: string;
  /** More files the processes may write (outside dir). */
  alsoWritable?: readonly string[];
}

/** `node` flags for a student process of the graded script. */
export function confinedTo(c: Confinement): string[] {
  // node_modules may be a link (a handout that shares an installed tree): the permission
  // model checks the path a module resolves to, so its real path is readable too.
  const modules = join(projectRoot, "node_modules");
  const readable = [buildDir, modules, realpathSync(modules), join(projectRoot, "package.json"), c.base, c.socket];
  return permissionFlags(readable, [c.dir, c.socket, ...(c.alsoWritable ?? [])], { workerThreads: false });
}
