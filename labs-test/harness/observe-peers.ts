// What a harness sees of its Raft peers, whatever the solution traces or keeps in its
// fields: each peer's getState(), Start() calls and their results, every ApplyMsg its
// service takes, the snapshots the service installs, when it answered an RPC, crashes and
// restarts. Two consumers:
// - the trace (only while tracing): each peer's term and leadership as `state` events,
//   Start() calls and applies, so a student's Raft that calls no trace function still gets
//   a full timeline from these and from labrpc's and the persister's events;
// - the safety monitors (always, unless LABS_SAFETY_MONITORS=off): safety-monitor.ts's
//   rules, fed at every event (see PeerObserver).
import type { Name, Network } from "../../labrpc/index.js";
import { Channel, watchChannelsMadeDuring } from "../../runtime/channel.js";
import { trace, world } from "../../runtime/index.js";
import { SimClock } from "../../runtime/sim-clock.js";
import type { ApplyMsgLike, Incarnation, MonitorGroup, SafetyMonitor } from "./safety-monitor.js";

/** The part of the course's Raft API the observer uses. */
export interface ObservedRaft {
  getState(): { term: number; isLeader: boolean };
  start(command: unknown): { index: number; term: number; isLeader: boolean };
}

/** What the safety monitors call on a peer: getState(), and condInstallSnapshot() (wrapped to see its answers). */
export interface MonitoredRaft {
  getState(): { term: number; isLeader: boolean };
  condInstallSnapshot?(lastIncludedTerm: number, lastIncludedIndex: number, snapshot: Uint8Array): boolean;
}

/** Commands in the trace are cut to this many characters. */
const SHOW_MAX = 40;

/** A short printable form of a command, for the trace. */
export function showCommand(cmd: unknown): string {
  const s = typeof cmd === "string" ? cmd : (JSON.stringify(cmd) ?? String(cmd));
  return s.length > SHOW_MAX ? `${s.slice(0, SHOW_MAX - 3)}...` : s;
}

export interface ObserverOptions {
  /** Each peer's lane in the trace and name in messages, by index; default 0 … n-1. */
  lanes?: readonly Name[];
  /**
   * Whether peers' states, Start() calls and applies go into the trace while tracing (the
   * default); false for a harness that monitors a group without drawing it.
   */
  tracing?: boolean;
  /** The frame's safety monitor (TestFrame.safety); undefined: no monitoring. */
  safety?: SafetyMonitor;
  /** The group's name in violation messages: "" (the default) where a harness runs one group. */
  group?: string;
  /**
   * Whether a peer's service may see indices skipped (Labs 3 and 4, where a Raft may keep
   * entries such as no-ops to itself); default false, as the course's Lab 2 appliers demand.
   */
  gaps?: boolean;
}

/**
 * The observer of one Raft group. The harness tells it when a peer starts (started(), or
 * startService() for a service that makes its own Raft and applyCh) and when one is about
 * to crash (crashing()), and calls sample() after its own changes (partitions).
 *
 * Tracing samples getState() when labrpc reports activity (an RPC sent or handled), as it
 * always did. Monitoring samples every live peer after every event of a simulated world,
 * once the event's microtasks have run (SimClock.afterEachEvent): a handler returning, a
 * reply delivered, a timer firing, an ApplyMsg taken — each change is seen at the event
 * that made it. With REALTIME=1 there are no such events: monitoring then samples a peer
 * when labrpc reports its activity. Either way it also samples a peer when it answers an
 * RPC (labrpc's onResponded), at its start and just before its crash, and checks each
 * ApplyMsg as the service takes it from applyCh (Channel.onTaken) and each
 * condInstallSnapshot() answer. getState() draws nothing and schedules nothing, so sampling
 * changes no run: a seed gives the same trace with monitors on and off.
 */
export class PeerObserver {
  private readonly last = new Map<number, string>();
  /** Tracing is on. */
  readonly on: boolean;
  private readonly lanes: readonly Name[];
  private readonly laneIndex = new Map<Name, number>();
  /** The monitored group, undefined when monitors are off. */
  readonly group: MonitorGroup | undefined;
  /** Monitoring: each peer's running instance (as the observer was told), null while down. */
  private readonly live: (MonitoredRaft | null)[];
  /**
   * Monitoring: peers whose getState() threw in their current incarnation. They are not
   * asked again until restarted: the tests report a broken getState() themselves, and a
   * getState() with side effects (one that schedules a timer) asked after every event
   * would multiply the events of one virtual instant without end.
   */
  private readonly broken = new Set<number>();
  /** Monitoring samples every live peer at the end of every event (a simulated world). */
  private perEvent = false;

