import { createHash, type Hash } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";

export interface TracerOptions {
  /** Write every event as a JSON line to this file. */
  file?: string;
  /** Keep a running hash of every event (the determinism check). */
  hash?: boolean;
  /** Comma-separated DEBUG topics to print as readable per-peer logs ("all" for every one). */
  debug?: string;
}

export type TraceFields = Record<string, unknown>;

const COLORS = [36, 33, 35, 32, 34, 31, 96, 93, 95, 92];
const FLUSH_AT = 1 << 20;

/** Events of one world: JSON lines, a hash of the whole sequence, and DEBUG logs. */
export class Tracer {
  readonly enabled: boolean;
  private readonly file?: string;
  private readonly sha?: Hash;
  private readonly topics: Set<string> | "all" | null;
  private buffer: string[] = [];
  private buffered = 0;
  private readonly color = process.stderr.isTTY === true;
  count = 0;

  constructor(
    private readonly now: () => number,
    opts: TracerOptions,
  ) {
    this.file = opts.file;
    if (opts.hash) this.sha = createHash("sha256");
    this.enabled = this.file !== undefined || this.sha !== undefined;
    if (this.file !== undefined) writeFileSync(this.file, "");
    const d = opts.debug?.trim();
    if (!d) this.topics = null;
    else if (d === "all" || d === "*" || d === "1") this.topics = "all";
    else this.topics = new Set(d.split(",").map((x) => x.trim().toLowerCase()));
  }

  event(peer: string | number, ev: string, fields?: TraceFields): void {
    if (!this.enabled) return;
    const line = JSON.stringify({ t: round3(this.now()), peer, ev, ...fields });
    this.count++;
    this.sha?.update(line + "\n");
    if (this.file !== undefined) {
      this.buffer.push(line);
      this.buffered += line.length;
      if (this.buffered > FLUSH_AT) this.flush();
    }
  }

  debugging(topic: string): boolean {
    return this.topics === "all" || (this.topics !== null && this.topics.has(topic.toLowerCase()));
  }

  debug(topic: string, peer: string | number, msg: string): void {
    if (!this.debugging(topic)) return;
    const t = (this.now() / 1000).toFixed(3).padStart(9);
    const who = typeof peer === "number" ? `S${peer}` : peer;
    const text = `${t}s ${who.padEnd(4)} ${topic.toUpperCase().padEnd(6)} ${msg}`;
    if (this.color && typeof peer === "number") {
      process.stderr.write(`\x1b[${COLORS[peer % COLORS.length]}m${text}\x1b[0m\n`);
    } else {
      process.stderr.write(text + "\n");
    }
  }

  digest(): string {
    if (!this.sha) throw new Error("this world was not started with hash: true");
    return this.sha.copy().digest("hex");
  }

  flush(): void {
    if (this.file !== undefined && this.buffer.length > 0) {
      appendFileSync(this.file, this.buffer.join("\n") + "\n");
      this.buffer = [];
      this.buffered = 0;
    }
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
