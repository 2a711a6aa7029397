// REALTIME=1 must behave like Go's scheduler: a goroutine that keeps handing work to
// another (an RPC to a live server, a value on applyCh) still lets timers fire. Before
// labrpc's and Channel's hops were turns of the event loop, a loop of calls on a reliable
// network made 2,000,000 calls in 6.9 s while a 50 ms timer never fired (kvraft's
// TestBasic3A and shardkv's TestConcurrent3 hung with correct solutions). These tests
// count hops, not wall time: the timer must fire long before the loop's cap.
import { expect, test } from "vitest";
import { Network, Server, Service } from "../labrpc/index.js";
import { JUNK_METHODS, JunkServer } from "../labrpc/junk-server.js";
import { Channel } from "./channel.js";
import { after, handoff } from "./index.js";
import { runWorld } from "./world.js";

/** Far more hops than 50 ms of wall time holds on any machine, loaded or not. */
const CAP = 200_000;

/** Calls on a live server until a 50 ms timer fires (or CAP calls): how many calls ran. */
async function callsUntilTimer(realtime: boolean): Promise<{ calls: number; fired: boolean }> {
  return runWorld({ seed: 1, realtime }, async () => {
    const net = new Network();
    const server = new Server();
    server.addService(new Service("JunkServer", new JunkServer(), JUNK_METHODS));
    net.addServer("s", server);
    const end = net.makeEnd("e");
    net.connect("e", "s");
    net.enable("e", true);
    let fired = false;
    after(50, () => (fired = true));
    let calls = 0;
    while (!fired && calls < CAP) {
      const r = await end.call("JunkServer.Handler2", calls);
      expect(r.ok).toBe(true);
      calls++;
    }
    net.cleanup();
    return { calls, fired };
  });
}

test("real time: a timer fires while a loop calls a live server on a reliable network", async () => {
  const r = await callsUntilTimer(true);
  expect(r.fired).toBe(true);
  expect(r.calls).toBeLessThan(CAP);
});

test("simulated time: the same loop sees the timer after a fixed number of calls", async () => {
  // Each call costs wire time both ways, so 50 virtual ms hold a fixed count of them.
  const a = await callsUntilTimer(false);
  const b = await callsUntilTimer(false);
  expect(a.fired).toBe(true);
  expect(a.calls).toBe(b.calls);
  expect(a.calls).toBeLessThan(100);
});

test("real time: a timer fires while two tasks pass values over a Channel", async () => {
  await runWorld({ seed: 1, realtime: true }, async () => {
    const ch = new Channel<number>();
    let fired = false;
    after(50, () => (fired = true));
    let sent = 0;
    const sender = (async () => {
      while (!fired && sent < CAP) await ch.send(sent++);
      ch.close();
    })();
    for await (const _ of ch) {
      // the reader, as kvraft's applier loop reads applyCh
    }
    await sender;
    expect(fired).toBe(true);
    expect(sent).toBeLessThan(CAP);
  });
});

test("handoff() is a turn of the event loop in real time and nothing in simulated time", async () => {
  await runWorld({ seed: 1 }, async () => {
    expect(handoff()).toBeUndefined();
  });
  await runWorld({ seed: 1, realtime: true }, async () => {
    let ticked = false;
    setImmediate(() => (ticked = true));
    await handoff();
    expect(ticked).toBe(true);
  });
});
