// Raft state and snapshot bytes, as the course's persister.go (a framework file): every
// save and read copies, so a crashed peer's old instance can never touch what a restarted
// one reads. Every save is traced (sizes in bytes) on its owner's lane when tracing is on.
// In simulated mode every save also costs its owner's disk virtual time (runtime/host.ts):
// the save itself returns at once, as the course's does, and the peer's next messages
// leave once the disk is done.
import type { Host } from "../runtime/host.js";
import { hasWorld, world } from "../runtime/world.js";

export class Persister {
  private raftstate: Uint8Array = new Uint8Array(0);
  private snapshot: Uint8Array = new Uint8Array(0);
  /** The owner's machine, whose disk the saves occupy (none without an owner: unit tests). */
  private readonly host: Host | undefined;
  /** The harness's hook, called after each save (onSave); never copied. */
  private saved: (() => void) | undefined;

  /**
   * owner: the peer whose state this is (the harness passes its index, the same name as
   * its labrpc server): the trace's lane, and the machine whose disk the saves cost.
   */
  constructor(private readonly owner: string | number = "persister", host?: Host) {
    this.host = host;
  }

  /** A new persister on the same disk, sharing the current byte arrays (safe: saves install fresh copies). */
  copy(): Persister {
    const np = new Persister(this.owner, this.host);
    np.raftstate = this.raftstate;
    np.snapshot = this.snapshot;
    return np;
  }

  saveRaftState(state: Uint8Array): void {
    this.raftstate = state.slice();
    this.host?.write(this.raftstate.length);
    this.traceSave(false);
    this.saved?.();
  }

  /**
   * The harness's hook (framework side, not for lab code): fn runs synchronously after
   * every save of this persister, once the bytes are stored, before the save returns to the
   * peer. A harness crashes a peer there to model a crash between a handler's persist and
   * its reply. Undefined removes it; copy() does not carry it over.
   */
  onSave(fn: (() => void) | undefined): void {
    this.saved = fn;
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
    this.host?.write(this.raftstate.length + this.snapshot.length);
    this.traceSave(true);
    this.saved?.();
  }

  readSnapshot(): Uint8Array {
    return this.snapshot.slice();
  }

  snapshotSize(): number {
    return this.snapshot.length;
  }
}

/**
 * A fresh, empty persister. owner: the peer's index (the same name as its labrpc server):
 * it labels its saves in the trace, and in a world the saves cost that machine's disk
 * virtual time (runtime/host.ts).
 */
export function makePersister(owner?: string | number): Persister {
  if (owner === undefined) return new Persister();
  return new Persister(owner, hasWorld() ? world().host(owner) : undefined);
}
