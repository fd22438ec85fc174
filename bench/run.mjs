// Node driver of `cargo xtask bench` (run by xtask; see xtask/src/bench.rs). Drives headless
// Chromium with playwright-core against the bench server, runs bench/page.js's suites per size
// (each suite in a fresh page), prints one table and writes results.json / results.md.
//
// Environment: BENCH_URL (server), BENCH_SIZES (e.g. 10000,100000), BENCH_RUNS (repetitions of
// each operation), BENCH_OUT (output dir), BENCH_DIST (the built app, for the bundle size),
// CHROMIUM_PATH, BENCH_SUITES (default: all), BENCH_TRACE_REPS, BENCH_CSS_B (bench/page.js
// `traced`), BENCH_TRACE (a directory: the trailview suite's
// scroll, the files suite's first load, one more fields-panel update (4 and 13 fields) and one
// more histogram redraw, one more link opened and one more export of each format are recorded
// there as <size>-scroll / -files / -facets / -facets-all / -hist-filter / -link /
// -export-csv / -export-ndjson .cpuprofile and .trace.json (main thread; both open in Chrome DevTools'
// Performance panel), and their top self times are printed).
// The files suites (files, files-js) read target/bench/files/<size>/ through the bench server;
// their peak memory is the RSS of every Chromium process (renderer with its workers, GPU,
// network, browser) sampled every 250 ms from /proc, minus the same sum just before the load.

import { chromium } from 'playwright-core';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';

const URL_BASE = process.env.BENCH_URL.replace(/\/$/, '');
const SIZES = (process.env.BENCH_SIZES || '10000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS || 5);
const OUT = process.env.BENCH_OUT;
const DIST = process.env.BENCH_DIST;
const SUITES = (process.env.BENCH_SUITES || 'trailview,fields,histogram,link,export,sls,js,perspective,files,files-js').split(',');
const APP_SUITES = ['trailview', 'fields', 'histogram', 'link', 'export', 'sls', 'files'];
const TRACE = process.env.BENCH_TRACE;

const ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--js-flags=--expose-gc', '--enable-precise-memory-info',
  '--disable-renderer-backgrounding', '--disable-background-timer-throttling',
];

const stats = (xs) => {
  if (!xs || xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, min: s[0], max: s[s.length - 1], n: s.length };
};

async function runSuite(browser, suite, size) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, timezoneId: 'UTC' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('crash', () => errors.push('renderer crashed'));
  try {
    if (TRACE) await traceHook(context, page, size);
    await page.exposeFunction('__benchMem', memHook());
    if (APP_SUITES.includes(suite)) {
      await page.goto(`${URL_BASE}/`);
      await page.waitForFunction(() => window.wasmBindings && document.querySelector('[data-testid="search"]'));
    } else {
      await page.goto(`${URL_BASE}/bench/blank.html`);
    }
    await page.addScriptTag({ url: `${URL_BASE}/bench/page.js`, type: 'module' });
    await page.waitForFunction(() => window.__bench);
    const ingestRuns = size >= 1_000_000 ? 1 : Math.min(3, RUNS);
    const started = Date.now();
    const out = await page.evaluate(
      ([suite, cfg]) => window.__bench[suite](cfg),
      [suite, { data: `/data/${size}`, files: `/files/${size}`, runs: { ingest: ingestRuns, ops: RUNS }, base: '/bench', tree: size === SIZES[0] }],
    );
    out.wall_s = (Date.now() - started) / 1000;
    if (errors.length) out.page_errors = errors;
    return out;
  } catch (e) {
    return { error: String(e).split('\n')[0], page_errors: errors };
  } finally {
    await context.close().catch(() => {});
  }
}

/** Resident bytes of every process descending from this node process (Chromium's). */
function chromiumRss() {
  let table;
  try {
    table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' });
  } catch {
    return null;
  }
  const kids = new Map();
  const rss = new Map();
  for (const line of table.trim().split('\n')) {
    const [pid, ppid, kb] = line.trim().split(/\s+/).map(Number);
    rss.set(pid, kb * 1024);
    if (!kids.has(ppid)) kids.set(ppid, []);
    kids.get(ppid).push(pid);
  }
  let total = 0;
  const stack = [...(kids.get(process.pid) || [])];
  while (stack.length) {
    const pid = stack.pop();
    total += rss.get(pid) || 0;
    stack.push(...(kids.get(pid) || []));
  }
  return total;
}

