// The Raft test harness (the course's config.go, framework side; protected from students).
// It builds n peers on a labrpc network, crashes and restarts them with their persisted
// state, partitions them, and checks every applied command against every other peer.
// begin/end, the failure latch, the 120 s limit and the stats come from the shared frame
// (labs-test/harness/test-frame.ts); all test-level randomness comes from the world's
// "tester" stream (labs-test/harness/tester-rand.ts), so one seed replays one run exactly.

import { PeerObserver } from "../labs-test/harness/observe-peers.js";
import { ClientEnd, decode, encode, Network, Server, Service } from "../labrpc/index.js";
import { TestFrame, withFrame, type FrameCounters } from "../labs-test/harness/test-frame.js";
import { randn, randstring } from "../labs-test/harness/tester-rand.js";
import { Channel, now, sleep, trace } from "../runtime/index.js";
import { makePersister, type Persister } from "./persister.js";
import { keepCopyOnCrash, largestRaftState } from "../labs-test/harness/saved-state.js";
import { make, type ApplyMsg, type Raft } from "./raft.js";

/** The tester's yardstick for an election (not Raft's own timeout): 1×, 2×, ½× and 0.7× of it are used. */
export const RaftElectionTimeout = 1000;
/** The snapshot applier snapshots at every index i with (i + 1) % SnapShotInterval == 0. */
export const SnapShotInterval = 10;
/** 2D: largest Raft state (bytes) allowed in a persister. */
export const MAXLOGSIZE = 2000;

// The course's raft tests take randstring and friends from config.go; tests here may
// import them from this harness too (they live in the shared test library).
export { randn, randomCommand, randstring } from "../labs-test/harness/tester-rand.js";

/**
 * The course's Raft API as the harness uses it (tests reach peers only through this), and
 * how to make a peer: our solution by default; a test may pass another one (a solution
 * that traces nothing, for the timeline's tests). Its handlers are registered as the
 * course's MakeService does: every method (Service.fromReceiver).
 */
export type RaftPeer = Pick<Raft, "getState" | "start" | "snapshot" | "condInstallSnapshot" | "kill">;
export interface RaftMaker {
  make(peers: ClientEnd[], me: number, persister: Persister, applyCh: Channel<ApplyMsg>): RaftPeer;
}
// make looked up at each call, not kept: a grading worker gives each run fresh student
// modules (labs-test/sandbox/student-modules.ts), and the import's binding names the new one.
const OUR_RAFT: RaftMaker = { make: (...a) => make(...a) };

/** What a peer's applyCh reader is: started by start1 for each (re)started peer. */
export type Applier = (i: number, applyCh: Channel<ApplyMsg>) => Promise<void>;

/** Commands are numbers and strings in the tests; anything else compares by its encoding. */
function sameCommand(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return Buffer.compare(encode(a), encode(b)) === 0;
}

function show(cmd: unknown): string {
  if (typeof cmd === "string") return cmd.length > 40 ? `${cmd.slice(0, 37)}...` : cmd;
  return JSON.stringify(cmd) ?? String(cmd);
}

export class Config extends TestFrame {
  readonly n: number;
  readonly net: Network;
  /** null while crashed. */
  readonly rafts: (RaftPeer | null)[];
  readonly applyErr: string[];
  readonly connected: boolean[];
  readonly saved: (Persister | null)[];
  readonly endnames: (string[] | null)[];
  /** The commands each server has applied, by index. */
  readonly logs: Map<number, unknown>[];
  readonly lastApplied: number[];

  /** The highest index any peer has applied: the "cmds" figure of the Passed line. */
  private maxIndex = 0;

  /** Roles, terms, Start() calls and applies in the trace, whatever the solution traces. */
  private readonly observer: PeerObserver;

