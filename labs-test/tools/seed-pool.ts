// The many-seeds parent: a pool of long-lived workers (seed-worker.ts) that run
// (test, seed) jobs one at a time, each holding the next job ready. The parent owns the
// work list, the wall-clock limits and the only copy of the results: it trusts nothing but
// records that arrive over the IPC channel with the worker's secret, one per job, for the
// job it asked for, and it caps and scrubs every string in them. A worker that hangs,
// stops answering, exits or misbehaves fails its current job and is replaced; one that
// sends what the worker's own code never sends (a record without the secret, an answer to
// a job it was not given, a malformed message) is reported as tampering (onTamper).
//
// Workers start detached, each in its own process group (and, under `isolation`, as a uid
// of their own): when one is retired, it and everything it started are stopped
// (process-family.ts), and when the pool returns, no process of any worker is left.
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { RealClock } from "../../runtime/real-clock.js";
import { THROWN_TEXT_CAP } from "../harness/describe-thrown.js";
import { firstLineOf, scrubDeep } from "../harness/safe-text.js";
import type { LabPart } from "../labs.js";
import { onInterrupt } from "./interrupt-cleanup.js";
import { anyThreadRunnable, ProcessFamily, readProc, TICKS_PER_SECOND, type Isolation } from "./process-family.js";
import { workerMessageSchema, type JobRecord, type WorkerMessage } from "./seed-protocol.js";
import { GUARD_THREAD_NAME } from "./worker-lifeline.js";
import { Mailbox } from "./mailbox.js";

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
  /** Wall ms for the whole pool; a job running then fails, and jobs not started fail. */
  totalWallMs: number;
  /** Virtual ms a simulated test may run (the course's 120 s, plus the harness's margin). */
  limitMs: number;
  /** A test's own virtual limit, where it differs from limitMs (see limitsOf). */
  limitMsFor?: (test: string) => number;
  /** Folder for worker logs (worker-<slot>.log: what the tests printed, at most logCapBytes each). */
  logDir: string;
  /** Bytes kept of one slot's log (default LOG_CAP_BYTES); the rest is dropped, saying so. */
  logCapBytes?: number;
  /**
   * How long a worker may go without a heartbeat before it counts as stuck (default
   * DEFAULT_STALL_CPU_MS): this many ms of CPU if it spins (a synchronous loop uses all the
   * CPU it gets), or of wall time if its main thread sleeps (a synchronous wait). A worker
   * starved on a loaded machine is runnable and uses little: neither. Without /proc, four
   * times this in wall ms.
   */
  stallCpuMs?: number;
  /** After a run of a test hangs or stalls, the test's remaining seeds are not run (a grade: one failure already costs its points). */
  dropHungTests?: boolean;
  /** Run workers as this uid and gid (process-family.ts); the tree must be readable by it. */
  isolation?: Isolation;
  /** Ask workers for a trace digest of every run (replay checks). */
  hash?: boolean;
  /** Run on the wall clock (REALTIME=1). */
  realtime?: boolean;
  /** Environment for workers (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /**
   * False: workers load student files as plain modules, outside the sandbox (default
   * true). Only for measuring the boundary's cost: never for code that is not trusted.
   */
  sandbox?: boolean;
  /** Node flags before the worker's own (the grader's permission model: labs-test/sandbox/permissions.ts). */
  nodeFlags?: string[];
  /** The module `--import`ed to load TypeScript, relative to cwd (default: tsx as installed there). */
  loader?: string;
  /** Called once per finished job, in completion order. */
  onRecord?: (job: PoolJob, record: JobRecord) => void;
  /**
   * Stop early: once aborted, no further job starts, and jobs not started get no record
   * (jobs already handed to a worker still finish). The schedule search stops so at its
   * budget or its first failure.
   */
  signal?: AbortSignal;
  /** A worker sent something only submitted code would send (why says what); its job has failed. */
  onTamper?: (why: string) => void;
  /** Processes that had left their worker's process group were found and killed (count). */
  onEscaped?: (count: number) => void;
}

