// The shard controller's Clerk (the course's shardctrler/client.go, supplied nearly
// complete): each call tries every server in turn until one that is leader answers, and
// pauses 100 ms after each unsuccessful round. Only the duplicate-detection fields are
// yours to add.
// SOLUTION BEGIN 4A
// How the reference solution works: shardkv/README.md, "How the reference works".
// SOLUTION END
import type { ClientEnd } from "../labrpc/index.js";
import { nrand, sleep } from "../runtime/index.js";
import {
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
// SOLUTION BEGIN 4A
import { ErrInvalidArgs, ShardCtrlerError } from "./framework/errors.js";
// SOLUTION END

/** Pause after a round in which no server answered as leader (the course's 100 ms). */
const ROUND_PAUSE_MS = 100;

export class Clerk {
  readonly servers: ClientEnd[];
  // Your data here.
  // SOLUTION BEGIN 4A
  private readonly clientId = nrand();
  private seq = 0;
  // SOLUTION END

  constructor(servers: ClientEnd[]) {
    this.servers = servers;
    // Your code here.
  }

  /** Config number num, or the newest one if num is -1 or past the newest. */
  async query(num: number): Promise<Config> {
    const args: QueryArgs = {
      num,
      // SOLUTION BEGIN 4A
      clientId: this.clientId,
      seq: ++this.seq,
      // SOLUTION END
    } as QueryArgs;
    const reply = await this.call<QueryReply>("ShardCtrler.Query", args);
    return reply.config;
  }

  /** Add groups (gid → server names); the controller rebalances shards over all groups. */
  async join(servers: Record<number, string[]>): Promise<void> {
    const args: JoinArgs = {
      servers,
      // SOLUTION BEGIN 4A
      clientId: this.clientId,
      seq: ++this.seq,
      // SOLUTION END
    } as JoinArgs;
    await this.call<JoinReply>("ShardCtrler.Join", args);
  }

  /** Remove groups; their shards go to the remaining groups (or to gid 0 if none remain). */
  async leave(gids: number[]): Promise<void> {
    const args: LeaveArgs = {
      gids,
      // SOLUTION BEGIN 4A
      clientId: this.clientId,
      seq: ++this.seq,
      // SOLUTION END
    } as LeaveArgs;
    await this.call<LeaveReply>("ShardCtrler.Leave", args);
  }

  /** Assign shard to gid, without rebalancing. */
  async move(shard: number, gid: number): Promise<void> {
    const args: MoveArgs = {
      shard,
      gid,
      // SOLUTION BEGIN 4A
      clientId: this.clientId,
      seq: ++this.seq,
      // SOLUTION END
    } as MoveArgs;
    await this.call<MoveReply>("ShardCtrler.Move", args);
  }

  /**
   * Try each server until one answers as leader; pause after each full round. The same
   * args go out every time, so a server can recognise a retry.
   */
  private async call<R extends { wrongLeader: boolean; err: string }>(svcMeth: string, args: object): Promise<R> {
    for (;;) {
      // try each known server.
      for (const srv of this.servers) {
        const r = await srv.call<R>(svcMeth, args);
        if (r.ok && !r.reply.wrongLeader) {
          // SOLUTION BEGIN 4A
          // Our controller refuses an impossible change (Join of a present gid, Leave or
          // Move naming an unknown one); retrying cannot help, so say so.
          if (typeof r.reply.err === "string" && r.reply.err.startsWith(ErrInvalidArgs)) {
            throw new ShardCtrlerError(`${svcMeth}: the controller refused ${JSON.stringify(args)}: ${r.reply.err}`);
          }
          // SOLUTION END
          return r.reply;
        }
      }
      await sleep(ROUND_PAUSE_MS);
    }
  }
}

export function makeClerk(servers: ClientEnd[]): Clerk {
  return new Clerk(servers);
}
