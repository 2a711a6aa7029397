// The timeline page: one self-contained HTML file (inline CSS and script from timeline.page.css
// and timeline.page.js, the model as embedded JSON, nothing fetched), drawn on a canvas so that
// 200,000 events stay quick.
import { isTraceKind, TRACE_KINDS, type TraceKindSpec } from "../../runtime/trace-kinds.js";
import type { TimelineModel } from "./timeline-model.js";
import { timelineScript, timelineStyle } from "./timeline-assets.js";

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
<style>
${timelineStyle()}</style>
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
<script>
${timelineScript()}</script>
</body>
</html>
`;
}

/** JSON inside a script element: "<" escaped so that no value can close the element early. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
