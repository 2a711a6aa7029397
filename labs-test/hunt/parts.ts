// The parts the schedule search covers (`make hunt-2A` … `make hunt-4B`): for each, which
// harness a run builds, which faults its schedules may hold, and the ranges a schedule's
// figures are drawn from. The faults are those the part's harness can apply through the
// course's API: Raft's Config reaches every link and persister; kvraft's Config has
// symmetric links only and no end names (no held messages); the shard controller's and
// shardkv's Configs have no partitions (shardctrler's persisters are private too).

/** What one fault does, for the length of its window (fault-driver.ts applies them). */
export type FaultKind =
  /** the network drops 10% of requests and replies and delays the rest up to 27 ms (labrpc's unreliable mode) */
  | "loss"
  /** replies are delayed 200–2200 ms at random (labrpc's long reordering) */
  | "reorder"
  /** a quarter of requests are delivered once more, up to 2 s later (labrpc's duplicate mode) */
  | "dup"
  /** the peers split into two sides that cannot reach each other */
  | "partition"
  /** one peer (or whoever leads when the fault starts) is cut off from every other */
  | "isolate"
  /** one direction of one link is down (both directions where the harness has no directed links) */
  | "cut"
  /** an asymmetric partition: one peer (or the leader, or a random side) cannot hear the others, or
   * cannot reach them, while the other direction works; for its first part the cut may go both ways,
   * so that a peer cut off while the others move on comes back speaking (or listening) only */
  | "one-way"
  /** every few ms to 0.5 s the leader is cut off (half the time), and a cut-off peer rejoins while
   * fewer than a majority are reachable: the partition process of the course's Figure 8 (unreliable) */
  | "leader-churn"
  /** the same with crashes: the leader crashes (half the time), a crashed peer restarts while fewer
   * than a majority run: the crash process of the course's Figure 8 */
  | "crash-churn"
  /** one peer (or the leader) crashes, and restarts from its persisted state when the window ends */
  | "crash"
  /** one peer (or the leader) crashes at its next persister save, before the handler that saved replies */
  | "crash-on-save"
  /** the workload pauses: no Start() calls (Raft) or new clerk calls (kvraft) during the window,
   * so a new leader runs for a while with no entry of its own term */
  | "quiet"
  /** a minority falls behind, cut off while the others go on, then comes back through one
   * up-to-date peer only, with the leader and the rest cut off (a partial partition: the stale
   * peers cannot reach each other), so that only that peer can win an election (Raft §5.4.1) */
  | "stale-rejoin"
  /** stale traffic across a change of leadership: the replies to the leader's calls held while it is
   * cut off until another peer leads, then back (hearing nobody, or steered back into leadership by
   * cutting off every other leader), the replies released late, and the leader cut off again at random */
  | "depose"
  /** the replies to the leader's calls held from some or every other peer for up to 3 s, often as a
   * burst of commands starts, then released peer by peer: acknowledgements that arrive late and out of
   * step, across a commit or a snapshot point */
  | "stagger"
  /** every reply on every link held for seconds (requests still arrive: a leader with CheckQuorum steps
   * down, and peers that time out have their (pre-)votes granted unseen), then released caller by caller:
   * all at once, 0 to 27 ms apart, or the other callers' right after the first vote once the first
   * caller's are out, so that two peers stand in one term; if so drawn, a peer that persisted a higher
   * term in a handler crashes as soon as its reply has left and restarts at once, once a peer a window
   * (a vote granted, then a crash, mid-election) */
  | "stall"
  /** replies on one directed link are held in the network until the window ends */
  | "hold-replies"
  /** requests on one directed link are held before delivery until the window ends */
  | "hold-requests";

export const ALL_FAULT_KINDS: readonly FaultKind[] = [
  "loss", "reorder", "dup", "partition", "isolate", "cut", "one-way", "leader-churn", "crash", "crash-on-save", "crash-churn",
  "hold-replies", "hold-requests", "stagger", "quiet", "stale-rejoin", "depose", "stall",
];

/** Which harness a run of the part builds (bodies.ts maps each to its run body). */
export type HuntLab = "raft" | "kvraft" | "shardctrler" | "shardkv";

