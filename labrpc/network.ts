import type { Clock, Timer } from "../runtime/clock.js";
import { currentHost, enterHost, hostsActive } from "../runtime/current-host.js";
import { hits, type CostModel } from "../runtime/cost-model.js";
import type { Host } from "../runtime/host.js";
import type { Rand } from "../runtime/rand.js";
import type { Tracer } from "../runtime/tracer.js";
import { world, type World } from "../runtime/world.js";
import { byteLength, decodeText, encodeText } from "./codec.js";
import type { Server } from "./server.js";
import { RpcError } from "./service.js";

/** End and server names: tests use strings and integers. */
export type Name = string | number;

/** What a Call resolves to: Go's `ok` plus the decoded reply. */
export type CallResult<R> = { ok: true; reply: R } | { ok: false };

// Shared by every failed call and handed to lab code (student code, through the sandbox's
// stand-in end): frozen, so no caller can turn every later failure into a success.
const FAILED: CallResult<never> = Object.freeze({ ok: false });

/** The client side of one directed link; Raft's peers[] holds these. */
export class ClientEnd {
  constructor(
    readonly name: Name,
    private readonly net: Network,
  ) {}

  /**
   * Send an RPC and wait for the reply or for failure (drop, disconnect, dead server).
   * Args are encoded here, so the caller may reuse or change them right after.
   */
  call<R = unknown>(svcMeth: string, args: unknown): Promise<CallResult<R>> {
    if (this.net.isCleanedUp) return Promise.resolve(FAILED);
    let argsText: string;
    try {
      argsText = encodeText(args, `args of ${svcMeth}`);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.net.process(this.name, svcMeth, argsText) as Promise<CallResult<R>>;
  }
}

/** An RPC's outcome, returned to its caller as the host that made the call (Network.process). */
function back(caller: string | undefined, r: CallResult<unknown>): CallResult<unknown> {
  enterHost(caller);
  return r;
}

/**
 * A hold on one end's messages (holdReplies, holdRequests): the messages waiting behind it,
 * each with its RPC's number (the order its call was made), and what lets them go.
 */
class Hold {
  private readonly waiting: Array<{ id: number; go: () => void }> = [];
  private released = false;

  /** Resolves once the hold is let go (at once if it has been). id: the RPC's number. */
  wait(id: number): Promise<void> {
    if (this.released) return Promise.resolve();
    return new Promise<void>((go) => this.waiting.push({ id, go }));
  }

  /** Let every waiting message go, in the order their calls were made (or the reverse). */
  release(order: ReleaseOrder = "oldest-first"): void {
    this.released = true;
    const sign = order === "oldest-first" ? 1 : -1;
    for (const w of this.waiting.splice(0).sort((a, b) => sign * (a.id - b.id))) w.go();
  }
}

/** Which held message a release delivers first: the one whose call was made first, or last. */
export type ReleaseOrder = "oldest-first" | "newest-first";

/** Turn a hold on endName on (a no-op if on) or off (releasing what it held, in order) in holds. */
function setHold(holds: Map<Name, Hold>, endName: Name, yes: boolean, order?: ReleaseOrder): void {
  const h = holds.get(endName);
  if (yes) {
    if (h === undefined) holds.set(endName, new Hold());
  } else if (h !== undefined) {
    holds.delete(endName);
    h.release(order);
  }
}

type Outcome = { kind: "reply"; text: string } | { kind: "dead" } | { kind: "error"; err: unknown };

/**
 * The course's simulated network: unreliable delivery, long delays for dead links, long
 * reordering of replies, and counters. All randomness and delays come from the world.
 *
 * In simulated mode every request and reply also takes virtual time on the wire: it waits
 * for its sender's disk and link, takes messageOverheadMs + bytes / linkBytesPerMs on the
 * link, then wireLatencyMs plus a jitter in [0, wireJitterMs) drawn here from the "labrpc"
 * stream (runtime/host.ts). A request's sender is the end's owner (makeEnd); a reply's is
 * the server's name. The course's own delays come on top. Every number is a field of the
 * world's cost model (World.cost, runtime/cost-model.ts), read once when the network is made;
 * the values and why: labrpc/README.md.
 */
export class Network {
  private readonly world: World;
  private readonly clock: Clock;
  private readonly rand: Rand;
  private readonly tracer: Tracer;
  private readonly cost: CostModel;
  private reliable = true;
  private longDelays = false;
  private longReordering = false;
  private duplicates = false;
  /** Duplicate mode's own stream, drawn from only while the mode is on. */
  private dupRand: Rand | undefined;
  /** Ends whose replies are held back (holdReplies), each with what lets its held replies go. */
  private readonly holds = new Map<Name, Hold>();
  /** Windows of held replies or requests split off by detachHeldReplies/Requests, until released. */
  private readonly detached = new Set<Hold>();
  /** Ends whose requests are held back before delivery (holdRequests). */
  private readonly requestHolds = new Map<Name, Hold>();
  private readonly ends = new Map<Name, ClientEnd>();
  private readonly enabled = new Map<Name, boolean>();
  private readonly servers = new Map<Name, Server | null>();
  private readonly connections = new Map<Name, Name>();
  /** Who holds each end (a peer or a clerk), for the trace: an RPC's sender lane. */
  private readonly owners = new Map<Name, Name>();
  /**
   * Ends made without an owner while a named host ran (a Lab 4 clerk's make_end): whose
   * lane their RPCs are drawn on. Unlike an owner, this costs no link time.
   */
  private readonly laneOwners = new Map<Name, Name>();
  /** The machine each owned end sends from (its disk and link: runtime/host.ts). */
  private readonly hosts = new Map<Name, Host>();
  private readonly activity: Array<(lane: Name) => void> = [];
  private readonly responded: Array<(server: Name, svcMeth: string) => void> = [];
  private totalCount = 0;
  private totalBytes = 0;
  private rpcSeq = 0;
  isCleanedUp = false;

