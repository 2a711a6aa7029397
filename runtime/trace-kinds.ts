// The registry of trace event kinds: for every kind the framework or our reference emits,
// its lane, its fields and their types, who emits it, and how the timeline page draws it.
// It is the one list: trace() and Tracer.event() accept only its kinds, with its fields
// (a misspelled kind or field is a type error), the timeline (labs-test/vis/) draws each
// kind by its `draw` entry (a kind without one would be a type error there), and
// labs-test/vis/README.md's table of kinds is checked against it (labs-test/vis/kinds.test.ts,
// which also finds every literal kind an emitter passes in the source and looks it up here).
// A student's own kinds go through traceOwn(): drawn as plain marks and listed on the page.

/** A field's type: a JSON number, string or boolean, a lane name (a peer index or a name), anything; `?` optional, `|null` nullable. */
type FieldType = "number" | "string" | "boolean" | "name" | "unknown";
type FieldSpec = FieldType | `${FieldType}?` | `${FieldType}|null`;

/** A mark's shape on its lane. */
export type MarkGlyph = "square" | "triangle" | "tick" | "diamond" | "cross";

/**
 * How the timeline draws a kind (labs-test/vis/timeline-model.ts has one handler for each):
 * rpc-send starts an RPC's arrow, rpc-deliver/rpc-end move its head and end it; role-band
 * sets a lane's role-and-term band; server opens or closes a lane's "down" band (and marks
 * it); link updates the cut-link bands; op is a clerk's call-to-return bar; porcupine names
 * the keys porcupine rejected (and marks it); lane-label names a lane; mark is a glyph.
 */
export type DrawStyle = "rpc-send" | "rpc-deliver" | "rpc-end" | "role-band" | "server" | "link" | "op" | "porcupine" | "lane-label" | "mark";

export interface TraceKindSpec {
  /** Whose lane it is on. */
  readonly lane: string;
  /** Its fields (besides t, peer, host, ev) and their types. */
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Who emits it. */
  readonly from: string;
  /** What it means, in a few words. */
  readonly about: string;
  readonly draw: DrawStyle;
  /**
   * A kind drawn with a mark (draw "mark", "server", "porcupine"): its shape and colour. Any
   * other kind that ends up a mark (an RPC step whose send is before a cut trace's start)
   * is a plain square.
   */
  readonly mark?: {
    readonly glyph: MarkGlyph;
    readonly color: string;
    /** A field written beside the glyph, after `prefix`. */
    readonly text?: string;
    readonly prefix?: string;
    /** The mark is faint unless this boolean field is true. */
    readonly dimUnless?: string;
  };
}

const square = (color: string) => ({ glyph: "square", color }) as const;

