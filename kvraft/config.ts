// The kvraft test harness (the course's kvraft/config.go; framework side). Each server
// is one labrpc Server carrying two services, "KVServer" and "Raft"; clerks get their
// own ends, shuffled. Time is the runtime's (virtual in tests) and test randomness comes
// from the world's "tester" stream, so one seed replays one run exactly.
import { FailureLatch } from "../labs-test/harness/failure-latch.js";
import { appendFileSync } from "node:fs";
import { Network, Server, Service, type ClientEnd } from "../labrpc/index.js";
import { say } from "../labs-test/harness/say.js";
import { randstring } from "../raft/config.js";
import { makePersister, type Persister } from "../raft/persister.js";
import { RAFT_RPC_METHODS } from "../raft/raft.js";
import { after, now, world } from "../runtime/index.js";
import { makeClerk, type Clerk } from "./client.js";
import { KV_RPC_METHODS, startKVServer, type KVServer } from "./server.js";

/** The course's per-test limit, on the runtime clock (virtual seconds in simulated mode). */
const TEST_LIMIT_MS = 120_000;

/** One line per measurement, appended to the file named by KVRAFT_STATS (kvraft/bench.ts reads it). */
export type KvStat =
  | { kind: "test"; title: string; seconds: number; peers: number; rpcs: number; ops: number; realtime: boolean }
  | { kind: "speed"; title: string; ops: number; virtualMsPerOp: number; wallMs: number; realtime: boolean }
  | { kind: "check"; title: string; ops: number; partitions: number; result: string; checkMs: number };

export function recordStat(s: KvStat): void {
  const file = process.env["KVRAFT_STATS"];
  if (file) appendFileSync(file, JSON.stringify(s) + "\n");
}

export class Config {
  readonly n: number;
  readonly net: Network;
  readonly maxraftstate: number;
  private readonly kvservers: (KVServer | null)[];
  private readonly saved: (Persister | null)[];
  /** endnames[i][j]: server i's end to server j. */
  private readonly endnames: string[][];
  /** Each clerk's end names, indexed by server (not in the clerk's shuffled order). */
  private readonly clerks = new Map<Clerk, string[]>();
  private readonly start: number;
  private title = "";
  private t0 = 0;
  private rpcs0 = 0;
  private ops = 0;
  private finished = false;
  private readonly latch = new FailureLatch();
  /** Rejects with the first failure found outside the test body's own stack. */
  readonly failed = this.latch.failed;

  constructor(n: number, unreliable: boolean, maxraftstate: number) {
    this.n = n;
    this.maxraftstate = maxraftstate;
    this.net = new Network();
    this.kvservers = new Array<KVServer | null>(n).fill(null);
    this.saved = new Array<Persister | null>(n).fill(null);
    this.endnames = Array.from({ length: n }, () => []);
    for (let i = 0; i < n; i++) this.startServer(i);
    this.connectAll();
    this.net.setReliable(!unreliable);
    this.start = now();
  }

  // ---- failures ----------------------------------------------------------------------

  /** Record a failure found outside the test body's own call stack; the first one wins. */
  fail(err: Error): void {
    this.latch.fail(err);
  }

  /** Run a concurrent part of a test; if it throws, the whole test fails at once. */
  go(task: () => Promise<void>): Promise<void> {
    return this.latch.go(task);
  }

  checkTimeout(): void {
    // Ignore the limit once the test body failed: its own message is the better one.
    if (!this.latch.hasFailed && now() - this.start > TEST_LIMIT_MS) {
      throw new Error("test took longer than 120 seconds");
    }
  }

  /** Kill every server and the network. Idempotent. */
  cleanup(): void {
    if (this.finished) return;
    this.finished = true;
    for (let i = 0; i < this.n; i++) {
      this.kvservers[i]?.kill();
      this.kvservers[i] = null;
    }
    this.net.cleanup();
    this.latch.release();
  }

  // ---- persisted state -----------------------------------------------------------------

  /** The largest Raft state among the servers' persisters (bytes). */
  logSize(): number {
    let max = 0;
    for (const p of this.saved) max = Math.max(max, p?.raftStateSize() ?? 0);
    return max;
  }

