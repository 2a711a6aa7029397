// What a parent hears from one child process (a many-seeds worker, seed-pool.ts; make
// watch-XX's resident test process, watch-tests.ts), in order: its messages and what the
// parent's own watch of it concluded, each taken by exactly one next().

import { RealClock } from "../../runtime/real-clock.js";

export class Mailbox<E> {
  private readonly queued: E[] = [];
  private waiter: ((e: E) => void) | undefined;
  private readonly clock = new RealClock();

  /** Hand e to the one waiting in next(), or keep it for the next call. */
  push(e: E): void {
    const w = this.waiter;
    if (w === undefined) {
      this.queued.push(e);
      return;
    }
    this.waiter = undefined;
    w(e);
  }

  /**
   * The oldest event not yet taken, once there is one; with `wallMs` (wall ms), `timedOut`
   * if none comes in that time. One caller waits at a time.
   */
  next(): Promise<E>;
  next<T>(wallMs: number, timedOut: T): Promise<E | T>;
  next<T>(wallMs?: number, timedOut?: T): Promise<E | T> {
    const e = this.queued.shift();
    if (e !== undefined) return Promise.resolve(e);
    return new Promise((resolve) => {
      if (wallMs === undefined) {
        this.waiter = resolve;
        return;
      }
      const timer = this.clock.after(Math.max(0, wallMs), () => {
        this.waiter = undefined;
        resolve(timedOut as T);
      });
      this.waiter = (ev) => {
        timer.cancel();
        resolve(ev);
      };
    });
  }
}
