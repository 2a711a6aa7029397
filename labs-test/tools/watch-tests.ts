// make watch-XX's side of its resident test process (watch-worker.ts): one process at a
// time, started ahead of the round that needs it (it loads the tests while the student
// edits), and replaced after any round it cannot be trusted to follow: it exited, it stopped
// answering (a student's endless loop), or a test left work running. A round never waits
// on a process that is stuck: its heartbeat stops, and the round ends with a message.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { RealClock } from "../../runtime/real-clock.js";
import { readProc, TICKS_PER_SECOND } from "./process-family.js";
import { tsxLoaderIn } from "./seed-pool.js";
import { mark } from "./timing.js";
import type { VitestCounts, VitestSpec } from "./vitest-run.js";
import { workerSaysSchema, type Round, type WorkerSays } from "./watch-protocol.js";
import { Mailbox } from "./mailbox.js";

/** CPU ms a worker may spin without a heartbeat while it runs a round: a loop that never yields. */
export const STALL_CPU_MS = 3_000;
/** The same while it loads the test files (lockdown and every module: synchronous work of its own). */
const LOAD_STALL_CPU_MS = 10_000;
/** Wall ms without a heartbeat, whatever the CPU: a synchronous wait that never ends. */
const STALL_WALL_MS = 60_000;
/** How often the runner looks at the heartbeat (wall ms). */
const LOOK_MS = 250;

type Event = { kind: "says"; m: WorkerSays } | { kind: "exit"; how: string } | { kind: "stuck"; how: string };

/** One worker process and what it said or did, in order. */
class Worker {
  private readonly child: ChildProcess;
  private readonly mail = new Mailbox<Event>();
  private readonly clock = new RealClock();
  private lastBeat = 0;
  private cpuAtBeat: number | undefined;
  private lastLook = 0;
  private loaded = false;
  exited = false;

  constructor(root: string, files: string[], output: "inherit" | "ignore") {
    mark("watch worker start");
    this.child = fork(path.join(root, "labs-test/tools/watch-worker.ts"), files, {
      cwd: root,
      execArgv: ["--import", tsxLoaderIn(root)],
      // Straight to the terminal: the tests' lines come as they are printed, and before the
      // closing line, which this process prints only after the round's "done".
      stdio: ["ignore", output, output, "ipc"],
      serialization: "json",
    });
    this.child.on("message", (m: unknown) => {
      const r = workerSaysSchema.safeParse(m);
      if (!r.success) {
        this.kill();
        return this.mail.push({ kind: "exit", how: "it sent a malformed message" });
      }
      if (r.data.type === "beat") return this.beat();
      if (r.data.type === "ready") this.loaded = true;
      this.mail.push({ kind: "says", m: r.data });
    });
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      this.clock.stop();
      this.mail.push({ kind: "exit", how: signal !== null ? `killed by ${signal}` : `exit status ${code}` });
    });
    this.child.on("error", (e) => {
      if (this.child.pid === undefined && !this.exited) {
        this.exited = true;
        this.clock.stop();
        this.mail.push({ kind: "exit", how: `it could not start: ${e.message}` });
      }
    });
    this.beat();
    this.look();
  }

  private cpuMs(): number | undefined {
    const p = this.child.pid === undefined ? undefined : readProc(this.child.pid);
    return p === undefined ? undefined : (p.cpuTicks * 1000) / TICKS_PER_SECOND;
  }

  private beat(): void {
    this.lastBeat = this.clock.now();
    this.cpuAtBeat = this.cpuMs();
  }

  /** No heartbeat: stuck once it has spun on the CPU, or sat, too long since the last. */
  private look(): void {
    if (this.exited) return;
    const now = this.clock.now();
    // This process itself too busy to look on time (its type check): judge nothing it did not see.
    if (now - this.lastLook > 4 * LOOK_MS) this.beat();
    this.lastLook = now;
    const cpu = this.cpuMs();
    const limit = this.loaded ? STALL_CPU_MS : LOAD_STALL_CPU_MS;
    if (cpu !== undefined && this.cpuAtBeat !== undefined && cpu - this.cpuAtBeat >= limit) {
      return this.stuck(`its event loop was blocked for ${((cpu - this.cpuAtBeat) / 1000).toFixed(1)} s of CPU (a loop that never ends?)`);
    }
    if (now - this.lastBeat >= STALL_WALL_MS) return this.stuck(`no heartbeat for ${((now - this.lastBeat) / 1000).toFixed(0)} s (a wait that never ends?)`);
    this.clock.after(LOOK_MS, () => this.look());
  }

  private stuck(how: string): void {
    this.kill();
    this.mail.push({ kind: "stuck", how });
  }

  next(): Promise<Event> {
    return this.mail.next();
  }

  send(r: Round): void {
    if (this.child.connected) this.child.send(r);
  }

  kill(): void {
    if (this.exited) return;
    this.exited = true;
    this.clock.stop();
    this.child.kill("SIGKILL");
  }
}

