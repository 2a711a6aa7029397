// Elections must happen during the fault phase too, not only after healing: whenever a
// majority of the peers is running and fully connected, with every other running peer
// cut off from all of them and the network in its reliable mode (no loss, reordering,
// duplicates or held messages on their links), the course expects one of them to lead
// within checkOneLeader's bound (TestReElection2A, TestFailAgree2B and the 2C crash tests
// set up exactly such states). CleanMajority finds such a majority in the fault driver's
// state; ElectionWatch fails a run whose clean majority has gone LEADER_BOUND_MS without
// a leader. A Raft that lets stale candidates hold back the one peer that could win (a
// follower resetting its timer on every vote request) stalls there. TermWatch holds a peer
// that hears nobody (one-way partitions) to Figure 2's rule for terms in replies: what it
// learns of the others' terms it learns from their replies alone.

/** Virtual ms a clean majority may go without a leader: checkOneLeader's ten tries of ~0.5 s. */
export const LEADER_BOUND_MS = 5000;

/** What the fault driver says about the cluster now. */
export interface ClusterView {
  size: number;
  running(p: number): boolean;
  /** Whether p's calls to q get through now (link enabled, nothing held). */
  linkUp(p: number, q: number): boolean;
  /** Whether loss, long reordering or duplicates are on. */
  modesOn(): boolean;
}

/**
 * The largest set of running peers, at least a majority of size, whose links among
 * themselves are all up both ways while every other running peer is cut off from each of
 * them both ways; undefined if there is none or a network mode is on. Exhaustive over
 * subsets: clusters here have at most nine peers.
 */
export function cleanMajority(v: ClusterView): number[] | undefined {
  if (v.modesOn()) return undefined;
  const n = v.size;
  const majority = Math.floor(n / 2) + 1;
  let best: number[] | undefined;
  for (let mask = 1; mask < 1 << n; mask++) {
    const members: number[] = [];
    for (let p = 0; p < n; p++) if (mask & (1 << p)) members.push(p);
    if (members.length < majority || (best !== undefined && members.length <= best.length)) continue;
    if (!members.every((p) => v.running(p))) continue;
    const inside = members.every((p) => members.every((q) => p === q || v.linkUp(p, q)));
    if (!inside) continue;
    const outsideCut = Array.from({ length: n }, (_, q) => q)
      .filter((q) => !(mask & (1 << q)) && v.running(q))
      .every((q) => members.every((p) => !v.linkUp(p, q) && !v.linkUp(q, p)));
    if (outsideCut) best = members;
  }
  return best;
}

/**
 * Watches for a clean majority without a leader. changed() after every change of the
 * fault driver's state, with the clean majority it leaves (if any); observe() at every
 * workload step. The clock runs while the same clean majority lasts, and restarts when it
 * changes or one of its members leads.
 */
export class ElectionWatch {
  private members: number[] | undefined;
  private since = 0;

  changed(now: number, members: number[] | undefined): void {
    if (members?.join(",") === this.members?.join(",")) return;
    this.members = members;
    this.since = now;
  }

  /**
   * @returns a failure message once the clean majority has gone LEADER_BOUND_MS (virtual)
   *   without any of its members leading, else undefined.
   */
  observe(now: number, leads: (p: number) => boolean): string | undefined {
    const m = this.members;
    if (m === undefined) return undefined;
    if (m.some(leads)) {
      this.since = now;
      return undefined;
    }
    if (now - this.since < LEADER_BOUND_MS) return undefined;
    return (
      `no leader among peers {${m.join(",")}} for ${((now - this.since) / 1000).toFixed(1)} s, though they are a majority, ` +
      `running and fully connected, every other peer cut off from them, on a reliable network`
    );
  }
}

/**
 * Virtual ms a peer that hears nobody may go on calling a peer of a later term without
 * taking that term: its election timeout (the course asks for elections within
 * checkOneLeader's ~5 s) and one round trip on a reliable network.
 */
export const TERM_BOUND_MS = 5000;

