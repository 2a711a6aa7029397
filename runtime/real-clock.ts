import { checkDelay, type Clock, type Timer } from "./clock.js";
import { bindHost } from "./current-host.js";

/** The wall clock behind the same interface (REALTIME=1, and the MapReduce processes). */
export class RealClock implements Clock {
  readonly mode = "realtime" as const;
  private readonly t0 = performance.now();
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopped = false;

  now(): number {
    return performance.now() - this.t0;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.after(ms, resolve);
    });
  }

  after(ms: number, fn: () => void): Timer {
    if (this.stopped) return { cancel() {} };
    fn = bindHost(fn);
    const h = setTimeout(() => {
      this.pending.delete(h);
      fn();
    }, checkDelay(ms));
    this.pending.add(h);
    return {
      cancel: () => {
        clearTimeout(h);
        this.pending.delete(h);
      },
    };
  }

  /**
   * One turn of the event loop (a macrotask: setImmediate), for every hop that stands for
   * one goroutine handing off to another (labrpc's delivery and reply, a channel send). In
   * Go such a hop is a scheduling point and timers keep firing; a promise hop is a
   * microtask, and a chain of them (a clerk calling a live server on a reliable network,
   * in a loop) would never let Node reach its timers: the tester's sleeps and even the
   * 120 s limit would starve. Resolves never once the clock has stopped, like sleep().
   */
  turn(): Promise<void> {
    if (this.stopped) return new Promise(() => {});
    return new Promise((resolve) => setImmediate(bindHost(resolve)));
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.pending) clearTimeout(h);
    this.pending.clear();
  }
}

/** Seconds since the Unix epoch, for processes that stamp wall time (the mtiming app). */
export function wallSeconds(): number {
  return Date.now() / 1000;
}

/** CPU ms (user + system) this process has used so far: what a test costs, whatever the load. */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Milliseconds (fractional) since this process or browser worker began (the platform's time
 * origin). For tools that report their own start-up phases, such as the playground's
 * worker; lab code gets time from the world's clock.
 */
export function msSinceStart(): number {
  return performance.now();
}
