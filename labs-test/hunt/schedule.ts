// A hunt run's schedule: a value drawn from the run's seed alone before anything runs —
// the cluster's size, how long the fault phase lasts, the workload's figures and a list
// of timed faults (swarm testing: each run enables a random subset of its part's fault
// kinds, then draws a few windows of each). Drawing it needs no world (the world's
// "hunt" stream is `new Rand(seed, "hunt")`), so the search's parent computes the same
// schedule its workers run, prints it, and shrinks it by replaying the same seed with a
// subset of its faults (KEEP): removing a fault shifts no other fault, since every draw
// was made up front; the workload's own draws come from another stream.
import { createHash } from "node:crypto";
import { DEFAULT_COST_MODEL } from "../../runtime/cost-model.js";
import { Rand } from "../../runtime/rand.js";
import { HuntError, type FaultKind, type HuntPart } from "./parts.js";

/** The world stream the schedule is drawn from. */
export const HUNT_STREAM = "hunt";
/** The world stream of the workload's own choices (commands, keys, gaps), apart from the schedule's. */
export const WORKLOAD_STREAM = "hunt-workload";
/** The world stream of the commands a fault's burst starts (depose, stagger), apart from the workload's. */
export const BURST_STREAM = "hunt-burst";

/**
 * A run's intensity, drawn once: each enabled kind then gets 1 to this many windows, so
 * some runs are sparse (one window of each) and some are dense (many crashes of the leader in a row).
 */
const INTENSITIES: readonly number[] = [1, 2, 4, 8, 16];

/** Window lengths (virtual ms): short, medium and long, equally likely. */
const DURATIONS: ReadonlyArray<readonly [number, number]> = [
  [5, 500],
  [500, 3000],
  [3000, 10000],
];
/**
 * One-way windows (virtual ms): long enough that a peer cut off both ways for the first
 * part (while the others elect and move on) then spends seconds hearing nothing while
 * still calling the others, or the reverse.
 */
const ONE_WAY_MS: readonly [number, number] = [3000, 15000];
/**
 * At most this many windows a run of these kinds: each is long and shapes the links in a
 * way no other fault undoes, so that more of them in one run leave none of the shapes
 * they are there for (a peer that hears nobody; stale peers around one up-to-date peer).
 */
const MAX_WINDOWS: Partial<Record<FaultKind, number>> = { "one-way": 2, "stale-rejoin": 1, depose: 1, stall: 2 };
/**
 * stall: how long every reply is held (virtual ms): past a leader's CheckQuorum (about 1 s
 * unanswered) and a follower's election timeout after it, so that each peer has a (pre-)vote
 * granted and unseen when the replies come.
 */
const STALL_HOLD_MS: readonly [number, number] = [1500, 6000];
/**
 * stall: the longest gap between two callers' releases (virtual ms), about a lossy network's
 * longest request delay (unreliableDelayMs).
 */
const STALL_GAP_MAX_MS = DEFAULT_COST_MODEL.unreliableDelayMs;
/**
 * stall, released after a vote: the longest wait for one (virtual ms) before the other
 * callers' replies arrive anyway.
 */
export const STALL_VOTE_WAIT_MS = 100;
/** stall: how long its window lasts after the last release (virtual ms): the elections that follow. */
const STALL_TAIL_MS = 1000;
/** depose: the longest L's group stays cut off both ways, and the longest the steering lasts (virtual ms). */
export const DEPOSE_CUT_MAX_MS = 8000;
export const DEPOSE_STEER_MS = 8000;
/**
 * The most commands one burst starts (a depose or stagger window's, or a workload step's): at most the
 * course's SnapShotInterval, so one burst crosses at most one snapshot point.
 */
export const MAX_BURST = 10;
/**
 * The shortest wait between two steps of a Raft run's tester (virtual ms): at the fastest
 * (10-30 ms, bursts of up to 10) about 80 commands a second, some 2.5 times
 * TestFigure8Unreliable2C's ~33.
 */
