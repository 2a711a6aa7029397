// The Lab 4B challenge tests (the course's TestChallenge1Delete, TestChallenge2Unaffected
// and TestChallenge2Partial), with the course's names, titles and bounds; `make
// test-challenge` runs them. Sleeps are on the runtime clock.
import { graded } from "../labs-test/harness/graded.js";
import { sleep } from "../runtime/index.js";
import { NShards } from "../shardctrler/common.js";
import { withConfig } from "./config.js";
import { check, fatal, put, randstring } from "./framework/test-helpers.js";

// Challenge 1: moved shards are deleted, also after whole groups restart; the total of
// Raft state and snapshots stays within the course's bound.
graded("TestChallenge1Delete", async () => {
  // "1" means force snapshot after every log entry.
  await withConfig(3, false, 1, async (cfg) => {
    cfg.begin("Test: shard deletion (challenge 1) ...");
    const ck = cfg.makeClient();

    await cfg.join(0);

    // 30,000 bytes of total values.
    const n = 30;
    const ka: string[] = [];
    const va: string[] = [];
    for (let i = 0; i < n; i++) {
      ka.push(String(i));
      va.push(randstring(1000));
      await put(cfg, ck, ka[i]!, va[i]!);
    }
    for (let i = 0; i < 3; i++) await check(cfg, ck, ka[i]!, va[i]!);

    for (let iters = 0; iters < 2; iters++) {
      await cfg.join(1);
      await cfg.leave(0);
      await cfg.join(2);
      await sleep(3000);
      for (let i = 0; i < 3; i++) await check(cfg, ck, ka[i]!, va[i]!);
      await cfg.leave(1);
      await cfg.join(0);
      await cfg.leave(2);
      await sleep(3000);
      for (let i = 0; i < 3; i++) await check(cfg, ck, ka[i]!, va[i]!);
    }

    await cfg.join(1);
    await cfg.join(2);
    await sleep(1000);
    for (let i = 0; i < 3; i++) await check(cfg, ck, ka[i]!, va[i]!);
    await sleep(1000);
    for (let i = 0; i < 3; i++) await check(cfg, ck, ka[i]!, va[i]!);
    await sleep(1000);
    for (let i = 0; i < 3; i++) await check(cfg, ck, ka[i]!, va[i]!);

    const total = cfg.totalStorage();
    // 27 keys should be stored once.
    // 3 keys should also be stored in client dup tables.
    // everything on 3 replicas.
    // plus slop.
    const expected = 3 * (((n - 3) * 1000) + 2 * 3 * 1000 + 6000);
    if (total > expected) fatal(`snapshot + persisted Raft state are too big: ${total} > ${expected}\n`);

    for (let i = 0; i < n; i++) await check(cfg, ck, ka[i]!, va[i]!);

    cfg.end();
  });
});

// Challenge 2: a group keeps serving the shards a configuration change does not touch,
// while it waits for shards it cannot get.
graded("TestChallenge2Unaffected", async () => {
  await withConfig(3, true, 100, async (cfg) => {
    cfg.begin("Test: unaffected shard access (challenge 2) ...");
    const ck = cfg.makeClient();

    // JOIN 100
    await cfg.join(0);

    // Do a bunch of puts to keys in all shards
    const n = 10;
    const ka: string[] = [];
    const va: string[] = [];
    for (let i = 0; i < n; i++) {
      ka.push(String(i)); // ensure multiple shards
      va.push("100");
      await put(cfg, ck, ka[i]!, va[i]!);
    }

    // JOIN 101
    await cfg.join(1);

    // QUERY to find shards now owned by 101
    const c = await cfg.mck.query(-1);
    const owned = new Array<boolean>(n).fill(false);
    for (let s = 0; s < NShards; s++) if (c.shards[s] === cfg.gid(1)) owned[s] = true;

    // Wait for migration to new config to complete, and for clients to start using this
    // updated config. Gets to any key k such that owned[shard(k)] == true should now be
    // served by group 101.
    await sleep(1000);
    // The course indexes owned by the key's index, not by key2shard (kept as is).
    for (let i = 0; i < n; i++) {
      if (owned[i]) {
        va[i] = "101";
        await put(cfg, ck, ka[i]!, va[i]!);
      }
    }

    // KILL 100
    cfg.shutdownGroup(0);

    // LEAVE 100
    // 101 doesn't get a chance to migrate things previously owned by 100
    await cfg.leave(0);

    // Wait to make sure clients see new config
    await sleep(1000);

    // And finally: check that gets/puts for 101-owned keys still complete
    for (let i = 0; i < n; i++) {
      const shard = Number(ka[i]!.charCodeAt(0)) % 10;
      if (owned[shard]) {
        await check(cfg, ck, ka[i]!, va[i]!);
        await put(cfg, ck, ka[i]!, va[i] + "-1");
        await check(cfg, ck, ka[i]!, va[i] + "-1");
      }
    }

    cfg.end();
  });
});

