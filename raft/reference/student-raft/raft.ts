// A second, independently written Raft (labs 2A–2D), in the style of a capable student's
// 2022 solution: Figure 2 state and rules, a ticker with randomized election timeouts,
// 100 ms heartbeats that also carry log entries, fast log backup (conflict term/index),
// the whole state re-encoded on every persist, snapshots and InstallSnapshot. No PreVote,
// no CheckQuorum. It was written against raft/API.md only (never the reference), so the
// tests can check that the harness and kvraft rely on the course's API and nothing else.
//
// Imports are written for this file's place in the repo; scratch.ts rewrites them when it
// drops the file in as raft/raft.ts.

import { decode, encode, type ClientEnd } from "../../../labrpc/index.js";
import { debug, now, randInt, sleep, trace, type Channel } from "../../../runtime/index.js";
import type { Persister } from "../../persister.js";

export type ApplyMsg =
  | { commandValid: true; command: unknown; commandIndex: number; commandTerm: number; snapshotValid?: false }
  | { snapshotValid: true; snapshot: Uint8Array; snapshotTerm: number; snapshotIndex: number; commandValid?: false };

/** The handlers the harness registers as the "Raft" service (Raft.HandleRequestVote, ...). */
export const RAFT_RPC_METHODS: readonly string[] = [
  "handleRequestVote",
  "handleAppendEntries",
  "handleInstallSnapshot",
];

/** Heartbeat period, virtual ms: the lab asks for at most ten per second. */
const HEARTBEAT_MS = 100;
/** Election timeout, virtual ms: uniform in [ELECTION_MIN_MS, ELECTION_MIN_MS + ELECTION_SPREAD_MS). */
const ELECTION_MIN_MS = 300;
const ELECTION_SPREAD_MS = 300;

type Role = "follower" | "candidate" | "leader";

interface LogEntry {
  term: number;
  cmd: unknown;
}

interface RequestVoteArgs {
  term: number;
  candidate: number;
  lastLogIndex: number;
  lastLogTerm: number;
}

interface RequestVoteReply {
  term: number;
  granted: boolean;
}

interface AppendEntriesArgs {
  term: number;
  leader: number;
  prevIndex: number;
  prevTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
}

interface AppendEntriesReply {
  term: number;
  success: boolean;
  /** On failure: the term of the follower's entry at prevIndex, or -1 if its log is too short. */
  conflictTerm: number;
  /** On failure: the first index of conflictTerm in the follower's log, or its log length. */
  conflictIndex: number;
}

interface InstallSnapshotArgs {
  term: number;
  leader: number;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  data: Uint8Array;
}

interface InstallSnapshotReply {
  term: number;
}

/** What persist() writes: everything, every time. log[0] stands for the snapshot's last entry. */
interface SavedState {
  term: number;
  votedFor: number;
  snapIndex: number;
  log: LogEntry[];
}

function isSavedState(v: unknown): v is SavedState {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.term === "number" &&
    typeof s.votedFor === "number" &&
    typeof s.snapIndex === "number" &&
    Array.isArray(s.log) &&
    s.log.length > 0 &&
    s.log.every((e: unknown) => typeof e === "object" && e !== null && typeof (e as LogEntry).term === "number")
  );
}

export class Raft {
  private readonly peers: ClientEnd[];
  private readonly me: number;
  private readonly persister: Persister;
  private readonly applyCh: Channel<ApplyMsg>;
  private dead = false;

  // Persistent state (Figure 2), plus the snapshot's position: log[i] holds index snapIndex + i,
  // and log[0] is a placeholder carrying the term of the last entry the snapshot covers.
  private currentTerm = 0;
  private votedFor = -1;
  private log: LogEntry[] = [{ term: 0, cmd: null }];
  private snapIndex = 0;
  private snapshotData: Uint8Array = new Uint8Array(0);

  // Volatile state.
  private role: Role = "follower";
  private commitIndex = 0;
  private lastApplied = 0;
  /** now() value (virtual ms) after which a follower or candidate starts an election. */
  private electionDeadline = 0;

  // Leader state, reinitialized after each election.
  private nextIndex: number[] = [];
  private matchIndex: number[] = [];

  // The applier goroutine's inbox: a snapshot from the leader to hand up, and a wake-up.
  private pendingSnapshot: { data: Uint8Array; term: number; index: number } | null = null;
  private wakeApplier: (() => void) | null = null;

