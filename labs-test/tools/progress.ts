// Live progress of a many-seeds run: a redrawn bar on a terminal, a plain line every
// few percent otherwise (CI logs, pipes).

export class Progress {
  private done = 0;
  private failed = 0;
  private lastPlain = -1;

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly tty: boolean = out.isTTY === true,
  ) {}

  /** One more run finished. */
  tick(passed: boolean, label: string): void {
    this.done++;
    if (!passed) this.failed++;
    if (this.tty) {
      const width = 30;
      const filled = Math.round((this.done / this.total) * width);
      const bar = "#".repeat(filled) + "-".repeat(width - filled);
      const line = `[${bar}] ${this.done}/${this.total} runs, ${this.failed} failed  ${label}`;
      const cols = this.out.columns ?? 100;
      this.out.write(`\r${line.slice(0, cols - 1).padEnd(cols - 1)}`);
      if (this.done === this.total) this.out.write("\n");
      return;
    }
    const pct = Math.floor((this.done / this.total) * 10);
    if (pct !== this.lastPlain || this.done === this.total || !passed) {
      this.lastPlain = pct;
      this.out.write(`  ${this.done}/${this.total} runs, ${this.failed} failed${passed ? "" : ` (last: ${label} failed)`}\n`);
    }
  }
}