const RAFT_MIN_GAP_MS = 10;
/** Churn windows (many steps each): 3 to 15 virtual s. */
const CHURN_MS: readonly [number, number] = [3000, 15000];

/**
 * One fault: it starts `at` virtual ms into the run and lasts `ms` (or until healing).
 * Peers are numbered 0..targets-1 (for shardkv, server i of group g is g × peers + i).
 */
export type Fault =
  | { kind: "loss" | "reorder" | "dup" | "quiet"; at: number; ms: number }
  /** side: the peers on one side; the others are on the other. */
  | { kind: "partition"; at: number; ms: number; side: number[] }
  /** leader: aim at whoever leads when the fault starts, else at peer. */
  | { kind: "isolate" | "crash" | "crash-on-save"; at: number; ms: number; peer: number; leader: boolean }
  /**
   * Directed links from one peer (the leader when the fault starts if leader, else from)
   * to `to`, or to every other peer ("all"): the ends that peer calls them on.
   */
  | { kind: "cut" | "hold-requests"; at: number; ms: number; from: number; leader: boolean; to: number | "all" }
  /**
   * hold-replies as above; newestFirst: when the window ends the held replies arrive
   * newest first (a later call's reply before an earlier one's), else in call order.
   */
  | { kind: "hold-replies"; at: number; ms: number; from: number; leader: boolean; to: number | "all"; newestFirst: boolean }
  /**
   * An asymmetric partition between a group and the other peers. The group is `side`, or
   * when side is null one peer (the leader when the fault starts if leader, else peer).
   * deaf: the others' calls to the group fail (it hears nobody outside but its calls get
   * through); else the group's calls to the others fail (it is heard by nobody outside).
   * For the window's first bothMs the other direction is cut as well.
   */
  | { kind: "one-way"; at: number; ms: number; side: number[] | null; peer: number; leader: boolean; deaf: boolean; bothMs: number }
  /**
   * stale: how many peers fall behind (a minority); order: every peer, in the order the
   * stale ones and then the one they come back through are picked when the fault starts
   * (skipping whoever leads then). For lagMs the stale peers are cut off from everyone;
   * for the rest of the window they reach that one peer alone, and the others are cut off
   * from both.
   */
  | { kind: "stale-rejoin"; at: number; ms: number; lagMs: number; stale: number; order: number[] }
  /**
   * The replies to the calls of the leader when the fault starts (else of peer) to the first
   * `held` other peers in `order` are held, and `burst` commands start (0: none); holdMs
   * later they arrive, peer by peer in that order gapMs apart (each peer's newest first if
   * newestFirst). The window ends after the last.
   */
  | { kind: "stagger"; at: number; ms: number; peer: number; order: number[]; held: number; holdMs: number; gapMs: number; newestFirst: boolean; burst: number }
  /**
   * Every reply on every link between peers held for holdMs; then the replies to the calls
   * of the callers in `order` arrive: the first caller's, then each next one's gapMs later
   * (gap 0: one after another in the same instant, in order), or if afterVote every other
   * caller's right after the first "vote" once the first caller's are out: a handler's reply
   * from a peer that persisted a higher term in it (most often a vote for the first caller;
   * at most STALL_VOTE_WAIT_MS later), so that a second candidate stands in the term the
   * first has just been granted a vote in. The window lasts at least STALL_TAIL_MS after the
   * last release. bounce: for the whole window, a peer that persisted a higher term in a
   * handler crashes once that handler's reply has left and restarts at once (once a peer a
   * window): a vote granted, then lost if the peer does not restore it.
   */
  | { kind: "stall"; at: number; ms: number; holdMs: number; order: number[]; gapMs: number; afterVote: boolean; bounce: boolean }
  /** Steps drawn from the world's stream "hunt-fault-<index>", apart from every other draw. */
  | { kind: "leader-churn" | "crash-churn"; at: number; ms: number }
  /**
   * A leader deposed and back, and its stale traffic (fault-driver.ts runs the steps). L is
   * the leader when the fault starts (else peer). The replies to L's calls to the first
   * `held` of the other peers (in `order`) are held: from the start if not depose. If depose,
   * at holdMs L and the first `side` held peers (a minority with L) are cut off both ways
   * from the rest until another peer leads, and lingerMs more (at most DEPOSE_CUT_MAX_MS),
   * and the holds start holdLagMs into that cut (at the latest when it ends); then L hears nobody for the
   * rest of the window while its calls get through (deaf), or its links come back and, if
   * steer, every other peer seen leading for leadMs is cut off (one of them rejoining while
   * fewer than a majority are reachable) until L leads again, for at most DEPOSE_STEER_MS; the rest of
   * its group stays cut off from all. releaseMs after that (after holdMs if not depose) the
   * steered-off peers rejoin and the held replies arrive, peer by peer in `order`, gapMs
   * apart (each peer's newest first if newestFirst: a later call's reply before an earlier
   * one's), a peer of L's group rejoining with its replies; if quiet, the workload pauses
   * from then to the window's end (what the stale replies left is what the cluster keeps);
   * exposeMs after the last, if not null, L is cut off for the rest of the window.
   * burst: as the holds start, this many commands start at once (0: none; a fault's load
   * spike, so a quiet window does not stop it), so the first message the holds catch
   * carries several entries even from a Raft that keeps one message in flight to a
   * follower; they may cross a snapshot point.
   */
  | {
      kind: "depose";
      at: number;
      ms: number;
      peer: number;
      order: number[];
      held: number;
      holdMs: number;
      depose: boolean;
      holdLagMs: number;
      side: number;
      lingerMs: number;
      deaf: boolean;
      steer: boolean;
      leadMs: number;
      releaseMs: number;
      gapMs: number;
      newestFirst: boolean;
      quiet: boolean;
      exposeMs: number | null;
      burst: number;
    };

