/*
 * The ops page's script (index.html; page.ts puts it inline and allows it by its hash): plain
 * browser JavaScript, no modules and no build step, linted by ESLint with browser globals.
 *
 * It reads the JSON endpoints of api.ts (/api/status, /api/dlq, /api/trace/:id) and builds every
 * element with textContent, never with HTML from the hub. The status refreshes every few seconds
 * (paused from the header, WCAG 2.2.2); the dead letters refresh when their depths change; a trace
 * is drawn as a tree that follows causation, and `#trace=<id>` in the address opens one.
 */
'use strict';
var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
var byId = function (id) { return document.getElementById(id); };
/* Seconds between refreshes of the status: the status section says how many, in its text and in data-refresh-seconds. */
var REFRESH_MS = 1000 * Number(byId('status').dataset.refreshSeconds);

function h(tag, props) {
  var el = document.createElement(tag);
  Object.entries(props || {}).forEach(function (entry) {
    var key = entry[0], value = entry[1];
    if (value === null || value === undefined || value === false) return;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'onclick') el.addEventListener('click', value);
    else el.setAttribute(key, value === true ? '' : String(value));
  });
  [].slice.call(arguments, 2).flat(Infinity).forEach(function (child) {
    if (child === null || child === undefined || child === false) return;
    el.append(child instanceof Node ? child : String(child));
  });
  return el;
}

function age(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return '–';
  var s = Math.max(0, Math.floor(seconds));
  var pad = function (n) { return String(n).padStart(2, '0'); };
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm ' + pad(s % 60) + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h ' + pad(Math.floor((s % 3600) / 60)) + 'm';
  return Math.floor(s / 86400) + 'd ' + pad(Math.floor((s % 86400) / 3600)) + 'h';
}
function plural(n, one, many) { return n + ' ' + (n === 1 ? one : (many || one + 's')); }
function clock(iso) { return iso ? iso.replace('T', ' ').replace('Z', ' UTC') : '–'; }
function time(iso) { return h('time', { datetime: iso, text: clock(iso) }); }
function num(value) { return h('td', { class: 'num', text: value }); }
function ageCell(seconds) { return h('td', { class: 'num', text: age(seconds) }); }
function replace(id, node) { var el = byId(id); el.replaceChildren(node); }

async function getJson(path) {
  var response = await fetch(path, { cache: 'no-store', headers: { accept: 'application/json' } });
  var body = await response.json().catch(function () { return {}; });
  return { status: response.status, body: body };
}

/* ---- status ---- */
var lastSummary = '';
var dlqSignature = null;
var dlqFetchedAt = 0;

function renderQueues(queues, functions) {
  var running = new Set(functions.map(function (f) { return f.name; }));
  var rows = queues.map(function (q) {
    var dead = q.dlqDepth > 0;
    var consumer = !q.consumer ? h('span', { class: 'muted', text: 'none (read from outside the hub)' })
      : running.has(q.consumer) ? q.consumer : [q.consumer, ' ', h('span', { class: 'muted', text: '(not running here)' })];
    return h('tr', { class: dead ? 'dead' : null, 'data-queue': q.name },
      h('th', { scope: 'row' }, h('code', { text: q.name })),
      h('td', null, consumer),
      num(q.depth), num(q.inFlight),
      q.oldestAgeSeconds === null && q.depth > 0 ? h('td', { class: 'num muted', text: 'not received yet' }) : ageCell(q.oldestAgeSeconds),
      h('td', { class: dead ? 'num bad' : 'num' }, dead ? ['⚠ ', String(q.dlqDepth)] : '0'),
      ageCell(q.dlqOldestAgeSeconds));
  });
  byId('queues-body').replaceChildren.apply(byId('queues-body'), rows);
}

function renderFunctions(functions) {
  var rows = functions.map(function (f) {
    return h('tr', null,
      h('th', { scope: 'row' }, h('code', { text: f.name })),
      num(f.invocations), num(f.records),
      h('td', { class: f.failedRecords ? 'num bad' : 'num', text: f.failedRecords }),
      h('td', { class: f.errors ? 'num bad' : 'num', text: f.errors }),
      h('td', { class: f.timeouts ? 'num bad' : 'num', text: f.timeouts }),
      num(f.inFlight), num(f.averageMs), num((f.recentRecords / 5).toFixed(1)));
  });
  byId('functions-body').replaceChildren.apply(byId('functions-body'), rows);
}

