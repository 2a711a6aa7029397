// The course's "  ... Passed" line in the three shapes its configs print, byte for byte:
// the graded output is compared with the course's (and read by people who know it).

/**
 * Which line end() prints:
 * - "raft": raft/config.go, `  ... Passed --  %4.1f  %d %4d %7d %4d` (seconds, peers, RPCs, bytes, commands);
 * - "kv": kvraft/config.go, `  ... Passed --  %4.1f  %d %5d %4d` (seconds, peers, RPCs, operations);
 * - "plain": shardctrler/shardkv tests, `  ... Passed` (no figures).
 */
export type PassedStyle = "raft" | "kv" | "plain";

/** The figures of one test, measured from begin() to end(). */
export interface PassedFigures {
  /** Runtime-clock seconds (virtual in simulated mode). */
  seconds: number;
  peers: number;
  rpcs: number;
  /** Bytes of RPC arguments and replies. */
  bytes: number;
  /** Commands agreed (raft) or clerk operations (kv). */
  ops: number;
}

/** Go's %Nd / %N.1f: right-aligned in a field of width n, never truncated. */
function pad(v: string | number, n: number): string {
  return String(v).padStart(n);
}

/** The line, without a trailing newline. */
export function passedLine(style: PassedStyle, f: PassedFigures): string {
  const t = pad(f.seconds.toFixed(1), 4);
  switch (style) {
    case "raft":
      return `  ... Passed --  ${t}  ${f.peers} ${pad(f.rpcs, 4)} ${pad(f.bytes, 7)} ${pad(f.ops, 4)}`;
    case "kv":
      return `  ... Passed --  ${t}  ${f.peers} ${pad(f.rpcs, 5)} ${pad(f.ops, 4)}`;
    case "plain":
      return "  ... Passed";
  }
}
