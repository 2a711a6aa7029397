// The leader's view of one follower (a student helper file of raft.ts), as etcd's tracker/progress.go.
// SOLUTION BEGIN
/**
 * What the leader knows of one follower in its term. Invariants (check() throws on the
 * first broken one, naming it):
 * - 0 ≤ match < next ≤ lastIndex + 1: match is proven (the follower holds our log through
 *   it), next is where the next message's entries start; match only grows.
 * - at most one message carrying entries or the snapshot is unanswered (inflight): a slow
 *   or dead follower gets one copy of its backlog, not one per heartbeat.
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