function renderRuns(runs, at) {
  if (!runs.length) return replace('runs', h('p', { class: 'muted', text: 'No open outreach runs.' }));
  var now = Date.parse(at);
  var items = runs.map(function (run) {
    var done = run.decided + run.unresolved;
    var labelId = 'run-' + run.runId;
    var progress = run.expected === null
      ? h('progress', { 'aria-labelledby': labelId })
      : h('progress', { max: Math.max(1, run.expected), value: Math.min(done, run.expected), 'aria-labelledby': labelId });
    var words = run.expected === null
      ? 'waiting for the source lists'
      : done + ' of ' + run.expected + ' candidates decided (' + Math.floor((100 * done) / Math.max(1, run.expected)) + '%)' +
        (run.unresolved ? ', ' + run.unresolved + ' unresolved' : '');
    return h('li', { 'data-run': run.runId },
      h('p', { id: labelId },
        h('strong', { text: 'Municipality ' + run.municipality + ' as of ' + run.asOf }), ' — phase ', h('strong', { text: run.phase }), ': ' + words),
      progress,
      run.stalled
        ? h('p', { class: 'stalled', role: 'status', text: 'Stalled: no progress for ' + age(run.idleSeconds) + ', waiting for ' + run.waitsFor +
            ' (the watchdog puts lost work back; koto-hub runs resume|abandon ' + run.runId + ')' })
        : run.waitsFor ? h('p', { class: 'muted', text: 'Waiting for ' + run.waitsFor }) : '',
      h('p', { class: 'muted' }, 'run ', h('code', { text: run.runId }), '; started ', time(run.startedAt),
        '; last progress ' + age((now - Date.parse(run.updatedAt)) / 1000) + ' ago'));
  });
  replace('runs', h('ul', { class: 'runs' }, items));
}

/* The wellbeing requests whose answers are still read: who is answered, and whether the deadline passed. */
function renderWellbeing(requests) {
  if (!requests.length) return replace('wellbeing', h('p', { class: 'muted', text: 'No open wellbeing requests.' }));
  var items = requests.map(function (r) {
    return h('li', { 'data-wellbeing': r.requestId, class: r.overdue ? 'bad' : null },
      r.overdue ? '⚠ ' : '', h('strong', { text: 'Municipality ' + r.municipality + ' → ' + r.county }),
      ': ' + r.kind + ', ' + r.answered + ' of ' + plural(r.people, 'person', 'people') + ' answered' + (r.overdue ? ', OVERDUE' : '') + '; due ', time(r.dueAt),
      h('p', { class: 'muted' }, 'request ', h('code', { text: r.requestId }), '; asked ', time(r.requestedAt)));
  });
  replace('wellbeing', h('ul', { class: 'wellbeing' }, items));
}

/* The circuit breaker of each register: a closed one answers; an open one is not called, its work waits on its queue. */
function renderBreakers(breakers, at) {
  if (!breakers.length) return replace('breakers', h('p', { class: 'muted', text: 'No register state reported.' }));
  var now = Date.parse(at);
  var items = breakers.map(function (b) {
    if (b.phase === 'closed') return h('li', { 'data-breaker': b.system }, h('strong', { text: b.system }), ': answering (breaker closed)');
    var next = b.nextProbeAt ? '; next probe in ' + age((Date.parse(b.nextProbeAt) - now) / 1000) : '; probing now';
    return h('li', { 'data-breaker': b.system, class: 'bad' }, '⚠ ', h('strong', { text: b.system }),
      ': not answering, breaker ' + b.phase + ' for ' + age((now - Date.parse(b.openSince)) / 1000) +
      ' — not called, its work waits on its queue' + next + ' (' + plural(b.failedProbes, 'failed probe') + ')');
  });
  replace('breakers', h('ul', { class: 'breakers' }, items));
}

