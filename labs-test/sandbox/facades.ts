// What student code gets of the framework: hardened stand-ins that offer the course's API
// and nothing behind it. A real ClientEnd holds its Network, a Persister its harness hook,
// a simulated Timer its place in the event queue; student code gets objects whose only
// properties are the course's methods, closing over the real ones. The framework classes
// student code can name or catch (Channel, the error classes) are hardened themselves, so
// their prototypes cannot be patched from inside; so are the module stand-ins, and the
// prototypes of anything else the tests hand over or a framework callback throws.
import { ClientEnd, CodecError, decode, decodeInto, decodeText, describeValue, EncodedArray, encode, encodeText, RpcError } from "../../labrpc/index.js";
import { makePersister, Persister } from "../../raft/persister.js";
import { after, annotate, annotatePeer, Channel, ChannelClosed, debug, now, nrand, randInt, random, sleep, trace, traceOwn } from "../../runtime/index.js";
import type { Timer } from "../../runtime/index.js";
import { SimulationStalled } from "../../runtime/sim-clock.js";
import * as ctrlerErrors from "../../shardctrler/framework/errors.js";
import * as shardkvErrors from "../../shardkv/framework/errors.js";
import { FRAMEWORK_API } from "./policy.js";

// Each stand-in keeps the real object in a private field, which no reflection reaches, and
// its methods on a hardened prototype: making one costs an allocation, not a harden() walk.

/** A client end as the course's API has it: call() and nothing else. */
class End {
  readonly #end: ClientEnd;
  constructor(end: ClientEnd) {
    this.#end = end;
    Object.freeze(this);
  }
  call(svcMeth: string, args: unknown): Promise<unknown> {
    return this.#end.call(svcMeth, args);
  }
}

/** The persister's course API (persister.go); not the harness's onSave hook, not its fields. */
class PersisterHandle {
  readonly #p: Persister;
  constructor(p: Persister) {
    this.#p = p;
    Object.freeze(this);
  }
  saveRaftState(state: Uint8Array): void {
    this.#p.saveRaftState(state);
  }
  readRaftState(): Uint8Array {
    return this.#p.readRaftState();
  }
  raftStateSize(): number {
    return this.#p.raftStateSize();
  }
  saveStateAndSnapshot(state: Uint8Array, snapshot: Uint8Array | null): void {
    this.#p.saveStateAndSnapshot(state, snapshot);
  }
  readSnapshot(): Uint8Array {
    return this.#p.readSnapshot();
  }
  snapshotSize(): number {
    return this.#p.snapshotSize();
  }
  copy(): PersisterHandle {
    return new PersisterHandle(this.#p.copy());
  }
}

/** A framework-made channel (the harness's applyCh): send, recv, close, iteration. */
class ChannelHandle<T> {
  readonly #ch: Channel<T>;
  constructor(ch: Channel<T>) {
    this.#ch = ch;
    Object.freeze(this);
  }
  send(v: T): Promise<void> {
    return this.#ch.send(v);
  }
  recv(): Promise<IteratorResult<T, undefined>> {
    return this.#ch.recv();
  }
  close(): void {
    this.#ch.close();
  }
  get isClosed(): boolean {
    return this.#ch.isClosed;
  }
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return this.#ch[Symbol.asyncIterator]();
  }
}

/** What after() returns to student code: cancel() and nothing of the event queue. */
class TimerHandle {
  readonly #t: Timer;
  constructor(t: Timer) {
    this.#t = t;
    Object.freeze(this);
  }
  cancel(): void {
    this.#t.cancel();
  }
}

/**
 * Harden every prototype on v's chain that is not frozen yet (an instance of a framework
 * class, an error thrown across): student code holding v can then change v itself but
 * nothing shared with the framework. Intrinsic prototypes are frozen by lockdown(), so for
 * plain data this is one isFrozen() check.
 */
export function hardenPrototypes(v: unknown): void {
  if ((typeof v !== "object" && typeof v !== "function") || v === null) return;
  for (let p = Object.getPrototypeOf(v) as object | null; p !== null && !Object.isFrozen(p); p = Object.getPrototypeOf(p) as object | null) harden(p);
}

/**
 * A value the framework hands to student code (an argument of make(), startKVServer() …):
 * client ends, persisters and channels become their stand-ins, arrays are mapped, and a
 * function (shardkv's makeEnd) answers with stand-ins too (what it throws gets its
 * prototypes hardened). Everything else the tests pass is data (numbers, strings, byte
 * arrays, plain objects) and goes as it is, its prototypes hardened should it be an
 * instance of some other framework class.
 */
export function toStudent(v: unknown): unknown {
  if (v instanceof ClientEnd) return new End(v);
  if (v instanceof Persister) return new PersisterHandle(v);
  if (v instanceof Channel) return new ChannelHandle(v);
  if (Array.isArray(v)) return v.map(toStudent);
  if (typeof v === "function") {
    const f = v as (...a: unknown[]) => unknown;
    return harden((...a: unknown[]) => {
      try {
        return toStudent(f(...a));
      } catch (e) {
        hardenPrototypes(e);
        throw e;
      }
    });
  }
  hardenPrototypes(v);
  return v;
}

/**
 * Framework classes whose instances or constructors reach student code: what it may
 * construct, catch or compare with (every error class the runtime, labrpc and the labs'
 * framework throw on a path student code calls), and the stand-ins. Frozen with their
 * prototypes and statics by frameworkFacades().
 */
export const REACHABLE_CLASSES: readonly object[] = [
  End, PersisterHandle, ChannelHandle, TimerHandle,
  Channel, ChannelClosed, CodecError, RpcError, EncodedArray, SimulationStalled, ctrlerErrors.ShardCtrlerError, shardkvErrors.CorruptSnapshotError,
];

let built: ReadonlyMap<string, object> | undefined;

/**
 * Each allowed framework module's stand-in (repository path → hardened namespace object).
 * Call after lockdown(): it hardens the stand-in classes and the framework classes student
 * code can reach.
 */
export function frameworkFacades(): ReadonlyMap<string, object> {
  if (built !== undefined) return built;
  for (const c of REACHABLE_CLASSES) harden(c);
  const modules: Record<string, Record<string, unknown>> = {
    "runtime/index.ts": {
      now, sleep, randInt, random, nrand, trace, traceOwn, annotate, annotatePeer, debug, Channel, ChannelClosed,
      after: (ms: number, fn: () => void) => new TimerHandle(after(ms, fn)),
    },
    "labrpc/index.ts": { encode, decode, encodeText, decodeText, decodeInto, describeValue, CodecError, RpcError, EncodedArray },
    "raft/persister.ts": { makePersister: (owner?: string | number) => new PersisterHandle(makePersister(owner)) },
    "shardctrler/framework/errors.ts": { ...ctrlerErrors },
    "shardkv/framework/errors.ts": { ...shardkvErrors },
  };
  const out = new Map<string, object>();
  for (const [file, names] of Object.entries(FRAMEWORK_API)) {
    const m = modules[file];
    if (m === undefined) throw new Error(`sandbox: no stand-in for ${file}`);
    const missing = names.filter((n) => !(n in m));
    const extra = Object.keys(m).filter((n) => !names.includes(n));
    if (missing.length > 0 || extra.length > 0) throw new Error(`sandbox: ${file}'s stand-in does not match policy.ts (missing ${missing.join(", ")}; extra ${extra.join(", ")})`);
    out.set(file, harden({ ...m, __esModule: true }));
  }
  built = out;
  return out;
}
