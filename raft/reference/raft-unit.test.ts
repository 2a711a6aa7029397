// Reference tests of our raft.ts's internals (never shipped; run only where the reference
// is present): bad input from the service, from a confused peer (our handler names and
// argument shapes) and from a damaged persister (our persisted format); invariants; kill(). Each runs
// in a simulated world with peers built directly on labrpc, so nothing here depends on
// timing beyond the runtime's virtual clock.

import { expect, test } from "vitest";
import { type ClientEnd, decode, encode, Network } from "../../labrpc/index.js";
import { Channel, runWorld, sleep, world } from "../../runtime/index.js";
import type { Entry } from "../log.js";
import { decodeState, StateEncoder } from "../persistence.js";
import { makePersister, type Persister } from "../persister.js";
import { type ApplyMsg, make, type Raft } from "../raft.js";

type Reply = Record<string, unknown>;

/** Call an RPC handler the way labrpc would, with whatever a confused peer might send. */
function rpc(rf: Raft, method: "requestVote" | "preVote" | "appendEntries" | "installSnapshot", args: unknown): Reply {
  const h = (rf as unknown as Record<string, (a: unknown) => Reply>)[method]!;
  return h.call(rf, args);
}

/** Peer `me` of an n-peer cluster whose links lead nowhere: only our direct calls reach it. */
function lonePeer(persister: Persister, n = 3, me = 0): { rf: Raft; applyCh: Channel<ApplyMsg>; applied: ApplyMsg[] } {
  const net = new Network();
  const ends: ClientEnd[] = [];
  for (let i = 0; i < n; i++) ends.push(net.makeEnd(`${me}->${i}`));
  const applyCh = new Channel<ApplyMsg>();
  const rf = make(ends, me, persister, applyCh);
  const applied: ApplyMsg[] = [];
  void (async () => {
    for await (const m of applyCh) applied.push(m);
  })();
  return { rf, applyCh, applied };
}

/** A one-peer cluster: it elects itself and commits on its own. */
function soloLeader(persister: Persister = makePersister()): ReturnType<typeof lonePeer> {
  return lonePeer(persister, 1, 0);
}

async function becomesLeader(rf: Raft): Promise<void> {
  for (let i = 0; i < 50 && !rf.getState().isLeader; i++) await sleep(100);
  expect(rf.getState().isLeader).toBe(true);
}

function sim<T>(body: () => Promise<T>): Promise<T> {
  return runWorld({ seed: 7 }, body);
}

const persistedLog = (p: Persister): unknown => (decode(p.readRaftState()) as { log: unknown }).log;

// ---- the service's side ------------------------------------------------------------------

test("start() on a killed peer returns isLeader false and changes nothing", () =>
  sim(async () => {
    const p = makePersister();
    const { rf } = soloLeader(p);
    await becomesLeader(rf);
    const before = p.readRaftState();
    rf.kill();
    expect(rf.killed()).toBe(true);
    const r = rf.start(42);
    expect(r.isLeader).toBe(false);
    expect(r.index).toBe(-1);
    expect(rf.getState().isLeader).toBe(false);
    expect(p.readRaftState()).toEqual(before);
  }));

test("start() rejects a command that cannot be encoded, naming it, and keeps the log", () =>
  sim(async () => {
    const { rf } = soloLeader();
    await becomesLeader(rf);
    expect(() => rf.start(undefined)).toThrow(/command/);
    expect(() => rf.start({ f: () => 1 })).toThrow(/command\[1\]\.f is a function/);
    expect(() => rf.start(Number.NaN)).toThrow(/NaN/);
    expect(rf.start("ok").index).toBe(1); // nothing was appended by the failed calls
  }));

test("commands are values: changing an object after start() does not change what is applied", () =>
  sim(async () => {
    const p = makePersister();
    const { rf, applied } = soloLeader(p);
    await becomesLeader(rf);
    const cmd = { op: "put", vals: [1, 2] };
    expect(rf.start(cmd).index).toBe(1);
    cmd.op = "changed";
    cmd.vals.push(3);
    await sleep(100);
    expect(applied).toEqual([{ commandValid: true, command: { op: "put", vals: [1, 2] }, commandIndex: 1, commandTerm: 1 }]);
    expect(persistedLog(p)).toEqual([[0, null], [1, { op: "put", vals: [1, 2] }]]);
  }));

