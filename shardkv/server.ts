// A sharded key/value server (the course's shardkv/server.go): one replica of one
// replication group. The group's Raft log orders client ops and configuration steps
// alike, so every replica agrees on which shards it serves at each point of the log.
//
// Every method of ShardKV is an RPC handler ("ShardKV.PullShards" reaches pullShards),
// TypeScript `private` ones too, except kill, killed, names starting with "_" and
// #private methods: name your shard-transfer RPCs as you like, keep helpers off the
// network with "_" or "#".
//
// Hints (the course's, and one more):
// - Poll the shardctrler for a newer configuration about every 100 ms, and take
//   configurations one at a time, in order.
// - Put every step of a configuration change in the group's Raft log, as client ops are,
//   so that all replicas agree on which shards they serve at each point of the log.
// - A new Raft leader cannot know that entries of earlier terms are committed until it has
//   committed an entry of its own term (the Raft paper, section 5.4.2 and Figure 8). A
//   group that waits on a configuration step from an earlier term, while no client op
//   arrives to start a new entry, then waits forever: have a new leader start an entry of
//   its own (a no-op op of your service) when it takes office, if your Raft does not.
import { decode, encode, type ClientEnd } from "../labrpc/index.js";
import type { Persister } from "../raft/persister.js";
import { make, type ApplyMsg, type Raft } from "../raft/raft.js";
import { Channel } from "../runtime/index.js";
import type { Config } from "../shardctrler/common.js";
import { zeroConfig } from "../shardctrler/framework/zero-config.js";
// SOLUTION BEGIN 4B
import { after, sleep, trace, type Timer } from "../runtime/index.js";
import { makeClerk as makeCtrlerClerk, type Clerk as CtrlerClerk } from "../shardctrler/client.js";
import { NShards } from "../shardctrler/common.js";
import {
  ErrNoKey,
  ErrNotReady,
  ErrWrongGroup,
  key2shard,
  type DeleteShardsArgs,
  type DeleteShardsReply,
  type PullShardsArgs,
  type PullShardsReply,
  type ShardData,
} from "./common.js";
// SOLUTION END
import { ErrWrongLeader, OK, type GetArgs, type GetReply, type PutAppendArgs, type PutAppendReply } from "./common.js";
import { CorruptSnapshotError, ErrInvalidArgs } from "./framework/errors.js";
import type { MakeEnd } from "./client.js";

// SOLUTION BEGIN 4B
// How this solution works:
// - Each shard has a state: "N" not ours, "S" serving, "P" ours but its data has not
//   arrived, "G" ours with its data, waiting for the old owner to drop its copy, "B"
//   handed over: frozen here until the new owner has it, "Z" frozen here because every
//   group left (the controller gave it to gid 0) until some group is given it again. Clients are served in S and G
//   only, so a shard serves as soon as its data is in, and other shards never wait.
// - The leader asks the controller for config cur+1 only when every shard is S or N, so
//   configs are taken one at a time, in order; the step goes through the log ("C").
// - The new owner pulls P shards from the old owner's servers (any replica at that config
//   has the frozen data), installs them through the log ("I"), then tells the old owner
//   to drop them; once that is committed there, it marks them S through its log ("D").
// - A shard's duplicate table travels with it, so a retried Append is applied once even
//   if the retry reaches the new owner.
// - A group given a shard that gid 0 held looks back through the controller's configs for
//   its last real owner and pulls it from there ("Z"); only a shard no group ever held
//   starts empty.

/** How often the leader asks the controller for the next config (the course's ~100 ms). */
const POLL_MS = 100;
/** How often the leader retries shard pulls and deletions still pending. */
const MIGRATE_MS = 50;
/** How long a handler waits for its op to come out of Raft before the Clerk tries elsewhere. */
const COMMIT_WAIT_MS = 500;
/** Snapshot when Raft's state reaches this fraction of maxraftstate and grew by SNAPSHOT_GROWTH of it. */
const SNAPSHOT_AT = 0.9;
const SNAPSHOT_GROWTH = 0.5;
const SNAPSHOT_FORMAT = 1;

