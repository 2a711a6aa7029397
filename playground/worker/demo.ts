// Demo mode (the instructor build, for lectures): one test runs with virtual time paced
// against the wall clock, paused, stepped, and with a peer crashed, restarted,
// disconnected or connected through the harness's own API (raft/config.ts: crash1,
// start1, disconnect, connect), as a graded test does it.
//
// The simulator advances only through immediate callbacks (runtime/sim-clock.ts: one
// step per simulated event); the page's stand-in (node/globals.ts) asks the gate here
// before each one. Between two callbacks the world is settled, so holding the queue there
// pauses it whole, and an intervention applied there happens between two events.
//
// Replayable: a callback's number in the run (its tick) is the same on every run of the
// same test and seed, so an intervention recorded with the tick it was applied at is
// applied at the same point when the run is replayed with that list. The command line
// has no interventions: `make test-XX SEED=n RUN=name` replays the run without them.
import { TestFrame } from "../../labs-test/harness/test-frame.js";
import { RealClock } from "../../runtime/real-clock.js";
import type { Timer } from "../../runtime/clock.js";
import { hasWorld, world } from "../../runtime/world.js";
import { releaseImmediates, setImmediateGate } from "../node/globals.js";
import type { DemoAction, Intervention } from "./protocol.js";

/** What demo mode calls on a Raft test's harness (raft/config.ts's Config, the course's names). */
interface RaftHarness {
  n: number;
  crash1(i: number): void;
  start1(i: number, applier: unknown): void;
  connect(i: number): void;
  disconnect(i: number): void;
  applier: unknown;
  applierSnap: unknown;
}

function isRaftHarness(f: unknown): f is RaftHarness {
  if (typeof f !== "object" || f === null) return false;
  const h = f as Partial<RaftHarness>;
  return typeof h.crash1 === "function" && typeof h.start1 === "function" && typeof h.connect === "function" && typeof h.disconnect === "function" && typeof h.n === "number" && "applier" in h;
}

/** The harness of the running test: the last one whose begin() ran (TestFrame.begin is the course's cfg.begin). */
let harness: unknown;
let patched = false;
function watchHarnesses(): void {
  if (patched) return;
  patched = true;
  const begin = TestFrame.prototype.begin;
  TestFrame.prototype.begin = function (this: TestFrame, ...a: Parameters<typeof begin>) {
    harness = this;
    return begin.apply(this, a);
  };
}

export interface DemoOptions {
  /** Virtual ms per wall ms (1: real time); 0 runs as fast as it can. */
  speed: number;
  paused: boolean;
  /** Interventions to replay (a recorded run's list). */
  replay: Intervention[];
  /** 2D's tests restart a peer with the snapshotting applier. */
  snapshots: boolean;
  /** Told on every change worth showing (paused, stepped, an intervention applied). */
  changed: () => void;
}

/** The gate of one demo run; install() it before the test starts, uninstall() after. */
export class Demo {
  private readonly wall = new RealClock();
  paused: boolean;
  private speed: number;
  /** Virtual ms at which a step ends (then the run pauses). */
  private stepUntil: number | undefined;
  /** Callbacks run so far since install(): where an intervention happened. */
  private ticks = 0;
  private readonly replay: Intervention[];
  /** Interventions applied, in order (what a replay needs). */
  readonly applied: Intervention[] = [];
  /** Asked for from the page, applied at the next callback. */
  private readonly asked: Array<{ action: DemoAction; peer: number }> = [];
  /** Pacing: virtual time and wall time when it last (re)started. */
  private anchorVirtual = 0;
  private anchorWall = 0;
  private wake: Timer | undefined;
  /** The test's world has been seen (pacing starts there, not at the tests' loading). */
  private started = false;

  constructor(private readonly o: DemoOptions) {
    this.paused = o.paused;
    this.speed = o.speed;
    this.replay = [...o.replay].sort((a, b) => a.tick - b.tick);
  }

