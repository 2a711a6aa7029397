// Our Raft behaviour tests beyond the course's (manifest: extraTests of 2A–2D). Each one
// aims at a bug that students really write and that the course's tests catch only by
// luck; each drives the cluster through the course's API only (partitions, crashes, the
// network's duplicate mode and held replies, Start/GetState/applyCh), so every correct
// Raft passes it.

import { graded } from "../labs-test/harness/graded.js";
import { Channel, sleep } from "../runtime/index.js";
import { type Config, RaftElectionTimeout, randomCommand, SnapShotInterval, withConfig } from "./config.js";
import type { ApplyMsg } from "./raft.js";

/** Peers other than the given ones, in order. */
function others(n: number, ...not: number[]): number[] {
  return Array.from({ length: n }, (_, i) => i).filter((i) => !not.includes(i));
}

/** Cut the directed links between a and b both ways (the rest of their links stay as they are). */
function cutLink(cfg: Config, a: number, b: number): void {
  cfg.net.enable(cfg.endnames[a]![b]!, false);
  cfg.net.enable(cfg.endnames[b]![a]!, false);
}

/** The peer among candidates that claims leadership in the highest term, or fail. */
function leaderAmong(cfg: Config, candidates: number[]): number {
  let best = -1;
  let bestTerm = -1;
  for (const i of candidates) {
    const s = cfg.rafts[i]?.getState();
    if (s?.isLeader === true && s.term > bestTerm) {
      best = i;
      bestTerm = s.term;
    }
  }
  if (best === -1) cfg.fatal(`expected a leader among ${candidates.join(", ")}, got none`);
  return best;
}

// ---- 2A: elections that must still happen -------------------------------------------------

// A follower keeps refusing a stale candidate's vote requests (its log is ahead), but it
// must still run its own election when its timeout passes: only a grant or a current
// leader's AppendEntries restarts that timeout. A follower that restarts it on every
// RequestVote, granted or not, is held back forever by candidates that cannot win.
//
// Nine peers. Peer A is the only one with the latest entry; four stale peers can each
// reach A but not each other, so none of them can win (each needs A's vote), while their
// vote requests keep arriving at A from four independent timers. The other four are cut
// off. A must get elected within the course's election bound and commit.
graded("TestElectionAfterStaleCandidate2A", () =>
  withConfig(9, false, false, async (cfg) => {
    const servers = 9;
    const nstale = 4;
    cfg.begin("Test (2A): election after refusing stale candidates");

    // Three rounds (a follower so held back gets elected now and then by luck).
    for (let round = 0; round < 3; round++) {
      await cfg.one(randomCommand(), servers, true);

      // The stale peers fall behind: the other five commit one more entry.
      const leader1 = await cfg.checkOneLeader();
      const stale = others(servers, leader1).slice(round, round + nstale);
      for (const i of stale) cfg.disconnect(i);
      await cfg.one(randomCommand(), servers - nstale, true);

      // Keep one up-to-date follower A; cut the leader and the others off.
      const a = others(servers, leader1, ...stale)[0]!;
      for (const i of others(servers, a, ...stale)) cfg.disconnect(i);
      for (const i of stale) cfg.connect(i);
      for (const i of stale) for (const j of stale) if (i < j) cutLink(cfg, i, j);

      // Only A can win, and must: five of nine is a majority.
      await cfg.checkOneLeader();
      const leader2 = leaderAmong(cfg, [a, ...stale]);
      if (leader2 !== a) cfg.fatal(`stale peer ${leader2} won an election without peer ${a}'s vote`);
      await cfg.one(randomCommand(), nstale + 1, true);

      for (let i = 0; i < servers; i++) {
        cfg.disconnect(i);
        cfg.connect(i); // every link back, the stale peers' too
      }
    }

    cfg.end();
  }),
);

// ---- 2B: old and duplicated AppendEntries --------------------------------------------------

