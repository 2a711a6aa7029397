// Applies a schedule's faults to a cluster on the runtime clock: each fault starts at its
// time and ends when its window closes or when healing begins. Faults overlap freely: a
// mode (loss, reordering, duplicates) is on while any of its windows is open, a link is
// down while any open fault cuts it, a peer is down while any crash holds it down, an
// end's messages are held while any hold on it is open. Each start and end is a note on
// the tester's lane of the timeline ("fault #3: crash peer 2, restart at the end").
//
// The cluster is reached only through FaultTarget: what a lab's harness can do with the
// course's API (crash, restart, enable or disable a link, a persister's save hook,
// labrpc's hook on a handler's reply, a peer's getState()), so every correct solution
// survives every schedule.
import type { Name, Network, ReleaseOrder } from "../../labrpc/index.js";
import type { Persister } from "../../raft/persister.js";
import { after, annotate, now, type Rand, type Timer } from "../../runtime/index.js";
import type { ClusterView } from "./liveness.js";
import { DEPOSE_CUT_MAX_MS, DEPOSE_STEER_MS, describeFault, STALL_VOTE_WAIT_MS, type Fault, type NumberedFault } from "./schedule.js";

/** Virtual ms between two looks at who leads, while a depose fault waits on an election. */
const POLL_MS = 10;

/** A cluster as the fault driver sees it; peers are numbered 0..size-1. */
export interface FaultTarget {
  readonly size: number;
  readonly net: Network;
  /** Whether setLink cuts one direction only; otherwise a cut takes both. */
  readonly directedLinks: boolean;
  /** Whether the peer's server runs now. */
  running(p: number): boolean;
  /** Crash peer p, keeping its persisted state. */
  crash(p: number): void;
  /** Restart peer p from its persisted state, connected to every running peer. */
  restart(p: number): void;
  /** Enable or disable the link from → to (both directions unless directedLinks). Absent: no links to cut. */
  setLink?(from: number, to: number, up: boolean): void;
  /** The end peer `from` calls `to` on now (held messages). Absent: no holds. */
  endName?(from: number, to: number): Name | undefined;
  /** The persister peer p's running instance saves to (crash-on-save, a stall's watch for votes). Absent: not supported. */
  persister?(p: number): Persister | null | undefined;
  /** Peer p's term now (its getState()), undefined while it is down (a stall's watch for votes). Absent: not supported. */
  term?(p: number): number | undefined;
  /** The peer whose labrpc server this is, if any (a stall's watch for votes). Absent: not supported. */
  serverPeer?(server: Name): number | undefined;
  /** Start n commands at once, as the run's workload would in a burst (depose's and stagger's load spike). Absent: no such workload. */
  burst?(n: number): void;
  /** The running peers that claim leadership now, highest term first ([] if the harness cannot tell). */
  leaders(): number[];
  /** Fail the run (the harness's failure latch): a fault the harness refused. */
  fail(err: unknown): void;
}

/**
 * The peers among 0..n-1 whose state says they lead, highest term first (ties by number):
 * FaultTarget.leaders() for a harness that can read each peer's getState().
 */
export function leadersBy(n: number, state: (p: number) => { term: number; isLeader: boolean } | undefined): number[] {
  const out: Array<{ p: number; term: number }> = [];
  for (let p = 0; p < n; p++) {
    const s = state(p);
    if (s?.isLeader === true) out.push({ p, term: s.term });
  }
  return out.sort((a, b) => b.term - a.term || a.p - b.p).map((x) => x.p);
}

/** What an open fault took hold of, to give back when it ends. */
interface Open {
  nf: NumberedFault;
  /** Resolved peer (isolate, crash, crash-on-save). */
  peer?: number;
  /** Resolved directed links (cut, hold-*, one-way: the direction cut for the whole window). */
  pairs?: Array<[number, number]>;
  /** stale-rejoin: the timer that ends its first phase (the stale peers cut off from everyone). */
  phase?: Timer;
  /** one-way: the other direction, cut until its timer (the window's first bothMs) fires. */
  early?: { pairs: Array<[number, number]>; timer: Timer };
  /** Held ends (hold-*), with their links. */
  ends?: Array<{ end: Name; from: number; to: number }>;
  /** crash-on-save: watching the peer's saves, not fired yet. */
  armed?: SaveWatch;
  /** crash and crash-on-save: holds the peer down. */
  down?: boolean;
  /** leader-churn and crash-churn: the peers it cut off or crashed, its stream, its next step. */
  churn?: { peers: Set<number>; rand: Rand; step?: Timer };
  /**
   * depose: the deposed leader, its group (it and the held peers cut off with it), the peers
   * steered off (cut off while another leads), the group's other peers, cut off from all
   * until their replies arrive (stranded), whether the leader is cut off again (exposed),
   * and the pending step; held ends are in ends, its cuts in pairs. A stagger window uses
   * its holds and its release alone.
   */
  depose?: {
    leader: number;
    group: number[];
    steered: Set<number>;
    stranded: Set<number>;
    exposed: boolean;
    quiet: boolean;
    rand: Rand;
    step?: Timer;
    /** The held peers, and the timer that starts their holds during the cut (holdLagMs); holding once they started. */
    held: number[];
    lag?: Timer;
    holding: boolean;
  };
  /**
   * stall: the pending release; the callers released so far; whether it waits for a vote
   * to release the rest (afterVote); and, if it watches for votes (afterVote, bounce), what
   * it knows of each peer.
   */
  stall?: { step?: Timer; released: number; waiting: boolean; votes?: Map<number, VoteWatch> };
  timer?: Timer;
}

