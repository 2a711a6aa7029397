// One hunt run of the shard controller (4A) on the course's harness
// (shardctrler/config.ts): an admin clerk makes configuration changes one after another
// (Join of a new group, Leave of a present one, Move of a shard to a present one) while
// query clerks read configurations, and the schedule's faults (network modes, crashes)
// play out. Since every change makes exactly one new configuration, configuration k is
// the one after the admin's k-th change, and each read is checked against it:
//   - the same number always names the same configuration;
//   - Query(-1) returns a number between the changes completed before it was called and
//     the changes begun before it returned (linearizability); Query(n) returns n once
//     change n had completed before the call;
//   - configuration k has exactly the groups the first k changes leave (with their
//     servers), every shard on one of them (gid 0 when there are none), shards balanced
//     after a Join or Leave, and the moved shard where a Move put it.
// After healing, the admin's change in flight and every read must return within
// CTRLER_HEAL_MS, and a fresh clerk's Query(-1) must return the last configuration.
import { sleep, now } from "../../runtime/index.js";
import type { World } from "../../runtime/world.js";
import type { Clerk } from "../../shardctrler/client.js";
import { NShards, type Config as ShardConfig } from "../../shardctrler/common.js";
import { Config } from "../../shardctrler/config.js";
import { checkBalanced } from "../../shardctrler/framework/checks.js";
import { withFrame } from "../harness/test-frame.js";
import { within } from "./bound.js";
import { FaultDriver, type FaultTarget } from "./fault-driver.js";
import type { HuntPart } from "./parts.js";
import { drawSchedule, HUNT_STREAM, selectFaults, WORKLOAD_STREAM } from "./schedule.js";

/** Virtual ms after healing within which every pending call, then the final query, must return. */
export const CTRLER_HEAL_MS = 20_000;
/** Gids the admin joins and leaves: 1..GIDS. */
const GIDS = 6;

/** What configuration k must look like: the groups after change k, and what change k was. */
interface Expected {
  groups: number[];
  change: { kind: "initial" | "join" | "leave" } | { kind: "move"; shard: number; gid: number };
}

function serversOf(gid: number): string[] {
  return [`server-${gid}-0`, `server-${gid}-1`, `server-${gid}-2`];
}

/** The shard controller's harness as a fault target: crashes only (no partitions, no save hooks). */
function ctrlerTarget(cfg: Config): FaultTarget {
  const up = new Array<boolean>(cfg.n).fill(true);
  return {
    size: cfg.n,
    net: cfg.net,
    directedLinks: false,
    running: (p) => up[p]!,
    crash: (p) => {
      cfg.shutdownServer(p);
      up[p] = false;
    },
    restart: (p) => {
      cfg.startServer(p);
      cfg.connectAll();
      up[p] = true;
    },
    // The harness shows only the first server that claims leadership.
    leaders: () => {
      const l = cfg.leader();
      return l.ok ? [l.leader] : [];
    },
    fail: (e) => cfg.fail(e),
  };
}

/** The admin's changes so far: what each made, when each began and returned. */
class Changes {
  readonly expected: Expected[] = [{ groups: [], change: { kind: "initial" } }];
  /** Changes begun (their configurations may exist already). */
  begun = 0;
  /** Changes returned to the admin. */
  completed = 0;
}

/** Check one configuration read against what the changes say it must be; fatal on a mismatch. */
function checkConfig(c: ShardConfig, changes: Changes, fatal: (msg: string) => never): void {
  const e = changes.expected[c.num];
  if (e === undefined) fatal(`Query returned config ${c.num}, but only ${changes.begun} configuration changes have been made`);
  const show = `config ${c.num}`;
  const gids = Object.keys(c.groups).map(Number).sort((a, b) => a - b);
  if (gids.join(",") !== e.groups.join(",")) fatal(`${show} has groups {${gids.join(",")}}, want {${e.groups.join(",")}}`);
  for (const g of gids) {
    if (c.groups[g]!.join(",") !== serversOf(g).join(",")) fatal(`${show}: wrong servers for gid ${g}: ${JSON.stringify(c.groups[g])}`);
  }
  if (c.shards.length !== NShards) fatal(`${show} has ${c.shards.length} shards, want ${NShards}`);
  c.shards.forEach((g, s) => {
    if (gids.length === 0 ? g !== 0 : !gids.includes(g)) fatal(`${show}: shard ${s} -> invalid group ${g}`);
  });
  if (e.change.kind === "move") {
    if (c.shards[e.change.shard] !== e.change.gid) fatal(`${show} follows Move(${e.change.shard}, ${e.change.gid}) but puts shard ${e.change.shard} on ${c.shards[e.change.shard]}`);
  } else {
    checkBalanced(c, (msg) => fatal(`${show}: ${msg}`));
  }
}

