// The timeline page's script: plain browser JavaScript (no modules, no build step), which
// timeline-page.ts inlines into the page. It draws the model on one canvas: a lane per
// peer, the tester and each clerk; the canvas is as tall as the view, and scrolling the
// lanes redraws it, so any number of lanes renders (only the rows in view are drawn);
// bands for role and term, downtime and cut links; RPC arrows from send to delivery;
// clerk ops as bars; marks for applies, notes and the rest, each kind with the glyph and
// colour the model carries from the registry (runtime/trace-kinds.ts). Only what is in view is drawn,
// and dense views are thinned per pixel, so a 200,000-event trace stays responsive.
// window.__timeline exposes counts and element positions to the browser tests.
(function () {
"use strict";
var errBox = document.getElementById("error");
function showError(msg) { errBox.style.display = "block"; errBox.textContent = "The timeline could not be drawn: " + msg; }
window.addEventListener("error", function (ev) { showError(String(ev.message)); });
var M;
try { M = JSON.parse(document.getElementById("timeline-data").textContent); }
catch (e) { showError("its data is not valid JSON (" + e.message + ")"); return; }

// The raw events (for the details panel) are parsed on the first click, not before the first view.
var EV = null;
function ev(i) {
  if (EV === null) EV = JSON.parse(document.getElementById("timeline-events").textContent);
  return EV[i];
}

var AXIS_H = 26, LANE_H = 30;
var LABELS = M.laneLabels || M.lanes;
var LABEL_W = Math.min(170, Math.max(78, 14 + 6.3 * LABELS.reduce(function (a, s) { return Math.max(a, s.length); }, 0)));
var ROLE_COLORS = { leader: "rgba(46,160,67,0.30)", candidate: "rgba(230,160,20,0.30)", follower: "rgba(120,140,170,0.14)" };
var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

var canvas = document.getElementById("canvas"), ctx = canvas.getContext("2d");
var wrap = document.getElementById("wrap"), spacer = document.getElementById("spacer"), details = document.getElementById("details");
var nLanes = M.lanes.length;
var laneOn = M.lanes.map(function () { return true; });
var methodOn = M.methods.map(function () { return true; });
var kindOn = {};
var ELEMENT_KINDS = ["rpc", "role", "down", "cut", "op"];
ELEMENT_KINDS.concat(M.markKinds).forEach(function (k) { kindOn[k] = true; });
var v0 = M.tMin, v1 = M.tMax, W = 800, H = 200, FULL_H = 200, SY = 0, rows = [];
var selected = null; // {type, i}
var drawn = { rpcs: 0, marks: 0, bands: 0, ops: 0, lanes: 0 };
var maxRpc = 0;
for (var i = 0; i < M.rpc.send.length; i++) {
  var e = M.rpc.end[i] >= 0 ? M.rpc.end[i] : (M.rpc.deliver[i] >= 0 ? M.rpc.deliver[i] : M.rpc.send[i]);
  if (e - M.rpc.send[i] > maxRpc) maxRpc = e - M.rpc.send[i];
}

function fmt(t) { return (t / 1000).toFixed(3) + " s"; }
function esc(s) { return String(s).replace(/[&<>]/g, function (c) { return c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"; }); }
function lowerBound(arr, t) { var lo = 0, hi = arr.length; while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] < t) lo = mid + 1; else hi = mid; } return lo; }

// ---- header ------------------------------------------------------------------------
if (M.failure) document.getElementById("failure").textContent = "FAIL at " + fmt(M.failure.t) + ": " + M.failure.text;
var wb = document.getElementById("warnings");
M.warnings.forEach(function (w) { var d = document.createElement("div"); d.textContent = "⚠ " + w; wb.appendChild(d); });
if (M.porcupine) {
  var pb = document.getElementById("porcupine");
  pb.appendChild(document.createTextNode("porcupine: not linearizable on key(s) "));
  M.porcupine.keys.forEach(function (k) {
    var a = document.createElement("a"); a.href = "#"; a.textContent = JSON.stringify(k);
    a.className = "porcupine-key";
    a.onclick = function (ev) { ev.preventDefault(); focusKey(k); };
    pb.appendChild(a);
  });
  if (M.porcupine.page) {
    var pa = document.createElement("a"); pa.href = "file://" + M.porcupine.page; pa.textContent = "[porcupine's own page]";
    pb.appendChild(pa);
  }
}
function focusKey(k) {
  var lo = Infinity, hi = -Infinity, first = -1;
  for (var j = 0; j < M.ops.key.length; j++) if (M.ops.key[j] === k) {
    if (M.ops.call[j] < lo) { lo = M.ops.call[j]; first = j; }
    if (M.ops.ret[j] > hi) hi = M.ops.ret[j];
  }
  if (first < 0) return;
  var pad = (hi - lo) * 0.05 + 1; v0 = lo - pad; v1 = hi + pad;
  revealLane(M.ops.lane[first]);
  select({ type: "op", i: first });
}

// ---- filters -------------------------------------------------------------------------
function addBox(parent, id, label, checked, onChange) {
  var l = document.createElement("label"), b = document.createElement("input");
  b.type = "checkbox"; b.checked = checked; b.id = id;
  b.onchange = function () { onChange(b.checked); layout(); request(); };
  l.appendChild(b); l.appendChild(document.createTextNode(" " + label)); parent.appendChild(l);
}
M.lanes.forEach(function (n, j) { addBox(document.getElementById("f-lanes"), "f-lane-" + n, LABELS[j], true, function (on) { laneOn[j] = on; }); });
M.methods.forEach(function (n, j) { addBox(document.getElementById("f-methods"), "f-method-" + n, n, true, function (on) { methodOn[j] = on; }); });
ELEMENT_KINDS.concat(M.markKinds).forEach(function (k) { addBox(document.getElementById("f-kinds"), "f-kind-" + k, k, true, function (on) { kindOn[k] = on; }); });

// ---- geometry ------------------------------------------------------------------------
function layout() {
  rows = []; var r = 0;
  for (var j = 0; j < nLanes; j++) rows.push(laneOn[j] ? r++ : -1);
  W = Math.max(400, wrap.clientWidth || 800); FULL_H = AXIS_H + r * LANE_H + 8;
  // The canvas is one view tall; the spacer gives the scroll bar the lanes' full height.
  var room = Math.max(200, window.innerHeight - (wrap.getBoundingClientRect().top || 120) - 4);
  H = Math.min(FULL_H, room);
  spacer.style.height = FULL_H + "px";
  SY = Math.max(0, Math.min(wrap.scrollTop, FULL_H - H));
  var dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
  canvas.style.width = W + "px"; canvas.style.height = H + "px";
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
}
function X(t) { return LABEL_W + (t - v0) / (v1 - v0) * (W - LABEL_W); }
function T(x) { return v0 + (x - LABEL_W) / (W - LABEL_W) * (v1 - v0); }
function Y(lane) { return AXIS_H + rows[lane] * LANE_H - SY; }
function visibleLane(l) { return l >= 0 && rows[l] >= 0; }
/** Lane l is shown (filters) and its row is within the canvas (scroll). */
function inView(l) { if (!visibleLane(l)) return false; var y = Y(l); return y + LANE_H > AXIS_H && y < H; }

// ---- drawing -------------------------------------------------------------------------
var pending = false;
function request() { if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; draw(); }); } }
function bandVisible(j) {
  var k = M.bands.kind[j];
  return inView(M.bands.lane[j]) && kindOn[k === 0 ? "role" : k === 1 ? "down" : "cut"];
}
function rpcVisible(j) {
  return kindOn.rpc && methodOn[M.rpc.method[j]] && (inView(M.rpc.from[j]) || inView(M.rpc.to[j]));
}
function markVisible(j) { return inView(M.marks.lane[j]) && kindOn[M.markKinds[M.marks.kind[j]]]; }
function opVisible(j) { return kindOn.op && inView(M.ops.lane[j]); }

