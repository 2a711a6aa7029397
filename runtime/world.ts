import type { Clock } from "./clock.js";
import { costModel, formatCostModel, type CostModel } from "./cost-model.js";
import { setHostsActive } from "./current-host.js";
import { Host } from "./host.js";
import { Rand } from "./rand.js";
import { RealClock } from "./real-clock.js";
import { drainMicrotasks, SimClock } from "./sim-clock.js";
import { Tracer, type HostLabel, type TracerOptions } from "./tracer.js";

export interface WorldOptions extends TracerOptions {
  seed: number;
  /** Wall clock instead of virtual time (REALTIME=1). */
  realtime?: boolean;
  /** Simulated mode only: fail if virtual time passes this many ms (default 30 min). */
  limitMs?: number;
  /**
   * What work costs and how the course's network misbehaves (runtime/cost-model.ts): the
   * fields given replace the defaults (DEFAULT_COST_MODEL, labrpc/README.md's table).
   */
  cost?: Partial<CostModel>;
}

/** Virtual ms a simulated world may run when its options name no limit (30 min). */
export const DEFAULT_LIMIT_MS = 30 * 60 * 1000;

/** Everything time- and randomness-related that one test sees. */
export class World {
  readonly clock: Clock;
  readonly tracer: Tracer;
  readonly seed: number;
  /** The world's cost model (WorldOptions.cost over the defaults), read by labrpc and every host. */
  readonly cost: CostModel;
  /** Simulated mode: virtual ms the world may run. */
  readonly limitMs: number;
  private readonly streams = new Map<string, Rand>();
  private readonly hosts = new Map<string, Host>();
  ended = false;

  constructor(opts: WorldOptions) {
    this.seed = opts.seed;
    this.cost = costModel(opts.cost);
    this.limitMs = opts.limitMs ?? DEFAULT_LIMIT_MS;
    this.clock = opts.realtime ? new RealClock() : new SimClock();
    this.tracer = new Tracer(() => this.clock.now(), opts);
    new Rand(opts.seed); // validate the seed up front
  }

  /** An independent random stream: draws in one component never shift another's. */
  rand(stream: string): Rand {
    let r = this.streams.get(stream);
    if (r === undefined) {
      r = new Rand(this.seed, stream);
      this.streams.set(stream, r);
    }
    return r;
  }

  /**
   * The simulated machine named `name` (a peer's index or server name): its disk and link
   * make work cost virtual time (runtime/host.ts). The same name is the same machine, so a
   * restarted peer keeps its disk.
   */
  host(name: string | number): Host {
    const key = String(name);
    let h = this.hosts.get(key);
    if (h === undefined) {
      h = new Host(key, this.clock, this.cost);
      this.hosts.set(key, h);
    }
    return h;
  }

  /**
   * One turn of the event loop in real time, undefined in simulated mode: see handoff() in
   * runtime/index.ts.
   */
  handoff(): Promise<void> | undefined {
    return this.clock instanceof RealClock ? this.clock.turn() : undefined;
  }

  /**
   * Name a machine for the trace and DEBUG logs (the harness, for Lab 4's groups): its
   * group ("gid 101", "ctrler", "clerk") and, for a Raft peer, its index there. From then
   * on this world tracks which host runs (runtime/current-host.ts), so a peer's
   * `trace(me, …)`, `debug(topic, me, …)` and `annotatePeer(me, …)` land on its own host's
   * lane and column, not on every group's peer `me` at once. Naming changes no timing.
   */
  nameHost(name: string, label: HostLabel): void {
    setHostsActive(true);
    this.tracer.defineHost(name, label);
  }

  get simulated(): boolean {
    return this.clock.mode === "simulated";
  }

  /**
   * The options this run had besides what a replay command gives (the clock, the virtual
   * limit, the cost model), on one line, for a failure's report: `virtual time, limit
   * 1800 s, cost diskBytesPerMs=6000 …`.
   */
  describeOptions(): string {
    const clock = this.simulated ? `virtual time, limit ${this.limitMs / 1000} s` : "real time";
    return `${clock}, cost ${formatCostModel(this.cost)}`;
  }
}

let current: World | undefined;

/** The world lab code runs in; a clear error outside runWorld(). */
export function world(): World {
  if (current === undefined) {
    throw new Error(
      "no runtime world is active: lab code must run inside runWorld() (the test harness starts one)",
    );
  }
  return current;
}

export function hasWorld(): boolean {
  return current !== undefined;
}

/**
 * Run main in a fresh world. When main settles the world ends: pending timers are
 * dropped, so loops of peers that were never killed simply stop.
 */
export async function runWorld<T>(opts: WorldOptions, main: (w: World) => Promise<T>): Promise<T> {
  if (current !== undefined && !current.ended) {
    throw new Error("runWorld: another world is still running in this process");
  }
  const w = new World(opts);
  current = w;
  setHostsActive(false);
  try {
    if (w.clock instanceof SimClock) {
      return await w.clock.run(() => main(w), w.limitMs);
    }
    return await main(w);
  } finally {
    w.ended = true;
    w.clock.stop();
    w.tracer.flush();
    // Let the ended world's leftover microtasks run out against a stopped clock.
    await drainMicrotasks();
    if (current === w) {
      current = undefined;
      setHostsActive(false);
    }
  }
}
