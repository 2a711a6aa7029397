// The cost model: every number that says how long the simulated network and disks take
// and how often the course's network loses, delays or reorders a message, as one value of
// the world (WorldOptions.cost, World.cost). labrpc (labrpc/network.ts), the hosts' disks
// and links (runtime/host.ts) and through them the persister read it from the world, never
// from module constants, so a run's stats record and a failure's report can say which
// model the run had, and a test can run under another one.
//
// The defaults are the values the course's labrpc.go uses and the calibration of what
// work costs; labrpc/README.md holds the one table of them with the reason for each.
// Changing a default changes every seed's run (and its trace hash).

/** A chance drawn as `rand.randInt(outOf) < hits` (the course's `rand.Int() % outOf < hits`). */
export interface Odds {
  readonly hits: number;
  readonly outOf: number;
}

export interface CostModel {
  // What work costs, in simulated mode only (runtime/host.ts; REALTIME=1 charges nothing).
  /** Disk bandwidth of every host: bytes a persister save writes per virtual ms. */
  readonly diskBytesPerMs: number;
  /** Link bandwidth of every host: bytes sent per virtual ms. */
  readonly linkBytesPerMs: number;
  /** Link time of every message besides its bytes, virtual ms. */
  readonly messageOverheadMs: number;
  /** Fixed one-way delivery time of a message, virtual ms. */
  readonly wireLatencyMs: number;
  /** A message's extra one-way time is uniform in [0, wireJitterMs) virtual ms. */
  readonly wireJitterMs: number;
  // The course's network (labrpc.go), in both modes.
  /** A call on a disabled or unconnected end fails after a uniform integer in [0, this) ms. */
  readonly deadEndTimeoutMs: number;
  /** The same with long delays on (setLongDelays). */
  readonly longDelayTimeoutMs: number;
  /** Unreliable: a request waits a uniform integer in [0, this) ms before delivery. */
  readonly unreliableDelayMs: number;
  /** Unreliable: the chance a request is lost before its handler runs. */
  readonly requestLoss: Odds;
  /** Unreliable: the chance a reply is lost after its handler ran. */
  readonly replyLoss: Odds;
  /** Long reordering: the chance a reply is held back. */
  readonly longReorder: Odds;
  /** Long reordering: a held-back reply waits this many ms plus randInt(1 + randInt(longReorderSpreadMs)). */
  readonly longReorderMinMs: number;
  /** Long reordering: the bound of the extra wait's inner draw (the course's skew toward short waits). */
  readonly longReorderSpreadMs: number;
  /** How often a call whose handler still runs checks that its server is alive, ms. */
  readonly handlerPollMs: number;
  // Ours, off unless a test turns it on (Network.setDuplicates).
  /** Duplicate mode: the chance a delivered request is delivered once more. */
  readonly duplicate: Odds;
  /** Duplicate mode: the copy arrives a uniform integer in [0, this] ms after the original. */
  readonly duplicateDelayMs: number;
}

/** Today's model: labrpc/README.md's table, and every run's unless its world says otherwise. */
export const DEFAULT_COST_MODEL: CostModel = Object.freeze({
  diskBytesPerMs: 6_000,
  linkBytesPerMs: 20_000,
  messageOverheadMs: 0.3,
  wireLatencyMs: 0.25,
  wireJitterMs: 0.5,
  deadEndTimeoutMs: 100,
  longDelayTimeoutMs: 7_000,
  unreliableDelayMs: 27,
  requestLoss: Object.freeze({ hits: 100, outOf: 1_000 }),
  replyLoss: Object.freeze({ hits: 100, outOf: 1_000 }),
  longReorder: Object.freeze({ hits: 600, outOf: 900 }),
  longReorderMinMs: 200,
  longReorderSpreadMs: 2_000,
  handlerPollMs: 100,
  duplicate: Object.freeze({ hits: 250, outOf: 1_000 }),
  duplicateDelayMs: 2_000,
});

/** The fields drawn as integers (randInt's bound): they must be positive integers. */
const INTEGER_FIELDS = new Set<keyof CostModel>(["deadEndTimeoutMs", "longDelayTimeoutMs", "unreliableDelayMs", "longReorderSpreadMs", "duplicateDelayMs"]);

/**
 * The defaults with `over`'s fields in their place, checked and frozen.
 * @throws Error naming the field when a value is not a finite number of the right kind:
 *   bandwidths and the poll interval positive, times non-negative, randInt bounds positive
 *   integers, odds integers with 0 <= hits <= outOf and outOf >= 1; or an unknown field.
 */
export function costModel(over: Partial<CostModel> = {}): CostModel {
  for (const k of Object.keys(over)) {
    if (!(k in DEFAULT_COST_MODEL)) throw new Error(`cost model: unknown field ${JSON.stringify(k)}; the fields: ${Object.keys(DEFAULT_COST_MODEL).join(", ")}`);
  }
  const m: CostModel = { ...DEFAULT_COST_MODEL, ...over };
  for (const [k, v] of Object.entries(m) as Array<[keyof CostModel, CostModel[keyof CostModel]]>) {
    if (typeof v === "object") {
      const ok = v !== null && Number.isSafeInteger(v.hits) && Number.isSafeInteger(v.outOf) && v.outOf >= 1 && v.hits >= 0 && v.hits <= v.outOf;
      if (!ok) throw new Error(`cost model: ${k} must be { hits, outOf } with integers 0 <= hits <= outOf, outOf >= 1; got ${JSON.stringify(v)}`);
      continue;
    }
    const positive = k === "diskBytesPerMs" || k === "linkBytesPerMs" || k === "handlerPollMs" || INTEGER_FIELDS.has(k);
    const ok = typeof v === "number" && Number.isFinite(v) && (positive ? v > 0 : v >= 0) && (!INTEGER_FIELDS.has(k) || Number.isSafeInteger(v));
    if (!ok) throw new Error(`cost model: ${k} must be a ${INTEGER_FIELDS.has(k) ? "positive integer" : positive ? "positive number" : "non-negative number"}, got ${JSON.stringify(v)}`);
  }
  return Object.freeze({
    ...m,
    requestLoss: Object.freeze({ ...m.requestLoss }),
    replyLoss: Object.freeze({ ...m.replyLoss }),
    longReorder: Object.freeze({ ...m.longReorder }),
    duplicate: Object.freeze({ ...m.duplicate }),
  });
}

/** Whether a chance drawn from `draw` (a stream's randInt) hits. */
export function hits(odds: Odds, draw: (n: number) => number): boolean {
  return draw(odds.outOf) < odds.hits;
}

/** One line naming every field and value (`diskBytesPerMs=6000 … requestLoss=100/1000 …`), for a failure's report. */
export function formatCostModel(m: CostModel): string {
  return (Object.entries(m) as Array<[string, number | Odds]>)
    .map(([k, v]) => `${k}=${typeof v === "number" ? v : `${v.hits}/${v.outOf}`}`)
    .join(" ");
}
