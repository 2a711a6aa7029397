// Bad input to the key/value service, and what it must do about it (not graded):
// a Clerk called with non-strings, malformed RPC args, a corrupt snapshot on restart,
// and RPCs reaching a killed server. None of them may lose an acknowledged write.
import { describe, expect, test } from "vitest";
import { encode, Network, type ClientEnd } from "../labrpc/index.js";
import { makePersister } from "../raft/persister.js";
import { now, sleep } from "../runtime/index.js";
import { runWorld } from "../runtime/world.js";
import { makeClerk, type Clerk } from "./client.js";
import { ErrInvalidArgs, ErrWrongLeader, OK, type PutAppendArgs, type PutAppendReply } from "./common.js";
import { withConfig, type Config } from "./config.js";
import { CorruptSnapshotError, startKVServer } from "./server.js";

const SEED = 5150;

function inWorld(body: () => Promise<void>): Promise<void> {
  return runWorld({ seed: SEED }, body);
}

async function expectValue(ck: Clerk, key: string, value: string): Promise<void> {
  expect(await ck.get(key)).toBe(value);
}

/** Three servers on a reliable net, a clerk that has written a=A, and the current leader. */
function withCluster(body: (cfg: Config, ck: Clerk, leader: number) => Promise<void>): Promise<void> {
  return inWorld(() =>
    withConfig(3, false, -1, async (cfg) => {
      const ck = cfg.makeClient(cfg.all());
      await ck.put("a", "A");
      await body(cfg, ck, await leaderOf(cfg));
    }),
  );
}

/** An enabled end to server i that no clerk owns: requests exactly as a test writes them. */
function rawEnd(cfg: Config, name: string, i: number): ClientEnd {
  const end = cfg.net.makeEnd(name);
  cfg.net.connect(name, i);
  cfg.net.enable(name, true);
  return end;
}

/** The first server whose Raft says it leads, waiting for an election if need be. */
async function leaderOf(cfg: Config): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const l = cfg.leader();
    if (l.ok) return l.leader;
    await sleep(100);
  }
  throw new Error("no leader elected");
}

describe("Clerk input", () => {
  test("a non-string key or value is a TypeError, and nothing is sent", async () => {
    await inWorld(async () => {
      const net = new Network();
      const ck = makeClerk([net.makeEnd("e0"), net.makeEnd("e1")]);
      const bad: Array<[() => Promise<unknown>, RegExp]> = [
        [() => ck.get(42 as never), /^Clerk\.get: key must be a string, got number 42$/],
        [() => ck.get(undefined as never), /^Clerk\.get: key must be a string, got undefined$/],
        [() => ck.put("k", 7 as never), /^Clerk\.put: value must be a string, got number 7$/],
        [() => ck.put(null as never, "v"), /^Clerk\.put: key must be a string, got null$/],
        [() => ck.append("k", { a: 1 } as never), /^Clerk\.append: value must be a string, got object \{"a":1\}$/],
        [() => ck.append(["k"] as never, "v"), /^Clerk\.append: key must be a string, got array \["k"\]$/],
        [() => ck.putAppend("k", "v", "Delete" as never), /^Clerk\.putAppend: op must be "Put" or "Append"/],
        [() => ck.putAppend("k", 1n as never, "Put"), /^Clerk\.putAppend: value must be a string, got bigint$/],
      ];
      for (const [call, msg] of bad) {
        const p = call();
        await expect(p).rejects.toThrow(TypeError);
        await expect(p).rejects.toThrow(msg);
      }
      expect(net.getTotalCount()).toBe(0);
      net.cleanup();
    });
  });

  test("after rejected calls the Clerk still works", async () => {
    await withCluster(async (_cfg, ck) => {
      await expect(ck.append("a", 2 as never)).rejects.toThrow(TypeError);
      await ck.append("a", "2");
      await expectValue(ck, "a", "A2");
    });
  });
});

