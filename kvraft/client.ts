// The Clerk: the library a client uses to talk to the replicated key/value service
// (the course's kvraft/client.go). Each Clerk is used by one caller at a time, one call
// at a time; every call retries until some server's Raft commits it.
// SOLUTION BEGIN 3A
// How the reference solution works: kvraft/README.md, "How the reference works".
// SOLUTION END
import type { ClientEnd } from "../labrpc/index.js";
import { nrand } from "../runtime/index.js";
import type { GetArgs, GetReply, PutAppendArgs, PutAppendOp, PutAppendReply } from "./common.js";
// SOLUTION BEGIN 3A
import { sleep } from "../runtime/index.js";
import { ErrNoKey, OK, type Err } from "./common.js";

/** Pause after asking every server once without success (an election is probably running). */
const ROUND_PAUSE_MS = 20;
// SOLUTION END

export class Clerk {
  readonly servers: ClientEnd[];
  // You will have to modify this class.
  // nrand() (runtime/) gives a random 53-bit integer, e.g. to tell Clerks apart.
  // SOLUTION BEGIN 3A
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
   *   const args: GetArgs = { key };
   *   const r = await this.servers[i]!.call<GetReply>("KVServer.Get", args);
   * r.ok is false if the network lost the request or the reply, or the server is down
   * (labrpc's failure semantics: see raft/raft.ts, sendRequestVote). The types of args
   * and reply, and the method name, must match what the server's handler declares.
   */
  async get(key: string): Promise<string> {
    // You will have to modify this function.
    // SOLUTION BEGIN 3A
    const args: GetArgs = { key, clientId: this.clientId, seq: ++this.seq };
    const reply = await this.untilCommitted<GetReply>("KVServer.Get", args);
    if (typeof reply.value !== "string") {
      throw new Error(`Clerk.get: server replied ${reply.err} without a string value`);
    }
    return reply.err === ErrNoKey ? "" : reply.value;
    // SOLUTION STUB
    // return "";
    // SOLUTION END
  }

  /**
   * Shared by put and append. Keeps trying forever; takes effect exactly once.
   *
   * You can send an RPC with code like this:
   *   const r = await this.servers[i]!.call<PutAppendReply>("KVServer.PutAppend", args);
   */
  async putAppend(key: string, value: string, op: PutAppendOp): Promise<void> {
    // You will have to modify this function.
    // SOLUTION BEGIN 3A
    const args: PutAppendArgs = { key, value, op, clientId: this.clientId, seq: ++this.seq };
    await this.untilCommitted<PutAppendReply>("KVServer.PutAppend", args);
    // SOLUTION END
  }

  async put(key: string, value: string): Promise<void> {
    return this.putAppend(key, value, "Put");
  }

  async append(key: string, value: string): Promise<void> {
    return this.putAppend(key, value, "Append");
  }

  // SOLUTION BEGIN 3A
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
      if (r.ok && (r.reply.err === OK || r.reply.err === ErrNoKey)) return r.reply;
      this.leader = (this.leader + 1) % n;
      if (failures % n === 0) await sleep(ROUND_PAUSE_MS);
    }
  }
  // SOLUTION END
}

/** The harness makes each Clerk with this (the course's MakeClerk). */
export function makeClerk(servers: ClientEnd[]): Clerk {
  return new Clerk(servers);
}
