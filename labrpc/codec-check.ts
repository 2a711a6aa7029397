// The codec's checked path: whether a value survives JSON unchanged, with the field path
// of the first problem. Go's hazard was lower-case fields; ours are values JSON would
// silently change. Every error and warning the codec gives comes from here.

import { hasWorld, world, type World } from "../runtime/world.js";

/** The tag a Uint8Array travels under: {"$bytes": base64}. */
export const BYTES_TAG = "$bytes";

export class CodecError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`labgob error: ${path} ${problem}; it cannot cross an RPC or persist boundary`);
  }
}

let errorCount = 0;
/**
 * Classes already warned about, per world: "once per class" holds for each test even when
 * a long-lived worker runs many tests in one process (labgob warns once per process, and
 * the course runs one test binary per process). Outside a world, once per process.
 */
const warnedInWorld = new WeakMap<World, Set<string>>();
const warnedOutside = new Set<string>();

function warnedShapes(): Set<string> {
  if (!hasWorld()) return warnedOutside;
  const w = world();
  let set = warnedInWorld.get(w);
  if (set === undefined) {
    set = new Set();
    warnedInWorld.set(w, set);
  }
  return set;
}

/** Number of codec warnings so far (mirrors labgob's global counter, for its tests). */
export function codecErrorCount(): number {
  return errorCount;
}


/** Thrown by a path-less check() at the first problem: re-check with paths for the message. */
const NEEDS_PATH = Symbol("needs path");

/**
 * How deep the path-less check goes before it hands over to the checked one. It keeps no
 * set of the objects above it (a set costs three lookups per object of every RPC), so a
 * cycle shows as depth; the checked pass then finds and names the cycle, or accepts a
 * value that is only deep.
 */
export const QUICK_DEPTH = 100;

/**
 * Check that value survives JSON round-tripping. Throws CodecError naming the field for
 * values that would be lost or changed; warns once per class for class instances, whose
 * fields travel but whose prototype (methods) does not. Returns whether bytes occur.
 * With path undefined no field paths are built (they cost more than the check itself on a
 * large log) and, with stack undefined, no cycle check (QUICK_DEPTH); the first problem
 * then throws NEEDS_PATH and the caller checks again with paths and a stack.
 */
function check(value: unknown, path: string | undefined, stack: Set<object> | undefined, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return false;
    case "number":
      if (!Number.isFinite(value)) problemAt(path, `is ${String(value)} (JSON turns it into null)`);
      return false;
    case "undefined":
      return problemAt(path, "is undefined (JSON drops it)");
    case "function":
      return problemAt(path, "is a function");
    case "symbol":
      return problemAt(path, "is a symbol");
    case "bigint":
      return problemAt(path, "is a bigint (use a number within Number.MAX_SAFE_INTEGER)");
  }
  if (value === null) return false;
  const obj = value as object;
  if (obj instanceof Uint8Array) return true;
  if (stack === undefined) {
    if (depth > QUICK_DEPTH) throw NEEDS_PATH;
  } else {
    if (stack.has(obj)) problemAt(path, "refers back to itself (a cycle)");
    stack.add(obj);
  }
  let bytes = false;
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      if (check(obj[i], path === undefined ? undefined : `${path}[${i}]`, stack, depth + 1)) bytes = true;
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? "anonymous class";
      if (obj instanceof Map || obj instanceof Set) {
        problemAt(path, `is a ${name} (JSON turns it into {}); use an array or a plain object`);
      }
      if (obj instanceof Date) problemAt(path, "is a Date, which JSON turns into a string");
      if (ArrayBuffer.isView(obj)) problemAt(path, `is a ${name}; only Uint8Array is supported`);
      if (!warnedShapes().has(name)) {
        if (path === undefined) throw NEEDS_PATH;
        warnClass(name, path);
      }
    }
    for (const key of Object.keys(obj)) {
      const v = (obj as Record<string, unknown>)[key];
      // An absent optional field is Go's zero value: omitted, as gob omits it.
      if (v === undefined) continue;
      if (check(v, path === undefined ? undefined : `${path}.${key}`, stack, depth + 1)) bytes = true;
    }
  }
  stack?.delete(obj);
  return bytes;
}

/**
 * Throw check()'s error for the value at path: NEEDS_PATH when no path is being built.
 * A top-level function, not a closure in check(): check() runs once per value of every
 * RPC, and tsx's keep-names helper makes each closure's creation cost a property write.
 */
function problemAt(path: string | undefined, what: string): never {
  if (path === undefined) throw NEEDS_PATH;
  throw new CodecError(path, what);
}

/** check() without building paths, and again with them when there is something to say. */
function checkValue(value: unknown, what: string): boolean {
  try {
    return check(value, undefined, undefined, 0);
  } catch (e) {
    if (e !== NEEDS_PATH) throw e;
    return check(value, what, new Set(), 0);
  }
}

/** decodeInto's warning: printed once per process, as labgob's is; counted every time. */
export function warnDecodeInto(): void {
  if (errorCount === 0) console.warn("labgob warning: Decoding into a non-default variable/field may not work");
  errorCount++;
}

function warnClass(name: string, path: string): void {
  warnedShapes().add(name);
  errorCount++;
  console.warn(
    `labgob warning: ${path} is an instance of class ${name}; its fields are sent but the ` +
      `receiver gets a plain object without its methods`,
  );
}

function replacer(this: unknown, _key: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return { [BYTES_TAG]: Buffer.from(v).toString("base64") };
  return v;
}

/**
 * The wire text of value: JSON.stringify's, Uint8Arrays as {"$bytes": base64}. `what`
 * names the value in messages.
 * @throws CodecError naming the first field that cannot cross.
 */
export function checkedText(value: unknown, what: string): string {
  const hasBytes = checkValue(value, what);
  return hasBytes ? JSON.stringify(value, replacer) : JSON.stringify(value);
}

/**
 * checkedText() for a part of a larger value, found `depth` levels down: its text, or
 * undefined when the part has a problem to name or a class to warn about (the caller then
 * checks the whole value, so that the message has the field's whole path).
 */
export function quickText(part: unknown, depth: number): string | undefined {
  let hasBytes: boolean;
  try {
    hasBytes = check(part, undefined, undefined, depth);
  } catch (e) {
    if (e !== NEEDS_PATH) throw e;
    return undefined;
  }
  return hasBytes ? JSON.stringify(part, replacer) : JSON.stringify(part);
}

