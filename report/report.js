/* tfc-report's page script: draws the scalar and histogram charts as SVG from the data block the
 * report carries, recomputes TensorBoard's smoothing when the slider moves, reads values out under
 * the pointer, switches log-y and the x axis, swaps the graph's pre-drawn views when a scope is
 * clicked, and lays out the checkpoint's variables. Plain JavaScript, no library, nothing fetched. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('tfc-data').textContent);
  var SVGNS = 'http://www.w3.org/2000/svg';
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
                 '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var W = 480, H = 290, M = {l: 58, r: 14, t: 10, b: 34};
  var hidden = {};  /* runs switched off in the runs table */

  function color(run) { return PALETTE[run % PALETTE.length]; }

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function html(name, cls, parent, text) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  /* ---- numbers ---- */

  function fmt(v) {
    if (v === undefined) return '';
    if (v === null) return 'NaN';
    if (!isFinite(v)) return v > 0 ? '\u221e' : v < 0 ? '-\u221e' : 'NaN';
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
    return String(+v.toPrecision(5));
  }

  function fmtTick(v, step) {
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(1);
    var digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    return v.toFixed(Math.min(digits, 8));
  }

  function niceTicks(lo, hi, n) {
    if (!(hi > lo)) { hi = lo + 1; lo = lo - 1; }
    var raw = (hi - lo) / n, step = Math.pow(10, Math.floor(Math.log10(raw))), err = raw / step;
    if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return {ticks: out, step: step};
  }

  /* ---- the series ---- */

  /* Steps and wall times come as differences; values as they were (null for NaN). */
  function decode(se) {
    var n = se.s.length, steps = new Array(n), walls = new Array(n), s = 0, t = 0;
    for (var i = 0; i < n; i++) {
      s += se.s[i]; t += se.t[i];
      steps[i] = s; walls[i] = se.t0 + t / 1000;
    }
    return {run: se.run, steps: steps, walls: walls};
  }

  /* TensorBoard's smoothing: a debiased exponential moving average over the finite values; a
   * non-finite value passes through and does not count; a series of one value is left alone. */
  function smooth(ys, w) {
    var out = new Array(ys.length), first = null, constant = true;
    for (var i = 0; i < ys.length; i++) {
      var y = ys[i];
      if (y === null || !isFinite(y)) continue;
      if (first === null) first = y; else if (y !== first) constant = false;
    }
    if (w <= 0 || constant) return ys.slice();
    var last = 0, n = 0;
    for (i = 0; i < ys.length; i++) {
      y = ys[i];
      if (y === null || !isFinite(y)) { out[i] = y; continue; }
      last = last * w + (1 - w) * y;
      n++;
      out[i] = w >= 1 ? last : last / (1 - Math.pow(w, n));
    }
    return out;
  }

  function xOf(series, i, mode) {
    if (mode === 'step') return series.steps[i];
    if (mode === 'relative') return series.walls[i] - series.walls[0];
    return series.walls[i];
  }

  function fmtX(v, mode, step) {
    if (mode === 'step') {
      /* SI prefixes, as TensorBoard writes large steps (200G, not 200000000k) */
      var e = Math.min(Math.floor(Math.log10(Math.abs(v)) / 3), 6);
      return Math.abs(v) >= 1e4 ? +(v / Math.pow(1000, e)).toPrecision(4) + 'kMGTPE'[e - 1] : fmtTick(v, step);
    }
    if (mode === 'relative') {
      if (step >= 3600) return +(v / 3600).toPrecision(4) + 'h';
      if (step >= 60) return +(v / 60).toPrecision(4) + 'min';
      return fmtTick(v, step) + 's';
    }
    /* ticks less than a second apart: the fraction too, to the step's last digit (12:30:05.25), the
     * time rounded to that digit first (a tick summed to 05.9999995 is 06.0, not 05.0) */
    var dec = step < 1 ? Math.min(6, Math.ceil(-Math.log10(step) - 1e-9)) : 0, scale = Math.pow(10, dec);
    var units = Math.round(v * scale), whole = Math.floor(units / scale);
    var d = new Date(whole * 1000), p = function (x) { return (x < 10 ? '0' : '') + x; };
    var frac = dec ? '.' + String(units - whole * scale).padStart(dec, '0') : '';
    return p(d.getHours()) + ':' + p(d.getMinutes()) + (step < 60 ? ':' + p(d.getSeconds()) + frac : '');
  }

  function xLabel(mode) {
    return mode === 'step' ? 'step' : mode === 'relative' ? 'time since the first point' : 'wall time';
  }

  /* ---- a chart frame: axes, grid, an overlay for the pointer ---- */

  function frame(svg, xr, yr, mode, log, xlabel) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var pw = W - M.l - M.r, ph = H - M.t - M.b;
    var sx = function (x) { return M.l + (x - xr[0]) / (xr[1] - xr[0] || 1) * pw; };
    var ty = log ? function (y) { return Math.log10(y); } : function (y) { return y; };
    var y0 = ty(yr[0]), y1 = ty(yr[1]);
    var sy = function (y) { return M.t + ph - (ty(y) - y0) / (y1 - y0 || 1) * ph; };
    var grid = el('g', {'class': 'grid'}, svg), axis = el('g', {'class': 'axis'}, svg);
    var xt = niceTicks(xr[0], xr[1], 6);
    var labels = xt.ticks.map(function (v) { return fmtX(v, mode, xt.step); });
    /* long labels (clock times to the millisecond) on every other tick or fewer, never overlapping:
     * about 6 px a character at the axis' 10 px */
    var widest = Math.max.apply(null, labels.map(function (t) { return t.length; }).concat([1]));
    var gap = xt.ticks.length > 1 ? sx(xt.ticks[1]) - sx(xt.ticks[0]) : pw;
    var every = Math.max(1, Math.ceil((widest * 6 + 8) / gap));
    xt.ticks.forEach(function (v, i) {
      var x = sx(v);
      el('line', {x1: x, x2: x, y1: M.t, y2: M.t + ph}, grid);
      if (i % every === 0) el('text', {x: x, y: M.t + ph + 13, 'text-anchor': 'middle'}, axis).textContent = labels[i];
    });
    var yt;
    if (log) {
      var lo = Math.floor(y0), hi = Math.ceil(y1), vals = [];
      for (var e = lo; e <= hi; e++) vals.push(Math.pow(10, e));
      yt = {ticks: vals.filter(function (v) { return v >= yr[0] && v <= yr[1]; }), step: 1};
      if (yt.ticks.length < 2) yt = niceTicks(yr[0], yr[1], 5);
    } else {
      yt = niceTicks(yr[0], yr[1], 5);
    }
    yt.ticks.forEach(function (v) {
      var y = sy(v);
      if (!(y >= M.t - 0.5 && y <= M.t + ph + 0.5)) return;
      el('line', {x1: M.l, x2: M.l + pw, y1: y, y2: y}, grid);
      el('text', {x: M.l - 5, y: y + 3, 'text-anchor': 'end'}, axis).textContent =
        log && yt.step === 1 ? (v >= 1e-3 && v < 1e6 ? String(+v.toPrecision(3)) : v.toExponential(0)) : fmtTick(v, yt.step);
    });
    el('path', {d: 'M' + M.l + ',' + M.t + 'V' + (M.t + ph) + 'H' + (M.l + pw), fill: 'none'}, axis);
    el('text', {x: M.l + pw / 2, y: H - 4, 'text-anchor': 'middle'}, axis).textContent = xlabel;
    return {sx: sx, sy: sy, pw: pw, ph: ph};
  }

  function pathOf(xs, ys, f, log) {
    var d = '', pen = false;
    for (var i = 0; i < xs.length; i++) {
      var y = ys[i];
      if (y === null || !isFinite(y) || (log && y <= 0)) { pen = false; continue; }
      d += (pen ? 'L' : 'M') + f.sx(xs[i]).toFixed(1) + ',' + f.sy(y).toFixed(1);
      pen = true;
    }
    return d || 'M0,0';
  }

  /* A point with no drawn neighbour makes no line: each such point as a dot (a run's single
   * value, or one between NaNs), as TensorBoard marks them. */
  function dots(xs, ys, f, log, col, svg) {
    var ok = function (i) { var y = ys[i]; return i >= 0 && i < ys.length && y !== null && isFinite(y) && !(log && y <= 0); };
    var at = function (i) { return f.sx(xs[i]).toFixed(1) + ',' + f.sy(ys[i]).toFixed(1); };
    var dot = function (i) { el('circle', {'class': 'dot', cx: f.sx(xs[i]).toFixed(1), cy: f.sy(ys[i]).toFixed(1), r: 3, fill: col}, svg); };
    /* points that all fall on one pixel (a run's values within a millisecond, by wall time) */
    var drawn = [];
    for (var i = 0; i < xs.length; i++) if (ok(i)) drawn.push(i);
    if (drawn.length > 1 && drawn.every(function (j) { return at(j) === at(drawn[0]); })) return dot(drawn[0]);
    for (i = 0; i < xs.length; i++)
      if (ok(i) && !ok(i - 1) && !ok(i + 1)) dot(i);
  }

  function range(arrays, log) {
    var lo = Infinity, hi = -Infinity;
    arrays.forEach(function (a) {
      for (var i = 0; i < a.length; i++) {
        var v = a[i];
        if (v === null || !isFinite(v) || (log && v <= 0)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    });
    if (lo === Infinity) return log ? [0.1, 1] : [0, 1];
    if (log) return hi > lo ? [lo / 1.1, hi * 1.1] : [lo / 2, hi * 2];
    var pad = (hi - lo) * 0.05 || Math.abs(lo) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }

  /* The index of the point whose x is nearest to x (xs ascending, or nearly). */
  function nearest(xs, x) {
    var lo = 0, hi = xs.length - 1;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (xs[mid] < x) lo = mid + 1; else hi = mid;
    }
    if (lo > 0 && Math.abs(xs[lo - 1] - x) <= Math.abs(xs[lo] - x)) lo--;
    return lo;
  }

  /* A vertical rule and a read-out table following the pointer over a chart. */
  function hover(card, svg, f, rows) {
    var rule = el('line', {y1: M.t, y2: M.t + f.ph, stroke: '#888', 'stroke-dasharray': '3,3', visibility: 'hidden'}, svg);
    var dots = el('g', {}, svg);
    var tip = html('div', 'tip', card);
    var overlay = el('rect', {x: M.l, y: M.t, width: f.pw, height: f.ph, fill: 'transparent'}, svg);
    overlay.addEventListener('mousemove', function (ev) {
      var box = svg.getBoundingClientRect(), px = (ev.clientX - box.left) * W / box.width;
      var found = rows(px);
      if (!found.length) return;
      rule.setAttribute('x1', found[0].x); rule.setAttribute('x2', found[0].x);
      rule.setAttribute('visibility', 'visible');
      while (dots.firstChild) dots.removeChild(dots.firstChild);
      var table = '<table>';
      found.forEach(function (r) {
        if (r.y !== null) el('circle', {cx: r.x, cy: r.y, r: 3, fill: r.color}, dots);
        table += '<tr>' + r.cells.map(function (c, k) {
          return '<td' + (k === 0 ? ' style="color:' + r.color + '"' : '') + '>' + c + '</td>';
        }).join('') + '</tr>';
      });
      tip.innerHTML = table + '</table>';
      tip.style.display = 'block';
      var cb = card.getBoundingClientRect();
      var left = ev.clientX - cb.left + 14;
      if (left + tip.offsetWidth > cb.width) left = ev.clientX - cb.left - tip.offsetWidth - 14;
      tip.style.left = Math.max(0, left) + 'px';
      tip.style.top = (ev.clientY - cb.top + 10) + 'px';
    });
    overlay.addEventListener('mouseleave', function () {
      tip.style.display = 'none';
      rule.setAttribute('visibility', 'hidden');
      while (dots.firstChild) dots.removeChild(dots.firstChild);
    });
  }

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c];
    });
  }

  /* ---- scalars ---- */

  var controls = {
    smoothing: document.getElementById('smoothing'),
    smoothingValue: document.getElementById('smoothing-value'),
    xaxis: document.getElementById('xaxis'),
    logy: document.getElementById('logy'),
    histmode: document.getElementById('histmode')
  };
  controls.smoothing.value = data.smoothing;

  var scalarCharts = data.scalars.map(function (tag) {
    var card = html('div', 'chart', document.getElementById('scalar-charts'));
    card.dataset.tag = tag.tag;
    html('h3', '', card, tag.tag);
    var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, 'class': 'scalar', role: 'img'}, card);
    if (data.runs.length <= 12) {
      var legend = html('div', 'legend', card);
      tag.series.forEach(function (se) {
        var s = html('span', '', legend, data.runs[se.run]);
        s.style.setProperty('--c', color(se.run));
      });
    }
    var series = tag.series.map(function (se) {
      var d = decode(se);
      d.values = se.v.map(function (v) { return v === null ? NaN : v; });
      return d;
    });
    return {card: card, svg: svg, tag: tag.tag, series: series};
  });

  function drawScalars() {
    var w = +controls.smoothing.value, mode = controls.xaxis.value, log = controls.logy.checked;
    controls.smoothingValue.textContent = w.toFixed(2);
    scalarCharts.forEach(function (c) {
      var shown = c.series.filter(function (s) { return !hidden[s.run]; });
      shown.forEach(function (s) {
        s.xs = s.values.map(function (_, i) { return xOf(s, i, mode); });
        s.smooth = smooth(s.values, w);
      });
      var xr = range(shown.map(function (s) { return s.xs; }), false);
      var xlo = Infinity, xhi = -Infinity;
      shown.forEach(function (s) { s.xs.forEach(function (x) { xlo = Math.min(xlo, x); xhi = Math.max(xhi, x); }); });
      /* one x for all: a step or a second either side (10% of a clock time was years) */
      if (xlo < xhi) xr = [xlo, xhi];
      else if (isFinite(xlo)) xr = [xlo - 1, xlo + 1];
      var f = frame(c.svg, xr, range(shown.map(function (s) { return s.values; }), log), mode, log, xLabel(mode));
      shown.forEach(function (s) {
        if (w > 0) el('path', {'class': 'raw', stroke: color(s.run), d: pathOf(s.xs, s.values, f, log)}, c.svg);
        el('path', {'class': 'smoothed', stroke: color(s.run), 'data-run': s.run,
                    d: pathOf(s.xs, s.smooth, f, log)}, c.svg);
        dots(s.xs, s.smooth, f, log, color(s.run), c.svg);
      });
      hover(c.card, c.svg, f, function (px) {
        var target = xr[0] + (px - M.l) / f.pw * (xr[1] - xr[0]), out = [];
        shown.forEach(function (s) {
          if (!s.xs.length) return;
          var i = nearest(s.xs, target), v = s.smooth[i];
          out.push({x: f.sx(s.xs[i]), y: v !== null && isFinite(v) && (!log || v > 0) ? f.sy(v) : null,
                    color: color(s.run), dist: Math.abs(s.xs[i] - target),
                    cells: [esc(data.runs[s.run]), 'step ' + s.steps[i], fmt(v), '(' + fmt(s.values[i]) + ')']});
        });
        /* the runs with a point nearest the pointer (all of them when they share steps) */
        var best = Math.min.apply(null, out.map(function (r) { return r.dist; }));
        out = out.filter(function (r) { return r.dist <= best * 1.0001 + 1e-12; });
        return out.slice(0, 20);
      });
    });
  }

  /* ---- histograms ---- */

  var histCharts = [];
  data.histograms.forEach(function (tag) {
    tag.series.forEach(function (se) {
      var card = html('div', 'chart', document.getElementById('histogram-charts'));
      card.dataset.tag = tag.tag;
      var h3 = html('h3', '', card, tag.tag);
      html('span', 'run', h3, data.runs[se.run]);
      var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, 'class': 'histogram', role: 'img'}, card);
      var d = decode(se);
      d.p = se.p; d.lo = se.lo; d.hi = se.hi; d.bs = se.bs || []; d.b = se.b || [];
      histCharts.push({card: card, svg: svg, series: d});
    });
  });

  var BANDS = [[0, 8, 0.18], [1, 7, 0.26], [2, 6, 0.34], [3, 5, 0.42]];

  function drawDistribution(c) {
    var s = c.series, col = color(s.run);
    var xr = s.steps.length > 1 ? [s.steps[0], s.steps[s.steps.length - 1]] : [s.steps[0] - 1, s.steps[0] + 1];
    var f = frame(c.svg, xr, range([s.p.map(function (q) { return q[0]; }), s.p.map(function (q) { return q[8]; })], false),
                  'step', false, 'step');
    /* a single step still shows: its bands as a short bar */
    var one = s.steps.length === 1, half = 4 / f.pw * (xr[1] - xr[0]);
    var xs = one ? [s.steps[0] - half, s.steps[0] + half] : s.steps, p = one ? [s.p[0], s.p[0]] : s.p;
    BANDS.forEach(function (b) {
      var d = '';
      for (var i = 0; i < xs.length; i++) d += (i ? 'L' : 'M') + f.sx(xs[i]).toFixed(1) + ',' + f.sy(p[i][b[1]]).toFixed(1);
      for (i = xs.length - 1; i >= 0; i--) d += 'L' + f.sx(xs[i]).toFixed(1) + ',' + f.sy(p[i][b[0]]).toFixed(1);
      el('path', {d: d + 'Z', fill: col, 'fill-opacity': b[2], stroke: 'none'}, c.svg);
    });
    el('path', {'class': 'median', stroke: col, d: pathOf(xs, p.map(function (q) { return q[4]; }), f, false)}, c.svg);
    hover(c.card, c.svg, f, function (px) {
      var target = xr[0] + (px - M.l) / f.pw * (xr[1] - xr[0]), i = nearest(s.steps, target), q = s.p[i];
      return [{x: f.sx(s.steps[i]), y: f.sy(q[4]), color: col,
               cells: ['step ' + s.steps[i], 'median ' + fmt(q[4]), 'range ' + fmt(q[0]) + ' \u2026 ' + fmt(q[8])]}];
    });
  }

  /* TensorBoard's offset view: the histograms of successive steps stacked, the newest in front. */
  function drawOffset(c) {
    var s = c.series, col = color(s.run), n = s.bs.length;
    var svg = c.svg;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    if (!n) return;
    var pw = W - M.l - M.r, ph = H - M.t - M.b, bins = s.b[0].length, top = 0;
    s.b.forEach(function (row) { row.forEach(function (v) { if (v > top) top = v; }); });
    var rise = ph * 0.55, shift = n > 1 ? (ph - rise) / (n - 1) : 0;
    var sx = function (x) { return M.l + (x - s.lo) / (s.hi - s.lo) * pw; };
    var grid = el('g', {'class': 'axis'}, svg);
    var xt = niceTicks(s.lo, s.hi, 6);
    xt.ticks.forEach(function (v) {
      el('text', {x: sx(v), y: M.t + ph + 13, 'text-anchor': 'middle'}, grid).textContent = fmtTick(v, xt.step);
    });
    el('text', {x: M.l + pw / 2, y: H - 4, 'text-anchor': 'middle'}, grid).textContent = 'value';
    for (var k = 0; k < n; k++) {
      var base = M.t + rise + k * shift, d = 'M' + sx(s.lo).toFixed(1) + ',' + base.toFixed(1);
      for (var b = 0; b < bins; b++) {
        var x = sx(s.lo + (b + 0.5) * (s.hi - s.lo) / bins);
        d += 'L' + x.toFixed(1) + ',' + (base - (top > 0 ? s.b[k][b] / top * rise : 0)).toFixed(1);
      }
      d += 'L' + sx(s.hi).toFixed(1) + ',' + base.toFixed(1) + 'Z';
      el('path', {d: d, fill: col, 'fill-opacity': 0.15 + 0.6 * (n > 1 ? k / (n - 1) : 1), stroke: '#fff', 'stroke-width': 0.6}, svg);
      if (k === 0 || k === n - 1 || (n > 4 && k === Math.floor(n / 2)))
        el('text', {x: M.l - 5, y: base + 3, 'text-anchor': 'end'}, grid).textContent = 'step ' + s.bs[k];
    }
  }

  function drawHistograms() {
    var mode = controls.histmode.value;
    histCharts.forEach(function (c) {
      c.card.querySelectorAll('.tip').forEach(function (t) { t.remove(); });
      if (mode === 'offset' && c.series.bs.length) drawOffset(c); else drawDistribution(c);
    });
  }

  /* ---- runs: colours and switches ---- */

  document.querySelectorAll('table.runs .swatch').forEach(function (sw) {
    var run = +sw.dataset.run;
    sw.style.setProperty('--c', color(run));
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.title = 'show this run';
    box.addEventListener('change', function () {
      hidden[run] = !box.checked;
      redrawScalars();
    });
    sw.parentNode.insertBefore(box, sw);
  });

  function redrawScalars() {
    scalarCharts.forEach(function (c) { c.card.querySelectorAll('.tip').forEach(function (t) { t.remove(); }); });
    drawScalars();
  }

  controls.smoothing.addEventListener('input', redrawScalars);
  controls.xaxis.addEventListener('change', redrawScalars);
  controls.logy.addEventListener('change', redrawScalars);
  controls.histmode.addEventListener('change', drawHistograms);

  if (!data.scalars.length) html('p', 'none', document.getElementById('scalar-charts'), 'No scalar summaries.');
  if (!data.histograms.length) html('p', 'none', document.getElementById('histogram-charts'), 'No histogram summaries.');
  drawScalars();
  drawHistograms();

  /* ---- the graph: pre-drawn views swapped by clicks ---- */

  /* Natural size, but never taller than most of the window: the width follows from the viewBox. */
  function fitGraph(svg) {
    var vb = svg.viewBox && svg.viewBox.baseVal;
    if (!vb || !vb.width || !vb.height) return;
    var w = Math.min(vb.width * 96 / 72, window.innerHeight * 0.7 * vb.width / vb.height);
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    svg.style.width = Math.round(w) + 'px';
  }

  document.querySelectorAll('.graph').forEach(function (g) {
    var views = {};
    g.querySelectorAll('.gview svg').forEach(fitGraph);
    g.querySelectorAll('.gview').forEach(function (v) { views[v.dataset.scope] = v; });
    function show(scope) {
      for (var k in views) views[k].hidden = k !== scope;
    }
    function openAncestor(path) {
      while (path) {
        var i = path.lastIndexOf('/');
        path = i < 0 ? '' : path.slice(0, i);
        if (views[path]) return path;
      }
      return '';
    }
    Object.keys(views).forEach(function (key) {
      views[key].querySelectorAll('g.node').forEach(function (n) {
        var t = n.querySelector('title');
        if (!t || !/\/$/.test(t.textContent)) return;
        var scope = t.textContent.slice(0, -1);
        if (views[scope]) {
          n.classList.add('openable');
          t.textContent = scope + ' (click to open)';
          n.addEventListener('click', function () { show(scope); });
        } else {
          t.textContent = scope + ' (not drawn open in this report: tfc-graph --expand ' + scope + ')';
        }
      });
      views[key].querySelectorAll('g.cluster').forEach(function (c) {
        var t = c.querySelector('title');
        if (!t) return;
        var path = t.textContent.replace(/^cluster_/, '');
        c.classList.add('foldable');
        t.textContent = path + ' (click to close)';
        c.addEventListener('click', function () { show(openAncestor(path)); });
      });
    });
  });

  /* ---- the checkpoint's variables ---- */

  (function () {
    var box = document.getElementById('checkpoint-table'), ck = data.checkpoint;
    if (!ck) { html('p', 'none', box, 'No checkpoint.'); return; }
    var total = ck.tensors.reduce(function (a, t) { return a + t.bytes; }, 0);
    html('p', '', box, ck.path + ' \u2014 V' + ck.version + ' checkpoint, ' + ck.tensors.length + ' tensors, ' +
         total.toLocaleString('en') + ' bytes');
    var table = html('table', 'ckpt', box), head = html('tr', '', table);
    ['name', 'dtype', 'shape', 'bytes', 'min', 'max', 'mean', 'std'].forEach(function (h) { html('th', '', head, h); });
    ck.tensors.forEach(function (t) {
      var tr = html('tr', '', table);
      [t.name, t.dtype, '[' + t.shape.join(',') + ']', t.bytes.toLocaleString('en'),
       fmt(t.min), fmt(t.max), fmt(t.mean), fmt(t.std)].forEach(function (v) { html('td', '', tr, v); });
    });
  })();
})();
