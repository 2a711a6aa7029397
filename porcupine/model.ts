// What the checker is generic over: a recorded operation and a sequential specification
// (the model) that says which outputs a single-copy object may give.

/**
 * One completed operation as a client saw it. `call` and `ret` are timestamps on one
 * clock (ms, virtual or wall; any finite numbers with call <= return). Two operations are
 * concurrent unless one returned strictly before the other was called: at equal times a
 * call counts as happening before a return (the course's porcupine breaks ties so), so
 * ops that merely touch at one instant may be ordered either way.
 */
export interface Operation<I, O> {
  clientId: number;
  input: I;
  call: number;
  output: O;
  return: number;
}

export interface Model<S, I, O> {
  /** Split a history into independent sub-histories (e.g. per key). Default: one. */
  partition?(history: readonly Operation<I, O>[]): Operation<I, O>[][];
  init(): S;
  /** Apply one operation; must not mutate `state`. ok=false: this output is impossible here. */
  step(state: S, input: I, output: O): [ok: boolean, next: S];
  /** State equality for memoization. Default: `===`. */
  equal?(a: S, b: S): boolean;
  /** Optional 32-bit state hash, mixed into the memo key; must agree with `equal`. */
  hash?(state: S): number;
  /**
   * True if this op never changes the state (a read). Optional; lets the search commit to
   * a read that fits instead of also trying other ops first.
   */
  readOnly?(input: I, output: O): boolean;
  describeOperation?(input: I, output: O): string;
  describeState?(state: S): string;
  /** A heading for one partition in the visualization (e.g. its key). */
  describePartition?(ops: readonly Operation<I, O>[]): string;
}

/** A model with every optional part filled in with porcupine's defaults (one partition, `===`). */
export interface FullModel<S, I, O> {
  partition(history: readonly Operation<I, O>[]): Operation<I, O>[][];
  init(): S;
  step(state: S, input: I, output: O): [ok: boolean, next: S];
  equal(a: S, b: S): boolean;
  /** False when `equal` is the default `===`. */
  customEqual: boolean;
  hash: ((state: S) => number) | undefined;
  readOnly: ((input: I, output: O) => boolean) | undefined;
  describeOperation(input: I, output: O): string;
  describeState(state: S): string;
}

export function fillDefaults<S, I, O>(m: Model<S, I, O>): FullModel<S, I, O> {
  return {
    partition: m.partition ? m.partition.bind(m) : (h) => [h.slice()],
    init: m.init.bind(m),
    step: m.step.bind(m),
    equal: m.equal ? m.equal.bind(m) : (a, b) => a === b,
    customEqual: m.equal !== undefined,
    hash: m.hash ? m.hash.bind(m) : undefined,
    readOnly: m.readOnly ? m.readOnly.bind(m) : undefined,
    describeOperation: m.describeOperation
      ? m.describeOperation.bind(m)
      : (i, o) => `${show(i)} -> ${show(o)}`,
    describeState: m.describeState ? m.describeState.bind(m) : (s) => show(s),
  };
}

function show(v: unknown): string {
  if (typeof v === "string") return v;
  try {
    const j = JSON.stringify(v);
    if (j !== undefined) return j;
  } catch {
    // cyclic or BigInt: fall through to String()
  }
  return String(v);
}
