// Argument checks at labrpc's dispatch: the framework, not the student's handler, rejects
// a request whose shape the course fixes (e.g. KVServer.Get's key) when it is malformed.
import type { ZodType } from "zod";
import { describeValue } from "./describe-value.js";

/** One zod schema per method, keyed by the course's method name ("Get", "PutAppend"). */
export type ArgsSchemas = Readonly<Record<string, ZodType>>;

/**
 * What is wrong with args, or undefined if nothing is: not an object (when objectArgs),
 * or each of the schema's complaints as `field: message (got <value>)`.
 */
export function checkArgs(args: unknown, schema: ZodType | undefined, objectArgs: boolean): string | undefined {
  if (objectArgs && (typeof args !== "object" || args === null || Array.isArray(args) || args instanceof Uint8Array)) {
    return `args must be an object, got ${describeValue(args)}`;
  }
  if (schema === undefined) return undefined;
  const r = schema.safeParse(args);
  if (r.success) return undefined;
  return r.error.issues
    .map((i) => {
      const field = i.path.map(String).join(".");
      const got = i.path.reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined), args);
      return `${field === "" ? "args" : field}: ${i.message} (got ${describeValue(got)})`;
    })
    .join("; ");
}
