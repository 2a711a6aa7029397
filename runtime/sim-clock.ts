import { checkDelay, type Clock, type Timer } from "./clock.js";
import { bindHost } from "./current-host.js";
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

/** Steps of run() queued per turn of Node's event loop (see run()). */
const STEPS_PER_HOP = 64;

/**
 * run()'s steps queue their microtask as a reaction to this promise: a plain promise job.
 * (queueMicrotask() would wrap each one in an async-hooks resource, which costs more than
 * most events do.)
 */
const RESOLVED: Promise<void> = Promise.resolve();

/** What after() returns once the world has ended: nothing to cancel. */
const NO_TIMER: Timer = { cancel() {} };

/**
 * Virtual time. Nothing advances by itself: run() takes the earliest event, sets the
 * clock to its time, runs it, and lets every microtask it caused finish before the next.
 */
export class SimClock implements Clock {
  readonly mode = "simulated" as const;
  private t = 0;
  private readonly queue = new EventQueue();
  private stopped = false;
  /** Called after each event once its microtasks have run (afterEachEvent). */
  private readonly settledHooks: Array<() => boolean> = [];
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
    if (this.stopped) return NO_TIMER;
    // The queued event is the timer: no closure per timer (see QueuedEvent), unless the
    // world tracks hosts (runtime/current-host.ts: then the callback runs as its setter).
    return this.queue.push(this.t + checkDelay(ms), bindHost(fn));
  }

  stop(): void {
    this.stopped = true;
    this.queue.clear();
  }

  /**
   * Framework only (the harness's safety monitors): call fn after every event, once every
   * microtask the event caused has run, before the next event starts — the moments at
   * which a world's state is settled. fn must only observe: it must not schedule, await
   * or draw anything, and it must not throw (a throw ends the world). fn returns true when
   * it failed the test: the microtasks that failure set off then run before any further
   * event, so the test ends at the virtual time of the event that showed the failure.
   */
  afterEachEvent(fn: () => boolean): void {
    this.settledHooks.push(fn);
  }

  /**
   * Drive the world until main settles. limitMs bounds virtual time against runaway tests.
   *
   * Each step takes the earliest event, sets the clock to its time and runs it, and the
   * next step starts only once every microtask and nextTick the event caused has run.
   * A step is a macrotask (setImmediate) that queues one promise job, and that job
   * runs the event: so an event runs at the head of an empty microtask queue, as it would
   * after `await` of a one-hop drain, and its microtasks run before any nextTick it queued.
   * Steps are queued STEPS_PER_HOP at a time: Node drains the microtask and nextTick
   * queues (and reports unhandled rejections) between two immediates of one batch exactly
   * as between two turns of the event loop, and a batch saves the loop's turn per event
   * (about 1 µs of the 2 µs an event cost). Nothing a world runs can tell the difference:
   * only the wall clock's own timers and I/O wait a little longer for their turn.
   */
  run<T>(main: () => Promise<T>, limitMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
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
      let finished = false;
      /** Steps queued and not yet run. */
      let queued = 0;
      const runNext = (): void => {
        if (finished) return;
        try {
          if (settled) {
            finished = true;
            if (failed) reject(error);
            else resolve(value as T);
            return;
          }
          const hooks = this.settledHooks;
          let stop = false;
          for (let i = 0; i < hooks.length; i++) if (hooks[i]!()) stop = true;
          // The next step comes after every microtask the failure queued.
          if (stop) return;
          const ev = this.queue.pop();
          if (ev === undefined) {
            throw new SimulationStalled(
              `simulation stalled at virtual ${(this.t / 1000).toFixed(3)}s: the test is waiting ` +
                `but no timer or message is pending (a promise that nothing will ever resolve?)`,
            );
          }
          if (ev.at > limitMs) {
            throw new SimulationStalled(`virtual time limit of ${limitMs / 1000}s exceeded; the test never finished`);
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
        } catch (e) {
          finished = true;
          reject(e);
        }
      };
      const step = (): void => {
        queued--;
        if (finished) return;
        void RESOLVED.then(runNext);
        if (queued === 0) {
          for (let i = 0; i < STEPS_PER_HOP; i++) setImmediate(step);
          queued = STEPS_PER_HOP;
        }
      };
      queued = 1;
      setImmediate(step);
    });
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
