// Watches one MapReduce test's job from outside (its processes and its folder) and fails
// the test at once, with the likely cause, when the job cannot finish: without it a
// skeleton coordinator (whose done() never says yes) made every test wait out the 180 s
// process limit in silence (about 25 minutes for `make test-mr`), and so did workers that
// never exit once the job is over. Three rules, each with a bound far above what a
// correct solution needs (a bound is real time):
// - no start: FIRST_CALL_MS after a worker said it was up and had reached the coordinator,
//   the coordinator has answered no call but Example (both noted in the activity file:
//   mr/framework/activity.ts), so no task was handed out. Calls and readiness rather than
//   files and process starts: on a loaded machine a correct worker can take seconds just
//   to start, and its first map longer;
// - workers gone: every worker has exited, yet the coordinator is still running
//   COORDINATOR_GRACE_MS later, so it will never learn the job is done (or it is, and
//   done() does not say so);
// - workers left: the coordinator has exited, yet some worker is still running
//   WORKER_GRACE_MS later (workers must exit when the job is done, as the course's do
//   when the coordinator is gone).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { RealClock } from "../../runtime/real-clock.js";
import { WORKER_READY } from "./activity.js";
import type { Proc } from "./launch.js";

/** Real ms after a worker is up by which the coordinator must have answered a call. */
export const FIRST_CALL_MS = 10_000;
/** Real ms the coordinator may outlive its last worker (it checks done() once a second). */
export const COORDINATOR_GRACE_MS = 8_000;
/**
 * Real ms a worker may outlive the coordinator: a worker stalled in a task (the late
 * worker's second stall ends about 10 s after the job does) finishes it first.
 */
export const WORKER_GRACE_MS = 15_000;
const POLL_MS = 200;

/** Why a job was stopped: the message names the rule and the likely cause. */
export class JobStuck extends Error {}

export interface JobWatchOptions {
  /** The job's folder (mr-tmp). */
  dir: string;
  /** The activity file (give it to every process as ACTIVITY_ENV); outside dir. */
  activityFile: string;
  clock: RealClock;
  /** The rules' bounds, real ms (tests shorten them); defaults as exported above. */
  limits?: { firstCallMs?: number; coordinatorGraceMs?: number; workerGraceMs?: number };
  /**
   * Apply "workers gone": false where the test itself keeps starting workers until the
   * coordinator exits (the crash test's restart loops), so that no worker may be alive
   * between two restarts.
   */
  workersGone?: boolean;
}

/**
 * One test's watch: register its processes with coordinator() and worker(); `stuck`
 * rejects with a JobStuck the first time a rule fires; stop() ends the watch (call it
 * when the test is over, whatever its outcome).
 */
export class JobWatch {
  readonly stuck: Promise<never>;
  private fail: (e: JobStuck) => void = () => {};
  private coordinatorAlive = false;
  private coordinatorExitedAt: number | null = null;
  private readonly workersAlive = new Set<Proc>();
  private workersStarted = 0;
  private firstWorkerAt: number | null = null;
  private allWorkersGoneAt: number | null = null;
  private sawFile = false;
  private sawCall = false;
  /** When a worker was first seen up (its "worker-ready" line), real ms. */
  private readyAt: number | null = null;
  private stopped = false;
  private readonly workersGone: boolean;
  private readonly firstCallMs: number;
  private readonly coordinatorGraceMs: number;
  private readonly workerGraceMs: number;

  constructor(private readonly o: JobWatchOptions) {
    this.firstCallMs = o.limits?.firstCallMs ?? FIRST_CALL_MS;
    this.coordinatorGraceMs = o.limits?.coordinatorGraceMs ?? COORDINATOR_GRACE_MS;
    this.workerGraceMs = o.limits?.workerGraceMs ?? WORKER_GRACE_MS;
    this.workersGone = o.workersGone ?? true;
    this.stuck = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    // Nobody may be waiting on it when the test passes.
    this.stuck.catch(() => {});
    void this.poll();
  }

  /** The file the coordinator notes answered calls in (pass it as ACTIVITY_ENV). */
  get activityFile(): string {
    return this.o.activityFile;
  }

  coordinator(p: Proc): Proc {
    this.coordinatorAlive = true;
    this.coordinatorExitedAt = null;
    void p.done.then(() => {
      this.coordinatorAlive = false;
      this.coordinatorExitedAt = this.o.clock.now();
    });
    return p;
  }

  worker(p: Proc): Proc {
    this.workersAlive.add(p);
    this.workersStarted++;
    this.firstWorkerAt ??= this.o.clock.now();
    this.allWorkersGoneAt = null;
    void p.done.then(() => {
      this.workersAlive.delete(p);
      if (this.workersAlive.size === 0) this.allWorkersGoneAt = this.o.clock.now();
    });
    return p;
  }

  stop(): void {
    this.stopped = true;
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      await this.o.clock.sleep(POLL_MS);
      if (this.stopped) return;
      const why = this.check(this.o.clock.now());
      if (why !== undefined) {
        this.stopped = true;
        this.fail(new JobStuck(why));
        return;
      }
    }
  }

  /** Read the activity file: is a worker up yet (since when), has any call but Example been answered. */
  private readActivity(t: number): void {
    if (!existsSync(this.o.activityFile)) return;
    let lines: string[];
    try {
      lines = readFileSync(this.o.activityFile, "utf8").split("\n");
    } catch {
      return;
    }
    if (this.readyAt === null && lines.includes(WORKER_READY)) this.readyAt = t;
    this.sawCall = lines.some((m) => m !== "" && m !== "Example" && m !== WORKER_READY);
  }

  /** The rule that fires at time t (real ms), if any. */
  private check(t: number): string | undefined {
    if (!this.sawFile && this.firstWorkerAt !== null) {
      try {
        this.sawFile = readdirSync(this.o.dir).length > 0;
      } catch {
        // the folder is gone: the test is over
      }
    }
    const started = this.workersStarted;
    if (this.workersGone && this.coordinatorAlive && started > 0 && this.allWorkersGoneAt !== null && t - this.allWorkersGoneAt >= this.coordinatorGraceMs) {
      const secs = Math.round(this.coordinatorGraceMs / 1000);
      return this.sawFile
        ? `no progress: all ${started} workers have exited, yet the coordinator is still running ${secs} s later ` +
            `(does its done() ever return true? do workers exit before the job is done?)`
        : `no progress: all ${started} workers have exited without writing a single file, and the coordinator is ` +
            `still running ${secs} s later: no task was handed out (is the coordinator still a stub? does the worker ask it for tasks?)`;
    }
    if (!this.sawCall && this.firstWorkerAt !== null) this.readActivity(t);
    if (!this.sawCall && this.readyAt !== null && this.coordinatorAlive && t - this.readyAt >= this.firstCallMs) {
      return (
        `no progress: ${Math.round(this.firstCallMs / 1000)} s after a worker started and reached it, the coordinator has ` +
        `answered no call (Example aside): no task was handed out (is the coordinator still a stub? does the worker ` +
        `ask it for tasks?)`
      );
    }
    if (this.coordinatorExitedAt !== null && this.workersAlive.size > 0 && t - this.coordinatorExitedAt >= this.workerGraceMs) {
      return (
        `${this.workersAlive.size} worker(s) still running ${Math.round(this.workerGraceMs / 1000)} s after the coordinator ` +
        `exited: workers must exit when the job is done (when a call to the coordinator fails, it is gone)`
      );
    }
    return undefined;
  }
}