function announce(status) {
  var waiting = status.queues.reduce(function (n, q) { return n + q.depth + q.inFlight; }, 0);
  var dead = status.queues.reduce(function (n, q) { return n + q.dlqDepth; }, 0);
  var sentence = plural(waiting, 'message') + ' on the queues, ' + plural(dead, 'dead letter') + ', ' + plural(status.runs.length, 'open outreach run') + '.';
  var box = byId('summary');
  box.classList.toggle('alert', dead > 0);
  if (sentence !== lastSummary) { box.textContent = (dead > 0 ? '⚠ ' : '') + sentence; lastSummary = sentence; }
  return status.queues.filter(function (q) { return q.dlqDepth > 0; }).map(function (q) { return q.name + ':' + q.dlqDepth; }).join(',');
}

async function refreshStatus() {
  var region = byId('status');
  region.setAttribute('aria-busy', 'true');
  try {
    var result = await getJson('/api/status');
    if (result.status !== 200) throw new Error('status ' + result.status);
    var status = result.body;
    renderQueues(status.queues, status.functions);
    renderFunctions(status.functions);
    renderRuns(status.runs || [], status.at);
    renderWellbeing(status.wellbeing || []);
    renderBreakers(status.breakers || [], status.at);
    byId('updated').replaceChildren('Updated ', time(status.at));
    var signature = announce(status);
    if (signature !== dlqSignature || (signature && Date.now() - dlqFetchedAt > 30000)) {
      dlqSignature = signature;
      await refreshDeadLetters(signature !== '');
    }
  } catch (error) {
    var box = byId('summary');
    box.classList.add('alert');
    lastSummary = '';
    box.textContent = '⚠ The hub does not answer (' + (error && error.message ? error.message : 'no answer') + '); the figures below are from the last update.';
  } finally {
    region.removeAttribute('aria-busy');
  }
}

/* ---- dead letters ---- */
async function refreshDeadLetters(any) {
  dlqFetchedAt = Date.now();
  if (!any) return replace('dlq', h('p', { class: 'ok', text: '✓ No dead letters.' }));
  var result = await getJson('/api/dlq');
  if (result.status !== 200) return replace('dlq', h('p', { class: 'error', text: 'The dead letters could not be read (' + result.status + ').' }));
  var parts = result.body.dlqs.map(function (d) {
    var rows = d.messages.map(function (m) {
      return h('tr', { 'data-correlation': m.correlationId },
        h('td', null, h('code', { text: m.type })),
        h('td', null, h('code', { text: m.correlationId }), ' ',
          h('button', { type: 'button', 'aria-label': 'Trace correlation ' + m.correlationId, onclick: function () { traceFor(m.correlationId); } }, 'Trace')),
        h('td', { class: 'bad' }, '✗ ' + (m.failureCode || 'unknown')),
        h('td', { text: m.failureReason || '–' }),
        h('td', { text: m.failedStage || '–' }),
        num(m.receives === null ? '?' : m.receives),
        ageCell(m.ageSeconds));
    });
    return [
      h('h3', { text: d.dlq + ': ' + plural(d.depth, 'dead letter') + (d.messages.length < d.depth ? ' (showing ' + d.messages.length + ')' : '') }),
      h('table', null,
        h('caption', { class: 'visually-hidden', text: 'Dead letters of ' + d.queue }),
        h('thead', null, h('tr', null,
          ['Type', 'Correlation id', 'Failure', 'Reason', 'Failed at stage', 'Receives', 'In the DLQ for'].map(function (name, i) {
            return h('th', { scope: 'col', class: i >= 5 ? 'num' : null, text: name });
          }))),
        h('tbody', null, rows)),
    ];
  });
  replace('dlq', h('div', null, parts));
}

/* ---- trace ---- */
function outcomeOf(hop) {
  if (hop.failed) return h('strong', { class: 'bad', text: '✗ ' + hop.outcome.toUpperCase() });
  if (hop.outcome === 'redriven') return h('strong', { text: '↻ redriven' });
  return h('span', { class: 'ok', text: '✓ ' + hop.outcome });
}
function field(label, value) { return h('span', { class: 'field' }, h('span', { class: 'k', text: label }), value); }