/** A watch on one persister's saves (several open faults may watch one). */
interface SaveWatch {
  persister: Persister;
  fn: () => void;
}

/** A stall's watch for votes: what it knows of one peer. */
interface VoteWatch {
  /** The highest term seen of the peer in the window: at its start, or on a restart, or persisted since. */
  term: number;
  /**
   * A higher term it persisted in the event running now (cleared when that event ends): if
   * the event is a handler's, the handler replies before it ends.
   */
  fresh?: number;
  /** Its running instance's persister, watched. */
  watch?: SaveWatch;
  /** Bounced already in this window (once a peer is enough, and keeps the cluster able to elect). */
  bounced: boolean;
}

export class FaultDriver implements ClusterView {
  private readonly open = new Set<Open>();
  private readonly starts: Timer[] = [];
  private readonly modes = { loss: 0, reorder: 0, dup: 0 };
  private quiets = 0;
  /** cuts[from][to]: open faults cutting that directed link. */
  private readonly cuts: number[][];
  /** Open crashes holding each peer down. */
  private readonly downs: number[];
  private readonly replyHolds = new Map<Name, number>();
  private readonly requestHolds = new Map<Name, number>();
  /** The open faults' watchers on each persister's saves (a persister has one save hook). */
  private readonly saveWatchers = new Map<Persister, Set<() => void>>();
  /** Whether the driver listens for handlers' replies (a stall's watch for votes). */
  private watchingReplies = false;
  /** held[from][to]: open holds on that directed link. */
  private readonly held: number[][];
  private healed = false;
  /** Called after every change to links, crashes, holds or modes (not quiet windows). */
  private readonly listeners: Array<() => void> = [];

  /** stream(name): the world's random stream of that name (churn steps draw from their own). */
  constructor(
    private readonly target: FaultTarget,
    private readonly faults: readonly NumberedFault[],
    private readonly stream: (name: string) => Rand,
  ) {
    const n = target.size;
    this.cuts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    this.downs = new Array<number>(n).fill(0);
    this.held = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  }

  /** Call fn after every change to links, crashes, holds or modes (the election watch's cue). */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  get size(): number {
    return this.target.size;
  }

  running(p: number): boolean {
    return this.target.running(p);
  }

  linkUp(p: number, q: number): boolean {
    return this.running(p) && this.running(q) && this.cuts[p]![q] === 0 && this.held[p]![q] === 0;
  }

  /**
   * Whether p's messages may reach q, now or later: p runs and the link is not cut, or some
   * of p's messages to q are held (a held message arrives even after a cut). Over-approximate
   * on purpose: what a peer's log may have received (liveness.ts's LogBounds).
   */
  mayReach(p: number, q: number): boolean {
    return this.running(p) && (this.cuts[p]![q] === 0 || this.held[p]![q]! > 0);
  }

  modesOn(): boolean {
    return this.modes.loss + this.modes.reorder + this.modes.dup > 0;
  }

  /** Whether a quiet window is open: the workload makes no new calls. */
  get quiet(): boolean {
    return this.quiets > 0;
  }

  /** Schedule every fault, at its time from now (virtual ms). */
  start(): void {
    for (const nf of this.faults) this.starts.push(after(nf.fault.at, () => this.guard(() => this.begin(nf))));
  }

