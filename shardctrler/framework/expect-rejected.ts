// The bad-input tests' check that labrpc, not the student's handler, turns away a
// malformed request (framework side; Lab 4A's and 4B's tests share it).
import { RpcError, type ClientEnd } from "../../labrpc/index.js";

/**
 * Sends args to meth on end and throws unless labrpc rejects the call at dispatch with
 * its malformed-args error naming meth ("ShardCtrler.Join"): no handler ran, no reply came.
 * @throws Error describing the reply or the other error instead.
 */
export async function expectRejected(end: ClientEnd, meth: string, args: unknown): Promise<void> {
  let reply: unknown;
  try {
    reply = await end.call<unknown>(meth, args);
  } catch (e) {
    if (e instanceof RpcError && e.message.includes(`malformed args for ${meth} `)) return;
    throw new Error(`${meth}(${JSON.stringify(args)}): ${String(e)}, want labrpc's malformed-args error naming ${meth}`);
  }
  throw new Error(`${meth}(${JSON.stringify(args)}) answered ${JSON.stringify(reply)}; labrpc should reject it before any handler runs`);
}
