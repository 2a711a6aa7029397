// Reference tests of our kvraft solution's internals (never shipped; run only where the
// reference is present): its own request fields (clientId, seq), its snapshot format and
// CorruptSnapshotError, and what its handlers do once killed.
import { describe, expect, test } from "vitest";
import { decode, encode, Network, RpcError } from "../../labrpc/index.js";
import { makePersister } from "../../raft/persister.js";
import { now, sleep } from "../../runtime/index.js";
import { ErrWrongLeader, OK, type PutAppendArgs, type PutAppendReply } from "../common.js";
import { withConfig } from "../config.js";
import { expectValue, inWorld, rawEnd, withCluster } from "../framework/test-cluster.js";
import { CorruptSnapshotError, startKVServer } from "../server.js";

describe("our request fields", () => {
  test("a request without a valid clientId or seq makes the handler throw; nothing changes", async () => {
    await withCluster(async (cfg, ck, l) => {
      const end = rawEnd(cfg, "raw", l);
      const good: PutAppendArgs = { key: "a", value: "X", op: "Put", clientId: 77, seq: 1 };
      const bad: unknown[] = [
        { key: "a", value: "X", op: "Put" },
        { ...good, clientId: -1 },
        { ...good, clientId: "77" },
        { ...good, seq: 0 },
        { ...good, seq: 1.5 },
      ];
      for (const args of bad) {
        await expect(end.call("KVServer.PutAppend", args), JSON.stringify(args)).rejects.toThrow(
          /^labrpc: handler KVServer\.PutAppend threw: kvraft: malformed PutAppend: (clientId|seq) must be/,
        );
      }
      for (const args of [{ key: "a" }, { key: "a", clientId: 1 }]) {
        await expect(end.call("KVServer.Get", args)).rejects.toThrow(RpcError);
      }
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
    ["an unknown format", encode({ format: 9, index: 1, kv: [], lastSeq: [] }), /unknown format number 9/],
    ["a bad index", encode({ format: 1, index: -3, kv: [], lastSeq: [] }), /index is number -3/],
    ["an odd key/value list", encode({ format: 1, index: 4, kv: ["a"], lastSeq: [] }), /kv is not a flat list/],
    ["a non-string value", encode({ format: 1, index: 4, kv: ["a", 1], lastSeq: [] }), /kv is not a flat list/],
    ["a bad duplicate table", encode({ format: 1, index: 4, kv: [], lastSeq: [1, "x"] }), /lastSeq is not a flat list/],
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

describe("our snapshot format", () => {
  test("a snapshot is the state at its index in encode()'s bytes; servers restarted from snapshots hold every acknowledged write", async () => {
    await inWorld(() =>
      withConfig(3, false, 1000, async (cfg) => {
        const ck = cfg.makeClient(cfg.all());
        const want = new Map<string, string>();
        const check = async (): Promise<void> => {
          await sleep(1000); // every server applies and snapshots
          for (const i of cfg.all()) {
            const snap = cfg.persister(i)!.readSnapshot();
            const s = decode(snap) as { format: number; index: number; kv: string[]; lastSeq: number[] };
            expect(Buffer.from(encode(s)).equals(Buffer.from(snap))).toBe(true);
            expect(s.format).toBe(1);
            // The state at the snapshot's index: each value a prefix of the latest (a key's put is its first op).
            expect(s.index).toBeGreaterThan(0);
            for (let j = 0; j < s.kv.length; j += 2) expect(want.get(s.kv[j]!)!.startsWith(s.kv[j + 1]!)).toBe(true);
          }
        };
        const step = async (k: string, op: "put" | "append", v: string): Promise<void> => {
          await ck[op](k, v);
          want.set(k, op === "put" ? v : (want.get(k) ?? "") + v);
        };
        // Keys and values the codec must escape; keys changed between snapshots and kept.
        for (let i = 0; i < 30; i++) await step(`k${i % 7} "é"`, i < 7 ? "put" : "append", `v${i}\n\u0001"`);
        await check();
        for (let i = 0; i < 30; i++) await step(`k${i % 2}`, "append", `w${i}`);
        await check();
        for (const i of cfg.all()) cfg.shutdownServer(i);
        for (const i of cfg.all()) cfg.startServer(i);
        cfg.connectAll();
        // Restarted from those snapshots, the servers hold every acknowledged write.
        for (const [k, v] of want) await expectValue(ck, k, v);
        for (let i = 0; i < 30; i++) await step(`k${i % 5} "é"`, "append", `x${i}`);
        await check();
        for (const i of cfg.all()) cfg.shutdownServer(i);
        for (const i of cfg.all()) cfg.startServer(i);
        cfg.connectAll();
        for (const [k, v] of want) await expectValue(ck, k, v);
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
