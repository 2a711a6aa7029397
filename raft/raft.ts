// Raft: the consensus module of labs 2–4 (the student file; the course's raft.go).
//
// This is an outline of the API that raft must expose to the service (or tester).
//
// make(peers, me, persister, applyCh)
//   create a new Raft server; it returns at once and works in the background.
// rf.start(command) → { index, term, isLeader }
//   start agreement on a new log entry.
// rf.getState() → { term, isLeader }
//   ask a Raft for its current term, and whether it thinks it is leader.
// ApplyMsg
//   each time a new entry is committed to the log, each Raft peer should send an ApplyMsg
//   to the service (or tester) on applyCh, one at a time: `await applyCh.send(msg)`.
//
// Time, timers and randomness come only from runtime/index.ts (now, sleep, after, randInt);
// the network only from peers[i].call("Raft.Method", args). Tests run on a virtual clock.

import type { CallResult, ClientEnd } from "../labrpc/index.js";
import { randInt, sleep, type Channel } from "../runtime/index.js";
import type { Persister } from "./persister.js";
// SOLUTION BEGIN
// How this solution works (Figure 2 of the extended paper, plus thesis §9.6 PreVote):
// - Elections: a follower that hears nothing for 500–1000 ms first asks for pre-votes for
//   term+1 (nobody changes anything); a peer grants one only if the candidate's log is up to
//   date and it has not heard from a leader (or voted) within 500 ms. Pre-votes go first to
//   just enough peers for a majority, the likeliest to answer (not the leader that fell
//   silent, not peers leaving calls unanswered); the rest are asked 50 ms later or at the
//   first refusal. With a majority, the real election asks the pre-vote granters. A peer
//   refusing a pre-vote for an older log runs its own election soon. A leader that hears
//   from no majority for 1 s steps down.
// - Replication: per follower, at most one message with entries (or the snapshot) in
//   flight; commands started within 10 ms go out together; a reply sends the next batch at
//   once; heartbeats every 200 ms. A follower that stops answering gets only empty probes,
//   less and less often; when it answers (or sends us anything) it is caught up at once.
//   Rejections carry the fast-backup hints (conflicting term and its first index, or the
//   log's length). Only entries of the current term are committed by counting (Figure 8).
// - One applier task sends on applyCh, one message at a time, re-reading state after each.
// - Persistence: {term, vote, base, log} in the codec's JSON, each entry encoded once.
// - Invariants that must never break throw at once, naming the peer and the broken rule.
import { decode, decodeText, encode, encodeText } from "../labrpc/index.js";
import { after, ChannelClosed, debug, now, trace, type Timer } from "../runtime/index.js";
// SOLUTION END

/**
 * As each Raft peer becomes aware that successive log entries are committed, the peer
 * should send an ApplyMsg to the service (or tester) on the same server, via applyCh.
 * Set commandValid to true to indicate that the ApplyMsg contains a newly committed log
 * entry. In part 2D you'll want to send other kinds of messages (e.g., snapshots) on the
 * applyCh; for these set snapshotValid (and leave commandValid unset or false).
 */
export type ApplyMsg =
  | { commandValid: true; command: unknown; commandIndex: number; commandTerm: number; snapshotValid?: false }
  | { snapshotValid: true; snapshot: Uint8Array; snapshotTerm: number; snapshotIndex: number; commandValid?: false };

export interface StartResult {
  index: number;
  term: number;
  isLeader: boolean;
}

export interface RaftState {
  term: number;
  isLeader: boolean;
}

/** RequestVote RPC arguments (field names are yours to choose). */
export interface RequestVoteArgs {
  // Your data here (2A, 2B).
  // SOLUTION BEGIN
  term: number;
  candidateId: number;
  lastLogIndex: number;
  lastLogTerm: number;
  // SOLUTION END
}

/** RequestVote RPC reply. */
export interface RequestVoteReply {
  // Your data here (2A).
  // SOLUTION BEGIN
  term: number;
  voteGranted: boolean;
  // SOLUTION END
}

// SOLUTION BEGIN
/** A log entry, on the wire and on disk as in memory: [term, command] (compact JSON). */
export type Entry = [term: number, command: unknown];

export interface AppendEntriesArgs {
  term: number;
  leaderId: number;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: Entry[];
  leaderCommit: number;
}

/**
 * success, or the fast-backup hints: conflictTerm is the term of the follower's entry at
 * prevLogIndex (-1 if it has none) and conflictIndex the first index the leader should
 * try next (the first entry of conflictTerm, or the follower's log length + 1).
 * A rejection for a stale term or malformed arguments carries neither hint.
 */
export interface AppendEntriesReply {
  term: number;
  success: boolean;
  conflictIndex?: number;
  conflictTerm?: number;
}

export interface InstallSnapshotArgs {
  term: number;
  leaderId: number;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  data: Uint8Array;
}

export interface InstallSnapshotReply {
  term: number;
}

/** What persist() writes (codec JSON); log[0] stands for the snapshot: [lastIncludedTerm, null]. */
interface PersistentState {
  term: number;
  vote: number;
  base: number;
  log: Entry[];
}

type Role = "follower" | "precandidate" | "candidate" | "leader";

interface Ballot {
  args: RequestVoteArgs;
  granted: boolean[];
  /** Pre-votes only: peers not asked yet, asked if the first ones do not make a majority soon. */
  later: number[];
  laterTimer: Timer | null;
  /** Requests re-sent to each peer after a quick failure (a lost message, not a dead peer). */
  retries: number[];
}

/** Heartbeats per peer at most every 100 ms: 10 per second, the course's limit. */
export const HEARTBEAT_MS = 200;
/**
 * Election timeouts are uniform in [500, 1000) ms: above the paper's 150–300 (heartbeats are
 * slower here), well inside the 5 s the tests allow; longer ones mean fewer needless elections.
 */
export const ELECTION_MIN_MS = 500;
export const ELECTION_SPREAD_MS = 500;
/** A peer that refuses a pre-vote for an older log starts its own election within this many ms. */
const HURRY_SPREAD_MS = 100;
/** start() waits this long for more commands before replicating, so a burst goes out as one batch. */
export const BATCH_MS = 10;
/** An unanswered message carrying entries or a snapshot is not re-sent sooner than this. */
const DATA_RESEND_MS = 1000;
/** A leader that has heard from no majority for this long steps down (CheckQuorum). */
const QUORUM_MS = 1000;
/** At most this many entries per AppendEntries; a far-behind follower catches up in batches. */
const MAX_ENTRIES_PER_APPEND = 512;
/** Probes to a peer whose calls keep failing slow down to one per this many ms. */
const PROBE_MAX_MS = 1000;
/** Pre-votes go first to just enough likely peers; the rest are asked if grants are not in by then. */
const PREVOTE_WAVE_MS = 50;
/** A peer that has left a call unanswered this long is probably down (a dead peer's calls take seconds to fail). */
const SUSPECT_MS = 100;
/** A vote request that fails this quickly was lost on the way; it is re-sent (up to VOTE_RETRIES times). */
const LOST_MS = 100;
const VOTE_RETRIES = 3;
/** This many quick failures in a row do count against a peer (a dead one may fail quickly too). */
const LOST_STREAK = 3;

/**
 * What this peer knows about reaching another one, whatever its role. A peer whose calls
 * keep failing is probed less and less often and is left out of vote requests for a
 * while; a reply from it, or any request it sends us, brings it back at once. A call that
 * fails at once lost a message (the unreliable network): that alone does not count, since
 * a dead or cut-off peer's calls fail only after a while.
 */
