// Safety monitors: the rules every Raft must keep, checked on what a harness sees of any
// solution (getState() of each live peer, each ApplyMsg its service takes, which snapshots
// the service installed, when a peer answered an RPC, crashes and restarts), never on a
// student's fields. The course checks most of these only where a test calls
// checkOneLeader() or nCommitted(); a monitor checks them at every event of every run that
// uses Raft, and fails the run at the first violation, naming the rule and the peers.
//
// This file holds the rules alone: observations in, the first violation out. Sampling (when
// to call getState(), which channel is a peer's applyCh) lives in observe-peers.ts; each
// lab's harness says which Raft groups it runs and when a peer crashes or restarts.
//
// The rules, per Raft group (Lab 4 runs several: the controller's and each shardkv group's),
// and what each assumes:
// - election safety: a term has at most one leader over the whole run, restarts included
//   (peer A seen as leader of term T, then peer B seen as leader of T, even much later).
// - term monotonicity: within one incarnation (start to crash) a peer's term never goes
//   down. Across a restart its term must not go below the highest term it answered an RPC
//   in (Figure 2: persistent state is saved before responding to RPCs). This assumes the
//   peer persists, which the course requires from 2C on; 2A and 2B tests never restart a
//   peer. It also assumes make() restores the persisted term before it returns, as the
//   course's skeleton does (readPersist in Make).
// - state machine safety: every command applied at an index is the same on every peer and
//   in every incarnation (compared as values: the codec's copies of one command are equal);
//   within one incarnation indices are applied in increasing order, never twice; where the
//   harness says so (Lab 2, as the course's appliers demand) without gaps either. Across a
//   restart a peer may apply an index again: a restarted service starts over from its
//   snapshot or from the beginning.
// - snapshot rollback: a snapshot the service installs (condInstallSnapshot returned true,
//   or the next command follows it) never moves the incarnation's applied point back. A
//   snapshot Raft offers but the service refuses (condInstallSnapshot false) moves nothing.
import { now as runtimeNow, trace as runtimeTrace, type TraceFieldsOf } from "../../runtime/index.js";

/** A peer's lane in the trace and its name in messages: a number i (shown as S<i>) or a server name. */
export type PeerLane = string | number;

export type SafetyRule = "election safety" | "term monotonicity" | "state machine safety" | "snapshot rollback";

/** What a monitor found: the rule, the group, the peers involved, and the message a test fails with. */
export class SafetyViolation extends Error {
  constructor(
    readonly rule: SafetyRule,
    /** The group's name ("" when the harness runs one group). */
    readonly group: string,
    readonly peers: readonly PeerLane[],
    detail: string,
  ) {
    super(`safety: ${rule}: ${group === "" ? "" : `${group}: `}${detail}`);
    this.name = "SafetyViolation";
  }
}

/** The fields of an ApplyMsg the rules read (raft/API.md); anything else is ignored. */
export interface ApplyMsgLike {
  commandValid?: unknown;
  command?: unknown;
  commandIndex?: unknown;
  snapshotValid?: unknown;
  snapshotIndex?: unknown;
}

export interface MonitorOptions {
  /** Called once, with the first violation (the harness fails the test with it). */
  report: (v: SafetyViolation) => void;
  /** Runtime ms (virtual in simulated mode); default: the runtime's now(). */
  now?: () => number;
  /** Trace one violation's event; default: the runtime's trace(). */
  trace?: (lane: PeerLane, ev: "safety", fields: TraceFieldsOf<"safety">) => void;
}

export interface GroupOptions {
  /** The group's name in messages, "" for a harness with one group; e.g. "group 101", "controller". */
  name: string;
  /** Each peer's lane, by index. */
  lanes: readonly PeerLane[];
  /**
   * Whether an incarnation may skip indices (Labs 3 and 4: a Raft may keep entries of its
   * own, such as no-ops, from its service). Lab 2's appliers demand every index in order.
   */
  gaps: boolean;
}

/** The environment switch that turns the monitors off: only for comparing runs with and without them. */
export const MONITORS_OFF_ENV = "LABS_SAFETY_MONITORS";

/**
 * Whether monitors run: yes unless LABS_SAFETY_MONITORS=off (used only to show that the
 * monitors change nothing in a run: same trace hash with and without them). Throws on a
 * value other than on or off.
 */
export function monitorsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env[MONITORS_OFF_ENV] ?? "").trim();
  if (v === "" || v === "on") return true;
  if (v === "off") return false;
  throw new Error(`${MONITORS_OFF_ENV}=${JSON.stringify(v)}: must be on or off`);
}

