// Named hosts (World.nameHost): with several Raft groups whose peers are all 0, 1 and 2
// (Lab 4), a peer's trace(me, …), debug(topic, me, …) and annotatePeer(me, …) land on its
// own host, not on every group's peer `me`, without the peer's code naming its group. The
// harness names hosts; labrpc runs each handler as its server; a timer runs as whoever set
// it; a reply reaches its caller as the caller; a clerk's ends are drawn on its lane.
import { afterEach, expect, test, vi } from "vitest";
import { Network, Server, Service } from "../labrpc/index.js";
import { buildTimeline } from "../labs-test/vis/timeline-model.js";
import { currentHost, hosted, withHost } from "./current-host.js";
import { formatDebugLine } from "./debug-log.js";
import { after, annotatePeer, debug, sleep, traceOwn } from "./index.js";
import type { TraceEvent } from "./tracer.js";
import { runWorld, world } from "./world.js";

afterEach(() => vi.restoreAllMocks());

/** A peer as Lab 4's servers are: it knows only its index in its group. */
class Peer {
  constructor(readonly me: number) {}
  /** An RPC handler: logs and traces as `me`, and wakes a waiter after it returns. */
  Ping(args: { n: number }): { me: number } {
    debug("ping", this.me, () => `ping ${args.n}`);
    traceOwn(this.me, "pinged", { n: args.n });
    void Promise.resolve().then(() => annotatePeer(this.me, "woken after the handler"));
    return { me: this.me };
  }
  /** A background loop started when the peer is made, as a ticker is. */
  async tick(): Promise<void> {
    await sleep(10);
    traceOwn(this.me, "tick");
  }
}

/** Two groups (gid 100, 101) of two peers each; one clerk pings peer 1 of group 101. */
async function twoGroups(debugTopics?: string): Promise<TraceEvent[]> {
  return runWorld({ seed: 1, record: 1000, debug: debugTopics }, async (w) => {
    const net = new Network();
    for (const gid of [100, 101]) {
      for (let i = 0; i < 2; i++) {
        const name = `server-${gid}-${i}`;
        w.nameHost(name, { group: `gid ${gid}`, peer: i });
        const peer = withHost(name, () => {
          const p = new Peer(i);
          void p.tick();
          return p;
        });
        const srv = new Server();
        srv.addService(Service.fromReceiver("Peer", peer));
        net.addServer(name, srv);
      }
    }
    w.nameHost("ck0", { group: "clerk" });
    const clerk = hosted(
      {
        async ping(to: string): Promise<string | undefined> {
          // The clerk makes an end per call with no owner, as the course's shardkv Clerk does.
          const end = net.makeEnd(`end-${to}-${Math.floor(world().clock.now())}`);
          net.connect(end.name, to);
          net.enable(end.name, true);
          const r = await end.call<{ me: number }>("Peer.Ping", { n: 1 });
          // The reply reaches the clerk as the clerk.
          return r.ok ? currentHost() : "failed";
        },
      },
      "ck0",
    );
    expect(await clerk.ping("server-101-1")).toBe("ck0");
    await sleep(20);
    after(1, () => traceOwn(1, "tester's timer"));
    await sleep(2);
    net.cleanup();
    return [...w.tracer.events()];
  });
}

test("a peer's events land on its own host, through handlers, timers and what a handler wakes", async () => {
  const events = await twoGroups();
  const pinged = events.filter((e) => e.ev === "pinged");
  expect(pinged).toEqual([expect.objectContaining({ peer: 1, host: "server-101-1", n: 1 })]);
  const note = events.find((e) => e.ev === "note");
  expect(note).toEqual(expect.objectContaining({ peer: 1, host: "server-101-1" }));
  const ticks = events.filter((e) => e.ev === "tick").map((e) => e.host);
  expect(ticks.sort()).toEqual(["server-100-0", "server-100-1", "server-101-0", "server-101-1"]);
  // A timer the tester set runs as no host: its numeric peer stays unqualified.
  expect(events.find((e) => e.ev === "tester's timer")?.host).toBeUndefined();
  // The clerk's end has no owner; its RPC is drawn from the clerk's lane.
  const rpc = events.find((e) => e.ev === "rpc");
  expect(rpc).toEqual(expect.objectContaining({ peer: "ck0", to: "server-101-1", m: "Peer.Ping" }));
});

test("the timeline draws one lane per host, labelled with its group, and the clerk's own lane", async () => {
  const m = buildTimeline(await twoGroups());
  // "S1": the tester's timer traced peer 1 as no host (see above).
  expect(m.laneLabels).toEqual(["tester", "gid 100 · S0", "gid 100 · S1", "gid 101 · S0", "gid 101 · S1", "S1", "ck0"]);
  expect(m.peerLanes).toBe(5);
  const from = m.rpc.from.map((l) => m.lanes[l]);
  const to = m.rpc.to.map((l) => m.lanes[l]);
  expect({ from, to }).toEqual({ from: ["ck0"], to: ["server-101-1"] });
});

test("DEBUG columns: each named host prints as group:peer in a column of its own", async () => {
  const lines: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    lines.push(String(s));
    return true;
  });
  await twoGroups("ping,note");
  vi.restoreAllMocks();
  const ping = lines.find((l) => l.includes(" PING "));
  expect(ping).toBe(formatDebugLine(ping === undefined ? 0 : Number(ping.slice(0, 9)) * 1000, "ping", 1, "ping 1", false, { column: 3, label: "gid101:S1" }) + "\n");
  expect(ping).toContain(`${" ".repeat(3 * 28)}gid101:S1 ping 1`);
  expect(lines.some((l) => l.includes("gid101:S1 woken after the handler"))).toBe(true);
});

test("without named hosts nothing changes: numeric peers keep their own columns and lanes", async () => {
  const events = await runWorld({ seed: 1, record: 100 }, async (w) => {
    withHost("server-1", () => traceOwn(1, "x"));
    return [...w.tracer.events()];
  });
  expect(events).toEqual([{ t: 0, peer: 1, ev: "x" }]);
  expect(formatDebugLine(0, "vote", 2, "y", false)).toBe(`    0.000 VOTE    ${" ".repeat(56)}S2 y`);
});
