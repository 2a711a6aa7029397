// The UTF-8 bytes of a JSON array kept up to date as elements are appended and the tail is
// cut, so that a long array that changes at its end is not re-encoded whole: what a Raft
// log is between two persists. The codec's encode() keeps one per long array it meets
// (codec-bytes.ts); a Raft whose entries never change in place may keep one itself.

const textEncoder = new TextEncoder();
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * "[e0,e1,…" (without the "]") at byte offset `start` of a growing buffer, and where each
 * element's text ends. Bytes before `start` are the owner's (room for a header). Holds
 * no element values: the owner knows which elements the bytes stand for.
 */
export class EncodedArray {
  private buf: Uint8Array;
  /** Byte offset just after each element's text. */
  private readonly ends: number[] = [];

  /** start: bytes kept free before "[" (a header's room). */
  constructor(readonly start = 0) {
    this.buf = new Uint8Array(start + 1024);
    this.buf[start] = OPEN_BRACKET;
  }

  /** Number of elements held. */
  get count(): number {
    return this.ends.length;
  }

  /** Keep only the first `count` elements (count ≤ this.count). */
  truncate(count: number): void {
    this.ends.length = count;
  }

  /**
   * Append elements, each given as its JSON text (what JSON.stringify or the codec's
   * encodeText makes; nothing is checked here).
   */
  append(texts: readonly string[]): void {
    if (texts.length === 0) return;
    let used = this.end();
    const chunk = (this.ends.length === 0 ? "" : ",") + texts.join(",");
    this.reserve(used, Buffer.byteLength(chunk, "utf8") + 2);
    textEncoder.encodeInto(chunk, this.buf.subarray(used));
    for (let i = 0; i < texts.length; i++) {
      used += Buffer.byteLength(texts[i]!, "utf8") + (i === 0 && this.ends.length === 0 ? 0 : 1);
      this.ends.push(used);
    }
  }

  /**
   * The buffer, with "]" written after the last element and `tail` (ASCII) after it, and
   * the offset just past that tail. Valid until the next append or close.
   */
  close(tail = ""): { bytes: Uint8Array; end: number } {
    let at = this.end();
    this.reserve(at, 1 + tail.length);
    this.buf[at++] = CLOSE_BRACKET;
    for (let i = 0; i < tail.length; i++) this.buf[at++] = tail.charCodeAt(i);
    return { bytes: this.buf, end: at };
  }

  private end(): number {
    return this.ends.length === 0 ? this.start + 1 : this.ends[this.ends.length - 1]!;
  }

  private reserve(used: number, extra: number): void {
    if (used + extra <= this.buf.length) return;
    const b = new Uint8Array(Math.max(used + extra, this.buf.length * 2));
    b.set(this.buf.subarray(0, used));
    this.buf = b;
  }
}
