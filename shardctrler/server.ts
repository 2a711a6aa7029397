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
/** How long a handler waits for its op to come out of Raft before the Clerk tries elsewhere. */
const COMMIT_WAIT_MS = 500;

/**
 * A log entry: [kind, clientId, seq, payload]. Join carries [gid, servers][] pairs sorted
 * by gid, Leave the gids, Move [shard, gid], Query the number asked for.
 */
type Op =
  | ["J", number, number, Array<[number, string[]]>]
  | ["L", number, number, number[]]
  | ["M", number, number, [number, number]]
  | ["Q", number, number, number];

interface Outcome {
  wrongLeader: boolean;
  err: string;
  config: Config;
}

/** A handler waiting for the op it started at some log index. */
interface Waiter {
  term: number;
  clientId: number;
  seq: number;
  settle(o: Outcome): void;
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
  /** Per Clerk: the highest seq applied and its error (a retry gets the same answer). */
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
    reply = await this.submit(["J", args.clientId, args.seq, pairs]);
    // SOLUTION END
    return reply;
  }

  async leave(args: LeaveArgs): Promise<LeaveReply> {
    let reply: LeaveReply = { wrongLeader: false, err: OK };
    // Your code here.
    // SOLUTION BEGIN 4A
    reply = await this.submit(["L", args.clientId, args.seq, args.gids]);
    // SOLUTION END
    return reply;
  }

  async move(args: MoveArgs): Promise<MoveReply> {
    let reply: MoveReply = { wrongLeader: false, err: OK };
    // Your code here.
    // SOLUTION BEGIN 4A
    reply = await this.submit(["M", args.clientId, args.seq, [args.shard, args.gid]]);
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
    reply = await this.submit(["Q", args.clientId, args.seq, args.num]);
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
    for (const w of [...this.waiters.values()]) w.settle({ wrongLeader: true, err: OK, config: zeroConfig() });
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
  /** Start op in Raft and wait until it is applied, superseded, or the wait times out. */
  private submit(op: Op): Promise<Outcome> {
    const lost: Outcome = { wrongLeader: true, err: OK, config: zeroConfig() };
    if (!Number.isSafeInteger(op[1]) || !Number.isSafeInteger(op[2])) {
      return Promise.resolve({ ...lost, wrongLeader: false, err: `${ErrInvalidArgs}: clientId and seq must be integers` });
    }
    if (this.dead) return Promise.resolve(lost);
    const { index, term, isLeader } = this.rf.start(op);
    if (!isLeader) return Promise.resolve(lost);
    return new Promise<Outcome>((resolve) => {
      let timer: Timer | undefined;
      const w: Waiter = {
        term,
        clientId: op[1],
        seq: op[2],
        settle: (o) => {
          timer?.cancel();
          if (this.waiters.get(index) === w) this.waiters.delete(index);
          w.settle = () => {};
          resolve(o);
        },
      };
      this.waiters.get(index)?.settle(lost); // an earlier term's handler lost this index
      this.waiters.set(index, w);
      timer = after(COMMIT_WAIT_MS, () => w.settle(lost));
    });
  }

  private async applier(): Promise<void> {
    for (;;) {
      const r = await this.applyCh.recv();
      if (r.done || this.dead) return;
      const msg = r.value;
      if (msg.commandValid !== true || msg.commandIndex <= this.lastApplied) continue;
      this.lastApplied = msg.commandIndex;
      const op = msg.command as Op;
      const out = this.execute(op);
      const w = this.waiters.get(msg.commandIndex);
      if (w === undefined) continue;
      const mine = w.term === msg.commandTerm && w.clientId === op[1] && w.seq === op[2];
      w.settle(mine ? out : { wrongLeader: true, err: OK, config: zeroConfig() });
    }
  }

  /** Apply one op, unless this Clerk's request was applied before (then repeat its answer). */
  private execute(op: Op): Outcome {
    const newest = this.configs[this.configs.length - 1]!;
    if (op[0] === "Q") {
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
  private change(next: Config, op: Exclude<Op, ["Q", number, number, number]>): string {
    switch (op[0]) {
      case "J": {
        for (const [gid] of op[3]) {
          if (next.groups[gid] !== undefined) return `${ErrInvalidArgs}: Join of gid ${gid}, which is already present`;
        }
        for (const [gid, names] of op[3]) next.groups[gid] = [...names];
        rebalance(next);
        return OK;
      }
      case "L": {
        for (const gid of op[3]) {
          if (next.groups[gid] === undefined) return `${ErrInvalidArgs}: Leave of gid ${gid}, which is not present`;
        }
        for (const gid of op[3]) delete next.groups[gid];
        rebalance(next);
        return OK;
      }
      case "M": {
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
