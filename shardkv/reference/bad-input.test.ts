// Tests of our reference shardkv server's answers to bad input that only its own RPCs and
// persisted format can see (not shipped in a handout): a migration request for a config
// the receiver has not reached, and a corrupt snapshot at restart.
import { graded } from "../../labs-test/harness/graded.js";
import { makePersister } from "../../raft/persister.js";
import { sleep } from "../../runtime/index.js";
import { key2shard } from "../common.js";
import { withConfig } from "../config.js";
import { CorruptSnapshotError } from "../framework/errors.js";

graded("TestMigrationAhead4BReference", async () => {
  await withConfig(3, false, -1, async (cfg) => {
    const ck = cfg.makeClient();
    await cfg.join(0);
    await ck.put("k", "v");
    const c = await cfg.mck.query(-1);
    const end = cfg.endTo(cfg.serverName(cfg.gid(0), 0));
    const shard = key2shard("k");
    const pull = await end.call<{ err: string; data: unknown[] }>("ShardKV.PullShards", { configNum: c.num + 5, shards: [shard] });
    if (!pull.ok || pull.reply.err !== "ErrNotReady" || pull.reply.data.length !== 0) {
      throw new Error(`PullShards for an unreached config answered ${JSON.stringify(pull)}`);
    }
    const del = await end.call<{ err: string }>("ShardKV.DeleteShards", { configNum: c.num + 5, shards: [shard] });
    if (!del.ok || del.reply.err !== "ErrNotReady") throw new Error(`DeleteShards ahead answered ${JSON.stringify(del)}`);
    // A serving shard is not handed out or dropped for the current config either.
    const pull2 = await end.call<{ err: string }>("ShardKV.PullShards", { configNum: c.num, shards: [shard] });
    if (!pull2.ok || pull2.reply.err !== "ErrNotReady") throw new Error(`PullShards of a serving shard answered ${JSON.stringify(pull2)}`);
    await sleep(200);
    if ((await ck.get("k")) !== "v") throw new Error("the key changed");
  });
});

graded("TestCorruptSnapshot4BReference", async () => {
  await withConfig(3, false, 1000, async (cfg) => {
    const ck = cfg.makeClient();
    await cfg.join(0);
    await ck.put("k", "v");
    cfg.shutdownServer(0, 0);
    const bad = makePersister();
    bad.saveStateAndSnapshot(new Uint8Array(0), new TextEncoder().encode("{not a snapshot"));
    cfg.setPersister(0, 0, bad);
    let threw: unknown;
    try {
      cfg.startServer(0, 0);
    } catch (e) {
      threw = e;
    }
    if (!(threw instanceof CorruptSnapshotError)) throw new Error(`starting on a corrupt snapshot: ${String(threw)}`);
    if (!/corrupt snapshot/.test(threw.message)) throw new Error(`unclear message: ${threw.message}`);
    // Nothing acknowledged is lost: the other two replicas still serve it.
    if ((await ck.get("k")) !== "v") throw new Error("the key was lost");
  });
});

// When every group leaves, the controller gives all shards to gid 0 (course semantics).
// Our reference keeps them frozen at the last owner, and whichever group is given them
// next fetches them from there, so no acknowledged write is lost. (The course's tests
// never empty the controller, so this is not asked of a student solution.)
graded("TestAllGroupsLeave4BReference", async () => {
  await withConfig(3, false, 1000, async (cfg) => {
    const ck = cfg.makeClient();
    const ka = Array.from({ length: 10 }, (_, i) => String(i));
    const va = ka.map((k) => `v${k}`);
    const checkAll = async (when: string): Promise<void> => {
      for (let i = 0; i < ka.length; i++) {
        const v = await ck.get(ka[i]!);
        if (v !== va[i]) throw new Error(`${when}: Get(${ka[i]}) = ${JSON.stringify(v)}, want ${JSON.stringify(va[i])}`);
        await ck.append(ka[i]!, "+");
        va[i] += "+";
      }
    };
    await cfg.join(0);
    for (let i = 0; i < ka.length; i++) await ck.put(ka[i]!, va[i]!);
    await cfg.leave(0); // no group left: 100 keeps them frozen
    await cfg.join(1);
    await checkAll("after 101 took over from the emptied controller");
    await cfg.leave(1);
    await cfg.join(1); // the holder itself comes back
    await checkAll("after 101 left and rejoined");
    await cfg.leave(1);
    await cfg.join(0);
    await cfg.join(2);
    await sleep(1000);
    cfg.shutdownGroup(1); // 101 must have handed everything over
    await checkAll("after 100 and 102 took over from 101");
  });
});
