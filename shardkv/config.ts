// The shardkv test harness (the course's shardkv/config.go; framework side): a
// controller group of 3 shardctrler servers and 3 replication groups (gids 100, 101,
// 102) of n shard servers each, on one labrpc network. Servers are named
// "ctrler<i>" and "server-<gid>-<i>"; makeEnd(name) hands out a fresh end to a name.
// Time is the runtime's (virtual in tests); test randomness comes from the world's
// "tester" stream, so one seed replays one run. Every server and clerk is a named host
// (World.nameHost: "ctrler" or "gid 101", and its index), so the trace, the timeline and
// DEBUG logs keep the four Raft groups apart, and a clerk's RPCs are drawn on its lane.
import { Network, Server, Service, type ClientEnd } from "../labrpc/index.js";
import { TestFrame, withFrame, type FrameCounters } from "../labs-test/harness/test-frame.js";
import { randstring } from "../labs-test/harness/tester-rand.js";
import { makePersister, type Persister } from "../raft/persister.js";
import { keepCopyOnCrash, persisterToStart } from "../labs-test/harness/saved-state.js";
import { PeerObserver, showCommand } from "../labs-test/harness/observe-peers.js";
import { hosted, withHost } from "../runtime/current-host.js";
import { now, trace, world } from "../runtime/index.js";
import { makeClerk as makeCtrlerClerk, type Clerk as CtrlerClerk } from "../shardctrler/client.js";
import { guardCtrlerClerk } from "../shardctrler/framework/clerk-guard.js";
import { SHARDCTRLER_ARGS_SCHEMAS } from "../shardctrler/framework/rpc-schemas.js";
import { startServer as startCtrler, type ShardCtrler } from "../shardctrler/server.js";
import { ClerkPace, guardClerk } from "../kvraft/framework/clerk-guard.js";
import { makeClerk, type Clerk } from "./client.js";
import { SHARDKV_ARGS_SCHEMAS } from "./framework/rpc-schemas.js";
import { startServer, type ShardKV } from "./server.js";

const NCTRLERS = 3;
const NGROUPS = 3;

interface Group {
  gid: number;
  servers: (ShardKV | null)[];
  saved: (Persister | null)[];
  /** endnames[i][j]: server i's end to its peer j. */
  endnames: string[][];
  /** mendnames[i][k]: server i's end to controller k. */
  mendnames: string[][];
  /** The group's Raft, for the safety monitors (each group is checked on its own). */
  observer: PeerObserver;
}

export class Config extends TestFrame {
  readonly n: number;
  readonly net: Network;
  readonly maxraftstate: number;
  /** The tester's own controller clerk. */
  readonly mck: CtrlerClerk;
  private readonly ctrlers: (ShardCtrler | null)[] = [];
  /** The controllers' Raft, for the safety monitors. */
  private readonly ctrlerObserver: PeerObserver;
  private readonly groups: Group[] = [];
  private readonly start = now();
  /** Clerk calls completed through the counting wrappers (the ops figure of the stats). */
  private ops = 0;
  /** Fails a test whose Clerk calls complete without virtual time passing (a stub Clerk). */
  private readonly pace = new ClerkPace();
  /** Each clerk's host and lane (ck0, ck1, …), in the order they were made. */
  private readonly clerkLanes = new Map<Clerk, string>();
  /** Roles and terms of the controllers and of every group's servers, whatever the solution traces. */

  constructor(n: number, unreliable: boolean, maxraftstate: number) {
    super({ peers: n, style: "plain" });
    this.n = n;
    this.maxraftstate = maxraftstate;
    this.net = new Network();
    for (let i = 0; i < NCTRLERS; i++) world().nameHost(this.ctrlerName(i), { group: "ctrler", peer: i });
    this.ctrlerObserver = new PeerObserver(NCTRLERS, (i) => this.ctrlers[i]?.rf ?? null, this.net, {
      safety: this.safety,
      group: "controller",
      gaps: true,
      lanes: Array.from({ length: NCTRLERS }, (_, i) => this.ctrlerName(i)),
    });
    for (let i = 0; i < NCTRLERS; i++) this.startCtrlerServer(i);
    // The tester's own controller clerk draws on the tester's lane.
    this.mck = withHost("tester", () => hosted(guardCtrlerClerk(makeCtrlerClerk(this.ctrlerEnds())), "tester"));
    for (let gi = 0; gi < NGROUPS; gi++) {
      const gid = 100 + gi;
      const servers = new Array<ShardKV | null>(n).fill(null);
      const g: Group = {
        gid,
        servers,
        saved: new Array<Persister | null>(n).fill(null),
        endnames: [],
        mendnames: [],
        observer: new PeerObserver(n, (i) => servers[i]?.rf ?? null, this.net, {
          safety: this.safety,
          group: `group ${gid}`,
          gaps: true,
          lanes: Array.from({ length: n }, (_, i) => this.serverName(gid, i)),
        }),
      };
      this.groups.push(g);
      for (let i = 0; i < n; i++) world().nameHost(this.serverName(g.gid, i), { group: `gid ${g.gid}`, peer: i });
      for (let i = 0; i < n; i++) this.startServer(gi, i);
    }
    this.net.setReliable(!unreliable);
  }

