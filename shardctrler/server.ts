// A shard controller server (the course's shardctrler/server.go): a Raft-replicated
// sequence of configurations. Join, Leave and Move each append a new config; Query reads
// one. Every replica applies the same log in the same order, so all hold the same configs.
import type { ClientEnd } from "../labrpc/index.js";
import type { Persister } from "../raft/persister.js";
import { make, type ApplyMsg, type Raft } from "../raft/raft.js";
import { Channel } from "../runtime/index.js";
// SOLUTION BEGIN 4A
import { after, debug, type Timer } from "../runtime/index.js";
import { NShards } from "./common.js";
import { ErrInvalidArgs } from "./framework/errors.js";
// SOLUTION END
import {
  OK,
  type Config,
  type JoinArgs,
  type JoinReply,
  type LeaveArgs,
  type LeaveReply,
  type MoveArgs,
  type MoveReply,
  type QueryArgs,
  type QueryReply,
} from "./common.js";
import { zeroConfig } from "./framework/zero-config.js";

// SOLUTION BEGIN 4A
// How this solution works (shardkv/README.md, "How the reference works", says more): every
// Join, Leave, Move and Query(-1) goes through the Raft log as an op [kind, clientId, seq,
// argument]; an applier applies committed entries in index order and answers a request
// the duplicate table lastSeq has seen with its first answer; the handler that started an
// entry waits for its index (a Waiter). kvraft/server.ts and shardkv/server.ts use the
// same idiom, with the same names. rebalance moves the fewest shards possible.

/** How long a handler waits for its op to come out of Raft before the Clerk tries elsewhere. */
const COMMIT_WAIT_MS = 500;

/**
 * A client request in the log: [kind, clientId, seq, argument], a tuple as in kvraft and
 * shardkv. Join's argument is its [gid, servers] pairs sorted by gid, Leave's the gids,
 * Move's [shard, gid], Query's the config number asked for.
 */
type Op =
  | [kind: "Join", clientId: number, seq: number, groups: Array<[number, string[]]>]
  | [kind: "Leave", clientId: number, seq: number, gids: number[]]
  | [kind: "Move", clientId: number, seq: number, shardAndGid: [number, number]]
  | [kind: "Query", clientId: number, seq: number, num: number];

interface Outcome {
  wrongLeader: boolean;
  err: string;
  config: Config;
}

/** What a handler answers when it cannot tell what became of its op: the Clerk tries elsewhere. */
const LOST: Outcome = { wrongLeader: true, err: OK, config: zeroConfig() };
/** What a handler answers when its op did not come out of Raft in COMMIT_WAIT_MS. */
const TIMED_OUT: Outcome = LOST;

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

function copyConfig(c: Config): Config {
  const groups: Record<number, string[]> = {};
  for (const [g, names] of Object.entries(c.groups)) groups[Number(g)] = [...names];
  return { num: c.num, shards: [...c.shards], groups };
}