  /** peer(i) is peer i's running instance, or null while it is down (what tracing samples). */
  constructor(
    private readonly n: number,
    private readonly peer: (i: number) => ObservedRaft | null,
    net: Network,
    opts: ObserverOptions = {},
  ) {
    this.on = opts.tracing !== false && world().tracer.enabled;
    this.lanes = opts.lanes ?? Array.from({ length: n }, (_, i) => i);
    if (this.lanes.length !== n) throw new RangeError(`PeerObserver: ${this.lanes.length} lanes for ${n} peers`);
    this.lanes.forEach((lane, i) => this.laneIndex.set(lane, i));
    this.live = new Array<MonitoredRaft | null>(n).fill(null);
    if (this.on) {
      net.onActivity((lane) => {
        const i = this.laneIndex.get(lane);
        if (i !== undefined) this.traceOne(i);
      });
    }
    this.group = opts.safety?.group({ name: opts.group ?? "", lanes: this.lanes, gaps: opts.gaps === true });
    if (this.group !== undefined) {
      const g = this.group;
      const clock = world().clock;
      if (clock instanceof SimClock) {
        this.perEvent = true;
        clock.afterEachEvent(() => {
          if (!g.active) return false;
          this.checkAll();
          return !g.active; // a violation: let the failure end the test at this event
        });
      } else {
        net.onActivity((lane) => {
          const i = this.laneIndex.get(lane);
          if (i !== undefined && g.active) this.checkOne(i);
        });
      }
      net.onResponded((server, svcMeth) => {
        const i = this.laneIndex.get(server);
        if (i === undefined || !g.active || !svcMeth.startsWith("Raft.")) return;
        const st = this.checkOne(i);
        if (st !== null) g.answered(i, st.term);
      });
    }
  }

  // ---- the harness's events ----------------------------------------------------------

  /**
   * Sample all peers now (after a crash, restart or partition). Monitoring does only with
   * REALTIME=1: on the virtual clock it samples at the end of every event, and the harness
   * may call this in the middle of a peer's own handler (the hunt crashes a peer inside its
   * persister save), where getState() shows a half-made change no caller could ever see
   * (the term raised, the role not yet dropped from leader).
   */
  sample(): void {
    if (this.on) for (let i = 0; i < this.n; i++) this.traceOne(i);
    if (this.group?.active === true && !this.perEvent) this.checkAll();
  }

  /**
   * Peer i was (re)started as rf, its service reading applyChs (the harness's own applyCh,
   * or every channel made while the service started: the first of them to carry an
   * ApplyMsg is taken as its applyCh). appliedThrough: where the service's applied point
   * starts (0 for a peer with nothing persisted, the index of a snapshot the harness
   * restored itself), undefined where the harness cannot know. Returns rf.
   */
  started<R extends MonitoredRaft>(i: number, rf: R, applyChs: readonly Channel<unknown>[], appliedThrough: number | undefined): R {
    const g = this.group;
    if (g === undefined) return rf;
    this.live[i] = rf;
    this.broken.delete(i);
    const inc = g.started(i, appliedThrough);
    this.watchApplies(g, inc, applyChs);
    this.watchSnapshots(g, inc, rf);
    if (g.active) this.checkOne(i);
    return rf;
  }

  /**
   * Run start() (a service's start function, which makes its Raft and applyCh), then
   * started(i, raftOf(service), <channels it made>, appliedThrough). Returns the service.
   */
  startService<S>(i: number, start: () => S, raftOf: (s: S) => MonitoredRaft, appliedThrough: number | undefined): S {
    if (this.group === undefined) return start();
    const made: Channel<unknown>[] = [];
    const s = watchChannelsMadeDuring(start, (ch) => made.push(ch));
    this.started(i, raftOf(s), made, appliedThrough);
    return s;
  }

  /**
   * Peer i is about to be killed: its last state is sampled (with REALTIME=1; on the virtual
   * clock the end of its last event was, and this may be the middle of its handler: see
   * sample()), then its incarnation ends.
   */
  crashing(i: number): void {
    const g = this.group;
    if (g === undefined || this.live[i] === null) return;
    if (g.active && !this.perEvent) this.checkOne(i);
    g.crashed(i);
    this.live[i] = null;
  }

