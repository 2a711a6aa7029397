// RPC definitions for the coordinator and its workers. Each method has a zod schema for
// its arguments and one for its reply; the transport checks both on every message.
// Field names are capitalised, like the course's Go structs.
import { z } from "zod";
import type { MethodTable } from "./transport/methods.js";

// An example RPC: the worker sends X, the coordinator replies Y = X + 1.
export const ExampleArgs = z.object({ X: z.number().int() });
export type ExampleArgs = z.infer<typeof ExampleArgs>;
export const ExampleReply = z.object({ Y: z.number().int() });
export type ExampleReply = z.infer<typeof ExampleReply>;

// Add your RPC definitions here.
// SOLUTION BEGIN
const TaskNumber = z.number().int().min(0);
const WorkerId = z.string().min(1).max(200);

export const TaskArgs = z.object({ Worker: WorkerId });
export type TaskArgs = z.infer<typeof TaskArgs>;

/** What a worker should do next. */
export const TaskReply = z.discriminatedUnion("Kind", [
  z.object({ Kind: z.literal("map"), Task: TaskNumber, File: z.string().min(1), NReduce: z.number().int().min(1) }),
  z.object({ Kind: z.literal("reduce"), Task: TaskNumber, NMap: z.number().int().min(0) }),
  /** Every task is handed out but not all are done: ask again shortly. */
  z.object({ Kind: z.literal("wait") }),
  /** The job is over (Aborted says why, if it failed): the worker exits. */
  z.object({ Kind: z.literal("exit"), Aborted: z.string().optional() }),
]);
export type TaskReply = z.infer<typeof TaskReply>;

/** A task finished (Error absent) or its app code threw (Error set). */
export const ReportArgs = z.object({
  Worker: WorkerId,
  Kind: z.enum(["map", "reduce"]),
  Task: TaskNumber,
  Error: z.string().max(10_000).optional(),
});
export type ReportArgs = z.infer<typeof ReportArgs>;
export const ReportReply = z.object({});
export type ReportReply = z.infer<typeof ReportReply>;
// SOLUTION END

/** Every method the coordinator serves; add yours here. */
export const rpcMethods = {
  Example: { args: ExampleArgs, reply: ExampleReply },
  // SOLUTION BEGIN
  RequestTask: { args: TaskArgs, reply: TaskReply },
  ReportTask: { args: ReportArgs, reply: ReportReply },
  // SOLUTION END
} satisfies MethodTable;
export type RpcMethods = typeof rpcMethods;
