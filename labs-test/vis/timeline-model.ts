// Turns trace events into what the timeline page draws: lanes (tester, peers, clerks),
// RPCs (send → delivery → reply or drop), bands (role and term, down, cut-off links),
// clerk ops (call → return, porcupine's view), and point marks (applies, notes, …).
// Columnar arrays, so a 200,000-event trace stays compact and quick for the page. Each
// event is drawn by the handler of its kind's draw style in the registry of trace kinds
// (runtime/trace-kinds.ts), marks with the registry's glyph and colour; a kind not in the
// registry is drawn as a plain mark and named in a warning.
import { isTraceKind, TRACE_KINDS, type DrawStyle, type MarkGlyph, type TraceKindSpec } from "../../runtime/trace-kinds.js";
import type { TraceEvent } from "../../runtime/tracer.js";

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
  /** The kinds drawn as marks, in order of first appearance; markGlyphs and markColors say how (runtime/trace-kinds.ts). */
  markKinds: string[];
  markGlyphs: MarkGlyph[];
  markColors: string[];
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
  /**
   * Virtual ms the picture reaches at least (a live run's now): a band still open at the
   * last event (a peer crashed a moment ago) then covers the time since.
   */
  until?: number;
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

/** How an event of no registered kind is drawn: a plain mark (and its kind is listed in a warning). */
const UNKNOWN_MARK = { glyph: "square", color: "#7a3fb0" } as const;

/** The page's lanes for a trace: names, labels, and where each lane name is drawn. */
interface LaneIndex {
  lanes: string[];
  labels: string[];
  peerLanes: number;
  /** Lane index of a lane name (an unseen name: the tester's lane). */
  byName: (n: string) => number;
  isPeerLane: (n: string) => boolean;
}

function indexLanes(events: readonly TraceEvent[]): LaneIndex {
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
  const isPeerLane = (n: string): boolean => /^S\d+$/.test(n) || (hosts.get(n)?.index ?? null) !== null;
  return {
    lanes,
    labels: lanes.map((n) => laneLabel(n, hosts)),
    peerLanes: lanes.filter(isPeerLane).length,
    byName: (n) => laneOf.get(n) ?? 0,
    isPeerLane,
  };
}

/**
 * The model under construction and what drawing it needs to remember across events: open
 * bands, RPCs by id, roles and links per lane. Each draw style of the registry
 * (runtime/trace-kinds.ts) has one handler below that adds an event to it.
 */
class TimelineBuilder {
  private readonly methodIdx = new Map<string, number>();
  private readonly kindIdx = new Map<string, number>();
  private readonly rpcById = new Map<number, number>();
  readonly unknown = new Set<string>();
  /** Open bands per lane and band kind. */
  private readonly open = new Map<string, { t0: number; label: string; ev: number }>();
  /** Role, per lane: the reference's "role" events know candidates; the harness's "state" only leadership. */
  private readonly role = new Map<number, { term: number | null; role: string }>();
  /** Links: each end's state; a pair of server lanes is cut when none of its ends is on. */
  private readonly ends = new Map<string, { from: number; to: number; on: boolean }>();
  private readonly serverLanes = new Set<number>();
  /** How many ends of each directed pair of server lanes are on ("from>to"); absent: never linked. */
  private readonly pairOn = new Map<string, number>();

  constructor(
    readonly m: TimelineModel,
    private readonly ix: LaneIndex,
  ) {
    ix.lanes.forEach((n, i) => {
      if (ix.isPeerLane(n)) this.serverLanes.add(i);
    });
  }

  lane(p: string | number): number {
    return this.ix.byName(laneName(p));
  }

  evLane(e: TraceEvent): number {
    return this.ix.byName(eventLane(e));
  }

  /** Open, change or (label null) close the band of one kind on one lane. */
  setBand(ln: number, kind: number, t: number, label: string | null, ev: number): void {
    const key = `${ln}:${kind}`;
    const cur = this.open.get(key);
    if (cur !== undefined && cur.label === label) return;
    if (cur !== undefined) {
      if (t > cur.t0) this.pushBand(ln, kind, cur.t0, t, cur.label, cur.ev);
      this.open.delete(key);
    }
    if (label !== null) this.open.set(key, { t0: t, label, ev });
  }

  private pushBand(ln: number, kind: number, t0: number, t1: number, label: string, ev: number): void {
    const b = this.m.bands;
    b.lane.push(ln);
    b.t0.push(t0);
    b.t1.push(t1);
    b.kind.push(kind);
    b.label.push(label);
    b.ev.push(ev);
  }

  /** Close every band still open at the end of the trace. */
  closeBands(): void {
    for (const [key, b] of this.open) {
      const [ln, kind] = key.split(":").map(Number) as [number, number];
      if (this.m.tMax > b.t0) this.pushBand(ln, kind, b.t0, this.m.tMax, b.label, b.ev);
    }
  }

