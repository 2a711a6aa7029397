// What work costs in virtual time: each simulated machine ("host") has a disk and a
// network link, and the constants below say how fast they are.
//
// On a free virtual clock a test does as much work as the code allows: with an O(log
// length) persist per change, TestReliableChurn2C committed up to 4,399 commands (the
// handout's sample: 1,544) and took minutes of wall time. In the course's real time slow
// code slows the test down instead; this model does the same, deterministically.
//
// - Disk. A write of b bytes keeps the host's disk busy for b / DISK_BYTES_PER_MS virtual
//   ms, after any write still in progress. The persister's writes are synchronous (Go's
//   persister.Save, our saveRaftState), so the time is charged rather than waited: the
//   host's next outgoing messages — requests and replies alike — leave only once its disk
//   is idle, as a Go peer's replies wait while it persists under its lock. Its timers and
//   handlers run on.
// - Link. A message of b bytes occupies its sender's link for MESSAGE_OVERHEAD_MS +
//   b / LINK_BYTES_PER_MS ms (the overhead stands for the RPC library's and the sender's
//   work per message, which serializes a busy leader as the course's shared CPU does),
//   queued behind the messages before it, then travels WIRE_LATENCY_MS plus a jitter in
//   [0, WIRE_JITTER_MS) that the network draws from its own seeded stream (labrpc/network.ts).
//   A sender with no host (a clerk) has a link of its own per message.
//
// Calibration (why each value: labrpc/README.md; the figures: docs/benchmarks-history.md): a
// straightforward Raft's command counts in the churn and Figure 8 tests, and kvraft's
// TestSpeed3A/3B per-op times, land near the handout's sample figures. REALTIME=1 runs
// charge nothing: real time has real costs.

import type { Clock } from "./clock.js";

/** Disk bandwidth: bytes written per virtual ms (6 MB/s, a Go persister under -race). */
export const DISK_BYTES_PER_MS = 6_000;
/** Link bandwidth: bytes sent per virtual ms (20 MB/s). */
export const LINK_BYTES_PER_MS = 20_000;
/** Link time of every message besides its bytes, virtual ms. */
export const MESSAGE_OVERHEAD_MS = 0.3;
/** Fixed one-way delivery time of a message, virtual ms. */
export const WIRE_LATENCY_MS = 0.25;
/** A message's extra one-way time is uniform in [0, WIRE_JITTER_MS) virtual ms. */
export const WIRE_JITTER_MS = 0.5;

/** One simulated machine's disk and outgoing link (see the file header). */
export class Host {
  private diskFreeAt = 0;
  private linkFreeAt = 0;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
  ) {}

  private get simulated(): boolean {
    return this.clock.mode === "simulated";
  }

  /** Charge a synchronous write of `bytes` to this host's disk (no effect in real time). */
  write(bytes: number): void {
    if (!this.simulated) return;
    this.diskFreeAt = Math.max(this.clock.now(), this.diskFreeAt) + bytes / DISK_BYTES_PER_MS;
  }

  /**
   * Queue a message of `bytes` on this host's link, behind its disk and earlier messages.
   * Returns the virtual ms at which its last byte has left (now, in real time).
   */
  transmit(bytes: number): number {
    const t = this.clock.now();
    if (!this.simulated) return t;
    const start = Math.max(t, this.diskFreeAt, this.linkFreeAt);
    this.linkFreeAt = start + MESSAGE_OVERHEAD_MS + bytes / LINK_BYTES_PER_MS;
    return this.linkFreeAt;
  }

  /** Virtual ms until this host's disk is idle (0 when it is). */
  diskBusyMs(): number {
    return Math.max(0, this.diskFreeAt - this.clock.now());
  }
}