function hopItem(hop) {
  var kind = hop.failed ? 'hop failed' : hop.outcome === 'redriven' ? 'hop redriven' : 'hop';
  return h('li', { 'data-stage': hop.stage, 'data-outcome': hop.outcome },
    h('div', { class: kind },
      field('stage', h('strong', { text: hop.stage })),
      field('outcome', outcomeOf(hop)),
      field('from → to', h('span', { text: hop.source + ' → ' + hop.target })),
      field('type', h('code', { text: hop.type })),
      field('time', time(hop.recordedAt)),
      field('duration', h('span', { text: hop.durationMs + ' ms' })),
      hop.orphan ? h('span', { class: 'muted', text: '(its parent record is missing)' }) : null,
      hop.reason && (hop.failed || hop.outcome === 'redriven')
        ? h('p', { class: 'reason' + (hop.failed ? ' bad' : '') }, (hop.failed ? 'Reason: ' : 'Note: ') + hop.reason) : null),
    hop.children.length ? h('ol', null, hop.children.map(hopItem)) : null);
}

function traceFor(id) {
  byId('cid').value = id;
  byId('trace-form').requestSubmit();
  byId('trace').scrollIntoView();
}

async function runTrace(id) {
  var input = byId('cid');
  var note = byId('trace-status');
  if (!UUID.test(id)) {
    input.setAttribute('aria-invalid', 'true');
    note.replaceChildren(h('span', { class: 'error', text: 'A correlation id is a UUID: 8-4-4-4-12 hexadecimal digits.' }));
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  note.textContent = 'Tracing ' + id + ' …';
  var result = await getJson('/api/trace/' + encodeURIComponent(id)).catch(function () { return { status: 0, body: {} }; });
  if (result.status !== 200) {
    var why = result.status === 404 ? 'No audit records for correlation ' + id + '.' : (result.body.message || 'The trace could not be read (' + result.status + ').');
    byId('trace-result').replaceChildren();
    note.replaceChildren(h('span', { class: result.status === 404 ? null : 'error', text: why }));
    return;
  }
  var trace = result.body, s = trace.summary;
  var failed = s.retries + s.deadLetters;
  var heading = h('h3', { tabindex: '-1', text: 'Trace of ' + trace.correlationId });
  byId('trace-result').replaceChildren(
    heading,
    h('p', null, plural(s.records, 'record') + ' from ', time(s.firstRecordedAt), ' to ', time(s.lastRecordedAt), '; ',
      failed ? h('strong', { class: 'bad', text: '✗ ' + plural(s.retries, 'retry', 'retries') + ', ' + plural(s.deadLetters, 'dead letter') })
             : h('span', { class: 'ok', text: '✓ no failures' }),
      s.redrives ? '; ' + plural(s.redrives, 'redrive') : ''),
    h('ol', { class: 'tree', 'aria-label': 'Hops of ' + trace.correlationId + ', following causation' }, trace.roots.map(hopItem)));
  note.textContent = 'Trace of ' + id + ': ' + plural(s.records, 'record') + (failed ? ', ' + plural(failed, 'failed hop') : ', no failures') + '.';
  heading.focus();
}

byId('trace-form').addEventListener('submit', function (event) {
  event.preventDefault();
  var id = byId('cid').value.trim();
  if (UUID.test(id)) history.replaceState(null, '', '#trace=' + id);
  runTrace(id);
});

/* ---- refresh loop ---- */
var paused = false;
var timer = null;
function schedule() { clearTimeout(timer); if (!paused) timer = setTimeout(tick, REFRESH_MS); }
async function tick() { if (!document.hidden) await refreshStatus(); schedule(); }
byId('pause').addEventListener('click', function () {
  paused = !paused;
  this.setAttribute('aria-pressed', String(paused));
  this.textContent = paused ? 'Resume auto-refresh' : 'Pause auto-refresh';
  schedule();
});
byId('refresh').addEventListener('click', function () { tick(); });

var fromHash = /^#trace=(.+)$/.exec(location.hash);
if (fromHash) { byId('cid').value = decodeURIComponent(fromHash[1]); runTrace(byId('cid').value); }
tick();