/**
 * The monitors of one harness: one per test, made by the test frame. Groups are added by
 * the harness; the first violation in any group is reported once, traced on the lanes of
 * the peers it names, and ends all checking (one failure per run is enough).
 */
export class SafetyMonitor {
  private readonly report: (v: SafetyViolation) => void;
  readonly now: () => number;
  private readonly traceFn: (lane: PeerLane, ev: "safety", fields: TraceFieldsOf<"safety">) => void;
  private first: SafetyViolation | undefined;
  private stopped = false;
  private readonly groupList: MonitorGroup[] = [];

  constructor(opts: MonitorOptions) {
    this.report = opts.report;
    this.now = opts.now ?? runtimeNow;
    this.traceFn = opts.trace ?? runtimeTrace;
  }

  /** A new Raft group to check. */
  group(opts: GroupOptions): MonitorGroup {
    const g = new MonitorGroup(this, opts);
    this.groupList.push(g);
    return g;
  }

  get groups(): readonly MonitorGroup[] {
    return this.groupList;
  }

  /** Whether observations still count: not stopped, and no violation yet. */
  get active(): boolean {
    return !this.stopped && this.first === undefined;
  }

  /** The first violation found, if any. */
  get violation(): SafetyViolation | undefined {
    return this.first;
  }

  /** Observe nothing more (the harness is shutting its peers down). */
  stop(): void {
    this.stopped = true;
  }

  /** @internal A group found a violation. */
  violated(v: SafetyViolation): void {
    if (!this.active) return;
    this.first = v;
    for (const lane of v.peers) this.traceFn(lane, "safety", { rule: v.rule, group: v.group, text: v.message });
    this.report(v);
  }
}

/** One peer's run from a start to its crash. */
export class Incarnation {
  /** The term of the last observation (-1: none yet). */
  term = -1;
  isLeader = false;
  /** The highest term in which it answered an RPC (-1: none). */
  answered = -1;
  /** The last index applied or installed by snapshot; undefined while unknown (a restart in Labs 3-4). */
  point: number | undefined;
  /** A snapshot offered on applyCh and not yet installed or refused. */
  pending: number | undefined;
  ended = false;

  constructor(
    readonly peer: number,
    /** 1 for the peer's first start, then 2, 3 … */
    readonly ordinal: number,
    readonly startedAt: number,
    appliedThrough: number | undefined,
  ) {
    this.point = appliedThrough;
  }
}

interface PeerRecord {
  current: Incarnation | null;
  started: number;
  /** The highest term any earlier incarnation answered an RPC in, and when (-1: none). */
  floor: number;
  floorAt: number;
  crashedAt: number;
}

interface Applied {
  value: unknown;
  lane: PeerLane;
  at: number;
}

/** The rules of one Raft group; the harness (through observe-peers.ts) feeds it. */
export class MonitorGroup {
  readonly name: string;
  readonly lanes: readonly PeerLane[];
  private readonly gaps: boolean;
  private readonly peers: PeerRecord[];
  /** Leader of each term: the first peer seen as its leader, and when. */
  private readonly leaders = new Map<number, { peer: number; at: number }>();
  /** The first command applied at each index, a copy of it, by whom and when. */
  private readonly commands = new Map<number, Applied>();
  /** How many observations of each kind the group got (tests check the wiring with these). */
  readonly seen = { states: 0, leaders: 0, applies: 0, snapshots: 0, answers: 0 };

  constructor(
    private readonly monitor: SafetyMonitor,
    opts: GroupOptions,
  ) {
    this.name = opts.name;
    this.lanes = opts.lanes;
    this.gaps = opts.gaps;
    this.peers = opts.lanes.map(() => ({ current: null, started: 0, floor: -1, floorAt: 0, crashedAt: 0 }));
  }

  get active(): boolean {
    return this.monitor.active;
  }

  /** Peer i's running incarnation, or null while it is down. */
  current(i: number): Incarnation | null {
    return this.peers[i]?.current ?? null;
  }

  private show(i: number): string {
    const lane = this.lanes[i];
    return typeof lane === "number" ? `S${lane}` : String(lane);
  }

  private at(ms: number): string {
    return `${Math.round(ms * 1000) / 1000} ms`;
  }

  private violate(rule: SafetyRule, peers: number[], detail: string): void {
    this.monitor.violated(new SafetyViolation(rule, this.name, peers.map((p) => this.lanes[p]!), detail));
  }

