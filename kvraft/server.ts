// A key/value server replicated with Raft (the course's kvraft/server.go). Every Get,
// Put and Append goes through the Raft log; each server applies committed ops in log
// order, so all replicas hold the same map.
import type { ClientEnd } from "../labrpc/index.js";
import type { Persister } from "../raft/persister.js";
import { make, type ApplyMsg, type Raft } from "../raft/raft.js";
import { Channel } from "../runtime/index.js";
import { ErrWrongLeader, type GetArgs, type GetReply, type PutAppendArgs, type PutAppendReply } from "./common.js";

// SOLUTION BEGIN 3A
import { decode, describeValue as describe, encode, encodeText } from "../labrpc/index.js";
import { after, debug, trace, type Timer } from "../runtime/index.js";
import { ErrNoKey, ErrTimeout, OK, type Err } from "./common.js";

// How this solution works (kvraft/README.md, "How the reference works", says more): every
// request, Get included, goes through the Raft log as an op [kind, clientId, seq, key,
// value]; an applier applies committed entries in index order and skips a request the
// duplicate table lastSeq has seen; the handler that started an entry waits for its index
// (a Waiter) and answers with what applying it gave. shardctrler/server.ts and
// shardkv/server.ts use the same idiom, with the same names.

/** How long a handler waits for its op to come out of Raft before giving up. */
const COMMIT_WAIT_MS = 500;
/** Snapshot once Raft's persisted state reaches this fraction of maxraftstate … */
const SNAPSHOT_AT = 0.9;
/**
 * … and a snapshot now would free about this fraction of it: the state has grown by it
 * since the last snapshot, or the entries applied since then are estimated to be this big.
 * Entries not yet applied cannot be trimmed; with many clients they alone can fill
 * maxraftstate, and without this rule every applied op would cost a full snapshot. Growth
 * alone is not enough: an entry already in the log at the last snapshot (appended, not yet
 * committed) is in sizeAfterSnapshot, so applying it later shows no growth, and without a
 * further entry no snapshot would ever take it (or what it changed) out of the log.
 */
const SNAPSHOT_GROWTH = 0.5;
const SNAPSHOT_FORMAT = 1;

/**
 * A client request in the log: [kind, clientId, seq, key, value]. A tuple rather than an
 * object, because Raft re-encodes its whole log on every persist and the bytes count
 * against maxraftstate.
 */
type Op = [kind: "Get" | "Put" | "Append", clientId: number, seq: number, key: string, value: string];

interface Outcome {
  err: Err;
  value: string;
}

/** What a handler answers when it cannot tell what became of its op: the Clerk tries elsewhere. */
const LOST: Outcome = { err: ErrWrongLeader, value: "" };
/** What a handler answers when its op did not come out of Raft in COMMIT_WAIT_MS. */
const TIMED_OUT: Outcome = { err: ErrTimeout, value: "" };

/** A handler waiting for the entry it started at one log index. */
interface Waiter {
  /** The term it was started in: an entry applied at that index in another term is another's. */
  term: number;
  /** Whether the entry applied at the index is the one this handler started. */
  mine(applied: Op): boolean;
  settle(o: Outcome): void;
}

/** Whether op is the request clientId sent as seq (a Clerk's seq names one request). */
function sameRequest(op: Op, clientId: number, seq: number): boolean {
  return op[1] === clientId && op[2] === seq;
}

/** Whether clientId's request seq was applied already, by the duplicate table lastSeq. */
function seen(lastSeq: Map<number, number>, clientId: number, seq: number): boolean {
  return seq <= (lastSeq.get(clientId) ?? 0);
}

/** A map as a flat [key, value, key, value, …] list: the compact form snapshots carry. */
function toFlat<K, V>(m: Map<K, V>): Array<K | V> {
  const out: Array<K | V> = [];
  for (const [k, v] of m) out.push(k, v);
  return out;
}

function fromFlat<K, V>(a: ReadonlyArray<K | V>): Map<K, V> {
  const m = new Map<K, V>();
  for (let i = 0; i + 1 < a.length; i += 2) m.set(a[i] as K, a[i + 1] as V);
  return m;
}

/** Thrown when a server's saved snapshot cannot be decoded; the message says why. */
export class CorruptSnapshotError extends Error {}

/**
 * Our Clerk's fields (labrpc checks the course's). A request without them comes from no
 * Clerk of ours: the handler throws, and the caller's call rejects with the reason.
 */
