// What Raft saves to its persister, through the codec (a student helper file of raft.ts).
// SOLUTION BEGIN
import { decode, encode } from "../labrpc/index.js";
import { entriesProblem, isIndex, isObject } from "./messages.js";
import type { Entry } from "./log.js";

/** Figure 2's persistent state; log[0] = [term of base, null] stands for the snapshot through base. */
interface PersistentState {
  term: number;
  vote: number;
  base: number;
  log: Entry[];
}

export function encodeState(s: PersistentState): Uint8Array {
  return encode({ term: s.term, vote: s.vote, base: s.base, log: s.log }, "raft state");
}

/**
 * What a restarted peer of an n-peer cluster finds in its persister.
 * @throws Error naming the first problem (a CodecError for bytes that are no encoding).
 */
export function decodeState(bytes: Uint8Array, n: number): PersistentState {
  const v = decode(bytes, "raft state");
  if (!isObject(v)) throw new Error("it is not an object");
  const { term, vote, base, log } = v;
  if (!isIndex(term)) throw new Error(`term ${String(term)} is not a non-negative integer`);
  if (vote !== -1 && (!isIndex(vote) || vote >= n)) throw new Error(`vote ${String(vote)} is neither -1 nor a peer`);
  if (!isIndex(base)) throw new Error(`base ${String(base)} is not a non-negative integer`);
  if (!Array.isArray(log) || log.length === 0) throw new Error("log is not a non-empty array");
  const head: unknown = log[0];
  if (!Array.isArray(head) || head.length !== 2 || !isIndex(head[0]) || head[0] > term) throw new Error("log[0] is not a [term, command] pair");
  const p = entriesProblem(log.slice(1), head[0], term);
  if (p !== "") throw new Error(`log: ${p}`);
  return { term, vote: vote as number, base, log: log as Entry[] };
}
// SOLUTION END
