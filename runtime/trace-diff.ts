// The determinism check compares two runs' traces event by event, so that a failure
// names the first event where they part (its index and both versions) rather than
// only saying that two hashes differ.

export interface Divergence {
  /** 0-based index of the first event that differs (or that one run lacks). */
  index: number;
  /** That event in each run, as its JSON line; null where that run had already ended. */
  a: string | null;
  b: string | null;
}

/** The first difference between two traces' event lines, or null if they are identical. */
export function firstDivergence(a: readonly string[], b: readonly string[]): Divergence | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x !== y) return { index: i, a: x, b: y };
  }
  return null;
}

/** A readable report of a divergence, for a test failure message. */
export function describeDivergence(d: Divergence): string {
  return (
    `traces diverge at event #${d.index}:\n` +
    `      first run:  ${d.a ?? "(trace ended)"}\n` +
    `      second run: ${d.b ?? "(trace ended)"}`
  );
}
