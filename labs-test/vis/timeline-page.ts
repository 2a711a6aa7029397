// The timeline page: one self-contained HTML file (inline CSS and script, the model as
// embedded JSON, nothing fetched), drawn on a canvas so that 200,000 events stay quick.
import { isTraceKind, TRACE_KINDS, type TraceKindSpec } from "../../runtime/trace-kinds.js";
import type { TimelineModel } from "./timeline-model.js";
import { TIMELINE_SCRIPT } from "./timeline-script.js";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** The whole page for one model, as a string. */
export function renderTimelinePage(model: TimelineModel): string {
  // The raw events go in their own element, parsed only when a click needs their fields;
  // the texts the first view writes beside marks (a note's text, a safety violation's
  // rule: the registry's mark.text, runtime/trace-kinds.ts) ride along with the drawing data.
  const { events, ...drawing } = model;
  const notes: Record<number, string> = {};
  const texts = model.markKinds.map((k) => (isTraceKind(k) ? (TRACE_KINDS[k] as TraceKindSpec).mark : undefined));
  model.marks.kind.forEach((k, j) => {
    const t = texts[k];
    if (t?.text !== undefined) notes[j] = `${t.prefix ?? ""}${String(events[model.marks.ev[j]!]?.[t.text] ?? "")}`;
  });
  const json = scriptJson({ ...drawing, notes, eventCount: events.length });
  const eventsJson = scriptJson(events);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(model.title)} — timeline</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>${escapeHtml(model.title)}</h1>
  <div id="failure"></div>
  <div id="warnings"></div>
  <div id="porcupine"></div>
</header>
<div id="toolbar">
  <button id="zoom-in" title="zoom in (+)">+</button>
  <button id="zoom-out" title="zoom out (−)">−</button>
  <button id="zoom-reset" title="whole run (0)">whole run</button>
  <button id="prev" title="previous event (← or p)">◀</button>
  <button id="next" title="next event (→ or n)">▶</button>
  <span id="range"></span>
  <details><summary>lanes</summary><div id="f-lanes" class="filters"></div></details>
  <details><summary>RPC methods</summary><div id="f-methods" class="filters"></div></details>
  <details><summary>event kinds</summary><div id="f-kinds" class="filters"></div></details>
  <span class="hint">wheel: zoom · drag: pan · click: details · ←/→: step</span>
</div>
<main>
  <div id="wrap"><div id="spacer"><canvas id="canvas" tabindex="0"></canvas></div></div>
  <aside id="details"><em>Click an RPC, a band or a mark to see its fields.</em></aside>
</main>
<div id="error"></div>
<script type="application/json" id="timeline-data">${json}</script>
<script type="application/json" id="timeline-events">${eventsJson}</script>
<script>${TIMELINE_SCRIPT}</script>
</body>
</html>
`;
}

/** JSON inside a script element: "<" escaped so that no value can close the element early. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const STYLE = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 0; color: #222; }
header { padding: 8px 12px 0; }
h1 { font-size: 17px; margin: 0 0 4px; }
#failure { color: #b00; white-space: pre-wrap; font-family: ui-monospace, monospace; }
#warnings div { background: #fff4d6; border: 1px solid #e0b040; padding: 2px 6px; margin: 2px 0; }
#porcupine a { margin-right: 8px; }
#toolbar { padding: 6px 12px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; border-bottom: 1px solid #ddd; }
#toolbar details { position: relative; }
#toolbar summary { cursor: pointer; padding: 2px 6px; border: 1px solid #ccc; border-radius: 3px; }
.filters { position: absolute; z-index: 5; background: #fff; border: 1px solid #bbb; padding: 6px; max-height: 60vh; overflow: auto; min-width: 180px; }
.filters label { display: block; white-space: nowrap; }
.hint { color: #777; }
main { display: flex; }
#wrap { flex: 1; overflow-y: auto; max-height: calc(100vh - 120px); }
#spacer { position: relative; }
canvas { display: block; outline: none; position: sticky; top: 0; }
aside { width: 340px; border-left: 1px solid #ddd; padding: 8px; font-family: ui-monospace, monospace; font-size: 12px; overflow: auto; max-height: calc(100vh - 120px); white-space: pre-wrap; word-break: break-all; }
#error { color: #fff; background: #b00; padding: 8px; display: none; white-space: pre-wrap; }
`;
