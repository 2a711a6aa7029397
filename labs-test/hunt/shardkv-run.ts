// One hunt run of shardkv (4B) on the course's harness (shardkv/config.ts: a controller
// group and three replication groups): the tester joins and leaves groups at random
// moments (always keeping one) while clerks call Get/Put/Append and the schedule's faults
// (network modes, crashes of single shard servers, crashes right after a persist) play
// out; then every fault heals, every call in flight (the tester's Join/Leave included)
// must return within SHARDKV_HEAL_MS, a fresh clerk must read every key within it, the
// persisted state must respect maxraftstate (the course's checklogs), and porcupine must
// find the whole history linearizable.
import { sleep } from "../../runtime/index.js";
import type { World } from "../../runtime/world.js";
import { Config } from "../../shardkv/config.js";
import { withFrame } from "../harness/test-frame.js";
import { within } from "./bound.js";
import { FaultDriver, type FaultTarget } from "./fault-driver.js";
import { checkLinearizable, KvHistory } from "./kv-history.js";
import { drainAndRead, startKvClients, type KvWorkloadOptions } from "./kv-workload.js";
import type { HuntPart } from "./parts.js";
import { drawSchedule, HUNT_STREAM, selectFaults, WORKLOAD_STREAM } from "./schedule.js";

/** Virtual ms after healing within which every pending call, then each final read, must return (shards may have to move first). */
export const SHARDKV_HEAL_MS = 30_000;

/** shardkv's harness as a fault target: peer p is server p % n of group ⌊p / n⌋; crashes and save hooks only. */
function shardkvTarget(cfg: Config, groups: number): FaultTarget {
  const n = cfg.n;
  const up = new Array<boolean>(n * groups).fill(true);
  return {
    size: n * groups,
    net: cfg.net,
    directedLinks: false,
    running: (p) => up[p]!,
    crash: (p) => {
      cfg.shutdownServer(Math.floor(p / n), p % n);
      up[p] = false;
    },
    restart: (p) => {
      cfg.startServer(Math.floor(p / n), p % n);
      up[p] = true;
    },
    persister: (p) => cfg.persister(Math.floor(p / n), p % n),
    // The harness does not show its servers' Rafts.
    leaders: () => [],
    fail: (e) => cfg.fail(e),
  };
}

/** The run body of a shardkv hunt (see raftRun for seed and keep). */
export async function shardkvRun(part: HuntPart, w: World, keep?: readonly number[]): Promise<void> {
  const s = drawSchedule(part, w.seed, w.rand(HUNT_STREAM));
  const faults = selectFaults(s, keep);
  await withFrame(new Config(s.peers, false, s.workload.maxraftstate), async (cfg) => {
    cfg.begin(`Hunt (${part.id}): ${part.groups} groups of ${s.peers}, ${s.workload.clients} client(s), ${faults.length} fault(s) for ${(s.phaseMs / 1000).toFixed(1)} s, then healing`);
    const hist = new KvHistory(() => cfg.op());
    const driver = new FaultDriver(shardkvTarget(cfg, part.groups), faults, (name) => w.rand(name));
    const o: KvWorkloadOptions = {
      w,
      workload: s.workload,
      // key2shard takes the first byte: "0".."9" land on shards 0..9.
      keys: Array.from({ length: s.workload.keys }, (_, k) => `${k}`),
      hist,
      makeClerk: () => cfg.makeClient(),
      go: (task) => cfg.go(task),
      quiet: () => driver.quiet,
    };
    let stopped = false;
    let adminDoing = "nothing";
    const admin = cfg.go(async () => {
      const r = w.rand(`${WORKLOAD_STREAM}-admin`);
      adminDoing = "Join of group 0";
      await cfg.join(0);
      let joined = [0];
      while (!stopped) {
        await sleep(300 + r.randInt(3000));
        if (stopped) break;
        const absent = Array.from({ length: part.groups }, (_, g) => g).filter((g) => !joined.includes(g));
        if (absent.length > 0 && (joined.length === 1 || r.randInt(2) === 0)) {
          const g = absent[r.randInt(absent.length)]!;
          adminDoing = `Join of group ${g}`;
          await cfg.join(g);
          joined = [...joined, g];
        } else {
          const g = joined[r.randInt(joined.length)]!;
          adminDoing = `Leave of group ${g}`;
          await cfg.leave(g);
          joined = joined.filter((x) => x !== g);
        }
        adminDoing = "nothing";
      }
    });
    driver.start();
    const clients = startKvClients(o);
    await sleep(s.phaseMs);
    stopped = true;
    clients.stop();
    driver.heal();
    await within(admin, SHARDKV_HEAL_MS, () => `the tester's ${adminDoing}, made before healing, did not return within ${SHARDKV_HEAL_MS / 1000} s after it`);
    await drainAndRead(o, clients, SHARDKV_HEAL_MS);
    try {
      cfg.checklogs();
    } catch (e) {
      cfg.fatal((e as Error).message);
    }
    checkLinearizable(hist.ops, (msg) => cfg.fatal(msg));
    cfg.end();
  });
}
