import { expect, test } from "vitest";
import { graded } from "../labs-test/harness/graded.js";
import { now, sleep } from "../runtime/index.js";
import { RealClock } from "../runtime/real-clock.js";
import { runWorld, world } from "../runtime/world.js";
import { JUNK_METHODS, JunkServer } from "./junk-server.js";
import { type ClientEnd, Network, type Name, Server, Service } from "./index.js";
import { DEFAULT_COST_MODEL } from "../runtime/cost-model.js";
import { say } from "../labs-test/harness/say.js";

/** An end from endName to serverName, connected and enabled. */
function link(net: Network, endName: Name, serverName: Name): ClientEnd {
  const e = net.makeEnd(endName);
  net.connect(endName, serverName);
  net.enable(endName, true);
  return e;
}

function setup(serverName: Name): { net: Network; js: JunkServer; server: Server } {
  const net = new Network();
  const js = new JunkServer();
  const server = new Server();
  server.addService(new Service("JunkServer", js, JUNK_METHODS));
  net.addServer(serverName, server);
  return { net, js, server };
}

graded("TestBasic", async () => {
  const { net } = setup("server99");
  const e = link(net, "end1-99", "server99");
  const r2 = await e.call<string>("JunkServer.Handler2", 111);
  expect(r2).toEqual({ ok: true, reply: "handler2-111" });
  const r1 = await e.call<number>("JunkServer.Handler1", "9099");
  expect(r1).toEqual({ ok: true, reply: 9099 });
  net.cleanup();
});

graded("TestTypes", async () => {
  const { net } = setup("server99");
  const e = link(net, "end1-99", "server99");
  const args = { x: 99 };
  const r4 = await e.call<{ x: string }>("JunkServer.Handler4", args);
  expect(r4).toEqual({ ok: true, reply: { x: "pointer" } });
  expect(args.x).toBe(99); // the handler changed only its own copy
  const r5 = await e.call<{ x: string }>("JunkServer.Handler5", { x: 99 });
  expect(r5).toEqual({ ok: true, reply: { x: "no pointer" } });
  net.cleanup();
});

graded("TestDisconnect", async () => {
  const { net, js } = setup("server99");
  const e = net.makeEnd("end1-99");
  net.connect("end1-99", "server99");
  const t0 = now();
  const r = await e.call<string>("JunkServer.Handler2", 111);
  expect(r.ok).toBe(false);
  expect(now() - t0).toBeLessThan(100 + 50);
  expect(js.log2).toEqual([]);
  net.enable("end1-99", true);
  const r1 = await e.call<number>("JunkServer.Handler1", "9099");
  expect(r1).toEqual({ ok: true, reply: 9099 });
  net.cleanup();
});

graded("TestCounts", async () => {
  const { net } = setup(99);
  const e = link(net, "end1-99", 99);
  for (let i = 0; i < 17; i++) {
    const r = await e.call<string>("JunkServer.Handler2", i);
    expect(r).toEqual({ ok: true, reply: `handler2-${i}` });
  }
  expect(net.getCount(99)).toBe(17);
  net.cleanup();
});

graded("TestBytes", async () => {
  const { net } = setup(99);
  const e = link(net, "end1-99", 99);
  let s = "x".repeat(71);
  s = s + s;
  s = s + s; // 284 characters, as the course builds it
  for (let i = 0; i < 17; i++) {
    const r = await e.call<number>("JunkServer.Handler6", s);
    expect(r).toEqual({ ok: true, reply: s.length });
  }
  const n = net.getTotalBytes();
  expect(n, `wrong byte count ${n}, expected about 5000`).toBeGreaterThanOrEqual(4828);
  expect(n, `wrong byte count ${n}, expected about 5000`).toBeLessThanOrEqual(6000);
  for (let i = 0; i < 17; i++) {
    const r = await e.call<string>("JunkServer.Handler7", 107);
    expect(r.ok && r.reply.length).toBe(107);
  }
  const nn = net.getTotalBytes() - n;
  expect(nn, `wrong byte count ${nn}, expected about 2000`).toBeGreaterThanOrEqual(1800);
  expect(nn, `wrong byte count ${nn}, expected about 2000`).toBeLessThanOrEqual(2500);
  net.cleanup();
});

