// encode()'s fast path, for what a Raft persists after every change: a small object around
// one long array, the log, that changed only at its end since the last persist. A full
// check and JSON.stringify of the whole log per persist was two thirds of a Lab 3 run's CPU.
//
// A long array (IMAGE_MIN_LENGTH elements or more) whose first element is an object is
// written from an *image* kept between encodings and keyed by that first element: the UTF-8
// bytes of "[e0,e1,…", and a flat record of everything those bytes were made from — for
// each element, itself, and for each object within it (depth first) its prototype, its
// number of keys or elements, each key and each value. The next array with the same first
// element (the same log, or one a student made from it by slice or concat) is compared with
// that record element by element: the longest prefix whose elements are the same objects,
// with no toJSON, the same keys and values all the way down (primitives by ===, objects by
// identity and then their own record) and, for objects, the same prototypes (an array's
// text depends on its prototype only through toJSON and holes), keeps its bytes; the
// rest is encoded afresh, each element from the text it had when last encoded (below) if it
// still reads the same, else checked and stringified. So the record is never trusted on
// identity alone: an entry changed in place, however deep, is re-encoded. Per persist that
// is one sequential pass over the record and the values it names, one stringify of the
// entries never met, and one copy of the bytes, into the array encode() returns.
//
// The bytes are always exactly the UTF-8 of the checked path's text (codec-check.ts) for the
// value as it is now. Anything else — a class instance, a Uint8Array, a value the checked
// path would refuse or warn about, an encode() called from a getter during an encode() —
// makes the image go (or not be made), and either that part is encoded by the checked
// path's quickText or, when it has a problem, the whole value by the checked path, which
// names it. Images live in a WeakMap keyed by the first element, so they go with it.
//
// encodeText()'s fast path (fastText) is the same walk making text, for what RPCs carry
// again and again: an array of objects (ELEMENTS_MIN_LENGTH or more, the entries of an
// AppendEntries, a slice of the log from some index on) is written element by element,
// each from the text it had when last encoded if it still matches its own record (kept in
// a WeakMap keyed by the element, compared as an image's elements are), else checked and
// stringified afresh.

import { QUICK_DEPTH, quickText } from "./codec-check.js";
import { EncodedArray } from "./encoded-array.js";

/**
 * Arrays at least this long are written from an image. Shorter ones are stringified whole.
 * A log that snapshots keep short (3B's maxraftstate of 1,000 bytes: about 15 entries) is
 * persisted far more often than it changes: its image pays even though every snapshot
 * gives the log a new first element. An array gets its image at its second encoding
 * (writeLong): one made for a single encoding never pays for one.
 */
export const IMAGE_MIN_LENGTH = 8;
/**
 * encodeText's arrays of objects at least this long are written element by element, each
 * from its last text when it still reads the same (elementText).
 */
export const ELEMENTS_MIN_LENGTH = 2;
/** Objects with more keys than this (a key/value store's map) are never walked for a long array. */
const WALK_MAX_KEYS = 16;

const textEncoder = new TextEncoder();
const ARRAY_PROTO = Array.prototype;
const OBJECT_PROTO = Object.prototype;

/** The UTF-8 bytes of text in a fresh array (TextEncoder.encode is several times slower on long text). */
export function utf8(text: string): Uint8Array {
  const out = new Uint8Array(Buffer.byteLength(text, "utf8"));
  textEncoder.encodeInto(text, out);
  return out;
}

/**
 * Where encode() writes: text, and views of images' bytes, in order. Nothing is copied
 * until take(), which makes the one array of exactly their length that encode() returns
 * (a Raft's state is mostly one image: the bytes are copied once, not gathered first).
 */
class Sink {
  /** Text and image views written before `pending`, in order. */
  private parts: Array<string | Uint8Array> = [];
  private pending = "";
  /** Whether parts holds a view of an image's buffer (detach() before that image changes). */
  private viewing = false;

  text(s: string): void {
    this.pending += s;
  }

  raw(bytes: Uint8Array, from: number, to: number): void {
    if (this.pending !== "") this.parts.push(this.pending);
    this.pending = "";
    this.parts.push(bytes.subarray(from, to));
    this.viewing = true;
  }

  /**
   * Copy the image views written so far: an image about to change (the same array met
   * twice in one value, or two arrays with one first element) must not change them.
   */
  detach(): void {
    if (!this.viewing) return;
    this.parts = this.parts.map((p) => (typeof p === "string" ? p : p.slice()));
    this.viewing = false;
  }

