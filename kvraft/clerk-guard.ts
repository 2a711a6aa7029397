// The Clerk's argument checks, on the framework side: the harness hands tests a guarded
// Clerk, so the student's client.ts holds only the course's API. A caller that gets types
// wrong (plain JS, `as never`) gets a TypeError naming the method and field, before any
// RPC is sent; well-typed calls pass straight to the student's Clerk.
import { z } from "zod";
import { describeValue } from "../labrpc/index.js";
import type { Clerk } from "./client.js";

const Str = z.string();
const Op = z.enum(["Put", "Append"]);

/** Positional parameters of each course method: (field name, schema). */
const PARAMS: Readonly<Record<string, ReadonlyArray<readonly [string, z.ZodType]>>> = {
  get: [["key", Str]],
  put: [["key", Str], ["value", Str]],
  append: [["key", Str], ["value", Str]],
  putAppend: [["key", Str], ["value", Str], ["op", Op]],
};

function problem(method: string, args: readonly unknown[]): string | undefined {
  for (const [i, [field, schema]] of (PARAMS[method] ?? []).entries()) {
    if (!schema.safeParse(args[i]).success) {
      const want = schema === Op ? `"Put" or "Append"` : "a string";
      return `Clerk.${method}: ${field} must be ${want}, got ${describeValue(args[i])}`;
    }
  }
  return undefined;
}

/**
 * ck, with get/put/append/putAppend checking their arguments first: a bad one rejects
 * with a TypeError (`Clerk.get: key must be a string, got number 42`) and sends nothing.
 * Everything else (and every well-formed call) is the student's Clerk unchanged.
 */
export function guardClerk(ck: Clerk): Clerk {
  return new Proxy(ck, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string" || PARAMS[prop] === undefined || typeof v !== "function") return v;
      const fn = v as (...a: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const p = problem(prop, args);
        if (p !== undefined) return Promise.reject(new TypeError(p));
        return fn.apply(target, args);
      };
    },
  });
}
