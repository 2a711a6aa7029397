// Types shared by the sharded key/value Clerk and servers (the course's shardkv/common.go).
//
// Sharded key/value server. Lots of replica groups, each running Raft. The shardctrler
// decides which group serves each shard; it may change the assignment at any time.
//
// You will have to modify these definitions.
// SOLUTION BEGIN 4B
// How the reference solution works: shardkv/README.md, "How the reference works".
// SOLUTION END
import { NShards } from "../shardctrler/common.js";

export const OK = "OK";
export const ErrNoKey = "ErrNoKey";
export const ErrWrongGroup = "ErrWrongGroup";
export const ErrWrongLeader = "ErrWrongLeader";

export type Err = string;

export type PutAppendOp = "Put" | "Append";

/** Put or Append */
export interface PutAppendArgs {
  key: string;
  value: string;
  op: PutAppendOp; // "Put" or "Append"
  // You'll have to add definitions here. Keep the course's fields as they are (key,
  // value, op: the framework checks them before your handler runs); add any fields you
  // need, with any names (labrpc copies plain data whatever its fields are called).
  // SOLUTION BEGIN 4B
  /** Identifies the Clerk; with seq it makes a retried request recognisable, in any group. */
  clientId: number;
  /** 1, 2, 3, … per Clerk: one call at a time, so a higher seq is a newer request. */
  seq: number;
  // SOLUTION END
}

export interface PutAppendReply {
  err: Err;
}

export interface GetArgs {
  key: string;
  // You'll have to add definitions here.
  // SOLUTION BEGIN 4B
  clientId: number;
  seq: number;
  // SOLUTION END
}

export interface GetReply {
  err: Err;
  value: string;
}

/**
 * Which shard is a key in? Please use this function, and please do not change it: the
 * first byte of the key (0 for the empty key) modulo NShards.
 */
export function key2shard(key: string): number {
  let shard = 0;
  if (key.length > 0) shard = new TextEncoder().encode(key)[0]!;
  return shard % NShards;
}

// SOLUTION BEGIN 4B
/** The receiver has not reached the configuration the request is about; ask again later. */
export const ErrNotReady = "ErrNotReady";

/** One shard's contents as it travels between groups: flat [key, value, …] and its duplicate table [clientId, seq, …]. */
export type ShardData = [shard: number, kv: string[], lastSeq: number[]];

/**
 * PullShards, the first handshake of a shard's move (shardkv/server.ts): the new owner asks
 * the old one for shards it handed over in config configNum; with orphan, for shards it has
 * held frozen since config configNum because every group had left.
 */
export interface PullShardsArgs {
  configNum: number;
  shards: number[];
  orphan?: boolean;
}

export interface PullShardsReply {
  err: Err;
  data: ShardData[];
}

/**
 * DeleteShards, the second handshake: the new owner has installed these shards of config
 * configNum, so the old owner may drop its frozen copies (orphan: as in PullShardsArgs).
 */
export interface DeleteShardsArgs {
  configNum: number;
  shards: number[];
  orphan?: boolean;
}

export interface DeleteShardsReply {
  err: Err;
}
// SOLUTION END
