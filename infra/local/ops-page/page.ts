/**
 * The local ops page (`GET /` on the ingress port): one static HTML document with its CSS and a
 * small script inline, no framework and no build step. The script reads the JSON endpoints of
 * `api.ts` and builds every element with `textContent`, never with HTML from the hub, so the
 * Content-Security-Policy can allow exactly this script and this style by their hashes.
 *
 * Accessibility (WCAG 2.2 AA): landmarks and headings, tables with captions and header cells,
 * a label on every input, text beside every colour (✗, ⚠, ✓ and words), contrast of at least
 * 4.5:1, a visible focus ring, a pause for the automatic refresh (2.2.2), and live regions that
 * announce only a short summary when it changes, not whole tables every few seconds.
 */
import { createHash } from 'node:crypto';

/** Seconds between refreshes of the status (the dead letters refresh when their depths change). */
export const REFRESH_SECONDS = 5;

const STYLE = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --line: #c4c4c4; --bad: #a4000f; --bad-bg: #fdecee; --ok: #05612e; --accent: #0b4f9c; --paper: #ffffff; --band: #f2f4f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .75rem 1.25rem; background: #12263f; color: #fff; }
header h1 { font-size: 1.2rem; margin: 0; }
header nav a { color: #fff; margin-right: 1rem; }
header .controls { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
header .updated { font-size: .9rem; }
main { padding: 0 1.25rem 2rem; max-width: 90rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
a { color: var(--accent); }
button { font: inherit; padding: .3rem .8rem; border: 1px solid #12263f; border-radius: 4px; background: #fff; color: #12263f; cursor: pointer; }
button:hover { background: #e6ecf5; }
button[aria-pressed="true"] { background: #12263f; color: #fff; border-color: #fff; }
header button { border-color: #fff; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
header :focus-visible { outline-color: #f0b400; }
.summary { margin: .75rem 0 0; padding: .5rem .75rem; background: var(--band); border-left: 4px solid var(--accent); }
.summary.alert { background: var(--bad-bg); border-left-color: var(--bad); }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.dead th, tr.dead td { background: var(--bad-bg); }
.bad { color: var(--bad); font-weight: 700; }
.ok { color: var(--ok); }
.muted { color: var(--muted); }
th[scope="row"] code { white-space: nowrap; }
code { font: .9em ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: break-word; }
ul.runs { list-style: none; padding: 0; margin: 0; }
ul.runs li { padding: .5rem .75rem; border: 1px solid var(--line); border-radius: 4px; margin-bottom: .5rem; }
progress { width: min(30rem, 100%); height: 1.1rem; vertical-align: middle; accent-color: var(--accent); }
form.search { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
form.search div { display: flex; flex-direction: column; }
label { font-weight: 600; }
input { font: 1rem ui-monospace, Menlo, Consolas, monospace; padding: .3rem .5rem; border: 1px solid #6b6b6b; border-radius: 4px; width: 24rem; max-width: 100%; }
input[aria-invalid="true"] { border: 2px solid var(--bad); }
.hint { font-size: .85rem; color: var(--muted); margin: .25rem 0 0; }
.error { color: var(--bad); font-weight: 600; }
ol.tree, ol.tree ol { list-style: none; margin: 0; padding-left: 1.4rem; }
ol.tree { padding-left: 0; }
ol.tree ol { border-left: 2px solid var(--line); margin-left: .6rem; }
ol.tree li { margin: .35rem 0; }
.hop { display: flex; flex-wrap: wrap; gap: .15rem 1rem; padding: .35rem .6rem; border: 1px solid var(--line); border-left: 5px solid var(--ok); border-radius: 4px; background: #fff; }
.hop.failed { border-left-color: var(--bad); background: var(--bad-bg); }
.hop.redriven { border-left-color: var(--accent); }
.hop .field { display: inline-flex; gap: .3rem; }
.hop .k { color: var(--muted); font-size: .8rem; align-self: center; }
.hop .reason { flex-basis: 100%; margin: .15rem 0 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;

/* The page's script: plain ES2022 for the browser, no backquotes inside (the refresh period is the one placeholder). */
const SCRIPT = `
'use strict';
var REFRESH_MS = ${REFRESH_SECONDS * 1000};
var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
var byId = function (id) { return document.getElementById(id); };

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
      h('p', { class: 'muted' }, 'run ', h('code', { text: run.runId }), '; started ', time(run.startedAt),
        '; last progress ' + age((now - Date.parse(run.updatedAt)) / 1000) + ' ago'));
  });
  replace('runs', h('ul', { class: 'runs' }, items));
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
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Allows this page's own style and script and requests to its own origin, nothing else. */
export const OPS_PAGE_CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const OPS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>koto-hub operations</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>koto-hub operations</h1>
  <nav aria-label="Sections"><a href="#status-heading">Status</a><a href="#dlq-heading">Dead letters</a><a href="#trace-heading">Trace</a></nav>
  <div class="controls">
    <span class="updated" id="updated">Loading …</span>
    <button type="button" id="refresh">Refresh now</button>
    <button type="button" id="pause" aria-pressed="false">Pause auto-refresh</button>
  </div>
</header>
<main>
  <p class="summary" id="summary" role="status" aria-live="polite" aria-atomic="true">Reading the hub's status …</p>

  <section aria-labelledby="status-heading" id="status">
    <h2 id="status-heading">Status <span class="muted">(refreshed every ${REFRESH_SECONDS} s)</span></h2>
    <table>
      <caption>Queues</caption>
      <thead><tr>
        <th scope="col">Queue</th><th scope="col">Consumer</th><th scope="col" class="num">Waiting</th><th scope="col" class="num">In flight</th>
        <th scope="col" class="num">Oldest</th><th scope="col" class="num">Dead letters</th><th scope="col" class="num">Oldest dead letter</th>
      </tr></thead>
      <tbody id="queues-body"></tbody>
    </table>
    <table>
      <caption>Functions <span class="muted">(since the hub started; throughput over the last 5 minutes)</span></caption>
      <thead><tr>
        <th scope="col">Function</th><th scope="col" class="num">Invocations</th><th scope="col" class="num">Records</th>
        <th scope="col" class="num">Failed records</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Timeouts</th>
        <th scope="col" class="num">In flight</th><th scope="col" class="num">Avg ms</th><th scope="col" class="num">Records/min</th>
      </tr></thead>
      <tbody id="functions-body"></tbody>
    </table>
    <h3 id="runs-heading">Open outreach runs</h3>
    <div id="runs"></div>
    <p class="hint">Oldest: how long the oldest message its function has received and not finished with has been on the queue (being handled, or waiting for a retry).
      Dead letters show their type, correlation, failure and reason, never their payload.</p>
  </section>

  <section aria-labelledby="dlq-heading">
    <h2 id="dlq-heading">Dead letters</h2>
    <div id="dlq"><p class="muted">Loading …</p></div>
    <p class="hint">To put them back: <code>node cli/koto-hub.mjs dlq redrive &lt;queue&gt; --all</code></p>
  </section>

  <section aria-labelledby="trace-heading" id="trace">
    <h2 id="trace-heading">Trace a correlation</h2>
    <form class="search" id="trace-form" role="search" novalidate>
      <div>
        <label for="cid">Correlation id</label>
        <input id="cid" name="cid" type="text" required autocomplete="off" spellcheck="false" inputmode="text"
          aria-describedby="cid-hint trace-status" placeholder="0e7d3c42-8f5b-4b6e-a1d2-7c9e4f1a2b33">
      </div>
      <button type="submit">Trace</button>
    </form>
    <p class="hint" id="cid-hint">Every hop the request caused, as a tree that follows causation; failed hops are marked ✗ with their reason.</p>
    <p id="trace-status" role="status" aria-live="polite"></p>
    <div id="trace-result"></div>
  </section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
