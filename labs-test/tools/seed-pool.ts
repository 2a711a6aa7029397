// The many-seeds parent: a pool of long-lived workers (seed-worker.ts) that run
// (test, seed) jobs one at a time, each holding the next job ready. The parent owns the work list and the wall-clock
// limits; it trusts nothing but records that arrive over the IPC channel with the
// worker's secret, for the job it asked for. A worker that hangs, exits or misbehaves
// fails its current job and is replaced.
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { RealClock } from "../../runtime/real-clock.js";
import type { LabPart } from "../labs.js";
import { workerMessageSchema, type JobRecord, type WorkerMessage } from "./seed-protocol.js";

export interface PoolJob {
  id: number;
  test: string;
  seed: number;
}

export interface PoolOptions {
  /** Tree the workers run in (their cwd; test files and the worker script are read from it). */
  cwd: string;
  /** Test files to load, relative to cwd. */
  files: string[];
  /** Worker processes at once (default: one per core). */
  workers: number;
  /** Wall ms one job may take before its worker is killed and the job failed. */
  jobWallMs: number;
  /** Wall ms a worker may take to load the test files. */
  startWallMs: number;
  /** Wall ms for the whole pool; jobs not started by then fail. */
  totalWallMs: number;
  /** Virtual ms a simulated test may run (the course's 120 s, plus the harness's margin). */
  limitMs: number;
  /** A test's own virtual limit, where it differs from limitMs (see limitsOf). */
  limitMsFor?: (test: string) => number;
  /** Folder for worker logs (worker-<slot>.log: everything the tests printed). */
  logDir: string;
  /** Ask workers for a trace digest of every run (replay checks). */
  hash?: boolean;
  /** Run on the wall clock (REALTIME=1). */
  realtime?: boolean;
  /** Environment for workers (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Node flags before the worker's own (the grader's permission model: labs-test/sandbox/permissions.ts). */
  nodeFlags?: string[];
  /** The module `--import`ed to load TypeScript, relative to cwd (default: tsx as installed there). */
  loader?: string;
  /** Called once per finished job, in completion order. */
  onRecord?: (job: PoolJob, record: JobRecord) => void;
}

/**
 * Jobs a worker holds at once: the one it runs and the next. A job's wall limit counts
 * from the moment its turn comes (the answer to the job before it).
 */
const JOBS_AHEAD = 2;

/** The course's 120 s per test, plus the margin the harnesses' own watchdogs take. */
export const DEFAULT_LIMIT_MS = 125_000;

/**
 * Each test's virtual limit (ms) among these parts: the part's own (labrpc has no course
 * limit) or DEFAULT_LIMIT_MS. A name in two parts (TestBasic: labrpc and 4A) takes the
 * first listed part's.
 */
export function limitsOf(parts: readonly LabPart[]): (test: string) => number {
  return (test) => {
    const p = parts.find((q) => q.tests.includes(test) || (q.extraTests ?? []).includes(test));
    return p?.virtualLimitMs ?? DEFAULT_LIMIT_MS;
  };
}

/** tsx's loader (what `node --import tsx` loads), so workers run TypeScript directly. */
/** tsx as installed in the tree the workers run in (a grading tree has its own copy). */
const tsxLoaderIn = (cwd: string): string => pathToFileURL(createRequire(path.join(path.resolve(cwd), "package.json")).resolve("tsx")).href;

/** Wall-clock timers of the parent (it lives outside any world). */
const timers = new RealClock();

function failedRecord(job: PoolJob, error: string, wallMs = 0): JobRecord {
  return { name: job.test, seed: job.seed, passed: false, virtualMs: 0, wallMs, error: error.split("\n")[0], detail: error };
}

type Event =
  | { kind: "message"; msg: WorkerMessage }
  | { kind: "bad"; why: string }
  | { kind: "exit"; code: number | null; signal: string | null }
  | { kind: "timeout" };

/** One worker process and a queue of what it said or did. */
class WorkerHandle {
  readonly nonce = randomBytes(16).toString("hex");
  private readonly child: ChildProcess;
  private readonly events: Event[] = [];
  private waiter: ((e: Event) => void) | undefined;
  exited = false;

