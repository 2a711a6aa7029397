// Which simulated machine ("host") is running right now, so that the tracer and DEBUG logs
// can tell apart four Raft groups whose peers all call themselves 0, 1 and 2 (Lab 4:
// the controller and three shardkv groups). Lab code never sets it and never reads it:
// the harness names the host around a peer's construction and a clerk's calls, labrpc
// around each handler and before each reply reaches its caller, and a timer runs with the
// host that set it. No async_hooks: a task that continues after `await` sees the host of
// whatever resumed it (a timer it set, the network's reply), which is its own host for
// everything a peer or a clerk waits on.
//
// It costs nothing until a world names a host (World.nameHost): only then do timers carry
// it, so the worlds of Labs 2 and 3 run exactly as before.

let current: string | undefined;
let active = false;

/** The host whose code is running, if the harness named one (see the file header). */
export function currentHost(): string | undefined {
  return current;
}

/** Whether this world tracks hosts at all (some host was named). */
export function hostsActive(): boolean {
  return active;
}

/** Start tracking hosts (World.nameHost) or stop and forget (a world's start and end). */
export function setHostsActive(yes: boolean): void {
  active = yes;
  if (!yes) current = undefined;
}

/** Make host the current one until something else sets it (a timer firing, a reply). */
export function enterHost(host: string | undefined): void {
  if (active) current = host;
}

/** Run fn with host current, then restore the previous one; fn's result is returned. */
export function withHost<T>(host: string | undefined, fn: () => T): T {
  if (!active) return fn();
  const was = current;
  current = host;
  try {
    return fn();
  } finally {
    current = was;
  }
}

/**
 * fn, made to run with the host current now (for a timer's callback). Unwrapped when no
 * world tracks hosts; a callback set with no host current runs with none, so a tester's
 * timer never inherits the host of the event before it.
 */
export function bindHost(fn: () => void): () => void {
  if (!active) return fn;
  const host = current;
  return () => {
    current = host;
    fn();
  };
}

/**
 * obj with every method call running with host current (its synchronous part; what it
 * awaits carries the host on through timers and labrpc). For a clerk: the ends it makes,
 * the RPCs it sends and the lines it logs are then its own.
 */
export function hosted<T extends object>(obj: T, host: string): T {
  return new Proxy(obj, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => withHost(host, () => (v as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}
