// Raft state and snapshot bytes, as the course's persister.go (a framework file): every
// save and read copies, so a crashed peer's old instance can never touch what a restarted
// one reads. Every save is traced (sizes in bytes) on its owner's lane when tracing is on.
import { hasWorld, world } from "../runtime/world.js";

export class Persister {
  private raftstate: Uint8Array = new Uint8Array(0);
  private snapshot: Uint8Array = new Uint8Array(0);

  /** owner: the peer whose state this is, for the trace (the harness passes its index). */
  constructor(private readonly owner: string | number = "persister") {}

  /** A new persister sharing the current byte arrays (safe: saves install fresh copies). */
  copy(): Persister {
    const np = new Persister(this.owner);
    np.raftstate = this.raftstate;
    np.snapshot = this.snapshot;
    return np;
  }

  saveRaftState(state: Uint8Array): void {
    this.raftstate = state.slice();
    this.traceSave(false);
  }

  private traceSave(withSnapshot: boolean): void {
    if (!hasWorld()) return;
    const t = world().tracer;
    if (!t.enabled) return;
    const f: Record<string, number> = { state: this.raftstate.length };
    if (withSnapshot) f.snapshot = this.snapshot.length;
    t.event(this.owner, "persist", f);
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
    this.traceSave(true);
  }

  readSnapshot(): Uint8Array {
    return this.snapshot.slice();
  }

  snapshotSize(): number {
    return this.snapshot.length;
  }
}

/** A fresh, empty persister; owner labels its saves in the trace (a peer index). */
export function makePersister(owner?: string | number): Persister {
  return new Persister(owner);
}