type ShardState = "N" | "S" | "P" | "G" | "B" | "Z";

/**
 * Where a shard in transit comes from: a group, the config number at which that group
 * holds it frozen ("B" at that config, or "Z" since that config when orphan), and the
 * group's servers.
 */
interface Source {
  gid: number;
  num: number;
  orphan: boolean;
  servers: string[];
}

interface Shard {
  state: ShardState;
  kv: Map<string, string>;
  /** clientId → highest seq applied to this shard. */
  dup: Map<number, number>;
  /** P and G: where the data comes from (null while an orphan's last owner is unknown). Z: since which config. */
  src: Source | null;
  since: number;
}

/** A log entry. Tuples, because Raft re-encodes them and they count against maxraftstate. */
type Op =
  | [kind: "Get" | "Put" | "Append", key: string, value: string, clientId: number, seq: number]
  | [kind: "Config", config: Config]
  | [kind: "Install", configNum: number, data: ShardData[], src: Source | null]
  | [kind: "Done", configNum: number, shards: number[]]
  | [kind: "Drop", since: number, shards: number[]]
  | [kind: "Source", configNum: number, shard: number, src: Source]
  | [kind: "Noop"];

interface Outcome {
  err: string;
  value: string;
}

interface Waiter {
  term: number;
  /** Whether the entry applied at this index is the one this handler started. */
  mine(op: Op): boolean;
  settle(o: Outcome): void;
}

function emptyShard(state: ShardState): Shard {
  return { state, kv: new Map(), dup: new Map(), src: null, since: 0 };
}

function flatKv(m: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of m) out.push(k, v);
  return out;
}

function flatDup(m: Map<number, number>): number[] {
  const out: number[] = [];
  for (const [c, s] of m) out.push(c, s);
  return out;
}

function unflatKv(a: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < a.length; i += 2) m.set(a[i]!, a[i + 1]!);
  return m;
}

function unflatDup(a: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i + 1 < a.length; i += 2) m.set(a[i]!, a[i + 1]!);
  return m;
}

/** Shards in state, grouped by their (known) source. */
function bySource(shards: Shard[], state: ShardState): Array<{ src: Source; shards: number[] }> {
  const out = new Map<string, { src: Source; shards: number[] }>();
  shards.forEach((sh, s) => {
    if (sh.state !== state || sh.src === null) return;
    const key = `${sh.src.gid}/${sh.src.num}/${sh.src.orphan}`;
    const e = out.get(key) ?? { src: sh.src, shards: [] };
    e.shards.push(s);
    out.set(key, e);
  });
  return [...out.values()];
}

/** A config is complete here when no shard is on its way in or out (orphans may wait). */
function settled(shards: Shard[]): boolean {
  return shards.every((sh) => sh.state === "S" || sh.state === "N" || sh.state === "Z");
}
// SOLUTION END

export class ShardKV {
  readonly me: number;
  readonly rf: Raft;
  private readonly applyCh: Channel<ApplyMsg>;
  private readonly makeEnd: MakeEnd;
  private readonly gid: number;
  private readonly ctrlers: ClientEnd[];
  private readonly maxraftstate: number; // snapshot if log grows this big
  private dead = false;
  // Your definitions here.
  // SOLUTION BEGIN 4B
  private readonly persister: Persister;
  private readonly mck: CtrlerClerk;
  private cur: Config = zeroConfig();
  private prev: Config = zeroConfig();
  private shards: Shard[] = Array.from({ length: NShards }, () => emptyShard("N"));
  private lastApplied = 0;
  private lastSnapshot = 0;
  private sizeAfterSnapshot = 0;
  private readonly waiters = new Map<number, Waiter>();
  /** The term in which this server, as leader, last started a no-op. */
  private noopTerm = -1;
  /** Old owners (gids) we are talking to right now, so one pull or delete per group is in flight. */
  private readonly busy = new Set<string>();
  private readonly ends = new Map<string, ClientEnd>();
  /** Leader-local: shards being traced back to their last owner (one lookback each at a time). */
  private readonly tracing = new Set<number>();
  // SOLUTION END