/** A peer that hears nobody, and the running peers its calls reach (and hear back from). */
export interface DeafPeer {
  peer: number;
  reaches: number[];
}

/**
 * The running peers that hear no other running peer (every call to them is cut or held),
 * with the peers their own calls reach both ways, on a reliable network ([] while a
 * network mode is on). Such a peer receives no leader's AppendEntries, so it must time
 * out and call the others itself (a PreVote or RequestVote, or a leader's heartbeats),
 * and Figure 2's rule "if an RPC response contains term T > currentTerm, set currentTerm
 * = T" then brings it to their term: only replies can, since no request reaches it.
 */
export function deafPeers(v: ClusterView): DeafPeer[] {
  if (v.modesOn()) return [];
  const out: DeafPeer[] = [];
  for (let c = 0; c < v.size; c++) {
    if (!v.running(c)) continue;
    const others = Array.from({ length: v.size }, (_, q) => q).filter((q) => q !== c && v.running(q));
    if (others.length === 0 || others.some((q) => v.linkUp(q, c))) continue;
    const reaches = others.filter((q) => v.linkUp(c, q));
    if (reaches.length > 0) out.push({ peer: c, reaches });
  }
  return out;
}

/**
 * Virtual ms after the fault driver's last change (and after a peer went deaf) before its
 * terms are read as its own: labrpc's long reordering delivers replies up to 2.2 s late
 * and its duplicates come up to 2 s late, so until then a reply from before may still
 * land and move its term.
 */
export const SETTLE_MS = 2500;

interface Span {
  c: number;
  q: number;
  since: number;
  /** q's term at moments of the span ([virtual ms, term]), oldest first: the latest one at least TERM_BOUND_MS old is the bar. */
  terms: Array<[number, number]>;
}

interface Deaf {
  reaches: string;
  since: number;
  /** Once settled: the reached peers' lowest term then, the deaf peer's own term then, and its terms seen since strictly between the two. */
  settled?: { bar: number; base: number; seen: Set<number> };
}

/**
 * Watches deaf peers (deafPeers) for Figure 2's term rule, two ways. A peer c that has
 * heard nobody while its calls to q went through must, TERM_BOUND_MS after any moment of
 * that, be in the term q had then, or a later one: a candidate or a leader that ignores the
 * term in the replies it gets (and a PreVote Raft's pre-candidate, whose own term does
 * not move) stays below it; a correct one takes it at its first call. And once nothing
 * from before can land any more (SETTLE_MS), a deaf peer below the lowest term of the
 * peers it reaches may stand for election in one more term at most before it learns
 * theirs from the replies: standing in two terms strictly between its term and theirs
 * means it ignored those replies (as TestHigherTermInReply2A asks). changed() after every
 * change of the fault driver's state, observe() at every workload step.
 */
export class TermWatch {
  /** Per "c>q": since when c has been deaf and reaching q, and q's term then. */
  private spans = new Map<string, Span>();
  /** Per deaf peer. */
  private deaf = new Map<number, Deaf>();
  private lastChange = 0;

  /** term(p): peer p's term from getState(), undefined if it is not running. */
  changed(now: number, v: ClusterView, term: (p: number) => number | undefined): void {
    const spans = new Map<string, Span>();
    const deaf = new Map<number, Deaf>();
    for (const { peer: c, reaches } of deafPeers(v)) {
      for (const q of reaches) {
        const key = `${c}>${q}`;
        spans.set(key, this.spans.get(key) ?? { c, q, since: now, terms: [[now, term(q) ?? 0]] });
      }
      // Any change may release held messages: what c saw settles again from now.
      const was = this.deaf.get(c);
      const key = reaches.join(",");
      deaf.set(c, { reaches: key, since: was?.reaches === key ? was.since : now });
    }
    this.spans = spans;
    this.deaf = deaf;
    this.lastChange = now;
  }