  /** The largest snapshot among the servers' persisters (bytes). */
  snapshotSize(): number {
    let max = 0;
    for (const p of this.saved) max = Math.max(max, p?.snapshotSize() ?? 0);
    return max;
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

  /**
   * A fresh, randomly named end to each server j, connected but not enabled. `host`: the
   * server that sends on them (its disk and link delay its messages); none for a clerk.
   */
  private makeEnds(host?: number): { names: string[]; ends: ClientEnd[] } {
    const names: string[] = [];
    const ends: ClientEnd[] = [];
    for (let j = 0; j < this.n; j++) {
      const name = randstring(20);
      names.push(name);
      ends.push(this.net.makeEnd(name, host));
      this.net.connect(name, j);
    }
    return { names, ends };
  }

  // ---- clerks ------------------------------------------------------------------------

  /** A clerk with a fresh end to every server, in shuffled order; only ends to `to` are enabled. */
  makeClient(to: readonly number[]): Clerk {
    const { names, ends } = this.makeEnds();
    const r = world().rand("tester");
    for (let i = ends.length - 1; i > 0; i--) {
      const k = r.randInt(i + 1);
      [ends[i], ends[k]] = [ends[k]!, ends[i]!];
    }
    const ck = makeClerk(ends);
    this.clerks.set(ck, names);
    this.connectClient(ck, to);
    return ck;
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
    const p = this.saved[i];
    if (p !== null && p !== undefined) this.saved[i] = p.copy();
    const kv = this.kvservers[i];
    if (kv !== null && kv !== undefined) {
      kv.kill();
      this.kvservers[i] = null;
    }
  }

  /** Start server i from its saved state, with fresh (not yet enabled) ends to every server. */
  startServer(i: number): void {
    const { names, ends } = this.makeEnds(i);
    this.endnames[i] = names;
    const p = this.saved[i];
    this.saved[i] = p === null || p === undefined ? makePersister(i) : p.copy();
    const kv = startKVServer(ends, i, this.saved[i]!, this.maxraftstate);
    this.kvservers[i] = kv;
    const srv = new Server();
    srv.addService(new Service("KVServer", kv, KV_RPC_METHODS));
    srv.addService(new Service("Raft", kv.rf, RAFT_RPC_METHODS));
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

  /** Start a test: print its title and reset the counters of the stats line. */
  begin(description: string): void {
    say(`${description} ...`);
    this.title = description;
    this.t0 = now();
    this.rpcs0 = this.net.getTotalCount();
    this.ops = 0;
  }

  /** One completed Clerk call made through the counting wrappers. */
  op(): void {
    this.ops++;
  }

  get currentTitle(): string {
    return this.title;
  }

  /** End a test: the course's "Passed" line (seconds, servers, RPCs, ops). */
  end(): void {
    this.checkTimeout();
    this.latch.check();
    const seconds = (now() - this.t0) / 1000;
    const rpcs = this.net.getTotalCount() - this.rpcs0;
    say(
      `  ... Passed --  ${seconds.toFixed(1).padStart(4)}  ${this.n} ${String(rpcs).padStart(5)} ` +
        `${String(this.ops).padStart(4)}`,
    );
    recordStat({
      kind: "test",
      title: this.title,
      seconds,
      peers: this.n,
      rpcs,
      ops: this.ops,
      realtime: !world().simulated,
    });
  }
}

/**
 * make_config + `defer cfg.cleanup()`: run body with a fresh config, fail it at once if
 * a detached task fails or the 120 s limit passes (so a wedged test does not run on),
 * and clean up whatever happens.
 */
export async function withConfig(
  n: number,
  unreliable: boolean,
  maxraftstate: number,
  body: (cfg: Config) => Promise<void>,
): Promise<void> {
  const cfg = new Config(n, unreliable, maxraftstate);
  // A little past the limit, so that a test that is merely slow fails in end() as in the course.
  const watchdog = after(TEST_LIMIT_MS + 1000, () => cfg.fail(new Error("test took longer than 120 seconds")));
  try {
    await Promise.race([body(cfg), cfg.failed]);
    cfg.checkTimeout();
  } finally {
    watchdog.cancel();
    cfg.cleanup();
  }
}
