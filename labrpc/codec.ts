// labgob's job in TypeScript: every RPC argument, reply and persisted value crosses a
// serialization boundary, so peers never share objects and byte counts are real.
//
// The wire form is JSON text (its UTF-8 bytes for encode()), Uint8Arrays as
// {"$bytes": base64}. codec-check.ts says what may cross and names every problem;
// codec-bytes.ts is the fast path of encode() for what a Raft persists over and over, and
// of encodeText() for the log entries its RPCs carry again and again. Both paths give the
// same text and bytes.

import { BYTES_TAG, checkedText, CodecError, warnDecodeInto } from "./codec-check.js";
import { fastBytes, fastText, utf8 } from "./codec-bytes.js";

export { CodecError, codecErrorCount } from "./codec-check.js";

const textDecoder = new TextDecoder();

function reviver(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const b64 = (v as Record<string, unknown>)[BYTES_TAG];
    if (typeof b64 === "string" && Object.keys(v).length === 1) {
      return new Uint8Array(Buffer.from(b64, "base64"));
    }
  }
  return v;
}

/**
 * Encode to the wire's text form: JSON.stringify's text, Uint8Arrays as {"$bytes": base64}.
 * `what` names the value in error messages.
 * @throws CodecError naming the first field that cannot cross (codec-check.ts).
 */
export function encodeText(value: unknown, what = "value"): string {
  return fastText(value) ?? checkedText(value, what);
}

export function decodeText(text: string): unknown {
  return text.includes(`"${BYTES_TAG}"`) ? JSON.parse(text, reviver) : JSON.parse(text);
}

/**
 * Encode to bytes: the UTF-8 of encodeText's text, in a fresh array the caller owns.
 * @throws CodecError naming the first field that cannot cross.
 */
export function encode(value: unknown, what = "value"): Uint8Array {
  return fastBytes(value) ?? utf8(checkedText(value, what));
}

/** Decode bytes produced by encode(). Garbage gives a CodecError, never a crash loop. */
export function decode(bytes: Uint8Array, what = "value"): unknown {
  let text: string;
  try {
    text = textDecoder.decode(bytes);
    return decodeText(text);
  } catch (e) {
    throw new CodecError(what, `is not valid encoded data (${(e as Error).message})`);
  }
}

/** UTF-8 byte length of a wire text: what labrpc counts. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * Go-style decode into an existing object. Warns (once per process, as labgob does) when
 * the target already holds non-default primitive values, then overwrites every field.
 */
export function decodeInto<T extends object>(target: T, bytes: Uint8Array): T {
  if (hasNonDefault(target, 1)) warnDecodeInto();
  const v = decode(bytes);
  if (v === null || typeof v !== "object") {
    throw new CodecError("value", "does not decode to an object");
  }
  return Object.assign(target, v);
}

function hasNonDefault(v: unknown, depth: number): boolean {
  if (depth > 3) return false;
  switch (typeof v) {
    case "number":
      return v !== 0;
    case "string":
      return v !== "";
    case "boolean":
      return v;
    case "object":
      if (v === null || Array.isArray(v) || v instanceof Uint8Array) return false;
      return Object.values(v).some((x) => hasNonDefault(x, depth + 1));
    default:
      return false;
  }
}