  /** A mark for event i, drawn as its kind's registry entry says (a plain one for an unknown kind). */
  mark(i: number, e: TraceEvent): void {
    const m = this.m;
    const spec: TraceKindSpec | undefined = isTraceKind(e.ev) ? TRACE_KINDS[e.ev] : undefined;
    let k = this.kindIdx.get(e.ev);
    if (k === undefined) {
      k = m.markKinds.length;
      const style = spec?.mark ?? UNKNOWN_MARK;
      m.markKinds.push(e.ev);
      m.markGlyphs.push(style.glyph);
      m.markColors.push(style.color);
      this.kindIdx.set(e.ev, k);
    }
    const dimUnless = spec?.mark?.dimUnless;
    m.marks.t.push(e.t);
    m.marks.lane.push(this.evLane(e));
    m.marks.kind.push(k);
    m.marks.ev.push(i);
    m.marks.dim.push(dimUnless !== undefined && e[dimUnless] !== true ? 1 : 0);
  }

  rpcSend(i: number, e: TraceEvent): void {
    const m = this.m;
    const id = num(e.id);
    const meth = typeof e.m === "string" ? e.m : "?";
    let mi = this.methodIdx.get(meth);
    if (mi === undefined) {
      mi = m.methods.length;
      m.methods.push(meth);
      this.methodIdx.set(meth, mi);
    }
    const r = m.rpc.send.length;
    m.rpc.send.push(e.t);
    m.rpc.deliver.push(-1);
    m.rpc.end.push(-1);
    m.rpc.from.push(this.evLane(e));
    m.rpc.to.push(typeof e.to === "number" || typeof e.to === "string" ? this.lane(e.to) : -1);
    m.rpc.method.push(mi);
    m.rpc.status.push(RPC_PENDING);
    m.rpc.ev.push(i);
    m.rpc.endEv.push(-1);
    if (id !== null) this.rpcById.set(id, r);
  }

  /** The RPC a delivery, reply or drop belongs to; undefined (and a mark) when its send is before the trace's start (a cut trace). */
  private rpcOf(i: number, e: TraceEvent): number | undefined {
    const id = num(e.id);
    const r = id === null ? undefined : this.rpcById.get(id);
    if (r === undefined) this.mark(i, e);
    return r;
  }

  rpcDeliver(i: number, e: TraceEvent): void {
    const r = this.rpcOf(i, e);
    if (r !== undefined) this.m.rpc.deliver[r] = e.t;
  }

  rpcEnd(i: number, e: TraceEvent): void {
    const r = this.rpcOf(i, e);
    if (r === undefined) return;
    const rpc = this.m.rpc;
    rpc.end[r] = e.t;
    rpc.status[r] = e.ev === "reply" ? RPC_REPLIED : RPC_DROPPED;
    rpc.endEv[r] = i;
    this.rpcById.delete(num(e.id)!);
  }

  roleBand(i: number, e: TraceEvent): void {
    const ln = this.evLane(e);
    const term = num(e.term);
    let r = typeof e.role === "string" ? e.role : "?";
    const prev = this.role.get(ln);
    // getState() cannot tell a candidate from a follower: keep the reference's word for it.
    if (e.ev === "state" && r === "follower" && prev?.role === "candidate" && prev.term === term) r = "candidate";
    this.role.set(ln, { term, role: r });
    this.setBand(ln, BAND_ROLE, e.t, r === "down" ? null : `${r} t${term ?? "?"}`, i);
  }

  server(i: number, e: TraceEvent): void {
    this.setBand(this.evLane(e), BAND_DOWN, e.t, e.up === false ? "down" : null, i);
    this.mark(i, e);
  }

  link(i: number, e: TraceEvent): void {
    const from = this.evLane(e);
    const to = typeof e.to === "number" || typeof e.to === "string" ? this.lane(e.to) : -1;
    const on = e.on === true;
    const endName = String(e.end);
    const was = this.ends.get(endName);
    this.ends.set(endName, { from, to, on });
    const pair = `${from}>${to}`;
    this.pairOn.set(pair, (this.pairOn.get(pair) ?? 0) + (on ? 1 : 0) - (was?.on === true ? 1 : 0));
    if (this.serverLanes.has(from)) this.setBand(from, BAND_CUT, e.t, this.cutLabel(from), i);
    if (this.serverLanes.has(to) && to !== from) this.setBand(to, BAND_CUT, e.t, this.cutLabel(to), i);
  }

