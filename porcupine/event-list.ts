// The doubly linked list of call and return events that Lowe's search walks. Linearizing
// an op lifts both its events out; backtracking puts them back (dancing links), so the
// list always holds exactly the ops not yet linearized, in time order.
import { eventOrder, validateTimes } from "./events.js";
import type { Operation } from "./model.js";

export class EventList {
  /** Node 0 is the head sentinel; next[x] === 0 means the end of the list. */
  readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly match: Int32Array; // call node -> its return node
  /** The op's internal id at each node; ids follow the order of calls. */
  readonly opOf: Int32Array;
  readonly isCall: Uint8Array;
  /** byId[id]: the op's index in the partition. */
  readonly byId: number[];

  constructor(ops: readonly Operation<unknown, unknown>[]) {
    validateTimes(ops);
    const n = ops.length;
    const events = eventOrder(ops);
    this.byId = events.filter((ev) => (ev & 1) === 0).map((ev) => ev >> 1);
    const idOf = new Int32Array(n);
    this.byId.forEach((k, id) => (idOf[k] = id));

    const m = 2 * n + 1;
    this.next = new Int32Array(m);
    this.prev = new Int32Array(m);
    this.match = new Int32Array(m);
    this.opOf = new Int32Array(m);
    this.isCall = new Uint8Array(m);
    const callNode = new Int32Array(n);
    for (let k = 0; k < events.length; k++) {
      const node = k + 1;
      const ev = events[k]!;
      const id = idOf[ev >> 1]!;
      this.opOf[node] = id;
      if ((ev & 1) === 0) {
        this.isCall[node] = 1;
        callNode[id] = node;
      } else {
        this.match[callNode[id]!] = node;
      }
      this.prev[node] = node - 1;
      this.next[node - 1] = node;
    }
  }

  /** Unlink call node c and its return. */
  lift(c: number): void {
    const { next, prev } = this;
    const r = this.match[c]!;
    next[prev[c]!] = next[c]!;
    prev[next[c]!] = prev[c]!; // a call is always followed by (at least) its return
    next[prev[r]!] = next[r]!;
    if (next[r] !== 0) prev[next[r]!] = prev[r]!;
  }

  /** Undo lift(c); lifts must be undone in reverse order. */
  unlift(c: number): void {
    const { next, prev } = this;
    const r = this.match[c]!;
    if (next[r] !== 0) prev[next[r]!] = r;
    next[prev[r]!] = r;
    prev[next[c]!] = c;
    next[prev[c]!] = c;
  }
}