// The network delivers some requests twice, the copy up to 2 s later, even after the
// sender's link is cut (the Raft paper's network model allows duplicates and delays). An
// old AppendEntries whose entries a follower already has must not cut off the entries
// that followed: the leader counted them when it committed. Each round commits a burst
// with the leader and one follower only, then cuts the leader off while copies of its
// older, shorter AppendEntries are still on the way, and lets the follower and the third
// peer carry on: a follower that dropped entries it had acknowledged elects a leader
// without committed entries, and the next commit conflicts with the old leader's.
graded("TestDuplicateAppend2B", () =>
  withConfig(3, false, false, async (cfg) => {
    const servers = 3;
    cfg.begin("Test (2B): old duplicated AppendEntries never drop acknowledged entries");
    cfg.net.setDuplicates(true);

    await cfg.one(randomCommand(), servers, false);
    for (let round = 0; round < 6; round++) {
      const leader = await cfg.checkOneLeader();
      const [follower, behind] = others(servers, leader) as [number, number];
      cfg.disconnect(behind);

      // A burst, one Start at a time, so that it travels in many AppendEntries.
      let last = -1;
      for (let k = 0; k < 20; k++) {
        const r = cfg.rafts[leader]!.start(randomCommand());
        if (!r.isLeader) break;
        last = r.index;
        await sleep(5);
      }
      if (last !== -1) await cfg.wait(last, 2, -1);

      // The leader goes; old copies of its AppendEntries may still reach the follower.
      cfg.disconnect(leader);
      cfg.connect(behind);
      await cfg.one(randomCommand(), servers - 1, true);
      cfg.connect(leader);
      await cfg.one(randomCommand(), servers, true);
    }

    cfg.end();
  }),
);

// ---- 2B: a follower commits only what the leader's message matched ---------------------

// A follower may commit only entries the leader's message proved it shares with the
// leader: up to min(leaderCommit, prevLogIndex + len(entries)), and only when it accepts
// the message. A follower that takes min(leaderCommit, its own last index), or moves its
// commit index on a message it rejects, applies entries an older leader left in its log
// that were never committed. Each round gives a follower F such a stale suffix on purpose:
//  (a) leader L puts three entries on F only (the other three are cut off);
//  (b) L and F cut off, the other three elect a leader N, whose log ends where F's still
//      matches, and commit two entries at indices where F holds stale ones;
//  (c) F comes back while its log is still longer and wrong. Even rounds: N still leads
//      and has heard nothing from F in its term, so it still has F's nextIndex right
//      after the shared prefix: its heartbeat matches F's log there, with a leaderCommit
//      beyond it. Odd rounds: N is cut off first, and another peer is elected with F's
//      vote; its first AppendEntries starts at its own last index, where F's log differs,
//      and carries the commit index too: F must reject it without committing.
// Either way, a follower that commits its stale entries applies commands that conflict
// with the ones committed at those indices.
graded("TestCommitBoundedByMatch2B", () =>
  withConfig(5, false, false, async (cfg) => {
    const servers = 5;
    cfg.begin("Test (2B): a follower commits only what the leader's message matched");

    for (let round = 0; round < 4; round++) {
      await cfg.one(randomCommand(), servers, true);

      // (a)
      const l = await cfg.checkOneLeader();
      const f = (l + 1 + round) % servers;
      const rest = others(servers, l, f);
      for (const i of rest) cfg.disconnect(i);
      for (let k = 0; k < 3; k++) {
        if (!cfg.rafts[l]!.start(randomCommand()).isLeader) cfg.fatal(`leader ${l} rejected Start()`);
      }
      await sleep(RaftElectionTimeout / 2); // the entries reach F

      // (b)
      cfg.disconnect(l);
      cfg.disconnect(f);
      for (const i of rest) cfg.connect(i);
      for (let k = 0; k < 2; k++) await cfg.one(randomCommand(), servers - 2, true);

      // (c)
      if (round % 2 === 0) {
        cfg.connect(f);
        await cfg.one(randomCommand(), servers - 1, true);
      } else {
        const n = leaderAmong(cfg, rest);
        cfg.disconnect(n);
        cfg.connect(f);
        await cfg.one(randomCommand(), servers - 2, true);
        cfg.connect(n);
      }
      cfg.connect(l);
    }
    await cfg.one(randomCommand(), servers, true);

    cfg.end();
  }),
);

// ---- 2B: a reply from an earlier term --------------------------------------------------

