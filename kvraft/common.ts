// RPC types shared by the Clerk and the KV servers (the course's kvraft/common.go).
// Fields travel through labrpc's codec: plain strings and numbers only.

export const OK = "OK";
export const ErrNoKey = "ErrNoKey";
export const ErrWrongLeader = "ErrWrongLeader";
/** The server could not tell in time whether the op committed; the Clerk tries elsewhere. */
export const ErrTimeout = "ErrTimeout";
/** The request is malformed (a field missing or of the wrong type); retrying cannot help. */
export const ErrInvalidArgs = "ErrInvalidArgs";

export type Err = typeof OK | typeof ErrNoKey | typeof ErrWrongLeader | typeof ErrTimeout | typeof ErrInvalidArgs;

export type PutAppendOp = "Put" | "Append";

export interface PutAppendArgs {
  key: string;
  value: string;
  op: PutAppendOp;
  // You'll have to add definitions here.
  // SOLUTION BEGIN
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
  // SOLUTION BEGIN
  clientId: number;
  seq: number;
  // SOLUTION END
}

export interface GetReply {
  err: Err;
  value: string;
}

/**
 * What is wrong with a Get request as it came off the wire (the fields above the
 * markers), or undefined if nothing is. Servers answer ErrInvalidArgs instead of crashing.
 */
export function getArgsProblem(args: unknown): string | undefined {
  if (typeof args !== "object" || args === null || Array.isArray(args)) return "args must be an object";
  const a = args as Record<string, unknown>;
  if (typeof a["key"] !== "string") return `key must be a string, got ${describe(a["key"])}`;
  return undefined;
}

export function putAppendArgsProblem(args: unknown): string | undefined {
  const p = getArgsProblem(args);
  if (p !== undefined) return p;
  const a = args as Record<string, unknown>;
  if (typeof a["value"] !== "string") return `value must be a string, got ${describe(a["value"])}`;
  if (a["op"] !== "Put" && a["op"] !== "Append") return `op must be "Put" or "Append", got ${describe(a["op"])}`;
  return undefined;
}

/** A short description of a bad value for error messages: its type and, if short, itself. */
export function describe(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  const t = Array.isArray(v) ? "array" : typeof v;
  let s: string;
  try {
    s = typeof v === "function" ? "" : (JSON.stringify(v) ?? "");
  } catch {
    s = "";
  }
  return s !== "" && s.length <= 40 ? `${t} ${s}` : t;
}