/**
 * Jobs a worker holds at once: the one it runs and the next. A job's wall limit counts
 * from the moment its turn comes (the answer to the job before it).
 */
const JOBS_AHEAD = 2;

/** The course's 120 s per test, plus the margin the harnesses' own watchdogs take. */
export const DEFAULT_LIMIT_MS = 125_000;

/** Default CPU ms without a heartbeat before a worker counts as stuck (PoolOptions.stallCpuMs). */
export const DEFAULT_STALL_CPU_MS = 5_000;

/** Wall ms a finished slot waits for its last worker's output still in the pipes. */
const DRAIN_WALL_MS = 2_000;

/** CPU ms without a heartbeat before a worker still loading its test files counts as stuck. */
export const LOAD_STALL_CPU_MS = 30_000;

/** Default bytes kept of one worker slot's log. */
export const LOG_CAP_BYTES = 1024 * 1024;

/** How often the parent looks at each worker's heartbeat and CPU time (wall ms). */
const WATCH_MS = 500;

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

/**
 * tsx's loader (what `node --import tsx` loads), so workers run TypeScript directly: tsx as
 * installed in the tree the workers run in (a grading tree has its own copy), as a file URL.
 */
export const tsxLoaderIn = (cwd: string): string => pathToFileURL(createRequire(path.join(path.resolve(cwd), "package.json")).resolve("tsx")).href;

/** Wall-clock timers of the parent (it lives outside any world). */
const timers = new RealClock();

function failedRecord(job: PoolJob, error: string, wallMs = 0, detail = error): JobRecord {
  return { name: job.test, seed: job.seed, passed: false, virtualMs: 0, wallMs, error: firstLineOf(error), detail: scrubDeep(detail, THROWN_TEXT_CAP) };
}

/** A worker's record as the parent keeps it: its own job's name and seed, every string scrubbed and capped. */
function keptRecord(job: PoolJob, r: JobRecord): JobRecord {
  const clean = scrubDeep(r, THROWN_TEXT_CAP);
  const kept: JobRecord = { ...clean, name: job.test, seed: job.seed };
  if (clean.error !== undefined) kept.error = firstLineOf(clean.error);
  delete kept.skipped;
  return kept;
}

/** One slot's log file: everything its workers print, up to a cap. */
class SlotLog {
  private left: number;
  private cut = false;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly cap: number,
  ) {
    this.left = cap;
  }

  /** Output still in a killed worker's pipes may arrive after the slot is done: it is dropped. */
  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }

  write(b: Buffer): void {
    if (this.closed || this.cut) return;
    if (b.length <= this.left) {
      writeSync(this.fd, b);
      this.left -= b.length;
      return;
    }
    // Say so with the chunk that overflows, not with a later one: there may be none before
    // the slot closes.
    writeSync(this.fd, b.subarray(0, this.left));
    this.left = 0;
    this.cut = true;
    writeSync(this.fd, `\n… (log cut at ${this.cap} bytes; later output dropped)\n`);
  }
}

type Event =
  | { kind: "message"; msg: Exclude<WorkerMessage, { type: "beat" }> }
  | { kind: "bad"; why: string }
  | { kind: "exit"; code: number | null; signal: string | null }
  | { kind: "stall"; how: string }
  | { kind: "timeout" };

/** One worker process and a queue of what it said or did. */
class WorkerHandle {
  readonly nonce = randomBytes(16).toString("hex");
  private readonly child: ChildProcess;
  /** Resolves when the process has exited and its stdio pipes have closed. */
  private readonly closed: Promise<void>;
  private readonly mail = new Mailbox<Event>();
  exited = false;
  private stalled = false;
  /** The worker has said "ready": its test files are loaded. */
  private loaded = false;
  private beatSinceWatch = true;
  private anchorCpu: number | undefined;
  private readonly clock = new RealClock();
  private lastBeatWall = 0;
  private lastWatch = 0;
  /** Since when every look found the main thread asleep (not runnable). */
  private asleepSince: number | undefined;