function requireIds(rpc: string, a: { clientId?: unknown; seq?: unknown }): void {
  const p = idProblem(a);
  if (p !== undefined) throw new Error(`kvraft: malformed ${rpc}: ${p}`);
}

/** The client-id and seq fields the Clerk adds; undefined if both are fine. */
function idProblem(a: { clientId?: unknown; seq?: unknown }): string | undefined {
  if (!Number.isSafeInteger(a.clientId) || (a.clientId as number) < 0) {
    return `clientId must be a non-negative integer, got ${describe(a.clientId)}`;
  }
  if (!Number.isSafeInteger(a.seq) || (a.seq as number) < 1) {
    return `seq must be a positive integer, got ${describe(a.seq)}`;
  }
  return undefined;
}

/** A log entry this server wrote, or undefined for anything else (a no-op, say). */
function asOp(cmd: unknown): Op | undefined {
  if (!Array.isArray(cmd) || cmd.length !== 5) return undefined;
  const [kind, clientId, seq, key, value] = cmd as unknown[];
  if (kind !== "Get" && kind !== "Put" && kind !== "Append") return undefined;
  if (typeof key !== "string" || typeof value !== "string") return undefined;
  if (idProblem({ clientId, seq }) !== undefined) return undefined;
  return cmd as Op;
}
// SOLUTION END

export class KVServer {
  readonly me: number;
  readonly rf: Raft;
  private readonly applyCh: Channel<ApplyMsg>;
  private readonly maxraftstate: number; // snapshot if log grows this big
  private dead = false;
  // Your definitions here.
  // SOLUTION BEGIN 3A
  private readonly persister: Persister;
  private readonly data = new Map<string, string>();
  /** The duplicate table: clientId → highest seq applied (a request with seq <= it was applied). */
  private readonly lastSeq = new Map<number, number>();
  private lastApplied = 0;
  private lastSnapshot = 0;
  /** Raft's state size right after our last snapshot: what trimming could not remove. */
  private sizeAfterSnapshot = 0;
  /**
   * Encoded bytes of the commands applied since the last snapshot (what a snapshot now could
   * trim), counted only up to the SNAPSHOT_GROWTH threshold, beyond which the count is moot.
   */
  private appliedBytes = 0;
  private readonly waiters = new Map<number, Waiter>();
  // SOLUTION END

  constructor(servers: ClientEnd[], me: number, persister: Persister, maxraftstate: number) {
    this.me = me;
    this.maxraftstate = maxraftstate;
    // You may need initialization code here.
    // SOLUTION BEGIN 3A
    this.persister = persister;
    // Restore before Raft starts, so a bad snapshot leaves nothing running behind.
    this.restore(persister.readSnapshot());
    this.lastSnapshot = this.lastApplied;
    // SOLUTION END
    this.applyCh = new Channel<ApplyMsg>();
    this.rf = make(servers, me, persister, this.applyCh);
    // You may need initialization code here.
    // SOLUTION BEGIN 3A
    void this.applier();
    // SOLUTION END
  }

  /**
   * The Get RPC handler. labrpc has already checked the course's fields (a string key);
   * the fields you added are yours to check.
   */
  async get(args: GetArgs): Promise<GetReply> {
    // Your code here.
    // SOLUTION BEGIN 3A
    if (this.killed()) return { err: ErrWrongLeader, value: "" };
    requireIds("Get", args);
    return this.submit(["Get", args.clientId, args.seq, args.key, ""], (applied) => sameRequest(applied, args.clientId, args.seq));
    // SOLUTION STUB
    // return { err: ErrWrongLeader, value: "" };
    // SOLUTION END
  }

  /** The PutAppend RPC handler; labrpc has checked key, value and op. */
  async putAppend(args: PutAppendArgs): Promise<PutAppendReply> {
    // Your code here.
    // SOLUTION BEGIN 3A
    if (this.killed()) return { err: ErrWrongLeader };
    requireIds("PutAppend", args);
    // Already applied here, hence committed: a late retry needs no second log entry.
    if (seen(this.lastSeq, args.clientId, args.seq)) return { err: OK };
    const op: Op = [args.op, args.clientId, args.seq, args.key, args.value];
    const o = await this.submit(op, (applied) => sameRequest(applied, args.clientId, args.seq));
    return { err: o.err };
    // SOLUTION STUB
    // return { err: ErrWrongLeader };
    // SOLUTION END
  }