  /**
   * Healing: no fault starts any more, and every open one ends now (links up, modes off,
   * held messages delivered, crashed peers restarted).
   */
  heal(): void {
    this.healed = true;
    for (const t of this.starts) t.cancel();
    for (const o of [...this.open].reverse()) this.finish(o);
    annotate("healing: every fault has ended");
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.target.fail(e);
    }
  }

  private note(nf: NumberedFault, text: string): void {
    annotate(`fault #${nf.index}: ${text}`);
  }

  private aim(f: { peer: number; leader: boolean }): number {
    if (f.leader) {
      const l = this.target.leaders()[0];
      if (l !== undefined) return l;
    }
    return f.peer;
  }

  private begin(nf: NumberedFault): void {
    if (this.healed) return;
    const f = nf.fault;
    const o: Open = { nf };
    const t = this.target;
    let what = describeFault(f, t.size);
    switch (f.kind) {
      case "loss":
      case "reorder":
      case "dup":
        this.modes[f.kind]++;
        this.applyModes();
        break;
      case "quiet":
        this.quiets++;
        break;
      case "partition":
        this.cut(f, +1);
        break;
      case "cut":
        o.pairs = this.pairsOf(f);
        what = `cut links ${o.pairs.map(([a, b]) => `${a}→${b}`).join(" ")}`;
        this.cutPairs(o.pairs, +1);
        break;
      case "isolate":
        o.peer = this.aim(f);
        what = `isolate peer ${o.peer}`;
        this.cut(f, +1, o.peer);
        break;
      case "one-way": {
        const group = f.side ?? [this.aim(f)];
        const rest = Array.from({ length: t.size }, (_, i) => i).filter((i) => !group.includes(i));
        const inward = rest.flatMap((q) => group.map((g): [number, number] => [q, g]));
        const outward = group.flatMap((g) => rest.map((q): [number, number] => [g, q]));
        o.pairs = f.deaf ? inward : outward;
        this.cutPairs(o.pairs, +1);
        what = describeFault({ ...f, side: group }, t.size);
        if (f.bothMs > 0) {
          const pairs = f.deaf ? outward : inward;
          this.cutPairs(pairs, +1);
          o.early = {
            pairs,
            timer: after(f.bothMs, () =>
              this.guard(() => {
                if (o.early === undefined) return;
                this.cutPairs(o.early.pairs, -1);
                o.early = undefined;
                this.note(nf, `{${group.join(",")}} ${f.deaf ? "reaches the others again, still hearing none" : "hears the others again, still reaching none"}`);
                this.changed();
              }),
            ),
          };
        }
        break;
      }
      case "stale-rejoin": {
        const l = t.leaders()[0];
        const pick = f.order.filter((p) => p !== l);
        const stale = pick.slice(0, f.stale);
        const via = pick[f.stale]!;
        const all = Array.from({ length: t.size }, (_, i) => i);
        o.pairs = stale.flatMap((x) => all.filter((q) => q !== x).flatMap((q): Array<[number, number]> => [[x, q], [q, x]]));
        this.cutPairs(o.pairs, +1);
        what = `stale rejoin: peers {${stale.join(",")}} cut off for ${(f.lagMs / 1000).toFixed(3)} s, then back through peer ${via} alone`;
        o.phase = after(f.lagMs, () =>
          this.guard(() => {
            if (!this.open.has(o)) return;
            const group = [...stale, via];
            const rest = all.filter((p) => !group.includes(p));
            const star = [
              ...rest.flatMap((p) => group.flatMap((q): Array<[number, number]> => [[p, q], [q, p]])),
              ...stale.flatMap((x) => stale.filter((y) => y !== x).map((y): [number, number] => [x, y])),
            ];
            this.cutPairs(o.pairs!, -1);
            o.pairs = star;
            this.cutPairs(star, +1);
            this.note(nf, `peers {${stale.join(",")}} reach peer ${via} alone (not each other); {${rest.join(",")}} cut off from them`);
            this.changed();
          }),
        );
        break;
      }
      case "crash":
        o.peer = this.aim(f);
        what = `crash peer ${o.peer}, restart at the end`;
        o.down = true;
        this.down(o.peer);
        break;
      case "crash-on-save": {
        const p = this.aim(f);
        o.peer = p;
        const persister = t.persister?.(p);
        if (!t.running(p) || persister === null || persister === undefined) {
          what = `crash peer ${p} at its next persist: it is down already`;
          break;
        }
        what = `crash peer ${p} at its next persist, restart at the end`;
        o.armed = this.watchSaves(persister, () => this.fire(o));
        break;
      }
      case "stall": {
        o.ends = [];
        for (let a = 0; a < t.size; a++) {
          for (let b = 0; b < t.size; b++) {
            if (a !== b) this.holdReplyEnd(o, a, b);
          }
        }
        o.stall = { released: 0, waiting: false };
        if (f.bounce || f.afterVote) {
          if (t.term === undefined || t.persister === undefined || t.serverPeer === undefined) {
            what = `${what} (this harness cannot tell a peer's term: no vote is seen)`;
          } else {
            this.watchReplies();
            o.stall.votes = new Map();
            for (let p = 0; p < t.size; p++) {
              o.stall.votes.set(p, { term: t.term(p) ?? -1, bounced: false });
              this.watchVotes(o, p);
            }
          }
        }
        o.stall.step = after(f.holdMs, () => this.guard(() => this.stallRelease(o)));
        break;
      }
      case "hold-replies":
      case "hold-requests": {
        const pairs = this.pairsOf(f);
        o.ends = [];
        for (const [from, to] of pairs) {
          const end = t.endName?.(from, to);
          if (end === undefined) continue;
          o.ends.push({ end, from, to });
          this.hold(f.kind, end, +1);
          this.held[from]![to]!++;
        }
        what = `${f.kind === "hold-replies" ? "hold replies" : "hold requests"} on ${pairs.map(([a, b]) => `${a}→${b}`).join(" ")}`;
        break;
      }
      case "leader-churn":
      case "crash-churn":
        o.churn = { peers: new Set(), rand: this.stream(`hunt-fault-${nf.index}`) };
        this.churnStep(o);
        break;
      case "depose":
      case "stagger": {
        // A stagger window is a depose window without the deposing: its holds and its release.
        const deposing = f.kind === "depose" && f.depose;
        const l = this.aim({ peer: f.peer, leader: true });
        const held = f.order.filter((p) => p !== l).slice(0, f.held);
        o.depose = {
          leader: l,
          group: [l, ...held.slice(0, deposing ? f.side : 0)],
          steered: new Set(),
          stranded: new Set(),
          exposed: false,
          quiet: false,
          rand: this.stream(`hunt-fault-${nf.index}`),
          held,
          holding: false,
        };
        o.ends = [];
        // Deposed: the holds start during the cut, so that the entries L sends its group while
        // cut off are acknowledged in held replies even by a Raft that keeps one message in
        // flight to a follower (ours): its first message after the holds start carries them.
        const holds = `the replies to peer ${l}'s calls to {${held.join(",")}} held`;
        if (deposing) {
          what = `depose peer ${l}: in ${(f.holdMs / 1000).toFixed(3)} s ${holds}`;
        } else {
          this.startHolds(o);
          what = `${f.kind === "depose" ? `depose peer ${l}` : "stagger"}: ${holds}`;
        }
        o.depose.step = after(f.holdMs, () => this.guard(() => (deposing ? this.deposeCut(o) : this.deposeRelease(o))));
        break;
      }
    }
    this.note(nf, what);
    this.open.add(o);
    o.timer = after(f.ms, () => this.guard(() => this.finish(o)));
    if (f.kind !== "quiet") this.changed();
  }

  /** crash-on-save: the armed peer just saved; it crashes before the save returns to it. */
  private fire(o: Open): void {
    if (o.armed === undefined) return;
    this.unwatchSaves(o.armed);
    o.armed = undefined;
    if (this.healed || !this.open.has(o)) return;
    this.note(o.nf, `peer ${o.peer!} crashes right after a persist`);
    o.down = true;
    this.down(o.peer!);
    this.changed();
  }

  private finish(o: Open): void {
    if (!this.open.delete(o)) return;
    o.timer?.cancel();
    const f = o.nf.fault;
    switch (f.kind) {
      case "loss":
      case "reorder":
      case "dup":
        this.modes[f.kind]--;
        this.applyModes();
        break;
      case "quiet":
        this.quiets--;
        break;
      case "partition":
        this.cut(f, -1);
        break;
      case "cut":
        this.cutPairs(o.pairs!, -1);
        break;
      case "isolate":
        this.cut(f, -1, o.peer);
        break;
      case "stale-rejoin":
        o.phase?.cancel();
        this.cutPairs(o.pairs!, -1);
        break;
      case "one-way":
        this.cutPairs(o.pairs!, -1);
        if (o.early !== undefined) {
          o.early.timer.cancel();
          this.cutPairs(o.early.pairs, -1);
          o.early = undefined;
        }
        break;
      case "crash":
      case "crash-on-save":
        this.unwatchSaves(o.armed);
        o.armed = undefined;
        if (o.down === true) this.up(o.peer!);
        break;
      case "stall":
        o.stall?.step?.cancel();
        for (const v of o.stall?.votes?.values() ?? []) this.unwatchSaves(v.watch);
        for (const e of o.ends ?? []) this.releaseEnd(false, e);
        o.ends = [];
        break;
      case "hold-replies":
      case "hold-requests":
        for (const { end, from, to } of o.ends ?? []) {
          this.hold(f.kind, end, -1, f.kind === "hold-replies" && f.newestFirst ? "newest-first" : "oldest-first");
          this.held[from]![to]!--;
        }
        break;
      case "depose":
      case "stagger": {
        const d = o.depose!;
        d.step?.cancel();
        d.lag?.cancel();
        this.releaseHeld(o);
        if (o.pairs !== undefined) this.cutPairs(o.pairs, -1);
        for (const p of [...d.steered, ...d.stranded]) this.isolate(p, -1);
        d.steered.clear();
        d.stranded.clear();
        if (d.exposed) this.isolate(d.leader, -1);
        d.exposed = false;
        if (d.quiet) this.quiets--;
        d.quiet = false;
        break;
      }
      case "leader-churn":
      case "crash-churn": {
        const c = o.churn!;
        c.step?.cancel();
        for (const p of c.peers) (f.kind === "leader-churn" ? this.isolate(p, -1) : this.up(p));
        c.peers.clear();
        break;
      }
    }
    this.note(o.nf, "ends");
    if (f.kind !== "quiet") this.changed();
  }

  /**
   * depose, holdMs in: the holds start and the leader's group is cut off both ways from the rest; then, every
   * POLL_MS, whether a peer of the rest leads (its lingerMs start then), at most
   * DEPOSE_CUT_MAX_MS in all.
   */
  private deposeCut(o: Open): void {
    const f = o.nf.fault;
    if (f.kind !== "depose") return;
    const d = o.depose!;
    if (f.holdLagMs === 0) this.startHolds(o);
    else d.lag = after(f.holdLagMs, () => this.guard(() => this.startHolds(o)));
    const rest = Array.from({ length: this.target.size }, (_, i) => i).filter((p) => !d.group.includes(p));
    o.pairs = d.group.flatMap((g) => rest.flatMap((q): Array<[number, number]> => [[g, q], [q, g]]));
    this.cutPairs(o.pairs, +1);
    this.note(o.nf, `peers {${d.group.join(",")}} cut off until one of {${rest.join(",")}} leads`);
    this.changed();
    const until = now() + DEPOSE_CUT_MAX_MS;
    const poll = (): void => {
      const elected = this.target.leaders().some((p) => rest.includes(p));
      if (elected || now() >= until) {
        if (elected) this.note(o.nf, `another peer leads${f.lingerMs > 0 ? `; peers {${d.group.join(",")}} back in ${(f.lingerMs / 1000).toFixed(3)} s` : ""}`);
        d.step = after(elected ? f.lingerMs : 0, () => this.guard(() => this.deposeBack(o)));
        return;
      }
      d.step = after(POLL_MS, () => this.guard(poll));
    };
    poll();
  }

  /**
   * depose: the leader back, deaf (hearing nobody, its calls getting through) or both ways,
   * and steered if so drawn; the rest of its group stays cut off from every peer until its
   * replies arrive, so that what they acknowledged is all they hold.
   */
  private deposeBack(o: Open): void {
    const f = o.nf.fault;
    if (f.kind !== "depose") return;
    const d = o.depose!;
    const l = d.leader;
    this.startHolds(o);
    for (const p of d.group) {
      if (p === l) continue;
      d.stranded.add(p);
      this.isolate(p, +1);
    }
    this.cutPairs(o.pairs!, -1);
    o.pairs = undefined;
    const stranded = d.stranded.size > 0 ? `; peers {${[...d.stranded].join(",")}} cut off from all` : "";
    if (f.deaf) {
      o.pairs = Array.from({ length: this.target.size }, (_, q) => q).filter((q) => q !== l).map((q): [number, number] => [q, l]);
      this.cutPairs(o.pairs, +1);
      this.note(o.nf, `peer ${l} hears nobody; its calls get through${stranded}`);
    } else {
      this.note(o.nf, `peer ${l} back${stranded}`);
    }
    this.changed();
    if (!f.steer) {
      d.step = after(f.releaseMs, () => this.guard(() => this.deposeRelease(o)));
      return;
    }
    const until = now() + DEPOSE_STEER_MS;
    /** When each other leader was first seen leading. */
    const seen = new Map<number, number>();
    const steer = (): void => {
      const t = this.target;
      const leaders = t.leaders();
      if (leaders[0] === d.leader || now() >= until) {
        if (leaders[0] === d.leader) this.note(o.nf, `peer ${d.leader} leads again`);
        d.step = after(f.releaseMs, () => this.guard(() => this.deposeRelease(o)));
        return;
      }
      // Another leader is cut off once it has led for leadMs: long enough, if so drawn, to
      // bring the deposed leader's log in line with its own.
      for (const p of [...seen.keys()]) if (!leaders.includes(p)) seen.delete(p);
      const other = leaders.find((p) => {
        if (p === d.leader || d.steered.has(p)) return false;
        if (!seen.has(p)) seen.set(p, now());
        return now() - seen.get(p)! >= f.leadMs;
      });
      if (other !== undefined) {
        // Keep a majority reachable (the stranded peers of L's group are not): a steered-off
        // peer drawn at random rejoins first, or, with none, the leader stays.
        const room = t.size - d.steered.size - d.stranded.size - 1 >= Math.floor(t.size / 2) + 1;
        const swap = !room && d.steered.size > 0;
        if (swap) {
          const back = [...d.steered][d.rand.randInt(d.steered.size)]!;
          d.steered.delete(back);
          this.isolate(back, -1);
          this.note(o.nf, `reconnects peer ${back}`);
        }
        if (room || swap) {
          d.steered.add(other);
          this.isolate(other, +1);
          this.note(o.nf, `cuts off leader ${other}`);
        }
        this.changed();
      }
      d.step = after(POLL_MS, () => this.guard(steer));
    };
    steer();
  }

  /**
   * depose and stagger: the steered-off peers rejoin and the held replies arrive, peer by
   * peer gapMs apart; then (depose), if so drawn, the workload pauses, and the leader is cut
   * off after exposeMs.
   */
  private deposeRelease(o: Open): void {
    const f = o.nf.fault;
    if (f.kind !== "depose" && f.kind !== "stagger") return;
    const d = o.depose!;
    if (d.steered.size > 0) {
      for (const p of d.steered) this.isolate(p, -1);
      this.note(o.nf, `peers {${[...d.steered].join(",")}} back`);
      d.steered.clear();
      this.changed();
    }
    const next = (): void => {
      const e = o.ends?.shift();
      if (e !== undefined) {
        this.releaseEnd(f.newestFirst, e);
        const back = d.stranded.delete(e.to);
        if (back) this.isolate(e.to, -1);
        this.note(o.nf, `replies from peer ${e.to} released${f.newestFirst ? ", newest first" : ""}${back ? "; it rejoins" : ""}`);
        this.changed();
      }
      if (o.ends !== undefined && o.ends.length > 0) {
        d.step = after(f.gapMs, () => this.guard(next));
        return;
      }
      if (f.kind !== "depose") return;
      if (f.quiet && !d.quiet) {
        d.quiet = true;
        this.quiets++;
        this.note(o.nf, "the workload pauses");
      }
      if (f.exposeMs === null) return;
      d.step = after(f.exposeMs, () =>
        this.guard(() => {
          d.exposed = true;
          this.isolate(d.leader, +1);
          this.note(o.nf, `cuts off peer ${d.leader}`);
          this.changed();
        }),
      );
    };
    next();
  }

  /**
   * stall: the replies to the next caller's calls in its order arrive now; then the next
   * one's gapMs later, or if afterVote, every other one's right after the first vote (at most
   * STALL_VOTE_WAIT_MS later).
   */
  private stallRelease(o: Open): void {
    const f = o.nf.fault;
    const st = o.stall;
    if (f.kind !== "stall" || st === undefined || !this.open.has(o)) return;
    st.step = undefined;
    st.waiting = false;
    const callers = f.afterVote && st.released > 0 ? f.order.slice(st.released) : [f.order[st.released]!];
    st.released += callers.length;
    for (const e of (o.ends ?? []).filter((x) => callers.includes(x.from))) this.releaseEnd(false, e);
    o.ends = (o.ends ?? []).filter((x) => !callers.includes(x.from));
    this.note(o.nf, `the replies to the calls of peer(s) ${callers.join(", ")} released`);
    this.changed();
    if (st.released >= f.order.length) return;
    if (f.afterVote) {
      st.waiting = true;
      st.step = after(STALL_VOTE_WAIT_MS, () => this.guard(() => this.stallRelease(o)));
    } else {
      st.step = after(f.gapMs, () => this.guard(() => this.stallRelease(o)));
    }
  }

  /** Call fn after each save to persister, until unwatchSaves. */
  private watchSaves(persister: Persister, fn: () => void): SaveWatch {
    const w = { persister, fn: (): void => this.guard(fn) };
    let watchers = this.saveWatchers.get(persister);
    if (watchers === undefined) {
      const all = new Set<() => void>();
      watchers = all;
      this.saveWatchers.set(persister, all);
      persister.onSave(() => {
        for (const watcher of [...all]) watcher();
      });
    }
    watchers.add(w.fn);
    return w;
  }

  private unwatchSaves(w: SaveWatch | undefined): void {
    if (w === undefined) return;
    const watchers = this.saveWatchers.get(w.persister);
    if (watchers === undefined || !watchers.delete(w.fn) || watchers.size > 0) return;
    this.saveWatchers.delete(w.persister);
    w.persister.onSave(undefined);
  }

  /** Listen, once, for every handler's reply: the moment a server has answered. */
  private watchReplies(): void {
    if (this.watchingReplies) return;
    this.watchingReplies = true;
    this.target.net.onResponded((server) => this.guard(() => this.replied(server)));
  }

  /** A stall's watch for votes: watch peer p's running instance's saves (none while it is down). */
  private watchVotes(o: Open, p: number): void {
    const v = o.stall?.votes?.get(p);
    if (v === undefined) return;
    this.unwatchSaves(v.watch);
    v.watch = undefined;
    const persister = this.target.persister?.(p);
    if (!this.target.running(p) || persister === null || persister === undefined) return;
    // A peer down when the window opened, or restarted, starts from the term it restored:
    // a save at that term (entries appended) is no vote.
    v.term = Math.max(v.term, this.target.term?.(p) ?? -1);
    v.watch = this.watchSaves(persister, () => {
      const term = this.target.term?.(p);
      if (term === undefined || term <= v.term) return;
      v.term = term;
      v.fresh = term;
      // The event that saved ends before this timer: a reply after it is another event's.
      after(0, () => {
        if (v.fresh === term) v.fresh = undefined;
      });
    });
  }

  /**
   * server's handler has just returned its reply. If its peer persisted a higher term in that
   * handler (most often a vote; or a refusal, or a new leader's AppendEntries, that raised its
   * term; not its own candidacy, which no handler saves), an open stall counts it as a vote:
   * with bounce, the peer crashes once the reply is on the wire (what it granted counts) and
   * restarts at once, once a peer a window; waiting on a vote, the stall releases its other
   * callers' replies after that.
   */
  private replied(server: Name): void {
    const p = this.target.serverPeer?.(server);
    if (p === undefined) return;
    for (const o of this.open) {
      const f = o.nf.fault;
      const st = o.stall;
      const v = st?.votes?.get(p);
      if (f.kind !== "stall" || st === undefined || v === undefined || v.fresh === undefined) continue;
      const term = v.fresh;
      v.fresh = undefined;
      if (f.bounce && !v.bounced) {
        v.bounced = true;
        after(0, () =>
          this.guard(() => {
            if (this.healed || !this.open.has(o) || !this.target.running(p)) return;
            this.note(o.nf, `peer ${p} crashes right after a reply, having persisted term ${term}; it restarts`);
            this.down(p);
            this.up(p);
            this.changed();
          }),
        );
      }
      if (st.waiting) {
        // After the bounce's timer (timers of one instant run in order): the voter is back.
        st.waiting = false;
        st.step?.cancel();
        st.step = after(0, () => this.guard(() => this.stallRelease(o)));
      }
    }
  }

  /** depose and stagger: hold the replies to L's calls to each held peer (in that order), unless already held; then the burst, if any. */
  private startHolds(o: Open): void {
    const d = o.depose!;
    if (d.holding) return;
    d.holding = true;
    // Started by the lag's timer, or ahead of it when L comes back: the note says when.
    const lagged = d.lag !== undefined;
    d.lag?.cancel();
    for (const q of d.held) {
      this.holdReplyEnd(o, d.leader, q);
    }
    if (lagged) {
      this.note(o.nf, `the replies to peer ${d.leader}'s calls to {${d.held.join(",")}} held from now`);
      this.changed();
    }
    const f = o.nf.fault;
    // A fault's load spike, not the tester's workload: it starts inside a quiet window too,
    // and then the leader's log ends inside the message the holds catch.
    if ((f.kind === "depose" || f.kind === "stagger") && f.burst > 0 && this.target.burst !== undefined) {
      this.target.burst(f.burst);
      this.note(o.nf, `${f.burst} commands started`);
    }
  }

  /** The replies a depose or stagger fault still holds arrive now, in its drawn order. */
  private releaseHeld(o: Open): void {
    const f = o.nf.fault;
    if (f.kind !== "depose" && f.kind !== "stagger") return;
    for (const e of o.ends ?? []) this.releaseEnd(f.newestFirst, e);
    o.ends = [];
  }

  /** Hold the replies to from's calls to `to` (if the harness names that end), as one of o's held ends. */
  private holdReplyEnd(o: Open, from: number, to: number): void {
    const end = this.target.endName?.(from, to);
    if (end === undefined) return;
    (o.ends ??= []).push({ end, from, to });
    this.hold("hold-replies", end, +1);
    this.held[from]![to]!++;
  }

  /** The counterpart of holdReplyEnd: e's hold ends (its replies go once no other hold is open on the end). */
  private releaseEnd(newestFirst: boolean, e: { end: Name; from: number; to: number }): void {
    this.hold("hold-replies", e.end, -1, newestFirst ? "newest-first" : "oldest-first");
    this.held[e.from]![e.to]!--;
  }

  /**
   * One step of a churn, as the course's Figure 8 tests take them: the leader (one that
   * this churn has not already taken down) is cut off (leader-churn, half the time) or
   * crashed (crash-churn); then, while fewer than a majority are up as far as this churn
   * goes, one of its peers drawn at random comes back. The next step follows after 0 to
   * 12 ms, or one time in ten after 0 to 499 ms.
   */
  private churnStep(o: Open): void {
    const c = o.churn!;
    const t = this.target;
    const crash = o.nf.fault.kind === "crash-churn";
    const l = t.leaders().find((p) => !c.peers.has(p));
    if (l !== undefined && (crash || c.rand.randInt(2) === 0)) {
      c.peers.add(l);
      if (crash) this.down(l);
      else this.isolate(l, +1);
      this.changed();
      this.note(o.nf, `${crash ? "crashes" : "cuts off"} leader ${l}`);
    }
    if (t.size - c.peers.size < Math.floor(t.size / 2) + 1) {
      const p = c.rand.randInt(t.size);
      if (c.peers.delete(p)) {
        if (crash) this.up(p);
        else this.isolate(p, -1);
        this.changed();
        this.note(o.nf, `${crash ? "restarts" : "reconnects"} peer ${p}`);
      }
    }
    const ms = c.rand.randInt(10) === 0 ? c.rand.randInt(500) : c.rand.randInt(13);
    c.step = after(ms, () => this.guard(() => this.churnStep(o)));
  }

  private applyModes(): void {
    const net = this.target.net;
    net.setReliable(this.modes.loss === 0);
    net.setLongReordering(this.modes.reorder > 0);
    net.setDuplicates(this.modes.dup > 0);
  }

  /** A cut's or hold's directed links, its peer resolved now (the leader, if it aims at one). */
  private pairsOf(f: { from: number; leader: boolean; to: number | "all" }): Array<[number, number]> {
    const from = this.aim({ peer: f.from, leader: f.leader });
    const tos = f.to === "all" ? Array.from({ length: this.target.size }, (_, i) => i) : [f.to];
    return tos.filter((to) => to !== from).map((to) => [from, to]);
  }

  /** Add (+1) or remove (-1) cuts on these directed links (both ways where links are not directed), then set the links. */
  private cutPairs(pairs: ReadonlyArray<[number, number]>, by: 1 | -1): void {
    for (const [a, b] of pairs) {
      this.cuts[a]![b]! += by;
      if (!this.target.directedLinks) this.cuts[b]![a]! += by;
    }
    this.setLinks();
  }

  /** Add (+1) or remove (-1) the cuts of a partition or isolate fault, then set the links. */
  private cut(f: Fault, by: 1 | -1, isolated?: number): void {
    const n = this.target.size;
    if (f.kind === "partition") {
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (f.side.includes(a) !== f.side.includes(b)) this.cuts[a]![b]! += by;
    } else if (isolated !== undefined) {
      this.isolate(isolated, by);
      return;
    }
    this.setLinks();
  }

  /** Add (+1) or remove (-1) cuts between p and every other peer, then set the links. */
  private isolate(p: number, by: 1 | -1): void {
    for (let b = 0; b < this.target.size; b++) {
      if (b === p) continue;
      this.cuts[p]![b]! += by;
      this.cuts[b]![p]! += by;
    }
    this.setLinks();
  }

  /** Every link between running peers as the open cuts say. */
  private setLinks(only?: number): void {
    const t = this.target;
    if (t.setLink === undefined) return;
    const n = t.size;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        if (a === b || !t.running(a) || !t.running(b)) continue;
        if (only !== undefined && a !== only && b !== only) continue;
        if (t.directedLinks) t.setLink(a, b, this.cuts[a]![b] === 0);
        else if (a < b) t.setLink(a, b, this.cuts[a]![b] === 0 && this.cuts[b]![a] === 0);
      }
    }
  }

  private down(p: number): void {
    if (this.downs[p]!++ === 0 && this.target.running(p)) this.target.crash(p);
  }

  private up(p: number): void {
    if (--this.downs[p]! !== 0) return;
    if (!this.target.running(p)) this.target.restart(p);
    // The restarted peer came back with every link up: the open cuts apply to it again.
    this.setLinks(p);
    // And with a new persister: an open stall watching for votes watches that one now.
    for (const o of this.open) if (o.stall?.votes?.has(p) === true) this.watchVotes(o, p);
  }

  /** order: how the replies go when this ends the end's last open hold (requests go in call order). */
  private hold(kind: "hold-replies" | "hold-requests", end: Name, by: 1 | -1, order: ReleaseOrder = "oldest-first"): void {
    const m = kind === "hold-replies" ? this.replyHolds : this.requestHolds;
    const was = m.get(end) ?? 0;
    const now = was + by;
    if (now === 0) m.delete(end);
    else m.set(end, now);
    const net = this.target.net;
    if (was === 0 && now > 0) (kind === "hold-replies" ? net.holdReplies(end, true) : net.holdRequests(end, true));
    if (was > 0 && now === 0) (kind === "hold-replies" ? net.holdReplies(end, false, order) : net.holdRequests(end, false));
  }
}