  /**
   * @returns a failure message once a deaf peer breaks either rule, else undefined.
   */
  observe(now: number, term: (p: number) => number | undefined): string | undefined {
    for (const s of this.spans.values()) {
      const tq = term(s.q);
      if (tq !== undefined && tq > s.terms.at(-1)![1]) s.terms.push([now, tq]);
      // The bar: q's term TERM_BOUND_MS ago (the latest sample that old); older samples go.
      while (s.terms.length > 1 && now - s.terms[1]![0] >= TERM_BOUND_MS) s.terms.shift();
      const [at, bar] = s.terms[0]!;
      if (now - at < TERM_BOUND_MS) continue;
      const tc = term(s.c);
      if (tc === undefined || tc >= bar) continue;
      return (
        `peer ${s.c} has heard no peer for ${((now - s.since) / 1000).toFixed(1)} s while its calls to peer ${s.q} (in term ${bar} or later ` +
        `for ${((now - at) / 1000).toFixed(1)} s) ` +
        `got through and back on a reliable network, yet it is still in term ${tc}: it ignores the later term in the replies it gets ` +
        `(Figure 2: a response with term T > currentTerm sets currentTerm = T)`
      );
    }
    for (const [c, d] of this.deaf) {
      if (now - Math.max(d.since, this.lastChange) < SETTLE_MS) continue;
      const tc = term(c);
      if (tc === undefined) continue;
      if (d.settled === undefined) {
        const terms = d.reaches.split(",").map((q) => term(Number(q)));
        if (terms.some((t) => t === undefined)) continue;
        d.settled = { bar: Math.min(...(terms as number[])), base: tc, seen: new Set() };
        continue;
      }
      const { bar, base, seen } = d.settled;
      if (tc > base && tc < bar) seen.add(tc);
      if (seen.size > 1) {
        return (
          `peer ${c}, hearing no peer while its calls to peers ${d.reaches} (in term ${bar} or later) got through and back on a reliable network, ` +
          `stood in terms ${[...seen].join(" and ")}, below theirs: it ignores the later term in the replies it gets ` +
          `(Figure 2: a response with term T > currentTerm sets currentTerm = T)`
        );
      }
    }
    return undefined;
  }
}

/** A log position (term, index), compared term first: Figure 2's "at least as up-to-date". */
export type LogPos = readonly [term: number, index: number];

/** Whether a is no later than b (a log ending at a is no more up-to-date than one ending at b). */
export function posAtMost(a: LogPos, b: LogPos): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);
}

/**
 * An upper bound on the last entry of every peer's log, from what the harness sees alone:
 * an entry exists only once a leader's Start() accepted it (at the term and index Start()
 * returned), and moves only in a leader's AppendEntries or InstallSnapshot, over a link
 * that carries it. So a peer's bound rises when it accepts a Start(), and a leader's bound
 * spreads to every peer its messages may reach (FaultDriver.mayReach: held messages
 * count, since they arrive even after a cut). spread() runs after every event of the
 * simulated world (a leader is seen at the end of the event in which it sends), so the
 * bound holds at every moment; a crash only shortens a log, and the bound stays.
 */
export class LogBounds {
  private readonly bounds: LogPos[];

  constructor(n: number) {
    this.bounds = Array.from({ length: n }, (): LogPos => [0, 0]);
  }

  /** Peer p's Start() returned (index, term, isLeader true). */
  started(p: number, term: number, index: number): void {
    this.raise(p, [term, index]);
  }

  /** leading: the peers that lead now; reaches(p, q): whether p's messages may reach q. */
  spread(leading: readonly number[], reaches: (p: number, q: number) => boolean): void {
    for (let changed = true; changed; ) {
      changed = false;
      for (const p of leading) {
        for (let q = 0; q < this.bounds.length; q++) {
          if (q !== p && reaches(p, q) && this.raise(q, this.bounds[p]!)) changed = true;
        }
      }
    }
  }

  /** Peer p's bound: no entry of its log is later than this. */
  of(p: number): LogPos {
    return this.bounds[p]!;
  }

  private raise(p: number, to: LogPos): boolean {
    if (posAtMost(to, this.bounds[p]!)) return false;
    this.bounds[p] = to;
    return true;
  }
}

