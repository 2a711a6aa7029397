// DEBUG=topics: readable per-peer logs in the style of the course's dslogs helper. Each
// line is `time TOPIC` and then the message in its peer's column (peer i indented by i
// columns), so that one peer's story reads down one column. Coloured by topic on a
// terminal, plain when piped (so a saved log greps cleanly).

/** Width of one peer's column, in characters. */
const COLUMN = 28;

const TOPIC_COLORS: Record<string, number> = {
  vote: 35, leader: 33, append: 36, commit: 32, apply: 92, persist: 94, snap: 95, timer: 90,
  kv: 96, note: 93, rpc: 34,
};
const FALLBACK_COLORS = [36, 33, 35, 32, 34, 31, 96, 93, 95, 92];

/** Which topics to print: "all" (also "*" or "1"), a set, or none. */
export type DebugTopics = Set<string> | "all" | null;

export function parseTopics(spec: string | undefined): DebugTopics {
  const d = spec?.trim();
  if (!d) return null;
  if (d === "all" || d === "*" || d === "1") return "all";
  return new Set(d.split(",").map((x) => x.trim().toLowerCase()).filter((x) => x !== ""));
}

function topicColor(topic: string): number {
  const c = TOPIC_COLORS[topic];
  if (c !== undefined) return c;
  let h = 0;
  for (let i = 0; i < topic.length; i++) h = (h * 31 + topic.charCodeAt(i)) >>> 0;
  return FALLBACK_COLORS[h % FALLBACK_COLORS.length]!;
}

/**
 * Where a named host's lines go (Lab 4, from the harness: World.nameHost): its column and
 * its label, e.g. column 5 and "gid101:S2" for peer 2 of group 101.
 */
export interface DebugColumn {
  column: number;
  label: string;
}

/** Columns past this many fold back to the first (a line stays readable on a wide terminal). */
const MAX_COLUMNS = 16;

/**
 * One log line: virtual time in ms (as seconds with 3 decimals), the topic, and the
 * message in the peer's column. Numeric peers print as S<i>; other names (tester, ck0)
 * take the first column. A named host (host, from the tracer) prints its own label in its
 * own column, so the controller's S0 and each group's S0 read down different columns.
 * `color` adds ANSI colour by topic.
 */
export function formatDebugLine(
  tMs: number,
  topic: string,
  peer: string | number,
  msg: string,
  color: boolean,
  host?: DebugColumn,
): string {
  const t = (tMs / 1000).toFixed(3).padStart(9);
  const top = topic.toUpperCase().padEnd(7);
  const at = host?.column ?? (typeof peer === "number" ? peer : 0);
  const col = at >= 0 && at < MAX_COLUMNS ? at : 0;
  const who = host?.label ?? (typeof peer === "number" ? `S${peer}` : peer);
  const body = `${" ".repeat(col * COLUMN)}${who} ${msg}`;
  if (!color) return `${t} ${top} ${body}`;
  return `${t} \x1b[${topicColor(topic.toLowerCase())}m${top}\x1b[0m ${body}`;
}