  constructor(
    servers: ClientEnd[],
    me: number,
    persister: Persister,
    maxraftstate: number,
    gid: number,
    ctrlers: ClientEnd[],
    makeEnd: MakeEnd,
  ) {
    this.me = me;
    this.maxraftstate = maxraftstate;
    this.makeEnd = makeEnd;
    this.gid = gid;
    this.ctrlers = ctrlers;
    // Your initialization code here.
    // SOLUTION BEGIN 4B
    this.persister = persister;
    // Use something like this to talk to the shardctrler:
    this.mck = makeCtrlerClerk(this.ctrlers);
    this.restore(persister.readSnapshot()); // before Raft starts: a bad snapshot leaves nothing running
    this.lastSnapshot = this.lastApplied;
    // SOLUTION END
    this.applyCh = new Channel<ApplyMsg>();
    this.rf = make(servers, me, persister, this.applyCh);
    // SOLUTION BEGIN 4B
    void this.applier();
    void this.poller();
    void this.migrator();
    // SOLUTION END
  }

  async get(args: GetArgs): Promise<GetReply> {
    if (this.killed()) return { err: ErrWrongLeader, value: "" };
    let reply: GetReply = { err: ErrWrongLeader, value: "" };
    // Your code here.
    // SOLUTION BEGIN 4B
    if (!this.serves(key2shard(args.key))) return { err: ErrWrongGroup, value: "" };
    reply = await this.submitClientOp(["Get", args.key, "", args.clientId, args.seq]);
    // SOLUTION END
    return reply;
  }

  async putAppend(args: PutAppendArgs): Promise<PutAppendReply> {
    if (this.killed()) return { err: ErrWrongLeader };
    let reply: PutAppendReply = { err: ErrWrongLeader };
    // Your code here.
    // SOLUTION BEGIN 4B
    const s = key2shard(args.key);
    if (!this.serves(s)) return { err: ErrWrongGroup };
    // Applied here already, hence committed: a late retry needs no second log entry.
    if (args.seq <= (this.shards[s]!.dup.get(args.clientId) ?? 0)) return { err: OK };
    const o = await this.submitClientOp([args.op, args.key, args.value, args.clientId, args.seq]);
    reply = { err: o.err };
    // SOLUTION END
    return reply;
  }

  /**
   * The tester calls kill() when a ShardKV instance won't be needed again. It stops Raft
   * and every background loop; afterwards every RPC answers ErrWrongLeader.
   * Do not close applyCh here: Raft's applier may be blocked in applyCh.send(), and a send
   * on a closed Channel rejects with ChannelClosed (Go's panic) in Raft's background task,
   * which fails the test. To stop your loop that reads applyCh, check killed() after each
   * message; a loop left waiting on recv() after kill() is harmless (it never runs again).
   */
  kill(): void {
    this.dead = true;
    this.rf.kill();
    // Your code here, if desired.
    // SOLUTION BEGIN 4B
    for (const w of [...this.waiters.values()]) w.settle({ err: ErrWrongLeader, value: "" });
    // SOLUTION END
  }

  killed(): boolean {
    return this.dead;
  }

  // SOLUTION BEGIN 4B
  private get name(): string {
    return `${this.gid}-${this.me}`;
  }

  /** Whether this replica, as far as it has applied, serves shard s to clients. */
  private serves(s: number): boolean {
    const st = this.shards[s]!.state;
    return this.cur.shards[s] === this.gid && (st === "S" || st === "G");
  }

  // ---- shard transfer RPCs (between groups) -----------------------------------------

  /**
   * The new owner of shards asks for their data. Any replica that has reached configNum
   * holds the data frozen ("B"), so followers answer too; one behind says ErrNotReady.
   */
  pullShards(args: PullShardsArgs): PullShardsReply {
    if (this.killed()) return { err: ErrWrongLeader, data: [] };
    if (!Number.isSafeInteger(args.configNum) || !Array.isArray(args.shards)) {
      return { err: `${ErrInvalidArgs}: configNum and shards are required`, data: [] };
    }
    if (args.orphan !== true && this.cur.num !== args.configNum) return { err: ErrNotReady, data: [] };
    const data: ShardData[] = [];
    for (const s of args.shards) {
      const sh = this.shards[s];
      const frozen = args.orphan === true ? sh?.state === "Z" && sh.since === args.configNum : sh?.state === "B";
      if (sh === undefined || !frozen) return { err: ErrNotReady, data: [] };
      data.push([s, flatKv(sh.kv), flatDup(sh.dup)]);
    }
    return { err: OK, data };
  }

