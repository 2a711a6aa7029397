// What a well-formed ShardCtrler request looks like (framework side, not the student's).
// Two users: labrpc rejects a malformed request at dispatch, before the student's handler
// runs (the harness registers the service with these schemas), and the harness's Clerk
// guard refuses a bad call before sending it (framework/clerk-guard.ts). Only the
// course's fields are checked; fields a student adds (dedup ids) pass through.
import { z } from "zod";
import type { ArgsSchemas } from "../../labrpc/index.js";
import { NShards } from "../common.js";

/** A replication group id: a positive integer (gid 0 means "no group" in a Config). */
export const gidSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** gid → server names, as a plain object (gids become string keys on the wire). */
export const serversSchema = z
  .record(
    z.string().regex(/^[1-9]\d*$/, "a gid must be a positive integer"),
    z.array(z.string().min(1, "a server name must not be empty")).min(1, "a group needs at least one server"),
  )
  .refine((m) => Object.keys(m).length > 0, "Join needs at least one group");

export const shardSchema = z
  .number()
  .int()
  .min(0)
  .max(NShards - 1, `a shard number is below NShards (${NShards})`);

/** -1 (the newest config) or a config number. */
export const queryNumSchema = z.number().int().min(-1, "Query takes -1 or a config number >= 0");

export const joinArgsSchema = z.looseObject({ servers: serversSchema });
export const leaveArgsSchema = z.looseObject({ gids: z.array(gidSchema) });
export const moveArgsSchema = z.looseObject({ shard: shardSchema, gid: gidSchema });
export const queryArgsSchema = z.looseObject({ num: queryNumSchema });

/**
 * Schemas by the course's method name, for labrpc's per-method check at dispatch
 * (`Service.fromReceiver("ShardCtrler", sc, { args: SHARDCTRLER_ARGS_SCHEMAS })`).
 */
export const SHARDCTRLER_ARGS_SCHEMAS: ArgsSchemas = {
  Join: joinArgsSchema,
  Leave: leaveArgsSchema,
  Move: moveArgsSchema,
  Query: queryArgsSchema,
};

/** The first problem with value under schema, as one line, or undefined if there is none. */
export function problemWith(schema: z.ZodType, value: unknown): string | undefined {
  const r = schema.safeParse(value);
  if (r.success) return undefined;
  const issue = r.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? "" : `${issue.path.join(".")}: `;
  return `${where}${issue?.message ?? "invalid"}`;
}