/**
 * `window.__benchMem('start' | 'stop')` for bench/page.js: 'start' takes the baseline and
 * samples every 250 ms; 'stop' returns `{ baseline, peak, samples }` (bytes).
 */
function memHook() {
  let timer = null;
  let m = null;
  return async (phase) => {
    if (phase === 'start') {
      m = { baseline: chromiumRss(), peak: 0, samples: 0 };
      m.peak = m.baseline;
      timer = setInterval(() => {
        const v = chromiumRss();
        if (v != null) { m.peak = Math.max(m.peak, v); m.samples += 1; }
      }, 250);
      return null;
    }
    clearInterval(timer);
    const v = chromiumRss();
    if (v != null) m.peak = Math.max(m.peak, v);
    return m;
  };
}

/**
 * `window.__benchTrace(phase, on)` for bench/page.js: a CPU profile (100 µs samples) and a
 * performance trace of the phase, written under BENCH_TRACE; prints the phase's top self times.
 */
async function traceHook(context, page, size) {
  const cdp = await context.newCDPSession(page);
  let events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  // BENCH_TRACE_REPS: each traced phase runs its action (and undo) this many times in one trace,
  // for comparing the main thread's CPU time of two builds on a busy machine.
  await context.addInitScript(`window.__benchTraceReps = ${Number(process.env.BENCH_TRACE_REPS) || 1};`);
  // BENCH_CSS_B: a stylesheet file that every other traced pair runs with (bench/page.js traced).
  if (process.env.BENCH_CSS_B) {
    await context.addInitScript(`window.__benchCssB = ${JSON.stringify(readFileSync(process.env.BENCH_CSS_B, 'utf8'))};`);
  }
  await page.exposeFunction('__benchTrace', async (phase, on) => {
    const file = path.join(TRACE, `${size}-${phase}`);
    if (on) {
      events = [];
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Tracing.start', {
        categories: 'devtools.timeline,disabled-by-default-devtools.timeline,disabled-by-default-devtools.timeline.frame,v8.execute',
        transferMode: 'ReportEvents',
      });
      await cdp.send('Profiler.start');
      return;
    }
    const { profile } = await cdp.send('Profiler.stop');
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.end');
    await done;
    mkdirSync(TRACE, { recursive: true });
    writeFileSync(`${file}.cpuprofile`, JSON.stringify(profile));
    // Event by event: a long phase's trace is more than one JavaScript string can hold.
    const fd = openSync(`${file}.trace.json`, 'w');
    writeSync(fd, '{"traceEvents":[\n');
    for (let i = 0; i < events.length; i += 2000) {
      writeSync(fd, (i ? ',\n' : '') + events.slice(i, i + 2000).map((e) => JSON.stringify(e)).join(',\n'));
    }
    writeSync(fd, '\n]}\n');
    closeSync(fd);
    events = [];
    process.stderr.write(`\n${size} ${phase}: top self time (ms) -> ${file}.cpuprofile\n${selfTimes(profile)}\n`);
  });
}