export const TRACE_KINDS = {
  // labrpc
  rpc: { lane: "sender", fields: { id: "number", to: "name|null", m: "string", bytes: "number" }, from: "labrpc", about: "a call sent (m: Service.Method)", draw: "rpc-send" },
  deliver: { lane: "receiver", fields: { id: "number" }, from: "labrpc", about: "the request reaches its server; the handler starts", draw: "rpc-deliver" },
  reply: { lane: "sender", fields: { id: "number", bytes: "number" }, from: "labrpc", about: "the reply is back", draw: "rpc-end" },
  drop: { lane: "sender", fields: { id: "number", why: "string" }, from: "labrpc", about: "the call failed: link down, no server, request lost, reply lost, server dead or link down, network cleaned up", draw: "rpc-end" },
  link: { lane: "end's owner", fields: { end: "name", to: "name|null", on: "boolean" }, from: "labrpc `enable`", about: "one direction of a link turned on or off", draw: "link" },
  server: { lane: "server", fields: { up: "boolean" }, from: "labrpc", about: "a server added or deleted (crash and restart)", draw: "server", mark: square("#444") },
  duplicate: { lane: "server", fields: { id: "number", m: "string" }, from: "labrpc duplicate mode", about: "a request delivered a second time; its reply goes nowhere", draw: "mark", mark: square("#b06000") },
  "duplicate-error": { lane: "server", fields: { id: "number", err: "string" }, from: "labrpc duplicate mode", about: "the handler of a duplicated request threw", draw: "mark", mark: square("#d00") },
  // the persister and the runtime
  persist: { lane: "peer", fields: { state: "number", snapshot: "number?" }, from: "persister", about: "a save: bytes of state and snapshot", draw: "mark", mark: { glyph: "tick", color: "#999" } },
  note: { lane: "any", fields: { text: "string" }, from: "`annotate(text)`, `annotatePeer(me, text)`", about: "a note, written on the lane", draw: "mark", mark: { glyph: "diamond", color: "#d4a000", text: "text" } },
  host: { lane: "host", fields: { group: "string", index: "number?" }, from: "harness (`World.nameHost`)", about: "a named machine (Lab 4's `ctrler0`, `server-101-2`, `ck3`): the lane's label", draw: "lane-label" },
  // the harnesses
  state: { lane: "peer", fields: { term: "number|null", role: "string" }, from: "harness: getState() after each RPC sent or handled, crash, restart, (dis)connect", about: "role (leader, follower, down) and term, when they changed", draw: "role-band" },
  "start-call": { lane: "peer", fields: { cmd: "string", index: "number", term: "number", isLeader: "boolean" }, from: "harness (raft)", about: "a Start() call and what it returned", draw: "mark", mark: { glyph: "square", color: "#1f5fbf", dimUnless: "isLeader" } },
  applied: { lane: "peer", fields: { index: "number|null", cmd: "string?", snapshot: "boolean?" }, from: "harness's applier (raft)", about: "an ApplyMsg received: a command, or a snapshot", draw: "mark", mark: { glyph: "triangle", color: "#2a9d3a" } },
  crash: { lane: "tester", fields: { i: "number" }, from: "raft harness", about: "peer i crashed", draw: "mark", mark: square("#7a3fb0") },
  start: { lane: "tester", fields: { i: "number" }, from: "raft harness", about: "peer i started", draw: "mark", mark: square("#7a3fb0") },
  connect: { lane: "tester", fields: { i: "number" }, from: "raft harness", about: "peer i connected", draw: "mark", mark: square("#7a3fb0") },
  disconnect: { lane: "tester", fields: { i: "number" }, from: "raft harness", about: "peer i disconnected", draw: "mark", mark: square("#7a3fb0") },
  unreliable: { lane: "tester", fields: { on: "boolean" }, from: "raft harness", about: "the network made unreliable or reliable", draw: "mark", mark: square("#7a3fb0") },
  "long-reordering": { lane: "tester", fields: { on: "boolean" }, from: "raft harness", about: "long reordering on or off", draw: "mark", mark: square("#7a3fb0") },
  op: { lane: "clerk (`ck0`…)", fields: { kind: "string", key: "string", value: "string", output: "string", call: "number", ret: "number" }, from: "kvraft and shardkv test helpers", about: "one completed Clerk call, call to return", draw: "op" },
  porcupine: { lane: "tester", fields: { result: "string", keys: "unknown", page: "string|null" }, from: "kvraft's linearizability check, on failure", about: "porcupine's verdict and the keys it rejected", draw: "porcupine", mark: square("#d00") },
  safety: { lane: "each peer a violation names", fields: { rule: "string", group: "string", text: "string" }, from: "the safety monitors", about: "a broken rule, at the event that broke it", draw: "mark", mark: { glyph: "cross", color: "#d00", text: "rule", prefix: "safety: " } },
  // our reference solutions
  role: { lane: "peer", fields: { term: "number", role: "string" }, from: "reference Raft", about: "role change, candidates included", draw: "role-band" },
  commit: { lane: "peer", fields: { index: "number" }, from: "reference Raft", about: "commit index advanced", draw: "mark", mark: square("#0a7") },
  apply: { lane: "peer", fields: { index: "number", snapshot: "boolean?" }, from: "reference Raft", about: "an ApplyMsg sent", draw: "mark", mark: { glyph: "triangle", color: "#5b5" } },
  snapshot: { lane: "peer", fields: { index: "number" }, from: "reference Raft", about: "log compacted through index", draw: "mark", mark: square("#7a3fb0") },
  killed: { lane: "peer", fields: { term: "number" }, from: "reference Raft", about: "Kill() called", draw: "mark", mark: square("#7a3fb0") },
  "kv-apply": { lane: "peer", fields: { index: "number", term: "number" }, from: "reference kvraft", about: "an op applied to the state machine", draw: "mark", mark: square("#7a3fb0") },
  "kv-snapshot": { lane: "peer", fields: { index: "number" }, from: "reference kvraft", about: "a snapshot taken", draw: "mark", mark: square("#7a3fb0") },
  "kv-restore": { lane: "peer", fields: { index: "number", term: "number" }, from: "reference kvraft", about: "state restored from a snapshot", draw: "mark", mark: square("#7a3fb0") },
  "shardkv-config": { lane: "peer", fields: { num: "number", shards: "string" }, from: "reference shardkv", about: "a configuration installed: its number and each shard's state letter", draw: "mark", mark: square("#7a3fb0") },
} as const satisfies Record<string, TraceKindSpec>;

/** A registered kind: what trace() and Tracer.event() accept. */
export type TraceKind = keyof typeof TRACE_KINDS;

/** Every registered kind, in the registry's order. */
export const TRACE_KIND_NAMES = Object.keys(TRACE_KINDS) as TraceKind[];

/** Whether `ev` is a registered kind. */
export function isTraceKind(ev: string): ev is TraceKind {
  return Object.hasOwn(TRACE_KINDS, ev);
}

interface FieldTypes {
  number: number;
  string: string;
  boolean: boolean;
  name: string | number;
  unknown: unknown;
}
type Decode<S> = S extends `${infer B extends FieldType}|null`
  ? FieldTypes[B] | null
  : S extends `${infer B extends FieldType}?`
    ? FieldTypes[B]
    : S extends FieldType
      ? FieldTypes[S]
      : never;
type Spec<K extends TraceKind> = (typeof TRACE_KINDS)[K]["fields"];
type RequiredKeys<F> = { [P in keyof F]: F[P] extends `${string}?` ? never : P }[keyof F];
type OptionalKeys<F> = Exclude<keyof F, RequiredKeys<F>>;

/** The fields an event of kind K carries, as its registry entry types them. */
export type TraceFieldsOf<K extends TraceKind> = { -readonly [P in RequiredKeys<Spec<K>>]: Decode<Spec<K>[P]> } & {
  -readonly [P in OptionalKeys<Spec<K>>]?: Decode<Spec<K>[P]>;
};

/** trace()'s fields argument for kind K: optional when every field of K is. */
export type TraceFieldsArg<K extends TraceKind> = {} extends TraceFieldsOf<K> ? [fields?: TraceFieldsOf<K>] : [fields: TraceFieldsOf<K>];
