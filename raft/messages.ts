// AppendEntries and InstallSnapshot, and the checks of what a confused peer may send (a
// student helper file of raft.ts; RequestVote's types are in raft.ts, as in the course).
// SOLUTION BEGIN
import type { Entry } from "./log.js";

export interface AppendEntriesArgs {
  term: number;
  leaderId: number;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: Entry[];
  leaderCommit: number;
}

/**
 * success, or the fast-backup hints: conflictTerm is the term of the follower's entry at
 * prevLogIndex (-1 if it has none) and conflictIndex the first index the leader should
 * try next (the first entry of conflictTerm, or the follower's log length + 1).
 * A rejection for a stale term or malformed arguments carries neither hint.
 */
export interface AppendEntriesReply {
  term: number;
  success: boolean;
  conflictIndex?: number;
  conflictTerm?: number;
}

export interface InstallSnapshotArgs {
  term: number;
  leaderId: number;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  data: Uint8Array;
}

export interface InstallSnapshotReply {
  term: number;
}

export function isIndex(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Each field's kind: a log index, a peer number, or a term no later than args.term. */
type Fields = Record<string, "index" | "peer" | "term">;
const VOTE: Fields = { candidateId: "peer", lastLogIndex: "index", lastLogTerm: "term" };
const APPEND: Fields = { leaderId: "peer", prevLogIndex: "index", prevLogTerm: "term", leaderCommit: "index" };
const SNAPSHOT: Fields = { leaderId: "peer", lastIncludedIndex: "index", lastIncludedTerm: "term" };

function fieldsProblem(a: unknown, n: number, fields: Fields): string {
  if (!isObject(a)) return "arguments are not an object";
  if (!isIndex(a.term)) return `term ${String(a.term)} is not a non-negative integer`;
  for (const [name, kind] of Object.entries(fields)) {
    const v = a[name];
    if (!isIndex(v)) return `${name} ${String(v)} is not a non-negative integer`;
    if (kind === "peer" && v >= n) return `${name} ${v} is not a peer`;
    if (kind === "term" && v > a.term) return `${name} ${v} is after the message's term ${a.term}`;
  }
  return "";
}

/** entries are [term, command] pairs whose terms never go back, from after, up to term. */
export function entriesProblem(entries: unknown, after: number, term: number): string {
  if (!Array.isArray(entries)) return "entries is not an array";
  let last = after;
  for (let i = 0; i < entries.length; i++) {
    const e: unknown = entries[i];
    if (!Array.isArray(e) || e.length !== 2) return `entries[${i}] is not a [term, command] pair`;
    const t: unknown = e[0];
    if (!isIndex(t) || t < last || t > term) return `entries[${i}] has term ${String(t)} out of order`;
    last = t;
  }
  return "";
}

/** What is wrong with an RPC's arguments from a peer of an n-peer cluster ("" if nothing). */
export function argsProblem(method: "vote" | "append" | "snapshot", a: unknown, n: number): string {
  const p = fieldsProblem(a, n, method === "vote" ? VOTE : method === "append" ? APPEND : SNAPSHOT);
  if (p !== "" || method === "vote") return p;
  const args = a as Record<string, unknown>;
  if (method === "append") return entriesProblem(args.entries, args.prevLogTerm as number, args.term as number);
  return args.data instanceof Uint8Array ? "" : "data is not a byte array";
}
// SOLUTION END
