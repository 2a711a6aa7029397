// The shardctrler test harness (the course's shardctrler/config.go; framework side):
// n controller servers on one labrpc network, each a Server with the "ShardCtrler" and
// "Raft" services; clerks get fresh ends in shuffled order. No stats lines in this lab:
// the course prints only each sub-test's title and "  ... Passed" (begin/end, the failure
// latch and the 120 s limit come from the shared frame, labs-test/harness/test-frame.ts).
import { PeerObserver } from "../labs-test/harness/observe-peers.js";
import { Network, Server, Service, type ClientEnd } from "../labrpc/index.js";
import { TestFrame, withFrame, type FrameCounters } from "../labs-test/harness/test-frame.js";
import { randstring, shuffle } from "../labs-test/harness/tester-rand.js";
import type { Persister } from "../raft/persister.js";
import { keepCopyOnCrash, killAll, largestRaftState, persisterToStart } from "../labs-test/harness/saved-state.js";
import { makeClerk, type Clerk } from "./client.js";
import { guardCtrlerClerk } from "./framework/clerk-guard.js";
import { SHARDCTRLER_ARGS_SCHEMAS } from "./framework/rpc-schemas.js";
import { startServer, type ShardCtrler } from "./server.js";

export class Config extends TestFrame {
  readonly n: number;
  readonly net: Network;
  private readonly servers: (ShardCtrler | null)[];
  private readonly saved: (Persister | null)[];
  /** endnames[i][j]: server i's end to server j. */
  private readonly endnames: string[][];
  /** The controllers' Raft, for the safety monitors (not drawn in the trace). */
  private readonly observer: PeerObserver;

  constructor(n: number, unreliable: boolean) {
    super({ peers: n, style: "plain" });
    this.n = n;
    this.net = new Network();
    this.servers = new Array<ShardCtrler | null>(n).fill(null);
    this.observer = new PeerObserver(n, (i) => this.servers[i]?.rf ?? null, this.net, { tracing: false, safety: this.safety, gaps: true });
    this.saved = new Array<Persister | null>(n).fill(null);
    this.endnames = Array.from({ length: n }, () => []);
    for (let i = 0; i < n; i++) this.startServer(i);
    this.connectAll();
    this.net.setReliable(!unreliable);
  }

  // ---- frame -------------------------------------------------------------------------

  protected counters(): FrameCounters {
    return { rpcs: this.net.getTotalCount(), bytes: this.net.getTotalBytes(), ops: 0 };
  }

  /** Kill every server and the network. */
  protected shutdown(): void {
    killAll(this.servers, this.net);
  }
  /** The largest Raft state among the servers' persisters (bytes). */
  logSize(): number {
    return largestRaftState(this.saved);
  }

  all(): number[] {
    return Array.from({ length: this.n }, (_, i) => i);
  }

  /** Enable (yes) or disable both directions between server i and each server in others. */
  private setLinks(i: number, others: readonly number[], yes: boolean): void {
    for (const j of others) {
      const out = this.endnames[i]![j];
      if (out !== undefined) this.net.enable(out, yes);
      const inc = this.endnames[j]![i];
      if (inc !== undefined) this.net.enable(inc, yes);
    }
  }

  connectAll(): void {
    for (let i = 0; i < this.n; i++) this.setLinks(i, this.all(), true);
  }

  /** A fresh, enabled end to server j (bad-input tests send raw requests on it). */
  endTo(j: number): ClientEnd {
    const name = randstring(20);
    const end = this.net.makeEnd(name);
    this.net.connect(name, j);
    this.net.enable(name, true);
    return end;
  }

  /** A clerk with a fresh, enabled end to every server, in shuffled order. */
  makeClient(): Clerk {
    return guardCtrlerClerk(makeClerk(shuffle(this.all().map((j) => this.endTo(j)))));
  }

  /** Take server i off the network, keep a copy of its persisted state, and kill it. */
  shutdownServer(i: number): void {
    this.setLinks(i, this.all(), false);
    this.net.deleteServer(i);
    keepCopyOnCrash(this.saved, i);
    this.observer.crashing(i);
    this.servers[i]?.kill();
    this.servers[i] = null;
  }

  /** Start server i from its saved state, with fresh (not yet enabled) ends to every server. */
  startServer(i: number): void {
    const names: string[] = [];
    const ends: ClientEnd[] = [];
    for (let j = 0; j < this.n; j++) {
      const name = randstring(20);
      names.push(name);
      ends.push(this.net.makeEnd(name, i));
      this.net.connect(name, j);
    }
    this.endnames[i] = names;
    const { persister, fresh } = persisterToStart(this.saved, i, i);
    const sc = this.observer.startService(i, () => startServer(ends, i, persister), (s) => s.rf, fresh ? 0 : undefined);
    this.servers[i] = sc;
    const srv = new Server();
    // Every method of the student's server, as the course's MakeService; the course's
    // four are checked against their schemas before a handler runs.
    srv.addService(Service.fromReceiver("ShardCtrler", sc, { args: SHARDCTRLER_ARGS_SCHEMAS }));
    srv.addService(Service.fromReceiver("Raft", sc.rf));
    this.net.addServer(i, srv);
  }

  /** The first running server whose Raft believes it is leader. */
  leader(): { ok: boolean; leader: number } {
    for (let i = 0; i < this.n; i++) {
      const sc = this.servers[i];
      if (sc !== null && sc !== undefined && sc.rf.getState().isLeader) return { ok: true, leader: i };
    }
    return { ok: false, leader: 0 };
  }
}

/**
 * make_config + `defer cfg.cleanup()`: run body with a fresh config; a failing detached
 * task or the 120 s limit fails it at once (see withFrame); clean up whatever happens.
 */
export function withConfig(n: number, unreliable: boolean, body: (cfg: Config) => Promise<void>): Promise<void> {
  return withFrame(new Config(n, unreliable), body);
}
