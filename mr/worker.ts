// A MapReduce worker: asks the coordinator for tasks, runs the application's map or
// reduce function on them, and writes the results where other workers can find them.
import { call } from "./transport/client.js";
import { rpcMethods } from "./rpc.js";
import type { KeyValue, MapFunc, ReduceFunc } from "./framework/app.js";
// SOLUTION BEGIN
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { RealClock } from "../runtime/real-clock.js";
import { writeFileAtomic } from "./framework/atomic-write.js";
import { compareKeys } from "./framework/key-order.js";
import { JobAbortedError } from "./framework/job-aborted.js";
// SOLUTION END

export type { KeyValue } from "./framework/app.js";

/** Use ihash(key) % nReduce to choose the reduce task number for each key emitted by map. */
export function ihash(key: string): number {
  // FNV-1a, 32 bits, over the key's UTF-8 bytes.
  let h = 0x811c9dc5;
  const add = (byte: number): void => {
    h = Math.imul(h ^ byte, 0x01000193);
  };
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x80) add(c);
    else {
      for (const b of Buffer.from(key.slice(i))) add(b);
      break;
    }
  }
  return (h >>> 0) & 0x7fffffff;
}

// SOLUTION BEGIN
/** How long to wait before asking again when every task is handed out. */
const POLL_MS = 100;

/**
 * One key's values in an intermediate file, run-length encoded: [key, v1, n1, v2, n2, …]
 * stands for n1 copies of v1, then n2 of v2, …, in the map's order. Word count's
 * values are all "1", so its files hold a count per word instead of millions of "1"s.
 */
type Group = [string, ...(string | number)[]];

export function intermediateName(mapTask: number, reduceTask: number): string {
  return `mr-${mapTask}-${reduceTask}`;
}

async function runMap(task: number, file: string, nReduce: number, mapf: MapFunc): Promise<void> {
  const contents = readFileSync(file, "utf8");
  const kva: KeyValue[] = await mapf(file, contents);
  const groups = new Map<string, Group>();
  for (const { Key, Value } of kva) {
    const g = groups.get(Key);
    if (g === undefined) groups.set(Key, [Key, Value, 1]);
    else if (g[g.length - 2] === Value) (g[g.length - 1] as number)++;
    else g.push(Value, 1);
  }
  // Each distinct key is hashed once rather than once per pair.
  const buckets: Group[][] = Array.from({ length: nReduce }, () => []);
  for (const g of groups.values()) buckets[ihash(g[0]) % nReduce]!.push(g);
  buckets.forEach((bucket, r) => writeFileAtomic(intermediateName(task, r), JSON.stringify(bucket)));
}

/** All values of one key, from its groups in map-task order. */
function expand(groups: Group[]): string[] {
  let total = 0;
  for (const g of groups) for (let i = 2; i < g.length; i += 2) total += g[i] as number;
  const values = new Array<string>(total);
  let at = 0;
  for (const g of groups) {
    for (let i = 1; i < g.length; i += 2) {
      const n = g[i + 1] as number;
      values.fill(g[i] as string, at, at + n);
      at += n;
    }
  }
  return values;
}

async function runReduce(task: number, nMap: number, reducef: ReduceFunc): Promise<void> {
  const byKey = new Map<string, Group[]>();
  for (let m = 0; m < nMap; m++) {
    const groups = JSON.parse(readFileSync(intermediateName(m, task), "utf8")) as Group[];
    for (const g of groups) {
      const gs = byKey.get(g[0]);
      if (gs === undefined) byKey.set(g[0], [g]);
      else gs.push(g);
    }
  }
  const keys = [...byKey.keys()].sort(compareKeys);
  const lines: string[] = [];
  for (const key of keys) {
    lines.push(`${key} ${await reducef(key, expand(byKey.get(key)!))}\n`);
  }
  writeFileAtomic(`mr-out-${task}`, lines.join(""));
}
// SOLUTION END

/** main/mrworker calls this function. It returns when the job is done. */
export async function Worker(mapf: MapFunc, reducef: ReduceFunc): Promise<void> {
  // Your worker implementation here.
  // SOLUTION BEGIN
  const me = `${hostname()}:${process.pid}`;
  const clock = new RealClock();
  try {
    for (;;) {
      const r = await call(rpcMethods, "RequestTask", { Worker: me });
      if (!r.ok) {
        // The coordinator exits when the job is done; not finding it means just that.
        if (!r.reachable) return;
        throw new Error(`RequestTask failed: ${r.error}`);
      }
      const t = r.reply;
      if (t.Kind === "exit") {
        if (t.Aborted !== undefined) throw new JobAbortedError(`the job was aborted: ${t.Aborted}`);
        return;
      }
      if (t.Kind === "wait") {
        await clock.sleep(POLL_MS);
        continue;
      }
      let error: string | undefined;
      try {
        if (t.Kind === "map") await runMap(t.Task, t.File, t.NReduce, mapf);
        else await runReduce(t.Task, t.NMap, reducef);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
        process.stderr.write(`worker ${me}: ${t.Kind} task ${t.Task} failed: ${error}\n`);
      }
      const done = await call(rpcMethods, "ReportTask", { Worker: me, Kind: t.Kind, Task: t.Task, Error: error });
      if (!done.ok) {
        if (!done.reachable) return;
        throw new Error(`ReportTask failed: ${done.error}`);
      }
    }
  } finally {
    clock.stop();
  }
  // SOLUTION END

  // uncomment to send the Example RPC to the coordinator.
  // await CallExample();
}

/** Shows how to make an RPC call to the coordinator. */
export async function CallExample(): Promise<void> {
  // declare an argument structure and fill in the argument(s).
  const args = { X: 99 };
  // send the RPC request, wait for the reply.
  const r = await call(rpcMethods, "Example", args);
  if (r.ok) console.log(`reply.Y ${r.reply.Y}`); // reply.Y should be 100.
  else console.log(`call failed! ${r.error}`);
}
