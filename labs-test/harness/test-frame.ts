// The frame every lab's test harness is built on: the parts of the course's config.go
// files (raft, kvraft, shardctrler, shardkv) that do not depend on the lab.
//
// A lab's harness class extends TestFrame and supplies two things:
//   - counters(): the cumulative figures of its world ({ rpcs, bytes, ops }), read at
//     begin() and end() (Raft: the network's totals and the highest applied index;
//     key/value: the network's totals and the clerk operations counted so far);
//   - shutdown(): kill every server and the network (called once, by cleanup()).
// and passes { peers, style } to the constructor: the npeers figure of the "Passed" line
// and which of the course's line shapes end() prints (see passed-line.ts).
//
// In return the harness (and so the graded tests) gets, with the course's names:
//   - begin(title): prints "<title> ..." and starts the figures;
//   - end(): fails if the test ran past the limit or a failure is latched, else prints the
//     course's "  ... Passed" line and appends a "test" record to the stats sink
//     (stats-sink.ts: LABS_STATS, one JSON line per record, one record type);
//   - currentTitle: the title of the running test (for the stats a test records itself);
//   - the failure latch: fail(err) records the first failure found off the body's stack
//     (an applier, a detached task, a stray rejection), fatal(msg) is Go's t.Fatalf,
//     go(task) is Go's `go func()` (a throw in it fails the test at once), failed is a
//     promise that rejects with the first failure, hasFailed, checkFailed();
//   - the 120 s limit on the runtime clock (virtual in simulated mode) since the harness
//     was made: checked in end() and cleanup() as the course does, and one watchdog timer
//     a second past it fails a test whose body is stuck, so it cannot run on;
//   - cleanup(): idempotent shutdown, then throws the latched failure or the time-out;
//     checkFinished() tells detached tasks that the test is over;
//   - withFrame(cfg, body): make_config + `defer cfg.cleanup()` — runs body, fails at the
//     first latched failure even while body waits, always cleans up, reports the body's
//     own error first;
//   - safety: the run's safety monitors (safety-monitor.ts), undefined when
//     LABS_SAFETY_MONITORS=off. A harness that runs Raft gives each Raft group a
//     PeerObserver with { safety: this.safety } (observe-peers.ts); a violation fails the
//     test through fail() at the event that showed it. cleanup() stops them before shutdown().
// The tester's randomness lives beside this in tester-rand.ts (randstring, randn,
// randomCommand, shuffle), all from the world's "tester" stream.
import { after, now, type Timer } from "../../runtime/index.js";
import { RealClock } from "../../runtime/real-clock.js";
import { FailureLatch } from "./failure-latch.js";
import { passedLine, type PassedStyle } from "./passed-line.js";
import { say } from "./say.js";
import { monitorsEnabled, SafetyMonitor } from "./safety-monitor.js";
import { recordStats } from "./stats-sink.js";

/** The course's per-test limit, in runtime-clock ms (virtual in simulated mode). */
export const TEST_LIMIT_MS = 120_000;
/**
 * The watchdog fires this long after the limit (runtime-clock ms): a test that is merely
 * slow still fails in end() or cleanup() as in the course; only a stuck one is cut off.
 */
const WATCHDOG_GRACE_MS = 1000;
const TIMEOUT_MESSAGE = "test took longer than 120 seconds";

/** Cumulative figures of a harness's world; the frame reports their growth over a test. */
export interface FrameCounters {
  /** RPCs handed to the network so far (labrpc's getTotalCount). */
  rpcs: number;
  /** Bytes of RPC arguments and replies so far (labrpc's getTotalBytes). */
  bytes: number;
  /** Work done so far: the highest applied index (Raft), completed clerk calls (key/value). */
  ops: number;
}

export interface FrameOptions {
  /** The npeers figure of the Passed line (servers per group). */
  peers: number;
  /** Which of the course's Passed lines end() prints. */
  style: PassedStyle;
}

export abstract class TestFrame {
  private readonly peers: number;
  private readonly style: PassedStyle;
  private readonly latch = new FailureLatch();
  /** Rejects with the first latched failure; never resolves. */
  readonly failed: Promise<never> = this.latch.failed;
  private readonly made = now();
  private readonly watchdog: Timer;
  private finished = false;
  // begin() .. end()
  private title = "";
  private t0 = 0;
  private wall = new RealClock();
  private c0: FrameCounters = { rpcs: 0, bytes: 0, ops: 0 };
  /** The safety monitors of this run (see the file header); undefined when switched off. */
  readonly safety: SafetyMonitor | undefined = monitorsEnabled() ? new SafetyMonitor({ report: (v) => this.fail(v) }) : undefined;