  constructor(
    private readonly opts: PoolOptions,
    log: SlotLog,
    private readonly family: ProcessFamily,
  ) {
    this.child = fork(path.join(opts.cwd, "labs-test/tools/seed-worker.ts"), [], {
      cwd: opts.cwd,
      env: { ...(opts.env ?? process.env), FORCE_COLOR: "0" },
      execArgv: [...(opts.nodeFlags ?? []), "--import", opts.loader === undefined ? tsxLoaderIn(opts.cwd) : pathToFileURL(path.resolve(opts.cwd, opts.loader)).href],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
      detached: true,
      uid: opts.isolation?.uid,
      gid: opts.isolation?.gid,
    });
    if (this.child.pid !== undefined) family.add(this.child.pid);
    this.closed = new Promise<void>((resolve) => this.child.once("close", () => resolve()));
    this.child.stdout?.on("data", (b: Buffer) => log.write(b));
    this.child.stderr?.on("data", (b: Buffer) => log.write(b));
    this.child.on("message", (m: unknown) => {
      const r = workerMessageSchema.safeParse(m);
      if (!r.success) this.mail.push({ kind: "bad", why: "the worker sent a malformed message" });
      else if (r.data.nonce !== this.nonce) this.mail.push({ kind: "bad", why: "a message without the worker's secret" });
      else if (r.data.type === "beat") this.beatSinceWatch = true;
      else {
        if (r.data.type === "ready") this.loaded = true;
        this.mail.push({ kind: "message", msg: r.data });
      }
    });
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      this.mail.push({ kind: "exit", code, signal });
    });
    this.child.on("error", () => {
      // A worker that could not start gets no exit event of its own.
      if (this.child.pid === undefined && !this.exited) {
        this.exited = true;
        this.mail.push({ kind: "exit", code: null, signal: null });
      }
    });
    this.child.send({ type: "hello", nonce: this.nonce, files: opts.files, isolated: opts.isolation !== undefined, ...(opts.sandbox === false ? { sandbox: false } : {}) });
    this.watch();
  }

  /**
   * Every WATCH_MS: a heartbeat since last time re-anchors the watch. Without one, the
   * worker is stuck once it has used stallMs of CPU since (spinning in a loop), or once all
   * its threads have been asleep for stallMs of wall time (blocked: a synchronous wait, or
   * stopped; not a main thread waiting on the module loader's thread). A worker waiting for a CPU on a loaded machine is
   * runnable and uses little: neither. If this process itself was too busy to look on
   * time, it does not judge what it did not see.
   */
  private watch(): void {
    if (this.exited || this.stalled) return;
    // Loading (lockdown, the test files and everything they import, student modules
    // evaluated in the sandbox) is long synchronous work of its own: it gets a longer
    // limit, and a load that never ends still meets startWallMs.
    const runLimit = this.opts.stallCpuMs ?? DEFAULT_STALL_CPU_MS;
    const limit = this.loaded ? runLimit : Math.max(runLimit, LOAD_STALL_CPU_MS);
    const p = this.child.pid === undefined ? undefined : readProc(this.child.pid);
    const cpu = p === undefined ? undefined : (p.cpuTicks * 1000) / TICKS_PER_SECOND;
    const wall = this.clock.now();
    const late = wall - this.lastWatch > 4 * WATCH_MS;
    this.lastWatch = wall;
    if (this.beatSinceWatch || late) {
      this.beatSinceWatch = false;
      this.anchorCpu = cpu;
      this.lastBeatWall = wall;
      this.asleepSince = undefined;
    } else if (p !== undefined && cpu !== undefined && this.anchorCpu !== undefined) {
      if (anyThreadRunnable(p.pid, GUARD_THREAD_NAME) !== false) this.asleepSince = undefined;
      else this.asleepSince ??= wall;
      if (cpu - this.anchorCpu >= limit) return this.stall(`its event loop was blocked for ${((cpu - this.anchorCpu) / 1000).toFixed(1)} s of CPU (a loop that never yields?)`);
      if (this.asleepSince !== undefined && wall - this.asleepSince >= limit) {
        return this.stall(`it sat blocked for ${((wall - this.lastBeatWall) / 1000).toFixed(1)} s without turning its event loop (a synchronous wait, or stopped)`);
      }
    } else if (wall - this.lastBeatWall >= 4 * limit) {
      return this.stall(`no heartbeat for ${((wall - this.lastBeatWall) / 1000).toFixed(1)} s (wall)`);
    }
    timers.after(WATCH_MS, () => this.watch());
  }

  private stall(how: string): void {
    this.stalled = true;
    this.mail.push({ kind: "stall", how });
  }

  /** The next thing the worker says or does, or a timeout after wallMs. */
  next(wallMs: number): Promise<Event> {
    return this.mail.next<Event>(wallMs, { kind: "timeout" });
  }

  send(job: PoolJob): void {
    const o = this.opts;
    if (!this.child.connected) return; // the exit event tells the rest
    this.child.send({ type: "job", id: job.id, test: job.test, seed: job.seed, limitMs: o.limitMsFor?.(job.test) ?? o.limitMs, hash: o.hash, realtime: o.realtime });
  }

  /** Stop this worker and everything it started, now. */
  /** Resolves once the worker's output pipes have closed, or after wallMs (a child of theirs may hold them). */
  drained(wallMs: number): Promise<void> {
    return Promise.race([this.closed, new Promise<void>((resolve) => timers.after(wallMs, resolve))]);
  }

  kill(): void {
    this.stalled = true; // ends the watch
    if (this.child.pid === undefined) return;
    const r = this.family.stop(this.child.pid);
    if (r.escaped > 0) this.opts.onEscaped?.(r.escaped);
  }
}