/** The run body of a shard-controller hunt (see raftRun for seed and keep). */
export async function shardctrlerRun(part: HuntPart, w: World, keep?: readonly number[]): Promise<void> {
  const s = drawSchedule(part, w.seed, w.rand(HUNT_STREAM));
  const faults = selectFaults(s, keep);
  const [lo, hi] = s.workload.gapMs;
  await withFrame(new Config(s.peers, false), async (cfg) => {
    cfg.begin(`Hunt (${part.id}): ${s.peers} servers, ${s.workload.clients} query client(s), ${faults.length} fault(s) for ${(s.phaseMs / 1000).toFixed(1)} s, then healing`);
    const fatal = (msg: string): never => cfg.fatal(msg);
    const changes = new Changes();
    const seen = new Map<number, string>();
    let stopped = false;

    /** One read: its bounds, its content, and that its number always names the same configuration. */
    const observe = (c: ShardConfig, num: number, completedBefore: number, begunByReturn: number): void => {
      if (!Number.isSafeInteger(c.num) || c.num < 0) fatal(`Query(${num}) returned config number ${c.num}`);
      if (num === -1 || num > completedBefore) {
        if (c.num < completedBefore) fatal(`Query(${num}) called after ${completedBefore} configuration changes had returned gave config ${c.num}`);
        if (c.num > begunByReturn) fatal(`Query(${num}) gave config ${c.num}, but only ${begunByReturn} configuration changes had been made when it returned`);
        if (num !== -1 && c.num > num) fatal(`Query(${num}) gave config ${c.num}`);
      } else if (c.num !== num) {
        fatal(`Query(${num}) gave config ${c.num}`);
      }
      checkConfig(c, changes, fatal);
      const text = JSON.stringify([c.shards, Object.entries(c.groups).sort(([a], [b]) => Number(a) - Number(b))]);
      const before = seen.get(c.num);
      if (before !== undefined && before !== text) fatal(`two different configs numbered ${c.num}: ${before} and ${text}`);
      seen.set(c.num, text);
    };

    const query = async (ck: Clerk, num: number): Promise<ShardConfig> => {
      const completedBefore = changes.completed;
      const c = await ck.query(num);
      observe(c, num, completedBefore, changes.begun);
      return c;
    };

    const admin = cfg.go(async () => {
      const r = w.rand(`${WORKLOAD_STREAM}-admin`);
      const ck = cfg.makeClient();
      let present: number[] = [];
      while (!stopped) {
        await sleep(Math.max(1, 5 * (lo + r.randInt(hi - lo + 1))));
        if (stopped) break;
        const x = r.randInt(20);
        const absent = Array.from({ length: GIDS }, (_, i) => i + 1).filter((g) => !present.includes(g));
        let e: Expected;
        let change: () => Promise<void>;
        if (present.length === 0 || (x < 9 && absent.length > 0)) {
          const gid = absent[r.randInt(absent.length)]!;
          present = [...present, gid].sort((a, b) => a - b);
          e = { groups: present, change: { kind: "join" } };
          change = () => ck.join({ [gid]: serversOf(gid) });
        } else if (x < 15) {
          const gid = present[r.randInt(present.length)]!;
          present = present.filter((g) => g !== gid);
          e = { groups: present, change: { kind: "leave" } };
          change = () => ck.leave([gid]);
        } else {
          const shard = r.randInt(NShards);
          const gid = present[r.randInt(present.length)]!;
          e = { groups: present, change: { kind: "move", shard, gid } };
          change = () => ck.move(shard, gid);
        }
        changes.expected.push(e);
        changes.begun++;
        await change();
        changes.completed++;
      }
    });

    const readers = Array.from({ length: s.workload.clients }, (_, c) => {
      const r = w.rand(`${WORKLOAD_STREAM}-${c}`);
      const ck = cfg.makeClient();
      return cfg.go(async () => {
        let last = -1;
        while (!stopped) {
          await sleep(Math.max(1, lo + r.randInt(hi - lo + 1)));
          if (stopped) break;
          const num = r.randInt(3) === 0 ? r.randInt(changes.begun + 2) : -1;
          const got = await query(ck, num);
          if (num === -1) {
            if (got.num < last) fatal(`query client ${c}: Query(-1) gave config ${got.num} after it had given ${last}`);
            last = got.num;
          }
        }
      });
    });

    const driver = new FaultDriver(ctrlerTarget(cfg), faults, (name) => w.rand(name));
    driver.start();
    await sleep(s.phaseMs);
    stopped = true;
    driver.heal();
    const bound = `${CTRLER_HEAL_MS / 1000} s`;
    await within(Promise.all([admin, ...readers]), CTRLER_HEAL_MS, () => `clerk calls made before healing did not return within ${bound} after it (configuration changes begun ${changes.begun}, returned ${changes.completed})`);
    const t = now();
    const last = await within(query(cfg.makeClient(), -1), CTRLER_HEAL_MS, () => `Query(-1) made after healing (at ${(t / 1000).toFixed(3)} s) did not return within ${bound}`);
    if (last.num !== changes.completed) fatal(`after healing, Query(-1) gave config ${last.num}, want ${changes.completed} (one per configuration change)`);
    cfg.end();
  });
}
