// Binary min-heap of timed events ordered by (time, insertion sequence), so two events
// at the same virtual time always run in the order they were scheduled.

export interface QueuedEvent {
  at: number;
  seq: number;
  fn: (() => void) | null; // null once cancelled (lazy deletion)
}

export class EventQueue {
  private heap: QueuedEvent[] = [];
  private seq = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  push(at: number, fn: () => void): QueuedEvent {
    const ev: QueuedEvent = { at, seq: this.seq++, fn };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
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
      if (h.length > 0) {
        h[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && less(h[l]!, h[m]!)) m = l;
          if (r < h.length && less(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
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
