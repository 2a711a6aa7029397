import { checkDelay, type Clock, type Timer } from "./clock.js";
import { EventQueue } from "./event-queue.js";

/** Thrown when the main task waits on something no pending event can ever deliver. */
export class SimulationStalled extends Error {}

/**
 * Virtual time. Nothing advances by itself: run() takes the earliest event, sets the
 * clock to its time, runs it, and lets every microtask it caused finish before the next.
 */
export class SimClock implements Clock {
  readonly mode = "simulated" as const;
  private t = 0;
  private readonly queue = new EventQueue();
  private stopped = false;
  events = 0;

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.after(ms, resolve);
    });
  }

  after(ms: number, fn: () => void): Timer {
    if (this.stopped) return { cancel() {} };
    const ev = this.queue.push(this.t + checkDelay(ms), fn);
    return { cancel: () => this.queue.cancel(ev) };
  }

  stop(): void {
    this.stopped = true;
    this.queue.clear();
  }

  /** Drive the world until main settles. limitMs bounds virtual time against runaway tests. */
  async run<T>(main: () => Promise<T>, limitMs: number): Promise<T> {
    let settled = false;
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    void Promise.resolve()
      .then(main)
      .then(
        (v) => {
          settled = true;
          value = v;
        },
        (e: unknown) => {
          settled = true;
          failed = true;
          error = e;
        },
      );
    for (;;) {
      await drainMicrotasks();
      if (settled) break;
      const ev = this.queue.pop();
      if (ev === undefined) {
        throw new SimulationStalled(
          `simulation stalled at virtual ${(this.t / 1000).toFixed(3)}s: the test is waiting ` +
            `but no timer or message is pending (a promise that nothing will ever resolve?)`,
        );
      }
      if (ev.at > limitMs) {
        throw new SimulationStalled(
          `virtual time limit of ${limitMs / 1000}s exceeded; the test never finished`,
        );
      }
      this.t = ev.at;
      this.events++;
      const fn = ev.fn!;
      fn();
    }
    if (failed) throw error;
    return value as T;
  }
}

/**
 * With no real I/O in a simulated world, one macrotask hop lets the microtask queue
 * (promise jobs, nextTicks) drain completely.
 */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
