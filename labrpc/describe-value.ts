/**
 * A short description of a bad value for error messages: its type and, if short, the
 * value itself (`number 42`, `array ["k"]`, `undefined`, `bigint`).
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  const t = Array.isArray(v) ? "array" : typeof v;
  let s: string;
  try {
    s = typeof v === "function" ? "" : (JSON.stringify(v) ?? "");
  } catch {
    s = "";
  }
  return s !== "" && s.length <= 40 ? `${t} ${s}` : t;
}
