import type { World } from "../../runtime/world.js";

// Collect mode: the many-seeds worker (tools/seed-worker.ts) loads the test files once
// and runs their bodies itself, seed after seed, instead of handing them to vitest.
// graded() and the vitest stand-in record each test here while collect mode is on.

export interface GradedOptions {
  /** Record a hash of every trace event (determinism checks); see World.tracer.digest(). */
  hash?: boolean;
}

/** A graded test: its body runs in a fresh world the harness makes. */
export interface GradedCase {
  kind: "graded";
  name: string;
  body: (w: World) => Promise<void>;
  opts: GradedOptions;
}

/** A plain test (vitest's test()): it makes its own worlds and reads SEED itself. */
export interface PlainCase {
  kind: "plain";
  name: string;
  body: () => unknown;
}

export type CollectedCase = GradedCase | PlainCase;

const KEY = Symbol.for("labs-ts.collect");

interface Collector {
  cases: Map<string, CollectedCase>;
}

function collector(): Collector | undefined {
  return (globalThis as { [KEY]?: Collector })[KEY];
}

/** Turn collect mode on (before the test files are imported). */
export function startCollecting(): void {
  (globalThis as { [KEY]?: Collector })[KEY] = { cases: new Map() };
}

export function collecting(): boolean {
  return collector() !== undefined;
}

/** Record a test; a second test of the same name is an error (the manifest names one). */
export function collect(c: CollectedCase): void {
  const col = collector();
  if (col === undefined) throw new Error("collect(): collect mode is off");
  if (col.cases.has(c.name)) throw new Error(`two tests are named ${c.name}`);
  col.cases.set(c.name, c);
}

/** Every test recorded so far, by name. */
export function collected(): ReadonlyMap<string, CollectedCase> {
  return collector()?.cases ?? new Map();
}
