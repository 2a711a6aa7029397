// The shard controller Clerk's argument checks, on the framework side: the harness hands
// tests a guarded Clerk, so the student's client.ts holds only the course's API. A caller
// that gets arguments wrong (plain JS, `as never`, a shard out of range, Query of a
// negative number other than -1) gets a ShardCtrlerError naming the method and field,
// before any RPC is sent; well-formed calls pass straight to the student's Clerk.
import { z } from "zod";
import { guardMethods } from "../../labs-test/harness/guard-methods.js";
import type { Clerk } from "../client.js";
import { ShardCtrlerError } from "./errors.js";
import { gidSchema, problemWith, queryNumSchema, serversSchema, shardSchema } from "./rpc-schemas.js";

/** Positional parameters of each course method: (field name, schema). */
const PARAMS: Readonly<Record<string, ReadonlyArray<readonly [string, z.ZodType]>>> = {
  query: [["num", queryNumSchema]],
  join: [["servers", serversSchema]],
  leave: [["gids", z.array(gidSchema)]],
  move: [["shard", shardSchema], ["gid", gidSchema]],
};

function problem(method: string, args: readonly unknown[]): string | undefined {
  for (const [i, [field, schema]] of (PARAMS[method] ?? []).entries()) {
    const p = problemWith(schema, args[i]);
    if (p !== undefined) return `Clerk.${method}: bad ${field} ${JSON.stringify(args[i]) ?? String(args[i])}: ${p}`;
  }
  return undefined;
}

/**
 * ck, with query/join/leave/move checking their arguments first: a bad one rejects with
 * a ShardCtrlerError (`Clerk.move: bad shard 10: a shard number is below NShards (10)`)
 * and sends nothing. Everything else is the student's Clerk unchanged.
 */
export function guardCtrlerClerk(ck: Clerk): Clerk {
  const check = (method: string, args: readonly unknown[]): Error | undefined => {
    const p = problem(method, args);
    return p === undefined ? undefined : new ShardCtrlerError(p);
  };
  return guardMethods(ck, new Set(Object.keys(PARAMS)), check);
}
