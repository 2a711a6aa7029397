// Types shared by the shard controller's Clerk and servers (the course's shardctrler/common.go).
//
// Shard controller: assigns shards to replication groups.
//
// RPC interface:
// Join(servers) -- add a set of groups (gid -> server-list mapping).
// Leave(gids) -- delete a set of groups.
// Move(shard, gid) -- hand off one shard from current owner to gid.
// Query(num) -> fetch Config # num, or latest config if num==-1.
//
// A Config (configuration) describes a set of replica groups, and the replica group
// responsible for each shard. Configs are numbered. Config #0 is the initial
// configuration, with no groups and all shards assigned to group 0 (an invalid group).
//
// You will need to add fields to the RPC argument structs.
//
// As in the course, a Join of a gid that is already present, and a Leave or Move naming a
// gid that is not, are the caller's mistakes: the tests never make them, and what your
// controller does with one is up to you (nothing checks it). You may refuse it: reply with
// an err starting with ErrInvalidArgs and have your Clerk throw ShardCtrlerError (both in
// shardctrler/framework/errors.ts), as our reference does.
// SOLUTION BEGIN 4A
// How the reference solution works: shardkv/README.md, "How the reference works".
// SOLUTION END

/** The number of shards. */
export const NShards = 10;

/**
 * A configuration -- an assignment of shards to groups. Please don't change this.
 * groups maps a gid (as an object key) to the group's server names.
 */
export interface Config {
  /** config number */
  num: number;
  /** shard -> gid, NShards entries */
  shards: number[];
  /** gid -> servers[] */
  groups: Record<number, string[]>;
}

export const OK = "OK";

export type Err = string;

export interface JoinArgs {
  /** new GID -> servers mappings */
  servers: Record<number, string[]>;
  // You will have to add fields here (duplicate detection).
  // SOLUTION BEGIN 4A
  clientId: number;
  seq: number;
  // SOLUTION END
}

export interface JoinReply {
  wrongLeader: boolean;
  err: Err;
}

export interface LeaveArgs {
  gids: number[];
  // SOLUTION BEGIN 4A
  clientId: number;
  seq: number;
  // SOLUTION END
}

export interface LeaveReply {
  wrongLeader: boolean;
  err: Err;
}

export interface MoveArgs {
  shard: number;
  gid: number;
  // SOLUTION BEGIN 4A
  clientId: number;
  seq: number;
  // SOLUTION END
}

export interface MoveReply {
  wrongLeader: boolean;
  err: Err;
}

export interface QueryArgs {
  /** desired config number */
  num: number;
  // SOLUTION BEGIN 4A
  clientId: number;
  seq: number;
  // SOLUTION END
}

export interface QueryReply {
  wrongLeader: boolean;
  err: Err;
  config: Config;
}
