// RPC types shared by the Clerk and the KV servers (the course's kvraft/common.go).
// Fields travel through labrpc's codec: plain strings, numbers, booleans, arrays and
// objects of them. The framework checks the course's fields (key, value, op) of every
// request before your handler runs (kvraft/framework/rpc-schemas.ts); fields you add are yours.
// SOLUTION BEGIN 3A
// How the reference solution works: kvraft/README.md, "How the reference works".
// SOLUTION END

export const OK = "OK";
export const ErrNoKey = "ErrNoKey";
export const ErrWrongLeader = "ErrWrongLeader";
// SOLUTION BEGIN 3A
/** The server could not tell in time whether the op committed; the Clerk tries elsewhere. */
export const ErrTimeout = "ErrTimeout";
// SOLUTION END

/** What a reply's err holds: the course's three values and any of your own (OwnErr). */
export type Err = typeof OK | typeof ErrNoKey | typeof ErrWrongLeader | OwnErr;

/** Your own error values, if you need any: e.g. `typeof ErrTimeout | typeof ErrStale`. */
// SOLUTION BEGIN 3A
type OwnErr = typeof ErrTimeout;
// SOLUTION STUB
// type OwnErr = never;
// SOLUTION END

export type PutAppendOp = "Put" | "Append";

export interface PutAppendArgs {
  key: string;
  value: string;
  op: PutAppendOp;
  // You'll have to add definitions here.
  // A request that a Clerk re-sends must be recognisable as the same request, so that a
  // server applies it once (for example: which Clerk sent it, and its request number).
  // SOLUTION BEGIN 3A
  /** Identifies the Clerk; with seq it makes a retried request recognisable. */
  clientId: number;
  /** 1, 2, 3, … per Clerk: one outstanding request at a time, so seq orders them. */
  seq: number;
  // SOLUTION END
}

export interface PutAppendReply {
  err: Err;
}

export interface GetArgs {
  key: string;
  // You'll have to add definitions here.
  // SOLUTION BEGIN 3A
  clientId: number;
  seq: number;
  // SOLUTION END
}

export interface GetReply {
  err: Err;
  value: string;
}
