// In simulated mode every message takes virtual time that grows with its size and waits
// for its sender's disk and link (runtime/host.ts); the course's own delays come on top.
import { expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { costModel, DEFAULT_COST_MODEL, type CostModel } from "../runtime/cost-model.js";
import { now, randInt, world } from "../runtime/index.js";
import { runWorld } from "../runtime/world.js";
import { type ClientEnd, Network, Server, Service } from "./index.js";

const {
  diskBytesPerMs: DISK_BYTES_PER_MS,
  linkBytesPerMs: LINK_BYTES_PER_MS,
  messageOverheadMs: MESSAGE_OVERHEAD_MS,
  wireLatencyMs: WIRE_LATENCY_MS,
  wireJitterMs: WIRE_JITTER_MS,
} = DEFAULT_COST_MODEL;

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

test("the world's cost model is what the network and disks charge", async () => {
  // Ten times the wire latency, and a disk ten times slower: the same calls take longer by that.
  const slow = { wireLatencyMs: 2.5, wireJitterMs: 0, messageOverheadMs: 0, diskBytesPerMs: 600 };
  await runWorld({ seed: 3, cost: slow }, async (w) => {
    expect(w.cost.wireLatencyMs).toBe(2.5);
    expect(w.cost.linkBytesPerMs).toBe(LINK_BYTES_PER_MS); // the rest stays the default
    const { end } = setup("a");
    const t = await timed(end, "Echo.Len", "x");
    expect(t).toBeGreaterThanOrEqual(5);
    expect(t).toBeLessThan(5 + 0.01);
    w.host("a").write(600 * 7); // 7 ms of this disk
    expect(w.host("a").diskBusyMs()).toBeCloseTo(7, 9);
  });
  // The course's delays too: a dead end fails within deadEndTimeoutMs.
  await runWorld({ seed: 3, cost: { deadEndTimeoutMs: 1 } }, async () => {
    const { net, end } = setup();
    net.enable("e", false);
    const t = now();
    expect(await end.call("Echo.Len", "x")).toEqual({ ok: false });
    expect(now() - t).toBe(0);
  });
});

test("a bad cost model is refused with the field's name", async () => {
  expect(() => costModel({ diskBytesPerMs: 0 })).toThrow(/diskBytesPerMs must be a positive number, got 0/);
  expect(() => costModel({ wireJitterMs: Number.NaN })).toThrow(/wireJitterMs must be a non-negative number/);
  expect(() => costModel({ unreliableDelayMs: 2.5 })).toThrow(/unreliableDelayMs must be a positive integer, got 2.5/);
  expect(() => costModel({ requestLoss: { hits: 5, outOf: 2 } })).toThrow(/requestLoss must be \{ hits, outOf \}/);
  expect(() => costModel({ diskBytesPerMS: 1 } as Partial<CostModel>)).toThrow(/unknown field "diskBytesPerMS"/);
  await expect(runWorld({ seed: 1, cost: { handlerPollMs: -1 } }, async () => undefined)).rejects.toThrow(/handlerPollMs must be a positive number/);
  expect(Object.isFrozen(costModel())).toBe(true);
});

test("labrpc/README.md's table holds every field of the cost model with its default, and nothing else", () => {
  const readme = readFileSync(new URL("./README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## The cost model"));
  const rows = [...section.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2]!.trim()]);
  const want = Object.entries(DEFAULT_COST_MODEL).map(([k, v]) => [k, typeof v === "number" ? String(v) : `${v.hits}/${v.outOf}`]);
  expect(rows).toEqual(want);
});