test("snapshot(): beyond the commit index or not an index throws; at or below the last snapshot is ignored", () =>
  sim(async () => {
    const p = makePersister();
    const { rf, applied } = soloLeader(p);
    await becomesLeader(rf);
    for (let i = 1; i <= 5; i++) rf.start(`c${i}`);
    await sleep(100);
    expect(applied.map((m) => (m.commandValid ? m.commandIndex : -1))).toEqual([1, 2, 3, 4, 5]);

    expect(() => rf.snapshot(6, new Uint8Array([1]))).toThrow(/snapshot\(6\) is beyond the commit index 5/);
    expect(() => rf.snapshot(-1, new Uint8Array([1]))).toThrow(/non-negative integer/);
    expect(() => rf.snapshot(2.5, new Uint8Array([1]))).toThrow(/non-negative integer/);
    expect(() => rf.snapshot(2, "x" as unknown as Uint8Array)).toThrow(/Uint8Array/);

    rf.snapshot(3, new Uint8Array([3, 3, 3]));
    expect(p.readSnapshot()).toEqual(new Uint8Array([3, 3, 3]));
    const state = decode(p.readRaftState()) as { base: number; log: unknown[] };
    expect(state.base).toBe(3);
    expect(state.log).toEqual([[1, null], [1, "c4"], [1, "c5"]]);

    rf.snapshot(3, new Uint8Array([9])); // the same index again
    rf.snapshot(2, new Uint8Array([9])); // an older one
    expect(p.readSnapshot()).toEqual(new Uint8Array([3, 3, 3]));
    expect((decode(p.readRaftState()) as { base: number }).base).toBe(3);
  }));

// ---- a confused peer ---------------------------------------------------------------------

test("malformed RPC arguments are rejected and change nothing", () =>
  sim(async () => {
    const p = makePersister();
    const { rf } = lonePeer(p);
    // a real leader's entries, so that there is state to protect
    const ok = rpc(rf, "appendEntries", {
      term: 2, leaderId: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [[1, "a"], [2, "b"]], leaderCommit: 1,
    });
    expect(ok).toEqual({ term: 2, success: true });
    const saved = p.readRaftState();

    const badAppends: unknown[] = [
      null,
      "hello",
      [],
      {},
      { term: "3", leaderId: 1, prevLogIndex: 2, prevLogTerm: 2, entries: [], leaderCommit: 0 },
      { term: 3, leaderId: 7, prevLogIndex: 2, prevLogTerm: 2, entries: [], leaderCommit: 0 },
      { term: 3, leaderId: -1, prevLogIndex: 2, prevLogTerm: 2, entries: [], leaderCommit: 0 },
      { term: 3, leaderId: 1, prevLogIndex: -1, prevLogTerm: 0, entries: [], leaderCommit: 0 },
      { term: 3, leaderId: 1, prevLogIndex: 2, prevLogTerm: 2, entries: [], leaderCommit: 1.5 },
      { term: 3, leaderId: 1, prevLogIndex: 2, prevLogTerm: 2, leaderCommit: 0 },
      { term: 3, leaderId: 1, prevLogIndex: 2, prevLogTerm: 2, entries: "x", leaderCommit: 0 },
      { term: 3, leaderId: 1, prevLogIndex: 2, prevLogTerm: 2, entries: [[3]], leaderCommit: 0 },
      { term: 3, leaderId: 1, prevLogIndex: 2, prevLogTerm: 2, entries: [{ term: 3, command: 1 }], leaderCommit: 0 },
      { term: 3, leaderId: 1, prevLogIndex: 2, prevLogTerm: 2, entries: [[3, "x"], [2, "y"]], leaderCommit: 0 },
      { term: 3, leaderId: 1, prevLogIndex: 2, prevLogTerm: 2, entries: [[4, "x"]], leaderCommit: 0 },
      { term: 3, leaderId: 1, prevLogIndex: 2, prevLogTerm: 4, entries: [], leaderCommit: 0 },
      { term: 1e300, leaderId: 1, prevLogIndex: 2, prevLogTerm: 2, entries: [], leaderCommit: 0 },
    ];
    for (const args of badAppends) {
      expect(rpc(rf, "appendEntries", args), JSON.stringify(args)).toEqual({ term: 2, success: false });
    }
    const badVotes: unknown[] = [
      undefined,
      { term: 5, candidateId: 1 },
      { term: 5, candidateId: 3, lastLogIndex: 9, lastLogTerm: 5 },
      { term: 5, candidateId: 1, lastLogIndex: -2, lastLogTerm: 5 },
      { term: 5, candidateId: 1, lastLogIndex: 9, lastLogTerm: 6 },
      { term: -5, candidateId: 1, lastLogIndex: 9, lastLogTerm: 0 },
    ];
    for (const args of badVotes) {
      expect(rpc(rf, "requestVote", args), JSON.stringify(args)).toEqual({ term: 2, voteGranted: false });
      expect(rpc(rf, "preVote", args), JSON.stringify(args)).toEqual({ term: 2, voteGranted: false });
    }
    const badSnapshots: unknown[] = [
      { term: 5, leaderId: 1, lastIncludedIndex: 9, lastIncludedTerm: 5, data: "AAAA" },
      { term: 5, leaderId: 1, lastIncludedIndex: 9, lastIncludedTerm: 5 },
      { term: 5, leaderId: 1, lastIncludedIndex: -9, lastIncludedTerm: 5, data: new Uint8Array(1) },
      { term: 5, leaderId: 1, lastIncludedIndex: 9, lastIncludedTerm: 6, data: new Uint8Array(1) },
    ];
    for (const args of badSnapshots) {
      expect(rpc(rf, "installSnapshot", args), JSON.stringify(args)).toEqual({ term: 2 });
    }
    expect(rf.getState().term).toBe(2);
    expect(p.readRaftState()).toEqual(saved);
    expect(p.snapshotSize()).toBe(0);

    // and well-formed arguments still work
    expect(rpc(rf, "appendEntries", {
      term: 2, leaderId: 1, prevLogIndex: 2, prevLogTerm: 2, entries: [[2, "c"]], leaderCommit: 3,
    })).toEqual({ term: 2, success: true });
  }));

