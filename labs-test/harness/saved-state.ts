// What every lab's harness does with its servers' persisters and instances across crashes
// and restarts, as the course's config.go files each do it (crash1/start1, ShutdownServer/
// StartServer, LogSize/SnapshotSize, cleanup). One copy here, so that the harnesses cannot
// drift apart on the rule that keeps a dead instance's late writes from its successor.
import type { Network } from "../../labrpc/index.js";
import { makePersister, type Persister } from "../../raft/persister.js";

/** A harness's persisters by server index (the course's cfg.saved): null before a first start. */
export type SavedPersisters = (Persister | null)[];

/**
 * Server i is going down: from now on its persister slot holds a copy, so that whatever the
 * dead instance still writes to the old one never reaches the next instance (the course's
 * "a fresh persister, in case old instance continues to update the Persister").
 */
export function keepCopyOnCrash(saved: SavedPersisters, i: number): void {
  const p = saved[i];
  if (p !== null && p !== undefined) saved[i] = p.copy();
}

/**
 * Server i is starting: its persister slot gets a copy of what it saved before, or a fresh
 * persister owned by `owner` (the host name or index makePersister takes) on a first start.
 * Returns the persister to start it with and whether it is fresh (a fresh server applies
 * from index 1; a restarted one from wherever its snapshot says).
 */
export function persisterToStart(saved: SavedPersisters, i: number, owner: string | number): { persister: Persister; fresh: boolean } {
  const p = saved[i];
  const fresh = p === null || p === undefined;
  const persister = fresh ? makePersister(owner) : p.copy();
  saved[i] = persister;
  return { persister, fresh };
}

/** The largest Raft state among these persisters, in bytes (the course's LogSize). */
export function largestRaftState(saved: readonly (Persister | null)[]): number {
  let max = 0;
  for (const p of saved) max = Math.max(max, p?.raftStateSize() ?? 0);
  return max;
}

/** The largest snapshot among these persisters, in bytes (the course's SnapshotSize). */
export function largestSnapshot(saved: readonly (Persister | null)[]): number {
  let max = 0;
  for (const p of saved) max = Math.max(max, p?.snapshotSize() ?? 0);
  return max;
}

/** The end of a test (the course's cleanup): kill every running server, empty its slot, then the network. */
export function killAll(servers: ({ kill(): void } | null)[], net: Pick<Network, "cleanup">): void {
  for (let i = 0; i < servers.length; i++) {
    servers[i]?.kill();
    servers[i] = null;
  }
  net.cleanup();
}
