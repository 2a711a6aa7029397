// Key/value histories in the log format of the Go porcupine's test data (Jepsen-style EDN
// lines, one event per line):
//
//   {:process 3, :type :invoke, :f :append, :key "4", :value "x 3 1 y"}
//   {:process 3, :type :ok, :f :append, :key "4", :value "x 3 1 y"}
//   {:process 0, :type :invoke, :f :get, :key "5", :value nil}
//   {:process 0, :type :ok, :f :get, :key "5", :value "x 0 2 y"}
//
// The lines carry no times, only their order, so an event's time here is its line number:
// an op is called at its invoke's line and returns at its ok's line.
import type { KvOp, KvOperation } from "./kv-model.js";

const EVENT = /^\{:process (\d+), :type :(invoke|ok), :f :(get|put|append), :key "(.*?)", :value (nil|"(.*)")\}$/;

/**
 * Parse a log into completed operations, in the order they were called. Each process has
 * at most one op open at a time.
 * @throws Error naming the line for a line of another form, an ok without its invoke, an
 *   invoke while the process has one open, a mismatched op or key, or an op never finished.
 */
export function parseKvLog(text: string): KvOperation[] {
  const ops: KvOperation[] = [];
  const open = new Map<number, KvOperation>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const m = EVENT.exec(line);
    const where = `line ${i + 1}`;
    if (m === null) throw new Error(`kv log ${where}: not an event of the form {:process N, :type :invoke|:ok, :f :get|:put|:append, :key "…", :value …}: ${line}`);
    const proc = Number(m[1]);
    const type = m[2]!;
    const op = m[3] as KvOp;
    const key = m[4]!;
    const value = m[6];
    if (type === "invoke") {
      if (open.has(proc)) throw new Error(`kv log ${where}: process ${proc} invokes while its previous op is still open`);
      if (op !== "get" && value === undefined) throw new Error(`kv log ${where}: a ${op} without a value`);
      const o: KvOperation = { clientId: proc, input: { op, key, value: op === "get" ? "" : value! }, call: i, output: { value: "" }, return: i };
      open.set(proc, o);
      ops.push(o);
      continue;
    }
    const o = open.get(proc);
    if (o === undefined) throw new Error(`kv log ${where}: process ${proc} returns without an open op`);
    if (o.input.op !== op || o.input.key !== key) {
      throw new Error(`kv log ${where}: process ${proc} returns ${op} of key "${key}" but invoked ${o.input.op} of key "${o.input.key}"`);
    }
    if (op === "get") {
      if (value === undefined) throw new Error(`kv log ${where}: a get returns nil`);
      o.output.value = value;
    }
    o.return = i;
    open.delete(proc);
  }
  if (open.size > 0) {
    const [proc, o] = [...open][0]!;
    throw new Error(`kv log: process ${proc}'s ${o.input.op} called at line ${o.call + 1} never returns`);
  }
  return ops;
}
