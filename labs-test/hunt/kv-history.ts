// The history of a key/value hunt run (kvraft, shardkv): every clerk call with its call
// and return times, what is still in flight (a hung call is reported by what it was
// doing), and porcupine's verdict on the whole history.
import { checkOperations, kvModel, writeVisualizationToTemp, type KvInput, type KvOperation } from "../../porcupine/index.js";
import { now, trace } from "../../runtime/index.js";

/** The Clerk API both kvraft's and shardkv's clerks offer. */
export interface KvClerk {
  get(key: string): Promise<string>;
  put(key: string, value: string): Promise<void>;
  append(key: string, value: string): Promise<void>;
}

/**
 * Wall ms porcupine may take on one history. An undecided check fails the run (as in the
 * graded tests), so it gets a budget that always decides on histories of this size.
 */
const CHECK_WALL_MS = 60_000;

export class KvHistory {
  readonly ops: KvOperation[] = [];
  private readonly inFlight = new Map<number, { input: KvInput; call: number }>();

  /** onDone: called with each completed call (the harness's op counter and timeline). */
  constructor(private readonly onDone?: (ck: KvClerk, op: KvOperation) => void) {}

  /** Make one call on ck as client `client` (one call at a time per client) and record it. Returns what a get read ("" otherwise). */
  async call(ck: KvClerk, client: number, input: KvInput): Promise<string> {
    const call = now();
    this.inFlight.set(client, { input, call });
    let value = "";
    if (input.op === "get") value = await ck.get(input.key);
    else if (input.op === "put") await ck.put(input.key, input.value);
    else await ck.append(input.key, input.value);
    const op: KvOperation = { clientId: client, input, call, output: { value }, return: now() };
    this.inFlight.delete(client);
    this.ops.push(op);
    this.onDone?.(ck, op);
    return value;
  }

  /** The calls still in flight, in words: "client 2: append('k1', '2.14') since 3.200 s". */
  describeInFlight(): string {
    if (this.inFlight.size === 0) return "none";
    return [...this.inFlight]
      .map(([c, { input, call }]) => `client ${c}: ${describeCall(input)} since ${(call / 1000).toFixed(3)} s`)
      .join("; ");
  }
}

function describeCall(input: KvInput): string {
  return input.op === "get" ? `get('${input.key}')` : `${input.op}('${input.key}', '${input.value}')`;
}

/**
 * Porcupine on the whole history; fails through fatal if it is not linearizable (with the
 * history's picture in a temporary file, also linked from the timeline) or if the check
 * does not decide.
 */
export function checkLinearizable(ops: readonly KvOperation[], fatal: (msg: string) => never): void {
  const res = checkOperations(kvModel, ops, CHECK_WALL_MS);
  if (res.result === "illegal") {
    let page: string | null = null;
    try {
      page = writeVisualizationToTemp(kvModel, res.info);
    } catch {
      page = null;
    }
    const keys = res.info.partitions.filter((p) => p.status === "illegal").map((p) => p.ops[0]?.input.key ?? "");
    trace("tester", "porcupine", { result: res.result, keys, page });
    fatal(`history is not linearizable (keys ${keys.join(", ")})${page === null ? "" : `; visualization in ${page}`}`);
  }
  if (res.result === "unknown") {
    fatal(`linearizability check of ${ops.length} operations did not decide within ${CHECK_WALL_MS / 1000} s (unknown counts as a failure)`);
  }
}
