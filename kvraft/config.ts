// The kvraft test harness (the course's kvraft/config.go; framework side). Each server
// is one labrpc Server carrying two services, "KVServer" and "Raft"; clerks get their
// own ends, shuffled. begin/end, the failure latch, the 120 s limit and the stats come
// from the shared frame (labs-test/harness/test-frame.ts); time is the runtime's (virtual
// in tests) and test randomness comes from the world's "tester" stream, so one seed
// replays one run exactly.
import { PeerObserver, showCommand } from "../labs-test/harness/observe-peers.js";
import { Network, Server, Service, type ClientEnd } from "../labrpc/index.js";
import { TestFrame, withFrame, type FrameCounters } from "../labs-test/harness/test-frame.js";
import { randstring, shuffle } from "../labs-test/harness/tester-rand.js";
import type { Persister } from "../raft/persister.js";
import { keepCopyOnCrash, killAll, largestRaftState, largestSnapshot, persisterToStart } from "../labs-test/harness/saved-state.js";
import { trace } from "../runtime/index.js";
import { makeClerk, type Clerk } from "./client.js";
import { ClerkPace, guardClerk } from "./framework/clerk-guard.js";
import { KV_ARGS_SCHEMAS } from "./framework/rpc-schemas.js";
import { startKVServer, type KVServer } from "./server.js";

export class Config extends TestFrame {
  readonly n: number;
  readonly net: Network;
  readonly maxraftstate: number;
  private readonly kvservers: (KVServer | null)[];
  private readonly saved: (Persister | null)[];
  /** endnames[i][j]: server i's end to server j. */
  private readonly endnames: string[][];
  /** Each clerk's end names, indexed by server (not in the clerk's shuffled order). */
  private readonly clerks = new Map<Clerk, string[]>();
  /** Each clerk's lane in the trace (ck0, ck1, …), in the order they were made. */
  private readonly clerkLanes = new Map<Clerk, string>();
  /** Servers' roles and terms in the trace, whatever the solution traces. */
  private readonly observer: PeerObserver;
  /** Clerk calls completed through the counting wrappers: the "ops" figure of the Passed line. */
  private ops = 0;
  /** Fails a test whose Clerk calls complete without time passing (they would spin forever). */
  private readonly pace = new ClerkPace();

  constructor(n: number, unreliable: boolean, maxraftstate: number) {
    super({ peers: n, style: "kv" });
    this.n = n;
    this.maxraftstate = maxraftstate;
    this.net = new Network();
    this.kvservers = new Array<KVServer | null>(n).fill(null);
    this.observer = new PeerObserver(n, (i) => this.kvservers[i]?.rf ?? null, this.net, { safety: this.safety, gaps: true });
    this.saved = new Array<Persister | null>(n).fill(null);
    this.endnames = Array.from({ length: n }, () => []);
    for (let i = 0; i < n; i++) this.startServer(i);
    this.connectAll();
    this.net.setReliable(!unreliable);
  }

  // ---- frame -------------------------------------------------------------------------

  protected counters(): FrameCounters {
    return { rpcs: this.net.getTotalCount(), bytes: this.net.getTotalBytes(), ops: this.ops };
  }

  /** Kill every server and the network. */
  protected shutdown(): void {
    killAll(this.kvservers, this.net);
  }

  // ---- persisted state -----------------------------------------------------------------

  /** The largest Raft state among the servers' persisters (bytes). */
  logSize(): number {
    return largestRaftState(this.saved);
  }

  /** The largest snapshot among the servers' persisters (bytes). */
  snapshotSize(): number {
    return largestSnapshot(this.saved);
  }

  /** Server i's running instance, null while shut down. For fault-injection tests. */
  server(i: number): KVServer | null {
    return this.kvservers[i] ?? null;
  }

  /** Server i's persister (what its next instance will start from). For fault-injection tests. */
  persister(i: number): Persister | null {
    return this.saved[i] ?? null;
  }

  // ---- connectivity ------------------------------------------------------------------

  all(): number[] {
    return Array.from({ length: this.n }, (_, i) => i);
  }

  /** Enable both directions between server i and each server in to. */
  connect(i: number, to: readonly number[]): void {
    this.setLinks(i, to, true);
  }

  /** Disable both directions between server i and each server in from. */
  disconnect(i: number, from: readonly number[]): void {
    this.setLinks(i, from, false);
  }

  private setLinks(i: number, others: readonly number[], yes: boolean): void {
    for (const j of others) {
      const out = this.endnames[i]![j];
      if (out !== undefined) this.net.enable(out, yes);
      const inc = this.endnames[j]![i];
      if (inc !== undefined) this.net.enable(inc, yes);
    }
    this.observer.sample();
  }

  connectAll(): void {
    for (let i = 0; i < this.n; i++) this.connect(i, this.all());
  }

  /** Cut p1 off from p2 (and vice versa), and connect each side internally. */
  partition(p1: readonly number[], p2: readonly number[]): void {
    for (const i of p1) {
      this.disconnect(i, p2);
      this.connect(i, p1);
    }
    for (const i of p2) {
      this.disconnect(i, p1);
      this.connect(i, p2);
    }
  }

