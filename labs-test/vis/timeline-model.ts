// Turns trace events into what the timeline page draws: lanes (tester, peers, clerks),
// RPCs (send → delivery → reply or drop), bands (role and term, down, cut-off links),
// clerk ops (call → return, porcupine's view), and point marks (applies, notes, …).
// Columnar arrays, so a 200,000-event trace stays compact and quick for the page.
import type { TraceEvent } from "../../runtime/tracer.js";

/** Event kinds the framework and our reference emit; anything else is drawn as a plain mark and reported. */
export const KNOWN_KINDS: ReadonlySet<string> = new Set([
  // labrpc
  "rpc", "deliver", "drop", "reply", "link", "server",
  // harness
  "host", "state", "start-call", "applied", "op", "porcupine", "crash", "start", "connect", "disconnect",
  "unreliable", "long-reordering", "fail",
  // the safety monitors: a violation, on the lane of each peer it names
  "safety",
  // persister, runtime
  "persist", "note",
  // our reference solutions
  "role", "commit", "apply", "snapshot", "killed", "kv-apply", "kv-snapshot", "kv-restore", "shardkv-config",
]);

export const BAND_ROLE = 0;
export const BAND_DOWN = 1;
export const BAND_CUT = 2;

export const RPC_PENDING = 0;
export const RPC_REPLIED = 1;
export const RPC_DROPPED = 2;

export interface TimelineModel {
  title: string;
  /**
   * Lane names, top to bottom: tester, peers (S0…, or Lab 4's named hosts group by group),
   * clerks, anything else. Many clerks share one lane "clerks", and many other lanes (ends
   * that no one owns) one lane "other ends", so a lane count stays bounded.
   */
  lanes: string[];
  /** What the page prints for each lane: its name, or a named host's "gid 101 · S2". */
  laneLabels: string[];
  /** How many lanes are peers (servers). */
  peerLanes: number;
  tMin: number;
  tMax: number;
  failure: { t: number; text: string } | null;
  warnings: string[];
  methods: string[];
  markKinds: string[];
  /** One entry per RPC, in send order. deliver/end are -1 when they never happened. */
  rpc: { send: number[]; deliver: number[]; end: number[]; from: number[]; to: number[]; method: number[]; status: number[]; ev: number[]; endEv: number[] };
  /** Bands per lane: [t0, t1), kind BAND_*, a label (role and term, or which links are cut). */
  bands: { lane: number[]; t0: number[]; t1: number[]; kind: number[]; label: string[]; ev: number[] };
  /** Clerk operations, call to return; bad: its key is one porcupine found not linearizable. */
  ops: { lane: number[]; call: number[]; ret: number[]; key: string[]; label: string[]; bad: number[]; ev: number[] };
  /** dim: 1 for marks of little weight (a Start() call on a peer that is not leader). */
  marks: { t: number[]; lane: number[]; kind: number[]; ev: number[]; dim: number[] };
  porcupine: { keys: string[]; page: string | null } | null;
  /** The raw events, for the details panel (elements point into it by index). */
  events: TraceEvent[];
}

export interface ModelOptions {
  title?: string;
  failure?: { t: number; text: string } | null;
  warnings?: string[];
}

function laneName(peer: string | number): string {
  return typeof peer === "number" ? `S${peer}` : peer;
}

/** An event's lane: the named host it ran on (Lab 4), else its peer. */
function eventLane(e: TraceEvent): string {
  return typeof e.host === "string" ? e.host : laneName(e.peer);
}

/** Past this many clerk lanes, every clerk is drawn on one lane "clerks". */
export const MAX_CLERK_LANES = 12;
/** Past this many lanes of no known kind, they share one lane "other ends". */
export const MAX_OTHER_LANES = 16;
export const CLERKS_LANE = "clerks";
export const OTHERS_LANE = "other ends";

/** A named host, from its `host` event (World.nameHost): group, peer index, order named. */
interface NamedHost {
  group: string;
  index: number | null;
  order: number;
}

