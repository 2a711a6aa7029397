// What a well-formed ShardKV client request looks like (framework side). Handlers reject
// a malformed request off the wire with ErrInvalidArgs instead of crashing. Only the
// course's fields are checked; fields a student adds (dedup ids, shard transfer) pass.
import { z } from "zod";
import { problemWith } from "../shardctrler/rpc-schemas.js";

export const getArgsSchema = z.looseObject({ key: z.string() });
export const putAppendArgsSchema = z.looseObject({
  key: z.string(),
  value: z.string(),
  op: z.enum(["Put", "Append"]),
});

/** Schemas by RPC name, for a per-method check at labrpc dispatch. */
export const SHARDKV_RPC_SCHEMAS = {
  "ShardKV.Get": getArgsSchema,
  "ShardKV.PutAppend": putAppendArgsSchema,
} as const;

export { problemWith };
