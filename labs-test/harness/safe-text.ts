// Text that came from submitted code, made safe to keep and to write: well-formed Unicode
// (no lone surrogates), no NUL or other control characters but tab, newline and carriage
// return (Gradescope's results.json and JUnit's XML both choke on them), and a size cap.
// The worker applies it before a record leaves the process; the parent applies it again
// to everything it receives, since it trusts nothing a worker sends.

/** Lone UTF-16 surrogates: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** C0 controls but \t \n \r, and DEL. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** s with lone surrogates and control characters (but \t \n \r) replaced by U+FFFD. */
export function scrubText(s: string): string {
  return s.replace(LONE_SURROGATE, "\uFFFD").replace(CONTROL, "\uFFFD");
}

/**
 * s scrubbed and cut to at most maxBytes bytes of UTF-8 (a cut never splits a character),
 * with `tail` appended when it was cut (tail's bytes count within maxBytes). maxBytes ≥ 64.
 */
export function capText(s: string, maxBytes: number, tail = "\n… (cut)"): string {
  // A char is at least one UTF-8 byte: more chars than maxBytes is over the cap for sure,
  // and cutting the chars first keeps a 30 MB string from being encoded whole.
  const over = s.length > maxBytes;
  const t = scrubText(over ? s.slice(0, maxBytes) : s);
  if (!over && Buffer.byteLength(t) <= maxBytes) return t;
  const bytes = Buffer.from(t);
  let end = Math.max(0, Math.min(bytes.length, maxBytes - Buffer.byteLength(tail)));
  // Back off to a character boundary (continuation bytes are 10xxxxxx).
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8") + tail;
}

/** The first line of text, capped at maxBytes (tables and one-line reports). */
export function firstLineOf(text: string, maxBytes = 1024): string {
  const nl = text.indexOf("\n");
  return capText(nl < 0 ? text : text.slice(0, nl), maxBytes, " … (cut)");
}

/**
 * A copy of a JSON-like value with every string scrubbed (object keys too) and capped at
 * maxStringBytes. Cycles and depth beyond 50 are not expected (the values are parsed JSON)
 * and are cut to null.
 */
export function scrubDeep<T>(value: T, maxStringBytes: number): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return capText(v, maxStringBytes);
    if (v === null || typeof v !== "object" || depth > 50) return typeof v === "object" ? null : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[capText(k, 1024)] = walk(x, depth + 1);
    return out;
  };
  return walk(value, 0) as T;
}
