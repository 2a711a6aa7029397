// The visualization page's script: plain browser JavaScript (no modules, no build step),
// which visualize-page.ts inlines into the page.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('porcupine-data').textContent);
  var ROW = 30, BAR = 22, GUTTER = 90, TOP = 26;
  var tip = document.getElementById('tip');
  var ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
  function fmt(t) { return String(Math.round(t * 1000) / 1000); }
  function cut(s, n) { return s.length <= n ? s : (n > 1 ? s.slice(0, n - 1) + '\u2026' : ''); }

  var total = 0;
  data.partitions.forEach(function (p) { total += p.ops.length; });
  document.getElementById('summary').innerHTML = 'result: <span class="badge b-' + esc(data.result) + '">' +
    esc(data.result) + '</span> &nbsp; ' + total + ' operations in ' + data.partitions.length + ' partition(s)';

  var firstBad = -1;
  var parts = document.getElementById('parts');
  data.partitions.forEach(function (p, i) {
    if (firstBad < 0 && p.status === 'illegal') firstBad = i;
    var d = document.createElement('details');
    d.id = 'p' + i;
    d.innerHTML = '<summary>' + esc(p.title) + ' <span class="badge b-' + esc(p.status) + '">' + esc(p.status) +
      '</span> <span style="font-weight:normal">' + p.ops.length + ' ops</span></summary>';
    parts.appendChild(d);
    var view = null;
    d.addEventListener('toggle', function () { if (d.open && !view) view = makeView(p, d); });
    if (p.status === 'illegal' || p.status === 'unknown' || data.partitions.length === 1) d.open = true;
  });
  var jump = document.getElementById('jump');
  if (firstBad < 0) jump.style.display = 'none';
  else jump.href = '#p' + firstBad;

  function makeView(p, root) {
    var view = { p: p, lin: 0, sel: -1 };
    var controls = document.createElement('div');
    controls.className = 'controls';
    var scroll = document.createElement('div');
    scroll.className = 'scroll';
    var details = document.createElement('div');
    details.className = 'details';
    details.textContent = 'hover over an operation for details; click to pin it (and show the longest linearization that holds it)';
    root.appendChild(controls);
    root.appendChild(scroll);
    root.appendChild(details);

    if (p.linearizations.length > 0) {
      var opts = p.linearizations.map(function (l, i) {
        var label = l.ops.length === p.ops.length ? 'full linearization' :
          (i === 0 ? 'longest linearizable prefix: ' : 'partial linearization: ') + l.ops.length + ' of ' + p.ops.length + ' ops';
        return '<option value="' + i + '">#' + i + ' ' + esc(label) + '</option>';
      }).join('');
      controls.innerHTML = 'show: <select>' + opts + '</select> <span class="after"></span>';
      var sel = controls.querySelector('select');
      sel.addEventListener('change', function () { view.lin = Number(sel.value); draw(); });
    } else {
      controls.textContent = p.status === 'illegal' ? 'no operation can be linearized first' :
        'no linearization recorded (' + p.status + ')';
    }

    var clients = [];
    p.ops.forEach(function (o) { if (clients.indexOf(o.client) < 0) clients.push(o.client); });
    clients.sort(function (a, b) { return a - b; });
    var rowOf = {};
    clients.forEach(function (c, i) { rowOf[c] = i; });
    var slotTime = [];
    p.ops.forEach(function (o) { slotTime[o.callSlot] = o.call; slotTime[o.retSlot] = o.ret; });
    // Warp time greedily, left to right: each slot a little after the previous one, and
    // each return far enough after its call for the op's label (up to LABEL chars).
    var callOfRet = [], slotX = [], LABEL = 28, GAP = 10;
    p.ops.forEach(function (o) { callOfRet[o.retSlot] = o; });
    for (var s = 0; s < 2 * p.ops.length; s++) {
      var x = s === 0 ? GUTTER : slotX[s - 1] + GAP;
      var o = callOfRet[s];
      if (o) x = Math.max(x, slotX[o.callSlot] + Math.min(o.desc.length, LABEL) * 6.6 + 8);
      slotX[s] = Math.round(x);
    }
    var width = (slotX.length > 0 ? slotX[slotX.length - 1] : GUTTER) + 40;

    function x1(o) { return slotX[o.callSlot]; }
    function x2(o) { return slotX[o.retSlot]; }
    function yMid(o) { return TOP + rowOf[o.client] * ROW + ROW / 2; }

    function lpPoints(seq) {
      var prev = GUTTER - 4, pts = [];
      seq.forEach(function (k) {
        var o = p.ops[k], lo = x1(o) + 3, hi = x2(o) - 3;
        var x = Math.max(prev + 3, lo);
        if (x > hi) x = Math.max(lo, Math.min(hi, prev));
        pts.push([x, yMid(o)]);
        prev = x;
      });
      return pts;
    }

    function draw() {
      var lin = p.linearizations[view.lin];
      var pos = {}, i;
      if (lin) lin.ops.forEach(function (k, j) { pos[k] = j; });
      var stuck = {};
      if (view.lin === 0) p.stuck.forEach(function (k) { stuck[k] = true; });
      var w = width, h = TOP + clients.length * ROW + 8;
      var out = ['<svg width="' + w + '" height="' + h + '">'];
      clients.forEach(function (c, r) {
        out.push('<text class="client" x="4" y="' + (TOP + r * ROW + ROW / 2 + 4) + '">client ' + esc(c) + '</text>');
      });
      var lastTick = -1e9;
      for (i = 0; i < slotTime.length; i++) {
        if (slotX[i] - lastTick < 80) continue;
        lastTick = slotX[i];
        out.push('<text class="tick" x="' + slotX[i] + '" y="12">' + esc(fmt(slotTime[i])) + '</text>');
      }
      p.ops.forEach(function (o, k) {
        var cls = stuck[k] ? 'stuck' : (k in pos ? 'lin' : 'out');
        if (k === view.sel) cls += ' sel';
        var a = x1(o), b = x2(o), y = yMid(o) - BAR / 2;
        out.push('<g class="op" data-k="' + k + '"><rect class="' + cls + '" x="' + a + '" y="' + y + '" width="' + (b - a) +
          '" height="' + BAR + '" rx="2"/>');
        var chars = Math.floor((b - a - 6) / 6.6);
        if (chars >= 3) out.push('<text x="' + (a + 3) + '" y="' + (y + 15) + '">' + esc(cut(o.desc, chars)) + '</text>');
        out.push('</g>');
      });
      var pts = lin ? lpPoints(lin.ops) : [];
      if (pts.length > 0) {
        out.push('<polyline class="lp" points="' + pts.map(function (q) { return q[0] + ',' + q[1]; }).join(' ') + '"/>');
        pts.forEach(function (q) { out.push('<circle class="lpdot" cx="' + q[0] + '" cy="' + q[1] + '" r="2.5"/>'); });
      }
      var last = pts.length > 0 ? pts[pts.length - 1] : [GUTTER - 4, TOP];
      Object.keys(stuck).forEach(function (k) {
        var o = p.ops[k];
        out.push('<line class="bad" x1="' + last[0] + '" y1="' + last[1] + '" x2="' + Math.max(last[0] + 3, x1(o) + 3) +
          '" y2="' + yMid(o) + '"/>');
      });
      out.push('</svg>');
      scroll.innerHTML = out.join('');
      var after = controls.querySelector('.after');
      if (after && lin) {
        var st = lin.ops.length === 0 ? p.initState : lin.states[lin.states.length - 1];
        after.textContent = st === undefined ? '' : 'state after it: ' + cut(st, 160);
      }
      if (view.sel >= 0) details.textContent = describe(view.sel);
    }

    function describe(k) {
      var o = p.ops[k], lin = p.linearizations[view.lin], lines = [o.desc];
      lines.push('client ' + o.client + ', call ' + fmt(o.call) + ', return ' + fmt(o.ret));
      var j = lin ? lin.ops.indexOf(k) : -1;
      if (j >= 0) {
        lines.push('step ' + (j + 1) + ' of linearization #' + view.lin);
        if (lin.states.length === lin.ops.length) {
          lines.push('state before: ' + (j > 0 ? lin.states[j - 1] : p.initState));
          lines.push('state after:  ' + lin.states[j]);
        } else {
          lines.push('(states not recorded for this large partition, which is ok)');
        }
      } else if (view.lin === 0 && p.stuck.indexOf(k) >= 0) {
        lines.push('\u27e8invalid op\u27e9: could come next after the longest prefix, but no order of the remaining ops fits');
      } else {
        lines.push(p.largest[k] >= 0 ? 'not in this linearization (see #' + p.largest[k] + ')' : 'in no linearizable prefix found');
      }
      return lines.join('\n');
    }

    function opAt(ev) {
      var g = ev.target.closest ? ev.target.closest('g.op') : null;
      return g ? Number(g.getAttribute('data-k')) : -1;
    }
    scroll.addEventListener('mousemove', function (ev) {
      var k = opAt(ev);
      if (k < 0) { tip.style.display = 'none'; return; }
      tip.textContent = describe(k);
      tip.style.display = 'block';
      tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 540) + 'px';
      tip.style.top = (ev.clientY + 14) + 'px';
    });
    scroll.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
    scroll.addEventListener('click', function (ev) {
      var k = opAt(ev);
      if (k < 0 || k === view.sel) {
        view.sel = -1;
        details.textContent = 'no operation selected';
      } else {
        view.sel = k;
        if (p.largest[k] >= 0 && p.linearizations[view.lin].ops.indexOf(k) < 0) {
          view.lin = p.largest[k];
          controls.querySelector('select').value = String(view.lin);
        }
      }
      draw();
    });
    draw();
    return view;
  }
})();