  constructor(n: number, unreliable: boolean, snapshot: boolean, private readonly maker: RaftMaker = OUR_RAFT) {
    super({ peers: n, style: "raft" });
    this.n = n;

    this.net = new Network();
    this.observer = new PeerObserver(n, (i) => this.rafts[i] ?? null, this.net, { safety: this.safety });
    this.rafts = new Array<RaftPeer | null>(n).fill(null);
    this.applyErr = new Array<string>(n).fill("");
    this.connected = new Array<boolean>(n).fill(false);
    this.saved = new Array<Persister | null>(n).fill(null);
    this.endnames = new Array<string[] | null>(n).fill(null);
    this.logs = [];
    this.lastApplied = new Array<number>(n).fill(0);

    this.setUnreliable(unreliable);
    // RPCs to a disconnected peer take up to 7 s to fail: Raft must not send them one by one.
    this.net.setLongDelays(true);

    const applier = snapshot ? this.applierSnap : this.applier;
    for (let i = 0; i < n; i++) {
      this.logs.push(new Map());
      this.start1(i, applier);
    }
    for (let i = 0; i < n; i++) this.connect(i);
  }

  // ---- appliers ----------------------------------------------------------------------

  private checkLogs(i: number, index: number, cmd: unknown): { err: string; prevok: boolean } {
    let err = "";
    for (let j = 0; j < this.logs.length; j++) {
      const log = this.logs[j]!;
      if (log.has(index) && !sameCommand(log.get(index), cmd)) {
        // some server has already committed a different value for this entry!
        err = `commit index=${index} server=${i} ${show(cmd)} != server=${j} ${show(log.get(index))}`;
      }
    }
    const prevok = this.logs[i]!.has(index - 1);
    this.logs[i]!.set(index, cmd);
    if (index > this.maxIndex) this.maxIndex = index;
    return { err, prevok };
  }

  private applyError(i: number, err: string): void {
    this.applyErr[i] = err;
    this.fail(new Error(`apply error: ${err}`));
  }

