import { decodeText, encodeText } from "./codec.js";
import { checkArgs, type ArgsSchemas } from "./schemas.js";
import { reflectHandlers } from "./reflect.js";

/** A handler takes decoded args and returns (or resolves to) the reply. */
export type Handler = (args: never) => unknown;

export class RpcError extends Error {}

export interface ServiceOptions {
  /**
   * Checked before a handler runs, keyed by the course's method name ("Get"): a request
   * whose args fail its schema rejects the caller with an RpcError and never reaches the
   * handler. Extra fields pass through (a student's own fields, e.g. dedup ids).
   */
  args?: ArgsSchemas;
  /** Every request's args must be a plain object (the course's args are structs). */
  objectArgs?: boolean;
}

/**
 * Handlers of one receiver. A method `requestVote` is reachable as "Raft.RequestVote", the
 * course's spelling, and as "Raft.requestVote". Two ways to register:
 * - `new Service(name, receiver, ["requestVote", …])`: exactly these methods (framework use);
 * - `Service.fromReceiver(name, receiver)`: every method the receiver has, as the course's
 *   labrpc.MakeService does, so handler names are the student's choice (see reflect.ts).
 * The service name is given, not taken from the constructor: a bundler may rename classes.
 */
export class Service {
  readonly name: string;
  /** Both spellings of each method: its bound handler and its course name (checks, errors). */
  private readonly methods = new Map<string, { fn: (args: unknown) => unknown; course: string }>();
  private readonly opts: ServiceOptions;

  /** @throws RpcError for a bad service name or a listed method the receiver lacks. */
  constructor(name: string, receiver: object, methodNames: readonly string[], opts: ServiceOptions = {}) {
    if (name === "" || name.includes(".")) throw new RpcError(`bad service name ${JSON.stringify(name)}`);
    this.name = name;
    this.opts = opts;
    for (const m of methodNames) {
      const fn = (receiver as Record<string, unknown>)[m];
      if (typeof fn !== "function") {
        throw new RpcError(`labrpc: service ${name} has no method ${m} to register`);
      }
      const bound = (fn as (a: unknown) => unknown).bind(receiver);
      const course = m[0]!.toUpperCase() + m.slice(1);
      if (course !== m && this.methods.has(course)) {
        throw new RpcError(`labrpc: service ${name} has both ${m} and ${course}; which one is "${name}.${course}"?`);
      }
      this.methods.set(course, { fn: bound, course });
      this.methods.set(m, { fn: bound, course });
    }
    for (const m of Object.keys(opts.args ?? {})) {
      if (!this.methods.has(m)) {
        throw new RpcError(
          `labrpc: service ${name} has a schema for ${m} but no such method; it has [${this.methodNames().join(", ")}]`,
        );
      }
    }
  }

  /**
   * Every method of receiver (own and inherited, up to Object.prototype) except the
   * framework's deny-list and names starting with "_"; args must be objects by default.
   * @throws RpcError as the constructor does.
   */
  static fromReceiver(name: string, receiver: object, opts: ServiceOptions = {}): Service {
    return new Service(name, receiver, reflectHandlers(receiver), { objectArgs: true, ...opts });
  }

  methodNames(): string[] {
    return [...this.methods.keys()].filter((m) => /^[A-Z]/.test(m));
  }

  /**
   * Decode a fresh copy of the args, check them, run the handler, encode its reply.
   * @throws RpcError for an unknown method, malformed args, or a throwing handler.
   */
  async dispatch(method: string, argsText: string): Promise<string> {
    const handler = this.methods.get(method);
    if (handler === undefined) {
      throw new RpcError(
        `labrpc: unknown method ${method} in service ${this.name}; expecting one of ` +
          `[${this.methodNames().join(", ")}]`,
      );
    }
    const args = decodeText(argsText);
    const course = handler.course;
    const problem = checkArgs(args, this.opts.args?.[course], this.opts.objectArgs === true);
    if (problem !== undefined) {
      throw new RpcError(`labrpc: malformed args for ${this.name}.${course} (the handler did not run): ${problem}`);
    }
    let reply: unknown;
    try {
      reply = await handler.fn(args);
    } catch (e) {
      const err = new RpcError(`labrpc: handler ${this.name}.${method} threw: ${(e as Error)?.message ?? String(e)}`);
      err.cause = e;
      throw err;
    }
    return encodeText(reply === undefined ? {} : reply, `reply of ${this.name}.${method}`);
  }
}