  // ---- monitoring ----------------------------------------------------------------------

  private checkAll(): void {
    for (let i = 0; i < this.n; i++) if (this.live[i] !== null) this.checkOne(i);
  }

  /** getState() of peer i into the monitor; its answer, or null (down, or getState() threw). */
  private checkOne(i: number): { term: number; isLeader: boolean } | null {
    const rf = this.live[i];
    if (rf === null || rf === undefined || this.broken.has(i)) return null;
    let st: { term: number; isLeader: boolean };
    try {
      st = rf.getState();
    } catch {
      this.broken.add(i); // a broken getState() is the tests' to report, not the monitor's
      return null;
    }
    if (st === null || typeof st !== "object") return null;
    this.group!.state(i, st.term, st.isLeader);
    return st;
  }

  /** Each ApplyMsg the service takes, from the first of applyChs to carry one. */
  private watchApplies(g: MonitorGroup, inc: Incarnation, applyChs: readonly Channel<unknown>[]): void {
    let chosen: Channel<unknown> | undefined = applyChs.length === 1 ? applyChs[0] : undefined;
    for (const ch of applyChs) {
      ch.onTaken = (v: unknown): void => {
        if (!isApplyMsg(v)) return;
        if (chosen === undefined) chosen = ch;
        if (ch === chosen) g.applied(inc, v);
      };
    }
  }

  /** Wrap rf.condInstallSnapshot so that the monitor sees which snapshots the service installed. */
  private watchSnapshots(g: MonitorGroup, inc: Incarnation, rf: MonitoredRaft): void {
    const cond = rf.condInstallSnapshot;
    if (typeof cond !== "function") return;
    try {
      rf.condInstallSnapshot = (term: number, index: number, snapshot: Uint8Array): boolean => {
        const ok = cond.call(rf, term, index, snapshot);
        if (ok === true) g.installed(inc, index);
        else g.refused(inc, index);
        return ok;
      };
    } catch {
      // A frozen Raft object: the monitor infers installs from the commands that follow.
    }
  }

  // ---- tracing -------------------------------------------------------------------------

  private traceOne(i: number): void {
    if (i < 0 || i >= this.n) return;
    const lane = this.lanes[i]!;
    const rf = this.peer(i);
    if (rf === null) {
      if (this.last.delete(i)) trace(lane, "state", { term: null, role: "down" });
      return;
    }
    let st: { term: number; isLeader: boolean };
    try {
      st = rf.getState();
    } catch {
      return; // a broken getState() is the test's to report, not the trace's
    }
    const key = `${st.term}:${st.isLeader}`;
    if (this.last.get(i) === key) return;
    this.last.set(i, key);
    trace(lane, "state", { term: st.term, role: st.isLeader ? "leader" : "follower" });
  }

  /** Wrap rf.start so that every call and its result land in the trace. Returns rf. */
  traceStarts<R extends ObservedRaft>(i: number, rf: R): R {
    if (!this.on) return rf;
    const start = rf.start.bind(rf);
    const lane = this.lanes[i]!;
    try {
      rf.start = (command: unknown) => {
        const r = start(command);
        trace(lane, "start-call", { cmd: showCommand(command), index: r.index, term: r.term, isLeader: r.isLeader });
        if (r.isLeader) this.traceOne(i);
        return r;
      };
    } catch {
      // A frozen Raft object: its Start() calls just stay out of the trace.
    }
    return rf;
  }

  /** One ApplyMsg as the harness read it from peer i's applyCh (the trace's `applied` event). */
  applied(i: number, m: { commandValid?: boolean; command?: unknown; commandIndex?: number; snapshotValid?: boolean; snapshotIndex?: number }): void {
    if (!this.on) return;
    const lane = this.lanes[i]!;
    if (m.snapshotValid === true) trace(lane, "applied", { snapshot: true, index: m.snapshotIndex ?? null });
    else trace(lane, "applied", { index: m.commandIndex ?? null, cmd: showCommand(m.command) });
  }
}

/** Whether v has the shape of an ApplyMsg (raft/API.md): a command or a snapshot with its index. */
function isApplyMsg(v: unknown): v is ApplyMsgLike {
  if (v === null || typeof v !== "object") return false;
  const m = v as ApplyMsgLike;
  return (m.commandValid === true && typeof m.commandIndex === "number") || (m.snapshotValid === true && typeof m.snapshotIndex === "number");
}