export interface HuntPart {
  /** The manifest's part id (labs-test/labs.ts). */
  id: string;
  lab: HuntLab;
  /** Fault kinds a schedule may draw (swarm testing: each run enables a random subset). */
  kinds: readonly FaultKind[];
  /** Servers in the cluster (per replication group for shardkv): one is drawn per run. */
  peers: readonly number[];
  /** Replication groups the harness builds (shardkv/config.ts makes three); 1 elsewhere. */
  groups: number;
  /** Virtual ms of the fault phase, drawn uniformly in [min, max]. */
  phaseMs: readonly [number, number];
  /** The run body's module, relative to the repository root (type-checked before a hunt). */
  module: string;
}

const NET: readonly FaultKind[] = ["loss", "reorder", "dup"];
const LINKS: readonly FaultKind[] = ["partition", "isolate", "cut", "leader-churn"];
const HOLDS: readonly FaultKind[] = ["hold-replies", "hold-requests", "stagger"];
const CRASHES: readonly FaultKind[] = ["crash", "crash-on-save", "crash-churn"];

const RAFT = "labs-test/hunt/raft-run.ts";
/** Raft's harness cuts one direction of a link (kvraft's cuts both): asymmetric partitions. */
const RAFT_LINKS: readonly FaultKind[] = [...LINKS, "one-way", "stale-rejoin"];

/**
 * Raft before 2C has no persistence, so its schedules crash nothing (a restarted 2A/2B
 * peer forgets its vote, which only 2C asks it to keep). A stall (split elections, and a
 * voter's crash between two candidates' requests) is 2C's: the part whose tests crash
 * peers mid-election; 2D's windows go to snapshots.
 */
export const HUNT_PARTS: readonly HuntPart[] = [
  { id: "2A", lab: "raft", kinds: [...NET, ...RAFT_LINKS, ...HOLDS, "depose", "quiet"], peers: [3, 5, 7], groups: 1, phaseMs: [5000, 20000], module: RAFT },
  { id: "2B", lab: "raft", kinds: [...NET, ...RAFT_LINKS, ...HOLDS, "depose", "quiet"], peers: [3, 5], groups: 1, phaseMs: [4000, 20000], module: RAFT },
  { id: "2C", lab: "raft", kinds: [...NET, ...RAFT_LINKS, ...HOLDS, "depose", ...CRASHES, "quiet", "stall"], peers: [3, 5], groups: 1, phaseMs: [4000, 20000], module: RAFT },
  { id: "2D", lab: "raft", kinds: [...NET, ...RAFT_LINKS, ...HOLDS, "depose", ...CRASHES, "quiet"], peers: [3, 5], groups: 1, phaseMs: [4000, 20000], module: RAFT },
  { id: "3A", lab: "kvraft", kinds: [...NET, ...LINKS, ...CRASHES, "quiet"], peers: [3, 5], groups: 1, phaseMs: [4000, 12000], module: "labs-test/hunt/kvraft-run.ts" },
  { id: "3B", lab: "kvraft", kinds: [...NET, ...LINKS, ...CRASHES, "quiet"], peers: [3, 5], groups: 1, phaseMs: [4000, 12000], module: "labs-test/hunt/kvraft-run.ts" },
  { id: "4A", lab: "shardctrler", kinds: [...NET, "crash", "crash-churn"], peers: [3, 5], groups: 1, phaseMs: [3000, 10000], module: "labs-test/hunt/shardctrler-run.ts" },
  { id: "4B", lab: "shardkv", kinds: [...NET, "crash", "crash-on-save"], peers: [3], groups: 3, phaseMs: [4000, 12000], module: "labs-test/hunt/shardkv-run.ts" },
];

/** Thrown for bad input to the search: an unknown part, a bad budget, a malformed KEEP or regression line. */
export class HuntError extends Error {}

/**
 * The hunt part with this id (case-insensitive).
 * @throws HuntError naming the parts there are.
 */
export function huntPart(id: string): HuntPart {
  const p = HUNT_PARTS.find((q) => q.id.toLowerCase() === id.trim().toLowerCase());
  if (p === undefined) {
    throw new HuntError(`unknown part ${JSON.stringify(id)} for the schedule search; parts: ${HUNT_PARTS.map((q) => q.id).join(" ")}`);
  }
  return p;
}

/** The name a hunt run has in the many-seeds pool and in its timeline page (Hunt2C). */
export function huntTestName(part: HuntPart): string {
  return `Hunt${part.id}`;
}
