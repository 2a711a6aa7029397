import { checkDelay, type Clock, type Timer } from "./clock.js";
import { EventQueue } from "./event-queue.js";

/**
 * Thrown when a simulated world cannot go on: the main task waits on something no pending
 * event can ever deliver, virtual time stopped moving while events keep running (a busy
 * loop), or the virtual time limit passed.
 */
export class SimulationStalled extends Error {}

/**
 * A world whose virtual time stays at one instant while events keep running is livelocked:
 * some loop awaits sleep(0) (or retries at once) and virtual time can never advance. No
 * sane run comes near either bound (the busiest instants of the graded tests run a few
 * hundred events); a sleep(0) loop reaches the event bound in about a second of wall time.
 */
export const MAX_EVENTS_AT_ONE_INSTANT = 200_000;
/** Wall ms a world may spend at one virtual instant (slow events rather than many). */
export const MAX_WALL_MS_AT_ONE_INSTANT = 20_000;

const LIVELOCK_CAUSE =
  "virtual time cannot advance: most likely a loop that awaits sleep(0) or retries at once " +
  "without a delay (poll with a real interval, e.g. sleep(10), or wait on a Channel)";

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
    let instantEvents = 0;
    let instantWall = performance.now();
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
      if (ev.at === this.t) {
        instantEvents++;
        // Reading the wall clock costs; every 1024 events is often enough for a 20 s bound.
        if ((instantEvents & 1023) === 0) this.checkLivelock(instantEvents, performance.now() - instantWall);
      } else {
        instantEvents = 0;
        instantWall = performance.now();
      }
      this.t = ev.at;
      this.events++;
      const fn = ev.fn!;
      fn();
    }
    if (failed) throw error;
    return value as T;
  }

  private checkLivelock(events: number, wallMs: number): void {
    if (events >= MAX_EVENTS_AT_ONE_INSTANT || wallMs >= MAX_WALL_MS_AT_ONE_INSTANT) {
      throw new SimulationStalled(
        `simulation stalled at virtual ${(this.t / 1000).toFixed(3)}s: ${events} events ran in ` +
          `${(wallMs / 1000).toFixed(1)} s of wall time without virtual time moving; ${LIVELOCK_CAUSE}`,
      );
    }
  }
}

/**
 * With no real I/O in a simulated world, one macrotask hop lets the microtask queue
 * (promise jobs, nextTicks) drain completely.
 */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