function draw() {
  drawn = { rpcs: 0, marks: 0, bands: 0, ops: 0, lanes: 0 };
  SY = Math.max(0, Math.min(wrap.scrollTop, FULL_H - H));
  ctx.clearRect(0, 0, W, H);
  ctx.font = "11px system-ui, sans-serif"; ctx.textBaseline = "middle";
  // lanes
  for (var l = 0; l < nLanes; l++) {
    if (!inView(l)) continue;
    var y = Y(l);
    ctx.fillStyle = rows[l] % 2 ? "#fafafa" : "#f2f4f7"; ctx.fillRect(LABEL_W, y, W - LABEL_W, LANE_H);
    drawn.lanes++;
  }
  ctx.save(); ctx.beginPath(); ctx.rect(LABEL_W, 0, W - LABEL_W, H); ctx.clip();
  // bands
  for (var j = 0; j < M.bands.lane.length; j++) {
    if (M.bands.t1[j] < v0 || M.bands.t0[j] > v1 || !bandVisible(j)) continue;
    var x0 = Math.max(LABEL_W, X(M.bands.t0[j])), x1 = Math.min(W, X(M.bands.t1[j])), y = Y(M.bands.lane[j]), k = M.bands.kind[j];
    var label = M.bands.label[j];
    if (k === 0) { ctx.fillStyle = ROLE_COLORS[label.split(" ")[0]] || "rgba(0,0,0,0.08)"; ctx.fillRect(x0, y + 1, Math.max(1, x1 - x0), LANE_H - 2); }
    else if (k === 1) { ctx.fillStyle = "rgba(40,40,40,0.55)"; ctx.fillRect(x0, y + 1, Math.max(1, x1 - x0), LANE_H - 2); }
    else { ctx.fillStyle = "rgba(230,90,20,0.75)"; ctx.fillRect(x0, y + LANE_H - 6, Math.max(1, x1 - x0), 5); }
    if (x1 - x0 > 60 && k !== 2) { ctx.fillStyle = k === 1 ? "#fff" : "#333"; ctx.fillText(label, x0 + 3, y + 8); }
    else if (x1 - x0 > 90 && k === 2) { ctx.fillStyle = "#a33"; ctx.fillText(label, x0 + 3, y + LANE_H - 12); }
    if (selected && selected.type === "band" && selected.i === j) { ctx.strokeStyle = "#000"; ctx.lineWidth = 2; ctx.strokeRect(x0, y + 1, x1 - x0, LANE_H - 2); }
    drawn.bands++;
  }
  // ops
  for (var j = 0; j < M.ops.lane.length; j++) {
    if (M.ops.ret[j] < v0 || M.ops.call[j] > v1 || !opVisible(j)) continue;
    var x0 = X(M.ops.call[j]), x1 = X(M.ops.ret[j]), y = Y(M.ops.lane[j]);
    ctx.fillStyle = M.ops.bad[j] ? "rgba(220,30,30,0.8)" : "rgba(31,119,180,0.45)";
    ctx.fillRect(x0, y + 9, Math.max(2, x1 - x0), LANE_H - 18);
    if (x1 - x0 > 70) { ctx.fillStyle = "#111"; ctx.fillText(M.ops.label[j].slice(0, Math.floor((x1 - x0) / 6)), x0 + 2, y + LANE_H / 2); }
    if (selected && selected.type === "op" && selected.i === j) { ctx.strokeStyle = "#000"; ctx.lineWidth = 2; ctx.strokeRect(x0, y + 9, Math.max(2, x1 - x0), LANE_H - 18); }
    drawn.ops++;
  }
  // RPCs: arrows from send to delivery; thinned per pixel when dense
  var start = lowerBound(M.rpc.send, v0 - maxRpc - 1), stop = lowerBound(M.rpc.send, v1 + 1);
  var dense = stop - start > 6000, seen = dense ? new Set() : null;
  ctx.lineWidth = 1;
  for (var j = start; j < stop; j++) {
    if (!rpcVisible(j)) continue;
    var end = M.rpc.end[j] >= 0 ? M.rpc.end[j] : (M.rpc.deliver[j] >= 0 ? M.rpc.deliver[j] : M.rpc.send[j]);
    if (end < v0) continue;
    var fl = M.rpc.from[j], tl = M.rpc.to[j];
    var xs = X(M.rpc.send[j]);
    if (seen) { var key = (xs | 0) * 4096 + fl * 64 + (tl + 1); if (seen.has(key)) continue; seen.add(key); }
    var ys = visibleLane(fl) ? Y(fl) + LANE_H / 2 : null;
    var dropped = M.rpc.status[j] === 2;
    ctx.strokeStyle = dropped ? "rgba(210,30,30,0.8)" : PALETTE[M.rpc.method[j] % PALETTE.length];
    if (M.rpc.deliver[j] >= 0 && visibleLane(tl)) {
      var xd = X(M.rpc.deliver[j]), yd = Y(tl) + LANE_H / 2;
      ctx.beginPath(); ctx.moveTo(xs, ys === null ? yd - 10 : ys); ctx.lineTo(xd, yd); ctx.stroke();
      if (!dense) { ctx.beginPath(); ctx.moveTo(xd, yd); ctx.lineTo(xd - 4, yd - ((ys === null ? 0 : ys) < yd ? 4 : -4)); ctx.stroke(); }
      if (!dense && M.rpc.status[j] === 1 && ys !== null) {
        ctx.save(); ctx.globalAlpha = 0.25; ctx.setLineDash([2, 3]); ctx.beginPath(); ctx.moveTo(xd, yd); ctx.lineTo(X(M.rpc.end[j]), ys); ctx.stroke(); ctx.restore();
      }
    } else if (ys !== null) {
      ctx.beginPath(); ctx.moveTo(xs, ys); ctx.lineTo(xs + 6, ys - 6); ctx.stroke();
    }
    if (dropped && ys !== null) {
      var xe = X(M.rpc.end[j]); ctx.beginPath(); ctx.moveTo(xe - 3, ys - 3); ctx.lineTo(xe + 3, ys + 3); ctx.moveTo(xe + 3, ys - 3); ctx.lineTo(xe - 3, ys + 3); ctx.stroke();
    }
    if (selected && selected.type === "rpc" && selected.i === j) {
      ctx.save(); ctx.strokeStyle = "#000"; ctx.lineWidth = 3; ctx.beginPath(); ctx.moveTo(xs, ys === null ? 0 : ys);
      ctx.lineTo(M.rpc.deliver[j] >= 0 && visibleLane(tl) ? X(M.rpc.deliver[j]) : xs + 6, visibleLane(tl) ? Y(tl) + LANE_H / 2 : (ys || 0) - 6); ctx.stroke(); ctx.restore();
    }
    drawn.rpcs++;
  }
  // marks
  var ms = lowerBound(M.marks.t, v0), me = lowerBound(M.marks.t, v1 + 0.001);
  var mseen = me - ms > 6000 ? new Set() : null;
  for (var j = ms; j < me; j++) {
    if (!markVisible(j)) continue;
    var x = X(M.marks.t[j]), l = M.marks.lane[j], glyph = M.markGlyphs[M.marks.kind[j]];
    if (mseen) { var mk = (x | 0) * 4096 + l * 64 + M.marks.kind[j]; if (mseen.has(mk)) continue; mseen.add(mk); }
    var y = Y(l);
    ctx.fillStyle = M.markColors[M.marks.kind[j]];
    ctx.globalAlpha = M.marks.dim[j] ? 0.25 : 1;
    if (glyph === "diamond") {
      ctx.beginPath(); ctx.moveTo(x, y + 3); ctx.lineTo(x + 5, y + 8); ctx.lineTo(x, y + 13); ctx.lineTo(x - 5, y + 8); ctx.fill();
      if (!mseen) { ctx.fillStyle = "#6a5000"; ctx.fillText(String(M.notes[j]).slice(0, 40), x + 7, y + 8); }
    } else if (glyph === "cross") {
      ctx.lineWidth = 2.5; ctx.strokeStyle = ctx.fillStyle; ctx.beginPath(); ctx.moveTo(x - 5, y + 3); ctx.lineTo(x + 5, y + 13); ctx.moveTo(x + 5, y + 3); ctx.lineTo(x - 5, y + 13); ctx.stroke(); ctx.lineWidth = 1;
      if (!mseen) ctx.fillText(String(M.notes[j]).slice(0, 60), x + 7, y + 8);
    } else if (glyph === "triangle") {
      ctx.beginPath(); ctx.moveTo(x, y + LANE_H - 3); ctx.lineTo(x - 4, y + LANE_H - 10); ctx.lineTo(x + 4, y + LANE_H - 10); ctx.fill();
    } else if (glyph === "tick") {
      ctx.fillRect(x - 0.5, y + LANE_H - 8, 1, 6);
    } else {
      ctx.fillRect(x - 2.5, y + 13, 5, 5); // below the band's label
    }
    ctx.globalAlpha = 1;
    if (selected && selected.type === "mark" && selected.i === j) { ctx.strokeStyle = "#000"; ctx.lineWidth = 2; ctx.strokeRect(x - 6, y + 1, 12, LANE_H - 2); }
    drawn.marks++;
  }
  // the failure, pinned at its time
  if (M.failure && M.failure.t >= v0 && M.failure.t <= v1) {
    var xf = X(M.failure.t); ctx.strokeStyle = "#d00"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(xf, AXIS_H); ctx.lineTo(xf, H); ctx.stroke();
    ctx.fillStyle = "#d00"; ctx.fillText("✖ " + M.failure.text.split("\n")[0].slice(0, 80), Math.min(xf + 4, W - 300), AXIS_H + 6);
  }
  ctx.restore();
  // axis and labels
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, AXIS_H); ctx.fillRect(0, AXIS_H, LABEL_W, H);
  ctx.fillStyle = "#333"; ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1;
  var span = v1 - v0, step = Math.pow(10, Math.floor(Math.log10(span / 6)));
  if (span / step > 12) step *= 5; else if (span / step > 6) step *= 2;
  for (var t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
    var x = X(t); ctx.beginPath(); ctx.moveTo(x, AXIS_H - 6); ctx.lineTo(x, AXIS_H); ctx.stroke();
    ctx.fillText(step >= 1000 ? (t / 1000).toFixed(0) + "s" : step >= 1 ? (t / 1000).toFixed(3) + "s" : t.toFixed(3) + "ms", x + 2, 10);
  }
  for (var l = 0; l < nLanes; l++) if (inView(l)) { ctx.fillStyle = "#222"; ctx.fillText(LABELS[l], 6, Y(l) + LANE_H / 2); }
  document.getElementById("range").textContent = fmt(v0) + " – " + fmt(v1);
}