/** The 15 functions with the most self time in a CPU profile, one per line. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id);
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}`.trim();
    self.set(key, (self.get(key) || 0) + (profile.timeDeltas[i + 1] || 0) / 1000);
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)
    .map(([k, ms]) => `${ms.toFixed(1).padStart(9)}  ${k.slice(0, 140)}`).join('\n');
}

// The wasm every visit downloads (the one index.html loads), and the parts loaded later: the
// Jobs view on its first visit, the file workers on the first file load.
function bundle() {
  if (!DIST) return {};
  const sized = (f) => {
    if (!f || !existsSync(path.join(DIST, f))) return {};
    const bytes = readFileSync(path.join(DIST, f));
    return { wasm_raw: bytes.length, wasm_gzip: gzipSync(bytes, { level: 9 }).length, file: f };
  };
  const main = readFileSync(path.join(DIST, 'index.html'), 'utf8').match(/[\w.-]+_bg\.wasm/)?.[0];
  return { ...sized(main), jobs: sized('trailview-jobs_bg.wasm'), worker: sized('trailview-worker_bg.wasm') };
}
const kb = (b) => `${(b / 1024).toFixed(0)} KB`;

const ms = (s) => (s ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : '—');
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (a, b) => (a && b ? (a.median / b.median).toFixed(2) : '—');
const mb = (b) => (b == null ? '—' : `${(b / 1048576).toFixed(0)} MB`);

/** The files suites' rows: the app's file pipeline beside plain JavaScript on the same files. */
function fileRows(r) {
  const tf = r.files || {};
  const fj = r['files-js'] || {};
  const F = (k) => stats(tf.samples?.[k]);
  const J = (k) => stats(fj.samples?.[k]);
  const rate = (suite) => {
    const s = stats(suite.samples?.ingest_ms);
    return s && suite.values?.rows ? `${Math.round(suite.values.rows / (s.median / 1000)).toLocaleString('en-US')}/s` : '—';
  };
  const files = tf.values?.files ?? fj.values?.files;
  const bytes = tf.values?.bytes ?? fj.values?.bytes;
  const what = files ? ` (${files.toLocaleString('en-US')} files, ${mb(bytes)} gzipped)` : '';
  const peak = (x) => (x ? mb(x.max) : '—');
  const task = (x) => (x ? (x.max === 0 ? '< 50' : fmt(x.max)) : '—');
  return [
    [`trail files${what}: start → all events in the table`, ms(F('ingest_ms')), ms(J('ingest_ms')), '', ratio(F('ingest_ms'), J('ingest_ms')), ''],
    ['trail files: events/s', rate(tf), rate(fj), '', '', ''],
    ['trail files: peak RSS of all Chromium processes above the baseline (max)', peak(F('rss_peak_delta')), peak(J('rss_peak_delta')), '', '', ''],
    ['trail files: wasm memory of the page at the end', tf.values?.wasm_memory != null ? mb(tf.values.wasm_memory) : '—', '', '', '', ''],
    ['trail files: longest main-thread task (longtask, max)', task(F('longest_task_ms')), task(J('longest_task_ms')), '', '', ''],
    ['trail files: tasks ≥ 50 ms / longest rAF frame gap (max)',
      tf.samples ? `${F('long_tasks')?.max ?? '—'} / ${fmt(F('longest_frame_gap_ms')?.max ?? 0)}` : '—',
      fj.samples ? `${J('long_tasks')?.max ?? '—'} / ${fmt(J('longest_frame_gap_ms')?.max ?? 0)}` : '—', '', '', ''],
  ];
}

/** The histogram suite's rows: redraw through the DOM, the engine's pass beside plain JS. */
function histRows(r) {
  const h = r.histogram || {};
  const H = (k) => stats(h.samples?.[k]);
  const bars = h.values?.bars ? ` (${h.values.bars} bars)` : '';
  return [
    [`histogram: column filter service=ecs, rw=write → table + bars painted${bars}`, ms(H('hist_filter_ui')), '', '', '', ''],
    ['histogram: the same, split (medians): script + forced style/layout + paint',
      `${fmt(H('hist_filter_script')?.median ?? 0)} + ${fmt(H('hist_filter_layout')?.median ?? 0)} + ${fmt(H('hist_filter_paint')?.median ?? 0)}`, '', '', '', ''],
    ['histogram: time window applied (zoom) → table + bars painted', ms(H('hist_window_ui')), '', '', '', ''],
    ['histogram: bucket pass over the rows shown (engine | plain JS, typed arrays)', ms(H('hist_engine')), ms(H('hist_js')), '', ratio(H('hist_engine'), H('hist_js')), ''],
  ];
}

/** The link suite's rows: a view's link opened over the loaded events. */
function linkRows(r) {
  const l = r.link || {};
  const L = (k) => stats(l.samples?.[k]);
  const n = (x) => (x ?? 0).toLocaleString('en-US');
  return [
    [`URL restore: a link (2 column filters, sort, event) opened over ${n(l.values?.rows)} events → ${n(l.values?.filtered)} filtered, sorted rows painted, event selected`, ms(L('link_open_ui')), '', '', '', ''],
    ['URL restore, split (medians): script + forced style/layout + paint',
      `${fmt(L('link_open_script')?.median ?? 0)} + ${fmt(L('link_open_layout')?.median ?? 0)} + ${fmt(L('link_open_paint')?.median ?? 0)}`, '', '', '', ''],
  ];
}

/** The export suite's rows: every loaded row written through the Export menu. */
function exportRows(r) {
  const e = r.export || {};
  const E = (k) => stats(e.samples?.[k]);
  const task = (x) => (x ? (x.max === 0 ? '< 50' : fmt(x.max)) : '—');
  const rows = [];
  for (const [f, name] of [['csv', 'CSV'], ['ndjson', 'NDJSON']]) {
    rows.push([`export ${name} of all ${(e.values?.rows ?? 0).toLocaleString('en-US')} rows: click → download handed over`, ms(E(`export_${f}_ms`)), '', '', '', '']);
    rows.push([`export ${name}: peak RSS of all Chromium processes above the baseline (max) / longest task / longest frame gap`,
      `${E(`export_${f}_rss_peak_delta`) ? mb(E(`export_${f}_rss_peak_delta`).max) : '—'} / ${task(E(`export_${f}_longest_task_ms`))} / ${E(`export_${f}_gap_ms`) ? fmt(E(`export_${f}_gap_ms`).max) : '—'}`, '', '', '', '']);
  }
  return rows;
}