  // ---- frame -------------------------------------------------------------------------

  protected counters(): FrameCounters {
    return { rpcs: this.net.getTotalCount(), bytes: this.net.getTotalBytes(), ops: this.ops };
  }

  /** Shut down every group and controller, then the network. */
  protected shutdown(): void {
    for (let gi = 0; gi < NGROUPS; gi++) this.shutdownGroup(gi);
    for (let i = 0; i < NCTRLERS; i++) {
      const sc = this.ctrlers[i];
      withHost(this.ctrlerName(i), () => sc?.kill());
      this.ctrlers[i] = null;
    }
    this.net.cleanup();
  }

  /** Runtime ms since this config was made (virtual in simulated mode). */
  elapsedMs(): number {
    return now() - this.start;
  }

  /** One completed Clerk call. */
  op(): void {
    this.ops++;
  }

  // ---- persisted state ---------------------------------------------------------------

  /**
   * The course's checklogs: with maxraftstate >= 0 no server's Raft state may exceed
   * 8 × maxraftstate bytes; with -1 no snapshot may exist.
   */
  checklogs(): void {
    for (const g of this.groups) {
      for (const p of g.saved) {
        if (p === null) continue;
        const raft = p.raftStateSize();
        const snap = p.snapshotSize();
        if (this.maxraftstate >= 0 && raft > 8 * this.maxraftstate) {
          throw new Error(`persister.RaftStateSize() ${raft}, but maxraftstate ${this.maxraftstate}`);
        }
        if (this.maxraftstate < 0 && snap > 0) throw new Error("maxraftstate is -1, but snapshot is non-empty!");
      }
    }
  }

  /** Raft state plus snapshot bytes over every server of every group (TestChallenge1Delete). */
  totalStorage(): number {
    let total = 0;
    for (const g of this.groups) {
      for (const p of g.saved) if (p !== null) total += p.raftStateSize() + p.snapshotSize();
    }
    return total;
  }

  /** Server i of group gi's persister (what its next instance starts from). For fault injection. */
  persister(gi: number, i: number): Persister | null {
    return this.groups[gi]!.saved[i] ?? null;
  }

  /** Replace the persister server i of group gi will start from next (it must be shut down). */
  setPersister(gi: number, i: number, p: Persister): void {
    if (this.groups[gi]!.servers[i] !== null) throw new Error(`harness: server ${gi}-${i} is running`);
    this.groups[gi]!.saved[i] = p;
    // Its next incarnation is not bound by the terms its old disk held.
    this.groups[gi]!.observer.group?.persistedStateReplaced(i);
  }

  // ---- controllers -----------------------------------------------------------------

  private ctrlerName(i: number): string {
    return `ctrler${i}`;
  }

  /** Fresh, enabled ends to every controller. */
  private ctrlerEnds(): ClientEnd[] {
    return Array.from({ length: NCTRLERS }, (_, j) => this.freshEnd(this.ctrlerName(j)));
  }

  private startCtrlerServer(i: number): void {
    const me = this.ctrlerName(i);
    const ends = Array.from({ length: NCTRLERS }, (_, j) => this.freshEnd(this.ctrlerName(j), me));
    const sc = this.ctrlerObserver.startService(i, () => withHost(me, () => startCtrler(ends, i, makePersister(me))), (s) => s.rf, 0);
    this.ctrlers[i] = sc;
    const srv = new Server();
    srv.addService(Service.fromReceiver("ShardCtrler", sc, { args: SHARDCTRLER_ARGS_SCHEMAS }));
    srv.addService(Service.fromReceiver("Raft", sc.rf));
    this.net.addServer(this.ctrlerName(i), srv);
  }

  /**
   * An end with a fresh random name, connected to server name and enabled (the course's
   * make_end). owner: the server holding it, whose link its messages occupy in simulated
   * time (clerks' ends have none).
   */
  private freshEnd(name: string, owner?: string): ClientEnd {
    const endname = randstring(20);
    const end = this.net.makeEnd(endname, owner);
    this.net.connect(endname, name);
    this.net.enable(endname, true);
    return end;
  }

  /** The function servers and clerks use to reach a server by its name. */
  private readonly makeEnd = (name: string): ClientEnd => this.freshEnd(name);

  // ---- clerks ------------------------------------------------------------------------

  makeClient(): Clerk {
    const lane = `ck${this.clerkLanes.size}`;
    world().nameHost(lane, { group: "clerk" });
    const ck = withHost(lane, () => hosted(guardClerk(makeClerk(this.ctrlerEnds(), this.makeEnd), this.pace), lane));
    this.clerkLanes.set(ck, lane);
    return ck;
  }

