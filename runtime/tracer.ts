import { createHash, type Hash } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";
import { currentHost } from "./current-host.js";
import { formatDebugLine, parseTopics, type DebugColumn, type DebugTopics } from "./debug-log.js";
import type { TraceFieldsArg, TraceKind } from "./trace-kinds.js";

export interface TracerOptions {
  /** Write every event as a JSON line to this file. */
  file?: string;
  /**
   * Keep a running hash of every event (the determinism check), and every event's line,
   * so that two runs can be compared event by event (trace-diff.ts).
   */
  hash?: boolean;
  /**
   * Keep the events in memory (for the timeline page of a failing test): at most this many;
   * past it the oldest half is dropped, and droppedEvents says how many.
   */
  record?: number;
  /** Comma-separated DEBUG topics to print as readable per-peer logs ("all" for every one). */
  debug?: string;
}

export type TraceFields = Record<string, unknown>;

/**
 * One trace event: virtual time (ms, 3 decimals), the lane it belongs to, its kind, its
 * fields. host: the named machine (World.nameHost) whose peer `peer` is, when the world
 * has several groups whose peers share indexes (Lab 4); the timeline draws it on that
 * host's lane.
 */
export type TraceEvent = { t: number; peer: string | number; host?: string; ev: string } & TraceFields;

/** What the harness says of a named machine (World.nameHost). */
export interface HostLabel {
  /** Its group: "gid 101", "ctrler", "clerk". */
  group: string;
  /** A Raft peer's index in its group (its `me`); absent for a clerk. */
  peer?: number;
}

const FLUSH_AT = 1 << 20;

/** Events of one world: JSON lines, a hash of the whole sequence, an in-memory record, and DEBUG logs. */
export class Tracer {
  readonly enabled: boolean;
  private readonly file?: string;
  private readonly sha?: Hash;
  private readonly topics: DebugTopics;
  private buffer: string[] = [];
  private buffered = 0;
  private readonly color = process.stderr.isTTY === true;
  private readonly recordCap: number;
  private recorded: TraceEvent[] = [];
  private readonly hashedLines: string[] | undefined;
  /** Named machines, in the order named, each with its DEBUG column. */
  private readonly hostLabels = new Map<string, HostLabel & { column: number }>();
  private peerColumns = 0;
  /** Events recorded but dropped by the memory cap (the oldest ones). */
  droppedEvents = 0;
  count = 0;

  constructor(
    private readonly now: () => number,
    opts: TracerOptions,
  ) {
    this.file = opts.file;
    if (opts.hash) {
      this.sha = createHash("sha256");
      this.hashedLines = [];
    }
    if (opts.record !== undefined && (!Number.isSafeInteger(opts.record) || opts.record < 2)) {
      throw new Error(`tracer: record must be an integer of at least 2 events, got ${opts.record}`);
    }
    this.recordCap = opts.record ?? 0;
    this.enabled = this.file !== undefined || this.sha !== undefined || this.recordCap > 0;
    if (this.file !== undefined) writeFileSync(this.file, "");
    this.topics = parseTopics(opts.debug);
  }

  /**
   * Name a machine (World.nameHost): a `host` event on its lane with its group and peer
   * index (the timeline's lane label), and a DEBUG column of its own if it is a peer.
   * Naming it again (a restart) changes nothing.
   */
  defineHost(name: string, label: HostLabel): void {
    if (this.hostLabels.has(name)) return;
    const column = label.peer === undefined ? 0 : this.peerColumns++;
    this.hostLabels.set(name, { ...label, column });
    this.event(name, "host", label.peer === undefined ? { group: label.group } : { group: label.group, index: label.peer });
  }

  /** The named host a numeric peer stands for now: the running host, if it is that peer. */
  private hostOf(peer: string | number): string | undefined {
    if (typeof peer !== "number" || this.hostLabels.size === 0) return undefined;
    const h = currentHost();
    return h !== undefined && this.hostLabels.get(h)?.peer === peer ? h : undefined;
  }

  /**
   * Record one event of a registered kind (runtime/trace-kinds.ts), with that kind's fields,
   * on peer's lane (its named host's, when it runs on one).
   */
  event<K extends TraceKind>(peer: string | number, ev: K, ...fields: TraceFieldsArg<K>): void;
  event(peer: string | number, ev: TraceKind, fields?: TraceFields): void {
    this.eventOfOwnKind(peer, ev, fields);
  }

  /** Record one event of any kind, registered or not: traceOwn()'s way in (a student's own kinds). */
  eventOfOwnKind(peer: string | number, ev: string, fields?: TraceFields): void {
    if (!this.enabled) return;
    const host = this.hostOf(peer);
    const e: TraceEvent = host === undefined ? { t: round3(this.now()), peer, ev, ...fields } : { t: round3(this.now()), peer, host, ev, ...fields };
    this.count++;
    if (this.recordCap > 0) {
      if (this.recorded.length >= this.recordCap) {
        const drop = this.recorded.length >> 1;
        this.recorded = this.recorded.slice(drop);
        this.droppedEvents += drop;
      }
      this.recorded.push(e);
    }
    if (this.sha === undefined && this.file === undefined) return;
    const line = JSON.stringify(e);
    if (this.sha !== undefined) {
      // Two updates hash the same bytes as one of line + "\n", without building that string.
      this.sha.update(line);
      this.sha.update("\n");
      this.hashedLines!.push(line);
    }
    if (this.file !== undefined) {
      this.buffer.push(line);
      this.buffered += line.length;
      if (this.buffered > FLUSH_AT) this.flush();
    }
  }

  /** The events kept in memory (record option), oldest first. */
  events(): readonly TraceEvent[] {
    return this.recorded;
  }

  /** Every event's JSON line, in order (hash option): compare two runs with firstDivergence(). */
  lines(): readonly string[] {
    if (this.hashedLines === undefined) throw new Error("this world was not started with hash: true");
    return this.hashedLines;
  }

  debugging(topic: string): boolean {
    return this.topics === "all" || (this.topics !== null && this.topics.has(topic.toLowerCase()));
  }

  debug(topic: string, peer: string | number, msg: string): void {
    if (!this.debugging(topic)) return;
    process.stderr.write(formatDebugLine(this.now(), topic, peer, msg, this.color, this.debugColumn(peer)) + "\n");
  }

  /** A named host's DEBUG column and label ("gid101:S2"), for a peer index or a host name. */
  private debugColumn(peer: string | number): DebugColumn | undefined {
    const name = this.hostOf(peer) ?? (typeof peer === "string" ? peer : undefined);
    const h = name === undefined ? undefined : this.hostLabels.get(name);
    if (h === undefined) return undefined;
    const group = h.group.replace(/\s+/g, "");
    return { column: h.column, label: h.peer === undefined ? name! : `${group}:S${h.peer}` };
  }

  digest(): string {
    if (!this.sha) throw new Error("this world was not started with hash: true");
    return this.sha.copy().digest("hex");
  }

  flush(): void {
    if (this.file !== undefined && this.buffer.length > 0) {
      appendFileSync(this.file, this.buffer.join("\n") + "\n");
      this.buffer = [];
      this.buffered = 0;
    }
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