/** The fields suite's rows: the panel's update through the DOM, split as `timed` splits it. */
function fieldsRows(r) {
  const f = r.fields || {};
  const F = (k) => stats(f.samples?.[k]);
  const split = (k) => `${fmt(F(`${k}_script`)?.median ?? 0)} + ${fmt(F(`${k}_layout`)?.median ?? 0)} + ${fmt(F(`${k}_paint`)?.median ?? 0)}`;
  return [
    ['facets panel update: column filter service~ecs → painted (4 open fields)', ms(F('facets_ui')), '', '', '', ''],
    ['facets panel update, split (medians): script + forced style/layout + paint', split('facets_ui'), '', '', '', ''],
    ['facets panel update: the same with all 13 fields open', ms(F('facets_all_ui')), '', '', '', ''],
    ['facets panel update (13 fields), split (medians): script + style/layout + paint', split('facets_all_ui'), '', '', '', ''],
  ];
}

/** The sls suite's rows: an SLS SQL result through core into the table, beside plain JS. */
function slsRows(r) {
  const x = r.sls || {};
  const X = (k) => stats(x.samples?.[k]);
  const rate = (s) => (s && x.values?.rows ? `${Math.round(x.values.rows / (s.median / 1000)).toLocaleString('en-US')}/s` : '—');
  const what = x.values?.rows ? ` (${x.values.rows.toLocaleString('en-US')} rows in ${x.values.answers} GetLogs answers, ${mb(x.values.bytes)})` : '';
  return [
    [`SLS SQL result${what}: answers read → table painted`, ms(X('sls_ingest_ms')), ms(X('sls_js_ms')), '', ratio(X('sls_ingest_ms'), X('sls_js_ms')), ''],
    ['SLS SQL result: rows/s (trailview: GetLogsPage::read + ingest | JS: JSON.parse of answers and events)', rate(X('sls_ingest_ms')), rate(X('sls_js_ms')), '', '', ''],
  ];
}

function tableRows(size, r) {
  const rows = (r.trailview || r.js || r.perspective) ? pageRows(r) : [];
  if (r.fields) rows.push(...fieldsRows(r));
  if (r.histogram) rows.push(...histRows(r));
  if (r.link) rows.push(...linkRows(r));
  if (r.export) rows.push(...exportRows(r));
  if (r.sls?.samples?.sls_ingest_ms) rows.push(...slsRows(r));
  if (r.files || r['files-js']) rows.push(...fileRows(r));
  return rows.map((row) => [size.toLocaleString('en-US'), ...row]);
}

