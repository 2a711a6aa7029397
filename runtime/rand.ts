// Seeded randomness in our own code (xoshiro128**), so a seed replays the same run
// forever, whatever Node version or library changes underneath.

/** FNV-1a over a string; used to derive independent stream seeds from (seed, name). */
function hash32(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const TWO_32 = 4294967296;

export class Rand {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = "") {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new Error(`seed must be a non-negative safe integer, got ${String(seed)}`);
    }
    const hi = Math.floor(seed / TWO_32);
    const sm = splitmix32(hash32(stream, hash32(String(hi), seed >>> 0)));
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  next32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c = (this.c ^ this.a) >>> 0;
    this.d = (this.d ^ this.b) >>> 0;
    this.b = (this.b ^ this.c) >>> 0;
    this.a = (this.a ^ this.d) >>> 0;
    this.c = (this.c ^ t) >>> 0;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 bits of precision. */
  random(): number {
    const hi = this.next32() >>> 5; // 27 bits
    const lo = this.next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), like Go's rand.Intn(n). */
  randInt(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new Error(`randInt needs a positive integer bound, got ${String(n)}`);
    }
    if (n <= TWO_32) {
      // Rejection sampling keeps the draw exactly uniform.
      const limit = TWO_32 - (TWO_32 % n);
      for (;;) {
        const x = this.next32();
        if (x < limit) return x % n;
      }
    }
    return Math.floor(this.random() * n);
  }

  /** A random non-negative safe integer (53 bits): client ids, command values. */
  nrand(): number {
    const hi = this.next32() & 0x1fffff; // 21 bits
    return hi * TWO_32 + this.next32();
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