/** What StarWatch reads of the cluster besides the fault driver's links. */
export interface StarView extends ClusterView {
  /** Upper bound on p's last log entry (LogBounds). */
  bound(p: number): LogPos;
  /** Lower bound on p's last log entry: the entry it applied last in this incarnation ([0, 0] if none). */
  applied(p: number): LogPos;
}

/**
 * Elections through one peer: a set of running peers, at least a majority, in which one
 * peer (the hub) reaches every other member and hears it back on a reliable network, every
 * other running peer is cut off from all of them both ways, and the hub's log is
 * provably at least as up-to-date as each member's (the entry it applied last is no
 * earlier than the member's LogBounds bound). The members need not reach each other (a
 * partial partition). Figure 2's rules elect the hub there: each member grants it a vote
 * (or a pre-vote) once it asks in a term at least theirs, and nothing else resets the
 * hub's timer. So one of them must lead within LEADER_BOUND_MS; a Raft whose followers
 * restart their election timer at every vote request, granted or not, lets the stale
 * members' requests hold the hub back for good.
 */
export function starsOf(v: StarView): Array<{ hub: number; members: number[] }> {
  if (v.modesOn()) return [];
  const n = v.size;
  const majority = Math.floor(n / 2) + 1;
  const out: Array<{ hub: number; members: number[] }> = [];
  for (let hub = 0; hub < n; hub++) {
    if (!v.running(hub)) continue;
    const mine = v.applied(hub);
    const members = [hub];
    for (let x = 0; x < n; x++) {
      if (x !== hub && v.running(x) && v.linkUp(hub, x) && v.linkUp(x, hub) && posAtMost(v.bound(x), mine)) members.push(x);
    }
    if (members.length < majority) continue;
    const outside = Array.from({ length: n }, (_, q) => q).filter((q) => !members.includes(q) && v.running(q));
    if (outside.every((q) => members.every((p) => !v.linkUp(p, q) && !v.linkUp(q, p)))) out.push({ hub, members: members.sort((a, b) => a - b) });
  }
  return out;
}

/**
 * Watches starsOf(): update() after every change of the fault driver's state and at every
 * workload step, led(p) whenever a peer is seen leading (after every event); observe() at
 * every workload step. A star's clock runs while it lasts and restarts when one of its
 * members leads.
 */
export class StarWatch {
  private since = new Map<string, { at: number; hub: number; members: number[] }>();
  private readonly lastLed = new Map<number, number>();

  update(now: number, v: StarView): void {
    const next = new Map<string, { at: number; hub: number; members: number[] }>();
    for (const s of starsOf(v)) {
      const key = `${s.hub}:${s.members.join(",")}`;
      next.set(key, this.since.get(key) ?? { at: now, ...s });
    }
    this.since = next;
  }

  /** Peer p leads at now. */
  led(p: number, now: number): void {
    this.lastLed.set(p, now);
  }

  /** @returns a failure message once a star has gone LEADER_BOUND_MS (virtual) without any member leading, else undefined. */
  observe(now: number, v: StarView): string | undefined {
    for (const s of this.since.values()) {
      // The clock runs from the last moment a member led.
      for (const p of s.members) s.at = Math.max(s.at, this.lastLed.get(p) ?? -Infinity);
      if (now - s.at < LEADER_BOUND_MS) continue;
      const mine = v.applied(s.hub);
      return (
        `no leader among peers {${s.members.join(",")}} for ${((now - s.at) / 1000).toFixed(1)} s, though they are a majority, running, ` +
        `every other peer cut off from them, on a reliable network, and peer ${s.hub} reaches each of them and is heard back, its log ` +
        `at least as up-to-date as theirs (it applied index ${mine[1]} of term ${mine[0]}; theirs end no later than ` +
        s.members.filter((p) => p !== s.hub).map((p) => `${v.bound(p)[1]} of term ${v.bound(p)[0]}`).join(", ") +
        `): each of them would grant it a vote, so only election timers restarted by the requests of peers they refuse can hold it back`
      );
    }
    return undefined;
  }
}
