// Raft state and snapshot bytes, as the course's persister.go (a framework file): every
// save and read copies, so a crashed peer's old instance can never touch what a restarted
// one reads.

export class Persister {
  private raftstate: Uint8Array = new Uint8Array(0);
  private snapshot: Uint8Array = new Uint8Array(0);

  /** A new persister sharing the current byte arrays (safe: saves install fresh copies). */
  copy(): Persister {
    const np = new Persister();
    np.raftstate = this.raftstate;
    np.snapshot = this.snapshot;
    return np;
  }

  saveRaftState(state: Uint8Array): void {
    this.raftstate = state.slice();
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
  }

  readSnapshot(): Uint8Array {
    return this.snapshot.slice();
  }

  snapshotSize(): number {
    return this.snapshot.length;
  }
}

export function makePersister(): Persister {
  return new Persister();
}