/** What the run's clients do (their individual choices come from WORKLOAD_STREAM). */
export interface Workload {
  /** Virtual ms a client waits between two steps, drawn per step in [min, max]. */
  gapMs: [number, number];
  /** Clients at once (clerks; Raft has one: the tester calling Start()). */
  clients: number;
  /** Keys the clerks use. */
  keys: number;
  /** kvraft and shardkv: the servers' maxraftstate (-1: no snapshots). */
  maxraftstate: number;
  /**
   * Raft: the most commands one step may start at once (1: one a step). With more, one step
   * in eight starts 2 to burst commands together, as a busy service does: they travel
   * in one AppendEntries, so a follower's log can run past the leader's next snapshot point.
   * At most 10: with bursts of up to 30 at a step every 10-30 ms (about twice the rate of
   * the course's Figure 8 tests) and the leader's replies held for 6 s, a correct Raft that
   * sends its whole log in each AppendEntries (the student-style one) did not agree within
   * one()'s 10 s after healing (seed 43 of 2D): a load, not a bug.
   */
  burst: number;
}

export interface Schedule {
  part: string;
  seed: number;
  /** Servers in the cluster (per group for shardkv). */
  peers: number;
  /** Peers the faults address: peers × groups. */
  targets: number;
  /** Virtual ms of the fault phase; healing starts then. */
  phaseMs: number;
  workload: Workload;
  /** In order of their start (ties in drawing order); KEEP names them by index here. */
  faults: Fault[];
}

function between(r: Rand, lo: number, hi: number): number {
  return lo + r.randInt(hi - lo + 1);
}

/** An integer in [lo, hi] whose logarithm is uniform (lo ≥ 1): each scale equally likely. */
function logUniform(r: Rand, lo: number, hi: number): number {
  if (hi <= lo) return lo;
  const steps = 1000;
  return Math.min(hi, Math.round(lo * Math.pow(hi / lo, r.randInt(steps + 1) / steps)));
}