/** The gids of a config, ascending: the one order every replica agrees on. */
function sortedGids(c: Config): number[] {
  return Object.keys(c.groups)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Spread the shards over c's groups, as evenly as possible (counts differ by at most one)
 * and with as few moves as possible: shards of departed groups (or gid 0) and each
 * group's surplus move; nothing else does. The groups that hold the most shards keep the
 * larger quota. Depends only on c (sorted gids, shard numbers), never on iteration order.
 */
function rebalance(c: Config): void {
  const gids = sortedGids(c);
  if (gids.length === 0) {
    c.shards.fill(0);
    return;
  }
  const owned = new Map<number, number[]>(gids.map((g) => [g, []]));
  const free: number[] = [];
  c.shards.forEach((g, s) => (owned.has(g) ? owned.get(g)!.push(s) : free.push(s)));
  // Larger holders first (ties: smaller gid), so the +1 quotas need the fewest moves.
  const byLoad = [...gids].sort((a, b) => owned.get(b)!.length - owned.get(a)!.length || a - b);
  const base = Math.floor(NShards / gids.length);
  const extra = NShards % gids.length;
  const quota = new Map<number, number>(byLoad.map((g, i) => [g, base + (i < extra ? 1 : 0)]));
  for (const g of byLoad) {
    const mine = owned.get(g)!;
    while (mine.length > quota.get(g)!) free.push(mine.pop()!);
  }
  free.sort((a, b) => a - b);
  for (const g of byLoad) {
    const mine = owned.get(g)!;
    while (mine.length < quota.get(g)!) {
      const s = free.shift()!;
      mine.push(s);
      c.shards[s] = g;
    }
  }
}
// SOLUTION END

export class ShardCtrler {
  readonly me: number;
  readonly rf: Raft;
  private readonly applyCh: Channel<ApplyMsg>;
  private dead = false;
  // Your data here.
  /** indexed by config num */
  private readonly configs: Config[] = [zeroConfig()];
  // SOLUTION BEGIN 4A
  /** The duplicate table: clientId → the highest seq applied and its error (a retry gets the same answer). */
  private readonly lastSeq = new Map<number, { seq: number; err: string }>();
  private lastApplied = 0;
  private readonly waiters = new Map<number, Waiter>();
  // SOLUTION END

  constructor(servers: ClientEnd[], me: number, persister: Persister) {
    this.me = me;
    this.applyCh = new Channel<ApplyMsg>();
    this.rf = make(servers, me, persister, this.applyCh);
    // Your code here.
    // SOLUTION BEGIN 4A
    void this.applier();
    // SOLUTION END
  }

  async join(args: JoinArgs): Promise<JoinReply> {
    let reply: JoinReply = { wrongLeader: false, err: OK };
    // Your code here.
    // SOLUTION BEGIN 4A
    const pairs = Object.entries(args.servers)
      .map(([g, names]): [number, string[]] => [Number(g), names])
      .sort((a, b) => a[0] - b[0]);
    reply = await this.request(["Join", args.clientId, args.seq, pairs]);
    // SOLUTION END
    return reply;
  }

  async leave(args: LeaveArgs): Promise<LeaveReply> {
    let reply: LeaveReply = { wrongLeader: false, err: OK };
    // Your code here.
    // SOLUTION BEGIN 4A
    reply = await this.request(["Leave", args.clientId, args.seq, args.gids]);
    // SOLUTION END
    return reply;
  }

  async move(args: MoveArgs): Promise<MoveReply> {
    let reply: MoveReply = { wrongLeader: false, err: OK };
    // Your code here.
    // SOLUTION BEGIN 4A
    reply = await this.request(["Move", args.clientId, args.seq, [args.shard, args.gid]]);
    // SOLUTION END
    return reply;
  }

  async query(args: QueryArgs): Promise<QueryReply> {
    let reply: QueryReply = { wrongLeader: false, err: OK, config: zeroConfig() };
    // Your code here.
    // SOLUTION BEGIN 4A
    const known = this.configs[args.num];
    // A config never changes once made, so one this replica holds is the answer as is;
    // only "the newest" needs the log (it must reflect every Join/Leave/Move before it).
    if (args.num >= 0 && known !== undefined) return { wrongLeader: false, err: OK, config: copyConfig(known) };
    reply = await this.request(["Query", args.clientId, args.seq, args.num]);
    // SOLUTION END
    return reply;
  }

  /**
   * The tester calls kill() when a ShardCtrler instance won't be needed again. You are
   * not required to do anything in kill(), but it might be convenient to (for example)
   * turn off debug output from this instance.
   * Do not close applyCh here: Raft's applier may be blocked in applyCh.send(), and a send
   * on a closed Channel rejects with ChannelClosed (Go's panic) in Raft's background task,
   * which fails the test. To stop your loop that reads applyCh, check killed() after each
   * message; a loop left waiting on recv() after kill() is harmless (it never runs again).
   */
  kill(): void {
    this.dead = true;
    this.rf.kill();
    // Your code here, if desired.
    // SOLUTION BEGIN 4A
    // Handlers still waiting will never learn their fate here: let their Clerks move on.
    for (const w of [...this.waiters.values()]) w.settle(LOST);
    // SOLUTION END
  }

  killed(): boolean {
    return this.dead;
  }

  /** needed by shardkv tester */
  raft(): Raft {
    return this.rf;
  }

  // SOLUTION BEGIN 4A
  /** A Clerk's request: refused without our ids (clientId, seq), else submitted. */
  private request(op: Op): Promise<Outcome> {
    const [, clientId, seq] = op;
    if (!Number.isSafeInteger(clientId) || !Number.isSafeInteger(seq)) {
      return Promise.resolve({ ...LOST, wrongLeader: false, err: `${ErrInvalidArgs}: clientId and seq must be integers` });
    }
    return this.submit(op, (applied) => sameRequest(applied, clientId, seq));
  }

  /**
   * Start op in Raft and wait until it is applied (its outcome), lost to another entry
   * (LOST), or COMMIT_WAIT_MS passes (TIMED_OUT). mine tells this handler's entry from
   * another leader's at the same index.
   */
  private submit(op: Op, mine: (applied: Op) => boolean): Promise<Outcome> {
    if (this.killed()) return Promise.resolve(LOST);
    const { index, term, isLeader } = this.rf.start(op);
    if (!isLeader) return Promise.resolve(LOST);
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
      // No snapshots: the controller's state is small and its log short.
      if (msg.commandValid === true) this.applyCommand(msg.commandIndex, msg.commandTerm, msg.command as Op);
    }
  }

  private applyCommand(index: number, term: number, op: Op): void {
    if (index <= this.lastApplied) return;
    if (index !== this.lastApplied + 1) {
      throw new Error(`shardctrler ${this.me}: Raft applied index ${index} right after ${this.lastApplied} (a Raft bug)`);
    }
    this.lastApplied = index;
    const out = this.executeClientOp(op);
    const w = this.waiters.get(index);
    if (w !== undefined) w.settle(w.term === term && w.mine(op) ? out : LOST);
  }

  /** Apply a client request, unless it was applied before (then repeat its first answer). */
  private executeClientOp(op: Op): Outcome {
    const newest = this.configs[this.configs.length - 1]!;
    if (op[0] === "Query") {
      const c = op[3] >= 0 && op[3] < this.configs.length ? this.configs[op[3]]! : newest;
      return { wrongLeader: false, err: OK, config: copyConfig(c) };
    }
    const [, clientId, seq] = op;
    const last = this.lastSeq.get(clientId);
    if (last !== undefined && seq <= last.seq) return { wrongLeader: false, err: last.err, config: zeroConfig() };
    const next = copyConfig(newest);
    next.num++;
    const err = this.change(next, op);
    if (err === OK) this.configs.push(next);
    this.lastSeq.set(clientId, { seq, err });
    debug("ctrler", this.me, () => `${op[0]} ${JSON.stringify(op[3])}: ${err === OK ? `config ${next.num} ${next.shards}` : err}`);
    return { wrongLeader: false, err, config: zeroConfig() };
  }

  /** Make the change op asks for in next; OK, or why it cannot be made (next is then dropped). */
  private change(next: Config, op: Exclude<Op, { 0: "Query" }>): string {
    switch (op[0]) {
      case "Join": {
        for (const [gid] of op[3]) {
          if (next.groups[gid] !== undefined) return `${ErrInvalidArgs}: Join of gid ${gid}, which is already present`;
        }
        for (const [gid, names] of op[3]) next.groups[gid] = [...names];
        rebalance(next);
        return OK;
      }
      case "Leave": {
        for (const gid of op[3]) {
          if (next.groups[gid] === undefined) return `${ErrInvalidArgs}: Leave of gid ${gid}, which is not present`;
        }
        for (const gid of op[3]) delete next.groups[gid];
        rebalance(next);
        return OK;
      }
      case "Move": {
        const [shard, gid] = op[3];
        if (next.groups[gid] === undefined) return `${ErrInvalidArgs}: Move to gid ${gid}, which is not present`;
        next.shards[shard] = gid;
        return OK;
      }
    }
  }
  // SOLUTION END
}

/**
 * servers[] contains the ports of the set of servers that will cooperate via Raft to form
 * the fault-tolerant shardctrler service. me is the index of the current server in
 * servers[]. Returns at once; the work runs in the background.
 */
export function startServer(servers: ClientEnd[], me: number, persister: Persister): ShardCtrler {
  return new ShardCtrler(servers, me, persister);
}