  constructor(peers: ClientEnd[], me: number, persister: Persister, applyCh: Channel<ApplyMsg>) {
    this.peers = peers;
    this.me = me;
    this.persister = persister;
    this.applyCh = applyCh;
    this.readPersist();
    this.snapshotData = persister.readSnapshot();
    // Everything up to the snapshot was applied by the service before it crashed; it
    // reloads the snapshot itself, so the first command we send is snapIndex + 1.
    this.commitIndex = this.snapIndex;
    this.lastApplied = this.snapIndex;
    this.resetElectionTimer();
    void this.ticker();
    void this.applier();
  }

  // ---- the service's API -------------------------------------------------------------

  /** The current term and whether this peer believes it is the leader. */
  getState(): { term: number; isLeader: boolean } {
    return { term: this.currentTerm, isLeader: this.role === "leader" };
  }

  /**
   * Append command to the leader's log and start replicating it; returns at once. index is
   * where it will appear if it commits; isLeader false means this peer can't take commands.
   */
  start(command: unknown): { index: number; term: number; isLeader: boolean } {
    if (this.dead || this.role !== "leader") return { index: -1, term: this.currentTerm, isLeader: false };
    this.log.push({ term: this.currentTerm, cmd: command });
    this.persist();
    const index = this.lastIndex();
    this.matchIndex[this.me] = index;
    debug("leader", this.me, () => `start index ${index} term ${this.currentTerm}`);
    this.broadcastAppend();
    return { index, term: this.currentTerm, isLeader: true };
  }

  /** The service has a snapshot of everything up to and including index: drop that log prefix. */
  snapshot(index: number, snapshot: Uint8Array): void {
    if (this.dead || index <= this.snapIndex || index > this.commitIndex) return;
    const term = this.termAt(index);
    this.log = [{ term, cmd: null }, ...this.log.slice(index - this.snapIndex + 1)];
    this.snapIndex = index;
    this.snapshotData = snapshot;
    this.persist(true);
    trace(this.me, "snapshot", { index });
    debug("snap", this.me, () => `service snapshot through ${index}`);
  }

  /** Left over from the 2021 lab; the 2022 lab says to just return true. */
  condInstallSnapshot(_lastIncludedTerm: number, _lastIncludedIndex: number, _snapshot: Uint8Array): boolean {
    return true;
  }

  kill(): void {
    this.dead = true;
    this.signalApplier();
  }

  killed(): boolean {
    return this.dead;
  }

  // ---- log indexing ----------------------------------------------------------------

  private lastIndex(): number {
    return this.snapIndex + this.log.length - 1;
  }

  private lastTerm(): number {
    return this.log[this.log.length - 1]!.term;
  }

  /** Term of the entry at index; index must be in [snapIndex, lastIndex()]. */
  private termAt(index: number): number {
    return this.log[index - this.snapIndex]!.term;
  }

  // ---- persistence -----------------------------------------------------------------

  /** Save term, vote and the whole log (and the snapshot too, when it changed). */
  private persist(withSnapshot = false): void {
    const state: SavedState = {
      term: this.currentTerm,
      votedFor: this.votedFor,
      snapIndex: this.snapIndex,
      log: this.log,
    };
    const data = encode(state, "raft state");
    if (withSnapshot) this.persister.saveStateAndSnapshot(data, this.snapshotData);
    else this.persister.saveRaftState(data);
    debug("persist", this.me, () => `term ${this.currentTerm} vote ${this.votedFor} log ${this.snapIndex}..${this.lastIndex()}`);
  }

  /** Restore what persist() saved; a fresh peer has nothing saved. Throws on malformed state. */
  private readPersist(): void {
    const data = this.persister.readRaftState();
    if (data.length === 0) return;
    const s = decode(data, "raft state");
    if (!isSavedState(s)) throw new Error(`raft ${this.me}: persisted state is malformed`);
    this.currentTerm = s.term;
    this.votedFor = s.votedFor;
    this.snapIndex = s.snapIndex;
    this.log = s.log;
  }

  // ---- roles and elections -----------------------------------------------------------

  private resetElectionTimer(): void {
    this.electionDeadline = now() + ELECTION_MIN_MS + randInt(ELECTION_SPREAD_MS);
  }

  private setRole(role: Role): void {
    if (this.role !== role) {
      this.role = role;
      trace(this.me, "role", { term: this.currentTerm, role });
    }
  }

