// The key/value workload of a hunt run (kvraft, shardkv): clerks that Get, Put and Append
// on a few keys until the fault phase ends, then, after healing, every call in flight must
// return within a bound and a fresh clerk must read every key within it too. Each client
// draws from its own stream, so its n-th call is the same whatever the schedule does to
// the others' timing.
import type { World } from "../../runtime/world.js";
import { sleep } from "../../runtime/index.js";
import { within } from "./bound.js";
import type { KvClerk, KvHistory } from "./kv-history.js";
import { WORKLOAD_STREAM, type Workload } from "./schedule.js";

export interface KvWorkloadOptions {
  w: World;
  workload: Workload;
  keys: readonly string[];
  hist: KvHistory;
  /** A new clerk connected to every server. */
  makeClerk: () => KvClerk;
  /** The harness's go(): a client that throws fails the run at once. */
  go: (task: () => Promise<void>) => Promise<void>;
  /** Whether the schedule holds the workload quiet now (no new calls). */
  quiet: () => boolean;
}

/** The running clients; stop() makes each finish its current call and end. */
export interface KvClients {
  done: Promise<void>;
  stop(): void;
}

/** Start workload.clients clients, numbered 0..clients-1 in the history. */
export function startKvClients(o: KvWorkloadOptions): KvClients {
  let stopped = false;
  const [lo, hi] = o.workload.gapMs;
  const tasks = Array.from({ length: o.workload.clients }, (_, c) => {
    const r = o.w.rand(`${WORKLOAD_STREAM}-${c}`);
    const ck = o.makeClerk();
    return o.go(async () => {
      for (let j = 0; !stopped; j++) {
        await sleep(Math.max(1, lo + r.randInt(hi - lo + 1)));
        if (stopped) break;
        if (o.quiet()) continue;
        const key = o.keys[r.randInt(o.keys.length)]!;
        const x = r.randInt(10);
        // Values are unique, so porcupine can tell every write apart.
        const value = `${c}.${j};`;
        if (x < 4) await o.hist.call(ck, c, { op: "get", key, value: "" });
        else if (x < 6) await o.hist.call(ck, c, { op: "put", key, value });
        else await o.hist.call(ck, c, { op: "append", key, value });
      }
    });
  });
  return {
    done: Promise.all(tasks).then(() => undefined),
    stop: () => {
      stopped = true;
    },
  };
}

/**
 * After healing: the clients' calls in flight return within boundMs (virtual), then a
 * fresh clerk (history client number `clients`) reads every key, each read within boundMs.
 * Rejects naming what hung.
 */
export async function drainAndRead(o: KvWorkloadOptions, clients: KvClients, boundMs: number): Promise<void> {
  const s = `${boundMs / 1000} s`;
  await within(clients.done, boundMs, () => `clerk calls made before healing did not return within ${s} after it: ${o.hist.describeInFlight()}`);
  const ck = o.makeClerk();
  for (const key of o.keys) {
    await within(o.hist.call(ck, o.workload.clients, { op: "get", key, value: "" }), boundMs, () => `a Get made after healing did not return within ${s}: ${o.hist.describeInFlight()}`);
  }
}