// ---- selection and details -------------------------------------------------------------
function fields(ev) {
  var out = [];
  for (var k in ev) if (Object.prototype.hasOwnProperty.call(ev, k)) out.push(k + ": " + JSON.stringify(ev[k]));
  return out.join("\n");
}
function describe(s) {
  if (s.type === "rpc") {
    var j = s.i, send = ev(M.rpc.ev[j]), endEv = M.rpc.endEv[j] >= 0 ? ev(M.rpc.endEv[j]) : null;
    return "RPC " + M.methods[M.rpc.method[j]] + "\n" +
      "from: " + LABELS[M.rpc.from[j]] + "\nto: " + (M.rpc.to[j] >= 0 ? LABELS[M.rpc.to[j]] : "?") + "\n" +
      "sent: " + fmt(M.rpc.send[j]) + "\n" +
      "delivered: " + (M.rpc.deliver[j] >= 0 ? fmt(M.rpc.deliver[j]) : "never") + "\n" +
      (M.rpc.status[j] === 1 ? "replied: " + fmt(M.rpc.end[j]) : M.rpc.status[j] === 2 ? "dropped: " + fmt(M.rpc.end[j]) + " (" + (endEv && endEv.why) + ")" : "no reply in the trace") + "\n" +
      "request bytes: " + send.bytes + (endEv && endEv.bytes !== undefined ? "\nreply bytes: " + endEv.bytes : "") +
      "\n\n— send event —\n" + fields(send) + (endEv ? "\n\n— " + endEv.ev + " event —\n" + fields(endEv) : "");
  }
  if (s.type === "band") {
    var k = M.bands.kind[s.i];
    return (k === 0 ? "role" : k === 1 ? "down" : "links") + " on " + LABELS[M.bands.lane[s.i]] + ": " + M.bands.label[s.i] + "\n" +
      "from " + fmt(M.bands.t0[s.i]) + " to " + fmt(M.bands.t1[s.i]) + "\n\n— event that began it —\n" + fields(ev(M.bands.ev[s.i]));
  }
  if (s.type === "op") {
    return "op on " + LABELS[M.ops.lane[s.i]] + ": " + M.ops.label[s.i] + "\ncall: " + fmt(M.ops.call[s.i]) + "\nreturn: " + fmt(M.ops.ret[s.i]) +
      (M.ops.bad[s.i] ? "\nkey not linearizable (porcupine)" : "") + "\n\n" + fields(ev(M.ops.ev[s.i]));
  }
  return M.markKinds[M.marks.kind[s.i]] + " on " + LABELS[M.marks.lane[s.i]] + " at " + fmt(M.marks.t[s.i]) + "\n\n" + fields(ev(M.marks.ev[s.i]));
}
function timeOf(s) {
  return s.type === "rpc" ? M.rpc.send[s.i] : s.type === "band" ? M.bands.t0[s.i] : s.type === "op" ? M.ops.call[s.i] : M.marks.t[s.i];
}
function laneOfSel(s) {
  return s.type === "rpc" ? M.rpc.from[s.i] : s.type === "band" ? M.bands.lane[s.i] : s.type === "op" ? M.ops.lane[s.i] : M.marks.lane[s.i];
}
function select(s) {
  selected = s;
  details.textContent = s ? describe(s) : "";
  if (s) {
    revealLane(laneOfSel(s));
    var t = timeOf(s);
    if (t < v0 || t > v1) { var half = (v1 - v0) / 2; v0 = t - half; v1 = t + half; }
  }
  request();
}
function distSeg(px, py, x0, y0, x1, y1) {
  var dx = x1 - x0, dy = y1 - y0, len = dx * dx + dy * dy, u = len ? ((px - x0) * dx + (py - y0) * dy) / len : 0;
  u = Math.max(0, Math.min(1, u)); var qx = x0 + u * dx - px, qy = y0 + u * dy - py; return Math.sqrt(qx * qx + qy * qy);
}
/** Where mark j's glyph sits in its lane (see draw()): clicks are measured to it. */
function glyphY(j) {
  var y = Y(M.marks.lane[j]), glyph = M.markGlyphs[M.marks.kind[j]];
  if (glyph === "diamond" || glyph === "cross") return y + 8;
  if (glyph === "triangle") return y + LANE_H - 7;
  if (glyph === "tick") return y + LANE_H - 5;
  return y + 15.5;
}
function hit(x, y) {
  var slack = (v1 - v0) / (W - LABEL_W) * 7;
  var best = null, bd = 7;
  for (var j = lowerBound(M.marks.t, T(x) - slack), e = lowerBound(M.marks.t, T(x) + slack); j < e; j++) {
    if (!markVisible(j)) continue;
    var d = Math.hypot(X(M.marks.t[j]) - x, glyphY(j) - y); if (d < bd) { bd = d; best = { type: "mark", i: j }; }
  }
  // an RPC arrow wins over a mark only when it is clearly closer to the click
  bd = best ? Math.min(5, bd - 2) : 5;
  for (var j = lowerBound(M.rpc.send, v0 - maxRpc - 1), e = lowerBound(M.rpc.send, T(x) + slack); j < e; j++) {
    if (!rpcVisible(j)) continue;
    var fl = M.rpc.from[j], tl = M.rpc.to[j];
    if (M.rpc.deliver[j] < 0 || !visibleLane(tl) || !visibleLane(fl)) continue;
    var d = distSeg(x, y, X(M.rpc.send[j]), Y(fl) + LANE_H / 2, X(M.rpc.deliver[j]), Y(tl) + LANE_H / 2);
    if (d < bd) { bd = d; best = { type: "rpc", i: j }; }
  }
  if (best) return best;
  var t = T(x);
  for (var j = 0; j < M.ops.lane.length; j++) {
    if (opVisible(j) && M.ops.call[j] <= t && t <= M.ops.ret[j] && y >= Y(M.ops.lane[j]) && y < Y(M.ops.lane[j]) + LANE_H) return { type: "op", i: j };
  }
  for (var j = 0; j < M.bands.lane.length; j++) {
    if (bandVisible(j) && M.bands.t0[j] <= t && t < M.bands.t1[j] && y >= Y(M.bands.lane[j]) && y < Y(M.bands.lane[j]) + LANE_H) return { type: "band", i: j };
  }
  return null;
}