interface Link {
  /** Calls made to it so far: each call's sequence number. */
  seq: number;
  lastSend: number;
  /** The latest call that got a reply. */
  lastOkSeq: number;
  /** Calls that failed since the last reply (older calls' failures excluded). */
  failures: number;
  /** The newest call whose outcome is known, and whether it failed. */
  outcomeSeq: number;
  down: boolean;
  /** When it last answered us or sent us a request. */
  lastHeard: number;
  /** When the oldest call still unanswered since then went out (null: none). */
  unansweredSince: number | null;
  /** Quick failures in a row: lost messages, which say nothing about the peer (up to LOST_STREAK). */
  lostStreak: number;
}

/**
 * The leader's view of one follower. While probing (it has not answered in this term, or
 * the newest call to it failed) it gets only empty AppendEntries, one per heartbeat: a
 * dead peer never gets big messages. Once it answers, entries (or the snapshot) go out at
 * once, one batch in flight at a time.
 */
interface Progress {
  next: number;
  match: number;
  /** No answer yet in this term. */
  unknown: boolean;
  /** The outstanding call carrying entries or a snapshot (its Link seq; 0: none), and when it went. */
  dataSeq: number;
  dataAt: number;
  /** Highest leaderCommit sent to this peer. */
  sentCommit: number;
  /** When the peer last answered in this term (CheckQuorum). */
  lastAck: number;
  heartbeat: Timer | null;
}

