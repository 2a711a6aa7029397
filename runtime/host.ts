// What work costs in virtual time: each simulated machine ("host") has a disk and a
// network link, and the constants below say how fast they are.
//
// On a free virtual clock a test does as much work as the code allows: with an O(log
// length) persist per change, TestReliableChurn2C committed up to 4,399 commands (the
// handout's sample: 1,544) and took minutes of wall time. In the course's real time slow
// code slows the test down instead; this model does the same, deterministically.
//
// - Disk. A write of b bytes keeps the host's disk busy for b / diskBytesPerMs virtual
//   ms, after any write still in progress. The persister's writes are synchronous (Go's
//   persister.Save, our saveRaftState), so the time is charged rather than waited: the
//   host's next outgoing messages — requests and replies alike — leave only once its disk
//   is idle, as a Go peer's replies wait while it persists under its lock. Its timers and
//   handlers run on.
// - Link. A message of b bytes occupies its sender's link for messageOverheadMs +
//   b / linkBytesPerMs ms (the overhead stands for the RPC library's and the sender's
//   work per message, which serializes a busy leader as the course's shared CPU does),
//   queued behind the messages before it, then travels wireLatencyMs plus a jitter in
//   [0, wireJitterMs) that the network draws from its own seeded stream (labrpc/network.ts).
//   A sender with no host (a clerk) has a link of its own per message.
//
// The numbers are fields of the world's cost model (runtime/cost-model.ts); their values
// and why each: labrpc/README.md (the figures: docs/benchmarks-history.md). A straightforward
// Raft's command counts in the churn and Figure 8 tests, and kvraft's TestSpeed3A/3B per-op
// times, land near the handout's sample figures. REALTIME=1 runs charge nothing: real time
// has real costs.

import type { Clock } from "./clock.js";
import type { CostModel } from "./cost-model.js";

/** One simulated machine's disk and outgoing link (see the file header). */
export class Host {
  private diskFreeAt = 0;
  private linkFreeAt = 0;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly cost: CostModel,
  ) {}

  private get simulated(): boolean {
    return this.clock.mode === "simulated";
  }

  /** Charge a synchronous write of `bytes` to this host's disk (no effect in real time). */
  write(bytes: number): void {
    if (!this.simulated) return;
    this.diskFreeAt = Math.max(this.clock.now(), this.diskFreeAt) + bytes / this.cost.diskBytesPerMs;
  }

  /**
   * Queue a message of `bytes` on this host's link, behind its disk and earlier messages.
   * Returns the virtual ms at which its last byte has left (now, in real time).
   */
  transmit(bytes: number): number {
    const t = this.clock.now();
    if (!this.simulated) return t;
    const start = Math.max(t, this.diskFreeAt, this.linkFreeAt);
    this.linkFreeAt = start + this.cost.messageOverheadMs + bytes / this.cost.linkBytesPerMs;
    return this.linkFreeAt;
  }

  /** Virtual ms until this host's disk is idle (0 when it is). */
  diskBusyMs(): number {
    return Math.max(0, this.diskFreeAt - this.clock.now());
  }
}
