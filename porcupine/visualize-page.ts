// The HTML page of the visualization: inline CSS and script (visualize.page.css, visualize.page.js),
// the data as embedded JSON, nothing fetched from anywhere, so the file opens offline. The script draws one SVG per
// partition (lazily, when its section is opened): a row per client, a bar per op from
// call to return on a time axis warped to event order, the chosen linearization as a
// line through its linearization points, and the ops that could not come next in red.
import type { VisData } from "./visualize.js";
import { visualizeScript, visualizeStyle } from "./visualize-assets.js";

export function renderPage(data: VisData): string {
  // JSON in a script element: "<" escaped so no value can close the element early.
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Porcupine</title>
<style>
${visualizeStyle()}</style>
</head>
<body>
<h1>Porcupine</h1>
<div id="summary"></div>
<div class="legend">
  <span><svg width="30" height="14"><rect x="1" y="1" width="28" height="12" class="lin"/></svg> in the shown linearization (valid LP)</span>
  <span><svg width="30" height="14"><rect x="1" y="1" width="28" height="12" class="out"/></svg> not in it</span>
  <span><svg width="30" height="14"><rect x="1" y="1" width="28" height="12" class="stuck"/></svg> could come next, but no choice fits (invalid LP)</span>
  <span><svg width="30" height="14"><polyline points="2,11 14,3 28,9" class="lp"/></svg> linearization order</span>
  <span>rows: clients; x axis: call/return events in time order (ties: calls first)</span>
  <a id="jump" href="#">[ jump to first error ]</a>
</div>
<div id="parts"></div>
<div id="tip"></div>
<script type="application/json" id="porcupine-data">${json}</script>
<script>
${visualizeScript()}</script>
</body>
</html>
`;
}

// Plain ES5-style script; no template literals so it sits inside this TS string as is.
