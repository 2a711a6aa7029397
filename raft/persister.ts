// Raft state and snapshot bytes, as the course's persister.go (a framework file): a save
// copies the caller's bytes and a read returns a fresh copy, so a crashed peer's old
// instance can never touch what a restarted one reads. A Raft saves its whole state after
// every change, so a save copies into buffers this persister owns and reuses (growing them
// when a save does not fit) rather than allocating a new array each time; copy() gives the
// new persister buffers of its own. Every save is traced (sizes in bytes) on its owner's
// lane when tracing is on.
// In simulated mode every save also costs its owner's disk virtual time (runtime/host.ts):
// the save itself returns at once, as the course's does, and the peer's next messages
// leave once the disk is done.
import { describeValue } from "../labrpc/describe-value.js";
import type { Host } from "../runtime/host.js";
import type { TraceFieldsOf } from "../runtime/trace-kinds.js";
import { hasWorld, world } from "../runtime/world.js";

/**
 * Copy data into buf when it fits, else into a new buffer with room to grow; returns the
 * buffer that now holds it. `what` names the argument in the error for anything but bytes.
 */
function store(buf: Uint8Array, data: Uint8Array, what: string): Uint8Array {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`Persister: ${what} must be a Uint8Array (the codec's encode() makes one), not ${describeValue(data)}`);
  }
  const out = data.length <= buf.length ? buf : new Uint8Array(Math.max(data.length, Math.floor(buf.length * 1.5)));
  out.set(data);
  return out;
}

const EMPTY = new Uint8Array(0);

export class Persister {
  /** Owned buffers, never handed out: the saved bytes are their first stateLen and snapshotLen bytes. */
  private raftstate: Uint8Array = EMPTY;
  private stateLen = 0;
  private snapshot: Uint8Array = EMPTY;
  private snapshotLen = 0;
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

  /** A new persister on the same disk holding copies of the saved bytes (no save hook). */
  copy(): Persister {
    const np = new Persister(this.owner, this.host);
    np.raftstate = this.raftstate.slice(0, this.stateLen);
    np.stateLen = this.stateLen;
    np.snapshot = this.snapshot.slice(0, this.snapshotLen);
    np.snapshotLen = this.snapshotLen;
    return np;
  }

  /**
   * Save Raft's state (the course's SaveRaftState): the bytes are copied, so the caller may
   * reuse its array. Charges state.length bytes to the owner's disk.
   * @throws TypeError when state is not a Uint8Array.
   */
  saveRaftState(state: Uint8Array): void {
    this.raftstate = store(this.raftstate, state, "saveRaftState's state");
    this.stateLen = state.length;
    this.host?.write(this.stateLen);
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
    const f: TraceFieldsOf<"persist"> = { state: this.stateLen };
    if (withSnapshot) f.snapshot = this.snapshotLen;
    t.event(this.owner, "persist", f);
  }

  /** The saved Raft state, in a fresh array the caller owns (empty before any save). */
  readRaftState(): Uint8Array {
    return this.raftstate.slice(0, this.stateLen);
  }

  /** Bytes of saved Raft state (what maxraftstate bounds). */
  raftStateSize(): number {
    return this.stateLen;
  }

  /**
   * Save state and snapshot at once, so a crash never leaves one without the other (the
   * course's SaveStateAndSnapshot); null saves an empty snapshot. Both are copied; charges
   * both lengths to the owner's disk.
   * @throws TypeError when state, or a non-null snapshot, is not a Uint8Array (nothing is saved then).
   */
  saveStateAndSnapshot(state: Uint8Array, snapshot: Uint8Array | null): void {
    const snap = snapshot ?? EMPTY;
    if (!(snap instanceof Uint8Array)) store(EMPTY, snap, "saveStateAndSnapshot's snapshot"); // throws first
    this.raftstate = store(this.raftstate, state, "saveStateAndSnapshot's state");
    this.stateLen = state.length;
    this.snapshot = store(this.snapshot, snap, "saveStateAndSnapshot's snapshot");
    this.snapshotLen = snap.length;
    this.host?.write(this.stateLen + this.snapshotLen);
    this.traceSave(true);
    this.saved?.();
  }

  /** The saved snapshot, in a fresh array the caller owns (empty if none). */
  readSnapshot(): Uint8Array {
    return this.snapshot.slice(0, this.snapshotLen);
  }

  /** Bytes of saved snapshot. */
  snapshotSize(): number {
    return this.snapshotLen;
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