  constructor() {
    const w = world();
    this.world = w;
    this.clock = w.clock;
    this.rand = w.rand("labrpc");
    this.tracer = w.tracer;
    this.cost = w.cost;
  }

  cleanup(): void {
    this.isCleanedUp = true;
    // Held messages must not leave their callers waiting forever: they fail (see process).
    for (const h of [...this.holds.values(), ...this.detached]) h.release();
    this.holds.clear();
    this.detached.clear();
    for (const h of this.requestHolds.values()) h.release();
    this.requestHolds.clear();
  }

  setReliable(yes: boolean): void {
    this.reliable = yes;
  }

  setLongReordering(yes: boolean): void {
    this.longReordering = yes;
  }

  setLongDelays(yes: boolean): void {
    this.longDelays = yes;
  }

  /**
   * Duplicate mode (ours; off by default, as in the course): a delivered request is, with
   * the cost model's odds `duplicate`, delivered to its server once more 0 to
   * duplicateDelayMs virtual ms later, as a real network may duplicate and delay a packet (the Raft paper's
   * model allows it). The handler runs again; that second reply goes nowhere. The copy is
   * already in the network, so it arrives even if the sender's link has been cut since,
   * but not at a server that crashed or was replaced. Draws come from the world's
   * "labrpc-dup" stream, so turning it on shifts none of the network's other draws.
   */
  setDuplicates(yes: boolean): void {
    this.duplicates = yes;
    if (yes) this.dupRand ??= world().rand("labrpc-dup");
  }

  /**
   * Held replies (ours; off by default, as in the course): while on for endName, the reply
   * to every call made on that end from now on is held in the network once its handler has
   * run (its effects stand), until holdReplies(endName, false) lets every held reply
   * arrive at once, in the order their calls were made; with order "newest-first", in the
   * reverse order (replies reordered on purpose: a later call's reply arrives before an
   * earlier one's, as long reordering does at random). A held reply arrives even if the end has
   * been cut off since, as a delayed packet does (long reordering's replies behave so
   * too); the caller sees nothing until then. Calls made before the hold, or after its
   * release, are not held. A test uses it to deliver a reply late on purpose, e.g. after
   * the caller has lost and regained leadership. Nothing is drawn from any random stream.
   * cleanup() ends every hold: held calls then fail. Throws RpcError for an unknown end.
   */
  holdReplies(endName: Name, yes: boolean, order: ReleaseOrder = "oldest-first"): void {
    if (!this.ends.has(endName)) throw new RpcError(`labrpc: holdReplies: no end named ${String(endName)}`);
    setHold(this.holds, endName, yes, order);
  }

  /**
   * Split the replies held on endName (holdReplies) so far into a window of their own: they
   * arrive only when the returned function is called, in the order given (default: the
   * order of their calls). Calls made from now on are held as before, until
   * holdReplies(endName, false). A test uses it to deliver one batch of replies before or
   * after another, e.g. a leader's older replies after the ones that made it send something
   * else. cleanup() releases every window (held calls then fail). Throws RpcError for an
   * unknown end or one whose replies are not held.
   */
  detachHeldReplies(endName: Name): (order?: ReleaseOrder) => void {
    return this.detach(this.holds, endName, "replies");
  }