describe("malformed RPC args", () => {
  test("get an ErrInvalidArgs reply; the server keeps serving and its data is intact", async () => {
    await withCluster(async (cfg, ck, l) => {
      const end = rawEnd(cfg, "raw", l);
      const good: PutAppendArgs = { key: "a", value: "X", op: "Put", clientId: 77, seq: 1 };
      const badPutAppend: unknown[] = [
        null,
        [],
        "Put a X",
        { ...good, key: 1 },
        { key: "a", op: "Put", clientId: 77, seq: 1 },
        { ...good, op: "Delete" },
        { ...good, clientId: -1 },
        { ...good, clientId: "77" },
        { ...good, seq: 0 },
        { ...good, seq: 1.5 },
      ];
      for (const args of badPutAppend) {
        const r = await end.call<{ err: string }>("KVServer.PutAppend", args);
        expect(r, JSON.stringify(args)).toEqual({ ok: true, reply: { err: ErrInvalidArgs } });
      }
      const badGet: unknown[] = [7, {}, { key: null, clientId: 1, seq: 1 }, { key: "a" }, { key: "a", clientId: 1 }];
      for (const args of badGet) {
        const r = await end.call<{ err: string; value: string }>("KVServer.Get", args);
        expect(r, JSON.stringify(args)).toEqual({ ok: true, reply: { err: ErrInvalidArgs, value: "" } });
      }
      // None of them took effect, and well-formed requests still do.
      await expectValue(ck, "a", "A");
      await ck.append("a", "B");
      await expectValue(ck, "a", "AB");
    });
  });
});

describe("corrupt snapshot", () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["bytes that are not an encoding", bytes("\u0000garbage{"), /not valid encoded data/],
    ["a non-object", encode([1, 2, 3]), /not an object but array/],
    ["an unknown format", encode({ format: 9, index: 1, kv: [], dup: [] }), /unknown format number 9/],
    ["a bad index", encode({ format: 1, index: -3, kv: [], dup: [] }), /index is number -3/],
    ["an odd key/value list", encode({ format: 1, index: 4, kv: ["a"], dup: [] }), /kv is not a flat list/],
    ["a non-string value", encode({ format: 1, index: 4, kv: ["a", 1], dup: [] }), /kv is not a flat list/],
    ["a bad duplicate table", encode({ format: 1, index: 4, kv: [], dup: [1, "x"] }), /dup is not a flat list/],
  ];
  for (const [what, snap, why] of cases) {
    test(`startKVServer refuses ${what} with a clear error`, async () => {
      await inWorld(async () => {
        const net = new Network();
        const p = makePersister();
        p.saveStateAndSnapshot(new Uint8Array(0), snap);
        let err: unknown;
        try {
          startKVServer([net.makeEnd("x")], 0, p, 1000);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CorruptSnapshotError);
        expect((err as Error).message).toMatch(/^kvraft server 0: corrupt snapshot \(\d+ bytes\): /);
        expect((err as Error).message).toMatch(why);
        net.cleanup();
      });
    });
  }

  test("a server restarted from a corrupt snapshot refuses to start; no acknowledged write is lost", async () => {
    await inWorld(() =>
      withConfig(3, false, 1000, async (cfg) => {
        const ck = cfg.makeClient(cfg.all());
        for (let i = 0; i < 40; i++) await ck.put(`k${i}`, `v${i}`);
        await ck.append("k0", "+");
        await sleep(1000); // let every server apply and snapshot
        expect(cfg.persister(2)!.snapshotSize()).toBeGreaterThan(0);

        cfg.shutdownServer(2);
        const p = cfg.persister(2)!;
        const good = p.copy();
        p.saveStateAndSnapshot(p.readRaftState(), bytes("not a snapshot"));
        expect(() => cfg.startServer(2)).toThrow(/^kvraft server 2: corrupt snapshot \(14 bytes\)/);

        // The other two still hold (and serve) every acknowledged write.
        cfg.connectAll();
        await expectValue(ck, "k0", "v0+");
        await expectValue(ck, "k39", "v39");
        await ck.put("after", "1");

        // Back from the intact copy, server 2 catches up and can form a majority.
        const q = cfg.persister(2)!;
        q.saveStateAndSnapshot(good.readRaftState(), good.readSnapshot());
        cfg.startServer(2);
        cfg.connectAll();
        await sleep(2000);
        cfg.partition([0, 2], [1]);
        const ck2 = cfg.makeClient([0, 2]);
        await expectValue(ck2, "k0", "v0+");
        await expectValue(ck2, "k20", "v20");
        await expectValue(ck2, "after", "1");
        cfg.partition([1, 2], [0]);
        const ck3 = cfg.makeClient([1, 2]);
        await expectValue(ck3, "k39", "v39");
        await expectValue(ck3, "after", "1");
      }),
    );
  });
});