  /** The bytes written, in a fresh array of exactly their length. */
  take(): Uint8Array {
    const parts = this.parts;
    if (this.pending !== "") parts.push(this.pending);
    this.pending = "";
    let n = 0;
    for (const p of parts) n += typeof p === "string" ? Buffer.byteLength(p, "utf8") : p.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      if (typeof p === "string") at += textEncoder.encodeInto(p, out.subarray(at)).written;
      else {
        out.set(p, at);
        at += p.length;
      }
    }
    return out;
  }

  /** The text written (text mode: no image views). */
  takeText(): string {
    return this.pending;
  }

  reset(): void {
    this.parts = [];
    this.pending = "";
    this.viewing = false;
  }
}

/** An array's bytes and the flat record of what they were made from. */
interface Image {
  /** Per element: the element, then (for an object) its node: prototype, count, keys and values, nested nodes. */
  readonly record: unknown[];
  readonly arr: EncodedArray;
}

/** An element's wire text and the record of what it was made from (as an image's, for one element). */
interface ElementText {
  readonly text: string;
  readonly record: unknown[];
}

const images = new WeakMap<object, Image>();
/** First elements of long arrays encoded once without an image (writeLong). */
const seenHeads = new WeakSet<object>();
/** encodeText's texts of the elements of arrays it met, keyed by the element. */
const elementTexts = new WeakMap<object, ElementText>();
const sink = new Sink();
/** An encoding is under way (an encode() called from a getter inside it takes the checked path). */
let busy = false;
/** The encoding under way makes text (encodeText), not bytes (encode): no images then. */
let textMode = false;

/**
 * The UTF-8 bytes of value's wire text (what codec-check.ts's checkedText gives), in a
 * fresh array; undefined when the value has something the checked path must name or
 * warn about (the caller then encodes it that way).
 */
export function fastBytes(value: unknown): Uint8Array | undefined {
  if (busy) return undefined; // an encode() inside a getter: images are being read
  busy = true;
  try {
    return write(value, 0) ? sink.take() : undefined;
  } finally {
    sink.reset();
    busy = false;
  }
}

/**
 * value's wire text (what codec-check.ts's checkedText gives), the elements of its arrays
 * of objects taken from the texts they had when last encoded here if they still read the
 * same; undefined when the value has something the checked path must name or warn about.
 * An RPC's arguments often carry log entries another call has already encoded (the same
 * entries to each follower, again at the next heartbeat while a follower lags).
 */
export function fastText(value: unknown): string | undefined {
  if (busy) return undefined;
  busy = true;
  textMode = true;
  try {
    return write(value, 0) ? sink.takeText() : undefined;
  } finally {
    sink.reset();
    busy = false;
    textMode = false;
  }
}

/**
 * Write v's text to the sink; false when the checked path must see the whole value. Only
 * a long array (of objects, in text mode: ELEMENTS_MIN_LENGTH), or a small plain container
 * (depth 0 or 1) with one right in it, is taken apart; anything else is stringified whole.
 */
function write(v: unknown, depth: number): boolean {
  if (typeof v === "object" && v !== null && depth <= 2) {
    const min = textMode ? ELEMENTS_MIN_LENGTH : IMAGE_MIN_LENGTH;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === ARRAY_PROTO && !("toJSON" in v)) {
      const a = v as unknown[];
      if (isLong(a, min)) return textMode ? writeElements(a, depth) : writeLong(a, depth);
      if (depth <= 1 && holdsLong(a, min)) return writeArray(a, depth);
    } else if ((proto === OBJECT_PROTO || proto === null) && depth <= 1 && !("toJSON" in v)) {
      const keys = Object.keys(v);
      if (keys.length <= WALK_MAX_KEYS && fieldsHoldLong(v as Record<string, unknown>, keys, min)) {
        return writeObject(v as Record<string, unknown>, keys, depth);
      }
    }
  }
  return writeQuick(v, depth);
}

/** Whether a is long enough to be taken apart: at least min elements, the first an object. */
function isLong(a: unknown[], min: number): boolean {
  if (a.length < min) return false;
  const head: unknown = a[0];
  return typeof head === "object" && head !== null;
}

/** Whether one of vals is an array to take apart (isLong). */
function holdsLong(vals: readonly unknown[], min: number): boolean {
  for (const x of vals) if (Array.isArray(x) && isLong(x, min)) return true;
  return false;
}