test("a killed peer's handlers reject everything", () =>
  sim(async () => {
    const { rf } = lonePeer(makePersister());
    rf.kill();
    expect(rpc(rf, "appendEntries", { term: 1, leaderId: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [[1, 1]], leaderCommit: 1 }))
      .toEqual({ term: 0, success: false });
    expect(rpc(rf, "requestVote", { term: 1, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 })).toEqual({ term: 0, voteGranted: false });
  }));

test("invariant: a follower never truncates a committed entry (a confused leader is caught at once)", () =>
  sim(async () => {
    const { rf } = lonePeer(makePersister());
    rpc(rf, "appendEntries", { term: 1, leaderId: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [[1, "a"], [1, "b"], [1, "c"]], leaderCommit: 3 });
    // a "leader" of term 2 whose log disagrees at index 2, which is committed here
    expect(() =>
      rpc(rf, "appendEntries", { term: 2, leaderId: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [[2, "x"]], leaderCommit: 0 }),
    ).toThrow(/raft 0: invariant violated: truncating committed entry 2 \(commit index 3\)/);
  }));

test("a follower's commit index never passes what the leader's message proved, and never goes back", () =>
  sim(async () => {
    const { rf, applied } = lonePeer(makePersister());
    // leaderCommit 5, but this message only proves entries 1..2
    rpc(rf, "appendEntries", { term: 1, leaderId: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [[1, "a"], [1, "b"]], leaderCommit: 5 });
    await sleep(10);
    expect(applied.map((m) => (m.commandValid ? m.command : null))).toEqual(["a", "b"]);
    // a stale, shorter message later does not undo anything
    rpc(rf, "appendEntries", { term: 1, leaderId: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [[1, "a"]], leaderCommit: 1 });
    rpc(rf, "appendEntries", { term: 1, leaderId: 1, prevLogIndex: 2, prevLogTerm: 1, entries: [], leaderCommit: 2 });
    await sleep(10);
    expect(applied).toHaveLength(2);
  }));

test("fast backup hints: conflicting term and its first index, or the log's length", () =>
  sim(async () => {
    const { rf } = lonePeer(makePersister());
    rpc(rf, "appendEntries", {
      term: 3, leaderId: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [[1, "a"], [2, "b"], [2, "c"], [2, "d"]], leaderCommit: 0,
    });
    expect(rpc(rf, "appendEntries", { term: 3, leaderId: 1, prevLogIndex: 9, prevLogTerm: 3, entries: [], leaderCommit: 0 }))
      .toEqual({ term: 3, success: false, conflictIndex: 5, conflictTerm: -1 });
    expect(rpc(rf, "appendEntries", { term: 3, leaderId: 1, prevLogIndex: 4, prevLogTerm: 3, entries: [], leaderCommit: 0 }))
      .toEqual({ term: 3, success: false, conflictIndex: 2, conflictTerm: 2 });
  }));

// ---- the persister -----------------------------------------------------------------------

