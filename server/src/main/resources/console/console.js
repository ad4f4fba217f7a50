// Funnel console: polls /admin/console/state and draws scenes, DAG graphs with live per-node
// numbers, models and reload errors. Plain DOM + SVG; no build step. The admin token travels as a
// cookie set when the page was opened with ?token=…, or as a bearer token kept in sessionStorage.
(function () {
  'use strict';
  var STATE_URL = '../admin/console/state';
  var timer = null;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in (attrs || {})) {
      if (k === 'text') { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    }
    (children || []).forEach(function (c) { if (c) { e.appendChild(c); } });
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var k in (attrs || {})) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function fmt(x, digits) {
    return (x === null || x === undefined || isNaN(x)) ? '–' : Number(x).toFixed(digits === undefined ? 2 : digits);
  }
  function pct(x) { return (x === null || x === undefined) ? '–' : (100 * x).toFixed(1) + '%'; }
  function shortName(path) { var i = String(path).lastIndexOf('/'); return i < 0 ? String(path) : String(path).substring(i + 1); }
  function clear(id) { var e = document.getElementById(id); e.innerHTML = ''; return e; }
  function table(head, rows) {
    var t = el('table');
    t.appendChild(el('tr', {}, head.map(function (h) { return el('th', { text: h }); })));
    rows.forEach(function (r) {
      t.appendChild(el('tr', {}, r.map(function (c) { return c instanceof Node ? el('td', {}, [c]) : el('td', { text: String(c) }); })));
    });
    return t;
  }

  function renderReload(reload) {
    var box = clear('reload');
    var failing = (reload && reload.files || []).filter(function (f) { return f.state === 'failed'; });
    if (failing.length === 0) {
      box.appendChild(el('p', { 'class': 'ok', text: 'All ' + ((reload && reload.files) || []).length + ' config files are live.' }));
    }
    failing.forEach(function (f) {
      var div = el('div', { 'class': 'reload-error', 'data-file': f.file });
      div.appendChild(el('h3', { 'class': 'bad', title: f.file, text: shortName(f.file) + (f.live_hash ? ' — last good version ' + f.live_hash + ' still serving' : ' — not live') }));
      f.problems.forEach(function (p) { div.appendChild(el('div', { 'class': 'problem', text: p.text })); });
      box.appendChild(div);
    });
    var recent = (reload && reload.recent || []).slice(0, 8);
    if (recent.length) {
      box.appendChild(el('h3', { text: 'Recent reloads' }));
      box.appendChild(table(['when', 'file', 'result'], recent.map(function (e) {
        return [new Date(e.at_ms).toISOString().replace('T', ' ').replace('Z', ''), shortName(e.file),
          el('span', { 'class': e.ok ? 'ok' : 'bad', text: e.ok ? 'live ' + (e.hash || 'removed') : (e.problems[0] ? e.problems[0].text : 'failed') })];
      })));
    }
  }

  function renderScenes(scenes) {
    var box = clear('scenes');
    var rows = [];
    (scenes || []).forEach(function (s) {
      (s.routes || []).forEach(function (r) {
        rows.push([s.scene, r.name || '', r.dag, r.buckets ? '[' + r.buckets[0] + ', ' + r.buckets[1] + ')' : '',
          r.overrides && Object.keys(r.overrides).length ? JSON.stringify(r.overrides) : '']);
      });
    });
    box.appendChild(rows.length ? table(['scene', 'route', 'dag', 'buckets', 'overrides'], rows)
      : el('p', { 'class': 'muted', text: 'no scenes' }));
  }

  function layout(nodes) {
    var byId = {}, depth = {};
    nodes.forEach(function (n) { byId[n.id] = n; });
    function d(id, seen) {
      if (depth[id] !== undefined) { return depth[id]; }
      if (seen[id]) { return 0; }
      seen[id] = true;
      var n = byId[id], best = 0;
      (n && n.after || []).forEach(function (u) { if (byId[u]) { best = Math.max(best, d(u, seen) + 1); } });
      depth[id] = best;
      return best;
    }
    nodes.forEach(function (n) { d(n.id, {}); });
    var cols = [];
    nodes.forEach(function (n) { (cols[depth[n.id]] = cols[depth[n.id]] || []).push(n.id); });
    return { depth: depth, cols: cols };
  }

  function health(n, deadlineMs) {
    if ((n.error_rate || 0) > 0.01 || (n.timeout_rate || 0) > 0.05) { return 'bad'; }
    if ((n.timeout_rate || 0) > 0.001 || (n.width_factor !== undefined && n.width_factor < 0.999)
        || (n.deadline_ms && n.p99_ms > 0.8 * n.deadline_ms)) { return 'warn'; }
    return 'ok';
  }

  function renderDag(dag) {
    var W = 142, H = 84, GX = 26, GY = 14;
    var lay = layout(dag.nodes);
    var rows = Math.max.apply(null, lay.cols.map(function (c) { return c.length; }).concat([1]));
    var width = lay.cols.length * (W + GX) + 10, height = rows * (H + GY) + 10;
    var pos = {};
    lay.cols.forEach(function (col, ci) {
      var off = (rows - col.length) * (H + GY) / 2;
      col.forEach(function (id, ri) { pos[id] = { x: 5 + ci * (W + GX), y: 5 + off + ri * (H + GY) }; });
    });
    var LANE = 14;
    height += LANE;
    Object.keys(pos).forEach(function (id) { pos[id].y += LANE; });
    var s = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, 'class': 'graph', 'data-dag': dag.name });
    var defs = svg('defs');
    var marker = svg('marker', { id: 'arrow-' + dag.name, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#9aa6b2' }));
    defs.appendChild(marker);
    s.appendChild(defs);
    dag.nodes.forEach(function (n) {
      (n.after || []).forEach(function (u) {
        if (!pos[u]) { return; }
        var a = pos[u], b = pos[n.id], d;
        var x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
        if (lay.depth[n.id] - lay.depth[u] > 1) {
          // Skips a column: run along the lane above the boxes so it never passes behind one.
          var r = 6, ly = LANE / 2;
          d = 'M' + x1 + ',' + y1 + ' H' + (x1 + GX / 2 - r) + ' Q' + (x1 + GX / 2) + ',' + y1 + ' ' + (x1 + GX / 2) + ',' + (y1 - r)
            + ' V' + (ly + r) + ' Q' + (x1 + GX / 2) + ',' + ly + ' ' + (x1 + GX / 2 + r) + ',' + ly
            + ' H' + (x2 - GX / 2 - r) + ' Q' + (x2 - GX / 2) + ',' + ly + ' ' + (x2 - GX / 2) + ',' + (ly + r)
            + ' V' + (y2 - r) + ' Q' + (x2 - GX / 2) + ',' + y2 + ' ' + (x2 - GX / 2 + r) + ',' + y2 + ' H' + x2;
        } else {
          var mx = (x1 + x2) / 2;
          d = 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2;
        }
        s.appendChild(svg('path', { 'class': 'edge', d: d, 'marker-end': 'url(#arrow-' + dag.name + ')' }));
      });
    });
    dag.nodes.forEach(function (n) {
      var p = pos[n.id];
      var cls = 'node ' + health(n) + (n.id === dag.output ? ' output' : '');
      var g = svg('g', { 'class': cls, transform: 'translate(' + p.x + ',' + p.y + ')', 'data-node': n.id,
        'data-p50': fmt(n.p50_ms, 3), 'data-p99': fmt(n.p99_ms, 3), 'data-count': n.count || 0 });
      g.appendChild(svg('rect', { width: W, height: H }));
      g.appendChild(svg('text', { x: 8, y: 16, 'class': 'id' }, n.id));
      g.appendChild(svg('text', { x: 8, y: 30, 'class': 'op' }, n.op + (n.deadline_ms ? ' ≤' + n.deadline_ms + 'ms' : '')));
      g.appendChild(svg('text', { x: 8, y: 46 }, 'p50 ' + fmt(n.p50_ms) + ' p99 ' + fmt(n.p99_ms) + ' ms'));
      g.appendChild(svg('text', { x: 8, y: 61 }, 't/o ' + pct(n.timeout_rate) + '  err ' + pct(n.error_rate)));
      var narrow = n.width_factor !== undefined && n.width_factor !== null && n.width_factor < 0.999;
      g.appendChild(svg('text', { x: 8, y: 76, 'class': narrow ? 'narrow' : '' },
        'width ' + fmt(n.width_factor === undefined ? 1 : n.width_factor) + (n.target_p95_ms ? ' · p95≤' + n.target_p95_ms + 'ms' : '')));
      var title = svg('title', {}, n.id + ' (' + n.op + ')\nafter: ' + (n.after || []).join(', ')
        + '\nrate ' + fmt(n.rate_per_s, 1) + '/s, p95 ' + fmt(n.p95_ms) + ' ms, ' + (n.count || 0) + ' runs in window');
      g.appendChild(title);
      s.appendChild(g);
    });
    return s;
  }

  function renderDags(dags) {
    var box = clear('dags');
    (dags || []).forEach(function (d) {
      var div = el('div', { 'class': 'dag', id: 'dag-' + d.name });
      div.appendChild(el('h3', { text: d.name + '  ' }, [el('span', { 'class': 'muted mono', text: d.version + ' · ' + shortName(d.file || '') + ' · deadline ' + d.deadline_ms + ' ms'
        + (d.requests_per_s !== undefined ? ' · ' + fmt(d.requests_per_s, 1) + ' req/s' : '') })]));
      div.appendChild(renderDag(d));
      box.appendChild(div);
    });
    if (!dags || dags.length === 0) { box.appendChild(el('p', { 'class': 'muted', text: 'no DAGs live' })); }
  }

  function renderModels(models) {
    var box = clear('models');
    box.appendChild((models || []).length ? table(['model', 'version', 'freshness'], models.map(function (m) {
      var age = m.age_seconds;
      return [m.name, el('span', { 'class': 'mono', text: String(m.version) }),
        el('span', { 'class': age > 300 ? 'bad' : age > 30 ? 'warn' : 'ok', text: age === null || age === undefined ? '–' : fmt(age, 1) + ' s ago' })];
    })) : el('p', { 'class': 'muted', text: 'no models registered' }));
  }

  // Opened as /console/?token=…: keep the token for this tab's API calls and drop it from the address bar.
  (function takeToken() {
    var q = new URLSearchParams(window.location.search);
    if (q.get('token')) {
      sessionStorage.setItem('funnelAdminToken', q.get('token'));
      history.replaceState(null, '', window.location.pathname);
    }
  })();

  function headers() {
    var t = sessionStorage.getItem('funnelAdminToken');
    return t ? { Authorization: 'Bearer ' + t } : {};
  }

  function load() {
    return fetch(STATE_URL, { credentials: 'same-origin', headers: headers(), cache: 'no-store' })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) {
          var t = window.prompt('Admin token');
          if (t) { sessionStorage.setItem('funnelAdminToken', t); }
          throw new Error('unauthorized');
        }
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(function (st) {
        renderReload(st.reload);
        renderScenes(st.scenes);
        renderDags(st.dags);
        renderModels(st.models);
        var s = document.getElementById('status');
        s.textContent = 'updated ' + new Date(st.generated_ms || Date.now()).toISOString().substring(11, 19) + ' UTC';
        s.className = 'muted';
        document.body.setAttribute('data-loaded', 'true');
      })
      .catch(function (e) {
        var s = document.getElementById('status');
        s.textContent = 'error: ' + e.message;
        s.className = 'bad';
      });
  }

  function schedule() {
    if (timer) { clearInterval(timer); timer = null; }
    var ms = Number(document.getElementById('refresh').value);
    if (ms > 0) { timer = setInterval(load, ms); }
  }

  document.getElementById('refresh').addEventListener('change', schedule);
  load();
  schedule();
})();
