// Lowe's memoization: the search never explores the same (set of linearized ops, model
// state) twice, because everything after that point would repeat. Entries live in flat
// typed arrays (no object per entry: the search adds one per step, and garbage
// collection was most of its time); buckets are keyed by the bitset's hash (plus the
// model's state hash, if it has one) and chained. A hit needs equal bitsets and states.
import type { Bitset } from "./bitset.js";

// Past this many entries in one chain (one set of ops reached in many states, e.g.
// concurrent appends in every order), the bucket is indexed by state, when `===` is
// the state equality.
const SCAN_LIMIT = 8;

export class Memo<S> {
  private readonly heads = new Map<number, number>(); // bucket -> first entry, or -1: see byState
  private readonly byState = new Map<number, Map<S, number>>();
  private readonly equal: (a: S, b: S) => boolean;
  private readonly byIdentity: boolean;

  // Entry e: its bitset is words[off[e] .. off[e]+len[e]) after full[e] full words.
  private full: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private off: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private len: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private next: Int32Array<ArrayBuffer> = new Int32Array(1024); // next entry in the chain, -1 at the end
  private readonly states: S[] = [];
  private words: Uint32Array<ArrayBuffer> = new Uint32Array(4096);
  private used = 0;
  size = 0;

  /** `equal` undefined means `===` (so states can key a Map; NaN then equals NaN). */
  constructor(
    equal: ((a: S, b: S) => boolean) | undefined,
    private readonly hash: ((s: S) => number) | undefined,
  ) {
    this.equal = equal ?? ((a, b) => a === b);
    this.byIdentity = equal === undefined;
  }

  /** Record (bits, state); false when that pair was already seen. */
  add(bits: Bitset, state: S): boolean {
    const key = bits.key(this.hash ? this.hash(state) : 0);
    const head = this.heads.get(key);
    if (head === undefined) {
      this.heads.set(key, this.push(bits, state, -1));
      return true;
    }
    if (head === -1) {
      const m = this.byState.get(key)!;
      const first = m.get(state);
      if (first !== undefined && this.find(first, bits, state)) return false;
      m.set(state, this.push(bits, state, first ?? -1));
      return true;
    }
    if (this.find(head, bits, state)) return false;
    const e = this.push(bits, state, head);
    this.heads.set(key, e);
    if (this.byIdentity && this.chainLength(e) > SCAN_LIMIT) this.index(key, e);
    return true;
  }

  private find(first: number, bits: Bitset, state: S): boolean {
    for (let e = first; e !== -1; e = this.next[e]!) {
      if (bits.equalsWords(this.full[e]!, this.words, this.off[e]!, this.len[e]!) && this.equal(this.states[e]!, state)) {
        return true;
      }
    }
    return false;
  }

  private chainLength(first: number): number {
    let n = 0;
    for (let e = first; e !== -1; e = this.next[e]!) n++;
    return n;
  }

  /** Re-file one long chain under its states. */
  private index(key: number, first: number): void {
    const m = new Map<S, number>();
    for (let e = first; e !== -1; ) {
      const after = this.next[e]!;
      const s = this.states[e]!;
      this.next[e] = m.get(s) ?? -1;
      m.set(s, e);
      e = after;
    }
    this.heads.set(key, -1);
    this.byState.set(key, m);
  }

  private push(bits: Bitset, state: S, chain: number): number {
    const e = this.size++;
    if (e === this.full.length) {
      this.full = grow(this.full);
      this.off = grow(this.off);
      this.len = grow(this.len);
      this.next = grow(this.next);
    }
    const n = bits.activeWords;
    while (this.used + n > this.words.length) {
      const w = new Uint32Array(this.words.length * 2);
      w.set(this.words);
      this.words = w;
    }
    bits.copyActiveWords(this.words, this.used);
    this.full[e] = bits.fullWords;
    this.off[e] = this.used;
    this.len[e] = n;
    this.next[e] = chain;
    this.states.push(state);
    this.used += n;
    return e;
  }
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
