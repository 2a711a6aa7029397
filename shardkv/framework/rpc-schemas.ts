// What a well-formed ShardKV client request looks like (framework side). Handlers reject
// a malformed request off the wire with ErrInvalidArgs instead of crashing. Only the
// course's fields are checked; fields a student adds (dedup ids, shard transfer) pass.
import { z } from "zod";
import { problemWith } from "../../shardctrler/framework/rpc-schemas.js";

export const getArgsSchema = z.looseObject({ key: z.string() });
export const putAppendArgsSchema = z.looseObject({
  key: z.string(),
  value: z.string(),
  op: z.enum(["Put", "Append"]),
});

/**
 * Schemas by the course's method name, for labrpc's per-method check at dispatch (see
 * shardctrler/framework/rpc-schemas.ts); until labrpc takes them the handlers call problemWith.
 */
export const SHARDKV_ARGS_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  Get: getArgsSchema,
  PutAppend: putAppendArgsSchema,
};

export { problemWith };