function isIndex(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

function isConflictTerm(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= -1;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** How an RPC argument field is checked: a log index, a peer number, or a term no later than args.term. */
type FieldKind = "index" | "peer" | "term";
const VOTE_FIELDS: [string, FieldKind][] = [["candidateId", "peer"], ["lastLogIndex", "index"], ["lastLogTerm", "term"]];
const APPEND_FIELDS: [string, FieldKind][] = [
  ["leaderId", "peer"], ["prevLogIndex", "index"], ["prevLogTerm", "term"], ["leaderCommit", "index"],
];
const SNAPSHOT_FIELDS: [string, FieldKind][] = [["leaderId", "peer"], ["lastIncludedIndex", "index"], ["lastIncludedTerm", "term"]];

/** Cheap shape checks for what a confused peer might send: the problem, or "" if none. */
function argsProblem(a: unknown, n: number, fields: [string, FieldKind][]): string {
  if (!isObject(a)) return "arguments are not an object";
  if (!isIndex(a.term)) return `term ${String(a.term)} is not a non-negative integer`;
  for (const [name, kind] of fields) {
    const v = a[name];
    if (!isIndex(v)) return `${name} ${String(v)} is not a non-negative integer`;
    if (kind === "peer" && v >= n) return `${name} ${v} is not a peer`;
    if (kind === "term" && v > a.term) return `${name} ${v} is after the message's term ${a.term}`;
  }
  return "";
}

function entriesProblem(entries: unknown, prevLogTerm: number, term: number): string {
  if (!Array.isArray(entries)) return "entries is not an array";
  let last = prevLogTerm;
  for (let i = 0; i < entries.length; i++) {
    const e: unknown = entries[i];
    if (!Array.isArray(e) || e.length !== 2) return `entries[${i}] is not a [term, command] pair`;
    const t: unknown = e[0];
    if (!isIndex(t) || t < last || t > term) return `entries[${i}] has term ${String(t)} out of order`;
    last = t;
  }
  return "";
}

function voteArgsProblem(a: unknown, n: number): string {
  return argsProblem(a, n, VOTE_FIELDS);
}

function appendArgsProblem(a: unknown, n: number): string {
  const p = argsProblem(a, n, APPEND_FIELDS);
  if (p !== "") return p;
  const args = a as Record<string, number>;
  return entriesProblem(args.entries, args.prevLogTerm!, args.term!);
}

function snapshotArgsProblem(a: unknown, n: number): string {
  const p = argsProblem(a, n, SNAPSHOT_FIELDS);
  if (p !== "") return p;
  return (a as Record<string, unknown>).data instanceof Uint8Array ? "" : "data is not a byte array";
}

/** What a restarted peer finds in its persister; throws naming the first problem. */
function parsePersistentState(bytes: Uint8Array, n: number): PersistentState {
  const v = decode(bytes, "raft state");
  if (!isObject(v)) throw new Error("it is not an object");
  const { term, vote, base, log } = v;
  if (!isIndex(term)) throw new Error(`term ${String(term)} is not a non-negative integer`);
  if (typeof vote !== "number" || !Number.isSafeInteger(vote) || vote < -1 || vote >= n) {
    throw new Error(`vote ${String(vote)} is neither -1 nor a peer`);
  }
  if (!isIndex(base)) throw new Error(`base ${String(base)} is not a non-negative integer`);
  if (!Array.isArray(log) || log.length === 0) throw new Error("log is not a non-empty array");
  const head: unknown = log[0];
  if (!Array.isArray(head) || head.length !== 2 || !isIndex(head[0]) || head[0] > term) {
    throw new Error("log[0] is not a [term, command] pair");
  }
  const p = entriesProblem(log.slice(1), head[0], term);
  if (p !== "") throw new Error(`log: ${p}`);
  return { term, vote, base, log: log as Entry[] };
}

/** A copy of an object command, so nobody can change an entry behind Raft's back. */
function ownCopy(command: unknown): unknown {
  return typeof command === "object" && command !== null ? decode(encode(command, "command")) : command;
}

const textEncoder = new TextEncoder();
// SOLUTION END

/** A Go-style object implementing a single Raft peer. */
export class Raft {
  private readonly peers: ClientEnd[]; // RPC end points of all peers
  private readonly persister: Persister; // object to hold this peer's persisted state
  private readonly me: number; // this peer's index into peers[]
  private readonly applyCh: Channel<ApplyMsg>;
  private dead = false; // set by kill()

  // Your data here (2A, 2B, 2C).
  // Look at the paper's Figure 2 for a description of what state a Raft server must maintain.
  // SOLUTION BEGIN
  // persistent state
  private currentTerm = 0;
  private votedFor = -1;
  /** log[i] holds index lastIncludedIndex + i; log[0] = [lastIncludedTerm, null] stands for the snapshot. */
  private log: Entry[] = [[0, null]];
  /**
   * log[1..] encoded for persist() as far as known: UTF-8 of ",e1,e2,…" in logBytes, and
   * logEnds[i] = where entry i ends (logEnds[0] = 0). Saving a long log then costs one
   * copy of these bytes, not a re-encoding of every entry (log[0]'s is rebuilt each save).
   */
  private logBytes = new Uint8Array(4096);
  private logEnds: number[] = [0];
  private lastIncludedIndex = 0;
  private snapshotData: Uint8Array = new Uint8Array(0);
  /** Some persistent field changed since the last save. */
  private dirty = false;

  // volatile state
  private commitIndex = 0;
  /** Highest index handed to applyCh (or being handed): the service has seen up to here. */
  private lastApplied = 0;
  private role: Role = "follower";
  /** When a valid leader last spoke to us: a follower within its lease refuses pre-votes. */
  private lastHeardFromLeader = -Infinity;
  /** The leader we last followed, or voted for (-1: none yet): when it falls silent it is asked for a pre-vote last. */
  private lastLeader = -1;

  // timers and rounds
  private electionDeadline = 0;
  private electionTimer: Timer | null = null;
  private electionTimerAt = 0;
  /**
   * The questions we are asking — pre-votes for term+1, votes for our own candidacy in the
   * current term — and who said yes. A grant counts whenever it arrives while the question
   * still stands, so a slow reply is not lost when a round times out: a candidate whose
   * timer fired asks for pre-votes again but still wins its term if the votes come in.
   */
  private preBallot: Ballot | null = null;
  private candidateSince = 0;
  private voteBallot: Ballot | null = null;
  private links: Link[] = [];
  private progress: Progress[] = [];
  private flushTimer: Timer | null = null;
  private quorumTimer: Timer | null = null;
  private applierWake: (() => void) | null = null;
  // SOLUTION END

  constructor(peers: ClientEnd[], me: number, persister: Persister, applyCh: Channel<ApplyMsg>) {
    this.peers = peers;
    this.persister = persister;
    this.me = me;
    this.applyCh = applyCh;
    // Your initialization code here (2A, 2B, 2C).
    // SOLUTION BEGIN
    if (!Number.isSafeInteger(me) || me < 0 || me >= peers.length) {
      throw new Error(`raft: me = ${me} is not an index into peers (${peers.length} peers)`);
    }
    this.links = peers.map(() => ({
      seq: 0, lastSend: -Infinity, lastOkSeq: 0, failures: 0, outcomeSeq: 0, down: false, lastHeard: -Infinity,
      unansweredSince: null, lostStreak: 0,
    }));
    // SOLUTION END

    // initialize from state persisted before a crash
    this.readPersist(persister.readRaftState(), persister.readSnapshot());

    // start the ticker (and anything else that runs in the background) to start elections
    // SOLUTION BEGIN 2A
    trace(me, "role", { term: this.currentTerm, role: this.role });
    this.resetElectionTimer();
    void this.applier();
    // SOLUTION STUB
    // void this.ticker();
    // SOLUTION END
  }

  /** Return currentTerm and whether this server believes it is the leader. */
  getState(): RaftState {
    let term = 0;
    let isLeader = false;
    // Your code here (2A).
    // SOLUTION BEGIN
    term = this.currentTerm;
    isLeader = this.role === "leader" && !this.dead;
    // SOLUTION END
    return { term, isLeader };
  }

  /**
   * Save Raft's persistent state to stable storage, where it can later be retrieved after
   * a crash and restart. See the paper's Figure 2 for a description of what should be
   * persistent. Encode it with the codec (labrpc/codec.ts): `persister.saveRaftState(encode(...))`;
   * once there is a snapshot, save both with `persister.saveStateAndSnapshot(state, snapshot)`.
   */
  private persist(): void {
    // Your code here (2C).
    // Example:
    //   const state = encode({ currentTerm: this.currentTerm, votedFor: this.votedFor, log: this.log });
    //   this.persister.saveRaftState(state);
    // (encode and decode come from "../labrpc/index.js"; the persister copies the bytes.)
    // SOLUTION BEGIN
    // The persister keeps its snapshot across saveRaftState, so only a new snapshot is re-saved.
    this.persister.saveRaftState(this.encodeState());
    this.dirty = false;
    debug("persist", this.me, () => `saved term ${this.currentTerm} vote ${this.votedFor} log ${this.lastIncludedIndex}..${this.lastIndex()} (${this.persister.raftStateSize()} bytes)`);
    // SOLUTION END
  }

  /** Restore previously persisted state. */
  private readPersist(data: Uint8Array, snapshot: Uint8Array): void {
    if (data.length === 0) {
      // bootstrap without any state?
      // SOLUTION BEGIN
      if (snapshot.length > 0) {
        throw new Error(`raft ${this.me}: persisted state is not valid: the persister holds a snapshot but no raft state`);
      }
      // SOLUTION END
      return;
    }
    // Your code here (2C).
    // Example:
    //   const s = decode(data) as { currentTerm: number; votedFor: number; log: LogEntry[] };
    //   this.currentTerm = s.currentTerm;
    //   ...
    // decode() throws a CodecError on bytes that are not an encoding; the shape is not
    // checked, so check what you rely on.
    // SOLUTION BEGIN
    let st: PersistentState;
    try {
      st = parsePersistentState(data, this.peers.length);
    } catch (e) {
      throw new Error(`raft ${this.me}: persisted state is not valid: ${(e as Error).message}`, { cause: e });
    }
    if (st.base > 0 && snapshot.length === 0) {
      throw new Error(
        `raft ${this.me}: persisted state is not valid: it says a snapshot covers entries up to ${st.base}, ` +
          `but the persister holds no snapshot`,
      );
    }
    this.currentTerm = st.term;
    this.votedFor = st.vote;
    this.lastIncludedIndex = st.base;
    this.log = st.log;
    this.log[0] = [st.log[0]![0], null];
    this.logEnds = [0];
    this.snapshotData = snapshot;
    // The service loads the snapshot itself before make(); applying resumes after it.
    this.commitIndex = st.base;
    this.lastApplied = st.base;
    debug("persist", this.me, () => `restored term ${st.term} vote ${st.vote} log ${st.base}..${this.lastIndex()}`);
    // SOLUTION END
  }

  /**
   * A service wants to switch to snapshot. Only do so if Raft hasn't had more recent info
   * since it communicated the snapshot on applyCh. (Vestigial in 2022: just return true.)
   */
  condInstallSnapshot(lastIncludedTerm: number, lastIncludedIndex: number, snapshot: Uint8Array): boolean {
    void lastIncludedTerm;
    void lastIncludedIndex;
    void snapshot;
    return true;
  }

  /**
   * The service says it has created a snapshot that has all info up to and including
   * index. This means the service no longer needs the log through (and including) that
   * index. Raft should now trim its log as much as possible.
   */
  snapshot(index: number, snapshot: Uint8Array): void {
    // Your code here (2D).
    // SOLUTION BEGIN
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new Error(`raft ${this.me}: snapshot(${String(index)}): the index must be a non-negative integer`);
    }
    if (!(snapshot instanceof Uint8Array)) {
      throw new Error(`raft ${this.me}: snapshot(${index}): the snapshot must be a Uint8Array`);
    }
    if (this.dead) return;
    if (index <= this.lastIncludedIndex) {
      // A snapshot from the leader overtook this one, or the service repeated itself.
      debug("snap", this.me, () => `snapshot(${index}) ignored: the log already starts after ${this.lastIncludedIndex}`);
      return;
    }
    if (index > this.commitIndex) {
      throw new Error(`raft ${this.me}: snapshot(${index}) is beyond the commit index ${this.commitIndex}: only committed, applied entries can be snapshotted`);
    }
    if (index > this.lastApplied) {
      throw new Error(`raft ${this.me}: snapshot(${index}) is beyond the last applied index ${this.lastApplied}`);
    }
    const term = this.termAt(index);
    this.compactLog(index, term);
    this.snapshotData = snapshot.slice();
    this.saveWithSnapshot();
    trace(this.me, "snapshot", { index });
    debug("snap", this.me, () => `snapshot at ${index} (term ${term}), ${snapshot.length} bytes; log now ${index}..${this.lastIndex()}`);
    // SOLUTION END
  }

  /**
   * Example code to send a RequestVote RPC to a server. server is the index of the target
   * server in this.peers. args holds the RPC arguments; the reply comes back in r.reply.
   * The types of the args and reply passed to call() must be the same as the types of the
   * arguments and the return value of the handler (requestVote, just below).
   *
   * labrpc simulates a lossy network, in which servers may be unreachable, and in which
   * requests and replies may be lost. call() sends a request and waits for a reply. If a
   * reply arrives within a timeout interval, it resolves to { ok: true, reply }; otherwise
   * to { ok: false }. Thus call() may not resolve for a while: a call to a disconnected
   * peer can take up to 7 s (of the runtime's clock) to fail. { ok: false } can be caused
   * by a dead server, a live server that can't be reached, a lost request, or a lost reply.
   *
   * call() is guaranteed to resolve (perhaps after a delay) *except* if the handler on the
   * server side does not return. Thus there is no need to implement your own timeouts
   * around call(); do not wait for one call before sending the next to another peer.
   *
   * Every method of this class is reachable as an RPC handler ("Raft.RequestVote" reaches
   * requestVote), except the API the tester calls (start, getState, kill, killed,
   * snapshot, condInstallSnapshot) and names starting with "_". Args and replies travel
   * through the codec: plain data (numbers, strings, booleans, arrays, plain objects,
   * Uint8Array), copied on every call. See labrpc/network.ts for more details.
   */
  private async sendRequestVote(server: number, args: RequestVoteArgs): Promise<CallResult<RequestVoteReply>> {
    return this.peers[server]!.call<RequestVoteReply>("Raft.RequestVote", args);
  }

  /**
   * The ticker starts a new election if this peer hasn't heard from a leader recently.
   * Timers and randomness come only from the runtime (sleep, after, randInt): tests run
   * on a virtual clock, and a run replays exactly from its seed.
   */
  private async ticker(): Promise<void> {
    while (!this.killed()) {
      // Your code here (2A)
      // Check if a leader election should be started.

      // pause for a random amount of time between 50 and 350 milliseconds.
      await sleep(50 + randInt(300));
    }
  }

  /** RequestVote RPC handler. */
  requestVote(args: RequestVoteArgs): RequestVoteReply {
    let reply = {} as RequestVoteReply;
    // Your code here (2A, 2B).
    // SOLUTION BEGIN
    reply = this.handleVote(args, false);
    // SOLUTION END
    return reply;
  }

  // SOLUTION BEGIN
  /** PreVote RPC handler (thesis §9.6): would you vote for me in term args.term? Changes nothing. */
  preVote(args: RequestVoteArgs): RequestVoteReply {
    return this.handleVote(args, true);
  }

  /** AppendEntries RPC handler: replication and heartbeats. */
  appendEntries(args: AppendEntriesArgs): AppendEntriesReply {
    const problem = this.dead ? "this peer is dead" : appendArgsProblem(args, this.peers.length);
    if (problem !== "") {
      debug("append", this.me, () => `rejected AppendEntries: ${problem}`);
      return { term: this.currentTerm, success: false };
    }
    this.heardFrom(args.leaderId);
    if (args.term < this.currentTerm) return { term: this.currentTerm, success: false };
    if (args.term === this.currentTerm && this.role === "leader") {
      // Two leaders in one term: only a confused peer could send this.
      debug("append", this.me, () => `rejected AppendEntries from ${args.leaderId}: I lead term ${args.term}`);
      return { term: this.currentTerm, success: false };
    }
    this.hearFromLeader(args.term, args.leaderId);

    let prev = args.prevLogIndex;
    let entries = args.entries;
    if (prev < this.lastIncludedIndex) {
      // Our snapshot already covers the start of this message (all of it committed).
      const skip = this.lastIncludedIndex - prev;
      entries = skip >= entries.length ? [] : entries.slice(skip);
      prev = this.lastIncludedIndex;
    } else if (prev > this.lastIndex()) {
      this.persistIfDirty();
      return { term: this.currentTerm, success: false, conflictIndex: this.lastIndex() + 1, conflictTerm: -1 };
    } else if (this.termAt(prev) !== args.prevLogTerm) {
      const conflictTerm = this.termAt(prev);
      let first = prev;
      while (first - 1 > this.lastIncludedIndex && this.termAt(first - 1) === conflictTerm) first--;
      this.persistIfDirty();
      debug("append", this.me, () => `mismatch at ${prev}: have term ${conflictTerm}, leader ${args.prevLogTerm}`);
      return { term: this.currentTerm, success: false, conflictIndex: first, conflictTerm };
    }

    // The log matches through prev: append what is new, dropping a conflicting suffix.
    for (let i = 0; i < entries.length; i++) {
      const index = prev + 1 + i;
      if (index <= this.lastIndex()) {
        if (this.termAt(index) === entries[i]![0]) continue;
        this.truncateFrom(index);
      }
      for (let j = i; j < entries.length; j++) this.log.push(entries[j]!);
      this.dirty = true;
      debug("append", this.me, () => `appended ${index}..${this.lastIndex()} from ${args.leaderId}`);
      break;
    }
    const lastNew = prev + entries.length;
    if (args.leaderCommit > this.commitIndex) {
      const c = Math.min(args.leaderCommit, lastNew);
      if (c > this.commitIndex) this.setCommitIndex(c);
    }
    this.persistIfDirty();
    return { term: this.currentTerm, success: true };
  }

  /** InstallSnapshot RPC handler: the leader no longer has the entries we need. */
  installSnapshot(args: InstallSnapshotArgs): InstallSnapshotReply {
    const problem = this.dead ? "this peer is dead" : snapshotArgsProblem(args, this.peers.length);
    if (problem !== "") {
      debug("snap", this.me, () => `rejected InstallSnapshot: ${problem}`);
      return { term: this.currentTerm };
    }
    this.heardFrom(args.leaderId);
    if (args.term < this.currentTerm) return { term: this.currentTerm };
    if (args.term === this.currentTerm && this.role === "leader") return { term: this.currentTerm };
    this.hearFromLeader(args.term, args.leaderId);

    const index = args.lastIncludedIndex;
    if (index <= this.commitIndex) {
      // We already have (and will apply) everything it covers.
      this.persistIfDirty();
      return { term: this.currentTerm };
    }
    if (index > this.lastIndex() || this.termAt(index) !== args.lastIncludedTerm) {
      // Our uncommitted suffix may conflict; everything up to index is replaced by the snapshot.
      if (this.commitIndex < this.lastIndex()) this.truncateFrom(this.commitIndex + 1);
    }
    this.compactLog(index, args.lastIncludedTerm);
    this.snapshotData = args.data;
    this.setCommitIndex(index); // the applier hands the snapshot to the service first
    this.saveWithSnapshot();
    trace(this.me, "snapshot", { index, from: args.leaderId });
    debug("snap", this.me, () => `installed snapshot from ${args.leaderId} at ${index} (term ${args.lastIncludedTerm}); log ${index}..${this.lastIndex()}`);
    return { term: this.currentTerm };
  }
  // SOLUTION END

  /**
   * The service using Raft (e.g. a k/v server) wants to start agreement on the next command
   * to be appended to Raft's log. If this server isn't the leader, return isLeader false.
   * Otherwise start the agreement and return immediately. There is no guarantee that this
   * command will ever be committed to the Raft log, since the leader may fail or lose an
   * election. Even if the Raft instance has been killed, this function should return
   * gracefully.
   *
   * The first return value is the index that the command will appear at if it's ever
   * committed. The second return value is the current term. The third return value is
   * true if this server believes it is the leader.
   */
  start(command: unknown): StartResult {
    let index = -1;
    let term = -1;
    let isLeader = true;
    // Your code here (2B).
    // SOLUTION BEGIN
    term = this.currentTerm;
    if (this.dead || this.role !== "leader") {
      isLeader = false;
    } else {
      // Encoding first throws a CodecError naming the problem for a value that can't cross the wire.
      const text = encodeText([this.currentTerm, command], "command");
      const own = typeof command === "object" && command !== null ? (decodeText(text) as Entry)[1] : command;
      if (this.logEnds.length === this.log.length) this.appendEncoded(text);
      this.log.push([this.currentTerm, own]);
      index = this.lastIndex();
      // Saved before anything is sent (flush, sendTo): commands started together are saved together.
      this.dirty = true;
      this.scheduleFlush();
      debug("leader", this.me, () => `start: index ${index} term ${term}`);
    }
    // SOLUTION END
    return { index, term, isLeader };
  }

  /**
   * The tester doesn't halt Raft instances after each test, but it does call kill(). Your
   * code can use killed() to check whether kill() has been called. Any loop or timer should
   * stop once it has: in simulation a leaked loop slows every later test down.
   */
  kill(): void {
    this.dead = true;
    // Your code here, if desired.
    // SOLUTION BEGIN
    this.electionTimer?.cancel();
    this.electionTimer = null;
    this.stopLeading();
    const wake = this.applierWake;
    this.applierWake = null;
    wake?.();
    trace(this.me, "killed", { term: this.currentTerm });
    // SOLUTION END
  }

  killed(): boolean {
    return this.dead;
  }

  // SOLUTION BEGIN
  // ---- log helpers -----------------------------------------------------------------------

  private lastIndex(): number {
    return this.lastIncludedIndex + this.log.length - 1;
  }

  private termAt(index: number): number {
    const e = this.log[index - this.lastIncludedIndex];
    if (e === undefined) {
      throw new Error(`raft ${this.me}: no log entry ${index} (log holds ${this.lastIncludedIndex}..${this.lastIndex()})`);
    }
    return e[0];
  }

  private lastTerm(): number {
    return this.log[this.log.length - 1]![0];
  }

  private invariant(ok: boolean, what: () => string): void {
    if (!ok) throw new Error(`raft ${this.me}: invariant violated: ${what()}`);
  }

  private truncateFrom(index: number): void {
    this.invariant(this.role !== "leader", () => `a leader truncating its own log at ${index}`);
    this.invariant(index > this.commitIndex, () => `truncating committed entry ${index} (commit index ${this.commitIndex})`);
    debug("append", this.me, () => `dropping conflicting entries ${index}..${this.lastIndex()}`);
    this.log.length = index - this.lastIncludedIndex;
    if (this.logEnds.length > this.log.length) this.logEnds.length = this.log.length;
    this.dirty = true;
  }

  private setCommitIndex(index: number): void {
    this.invariant(index >= this.commitIndex, () => `commit index going back from ${this.commitIndex} to ${index}`);
    this.invariant(index <= this.lastIndex(), () => `commit index ${index} beyond the log's end ${this.lastIndex()}`);
    this.commitIndex = index;
    trace(this.me, "commit", { index });
    debug("commit", this.me, () => `commit index ${index}`);
    const wake = this.applierWake;
    this.applierWake = null;
    wake?.();
  }

  private setTerm(term: number): void {
    this.invariant(term >= this.currentTerm, () => `term going back from ${this.currentTerm} to ${term}`);
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = -1;
      this.dirty = true;
    }
  }

  private persistIfDirty(): void {
    if (this.dirty && !this.dead) this.persist();
  }

  /** Save state and a new snapshot together, so that neither exists without the other. */
  private saveWithSnapshot(): void {
    this.persister.saveStateAndSnapshot(this.encodeState(), this.snapshotData);
    this.dirty = false;
  }

  /** Add the next log entry's encoded text to logBytes. */
  private appendEncoded(text: string): void {
    const bytes = textEncoder.encode("," + text);
    const end = this.logEnds[this.logEnds.length - 1]!;
    if (end + bytes.length > this.logBytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.logBytes.length, end + bytes.length));
      grown.set(this.logBytes.subarray(0, end));
      this.logBytes = grown;
    }
    this.logBytes.set(bytes, end);
    this.logEnds.push(end + bytes.length);
  }

  /**
   * encode(PersistentState), byte for byte, but each entry is encoded only once
   * (logBytes): saving a long log costs a copy, not a walk over every command.
   */
  private encodeState(): Uint8Array {
    for (let i = this.logEnds.length; i < this.log.length; i++) this.appendEncoded(encodeText(this.log[i], `raft ${this.me} log entry`));
    const head = encodeText({ term: this.currentTerm, vote: this.votedFor, base: this.lastIncludedIndex });
    const prefix = textEncoder.encode(`${head.slice(0, -1)},"log":[${encodeText(this.log[0])}`);
    const n = this.logEnds[this.log.length - 1]!;
    const out = new Uint8Array(prefix.length + n + 2);
    out.set(prefix);
    out.set(this.logBytes.subarray(0, n), prefix.length);
    out[prefix.length + n] = 0x5d; // ]
    out[prefix.length + n + 1] = 0x7d; // }
    return out;
  }

  /** A snapshot now covers everything through index (of term): drop those entries. */
  private compactLog(index: number, term: number): void {
    const drop = index - this.lastIncludedIndex;
    this.log = [[term, null], ...this.log.slice(drop + 1)];
    if (this.logEnds.length <= drop + 1) {
      this.logEnds = [0];
    } else {
      const from = this.logEnds[drop]!;
      const to = this.logEnds[this.logEnds.length - 1]!;
      this.logBytes.copyWithin(0, from, to);
      this.logEnds = this.logEnds.slice(drop).map((e) => e - from);
    }
    this.lastIncludedIndex = index;
  }

  private setRole(role: Role): void {
    if (this.role === role) return;
    this.role = role;
    trace(this.me, "role", { term: this.currentTerm, role });
  }

  // ---- elections ---------------------------------------------------------------------------

  /** Wait a fresh random election timeout before starting an election. */
  private resetElectionTimer(spread = ELECTION_SPREAD_MS): void {
    if (this.dead) return;
    this.electionDeadline = now() + ELECTION_MIN_MS + randInt(spread);
    // One timer: it re-arms itself when it fires before the deadline; only an earlier deadline re-creates it.
    if (this.electionTimer !== null && this.electionTimerAt <= this.electionDeadline) return;
    this.electionTimer?.cancel();
    this.armElectionTimer();
  }

  private armElectionTimer(): void {
    this.electionTimerAt = this.electionDeadline;
    this.electionTimer = after(this.electionDeadline - now(), () => this.onElectionTimer());
  }

  private onElectionTimer(): void {
    this.electionTimer = null;
    if (this.dead || this.role === "leader") return;
    if (now() < this.electionDeadline) {
      this.armElectionTimer();
      return;
    }
    this.startPreVote();
  }

  /**
   * Someone with an older log wants an election and nobody leads: it cannot win without
   * peers like us, so run our own soon rather than let it fail again and again.
   */
  private hurryElection(): void {
    if (this.role !== "follower") return; // a (pre-)candidate is already running
    const soon = now() + randInt(HURRY_SPREAD_MS);
    if (soon >= this.electionDeadline) return;
    this.electionDeadline = soon;
    this.electionTimer?.cancel();
    this.armElectionTimer();
    debug("timer", this.me, () => `a peer with an older log wants an election: mine in ${soon - now()} ms`);
  }

  /** A valid leader of term spoke: follow it and restart the election timeout. */
  private hearFromLeader(term: number, leader: number): void {
    this.becomeFollower(term);
    this.dropPreBallot(); // grants given while there was no leader are void now
    this.lastHeardFromLeader = now();
    this.lastLeader = leader;
    this.resetElectionTimer();
  }

  /** A higher term was seen, or leadership was lost: become a follower. */
  private becomeFollower(term: number): void {
    const wasLeader = this.role === "leader";
    this.setTerm(term);
    if (wasLeader) {
      this.stopLeading();
      this.lastHeardFromLeader = -Infinity;
      debug("leader", this.me, () => `stepping down in term ${this.currentTerm}`);
    }
    this.setRole("follower");
    if (this.electionTimer === null) this.resetElectionTimer();
  }

  private upToDate(lastLogIndex: number, lastLogTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastLogTerm > myTerm || (lastLogTerm === myTerm && lastLogIndex >= this.lastIndex());
  }

  private handleVote(args: RequestVoteArgs, pre: boolean): RequestVoteReply {
    const kind = pre ? "PreVote" : "RequestVote";
    const problem = this.dead ? "this peer is dead" : voteArgsProblem(args, this.peers.length);
    if (problem !== "") {
      debug("vote", this.me, () => `rejected ${kind}: ${problem}`);
      return { term: this.currentTerm, voteGranted: false };
    }
    this.heardFrom(args.candidateId);
    if (pre) {
      // Grant only what a real vote would get, and only if we have no live leader: a peer
      // back from a partition cannot depose a healthy leader.
      const inLease = this.role === "leader" || now() - this.lastHeardFromLeader < ELECTION_MIN_MS;
      const logOk = this.upToDate(args.lastLogIndex, args.lastLogTerm);
      const grant = args.term > this.currentTerm && !inLease && logOk;
      debug("vote", this.me, () => `pre-vote for ${args.candidateId} in term ${args.term}: ${grant ? "yes" : "no"}${inLease ? " (leader alive)" : ""}`);
      if (!inLease && !logOk) this.hurryElection();
      return { term: this.currentTerm, voteGranted: grant };
    }
    if (args.term < this.currentTerm) return { term: this.currentTerm, voteGranted: false };
    if (args.term > this.currentTerm) this.becomeFollower(args.term);
    let grant = false;
    if ((this.votedFor === -1 || this.votedFor === args.candidateId) && this.upToDate(args.lastLogIndex, args.lastLogTerm)) {
      grant = true;
      // It will most likely lead: refuse pre-votes for a while, as if it had spoken already.
      this.lastHeardFromLeader = now();
      this.lastLeader = args.candidateId;
      if (this.votedFor !== args.candidateId) {
        this.votedFor = args.candidateId;
        this.dirty = true;
      }
      this.resetElectionTimer();
    }
    this.persistIfDirty();
    debug("vote", this.me, () => `vote for ${args.candidateId} in term ${args.term}: ${grant ? "yes" : "no"}`);
    return { term: this.currentTerm, voteGranted: grant };
  }

  /** Ask everyone whether we could win term+1, without touching anyone's term yet. */
  private startPreVote(): void {
    this.setRole("precandidate");
    this.resetElectionTimer();
    debug("timer", this.me, () => `election timeout in term ${this.currentTerm}: pre-vote for ${this.currentTerm + 1}`);
    this.campaign(true);
  }

  private startElection(): void {
    // Only the pre-vote granters are asked (they make a majority); a late granter is asked when its grant arrives.
    const targets = this.preBallot!.granted;
    this.setTerm(this.currentTerm + 1);
    this.votedFor = this.me;
    this.dirty = true;
    this.setRole("candidate");
    this.persist(); // term and vote are on disk before anyone sees the request
    // Votes are worth waiting for: a slow network delays replies (long reordering: up to 2.2 s).
    this.resetElectionTimer(2 * ELECTION_SPREAD_MS);
    this.candidateSince = now();
    debug("vote", this.me, () => `candidate in term ${this.currentTerm}`);
    this.campaign(false, targets);
  }

  private campaign(pre: boolean, targets?: boolean[]): void {
    const term = pre ? this.currentTerm + 1 : this.currentTerm;
    let b = pre ? this.preBallot : this.voteBallot;
    const a = b?.args;
    if (a === undefined || a.term !== term || a.lastLogIndex !== this.lastIndex() || a.lastLogTerm !== this.lastTerm()) {
      const args = { term, candidateId: this.me, lastLogIndex: this.lastIndex(), lastLogTerm: this.lastTerm() };
      b = { args, granted: this.peers.map((_, i) => i === this.me), later: [], laterTimer: null, retries: this.peers.map(() => 0) };
      if (pre) {
        this.dropPreBallot();
        this.preBallot = b;
      }
      else this.voteBallot = b;
    }
    if (this.isMajority(b!.granted)) {
      this.wonRound(pre);
      return;
    }
    const t = now();
    const ask: number[] = [];
    for (let i = 0; i < this.peers.length; i++) {
      if (b!.granted[i] || (targets !== undefined && !targets[i])) continue;
      const l = this.links[i]!;
      // A peer that stopped answering hears from us once a second; it speaks up itself when back.
      if (l.failures >= 2 && t - l.lastSend < PROBE_MAX_MS) continue;
      ask.push(i);
    }
    if (!pre) {
      for (const i of ask) void this.askVote(i, b!.args, false);
      return;
    }
    // Every pre-vote round is a message to each peer asked: ask just enough of the likeliest
    // granters first, and the others only if their grants do not come in at once.
    const ranked = this.rankForPreVote(ask);
    const majority = Math.floor(this.peers.length / 2) + 1;
    const need = Math.min(ranked.length, majority - b!.granted.filter((g) => g).length);
    b!.laterTimer?.cancel();
    b!.later = ranked.slice(need);
    b!.laterTimer = b!.later.length === 0 ? null : after(PREVOTE_WAVE_MS, () => this.askLater(b!));
    for (const i of ranked.slice(0, need)) void this.askVote(i, b!.args, true);
  }

  /**
   * Likeliest to answer first: peers heard from most recently, ties in random order; a peer
   * whose last call failed, and the leader whose silence started this election, go last.
   */
  private rankForPreVote(peers: number[]): number[] {
    const shuffled = [...peers];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = randInt(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const score = (i: number): number => {
      if (i === this.lastLeader) return -Infinity;
      return this.suspect(i) ? -Number.MAX_VALUE : this.links[i]!.lastHeard;
    };
    return shuffled.sort((x, y) => score(y) - score(x));
  }

  /** The first pre-vote requests did not make a majority in time: ask everyone else too. */
  private askLater(b: Ballot): void {
    b.laterTimer?.cancel();
    b.laterTimer = null;
    const later = b.later;
    b.later = [];
    if (this.dead || this.role !== "precandidate" || this.preBallot !== b) return;
    for (const i of later) if (!b.granted[i]) void this.askVote(i, b.args, true);
  }

  private dropPreBallot(): void {
    this.preBallot?.laterTimer?.cancel();
    this.preBallot = null;
  }

  private isMajority(granted: boolean[]): boolean {
    let n = 0;
    for (const g of granted) if (g) n++;
    return n * 2 > this.peers.length;
  }

  /** Our vote ballot still stands: we are (or were, until our timer fired) the candidate of this term. */
  private standingVote(): Ballot | null {
    const b = this.voteBallot;
    if (b === null || b.args.term !== this.currentTerm || this.votedFor !== this.me) return null;
    return this.role === "candidate" || this.role === "precandidate" ? b : null;
  }

  private async askVote(peer: number, args: RequestVoteArgs, pre: boolean): Promise<void> {
    const seq = this.noteSend(peer);
    const sent = now();
    const r = await this.peers[peer]!.call<RequestVoteReply>(pre ? "Raft.PreVote" : "Raft.RequestVote", args);
    const reply = r.ok ? r.reply : undefined;
    const valid = isObject(reply) && isIndex(reply.term) && typeof reply.voteGranted === "boolean";
    if (this.dead) return;
    this.noteOutcome(peer, seq, valid, sent);
    if (!valid && now() - sent < LOST_MS) {
      // Lost on the way: ask again while the question stands (voting twice for us is harmless).
      const b = pre ? (this.role === "precandidate" ? this.preBallot : null) : this.standingVote();
      if (b !== null && b.args === args && !b.granted[peer] && b.retries[peer]! < VOTE_RETRIES) {
        b.retries[peer]!++;
        void this.askVote(peer, args, pre);
        return;
      }
    }
    if (!valid || (!reply.voteGranted && reply.term <= this.currentTerm)) {
      // One of the first asked failed us: ask the others now rather than at the end of the wave.
      if (pre && this.preBallot?.args === args) this.askLater(this.preBallot);
      return;
    }
    if (reply.term > this.currentTerm) {
      this.becomeFollower(reply.term);
      this.persistIfDirty();
      return;
    }
    if (!pre && this.role === "leader" && this.currentTerm === args.term) {
      this.lateVoter(peer);
      return;
    }
    const vote = this.standingVote();
    if (pre) {
      const b = this.preBallot;
      if (this.role === "precandidate" && b !== null && args === b.args && !b.granted[peer]) {
        b.granted[peer] = true;
        if (this.isMajority(b.granted)) this.wonRound(true);
      } else if (this.role === "candidate" && vote !== null && vote.args.term === args.term && !vote.granted[peer]) {
        void this.askVote(peer, vote.args, false); // a late pre-vote: ask for the real one
      }
      return;
    }
    if (vote === null || args !== vote.args || vote.granted[peer]) return;
    vote.granted[peer] = true;
    if (this.isMajority(vote.granted)) this.wonRound(false);
  }

  private wonRound(pre: boolean): void {
    this.preBallot?.laterTimer?.cancel();
    if (pre) this.startElection();
    else this.becomeLeader();
  }

  // ---- leader ----------------------------------------------------------------------------

  private becomeLeader(): void {
    this.setRole("leader");
    this.electionTimer?.cancel();
    this.electionTimer = null;
    const voters = this.voteBallot?.granted ?? [];
    this.dropPreBallot();
    this.voteBallot = null;
    debug("leader", this.me, () => `leader of term ${this.currentTerm}, log ..${this.lastIndex()}`);
    const t = now();
    this.progress = this.peers.map((_, i) => ({
      next: this.lastIndex() + 1,
      match: 0,
      unknown: !voters[i],
      dataSeq: 0,
      dataAt: 0,
      sentCommit: 0,
      lastAck: t,
      heartbeat: null,
    }));
    this.quorumTimer = after(QUORUM_MS, () => this.checkQuorum());
    // Voters need no message yet if their votes came at once: they just restarted their
    // election timers and hold back pre-votes for ELECTION_MIN_MS (they expect us to lead).
    // They hear from us with the first batch of entries, or at the first heartbeat — sooner
    // when the votes were slow, before their patience ends. Everyone else may still be in an
    // older term and learns of the new one at once, unless it looks down: the leader we
    // followed before, gone silent, or a peer that has not answered what we asked it.
    const first = Math.max(0, Math.min(HEARTBEAT_MS, ELECTION_MIN_MS - HEARTBEAT_MS - (t - this.candidateSince)));
    for (let i = 0; i < this.peers.length; i++) {
      if (i === this.me) continue;
      const l = this.links[i]!;
      if (voters[i] === true || i === this.lastLeader || l.down || l.unansweredSince !== null) {
        this.armHeartbeat(i, this.progress[i]!, first);
      } else {
        this.sendTo(i);
      }
    }
  }

  /** A vote granted after we won: that peer is reachable, so entries may go to it at once. */
  private lateVoter(peer: number): void {
    this.progress[peer]!.unknown = false;
  }

  private probing(peer: number, p: Progress): boolean {
    return p.unknown || this.links[peer]!.down;
  }

  private noteSend(peer: number): number {
    const l = this.links[peer]!;
    l.lastSend = now();
    l.unansweredSince ??= l.lastSend;
    return ++l.seq;
  }

  /** Our last call to peer failed, or it has not answered for a while. */
  private suspect(peer: number): boolean {
    const l = this.links[peer]!;
    return l.down || (l.unansweredSince !== null && now() - l.unansweredSince >= SUSPECT_MS);
  }

  private noteOutcome(peer: number, seq: number, ok: boolean, sentAt: number): void {
    const l = this.links[peer]!;
    if (!ok && now() - sentAt < LOST_MS && l.lostStreak < LOST_STREAK) {
      // A message lost on an unreliable network; a slow reply is no reason to give up on it.
      l.lostStreak++;
      return;
    }
    l.lostStreak = 0;
    if (ok) {
      l.failures = 0;
      l.lastHeard = now();
      l.unansweredSince = null;
      if (seq > l.lastOkSeq) l.lastOkSeq = seq;
    } else if (seq > l.lastOkSeq) {
      l.failures++;
    }
    if (seq > l.outcomeSeq) {
      l.outcomeSeq = seq;
      l.down = !ok;
    }
  }

  /** peer sent us a request: it is reachable, whatever our calls to it said. */
  private heardFrom(peer: number): void {
    const l = this.links[peer]!;
    const wasDown = l.down || l.failures > 0;
    l.failures = 0;
    l.down = false;
    l.outcomeSeq = l.seq;
    l.lastOkSeq = l.seq;
    l.lastHeard = now();
    l.unansweredSince = null;
    if (this.role !== "leader" || peer === this.me) return;
    const p = this.progress[peer]!;
    if (wasDown || p.unknown) {
      p.unknown = false;
      this.armHeartbeat(peer, p, 0); // catch it up now, not at the next (slowed) probe
    }
  }

  /**
   * Heartbeats every HEARTBEAT_MS; probes to a peer that fails or leaves our calls
   * unanswered back off (waiting at least as long as it has been silent) up to PROBE_MAX_MS.
   */
  private heartbeatInterval(peer: number, p: Progress): number {
    const l = this.links[peer]!;
    let ms = l.failures <= 1 ? HEARTBEAT_MS : Math.min(HEARTBEAT_MS * 2 ** (l.failures - 1), PROBE_MAX_MS);
    if (this.probing(peer, p) && l.unansweredSince !== null) ms = Math.max(ms, Math.min(now() - l.unansweredSince, PROBE_MAX_MS));
    return ms;
  }

  /** The next message to peer goes out after ms unless something else is sent first. */
  private armHeartbeat(peer: number, p: Progress, ms: number): void {
    p.heartbeat?.cancel();
    p.heartbeat = after(ms, () => {
      p.heartbeat = null;
      if (!this.dead && this.role === "leader" && this.progress[peer] === p) this.sendTo(peer);
    });
  }

  private stopLeading(): void {
    for (const p of this.progress) {
      p.heartbeat?.cancel();
      p.heartbeat = null;
    }
    this.progress = [];
    this.flushTimer?.cancel();
    this.flushTimer = null;
    this.quorumTimer?.cancel();
    this.quorumTimer = null;
  }

  /** CheckQuorum: a leader cut off from a majority stops claiming leadership. */
  private checkQuorum(): void {
    this.quorumTimer = null;
    if (this.dead || this.role !== "leader") return;
    const since = now() - QUORUM_MS;
    let alive = 1;
    for (let i = 0; i < this.peers.length; i++) {
      if (i !== this.me && this.progress[i]!.lastAck > since) alive++;
    }
    if (alive * 2 > this.peers.length) {
      this.quorumTimer = after(QUORUM_MS, () => this.checkQuorum());
      return;
    }
    debug("leader", this.me, () => `heard from only ${alive} of ${this.peers.length} in ${QUORUM_MS} ms`);
    this.becomeFollower(this.currentTerm);
  }

  /** Replicate soon: commands started within BATCH_MS go out together. */
  private scheduleFlush(): void {
    if (this.flushTimer !== null) return;
    this.flushTimer = after(BATCH_MS, () => {
      this.flushTimer = null;
      if (this.dead || this.role !== "leader") return;
      this.persistIfDirty();
      this.advanceCommit(); // a lone peer is its own majority
      for (let i = 0; i < this.peers.length; i++) {
        if (i !== this.me) this.maybeSend(i, true);
      }
    });
  }

  /**
   * Send to a reachable peer with nothing in flight, if it lacks entries (or, with
   * withCommit, the commit index: that news waits for the batch window).
   */
  private maybeSend(peer: number, withCommit: boolean): void {
    const p = this.progress[peer]!;
    if (this.probing(peer, p) || p.dataSeq !== 0) return;
    if (p.next <= this.lastIndex() || (withCommit && this.commitIndex > p.sentCommit)) this.sendTo(peer);
  }

  /** One message to peer: entries or the snapshot when it is reachable, else an empty probe. */
  private sendTo(peer: number): void {
    this.persistIfDirty(); // nothing leaves before it is on disk here
    const p = this.progress[peer]!;
    const t = now();
    const seq = this.noteSend(peer);
    const mayCarryData = !this.probing(peer, p) && (p.dataSeq === 0 || t - p.dataAt >= DATA_RESEND_MS);
    this.armHeartbeat(peer, p, this.heartbeatInterval(peer, p));
    if (p.sentCommit < this.commitIndex) p.sentCommit = this.commitIndex;

    if (mayCarryData && p.next <= this.lastIncludedIndex) {
      p.dataSeq = seq;
      p.dataAt = t;
      const args: InstallSnapshotArgs = {
        term: this.currentTerm,
        leaderId: this.me,
        lastIncludedIndex: this.lastIncludedIndex,
        lastIncludedTerm: this.log[0]![0],
        data: this.snapshotData,
      };
      debug("snap", this.me, () => `InstallSnapshot ${args.lastIncludedIndex} to ${peer}`);
      void this.callInstallSnapshot(peer, p, seq, args);
      return;
    }
    const prev = Math.max(p.next - 1, this.lastIncludedIndex);
    let entries: Entry[] = [];
    if (mayCarryData && p.next <= this.lastIndex()) {
      const from = p.next - this.lastIncludedIndex;
      entries = this.log.slice(from, from + MAX_ENTRIES_PER_APPEND);
      p.dataSeq = seq;
      p.dataAt = t;
    }
    const args: AppendEntriesArgs = {
      term: this.currentTerm,
      leaderId: this.me,
      prevLogIndex: prev,
      prevLogTerm: this.termAt(prev),
      entries,
      leaderCommit: this.commitIndex,
    };
    if (entries.length > 0) debug("append", this.me, () => `AppendEntries ${prev + 1}..${prev + entries.length} to ${peer}`);
    void this.callAppendEntries(peer, p, seq, args);
  }

  /** Common bookkeeping for a reply or failure; false if the reply is no longer of use. */
  private outcome(p: Progress, peer: number, seq: number, sentAt: number, term: number, ok: boolean, replyTerm: number): boolean {
    if (this.dead) return false;
    this.noteOutcome(peer, seq, ok, sentAt);
    // A reply to a later message supersedes an outstanding batch (a restarted peer never answers it).
    if (seq === p.dataSeq || (ok && seq > p.dataSeq)) p.dataSeq = 0;
    if (ok && replyTerm > this.currentTerm) {
      debug("leader", this.me, () => `peer ${peer} is in term ${replyTerm}`);
      this.becomeFollower(replyTerm);
      this.persistIfDirty();
      return false;
    }
    if (this.role !== "leader" || this.currentTerm !== term || this.progress[peer] !== p) return false;
    if (ok) {
      p.unknown = false;
      p.lastAck = now();
    }
    return ok;
  }

  private async callAppendEntries(peer: number, p: Progress, seq: number, args: AppendEntriesArgs): Promise<void> {
    const sent = now();
    const r = await this.peers[peer]!.call<AppendEntriesReply>("Raft.AppendEntries", args);
    const reply = r.ok ? r.reply : undefined;
    const valid = isObject(reply) && isIndex(reply.term) && typeof reply.success === "boolean";
    if (!this.outcome(p, peer, seq, sent, args.term, valid, valid ? reply.term : 0)) return;
    if (reply!.success) {
      const match = args.prevLogIndex + args.entries.length;
      if (match > p.match) p.match = match;
      if (p.next <= match) p.next = match + 1;
      this.advanceCommit();
    } else if (isIndex(reply!.conflictIndex) && isConflictTerm(reply!.conflictTerm) && args.prevLogIndex >= p.match) {
      this.backUp(peer, p, args.prevLogIndex, reply!.conflictIndex, reply!.conflictTerm);
    }
    this.maybeSend(peer, false);
  }

  /** The fast backup of nextIndex: skip a whole conflicting term per round trip. */
  private backUp(peer: number, p: Progress, prev: number, conflictIndex: number, conflictTerm: number): void {
    let next = conflictIndex;
    if (conflictTerm >= 0) {
      // If we have entries of conflictTerm, the follower may keep up to our last one.
      for (let i = Math.min(prev, this.lastIndex()); i > this.lastIncludedIndex; i--) {
        const t = this.termAt(i);
        if (t === conflictTerm) {
          next = i + 1;
          break;
        }
        if (t < conflictTerm) break;
      }
    }
    next = Math.max(p.match + 1, Math.min(next, prev));
    if (next < 1) next = 1;
    debug("append", this.me, () => `peer ${peer} conflicts at ${prev} (term ${conflictTerm}, index ${conflictIndex}): next ${p.next} → ${next}`);
    p.next = next;
  }

  private async callInstallSnapshot(peer: number, p: Progress, seq: number, args: InstallSnapshotArgs): Promise<void> {
    const sent = now();
    const r = await this.peers[peer]!.call<InstallSnapshotReply>("Raft.InstallSnapshot", args);
    const reply = r.ok ? r.reply : undefined;
    const valid = isObject(reply) && isIndex(reply.term);
    if (!this.outcome(p, peer, seq, sent, args.term, valid, valid ? reply.term : 0)) return;
    if (args.lastIncludedIndex > p.match) p.match = args.lastIncludedIndex;
    if (p.next <= args.lastIncludedIndex) p.next = args.lastIncludedIndex + 1;
    this.advanceCommit();
    this.maybeSend(peer, false);
  }

  /** Commit the highest index a majority holds, if it is of the current term (Figure 8). */
  private advanceCommit(): void {
    const matches = this.progress.map((p, i) => (i === this.me ? this.lastIndex() : p.match));
    matches.sort((a, b) => b - a);
    const n = matches[Math.floor(this.peers.length / 2)]!;
    if (n > this.commitIndex && this.termAt(n) === this.currentTerm) {
      this.setCommitIndex(n);
      this.scheduleFlush(); // tell the followers
    }
  }

  // ---- applying --------------------------------------------------------------------------

  /**
   * The one place that sends on applyCh: committed entries in order, each exactly once, and
   * a snapshot from the leader before the entries after it. State is re-read after every
   * send, since the service may call snapshot() (or a snapshot may arrive) meanwhile.
   */
  private async applier(): Promise<void> {
    while (!this.dead) {
      let msg: ApplyMsg;
      if (this.lastIncludedIndex > this.lastApplied) {
        const index = this.lastIncludedIndex;
        msg = { snapshotValid: true, snapshot: this.snapshotData, snapshotTerm: this.log[0]![0], snapshotIndex: index };
        this.lastApplied = index;
        trace(this.me, "apply", { index, snapshot: true });
        debug("apply", this.me, () => `apply snapshot through ${index}`);
      } else if (this.commitIndex > this.lastApplied) {
        const index = this.lastApplied + 1;
        const [term, command] = this.log[index - this.lastIncludedIndex]!;
        msg = { commandValid: true, command: ownCopy(command), commandIndex: index, commandTerm: term };
        this.lastApplied = index;
        trace(this.me, "apply", { index });
        debug("apply", this.me, () => `apply ${index} (term ${term})`);
      } else {
        await new Promise<void>((resolve) => {
          this.applierWake = resolve;
        });
        continue;
      }
      try {
        await this.applyCh.send(msg);
      } catch (e) {
        if (e instanceof ChannelClosed) return;
        throw e;
      }
    }
  }
  // SOLUTION END
}

/**
 * The service or tester wants to create a Raft server. The ports of all the Raft servers
 * (including this one) are in peers[]. This server's port is peers[me]. All the servers'
 * peers[] arrays have the same order. persister is a place for this server to save its
 * persistent state, and also initially holds the most recent saved state, if any.
 * applyCh is a channel on which the tester or service expects Raft to send ApplyMsg
 * messages. make() must return quickly; long-running work goes in background loops
 * or timers on the runtime's clock.
 */
export function make(peers: ClientEnd[], me: number, persister: Persister, applyCh: Channel<ApplyMsg>): Raft {
  return new Raft(peers, me, persister, applyCh);
}