test("the saved state is encode(state) byte for byte, and a restarted peer reads it back", () =>
  sim(async () => {
    const p = makePersister();
    const bytes = new Uint8Array([0, 1, 254, 255]);
    {
      const { rf } = lonePeer(p);
      rpc(rf, "requestVote", { term: 4, candidateId: 2, lastLogIndex: 0, lastLogTerm: 0 });
      rpc(rf, "appendEntries", {
        term: 4, leaderId: 2, prevLogIndex: 0, prevLogTerm: 0,
        entries: [[3, "a"], [4, { k: "v", n: [1, 2] }], [4, bytes]], leaderCommit: 0,
      });
      rf.kill();
    }
    const saved = p.readRaftState();
    const state = decode(saved);
    expect(state).toEqual({ term: 4, vote: 2, base: 0, log: [[0, null], [3, "a"], [4, { k: "v", n: [1, 2] }], [4, bytes]] });
    expect(encode(state)).toEqual(saved);

    const { rf, applied } = lonePeer(p.copy());
    expect(rf.getState()).toEqual({ term: 4, isLeader: false });
    // it still has the entries: a heartbeat that needs entry 3 of term 4 succeeds and commits them
    expect(rpc(rf, "appendEntries", { term: 4, leaderId: 2, prevLogIndex: 3, prevLogTerm: 4, entries: [], leaderCommit: 3 }))
      .toEqual({ term: 4, success: true });
    // and it remembers its vote in term 4
    expect(rpc(rf, "requestVote", { term: 4, candidateId: 1, lastLogIndex: 9, lastLogTerm: 4 }).voteGranted).toBe(false);
    await sleep(10);
    expect(applied.map((m) => (m.commandValid ? m.command : null))).toEqual(["a", { k: "v", n: [1, 2] }, bytes]);
  }));

test("a restart after a snapshot applies from lastIncludedIndex + 1 and keeps the snapshot", () =>
  sim(async () => {
    const p = makePersister();
    {
      const { rf, applied } = soloLeader(p);
      await becomesLeader(rf);
      for (let i = 1; i <= 4; i++) rf.start(i * 10);
      await sleep(100);
      expect(applied).toHaveLength(4);
      rf.snapshot(3, new Uint8Array([7]));
      rf.kill();
    }
    const { rf, applied } = soloLeader(p.copy());
    expect(p.readSnapshot()).toEqual(new Uint8Array([7]));
    await becomesLeader(rf);
    rf.start(50);
    await sleep(100);
    // 4 was never snapshotted: it is applied again, then 5; nothing at or below 3
    expect(applied.map((m) => (m.commandValid ? m.commandIndex : -1))).toEqual([4, 5]);
    // saving later state keeps the snapshot
    expect(p.readSnapshot()).toEqual(new Uint8Array([7]));
  }));

test("an InstallSnapshot reaches the service before the entries after it", () =>
  sim(async () => {
    const p = makePersister();
    const { rf, applied } = lonePeer(p);
    const data = new Uint8Array([1, 2, 3]);
    expect(rpc(rf, "installSnapshot", { term: 2, leaderId: 1, lastIncludedIndex: 10, lastIncludedTerm: 2, data })).toEqual({ term: 2 });
    rpc(rf, "appendEntries", { term: 2, leaderId: 1, prevLogIndex: 10, prevLogTerm: 2, entries: [[2, "k"]], leaderCommit: 11 });
    await sleep(10);
    expect(applied).toEqual([
      { snapshotValid: true, snapshot: data, snapshotTerm: 2, snapshotIndex: 10 },
      { commandValid: true, command: "k", commandIndex: 11, commandTerm: 2 },
    ]);
    expect(p.readSnapshot()).toEqual(data);
    // an older snapshot changes nothing
    expect(rpc(rf, "installSnapshot", { term: 2, leaderId: 1, lastIncludedIndex: 5, lastIncludedTerm: 2, data: new Uint8Array(9) }))
      .toEqual({ term: 2 });
    expect(p.readSnapshot()).toEqual(data);
  }));

test("garbage in the persister: make() throws a clear error naming the problem", () =>
  sim(async () => {
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    const cases: Array<[Uint8Array, Uint8Array, RegExp]> = [
      [text("\u0000garbage"), new Uint8Array(0), /raft 0: persisted state is not valid: .*raft state is not valid encoded data/],
      [text("[1,2,3]"), new Uint8Array(0), /persisted state is not valid: it is not an object/],
      [text('{"term":-1,"vote":-1,"base":0,"log":[[0,null]]}'), new Uint8Array(0), /term -1 is not a non-negative integer/],
      [text('{"term":1,"vote":3,"base":0,"log":[[0,null]]}'), new Uint8Array(0), /vote 3 is neither -1 nor a peer/],
      [text('{"term":1,"vote":-1,"base":0,"log":[]}'), new Uint8Array(0), /log is not a non-empty array/],
      [text('{"term":2,"vote":-1,"base":0,"log":[[0,null],[2,"a"],[1,"b"]]}'), new Uint8Array(0), /log: entries\[1\] has term 1 out of order/],
      [text('{"term":2,"vote":-1,"base":0,"log":[[0,null],[2]]}'), new Uint8Array(0), /log: entries\[0\] is not a \[term, command\] pair/],
      [text('{"term":2,"vote":-1,"base":5,"log":[[1,null]]}'), new Uint8Array(0), /a snapshot covers entries up to 5, but the persister holds no snapshot/],
      [new Uint8Array(0), new Uint8Array([1]), /holds a snapshot but no raft state/],
    ];
    for (const [state, snapshot, message] of cases) {
      const p = makePersister();
      p.saveStateAndSnapshot(state, snapshot);
      expect(() => lonePeer(p)).toThrow(message);
    }
  }));

