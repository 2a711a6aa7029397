// What the harness itself records in the trace, whatever the solution traces: each peer's
// term and leadership (sampled from getState()), Start() calls and their results, and
// every ApplyMsg the harness reads. A student's Raft that calls no trace function still
// gets a full timeline from these and from labrpc's and the persister's events.
import type { Network } from "../../labrpc/index.js";
import { trace, world } from "../../runtime/index.js";

/** The part of the course's Raft API the observer uses. */
export interface ObservedRaft {
  getState(): { term: number; isLeader: boolean };
  start(command: unknown): { index: number; term: number; isLeader: boolean };
}

/** Commands in the trace are cut to this many characters. */
const SHOW_MAX = 40;

/** A short printable form of a command, for the trace. */
export function showCommand(cmd: unknown): string {
  const s = typeof cmd === "string" ? cmd : (JSON.stringify(cmd) ?? String(cmd));
  return s.length > SHOW_MAX ? `${s.slice(0, SHOW_MAX - 3)}...` : s;
}

/**
 * Samples every live peer's getState() when the world changes (the harness calls sample()
 * after crashes, restarts and partitions; labrpc after each RPC sent or handled) and traces
 * `state {term, role}` on the peer's lane when it changed. Costs nothing while tracing is off.
 */
export class PeerObserver {
  private readonly last = new Map<number, string>();
  readonly on: boolean;

  /**
   * peer(i) is peer i's running instance, or null while it is down. lane(i) is peer i's
   * lane in the trace and its server's name on the network: i itself (Labs 2 and 3), or a
   * Lab 4 server's name ("server-101-2"), so that each group's peers have lanes of their own.
   */
  constructor(
    private readonly n: number,
    private readonly peer: (i: number) => ObservedRaft | null,
    net: Network,
    private readonly lane: (i: number) => string | number = (i) => i,
  ) {
    this.on = world().tracer.enabled;
    if (this.on) {
      const index = new Map<string | number, number>();
      for (let i = 0; i < n; i++) index.set(lane(i), i);
      net.onActivity((l) => {
        const i = index.get(l);
        if (i !== undefined) this.sampleOne(i);
      });
    }
  }

  /** Sample all peers now. */
  sample(): void {
    if (!this.on) return;
    for (let i = 0; i < this.n; i++) this.sampleOne(i);
  }

  private sampleOne(i: number): void {
    if (i < 0 || i >= this.n) return;
    const rf = this.peer(i);
    if (rf === null) {
      if (this.last.delete(i)) trace(this.lane(i), "state", { term: null, role: "down" });
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
    trace(this.lane(i), "state", { term: st.term, role: st.isLeader ? "leader" : "follower" });
  }

  /** Wrap rf.start so that every call and its result land in the trace. Returns rf. */
  traceStarts<R extends ObservedRaft>(i: number, rf: R): R {
    if (!this.on) return rf;
    const start = rf.start.bind(rf);
    try {
      rf.start = (command: unknown) => {
        const r = start(command);
        trace(i, "start-call", { cmd: showCommand(command), index: r.index, term: r.term, isLeader: r.isLeader });
        if (r.isLeader) this.sampleOne(i);
        return r;
      };
    } catch {
      // A frozen Raft object: its Start() calls just stay out of the trace.
    }
    return rf;
  }

  /** One ApplyMsg as the harness read it from peer i's applyCh. */
  applied(i: number, m: { commandValid?: boolean; command?: unknown; commandIndex?: number; snapshotValid?: boolean; snapshotIndex?: number }): void {
    if (!this.on) return;
    if (m.snapshotValid === true) trace(i, "applied", { snapshot: true, index: m.snapshotIndex ?? null });
    else trace(i, "applied", { index: m.commandIndex ?? null, cmd: showCommand(m.command) });
  }
}
