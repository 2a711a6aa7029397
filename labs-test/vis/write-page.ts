// Writes the timeline page (or its Perfetto export) for a list of events: used by the
// graded-test wrapper for a failing test (VIS=fail) and by `make vis`.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TraceEvent } from "../../runtime/tracer.js";
import { toPerfetto } from "./perfetto.js";
import { buildTimeline, type ModelOptions } from "./timeline-model.js";
import { renderTimelinePage } from "./timeline-page.js";

export type VisFormat = "html" | "perfetto";

/** Write events as a page (html) or Chrome trace-event JSON (perfetto) to file; returns the bytes written. */
export function writeTimeline(events: TraceEvent[], file: string, opts: ModelOptions & { format?: VisFormat } = {}): number {
  const model = buildTimeline(events, opts);
  const text = opts.format === "perfetto" ? JSON.stringify(toPerfetto(model)) : renderTimelinePage(model);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, text);
  return Buffer.byteLength(text);
}
