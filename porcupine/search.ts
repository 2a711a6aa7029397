// Wing & Gong's search with Lowe's just-in-time linearization and memoization, for one
// partition. The scan walks the events of the ops not yet linearized (event-list.ts):
// a call whose step fits in a new (linearized set, state) is linearized and the scan
// restarts; meeting a return means that op can no longer be placed, so the search
// backtracks to its last choice. A search runs in slices of steps (run()), so that the
// checker can share one budget among partitions and stop at the first illegal one.
import { Bitset } from "./bitset.js";
import { EventList } from "./event-list.js";
import { Memo } from "./memo.js";
import type { FullModel, Operation } from "./model.js";

export type Verdict = "ok" | "illegal" | "unknown";

export interface SearchResult {
  verdict: Verdict;
  /** When ok: a full linearization, as indices into the partition's ops. */
  linearization: number[] | undefined;
  /**
   * Verbose runs: the distinct "longest linearizable prefix containing op i" sequences
   * (indices into ops), longest first. When ok: just the linearization.
   */
  partials: number[][];
  /** Search loop iterations and memo entries, for benchmarks. */
  steps: number;
  memoSize: number;
}

export interface SearchOptions {
  /** Record longest prefixes (costs O(stack) per backtrack); needed for the visualization. */
  verbose: boolean;
  /** True once the time budget is spent; polled every POLL_EVERY iterations. */
  expired: () => boolean;
}

/** How often (in steps) a search polls expired(). */
export const POLL_EVERY = 1024;

/** A search in progress: run() advances it by a number of steps. */
export interface PartitionSearch {
  /**
   * Search on for at most maxSteps steps (Infinity: to the end), polling expired() every
   * POLL_EVERY steps. Returns the result once decided ("unknown" if expired() said so),
   * else undefined (call again to go on).
   */
  run(maxSteps: number, expired: () => boolean): SearchResult | undefined;
  /** Steps taken and memo entries so far. */
  readonly steps: number;
  readonly memoSize: number;
}

/** Search a partition to the end (or until opts.expired()). */
export function searchPartition<S, I, O>(model: FullModel<S, I, O>, ops: readonly Operation<I, O>[], opts: SearchOptions): SearchResult {
  return startSearch(model, ops, opts.verbose).run(Infinity, opts.expired)!;
}

/** A search of one partition, not yet started: run() it in slices. verbose: as in SearchOptions. */
export function startSearch<S, I, O>(model: FullModel<S, I, O>, ops: readonly Operation<I, O>[], verbose: boolean): PartitionSearch {
  const opts = { verbose };
  const n = ops.length;
  const list = new EventList(ops);
  const { next, opOf, isCall, byId } = list;
  const inputs = byId.map((k) => ops[k]!.input);
  const outputs = byId.map((k) => ops[k]!.output);
  const readOnly = Uint8Array.from(byId, (k) => (model.readOnly?.(ops[k]!.input, ops[k]!.output) ? 1 : 0));

  const bits = new Bitset(n);
  const memo = new Memo<S>(model.customEqual ? model.equal : undefined, model.hash);
  const stackNode: number[] = [];
  const stackState: S[] = [];
  let state = model.init();

  // Verbose: longest[id] is the longest prefix seen so far that contains op id, and
  // covered[k] says every op at stack positions <= k already has a prefix that long
  // (non-increasing in k), so a backtrack only visits the top of the stack that changed.
  const longest: (number[] | undefined)[] = opts.verbose ? new Array<number[] | undefined>(n) : [];
  const covered: number[] = [];
  const recordPrefix = (): void => {
    const len = stackNode.length;
    let seq: number[] | undefined;
    for (let k = len - 1; k >= 0 && covered[k]! < len; k--) {
      covered[k] = len;
      const id = opOf[stackNode[k]!]!;
      const cur = longest[id];
      if (cur === undefined || cur.length < len) {
        seq ??= stackNode.map((x) => byId[opOf[x]!]!);
        longest[id] = seq;
      }
    }
  };
  const result = (verdict: Verdict, steps: number): SearchResult => {
    let linearization: number[] | undefined;
    let partials: number[][];
    if (verdict === "ok") {
      linearization = stackNode.map((x) => byId[opOf[x]!]!);
      partials = [linearization];
    } else {
      partials = [...new Set(longest.filter((s): s is number[] => s !== undefined))];
      partials.sort((a, b) => b.length - a.length);
    }
    return { verdict, linearization, partials, steps, memoSize: memo.size };
  };

  // In a fresh configuration, start with a read that fits, if one is pending: by the
  // argument below, it is the only branch worth taking.
  const firstChoice = (): number => {
    for (let x = next[0]!; x !== 0 && isCall[x] === 1; x = next[x]!) {
      const id = opOf[x]!;
      if (readOnly[id] === 1 && model.step(state, inputs[id]!, outputs[id]!)[0]) return x;
    }
    return next[0]!;
  };

  let steps = 0;
  let e = firstChoice();
  let done: SearchResult | undefined;

  const run = (maxSteps: number, expired: () => boolean): SearchResult | undefined => {
    if (done !== undefined) return done;
    const stop = steps + maxSteps;
    while (next[0] !== 0) {
      if (steps >= stop) return undefined;
      if (++steps % POLL_EVERY === 0 && expired()) return (done = result("unknown", steps));
      let dead: boolean;
      if (isCall[e] === 1) {
        const id = opOf[e]!;
        const [ok, after] = model.step(state, inputs[id]!, outputs[id]!);
        if (!ok) {
          e = next[e]!;
          continue;
        }
        bits.set(id);
        if (memo.add(bits, after)) {
          stackNode.push(e);
          stackState.push(state);
          if (opts.verbose) covered.push(0);
          state = after;
          list.lift(e);
          e = firstChoice();
          continue;
        }
        bits.clear(id);
        // A read that fits here could go first in any completion (it changes nothing, and
        // nothing pending must precede it), so if its branch failed, so does this
        // configuration.
        dead = readOnly[id] === 1;
        if (!dead) {
          e = next[e]!;
          continue;
        }
      } else {
        // A return: that op could not be placed in time.
        if (opts.verbose) recordPrefix();
      }
      // Backtrack; past a read, keep going (by the same argument).
      do {
        if (stackNode.length === 0) return (done = result("illegal", steps));
        const c = stackNode.pop()!;
        state = stackState.pop()!;
        if (opts.verbose) covered.pop();
        bits.clear(opOf[c]!);
        list.unlift(c);
        e = next[c]!;
        dead = readOnly[opOf[c]!] === 1;
      } while (dead);
    }
    return (done = result("ok", steps));
  };
  return {
    run,
    get steps() {
      return steps;
    },
    get memoSize() {
      return memo.size;
    },
  };
}
