// What Node gives the framework as globals, in the playground's worker (esbuild injects
// this module first): process (env, stdout/stderr as message lines to the page, the
// unhandled-rejection hooks the harness's failure latch listens on), Buffer, setImmediate.
// Student code sees none of these: its compartment has only the sandbox's globals.
import { Buffer } from "buffer";

type Handler = (e: unknown) => void;

/** Where stdout/stderr text goes; the worker sets it to post lines to the page. */
let sink: (stream: "stdout" | "stderr", text: string) => void = () => {};
export function setOutputSink(f: (stream: "stdout" | "stderr", text: string) => void): void {
  sink = f;
}

const listeners = new Map<Handler, { event: string; fn: (e: Event) => void }>();

const processStandIn = {
  env: {} as Record<string, string | undefined>,
  argv: [] as string[],
  platform: "browser",
  // TypeScript takes a process without this for Node and reaches for its os and fs modules.
  browser: true,
  version: "v20.0.0",
  versions: { node: "20.0.0" },
  exitCode: undefined as number | undefined,
  stdout: { isTTY: false, write: (s: string) => (sink("stdout", String(s)), true) },
  stderr: { isTTY: false, write: (s: string) => (sink("stderr", String(s)), true) },
  cwd: () => "/labs",
  /** A page cannot read its CPU time: the worker's wall time stands in (it runs alone on its thread). */
  cpuUsage: () => ({ user: Math.round(performance.now() * 1000), system: 0 }),
  memoryUsage: () => ({ rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 }),
  on(event: string, h: Handler) {
    const name = event === "unhandledRejection" ? "unhandledrejection" : event === "uncaughtException" ? "error" : undefined;
    if (name === undefined) return processStandIn;
    const fn = (e: Event): void => {
      e.preventDefault();
      h(name === "error" ? (e as ErrorEvent).error : (e as PromiseRejectionEvent).reason);
    };
    listeners.set(h, { event: name, fn });
    self.addEventListener(name, fn);
    return processStandIn;
  },
  off(_event: string, h: Handler) {
    const l = listeners.get(h);
    if (l !== undefined) self.removeEventListener(l.event, l.fn);
    listeners.delete(h);
    return processStandIn;
  },
  nextTick(f: (...a: unknown[]) => void, ...a: unknown[]) {
    queueMicrotask(() => f(...a));
  },
  exit(code?: number) {
    throw new Error(`process.exit(${code ?? 0}) in the playground`);
  },
};

// setImmediate as Node's: a macrotask per callback, in order, with the microtask queue
// drained between two callbacks (the simulator's steps rely on that; runtime/sim-clock.ts).
// A MessageChannel message is the browser's cheapest macrotask.
const channel = new MessageChannel();
const immediates: Array<() => void> = [];
let head = 0;
channel.port1.onmessage = () => {
  const f = immediates[head];
  immediates[head++] = undefined as unknown as () => void;
  if (head === immediates.length) {
    immediates.length = 0;
    head = 0;
  }
  f?.();
};
function setImmediateStandIn(f: (...a: unknown[]) => void, ...a: unknown[]): number {
  immediates.push(a.length === 0 ? (f as () => void) : () => f(...a));
  channel.port2.postMessage(null);
  return 0;
}

const g = globalThis as Record<string, unknown>;
g.process ??= processStandIn;
g.Buffer ??= Buffer;
g.setImmediate ??= setImmediateStandIn;
g.global ??= globalThis;