  /** Figure 2: on seeing a higher term, adopt it and become a follower. */
  private becomeFollower(term: number): void {
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = -1;
      this.persist();
    }
    this.setRole("follower");
  }

  /** Sleeps until the election deadline; a follower or candidate that heard nothing runs for leader. */
  private async ticker(): Promise<void> {
    while (!this.dead) {
      const wait = this.electionDeadline - now();
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      if (this.role !== "leader") this.startElection();
      this.resetElectionTimer();
    }
  }

  private startElection(): void {
    this.currentTerm++;
    this.votedFor = this.me;
    this.persist();
    this.role = "candidate";
    trace(this.me, "role", { term: this.currentTerm, role: "candidate" });
    debug("vote", this.me, () => `election for term ${this.currentTerm}`);
    const args: RequestVoteArgs = {
      term: this.currentTerm,
      candidate: this.me,
      lastLogIndex: this.lastIndex(),
      lastLogTerm: this.lastTerm(),
    };
    const tally = { votes: 1 };
    // A lone peer is its own majority (no reply will ever come to count).
    if (tally.votes * 2 > this.peers.length) {
      this.becomeLeader();
      return;
    }
    for (let p = 0; p < this.peers.length; p++) {
      if (p !== this.me) void this.askForVote(p, args, tally);
    }
  }

  private async askForVote(p: number, args: RequestVoteArgs, tally: { votes: number }): Promise<void> {
    const r = await this.peers[p]!.call<RequestVoteReply>("Raft.HandleRequestVote", args);
    if (!r.ok || this.dead) return;
    if (r.reply.term > this.currentTerm) {
      this.becomeFollower(r.reply.term);
      return;
    }
    if (this.role !== "candidate" || this.currentTerm !== args.term || !r.reply.granted) return;
    tally.votes++;
    debug("vote", this.me, () => `vote from ${p} in term ${args.term} (${tally.votes})`);
    if (tally.votes * 2 > this.peers.length) this.becomeLeader();
  }

  private becomeLeader(): void {
    this.setRole("leader");
    debug("leader", this.me, () => `leader for term ${this.currentTerm}`);
    this.nextIndex = this.peers.map(() => this.lastIndex() + 1);
    this.matchIndex = this.peers.map(() => 0);
    this.matchIndex[this.me] = this.lastIndex();
    void this.heartbeatLoop(this.currentTerm);
  }

  /** While leader of term: an AppendEntries to every peer each HEARTBEAT_MS. */
  private async heartbeatLoop(term: number): Promise<void> {
    while (!this.dead && this.role === "leader" && this.currentTerm === term) {
      this.broadcastAppend();
      await sleep(HEARTBEAT_MS);
    }
  }

  // ---- leader: replication -------------------------------------------------------------

  private broadcastAppend(): void {
    for (let p = 0; p < this.peers.length; p++) {
      if (p !== this.me) this.sendTo(p);
    }
  }

  /** Send peer p what it is missing: log entries from nextIndex[p], or our snapshot if they are gone. */
  private sendTo(p: number): void {
    if (this.nextIndex[p]! <= this.snapIndex) {
      void this.sendSnapshot(p);
      return;
    }
    const prev = this.nextIndex[p]! - 1;
    const args: AppendEntriesArgs = {
      term: this.currentTerm,
      leader: this.me,
      prevIndex: prev,
      prevTerm: this.termAt(prev),
      entries: this.log.slice(prev + 1 - this.snapIndex),
      leaderCommit: this.commitIndex,
    };
    void this.sendAppend(p, args);
  }

  private async sendAppend(p: number, args: AppendEntriesArgs): Promise<void> {
    const r = await this.peers[p]!.call<AppendEntriesReply>("Raft.HandleAppendEntries", args);
    if (!r.ok || this.dead) return;
    const reply = r.reply;
    if (reply.term > this.currentTerm) {
      this.becomeFollower(reply.term);
      return;
    }
    // A reply from an earlier term, or to an earlier leadership of ours, means nothing now.
    if (this.role !== "leader" || this.currentTerm !== args.term) return;

    if (reply.success) {
      const match = args.prevIndex + args.entries.length;
      if (match > this.matchIndex[p]!) this.matchIndex[p] = match;
      if (match + 1 > this.nextIndex[p]!) this.nextIndex[p] = match + 1;
      this.advanceCommit();
      return;
    }

    // Fast backup (the lab's "accelerated log backtracking"): skip a whole term per round trip.
    let next: number;
    if (reply.conflictTerm === -1) {
      next = reply.conflictIndex;
    } else {
      const last = this.lastIndexOfTerm(reply.conflictTerm);
      next = last === -1 ? reply.conflictIndex : last + 1;
    }
    next = Math.max(next, this.matchIndex[p]! + 1);
    next = Math.min(next, this.lastIndex() + 1);
    this.nextIndex[p] = next;
    debug("append", this.me, () => `peer ${p} rejected prev ${args.prevIndex}; next ${next}`);
    this.sendTo(p);
  }

  /** The last index in our log holding term, or -1. */
  private lastIndexOfTerm(term: number): number {
    for (let i = this.lastIndex(); i >= this.snapIndex; i--) {
      const t = this.termAt(i);
      if (t === term) return i;
      if (t < term) break;
    }
    return -1;
  }

  /** Figure 2: commit the highest index of our own term that a majority holds. */
  private advanceCommit(): void {
    for (let n = this.lastIndex(); n > this.commitIndex; n--) {
      if (this.termAt(n) !== this.currentTerm) break;
      let count = 0;
      for (const m of this.matchIndex) if (m >= n) count++;
      if (count * 2 > this.peers.length) {
        this.commitIndex = n;
        trace(this.me, "commit", { index: n });
        debug("commit", this.me, () => `leader commits through ${n}`);
        this.signalApplier();
        return;
      }
    }
  }

  private async sendSnapshot(p: number): Promise<void> {
    const args: InstallSnapshotArgs = {
      term: this.currentTerm,
      leader: this.me,
      lastIncludedIndex: this.snapIndex,
      lastIncludedTerm: this.log[0]!.term,
      data: this.snapshotData,
    };
    debug("snap", this.me, () => `snapshot through ${args.lastIncludedIndex} to ${p}`);
    const r = await this.peers[p]!.call<InstallSnapshotReply>("Raft.HandleInstallSnapshot", args);
    if (!r.ok || this.dead) return;
    if (r.reply.term > this.currentTerm) {
      this.becomeFollower(r.reply.term);
      return;
    }
    if (this.role !== "leader" || this.currentTerm !== args.term) return;
    const match = args.lastIncludedIndex;
    if (match > this.matchIndex[p]!) this.matchIndex[p] = match;
    if (match + 1 > this.nextIndex[p]!) this.nextIndex[p] = match + 1;
    this.advanceCommit();
    // Send the entries after the snapshot now rather than at the next heartbeat.
    if (this.nextIndex[p]! <= this.lastIndex()) this.sendTo(p);
  }

  // ---- RPC handlers --------------------------------------------------------------------

  handleRequestVote(args: RequestVoteArgs): RequestVoteReply {
    if (this.dead) return { term: this.currentTerm, granted: false };
    if (args.term > this.currentTerm) this.becomeFollower(args.term);
    const reply: RequestVoteReply = { term: this.currentTerm, granted: false };
    if (args.term < this.currentTerm) return reply;
    // §5.4.1: only vote for a candidate whose log is at least as up-to-date as ours.
    const upToDate =
      args.lastLogTerm > this.lastTerm() ||
      (args.lastLogTerm === this.lastTerm() && args.lastLogIndex >= this.lastIndex());
    if ((this.votedFor === -1 || this.votedFor === args.candidate) && upToDate) {
      this.votedFor = args.candidate;
      this.persist();
      this.resetElectionTimer();
      reply.granted = true;
      debug("vote", this.me, () => `voted for ${args.candidate} in term ${args.term}`);
    }
    return reply;
  }

  handleAppendEntries(args: AppendEntriesArgs): AppendEntriesReply {
    const reply: AppendEntriesReply = { term: this.currentTerm, success: false, conflictTerm: -1, conflictIndex: 0 };
    if (this.dead || args.term < this.currentTerm) return reply;
    // A current leader exists: candidates of this term give up, and the election timer restarts.
    this.becomeFollower(args.term);
    this.resetElectionTimer();
    reply.term = this.currentTerm;

    let prevIndex = args.prevIndex;
    let entries = args.entries;
    if (prevIndex < this.snapIndex) {
      // Entries up to snapIndex are in our snapshot (committed, so they match): skip them.
      const skip = this.snapIndex - prevIndex;
      if (entries.length <= skip) {
        reply.success = true;
        return reply;
      }
      entries = entries.slice(skip);
      prevIndex = this.snapIndex;
    } else if (prevIndex > this.lastIndex()) {
      reply.conflictIndex = this.lastIndex() + 1;
      return reply;
    } else if (this.termAt(prevIndex) !== args.prevTerm) {
      const t = this.termAt(prevIndex);
      let first = prevIndex;
      while (first - 1 > this.snapIndex && this.termAt(first - 1) === t) first--;
      reply.conflictTerm = t;
      reply.conflictIndex = first;
      return reply;
    }

    // Append what is new; truncate only on a real conflict, since a delayed, shorter
    // AppendEntries must not cut off entries a later one already added.
    for (let i = 0; i < entries.length; i++) {
      const index = prevIndex + 1 + i;
      if (index > this.lastIndex() || this.termAt(index) !== entries[i]!.term) {
        this.log = this.log.slice(0, index - this.snapIndex).concat(entries.slice(i));
        this.persist();
        break;
      }
    }

    const lastNew = prevIndex + entries.length;
    const newCommit = Math.min(args.leaderCommit, lastNew);
    if (newCommit > this.commitIndex) {
      this.commitIndex = newCommit;
      trace(this.me, "commit", { index: newCommit });
      debug("commit", this.me, () => `follower commits through ${newCommit}`);
      this.signalApplier();
    }
    reply.success = true;
    return reply;
  }

  handleInstallSnapshot(args: InstallSnapshotArgs): InstallSnapshotReply {
    if (this.dead || args.term < this.currentTerm) return { term: this.currentTerm };
    this.becomeFollower(args.term);
    this.resetElectionTimer();
    const reply: InstallSnapshotReply = { term: this.currentTerm };
    // Already committed here: the service will get (or has) these entries through the log.
    if (args.lastIncludedIndex <= this.commitIndex) return reply;

    const index = args.lastIncludedIndex;
    if (index < this.lastIndex() && this.termAt(index) === args.lastIncludedTerm) {
      this.log = [{ term: args.lastIncludedTerm, cmd: null }, ...this.log.slice(index - this.snapIndex + 1)];
    } else {
      this.log = [{ term: args.lastIncludedTerm, cmd: null }];
    }
    this.snapIndex = index;
    this.snapshotData = args.data;
    this.commitIndex = index;
    // The applier may be inside a send for an older index; it delivers this snapshot next,
    // and then continues from index + 1.
    this.lastApplied = index;
    this.pendingSnapshot = { data: args.data, term: args.lastIncludedTerm, index };
    this.persist(true);
    trace(this.me, "snapshot", { index });
    debug("snap", this.me, () => `installed leader's snapshot through ${index}`);
    this.signalApplier();
    return reply;
  }

  // ---- applier -------------------------------------------------------------------------

  private signalApplier(): void {
    const wake = this.wakeApplier;
    this.wakeApplier = null;
    wake?.();
  }

  /** Hands committed entries (and installed snapshots) to the service, one at a time, in order. */
  private async applier(): Promise<void> {
    while (!this.dead) {
      const snap = this.pendingSnapshot;
      if (snap !== null) {
        this.pendingSnapshot = null;
        debug("apply", this.me, () => `applying snapshot through ${snap.index}`);
        await this.applyCh.send({
          snapshotValid: true,
          snapshot: snap.data,
          snapshotTerm: snap.term,
          snapshotIndex: snap.index,
        });
        continue;
      }
      if (this.lastApplied < this.commitIndex) {
        const index = this.lastApplied + 1;
        const entry = this.log[index - this.snapIndex]!;
        this.lastApplied = index;
        trace(this.me, "apply", { index });
        await this.applyCh.send({ commandValid: true, command: entry.cmd, commandIndex: index, commandTerm: entry.term });
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wakeApplier = resolve;
      });
    }
  }
}

/**
 * Create a Raft peer (the course's Make): peers[me] is this peer's own end, persister holds
 * its saved state (empty for a fresh peer), and applyCh receives committed commands.
 * Returns at once; the peer's loops run on the runtime clock until kill().
 */
export function make(peers: ClientEnd[], me: number, persister: Persister, applyCh: Channel<ApplyMsg>): Raft {
  return new Raft(peers, me, persister, applyCh);
}
