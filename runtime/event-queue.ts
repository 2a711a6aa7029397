// Binary min-heap of timed events ordered by (time, insertion sequence), so two events
// at the same virtual time always run in the order they were scheduled. The keys are
// unique, so the order events leave in is fixed by the keys alone, whatever the heap's
// internal layout.

import type { Timer } from "./clock.js";

/**
 * One scheduled callback; it is also the Timer its scheduler gets back (one object per
 * timer: a simulated test schedules tens of thousands of them).
 */
export class QueuedEvent implements Timer {
  constructor(
    readonly at: number,
    readonly seq: number,
    /** null once cancelled (lazy deletion). */
    public fn: (() => void) | null,
    private readonly queue: EventQueue,
  ) {}

  cancel(): void {
    this.queue.cancel(this);
  }
}

export class EventQueue {
  private heap: QueuedEvent[] = [];
  private seq = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  push(at: number, fn: () => void): QueuedEvent {
    const ev = new QueuedEvent(at, this.seq++, fn, this);
    const h = this.heap;
    // Sift up: move parents down into the hole until ev's place is found.
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!less(ev, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
    this.live++;
    return ev;
  }

  cancel(ev: QueuedEvent): void {
    if (ev.fn !== null) {
      ev.fn = null;
      this.live--;
    }
  }

  /** Remove and return the earliest live event, or undefined when none is left. */
  pop(): QueuedEvent | undefined {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      const last = h.pop()!;
      const n = h.length;
      if (n > 0) {
        // Sift down: move smaller children up into the hole until last's place is found.
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= n) break;
          const r = l + 1;
          const m = r < n && less(h[r]!, h[l]!) ? r : l;
          const child = h[m]!;
          if (!less(child, last)) break;
          h[i] = child;
          i = m;
        }
        h[i] = last;
      }
      if (top.fn !== null) {
        this.live--;
        return top;
      }
    }
    return undefined;
  }

  clear(): void {
    this.heap = [];
    this.live = 0;
  }
}

function less(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
