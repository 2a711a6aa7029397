// Our kvraft behaviour tests beyond the course's (manifest: extraTests of 3A). Each builds
// on purpose a situation that the course's tests reach only by luck, through the course's
// API only (partitions, Clerks, Raft's GetState), so every correct service passes it.
import { graded } from "../labs-test/harness/graded.js";
import { sleep } from "../runtime/index.js";
import type { Clerk } from "./client.js";
import { type Config, withConfig } from "./config.js";

const electionTimeout = 1000;

function fatal(msg: string): never {
  throw new Error(msg);
}

/** The server whose Raft claims leadership (after a settled Put, the real leader). */
async function settledLeader(cfg: Config, ck: Clerk): Promise<number> {
  await ck.put("settle", "x");
  cfg.op();
  const { ok, leader } = cfg.leader();
  if (!ok) fatal("no leader after a completed Put");
  return leader;
}

/** Resolves with the value once the Get completes; done says whether it has. */
function pendingGet(cfg: Config, ck: Clerk, key: string): { done: () => boolean; value: () => string | undefined; settled: Promise<void> } {
  let value: string | undefined;
  const settled = cfg.go(async () => {
    value = await ck.get(key);
    cfg.op();
  });
  return { done: () => value !== undefined, value: () => value, settled };
}

// A leader cut off from the majority may still believe it leads for a while (how long
// depends on the solution). A Get it answers from its own state in that time can return
// a value the majority has since overwritten. Here a Get reaches the old leader at once,
// while it certainly still believes it leads, and again after the majority has written a
// new value: neither may complete until the partition heals, and then they must see the
// new value.
graded("TestStaleRead3A", async () => {
  const nservers = 5;
  await withConfig(nservers, false, -1, async (cfg) => {
    cfg.begin("Test: no stale read at a partitioned leader (3A)");
    const ck = cfg.makeClient(cfg.all());
    await ck.put("k", "old");
    cfg.op();
    const l = await settledLeader(cfg, ck);
    const majority = cfg.all().filter((i) => i !== l);

    cfg.partition(majority, [l]);
    const ckOld = cfg.makeClient([l]);
    const ckNew = cfg.makeClient(majority);
    if (cfg.server(l)?.rf.getState().isLeader !== true) fatal(`server ${l} stopped leading before the test could ask it`);
    const first = pendingGet(cfg, ckOld, "k");

    await ckNew.put("k", "new");
    cfg.op();
    const second = pendingGet(cfg, ckOld, "k");
    await sleep(electionTimeout);
    for (const [what, g] of [["first", first], ["second", second]] as const) {
      if (g.done()) fatal(`the ${what} Get at partitioned server ${l} completed (with "${g.value() ?? ""}") without a majority`);
    }

    cfg.connectAll();
    cfg.connectClient(ckOld, cfg.all());
    await first.settled;
    await second.settled;
    // The first Get may linearize before the majority's Put only if it had completed
    // before that Put did; it was still outstanding, so both must see "new".
    for (const [what, g] of [["first", first], ["second", second]] as const) {
      if (g.value() !== "new") fatal(`the ${what} Get returned "${g.value() ?? ""}", expected "new"`);
    }
    cfg.end();
  });
});

// A handler waits for its op at the index Start returned. If its server loses leadership
// before that entry commits, another leader's op may commit at that index: the handler
// must then report failure (the Clerk retries), never OK. Here the leader, cut off alone,
// takes a Put it cannot commit; the majority elects another leader and commits other ops
// at those indexes; the old leader rejoins and applies them while its handler waits. If
// the Clerk is told OK, the Put must really have happened.
graded("TestWaiterOtherLeaderOp3A", async () => {
  const nservers = 5;
  await withConfig(nservers, false, -1, async (cfg) => {
    cfg.begin("Test: a waiting handler is not answered with another leader's op (3A)");
    const ck = cfg.makeClient(cfg.all());
    for (let round = 0; round < 3; round++) {
      const l = await settledLeader(cfg, ck);
      const majority = cfg.all().filter((i) => i !== l);
      cfg.partition(majority, [l]);
      const ckOld = cfg.makeClient([l]);
      const ckNew = cfg.makeClient(majority);

      const key = `k${round}`;
      let told = false;
      const put = cfg.go(async () => {
        await ckOld.put(key, "from-old-leader");
        cfg.op();
        told = true;
      });
      // The majority elects a leader and fills the old leader's indexes with other ops;
      // heal as soon as it has, while the old leader's handler is most likely waiting.
      for (let k = 0; k < 5; k++) {
        await ckNew.append(`other${round}`, `${k} `);
        cfg.op();
      }
      cfg.connectAll();
      cfg.connectClient(ckOld, cfg.all());

      await put;
      if (!told) fatal("the old leader's Put never completed");
      const v = await ck.get(key);
      cfg.op();
      if (v !== "from-old-leader") {
        fatal(`Put(${key}) was acknowledged as OK, but Get(${key}) returns "${v}": the Clerk was told OK for an op that was not applied`);
      }
    }
    cfg.end();
  });
});
