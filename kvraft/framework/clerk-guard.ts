// The Clerk's argument checks, on the framework side: the harness hands tests a guarded
// Clerk, so the student's client.ts holds only the course's API. Lab 4's shardkv Clerk has
// the same four methods, so its harness uses this guard too. A caller that gets types
// wrong (plain JS, `as never`) gets a TypeError naming the method and field, before any
// RPC is sent; well-typed calls pass straight to the student's Clerk.
import { z } from "zod";
import { guardMethods } from "../../labs-test/harness/guard-methods.js";
import { describeValue } from "../../labrpc/index.js";
import { now, world } from "../../runtime/index.js";

/**
 * More Clerk calls than this completing in a row at one virtual instant means no Clerk is
 * waiting for anything (a stub that returns at once, say): the test's loops would then spin
 * forever without the virtual clock ever advancing, so the test fails instead of hanging.
 * A Clerk that waits for a server's reply lets some time pass long before this.
 */
export const MAX_CALLS_AT_ONE_INSTANT = 10_000;

/** Clerk calls completed at the current virtual instant, across the clerks of one test. */
export class ClerkPace {
  private at = -1;
  private calls = 0;

  /** @throws Error once MAX_CALLS_AT_ONE_INSTANT calls completed without time passing (simulated mode). */
  completed(method: string): void {
    if (!world().simulated) return;
    const t = now();
    if (t !== this.at) {
      this.at = t;
      this.calls = 0;
    }
    if (++this.calls > MAX_CALLS_AT_ONE_INSTANT) {
      throw new Error(
        `Clerk.${method}: ${MAX_CALLS_AT_ONE_INSTANT} Clerk calls completed at virtual time ${t} ms without any ` +
          `time passing, so the virtual clock can never advance: a Clerk call must wait for a server's reply ` +
          `(is the Clerk still a stub?)`,
      );
    }
  }
}

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
 * Everything else (and every well-formed call) is the student's Clerk unchanged. With
 * pace, a call also fails once too many calls complete without virtual time passing.
 */
export function guardClerk<C extends object>(ck: C, pace?: ClerkPace): C {
  const check = (method: string, args: readonly unknown[]): Error | undefined => {
    const p = problem(method, args);
    return p === undefined ? undefined : new TypeError(p);
  };
  return guardMethods(ck, new Set(Object.keys(PARAMS)), check, pace === undefined ? undefined : (m) => pace.completed(m));
}
