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

// setImmediate as Node's: callbacks in order, each at the head of an empty microtask queue,
// with every microtask it caused run before the next (the simulator's steps rely on that:
// runtime/sim-clock.ts). A page cannot run its microtask queue from script, but the
// browser runs it after every listener of an event it dispatches itself (HTML's "clean
// up after running script": the checkpoint comes whenever the script stack empties). So
// one MessageChannel message reaches IMMEDIATES_PER_TASK listeners, each of which runs the
// next queued callback: one macrotask per batch, as Node's loop runs a batch of immediates
// per turn. A message per callback instead (a task each) cost 70-145 µs per simulated
// event in Chromium against 4-5 µs this way. Between two batches the worker takes its
// other tasks (the page's messages: pause, stop); a batch of simulated events lasts
// about a millisecond.
const IMMEDIATES_PER_TASK = 256;
const channel = new MessageChannel();
const immediates: Array<() => void> = [];
let head = 0;
/** A message is posted whose dispatch has not finished its last listener. */
let posted = false;
/**
 * The demo's gate (worker/demo.ts): asked before each callback; false holds the queue
 * (nothing runs) until release() is called. Between two callbacks a simulated world is
 * settled, so holding there pauses it whole.
 */
let gate: (() => boolean) | undefined;
let held = false;
export function setImmediateGate(g: (() => boolean) | undefined): void {
  gate = g;
}
/** Run the held queue again (after the gate said false). */
export function releaseImmediates(): void {
  if (!held) return;
  held = false;
  if (!posted && head < immediates.length) post();
}
function post(): void {
  posted = true;
  channel.port2.postMessage(null);
}
for (let k = 0; k < IMMEDIATES_PER_TASK; k++) {
  const last = k === IMMEDIATES_PER_TASK - 1;
  channel.port1.addEventListener("message", () => {
    if (!held && head < immediates.length) {
      if (gate !== undefined && !gate()) held = true;
      else {
        const f = immediates[head];
        immediates[head++] = undefined as unknown as () => void;
        if (head === immediates.length) {
          immediates.length = 0;
          head = 0;
        }
        // After the callback: a throw in it is the worker's uncaught error, as in Node.
        if (last) finishBatch();
        f!();
        return;
      }
    }
    if (last) finishBatch();
  });
}
channel.port1.start();
function finishBatch(): void {
  posted = false;
  if (!held && head < immediates.length) post();
}
function setImmediateStandIn(f: (...a: unknown[]) => void, ...a: unknown[]): number {
  immediates.push(a.length === 0 ? (f as () => void) : () => f(...a));
  if (!posted && !held) post();
  return 0;
}

const g = globalThis as Record<string, unknown>;
g.process ??= processStandIn;
g.Buffer ??= Buffer;
g.setImmediate ??= setImmediateStandIn;
g.global ??= globalThis;
