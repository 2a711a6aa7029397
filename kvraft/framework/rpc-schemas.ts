// The shapes of the KVServer RPCs that the course fixes (kvraft/common.go's GetArgs and
// PutAppendArgs), checked by labrpc before a handler runs (framework side). Fields a
// student adds (client ids, sequence numbers) pass through unchecked: their handler owns them.
import { z } from "zod";
import type { ArgsSchemas } from "../../labrpc/index.js";

const GetArgs = z.looseObject({ key: z.string() });
const PutAppendArgs = z.looseObject({ key: z.string(), value: z.string(), op: z.enum(["Put", "Append"]) });

export const KV_ARGS_SCHEMAS: ArgsSchemas = { Get: GetArgs, PutAppend: PutAppendArgs };
