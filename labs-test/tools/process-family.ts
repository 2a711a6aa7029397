// The processes a grade starts around submitted code (test workers, the MapReduce script),
// kept as families that can be stopped whole, so that nothing a submission started is
// still running when the grader writes OUT (a detached child rewriting results.json
// afterwards was the attack).
//
// A family member is the leader (a worker, started detached: its own session and process
// group), anything in its group or session, anything descended from those, and anything
// seen descended from them earlier (track(): a child that later detached and was orphaned
// keeps its pid and start time). When the grader runs as root, every worker of a grade also
// runs as a uid of its own that no other process uses (chooseIsolation()): then every
// process with that uid is a member, however it detached (setsid, double fork), and the
// workers cannot write the grader's files or the shared node_modules.
//
// Stopping is freeze-then-kill: SIGSTOP every member found, look again until no new member
// appears (a stopped process cannot fork), SIGKILL them all, and wait until each is gone.
// Everything here reads Linux's /proc; where there is none (macOS), only the leader's process
// group is killed, and a child that left it is the container's to stop.
import { randomInt } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** A uid and gid that no process used when they were chosen: the grade's workers run as them. */
export interface Isolation {
  uid: number;
  gid: number;
}

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Process group and session ids. */
  pgid: number;
  sid: number;
  /** One letter: R running, S sleeping, T stopped, Z zombie (dead, not yet reaped) … */
  state: string;
  /** Start time in clock ticks since boot: a pid plus this names one process, even after pid reuse. */
  startTicks: number;
  /** User plus system CPU time, in clock ticks. */
  cpuTicks: number;
  /** Real uid (read only when asked for). */
  uid?: number;
}

/** Linux's USER_HZ, the unit of /proc's times; 100 on every architecture Node runs on. */
export const TICKS_PER_SECOND = 100;

const hasProc = ((): boolean => {
  try {
    readFileSync("/proc/self/stat", "utf8");
    return true;
  } catch {
    return false;
  }
})();

/** Whether the process table can be read (Linux); without it only process groups are killed. */
export function canReadProcesses(): boolean {
  return hasProc;
}

/** One process's /proc entry, or undefined when it is gone (or there is no /proc). */
export function readProc(pid: number, withUid = false): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp session …": comm may hold spaces and parentheses.
  const close = stat.lastIndexOf(")");
  const f = stat.slice(close + 2).split(" ");
  const info: ProcInfo = {
    pid,
    state: f[0] ?? "?",
    ppid: Number(f[1]),
    pgid: Number(f[2]),
    sid: Number(f[3]),
    cpuTicks: Number(f[11]) + Number(f[12]),
    startTicks: Number(f[19]),
  };
  if (withUid) {
    try {
      const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m !== null) info.uid = Number(m[1]);
    } catch {
      return undefined;
    }
  }
  return info;
}

/** Every process now (threads are not listed separately), or [] without /proc. */
export function listProcesses(withUid = false): ProcInfo[] {
  if (!hasProc) return [];
  const out: ProcInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name), withUid);
    if (p !== undefined) out.push(p);
  }
  return out;
}

/**
 * Whether any thread of the process (but one named `ignoring`) is running or waiting for a
 * CPU (state R), or undefined when that cannot be read. A process whose threads all sleep is waiting on
 * something (or stopped); one starved on a loaded machine has a runnable thread.
 */
export function anyThreadRunnable(pid: number, ignoring?: string): boolean | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (name !== ignoring && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "R") return true;
    } catch {
      // the thread ended
    }
  }
  return false;
}

/** roots and every process descended from them, by parent pid. */
function withDescendants(roots: Set<number>, procs: ProcInfo[]): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (out.has(pid)) continue;
    out.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Block this thread for ms (the stop must finish before the caller goes on, even in a signal handler). */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** Wait (blocking, up to ms) until pid is gone or a zombie; returns whether it is. */
export function waitGone(pid: number, ms: number): boolean {
  for (let waited = 0; ; waited += 20) {
    const p = readProc(pid);
    if (p === undefined || p.state === "Z" || p.state === "X") return true;
    if (!hasProc || waited >= ms) return false;
    sleepSync(20);
  }
}

/** What a stop found. */
export interface StopReport {
  /** Processes killed (leaders included). */
  killed: number;
  /** Of those, how many had left their leader's process group or session: started by submitted code to outlive its run. */
  escaped: number;
  /** Still alive after the kill (should be 0; the caller refuses to go on). */
  survivors: number[];
}

/**
 * Freeze every process select() picks until no new one appears, kill them all, and wait
 * (up to waitMs) until each is gone or a zombie. Never signals this process or pid 1.
 */
