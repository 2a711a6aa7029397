import { describe, expect, it } from "vitest";
import { Rand } from "../runtime/rand.js";
import { RealClock } from "../runtime/real-clock.js";
import { checkOperations, isLinearizable } from "./checker.js";
import { corruptOneRead, generateKvHistory } from "./kv-history-gen.js";
import { kvModel, type KvOperation } from "./kv-model.js";
import type { Model, Operation } from "./model.js";

let nextClient = 0;
function kv(kind: "get" | "put" | "append", key: string, value: string, call: number, ret: number, client = nextClient++): KvOperation {
  return kind === "get"
    ? { clientId: client, input: { op: "get", key, value: "" }, call, output: { value }, return: ret }
    : { clientId: client, input: { op: kind, key, value }, call, output: { value: "" }, return: ret };
}

const verdict = (h: KvOperation[]): string => checkOperations(kvModel, h, 0).result;

describe("hand-made KV histories", () => {
  it("accepts the empty history and a sequential run", () => {
    expect(verdict([])).toBe("ok");
    expect(verdict([kv("put", "x", "a", 0, 10), kv("append", "x", "b", 20, 30), kv("get", "x", "ab", 40, 50)])).toBe("ok");
  });

  it("rejects a stale read after a completed put", () => {
    expect(verdict([kv("put", "x", "a", 0, 10), kv("get", "x", "", 20, 30)])).toBe("illegal");
  });

  it("lets a get concurrent with a put see either value", () => {
    expect(verdict([kv("put", "x", "a", 0, 10), kv("get", "x", "", 5, 15)])).toBe("ok");
    expect(verdict([kv("put", "x", "a", 0, 10), kv("get", "x", "a", 5, 15)])).toBe("ok");
    expect(verdict([kv("put", "x", "a", 0, 10), kv("get", "x", "b", 5, 15)])).toBe("illegal");
  });

  it("rejects a read that goes back after another read saw the new value", () => {
    const h = [kv("put", "x", "v", 0, 100), kv("get", "x", "v", 10, 30), kv("get", "x", "", 40, 90)];
    expect(verdict(h)).toBe("illegal");
    // Overlapping reads may disagree: the put can fall between them.
    const h2 = [kv("put", "x", "v", 0, 100), kv("get", "x", "", 10, 50), kv("get", "x", "v", 40, 90)];
    expect(verdict(h2)).toBe("ok");
  });

  it("orders concurrent appends either way, but only in one order per history", () => {
    const appends = (): KvOperation[] => [kv("append", "x", "a", 0, 50), kv("append", "x", "b", 10, 40)];
    expect(verdict([...appends(), kv("get", "x", "ab", 60, 70)])).toBe("ok");
    expect(verdict([...appends(), kv("get", "x", "ba", 60, 70)])).toBe("ok");
    expect(verdict([...appends(), kv("get", "x", "a", 60, 70)])).toBe("illegal");
    expect(verdict([...appends(), kv("get", "x", "ba", 60, 70), kv("get", "x", "ab", 80, 90)])).toBe("illegal");
    // A get in the middle pins the order.
    expect(verdict([...appends(), kv("get", "x", "b", 20, 30), kv("get", "x", "ab", 60, 70)])).toBe("illegal");
    expect(verdict([...appends(), kv("get", "x", "b", 20, 30), kv("get", "x", "ba", 60, 70)])).toBe("ok");
  });

  it("treats a return and a call at the same time as concurrent", () => {
    expect(verdict([kv("put", "x", "a", 0, 10), kv("get", "x", "", 10, 20)])).toBe("ok");
    expect(verdict([kv("put", "x", "a", 0, 10), kv("get", "x", "", 11, 20)])).toBe("illegal");
    // Zero-length operations are fine too.
    expect(verdict([kv("put", "x", "a", 5, 5), kv("get", "x", "a", 5, 5), kv("get", "x", "a", 6, 6)])).toBe("ok");
  });

  it("checks keys independently and reports per-partition status", () => {
    const h = [kv("put", "b", "1", 0, 10), kv("get", "b", "", 20, 30), kv("put", "a", "1", 0, 10), kv("get", "a", "1", 20, 30)];
    const out = checkOperations(kvModel, h, 0);
    expect(out.result).toBe("illegal");
    // Partitions come in sorted key order: "a" is ok, "b" is the illegal one.
    expect(out.info.partitions.map((p) => [p.ops[0]!.input.key, p.status])).toEqual([
      ["a", "ok"],
      ["b", "illegal"],
    ]);
    expect(out.info.partitions[0]!.linearization).toEqual([0, 1]);

    // Stop at the first illegal partition: those not yet decided stay unchecked.
    const h2 = [kv("put", "a", "1", 0, 10), kv("get", "a", "", 20, 30), kv("put", "b", "1", 0, 10)];
    expect(checkOperations(kvModel, h2, 0).info.partitions.map((p) => p.status)).toEqual(["illegal", "unchecked"]);
  });

  it("finds an illegal partition however hard the ones before it are", () => {
    // Key "a": 14 concurrent distinct appends and a get no order explains, so its search
    // must try every order (hours). Key "b", checked after it: a stale read. With no time
    // limit at all, the partitions take turns and "b" ends the check.
    const h: KvOperation[] = [];
    for (let c = 0; c < 14; c++) h.push(kv("append", "a", String.fromCharCode(97 + c), 0, 100, c));
    h.push(kv("get", "a", "nope", 200, 300, 14));
    h.push(kv("put", "b", "1", 0, 10, 15), kv("get", "b", "", 20, 30, 16));
    const out = checkOperations(kvModel, h, 0);
    expect(out.result).toBe("illegal");
    expect(out.info.partitions.map((p) => [p.ops[0]!.input.key, p.status])).toEqual([
      ["a", "unchecked"],
      ["b", "illegal"],
    ]);
    expect(out.info.partitions[1]!.partials[0]).toEqual([0]); // the picture: the put fits, the get does not
    expect(out.info.partitions[0]!.steps).toBeGreaterThan(0);
    expect(out.info.partitions[0]!.steps).toBeLessThan(10_000);
  });

  it("gives the longest linearizable prefix of an illegal partition", () => {
    const h = [kv("put", "x", "a", 0, 10), kv("append", "x", "b", 20, 30), kv("get", "x", "a", 40, 50)];
    const out = checkOperations(kvModel, h, 0);
    expect(out.result).toBe("illegal");
    expect(out.info.partitions[0]!.partials[0]).toEqual([0, 1]);
  });

  it("rejects malformed timestamps", () => {
    expect(() => verdict([kv("put", "x", "a", 10, 5)])).toThrow(/call <= return/);
    expect(() => verdict([kv("put", "x", "a", Number.NaN, 5)])).toThrow(/finite/);
  });
});

