// One hunt run of kvraft (3A, 3B) on the course's harness (kvraft/config.ts): clerks call
// Get/Put/Append while the schedule's faults (network modes, partitions, crashes, crashes
// right after a persist) play out; then every fault heals, every call in flight must
// return within KV_HEAL_MS and a fresh clerk must read every key within it, the Raft state
// must respect 8 × maxraftstate (3B, the course's bound), and porcupine must find the
// whole history linearizable.
import { Config } from "../../kvraft/config.js";
import type { Clerk } from "../../kvraft/client.js";
import { sleep } from "../../runtime/index.js";
import type { World } from "../../runtime/world.js";
import { withFrame } from "../harness/test-frame.js";
import { FaultDriver, leadersBy, type FaultTarget } from "./fault-driver.js";
import { checkLinearizable, KvHistory } from "./kv-history.js";
import { drainAndRead, startKvClients, type KvWorkloadOptions } from "./kv-workload.js";
import type { HuntPart } from "./parts.js";
import { drawSchedule, HUNT_STREAM, selectFaults } from "./schedule.js";

/** Virtual ms after healing within which every pending clerk call, then each final read, must return. */
export const KV_HEAL_MS = 20_000;

/** kvraft's harness as a fault target: links cut both ways, crashes, save hooks; no end names. */
function kvTarget(cfg: Config): FaultTarget {
  const running = (): number[] => cfg.all().filter((i) => cfg.server(i) !== null);
  return {
    size: cfg.n,
    net: cfg.net,
    directedLinks: false,
    running: (p) => cfg.server(p) !== null,
    crash: (p) => cfg.shutdownServer(p),
    restart: (p) => {
      cfg.startServer(p);
      cfg.connect(p, running());
    },
    setLink: (a, b, up) => (up ? cfg.connect(a, [b]) : cfg.disconnect(a, [b])),
    persister: (p) => cfg.persister(p),
    leaders: () => leadersBy(cfg.n, (p) => cfg.server(p)?.rf.getState()),
    fail: (e) => cfg.fail(e),
  };
}

/** The run body of a kvraft hunt (see raftRun for seed and keep). */
export async function kvraftRun(part: HuntPart, w: World, keep?: readonly number[]): Promise<void> {
  const s = drawSchedule(part, w.seed, w.rand(HUNT_STREAM));
  const faults = selectFaults(s, keep);
  const maxraftstate = s.workload.maxraftstate;
  await withFrame(new Config(s.peers, false, maxraftstate), async (cfg) => {
    cfg.begin(`Hunt (${part.id}): ${s.peers} servers, ${s.workload.clients} client(s), ${faults.length} fault(s) for ${(s.phaseMs / 1000).toFixed(1)} s, then healing`);
    const hist = new KvHistory((ck, op) => {
      cfg.op();
      const { input, output } = op;
      cfg.traceOp(ck as Clerk, { kind: input.op, key: input.key, value: input.value, output: output.value, call: op.call, ret: op.return });
    });
    const driver = new FaultDriver(kvTarget(cfg), faults, (name) => w.rand(name));
    const o: KvWorkloadOptions = {
      w,
      workload: s.workload,
      keys: Array.from({ length: s.workload.keys }, (_, k) => `k${k}`),
      hist,
      makeClerk: () => cfg.makeClient(cfg.all()),
      go: (task) => cfg.go(task),
      quiet: () => driver.quiet,
    };
    driver.start();
    const clients = startKvClients(o);
    await sleep(s.phaseMs);
    clients.stop();
    driver.heal();
    await drainAndRead(o, clients, KV_HEAL_MS);
    if (maxraftstate > 0 && cfg.logSize() > 8 * maxraftstate) cfg.fatal(`logs were not trimmed (${cfg.logSize()} > 8*${maxraftstate})`);
    checkLinearizable(hist.ops, (msg) => cfg.fatal(msg));
    cfg.end();
  });
}