/** Sort key of a lane: tester, peers (named hosts in the order named), clerks, the rest. */
function laneRank(name: string, hosts: ReadonlyMap<string, NamedHost>): [number, number, string] {
  if (name === "tester") return [0, 0, name];
  const h = hosts.get(name);
  if (h !== undefined) return [h.index === null ? 3 : 1, h.order, name];
  const s = /^S(\d+)$/.exec(name);
  if (s) return [2, Number(s[1]), name];
  const c = /^ck(\d+)$/.exec(name);
  if (c) return [4, Number(c[1]), name];
  if (name === CLERKS_LANE) return [4, Infinity, name];
  return [5, 0, name];
}

/** "gid 101 · S2" for a named peer, a clerk's own name, a plain lane's name. */
function laneLabel(name: string, hosts: ReadonlyMap<string, NamedHost>): string {
  const h = hosts.get(name);
  return h === undefined || h.index === null ? name : `${h.group} · S${h.index}`;
}

/**
 * Which drawn lane each lane name goes to: clerks fold into CLERKS_LANE past
 * MAX_CLERK_LANES, lanes of no known kind into OTHERS_LANE past MAX_OTHER_LANES.
 */
function foldLanes(names: ReadonlySet<string>, hosts: ReadonlyMap<string, NamedHost>): Map<string, string> {
  const isClerk = (n: string): boolean => hosts.get(n)?.group === "clerk" || /^ck\d+$/.test(n);
  const isOther = (n: string): boolean => n !== "tester" && !hosts.has(n) && !/^S\d+$/.test(n) && !isClerk(n);
  const clerks = [...names].filter(isClerk);
  const others = [...names].filter(isOther);
  const to = new Map<string, string>();
  for (const n of names) to.set(n, n);
  if (clerks.length > MAX_CLERK_LANES) for (const n of clerks) to.set(n, CLERKS_LANE);
  if (others.length > MAX_OTHER_LANES) for (const n of others) to.set(n, OTHERS_LANE);
  return to;
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Build the page's model from events in trace order. */
export function buildTimeline(events: TraceEvent[], opts: ModelOptions = {}): TimelineModel {
  const warnings = [...(opts.warnings ?? [])];
  // Lanes: every peer that has an event, plus RPC targets; named hosts from their events.
  const names = new Set<string>(["tester"]);
  const hosts = new Map<string, NamedHost>();
  for (const e of events) {
    names.add(eventLane(e));
    if (e.ev === "rpc" && (typeof e.to === "number" || typeof e.to === "string")) names.add(laneName(e.to));
    if (e.ev === "host" && typeof e.peer === "string" && !hosts.has(e.peer)) {
      hosts.set(e.peer, { group: String(e.group ?? ""), index: num(e.index), order: hosts.size });
    }
  }
  const fold = foldLanes(names, hosts);
  const lanes = [...new Set(fold.values())].sort((a, b) => {
    const x = laneRank(a, hosts);
    const y = laneRank(b, hosts);
    return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
  });
  const laneIdx = new Map(lanes.map((n, i) => [n, i]));
  const laneOf = new Map([...fold].map(([n, to]) => [n, laneIdx.get(to)!]));
  const laneByName = (n: string): number => laneOf.get(n) ?? 0;
  const lane = (p: string | number): number => laneByName(laneName(p));
  const evLane = (e: TraceEvent): number => laneByName(eventLane(e));
  const isPeerLane = (n: string): boolean => /^S\d+$/.test(n) || (hosts.get(n)?.index ?? null) !== null;
  const peerLanes = lanes.filter(isPeerLane).length;

  const m: TimelineModel = {
    title: opts.title ?? "trace",
    lanes,
    laneLabels: lanes.map((n) => laneLabel(n, hosts)),
    peerLanes,
    tMin: events.length > 0 ? events[0]!.t : 0,
    tMax: events.length > 0 ? events[events.length - 1]!.t : 1,
    failure: opts.failure ?? null,
    warnings,
    methods: [],
    markKinds: [],
    rpc: { send: [], deliver: [], end: [], from: [], to: [], method: [], status: [], ev: [], endEv: [] },
    bands: { lane: [], t0: [], t1: [], kind: [], label: [], ev: [] },
    ops: { lane: [], call: [], ret: [], key: [], label: [], bad: [], ev: [] },
    marks: { t: [], lane: [], kind: [], ev: [], dim: [] },
    porcupine: null,
    events,
  };
  if (m.failure !== null && m.failure.t > m.tMax) m.tMax = m.failure.t;
  if (m.tMax <= m.tMin) m.tMax = m.tMin + 1;

  const methodIdx = new Map<string, number>();
  const kindIdx = new Map<string, number>();
  const rpcById = new Map<number, number>();
  const unknown = new Set<string>();

  // Open bands per lane and kind: [start, label, event index].
  const open = new Map<string, { t0: number; label: string; ev: number }>();
  const setBand = (ln: number, kind: number, t: number, label: string | null, ev: number): void => {
    const key = `${ln}:${kind}`;
    const cur = open.get(key);
    if (cur !== undefined && cur.label === label) return;
    if (cur !== undefined) {
      if (t > cur.t0) pushBand(ln, kind, cur.t0, t, cur.label, cur.ev);
      open.delete(key);
    }
    if (label !== null) open.set(key, { t0: t, label, ev });
  };
  const pushBand = (ln: number, kind: number, t0: number, t1: number, label: string, ev: number): void => {
    m.bands.lane.push(ln);
    m.bands.t0.push(t0);
    m.bands.t1.push(t1);
    m.bands.kind.push(kind);
    m.bands.label.push(label);
    m.bands.ev.push(ev);
  };

  // Role, per lane: the reference's "role" events know candidates; the harness's "state" only leadership.
  const role = new Map<number, { term: number | null; role: string }>();
  // Links: each end's state; a pair of server lanes is cut when none of its ends is on.
  const ends = new Map<string, { from: number; to: number; on: boolean }>();
  const serverLanes = new Set<number>();
  lanes.forEach((n, i) => {
    if (isPeerLane(n)) serverLanes.add(i);
  });
  // How many ends of each directed pair of server lanes are on ("from>to"); absent: never linked.
  const pairOn = new Map<string, number>();
  const cutLabel = (ln: number): string | null => {
    const cutOut: number[] = [];
    const cutIn: number[] = [];
    for (const o of serverLanes) {
      if (o === ln) continue;
      if (pairOn.get(`${ln}>${o}`) === 0) cutOut.push(o);
      if (pairOn.get(`${o}>${ln}`) === 0) cutIn.push(o);
    }
    if (cutOut.length === 0 && cutIn.length === 0) return null;
    const show = (xs: number[]): string => xs.map((x) => lanes[x]).join(",");
    if (cutOut.length === serverLanes.size - 1 && cutIn.length === serverLanes.size - 1) return "isolated";
    return `cut${cutOut.length ? ` →${show(cutOut)}` : ""}${cutIn.length ? ` ←${show(cutIn)}` : ""}`;
  };

  const mark = (i: number, e: TraceEvent): void => {
    let k = kindIdx.get(e.ev);
    if (k === undefined) {
      k = m.markKinds.length;
      m.markKinds.push(e.ev);
      kindIdx.set(e.ev, k);
    }
    m.marks.t.push(e.t);
    m.marks.lane.push(evLane(e));
    m.marks.kind.push(k);
    m.marks.ev.push(i);
    m.marks.dim.push(e.ev === "start-call" && e.isLeader !== true ? 1 : 0);
  };

  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (!KNOWN_KINDS.has(e.ev)) unknown.add(e.ev);
    switch (e.ev) {
      case "rpc": {
        const id = num(e.id);
        const meth = typeof e.m === "string" ? e.m : "?";
        let mi = methodIdx.get(meth);
        if (mi === undefined) {
          mi = m.methods.length;
          m.methods.push(meth);
          methodIdx.set(meth, mi);
        }
        const r = m.rpc.send.length;
        m.rpc.send.push(e.t);
        m.rpc.deliver.push(-1);
        m.rpc.end.push(-1);
        m.rpc.from.push(evLane(e));
        m.rpc.to.push(typeof e.to === "number" || typeof e.to === "string" ? lane(e.to) : -1);
        m.rpc.method.push(mi);
        m.rpc.status.push(RPC_PENDING);
        m.rpc.ev.push(i);
        m.rpc.endEv.push(-1);
        if (id !== null) rpcById.set(id, r);
        break;
      }
      case "deliver":
      case "reply":
      case "drop": {
        const id = num(e.id);
        const r = id === null ? undefined : rpcById.get(id);
        if (r === undefined) {
          mark(i, e); // its send is before the trace's start (a cut trace)
          break;
        }
        if (e.ev === "deliver") m.rpc.deliver[r] = e.t;
        else {
          m.rpc.end[r] = e.t;
          m.rpc.status[r] = e.ev === "reply" ? RPC_REPLIED : RPC_DROPPED;
          m.rpc.endEv[r] = i;
          rpcById.delete(id!);
        }
        break;
      }
      case "state":
      case "role": {
        const ln = evLane(e);
        const p = ln;
        const term = num(e.term);
        let r = typeof e.role === "string" ? e.role : "?";
        const prev = role.get(p);
        // getState() cannot tell a candidate from a follower: keep the reference's word for it.
        if (e.ev === "state" && r === "follower" && prev?.role === "candidate" && prev.term === term) r = "candidate";
        role.set(p, { term, role: r });
        setBand(ln, BAND_ROLE, e.t, r === "down" ? null : `${r} t${term ?? "?"}`, i);
        break;
      }
      case "server": {
        setBand(evLane(e), BAND_DOWN, e.t, e.up === false ? "down" : null, i);
        mark(i, e);
        break;
      }
      case "link": {
        const from = evLane(e);
        const to = typeof e.to === "number" || typeof e.to === "string" ? lane(e.to) : -1;
        const on = e.on === true;
        const endName = String(e.end);
        const was = ends.get(endName);
        ends.set(endName, { from, to, on });
        const pair = `${from}>${to}`;
        pairOn.set(pair, (pairOn.get(pair) ?? 0) + (on ? 1 : 0) - (was?.on === true ? 1 : 0));
        if (serverLanes.has(from)) setBand(from, BAND_CUT, e.t, cutLabel(from), i);
        if (serverLanes.has(to) && to !== from) setBand(to, BAND_CUT, e.t, cutLabel(to), i);
        break;
      }
      case "op": {
        const call = num(e.call) ?? e.t;
        const ret = num(e.ret) ?? e.t;
        const key = typeof e.key === "string" ? e.key : "";
        const kind = typeof e.kind === "string" ? e.kind : "op";
        const label = kind === "get" ? `get(${key})→${String(e.output ?? "")}` : `${kind}(${key}, ${String(e.value ?? "")})`;
        m.ops.lane.push(evLane(e));
        m.ops.call.push(call);
        m.ops.ret.push(ret);
        m.ops.key.push(key);
        m.ops.label.push(label);
        m.ops.bad.push(0);
        m.ops.ev.push(i);
        break;
      }
      case "porcupine": {
        const keys = Array.isArray(e.keys) ? e.keys.filter((k): k is string => typeof k === "string") : [];
        m.porcupine = { keys, page: typeof e.page === "string" ? e.page : null };
        mark(i, e);
        break;
      }
      case "host":
        break; // a lane's label, read above
      default:
        mark(i, e);
    }
  }
  for (const [key, b] of open) {
    const [ln, kind] = key.split(":").map(Number) as [number, number];
    if (m.tMax > b.t0) pushBand(ln, kind, b.t0, m.tMax, b.label, b.ev);
  }
  if (m.porcupine !== null) {
    const bad = new Set(m.porcupine.keys);
    m.ops.key.forEach((k, j) => {
      if (bad.has(k)) m.ops.bad[j] = 1;
    });
  }
  if (unknown.size > 0) {
    warnings.push(`unknown event kinds, drawn as plain marks: ${[...unknown].sort().join(", ")}`);
  }
  return m;
}
