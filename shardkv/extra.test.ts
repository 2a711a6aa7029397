// Our graded behaviour tests for Lab 4B, through the public Clerk API only, so any
// correct solution passes them. Each checks a property that write-ups of this lab
// report breaking. Sleeps are on the runtime clock (virtual in simulated mode).
import { graded } from "../labs-test/harness/graded.js";
import { say } from "../labs-test/harness/say.js";
import { sleep } from "../runtime/index.js";
import { NShards } from "../shardctrler/common.js";
import { key2shard } from "./common.js";
import { withConfig, type Config } from "./config.js";
import { expectRejected } from "../shardctrler/framework/expect-rejected.js";
import { append, check, checkLinearizable, fatal, get, OpLog, put, randn, randstring } from "./framework/test-helpers.js";

/** Shut a whole group down and start it again at once: every server restarts together. */
function restartGroup(cfg: Config, gi: number): void {
  cfg.shutdownGroup(gi);
  cfg.startGroup(gi);
}

/** Random joins, leaves and whole-group restarts until done; group 0 never leaves for good. */
async function reconfigurer(cfg: Config, done: { value: boolean }, restarts: boolean): Promise<void> {
  const joined = new Set<number>([0]);
  while (!done.value) {
    await sleep(300 + randn(400));
    const gi = randn(3);
    if (joined.has(gi) && joined.size > 1) {
      await cfg.leave(gi);
      joined.delete(gi);
    } else if (!joined.has(gi)) {
      await cfg.join(gi);
      joined.add(gi);
    }
    if (restarts && randn(3) === 0) restartGroup(cfg, randn(3));
  }
}

// Every Append is applied exactly once although shards move while clients retry on an
// unreliable network and get ErrWrongGroup: the duplicate table must travel with the shard.
graded("TestAppendExactlyOnce4B", async () => {
  await withConfig(3, true, 200, async (cfg) => {
    cfg.begin("Test: appends applied exactly once across shard moves ...");
    const ck = cfg.makeClient();
    await cfg.join(0);
    const keys = Array.from({ length: NShards }, (_, i) => String(i));
    for (const k of keys) await put(cfg, ck, k, "");

    const done = { value: false };
    const nclients = 5;
    /** sent[c][k]: the sequence numbers client c appended to key k, in order. */
    const sent: number[][][] = Array.from({ length: nclients }, () => keys.map(() => []));
    const clients = Promise.all(
      Array.from({ length: nclients }, (_, c) =>
        cfg.go(async () => {
          const ck1 = cfg.makeClient();
          for (let j = 0; !done.value; j++) {
            const k = randn(keys.length);
            await append(cfg, ck1, keys[k]!, `x ${c} ${j} y`);
            sent[c]![k]!.push(j);
          }
        }),
      ),
    );
    const reconf = cfg.go(() => reconfigurer(cfg, done, false));
    await sleep(6000);
    done.value = true;
    await reconf;
    cfg.net.setReliable(true);
    await clients;

    for (let k = 0; k < keys.length; k++) {
      const v = await get(cfg, ck, keys[k]!);
      for (let c = 0; c < nclients; c++) {
        let last = -1;
        for (const j of sent[c]![k]!) {
          const wanted = `x ${c} ${j} y`;
          const off = v.indexOf(wanted);
          if (off < 0) fatal(`key ${keys[k]}: missing ${wanted} (an acknowledged Append was lost)`);
          if (v.lastIndexOf(wanted) !== off) fatal(`key ${keys[k]}: ${wanted} applied twice`);
          if (off <= last) fatal(`key ${keys[k]}: ${wanted} out of order`);
          last = off;
        }
      }
    }
    cfg.end();
  });
});

// A group whose servers all restart at once, in the middle of handing shards over, keeps
// making progress from its log alone: nothing may wait for a client op to arrive first.
graded("TestWholeGroupRestart4B", async () => {
  await withConfig(3, false, -1, async (cfg) => {
    cfg.begin("Test: whole groups restart during configuration changes ...");
    const ck = cfg.makeClient();
    await cfg.join(0);
    const ka = Array.from({ length: NShards }, (_, i) => String(i));
    const va = ka.map(() => randstring(8));
    for (let i = 0; i < ka.length; i++) await put(cfg, ck, ka[i]!, va[i]!);

    for (const [change, gi] of [["join", 1], ["join", 2], ["leave", 0], ["join", 0], ["leave", 1]] as const) {
      if (change === "join") await cfg.join(gi);
      else await cfg.leave(gi);
      // No client traffic now: only the groups' own log entries can move the shards.
      await sleep(randn(150));
      for (let g = 0; g < 3; g++) restartGroup(cfg, g);
      await sleep(1500);
      // Every group must have finished the change: the old owner can go away.
      if (change === "leave") cfg.shutdownGroup(gi);
      for (let i = 0; i < ka.length; i++) await check(cfg, ck, ka[i]!, va[i]!);
      if (change === "leave") cfg.startGroup(gi);
      for (let i = 0; i < ka.length; i++) {
        const x = randstring(3);
        await append(cfg, ck, ka[i]!, x);
        va[i] += x;
      }
    }
    cfg.end();
  });
});

