// An RPC interface is a table of method name -> zod schemas for its arguments and its
// reply. Both ends validate against the same table, so a malformed message is caught
// where it arrives and never reaches lab code.
import type { z } from "zod";

export interface MethodSpec {
  args: z.ZodType;
  reply: z.ZodType;
}

export type MethodTable = Record<string, MethodSpec>;

export type ArgsIn<M extends MethodTable, K extends keyof M> = z.input<M[K]["args"]>;
export type ArgsOut<M extends MethodTable, K extends keyof M> = z.output<M[K]["args"]>;
export type ReplyIn<M extends MethodTable, K extends keyof M> = z.input<M[K]["reply"]>;
export type ReplyOut<M extends MethodTable, K extends keyof M> = z.output<M[K]["reply"]>;

/** What a server must implement: one method per table entry. */
export type Handlers<M extends MethodTable> = {
  [K in keyof M]: (args: ArgsOut<M, K>) => ReplyIn<M, K> | Promise<ReplyIn<M, K>>;
};

/** The URL path of one method. */
export function methodPath(name: string): string {
  return `/rpc/${encodeURIComponent(name)}`;
}

/** The path every server answers, to tell "nobody listening" from "not ready yet". */
export const PING_PATH = "/ping";

/** Requests larger than this are refused: no RPC of the lab needs more. */
export const MAX_BODY_BYTES = 1 << 20;