// ---- stepping through events -----------------------------------------------------------------
var order = null;
function buildOrder() {
  order = [];
  for (var j = 0; j < M.rpc.send.length; j++) order.push([M.rpc.send[j], 0, j]);
  for (var j = 0; j < M.marks.t.length; j++) order.push([M.marks.t[j], 1, j]);
  for (var j = 0; j < M.ops.call.length; j++) order.push([M.ops.call[j], 2, j]);
  for (var j = 0; j < M.bands.t0.length; j++) order.push([M.bands.t0[j], 3, j]);
  order.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
}
var TYPES = ["rpc", "mark", "op", "band"];
function itemVisible(o) { return o[1] === 0 ? rpcVisible(o[2]) : o[1] === 1 ? markVisible(o[2]) : o[1] === 2 ? opVisible(o[2]) : bandVisible(o[2]); }
function step(dir) {
  if (order === null) buildOrder();
  var pos;
  if (selected) {
    var ty = TYPES.indexOf(selected.type);
    pos = -1;
    var t = timeOf(selected);
    for (var j = Math.max(0, binOrder(t) - 1); j < order.length; j++) { if (order[j][1] === ty && order[j][2] === selected.i) { pos = j; break; } }
    if (pos < 0) pos = binOrder(t);
  } else pos = dir > 0 ? binOrder(v0) - 1 : binOrder(v1);
  for (var j = pos + dir; j >= 0 && j < order.length; j += dir) {
    if (itemVisible(order[j])) { select({ type: TYPES[order[j][1]], i: order[j][2] }); return; }
  }
}
function binOrder(t) { var lo = 0, hi = order.length; while (lo < hi) { var mid = (lo + hi) >> 1; if (order[mid][0] < t) lo = mid + 1; else hi = mid; } return lo; }