// Challenge 2: a group serves each shard as soon as its data has arrived, even though the
// whole configuration change cannot finish.
graded("TestChallenge2Partial", async () => {
  await withConfig(3, true, 100, async (cfg) => {
    cfg.begin("Test: partial migration shard access (challenge 2) ...");
    const ck = cfg.makeClient();

    // JOIN 100 + 101 + 102
    await cfg.joinm([0, 1, 2]);

    // Give the implementation some time to reconfigure
    await sleep(1000);

    // Do a bunch of puts to keys in all shards
    const n = 10;
    const ka: string[] = [];
    const va: string[] = [];
    for (let i = 0; i < n; i++) {
      ka.push(String(i)); // ensure multiple shards
      va.push("100");
      await put(cfg, ck, ka[i]!, va[i]!);
    }

    // QUERY to find shards owned by 102
    const c = await cfg.mck.query(-1);
    const owned = new Array<boolean>(n).fill(false);
    for (let s = 0; s < NShards; s++) if (c.shards[s] === cfg.gid(2)) owned[s] = true;

    // KILL 100
    cfg.shutdownGroup(0);

    // LEAVE 100 + 102
    // 101 can get old shards from 102, but not from 100. 101 should start serving shards
    // that used to belong to 102 as soon as possible
    await cfg.leavem([0, 2]);

    // Give the implementation some time to start reconfiguration
    // And to migrate 102 -> 101
    await sleep(1000);

    // And finally: check that gets/puts for 101-owned keys now complete
    for (let i = 0; i < n; i++) {
      const shard = Number(ka[i]!.charCodeAt(0)) % 10;
      if (owned[shard]) {
        await check(cfg, ck, ka[i]!, va[i]!);
        await put(cfg, ck, ka[i]!, va[i] + "-2");
        await check(cfg, ck, ka[i]!, va[i] + "-2");
      }
    }

    cfg.end();
  });
});

// Ours: the deletion of challenge 1 survives whole-group restarts. After shards have
// moved, every group restarts at once (from snapshots and logs alone); the storage bound
// of TestChallenge1Delete still holds and every value is intact.
graded("TestChallenge1DeleteAfterRestart", async () => {
  await withConfig(3, false, 1, async (cfg) => {
    cfg.begin("Test: shard deletion survives whole-group restarts ...");
    const ck = cfg.makeClient();
    await cfg.join(0);
    const n = 30;
    const ka = Array.from({ length: n }, (_, i) => String(i));
    const va = ka.map(() => randstring(1000));
    for (let i = 0; i < n; i++) await put(cfg, ck, ka[i]!, va[i]!);

    await cfg.join(1);
    await cfg.join(2);
    // Restart every group while the shards are on their way, and again once they arrived.
    for (let gi = 0; gi < 3; gi++) cfg.shutdownGroup(gi);
    for (let gi = 0; gi < 3; gi++) cfg.startGroup(gi);
    await sleep(3000);
    for (let i = 0; i < 3; i++) await check(cfg, ck, ka[i]!, va[i]!);
    await cfg.leave(0);
    await sleep(3000);
    for (let gi = 0; gi < 3; gi++) cfg.shutdownGroup(gi);
    for (let gi = 0; gi < 3; gi++) cfg.startGroup(gi);
    await sleep(2000);
    for (let i = 0; i < 3; i++) await check(cfg, ck, ka[i]!, va[i]!);

    const total = cfg.totalStorage();
    const expected = 3 * (((n - 3) * 1000) + 2 * 3 * 1000 + 6000);
    if (total > expected) fatal(`snapshot + persisted Raft state are too big: ${total} > ${expected}\n`);
    for (let i = 0; i < n; i++) await check(cfg, ck, ka[i]!, va[i]!);
    cfg.end();
  });
});
