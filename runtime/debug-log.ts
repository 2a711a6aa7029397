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
 * One log line: virtual time in ms (as seconds with 3 decimals), the topic, and the
 * message in the peer's column. Numeric peers print as S<i>; other names (tester, ck0)
 * take the first column. `color` adds ANSI colour by topic.
 */
export function formatDebugLine(tMs: number, topic: string, peer: string | number, msg: string, color: boolean): string {
  const t = (tMs / 1000).toFixed(3).padStart(9);
  const top = topic.toUpperCase().padEnd(7);
  const col = typeof peer === "number" && peer >= 0 && peer < 16 ? peer : 0;
  const who = typeof peer === "number" ? `S${peer}` : peer;
  const body = `${" ".repeat(col * COLUMN)}${who} ${msg}`;
  if (!color) return `${t} ${top} ${body}`;
  return `${t} \x1b[${topicColor(topic.toLowerCase())}m${top}\x1b[0m ${body}`;
}
