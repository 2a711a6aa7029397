// One hunt run of a Raft part (2A–2D) on the course's harness (raft/config.ts): the
// schedule's faults are applied while the tester calls Start() on every running peer at
// random moments, then every fault heals and progress must return within the course's
// bounds. The oracles are the harness's own (every applied command agrees with every other
// peer's, in order; snapshots match), the course's checkOneLeader rule at every workload
// step (two peers leading in one term at the same moment), elections within
// checkOneLeader's ~5 s whenever a clean majority is cut off from the rest, a peer that
// hears nobody taking the term its calls are answered in within as long (liveness.ts),
// and after healing: a leader within checkOneLeader's bound, one() of a fresh command on
// every peer within its 10 s (2B–2D), and 2D's bound on the persisted Raft state.
import { Config, MAXLOGSIZE } from "../../raft/config.js";
import { now, sleep, world } from "../../runtime/index.js";
import { SimClock } from "../../runtime/sim-clock.js";
import type { World } from "../../runtime/world.js";
import { withFrame } from "../harness/test-frame.js";
import { FaultDriver, leadersBy, type FaultTarget } from "./fault-driver.js";
import { cleanMajority, ElectionWatch, LogBounds, StarWatch, TermWatch, type LogPos, type StarView } from "./liveness.js";
import type { HuntPart } from "./parts.js";
import { BURST_STREAM, drawSchedule, HUNT_STREAM, selectFaults, WORKLOAD_STREAM } from "./schedule.js";

/** The course's Raft harness as a fault target: directed links, held messages, save hooks. */
function raftTarget(cfg: Config, snapshot: boolean): FaultTarget {
  return {
    size: cfg.n,
    net: cfg.net,
    directedLinks: true,
    running: (p) => cfg.rafts[p] !== null,
    crash: (p) => cfg.crash1(p),
    restart: (p) => {
      cfg.start1(p, snapshot ? cfg.applierSnap : cfg.applier);
      cfg.connect(p);
    },
    setLink: (from, to, up) => {
      const end = cfg.endnames[from]?.[to];
      if (end !== undefined) cfg.net.enable(end, up);
    },
    endName: (from, to) => cfg.endnames[from]?.[to],
    persister: (p) => cfg.saved[p],
    term: (p) => cfg.rafts[p]?.getState().term,
    // The harness names peer i's labrpc server i.
    serverPeer: (server) => (typeof server === "number" && server >= 0 && server < cfg.n ? server : undefined),
    leaders: () => leadersBy(cfg.n, (p) => cfg.rafts[p]?.getState()),
    fail: (e) => cfg.fail(e),
  };
}

/** The course's checkOneLeader rule at this moment, over every running peer: one leader per term. */
function checkLeaders(cfg: Config): void {
  const leaders = new Map<number, number>();
  cfg.rafts.forEach((rf, i) => {
    const s = rf?.getState();
    if (s?.isLeader !== true) return;
    const other = leaders.get(s.term);
    if (other !== undefined) cfg.fatal(`term ${s.term} has 2 (>1) leaders: peers ${other} and ${i} at once`);
    leaders.set(s.term, i);
  });
}

/**
 * The run body of a Raft hunt: seed = the world's seed; keep = the schedule's faults to
 * apply (default all). Rejects with the first failure, as a graded test body does.
 */