function pageRows(r) {
  const tv = r.trailview || {};
  const js = r.js || {};
  const ps = r.perspective || {};
  const T = (k) => stats(tv.samples?.[k]);
  const J = (k) => stats(js.samples?.[k]);
  const P = (k) => stats(ps.samples?.[k]);
  const rows = [];
  const rate = (suite) => {
    const s = stats(suite.samples?.ingest_ms);
    return s && suite.values?.rows ? `${Math.round(suite.values.rows / (s.median / 1000)).toLocaleString('en-US')}/s` : '—';
  };
  rows.push(['ingest (events/s; ratio of times)', rate(tv), rate(js), rate(ps), ratio(T('ingest_ms'), J('ingest_ms')), ratio(T('ingest_ms'), P('ingest_ms'))]);
  if (tv.samples?.ingest_swb_ms) {
    const s = stats(tv.samples.ingest_swb_ms);
    rows.push(['ingest alternative: JSON.parse + serde-wasm-bindgen (not used)', `${Math.round(tv.values.rows / (s.median / 1000)).toLocaleString('en-US')}/s`, '', '', '', '']);
  }
  rows.push(['free-text filter: keystroke → page painted', ms(T('filter_ui')), '', '', '', '']);
  rows.push(['free-text filter: engine (filter+count+50 rows)', ms(T('filter_engine')), ms(J('filter')), ms(P('filter')), ratio(T('filter_engine'), J('filter')), ratio(T('filter_engine'), P('filter'))]);
  rows.push(['column filter service=ecs, rw=write → painted', ms(T('colfilter_ui')), '', '', '', '']);
  rows.push(['column filter: engine (filter+count+50 rows)', ms(T('colfilter_engine')), ms(J('colfilter')), ms(P('colfilter')), ratio(T('colfilter_engine'), J('colfilter')), ratio(T('colfilter_engine'), P('colfilter'))]);
  rows.push(['JSON-tree path filter → painted (max = first: cold, partial)', ms(T('pathfilter_ui')), '', '', '', '']);
  const fmt = (v) => (v == null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
  rows.push(['JSON-tree path filter, cold: complete / longest frame meanwhile',
    tv.values ? `${fmt(tv.values.pathfilter_complete_ms)} / ${fmt(tv.values.pathfilter_longest_frame_ms)}` : '—', '', '', '', '']);
  for (const col of ['time', 'user', 'event']) {
    for (const dir of ['asc', 'desc']) {
      rows.push([`sort ${col} ${dir}: click → painted`, ms(T(`sort_${col}_${dir}_ui`)), '', '', '', '']);
      rows.push([`sort ${col} ${dir}: engine (order+50 rows)`, ms(T(`sort_${col}_${dir}_engine`)), ms(J(`sort_${col}_${dir}`)), ms(P(`sort_${col}_${dir}`)),
        ratio(T(`sort_${col}_${dir}_engine`), J(`sort_${col}_${dir}`)), ratio(T(`sort_${col}_${dir}_engine`), P(`sort_${col}_${dir}`))]);
    }
  }
  rows.push(['page change → painted', ms(T('page_ui')), '', '', '', '']);
  rows.push(['page change, split: until effects are done (incl. a frame if one came first)', ms(T('page_script')), '', '', '', '']);
  rows.push(['page change, split: forced style + layout after that', ms(T('page_layout')), '', '', '', '']);
  rows.push(['page change, split: paint of the next frame', ms(T('page_paint')), '', '', '', '']);
  rows.push(['scroll 250 rows, 90 frames: frames dropped', tv.values ? String(tv.values.scroll_frames_dropped) : '—', '', '', '', '']);
  rows.push(['facets panel: engine (4 fields, top 10, filtered rows)', ms(T('facets_engine')), ms(J('facets')), '', ratio(T('facets_engine'), J('facets')), '']);
  rows.push(['facet counts (service)', ms(T('facet_engine')), ms(J('facet')), ms(P('facet')), ratio(T('facet_engine'), J('facet')), ratio(T('facet_engine'), P('facet'))]);
  if (tv.samples?.tree_open) {
    rows.push([`JSON tree open (~100k-node event)`, ms(T('tree_open')), '', '', '', '']);
    rows.push([`JSON tree expand all (${tv.values?.tree_dom_nodes ?? '?'} rows in DOM)`, ms(T('tree_expand_all')), '', '', '', '']);
    rows.push([`JSON tree find "stopped" (${tv.values?.tree_find_matches ?? '?'})`, ms(T('tree_find')), '', '', '', '']);
  }
  const v = tv.values || {};
  if (tv.samples?.persist_opfs_write) {
    rows.push([`saved session: ${v.persist_chunks} chunks, ${mb(v.persist_bytes)} — write OPFS (used) / IndexedDB`,
      `${ms(T('persist_opfs_write'))} / ${ms(T('persist_idb_write'))}`, '', '', '', '']);
    rows.push(['saved session: read OPFS (used) / IndexedDB', `${ms(T('persist_opfs_read'))} / ${ms(T('persist_idb_read'))}`, '', '', '', '']);
    // The re-fetch is arithmetic: the documented 2 LookupEvents calls/s × 50 events a page.
    const refetch = v.persist_restored / 100;
    rows.push([`restore the saved session (${(v.persist_restored ?? 0).toLocaleString('en-US')} events → table) / re-fetch at 2 calls/s × 50 (arithmetic)`,
      `${ms(T('persist_restore'))} / ${refetch >= 60 ? `${(refetch / 60).toFixed(0)} min` : `${refetch.toFixed(0)} s`}`, '', '', '', '']);
  }
  rows.push(['memory after ingest: JS heap + wasm = total', v.wasm_memory != null ? `${mb(v.js_heap)} + ${mb(v.wasm_memory)} = ${mb((v.js_heap || 0) + v.wasm_memory)}` : '—', '', '', '', '']);
  rows.push(['table rows in the DOM: page of 50 / page of 250 while scrolling (max)',
    `${v.dom_rows_max ?? '—'} / ${v.dom_rows_max_250 ?? '—'}`, '', '', '', '']);
  return rows;
}

function render(results, meta) {
  const head = ['events', 'measure (ms: median (min–max))', 'trailview', 'plain JS', 'Perspective', 'tv/JS', 'tv/Persp.'];
  const body = [];
  for (const size of SIZES) body.push(...tableRows(size, results[size] || {}));
  const errs = [];
  for (const size of SIZES) {
    for (const [suite, r] of Object.entries(results[size] || {})) {
      if (r.error) errs.push(`${size} ${suite}: ${r.error}`);
      if (r.page_errors?.length) errs.push(`${size} ${suite}: page errors: ${r.page_errors.slice(0, 3).join(' | ')}`);
    }
  }
  const md = [
    `Machine: ${meta.cpus} cores (${meta.cpu_model}), ${meta.mem_gb} GB RAM, ${meta.browser}; runs per operation: ${RUNS}; ` +
      `wasm bundle ${meta.bundle.wasm_raw ? `${kb(meta.bundle.wasm_raw)} raw, ${kb(meta.bundle.wasm_gzip)} gzipped` : '?'}` +
      `${meta.bundle.jobs?.wasm_gzip ? ` (later: the Jobs view ${kb(meta.bundle.jobs.wasm_gzip)} gzipped on its first visit` : ''}` +
      `${meta.bundle.worker?.wasm_gzip ? `, file workers ${kb(meta.bundle.worker.wasm_gzip)} gzipped on the first file load)` : meta.bundle.jobs?.wasm_gzip ? ')' : ''}.`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
    '',
    '"→ painted": from the DOM event (input, click) to the result painted: script and style + layout ' +
      '(forced), plus the main-thread paint of the next frame (the wait for vsync excluded). "engine": the operation, its row count and ' +
      'its first 50 rows, the same work the baselines do; ratios are times (≤ 1 means trailview is faster). ' +
      'Ingest: from LookupEvents page text to a queryable store (trailview: read_response + ingest_page, table ' +
      'painted; JS: JSON.parse + flatten; Perspective: JSON.parse + flatten + update() in chunks until a view sees every row). ' +
      'Trail files: the ActionTrail demo bucket\'s gzipped objects from the bench server, from the start of the load to the table ' +
      'counting every event (trailview: downloads, Web Workers, merges on the main thread; plain JS column: fetch + DecompressionStream + ' +
      'JSON.parse + the same eight columns into arrays, on the main thread); peak RSS sums every Chromium process (shared pages counted ' +
      'once per process) minus the sum before the load; "< 50": no task of 50 ms or more.',
    ...(errs.length ? ['', ...errs.map((e) => `- ${e}`)] : []),
  ].join('\n');
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  const text = [md.split('\n')[0], '', line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ...(errs.length ? ['', ...errs] : [])].join('\n');
  return { md, text };
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: ARGS });
const meta = {
  cpus: os.cpus().length,
  cpu_model: os.cpus()[0]?.model?.trim() ?? '?',
  mem_gb: Math.round(os.totalmem() / 2 ** 30),
  browser: `Chromium ${browser.version()}`,
  bundle: bundle(),
  date: new Date().toISOString(),
  runs: RUNS,
};
const results = {};
for (const size of SIZES) {
  results[size] = {};
  for (const suite of SUITES) {
    process.stderr.write(`bench: ${size} events, ${suite}… `);
    const t0 = Date.now();
    results[size][suite] = await runSuite(browser, suite, size);
    process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s${results[size][suite].error ? ` (error: ${results[size][suite].error})` : ''}\n`);
    save();
  }
}
await browser.close();
const text = save();
console.log(text);

/** Writes results.json and results.md (after every suite, so a long run leaves partial results). */
function save() {
  const { md, text } = render(results, meta);
  mkdirSync(OUT, { recursive: true });
  const summary = {};
  for (const size of Object.keys(results)) {
    summary[size] = {};
    for (const [suite, r] of Object.entries(results[size])) {
      summary[size][suite] = { ...r, stats: Object.fromEntries(Object.entries(r.samples || {}).map(([k, v]) => [k, stats(v)])) };
    }
  }
  writeFileSync(path.join(OUT, 'results.json'), JSON.stringify({ meta, results: summary }, null, 1));
  writeFileSync(path.join(OUT, 'results.md'), `${md}\n`);
  return text;
}
