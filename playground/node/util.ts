// node:util in the playground's worker: inspect() for the sandbox's console (what student
// code prints) and the harness's messages; a plain rendering, not Node's.
export function inspect(v: unknown, opts: { depth?: number } = {}): string {
  const seen = new Set<unknown>();
  const depth = opts.depth ?? 2;
  const go = (x: unknown, d: number): string => {
    if (typeof x === "string") return JSON.stringify(x);
    if (typeof x === "bigint") return `${x}n`;
    if (typeof x === "function") return `[Function: ${x.name || "(anonymous)"}]`;
    if (x === null || typeof x !== "object") return String(x);
    if (seen.has(x)) return "[Circular]";
    if (x instanceof Error) return x.stack ?? `${x.name}: ${x.message}`;
    if (d > depth) return Array.isArray(x) ? "[Array]" : "[Object]";
    seen.add(x);
    try {
      if (x instanceof Uint8Array) return `Uint8Array(${x.length}) [ ${[...x.slice(0, 50)].join(", ")}${x.length > 50 ? ", …" : ""} ]`;
      if (Array.isArray(x)) return `[ ${x.map((e) => go(e, d + 1)).join(", ")} ]`;
      if (x instanceof Map) return `Map(${x.size}) { ${[...x].map(([k, e]) => `${go(k, d + 1)} => ${go(e, d + 1)}`).join(", ")} }`;
      if (x instanceof Set) return `Set(${x.size}) { ${[...x].map((e) => go(e, d + 1)).join(", ")} }`;
      const entries = Object.keys(x).map((k) => `${k}: ${go((x as Record<string, unknown>)[k], d + 1)}`);
      return `{ ${entries.join(", ")} }`;
    } catch {
      return "[Object]";
    } finally {
      seen.delete(x);
    }
  };
  return go(v, 0);
}

export function format(...args: unknown[]): string {
  return args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" ");
}

/**
 * node:util's `types`, as the sandbox's module snapshots ask it (labs-test/sandbox/
 * module-snapshot.ts): is this object's state out of sight of its own properties? A page
 * cannot tell a Proxy from its target, so every answer is yes: each module then counts as
 * holding hidden state and is evaluated afresh for every run, never kept between runs.
 * Slower than the command line for many seeds, never less replayable.
 */
const yes = (_o: unknown): boolean => true;
export const types = {
  isMap: yes, isSet: yes, isWeakMap: yes, isWeakSet: yes, isDate: yes, isPromise: yes,
  isAnyArrayBuffer: yes, isArrayBufferView: yes, isBoxedPrimitive: yes, isGeneratorObject: yes,
  isMapIterator: yes, isSetIterator: yes, isNativeError: yes, isModuleNamespaceObject: yes,
  isExternal: yes, isProxy: yes,
};

export default { inspect, format, types };
