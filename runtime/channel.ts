// Go's unbuffered channel, for applyCh: send() resolves only once a receiver has taken
// the value, so a Raft that awaits send() while "holding its lock" deadlocks the way
// the course's tests expect to catch. In real time (REALTIME=1) a send is a hand-off
// between goroutines: the sender goes on only after a turn of the event loop, so that an
// applier and its reader passing values back and forth never starve Node's timers
// (World.handoff). Simulated mode goes on at once, as it always has.
import { hasWorld, world } from "./world.js";

export class ChannelClosed extends Error {
  constructor() {
    super("send on closed channel");
  }
}

interface Sender<T> {
  value: T;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Set only during watchChannelsMadeDuring's synchronous call. */
let madeWatcher: ((ch: Channel<unknown>) => void) | undefined;

/**
 * Framework only (the harness's safety monitors): run fn, and pass every Channel made
 * during its synchronous part to watcher (a service's applyCh, made in its start
 * function). Returns fn's result; throws what fn throws.
 */
export function watchChannelsMadeDuring<R>(fn: () => R, watcher: (ch: Channel<unknown>) => void): R {
  const outer = madeWatcher;
  madeWatcher = watcher;
  try {
    return fn();
  } finally {
    madeWatcher = outer;
  }
}

export class Channel<T> {
  private senders: Sender<T>[] = [];
  private receivers: ((r: IteratorResult<T, undefined>) => void)[] = [];
  private closed = false;
  /**
   * Framework only (the harness's safety monitors): sees each value at the moment a
   * receiver takes it, before the receiver runs. It must only observe.
   */
  onTaken: ((value: T) => void) | undefined = undefined;

  constructor() {
    if (madeWatcher !== undefined) madeWatcher(this as Channel<unknown>);
  }

  send(value: T): Promise<void> {
    const taken = this.hand(value);
    if (!hasWorld() || world().simulated) return taken;
    const w = world();
    return taken.then(() => w.handoff());
  }

  private hand(value: T): Promise<void> {
    if (this.closed) return Promise.reject(new ChannelClosed());
    const r = this.receivers.shift();
    if (r !== undefined) {
      this.onTaken?.(value);
      r({ value, done: false });
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.senders.push({ value, resolve, reject }));
  }

  /** The next value, or done once the channel is closed and drained. */
  recv(): Promise<IteratorResult<T, undefined>> {
    const s = this.senders.shift();
    if (s !== undefined) {
      this.onTaken?.(s.value);
      s.resolve();
      return Promise.resolve({ value: s.value, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.receivers.push(resolve));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.receivers) r({ value: undefined, done: true });
    this.receivers = [];
    for (const s of this.senders) s.reject(new ChannelClosed());
    this.senders = [];
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const r = await this.recv();
      if (r.done) return;
      yield r.value;
    }
  }
}