graded("TestConcurrentMany", async () => {
  const { net } = setup(1000);
  const nclients = 20;
  const nrpcs = 10;
  const counts = await Promise.all(
    Array.from({ length: nclients }, async (_, i) => {
      const e = link(net, i, 1000);
      let n = 0;
      for (let j = 0; j < nrpcs; j++) {
        const arg = i * 100 + j;
        const r = await e.call<string>("JunkServer.Handler2", arg);
        expect(r).toEqual({ ok: true, reply: `handler2-${arg}` });
        n++;
      }
      return n;
    }),
  );
  expect(counts.reduce((a, b) => a + b, 0)).toBe(nclients * nrpcs);
  expect(net.getCount(1000)).toBe(nclients * nrpcs);
  net.cleanup();
});

graded("TestUnreliable", async () => {
  const { net } = setup(1000);
  net.setReliable(false);
  const nclients = 300;
  const oks = await Promise.all(
    Array.from({ length: nclients }, async (_, i) => {
      const e = link(net, i, 1000);
      const arg = i * 100;
      const r = await e.call<string>("JunkServer.Handler2", arg);
      if (r.ok) expect(r.reply).toBe(`handler2-${arg}`);
      return r.ok ? 1 : 0;
    }),
  );
  const total = oks.reduce<number>((a, b) => a + b, 0);
  expect(total, "all RPCs succeeded despite unreliable").not.toBe(nclients);
  expect(total, "no RPCs succeeded").not.toBe(0);
  net.cleanup();
});

graded("TestConcurrentOne", async () => {
  const { net, js } = setup(1000);
  const e = link(net, "c", 1000);
  const n = 20;
  const oks = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const r = await e.call<string>("JunkServer.Handler2", 100 + i);
      expect(r).toEqual({ ok: true, reply: `handler2-${100 + i}` });
      return 1;
    }),
  );
  expect(oks.length).toBe(n);
  expect(js.log2.length).toBe(n);
  expect(net.getCount(1000)).toBe(n);
  net.cleanup();
});

graded("TestRegression1", async () => {
  const { net, js } = setup(1000);
  const e = net.makeEnd("c");
  net.connect("c", 1000);
  // Start requests while the end is disabled: they fail after a short random wait.
  const n = 20;
  const pending = Array.from({ length: n }, (_, i) =>
    e.call<string>("JunkServer.Handler2", 100 + i).then((r) => {
      if (r.ok) expect(r.reply).toBe(`handler2-${100 + i}`);
    }),
  );
  await sleep(100);
  net.enable("c", true);
  const t0 = now();
  const r = await e.call<string>("JunkServer.Handler2", 99);
  expect(r).toEqual({ ok: true, reply: "handler2-99" });
  expect(now() - t0, "RPC took too long after Enable").toBeLessThanOrEqual(30);
  await Promise.all(pending);
  expect(js.log2.length).toBe(1);
  expect(net.getCount(1000)).toBe(1);
  net.cleanup();
});

graded("TestKilled", async () => {
  const { net } = setup("server99");
  const e = link(net, "end1-99", "server99");
  let result: { ok: boolean } | undefined;
  void e.call<number>("JunkServer.Handler3", 99).then((r) => {
    result = r;
  });
  await sleep(1000);
  expect(result, "Handler3 returned prematurely").toBeUndefined();
  net.deleteServer("server99");
  await sleep(100);
  expect(result, "Handler3 should return after DeleteServer()").toBeDefined();
  expect(result!.ok, "Handler3 returned successfully despite DeleteServer()").toBe(false);
  net.cleanup();
});

