// `make vis TRACE=file.jsonl OUT=page.html [FORMAT=perfetto]`: turns a trace (TRACE=file
// of any test run) into the timeline page, or into Chrome trace-event JSON for the
// Perfetto UI and chrome://tracing.
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_MAX_EVENTS, readTraceFile, TraceReadError } from "../vis/read-trace.js";
import { writeTimeline, type VisFormat } from "../vis/write-page.js";
import path from "node:path";

function nonNegative(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative number`);
    return n;
  };
}

const program = new Command()
  .name("vis")
  .description("draw a trace (JSON lines from TRACE=file) as a timeline page, or export it for Perfetto")
  .requiredOption("--trace <file>", "the trace file (JSON lines)")
  .option("--out <file>", "where to write (default: the trace's name with .html or .perfetto.json)")
  .option("--format <format>", "html (the timeline page) or perfetto (Chrome trace-event JSON)", "html")
  .option("--title <text>", "the page's title (default: the trace's file name)")
  .option("--max-events <n>", `read at most this many events (default ${DEFAULT_MAX_EVENTS})`, (v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("max-events must be a positive integer");
    return n;
  })
  .option("--from <ms>", "only events at or after this virtual time (ms)", nonNegative("from"))
  .option("--to <ms>", "only events at or before this virtual time (ms)", nonNegative("to"))
  .parse();

const o = program.opts<{ trace: string; out?: string; format: string; title?: string; maxEvents?: number; from?: number; to?: number }>();
if (o.format !== "html" && o.format !== "perfetto") program.error(`error: --format must be html or perfetto, not ${JSON.stringify(o.format)}`);
const format = o.format as VisFormat;
const base = o.trace.replace(/\.jsonl?$/, "");
const out = o.out ?? `${base}${format === "perfetto" ? ".perfetto.json" : ".html"}`;
try {
  const { events, warnings } = await readTraceFile(o.trace, { maxEvents: o.maxEvents, from: o.from, to: o.to });
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const bytes = writeTimeline(events, out, { title: o.title ?? path.basename(o.trace), warnings, format });
  process.stdout.write(`${format === "perfetto" ? "Perfetto trace" : "timeline"}: ${out} (${events.length} events, ${(bytes / 1e6).toFixed(1)} MB)\n`);
} catch (e) {
  if (e instanceof TraceReadError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
