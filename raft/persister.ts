// Raft state and snapshot bytes, as the course's persister.go (a framework file): every
// save and read copies, so a crashed peer's old instance can never touch what a restarted
// one reads. In simulated mode every save costs its host's disk virtual time
// (runtime/host.ts): the save itself returns at once, as the course's does, and the peer's
// next messages leave once the disk is done.

import type { Host } from "../runtime/host.js";
import { world } from "../runtime/world.js";

export class Persister {
  private raftstate: Uint8Array = new Uint8Array(0);
  private snapshot: Uint8Array = new Uint8Array(0);

  /** host: the machine whose disk this is (none: saves cost nothing, as in unit tests). */
  constructor(private readonly host?: Host) {}

  /** A new persister on the same disk, sharing the current byte arrays (safe: saves install fresh copies). */
  copy(): Persister {
    const np = new Persister(this.host);
    np.raftstate = this.raftstate;
    np.snapshot = this.snapshot;
    return np;
  }

  saveRaftState(state: Uint8Array): void {
    this.raftstate = state.slice();
    this.host?.write(state.length);
  }

  readRaftState(): Uint8Array {
    return this.raftstate.slice();
  }

  raftStateSize(): number {
    return this.raftstate.length;
  }

  /** Save both at once, so a crash never leaves one without the other. */
  saveStateAndSnapshot(state: Uint8Array, snapshot: Uint8Array | null): void {
    this.raftstate = state.slice();
    this.snapshot = snapshot === null ? new Uint8Array(0) : snapshot.slice();
    this.host?.write(this.raftstate.length + this.snapshot.length);
  }

  readSnapshot(): Uint8Array {
    return this.snapshot.slice();
  }

  snapshotSize(): number {
    return this.snapshot.length;
  }
}

/**
 * A fresh, empty persister. `host` names the peer's machine (its index, the same name as
 * its labrpc server): saves then cost that machine's disk virtual time (runtime/host.ts).
 */
export function makePersister(host?: string | number): Persister {
  return new Persister(host === undefined ? undefined : world().host(host));
}