// A register of numbers, to exercise the generic parts (default partition, hash).
type RegIn = { write: number } | { read: true };
const register: Model<number, RegIn, number> = {
  init: () => 0,
  step: (s, i, o) => ("write" in i ? [true, i.write] : [o === s, s]),
  hash: (s) => s,
};

describe("a generic model", () => {
  it("uses one partition by default and prunes equal states through memoization", () => {
    // 12 concurrent writes of the same value, then an impossible read: without the
    // state memo this is 12! orders; with it, 2^12 sets at most.
    const h: Operation<RegIn, number>[] = [];
    for (let c = 0; c < 12; c++) h.push({ clientId: c, input: { write: 7 }, call: 0, output: 0, return: 100 });
    h.push({ clientId: 12, input: { read: true }, call: 200, output: 8, return: 300 });
    const out = checkOperations(register, h, 0);
    expect(out.result).toBe("illegal");
    expect(out.info.partitions).toHaveLength(1);
    h[12]!.output = 7;
    expect(isLinearizable(register, h)).toBe(true);
  });
});

/**
 * Brute force: the most ops any valid prefix holds (real time respected, the model
 * accepts it). The history is linearizable iff that is all of them; for an illegal one
 * it is what verbose mode must find.
 */
function longestPrefix(h: KvOperation[]): number {
  const n = h.length;
  const used = new Array<boolean>(n).fill(false);
  const go = (state: Map<string, string>, depth: number): number => {
    let best = depth;
    for (let i = 0; i < n; i++) {
      if (used[i] || h.some((o, j) => !used[j] && j !== i && o.return < h[i]!.call)) continue;
      const { input, output } = h[i]!;
      const cur = state.get(input.key) ?? "";
      if (input.op === "get" && output.value !== cur) continue;
      const nextState = new Map(state);
      if (input.op !== "get") nextState.set(input.key, input.op === "put" ? input.value : cur + input.value);
      used[i] = true;
      best = Math.max(best, go(nextState, depth + 1));
      used[i] = false;
    }
    return best;
  };
  return go(new Map(), 0);
}

function randomHistory(rand: Rand, n: number, keys: number): KvOperation[] {
  const h: KvOperation[] = [];
  for (let k = 0; k < n; k++) {
    const call = rand.randInt(20);
    const ret = call + rand.randInt(10);
    const key = String(rand.randInt(keys));
    const r = rand.randInt(3);
    const val = ["", "a", "b", "ab", "ba"][rand.randInt(5)]!;
    h.push(kv(r === 0 ? "get" : r === 1 ? "put" : "append", key, r === 0 ? val : ["a", "b"][rand.randInt(2)]!, call, ret, k));
  }
  return h;
}

