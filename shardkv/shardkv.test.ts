// The graded Lab 4B tests (the course's shardkv/test_test.go), in the course's order
// with its names, titles and parameters; the two challenges' three tests are in
// challenge.test.ts, our behaviour tests in extra.test.ts. Sleeps are on the runtime
// clock (virtual in simulated mode).
import { graded } from "../labs-test/harness/graded.js";
import { after, sleep } from "../runtime/index.js";
import type { Clerk } from "./client.js";
import { withConfig, type Config } from "./config.js";
import { append, check, checkLinearizable, fatal, get, OpLog, put, randn, randstring } from "./framework/test-helpers.js";

/** n writers appending to their own key until done; resolves when all have stopped. */
function writers(
  cfg: Config,
  ka: string[],
  va: string[],
  done: { value: boolean },
  opts: { clerkUpFront: boolean; len: number; pauseMs: number },
): Promise<void> {
  const pre: Clerk[] = opts.clerkUpFront ? ka.map(() => cfg.makeClient()) : [];
  return Promise.all(
    ka.map((_, i) =>
      cfg.go(async () => {
        const ck1 = opts.clerkUpFront ? pre[i]! : cfg.makeClient();
        while (!done.value) {
          const x = randstring(opts.len);
          await append(cfg, ck1, ka[i]!, x);
          va[i] += x;
          if (opts.pauseMs > 0) await sleep(opts.pauseMs);
        }
      }),
    ),
  ).then(() => undefined);
}

/** Keys "0".."n-1" with random values of length len, Put and checked. */
async function putKeys(cfg: Config, ck: Clerk, n: number, len: number): Promise<{ ka: string[]; va: string[] }> {
  const ka: string[] = [];
  const va: string[] = [];
  for (let i = 0; i < n; i++) {
    ka.push(String(i)); // ensure multiple shards
    va.push(randstring(len));
    await put(cfg, ck, ka[i]!, va[i]!);
  }
  for (let i = 0; i < n; i++) await check(cfg, ck, ka[i]!, va[i]!);
  return { ka, va };
}

/** For every key: check it, then append len random characters and remember them. */
async function checkAndAppend(cfg: Config, ck: Clerk, ka: string[], va: string[], len: number): Promise<void> {
  for (let i = 0; i < ka.length; i++) {
    await check(cfg, ck, ka[i]!, va[i]!);
    const x = randstring(len);
    await append(cfg, ck, ka[i]!, x);
    va[i] += x;
  }
}

async function checkAll(cfg: Config, ck: Clerk, ka: string[], va: string[]): Promise<void> {
  for (let i = 0; i < ka.length; i++) await check(cfg, ck, ka[i]!, va[i]!);
}

// test static 2-way sharding, without shard movement.
graded("TestStaticShards", async () => {
  await withConfig(3, false, -1, async (cfg) => {
    cfg.begin("Test: static shards ...");
    const ck = cfg.makeClient();

    await cfg.join(0);
    await cfg.join(1);

    const { ka, va } = await putKeys(cfg, ck, 10, 20);

    // make sure that the data really is sharded by shutting down one shard and
    // checking that some Get()s don't succeed.
    cfg.shutdownGroup(1);
    cfg.checklogs(); // forbid snapshots

    let completed = 0;
    let wake: (() => void) | undefined;
    for (let xi = 0; xi < ka.length; xi++) {
      const ck1 = cfg.makeClient(); // only one call allowed per client
      void (async () => {
        try {
          const v = await ck1.get(ka[xi]!);
          cfg.op();
          if (v !== va[xi]) cfg.fail(new Error(`Get(${ka[xi]}): expected:\n${va[xi]}\nreceived:\n${v}`));
          completed++;
          wake?.();
        } catch (e) {
          cfg.fail(e as Error);
        }
      })();
    }

    // wait a bit, only about half the Gets should succeed.
    let ndone = 0;
    for (;;) {
      if (ndone < completed) {
        ndone = completed;
        continue;
      }
      const more = await new Promise<boolean>((resolve) => {
        const t = after(2000, () => {
          wake = undefined;
          resolve(false);
        });
        wake = () => {
          t.cancel();
          wake = undefined;
          resolve(true);
        };
      });
      if (!more) break;
    }
    if (ndone !== 5) fatal(`expected 5 completions with one shard dead; got ${ndone}\n`);

    // bring the crashed shard/group back to life.
    cfg.startGroup(1);
    await checkAll(cfg, ck, ka, va);

    cfg.end();
  });
});

