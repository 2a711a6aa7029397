// Everything a student module instance can reach, as its evaluation left it: the values of
// its top-level bindings, and every object reachable from them, its exports and its
// `module` object (own property descriptors, prototype, extensibility), down to frozen
// objects (the hardened built-ins and framework stand-ins, which nothing can change).
// Comparing the snapshot after a run says whether the run changed any of it: if not, the
// instance is exactly as a fresh evaluation would leave it (share-check.ts says which
// modules keep nothing a snapshot cannot see), and the next run may use it again.
import { types } from "node:util";

/** One object's state: its prototype, whether it is extensible, its own keys and their descriptors. */
interface ObjectState {
  o: object;
  proto: object | null;
  extensible: boolean;
  keys: Array<string | symbol>;
  /** Per key: value, get, set, and the three flags as bits. */
  slots: unknown[];
}

export interface ModuleSnapshot {
  roots: unknown[];
  objects: ObjectState[];
}

/** Objects whose state lies in internal slots that own properties do not show (a Map's entries …). */
function hiddenState(o: object): boolean {
  return (
    types.isMap(o) || types.isSet(o) || types.isWeakMap(o) || types.isWeakSet(o) || types.isDate(o) || types.isPromise(o) ||
    types.isAnyArrayBuffer(o) || types.isArrayBufferView(o) || types.isBoxedPrimitive(o) || types.isGeneratorObject(o) || types.isMapIterator(o) ||
    types.isSetIterator(o) || types.isNativeError(o) || types.isModuleNamespaceObject(o) || types.isExternal(o) ||
    hasBrand(() => WeakRef.prototype.deref.call(o)) || hasBrand(() => FinalizationRegistry.prototype.unregister.call(o, {}))
  );
}

/** Whether a built-in method accepts the object as its own kind (it throws a TypeError otherwise). */
function hasBrand(call: () => unknown): boolean {
  try {
    call();
    return true;
  } catch {
    return false;
  }
}

function flags(d: PropertyDescriptor): number {
  return (d.writable === true ? 1 : 0) | (d.enumerable === true ? 2 : 0) | (d.configurable === true ? 4 : 0) | ("value" in d ? 8 : 0);
}

function stateOf(o: object): ObjectState {
  const keys = Reflect.ownKeys(o);
  const slots: unknown[] = [];
  for (const k of keys) {
    const d = Reflect.getOwnPropertyDescriptor(o, k)!;
    slots.push(d.value, d.get, d.set, flags(d));
  }
  return { o, proto: Reflect.getPrototypeOf(o), extensible: Reflect.isExtensible(o), keys, slots };
}

/**
 * The snapshot of everything reachable from `roots` (a module's binding values, its exports
 * and module objects), or a reason it cannot be taken (an object with hidden state). Reads
 * descriptors only: no getter or proxy trap of the student's runs.
 */
export function snapshotModule(roots: readonly unknown[]): ModuleSnapshot | string {
  const seen = new Set<object>();
  const objects: ObjectState[] = [];
  const todo: unknown[] = [...roots];
  while (todo.length > 0) {
    const v = todo.pop();
    if ((typeof v !== "object" && typeof v !== "function") || v === null || seen.has(v)) continue;
    seen.add(v);
    // A proxy first: asking it anything (isFrozen too) would run its traps.
    if (types.isProxy(v)) return "a module value is a Proxy";
    if (Object.isFrozen(v)) continue;
    if (hiddenState(v)) return `a module value keeps state reflection cannot see (${Object.prototype.toString.call(v)})`;
    const s = stateOf(v);
    objects.push(s);
    todo.push(s.proto);
    for (let i = 0; i < s.slots.length; i += 4) todo.push(s.slots[i], s.slots[i + 1], s.slots[i + 2]);
  }
  return { roots: [...roots], objects };
}

/** Whether `roots` and every object of the snapshot are as they were when it was taken. */
export function unchangedSince(snap: ModuleSnapshot, roots: readonly unknown[]): boolean {
  if (roots.length !== snap.roots.length) return false;
  for (let i = 0; i < roots.length; i++) if (!Object.is(roots[i], snap.roots[i])) return false;
  for (const s of snap.objects) {
    const o = s.o;
    if (Reflect.getPrototypeOf(o) !== s.proto || Reflect.isExtensible(o) !== s.extensible) return false;
    const keys = Reflect.ownKeys(o);
    if (keys.length !== s.keys.length) return false;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== s.keys[i]) return false;
      const d = Reflect.getOwnPropertyDescriptor(o, keys[i]!)!;
      const j = i * 4;
      if (!Object.is(d.value, s.slots[j]) || d.get !== s.slots[j + 1] || d.set !== s.slots[j + 2] || flags(d) !== s.slots[j + 3]) return false;
    }
  }
  return true;
}