graded("TestBenchmark", async () => {
  const { net } = setup("server99");
  const e = link(net, "end1-99", "server99");
  const wall = new RealClock();
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const r = await e.call<string>("JunkServer.Handler2", 111);
    if (!r.ok || r.reply !== "handler2-111") expect(r).toEqual({ ok: true, reply: "handler2-111" });
  }
  const ms = wall.now();
  say(`${n} RPCs: ${(ms / 1000).toFixed(2)}s wall, ${Math.round((n / ms) * 1000)} calls/s`);
  net.cleanup();
});

test("bad input: an unknown Service.Method rejects the call with the valid choices", async () => {
  await runWorld({ seed: 1 }, async () => {
    const { net } = setup("s");
    const e = link(net, "e", "s");
    await expect(e.call("JunkServer.Nope", 1)).rejects.toThrow(/unknown method Nope in service JunkServer.*Handler2/);
    await expect(e.call("Junk.Handler2", 1)).rejects.toThrow(/unknown service in "Junk.Handler2".*JunkServer/);
    await expect(e.call("nodot", 1)).rejects.toThrow(/expecting "Service.Method"/);
    expect(net.getCount("s")).toBe(3); // counted like the course: dispatched, then found unknown
  });
});

test("bad input: a throwing handler rejects the caller with its message", async () => {
  await runWorld({ seed: 1 }, async () => {
    const net = new Network();
    const server = new Server();
    server.addService(new Service("Bad", { boom(): never { throw new Error("kaboom"); } }, ["boom"]));
    net.addServer("s", server);
    const e = link(net, "e", "s");
    await expect(e.call("Bad.Boom", {})).rejects.toThrow(/handler Bad.Boom threw: kaboom/);
  });
});

test("bad input: functions and class instances cannot be sent", async () => {
  await runWorld({ seed: 1 }, async () => {
    const { net } = setup("s");
    const e = link(net, "e", "s");
    await expect(e.call("JunkServer.Handler4", { x: 1, f: () => 1 })).rejects.toThrow(
      /args of JunkServer.Handler4\.f is a function/,
    );
    await expect(e.call("JunkServer.Handler4", { x: new Map() })).rejects.toThrow(/\.x is a Map/);
    await expect(e.call("JunkServer.Handler4", { list: [1, undefined] })).rejects.toThrow(
      /\.list\[1\] is undefined/,
    );
    expect(net.getTotalCount()).toBe(0); // nothing was sent
  });
});

test("a registered method name that does not exist is reported at registration", () => {
  expect(() => new Service("JunkServer", new JunkServer(), ["handler9"])).toThrow(/no method handler9/);
});

// ---- ours: duplicate mode (not in the course's labrpc; manifest: extraTests) ----------

graded("TestDuplicates", async () => {
  const { net, js, server } = setup("server99");
  const e = link(net, "end1-99", "server99");
  // Off by default: every handler runs exactly once.
  for (let i = 0; i < 100; i++) expect(await e.call<string>("JunkServer.Handler2", i)).toEqual({ ok: true, reply: `handler2-${i}` });
  await sleep(DEFAULT_COST_MODEL.duplicateDelayMs + 1);
  expect(js.log2).toEqual(Array.from({ length: 100 }, (_, i) => i));

  // On: each caller still gets its one reply, but some requests reach the handler twice,
  // later, after the caller has moved on.
  net.setDuplicates(true);
  js.log2 = [];
  const count0 = server.getCount();
  for (let i = 0; i < 200; i++) expect(await e.call<string>("JunkServer.Handler2", i)).toEqual({ ok: true, reply: `handler2-${i}` });
  await sleep(DEFAULT_COST_MODEL.duplicateDelayMs + 1);
  const twice = Array.from({ length: 200 }, (_, i) => i).filter((i) => js.log2.filter((x) => x === i).length === 2);
  expect(js.log2.length).toBe(200 + twice.length);
  expect(server.getCount() - count0).toBe(js.log2.length);
  // About the duplicate odds of them (a binomial's 200·0.25 = 50 ± 6; far bounds).
  const share = DEFAULT_COST_MODEL.duplicate.hits / DEFAULT_COST_MODEL.duplicate.outOf;
  expect(twice.length).toBeGreaterThan(200 * share * 0.4);
  expect(twice.length).toBeLessThan(200 * share * 1.6);
  // Late: some copy arrives after a later request's original.
  const firstSeen = (i: number): number => js.log2.indexOf(i);
  expect(twice.some((i) => js.log2.lastIndexOf(i) > firstSeen(i + 1))).toBe(true);

  // A copy in flight does not reach a server that was deleted (crashed) meanwhile.
  js.log2 = [];
  for (let i = 0; i < 40; i++) await e.call<string>("JunkServer.Handler2", i);
  const delivered = js.log2.length;
  net.deleteServer("server99");
  await sleep(DEFAULT_COST_MODEL.duplicateDelayMs + 1);
  expect(js.log2.length).toBe(delivered);
  net.cleanup();
});