  /** A fresh, randomly named end to each server j, connected but not enabled. */
  private makeEnds(owner: string | number): { names: string[]; ends: ClientEnd[] } {
    const names: string[] = [];
    const ends: ClientEnd[] = [];
    for (let j = 0; j < this.n; j++) {
      const name = randstring(20);
      names.push(name);
      ends.push(this.net.makeEnd(name, owner));
      this.net.connect(name, j);
    }
    return { names, ends };
  }

  // ---- clerks ------------------------------------------------------------------------

  /** A clerk with a fresh end to every server, in shuffled order; only ends to `to` are enabled. */
  makeClient(to: readonly number[]): Clerk {
    const lane = `ck${this.clerkLanes.size}`;
    const { names, ends } = this.makeEnds(lane);
    const ck = guardClerk(makeClerk(shuffle(ends)), this.pace);
    this.clerks.set(ck, names);
    this.clerkLanes.set(ck, lane);
    this.connectClient(ck, to);
    return ck;
  }

  /**
   * One completed Clerk call, on the clerk's lane of the trace: call and return times
   * (virtual ms), so the timeline draws it as an interval (porcupine's view of it).
   */
  traceOp(ck: Clerk, op: { kind: string; key: string; value: string; output: string; call: number; ret: number }): void {
    if (!this.observer.on) return;
    trace(this.clerkLanes.get(ck) ?? "clerk", "op", {
      kind: op.kind, key: op.key, value: showCommand(op.value), output: showCommand(op.output), call: op.call, ret: op.ret,
    });
  }

  deleteClient(ck: Clerk): void {
    this.clerks.delete(ck);
  }

  connectClient(ck: Clerk, to: readonly number[]): void {
    this.setClientLinks(ck, to, true);
  }

  disconnectClient(ck: Clerk, from: readonly number[]): void {
    this.setClientLinks(ck, from, false);
  }

  private setClientLinks(ck: Clerk, servers: readonly number[], yes: boolean): void {
    const names = this.clerks.get(ck);
    if (names === undefined) throw new Error("harness: unknown clerk (deleted, or not made by makeClient)");
    for (const j of servers) this.net.enable(names[j]!, yes);
  }

  // ---- servers -----------------------------------------------------------------------

  /**
   * Take server i off the network, keep a copy of its persisted state for the next
   * instance, and kill it. Clerks' ends to i stay enabled: they reach the next instance.
   */
  shutdownServer(i: number): void {
    this.disconnect(i, this.all());
    // Delete first, so no reply can confirm a write that went into a superseded persister.
    this.net.deleteServer(i);
    // The dead instance may still write to its persister; the next one gets a copy.
    keepCopyOnCrash(this.saved, i);
    const kv = this.kvservers[i];
    if (kv !== null && kv !== undefined) {
      this.observer.crashing(i);
      kv.kill();
      this.kvservers[i] = null;
    }
    this.observer.sample();
  }

  /** Start server i from its saved state, with fresh (not yet enabled) ends to every server. */
  startServer(i: number): void {
    const { names, ends } = this.makeEnds(i);
    this.endnames[i] = names;
    const { persister, fresh } = persisterToStart(this.saved, i, i);
    // A fresh server applies from index 1; a restarted one from its own snapshot, unknown here.
    const kv = this.observer.startService(i, () => startKVServer(ends, i, persister, this.maxraftstate), (s) => s.rf, fresh ? 0 : undefined);
    this.observer.traceStarts(i, kv.rf); // the server's Start() calls and their results, in the trace
    this.kvservers[i] = kv;
    const srv = new Server();
    srv.addService(Service.fromReceiver("KVServer", kv, { args: KV_ARGS_SCHEMAS }));
    srv.addService(Service.fromReceiver("Raft", kv.rf));
    this.net.addServer(i, srv);
  }

  /** The first server whose Raft believes it is leader. */
  leader(): { ok: boolean; leader: number } {
    for (let i = 0; i < this.n; i++) {
      const kv = this.kvservers[i];
      if (kv !== null && kv !== undefined && kv.rf.getState().isLeader) return { ok: true, leader: i };
    }
    return { ok: false, leader: 0 };
  }

  /** A majority p1 without the leader, and a minority p2 with the leader last. */
  makePartition(): [number[], number[]] {
    const { leader: l } = this.leader();
    const p1: number[] = [];
    const p2: number[] = [];
    const size1 = Math.floor(this.n / 2) + 1;
    for (let i = 0; i < this.n; i++) {
      if (i === l) continue;
      if (p1.length < size1) p1.push(i);
      else p2.push(i);
    }
    p2.push(l);
    return [p1, p2];
  }

  // ---- statistics --------------------------------------------------------------------

  /** One completed Clerk call made through the counting wrappers. */
  op(): void {
    this.ops++;
  }
}

/**
 * make_config + `defer cfg.cleanup()`: run body with a fresh config and clean up after it
 * (see withFrame: a latched failure or the 120 s watchdog fails the test at once).
 */
export function withConfig(
  n: number,
  unreliable: boolean,
  maxraftstate: number,
  body: (cfg: Config) => Promise<void>,
): Promise<void> {
  return withFrame(new Config(n, unreliable, maxraftstate), body);
}