  private record(i: number): PeerRecord {
    const r = this.peers[i];
    if (r === undefined) throw new RangeError(`safety monitor: no peer ${i} in a group of ${this.peers.length}`);
    return r;
  }

  /**
   * Peer i starts (first start or restart). appliedThrough: where its service's applied
   * point starts (0 for a peer with nothing persisted; the snapshot's index where the
   * harness itself restored one), or undefined when the harness cannot know. Ends any
   * incarnation still running. Returns the new incarnation.
   */
  started(i: number, appliedThrough: number | undefined): Incarnation {
    const r = this.record(i);
    if (r.current !== null) this.crashed(i);
    r.started++;
    r.current = new Incarnation(i, r.started, this.monitor.now(), appliedThrough);
    return r.current;
  }

  /** Peer i crashed (killed by the harness): what it answered in counts against its next incarnation. */
  crashed(i: number): void {
    const r = this.record(i);
    const inc = r.current;
    if (inc === null) return;
    inc.ended = true;
    if (inc.answered > r.floor) {
      r.floor = inc.answered;
      r.floorAt = this.monitor.now();
    }
    r.crashedAt = this.monitor.now();
    r.current = null;
  }

  /**
   * Peer i's persisted state was replaced by the harness (fault injection): what it had
   * persisted before no longer binds its next incarnation's term.
   */
  persistedStateReplaced(i: number): void {
    const r = this.record(i);
    r.floor = -1;
  }

  /** getState() of peer i's running incarnation returned (term, isLeader). */
  state(i: number, term: number, isLeader: boolean): void {
    const inc = this.peers[i]?.current;
    if (inc === null || inc === undefined) return;
    if (term === inc.term && isLeader === inc.isLeader) return;
    if (!this.monitor.active || typeof term !== "number" || !Number.isFinite(term)) return;
    this.seen.states++;
    const r = this.peers[i]!;
    if (inc.term !== -1 && term < inc.term) {
      this.violate("term monotonicity", [i], `${this.show(i)}'s term went down from ${inc.term} to ${term} (at ${this.at(this.monitor.now())}, with no restart between)`);
      return;
    }
    if (term < r.floor) {
      this.violate(
        "term monotonicity",
        [i],
        `${this.show(i)} restarted (at ${this.at(inc.startedAt)}) in term ${term}, below term ${r.floor}, in which it had answered RPCs before its crash at ${this.at(r.crashedAt)}: its term was not persisted`,
      );
      return;
    }
    inc.term = term;
    inc.isLeader = isLeader === true;
    if (inc.isLeader) {
      this.seen.leaders++;
      const l = this.leaders.get(term);
      if (l === undefined) this.leaders.set(term, { peer: i, at: this.monitor.now() });
      else if (l.peer !== i) {
        this.violate(
          "election safety",
          [l.peer, i],
          `term ${term} has two leaders, ${this.show(l.peer)} (at ${this.at(l.at)}) and ${this.show(i)} (at ${this.at(this.monitor.now())})`,
        );
      }
    }
  }

  /** Peer i answered an RPC; term is its getState() term at that moment. */
  answered(i: number, term: number): void {
    const inc = this.peers[i]?.current;
    if (inc === null || inc === undefined || typeof term !== "number") return;
    this.seen.answers++;
    if (term > inc.answered) inc.answered = term;
  }

  /** The service of incarnation inc took an ApplyMsg from its applyCh. */
  applied(inc: Incarnation, m: ApplyMsgLike): void {
    if (!this.monitor.active) return;
    if (m.snapshotValid === true) {
      if (typeof m.snapshotIndex === "number") inc.pending = m.snapshotIndex;
      return;
    }
    if (m.commandValid !== true || typeof m.commandIndex !== "number") return;
    this.seen.applies++;
    const k = m.commandIndex;
    const i = inc.peer;
    if (inc.pending !== undefined) {
      // The service never said whether it installed the snapshot: it did if the commands
      // go on after it; one that would move the point back was ignored by the service.
      const x = inc.pending;
      inc.pending = undefined;
      if (k > x && (inc.point === undefined || x >= inc.point)) inc.point = x;
    }
    const p = inc.point;
    if (p !== undefined) {
      if (k <= p) {
        this.violate(
          "state machine safety",
          [i],
          `${this.show(i)} applied index ${k} at ${this.at(this.monitor.now())}, but it had already applied through index ${p} since it started at ${this.at(inc.startedAt)}: an index applied twice, or out of order`,
        );
        return;
      }
      if (!this.gaps && k !== p + 1) {
        this.violate(
          "state machine safety",
          [i],
          `${this.show(i)} applied index ${k} right after index ${p} (at ${this.at(this.monitor.now())}): out of order, index ${p + 1} was never applied`,
        );
        return;
      }
    }
    inc.point = k;
    const first = this.commands.get(k);
    if (first === undefined) {
      const copy = copyOf(m.command);
      if (copy.ok) this.commands.set(k, { value: copy.value, lane: this.lanes[i]!, at: this.monitor.now() });
    } else if (!sameValue(first.value, m.command, 0)) {
      const firstPeer = this.lanes.indexOf(first.lane);
      this.violate(
        "state machine safety",
        firstPeer === i ? [i] : [firstPeer, i],
        `index ${k} was applied as ${show(first.value)} by ${firstPeer === -1 ? String(first.lane) : this.show(firstPeer)} (at ${this.at(first.at)}) but as ${show(m.command)} by ${this.show(i)} (at ${this.at(this.monitor.now())})`,
      );
    }
  }