// A reply answers the request it belongs to: a leader may count a success only in the
// term it sent that request in. A leader that lost and regained leadership and takes an
// old reply as current believes a follower holds entries that its own log has replaced
// since, and commits an entry no majority holds. labrpc holds the replies to leader L's
// AppendEntries to follower F (net.holdReplies) and delivers them only at the end:
//  (a) L puts four entries on F only (the other three are cut off); F's replies wait;
//  (b) L and F cut off, the other three elect P and commit an entry Y at the first of
//      those indices;
//  (c) L rejoins P's majority and gets P's log (its four entries are replaced); then,
//      with only L connected to P, P gives L one more entry Q;
//  (d) P cut off; the other two reach L but not each other, so only L (the longest log)
//      can win: it is elected in a later term, then keeps only one of them and takes an
//      entry W, at the last index of its old four: W is on two of five peers;
//  (e) F's replies arrive: they acknowledge L's old entries through W's index, but in
//      L's first term. A leader that counts them commits W (and Q).
//  (f) L and that follower cut off; P, F and the other one commit an entry at Q's or
//      W's index: a leader that committed W (or Q) applied another command there.
graded("TestStaleTermReply2B", () =>
  withConfig(5, false, false, async (cfg) => {
    const servers = 5;
    cfg.begin("Test (2B): a reply from an earlier term is not taken as current");

    for (let round = 0; round < 2; round++) {
      await cfg.one(randomCommand(), servers, true);

      // (a)
      const l = await cfg.checkOneLeader();
      const f = (l + 1 + round) % servers;
      const rest = others(servers, l, f);
      for (const i of rest) cfg.disconnect(i);
      const held = cfg.endnames[l]![f]!;
      cfg.net.holdReplies(held, true);
      for (let k = 0; k < 4; k++) {
        if (!cfg.rafts[l]!.start(randomCommand()).isLeader) cfg.fatal(`leader ${l} rejected Start()`);
      }
      await sleep(RaftElectionTimeout / 2); // the entries reach F; its replies are held

      // (b)
      cfg.disconnect(l);
      cfg.disconnect(f);
      for (const i of rest) cfg.connect(i);
      await cfg.one(randomCommand(), servers - 2, true);

      // (c)
      cfg.connect(l);
      await cfg.one(randomCommand(), servers - 1, true);
      const p = leaderAmong(cfg, [l, ...rest]);
      if (p === l) cfg.fatal(`peer ${l} was elected while holding entries of a term the others had passed`);
      const [b, c] = rest.filter((i) => i !== p) as [number, number];
      cfg.disconnect(b);
      cfg.disconnect(c);
      if (!cfg.rafts[p]!.start(randomCommand()).isLeader) cfg.fatal(`leader ${p} rejected Start()`);
      await sleep(RaftElectionTimeout / 2); // Q reaches L

      // (d)
      cfg.disconnect(p);
      cfg.connect(b);
      cfg.connect(c);
      cutLink(cfg, b, c);
      await cfg.checkOneLeader();
      if (leaderAmong(cfg, [l, b, c]) !== l) cfg.fatal(`a peer without the entry peer ${l} holds won an election`);
      cutLink(cfg, l, c);
      if (!cfg.rafts[l]!.start(randomCommand()).isLeader) cfg.fatal(`leader ${l} rejected Start()`);
      await sleep(RaftElectionTimeout / 4); // W reaches B

      // (e)
      cfg.net.holdReplies(held, false);
      await sleep(RaftElectionTimeout / 2);

      // (f)
      cfg.disconnect(l);
      cfg.disconnect(b);
      cfg.connect(p);
      cfg.connect(f);
      await cfg.one(randomCommand(), servers - 2, true);

      for (let i = 0; i < servers; i++) {
        cfg.disconnect(i);
        cfg.connect(i); // every link back, the cut ones too
      }
    }
    await cfg.one(randomCommand(), servers, true);

    cfg.end();
  }),
);

// ---- 2C: Figure 8, directed -------------------------------------------------------------

