// Our Raft behaviour tests beyond the course's (manifest: extraTests of 2A–2D). Each one
// aims at a bug that students really write and that the course's tests catch only by
// luck, and builds the situation on purpose; each drives the cluster through the course's
// API only (partitions, crashes, the network's duplicate mode and held requests and
// replies, the harness's hook on a peer's saves, Start/GetState/applyCh), so every correct
// Raft passes it. raft/reference/planted-bugs-list.ts plants each bug, in our reference and
// in a second, student-style Raft, and checks that its test fails in every seed.

import { graded } from "../labs-test/harness/graded.js";
import { after, Channel, now, sleep } from "../runtime/index.js";
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

/** The highest term any live peer is in. */
function maxTerm(cfg: Config): number {
  let t = 0;
  for (const rf of cfg.rafts) if (rf) t = Math.max(t, rf.getState().term);
  return t;
}

/**
 * The first of these peers to save a term above `above`, with atOnce(i) run inside that save,
 * before anything the peer sends next leaves (Config.watchSaves). While no peer has a term
 * above `above`, the first to save one is starting an election: a term rises only by a
 * candidacy or by hearing of a higher term, and a correct Raft saves its new term and vote
 * before its RequestVotes go out. Fails if none does within ms virtual ms.
 */
function nextCandidate(cfg: Config, peers: readonly number[], above: number, ms: number, atOnce: (i: number) => void): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let done = false;
    const timer = after(ms, () => {
      if (done) return;
      done = true;
      try {
        cfg.fatal(`none of peers ${peers.join(", ")} started an election above term ${above} within ${ms / 1000} s`);
      } catch (e) {
        reject(e);
      }
    });
    cfg.watchSaves(peers, (i) => {
      if (done) return true;
      const term = cfg.rafts[i]?.getState().term ?? -1;
      if (term <= above) return false;
      done = true;
      timer.cancel();
      atOnce(i);
      resolve(i);
      return true;
    });
  });
}

/** Every peer that claims leadership, by term: a term with two of them breaks Election Safety. */
function checkOneLeaderPerTerm(cfg: Config, why: string): void {
  const byTerm = new Map<number, number[]>();
  cfg.rafts.forEach((rf, i) => {
    const s = rf?.getState();
    if (s?.isLeader === true) byTerm.set(s.term, [...(byTerm.get(s.term) ?? []), i]);
  });
  for (const [term, ls] of byTerm) {
    if (ls.length > 1) cfg.fatal(`term ${term} has ${ls.length} leaders (peers ${ls.join(" and ")}): ${why}`);
  }
}

/** Let every held request go, then give every live peer all its links back. */
function healAll(cfg: Config): void {
  for (let i = 0; i < cfg.n; i++) {
    for (let j = 0; j < cfg.n; j++) {
      const end = cfg.endnames[i]?.[j];
      if (end !== undefined) cfg.net.holdRequests(end, false);
    }
  }
  for (let i = 0; i < cfg.n; i++) if (cfg.rafts[i] === null) cfg.start1(i, cfg.applier);
  for (let i = 0; i < cfg.n; i++) {
    cfg.disconnect(i);
    cfg.connect(i);
  }
}

/** Let the requests held on end go (in the order of their calls), and hold every later one. */
function releaseThenHold(cfg: Config, end: string): void {
  cfg.net.holdRequests(end, false);
  cfg.net.holdRequests(end, true);
}

/** Two candidates of one term, set up by twoCandidates. */
interface Candidates {
  /** The first follower to stand, and the second, both in term `term`. */
  c: number;
  d: number;
  term: number;
  /** The follower that voted for C at once (withVoter), cut off from every peer but C since. */
  v: number | undefined;
  /** A follower still in an earlier term whose request from C waits in the network. */
  voterOfC: number;
}