// A group that was down while several configurations came and went must take each one in
// turn. Here a shard goes to the dead group and straight back; a group that jumped to the
// newest config would never pull it, and its data (or the other group) would be lost.
graded("TestNoSkippedConfigs4B", async () => {
  await withConfig(3, false, 1000, async (cfg) => {
    cfg.begin("Test: a group behind by several configurations takes each in turn ...");
    const ck = cfg.makeClient();
    await cfg.join(0);
    await cfg.join(1);
    const ka = Array.from({ length: 30 }, (_, i) => String(i));
    const va = ka.map(() => randstring(8));
    for (let i = 0; i < ka.length; i++) await put(cfg, ck, ka[i]!, va[i]!);
    await sleep(1000);

    const c = await cfg.mck.query(-1);
    const s = c.shards.findIndex((g) => g === cfg.gid(1));
    cfg.shutdownGroup(0);
    // Through group 100 and back, three times: six configs group 100 never saw. The pauses
    // let group 101 take the first one (it then waits, frozen, for 100 to pull the shard).
    for (let round = 0; round < 3; round++) {
      await cfg.mck.move(s, cfg.gid(0));
      await sleep(500);
      await cfg.mck.move(s, cfg.gid(1));
      await sleep(500);
    }
    const behind = (await cfg.mck.query(-1)).num;
    say(`  (group ${cfg.gid(0)} restarts at config ${c.num}, ${behind - c.num} configs behind)`);
    cfg.startGroup(0);
    for (let i = 0; i < ka.length; i++) {
      await check(cfg, ck, ka[i]!, va[i]!);
      const x = randstring(3);
      await append(cfg, ck, ka[i]!, x);
      va[i] += x;
    }

    // One replica misses configs while the others move on, then must carry a majority.
    cfg.shutdownServer(1, 0);
    await cfg.join(2);
    await cfg.leave(0);
    await cfg.join(0);
    for (let i = 0; i < ka.length; i++) await check(cfg, ck, ka[i]!, va[i]!);
    cfg.startServer(1, 0);
    cfg.shutdownServer(1, 1);
    await cfg.leave(2);
    await cfg.leave(0);
    for (let i = 0; i < ka.length; i++) await check(cfg, ck, ka[i]!, va[i]!);
    cfg.startServer(1, 1);
    cfg.end();
  });
});

// Porcupine on histories of concurrent clients over random keys while groups join, leave
// and restart whole, on an unreliable network. Unknown counts as a failure.
graded("TestLinearizable4B", async () => {
  await withConfig(3, true, 300, async (cfg) => {
    cfg.begin("Test: linearizable under reconfiguration, unreliable net and restarts ...");
    const ck = cfg.makeClient();
    const log = new OpLog();
    await cfg.join(0);
    const ka = Array.from({ length: NShards }, (_, i) => String(i));
    for (const k of ka) await put(cfg, ck, k, randstring(3), log, 0);

    const done = { value: false };
    const nclients = 6;
    const clients = Promise.all(
      Array.from({ length: nclients }, (_, i) =>
        cfg.go(async () => {
          const ck1 = cfg.makeClient();
          while (!done.value) {
            const k = ka[randn(ka.length)]!;
            const r = randn(100);
            if (r < 45) await append(cfg, ck1, k, randstring(3), log, i + 1);
            else if (r < 55) await put(cfg, ck1, k, randstring(3), log, i + 1);
            else await get(cfg, ck1, k, log, i + 1);
          }
        }),
      ),
    );
    const reconf = cfg.go(() => reconfigurer(cfg, done, true));
    await sleep(8000);
    done.value = true;
    await reconf;
    cfg.net.setReliable(true);
    await clients;
    checkLinearizable(cfg, log.read());
    cfg.end();
  });
});

// Bad input through the public API: the harness's Clerk guard refuses non-string keys and
// values and unknown ops with a TypeError before sending; labrpc rejects a malformed
// request off the wire before the student's handler runs, and nothing changes.
graded("TestBadInput4B", async () => {
  await withConfig(3, false, -1, async (cfg) => {
    cfg.begin("Test: bad input gets a clear error ...");
    const ck = cfg.makeClient();
    await cfg.join(0);
    await put(cfg, ck, "a", "1");
    const untyped = ck as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const calls: Array<[string, unknown[]]> = [
      ["get", [7]],
      ["get", [undefined]],
      ["put", [null, "v"]],
      ["append", ["a", 5]],
      ["putAppend", ["a", "v", "Delete"]],
    ];
    for (const [m, args] of calls) {
      let threw: unknown;
      try {
        await untyped[m]!.apply(ck, args);
      } catch (e) {
        threw = e;
      }
      if (!(threw instanceof TypeError)) fatal(`Clerk.${m}(${JSON.stringify(args)}) did not throw a TypeError`);
    }
    const c = await cfg.mck.query(-1);
    const owner = c.shards[key2shard("a")]!;
    const end = cfg.endTo(cfg.serverName(owner, 0));
    for (const [meth, args] of [
      ["ShardKV.Get", { key: 3 }],
      ["ShardKV.PutAppend", { key: "a", value: "x", op: "Delete" }],
      ["ShardKV.PutAppend", { key: "a", value: 9, op: "Put" }],
      ["ShardKV.PutAppend", "not an object"],
    ] as const) {
      await expectRejected(end, meth, args);
    }
    await check(cfg, ck, "a", "1");
    cfg.end();
  });
});
