import { decodeText, encodeText } from "./codec.js";

/** A handler takes decoded args and returns (or resolves to) the reply. */
export type Handler = (args: never) => unknown;

export class RpcError extends Error {}

/**
 * Handlers of one receiver, registered by explicit name (a bundler may rename classes,
 * so the service name is not taken from the constructor). A method `requestVote` is
 * reachable as "Raft.RequestVote", the course's spelling, and as "Raft.requestVote".
 */
export class Service {
  readonly name: string;
  private readonly methods = new Map<string, (args: unknown) => unknown>();

  constructor(name: string, receiver: object, methodNames: readonly string[]) {
    if (name === "" || name.includes(".")) throw new RpcError(`bad service name ${JSON.stringify(name)}`);
    this.name = name;
    for (const m of methodNames) {
      const fn = (receiver as Record<string, unknown>)[m];
      if (typeof fn !== "function") {
        throw new RpcError(`labrpc: service ${name} has no method ${m} to register`);
      }
      const bound = (fn as (a: unknown) => unknown).bind(receiver);
      this.methods.set(m[0]!.toUpperCase() + m.slice(1), bound);
      this.methods.set(m, bound);
    }
  }

  methodNames(): string[] {
    return [...this.methods.keys()].filter((m) => /^[A-Z]/.test(m));
  }

  /** Decode a fresh copy of the args, run the handler, encode its reply. */
  async dispatch(method: string, argsText: string): Promise<string> {
    const fn = this.methods.get(method);
    if (fn === undefined) {
      throw new RpcError(
        `labrpc: unknown method ${method} in service ${this.name}; expecting one of ` +
          `[${this.methodNames().join(", ")}]`,
      );
    }
    let reply: unknown;
    try {
      reply = await fn(decodeText(argsText));
    } catch (e) {
      const err = new RpcError(`labrpc: handler ${this.name}.${method} threw: ${(e as Error)?.message ?? String(e)}`);
      err.cause = e;
      throw err;
    }
    return encodeText(reply === undefined ? {} : reply, `reply of ${this.name}.${method}`);
  }
}