describe("generated histories", () => {
  it("reports, for an illegal history, prefixes that replay and are as long as any can be", () => {
    const rand = new Rand(2, "porcupine-test-prefix");
    let checked = 0;
    for (let t = 0; t < 200; t++) {
      const h = randomHistory(rand, 7, 1);
      const out = checkOperations(kvModel, h, 0);
      if (out.result !== "illegal") continue;
      checked++;
      const { partials } = out.info.partitions[0]!;
      const want = longestPrefix(h);
      expect(partials[0]?.length ?? 0, JSON.stringify(h)).toBe(want);
      for (const seq of partials) {
        // Each partial is a valid prefix: real time respected, and the model accepts it.
        const done = new Set<number>();
        let state = kvModel.init();
        for (const k of seq) {
          expect(h.some((o, j) => !done.has(j) && j !== k && o.return < h[k]!.call)).toBe(false);
          const [ok, next] = kvModel.step(state, h[k]!.input, h[k]!.output);
          expect(ok).toBe(true);
          state = next;
          done.add(k);
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("agrees with brute force on small random histories", () => {
    const rand = new Rand(1, "porcupine-test-brute");
    let illegal = 0;
    for (let t = 0; t < 300; t++) {
      const h = randomHistory(rand, 6, 2);
      const want = longestPrefix(h) === h.length;
      if (!want) illegal++;
      expect(verdict(h), JSON.stringify(h)).toBe(want ? "ok" : "illegal");
    }
    // The sample must exercise both answers.
    expect(illegal).toBeGreaterThan(30);
    expect(illegal).toBeLessThan(270);
  });

  it("accepts sequential runs with overlapping intervals, and rejects one changed read", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const h = generateKvHistory({ seed, clients: 4, opsPerClient: 40, keys: 2 });
      expect(verdict(h)).toBe("ok");
      const bad = corruptOneRead(h, seed);
      const out = checkOperations(kvModel, bad.history, 0);
      expect(out.result).toBe("illegal");
      const badKey = bad.history[bad.index]!.input.key;
      expect(out.info.partitions.find((p) => p.status === "illegal")!.ops[0]!.input.key).toBe(badKey);
    }
  });

  // Its speed is a benchmark (npm run bench:porcupine), not a timed test: the machine's load
  // would decide a wall-clock bound. The search's steps are exact for a history, and a search
  // that lost its pruning (memo, P-compositionality) would take orders of magnitude more.
  it("decides a large history (15 clients, 6000 ops, 10 keys) in a bounded number of search steps", () => {
    const h = generateKvHistory({ seed: 42, clients: 15, opsPerClient: 400, keys: 10, maxDuration: 60, maxGap: 5 });
    expect(h).toHaveLength(6000);
    const steps = (r: ReturnType<typeof checkOperations>): number => r.info.partitions.reduce((n, p) => n + p.steps, 0);
    const good = checkOperations(kvModel, h, 60_000);
    expect(good.result).toBe("ok");
    expect(good.info.partitions).toHaveLength(10);
    // About 52,000 today: 9 steps per operation.
    expect(steps(good)).toBeLessThan(100_000);

    const bad = checkOperations(kvModel, corruptOneRead(h, 7).history, 60_000);
    expect(bad.result).toBe("illegal");
    expect(steps(bad)).toBeLessThan(100_000);
  });

  it("returns unknown when the budget is too small for a hard history", () => {
    // 14 concurrent distinct appends, then a get no order explains: the search has to
    // try every order (the states differ), far more than the 200 ms budget allows.
    const h: KvOperation[] = [];
    for (let c = 0; c < 14; c++) h.push(kv("append", "x", String.fromCharCode(97 + c), 0, 100, c));
    h.push(kv("get", "x", "nope", 200, 300, 14));
    const clock = new RealClock();
    // An easy partition beside it, first in key order so that it gets its first slice of
    // steps before the hard one can use up the budget (on a loaded machine one slice of the
    // hard one may outlast the whole budget): decided, and still ok.
    h.push(kv("put", "a", "1", 0, 10, 15));
    const out = checkOperations(kvModel, h, 200);
    expect(out.result).toBe("unknown");
    // The budget ends the search: the full one would try 14! orders, hours of work.
    expect(clock.now()).toBeLessThan(10_000);
    expect(out.info.partitions.map((p) => p.ops[0]!.input.key)).toEqual(["a", "x"]);
    expect(out.info.partitions.map((p) => p.status)).toEqual(["ok", "unknown"]);
  });
});
