// The key/value model of the kvraft and shardkv tests (the course's models/kv.go).
// Each partition holds one key, so the state is that key's value (kv-state.ts: a string
// in a form that keeps long values cheap to compare and hash).
import { appendValue, emptyValue, holds, putValue, rebase, sameValue, valueOf, type KvState } from "./kv-state.js";
import type { Model, Operation } from "./model.js";

export type { KvState } from "./kv-state.js";

/** The course encodes these as Op 0, 1, 2. */
export type KvOp = "get" | "put" | "append";

export interface KvInput {
  op: KvOp;
  key: string;
  /** The value written; "" for a get. */
  value: string;
}

export interface KvOutput {
  /** What a get returned; "" for put and append. */
  value: string;
}

export type KvOperation = Operation<KvInput, KvOutput>;

export const kvModel: Model<KvState, KvInput, KvOutput> = {
  /** One partition per key, in sorted key order; each keeps the history's order. */
  partition(history) {
    const byKey = new Map<string, KvOperation[]>();
    for (const op of history) {
      const list = byKey.get(op.input.key);
      if (list === undefined) byKey.set(op.input.key, [op]);
      else list.push(op);
    }
    return [...byKey.keys()].sort(compareKeys).map((k) => byKey.get(k)!);
  },

  init() {
    return emptyValue;
  },

  step(state, input, output) {
    switch (input.op) {
      case "get":
        return holds(state, output.value) ? [true, rebase(state, output.value)] : [false, state];
      case "put":
        return [true, putValue(input.value)];
      case "append":
        return [true, appendValue(state, input.value)];
      default:
        throw new Error(`kvModel: unknown op ${JSON.stringify(input.op)}`);
    }
  },

  describeOperation(input, output) {
    switch (input.op) {
      case "get":
        return `get('${input.key}') -> '${output.value}'`;
      case "put":
        return `put('${input.key}', '${input.value}')`;
      case "append":
        return `append('${input.key}', '${input.value}')`;
      default:
        return "<invalid>";
    }
  },

  readOnly(input) {
    return input.op === "get";
  },

  equal: sameValue,

  hash(state) {
    return state.hash;
  },

  describeState: valueOf,

  describePartition(ops) {
    return ops.length > 0 ? `key '${ops[0]!.input.key}'` : "empty";
  },
};

/** Go's sort.Strings order: by UTF-16 code units here, which agrees for the tests' keys. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

