// node:crypto in the playground's worker: the trace digest (runtime/tracer.ts hashes with
// SHA-256, so the page's hash equals the command line's) and the random seed a run gets
// when none is given.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

export interface Hash {
  update(data: string | Uint8Array): Hash;
  digest(enc: "hex"): string;
  copy(): Hash;
}

export function createHash(alg: string): Hash {
  if (alg !== "sha256") throw new Error(`the playground hashes with sha256 only, not ${alg}`);
  return wrap(sha256.create());
}

function wrap(h: ReturnType<typeof sha256.create>): Hash {
  const self: Hash = {
    copy: () => wrap(h.clone()),
    update(data) {
      h.update(typeof data === "string" ? utf8ToBytes(data) : data);
      return self;
    },
    digest() {
      return bytesToHex(h.digest());
    },
  };
  return self;
}

/** A random integer in [min, max), as node:crypto's randomInt(min, max). */
export function randomInt(min: number, max: number): number {
  const buf = new Uint32Array(2);
  crypto.getRandomValues(buf);
  const r = (buf[0]! * 2 ** 21 + (buf[1]! >>> 11)) / 2 ** 53;
  return min + Math.floor(r * (max - min));
}

export function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return b;
}

/** A random version-4 UUID, as node:crypto's randomUUID() (the sandbox's per-process secret). */
export function randomUUID(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = bytesToHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export default { createHash, randomInt, randomBytes, randomUUID };
