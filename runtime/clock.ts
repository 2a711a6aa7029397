/**
 * A cancellable one-shot timer. Cancelling twice, or after it fired, is harmless. Call it
 * as `timer.cancel()`: in simulated time the timer is the queued event itself, and its
 * cancel() is a method, not a detached closure.
 */
export interface Timer {
  cancel(): void;
}

/** Time as lab code sees it: milliseconds since the world started. */
export interface Clock {
  readonly mode: "simulated" | "realtime";
  now(): number;
  sleep(ms: number): Promise<void>;
  after(ms: number, fn: () => void): Timer;
  /** Drop every pending timer; sleeps never resolve. Called when a world ends. */
  stop(): void;
}

export function checkDelay(ms: number): number {
  if (!Number.isFinite(ms)) throw new Error(`delay must be a finite number of ms, got ${String(ms)}`);
  return ms < 0 ? 0 : ms;
}
