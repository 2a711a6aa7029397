// Reads a TRACE=file (JSON lines) for the timeline page, line by line, so a trace larger
// than memory is read up to a cap and the page says where it stopped. A file that is
// empty or is not JSON lines at all is an error with a clear message; a bad or truncated
// line after good ones ends the read there (a partial page that names the line).
import { createReadStream, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { z } from "zod";
import type { TraceEvent } from "../../runtime/tracer.js";

export class TraceReadError extends Error {}

const eventSchema = z
  .object({ t: z.number().finite().nonnegative(), peer: z.union([z.string(), z.number()]), ev: z.string().min(1) })
  .passthrough();

export interface ReadTraceOptions {
  /** Stop after this many events (default 400,000: what a browser page still draws briskly). */
  maxEvents?: number;
  /** Keep only events in [from, to] (virtual ms), to look at one stretch of a long run. */
  from?: number;
  to?: number;
}

export interface TraceRead {
  events: TraceEvent[];
  /** Why the read ended early, for the page's banner; empty when the whole file was read. */
  warnings: string[];
}

export const DEFAULT_MAX_EVENTS = 400_000;

/** Parse one line; a message naming the problem instead of an event when it is not one. */
export function parseTraceLine(line: string): TraceEvent | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return `not JSON${line.length > 0 ? ` (${JSON.stringify(line.slice(0, 40))}${line.length > 40 ? "…" : ""})` : ""}`;
  }
  const r = eventSchema.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0];
    return `not a trace event (${issue?.path.join(".") || "value"}: ${issue?.message ?? "invalid"}); each line needs t, peer and ev`;
  }
  return r.data as TraceEvent;
}

/**
 * Read a trace file. Throws TraceReadError when nothing usable is there (missing, empty,
 * first line not an event); otherwise returns the events read, with warnings for a bad
 * line, a truncated last line, or the event cap.
 */
export async function readTraceFile(file: string, opts: ReadTraceOptions = {}): Promise<TraceRead> {
  const max = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
  if (!Number.isSafeInteger(max) || max < 1) throw new TraceReadError(`max events must be a positive integer, got ${max}`);
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new TraceReadError(`cannot read trace ${file}: ${(e as Error).message}`);
  }
  if (size === 0) throw new TraceReadError(`trace ${file} is empty (did the test run with TRACE set, and finish?)`);
  const events: TraceEvent[] = [];
  const warnings: string[] = [];
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let lineNo = 0;
  let bytes = 0;
  let stopped = false;
  for await (const line of lines) {
    lineNo++;
    bytes += Buffer.byteLength(line) + 1;
    if (line.trim() === "") continue;
    const e = parseTraceLine(line);
    if (typeof e === "string") {
      const last = bytes >= size;
      if (events.length === 0 && lineNo === 1) {
        throw new TraceReadError(`${file} is not a trace (JSON lines of {t, peer, ev, …}): line 1 is ${e}`);
      }
      warnings.push(
        last
          ? `the trace ends with a truncated line ${lineNo} (the run was cut short?): the page shows the ${events.length} events before it`
          : `stopped at line ${lineNo}, which is ${e}: the page shows the ${events.length} events before it`,
      );
      stopped = true;
      break;
    }
    if (opts.from !== undefined && e.t < opts.from) continue;
    if (opts.to !== undefined && e.t > opts.to) break;
    if (events.length >= max) {
      warnings.push(
        `stopped at line ${lineNo} of ${file} after ${max} events (about ${Math.round((100 * bytes) / size)}% of the file): ` +
          `pick a stretch with --from/--to (virtual ms) or raise --max-events`,
      );
      stopped = true;
      break;
    }
    events.push(e);
  }
  lines.close();
  if (events.length === 0 && !stopped) {
    throw new TraceReadError(`${file} holds no trace events${opts.from !== undefined || opts.to !== undefined ? " in the chosen time range" : ""}`);
  }
  return { events, warnings };
}
