// Live progress of a many-seeds run: a redrawn bar on a terminal, a plain line every
// few percent otherwise (CI logs, pipes), each with an estimate of the time left once a
// few runs have finished (a 3A COUNT=50 run is a 24-minute wait: say so).

/** Runs to finish before the time left is estimated (the first ones include start-up). */
const ESTIMATE_AFTER = 2;

/** "1h 05m", "4m 20s", "35s": a duration in real ms, rounded for reading. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

export class Progress {
  private done = 0;
  private failed = 0;
  private lastPlain = -1;
  private readonly t0: number;

  /**
   * total: runs to come. now: real ms on any fixed origin (the caller's wall clock), for
   * the estimate; without it none is shown.
   */
  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly tty: boolean = out.isTTY === true,
    private readonly now?: () => number,
  ) {
    this.t0 = now?.() ?? 0;
  }

  /** ", about 4m 20s left": from the mean time per finished run so far; empty until it means something. */
  private left(): string {
    if (this.now === undefined || this.done < ESTIMATE_AFTER || this.done >= this.total) return "";
    const perRun = (this.now() - this.t0) / this.done;
    return `, about ${formatDuration(perRun * (this.total - this.done))} left`;
  }

  /** One more run finished. */
  tick(passed: boolean, label: string): void {
    this.done++;
    if (!passed) this.failed++;
    if (this.tty) {
      const width = 30;
      const filled = Math.round((this.done / this.total) * width);
      const bar = "#".repeat(filled) + "-".repeat(width - filled);
      const line = `[${bar}] ${this.done}/${this.total} runs, ${this.failed} failed${this.left()}  ${label}`;
      const cols = this.out.columns ?? 100;
      this.out.write(`\r${line.slice(0, cols - 1).padEnd(cols - 1)}`);
      if (this.done === this.total) this.out.write("\n");
      return;
    }
    const pct = Math.floor((this.done / this.total) * 10);
    if (pct !== this.lastPlain || this.done === this.total || !passed) {
      this.lastPlain = pct;
      this.out.write(`  ${this.done}/${this.total} runs, ${this.failed} failed${this.left()}${passed ? "" : ` (last: ${label} failed)`}\n`);
    }
  }
}