  install(): void {
    watchHarnesses();
    harness = undefined;
    setImmediateGate(this.gate);
  }

  uninstall(): void {
    setImmediateGate(undefined);
    this.wake?.cancel();
    this.wall.stop();
    releaseImmediates();
  }

  /** Virtual ms now (0 before the test's world starts). */
  virtualMs(): number {
    return hasWorld() ? world().clock.now() : 0;
  }

  /** Peers of the running test's Raft harness (0 until it has begun, or for another lab's harness). */
  peers(): number {
    return isRaftHarness(harness) ? harness.n : 0;
  }

  pause(): void {
    this.paused = true;
    this.stepUntil = undefined;
    this.o.changed();
  }

  resume(speed: number): void {
    this.speed = speed;
    this.paused = false;
    this.stepUntil = undefined;
    this.anchor();
    releaseImmediates();
  }

  /** Run stepMs more virtual ms, then pause. */
  step(stepMs: number): void {
    this.paused = false;
    this.stepUntil = this.virtualMs() + stepMs;
    releaseImmediates();
  }

  /** Apply at the next callback (between two events). Throws when the test has no Raft harness to act on. */
  intervene(action: DemoAction, peer: number): void {
    const n = this.peers();
    if (n === 0) throw new Error("demo: this test has no Raft harness (yet) to act on; interventions work in Lab 2's tests");
    if (!Number.isInteger(peer) || peer < 0 || peer >= n) throw new Error(`demo: peer ${peer} is not one of 0..${n - 1}`);
    this.asked.push({ action, peer });
    releaseImmediates();
  }

  private anchor(): void {
    this.anchorVirtual = this.virtualMs();
    this.anchorWall = this.wall.now();
  }

  private apply(action: DemoAction, peer: number): void {
    const h = harness;
    if (!isRaftHarness(h)) return;
    const virtualMs = this.virtualMs();
    this.applied.push({ tick: this.ticks, virtualMs, action, peer });
    try {
      if (action === "crash") h.crash1(peer);
      else if (action === "disconnect") h.disconnect(peer);
      else if (action === "connect") h.connect(peer);
      else {
        h.start1(peer, this.o.snapshots ? h.applierSnap : h.applier);
        h.connect(peer);
      }
    } catch (e) {
      process.stderr.write(`demo: ${action} ${peer} at virtual ${(virtualMs / 1000).toFixed(3)} s failed: ${(e as Error).message}\n`);
    }
  }

  /** Hold the queue and run it again from a fresh task: what an intervention set off runs first. */
  private holdBriefly(): false {
    this.wake?.cancel();
    this.wake = this.wall.after(0, () => releaseImmediates());
    return false;
  }

  private readonly gate = (): boolean => {
    if (!hasWorld()) return true;
    if (!this.started) {
      this.started = true;
      this.anchor();
    }
    if (this.replay.length > 0 && this.replay[0]!.tick === this.ticks) {
      while (this.replay.length > 0 && this.replay[0]!.tick === this.ticks) {
        const r = this.replay.shift()!;
        this.apply(r.action, r.peer);
      }
      this.o.changed();
      return this.holdBriefly();
    }
    if (this.asked.length > 0 && isRaftHarness(harness)) {
      for (const a of this.asked.splice(0)) this.apply(a.action, a.peer);
      this.o.changed();
      return this.holdBriefly();
    }
    if (this.paused) return false;
    const now = this.virtualMs();
    if (this.stepUntil !== undefined) {
      if (now >= this.stepUntil) {
        this.paused = true;
        this.stepUntil = undefined;
        this.o.changed();
        return false;
      }
    } else if (this.speed > 0) {
      const allowed = this.anchorVirtual + (this.wall.now() - this.anchorWall) * this.speed;
      if (now > allowed) {
        this.wake?.cancel();
        this.wake = this.wall.after(Math.max(10, (now - allowed) / this.speed), () => releaseImmediates());
        return false;
      }
    }
    this.ticks++;
    return true;
  };
}