function freezeAndKill(select: (procs: ProcInfo[]) => ProcInfo[], isEscaped: (p: ProcInfo) => boolean, withUid: boolean, waitMs = 5000): StopReport {
  const targets = new Map<number, ProcInfo>();
  for (let round = 0; round < 100; round++) {
    let fresh = 0;
    for (const p of select(listProcesses(withUid))) {
      if (p.pid === process.pid || p.pid <= 1 || p.state === "Z") continue;
      const known = targets.get(p.pid);
      if (known === undefined || known.startTicks !== p.startTicks) {
        targets.set(p.pid, p);
        fresh++;
      }
      signal(p.pid, "SIGSTOP");
    }
    if (fresh === 0) break;
  }
  for (const p of targets.values()) signal(p.pid, "SIGKILL");
  const alive = (p: ProcInfo): boolean => {
    const now = readProc(p.pid);
    return now !== undefined && now.startTicks === p.startTicks && now.state !== "Z" && now.state !== "X";
  };
  let left = [...targets.values()];
  for (let waited = 0; left.length > 0 && waited < waitMs; waited += 10) {
    sleepSync(10);
    left = left.filter(alive);
    for (const p of left) signal(p.pid, "SIGKILL");
  }
  return { killed: targets.size, escaped: [...targets.values()].filter(isEscaped).length, survivors: left.map((p) => p.pid) };
}

/**
 * A uid and gid for a grade's workers when this process is root and can read /proc (so
 * that it can find that uid's processes); undefined otherwise (workers then run as this
 * process's user, and only process groups and descendants are tracked).
 */
export function chooseIsolation(): Isolation | undefined {
  if (process.getuid?.() !== 0 || !hasProc) return undefined;
  const used = new Set(listProcesses(true).map((p) => p.uid));
  for (;;) {
    // Far above any uid a system or a rootless container's subordinate range hands out.
    const id = randomInt(1_500_000_000, 2_000_000_000);
    if (!used.has(id)) return { uid: id, gid: id };
  }
}

/**
 * A set of leaders (processes started detached, each leading its group and session) and
 * everything they started. See the file's header for who counts as a member.
 */
export class ProcessFamily {
  /** Leader pid → pids (with start ticks) seen descended from it. */
  private readonly seen = new Map<number, Map<number, number>>();

  constructor(readonly isolation?: Isolation) {}

  /** A new leader, just started. */
  add(pid: number): void {
    this.seen.set(pid, new Map([[pid, readProc(pid)?.startTicks ?? -1]]));
  }

  /** Remember every process now descended from a leader (call it every second or so). */
  track(): void {
    if (!hasProc || this.seen.size === 0) return;
    const procs = listProcesses();
    for (const [leader, seen] of this.seen) {
      for (const p of this.membersOf(leader, procs)) if (!seen.has(p.pid)) seen.set(p.pid, p.startTicks);
    }
  }

  private membersOf(leader: number, procs: ProcInfo[]): ProcInfo[] {
    const seen = this.seen.get(leader) ?? new Map<number, number>();
    const roots = new Set(procs.filter((p) => p.pid === leader || p.pgid === leader || p.sid === leader || seen.get(p.pid) === p.startTicks).map((p) => p.pid));
    const all = withDescendants(roots, procs);
    return procs.filter((p) => all.has(p.pid));
  }

  /**
   * Stop one leader and everything of its own (the rest of the family keeps running).
   * Synchronous; returns what it found.
   */
  stop(leader: number): StopReport {
    if (!this.seen.has(leader)) return { killed: 0, escaped: 0, survivors: [] };
    const report = hasProc
      ? freezeAndKill((procs) => this.membersOf(leader, procs), (p) => p.pgid !== leader && p.sid !== leader, false)
      : this.killGroup(leader);
    this.seen.delete(leader);
    return report;
  }

  /**
   * Stop every member: each leader's processes, and under isolation every process of the
   * family's uid. Synchronous (a signal handler calls it); returns what it found.
   */
  stopAll(): StopReport {
    const leaders = [...this.seen.keys()];
    const uid = this.isolation?.uid;
    let report: StopReport;
    if (hasProc) {
      report = freezeAndKill(
        (procs) => {
          const mine = new Set(leaders.flatMap((l) => this.membersOf(l, procs).map((p) => p.pid)));
          return procs.filter((p) => mine.has(p.pid) || (uid !== undefined && p.uid === uid));
        },
        (p) => !leaders.includes(p.pgid) && !leaders.includes(p.sid),
        uid !== undefined,
      );
    } else {
      const parts = leaders.map((l) => this.killGroup(l));
      report = { killed: parts.reduce((a, r) => a + r.killed, 0), escaped: 0, survivors: [] };
    }
    this.seen.clear();
    return report;
  }

  private killGroup(leader: number): StopReport {
    signal(-leader, "SIGKILL");
    return { killed: 1, escaped: 0, survivors: [] };
  }
}

/**
 * Stop every process whose uid is `uid` (a family left behind by a grader that was killed,
 * found through its scratch folder's record). Returns how many were killed.
 */
export function stopUid(uid: number): number {
  if (!hasProc || uid === 0 || uid === process.getuid?.()) return 0;
  return freezeAndKill((procs) => procs.filter((p) => p.uid === uid), () => true, true).killed;
}

/**
 * Stop every process whose working folder is dir or inside it (a family left behind by a
 * grader that was killed, when its workers ran as the grader's own user). Returns how many.
 */
export function stopUnder(dir: string): number {
  if (!hasProc) return 0;
  const inside = (pid: number): boolean => {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      return cwd === dir || cwd.startsWith(dir + "/");
    } catch {
      return false;
    }
  };
  return freezeAndKill((procs) => procs.filter((p) => inside(p.pid)), () => true, false).killed;
}