  /**
   * detachHeldReplies for requests (holdRequests): the requests held on endName so far reach
   * their server only when the returned function is called (not at one that was replaced
   * meanwhile); later ones are held as before, until holdRequests(endName, false). A test
   * uses it to deliver an old copy of a request after newer ones have done their work.
   */
  detachHeldRequests(endName: Name): (order?: ReleaseOrder) => void {
    return this.detach(this.requestHolds, endName, "requests");
  }

  private detach(holds: Map<Name, Hold>, endName: Name, what: string): (order?: ReleaseOrder) => void {
    const h = holds.get(endName);
    if (h === undefined) throw new RpcError(`labrpc: detachHeld${what === "replies" ? "Replies" : "Requests"}: the ${what} of ${String(endName)} are not held`);
    holds.set(endName, new Hold());
    this.detached.add(h);
    return (order) => {
      this.detached.delete(h);
      h.release(order);
    };
  }

  /**
   * Held requests (ours; off by default, as in the course): while on for endName, every
   * request sent on that end from now on waits in the network after its time on the wire,
   * before it reaches its server (no handler has run), until holdRequests(endName, false)
   * lets every held request arrive at once, in the order their calls were made. A held request
   * arrives even if the end has been cut off since, as a delayed packet does, but not at a
   * server that crashed or was replaced meanwhile (the call then fails); its reply then
   * travels as any other (lost if the link is down by then). The caller sees nothing until
   * then. A test uses it to deliver an old request late on purpose, e.g. a RequestVote or
   * AppendEntries of an earlier term after the receiver has moved on. Nothing is drawn
   * from any random stream. cleanup() ends every hold: held calls then fail. Throws
   * RpcError for an unknown end.
   */
  holdRequests(endName: Name, yes: boolean): void {
    if (!this.ends.has(endName)) throw new RpcError(`labrpc: holdRequests: no end named ${String(endName)}`);
    setHold(this.requestHolds, endName, yes);
  }

  /**
   * A new end, disabled until enable(). owner names who holds it (server i, or a clerk
   * such as "ck0"); the trace draws its RPCs from that lane. Default: the end's own name.
   * The owner is also the machine that sends on it: in simulated mode its requests wait
   * for that machine's disk and link (a peer's owner is its server's name). Without an
   * owner a request waits for nothing but its own bytes; its lane is then the named host
   * running when it was made (runtime/current-host.ts: a clerk's own), if any.
   */
  makeEnd(name: Name, owner?: Name): ClientEnd {
    if (this.ends.has(name)) throw new RpcError(`labrpc: makeEnd: ${String(name)} already exists`);
    if (owner !== undefined) {
      this.owners.set(name, owner);
      this.hosts.set(name, this.world.host(owner));
    } else {
      const lane = currentHost();
      if (lane !== undefined) this.laneOwners.set(name, lane);
    }
    const e = new ClientEnd(name, this);
    this.ends.set(name, e);
    this.enabled.set(name, false);
    return e;
  }

  addServer(name: Name, server: Server): void {
    this.servers.set(name, server);
    if (this.tracer.enabled) this.tracer.event(name, "server", { up: true });
  }

  deleteServer(name: Name): void {
    const was = this.servers.get(name);
    this.servers.set(name, null);
    if (this.tracer.enabled && was !== undefined && was !== null) this.tracer.event(name, "server", { up: false });
  }

  /**
   * Call fn with a lane (sender or receiver) after each RPC is sent or handled: the
   * harness samples peers' state there, so the trace follows role and term changes of
   * any solution without a timer of its own.
   */
  onActivity(fn: (lane: Name) => void): void {
    this.activity.push(fn);
  }

  /**
   * Call fn(server, "Service.Method") each time a handler has returned its reply and its
   * server is still the one it ran on (not crashed or replaced meanwhile), whether or not
   * the reply reaches the caller: the moment the server has answered. The safety monitors
   * sample the server there.
   */
  onResponded(fn: (server: Name, svcMeth: string) => void): void {
    this.responded.push(fn);
  }

  private touched(lane: Name): void {
    for (const fn of this.activity) fn(lane);
  }

  connect(endName: Name, serverName: Name): void {
    this.connections.set(endName, serverName);
  }