  /** Reads applyCh of peer i (2A–2C): every applied command must agree with every other peer's. */
  readonly applier: Applier = async (i, applyCh) => {
    try {
      for await (const m of applyCh) {
        this.observer.applied(i, m);
        if (m.commandValid !== true) continue; // ignore other kinds of ApplyMsg
        const { err, prevok } = this.checkLogs(i, m.commandIndex, m.command);
        let msg = err;
        if (m.commandIndex > 1 && !prevok) msg = `server ${i} apply out of order ${m.commandIndex}`;
        // Record and keep reading, so that Raft never blocks on applyCh.
        if (msg !== "") this.applyError(i, msg);
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
  };

  /**
   * Reads applyCh of peer i (2D) like a service that snapshots: applies commands in order,
   * installs snapshots Raft hands up, and calls rf.snapshot() at every index ≡ 9 (mod 10).
   */
  readonly applierSnap: Applier = async (i, applyCh) => {
    const rf = this.rafts[i];
    if (rf === null || rf === undefined) return;
    try {
      for await (const m of applyCh) {
        this.observer.applied(i, m);
        let err = "";
        if (m.snapshotValid === true) {
          if (rf.condInstallSnapshot(m.snapshotTerm, m.snapshotIndex, m.snapshot)) {
            err = this.ingestSnap(i, m.snapshot, m.snapshotIndex);
          }
        } else if (m.commandValid === true) {
          const index = m.commandIndex;
          if (index !== this.lastApplied[i]! + 1) {
            err = `server ${i} apply out of order, expected index ${this.lastApplied[i]! + 1}, got ${index}`;
          }
          if (err === "") {
            const r = this.checkLogs(i, index, m.command);
            err = r.err;
            if (index > 1 && !r.prevok) err = `server ${i} apply out of order ${index}`;
          }
          this.lastApplied[i] = index;
          if ((index + 1) % SnapShotInterval === 0) {
            const xlog: unknown[] = [];
            for (let j = 0; j <= index; j++) xlog.push(this.logs[i]!.get(j) ?? null);
            rf.snapshot(index, encode({ lastIncludedIndex: index, log: xlog }, "snapshot"));
          }
        }
        if (err !== "") this.applyError(i, err);
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
  };

  /** Load a snapshot the way the service would; index -1 skips the SnapshotIndex match. */
  ingestSnap(i: number, snapshot: Uint8Array | null | undefined, index: number): string {
    if (snapshot === null || snapshot === undefined) this.fatal("nil snapshot");
    let lastIncludedIndex: number;
    let xlog: unknown[];
    try {
      const v = decode(snapshot, "snapshot") as { lastIncludedIndex?: unknown; log?: unknown };
      if (typeof v?.lastIncludedIndex !== "number" || !Array.isArray(v.log)) throw new Error("bad shape");
      lastIncludedIndex = v.lastIncludedIndex;
      xlog = v.log;
    } catch {
      this.fatal("snapshot decode error");
    }
    if (index !== -1 && index !== lastIncludedIndex) {
      return `server ${i} snapshot doesn't match m.SnapshotIndex`;
    }
    const log = new Map<number, unknown>();
    for (let j = 0; j < xlog.length; j++) log.set(j, xlog[j]);
    this.logs[i] = log;
    this.lastApplied[i] = lastIncludedIndex;
    return "";
  }

  // ---- peers ---------------------------------------------------------------------------

  /** Shut peer i down but keep its persisted state. */
  crash1(i: number): void {
    this.disconnect(i);
    if (this.rafts[i]) trace("tester", "crash", { i });
    this.net.deleteServer(i); // disable client connections to the server.
    // A fresh persister, so the old instance cannot overwrite what the new one reads.
    keepCopyOnCrash(this.saved, i);
    const rf = this.rafts[i];
    if (rf !== null && rf !== undefined) {
      this.observer.crashing(i);
      rf.kill();
      this.rafts[i] = null;
      this.observer.sample();
    }
    const p = this.saved[i];
    if (p !== null && p !== undefined) {
      const raftlog = p.readRaftState();
      const snapshot = p.readSnapshot();
      const fresh = makePersister(i);
      fresh.saveStateAndSnapshot(raftlog, snapshot);
      this.saved[i] = fresh;
    }
  }

  /**
   * Start or restart peer i from its persisted state, with fresh outgoing ends (all still
   * disabled: call connect(i) afterwards). logs[i] is kept unless a snapshot replaces it.
   */
  start1(i: number, applier: Applier): void {
    this.checkFailed();
    this.crash1(i);
    trace("tester", "start", { i });

    // A fresh set of outgoing ClientEnd names, so that old crashed instance's ClientEnds can't send.
    const names: string[] = [];
    for (let j = 0; j < this.n; j++) names.push(randstring(20));
    this.endnames[i] = names;
    const ends: ClientEnd[] = [];
    for (let j = 0; j < this.n; j++) {
      ends.push(this.net.makeEnd(names[j]!, i));
      this.net.connect(names[j]!, j);
    }

    this.lastApplied[i] = 0;
    // Where this incarnation's applied point starts, for the safety monitors: 0 on a first
    // start, the snapshot's index where one is restored; unknown on a restart without one
    // (the course lets a restarted Raft apply again from 1, or go on from where it was).
    let appliedThrough: number | undefined = 0;
    const p = this.saved[i];
    if (p !== null && p !== undefined) {
      appliedThrough = undefined;
      const copy = p.copy();
      this.saved[i] = copy;
      const snapshot = copy.readSnapshot();
      if (snapshot.length > 0) {
        // Mimic the KV server: load the snapshot before Raft starts.
        const err = this.ingestSnap(i, snapshot, -1);
        if (err !== "") this.fatal(err);
        appliedThrough = this.lastApplied[i];
      }
    } else {
      this.saved[i] = makePersister(i);
    }
    const persister = this.saved[i]!;

    const applyCh = new Channel<ApplyMsg>();
    const rf = this.observer.traceStarts(i, this.maker.make(ends, i, persister, applyCh));
    this.observer.started(i, rf, [applyCh as Channel<unknown>], appliedThrough);
    this.rafts[i] = rf;
    void applier(i, applyCh);

    const srv = new Server();
    srv.addService(Service.fromReceiver("Raft", rf));
    this.net.addServer(i, srv);
  }

  /**
   * Call fn(i) right after each save of peer i's persister (Persister.onSave), for each of
   * these peers, until fn returns true; then every hook this call installed is removed. fn
   * runs synchronously inside the peer's save, so before anything the peer sends after the
   * save leaves: a correct Raft saves a new term and vote before its RequestVotes go out, so
   * a test can change the network under a candidacy the moment it begins. A hook ends when
   * its peer restarts (start1 gives it a fresh persister). An error thrown by fn fails the
   * test (it is not thrown into the peer).
   */
  watchSaves(peers: readonly number[], fn: (i: number) => boolean): void {
    const watched: Persister[] = [];
    const stop = (): void => {
      for (const p of watched) p.onSave(undefined);
    };
    for (const i of peers) {
      const p = this.saved[i];
      if (p === null || p === undefined) throw new Error(`harness: watchSaves: peer ${i} has no persister`);
      watched.push(p);
      p.onSave(() => {
        try {
          if (fn(i)) stop();
        } catch (e) {
          stop();
          this.fail(e);
        }
      });
    }
  }

  /** Attach server i to the net. */
  connect(i: number): void {
    this.checkFailed();
    trace("tester", "connect", { i });
    this.connected[i] = true;
    // outgoing ClientEnds
    for (let j = 0; j < this.n; j++) {
      if (this.connected[j]) this.net.enable(this.endnames[i]![j]!, true);
    }
    // incoming ClientEnds
    for (let j = 0; j < this.n; j++) {
      if (this.connected[j]) this.net.enable(this.endnames[j]![i]!, true);
    }
    this.observer.sample();
  }

  /** Detach server i from the net. */
  disconnect(i: number): void {
    trace("tester", "disconnect", { i });
    this.connected[i] = false;
    for (let j = 0; j < this.n; j++) {
      const out = this.endnames[i];
      if (out) this.net.enable(out[j]!, false);
    }
    for (let j = 0; j < this.n; j++) {
      const inc = this.endnames[j];
      if (inc) this.net.enable(inc[i]!, false);
    }
    this.observer.sample();
  }

  // ---- counters ------------------------------------------------------------------------

  rpcCount(server: number): number {
    return this.net.getCount(server);
  }

  rpcTotal(): number {
    return this.net.getTotalCount();
  }

  bytesTotal(): number {
    return this.net.getTotalBytes();
  }

  setUnreliable(unrel: boolean): void {
    trace("tester", "unreliable", { on: unrel });
    this.net.setReliable(!unrel);
  }

  setLongReordering(longrel: boolean): void {
    trace("tester", "long-reordering", { on: longrel });
    this.net.setLongReordering(longrel);
  }

  /** The largest Raft state over all peers' persisters. */
  logSize(): number {
    return largestRaftState(this.saved);
  }

  // ---- checks --------------------------------------------------------------------------

  /** The one leader of the highest term among connected peers; fails after ~5 s without one. */
  async checkOneLeader(): Promise<number> {
    for (let iters = 0; iters < 10; iters++) {
      this.checkFailed();
      const ms = 450 + randn(100);
      await sleep(ms);
      this.checkFailed();

      const leaders = new Map<number, number[]>();
      for (let i = 0; i < this.n; i++) {
        const rf = this.rafts[i];
        if (this.connected[i] && rf) {
          const { term, isLeader } = rf.getState();
          if (isLeader) leaders.set(term, [...(leaders.get(term) ?? []), i]);
        }
      }

      let lastTermWithLeader = -1;
      for (const [term, ls] of leaders) {
        if (ls.length > 1) this.fatal(`term ${term} has ${ls.length} (>1) leaders`);
        if (term > lastTermWithLeader) lastTermWithLeader = term;
      }
      if (leaders.size !== 0) return leaders.get(lastTermWithLeader)![0]!;
    }
    this.fatal("expected one leader, got none");
  }

  /** Every connected peer must be in the same term; returns it. */
  checkTerms(): number {
    this.checkFailed();
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      const rf = this.rafts[i];
      if (this.connected[i] && rf) {
        const xterm = rf.getState().term;
        if (term === -1) term = xterm;
        else if (term !== xterm) this.fatal("servers disagree on term");
      }
    }
    return term;
  }

  /** No connected peer may think it is leader. */
  checkNoLeader(): void {
    this.checkFailed();
    for (let i = 0; i < this.n; i++) {
      const rf = this.rafts[i];
      if (this.connected[i] && rf && rf.getState().isLeader) {
        this.fatal(`expected no leader among connected servers, but ${i} claims to be leader`);
      }
    }
  }

  /** How many servers think the entry at index is committed, and its command. */
  nCommitted(index: number): { count: number; cmd: unknown } {
    let count = 0;
    let cmd: unknown = null;
    for (let i = 0; i < this.rafts.length; i++) {
      if (this.applyErr[i] !== "") this.fatal(this.applyErr[i]!);
      const log = this.logs[i]!;
      if (log.has(index)) {
        const cmd1 = log.get(index);
        if (count > 0 && !sameCommand(cmd, cmd1)) {
          this.fatal(`committed values do not match: index ${index}, ${show(cmd)}, ${show(cmd1)}`);
        }
        count += 1;
        cmd = cmd1;
      }
    }
    this.checkFailed();
    return { count, cmd };
  }

  /**
   * Wait for at least n servers to commit index, but don't wait forever. Returns the
   * command, or -1 once some peer's term passed startTerm (when startTerm > -1).
   */
  async wait(index: number, n: number, startTerm: number): Promise<unknown> {
    let to = 10;
    for (let iters = 0; iters < 30; iters++) {
      if (this.nCommitted(index).count >= n) break;
      await sleep(to);
      if (to < 1000) to *= 2;
      if (startTerm > -1) {
        for (const r of this.rafts) {
          // someone has moved on; can no longer guarantee that we'll "win"
          if (r && r.getState().term > startTerm) return -1;
        }
      }
    }
    const { count, cmd } = this.nCommitted(index);
    if (count < n) this.fatal(`only ${count} decided for index ${index}; wanted ${n}`);
    return cmd;
  }

  /**
   * Do a complete agreement: find a leader, submit cmd, and wait until expectedServers have
   * committed it (retrying with another leader if retry). Returns the index; -1 only once
   * the test has finished.
   */
  async one(cmd: unknown, expectedServers: number, retry: boolean): Promise<number> {
    const t0 = now();
    let starts = 0;
    while (now() - t0 < 10_000 && !this.checkFinished()) {
      this.checkFailed();
      // try all the servers, maybe one is the leader.
      let index = -1;
      for (let si = 0; si < this.n; si++) {
        starts = (starts + 1) % this.n;
        const rf = this.connected[starts] ? this.rafts[starts] : null;
        if (rf) {
          const r = rf.start(cmd);
          if (r.isLeader) {
            index = r.index;
            break;
          }
        }
      }

      if (index !== -1) {
        // somebody claimed to be the leader and to have submitted our command; wait a while for agreement.
        const t1 = now();
        while (now() - t1 < 2000) {
          const { count, cmd: cmd1 } = this.nCommitted(index);
          if (count > 0 && count >= expectedServers && sameCommand(cmd1, cmd)) {
            return index; // and it was the command we submitted.
          }
          await sleep(20);
        }
        if (!retry) this.fatal(`one(${show(cmd)}) failed to reach agreement`);
      } else {
        await sleep(50);
      }
    }
    if (!this.checkFinished()) this.fatal(`one(${show(cmd)}) failed to reach agreement`);
    return -1;
  }

  // ---- frame -------------------------------------------------------------------------

  protected counters(): FrameCounters {
    return { rpcs: this.rpcTotal(), bytes: this.bytesTotal(), ops: this.maxIndex };
  }

  /** Kill every peer and the network. */
  protected shutdown(): void {
    for (const rf of this.rafts) rf?.kill();
    this.net.cleanup();
  }
}

export function makeConfig(n: number, unreliable: boolean, snapshot: boolean): Config {
  return new Config(n, unreliable, snapshot);
}

/**
 * make_config + `defer cfg.cleanup()`: run body with a fresh config and clean up after it
 * (see withFrame: a latched failure fails the test at once, even while body waits).
 */
export function withConfig(
  n: number,
  unreliable: boolean,
  snapshot: boolean,
  body: (cfg: Config) => Promise<void>,
): Promise<void> {
  return withFrame(makeConfig(n, unreliable, snapshot), body);
}
