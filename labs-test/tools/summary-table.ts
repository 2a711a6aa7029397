import type { GradedResult } from "../harness/graded.js";
import { replayCommand } from "../harness/replay.js";

/** COUNT=n's closing table: test | passed/runs | mean virtual s | mean wall s, then failures. */
export function printSummaryTable(results: GradedResult[], tests: string[], logDir: string): void {
  const rows = tests.map((name) => {
    const rs = results.filter((r) => r.name === name);
    const ok = rs.filter((r) => r.passed).length;
    const mean = (f: (r: GradedResult) => number): string =>
      rs.length === 0 ? "-" : (rs.reduce((a, r) => a + f(r), 0) / rs.length / 1000).toFixed(1);
    return [name, `${ok}/${rs.length}`, mean((r) => r.virtualMs), mean((r) => r.wallMs)];
  });
  const head = ["test", "passed/runs", "mean virtual s", "mean wall s"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
  process.stdout.write(`${fmt(head)}\n${w.map((n) => "-".repeat(n)).join("  ")}\n${rows.map(fmt).join("\n")}\n`);
  const failures = results.filter((r) => !r.passed);
  if (failures.length > 0) {
    process.stdout.write(`\nfailures (logs in ${logDir}):\n`);
    for (const f of failures) {
      process.stdout.write(`  ${f.name} seed ${f.seed}: ${f.error ?? ""}\n    replay: ${replayCommand(f.name, f.seed, f.realtime, undefined, f.part)}\n`);
    }
  }
}