function drawWorkload(part: HuntPart, r: Rand): Workload {
  const min = [0, 10, 50][r.randInt(3)]!;
  const gapMs: [number, number] = [min, min + [20, 200, 1000][r.randInt(3)]!];
  switch (part.lab) {
    case "raft": {
      // Start() returns at once, so nothing paces the tester but its gaps: a step at least
      // every RAFT_MIN_GAP_MS. With no floor (a step every 0-20 ms, bursts of up to 10), a
      // correct Raft that saves its whole log at every change (the student-style one)
      // saturates its disk under the cost model and can miss one()'s 10 s after healing
      // with no fault at all: a load, not a bug.
      const lo = Math.max(gapMs[0], RAFT_MIN_GAP_MS);
      return { gapMs: [lo, lo + gapMs[1] - gapMs[0]], clients: 1, keys: 0, maxraftstate: -1, burst: [1, 1, 4, MAX_BURST][r.randInt(4)]! };
    }
    case "kvraft":
      return { gapMs, clients: between(r, 1, 5), keys: between(r, 1, 3), maxraftstate: part.id === "3B" ? [500, 1000, 2000][r.randInt(3)]! : -1, burst: 1 };
    case "shardctrler":
      return { gapMs, clients: between(r, 1, 3), keys: 0, maxraftstate: -1, burst: 1 };
    case "shardkv":
      return { gapMs, clients: between(r, 1, 4), keys: between(r, 2, 10), maxraftstate: [-1, 1000][r.randInt(2)]!, burst: 1 };
  }
}

/** Two non-empty sides of the targets, drawn at random: the peers on one side. */
function drawSide(targets: number, r: Rand): number[] {
  const inSide = Array.from({ length: targets }, () => r.randInt(2) === 1);
  // Both sides hold a peer: flip one peer onto the empty side.
  if (inSide.every((x) => x === inSide[0])) {
    const k = r.randInt(targets);
    inSide[k] = !inSide[k];
  }
  return inSide.flatMap((x, i) => (x ? [i] : []));
}

/** A random order of the peers 0..n-1. */
function shuffled(n: number, r: Rand): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.randInt(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * A deposed leader's window. Every length is log-uniform, so that the short ones (a reply
 * held across one heartbeat, a leader back the moment another is elected, before its own
 * CheckQuorum could step it down) are as likely as the long ones.
 */
function drawDepose(targets: number, phaseMs: number, r: Rand): Fault {
  // In the phase's first half, so that most windows run their steps before healing.
  const at = r.randInt(Math.max(1, Math.floor(phaseMs / 2)));
  const ms = between(r, 6000, 16000);
  const order = shuffled(targets, r);
  // One follower's replies (the others commit without it), every other peer's, or 1 to all.
  const heldDraw = r.randInt(3);
  const held = heldDraw === 0 ? 1 : heldDraw === 1 ? targets - 1 : 1 + r.randInt(targets - 1);
  const holdMs = logUniform(r, 20, 3000);
  const depose = r.randInt(3) !== 0;
  // The holds start with the cut, or up to 2 s after it: meanwhile L's group takes entries
  // the rest never see and acknowledges them in replies L hears, so the held replies that
  // follow acknowledge entries that only L's group holds, even from a Raft that keeps one
  // message in flight to a follower and whose cut-off leader steps down after a second.
  const holdLagMs = r.randInt(3) === 0 ? 0 : logUniform(r, 10, 2000);
  // L's group is a minority: at most a majority less two besides L; half the time that many.
  const most = Math.min(held, Math.max(0, Math.floor((targets - 1) / 2) - 1));
  const side = r.randInt(2) === 0 ? most : r.randInt(most + 1);
  const lingerMs = r.randInt(3) === 0 ? 0 : logUniform(r, 10, 4000);
  const deaf = r.randInt(4) === 0;
  const steer = !deaf && r.randInt(4) !== 0;
  // How long another leader leads before it is cut off: at once, or long enough to give L its log.
  const leadMs = r.randInt(4) === 0 ? 0 : logUniform(r, 10, 2000);
  const releaseMs = r.randInt(3) === 0 ? 0 : logUniform(r, 10, 3000);
  // A third of the time all at once, else one peer's replies (the others commit meanwhile) then the next's.
  const gapMs = r.randInt(3) === 0 ? 0 : logUniform(r, 10, 2000);
  const newestFirst = r.randInt(2) === 0;
  const quiet = r.randInt(2) === 0;
  // A deaf leader is left alone: the term rule (liveness.ts) needs seconds of it.
  const expose = r.randInt(2) === 0 ? null : logUniform(r, 10, 2000);
  const exposeMs = deaf ? null : expose;
  // Half the time the holds catch a load spike: 2 to MAX_BURST commands at once, which a
  // Raft that keeps one message in flight per follower sends together in the message held.
  const burst = r.randInt(2) === 0 ? 0 : between(r, 2, MAX_BURST);
  return { kind: "depose", at, ms, peer: r.randInt(targets), order, held, holdMs, depose, holdLagMs, side, lingerMs, deaf, steer, leadMs, releaseMs, gapMs, newestFirst, quiet, exposeMs, burst };
}