  enable(endName: Name, yes: boolean): void {
    const was = this.enabled.get(endName) === true;
    this.enabled.set(endName, yes);
    if (this.tracer.enabled && was !== yes) {
      // Links are one-way: the trace keeps each direction, by the lanes at both ends.
      const to = this.connections.get(endName);
      this.tracer.event(this.laneOf(endName), "link", { end: endName, to: to ?? null, on: yes });
    }
  }

  getCount(serverName: Name): number {
    const s = this.servers.get(serverName);
    if (s === undefined || s === null) {
      throw new RpcError(`labrpc: getCount: no live server named ${String(serverName)}`);
    }
    return s.getCount();
  }

  getTotalCount(): number {
    return this.totalCount;
  }

  getTotalBytes(): number {
    return this.totalBytes;
  }

  /** The trace lane of an end's RPCs: its owner, else the host that made it, else its name. */
  private laneOf(endName: Name): Name {
    return this.owners.get(endName) ?? this.laneOwners.get(endName) ?? endName;
  }

  private isServerDead(endName: Name, serverName: Name, server: Server): boolean {
    return this.enabled.get(endName) !== true || this.servers.get(serverName) !== server;
  }

  /**
   * One request's life, as labrpc.go's processReq handles it: count it, fail it after a
   * delay if the end is disabled or the server is gone, maybe delay or drop the request,
   * run the handler, fail if the server died meanwhile, maybe drop or delay the reply.
   */
  async process(endName: Name, svcMeth: string, argsText: string): Promise<CallResult<unknown>> {
    // The caller goes on as the host it was (runtime/current-host.ts): back() sets it
    // again as each outcome returns, since the network's timers ran as other hosts.
    const caller = hostsActive() ? currentHost() : undefined;
    this.totalCount++;
    const argBytes = byteLength(argsText);
    this.totalBytes += argBytes;
    const id = ++this.rpcSeq;
    const enabled = this.enabled.get(endName) === true;
    const serverName = this.connections.get(endName);
    const server = serverName === undefined ? undefined : this.servers.get(serverName);
    const reliable = this.reliable;
    const longReordering = this.longReordering;
    const hold = this.holds.get(endName);
    const requestHold = this.requestHolds.get(endName);
    const tr = this.tracer.enabled ? this.tracer : undefined;
    const from = this.laneOf(endName);
    if (tr !== undefined) tr.event(from, "rpc", { id, to: serverName ?? null, m: svcMeth, bytes: argBytes });
    if (this.activity.length > 0) this.touched(from);

    if (!enabled || serverName === undefined || server === undefined || server === null) {
      // Simulate no reply and an eventual timeout.
      const ms = this.rand.randInt(this.longDelays ? this.cost.longDelayTimeoutMs : this.cost.deadEndTimeoutMs);
      await this.clock.sleep(ms);
      tr?.event(from, "drop", { id, why: enabled ? "no server" : "link down" });
      return back(caller, FAILED);
    }

    // The handler runs on its own task, never in the caller's stack.
    await this.wire(this.hosts.get(endName), argBytes);
    if (requestHold !== undefined) {
      await requestHold.wait(id);
      if (this.isCleanedUp || this.servers.get(serverName) !== server) {
        tr?.event(from, "drop", { id, why: this.isCleanedUp ? "network cleaned up" : "no server" });
        return back(caller, FAILED);
      }
    }
    if (!reliable) {
      await this.clock.sleep(this.rand.randInt(this.cost.unreliableDelayMs));
      if (hits(this.cost.requestLoss, (n) => this.rand.randInt(n))) {
        tr?.event(from, "drop", { id, why: "request lost" });
        return back(caller, FAILED);
      }
    }

    tr?.event(serverName, "deliver", { id });
    if (this.duplicates) this.maybeDuplicate(id, serverName, server, svcMeth, argsText);
    const outcome = await this.runHandler(endName, serverName, server, svcMeth, argsText);
    if (this.activity.length > 0) this.touched(serverName);
    if (this.responded.length > 0 && outcome.kind === "reply" && this.servers.get(serverName) === server) {
      for (const fn of this.responded) fn(serverName, svcMeth);
    }
    if (outcome.kind === "error") throw outcome.err;
    if (outcome.kind === "dead" || this.isServerDead(endName, serverName, server)) {
      tr?.event(from, "drop", { id, why: "server dead or link down" });
      return back(caller, FAILED);
    }
    if (!reliable && hits(this.cost.replyLoss, (n) => this.rand.randInt(n))) {
      tr?.event(from, "drop", { id, why: "reply lost" });
      return back(caller, FAILED);
    }
    const replyBytes = byteLength(outcome.text);
    await this.wire(this.world.host(serverName), replyBytes);
    if (longReordering && hits(this.cost.longReorder, (n) => this.rand.randInt(n))) {
      const ms = this.cost.longReorderMinMs + this.rand.randInt(1 + this.rand.randInt(this.cost.longReorderSpreadMs));
      await this.clock.sleep(ms);
    }
    if (hold !== undefined) {
      await hold.wait(id);
      if (this.isCleanedUp) return back(caller, FAILED);
    }
    this.totalBytes += replyBytes;
    tr?.event(from, "reply", { id, bytes: replyBytes });
    return back(caller, { ok: true, reply: decodeText(outcome.text) });
  }