// ---- zoom, pan, keys ---------------------------------------------------------------------
function zoom(f, at) {
  var t = at === undefined ? (v0 + v1) / 2 : at;
  var nv0 = t - (t - v0) * f, nv1 = t + (v1 - t) * f;
  if (nv1 - nv0 < 0.01) return;
  v0 = nv0; v1 = nv1; request();
}
canvas.addEventListener("wheel", function (ev) {
  ev.preventDefault();
  if (ev.shiftKey) { var d = (v1 - v0) * 0.1 * Math.sign(ev.deltaY || ev.deltaX); v0 += d; v1 += d; request(); return; }
  var r = canvas.getBoundingClientRect(); zoom(ev.deltaY > 0 ? 1.25 : 0.8, T(ev.clientX - r.left));
}, { passive: false });
var drag = null;
canvas.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, v0: v0, v1: v1, moved: false }; });
window.addEventListener("mousemove", function (ev) {
  if (!drag) return;
  var dx = ev.clientX - drag.x; if (Math.abs(dx) > 3) drag.moved = true;
  if (drag.moved) { var dt = dx / (W - LABEL_W) * (drag.v1 - drag.v0); v0 = drag.v0 - dt; v1 = drag.v1 - dt; request(); }
});
window.addEventListener("mouseup", function (ev) {
  if (!drag) return;
  var wasDrag = drag.moved; drag = null;
  if (wasDrag) return;
  var r = canvas.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
  if (x < LABEL_W || y < AXIS_H || x > W || y > H) return;
  select(hit(x, y)); canvas.focus();
});
document.addEventListener("keydown", function (ev) {
  if (ev.target && ev.target.tagName === "INPUT") return;
  if (ev.key === "ArrowRight" || ev.key === "n") { step(1); ev.preventDefault(); }
  else if (ev.key === "ArrowLeft" || ev.key === "p") { step(-1); ev.preventDefault(); }
  else if (ev.key === "+" || ev.key === "=") zoom(0.5);
  else if (ev.key === "-") zoom(2);
  else if (ev.key === "0") { v0 = M.tMin; v1 = M.tMax; request(); }
});
document.getElementById("zoom-in").onclick = function () { zoom(0.5); };
document.getElementById("zoom-out").onclick = function () { zoom(2); };
document.getElementById("zoom-reset").onclick = function () { v0 = M.tMin; v1 = M.tMax; request(); };
document.getElementById("next").onclick = function () { step(1); };
document.getElementById("prev").onclick = function () { step(-1); };
window.addEventListener("resize", function () { layout(); request(); });
wrap.addEventListener("scroll", function () { request(); });
/** Scroll so that lane l's row is in view (a selection on a lane below the fold). */
function revealLane(l) {
  if (!visibleLane(l)) return;
  var top = rows[l] * LANE_H, room = H - AXIS_H - LANE_H;
  if (top < SY || top > SY + room) { wrap.scrollTop = Math.max(0, top - room / 2); SY = Math.max(0, Math.min(wrap.scrollTop, FULL_H - H)); }
}