  /** The new owner has the shards of configNum: drop our frozen copies (through the log). */
  async deleteShards(args: DeleteShardsArgs): Promise<DeleteShardsReply> {
    if (this.killed()) return { err: ErrWrongLeader };
    if (!Number.isSafeInteger(args.configNum) || !Array.isArray(args.shards)) {
      return { err: `${ErrInvalidArgs}: configNum and shards are required` };
    }
    if (args.orphan === true) {
      // Through the log even if nothing matches here: this leader may not have applied all yet.
      const o = await this.submit(["Drop", args.configNum, args.shards], () => true);
      return { err: o.err };
    }
    if (this.cur.num > args.configNum) return { err: OK }; // we moved on, so they were dropped
    if (this.cur.num < args.configNum) return { err: ErrNotReady };
    if (args.shards.every((s) => this.shards[s]?.state !== "B")) return { err: OK };
    const o = await this.submit(["Done", args.configNum, args.shards], () => true);
    return { err: o.err };
  }

  // ---- submitting to Raft --------------------------------------------------------------

  private submitClientOp(op: Extract<Op, { 0: "Get" | "Put" | "Append" }>): Promise<Outcome> {
    const [, , , clientId, seq] = op;
    return this.submit(op, (a) => a[0] === op[0] && a[3] === clientId && a[4] === seq);
  }