  /**
   * The tester calls kill() when a KVServer instance won't be needed again. For your
   * convenience, we supply code to set dead and to kill Raft, and killed() to test dead
   * in long-running loops. You can add your own code here; you're not required to, but it
   * may be convenient, e.g. to answer handlers still waiting, or to silence a dead server.
   * Do not close applyCh here: Raft's applier may be blocked in applyCh.send(), and a send
   * on a closed Channel rejects with ChannelClosed (Go's panic) in Raft's background task,
   * which fails the test. To stop your loop that reads applyCh, check killed() after each
   * message; a loop left waiting on recv() after kill() is harmless (it never runs again).
   */
  kill(): void {
    this.dead = true;
    this.rf.kill();
    // Your code here, if desired.
    // SOLUTION BEGIN 3A
    // Handlers still waiting will never learn their fate here: let their Clerks move on.
    for (const w of [...this.waiters.values()]) w.settle(LOST);
    // SOLUTION END
  }

  killed(): boolean {
    return this.dead;
  }

  // SOLUTION BEGIN 3A
  /**
   * Start op in Raft and wait until it is applied (its outcome), lost to another entry
   * (LOST), or COMMIT_WAIT_MS passes (TIMED_OUT). mine tells this handler's entry from
   * another leader's at the same index.
   */
  private submit(op: Op, mine: (applied: Op) => boolean): Promise<Outcome> {
    if (this.killed()) return Promise.resolve(LOST);
    const { index, term, isLeader } = this.rf.start(op);
    if (!isLeader) return Promise.resolve(LOST);
    const [kind, clientId, seq, key] = op;
    debug("kv", this.me, () => `start ${kind} ${key} c${clientId}#${seq} at ${index} term ${term}`);
    return new Promise<Outcome>((resolve) => {
      let done = false;
      let timer: Timer | undefined;
      const w: Waiter = {
        term,
        mine,
        settle: (o) => {
          if (done) return;
          done = true;
          timer?.cancel();
          if (this.waiters.get(index) === w) this.waiters.delete(index);
          resolve(o);
        },
      };
      // A handler from an earlier term that got the same index has lost its entry.
      this.waiters.get(index)?.settle(LOST);
      this.waiters.set(index, w);
      timer = after(COMMIT_WAIT_MS, () => w.settle(TIMED_OUT));
    });
  }

  private async applier(): Promise<void> {
    for (;;) {
      const r = await this.applyCh.recv();
      if (r.done || this.killed()) return;
      const msg = r.value;
      if (msg.commandValid === true) {
        this.applyCommand(msg.commandIndex, msg.commandTerm, msg.command);
      } else if (msg.snapshotValid === true) {
        this.applySnapshot(msg.snapshotIndex, msg.snapshotTerm, msg.snapshot);
      }
    }
  }

  private applyCommand(index: number, term: number, command: unknown): void {
    if (index <= this.lastApplied) return; // already in our state (e.g. via a snapshot)
    if (index !== this.lastApplied + 1) {
      throw new Error(
        `kvraft server ${this.me}: Raft applied index ${index} right after ${this.lastApplied}; ` +
          `entries in between were never delivered (a Raft bug)`,
      );
    }
    this.lastApplied = index;
    const op = asOp(command);
    const out: Outcome = op === undefined ? LOST : this.executeClientOp(op);
    trace(this.me, "kv-apply", { index, term });
    const w = this.waiters.get(index);
    if (w !== undefined) w.settle(op !== undefined && w.term === term && w.mine(op) ? out : LOST);
    this.countApplied(command);
    this.maybeSnapshot();
  }

  /** Apply a client request to the map, unless it was applied before. */
  private executeClientOp([kind, clientId, seq, key, value]: Op): Outcome {
    const dup = seen(this.lastSeq, clientId, seq);
    if (kind === "Get") {
      if (!dup) this.lastSeq.set(clientId, seq);
      const v = this.data.get(key);
      return v === undefined ? { err: ErrNoKey, value: "" } : { err: OK, value: v };
    }
    if (!dup) {
      this.data.set(key, kind === "Put" ? value : (this.data.get(key) ?? "") + value);
      this.lastSeq.set(clientId, seq);
    }
    return { err: OK, value: "" };
  }