  /** A server lane's cut-link band label: "isolated", "cut →S1 ←S2", or null when every link is on. */
  private cutLabel(ln: number): string | null {
    const cutOut: number[] = [];
    const cutIn: number[] = [];
    for (const o of this.serverLanes) {
      if (o === ln) continue;
      if (this.pairOn.get(`${ln}>${o}`) === 0) cutOut.push(o);
      if (this.pairOn.get(`${o}>${ln}`) === 0) cutIn.push(o);
    }
    if (cutOut.length === 0 && cutIn.length === 0) return null;
    const n = this.serverLanes.size - 1;
    if (cutOut.length === n && cutIn.length === n) return "isolated";
    const show = (xs: number[]): string => xs.map((x) => this.ix.lanes[x]).join(",");
    return `cut${cutOut.length ? ` →${show(cutOut)}` : ""}${cutIn.length ? ` ←${show(cutIn)}` : ""}`;
  }

  op(i: number, e: TraceEvent): void {
    const key = typeof e.key === "string" ? e.key : "";
    const kind = typeof e.kind === "string" ? e.kind : "op";
    const ops = this.m.ops;
    ops.lane.push(this.evLane(e));
    ops.call.push(num(e.call) ?? e.t);
    ops.ret.push(num(e.ret) ?? e.t);
    ops.key.push(key);
    ops.label.push(kind === "get" ? `get(${key})→${String(e.output ?? "")}` : `${kind}(${key}, ${String(e.value ?? "")})`);
    ops.bad.push(0);
    ops.ev.push(i);
  }

  porcupine(i: number, e: TraceEvent): void {
    const keys = Array.isArray(e.keys) ? e.keys.filter((k): k is string => typeof k === "string") : [];
    this.m.porcupine = { keys, page: typeof e.page === "string" ? e.page : null };
    this.mark(i, e);
  }

  /** Mark the ops of the keys porcupine rejected. */
  markBadOps(): void {
    const p = this.m.porcupine;
    if (p === null) return;
    const bad = new Set(p.keys);
    this.m.ops.key.forEach((k, j) => {
      if (bad.has(k)) this.m.ops.bad[j] = 1;
    });
  }
}

type Handler = (b: TimelineBuilder, i: number, e: TraceEvent) => void;

/** One handler per draw style of the registry: a style without one is a type error. */
const HANDLERS: { readonly [S in DrawStyle]: Handler } = {
  "rpc-send": (b, i, e) => b.rpcSend(i, e),
  "rpc-deliver": (b, i, e) => b.rpcDeliver(i, e),
  "rpc-end": (b, i, e) => b.rpcEnd(i, e),
  "role-band": (b, i, e) => b.roleBand(i, e),
  server: (b, i, e) => b.server(i, e),
  link: (b, i, e) => b.link(i, e),
  op: (b, i, e) => b.op(i, e),
  porcupine: (b, i, e) => b.porcupine(i, e),
  "lane-label": () => undefined, // read when the lanes were indexed
  mark: (b, i, e) => b.mark(i, e),
};

/** The handler that draws events of kind `ev` (registered or not). */
export function handlerOf(ev: string): Handler {
  if (!isTraceKind(ev)) return (b, i, e) => {
    b.unknown.add(ev);
    b.mark(i, e);
  };
  return HANDLERS[TRACE_KINDS[ev].draw];
}

/** Build the page's model from events in trace order. */
export function buildTimeline(events: TraceEvent[], opts: ModelOptions = {}): TimelineModel {
  const warnings = [...(opts.warnings ?? [])];
  const ix = indexLanes(events);
  const m: TimelineModel = {
    title: opts.title ?? "trace",
    lanes: ix.lanes,
    laneLabels: ix.labels,
    peerLanes: ix.peerLanes,
    tMin: events.length > 0 ? events[0]!.t : 0,
    tMax: events.length > 0 ? events[events.length - 1]!.t : 1,
    failure: opts.failure ?? null,
    warnings,
    methods: [],
    markKinds: [],
    markGlyphs: [],
    markColors: [],
    rpc: { send: [], deliver: [], end: [], from: [], to: [], method: [], status: [], ev: [], endEv: [] },
    bands: { lane: [], t0: [], t1: [], kind: [], label: [], ev: [] },
    ops: { lane: [], call: [], ret: [], key: [], label: [], bad: [], ev: [] },
    marks: { t: [], lane: [], kind: [], ev: [], dim: [] },
    porcupine: null,
    events,
  };
  if (m.failure !== null && m.failure.t > m.tMax) m.tMax = m.failure.t;
  if (opts.until !== undefined && opts.until > m.tMax) m.tMax = opts.until;
  if (m.tMax <= m.tMin) m.tMax = m.tMin + 1;

  const b = new TimelineBuilder(m, ix);
  const handlers = new Map<string, Handler>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    let h = handlers.get(e.ev);
    if (h === undefined) {
      h = handlerOf(e.ev);
      handlers.set(e.ev, h);
    }
    h(b, i, e);
  }
  b.closeBands();
  b.markBadOps();
  if (b.unknown.size > 0) {
    warnings.push(`unknown event kinds, drawn as plain marks: ${[...b.unknown].sort().join(", ")}`);
  }
  return m;
}