graded("TestJoinLeave", async () => {
  await withConfig(3, false, -1, async (cfg) => {
    cfg.begin("Test: join then leave ...");
    const ck = cfg.makeClient();

    await cfg.join(0);
    const { ka, va } = await putKeys(cfg, ck, 10, 5);

    await cfg.join(1);
    await checkAndAppend(cfg, ck, ka, va, 5);

    await cfg.leave(0);
    await checkAndAppend(cfg, ck, ka, va, 5);

    // allow time for shards to transfer.
    await sleep(1000);

    cfg.checklogs();
    cfg.shutdownGroup(0);

    await checkAll(cfg, ck, ka, va);

    cfg.end();
  });
});

graded("TestSnapshot", async () => {
  await withConfig(3, false, 1000, async (cfg) => {
    cfg.begin("Test: snapshots, join, and leave ...");
    const ck = cfg.makeClient();

    await cfg.join(0);
    const { ka, va } = await putKeys(cfg, ck, 30, 20);

    await cfg.join(1);
    await cfg.join(2);
    await cfg.leave(0);
    await checkAndAppend(cfg, ck, ka, va, 20);

    await cfg.leave(1);
    await cfg.join(0);
    await checkAndAppend(cfg, ck, ka, va, 20);

    await sleep(1000);
    await checkAll(cfg, ck, ka, va);

    await sleep(1000);
    cfg.checklogs();

    cfg.shutdownGroup(0);
    cfg.shutdownGroup(1);
    cfg.shutdownGroup(2);

    cfg.startGroup(0);
    cfg.startGroup(1);
    cfg.startGroup(2);

    await checkAll(cfg, ck, ka, va);

    cfg.end();
  });
});

graded("TestMissChange", async () => {
  await withConfig(3, false, 1000, async (cfg) => {
    cfg.begin("Test: servers miss configuration changes...");
    const ck = cfg.makeClient();

    await cfg.join(0);
    const { ka, va } = await putKeys(cfg, ck, 10, 20);

    await cfg.join(1);

    cfg.shutdownServer(0, 0);
    cfg.shutdownServer(1, 0);
    cfg.shutdownServer(2, 0);

    await cfg.join(2);
    await cfg.leave(1);
    await cfg.leave(0);
    await checkAndAppend(cfg, ck, ka, va, 20);

    await cfg.join(1);
    await checkAndAppend(cfg, ck, ka, va, 20);

    cfg.startServer(0, 0);
    cfg.startServer(1, 0);
    cfg.startServer(2, 0);
    await checkAndAppend(cfg, ck, ka, va, 20);

    await sleep(2000);

    cfg.shutdownServer(0, 1);
    cfg.shutdownServer(1, 1);
    cfg.shutdownServer(2, 1);

    await cfg.join(0);
    await cfg.leave(2);
    await checkAndAppend(cfg, ck, ka, va, 20);

    cfg.startServer(0, 1);
    cfg.startServer(1, 1);
    cfg.startServer(2, 1);

    await checkAll(cfg, ck, ka, va);

    cfg.end();
  });
});

graded("TestConcurrent1", async () => {
  await withConfig(3, false, 100, async (cfg) => {
    cfg.begin("Test: concurrent puts and configuration changes...");
    const ck = cfg.makeClient();

    await cfg.join(0);
    const { ka, va } = await putKeys(cfg, ck, 10, 5);

    const done = { value: false };
    const ws = writers(cfg, ka, va, done, { clerkUpFront: false, len: 5, pauseMs: 10 });

    await sleep(150);
    await cfg.join(1);
    await sleep(500);
    await cfg.join(2);
    await sleep(500);
    await cfg.leave(0);

    cfg.shutdownGroup(0);
    await sleep(100);
    cfg.shutdownGroup(1);
    await sleep(100);
    cfg.shutdownGroup(2);

    await cfg.leave(2);

    await sleep(100);
    cfg.startGroup(0);
    cfg.startGroup(1);
    cfg.startGroup(2);

    await sleep(100);
    await cfg.join(0);
    await cfg.leave(1);
    await sleep(500);
    await cfg.join(1);

    await sleep(1000);

    done.value = true;
    await ws;
    await checkAll(cfg, ck, ka, va);

    cfg.end();
  });
});

// this tests the various sources from which a re-starting group might need to fetch
// shard contents.
graded("TestConcurrent2", async () => {
  await withConfig(3, false, -1, async (cfg) => {
    cfg.begin("Test: more concurrent puts and configuration changes...");
    const ck = cfg.makeClient();

    await cfg.join(1);
    await cfg.join(0);
    await cfg.join(2);

    const { ka, va } = await putKeys(cfg, ck, 10, 1);

    const done = { value: false };
    const ws = writers(cfg, ka, va, done, { clerkUpFront: true, len: 1, pauseMs: 50 });

    await cfg.leave(0);
    await cfg.leave(2);
    await sleep(3000);
    await cfg.join(0);
    await cfg.join(2);
    await cfg.leave(1);
    await sleep(3000);
    await cfg.join(1);
    await cfg.leave(0);
    await cfg.leave(2);
    await sleep(3000);

    cfg.shutdownGroup(1);
    cfg.shutdownGroup(2);
    await sleep(1000);
    cfg.startGroup(1);
    cfg.startGroup(2);

    await sleep(2000);

    done.value = true;
    await ws;
    await checkAll(cfg, ck, ka, va);

    cfg.end();
  });
});

