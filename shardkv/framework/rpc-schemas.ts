// What a well-formed ShardKV client request looks like (framework side): labrpc rejects a
// malformed request at dispatch, before the student's handler runs (the harness registers
// the service with these schemas). Only the course's fields are checked; fields a student
// adds (dedup ids) pass, and so do RPCs of the student's own (shard transfer).
import { z } from "zod";
import type { ArgsSchemas } from "../../labrpc/index.js";

export const getArgsSchema = z.looseObject({ key: z.string() });
export const putAppendArgsSchema = z.looseObject({
  key: z.string(),
  value: z.string(),
  op: z.enum(["Put", "Append"]),
});

/** Schemas by the course's method name, for labrpc's per-method check at dispatch. */
export const SHARDKV_ARGS_SCHEMAS: ArgsSchemas = {
  Get: getArgsSchema,
  PutAppend: putAppendArgsSchema,
};