// ---- kill() ------------------------------------------------------------------------------

test("kill() stops every timer and loop: a killed cluster schedules nothing more", () =>
  runWorld({ seed: 3 }, async (w) => {
    const net = new Network();
    net.setLongDelays(false);
    const names = (i: number, j: number): string => `e${i}-${j}`;
    const rafts: Raft[] = [];
    const { Server, Service } = await import("../../labrpc/index.js");
    for (let i = 0; i < 3; i++) {
      const ends: ClientEnd[] = [];
      for (let j = 0; j < 3; j++) {
        ends.push(net.makeEnd(names(i, j)));
        net.connect(names(i, j), j);
        net.enable(names(i, j), true);
      }
      const ch = new Channel<ApplyMsg>();
      void (async () => {
        for await (const _ of ch);
      })();
      const rf = make(ends, i, makePersister(), ch);
      rafts.push(rf);
      const srv = new Server();
      srv.addService(Service.fromReceiver("Raft", rf));
      net.addServer(i, srv);
    }
    await sleep(2000);
    const leader = rafts.findIndex((r) => r.getState().isLeader);
    expect(leader).toBeGreaterThanOrEqual(0);
    rafts[leader]!.start("x");
    await sleep(500);
    for (const r of rafts) r.kill();
    await sleep(1000); // calls already under way finish or fail
    const clock = world().clock as unknown as { events: number };
    expect(w.simulated).toBe(true);
    const before = clock.events;
    await sleep(10_000);
    expect(clock.events - before).toBe(1); // only our own sleep fired
  }));

test("the state encoder gives encode()'s bytes through appends, truncation, compaction and big numbers", () => {
  const enc = new StateEncoder();
  let log: Entry[] = [[0, null]];
  let term = 1;
  let base = 0;
  const check = (vote: number): void => {
    const want = encode({ term, vote, base, log });
    expect(Buffer.from(enc.encode({ term, vote, base, log })).equals(Buffer.from(want))).toBe(true);
    expect(decodeState(enc.encode({ term, vote, base, log }), 5)).toEqual({ term, vote, base, log });
  };
  check(-1);
  for (let i = 1; i <= 300; i++) {
    log.push([term, i % 3 === 0 ? ["A", `k${i}`, "v é", 3274982374982374, i] : i % 11 === 0 ? new Uint8Array([i, 255]) : i]);
    if (i % 7 === 0) check(i % 5);
    if (i % 50 === 0) log.length -= 10; // a follower drops a conflicting suffix
    if (i % 90 === 0) {
      base += 20; // a snapshot: a new array from a new first entry
      log = [[log[20]![0], null], ...log.slice(21)];
      check(2);
    }
    if (i % 60 === 0) term++;
  }
  term = Number.MAX_SAFE_INTEGER;
  base = Number.MAX_SAFE_INTEGER - 1;
  check(4);
});

test("applied commands are copies the service may change: the log and a second apply keep the original", () =>
  sim(async () => {
    const p = makePersister();
    const { rf, applied } = soloLeader(p);
    await becomesLeader(rf);
    const cmd = JSON.parse('{"op":"A","args":["k",{"n":1}],"__proto__":{"x":1},"bytes":null}') as Record<string, unknown>;
    rf.start(cmd);
    await sleep(100);
    const got = applied.find((m) => m.commandValid)!;
    if (!got.commandValid) throw new Error("no command applied");
    expect(got.command).toEqual(cmd);
    expect(Object.getPrototypeOf(got.command)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(got.command, "__proto__")).toBe(true);
    ((got.command as { args: unknown[] }).args[1] as { n: number }).n = 99;
    cmd.op = "changed";
    expect((persistedLog(p) as unknown[])[1]).toEqual([1, JSON.parse('{"op":"A","args":["k",{"n":1}],"__proto__":{"x":1},"bytes":null}')]);
  }));