/**
 * Two candidates of one term that nobody else has heard of (five peers). The leader crashes;
 * the moment the first follower to stand (C, term T) begins its candidacy, every request to
 * and from C is held in the network, so its term stays unknown (with withVoter, C's request
 * to one follower V goes through at once: V votes for C and is then cut off from everyone
 * but C). The crashed leader restarts, reachable only by the followers still in the old term,
 * a voter that has voted for nobody in T. The moment the second follower to stand (D, also in
 * term T, since nobody told it of T) begins its candidacy, its requests are held too, except
 * to the restarted leader (and to V, once atSecond has run: kind 5 restarts V there); the
 * other followers can send nothing from then on. Every held request stays held: the caller
 * releases what it wants (releaseThenHold) and heals (healAll). Undefined if no follower is
 * still in the old term to be C's third voter (a third follower stood too early).
 */
async function twoCandidates(cfg: Config, withVoter: boolean, atSecond: (c: Candidates) => void): Promise<Candidates | undefined> {
  const servers = 5;
  await cfg.one(randomCommand(), servers, true);
  const l = await cfg.checkOneLeader();
  const t0 = maxTerm(cfg);
  const followers = others(servers, l);
  const hold = (i: number, j: number): void => cfg.net.holdRequests(cfg.endnames[i]![j]!, true);
  const cut = (i: number, j: number): void => cfg.net.enable(cfg.endnames[i]![j]!, false);

  let v: number | undefined;
  const first = nextCandidate(cfg, followers, t0, 10 * RaftElectionTimeout, (c) => {
    if (withVoter) v = followers.find((j) => j !== c)!;
    for (const j of others(servers, c)) {
      if (j !== v) hold(c, j);
      hold(j, c);
    }
    if (v !== undefined) {
      for (const j of others(servers, v)) cut(v, j);
      for (const j of others(servers, v, c)) cut(j, v);
    }
  });
  cfg.crash1(l);
  const c = await first;
  const term = cfg.rafts[c]!.getState().term;
  if (v !== undefined) hold(c, v); // its RequestVote has gone: V votes for C

  cfg.start1(l, cfg.applier);
  const inOldTerm = followers.filter((j) => j !== c && j !== v);
  for (const j of inOldTerm) cfg.net.enable(cfg.endnames[j]![l]!, true);
  let voterOfC = -1;
  const second = nextCandidate(cfg, [...inOldTerm, l], t0, 10 * RaftElectionTimeout, (d) => {
    const rest = inOldTerm.filter((j) => j !== d);
    for (const j of others(servers, d)) if (j !== l && j !== v) hold(d, j);
    for (const x of rest) for (const j of others(servers, x)) cut(x, j);
    voterOfC = rest.find((x) => (cfg.rafts[x]?.getState().term ?? Infinity) <= t0) ?? -1;
    if (d !== l && voterOfC !== -1) atSecond({ c, d, term, v, voterOfC });
  });
  const d = await second;
  if (d === l || voterOfC === -1) return undefined;
  return { c, d, term, v, voterOfC };
}

/** The peer among these that claims leadership in the highest term; -1 if none does. */
function leaderIn(cfg: Config, peers: readonly number[]): number {
  let best = -1;
  let bestTerm = -1;
  for (const i of peers) {
    const s = cfg.rafts[i]?.getState();
    if (s?.isLeader === true && s.term > bestTerm) [best, bestTerm] = [i, s.term];
  }
  return best;
}

/** The peer among candidates that claims leadership in the highest term, or fail. */
function leaderAmong(cfg: Config, candidates: number[]): number {
  const best = leaderIn(cfg, candidates);
  if (best === -1) cfg.fatal(`expected a leader among ${candidates.join(", ")}, got none`);
  return best;
}

