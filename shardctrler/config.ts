// The shardctrler test harness (the course's shardctrler/config.go; framework side):
// n controller servers on one labrpc network, each a Server with the "ShardCtrler" and
// "Raft" services; clerks get fresh ends in shuffled order. No stats lines in this lab:
// the course prints only each sub-test's title and "  ... Passed".
import { Network, Server, Service, type ClientEnd } from "../labrpc/index.js";
import { FailureLatch } from "../labs-test/harness/failure-latch.js";
import { makePersister, type Persister } from "../raft/persister.js";
import { RAFT_RPC_METHODS } from "../raft/raft.js";
import { after, now, world } from "../runtime/index.js";
import { makeClerk, type Clerk } from "./client.js";
import { SHARDCTRLER_RPC_METHODS, startServer, type ShardCtrler } from "./server.js";

/** The course's per-test limit, on the runtime clock (virtual ms in simulated mode). */
const TEST_LIMIT_MS = 120_000;

const NAME_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** n random characters from the tester's seeded stream: end names nobody can guess. */
export function randstring(n: number): string {
  const r = world().rand("tester");
  let s = "";
  for (let i = 0; i < n; i++) s += NAME_ALPHABET[r.randInt(NAME_ALPHABET.length)];
  return s;
}

export class Config {
  readonly n: number;
  readonly net: Network;
  private readonly servers: (ShardCtrler | null)[];
  private readonly saved: (Persister | null)[];
  /** endnames[i][j]: server i's end to server j. */
  private readonly endnames: string[][];
  private readonly start = now();
  private finished = false;
  private readonly latch = new FailureLatch();
  /** Rejects with the first failure found outside the test body's own stack. */
  readonly failed = this.latch.failed;

  constructor(n: number, unreliable: boolean) {
    this.n = n;
    this.net = new Network();
    this.servers = new Array<ShardCtrler | null>(n).fill(null);
    this.saved = new Array<Persister | null>(n).fill(null);
    this.endnames = Array.from({ length: n }, () => []);
    for (let i = 0; i < n; i++) this.startServer(i);
    this.connectAll();
    this.net.setReliable(!unreliable);
  }

  /** Run a concurrent part of a test; if it throws, the whole test fails at once. */
  go(task: () => Promise<void>): Promise<void> {
    return this.latch.go(task);
  }

  fail(err: Error): void {
    this.latch.fail(err);
  }

  checkTimeout(): void {
    if (!this.latch.hasFailed && now() - this.start > TEST_LIMIT_MS) {
      throw new Error("test took longer than 120 seconds");
    }
  }

  /** Kill every server and the network. Idempotent. */
  cleanup(): void {
    if (this.finished) return;
    this.finished = true;
    for (let i = 0; i < this.n; i++) {
      this.servers[i]?.kill();
      this.servers[i] = null;
    }
    this.net.cleanup();
    this.latch.release();
  }

  /** The largest Raft state among the servers' persisters (bytes). */
  logSize(): number {
    let max = 0;
    for (const p of this.saved) max = Math.max(max, p?.raftStateSize() ?? 0);
    return max;
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
    const ends = this.all().map((j) => this.endTo(j));
    const r = world().rand("tester");
    for (let i = ends.length - 1; i > 0; i--) {
      const k = r.randInt(i + 1);
      [ends[i], ends[k]] = [ends[k]!, ends[i]!];
    }
    return makeClerk(ends);
  }

  /** Take server i off the network, keep a copy of its persisted state, and kill it. */
  shutdownServer(i: number): void {
    this.setLinks(i, this.all(), false);
    this.net.deleteServer(i);
    const p = this.saved[i];
    if (p !== null && p !== undefined) this.saved[i] = p.copy();
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
      ends.push(this.net.makeEnd(name));
      this.net.connect(name, j);
    }
    this.endnames[i] = names;
    const p = this.saved[i];
    this.saved[i] = p === null || p === undefined ? makePersister() : p.copy();
    const sc = startServer(ends, i, this.saved[i]!);
    this.servers[i] = sc;
    const srv = new Server();
    srv.addService(new Service("ShardCtrler", sc, SHARDCTRLER_RPC_METHODS));
    srv.addService(new Service("Raft", sc.rf, RAFT_RPC_METHODS));
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
 * task or the 120 s limit fails it at once; clean up whatever happens.
 */
export async function withConfig(n: number, unreliable: boolean, body: (cfg: Config) => Promise<void>): Promise<void> {
  const cfg = new Config(n, unreliable);
  const watchdog = after(TEST_LIMIT_MS + 1000, () => cfg.fail(new Error("test took longer than 120 seconds")));
  try {
    await Promise.race([body(cfg), cfg.failed]);
    cfg.checkTimeout();
  } finally {
    watchdog.cancel();
    cfg.cleanup();
  }
}