/**
 * Staggered acknowledgements: log-uniform lengths, as in a depose window, so that a hold
 * across one heartbeat is as likely as one across a CheckQuorum period.
 */
function drawStagger(targets: number, at: number, r: Rand): Fault {
  const order = shuffled(targets, r);
  // Every other peer's replies half the time (the leader hears nobody until the first comes), else 1 to all.
  const held = r.randInt(2) === 0 ? targets - 1 : 1 + r.randInt(targets - 1);
  const holdMs = logUniform(r, 20, 3000);
  const gapMs = r.randInt(3) === 0 ? 0 : logUniform(r, 10, 2000);
  const newestFirst = r.randInt(2) === 0;
  const burst = r.randInt(2) === 0 ? 0 : between(r, 2, MAX_BURST);
  return { kind: "stagger", at, ms: holdMs + gapMs * held + 1, peer: r.randInt(targets), order, held, holdMs, gapMs, newestFirst, burst };
}

/**
 * A network-wide stall. The hold is log-uniform, and so is a gap: one near a message's time
 * on the wire is as likely as one near a lossy network's delay.
 */
function drawStall(targets: number, at: number, r: Rand): Fault {
  const holdMs = logUniform(r, STALL_HOLD_MS[0], STALL_HOLD_MS[1]);
  const order = shuffled(targets, r);
  // All at once (every pre-candidate stands: a split vote), after the first vote, or a gap
  // of 0.01 ms up: a third of the time each.
  const how = r.randInt(3);
  const lo = 0.01;
  const gapMs = how === 2 ? lo * Math.pow(STALL_GAP_MAX_MS / lo, r.random()) : 0;
  const bounce = r.randInt(3) !== 0;
  const ms = holdMs + (how === 1 ? STALL_VOTE_WAIT_MS : gapMs * (targets - 1)) + STALL_TAIL_MS;
  return { kind: "stall", at, ms, holdMs, order, gapMs, afterVote: how === 1, bounce };
}