function describeExit(e: { code: number | null; signal: string | null }): string {
  return e.signal !== null ? `killed by ${e.signal}` : `exit status ${e.code}`;
}

/**
 * Run every job once. Resolves to one record per job id (never rejects for a test's
 * failure; a job the pool could not run gets a failed record saying why) once every
 * worker and every process a worker started is gone, except jobs left unstarted when
 * opts.signal aborts, which get none. Throws only if some process could not be stopped.
 */
export async function runPool(jobs: PoolJob[], opts: PoolOptions): Promise<Map<number, JobRecord>> {
  const wall = new RealClock();
  const queue = [...jobs];
  const records = new Map<number, JobRecord>();
  const family = new ProcessFamily(opts.isolation);
  /** Test → the seed it hung on (dropHungTests). */
  const hung = new Map<string, number>();
  const finish = (job: PoolJob, r: JobRecord): void => {
    records.set(job.id, r);
    opts.onRecord?.(job, r);
  };
  const failRest = (why: string): void => {
    for (const j of queue.splice(0)) finish(j, failedRecord(j, why));
  };
  const skipHung = (jobsOf: PoolJob[]): PoolJob[] =>
    jobsOf.filter((j) => {
      const seed = hung.get(j.test);
      if (seed === undefined) return true;
      finish(j, { ...failedRecord(j, `not run: ${j.test} hung on seed ${seed}, and one failure already costs its points`), skipped: true });
      return false;
    });
  const markHung = (job: PoolJob): void => {
    if (opts.dropHungTests !== true || hung.has(job.test)) return;
    hung.set(job.test, job.seed);
    const rest = skipHung(queue.splice(0));
    queue.push(...rest);
  };
  const totalLeft = (): number => opts.totalWallMs - wall.now();
  // A child that detaches from its worker is still known by its pid once seen.
  const withdraw = onInterrupt(() => family.stopAll());
  let tracker = timers.after(0, function track(): void {
    family.track();
    tracker = timers.after(1000, track);
  });

  const stopped = (): boolean => opts.signal?.aborted === true;
  const slot = async (n: number): Promise<void> => {
    const log = new SlotLog(openSync(path.join(opts.logDir, `worker-${n}.log`), "a"), opts.logCapBytes ?? LOG_CAP_BYTES);
    let last: WorkerHandle | undefined;
    try {
      while (queue.length > 0 && !stopped()) {
        const w = new WorkerHandle(opts, log, family);
        last = w;
        const ready = await w.next(Math.min(opts.startWallMs, totalLeft()));
        if (ready.kind !== "message" || ready.msg.type !== "ready" || ready.msg.loadError !== undefined) {
          w.kill();
          if (ready.kind === "bad") opts.onTamper?.(`${ready.why} (while the tests loaded)`);
          const why =
            ready.kind === "message" && ready.msg.type === "ready"
              ? ready.msg.loadError!
              : ready.kind === "exit"
                ? `the test process exited while loading the tests (${describeExit(ready)})`
                : ready.kind === "stall"
                  ? `the test process stopped answering while loading the tests: ${ready.how}`
                  : ready.kind === "timeout"
                    ? totalLeft() <= 0
                      ? `not run: the whole run's limit of ${opts.totalWallMs / 1000} s (wall) was reached`
                      : `the test process did not finish loading the tests within ${opts.startWallMs / 1000} s (wall)`
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
          while (sent.length < JOBS_AHEAD && queue.length > 0 && !stopped()) {
            if (totalLeft() <= 0) {
              failRest(`not run: the whole run's limit of ${opts.totalWallMs / 1000} s (wall) was reached`);
              break;
            }
            const [next] = skipHung([queue.shift()!]);
            if (next === undefined) continue;
            w.send(next);
            sent.push(next);
          }
          const job = sent.shift();
          if (job === undefined) break;
          const started = wall.now();
          const overall = totalLeft() < opts.jobWallMs;
          const ev = await w.next(Math.min(opts.jobWallMs, totalLeft()));
          const took = wall.now() - started;
          if (ev.kind === "message" && ev.msg.type === "result") {
            const { id, record, retire } = ev.msg;
            if (id !== job.id || record.name !== job.test || record.seed !== job.seed) {
              const why = "the test process answered for a job it was not given";
              opts.onTamper?.(`${why} (${job.test} seed ${job.seed})`);
              finish(job, failedRecord(job, why, took));
              alive = false;
            } else {
              finish(job, keptRecord(job, record));
              if (retire === true) alive = false;
            }
          } else if (ev.kind === "exit") {
            finish(job, failedRecord(job, `the test process exited before reporting a result (${describeExit(ev)})`, took));
            alive = false;
          } else if (ev.kind === "stall") {
            finish(job, failedRecord(job, `the test stopped answering: ${ev.how}`, took));
            markHung(job);
            alive = false;
          } else if (ev.kind === "timeout") {
            const why = overall
              ? `stopped: the whole run's limit of ${opts.totalWallMs / 1000} s (wall) was reached`
              : `no result within ${opts.jobWallMs / 1000} s (wall): the test hung or looped`;
            finish(job, failedRecord(job, why, took));
            if (!overall) markHung(job);
            alive = false;
          } else {
            const why = ev.kind === "bad" ? ev.why : "an unexpected message";
            opts.onTamper?.(`${why} (during ${job.test} seed ${job.seed})`);
            finish(job, failedRecord(job, `the test process misbehaved: ${why}`, took));
            alive = false;
          }
        }
        // Jobs sent to a worker that is going away never started: a fresh worker runs them.
        queue.unshift(...sent);
        w.kill();
      }
    } finally {
      // A worker's last output can still be in its pipes when its result (IPC) has come.
      await last?.drained(DRAIN_WALL_MS);
      log.close();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.workers, jobs.length)) }, (_, i) => slot(i)));
  } finally {
    tracker.cancel();
    withdraw();
    const r = family.stopAll();
    if (r.escaped > 0) opts.onEscaped?.(r.escaped);
    if (r.survivors.length > 0) throw new Error(`processes of the test workers could not be stopped: ${r.survivors.join(", ")}`);
  }
  return records;
}