/** The resident test process of a watch, for these test files (relative to root). */
export class ResidentTests {
  private worker: Worker | undefined;
  private ready = false;
  /** Rounds begun; the current worker was started when this was bornAt. */
  private rounds = 0;
  private bornAt = 0;

  /**
   * root: the project (absolute); files: the test files to load, relative to it; output:
   * where the tests' own lines go ("ignore" for tests of this class).
   */
  constructor(
    private readonly root: string,
    private readonly files: string[],
    private readonly output: "inherit" | "ignore" = "inherit",
  ) {}

  /** Start a worker now unless one is alive: it loads while the student edits. */
  warm(): void {
    if (this.worker === undefined || this.worker.exited) {
      this.worker = new Worker(this.root, this.files, this.output);
      this.bornAt = this.rounds;
      this.ready = false;
    }
  }

  /** The worker, ready for a round; or why it could not load the tests. */
  private async readyWorker(): Promise<{ w: Worker } | { why: string }> {
    const round = this.rounds;
    for (;;) {
      this.warm();
      const w = this.worker!;
      // Started before this round: it read the student files before the save.
      const early = this.bornAt < round;
      while (!this.ready) {
        const e = await w.next();
        if (e.kind === "says" && e.m.type === "ready") {
          this.ready = true;
          continue;
        }
        if (e.kind === "says" && e.m.type !== "loadError") continue;
        this.worker = undefined;
        w.kill();
        // A load that failed on the files as they were before the save says nothing of them now.
        if (early) break;
        if (e.kind === "says") return { why: e.m.type === "loadError" ? e.m.text : "the tests' process could not load the tests" };
        return { why: `the tests' process ${e.kind === "stuck" ? "stopped answering while loading" : "ended while loading"}: ${e.how}` };
      }
      if (this.ready) return { w };
    }
  }

  /**
   * Run these specs (files and name filters, run-plan.ts) with the student files as they
   * are on disk now; the tests' output goes to this process's stdout as it comes. started()
   * is called once, when the first test starts (or when the round ends without one). Never
   * throws for the student's code: a file that fails to load, a process that exits or gets
   * stuck, each prints why and counts as one failure. After a round the process cannot
   * follow with another (a world left running), the next one starts at once; after a failed
   * round, only with the next round (the files that failed may still be as they were).
   */
  async run(specs: VitestSpec[], started: () => void): Promise<VitestCounts> {
    let told = false;
    const tell = (): void => {
      if (!told) started();
      told = true;
    };
    const failedWith = (why: string): VitestCounts => {
      process.stdout.write(`${why}\n`);
      this.worker?.kill();
      this.worker = undefined;
      tell();
      return { passed: 0, failed: 1, skipped: 0, ok: false };
    };
    const r = await this.readyWorker();
    const id = this.rounds++;
    if ("why" in r) return failedWith(r.why);
    const w = r.w;
    w.send({ type: "round", id, specs: specs.flatMap((s) => s.files.map((file) => ({ file, ...(s.namePattern === undefined ? {} : { pattern: s.namePattern.source }) }))) });
    for (;;) {
      const e = await w.next();
      if (e.kind === "says" && e.m.type === "started" && e.m.id === id) tell();
      else if (e.kind === "says" && e.m.type === "done" && e.m.id === id) {
        tell();
        if (e.m.retire) {
          this.worker = undefined;
          w.kill();
          this.warm();
        }
        return { passed: e.m.passed, failed: e.m.failed, skipped: 0, ok: e.m.failed === 0 };
      } else if (e.kind === "stuck") return failedWith(`the tests stopped answering: ${e.how}; stopped them. Fix and save again.`);
      else if (e.kind === "exit") return failedWith(`the tests' process ended before the round did (${e.how}). Fix and save again.`);
    }
  }

  close(): void {
    this.worker?.kill();
    this.worker = undefined;
  }
}