function drawFault(kind: FaultKind, targets: number, phaseMs: number, r: Rand): Fault {
  const at = r.randInt(phaseMs);
  if (kind === "leader-churn" || kind === "crash-churn") return { kind, at, ms: between(r, CHURN_MS[0], CHURN_MS[1]) };
  if (kind === "stale-rejoin") {
    // Long enough behind for the others to commit, then long enough back for the course's
    // election bound (liveness.ts's StarWatch) to be checked.
    const lagMs = between(r, 500, 3000);
    const ms = lagMs + between(r, 6000, 12000);
    const most = Math.floor((targets - 1) / 2);
    const stale = r.randInt(2) === 0 ? most : 1 + r.randInt(most);
    return { kind, at, ms, lagMs, stale, order: shuffled(targets, r) };
  }
  if (kind === "depose") return drawDepose(targets, phaseMs, r);
  if (kind === "stagger") return drawStagger(targets, at, r);
  if (kind === "stall") return drawStall(targets, at, r);
  if (kind === "one-way") {
    // In the phase's first half, so that most windows run their course before healing: a
    // term learned late only shows after seconds of one-way talk.
    const early = r.randInt(Math.max(1, Math.floor(phaseMs / 2)));
    const ms = between(r, ONE_WAY_MS[0], ONE_WAY_MS[1]);
    // A quarter of them one-way from the start; the rest cut both ways for 0.2 to 3 s first
    // (an election or two among the others), then one way for the rest of the window.
    // Log-uniform, so that windows near an election's length (a stale leader's last
    // moments, a follower's election timeout) are as likely as the longer ones.
    const bothMs = r.randInt(4) === 0 ? 0 : logUniform(r, 200, Math.min(3000, ms - 1));
    // Two in three aim at one peer (two of three of those at the leader), the rest split the
    // peers in two.
    const single = r.randInt(3) !== 0;
    const side = single ? null : drawSide(targets, r);
    return { kind, at: early, ms, side, peer: r.randInt(targets), leader: single && r.randInt(3) !== 0, deaf: r.randInt(2) === 0, bothMs };
  }
  const [lo, hi] = DURATIONS[r.randInt(DURATIONS.length)]!;
  const ms = lo + r.randInt(hi - lo);
  switch (kind) {
    case "loss":
    case "reorder":
    case "dup":
    case "quiet":
      return { kind, at, ms };
    case "partition":
      return { kind, at, ms, side: drawSide(targets, r) };
    case "isolate":
    case "crash":
    case "crash-on-save":
      return { kind, at, ms, leader: r.randInt(2) === 0, peer: r.randInt(targets) };
    case "cut":
    case "hold-replies":
    case "hold-requests": {
      const from = r.randInt(targets);
      const leader = r.randInt(2) === 0;
      const to = r.randInt(2) === 0 ? "all" : (from + 1 + r.randInt(targets - 1)) % targets;
      return kind === "hold-replies" ? { kind, at, ms, from, leader, to, newestFirst: r.randInt(2) === 0 } : { kind, at, ms, from, leader, to };
    }
  }
}

/**
 * The schedule of one run of part under seed, drawn from r (the world's "hunt" stream,
 * or `new Rand(seed, HUNT_STREAM)` outside a world: the same draws). Changing the draws
 * here changes every seed's schedule (scheduleHash catches stale regression lines).
 */
export function drawSchedule(part: HuntPart, seed: number, r: Rand): Schedule {
  const peers = part.peers[r.randInt(part.peers.length)]!;
  const targets = peers * part.groups;
  const phaseMs = between(r, part.phaseMs[0], part.phaseMs[1]);
  const workload = drawWorkload(part, r);
  // Swarm testing: one run in four has a single kind (a bug that needs one fault kind
  // alone for seconds gets it, undrowned by the others); in the rest each kind is in the
  // mix with a probability the run draws (1/4, 1/2 or 3/4), at least one.
  const share = r.randInt(4);
  let kinds = share === 0 ? [] : part.kinds.filter(() => r.randInt(4) < share);
  if (kinds.length === 0) kinds = [part.kinds[r.randInt(part.kinds.length)]!];
  const intensity = INTENSITIES[r.randInt(INTENSITIES.length)]!;
  const faults: Fault[] = [];
  for (const kind of kinds) {
    const count = 1 + r.randInt(Math.min(intensity, MAX_WINDOWS[kind] ?? intensity));
    for (let k = 0; k < count; k++) faults.push(drawFault(kind, targets, phaseMs, r));
  }
  faults.sort((a, b) => a.at - b.at);
  return { part: part.id, seed, peers, targets, phaseMs, workload, faults };
}

/** The schedule of part under seed, outside any world. */
export function scheduleOf(part: HuntPart, seed: number): Schedule {
  return drawSchedule(part, seed, new Rand(seed, HUNT_STREAM));
}

/** A short hash of the whole schedule (8 hex digits): a regression line's check that its seed still draws the same schedule. */
export function scheduleHash(s: Schedule): string {
  return createHash("sha256").update(JSON.stringify(s)).digest("hex").slice(0, 8);
}

/** A fault with its index in the schedule (what KEEP and the timeline's notes call it). */
export interface NumberedFault {
  index: number;
  fault: Fault;
}

