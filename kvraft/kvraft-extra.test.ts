// Our kvraft behaviour tests beyond the course's (manifest: extraTests of 3A). Each builds
// on purpose a situation that the course's tests reach only by luck, through the course's
// API only (partitions, Clerks, Raft's GetState), so every correct service passes it.
import { graded } from "../labs-test/harness/graded.js";
import { now, sleep } from "../runtime/index.js";
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

/** Only these groups of servers can reach each other (every server in no group is cut off). */
function groups(cfg: Config, ...gs: number[][]): void {
  for (const i of cfg.all()) cfg.disconnect(i, cfg.all());
  for (const g of gs) for (const i of g) cfg.connect(i, g);
}

/** A server of these whose Raft claims leadership in a term after `after`, once one does; fails after 10 s. */
async function leaderAfter(cfg: Config, among: readonly number[], after: number): Promise<number> {
  for (const t0 = now(); now() - t0 < 10 * electionTimeout; await sleep(50)) {
    const l = among.find((i) => {
      const s = cfg.server(i)?.rf.getState();
      return s?.isLeader === true && s.term > after;
    });
    if (l !== undefined) return l;
  }
  fatal(`none of servers ${among.join(", ")} became leader in a term after ${after} within 10 s`);
}

/** The one server whose Raft claims leadership, once only one does (an old leader may take a while to hear of a new one). */
async function soleLeader(cfg: Config, ck: Clerk): Promise<number> {
  for (const t0 = now(); now() - t0 < 10 * electionTimeout; await sleep(50)) {
    await ck.put("settle", "x");
    cfg.op();
    const ls = cfg.all().filter((i) => cfg.server(i)?.rf.getState().isLeader === true);
    if (ls.length === 1) return ls[0]!;
  }
  fatal("no single leader within 10 s of a completed Put");
}

/**
 * Once every link is up, a Clerk call must return within this many virtual ms: the course
 * allows 5 s for an election (its re-election tests), and a call needs at most one election
 * and one agreement, as the Clerk tries server after server; we allow twice that.
 */
const HEALED_CALL_MS = 10 * electionTimeout;

// A handler waits for its op at the index Start returned. If its server loses leadership,
// has that entry replaced, leads again and gives the same index to a new op, the first
// handler must still answer (failure, so its Clerk retries): the course's partitions cut only
// server-to-server links, so nothing else ever releases a Clerk waiting on it. Five servers:
//  (a) leader L, cut off alone, takes two ops from two Clerks that reach only L (indexes i
//      and i+1 in its log);
//  (b) the others elect N; N, cut off alone, takes an op at index i; then N, P and L commit
//      it: L's log is cut back to index i, its op there is lost (its handler must say so);
//  (c) L with the two servers that lack N's op (only L can win among them) leads again: the
//      retry of the Clerk whose op was at index i takes index i+1, where the other Clerk's
//      handler still waits;
//  (d) every link comes back: both Clerks' calls must return.
graded("TestDisplacedHandlerAnswers3A", async () => {
  const nservers = 5;
  await withConfig(nservers, false, -1, async (cfg) => {
    cfg.begin("Test: a handler whose log index is taken by a later one still answers (3A)");
    const ck = cfg.makeClient(cfg.all());
    for (let round = 0; round < 3; round++) {
      // (a)
      const l = await soleLeader(cfg, ck);
      const tl = cfg.server(l)!.rf.getState().term;
      groups(cfg, [l], cfg.all().filter((i) => i !== l));
      const cks = [cfg.makeClient([l]), cfg.makeClient([l])];
      const done = [false, false];
      const calls = cks.map((c, k) =>
        cfg.go(async () => {
          await c.put(`r${round}-${k}`, `${k}`);
          cfg.op();
          done[k] = true;
        }),
      );

      // (b)
      const n = await leaderAfter(cfg, cfg.all().filter((i) => i !== l), tl);
      const [p, q, r] = cfg.all().filter((i) => i !== l && i !== n) as [number, number, number];
      groups(cfg, [n], [p], [q], [r], [l]);
      const size = cfg.persister(n)!.raftStateSize();
      const ckN = cfg.makeClient([n]);
      const putN = cfg.go(async () => {
        await ckN.put(`n${round}`, "x");
        cfg.op();
      });
      // N has its op at index i once its saved state grows (its Clerk may try the other,
      // cut-off servers first); N, cut off, may stop leading after an election timeout.
      for (const t0 = now(); cfg.persister(n)!.raftStateSize() === size && now() - t0 < 0.9 * electionTimeout; ) await sleep(10);
      groups(cfg, [n, p, l], [q], [r]);
      cfg.connectClient(ckN, [n, p, l]); // whoever leads them, N's Clerk completes
      await putN;

      // (c): the Clerk whose op was at index i retries, and its op commits at i+1.
      groups(cfg, [l, q, r], [n], [p]);
      while (!done.includes(true)) await sleep(50);

      // (d)
      cfg.connectAll();
      for (const c of cks) cfg.connectClient(c, cfg.all());
      for (const t0 = now(); done.includes(false); await sleep(50)) {
        if (now() - t0 > HEALED_CALL_MS) {
          fatal(`a Clerk's Put did not return within ${HEALED_CALL_MS / 1000} s of every link coming back: the handler at server ${l} that waits for it never answered, after a later handler took its log index`);
        }
      }
      await Promise.all(calls);
    }
    cfg.end();
  });
});