export async function raftRun(part: HuntPart, w: World, keep?: readonly number[]): Promise<void> {
  const s = drawSchedule(part, w.seed, w.rand(HUNT_STREAM));
  const faults = selectFaults(s, keep);
  const wr = w.rand(WORKLOAD_STREAM);
  const snapshot = part.id === "2D";
  // 2A asks for elections only; its runs call Start() too (a 2A skeleton's Start() does
  // nothing), so that where logs exist, elections must respect them, but only 2B on
  // asks for agreement.
  const agree = part.id !== "2A";
  await withFrame(new Config(s.peers, false, snapshot), async (cfg) => {
    cfg.begin(`Hunt (${part.id}): ${s.peers} peers, ${faults.length} fault(s) for ${(s.phaseMs / 1000).toFixed(1)} s, then healing`);
    const target = raftTarget(cfg, snapshot);
    const restart = target.restart;
    // A fault's burst draws its commands from a stream of its own, shifting none of the workload's.
    const burstRand = w.rand(BURST_STREAM);
    const driver = new FaultDriver(
      {
        ...target,
        restart: (p) => {
          view.applied(p); // brings appliedTo[p] up to date
          floor[p] = appliedTo[p]!;
          restart(p);
        },
        burst: (n) => {
          for (let k = 0; k < n; k++) startEverywhere(burstRand.nrand());
        },
      },
      faults,
      (name) => w.rand(name),
    );
    const watch = new ElectionWatch();
    const terms = new TermWatch();
    const term = (p: number): number | undefined => cfg.rafts[p]?.getState().term;
    // Elections through one up-to-date peer (StarWatch) need every leader seen at every
    // event (LogBounds), which only the simulated clock gives; with REALTIME=1 they go unchecked.
    const clock = world().clock;
    const bounds = new LogBounds(s.peers);
    const stars = clock instanceof SimClock ? new StarWatch() : undefined;
    /** The term each accepted Start() got, by `index:command` (the lowest, should two leaders take one command at one index). */
    const startTerms = new Map<string, number>();
    /** The highest index each peer has applied, in order (the harness's log of it runs from 1 without gaps). */
    const appliedTo = new Array<number>(s.peers).fill(0);
    /** appliedTo when each peer last restarted. */
    const floor = new Array<number>(s.peers).fill(0);
    const view: StarView = {
      size: driver.size,
      running: (p) => driver.running(p),
      linkUp: (p, q) => driver.linkUp(p, q),
      modesOn: () => driver.modesOn(),
      bound: (p) => bounds.of(p),
      applied: (p): LogPos => {
        const log = cfg.logs[p]!;
        let i = appliedTo[p]!;
        while (log.has(i + 1)) i++;
        appliedTo[p] = i;
        // What a peer applied before its last restart may not be in its log now.
        const t = i <= floor[p]! ? undefined : startTerms.get(`${i}:${String(log.get(i))}`);
        return t === undefined ? [0, 0] : [t, i];
      },
    };
    if (clock instanceof SimClock && stars !== undefined) {
      clock.afterEachEvent(() => {
        const leading: number[] = [];
        cfg.rafts.forEach((rf, p) => {
          if (rf?.getState().isLeader === true) {
            leading.push(p);
            stars.led(p, now());
          }
        });
        bounds.spread(leading, (p, q) => driver.mayReach(p, q));
        return false;
      });
    }
    /** As TestFigure8Unreliable2C does: every running peer is asked; leaders accept. */
    function startEverywhere(cmd: number): void {
      cfg.rafts.forEach((rf, p) => {
        const r = rf?.start(cmd);
        if (r?.isLeader !== true) return;
        bounds.started(p, r.term, r.index);
        const key = `${r.index}:${String(cmd)}`;
        startTerms.set(key, Math.min(r.term, startTerms.get(key) ?? Infinity));
      });
    }
    const changed = (): void => {
      watch.changed(now(), cleanMajority(driver));
      terms.changed(now(), driver, term);
      stars?.update(now(), view);
    };
    changed();
    driver.onChange(changed);
    driver.start();
    const t0 = now();
    const [lo, hi] = s.workload.gapMs;
    while (now() - t0 < s.phaseMs) {
      await sleep(Math.max(1, lo + wr.randInt(hi - lo + 1)));
      cfg.checkFailed();
      checkLeaders(cfg);
      stars?.update(now(), view);
      const stall =
        watch.observe(now(), (p) => cfg.rafts[p]?.getState().isLeader === true) ?? terms.observe(now(), term) ?? stars?.observe(now(), view);
      if (stall !== undefined) cfg.fatal(stall);
      // Drawn even when quiet, so a quiet window shifts no later command.
      const n = s.workload.burst > 1 && wr.randInt(8) === 0 ? 2 + wr.randInt(s.workload.burst - 1) : 1;
      for (let k = 0; k < n; k++) {
        const cmd = wr.nrand();
        if (!driver.quiet) startEverywhere(cmd);
      }
    }
    driver.heal();
    await cfg.checkOneLeader();
    if (agree) {
      await cfg.one(wr.nrand(), s.peers, true);
      if (snapshot && cfg.logSize() > MAXLOGSIZE) cfg.fatal(`Log size too large: ${cfg.logSize()} > ${MAXLOGSIZE} bytes after healing`);
    }
    cfg.end();
  });
}