  constructor(opts: PoolOptions, logFd: number) {
    this.child = fork(path.join(opts.cwd, "labs-test/tools/seed-worker.ts"), [], {
      cwd: opts.cwd,
      env: { ...(opts.env ?? process.env), FORCE_COLOR: "0" },
      execArgv: [...(opts.nodeFlags ?? []), "--import", opts.loader === undefined ? tsxLoaderIn(opts.cwd) : pathToFileURL(path.resolve(opts.cwd, opts.loader)).href],
      stdio: ["ignore", logFd, logFd, "ipc"],
      serialization: "json",
    });
    this.child.on("message", (m: unknown) => {
      const r = workerMessageSchema.safeParse(m);
      if (!r.success) this.push({ kind: "bad", why: "the worker sent a malformed message" });
      else if (r.data.nonce !== this.nonce) this.push({ kind: "bad", why: "a message without the worker's secret" });
      else this.push({ kind: "message", msg: r.data });
    });
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      this.push({ kind: "exit", code, signal });
    });
    this.child.on("error", () => {}); // an exit event follows
    this.child.send({ type: "hello", nonce: this.nonce, files: opts.files });
  }

  private push(e: Event): void {
    if (this.waiter !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      w(e);
    } else this.events.push(e);
  }

  /** The next thing the worker says or does, or a timeout after wallMs. */
  next(wallMs: number): Promise<Event> {
    const e = this.events.shift();
    if (e !== undefined) return Promise.resolve(e);
    return new Promise((resolve) => {
      const timer = timers.after(wallMs, () => {
        this.waiter = undefined;
        resolve({ kind: "timeout" });
      });
      this.waiter = (ev) => {
        timer.cancel();
        resolve(ev);
      };
    });
  }

  send(job: PoolJob, o: PoolOptions): void {
    this.child.send({ type: "job", id: job.id, test: job.test, seed: job.seed, limitMs: o.limitMsFor?.(job.test) ?? o.limitMs, hash: o.hash, realtime: o.realtime });
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }

  /** Close the channel; an idle worker exits on its own. */
  close(): void {
    if (this.child.connected) this.child.disconnect();
    const t = timers.after(2000, () => this.kill());
    this.child.once("exit", () => t.cancel());
  }
}

function describeExit(e: { code: number | null; signal: string | null }): string {
  return e.signal !== null ? `killed by ${e.signal}` : `exit status ${e.code}`;
}

/**
 * Run every job once. Resolves to one record per job id (never rejects for a test's
 * failure; a job the pool could not run gets a failed record saying why).
 */
export async function runPool(jobs: PoolJob[], opts: PoolOptions): Promise<Map<number, JobRecord>> {
  const wall = new RealClock();
  const queue = [...jobs];
  const records = new Map<number, JobRecord>();
  const finish = (job: PoolJob, r: JobRecord): void => {
    records.set(job.id, r);
    opts.onRecord?.(job, r);
  };
  const failRest = (why: string): void => {
    for (const j of queue.splice(0)) finish(j, failedRecord(j, why));
  };

  const slot = async (n: number): Promise<void> => {
    const logFd = openSync(path.join(opts.logDir, `worker-${n}.log`), "a");
    try {
      while (queue.length > 0) {
        const w = new WorkerHandle(opts, logFd);
        const ready = await w.next(opts.startWallMs);
        if (ready.kind !== "message" || ready.msg.type !== "ready" || ready.msg.loadError !== undefined) {
          w.kill();
          const why =
            ready.kind === "message" && ready.msg.type === "ready"
              ? ready.msg.loadError!
              : ready.kind === "exit"
                ? `the test process exited while loading the tests (${describeExit(ready)})`
                : ready.kind === "timeout"
                  ? `the test process did not finish loading the tests within ${opts.startWallMs / 1000} s (wall)`
                  : `the test process misbehaved while loading: ${ready.kind === "bad" ? ready.why : "unexpected message"}`;
          // Loading is the same for every job: it will fail the same way again.
          failRest(why);
          return;
        }
        let alive = true;
        // Jobs sent to this worker and not yet answered, oldest first: the worker runs them
        // in order, and the next one waits in its inbox while it runs the first, so it never
        // idles waiting for this process's turn on a busy machine.
        const sent: PoolJob[] = [];
        while (alive) {
          while (sent.length < JOBS_AHEAD && queue.length > 0) {
            if (wall.now() > opts.totalWallMs) {
              failRest(`not run: the whole run's limit of ${opts.totalWallMs / 1000} s (wall) was reached`);
              break;
            }
            const next = queue.shift()!;
            w.send(next, opts);
            sent.push(next);
          }
          const job = sent.shift();
          if (job === undefined) break;
          const started = wall.now();
          const ev = await w.next(opts.jobWallMs);
          const took = wall.now() - started;
          if (ev.kind === "message" && ev.msg.type === "result") {
            const { id, record, retire } = ev.msg;
            if (id !== job.id || record.name !== job.test || record.seed !== job.seed) {
              finish(job, failedRecord(job, "the test process answered for a job it was not given", took));
              alive = false;
            } else {
              finish(job, record);
              if (retire === true) alive = false;
            }
          } else if (ev.kind === "exit") {
            finish(job, failedRecord(job, `the test process exited before reporting a result (${describeExit(ev)})`, took));
            alive = false;
          } else if (ev.kind === "timeout") {
            finish(job, failedRecord(job, `no result within ${opts.jobWallMs / 1000} s (wall): the test hung or looped`, took));
            alive = false;
          } else {
            finish(job, failedRecord(job, `the test process misbehaved: ${ev.kind === "bad" ? ev.why : "unexpected message"}`, took));
            alive = false;
          }
        }
        // Jobs sent to a worker that is going away never started: a fresh worker runs them.
        queue.unshift(...sent);
        if (alive) w.close();
        else w.kill();
      }
    } finally {
      closeSync(logFd);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.workers, jobs.length)) }, (_, i) => slot(i)));
  return records;
}
