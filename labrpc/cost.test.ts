// In simulated mode every message takes virtual time that grows with its size and waits
// for its sender's disk and link (runtime/host.ts); the course's own delays come on top.
import { expect, test } from "vitest";
import { DISK_BYTES_PER_MS, LINK_BYTES_PER_MS, MESSAGE_OVERHEAD_MS, WIRE_JITTER_MS, WIRE_LATENCY_MS } from "../runtime/host.js";
import { now, randInt, world } from "../runtime/index.js";
import { runWorld } from "../runtime/world.js";
import { type ClientEnd, Network, Server, Service } from "./index.js";

/** A server "s" echoing a string's length, and an end to it owned by `host` (if any). */
function setup(host?: string): { net: Network; end: ClientEnd } {
  const net = new Network();
  const server = new Server();
  const echo = {
    len(s: string): number {
      return s.length;
    },
    persistThenLen(s: string): number {
      world().host("s").write(s.length); // a handler that saves its argument before replying
      return s.length;
    },
  };
  server.addService(new Service("Echo", echo, ["len", "persistThenLen"]));
  net.addServer("s", server);
  const end = net.makeEnd("e", host);
  net.connect("e", "s");
  net.enable("e", true);
  return { net, end };
}

/** Virtual ms one call takes. */
async function timed(end: ClientEnd, meth: string, arg: string): Promise<number> {
  const t = now();
  const r = await end.call<number>(meth, arg);
  expect(r).toEqual({ ok: true, reply: arg.length });
  return now() - t;
}

/** One small message's one-way time lies in [ONE_WAY_MIN, ONE_WAY_MAX) virtual ms. */
const ONE_WAY_MIN = MESSAGE_OVERHEAD_MS + WIRE_LATENCY_MS;
const ONE_WAY_MAX = MESSAGE_OVERHEAD_MS + WIRE_LATENCY_MS + WIRE_JITTER_MS;

test("a round trip costs two deliveries plus both messages' bytes over the link", async () => {
  // (1 ms of slack covers the few bytes of a small message and its reply.)
  await runWorld({ seed: 3 }, async () => {
    const { end } = setup();
    const small = await timed(end, "Echo.Len", "x");
    expect(small).toBeGreaterThanOrEqual(2 * ONE_WAY_MIN);
    expect(small).toBeLessThan(2 * ONE_WAY_MAX + 1);
    const big = "y".repeat(LINK_BYTES_PER_MS * 10); // 10 ms on the link
    const t = await timed(end, "Echo.Len", big);
    expect(t).toBeGreaterThanOrEqual(10 + 2 * ONE_WAY_MIN);
    expect(t).toBeLessThan(10 + 2 * ONE_WAY_MAX + 1);
  });
});

test("a sender's disk write delays what it sends next; a server's delays its reply", async () => {
  await runWorld({ seed: 3 }, async (w) => {
    const { end } = setup("a");
    w.host("a").write(DISK_BYTES_PER_MS * 50); // 50 ms of disk
    expect(await timed(end, "Echo.Len", "x")).toBeGreaterThanOrEqual(50);
    const arg = "z".repeat(DISK_BYTES_PER_MS * 30); // the handler's save: 30 ms
    expect(await timed(end, "Echo.PersistThenLen", arg)).toBeGreaterThanOrEqual(30 + 2 * ONE_WAY_MIN);
  });
});

test("one host's messages queue on its link", async () => {
  await runWorld({ seed: 3 }, async () => {
    const { end } = setup("a");
    const big = "q".repeat(LINK_BYTES_PER_MS * 20); // 20 ms each
    const t0 = now();
    const done: number[] = [];
    await Promise.all([1, 2].map(async () => {
      await end.call("Echo.Len", big);
      done.push(now() - t0);
    }));
    expect(done[1]).toBeGreaterThanOrEqual(40);
  });
});

test("the network's draws never shift the lab's random stream", async () => {
  const labDraws = (rpcs: number): Promise<number[]> =>
    runWorld({ seed: 5 }, async () => {
      const { end } = setup();
      for (let i = 0; i < rpcs; i++) await end.call("Echo.Len", "x");
      return [randInt(1 << 30), randInt(1 << 30)];
    });
  expect(await labDraws(0)).toEqual(await labDraws(7));
});