  /** The service of incarnation inc asked Raft to install the snapshot through index, and Raft said ok. */
  installed(inc: Incarnation, index: number): void {
    if (!this.monitor.active || typeof index !== "number") return;
    this.seen.snapshots++;
    if (inc.pending === index) inc.pending = undefined;
    if (inc.point !== undefined && index < inc.point) {
      this.violate(
        "snapshot rollback",
        [inc.peer],
        `${this.show(inc.peer)} installed a snapshot through index ${index} at ${this.at(this.monitor.now())}, after it had applied through index ${inc.point}: its applied point moved back`,
      );
      return;
    }
    inc.point = index;
  }

  /** The service of incarnation inc asked Raft to install the snapshot through index, and Raft refused. */
  refused(inc: Incarnation, index: number): void {
    if (inc.pending === index) inc.pending = undefined;
  }
}

/** A copy of a command that later changes to the original cannot affect ({ ok: false } if it cannot be copied). */
function copyOf(v: unknown): { ok: true; value: unknown } | { ok: false } {
  if (v === null || typeof v !== "object") return { ok: true, value: v };
  if (isFlatRecord(v)) return { ok: true, value: { ...v } };
  if (isFlatArray(v)) return { ok: true, value: v.slice() };
  try {
    return { ok: true, value: structuredClone(v) };
  } catch {
    return { ok: false };
  }
}

/**
 * Whether v is a plain object whose own enumerable fields are all strings, numbers,
 * booleans, null or undefined (many a kvraft Op): a spread copy of it is what structuredClone
 * gives, for a fifth of the cost (one copy per applied index).
 */
function isFlatRecord(v: object): v is Record<string, unknown> {
  if (Object.getPrototypeOf(v) !== Object.prototype || Object.getOwnPropertySymbols(v).length > 0) return false;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    const t = typeof x;
    if (t !== "string" && t !== "number" && t !== "boolean" && t !== "undefined" && x !== null) return false;
  }
  return true;
}

/**
 * Whether v is a plain array of strings, numbers, booleans, null or undefined with no holes
 * and no other fields (our kvraft's Op tuple): slice() copies it as structuredClone would,
 * for a fraction of the cost.
 */
function isFlatArray(v: object): v is unknown[] {
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return false;
  for (let i = 0; i < v.length; i++) {
    if (!(i in v)) return false;
    const x: unknown = v[i];
    const t = typeof x;
    if (t !== "string" && t !== "number" && t !== "boolean" && t !== "undefined" && x !== null) return false;
  }
  return Object.keys(v).length === v.length && Object.getOwnPropertySymbols(v).length === 0;
}

/** Deeper than this, two commands count as equal (the codec's own values are never this deep). */
const MAX_DEPTH = 64;

/**
 * Whether two commands are the same value as the codec carries them: primitives by value,
 * Uint8Arrays by bytes, arrays by elements, objects by their defined own fields in any order
 * (the codec drops undefined fields).
 */
export function sameValue(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
  }
  if (depth > MAX_DEPTH) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let j = 0; j < a.length; j++) if (!sameValue(a[j], b[j], depth + 1)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const kx = Object.keys(x).filter((k) => x[k] !== undefined);
  const ky = Object.keys(y).filter((k) => y[k] !== undefined);
  if (kx.length !== ky.length) return false;
  for (const k of kx) if (!Object.prototype.hasOwnProperty.call(y, k) || !sameValue(x[k], y[k], depth + 1)) return false;
  return true;
}

/** A command in a message, cut to 40 characters. */
function show(v: unknown): string {
  let s: string;
  try {
    s = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
