// The set of linearized operations during the search. Ids are numbered in call order,
// so the set is almost always "a full prefix plus a few recent ops": we track the run of
// full leading words and the highest non-empty word, and a stored copy keeps only the
// words between them. The hash is Zobrist-style (XOR of a fixed pseudo-random value per
// id), updated in O(1) on every set/clear.

const FULL = 0xffffffff;

/** Deterministic 32-bit mixer (splitmix/murmur finalizer), so the hash needs no RNG. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export class Bitset {
  private readonly words: Uint32Array;
  private readonly zobrist: Uint32Array;
  private full = 0; // words [0, full) are all ones
  private top = -1; // highest non-zero word, -1 when empty
  private h = 0;
  private count = 0;

  constructor(readonly size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
    this.zobrist = new Uint32Array(size);
    for (let i = 0; i < size; i++) this.zobrist[i] = mix32(Math.imul(i + 1, 0x9e3779b9));
  }

  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  get popcount(): number {
    return this.count;
  }

  set(i: number): void {
    const w = i >>> 5;
    const bit = 1 << (i & 31);
    const old = this.words[w]!;
    if ((old & bit) !== 0) return;
    this.words[w] = old | bit;
    this.h ^= this.zobrist[i]!;
    this.count++;
    if (w > this.top) this.top = w;
    if (w === this.full) {
      while (this.full < this.words.length && this.words[this.full] === FULL) this.full++;
    }
  }

  clear(i: number): void {
    const w = i >>> 5;
    const bit = 1 << (i & 31);
    const old = this.words[w]!;
    if ((old & bit) === 0) return;
    const now = (old & ~bit) >>> 0;
    this.words[w] = now;
    this.h ^= this.zobrist[i]!;
    this.count--;
    if (w < this.full) this.full = w;
    if (w === this.top && now === 0) {
      while (this.top >= 0 && this.words[this.top] === 0) this.top--;
    }
  }

  /** A 30-bit hash (a small integer, the fastest Map key); `salt` mixes in a state hash. */
  key(salt = 0): number {
    return (this.h ^ salt) >>> 2;
  }

  /** Leading words that are all ones; a stored copy keeps only the words after them. */
  get fullWords(): number {
    return this.full;
  }

  get activeWords(): number {
    return Math.max(0, this.top + 1 - this.full);
  }

  copyActiveWords(dst: Uint32Array, at: number): void {
    dst.set(this.words.subarray(this.full, this.full + this.activeWords), at);
  }

  /** Equal to the set stored as (full, src[off .. off+len))? */
  equalsWords(full: number, src: Uint32Array, off: number, len: number): boolean {
    if (full !== this.full || len !== this.activeWords) return false;
    for (let k = 0; k < len; k++) {
      if (src[off + k] !== this.words[this.full + k]) return false;
    }
    return true;
  }
}