/** leaderAmong, once one of these peers claims leadership; fails after ms virtual ms. */
async function waitLeader(cfg: Config, peers: readonly number[], ms: number): Promise<number> {
  for (const t0 = now(); now() - t0 < ms; await sleep(50)) {
    const l = leaderIn(cfg, peers);
    if (l !== -1) return l;
  }
  cfg.fatal(`none of peers ${peers.join(", ")} became leader within ${ms / 1000} s`);
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

// ---- 2A: a vote belongs to one election ------------------------------------------------------

// A vote answers one RequestVote, of one term: a candidate may count it only in that term. A
// candidate that counts a grant from an earlier election wins a later one it never won. Three
// peers; the leader crashes, and the first follower to stand (C, term T) asks the other one
// (A): A grants, and labrpc holds the reply. C and A are cut off; C stands again in a later
// term with no link at all (the crashed peer, restarted, is reachable from C alone until C's
// next candidacy begins: a PreVote Raft needs its pre-vote to get that far). Only then does
// A's grant of term T arrive: C, cut off from every peer since before its term began, must
// not claim leadership.
graded("TestStaleVoteReply2A", () =>
  withConfig(3, false, false, async (cfg) => {
    const servers = 3;
    cfg.begin("Test (2A): a vote from an earlier election is not counted");

    for (let round = 0; round < 3; round++) {
      await cfg.one(randomCommand(), servers, true);
      const l = await cfg.checkOneLeader();
      const followers = others(servers, l);
      const other = (i: number): number => followers.find((j) => j !== i)!;

      // C's RequestVotes of term T leave with A's reply held.
      const t0 = maxTerm(cfg);
      const candidate = nextCandidate(cfg, followers, t0, 10 * RaftElectionTimeout, (i) => cfg.net.holdReplies(cfg.endnames[i]![other(i)]!, true));
      cfg.crash1(l);
      const c = await candidate;
      const a = other(c);
      const term = cfg.rafts[c]!.getState().term;
      await sleep(RaftElectionTimeout / 20); // A has granted; its reply waits in the network

      // C and A cut off; the restarted peer reachable from C only, until C stands again.
      cfg.disconnect(c);
      cfg.disconnect(a);
      cfg.start1(l, cfg.applier);
      const toL = cfg.endnames[c]![l]!;
      cfg.net.enable(toL, true);
      await nextCandidate(cfg, [c], term, 10 * RaftElectionTimeout, () => cfg.net.enable(toL, false));

      // A's vote of term T arrives while C stands (or asks for pre-votes) in a later term.
      await sleep(1.5 * RaftElectionTimeout);
      cfg.net.holdReplies(cfg.endnames[c]![a]!, false);
      await sleep(RaftElectionTimeout / 10);
      const s = cfg.rafts[c]!.getState();
      if (s.isLeader) {
        cfg.fatal(`peer ${c} claims leadership of term ${s.term}, cut off from every peer since before that term began: it counted peer ${a}'s vote of term ${term}`);
      }

      healAll(cfg);
    }
    await cfg.one(randomCommand(), servers, true);

    cfg.end();
  }),
);

// ---- 2A: one vote per peer per term -------------------------------------------------------

// A candidate votes for itself: it may not grant another candidate's request in its own term.
// Two candidates of one term that each grant the other's request both win. Five peers: the
// leader crashes; the first follower to stand (C, term T) has every request to and from it
// held in the network the moment its candidacy begins, so nobody learns of term T; the second
// follower to stand (D) starts its own election in term T, with its requests held too but for
// the crashed leader, restarted (a fresh voter). Then one more follower gets C's request, and
// C and D get each other's: C may win with three votes only if D voted for it, and D only if
// C did.
graded("TestCandidateVotesForItself2A", () =>
  withConfig(5, false, false, async (cfg) => {
    cfg.begin("Test (2A): a candidate does not vote for another candidate of its term");
    for (let round = 0; round < 3; round++) {
      const two = await twoCandidates(cfg, false, () => {});
      if (two !== undefined) {
        releaseThenHold(cfg, cfg.endnames[two.c]![two.voterOfC]!);
        releaseThenHold(cfg, cfg.endnames[two.c]![two.d]!);
        releaseThenHold(cfg, cfg.endnames[two.d]![two.c]!);
        await sleep(RaftElectionTimeout / 20);
        checkOneLeaderPerTerm(cfg, `candidates ${two.c} and ${two.d} of term ${two.term} voted for each other`);
      }
      healAll(cfg);
    }
    await cfg.one(randomCommand(), 5, true);
    cfg.end();
  }),
);

// A majority is a majority of distinct peers: a candidate that counts one peer's vote twice
// (its own, say, by asking itself as well) wins without one. Five peers: the leader crashes;
// the moment the first follower to stand (C) begins its candidacy, C and one other follower
// are cut off from the rest. Two peers of five can elect nobody, however long they try.
graded("TestMinorityElectsNobody2A", () =>
  withConfig(5, false, false, async (cfg) => {
    const servers = 5;
    cfg.begin("Test (2A): two peers of five elect nobody");
    for (let round = 0; round < 3; round++) {
      await cfg.one(randomCommand(), servers, true);
      const l = await cfg.checkOneLeader();
      const followers = others(servers, l);
      let pair: number[] = [];
      const candidate = nextCandidate(cfg, followers, maxTerm(cfg), 10 * RaftElectionTimeout, (c) => {
        pair = [c, followers.find((j) => j !== c)!];
        for (const i of pair) for (const j of others(servers, ...pair)) cutLink(cfg, i, j);
      });
      cfg.crash1(l);
      await candidate;
      for (const t0 = now(); now() - t0 < 2 * RaftElectionTimeout; ) {
        for (const i of pair) {
          const s = cfg.rafts[i]!.getState();
          if (s.isLeader) cfg.fatal(`peer ${i} claims leadership of term ${s.term} while only peers ${pair.join(" and ")} of ${servers} can reach each other`);
        }
        await sleep(10);
      }
      healAll(cfg);
    }
    await cfg.one(randomCommand(), servers, true);
    cfg.end();
  }),
);

// ---- 2A: a higher term in a reply -----------------------------------------------------------

/** Enable (or cut) only the links from peer i to each of to: i's requests arrive, nothing is sent to i. */
function linksFrom(cfg: Config, i: number, to: readonly number[], on: boolean): void {
  for (const j of to) cfg.net.enable(cfg.endnames[i]![j]!, on);
}

// Figure 2: a peer that sees a higher term in any RPC, a reply included, adopts it and follows.
// A candidate or leader that ignores one keeps asking for votes, or leading, in a term the
// others have left. Each phase lets a peer hear of a later term only in replies (its incoming
// links cut), so that nothing else can put it right:
//  (a) a follower crashes while the others move at least three terms on; it restarts with
//      links out only. By the course's 5 s re-election bound it has asked for votes (or
//      pre-votes): it must have taken the others' term from their replies by then, and never
//      stand twice in terms below it.
//  (b) a follower is cut off for two election timeouts (a Raft without PreVote moves on by
//      itself); then the leader's requests reach it, one way. The leader must not lead on in
//      its old term, told of a later one.
//  (c) as (b), for a Raft with PreVote, whose cut-off peers stay in their term: the first
//      follower to stand after the leader crashes (C) has its requests held the moment its
//      candidacy begins; the others, restarted and unable to send, give C its pre-votes for a
//      second candidacy, whose requests are held too; then they elect a leader L, in a term
//      below C's. C's request of its later term reaches one of L's followers: L is then told
//      of that term in its replies, and must stop leading in its old one.
graded("TestHigherTermInReply2A", () =>
  withConfig(5, false, false, async (cfg) => {
    const servers = 5;
    cfg.begin("Test (2A): a candidate or leader told of a later term in a reply follows it");

    // (a)
    for (let round = 0; round < 2; round++) {
      await cfg.one(randomCommand(), servers, true);
      const c = (await cfg.checkOneLeader() + 1 + round) % servers;
      const tc = cfg.rafts[c]!.getState().term;
      cfg.crash1(c);
      for (let k = 0; k < 3; k++) {
        const l = await cfg.checkOneLeader();
        cfg.disconnect(l);
        await cfg.one(randomCommand(), servers - 2, true);
        cfg.connect(l);
      }
      await cfg.one(randomCommand(), servers - 1, true);
      const later = Math.min(...others(servers, c).map((i) => cfg.rafts[i]!.getState().term));
      cfg.start1(c, cfg.applier);
      linksFrom(cfg, c, others(servers, c), true);
      const below = new Set<number>();
      for (const t0 = now(); now() - t0 < 5000; ) {
        const t = cfg.rafts[c]!.getState().term;
        if (t > tc && t < later) below.add(t);
        if (below.size > 1) {
          cfg.fatal(`peer ${c} stood in terms ${[...below].join(" and ")}, though its requests were answered by peers in term ${later} or later: it ignored the term in their replies`);
        }
        await sleep(10);
      }
      const t = cfg.rafts[c]!.getState().term;
      if (t < later) cfg.fatal(`peer ${c} is still in term ${t} after 5 s of requests answered by peers in term ${later} or later`);
      cfg.connect(c);
    }

    // (b)
    for (let round = 0; round < 2; round++) {
      await cfg.one(randomCommand(), servers, true);
      const l = await cfg.checkOneLeader();
      const term = cfg.rafts[l]!.getState().term;
      const f = (l + 1 + round) % servers;
      cfg.disconnect(f);
      await sleep(2 * RaftElectionTimeout);
      cfg.net.enable(cfg.endnames[l]![f]!, true);
      await sleep(RaftElectionTimeout);
      const s = cfg.rafts[l]!.getState();
      const tf = cfg.rafts[f]!.getState().term;
      if (s.isLeader && s.term === term && tf > term) {
        cfg.fatal(`peer ${l} still leads in term ${term}, though its requests reach peer ${f} in term ${tf} and its replies come back`);
      }
      healAll(cfg);
    }

    // (c)
    for (let round = 0; round < 2; round++) {
      await cfg.one(randomCommand(), servers, true);
      const o = await cfg.checkOneLeader();
      const followers = others(servers, o);
      const holdAll = (c: number): void => {
        for (const j of others(servers, c)) {
          cfg.net.holdRequests(cfg.endnames[c]![j]!, true);
          cfg.net.holdRequests(cfg.endnames[j]![c]!, true);
        }
      };
      const first = nextCandidate(cfg, followers, maxTerm(cfg), 10 * RaftElectionTimeout, holdAll);
      cfg.crash1(o);
      const c = await first;
      const term = cfg.rafts[c]!.getState().term;
      // The others restart, unable to send: C's requests so far fail (their servers are new).
      const rest = others(servers, c);
      for (const i of rest) cfg.start1(i, cfg.applier);
      for (const i of rest) for (const j of others(servers, i)) cfg.net.enable(cfg.endnames[j]![i]!, j === c);
      const second = nextCandidate(cfg, [c], term, 10 * RaftElectionTimeout, holdAll);
      for (const i of rest) cfg.net.holdRequests(cfg.endnames[c]![i]!, false);
      await second;
      // The others elect a leader L among themselves, in a term below C's.
      for (const i of rest) linksFrom(cfg, i, rest.filter((j) => j !== i), true);
      const l = await waitLeader(cfg, rest, 10 * RaftElectionTimeout);
      const tl = cfg.rafts[l]!.getState().term;
      const f = rest.find((i) => i !== l)!;
      releaseThenHold(cfg, cfg.endnames[c]![f]!); // C's RequestVote of its later term reaches F
      await sleep(2 * RaftElectionTimeout);
      const s = cfg.rafts[l]!.getState();
      const tf = cfg.rafts[f]!.getState().term;
      if (s.isLeader && s.term === tl && tf > tl) {
        cfg.fatal(`peer ${l} still leads in term ${tl}, though its requests reach peer ${f} in term ${tf} and its replies come back`);
      }
      healAll(cfg);
    }

    await cfg.one(randomCommand(), servers, true);
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

/**
 * Step (a) of the tests below: leader L puts k entries on follower F only (the other peers
 * cut off, atStart(l, f) run first), and they reach F; then L and F are cut off, and the
 * others, reconnected, can elect a leader of their own. F is a different follower each round.
 */
async function entriesOnOneFollower(
  cfg: Config,
  round: number,
  k: number,
  atStart: (l: number, f: number) => void = () => {},
): Promise<{ l: number; f: number; rest: number[] }> {
  const l = await cfg.checkOneLeader();
  const f = (l + 1 + round) % cfg.n;
  const rest = others(cfg.n, l, f);
  for (const i of rest) cfg.disconnect(i);
  atStart(l, f);
  for (let j = 0; j < k; j++) {
    if (!cfg.rafts[l]!.start(randomCommand()).isLeader) cfg.fatal(`leader ${l} rejected Start()`);
  }
  await sleep(RaftElectionTimeout / 2); // the entries reach F
  cfg.disconnect(l);
  cfg.disconnect(f);
  for (const i of rest) cfg.connect(i);
  return { l, f, rest };
}

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

      // (a), and (b) below
      const { l, f, rest } = await entriesOnOneFollower(cfg, round, 3);

      // (b)
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

      // (a): the entries reach F; its replies are held. And (b) below.
      const { l, f, rest } = await entriesOnOneFollower(cfg, round, 4, (l, f) => cfg.net.holdReplies(cfg.endnames[l]![f]!, true));
      const held = cfg.endnames[l]![f]!;

      // (b)
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

// ---- 2B: a new leader starts afresh ------------------------------------------------------------

// A new leader sets every follower's nextIndex just past its own log and matchIndex to 0
// (Figure 2, "reinitialized after election"): what it learned in an earlier term may be false
// by now. A leader that keeps them keeps believing a follower holds entries another leader
// has since replaced, and backs up no further than that belief: the follower never catches
// up. Five peers, each round:
//  (a) leader L puts four entries on follower F only (the other three are cut off): L's
//      matchIndex for F passes them;
//  (b) L and F cut off, the other three elect P and commit an entry Y where L's first entry is;
//  (c) F rejoins them and commits one more (its log now ends there, L's entries gone), and is
//      cut off again; L rejoins, catches up and commits two more, then takes one more entry
//      from P alone, so that L's log is the longest and reaches past what L believed of F;
//  (d) P and one more cut off; L, F and the last one (Q) can elect only L, the most up to
//      date. L, F and Q must now agree on a new entry: L must back F up past the entries L's
//      first leadership put there.
graded("TestNewLeaderResetsProgress2B", () =>
  withConfig(5, false, false, async (cfg) => {
    const servers = 5;
    cfg.begin("Test (2B): a new leader re-initialises nextIndex and matchIndex");

    for (let round = 0; round < 2; round++) {
      await cfg.one(randomCommand(), servers, true);

      // (a), and (b) below
      const { l, f, rest } = await entriesOnOneFollower(cfg, round, 4);

      // (b)
      await cfg.one(randomCommand(), servers - 2, true);

      // (c)
      cfg.connect(f);
      await cfg.one(randomCommand(), servers - 1, true);
      cfg.disconnect(f);
      cfg.connect(l);
      for (let k = 0; k < 2; k++) await cfg.one(randomCommand(), servers - 1, true);
      const p = leaderAmong(cfg, [l, ...rest]);
      if (p === l) cfg.fatal(`peer ${l} was elected while holding entries of a term the others had passed`);
      const [q, r] = rest.filter((i) => i !== p) as [number, number];
      cfg.disconnect(q);
      cfg.disconnect(r);
      if (!cfg.rafts[p]!.start(randomCommand()).isLeader) cfg.fatal(`leader ${p} rejected Start()`);
      await sleep(RaftElectionTimeout / 2); // it reaches L

      // (d)
      cfg.disconnect(p);
      cfg.connect(q);
      cfg.connect(f);
      await cfg.checkOneLeader();
      if (leaderAmong(cfg, [l, q, f]) !== l) cfg.fatal(`a peer without the entry peer ${l} holds won an election`);
      const entry = cfg.rafts[l]!.start(randomCommand());
      if (!entry.isLeader) cfg.fatal(`leader ${l} rejected Start()`);
      // The course's one() gives an agreement 10 s.
      for (const t0 = now(); cfg.nCommitted(entry.index).count < 3; await sleep(20)) {
        if (now() - t0 > 10_000) {
          cfg.fatal(`peers ${l}, ${q} and ${f} did not all commit index ${entry.index} within 10 s: leader ${l} never brought follower ${f} up to date`);
        }
      }

      for (const i of others(servers)) if (!cfg.connected[i]) cfg.connect(i);
    }
    await cfg.one(randomCommand(), servers, true);

    cfg.end();
  }),
);

// ---- 2C: a vote survives a crash --------------------------------------------------------------

// votedFor is persistent state: a peer that voted in term T and restarts must not vote for
// another candidate in T. Five peers (twoCandidates): the first follower to stand, C (term
// T), gets V's vote at once; then V is cut off from everyone but C. The moment the second
// follower to stand, D, begins its candidacy in the same term, V restarts from its persisted
// state and D's request reaches it, and the restarted old leader, at once; then one more
// follower gets C's request. C wins with V's vote; D may win only if V voted a second time.
graded("TestVoteSurvivesCrash2C", () =>
  withConfig(5, false, false, async (cfg) => {
    cfg.begin("Test (2C): a restarted peer does not vote twice in one term");
    for (let round = 0; round < 3; round++) {
      const two = await twoCandidates(cfg, true, ({ d, v }) => {
        cfg.start1(v!, cfg.applier);
        cfg.net.enable(cfg.endnames[d]![v!]!, true);
      });
      if (two !== undefined) {
        releaseThenHold(cfg, cfg.endnames[two.c]![two.voterOfC]!);
        await sleep(RaftElectionTimeout / 20);
        checkOneLeaderPerTerm(cfg, `peer ${two.v!} voted for ${two.c} in term ${two.term}, restarted, and voted for ${two.d} in the same term`);
      }
      healAll(cfg);
    }
    await cfg.one(randomCommand(), 5, true);
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

// ---- 2D: a snapshot that covers part of the log -------------------------------------------

// An InstallSnapshot that covers only a prefix of a follower's log (a retransmitted or
// reordered one) replaces that prefix; the entries after it stay (Figure 13, step 6): the
// follower may have acknowledged them, and the leader counts on them. A follower that drops
// them leaves the leader believing it holds entries it does not, and the leader backs up no
// further than that belief: the follower never catches up. Three peers (every service
// snapshots each 10 entries), each round: the leader N takes a burst of entries that ends a
// few past its next snapshot point, while labrpc holds both followers' replies; then the
// replies of follower G arrive, so N commits the burst and snapshots; a little later those
// of follower F: first the replies to N's calls made before G's arrived, newest first (a
// later call's reply overtaking an earlier one's), then the rest. Either way N sends F its
// snapshot, which covers part of what F holds, before it reads F's acknowledgement of the
// whole burst. All three must then agree on a new entry.
graded("TestPartialSnapshot2D", () =>
  withConfig(3, false, true, async (cfg) => {
    const servers = 3;
    cfg.begin("Test (2D): a snapshot that covers part of a follower's log keeps the rest");

    for (let round = 0; round < 3; round++) {
      const last = await cfg.one(randomCommand(), servers, true);
      const n = await cfg.checkOneLeader();
      const [f, g] = others(servers, n) as [number, number];
      for (const i of [f, g]) cfg.net.holdReplies(cfg.endnames[n]![i]!, true);

      // Past the next snapshot point (an index ≡ -1 mod SnapShotInterval), and three more.
      const snapAt = last + 1 + ((SnapShotInterval - 1 - ((last + 1) % SnapShotInterval) + SnapShotInterval) % SnapShotInterval);
      for (let k = last + 1; k <= snapAt + 3; k++) {
        if (!cfg.rafts[n]!.start(randomCommand()).isLeader) cfg.fatal(`leader ${n} rejected Start()`);
      }
      await sleep(0.4 * RaftElectionTimeout); // the burst, and a heartbeat, reach both followers
      const toF = cfg.endnames[n]![f]!;
      const fAcknowledged = cfg.net.detachHeldReplies(toF);
      cfg.net.holdReplies(cfg.endnames[n]![g]!, false); // N commits the burst and snapshots
      await sleep(0.2 * RaftElectionTimeout);
      fAcknowledged("newest-first");
      cfg.net.holdReplies(toF, false);

      const entry = cfg.rafts[n]!.start(randomCommand());
      if (!entry.isLeader) cfg.fatal(`leader ${n} rejected Start()`);
      // The course's one() gives an agreement 10 s.
      for (const t0 = now(); cfg.nCommitted(entry.index).count < servers; await sleep(20)) {
        if (now() - t0 > 10_000) {
          cfg.fatal(`index ${entry.index} not applied by all ${servers} peers within 10 s: follower ${f} never caught up after a snapshot through ${snapAt} that covered part of its log`);
        }
      }
    }

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

// Copies of InstallSnapshot arrive after the follower has moved past them (it kept
// committing and snapshotting). An old snapshot below the follower's commit point must change
// nothing: no rollback of the service, no entry applied twice. First built on purpose: a
// follower crashes and the others move on past a snapshot; it restarts while the leader's
// requests to it wait in the network, and those requests (an InstallSnapshot among them) are
// delivered only once later ones have brought it up to date and it has moved on. The wait
// is short (a leader that sends InstallSnapshot at every heartbeat has sent one; the
// restarted follower has not yet started an election), then long (a leader that keeps one
// message with entries or a snapshot in flight sends its InstallSnapshot only once its last
// call to the crashed follower failed, which labrpc may take 7 s to report). Then at random,
// with duplicate mode on.
graded("TestOldSnapshot2D", () =>
  withConfig(3, false, true, async (cfg) => {
    const servers = 3;
    cfg.begin("Test (2D): old duplicated InstallSnapshot never rolls back");
    // Every peer's applier checks for rollbacks and re-applies from the start.
    const strict = (j: number, ch: Channel<ApplyMsg>): Promise<void> => strictApplierSnap(cfg, j, ch);
    for (let i = 0; i < servers; i++) cfg.start1(i, strict);
    for (let i = 0; i < servers; i++) cfg.connect(i);

    await cfg.one(randomCommand(), servers, true);
    for (const waitMs of [0.2, 0.2, 10, 10].map((x) => x * RaftElectionTimeout)) {
      const leader = await cfg.checkOneLeader();
      const victim = (leader + 1) % servers;
      cfg.crash1(victim);
      for (let k = 0; k < SnapShotInterval + 1; k++) await cfg.one(randomCommand(), servers - 1, true);
      const toVictim = cfg.endnames[leader]![victim]!;
      cfg.net.holdRequests(toVictim, true);
      cfg.start1(victim, strict);
      cfg.connect(victim);
      await sleep(waitMs);
      const late = cfg.net.detachHeldRequests(toVictim);
      cfg.net.holdRequests(toVictim, false);
      for (let k = 0; k < 2 * SnapShotInterval; k++) await cfg.one(randomCommand(), servers, true);
      late();
      await sleep(RaftElectionTimeout / 2);
    }

    cfg.net.setDuplicates(true);
    for (let round = 0; round < 8; round++) {
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