  /**
   * One completed Clerk call, on the clerk's lane of the trace (call and return times,
   * virtual ms), so the timeline shows each key's operations. Only while tracing.
   */
  traceOp(ck: Clerk, op: { kind: string; key: string; value: string; output: string; call: number; ret: number }): void {
    if (!world().tracer.enabled) return;
    trace(this.clerkLanes.get(ck) ?? "clerk", "op", {
      kind: op.kind,
      key: op.key,
      value: showCommand(op.value),
      output: showCommand(op.output),
      call: op.call,
      ret: op.ret,
    });
  }

  /** A fresh, enabled end to any server by name (bad-input tests send raw requests on it). */
  endTo(name: string): ClientEnd {
    return this.freshEnd(name);
  }

  // ---- shard servers ---------------------------------------------------------------

  serverName(gid: number, i: number): string {
    return `server-${gid}-${i}`;
  }

  gid(gi: number): number {
    return this.groups[gi]!.gid;
  }

  /**
   * Take server i of group gi off the network, keep a copy of its persisted state for the
   * next instance, and kill it. Ends it made through makeEnd stay as they are.
   */
  shutdownServer(gi: number, i: number): void {
    const g = this.groups[gi]!;
    const me = this.serverName(g.gid, i);
    // prevent this server from sending
    for (const name of g.endnames[i] ?? []) this.net.enable(name, false);
    for (const name of g.mendnames[i] ?? []) this.net.enable(name, false);
    // disable client connections to the server: they reach the next instance instead.
    this.net.deleteServer(this.serverName(g.gid, i));
    // a fresh persister, in case the old instance keeps updating the old one.
    keepCopyOnCrash(g.saved, i);
    g.observer.crashing(i);
    const kv = g.servers[i];
    withHost(me, () => kv?.kill());
    g.servers[i] = null;
    g.observer.sample();
  }

  startServer(gi: number, i: number): void {
    const g = this.groups[gi]!;
    // a fresh set of outgoing ClientEnd names to talk to other servers in this group.
    const me = this.serverName(g.gid, i);
    g.endnames[i] = [];
    const ends: ClientEnd[] = [];
    for (let j = 0; j < this.n; j++) {
      const name = randstring(20);
      g.endnames[i]!.push(name);
      ends.push(this.net.makeEnd(name, me));
      this.net.connect(name, this.serverName(g.gid, j));
      this.net.enable(name, true);
    }
    // and the connections to other servers in this group.
    g.mendnames[i] = [];
    const mends: ClientEnd[] = [];
    for (let j = 0; j < NCTRLERS; j++) {
      const name = randstring(20);
      g.mendnames[i]!.push(name);
      mends.push(this.net.makeEnd(name, me));
      this.net.connect(name, this.ctrlerName(j));
      this.net.enable(name, true);
    }
    const { persister, fresh } = persisterToStart(g.saved, i, me);
    // Ends this server makes to other groups are its own: they occupy its link.
    const makeEnd = (name: string): ClientEnd => this.freshEnd(name, me);
    const kv = g.observer.startService(
      i,
      () => withHost(me, () => startServer(ends, i, persister, this.maxraftstate, g.gid, mends, makeEnd)),
      (s) => s.rf,
      fresh ? 0 : undefined,
    );
    g.servers[i] = kv;
    const srv = new Server();
    // Every method of the student's server (shard transfer RPCs are theirs to name); the
    // course's Get and PutAppend are checked against their schemas before a handler runs.
    srv.addService(Service.fromReceiver("ShardKV", kv, { args: SHARDKV_ARGS_SCHEMAS }));
    srv.addService(Service.fromReceiver("Raft", kv.rf));
    this.net.addServer(this.serverName(g.gid, i), srv);
    g.observer.sample();
  }

  startGroup(gi: number): void {
    for (let i = 0; i < this.n; i++) this.startServer(gi, i);
  }

  shutdownGroup(gi: number): void {
    for (let i = 0; i < this.n; i++) this.shutdownServer(gi, i);
  }

  // ---- the controller's view -------------------------------------------------------

  /** Tell the controller that group gi joined. */
  async join(gi: number): Promise<void> {
    await this.joinm([gi]);
  }

  /** One Join of these groups, each with its n server names. */
  async joinm(gis: readonly number[]): Promise<void> {
    const m: Record<number, string[]> = {};
    for (const gi of gis) {
      const gid = this.groups[gi]!.gid;
      m[gid] = Array.from({ length: this.n }, (_, i) => this.serverName(gid, i));
    }
    await this.mck.join(m);
  }

  /** Tell the controller that group gi is leaving. */
  async leave(gi: number): Promise<void> {
    await this.leavem([gi]);
  }

  async leavem(gis: readonly number[]): Promise<void> {
    await this.mck.leave(gis.map((gi) => this.groups[gi]!.gid));
  }
}

/**
 * make_config + `defer cfg.cleanup()`: run body with a fresh config; a failing detached
 * task or the 120 s limit fails it at once (see withFrame); clean up whatever happens.
 */
export function withConfig(
  n: number,
  unreliable: boolean,
  maxraftstate: number,
  body: (cfg: Config) => Promise<void>,
): Promise<void> {
  return withFrame(new Config(n, unreliable, maxraftstate), body);
}