/**
 * The faults a run applies: all of them, or those whose indices keep names.
 * @throws HuntError for an index the schedule does not have.
 */
export function selectFaults(s: Schedule, keep?: readonly number[]): NumberedFault[] {
  const all = s.faults.map((fault, index) => ({ index, fault }));
  if (keep === undefined) return all;
  const bad = keep.filter((k) => k >= s.faults.length);
  if (bad.length > 0) {
    throw new HuntError(`KEEP=${keep.join(",")}: seed ${s.seed}'s schedule (${s.part}) has ${s.faults.length} faults, #0 to #${s.faults.length - 1}; no #${bad.join(", #")}`);
  }
  const set = new Set(keep);
  return all.filter((f) => set.has(f.index));
}

/**
 * KEEP=3,7 → [3, 7]: fault indices, sorted; "" or "none" → [] (no faults at all).
 * @throws HuntError for anything but distinct non-negative integers separated by commas.
 */
export function parseKeep(raw: string): number[] {
  const t = raw.trim();
  if (t === "" || t === "none") return [];
  const parts = t.split(",").map((x) => x.trim());
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p) || !Number.isSafeInteger(Number(p))) {
      throw new HuntError(`KEEP=${JSON.stringify(raw)}: want fault numbers separated by commas, like 3,7 (or none); ${JSON.stringify(p)} is not one`);
    }
    const k = Number(p);
    if (out.includes(k)) throw new HuntError(`KEEP=${JSON.stringify(raw)}: fault ${k} is named twice`);
    out.push(k);
  }
  return out.sort((a, b) => a - b);
}

