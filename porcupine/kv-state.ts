// One key's value as the KV model's state. A plain string would do, but a search over
// long values (thousands of appends to one key) would then copy the whole value on every
// get (V8 flattens a concatenated string to compare it) and keep every copy alive in the
// memo table. Instead a value is a base string plus the pieces appended since, newest
// first; a get that matches re-bases the state on the string it returned (already in
// the history), so comparing is one memcmp-like pass that copies nothing.
// A polynomial hash (mod 2^32), extended per append, lets the memo tell states apart.

interface Piece {
  readonly text: string;
  readonly prev: Piece | null;
}

export interface KvState {
  readonly base: string;
  /** Appended after base, newest first. */
  readonly tail: Piece | null;
  readonly length: number;
  readonly hash: number;
}

const P = 0x01000193;

/** The hash of s, and P^length(s), which extends a hash by s. */
function hashed(s: string): { hash: number; pow: number } {
  let hash = 0;
  let pow = 1;
  for (let i = 0; i < s.length; i++) {
    hash = (Math.imul(hash, P) + s.charCodeAt(i)) | 0;
    pow = Math.imul(pow, P);
  }
  return { hash, pow };
}

export const emptyValue: KvState = { base: "", tail: null, length: 0, hash: 0 };

export function putValue(v: string): KvState {
  return { base: v, tail: null, length: v.length, hash: hashed(v).hash };
}

export function appendValue(s: KvState, v: string): KvState {
  const h = hashed(v);
  return {
    base: s.base,
    tail: { text: v, prev: s.tail },
    length: s.length + v.length,
    hash: (Math.imul(s.hash, h.pow) + h.hash) | 0,
  };
}

/** Does the state hold exactly v? */
export function holds(s: KvState, v: string): boolean {
  if (v.length !== s.length) return false;
  let end = v.length;
  for (let p = s.tail; p !== null; p = p.prev) {
    end -= p.text.length;
    if (!occursAt(v, end, p.text)) return false;
  }
  return occursAt(v, 0, s.base);
}

// slice + === compares like memcmp; startsWith(x, at) goes character by character in
// V8 and was 40 times slower on long values.
function occursAt(v: string, at: number, x: string): boolean {
  return v.slice(at, at + x.length) === x;
}

/** The same value, with v (which it holds) as its base: no pieces left to compare. */
export function rebase(s: KvState, v: string): KvState {
  return s.tail === null && s.base === v ? s : { base: v, tail: null, length: s.length, hash: s.hash };
}

export function sameValue(a: KvState, b: KvState): boolean {
  if (a === b) return true;
  if (a.hash !== b.hash || a.length !== b.length) return false;
  if (a.tail === null) return holds(b, a.base);
  if (b.tail === null) return holds(a, b.base);
  // Usually the same pieces on the same base (ops reached in another order that ended
  // the same way); otherwise spell both out.
  let p: Piece | null = a.tail;
  let q: Piece | null = b.tail;
  while (p !== null && q !== null && p.text === q.text) {
    p = p.prev;
    q = q.prev;
  }
  if (p === null && q === null && a.base === b.base) return true;
  return valueOf(a) === valueOf(b);
}

export function valueOf(s: KvState): string {
  const parts: string[] = [];
  for (let p = s.tail; p !== null; p = p.prev) parts.push(p.text);
  parts.push(s.base);
  return parts.reverse().join("");
}
