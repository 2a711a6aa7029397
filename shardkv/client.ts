// The sharded key/value Clerk (the course's shardkv/client.go, supplied). It talks to
// the shardctrler to find out which group serves each shard, then to that group's
// servers; on ErrWrongGroup or silence it re-reads the configuration and tries again.
// You will have to modify this file (duplicate detection).
// SOLUTION BEGIN 4B
// How the reference solution works: shardkv/README.md, "How the reference works".
// SOLUTION END
import type { ClientEnd } from "../labrpc/index.js";
import { nrand, sleep } from "../runtime/index.js";
import { makeClerk as makeCtrlerClerk, type Clerk as CtrlerClerk } from "../shardctrler/client.js";
import type { Config } from "../shardctrler/common.js";
import { zeroConfig } from "../shardctrler/framework/zero-config.js";
import {
  ErrNoKey,
  ErrWrongGroup,
  key2shard,
  OK,
  type GetArgs,
  type GetReply,
  type PutAppendArgs,
  type PutAppendOp,
  type PutAppendReply,
} from "./common.js";

/** Turns a server name from Config.groups into an end to it. */
export type MakeEnd = (servername: string) => ClientEnd;

/** Pause before re-reading the configuration (the course's 100 ms). */
const RETRY_PAUSE_MS = 100;

export class Clerk {
  private readonly sm: CtrlerClerk;
  private config: Config;
  private readonly makeEnd: MakeEnd;
  // You will have to modify this class.
  // SOLUTION BEGIN 4B
  private readonly clientId = nrand();
  private seq = 0;
  /** Per gid: the index of the server that last answered as leader. */
  private readonly leaders = new Map<number, number>();
  // SOLUTION END

  /**
   * ctrlers are ends to the shardctrler servers; makeEnd(servername) turns a server name
   * from the Config.groups[gid] into an end on which you can send RPCs.
   */
  constructor(ctrlers: ClientEnd[], makeEnd: MakeEnd) {
    this.sm = makeCtrlerClerk(ctrlers);
    this.makeEnd = makeEnd;
    this.config = zeroConfig();
    // You'll have to add code here.
  }

  /**
   * Fetch the current value for a key; "" if the key does not exist. Keeps trying forever
   * in the face of all other errors.
   */
  async get(key: string): Promise<string> {
    const args = { key } as GetArgs;
    // SOLUTION BEGIN 4B
    args.clientId = this.clientId;
    args.seq = ++this.seq;
    // SOLUTION END
    const reply = await this.untilServed<GetReply>("ShardKV.Get", key, args, (err) => err === OK || err === ErrNoKey);
    return reply.err === ErrNoKey ? "" : String(reply.value);
  }

  /** Shared by put and append. Keeps trying forever; takes effect exactly once. */
  async putAppend(key: string, value: string, op: PutAppendOp): Promise<void> {
    const args = { key, value, op } as PutAppendArgs;
    // SOLUTION BEGIN 4B
    args.clientId = this.clientId;
    args.seq = ++this.seq;
    // SOLUTION END
    await this.untilServed<PutAppendReply>("ShardKV.PutAppend", key, args, (err) => err === OK);
  }

  async put(key: string, value: string): Promise<void> {
    return this.putAppend(key, value, "Put");
  }

  async append(key: string, value: string): Promise<void> {
    return this.putAppend(key, value, "Append");
  }

  /**
   * Send args to the group serving key's shard in the cached config, trying each of its
   * servers; on ErrWrongGroup, or when none answers, pause, re-read the newest config and
   * start over. The same args go out every time.
   */
  private async untilServed<R extends { err: string }>(
    svcMeth: string,
    key: string,
    args: object,
    done: (err: string) => boolean,
  ): Promise<R> {
    for (;;) {
      const shard = key2shard(key);
      const gid = this.config.shards[shard] ?? 0;
      const servers = this.config.groups[gid];
      if (servers !== undefined && servers.length > 0) {
        // try each server for the shard.
        let si = 0;
        // SOLUTION BEGIN 4B
        si = this.leaders.get(gid) ?? 0;
        // SOLUTION END
        for (let tried = 0; tried < servers.length; tried++, si = (si + 1) % servers.length) {
          const srv = this.makeEnd(servers[si]!);
          const r = await srv.call<R>(svcMeth, args);
          if (r.ok && done(r.reply.err)) {
            // SOLUTION BEGIN 4B
            this.leaders.set(gid, si);
            // SOLUTION END
            return r.reply;
          }
          if (r.ok && r.reply.err === ErrWrongGroup) break;
          // ... not ok, or ErrWrongLeader
        }
      }
      await sleep(RETRY_PAUSE_MS);
      // ask controller for the latest configuration.
      this.config = await this.sm.query(-1);
    }
  }
}

/**
 * The tester calls makeClerk. ctrlers[] is needed to call shardctrler.makeClerk();
 * makeEnd(servername) turns a server name from a Config.groups[gid] into an end.
 */
export function makeClerk(ctrlers: ClientEnd[], makeEnd: MakeEnd): Clerk {
  return new Clerk(ctrlers, makeEnd);
}