  /** Add an applied command's encoded size to appliedBytes (encoding it only while that matters). */
  private countApplied(command: unknown): void {
    if (this.maxraftstate < 0 || this.appliedBytes >= this.maxraftstate * SNAPSHOT_GROWTH) return;
    this.appliedBytes += encodeText(command, "applied command").length;
  }

  private maybeSnapshot(): void {
    if (this.maxraftstate < 0 || this.lastApplied <= this.lastSnapshot) return;
    const size = this.persister.raftStateSize();
    if (size < this.maxraftstate * SNAPSHOT_AT) return;
    const enough = this.maxraftstate * SNAPSHOT_GROWTH;
    if (size - this.sizeAfterSnapshot < enough && this.appliedBytes < enough) return;
    this.lastSnapshot = this.lastApplied;
    trace(this.me, "kv-snapshot", { index: this.lastApplied });
    this.rf.snapshot(this.lastApplied, this.encodeState());
    this.sizeAfterSnapshot = this.persister.raftStateSize();
    this.appliedBytes = 0;
  }

  private applySnapshot(index: number, term: number, snapshot: Uint8Array): void {
    if (!this.rf.condInstallSnapshot(term, index, snapshot)) return;
    if (index <= this.lastApplied) return; // we are already past it
    this.restore(snapshot);
    this.lastApplied = index;
    this.lastSnapshot = index;
    this.sizeAfterSnapshot = this.persister.raftStateSize();
    this.appliedBytes = 0;
    trace(this.me, "kv-restore", { index, term });
    // Handlers waiting at or below index can't learn their op's result from a snapshot.
    for (const [i, w] of [...this.waiters]) if (i <= index) w.settle(LOST);
  }

  /** The map, the duplicate table and the index they reflect, as compact flat arrays. */
  private encodeState(): Uint8Array {
    const state = { format: SNAPSHOT_FORMAT, index: this.lastApplied, kv: toFlat(this.data), lastSeq: toFlat(this.lastSeq) };
    return encode(state, "kvraft snapshot");
  }

  /** Replace all state with a snapshot's; an empty one means a fresh server. */
  private restore(snapshot: Uint8Array): void {
    const fail = (problem: string): never => {
      throw new CorruptSnapshotError(
        `kvraft server ${this.me}: corrupt snapshot (${snapshot.length} bytes): ${problem}`,
      );
    };
    this.data.clear();
    this.lastSeq.clear();
    this.lastApplied = 0;
    if (snapshot.length === 0) return;
    let s: unknown;
    try {
      s = decode(snapshot, "kvraft snapshot");
    } catch (e) {
      fail((e as Error).message);
    }
    if (typeof s !== "object" || s === null || Array.isArray(s)) return fail(`not an object but ${describe(s)}`);
    const { format, index, kv, lastSeq } = s as Record<string, unknown>;
    if (format !== SNAPSHOT_FORMAT) fail(`unknown format ${describe(format)} (expected ${SNAPSHOT_FORMAT})`);
    if (!Number.isSafeInteger(index) || (index as number) < 0) fail(`index is ${describe(index)}`);
    if (!Array.isArray(kv) || kv.length % 2 !== 0 || !kv.every((x) => typeof x === "string")) {
      fail("kv is not a flat list of key/value strings");
    }
    if (!Array.isArray(lastSeq) || lastSeq.length % 2 !== 0 || !lastSeq.every((x) => Number.isSafeInteger(x))) {
      fail("lastSeq is not a flat list of client id/seq integers");
    }
    for (const [k, v] of fromFlat<string, string>(kv as string[])) this.data.set(k, v);
    for (const [c, seq] of fromFlat<number, number>(lastSeq as number[])) this.lastSeq.set(c, seq);
    this.lastApplied = index as number;
  }
  // SOLUTION END
}

/**
 * servers[] contains the ends of the set of servers that will cooperate via Raft to
 * form the fault-tolerant key/value service; me is the index of the current server.
 * The k/v server should store snapshots through the persister, and Raft should save its
 * state (including the log) there too. The server snapshots when Raft's saved state
 * grows near maxraftstate bytes; -1 means never. Returns at once: long-running work
 * runs in the background.
 */
export function startKVServer(
  servers: ClientEnd[],
  me: number,
  persister: Persister,
  maxraftstate: number,
): KVServer {
  return new KVServer(servers, me, persister, maxraftstate);
}