graded("TestConcurrent3", async () => {
  await withConfig(3, false, 300, async (cfg) => {
    cfg.begin("Test: concurrent configuration change and restart...");
    const ck = cfg.makeClient();

    await cfg.join(0);
    const { ka, va } = await putKeys(cfg, ck, 10, 1);

    const done = { value: false };
    const ws = writers(cfg, ka, va, done, { clerkUpFront: false, len: 1, pauseMs: 0 });

    const t0 = cfg.elapsedMs();
    while (cfg.elapsedMs() - t0 < 12_000) {
      await cfg.join(2);
      await cfg.join(1);
      await sleep(randn(900));
      cfg.shutdownGroup(0);
      cfg.shutdownGroup(1);
      cfg.shutdownGroup(2);
      cfg.startGroup(0);
      cfg.startGroup(1);
      cfg.startGroup(2);
      await sleep(randn(900));
      await cfg.leave(1);
      await cfg.leave(2);
      await sleep(randn(900));
    }

    await sleep(2000);

    done.value = true;
    await ws;
    await checkAll(cfg, ck, ka, va);

    cfg.end();
  });
});

graded("TestUnreliable1", async () => {
  await withConfig(3, true, 100, async (cfg) => {
    cfg.begin("Test: unreliable 1...");
    const ck = cfg.makeClient();

    await cfg.join(0);
    const { ka, va } = await putKeys(cfg, ck, 10, 5);

    await cfg.join(1);
    await cfg.join(2);
    await cfg.leave(0);

    for (let ii = 0; ii < ka.length * 2; ii++) {
      const i = ii % ka.length;
      await check(cfg, ck, ka[i]!, va[i]!);
      const x = randstring(5);
      await append(cfg, ck, ka[i]!, x);
      va[i] += x;
    }

    await cfg.join(0);
    await cfg.leave(1);

    for (let ii = 0; ii < ka.length * 2; ii++) {
      const i = ii % ka.length;
      await check(cfg, ck, ka[i]!, va[i]!);
    }

    cfg.end();
  });
});

/** The reconfiguration timeline of TestUnreliable2 and TestUnreliable3. */
async function unreliableTimeline(cfg: Config): Promise<void> {
  await sleep(150);
  await cfg.join(1);
  await sleep(500);
  await cfg.join(2);
  await sleep(500);
  await cfg.leave(0);
  await sleep(500);
  await cfg.leave(1);
  await sleep(500);
  await cfg.join(1);
  await cfg.join(0);
  await sleep(2000);
}

graded("TestUnreliable2", async () => {
  await withConfig(3, true, 100, async (cfg) => {
    cfg.begin("Test: unreliable 2...");
    const ck = cfg.makeClient();

    await cfg.join(0);
    const ka: string[] = [];
    const va: string[] = [];
    for (let i = 0; i < 10; i++) {
      ka.push(String(i)); // ensure multiple shards
      va.push(randstring(5));
      await put(cfg, ck, ka[i]!, va[i]!);
    }

    const done = { value: false };
    const ws = writers(cfg, ka, va, done, { clerkUpFront: false, len: 5, pauseMs: 0 });

    await unreliableTimeline(cfg);

    done.value = true;
    cfg.net.setReliable(true);
    await ws;
    await checkAll(cfg, ck, ka, va);

    cfg.end();
  });
});

graded("TestUnreliable3", async () => {
  await withConfig(3, true, 100, async (cfg) => {
    cfg.begin("Test: unreliable 3...");
    const ck = cfg.makeClient();
    const log = new OpLog();

    await cfg.join(0);
    const ka: string[] = [];
    for (let i = 0; i < 10; i++) {
      ka.push(String(i)); // ensure multiple shards
      await put(cfg, ck, ka[i]!, randstring(5), log, 0);
    }

    const done = { value: false };
    const clients = Promise.all(
      ka.map((_, i) =>
        cfg.go(async () => {
          const ck1 = cfg.makeClient();
          while (!done.value) {
            const ki = randn(ka.length);
            const nv = randstring(5);
            if (randn(1000) < 500) await append(cfg, ck1, ka[ki]!, nv, log, i);
            else if (randn(1000) < 100) await put(cfg, ck1, ka[ki]!, nv, log, i);
            else await get(cfg, ck1, ka[ki]!, log, i);
          }
        }),
      ),
    );

    await unreliableTimeline(cfg);

    done.value = true;
    cfg.net.setReliable(true);
    await clients;

    checkLinearizable(cfg, log.read());

    cfg.end();
  });
});