// ---- hooks for the browser tests -------------------------------------------------------------
window.__timeline = {
  lanes: M.lanes.slice(), labels: LABELS.slice(), peerLanes: M.peerLanes, events: M.eventCount, rpcs: M.rpc.send.length,
  /** The canvas's size in CSS pixels: one view, however many lanes. */
  canvasSize: function () { return { w: W, h: H, full: FULL_H }; },
  drawn: function () { return drawn; },
  /** Page coordinates of RPC j's arrow midpoint, or null when it is not drawn. */
  locateRpc: function (j) {
    if (M.rpc.deliver[j] < 0 || !visibleLane(M.rpc.from[j]) || !visibleLane(M.rpc.to[j])) return null;
    var r = canvas.getBoundingClientRect();
    var x = (X(M.rpc.send[j]) + X(M.rpc.deliver[j])) / 2, y = (Y(M.rpc.from[j]) + Y(M.rpc.to[j])) / 2 + LANE_H / 2;
    return { x: r.left + x, y: r.top + y };
  },
  /** Zoom to key k's clerk ops and select the first (as a porcupine key link does); how many there are. */
  focusKey: function (k) { focusKey(k); draw(); return M.ops.key.filter(function (x) { return x === k; }).length; },
  /** Show [a, b] (virtual ms). */
  view: function (a, b) { v0 = a; v1 = b; draw(); },
  method: function (j) { return M.methods[M.rpc.method[j]]; },
  selected: function () { return selected; },
  ready: false,
};
layout(); draw();
window.__timeline.ready = true;
})();