  /** Start op in Raft and wait until it is applied, superseded, or the wait times out. */
  private submit(op: Op, same: (applied: Op) => boolean): Promise<Outcome> {
    const lost: Outcome = { err: ErrWrongLeader, value: "" };
    if (this.killed()) return Promise.resolve(lost);
    const { index, term, isLeader } = this.rf.start(op);
    if (!isLeader) return Promise.resolve(lost);
    return new Promise<Outcome>((resolve) => {
      let timer: Timer | undefined;
      const w: Waiter = {
        term,
        mine: same,
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

  // ---- background loops (leader only) ------------------------------------------------

  /** Ask the controller for the next config whenever the current one is complete. */
  private async poller(): Promise<void> {
    while (!this.killed()) {
      const { term, isLeader } = this.rf.getState();
      if (isLeader && term !== this.noopTerm) {
        // Entries of earlier terms commit only behind one of this term (Figure 8): after a
        // whole-group restart, a no-op lets the log replay without waiting for a client.
        this.noopTerm = term;
        this.rf.start(["Noop"]);
      }
      if (isLeader && settled(this.shards)) {
        const want = this.cur.num + 1;
        const next = await this.mck.query(want);
        if (next.num === want && this.cur.num === want - 1 && !this.killed()) this.rf.start(["Config", next]);
      }
      await sleep(POLL_MS);
    }
  }

  /** Pull shards still missing and have old owners drop shards already installed. */
  private async migrator(): Promise<void> {
    while (!this.killed()) {
      if (this.rf.getState().isLeader) {
        const num = this.cur.num;
        for (const { src, shards } of bySource(this.shards, "P")) void this.pull(src, num, shards);
        for (const { src, shards } of bySource(this.shards, "G")) void this.confirm(src, num, shards);
        this.shards.forEach((sh, s) => {
          if (sh.state === "P" && sh.src === null) void this.traceOrphan(s, num);
        });
      }
      await sleep(MIGRATE_MS);
    }
  }

  private async pull(src: Source, configNum: number, shards: number[]): Promise<void> {
    const args: PullShardsArgs = { configNum: src.num, shards, orphan: src.orphan };
    const reply = await this.askGroup<PullShardsReply>(`pull-${src.gid}`, src.servers, "ShardKV.PullShards", args);
    if (reply !== undefined && this.cur.num === configNum) this.rf.start(["Install", configNum, reply.data, src]);
  }

  private async confirm(src: Source, configNum: number, shards: number[]): Promise<void> {
    const args: DeleteShardsArgs = { configNum: src.num, shards, orphan: src.orphan };
    const reply = await this.askGroup<DeleteShardsReply>(`del-${src.gid}`, src.servers, "ShardKV.DeleteShards", args);
    if (reply !== undefined && this.cur.num === configNum) this.rf.start(["Done", configNum, shards]);
  }

  /**
   * Shard s came to us from gid 0: every group had left. Look back through the
   * controller's configs for its last real owner, which froze it ("Z") in the next config,
   * and record that source through the log; a shard no group ever held starts empty.
   */
  private async traceOrphan(s: number, configNum: number): Promise<void> {
    if (this.tracing.has(s)) return;
    this.tracing.add(s);
    try {
      let src: Source | null = null;
      for (let n = this.prev.num - 1; n >= 1 && src === null && !this.killed(); n--) {
        const c = await this.mck.query(n);
        const g = c.shards[s]!;
        if (g !== 0) src = { gid: g, num: n + 1, orphan: true, servers: c.groups[g] ?? [] };
      }
      if (this.cur.num !== configNum || this.killed()) return;
      // No owner ever: install it empty (a src-less install goes straight to serving).
      if (src === null) this.rf.start(["Install", configNum, [[s, [], []]], null]);
      else this.rf.start(["Source", configNum, s, src]);
    } finally {
      this.tracing.delete(s);
    }
  }

  /** Try the group's servers in turn until one answers OK; undefined if none does (or busy). */
  private async askGroup<R extends { err: string }>(
    key: string,
    servers: string[],
    svcMeth: string,
    args: object,
  ): Promise<R | undefined> {
    if (this.busy.has(key)) return undefined;
    this.busy.add(key);
    try {
      for (const name of servers) {
        if (this.killed()) return undefined;
        let end = this.ends.get(name);
        if (end === undefined) {
          end = this.makeEnd(name);
          this.ends.set(name, end);
        }
        const r = await end.call<R>(svcMeth, args);
        if (r.ok && r.reply.err === OK) return r.reply;
      }
      return undefined;
    } finally {
      this.busy.delete(key);
    }
  }

  // ---- applying the log ----------------------------------------------------------------

  private async applier(): Promise<void> {
    for (;;) {
      const r = await this.applyCh.recv();
      if (r.done || this.killed()) return;
      const msg = r.value;
      if (msg.commandValid === true) {
        this.applyEntry(msg.commandIndex, msg.commandTerm, msg.command as Op);
      } else if (msg.snapshotValid === true) {
        this.applySnapshot(msg.snapshotIndex, msg.snapshot);
      }
    }
  }

  private applyEntry(index: number, term: number, op: Op): void {
    if (index <= this.lastApplied) return;
    if (index !== this.lastApplied + 1) {
      throw new Error(`shardkv ${this.name}: Raft applied index ${index} right after ${this.lastApplied} (a Raft bug)`);
    }
    this.lastApplied = index;
    const out = this.execute(op);
    const w = this.waiters.get(index);
    if (w !== undefined) w.settle(w.term === term && w.mine(op) ? out : { err: ErrWrongLeader, value: "" });
    this.maybeSnapshot();
  }

  private execute(op: Op): Outcome {
    const ok: Outcome = { err: OK, value: "" };
    switch (op[0]) {
      case "Get":
      case "Put":
      case "Append":
        return this.executeClientOp(op);
      case "Config":
        this.applyConfig(op[1]);
        return ok;
      case "Install":
        this.install(op[1], op[2], op[3]);
        return ok;
      case "Done":
        this.done(op[1], op[2]);
        return ok;
      case "Drop":
        for (const s of op[2]) {
          const sh = this.shards[s];
          if (sh?.state === "Z" && sh.since === op[1]) this.shards[s] = emptyShard("N");
        }
        return ok;
      case "Source": {
        const sh = this.shards[op[2]];
        if (op[1] === this.cur.num && sh?.state === "P" && sh.src === null) sh.src = op[3];
        return ok;
      }
      case "Noop":
        return ok;
    }
  }

  private executeClientOp([kind, key, value, clientId, seq]: Extract<Op, { 0: "Get" | "Put" | "Append" }>): Outcome {
    const s = key2shard(key);
    if (!this.serves(s)) return { err: ErrWrongGroup, value: "" };
    const sh = this.shards[s]!;
    if (kind === "Get") {
      const v = sh.kv.get(key);
      return v === undefined ? { err: ErrNoKey, value: "" } : { err: OK, value: v };
    }
    if (seq > (sh.dup.get(clientId) ?? 0)) {
      sh.kv.set(key, kind === "Put" ? value : (sh.kv.get(key) ?? "") + value);
      sh.dup.set(clientId, seq);
    }
    return { err: OK, value: "" };
  }

  /** Step to the next config: shards we gain wait for their data, shards we lose freeze. */
  private applyConfig(next: Config): void {
    if (next.num !== this.cur.num + 1) return;
    if (!settled(this.shards)) return;
    for (let s = 0; s < NShards; s++) {
      const was = this.cur.shards[s] === this.gid;
      const is = next.shards[s] === this.gid;
      const sh = this.shards[s]!;
      const from = this.cur.shards[s]!;
      if (was && !is) {
        sh.state = next.shards[s] === 0 ? "Z" : "B";
        sh.since = next.num;
      } else if (!was && is) {
        if (from !== 0) {
          const src = { gid: from, num: next.num, orphan: false, servers: this.cur.groups[from] ?? [] };
          this.shards[s] = { ...emptyShard("P"), src };
        } else if (sh.state === "Z" || this.cur.num === 0) {
          sh.state = "S"; // we held it since every group left, or config 1: nothing to fetch
        } else {
          this.shards[s] = emptyShard("P"); // every group had left: trace its last owner
        }
      }
    }
    this.prev = this.cur;
    this.cur = next;
    trace(this.me, "shardkv-config", { num: next.num, shards: this.shards.map((sh) => sh.state).join("") });
  }

  private install(configNum: number, data: ShardData[], src: Source | null): void {
    if (configNum !== this.cur.num) return;
    for (const [s, kv, dup] of data) {
      const sh = this.shards[s];
      if (sh === undefined || sh.state !== "P") continue;
      // Without a source there is no old copy to drop: serve at once.
      this.shards[s] = { state: src === null ? "S" : "G", kv: unflatKv(kv), dup: unflatDup(dup), src, since: 0 };
    }
  }

  /** The transfer of these shards in configNum is over: drop handed-over ones, serve received ones. */
  private done(configNum: number, shards: number[]): void {
    if (configNum !== this.cur.num) return;
    for (const s of shards) {
      const sh = this.shards[s];
      if (sh?.state === "B") this.shards[s] = emptyShard("N");
      else if (sh?.state === "G") {
        sh.state = "S";
        sh.src = null;
      }
    }
  }

  // ---- snapshots -----------------------------------------------------------------------

  private maybeSnapshot(): void {
    if (this.maxraftstate < 0 || this.lastApplied <= this.lastSnapshot) return;
    const size = this.persister.raftStateSize();
    if (size < this.maxraftstate * SNAPSHOT_AT) return;
    if (size - this.sizeAfterSnapshot < this.maxraftstate * SNAPSHOT_GROWTH) return;
    this.lastSnapshot = this.lastApplied;
    this.rf.snapshot(this.lastApplied, this.encodeState());
    this.sizeAfterSnapshot = this.persister.raftStateSize();
  }

  private applySnapshot(index: number, snapshot: Uint8Array): void {
    if (index <= this.lastApplied) return;
    this.restore(snapshot);
    this.lastApplied = index;
    this.lastSnapshot = index;
    this.sizeAfterSnapshot = this.persister.raftStateSize();
    for (const [i, w] of [...this.waiters]) if (i <= index) w.settle({ err: ErrWrongLeader, value: "" });
  }

  private encodeState(): Uint8Array {
    const shards = this.shards.map((sh) => [sh.state, flatKv(sh.kv), flatDup(sh.dup), sh.src, sh.since]);
    return encode(
      { format: SNAPSHOT_FORMAT, index: this.lastApplied, cur: this.cur, prev: this.prev, shards },
      "shardkv snapshot",
    );
  }
  // SOLUTION END

  /** Replace all state with a snapshot's; an empty one means a fresh server. Throws CorruptSnapshotError. */
  private restore(snapshot: Uint8Array): void {
    if (snapshot.length === 0) return;
    const fail = (problem: string): never => {
      throw new CorruptSnapshotError(`shardkv server ${this.gid}-${this.me}: corrupt snapshot (${snapshot.length} bytes): ${problem}`);
    };
    let s: unknown;
    try {
      s = decode(snapshot, "shardkv snapshot");
    } catch (e) {
      fail((e as Error).message);
    }
    // SOLUTION BEGIN 4B
    if (typeof s !== "object" || s === null) return fail("not an object");
    const { format, index, cur, prev, shards } = s as Record<string, unknown>;
    if (format !== SNAPSHOT_FORMAT) fail(`unknown format ${JSON.stringify(format)}`);
    if (!Number.isSafeInteger(index)) fail("index is not an integer");
    if (!isConfig(cur) || !isConfig(prev)) fail("cur or prev is not a config");
    if (!Array.isArray(shards) || shards.length !== NShards) fail(`shards is not a list of ${NShards}`);
    const restored: Shard[] = [];
    for (const x of shards as unknown[]) {
      if (!Array.isArray(x) || x.length !== 5) return fail("a shard is not [state, kv, dup, src, since]");
      const [state, kv, dup, src, since] = x as unknown[];
      if (typeof state !== "string" || !"NSPGBZ".includes(state) || state.length !== 1) fail(`bad shard state ${String(state)}`);
      if (src !== null && !isSource(src)) fail("bad shard source");
      if (!Number.isSafeInteger(since)) fail("bad shard since");
      if (!Array.isArray(kv) || kv.length % 2 !== 0 || !kv.every((v) => typeof v === "string")) fail("bad shard kv");
      if (!Array.isArray(dup) || dup.length % 2 !== 0 || !dup.every((v) => Number.isSafeInteger(v))) fail("bad shard dup");
      restored.push({
        state: state as ShardState,
        kv: unflatKv(kv as string[]),
        dup: unflatDup(dup as number[]),
        src: src as Source | null,
        since: since as number,
      });
    }
    this.shards = restored;
    this.cur = cur as Config;
    this.prev = prev as Config;
    this.lastApplied = index as number;
    // SOLUTION END
  }
}

// SOLUTION BEGIN 4B
function isSource(x: unknown): x is Source {
  if (typeof x !== "object" || x === null) return false;
  const { gid, num, orphan, servers } = x as Record<string, unknown>;
  return Number.isSafeInteger(gid) && Number.isSafeInteger(num) && typeof orphan === "boolean" && Array.isArray(servers);
}

function isConfig(c: unknown): c is Config {
  if (typeof c !== "object" || c === null) return false;
  const { num, shards, groups } = c as Record<string, unknown>;
  return Number.isSafeInteger(num) && Array.isArray(shards) && shards.length === NShards && typeof groups === "object";
}
// SOLUTION END

/**
 * servers[] contains the ends of the servers in this group; me is the index of the
 * current server. The k/v server should store snapshots through the persister and
 * snapshot when Raft's saved state exceeds maxraftstate bytes (-1: never). gid is this
 * group's GID, for interacting with the shardctrler; ctrlers[] are ends to the
 * shardctrler servers; makeEnd(servername) turns a server name from a Config.groups[gid]
 * into an end. Returns at once: long-running work runs in the background.
 */
export function startServer(
  servers: ClientEnd[],
  me: number,
  persister: Persister,
  maxraftstate: number,
  gid: number,
  ctrlers: ClientEnd[],
  makeEnd: MakeEnd,
): ShardKV {
  return new ShardKV(servers, me, persister, maxraftstate, gid, ctrlers, makeEnd);
}
