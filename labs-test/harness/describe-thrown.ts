// Any thrown value as text, without trusting it. Submitted code can throw anything: an
// object without a prototype (String() throws on it), one whose toString, message or stack
// getter throws, a Proxy whose every trap throws, a 30 MB message, a cycle. Formatting such
// a value the usual way throws a second time, outside any catch, and the run hangs until
// its wall limit. Nothing here calls a method of the value or lets an exception out; the
// result is capped (safe-text.ts). The worker describes failures with it before a record
// leaves the process; the harness uses it wherever it prints a failure.
import { capText } from "./safe-text.js";

/** Bytes of text kept for one thrown value (a run's full failure). */
export const THROWN_TEXT_CAP = 64 * 1024;

/** Keys shown per object, and how deep, in the rendering of a non-Error value. */
const MAX_KEYS = 20;
const MAX_DEPTH = 3;

/** f's value, or undefined if it threw. */
function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function isError(v: object): boolean {
  return attempt(() => v instanceof Error) === true;
}

/** A string property read (getters may run; anything but a string counts as absent). */
function stringProp(v: object, key: string): string | undefined {
  const s = attempt(() => (v as Record<string, unknown>)[key]);
  return typeof s === "string" ? s : undefined;
}

/** A short, bounded rendering of a value, reading only own data properties (no getters run). */
function render(v: unknown, depth: number, seen: Set<object>, budget: { left: number }): string {
  if (budget.left <= 0) return "…";
  let out: string;
  if (typeof v === "string") out = JSON.stringify(v.length > 200 ? v.slice(0, 200) + "…" : v);
  else if (typeof v === "symbol") out = "a symbol";
  else if (typeof v === "function") out = "[function]";
  else if (v === null || typeof v !== "object") out = String(v);
  else if (seen.has(v)) out = "[cycle]";
  else if (depth >= MAX_DEPTH) out = "{…}";
  else {
    seen.add(v);
    const keys = attempt(() => Reflect.ownKeys(v)) ?? [];
    const isArray = attempt(() => Array.isArray(v)) === true;
    const parts: string[] = [];
    for (const k of keys.slice(0, MAX_KEYS)) {
      if (isArray && k === "length") continue;
      const d = attempt(() => Reflect.getOwnPropertyDescriptor(v, k));
      const shown = d === undefined ? "?" : "value" in d ? render(d.value, depth + 1, seen, budget) : "[getter]";
      parts.push(isArray ? shown : `${typeof k === "symbol" ? "[symbol]" : k}: ${shown}`);
      if (budget.left <= 0) break;
    }
    if (keys.length > MAX_KEYS) parts.push("…");
    out = isArray ? `[${parts.join(", ")}]` : `{ ${parts.join(", ")} }`;
  }
  budget.left -= out.length;
  return out;
}

function describe(v: unknown, maxBytes: number): string {
  if (typeof v === "string") return v.length > maxBytes ? v.slice(0, maxBytes + 1) : v;
  if (typeof v === "symbol") return "a thrown symbol";
  if (typeof v === "function") return "a thrown function";
  if (v === null || typeof v !== "object") return `a thrown ${typeof v}: ${String(v)}`;
  if (isError(v)) {
    const stack = stringProp(v, "stack");
    if (stack !== undefined && stack !== "") return stack;
    const name = stringProp(v, "name") ?? "Error";
    const message = stringProp(v, "message");
    return message === undefined ? `${name} (its message cannot be read)` : `${name}: ${message}`;
  }
  const proto = attempt(() => Reflect.getPrototypeOf(v));
  const what = proto === null ? "an object without a prototype" : attempt(() => Array.isArray(v)) === true ? "an array" : "an object that is not an Error";
  // Messages a caller put on a plain object are what a reader wants first.
  const message = attempt(() => Reflect.getOwnPropertyDescriptor(v, "message"));
  const lead = message !== undefined && "value" in message && typeof message.value === "string" ? `${message.value} ` : "";
  return `${lead}(thrown: ${what}: ${render(v, 0, new Set(), { left: 2000 })})`;
}

/**
 * The whole text of a thrown value: an Error's stack (or name and message), or a bounded
 * rendering of anything else, scrubbed and capped at maxBytes of UTF-8. Never throws.
 * (Only a getter that never returns can stop it; the worker's heartbeat catches that.)
 */
export function describeThrown(v: unknown, maxBytes = THROWN_TEXT_CAP): string {
  let text: string;
  try {
    text = describe(v, maxBytes);
  } catch {
    text = "a thrown value that cannot be described";
  }
  return capText(text, maxBytes);
}

/**
 * An Error's message (without the stack), or describeThrown's text for anything else:
 * what a failure report shows after "--- FAIL". Never throws.
 */
export function messageOf(v: unknown, maxBytes = THROWN_TEXT_CAP): string {
  if (v !== null && typeof v === "object" && isError(v)) {
    const m = stringProp(v, "message");
    if (m !== undefined) return capText(m, maxBytes);
  }
  return describeThrown(v, maxBytes);
}
