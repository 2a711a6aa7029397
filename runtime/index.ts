// The only source of time and randomness for lab code (raft, kvraft, shardctrler,
// shardkv) and the framework around it. Tests run these on a virtual clock with a
// seeded generator; REALTIME=1 puts them on the wall clock.
import type { Timer } from "./clock.js";
import type { TraceFieldsArg, TraceKind } from "./trace-kinds.js";
import type { TraceFields } from "./tracer.js";
import { world } from "./world.js";

export type { Timer } from "./clock.js";
export { Channel, ChannelClosed } from "./channel.js";
export { Rand } from "./rand.js";
export { Host } from "./host.js";
export { runWorld, world, hasWorld, World, type WorldOptions } from "./world.js";
export { TRACE_KINDS, TRACE_KIND_NAMES, isTraceKind, type TraceKind, type TraceFieldsOf } from "./trace-kinds.js";
export { DEFAULT_COST_MODEL, costModel, type CostModel, type Odds } from "./cost-model.js";

/** Milliseconds since the current world started (virtual in simulated mode). */
export function now(): number {
  return world().clock.now();
}

export function sleep(ms: number): Promise<void> {
  return world().clock.sleep(ms);
}

/** Call fn once after ms, unless cancelled first. */
export function after(ms: number, fn: () => void): Timer {
  return world().clock.after(ms, fn);
}

/**
 * For the framework (labrpc, Channel), never lab code: a promise that resolves after one
 * turn of Node's event loop in real time (REALTIME=1), so that a goroutine-style hand-off
 * lets timers fire as Go's scheduler would; undefined in simulated mode, where the caller
 * goes on at once (the virtual clock already gives every event its turn, and a hop there
 * would change the order of events and so every seed's run).
 */
export function handoff(): Promise<void> | undefined {
  return world().handoff();
}

/** Uniform integer in [0, n) from the shared lab stream. */
export function randInt(n: number): number {
  return world().rand("lab").randInt(n);
}

/** Uniform float in [0, 1) from the shared lab stream. */
export function random(): number {
  return world().rand("lab").random();
}

/** A random non-negative 53-bit integer: safe as a client id and across JSON. */
export function nrand(): number {
  return world().rand("lab").nrand();
}

/**
 * Record one event in the world's trace (TRACE=file, the timeline, the determinism hash):
 * a kind of the registry (runtime/trace-kinds.ts: "role", "commit", "apply" …) with that
 * kind's fields, on peer's lane (pass `me`). A kind of your own: traceOwn().
 */
export function trace<K extends TraceKind>(peer: string | number, ev: K, ...fields: TraceFieldsArg<K>): void;
export function trace(peer: string | number, ev: TraceKind, fields?: TraceFields): void {
  const t = world().tracer;
  if (t.enabled) t.eventOfOwnKind(peer, ev, fields);
}

/**
 * Record an event of a kind of your own, not in the registry (runtime/trace-kinds.ts): the
 * timeline draws it as a plain mark on peer's lane and lists its kind above the page.
 */
export function traceOwn(peer: string | number, ev: string, fields?: TraceFields): void {
  const t = world().tracer;
  if (t.enabled) t.eventOfOwnKind(peer, ev, fields);
}

/**
 * A note for the timeline (students: mark what your code decided, e.g. "became leader").
 * It appears on the tester's lane at the moment of the call, and as a DEBUG line under
 * the topic "note". Costs nothing when neither a trace nor DEBUG is on.
 */
export function annotate(text: string): void {
  annotatePeer("tester", text);
}

/** annotate() on one peer's lane (pass `me`): the note sits on that peer's line of the timeline. */
export function annotatePeer(peer: string | number, text: string): void {
  const t = world().tracer;
  if (t.enabled) t.event(peer, "note", { text: String(text) });
  if (t.debugging("note")) t.debug("note", peer, String(text));
}

/** A readable log line when DEBUG names this topic; msg is built only then. */
export function debug(topic: string, peer: string | number, msg: () => string): void {
  const t = world().tracer;
  if (t.debugging(topic)) t.debug(topic, peer, msg());
}
