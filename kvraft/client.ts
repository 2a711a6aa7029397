// The Clerk: the library a client uses to talk to the replicated key/value service
// (the course's kvraft/client.go). Each Clerk is used by one caller at a time, one call
// at a time; every call retries until some server's Raft commits it.
import type { ClientEnd } from "../labrpc/index.js";
import { nrand, sleep } from "../runtime/index.js";
import {
  describe,
  ErrInvalidArgs,
  ErrNoKey,
  OK,
  type Err,
  type GetArgs,
  type GetReply,
  type PutAppendArgs,
  type PutAppendOp,
  type PutAppendReply,
} from "./common.js";

// SOLUTION BEGIN
/** Pause after asking every server once without success (an election is probably running). */
const ROUND_PAUSE_MS = 20;
// SOLUTION END

export class Clerk {
  readonly servers: ClientEnd[];
  // You will have to modify this class.
  // SOLUTION BEGIN
  /** Index into servers of the last server that answered as leader. */
  private leader = 0;
  private readonly clientId = nrand();
  private seq = 0;
  // SOLUTION END

  constructor(servers: ClientEnd[]) {
    this.servers = servers;
    // You'll have to add code here.
  }

  /**
   * Fetch the current value for a key; "" if the key does not exist. Keeps trying
   * forever in the face of all other errors.
   *
   * You can send an RPC with code like this:
   *   const r = await this.servers[i].call<GetReply>("KVServer.Get", args);
   * r.ok is false if the network lost the request or the reply, or the server is down.
   */
  async get(key: string): Promise<string> {
    requireString("get", "key", key);
    // You will have to modify this function.
    // SOLUTION BEGIN
    const args: GetArgs = { key, clientId: this.clientId, seq: ++this.seq };
    const reply = await this.untilCommitted<GetReply>("KVServer.Get", args);
    if (typeof reply.value !== "string") {
      throw new Error(`Clerk.get: server replied ${reply.err} with value ${describe(reply.value)}`);
    }
    return reply.err === ErrNoKey ? "" : reply.value;
    // SOLUTION END
  }

  /** Shared by put and append. Keeps trying forever; takes effect exactly once. */
  async putAppend(key: string, value: string, op: PutAppendOp): Promise<void> {
    requireString("putAppend", "key", key);
    requireString("putAppend", "value", value);
    if (op !== "Put" && op !== "Append") {
      throw new TypeError(`Clerk.putAppend: op must be "Put" or "Append", got ${describe(op)}`);
    }
    // You will have to modify this function.
    // SOLUTION BEGIN
    const args: PutAppendArgs = { key, value, op, clientId: this.clientId, seq: ++this.seq };
    await this.untilCommitted<PutAppendReply>("KVServer.PutAppend", args);
    // SOLUTION END
  }

  async put(key: string, value: string): Promise<void> {
    requireString("put", "key", key);
    requireString("put", "value", value);
    return this.putAppend(key, value, "Put");
  }

  async append(key: string, value: string): Promise<void> {
    requireString("append", "key", key);
    requireString("append", "value", value);
    return this.putAppend(key, value, "Append");
  }

  // SOLUTION BEGIN
  /**
   * Send args to the remembered leader, then to each server in turn, until one answers
   * OK or ErrNoKey. The same args (same seq) go out every time, so a server can tell a
   * retry of an op it already applied from a new one.
   */
  private async untilCommitted<R extends { err: Err }>(svcMeth: string, args: GetArgs | PutAppendArgs): Promise<R> {
    const n = this.servers.length;
    if (n === 0) throw new Error("Clerk: no servers to talk to");
    for (let failures = 1; ; failures++) {
      const r = await this.servers[this.leader]!.call<R>(svcMeth, args);
      if (r.ok) {
        if (r.reply.err === OK || r.reply.err === ErrNoKey) return r.reply;
        if (r.reply.err === ErrInvalidArgs) {
          throw new Error(`Clerk: server rejected ${svcMeth} as malformed: ${JSON.stringify(args)}`);
        }
      }
      this.leader = (this.leader + 1) % n;
      if (failures % n === 0) await sleep(ROUND_PAUSE_MS);
    }
  }
  // SOLUTION END
}

export function makeClerk(servers: ClientEnd[]): Clerk {
  return new Clerk(servers);
}

/** Typed callers can't get this wrong; untyped ones (plain JS, `as any`) get a clear error. */
function requireString(method: string, field: string, v: unknown): asserts v is string {
  if (typeof v !== "string") {
    throw new TypeError(`Clerk.${method}: ${field} must be a string, got ${describe(v)}`);
  }
}