  /** Throws RangeError unless peers is a non-negative integer. */
  protected constructor(opts: FrameOptions) {
    if (!Number.isInteger(opts.peers) || opts.peers < 0) {
      throw new RangeError(`test frame: peers must be a non-negative integer, got ${opts.peers}`);
    }
    this.peers = opts.peers;
    this.style = opts.style;
    this.watchdog = after(TEST_LIMIT_MS + WATCHDOG_GRACE_MS, () => this.fail(new Error(TIMEOUT_MESSAGE)));
  }

  /** The cumulative figures of this harness's world, read at begin() and end(). */
  protected abstract counters(): FrameCounters;

  /** Kill every server and the network; called once, by cleanup(). */
  protected abstract shutdown(): void;

  // ---- failures ----------------------------------------------------------------------

  /** Record a failure found outside the test body's own call stack; the first one wins. */
  fail(err: unknown): void {
    this.latch.fail(err);
  }

  /** The course's t.Fatalf: record the failure and throw it. */
  fatal(msg: string): never {
    const err = new Error(msg);
    this.fail(err);
    throw err;
  }

  /** Throw the latched failure, if any: the next harness call after an applier error fails. */
  checkFailed(): void {
    this.latch.check();
  }

  get hasFailed(): boolean {
    return this.latch.hasFailed;
  }

  /**
   * Run a concurrent part of a test (Go's `go func() { ... }()`). A failure inside it fails
   * the whole test at once; the returned promise settles when the task ends, never rejects.
   */
  go(task: () => Promise<void>): Promise<void> {
    return this.latch.go(task);
  }

  /** The course's checkTimeout: fail once more than 120 s passed since the harness was made. */
  checkTimeout(): void {
    // Once the test failed, its own message is the better one.
    if (!this.latch.hasFailed && now() - this.made > TEST_LIMIT_MS) this.fatal(TIMEOUT_MESSAGE);
  }

  // ---- begin / end -------------------------------------------------------------------

  /**
   * Start a test: print "<description> ..." and start its figures. A description that
   * already ends in "..." prints as given (shardkv's "Test: unreliable 1..." has no space).
   */
  begin(description: string): void {
    say(description.endsWith("...") ? description : `${description} ...`);
    this.title = description;
    this.t0 = now();
    this.wall = new RealClock();
    this.c0 = this.counters();
  }

  /** The title given to the last begin() ("" before any). */
  get currentTitle(): string {
    return this.title;
  }

  /** End a test: fail on time-out or a latched failure, else print the Passed line and record it. */
  end(): void {
    this.checkTimeout();
    this.checkFailed();
    const c = this.counters();
    const figures = {
      seconds: (now() - this.t0) / 1000,
      peers: this.peers,
      rpcs: c.rpcs - this.c0.rpcs,
      bytes: c.bytes - this.c0.bytes,
      ops: c.ops - this.c0.ops,
    };
    say(passedLine(this.style, figures));
    recordStats({ kind: "test", title: this.title, wallMs: this.wall.now(), ...figures });
  }

  // ---- cleanup -----------------------------------------------------------------------

  /** Whether cleanup() ran: detached tasks that outlive the test body stop then. */
  checkFinished(): boolean {
    return this.finished;
  }

  /** Shut everything down (once), then throw the latched failure or the time-out, if any. */
  cleanup(): void {
    if (!this.finished) {
      this.finished = true;
      this.watchdog.cancel();
      this.safety?.stop();
      this.shutdown();
      this.latch.release();
    }
    this.checkFailed();
    this.checkTimeout();
  }
}

/**
 * make_config + `defer cfg.cleanup()`: run body with a fresh harness and clean up after
 * it. A failure latched by an applier or a detached task (or the watchdog) fails the test
 * at once, even while the body is waiting; the body's own pending steps are dropped with
 * the world. Rejects with the body's error if it threw, else with cleanup()'s.
 */
export async function withFrame<C extends TestFrame>(cfg: C, body: (cfg: C) => Promise<void>): Promise<void> {
  let failed = false;
  let error: unknown;
  try {
    await Promise.race([body(cfg), cfg.failed]);
  } catch (e) {
    failed = true;
    error = e;
  }
  try {
    cfg.cleanup();
  } catch (e) {
    if (!failed) {
      failed = true;
      error = e;
    }
  }
  if (failed) throw error;
}