/** holdsLong for the fields of obj (every RPC's arguments ask: no array of values made). */
function fieldsHoldLong(obj: Record<string, unknown>, keys: readonly string[], min: number): boolean {
  for (const k of keys) {
    const x = obj[k];
    if (Array.isArray(x) && isLong(x, min)) return true;
  }
  return false;
}

/** Write v's text as the checked path makes it; false when it has a problem or a class to warn about. */
function writeQuick(v: unknown, depth: number): boolean {
  const t = quickText(v, depth);
  if (t === undefined) return false;
  sink.text(t);
  return true;
}

function writeObject(obj: Record<string, unknown>, keys: string[], depth: number): boolean {
  sink.text("{");
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue; // an absent optional field, omitted as gob omits a zero value
    sink.text((first ? "" : ",") + JSON.stringify(k) + ":");
    if (!write(v, depth + 1)) return false;
    first = false;
  }
  sink.text("}");
  return true;
}

/** A long array of objects: from its image when it can have one, else stringified whole. */
function writeLong(a: unknown[], depth: number): boolean {
  const head = a[0] as object; // isLong: an object
  const known = images.get(head);
  if (known === undefined && !seenHeads.has(head)) {
    // First sight: an array made for one encoding (a key/value map flattened for a
    // snapshot) would pay for an image it never uses again.
    seenHeads.add(head);
    return writeQuick(a, depth);
  }
  const img = imageOf(a, head, known, depth);
  if (img === undefined) return writeQuick(a, depth);
  const { bytes, end } = img.arr.close();
  sink.raw(bytes, img.arr.start, end);
  return true;
}

/** Text mode's array of objects: element by element, each from its last text if it still holds. */
function writeElements(a: unknown[], depth: number): boolean {
  let text = "[";
  for (let i = 0; i < a.length; i++) {
    const t = elementText(a[i], depth + 1);
    if (t === undefined) return false;
    text += i === 0 ? t : `,${t}`;
  }
  sink.text(`${text}]`);
  return true;
}

/**
 * v's text as the checked path makes it, from its record when v (an object) still reads as
 * it says; undefined when v is not plain JSON data (a hole, a class instance, bytes, a
 * problem): the checked path then sees the whole value.
 */
function elementText(v: unknown, depth: number): string | undefined {
  if (typeof v !== "object" || v === null) return isPlainLeaf(v) ? JSON.stringify(v) : undefined;
  return objectText(v, depth)?.text;
}

/**
 * Object v's text and record: the ones kept from its last encoding if v still reads as
 * that record says, else made afresh (and kept); undefined when v is not plain JSON data.
 */
function objectText(v: object, depth: number): ElementText | undefined {
  const known = elementTexts.get(v);
  if (known !== undefined && matches(v, known.record, 0) === known.record.length) return known;
  const record: unknown[] = [];
  if (!recordNode(v, record, depth)) {
    if (known !== undefined) elementTexts.delete(v);
    return undefined;
  }
  const text = JSON.stringify(v); // plain data, checked: the same text the checked path gives
  const made = { text, record };
  elementTexts.set(v, made);
  return made;
}

/** A short array with a long one in it: element by element. */
function writeArray(a: unknown[], depth: number): boolean {
  sink.text("[");
  for (let i = 0; i < a.length; i++) {
    if (i > 0) sink.text(",");
    const v = a[i];
    if (v === undefined) return false; // a hole: the checked path names it
    if (!write(v, depth + 1)) return false;
  }
  sink.text("]");
  return true;
}

/**
 * The image of array a (keyed by its first element, an object, whose image so far is
 * `known`) brought up to date: the longest prefix that still holds is kept, the rest
 * checked and encoded. Undefined (and no image kept) when an element is not plain data,
 * has a problem, or is too deep.
 */
