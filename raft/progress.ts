// The leader's view of one follower (a student helper file of raft.ts), in the manner of
// etcd's tracker/progress.go: what the leader knows of the follower, the states that decide
// what it may send next, and the pacing constants those states own.
// SOLUTION BEGIN

/**
 * A leader sends each follower something at least every HEARTBEAT_MS (virtual ms): about 3
 * a second, under the course's limit of 10.
 */
export const HEARTBEAT_MS = 300;

/**
 * A follower that has answered nothing for SILENT_MS (two heartbeats) is silent: probably
 * down or cut off. Two, not one: a single lost reply must not cost a follower its heartbeats.
 */
export const SILENT_MS = 2 * HEARTBEAT_MS;

/**
 * A silent follower gets one probe per PROBE_MS rather than a heartbeat per HEARTBEAT_MS
 * (Figure 8's RPC count, where crashed peers stay down for seconds). One that comes back
 * asks for (pre-)votes within an election timeout, and the leader catches it up then.
 */
export const PROBE_MS = 2000;

/**
 * What the leader knows of one follower in its term, and what it may send it.
 *
 * Two independent states decide the next message (etcd keeps one state machine of
 * StateProbe/StateReplicate/StateSnapshot; ours are simpler and orthogonal):
 *
 * Flow, what the next message carries (ready()):
 * - ready: nothing is in flight. The next message carries every entry from next to the
 *   log's end, or the snapshot if next is at or below the snapshot's index.
 * - in flight: one message carrying entries or the snapshot is unanswered (inflight is its
 *   seq). Until it is answered, or a later call's answer overtakes it, the follower gets
 *   only empty AppendEntries: a slow or dead follower gets one copy of its backlog, not one
 *   per heartbeat.
 *
 * Liveness, how often it hears from us (silent(), heartbeatDue()):
 * - answering: it answered within SILENT_MS; it gets a heartbeat when we have been quiet
 *   to it for HEARTBEAT_MS.
 * - silent: no answer for SILENT_MS; its heartbeats (probes) come only every PROBE_MS,
 *   until it answers, or asks us for a vote (noteHeard(); the leader then catches it up at once).
 *
 * Invariants (check() throws on the first broken one, naming it): 0 ≤ match < next ≤
 * lastIndex + 1; match is proven (the follower holds our log through it), next is where the
 * next message's entries start; match only grows.
 */
export class Progress {
  next: number;
  match = 0;
  /** The call carrying entries or the snapshot that is not answered yet (its seq; 0: none). */
  inflight = 0;
  /** Calls made to this follower in this term, numbered from 1. */
  seq = 0;
  /** When we last sent it anything (virtual ms): a heartbeat goes only to a follower we've been quiet to. */
  lastSent = -Infinity;
  /** When it last answered us, or sent us a request (virtual ms): a silent follower is only probed now and then. */
  answeredAt: number;
  /** The highest leaderCommit it has been sent. */
  sentCommit = 0;

  constructor(
    readonly peer: number,
    lastIndex: number,
    now: number,
  ) {
    this.next = lastIndex + 1;
    this.answeredAt = now;
  }

  /** Flow state ready: nothing in flight, so the next message may carry entries or the snapshot. */
  ready(): boolean {
    return this.inflight === 0;
  }

  /** Liveness state silent at time t (virtual ms): no answer for SILENT_MS. */
  silent(t: number): boolean {
    return t - this.answeredAt >= SILENT_MS;
  }

  /** Whether we have been quiet to it for its liveness state's interval at time t: HEARTBEAT_MS, or PROBE_MS if silent. */
  heartbeatDue(t: number): boolean {
    return t - this.lastSent >= (this.silent(t) ? PROBE_MS : HEARTBEAT_MS);
  }

  /** It spoke to us at time t (a vote request): silent no longer. */
  noteHeard(t: number): void {
    this.answeredAt = t;
  }

  /** Its log matches ours through index: match and next move forward, never back. */
  matched(index: number): void {
    if (index > this.match) this.match = index;
    if (this.next <= this.match) this.next = this.match + 1;
  }

  /** The call seq got an answer (ok) or failed, at time t: a later answer also frees an earlier inflight (a lost or overtaken call). */
  answered(seq: number, ok: boolean, t: number): void {
    if (seq === this.inflight || (ok && seq > this.inflight)) this.inflight = 0;
    if (ok) this.answeredAt = t;
  }

  check(me: number, lastIndex: number): void {
    const broken =
      this.match < 0 ? "match < 0" : this.match >= this.next ? "match >= next" : this.next > lastIndex + 1 ? "next > lastIndex + 1" : "";
    if (broken !== "") {
      throw new Error(`raft ${me}: invariant violated: progress of ${this.peer}: ${broken} (match ${this.match}, next ${this.next}, lastIndex ${lastIndex})`);
    }
  }
}
// SOLUTION END
