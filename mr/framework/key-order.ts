// Go sorts strings byte-wise (UTF-8), JavaScript by UTF-16 code unit. The two agree
// except when a surrogate half meets a code unit in U+E000..U+FFFF, so only that case
// gets adjusted: UTF-8 byte order is code point order.

function rank(unit: number): number {
  if (unit < 0xd800) return unit;
  // Surrogates (astral code points) sort after every BMP character.
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

/** Byte-wise comparison of the UTF-8 encodings of a and b, like Go's a < b. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < 0xd800 && y < 0xd800 ? x - y : rank(x) - rank(y);
  }
  return a.length - b.length;
}