// The Raft paper's Figure 8, built on purpose: a leader must not commit an entry of an
// earlier term by counting its replicas. The course's randomized Figure 8 tests catch
// that bug in a few seeds of a hundred; this one builds the situation every time:
//  (a) leader L of term T1 puts entry X at index 2 on L and a follower F only;
//  (b) L and F cut off; the other three elect P (term T2), which takes entry Y at
//      index 2 alone and is cut off;
//  (c) L, F and a third peer Q (its log: index 1) elect L or F in term T3, which sends X
//      to Q: X is now on a majority, but no T3 entry is, so X must not commit yet;
//  (d) that leader is cut off; P (its last term T2 beats T1) is elected by the other two
//      and commits Y at index 2. Had (c) committed X, two peers apply different commands
//      at index 2.
graded("TestFigure8Directed2C", () =>
  withConfig(5, false, false, async (cfg) => {
    const servers = 5;
    cfg.begin("Test (2C): Figure 8, directed");

    const index1 = await cfg.one(randomCommand(), servers, false);

    // (a)
    const l = await cfg.checkOneLeader();
    const f = (l + 1) % servers;
    const rest = others(servers, l, f);
    for (const i of rest) cfg.disconnect(i);
    const x = randomCommand();
    const rx = cfg.rafts[l]!.start(x);
    if (!rx.isLeader) cfg.fatal(`leader ${l} rejected Start()`);
    if (rx.index !== index1 + 1) cfg.fatal(`expected index ${index1 + 1}, got ${rx.index}`);
    await sleep(RaftElectionTimeout / 2); // X reaches F

    // (b)
    cfg.disconnect(l);
    cfg.disconnect(f);
    for (const i of rest) cfg.connect(i);
    await cfg.checkOneLeader();
    const p = leaderAmong(cfg, rest);
    cfg.disconnect(p);
    const y = randomCommand();
    const ry = cfg.rafts[p]!.start(y);
    if (!ry.isLeader) cfg.fatal(`leader ${p} rejected Start()`);
    if (ry.index !== rx.index) cfg.fatal(`expected index ${rx.index}, got ${ry.index}`);
    await sleep(RaftElectionTimeout / 2);

    // (c)
    const q = rest.find((i) => i !== p)!;
    for (const i of rest) if (i !== q) cfg.disconnect(i);
    for (const i of [l, f, q]) cfg.connect(i);
    await cfg.checkOneLeader();
    const lf = leaderAmong(cfg, [l, f, q]);
    if (lf === q) cfg.fatal(`peer ${q} won without the entry at index ${rx.index} that two of its three voters hold`);
    await sleep(2 * RaftElectionTimeout); // X reaches Q, and may be (wrongly) committed

    // (d)
    cfg.disconnect(lf);
    cfg.connect(p);
    await cfg.one(randomCommand(), 3, true);
    const { count, cmd } = cfg.nCommitted(rx.index);
    if (count < 3 || cmd !== y) cfg.fatal(`index ${rx.index}: expected ${y} on at least 3 peers, got ${String(cmd)} on ${count}`);

    for (const i of others(servers)) if (!cfg.connected[i]) cfg.connect(i);
    await cfg.one(randomCommand(), servers, true);

    cfg.end();
  }),
);

// ---- 2D: old InstallSnapshot ---------------------------------------------------------------

/**
 * applierSnap behind a check the course's applier lacks: no peer ever hands its service a
 * snapshot older than what it has already applied (that would roll the service's state
 * back), nor a command at an index already applied.
 */
function strictApplierSnap(cfg: Config, i: number, applyCh: Channel<ApplyMsg>): Promise<void> {
  const inner = new Channel<ApplyMsg>();
  void cfg.applierSnap(i, inner);
  let applied = cfg.lastApplied[i]!;
  return cfg.go(async () => {
    for await (const m of applyCh) {
      if (m.snapshotValid === true) {
        if (m.snapshotIndex < applied) {
          cfg.fatal(`server ${i} got a snapshot through ${m.snapshotIndex} after applying through ${applied}: state rolled back`);
        }
        applied = m.snapshotIndex;
      } else if (m.commandValid === true) {
        if (m.commandIndex <= applied) cfg.fatal(`server ${i} applied index ${m.commandIndex} again (already through ${applied})`);
        applied = m.commandIndex;
      }
      await inner.send(m);
    }
  });
}

// With duplicate mode on, copies of InstallSnapshot arrive after the follower has moved
// past them (it kept committing and snapshotting). An old snapshot below the follower's
// commit point must change nothing: no rollback of the service, no entry applied twice.
graded("TestOldSnapshot2D", () =>
  withConfig(3, false, true, async (cfg) => {
    const servers = 3;
    cfg.begin("Test (2D): old duplicated InstallSnapshot never rolls back");
    // Every peer's applier checks for rollbacks and re-applies from the start.
    for (let i = 0; i < servers; i++) {
      cfg.start1(i, (j, ch) => strictApplierSnap(cfg, j, ch));
    }
    for (let i = 0; i < servers; i++) cfg.connect(i);
    cfg.net.setDuplicates(true);

    await cfg.one(randomCommand(), servers, true);
    for (let round = 0; round < 16; round++) {
      const leader = await cfg.checkOneLeader();
      const victim = (leader + 1) % servers;
      cfg.disconnect(victim);
      // Far enough ahead that the leader's log starts after the victim's: a snapshot is due.
      for (let k = 0; k < SnapShotInterval + 1; k++) await cfg.one(randomCommand(), servers - 1, true);
      cfg.connect(victim);
      // The victim catches up by snapshot, then keeps committing while old copies land.
      for (let k = 0; k < 2 * SnapShotInterval; k++) await cfg.one(randomCommand(), servers, true);
    }
    await sleep(2 * RaftElectionTimeout); // the last copies land

    cfg.end();
  }),
);