/** KEEP's text for these indices ("none" for no fault). */
export function formatKeep(keep: readonly number[]): string {
  return keep.length === 0 ? "none" : keep.join(",");
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

function aim(f: { peer: number; leader: boolean }): string {
  return f.leader ? `the leader (else peer ${f.peer})` : `peer ${f.peer}`;
}

function links(f: { from: number; leader: boolean; to: number | "all" }): string {
  const from = f.leader ? `the leader (else ${f.from})` : `${f.from}`;
  return `${from}→${f.to === "all" ? "every other peer" : f.to}`;
}

/** One fault in words: "partition {0,2} | {1,3,4}", "crash the leader (else peer 1)". */
export function describeFault(f: Fault, targets: number): string {
  switch (f.kind) {
    case "loss":
      return "loss (unreliable network)";
    case "reorder":
      return "long reordering of replies";
    case "dup":
      return "duplicated requests";
    case "quiet":
      return "quiet: the workload pauses";
    case "partition": {
      const other = Array.from({ length: targets }, (_, i) => i).filter((i) => !f.side.includes(i));
      return `partition {${f.side.join(",")}} | {${other.join(",")}}`;
    }
    case "isolate":
      return `isolate ${aim(f)}`;
    case "crash":
      return `crash ${aim(f)}, restart at the end`;
    case "crash-on-save":
      return `crash ${aim(f)} at its next persist, restart at the end`;
    case "cut":
      return `cut links ${links(f)}`;
    case "hold-replies":
      return `hold replies on ${links(f)}${f.newestFirst ? ", released newest first" : ""}`;
    case "hold-requests":
      return `hold requests on ${links(f)}`;
    case "one-way": {
      const group = f.side === null ? aim(f) : `{${f.side.join(",")}}`;
      const how = f.deaf ? `${group} hears no other peer (its own calls get through)` : `${group} reaches no other peer (the others' calls get through)`;
      return f.bothMs > 0 ? `${how}, cut off both ways for the first ${seconds(f.bothMs)}` : how;
    }
    case "stale-rejoin":
      return `stale rejoin: ${f.stale} follower(s) cut off for ${seconds(f.lagMs)}, then back through one other follower alone, the rest cut off`;
    case "depose": {
      const burst = f.burst > 0 ? `, ${f.burst} commands started as they begin` : "";
      const steps = [`${f.depose ? `after ${seconds(f.holdMs)} ` : ""}hold the replies to the leader (else peer ${f.peer}) from ${f.held} other peer(s)${burst}`];
      if (f.depose) {
        steps.push(
          `cut it${f.side > 0 ? ` and ${f.side} of them` : ""} off until another leads${f.lingerMs > 0 ? ` and ${seconds(f.lingerMs)} more` : ""}` +
            (f.holdLagMs > 0 ? ` (the holds from ${seconds(f.holdLagMs)} into the cut)` : ""),
          (f.deaf ? "then it hears nobody (its calls get through)" : f.steer ? `then back, every other leader cut off after ${seconds(f.leadMs)} until it leads again` : "then back") +
            (f.side > 0 ? ", those with it cut off from all until their replies arrive" : ""),
        );
      }
      steps.push(
        `release them ${f.depose ? "" : `after ${seconds(f.holdMs)} and `}${seconds(f.releaseMs)} later${f.gapMs > 0 && f.held > 1 ? `, one peer's every ${seconds(f.gapMs)}` : ""}${f.newestFirst ? ", newest first" : ""}`,
      );
      if (f.quiet) steps.push("the workload pauses from then on");
      if (f.exposeMs !== null) steps.push(`cut it off ${seconds(f.exposeMs)} after that`);
      return `depose: ${steps.join("; ")}`;
    }
    case "stagger": {
      const burst = f.burst > 0 ? `, ${f.burst} commands started as they begin` : "";
      const gap = f.gapMs > 0 && f.held > 1 ? `, one peer's every ${seconds(f.gapMs)}` : "";
      return `stagger: hold the replies to the leader (else peer ${f.peer}) from ${f.held} other peer(s)${burst}; release them after ${seconds(f.holdMs)}${gap}${f.newestFirst ? ", newest first" : ""}`;
    }
    case "stall": {
      const release = f.afterVote
        ? `peer ${f.order[0]!}'s first, the others' (${f.order.slice(1).join(", ")}) after the first vote`
        : f.gapMs > 0
          ? `caller by caller (${f.order.join(", ")}) ${f.gapMs.toFixed(2)} ms apart`
          : `all at once (${f.order.join(", ")})`;
      const bounce = f.bounce ? "; a peer that persists a higher term in a handler crashes after its reply and restarts at once (once a peer)" : "";
      return `stall: every reply held for ${seconds(f.holdMs)}, then released ${release}${bounce}`;
    }
    case "leader-churn":
      return "leader churn: the leader cut off again and again";
    case "crash-churn":
      return "crash churn: the leader crashed again and again";
  }
}

/**
 * The schedule in lines of text (no trailing newline): a header, then one line per fault
 * (`#3  at 4.000 s for 1.200 s  crash peer 2`); with keep, only those faults.
 */
export function formatSchedule(s: Schedule, keep?: readonly number[]): string[] {
  const w = s.workload;
  const load =
    s.workload.clients === 1 && s.workload.keys === 0
      ? `a step every ${w.gapMs[0]}-${w.gapMs[1]} ms` + (w.burst > 1 ? `, bursts of up to ${w.burst} commands` : "")
      : `${w.clients} client(s), a step every ${w.gapMs[0]}-${w.gapMs[1]} ms` + (w.keys > 0 ? `, ${w.keys} key(s)` : "") +
        (w.maxraftstate > 0 ? `, maxraftstate ${w.maxraftstate}` : "");
  const shown = selectFaults(s, keep);
  const lines = [
    `schedule of seed ${s.seed} (${s.part}, hash ${scheduleHash(s)}): ${s.peers} peers${s.targets !== s.peers ? ` per group (${s.targets} servers)` : ""}, ` +
      `${seconds(s.phaseMs)} of faults, then healing; workload: ${load}; ` +
      (keep === undefined ? `${s.faults.length} fault(s)` : `${shown.length} of ${s.faults.length} fault(s)`),
  ];
  for (const { index, fault } of shown) {
    lines.push(`  #${String(index).padEnd(3)} at ${seconds(fault.at).padStart(9)} for ${seconds(fault.ms).padStart(9)}  ${describeFault(fault, s.targets)}`);
  }
  return lines;
}