  /**
   * One message's time on the wire from `from` (undefined: a sender with no host), in
   * virtual ms (see the class comment). In real time it costs nothing (real time has real
   * costs) but a turn of the event loop: a message is a hand-off between goroutines, and
   * with a microtask hop alone a clerk calling a live server in a loop on a reliable
   * network would never let a timer fire (labrpc.test.ts, TestRealtimeTimersFire).
   */
  private async wire(from: Host | undefined, bytes: number): Promise<void> {
    const turn = this.world.handoff();
    if (turn !== undefined) {
      await turn;
      return;
    }
    const t = this.clock.now();
    const c = this.cost;
    const sent = from === undefined ? t + c.messageOverheadMs + bytes / c.linkBytesPerMs : from.transmit(bytes);
    await this.clock.sleep(sent - t + c.wireLatencyMs + this.rand.random() * c.wireJitterMs);
  }

  /** Duplicate mode: maybe deliver this request again later (see setDuplicates). */
  private maybeDuplicate(id: number, serverName: Name, server: Server, svcMeth: string, argsText: string): void {
    const r = this.dupRand!;
    if (!hits(this.cost.duplicate, (n) => r.randInt(n))) return;
    const ms = r.randInt(this.cost.duplicateDelayMs + 1);
    this.clock.after(ms, () => {
      if (this.isCleanedUp || this.servers.get(serverName) !== server) return;
      this.totalCount++;
      this.totalBytes += byteLength(argsText);
      this.tracer.event(serverName, "duplicate", { id, m: svcMeth });
      // Nobody waits for this reply. A handler that throws is as loud as on a first
      // delivery (Go's fatal): no caller is left to reject, so it is an unhandled
      // rejection, which fails the test run.
      enterHost(String(serverName));
      void server.dispatch(svcMeth, argsText).catch((err: unknown) => {
        this.tracer.event(serverName, "duplicate-error", { id, err: String(err) });
        const msg = err instanceof Error ? err.message : String(err);
        throw new RpcError(`labrpc: the handler of a duplicated ${svcMeth} threw: ${msg}`);
      });
    });
  }

  /** Wait for the handler, but give up once the server is dead (checked every handlerPollMs). */
  private runHandler(
    endName: Name,
    serverName: Name,
    server: Server,
    svcMeth: string,
    argsText: string,
  ): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const wait = new HandlerWait(this.clock, this.cost.handlerPollMs, () => this.isServerDead(endName, serverName, server), resolve);
      // The handler runs as its server's host, and so does what it wakes (an applier
      // waiting on a commit runs once this call has returned): the host stays current
      // until the next timer or reply sets another (runtime/current-host.ts).
      enterHost(String(serverName));
      server.dispatch(svcMeth, argsText).then(
        (text) => wait.finish({ kind: "reply", text }),
        (err: unknown) => wait.finish({ kind: "error", err }),
      );
    });
  }
}

/**
 * One request's handler running (Network.runHandler): it ends with the handler's outcome,
 * or as "dead" at the first check (every pollMs) that finds its server dead or its link cut. A
 * class rather than closures over a flag: one runs per delivered RPC.
 */
class HandlerWait {
  private done = false;
  private timer: Timer;

  constructor(
    private readonly clock: Clock,
    private readonly pollMs: number,
    private readonly isDead: () => boolean,
    private readonly resolve: (o: Outcome) => void,
  ) {
    this.timer = clock.after(pollMs, () => this.poll());
  }

  private poll(): void {
    if (this.done) return;
    if (this.isDead()) {
      this.done = true;
      this.resolve({ kind: "dead" });
    } else {
      this.timer = this.clock.after(this.pollMs, () => this.poll());
    }
  }

  finish(o: Outcome): void {
    if (this.done) return;
    this.done = true;
    this.timer.cancel();
    this.resolve(o);
  }
}