function imageOf(a: unknown[], head: object, known: Image | undefined, depth: number): Image | undefined {
  const n = a.length;
  let img = known;
  let keep = 0;
  let at = 0; // record offset of element `keep`
  if (img !== undefined) {
    const { record } = img;
    const m = Math.min(n, img.arr.count);
    while (keep < m) {
      const v = a[keep];
      if (v !== record[at]) break;
      let next = at + 1;
      if (typeof v === "object" && v !== null) {
        next = matches(v, record, next);
        if (next < 0) break;
      }
      at = next;
      keep++;
    }
    if (keep === n && keep === img.arr.count) return img;
  }
  // Check and encode the new elements before touching the image.
  const fresh: unknown[] = [];
  const texts: string[] = [];
  for (let i = keep; i < n; i++) {
    const v = a[i];
    if (!isPlainLeaf(v)) return dropImage(head);
    fresh.push(v);
    if (typeof v === "object" && v !== null) {
      // An entry an RPC carried keeps the text it had there while it reads the same
      // (entries are not added to elementTexts here: a WeakMap entry per log entry costs
      // the garbage collector more than a stringify).
      const known = elementTexts.get(v);
      if (known !== undefined && matches(v, known.record, 0) === known.record.length) {
        for (const x of known.record) fresh.push(x);
        texts.push(known.text);
      } else {
        if (!recordNode(v, fresh, depth + 1)) return dropImage(head);
        texts.push(JSON.stringify(v)); // plain data, checked: the same text the checked path gives
      }
    } else {
      texts.push(JSON.stringify(v));
    }
  }
  if (img === undefined) {
    img = { record: [], arr: new EncodedArray() };
    images.set(head, img);
  }
  sink.detach();
  img.record.length = at;
  for (const x of fresh) img.record.push(x);
  img.arr.truncate(keep);
  img.arr.append(texts);
  return img;
}

function dropImage(head: object): undefined {
  images.delete(head);
  return undefined;
}

/**
 * Whether obj (the very object the node at record[at] was made from) still reads as that
 * node says: no toJSON, same keys (or length) and values, nested objects likewise, and for
 * an object the same prototype. Returns the offset after the node, or -1.
 */
function matches(obj: object, record: unknown[], at: number): number {
  const proto = record[at];
  const n = record[at + 1] as number;
  let p = at + 2;
  if (proto === ARRAY_PROTO) {
    // An array stays an array, and its text depends on its prototype only through toJSON
    // (and holes, which the element reads below see as JSON.stringify does), so no
    // prototype read: the lookup of toJSON is the one JSON.stringify makes, through the
    // whole chain. (A third of the comparison's time was the prototype reads.)
    const a = obj as unknown[] & { toJSON?: unknown };
    if (a.length !== n || a.toJSON !== undefined) return -1;
    for (let i = 0; i < n; i++) {
      const v: unknown = a[i];
      if (v !== record[p++]) return -1;
      if (typeof v === "object" && v !== null) {
        p = matches(v, record, p);
        if (p < 0) return -1;
      }
    }
    return p;
  }
  // An object's prototype decides whether the checked path warns about a class or refuses
  // a Map: it must be the recorded one.
  if (Object.getPrototypeOf(obj) !== proto || "toJSON" in obj) return -1;
  // for-in walks own enumerable keys in Object.keys order without making an array; an
  // inherited enumerable key (a polluted Object.prototype) only makes the record miss.
  let i = 0;
  for (const k in obj) {
    if (i === n || k !== record[p]) return -1;
    const v = (obj as Record<string, unknown>)[k];
    if (v !== record[p + 1]) return -1;
    p += 2;
    if (typeof v === "object" && v !== null) {
      p = matches(v, record, p);
      if (p < 0) return -1;
    }
    i++;
  }
  return i === n ? p : -1;
}

/** Whether v can be part of an image's element: a primitive JSON keeps, or an object to look into. */
function isPlainLeaf(v: unknown): boolean {
  switch (typeof v) {
    case "string":
    case "boolean":
    case "object":
      return true;
    case "number":
      return Number.isFinite(v);
    default:
      return false; // undefined, functions, symbols, bigints
  }
}

/** Append obj's node to record; false when obj or anything in it is not plain JSON data. */
function recordNode(obj: object, record: unknown[], depth: number): boolean {
  if (depth > QUICK_DEPTH) return false; // a cycle, or only deep: the checked path decides
  const proto: unknown = Object.getPrototypeOf(obj);
  if ((proto !== ARRAY_PROTO && proto !== OBJECT_PROTO && proto !== null) || "toJSON" in obj) return false;
  if (Array.isArray(obj)) {
    record.push(proto, obj.length);
    for (let i = 0; i < obj.length; i++) {
      const v: unknown = obj[i];
      if (v === undefined || !isPlainLeaf(v)) return false;
      record.push(v);
      if (typeof v === "object" && v !== null && !recordNode(v, record, depth + 1)) return false;
    }
    return true;
  }
  const keys = Object.keys(obj);
  record.push(proto, keys.length);
  for (const k of keys) {
    const v = (obj as Record<string, unknown>)[k];
    record.push(k, v);
    if (v === undefined) continue;
    if (!isPlainLeaf(v)) return false;
    if (typeof v === "object" && v !== null && !recordNode(v, record, depth + 1)) return false;
  }
  return true;
}