// ---- ours: held replies (not in the course's labrpc; manifest: extraTests) ------------

graded("TestHeldReplies", async () => {
  const { net, js } = setup("server99");
  const e = link(net, "end1-99", "server99");
  const other = link(net, "end2-99", "server99");

  // A call made before the hold is not held, though its reply comes after.
  const before = e.call<number>("JunkServer.Handler1", "1");
  net.holdReplies("end1-99", true);
  expect(await before).toEqual({ ok: true, reply: 1 });

  // Held: the handlers run at once, their replies wait for the release; other ends are not held.
  const settled: number[] = [];
  const held = [2, 3, 4].map((i) => e.call<string>("JunkServer.Handler2", i).then((r) => {
    settled.push(i);
    return r;
  }));
  expect(await other.call<string>("JunkServer.Handler2", 9)).toEqual({ ok: true, reply: "handler2-9" });
  await sleep(5000);
  expect([...js.log2].sort()).toEqual([2, 3, 4, 9]);
  expect(settled).toEqual([]);

  // A held reply is already in the network: it arrives even over a link cut since.
  net.enable("end1-99", false);
  const t0 = now();
  net.holdReplies("end1-99", false);
  expect(await Promise.all(held)).toEqual([2, 3, 4].map((i) => ({ ok: true, reply: `handler2-${i}` })));
  expect(settled).toEqual([2, 3, 4]); // in the order the calls were made
  // At once: no network delay, no timeout (on the wall clock, only the time the code itself takes).
  if (world().clock.mode === "simulated") expect(now() - t0).toBe(0);
  else expect(now() - t0).toBeLessThan(100);

  // After the release nothing is held.
  net.enable("end1-99", true);
  expect(await e.call<string>("JunkServer.Handler2", 5)).toEqual({ ok: true, reply: "handler2-5" });

  // Released newest first: a later call's reply arrives before an earlier one's.
  net.holdReplies("end1-99", true);
  const reordered: number[] = [];
  const later = [10, 11, 12].map((i) => e.call<string>("JunkServer.Handler2", i).then((r) => {
    reordered.push(i);
    return r;
  }));
  await sleep(1000);
  net.holdReplies("end1-99", false, "newest-first");
  expect(await Promise.all(later)).toEqual([10, 11, 12].map((i) => ({ ok: true, reply: `handler2-${i}` })));
  expect(reordered).toEqual([12, 11, 10]);

  // A detached window: its replies wait for their own release, after later calls' replies.
  net.holdReplies("end1-99", true);
  const batches: number[] = [];
  const call = (i: number): Promise<unknown> => e.call<string>("JunkServer.Handler2", i).then(() => batches.push(i));
  const first = [20, 21].map(call);
  await sleep(1000);
  const releaseFirst = net.detachHeldReplies("end1-99");
  const second = [22, 23].map(call);
  await sleep(1000);
  net.holdReplies("end1-99", false);
  await Promise.all(second);
  expect(batches).toEqual([22, 23]);
  releaseFirst("newest-first");
  await Promise.all(first);
  expect(batches).toEqual([22, 23, 21, 20]);
  expect(() => net.detachHeldReplies("end1-99")).toThrow(/not held/);

  // cleanup() ends a hold: a held call fails instead of waiting forever.
  net.holdReplies("end1-99", true);
  const last = e.call<string>("JunkServer.Handler2", 6);
  await sleep(100);
  expect(js.log2).toContain(6);
  net.cleanup();
  expect(await last).toEqual({ ok: false });
});

