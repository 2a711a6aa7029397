// What Raft saves to its persister, through the codec (a student helper file of raft.ts).
// SOLUTION BEGIN
import { decode, encodeText, EncodedArray } from "../labrpc/index.js";
import { entriesProblem, isIndex, isObject } from "./messages.js";
import type { Entry } from "./log.js";

/** Figure 2's persistent state; log[0] = [term of base, null] stands for the snapshot through base. */
interface PersistentState {
  term: number;
  vote: number;
  base: number;
  log: Entry[];
}

/** Room before the log's "[" for `{"term":…,"vote":…,"base":…,"log":` (three integers of at most 16 digits). */
const HEADER_ROOM = 96;

/**
 * Encodes one peer's state for its persister: the bytes encode() would give for
 * {term, vote, base, log}, without re-encoding the whole log each time. Our entries never
 * change once in the log (commands are our own copies; a follower's are decoded from the
 * RPC; truncation and compaction drop entries or start a new array), so the entries kept
 * from the last call are those still at the same index, by identity: only the rest are
 * encoded (each by the codec: a command may hold bytes), and the bytes are copied once,
 * by the persister.
 */
export class StateEncoder {
  private readonly arr = new EncodedArray(HEADER_ROOM);
  /** The entries arr holds, in order. */
  private held: Entry[] = [];
  /** Their texts (held[i]'s is texts[i]): kept so that a compaction need not encode again what it keeps. */
  private texts: string[] = [];

  /** The state's bytes: a view valid until the next call (the persister copies what it saves). */
  encode(s: PersistentState): Uint8Array {
    const { log } = s;
    const keep = this.kept(log);
    if (keep < log.length) {
      // A compaction moves the entries it keeps to the front of a new log, after a new
      // log[0]: those are held already, further on (a service snapshots every few entries,
      // and every snapshot would re-encode all entries not yet applied otherwise).
      const moved = keep === 0 && log.length > 1 ? this.held.indexOf(log[1]!) - 1 : -1;
      const fresh: string[] = [];
      for (let i = keep; i < log.length; i++) {
        const j = moved + i;
        fresh.push(moved >= 0 && i > 0 && this.held[j] === log[i] ? this.texts[j]! : encodeText(log[i], "raft state entry"));
      }
      this.drop(keep);
      this.arr.append(fresh);
      for (let i = keep; i < log.length; i++) this.held.push(log[i]!);
      for (const t of fresh) this.texts.push(t);
    } else {
      this.drop(keep);
    }
    const header = `{"term":${s.term},"vote":${s.vote},"base":${s.base},"log":`;
    if (header.length > HEADER_ROOM) throw new Error(`raft state header too long: ${header}`);
    const { bytes, end } = this.arr.close("}");
    const from = HEADER_ROOM - header.length;
    for (let i = 0; i < header.length; i++) bytes[from + i] = header.charCodeAt(i);
    return bytes.subarray(from, end);
  }

  /** Keep only the first count entries held. */
  private drop(count: number): void {
    if (count >= this.held.length) return;
    this.held.length = count;
    this.texts.length = count;
    this.arr.truncate(count);
  }

  /**
   * How many leading entries of log arr holds already. Usually all of them: entries were
   * only appended since the last call, and log[0] (the snapshot's stand-in, new at each
   * compaction) and our last held entry are still in place; checked in O(1), since a Raft
   * persists after nearly every message and a log without snapshots grows to thousands
   * of entries (a scan per persist made persisting quadratic). That check suffices
   * because an entry, once dropped (truncation), never comes back at its old place: what
   * is appended after a truncation is a new object. Otherwise the longest equal prefix.
   */
  private kept(log: readonly Entry[]): number {
    const h = this.held.length;
    if (h > 0 && log.length >= h && log[0] === this.held[0] && log[h - 1] === this.held[h - 1]) return h;
    let keep = 0;
    const m = Math.min(log.length, h);
    while (keep < m && log[keep] === this.held[keep]) keep++;
    return keep;
  }
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
