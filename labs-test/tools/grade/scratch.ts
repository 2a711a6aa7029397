// A grade's scratch folder: the pristine tree, the unpacked submission, the workers' temp
// and home folders. It lives in the system temp folder as labs-grade-*, with owner.json
// saying which process made it (pid and start time) and which uid its workers ran as, so
// that the next grade can tell a folder whose grader was killed (SIGKILL cannot be caught)
// from one still in use, stop whatever of it still runs, and remove it. It is removed at
// the end of its grade and on SIGINT, SIGTERM and SIGHUP (interrupt-cleanup.ts).
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { onInterrupt } from "../interrupt-cleanup.js";
import { canReadProcesses, readProc, stopUid, stopUnder, type Isolation } from "../process-family.js";

const PREFIX = "labs-grade-";
const OWNER = "owner.json";

const ownerSchema = z.object({
  pid: z.number().int().positive(),
  /** The owner's start time in clock ticks (-1 where /proc cannot be read). */
  startTicks: z.number().int(),
  /** The uid the workers ran as, if the grade isolated them. */
  uid: z.number().int().positive().optional(),
});

export interface Scratch {
  /** The folder (readable by the workers' uid, when there is one). */
  dir: string;
  /** A folder the workers may write (their TMPDIR and HOME live in it). */
  workerDir: string;
  /** Remove it (and withdraw the interrupt cleanup); idempotent. */
  release(): void;
}

/**
 * Make a scratch folder in tmp. With isolation, it is readable by the workers' uid and
 * workerDir belongs to that uid. keep: leave it in place at release (debugging).
 */
export function makeScratch(isolation: Isolation | undefined, keep = false, tmp = tmpdir()): Scratch {
  const dir = mkdtempSync(path.join(tmp, PREFIX));
  const me = readProc(process.pid);
  writeFileSync(path.join(dir, OWNER), JSON.stringify({ pid: process.pid, startTicks: me?.startTicks ?? -1, uid: isolation?.uid }) + "\n");
  const workerDir = path.join(dir, "worker");
  mkdirSync(path.join(workerDir, "tmp"), { recursive: true });
  mkdirSync(path.join(workerDir, "home"), { recursive: true });
  if (isolation !== undefined) {
    chmodSync(dir, 0o755);
    for (const d of [workerDir, path.join(workerDir, "tmp"), path.join(workerDir, "home")]) chownSync(d, isolation.uid, isolation.gid);
  }
  let released = false;
  const remove = (): void => {
    if (released) return;
    released = true;
    if (keep) process.stdout.write(`scratch tree kept: ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };
  const withdraw = onInterrupt(remove);
  return {
    dir,
    workerDir,
    release: () => {
      withdraw();
      remove();
    },
  };
}

/** Whether the process that wrote this owner record is still running. */
function ownerAlive(o: z.infer<typeof ownerSchema>): boolean {
  if (canReadProcesses()) {
    const p = readProc(o.pid);
    return p !== undefined && p.state !== "Z" && (o.startTicks < 0 || p.startTicks === o.startTicks);
  }
  try {
    process.kill(o.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Remove the scratch folders of graders that are no longer running (killed with SIGKILL,
 * or a machine that went down), after stopping any process of theirs still running: every
 * process of their workers' uid, and any process working inside the folder. Folders of
 * running graders, and labs-grade-* folders without an owner record, are left alone.
 * Returns the folders removed.
 */
export function sweepStaleScratch(tmp = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(tmp).filter((n) => n.startsWith(PREFIX));
  } catch {
    return removed;
  }
  for (const n of names) {
    const dir = path.join(tmp, n);
    let owner: z.infer<typeof ownerSchema>;
    try {
      owner = ownerSchema.parse(JSON.parse(readFileSync(path.join(dir, OWNER), "utf8")));
    } catch {
      continue;
    }
    if (ownerAlive(owner)) continue;
    if (owner.uid !== undefined) stopUid(owner.uid);
    stopUnder(dir);
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