// ---- ours: held requests (not in the course's labrpc; manifest: extraTests) -----------

graded("TestHeldRequests", async () => {
  const { net, js } = setup("server99");
  const e = link(net, "end1-99", "server99");
  const other = link(net, "end2-99", "server99");

  // Held: no handler runs until the release; other ends are not held.
  net.holdRequests("end1-99", true);
  const settled: number[] = [];
  const held: Promise<unknown>[] = [];
  for (const i of [2, 3, 4]) {
    held.push(e.call<string>("JunkServer.Handler2", i).then((r) => {
      settled.push(i);
      return r;
    }));
    await sleep(10); // well past a message's time on the wire: they reach the hold in this order
  }
  expect(await other.call<string>("JunkServer.Handler2", 9)).toEqual({ ok: true, reply: "handler2-9" });
  await sleep(5000);
  expect(js.log2).toEqual([9]);
  expect(settled).toEqual([]);

  // Released: delivered in the order held, even though the end was cut and restored since.
  net.enable("end1-99", false);
  net.enable("end1-99", true);
  net.holdRequests("end1-99", false);
  expect(await Promise.all(held)).toEqual([2, 3, 4].map((i) => ({ ok: true, reply: `handler2-${i}` })));
  expect(js.log2).toEqual([9, 2, 3, 4]);

  // A detached window of requests reaches the server only when released, after later ones.
  net.holdRequests("end1-99", true);
  const old = e.call<string>("JunkServer.Handler2", 30);
  await sleep(100);
  const releaseOld = net.detachHeldRequests("end1-99");
  net.holdRequests("end1-99", false);
  expect(await e.call<string>("JunkServer.Handler2", 31)).toEqual({ ok: true, reply: "handler2-31" });
  expect(js.log2).not.toContain(30);
  releaseOld();
  expect(await old).toEqual({ ok: true, reply: "handler2-30" });
  expect(js.log2.slice(-2)).toEqual([31, 30]);
  expect(() => net.detachHeldRequests("end1-99")).toThrow(/not held/);

  // A held request never reaches a server that was replaced meanwhile: the call fails.
  net.holdRequests("end1-99", true);
  const lost = e.call<string>("JunkServer.Handler2", 5);
  await sleep(100);
  const replacement = new Server();
  replacement.addService(new Service("JunkServer", new JunkServer(), JUNK_METHODS));
  net.addServer("server99", replacement);
  net.holdRequests("end1-99", false);
  expect(await lost).toEqual({ ok: false });
  expect(js.log2).not.toContain(5);

  // cleanup() ends a hold: a held call fails instead of waiting forever, its handler unrun.
  net.holdRequests("end1-99", true);
  const last = e.call<string>("JunkServer.Handler2", 6);
  await sleep(100);
  net.cleanup();
  expect(await last).toEqual({ ok: false });
  expect(js.log2).not.toContain(6);
});

test("bad input: holdReplies or holdRequests names an unknown end", async () => {
  await runWorld({ seed: 1 }, async () => {
    const net = new Network();
    expect(() => net.holdReplies("nobody", true)).toThrow(/holdReplies: no end named nobody/);
    expect(() => net.holdRequests("nobody", true)).toThrow(/holdRequests: no end named nobody/);
  });
});