describe("RPCs and a killed server", () => {
  test("an RPC arriving after kill gets ErrWrongLeader and starts nothing", async () => {
    await withCluster(async (cfg, ck, l) => {
      const kv = cfg.server(l)!;
      cfg.shutdownServer(l);
      expect(kv.killed()).toBe(true);
      const t = now();
      expect(await kv.putAppend({ key: "a", value: "Z", op: "Put", clientId: 9, seq: 1 })).toEqual({
        err: ErrWrongLeader,
      });
      expect(await kv.get({ key: "a", clientId: 9, seq: 2 })).toEqual({ err: ErrWrongLeader, value: "" });
      expect(now()).toBe(t); // at once, not after a timeout
      await expectValue(ck, "a", "A");
    });
  });

  test("a request waiting when its server is killed gets ErrWrongLeader at once", async () => {
    await withCluster(async (cfg, ck, l) => {
      const kv = cfg.server(l)!;
      // Cut the leader off so that what it starts cannot commit.
      cfg.disconnect(l, cfg.all().filter((i) => i !== l));
      let reply: unknown;
      const pending = kv
        .putAppend({ key: "a", value: "Z", op: "Put", clientId: 9, seq: 1 })
        .then((r) => (reply = r));
      await sleep(50);
      expect(reply).toBeUndefined();
      const t = now();
      cfg.shutdownServer(l);
      await pending;
      expect(reply).toEqual({ err: ErrWrongLeader });
      expect(now()).toBe(t);
      // The others carry on; the restarted server's unacknowledged "Z" is overwritten.
      await ck.put("a", "B");
      cfg.startServer(l);
      cfg.connectAll();
      await expectValue(ck, "a", "B");
      cfg.partition([l, (l + 1) % 3], [(l + 2) % 3]);
      await expectValue(cfg.makeClient([l, (l + 1) % 3]), "a", "B");
    });
  });

  test("a write in flight when the leader dies completes once, elsewhere", async () => {
    await withCluster(async (cfg, ck, l) => {
      const acked: string[] = [];
      const writes = (async () => {
        for (let i = 0; i < 50; i++) {
          await ck.append("w", `<${i}>`);
          acked.push(`<${i}>`);
        }
      })();
      await sleep(30);
      cfg.shutdownServer(l);
      await writes;
      cfg.startServer(l);
      cfg.connectAll();
      await expectValue(ck, "w", acked.join(""));
      // The restarted server holds every acknowledged write too.
      cfg.partition([l, (l + 1) % 3], [(l + 2) % 3]);
      await expectValue(cfg.makeClient([l, (l + 1) % 3]), "w", acked.join(""));
      expect(acked).toHaveLength(50);
    });
  });
});

describe("retried requests", () => {
  test("a late retry, after a snapshot and a restart of every server, is not applied again", async () => {
    await inWorld(() =>
      withConfig(3, false, 1000, async (cfg) => {
        const ck = cfg.makeClient(cfg.all());
        await ck.put("a", "A");
        const ends = cfg.all().map((i) => rawEnd(cfg, `retry-${i}`, i));
        // One request, sent until some server (the leader) commits it, as a Clerk would.
        const args: PutAppendArgs = { key: "a", value: "+", op: "Append", clientId: 4242, seq: 1 };
        const untilOk = async (): Promise<void> => {
          for (;;) {
            for (const e of ends) {
              const r = await e.call<PutAppendReply>("KVServer.PutAppend", args);
              if (r.ok && r.reply.err === OK) return;
            }
            await sleep(50);
          }
        };
        await untilOk();
        // Push the append out of every log into the snapshots.
        for (let i = 0; i < 40; i++) await ck.put(`k${i}`, `v${i}`);
        await sleep(1000);
        for (const i of cfg.all()) expect(cfg.persister(i)!.snapshotSize()).toBeGreaterThan(0);

        for (const i of cfg.all()) cfg.shutdownServer(i);
        await sleep(1000);
        for (const i of cfg.all()) cfg.startServer(i);
        cfg.connectAll();

        // The same request again (its reply was "lost"): only the duplicate table in the
        // snapshot can tell that it was applied already.
        await untilOk();
        await expectValue(ck, "a", "A+");
      }),
    );
  });
});
