// Seeded generator of key/value histories that are linearizable by construction, for
// the checker's tests and benchmark: every op gets a hidden linearization point inside
// its [call, return] interval and its output comes from applying the ops in that order.
import { Rand } from "../runtime/rand.js";
import type { KvInput, KvOperation } from "./kv-model.js";

export interface KvHistoryShape {
  seed: number;
  clients: number;
  opsPerClient: number;
  /** Number of keys "0".."keys-1"; ignored with ownKey. */
  keys: number;
  /** kvraft's non-random-keys mode: client c only touches key "c". */
  ownKey?: boolean;
  /** Op mix; the rest are gets. Defaults: kvraft's random-keys mix (50 % append, 5 % put). */
  appendFraction?: number;
  putFraction?: number;
  /** Op durations are drawn in [0, maxDuration], idle gaps between a client's ops in [0, maxGap]. */
  maxDuration?: number;
  maxGap?: number;
  /** This fraction of ops hangs for up to slowDuration instead (a clerk stuck in a minority). */
  slowFraction?: number;
  slowDuration?: number;
}

export function generateKvHistory(shape: KvHistoryShape): KvOperation[] {
  const rand = new Rand(shape.seed, "porcupine-kv-history");
  const appendP = shape.appendFraction ?? 0.5;
  const putP = shape.putFraction ?? 0.05;
  const maxDur = shape.maxDuration ?? 40;
  const maxGap = shape.maxGap ?? 10;

  const ops: KvOperation[] = [];
  const points: number[] = [];
  for (let c = 0; c < shape.clients; c++) {
    let t = rand.randInt(maxGap + 1);
    for (let j = 0; j < shape.opsPerClient; j++) {
      const key = String(shape.ownKey ? c : rand.randInt(shape.keys));
      const r = rand.random();
      const input: KvInput =
        r < appendP
          ? { op: "append", key, value: `x ${c} ${j} y` }
          : r < appendP + putP
            ? { op: "put", key, value: `p ${c} ${j}` }
            : { op: "get", key, value: "" };
      const call = t + rand.randInt(maxGap + 1);
      const slow = rand.random() < (shape.slowFraction ?? 0);
      const ret = call + rand.randInt((slow ? (shape.slowDuration ?? 1000) : maxDur) + 1);
      points.push(call + rand.random() * (ret - call));
      ops.push({ clientId: c, input, call, output: { value: "" }, return: ret });
      t = ret;
    }
  }

  // Replay in linearization-point order to fill in what each get saw.
  const order = ops.map((_, k) => k).sort((a, b) => points[a]! - points[b]! || a - b);
  const store = new Map<string, string>();
  for (const k of order) {
    const { input } = ops[k]!;
    const cur = store.get(input.key) ?? "";
    if (input.op === "get") ops[k]!.output = { value: wireCopy(cur) };
    else store.set(input.key, input.op === "put" ? input.value : cur + input.value);
  }
  return ops;
}

/**
 * A fresh flat copy, as a value decoded off the wire would be. `cur` is built by
 * concatenation; handing out the concatenated string itself would make every get share
 * one deep rope, which V8 reads slowly character by character.
 */
function wireCopy(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}

/**
 * A copy of `history` in which one get (chosen by `seed`) returns a value no
 * execution can produce ('#' is never written), so the copy is not linearizable.
 * Returns the index of the changed op too; throws if the history has no get.
 */
export function corruptOneRead(history: readonly KvOperation[], seed: number): { history: KvOperation[]; index: number } {
  const gets = history.flatMap((op, k) => (op.input.op === "get" ? [k] : []));
  if (gets.length === 0) throw new Error("corruptOneRead: the history has no get");
  const index = gets[new Rand(seed, "porcupine-corrupt").randInt(gets.length)]!;
  const copy = history.map((op) => ({ ...op }));
  copy[index] = { ...copy[index]!, output: { value: copy[index]!.output.value + "#" } };
  return { history: copy, index };
}
