// Helpers shared by the shardkv test files (framework side): counted Clerk calls, the
// tester's random stream, a porcupine history, and the linearizability verdict.
import { say } from "../../labs-test/harness/say.js";
import { recordStats } from "../../labs-test/harness/stats-sink.js";
import { checkOperations, kvModel, writeVisualizationToTemp, type KvOperation } from "../../porcupine/index.js";
import { now } from "../../runtime/index.js";
import { randn, randstring } from "../../labs-test/harness/tester-rand.js";
import type { Clerk } from "../client.js";
import type { Config } from "../config.js";

/**
 * The course gives porcupine 1 s and passes on "unknown". Here unknown fails the test, so
 * the checker gets a budget (wall-clock ms) large enough to always decide.
 */
const linearizabilityCheckTimeout = 60_000;

export function fatal(msg: string): never {
  throw new Error(msg);
}

export { randn, randstring };

/** The history porcupine checks: every logged call with its call and return times (ms). */
export class OpLog {
  private readonly ops: KvOperation[] = [];

  append(op: KvOperation): void {
    this.ops.push(op);
  }

  read(): KvOperation[] {
    return this.ops.slice();
  }
}

// Counted calls: each completed call is one op in the stats and in the trace (the
// timeline's clerk lanes); with a log, one history entry.

export async function get(cfg: Config, ck: Clerk, key: string, log?: OpLog, cli = 0): Promise<string> {
  const start = now();
  const v = await ck.get(key);
  cfg.op();
  cfg.traceOp(ck, { kind: "get", key, value: "", output: v, call: start, ret: now() });
  log?.append({ clientId: cli, input: { op: "get", key, value: "" }, call: start, output: { value: v }, return: now() });
  return v;
}

export async function put(cfg: Config, ck: Clerk, key: string, value: string, log?: OpLog, cli = 0): Promise<void> {
  const start = now();
  await ck.put(key, value);
  cfg.op();
  cfg.traceOp(ck, { kind: "put", key, value, output: "", call: start, ret: now() });
  log?.append({ clientId: cli, input: { op: "put", key, value }, call: start, output: { value: "" }, return: now() });
}

export async function append(cfg: Config, ck: Clerk, key: string, value: string, log?: OpLog, cli = 0): Promise<void> {
  const start = now();
  await ck.append(key, value);
  cfg.op();
  cfg.traceOp(ck, { kind: "append", key, value, output: "", call: start, ret: now() });
  log?.append({ clientId: cli, input: { op: "append", key, value }, call: start, output: { value: "" }, return: now() });
}

export async function check(cfg: Config, ck: Clerk, key: string, value: string): Promise<void> {
  const v = await get(cfg, ck, key);
  if (v !== value) fatal(`Get(${key}): expected:\n${value}\nreceived:\n${v}`);
}

/** Porcupine on the whole history: illegal fails (picture in a temp file), and so does unknown. */
export function checkLinearizable(cfg: Config, ops: KvOperation[]): void {
  const res = checkOperations(kvModel, ops, linearizabilityCheckTimeout);
  recordStats({
    kind: "check",
    title: cfg.currentTitle,
    ops: ops.length,
    partitions: res.info.partitions.length,
    result: res.result,
    wallMs: res.ms,
  });
  if (res.result === "illegal") {
    let where = "";
    try {
      const file = writeVisualizationToTemp(kvModel, res.info);
      say(`info: wrote visualization to ${file}`);
      where = `; visualization in ${file}`;
    } catch (e) {
      say(`info: failed to create visualization: ${(e as Error).message}`);
    }
    fatal(`history is not linearizable${where}`);
  }
  if (res.result === "unknown") {
    fatal(
      `linearizability check of ${ops.length} operations did not decide within ` +
        `${linearizabilityCheckTimeout / 1000} s (unknown counts as a failure)`,
    );
  }
}
