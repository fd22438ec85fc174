// The in-page half of `cargo xtask bench`, injected by bench/run.mjs into a headless Chromium
// page. Three suites, each run in its own fresh page on the same data:
//   trailview   the release app with its bench hooks (`--features bench`, target/bench/dist),
//               fed through wasmBindings.bench_* (src/bench.rs) and
//               measured through the DOM (keystroke -> filtered, counted, rendered, laid out);
//   js          plain JavaScript: JSON.parse, a cached lowercase string per row + includes,
//               Array.prototype.sort, a Map for counts;
//   perspective @perspective-dev/client + server (C++ engine compiled to wasm, in a Worker).
// Two more read the ActionTrail demo bucket's gzipped files (served by the bench server at the
// proxy's GetObject path) from start to all events in the table:
//   files       the app's file pipeline (wasmBindings.bench_prepare_files: the listing, untimed;
//               bench_load_files: "Load", downloads, the Web Workers' gunzip + parse + mapping,
//               merges on the main thread; up to 8 files in flight per worker);
//   files-js    plain JavaScript on the main thread: fetch + DecompressionStream + JSON.parse +
//               mapping to the same columns, two files in flight per core (at most 8).
// Engine-level operations of all three do the same work: the operation, the row count and the
// first 50 rows. Every suite returns { name: [samples in ms] } plus scalars.

const TERMS = ['alice', 'deletebucket', 'cn-shanghai', 'forbidden', 'terraform'];
const SORTS = [['time', 'time'], ['user', 'user'], ['event', 'eventName']];

const mc = new MessageChannel();
const waiting = [];
mc.port1.onmessage = () => waiting.shift()();
/** Resolves after every queued microtask (Leptos' effects) has run. */
const macrotask = () => new Promise((r) => { waiting.push(r); mc.port2.postMessage(0); });
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
const now = () => performance.now();

async function* chunks(data) {
  const m = await (await fetch(`${data}/manifest.json`)).json();
  for (let c = 0; c < m.chunks; c++) {
    const text = await (await fetch(`${data}/chunk-${c}.ndjson`)).text();
    yield text.split('\n').filter((l) => l.length > 0);
  }
}

function gc() {
  if (typeof window.gc === 'function') { window.gc(); window.gc(); }
}

function jsHeap() {
  return performance.memory ? performance.memory.usedJSHeapSize : null;
}

/** A ~100,000-node event (several MB): a DescribeInstances response with 12,000 instances. */
function bigEventJson() {
  const items = [];
  for (let i = 0; i < 12000; i++) {
    items.push({
      InstanceId: `i-bp1${i.toString(36).padStart(12, '0')}`,
      Status: i % 7 ? 'Running' : 'Stopped',
      ZoneId: `cn-hangzhou-${'hijk'[i % 4]}`,
      Cpu: 2 ** (i % 6),
      Description: `instance ${i} of the big benchmark event, with some descriptive text to make it several megabytes`,
      Tags: [{ Key: 'team', Value: `t${i % 40}` }],
    });
  }
  return JSON.stringify({
    eventId: 'BIG-EVENT-0000', eventName: 'DescribeInstances', serviceName: 'Ecs',
    eventTime: '2024-12-31T23:59:59Z', eventRW: 'Read', acsRegion: 'cn-hangzhou',
    userIdentity: { type: 'ram-user', userName: 'bench' },
    responseElements: { Instances: { Instance: items }, TotalCount: items.length },
  });
}

// ---------------------------------------------------------------------------------------------
// trailview

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

function setInput(id, value) {
  const el = $(id);
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

/** The split of the last `timed` call: until the event's effects are done (script; Chromium
 * often renders a frame before the measuring task runs, and then that frame's style, layout
 * and paint are in this part), the forced style + layout after it, and the next frame's paint. */
let lastSplit = { script: 0, layout: 0, paint: 0 };

/**
 * Time `action` until its result is painted: script and style + layout measured directly (a
 * forced layout), plus the main thread's paint of the next frame (from its animation-frame
 * callback to the task after it). The wait for vsync between the two is not counted.
 */
async function timed(action) {
  const t0 = now();
  action();
  await macrotask();
  const t1 = now();
  void document.body.offsetHeight; // style + layout of the change
  const t2 = now();
  const paint = await new Promise((r) => requestAnimationFrame(() => {
    const a = now();
    macrotask().then(() => r(now() - a));
  }));
  lastSplit = { script: t1 - t0, layout: t2 - t1, paint };
  await frame();
  return t2 - t0 + paint;
}

const filteredCount = () => Number($('count-info').dataset.filtered);

async function trailview({ data, runs, tree }) {
  const w = window.wasmBindings;
  const out = { samples: {}, values: {}, checks: {} };
  const S = (k, v) => (out.samples[k] ||= []).push(v);
  // The alternative ingest path (issue: serde-wasm-bindgen vs JSON.parse + text): JSON.parse
  // in the page, serde-wasm-bindgen into wasm, events re-serialised for the store. Once, on
  // the first size; the store is rebuilt by the measured ingest below.
  if (tree) {
    w.bench_clear();
    await macrotask();
    let ms = 0;
    for await (const pages of chunks(data)) {
      const t0 = now();
      w.bench_ingest_parsed(pages.map((p) => JSON.parse(p)));
      await macrotask();
      void document.body.offsetHeight;
      ms += now() - t0;
    }
    S('ingest_swb_ms', ms);
  }
  // Ingest: pages already in memory as text (as fetch hands them over); timed from the first
  // page to the table painted.
  for (let rep = 0; rep < runs.ingest; rep++) {
    w.bench_clear();
    await macrotask();
    let ms = 0;
    let rows = 0;
    for await (const pages of chunks(data)) {
      const t0 = now();
      rows = w.bench_ingest_pages(pages);
      await macrotask();
      void document.body.offsetHeight;
      ms += now() - t0;
    }
    S('ingest_ms', ms);
    out.values.rows = rows;
  }
  await frame();
  gc();
  await new Promise((r) => setTimeout(r, 200));
  out.values.js_heap = jsHeap();
  out.values.wasm_memory = w.bench_wasm_memory();
  out.values.dom_rows = document.querySelectorAll('[data-testid="event-row"]').length;

  for (let i = 0; i < runs.ops; i++) {
    const term = TERMS[i % TERMS.length];
    S('filter_ui', await timed(() => setInput('search', term)));
    out.checks[`filter ${term}`] = filteredCount();
    await timed(() => setInput('search', ''));
  }
  for (let i = 0; i < runs.ops; i++) {
    S('colfilter_ui', await timed(() => { setInput('colfilter-service', 'ecs'); setInput('colfilter-rw', 'write'); }));
    out.checks['service=ecs rw=write'] = filteredCount();
    await timed(() => { setInput('colfilter-service', ''); setInput('colfilter-rw', ''); });
  }
  for (let i = 0; i < runs.ops; i++) {
    // A value from the JSON tree on a path that is not an indexed column. The first time, the
    // path is read from every event in the background (a slice per frame): time to the first
    // (partial) result painted, to the complete result, and the longest frame meanwhile.
    const t0 = now();
    S('pathfilter_ui', await timed(() => w.bench_add_path_filter('requestParameters.RegionId', '"cn-hangzhou"')));
    if (i === 0) {
      let last = now();
      let longest = 0;
      while ($('path-indexing')) {
        await frame();
        longest = Math.max(longest, now() - last);
        last = now();
      }
      await macrotask();
      void document.body.offsetHeight;
      out.values.pathfilter_complete_ms = now() - t0;
      out.values.pathfilter_longest_frame_ms = longest;
    }
    out.checks['requestParameters.RegionId = cn-hangzhou'] = filteredCount();
    await timed(() => w.bench_clear_path_filters());
  }
  for (const [col] of SORTS) {
    for (let i = 0; i < runs.ops; i++) {
      S(`sort_${col}_asc_ui`, await timed(() => $(`sort-${col}`).click()));
      S(`sort_${col}_desc_ui`, await timed(() => $(`sort-${col}`).click()));
      await timed(() => $(`sort-${col}`).click()); // back to arrival order
    }
  }
  for (let i = 0; i < runs.ops; i++) {
    S('page_ui', await timed(() => $('page-next').click()));
    S('page_script', lastSplit.script);
    S('page_layout', lastSplit.layout);
    S('page_paint', lastSplit.paint);
  }
  await timed(() => $('page-first').click());
  out.values.dom_rows_max = document.querySelectorAll('[data-testid="event-row"]').length;

  // Scroll: 250 rows per page, scroll the table for 90 frames; frames longer than 1.5 vsyncs
  // count as dropped (rounded vsyncs missed).
  {
    const sel = $('page-size');
    sel.value = '250';
    sel.dispatchEvent(new Event('change', { bubbles: true }));
    await macrotask();
    await frame();
    const sc = document.querySelector('.table-scroll');
    const maxY = sc.scrollHeight - sc.clientHeight;
    let dropped = 0;
    let domMax = 0;
    if (window.__benchTrace) await window.__benchTrace('scroll', true);
    let last = await new Promise((r) => requestAnimationFrame(r));
    for (let f = 0; f < 90; f++) {
      sc.scrollTop = (maxY * ((f * 7) % 90)) / 90;
      const t = await new Promise((r) => requestAnimationFrame(r));
      const d = t - last;
      last = t;
      if (d > 25) dropped += Math.round(d / 16.667) - 1;
      domMax = Math.max(domMax, document.querySelectorAll('[data-testid="event-row"]').length);
    }
    if (window.__benchTrace) await window.__benchTrace('scroll', false);
    out.values.scroll_frames_dropped = dropped;
    out.values.dom_rows_max_250 = domMax;
    out.values.scroll_frames = 90;
    sel.value = '50';
    sel.dispatchEvent(new Event('change', { bubbles: true }));
    await macrotask();
  }

  // Engine only: same work as the baselines.
  for (let i = 0; i < runs.ops; i++) {
    const term = TERMS[i % TERMS.length];
    const t0 = now();
    const n = w.bench_engine_filter(term);
    S('filter_engine', now() - t0);
    out.checks[`engine filter ${term}`] = n;
  }
  for (let i = 0; i < runs.ops; i++) {
    const t0 = now();
    out.checks['engine service=ecs rw=write'] = w.bench_engine_colfilter('service=ecs&rw=write');
    S('colfilter_engine', now() - t0);
  }
  for (const [col] of SORTS) {
    for (const desc of [false, true]) {
      for (let i = 0; i < runs.ops; i++) {
        const t0 = now();
        w.bench_engine_sort(col, desc);
        S(`sort_${col}_${desc ? 'desc' : 'asc'}_engine`, now() - t0);
      }
    }
  }
  for (let i = 0; i < runs.ops; i++) {
    const t0 = now();
    out.checks['facet service distinct'] = w.bench_engine_facet('service');
    S('facet_engine', now() - t0);
  }
  out.checks['facets rows service~ecs'] = w.bench_facet_rows('service=ecs');
  for (let i = 0; i < runs.ops; i++) {
    const t0 = now();
    out.checks['facets top event count'] = w.bench_engine_facets();
    S('facets_engine', now() - t0);
  }

  // Saved sessions: the store's snapshot chunks (1,000 events each) written and read back
  // through the app's OPFS service and through a minimal IndexedDB path (here only: one
  // readwrite transaction per chunk, as pages arrive; reads one get after another), then
  // "Restore" of the saved session timed to the status line's "Restored" and a table row.
  {
    const [chunks, bytes, opfsWrite] = await w.bench_persist_save();
    out.values.persist_chunks = chunks;
    out.values.persist_bytes = bytes;
    S('persist_opfs_write', opfsWrite);
    S('persist_opfs_read', await w.bench_persist_read());
    const idb = await new Promise((res, rej) => {
      const del = indexedDB.deleteDatabase('bench-persist');
      del.onsuccess = del.onerror = () => {
        const open = indexedDB.open('bench-persist', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('chunks');
        open.onsuccess = () => res(open.result);
        open.onerror = () => rej(open.error);
      };
    });
    const done = (req) => new Promise((res, rej) => { req.onsuccess = () => res(req.result); req.onerror = () => rej(req.error); });
    let t0 = now();
    for (let i = 0; i < chunks; i++) {
      const tx = idb.transaction('chunks', 'readwrite');
      tx.objectStore('chunks').put(w.bench_persist_chunk(i), i);
      await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
    }
    S('persist_idb_write', now() - t0);
    t0 = now();
    let read = 0;
    for (let i = 0; i < chunks; i++) {
      read += (await done(idb.transaction('chunks').objectStore('chunks').get(i))).byteLength;
    }
    S('persist_idb_read', now() - t0);
    if (read !== bytes) throw new Error(`IndexedDB read back ${read} of ${bytes} bytes`);
    idb.close();
    indexedDB.deleteDatabase('bench-persist');
    t0 = now();
    w.bench_persist_restore();
    while (!/Restored/.test($('persist-status')?.textContent || '')) await macrotask();
    await frame();
    void document.body.offsetHeight;
    S('persist_restore', now() - t0);
    out.values.persist_restored = Number($('count-info').dataset.total);
  }

  // The big event (once per benchmark: it does not depend on the store's size): ingest it,
  // open its tree, expand all.
  if (tree) {
    const rows = w.bench_ingest_pages([`{"RequestId":"big","Events":[${bigEventJson()}]}`]);
    await macrotask();
    await frame();
    for (let i = 0; i < 1; i++) {
      S('tree_open', await timed(() => w.bench_select(rows - 1)));
      S('tree_expand_all', await timed(() => $('expand-all').click()));
      S('tree_find', await timed(() => setInput('tree-find', 'stopped')));
      out.values.tree_find_matches = $('tree-find-count').textContent;
      out.values.tree_dom_nodes = document.querySelectorAll('[data-testid="json-tree"] [role="treeitem"]').length;
      await timed(() => w.bench_select(undefined));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fields panel: its default open fields (4), then all 13, follow a column filter (DOM event
// to painted frame: the panel, the table, the count and the histogram). With BENCH_TRACE, one
// more (untimed) update of each is recorded as <size>-facets / <size>-facets-all.

async function ingestOnce(w, data) {
  w.bench_clear();
  await macrotask();
  let rows = 0;
  for await (const pages of chunks(data)) rows = w.bench_ingest_pages(pages);
  await macrotask();
  await frame();
  return rows;
}

/**
 * Runs `action` once more (and `undo`: BENCH_TRACE_REPS pairs, the last undo untraced), untimed,
 * recorded under BENCH_TRACE as `phase`. With BENCH_CSS_B (a stylesheet), the odd-numbered pairs
 * (the 1st, 3rd, ...) run with it added to the page and the even ones without: an A/B of CSS
 * in one trace, the two interleaved so that the machine's load falls on both alike.
 */
async function traced(phase, action, undo) {
  if (!window.__benchTrace) return;
  const reps = window.__benchTraceReps || 1;
  const b = window.__benchCssB
    ? document.head.appendChild(Object.assign(document.createElement('style'), { textContent: window.__benchCssB }))
    : null;
  await window.__benchTrace(phase, true);
  for (let i = 1; i <= reps; i++) {
    if (b) {
      b.disabled = i % 2 === 0;
      await frame();
      await frame();
    }
    await timed(action);
    if (i < reps) await timed(undo);
  }
  await window.__benchTrace(phase, false);
  await timed(undo);
  b?.remove();
}

async function fieldsSuite({ data, runs }) {
  const w = window.wasmBindings;
  const out = { samples: {}, values: {}, checks: {} };
  const S = (k, v) => (out.samples[k] ||= []).push(v);
  out.values.rows = await ingestOnce(w, data);
  for (const all of [false, true]) {
    w.bench_fields(all);
    await macrotask();
    await frame();
    const k = all ? 'facets_all_ui' : 'facets_ui';
    const set = () => setInput('colfilter-service', 'ecs');
    const unset = () => setInput('colfilter-service', '');
    for (let i = 0; i < runs.ops; i++) {
      S(k, await timed(set));
      S(`${k}_script`, lastSplit.script);
      S(`${k}_layout`, lastSplit.layout);
      S(`${k}_paint`, lastSplit.paint);
      out.checks['fields panel: service=ecs rows'] = filteredCount();
      out.checks['fields panel: service counts = rows'] =
        [...document.querySelectorAll('[data-key="f:service"] [data-testid=facet-value]')]
          .reduce((n, li) => n + Number(li.dataset.count), 0) === filteredCount();
      await timed(unset);
    }
    await traced(all ? 'facets-all' : 'facets', set, unset);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The time histogram: redraw after a filter change and after a window is applied (DOM event to
// painted frame, the whole page's update: table, count and bars), the engine's bucket pass over
// the rows the table shows, and plain JavaScript counting the same rows' times (typed arrays
// the bench copies out of the store) into the same buckets, in the same page.

const histTotal = () => Number($('histogram-svg')?.dataset.total ?? NaN);

async function histogramSuite({ data, runs }) {
  const w = window.wasmBindings;
  const out = { samples: {}, values: {}, checks: {} };
  const S = (k, v) => (out.samples[k] ||= []).push(v);
  out.values.rows = await ingestOnce(w, data);
  out.values.bars = Number($('histogram-svg')?.dataset.grid?.split(' ')[2]);
  for (let i = 0; i < runs.ops; i++) {
    S('hist_filter_ui', await timed(() => { setInput('colfilter-service', 'ecs'); setInput('colfilter-rw', 'write'); }));
    S('hist_filter_script', lastSplit.script);
    S('hist_filter_layout', lastSplit.layout);
    S('hist_filter_paint', lastSplit.paint);
    out.checks['histogram total = filtered (service=ecs rw=write)'] = histTotal() === filteredCount();
    await timed(() => { setInput('colfilter-service', ''); setInput('colfilter-rw', ''); });
  }
  await traced('hist-filter', () => { setInput('colfilter-service', 'ecs'); setInput('colfilter-rw', 'write'); },
    () => { setInput('colfilter-service', ''); setInput('colfilter-rw', ''); });
  const svg = $('histogram-svg');
  const [origin, width, bars] = svg.dataset.grid.split(' ').map(Number);
  for (let i = 0; i < runs.ops; i++) {
    // A third of the range from a quarter in, snapped to buckets as a drag is.
    const a = origin + Math.floor(bars / 4) * width;
    const b = a + Math.max(1, Math.floor(bars / 3)) * width;
    S('hist_window_ui', await timed(() => w.bench_set_time_window(a, b)));
    out.checks['histogram total = filtered (window)'] = histTotal() === filteredCount();
    await timed(() => w.bench_set_time_window(undefined, undefined));
  }
  for (let i = 0; i < runs.ops; i++) {
    const t0 = now();
    out.checks['engine histogram total'] = w.bench_engine_histogram();
    S('hist_engine', now() - t0);
  }
  const [g, order, times, failed] = w.bench_histogram_inputs();
  const [o, wd, n] = g;
  const end = o + wd * n;
  for (let i = 0; i < runs.ops; i++) {
    const t0 = now();
    const counts = new Uint32Array(n * 2);
    for (let k = 0; k < order.length; k++) {
      const r = order[k];
      const t = times[r];
      if (!(t >= o && t < end)) continue;
      counts[Math.floor((t - o) / wd) * 2 + failed[r]]++;
    }
    let total = 0;
    for (let k = 0; k < counts.length; k++) total += counts[k];
    S('hist_js', now() - t0);
    out.checks['js histogram total'] = total;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// URL restore: a view's link opened over the loaded events (the link's one fetch done; also what
// Back / Forward and a saved view do, through the same `Link::show`): two column filters, a sort
// and the event to select → the filtered, sorted table painted with that event selected. Each
// run starts from the plain view (`v=1`: no filter, arrival order).

async function linkSuite({ data, runs }) {
  const w = window.wasmBindings;
  const out = { samples: {}, values: {}, checks: {} };
  const S = (k, v) => (out.samples[k] ||= []).push(v);
  out.values.rows = await ingestOnce(w, data);
  const view = 'v=1&f.service=ecs&f.rw=write&sort=event:desc';
  await timed(() => w.bench_open_link(view));
  const third = document.querySelectorAll('[data-testid="event-row"]')[2]?.dataset.eventId;
  if (!third) throw new Error('the filtered view shows no third row');
  const link = `${view}&event=${encodeURIComponent(third)}`;
  const want = w.bench_engine_colfilter('service=ecs&rw=write');
  const selected = () => document.querySelector('[data-testid="event-row"][aria-selected="true"]')?.dataset.eventId;
  for (let i = 0; i < runs.ops; i++) {
    await timed(() => w.bench_open_link('v=1'));
    if (filteredCount() !== out.values.rows) throw new Error(`the plain view shows ${filteredCount()} rows`);
    S('link_open_ui', await timed(() => w.bench_open_link(link)));
    S('link_open_script', lastSplit.script);
    S('link_open_layout', lastSplit.layout);
    S('link_open_paint', lastSplit.paint);
    out.checks['link: filtered rows = engine (service=ecs rw=write)'] = filteredCount() === want;
    out.checks['link: the linked event selected'] = selected() === third;
    out.checks['link: sorted by event, descending'] = document.querySelector('th[data-col="event"]')?.getAttribute('aria-sort');
  }
  out.values.filtered = want;
  await traced('link', () => w.bench_open_link(link), () => w.bench_open_link('v=1'));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Export: the toolbar's Export menu on every loaded row (the filtered rows with no filter: all
// of them), from the click on "CSV" to the download handed to the browser, with the longest
// task, the longest frame gap and the peak RSS of every Chromium process above the baseline.

async function exportSuite({ data, runs }) {
  const w = window.wasmBindings;
  const out = { samples: {}, values: {}, checks: {} };
  const S = (k, v) => (out.samples[k] ||= []).push(v);
  const rows = await ingestOnce(w, data);
  out.values.rows = rows;
  const reps = rows >= 1_000_000 ? 1 : Math.min(3, runs.ops);
  for (const format of ['csv', 'ndjson']) {
    // With BENCH_TRACE, one more export (untimed, after the timed ones) is recorded as
    // <size>-export-<format>.
    for (let i = 0; i < reps + (window.__benchTrace ? 1 : 0); i++) {
      const trace = i === reps;
      gc();
      if (trace) await window.__benchTrace(`export-${format}`, true);
      const wt = await watched(async () => {
        $('export-button').click();
        await macrotask();
        $(`export-${format}`).click();
        for (;;) {
          await new Promise((r) => setTimeout(r, 20));
          const st = $('export-status')?.dataset.state;
          if (st === 'done' || st === 'error') return st;
        }
      });
      if (trace) {
        await window.__benchTrace(`export-${format}`, false);
        out.values[`export_${format}_traced_longest_task_ms`] = wt.longest;
        continue;
      }
      out.checks[`export ${format} finished`] = wt.result;
      S(`export_${format}_ms`, wt.ms);
      S(`export_${format}_longest_task_ms`, wt.longest);
      S(`export_${format}_gap_ms`, wt.gap);
      if (wt.mem) S(`export_${format}_rss_peak_delta`, wt.mem.peak - wt.mem.baseline);
    }
  }
  out.values.wasm_memory = w.bench_wasm_memory();
  return out;
}

// ---------------------------------------------------------------------------------------------
// SLS: the demo's GetLogs answers to `* | SELECT * LIMIT <size>` (10,000 rows an answer, as core's
// plan pages it; target/bench/data/<size>/sls/), already in memory as text. trailview: each
// answer read by core (GetLogsPage::read), the rows' events ingested into the live app's store,
// timed to the table painted. Plain JS, in the same page on the same texts: JSON.parse of each
// answer and of each row's `event` into an array of objects.

async function slsSuite({ data, runs }) {
  const w = window.wasmBindings;
  const out = { samples: {}, values: {}, checks: {} };
  const S = (k, v) => (out.samples[k] ||= []).push(v);
  const res = await fetch(`${data}/sls/manifest.json`);
  // No answers at this size: the xtask makes them up to 100,000 rows only.
  if (!res.ok) return out;
  const m = await res.json();
  const bodies = [];
  for (const p of m.pages) bodies.push(await (await fetch(`${data}/sls/${p.file}`)).text());
  const progress = m.pages.map((p) => p.progress);
  out.values.rows = m.rows;
  out.values.answers = bodies.length;
  out.values.bytes = bodies.reduce((n, b) => n + b.length, 0);
  for (let rep = 0; rep < runs.ingest; rep++) {
    w.bench_clear();
    await macrotask();
    await frame();
    gc();
    const t0 = now();
    const rows = w.bench_ingest_sls(bodies, progress);
    await macrotask();
    void document.body.offsetHeight;
    S('sls_ingest_ms', now() - t0);
    out.checks['sls: store rows = SQL rows'] = rows === m.rows && filteredCount() === m.rows;
  }
  for (let rep = 0; rep < runs.ingest; rep++) {
    gc();
    await macrotask();
    const t0 = now();
    const events = [];
    for (const body of bodies) for (const r of JSON.parse(body)) events.push(JSON.parse(r.event));
    S('sls_js_ms', now() - t0);
    out.checks['sls js: events = SQL rows'] = events.length === m.rows;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Plain JavaScript

const FIELD_PATHS = [
  'eventName', 'serviceName', 'userIdentity.userName', 'sourceIpAddress', 'eventRW', 'acsRegion',
  'errorCode', 'eventType', 'userIdentity.type', 'userAgent', 'resourceType', 'resourceName',
  'userIdentity.accessKeyId', 'errorMessage', 'eventSource', 'userIdentity.principalId',
];
const get = (e, p) => {
  let v = e;
  for (const k of p.split('.')) { v = v == null ? undefined : v[k]; }
  return v == null || typeof v === 'object' ? '' : String(v);
};

function flat(e) {
  const vals = FIELD_PATHS.map((p) => get(e, p));
  return {
    time: Date.parse(e.eventTime) || 0,
    eventName: vals[0], service: vals[1], user: vals[2], ip: vals[3], rw: vals[4], region: vals[5],
    result: vals[6] || 'OK',
    eventL: vals[0].toLowerCase(), userL: vals[2].toLowerCase(),
    serviceL: vals[1].toLowerCase(), rwL: vals[4].toLowerCase(),
    text: `${vals.join('\n')}\n${get(e, 'eventId')}\n${get(e, 'requestId')}`.toLowerCase(),
  };
}

async function js({ data, runs }) {
  const out = { samples: {}, values: {}, checks: {} };
  const S = (k, v) => (out.samples[k] ||= []).push(v);
  let rows = [];
  for (let rep = 0; rep < runs.ingest; rep++) {
    rows = [];
    let ms = 0;
    for await (const pages of chunks(data)) {
      const t0 = now();
      for (const p of pages) for (const e of JSON.parse(p).Events) rows.push(flat(e));
      ms += now() - t0;
    }
    S('ingest_ms', ms);
  }
  out.values.rows = rows.length;
  for (let i = 0; i < runs.ops; i++) {
    const term = TERMS[i % TERMS.length];
    const t0 = now();
    const hits = rows.filter((r) => r.text.includes(term));
    const first = hits.slice(0, 50);
    S('filter', now() - t0);
    out.checks[`filter ${term}`] = hits.length + first.length * 0;
  }
  for (let i = 0; i < runs.ops; i++) {
    const t0 = now();
    const hits = rows.filter((r) => r.serviceL.includes('ecs') && r.rwL.includes('write'));
    hits.slice(0, 50);
    S('colfilter', now() - t0);
    out.checks['service=ecs rw=write'] = hits.length;
  }
  const cmpStr = (k) => (a, b) => (a[k] < b[k] ? -1 : a[k] > b[k] ? 1 : 0);
  const cmps = { time: (a, b) => a.time - b.time, user: cmpStr('userL'), event: cmpStr('eventL') };
  for (const [col] of SORTS) {
    for (const desc of [false, true]) {
      for (let i = 0; i < runs.ops; i++) {
        const c = cmps[col];
        const t0 = now();
        const sorted = rows.slice().sort(desc ? (a, b) => c(b, a) : c);
        sorted.slice(0, 50);
        S(`sort_${col}_${desc ? 'desc' : 'asc'}`, now() - t0);
      }
    }
  }
  for (let i = 0; i < runs.ops; i++) {
    const t0 = now();
    const m = new Map();
    for (const r of rows) m.set(r.service, (m.get(r.service) || 0) + 1);
    const top = [...m].sort((a, b) => b[1] - a[1]);
    S('facet', now() - t0);
    out.checks['facet service distinct'] = top.length;
  }
  // The fields panel's counts (event, service, user, result; top 10 each) over the rows a
  // service~ecs filter leaves: a Map per field.
  const hits = rows.filter((r) => r.serviceL.includes('ecs'));
  out.checks['facets rows service~ecs'] = hits.length;
  for (let i = 0; i < runs.ops; i++) {
    const t0 = now();
    let first = 0;
    for (const k of ['eventName', 'service', 'user', 'result']) {
      const m = new Map();
      for (const r of hits) m.set(r[k], (m.get(r[k]) || 0) + 1);
      const top = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
      if (k === 'eventName') first = top.length ? top[0][1] : 0;
    }
    S('facets', now() - t0);
    out.checks['facets top event count'] = first;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Perspective

async function perspectiveSuite({ data, runs, base }) {
  const out = { samples: {}, values: {}, checks: {} };
  const S = (k, v) => (out.samples[k] ||= []).push(v);
  const pkg = `${base}/node_modules/@perspective-dev`;
  const { default: perspective } = await import(`${pkg}/client/dist/cdn/perspective.js`);
  perspective.init_server(fetch(`${pkg}/server/dist/wasm/perspective-server.wasm`));
  perspective.init_client(fetch(`${pkg}/client/dist/wasm/perspective-js.wasm`));
  const client = await perspective.worker();
  const schema = {
    time: 'datetime', eventName: 'string', service: 'string', user: 'string', ip: 'string',
    rw: 'string', region: 'string', result: 'string', eventL: 'string', userL: 'string',
    serviceL: 'string', rwL: 'string', text: 'string',
  };
  let table;
  for (let rep = 0; rep < runs.ingest; rep++) {
    if (table) await table.delete();
    table = await client.table(schema);
    let ms = 0;
    for await (const pages of chunks(data)) {
      // JSON.parse + flatten + update() per chunk of 1,000 pages (one JSON array would be too
      // long a string at 1M rows).
      const t0 = now();
      const batch = [];
      for (const p of pages) for (const e of JSON.parse(p).Events) batch.push(flat(e));
      await table.update(batch);
      ms += now() - t0;
    }
    // Updates are applied lazily: the store is queryable once a view sees every row.
    const t0 = now();
    const all = await table.view();
    out.values.rows = await all.num_rows();
    await all.delete();
    ms += now() - t0;
    S('ingest_ms', ms);
  }
  const viewOp = async (cfg) => {
    const v = await table.view(cfg);
    const n = await v.num_rows();
    await v.to_json({ start_row: 0, end_row: 50 });
    await v.delete();
    return n;
  };
  const cols = ['time', 'eventName', 'service', 'user', 'ip', 'rw', 'region', 'result'];
  for (let i = 0; i < runs.ops; i++) {
    const term = TERMS[i % TERMS.length];
    const t0 = now();
    const n = await viewOp({ columns: cols, filter: [['text', 'contains', term]] });
    S('filter', now() - t0);
    out.checks[`filter ${term}`] = n;
  }
  for (let i = 0; i < runs.ops; i++) {
    const t0 = now();
    const n = await viewOp({ columns: cols, filter: [['serviceL', 'contains', 'ecs'], ['rwL', 'contains', 'write']] });
    S('colfilter', now() - t0);
    out.checks['service=ecs rw=write'] = n;
  }
  const sortCol = { time: 'time', user: 'userL', event: 'eventL' };
  for (const [col] of SORTS) {
    for (const desc of [false, true]) {
      for (let i = 0; i < runs.ops; i++) {
        const t0 = now();
        await viewOp({ columns: cols, sort: [[sortCol[col], desc ? 'desc' : 'asc']] });
        S(`sort_${col}_${desc ? 'desc' : 'asc'}`, now() - t0);
      }
    }
  }
  for (let i = 0; i < runs.ops; i++) {
    const t0 = now();
    const n = await viewOp({ group_by: ['service'], columns: ['service'], aggregates: { service: 'count' } });
    S('facet', now() - t0);
    out.checks['facet service distinct'] = n - 1; // minus the total row
  }
  await table.delete();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Trail files

/**
 * Watches the main thread while `body` runs: the longest task (a `longtask` observer: tasks
 * of 50 ms or more, else 0) and the longest gap between animation frames; and, through
 * run.mjs's `__benchMem`, the peak RSS of every Chromium process above the baseline before.
 */
async function watched(body) {
  let longest = 0;
  let longTasks = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      longest = Math.max(longest, e.duration);
      longTasks += 1;
    }
  });
  obs.observe({ type: 'longtask', buffered: false });
  let gap = 0;
  let watching = true;
  (async () => {
    let last = await new Promise((r) => requestAnimationFrame(r));
    while (watching) {
      const t = await new Promise((r) => requestAnimationFrame(r));
      gap = Math.max(gap, t - last);
      last = t;
    }
  })();
  if (window.__benchMem) await window.__benchMem('start');
  const t0 = now();
  const result = await body();
  const ms = now() - t0;
  const mem = window.__benchMem ? await window.__benchMem('stop') : null;
  watching = false;
  await frame();
  obs.takeRecords().forEach((e) => { longest = Math.max(longest, e.duration); longTasks += 1; });
  obs.disconnect();
  return { ms, longest, longTasks, gap, mem, result };
}

function recordWatch(out, S, w) {
  S('ingest_ms', w.ms);
  S('longest_task_ms', w.longest);
  S('long_tasks', w.longTasks);
  S('longest_frame_gap_ms', w.gap);
  if (w.mem) {
    S('rss_peak_delta', w.mem.peak - w.mem.baseline);
    out.values.rss_baseline = w.mem.baseline;
    out.values.rss_samples = w.mem.samples;
  }
}

const manifestOf = async (files) => (await fetch(`${files}/manifest.json`)).json();

async function filesSuite({ files, runs }) {
  const w = window.wasmBindings;
  const out = { samples: {}, values: {}, checks: {} };
  const S = (k, v) => (out.samples[k] ||= []).push(v);
  const m = await manifestOf(files);
  const keys = m.files.map((f) => f.key);
  out.values.rows = m.count;
  out.values.files = keys.length;
  out.values.bytes = m.bytes;
  const status = () => JSON.parse(w.bench_files_status());
  for (let rep = 0; rep < runs.ingest; rep++) {
    w.bench_clear();
    await macrotask();
    await frame();
    gc();
    const trace = rep === 0 && window.__benchTrace;
    if (trace) await window.__benchTrace('files', true);
    // The bucket's listing exists before "Load" is pressed (the bucket panel holds it once
    // listed): made here, untimed, as the baseline's key list is; the jobs are Load's.
    w.bench_prepare_files(m.bucket, keys);
    // In a task of its own: the long-task observer would count the task it starts in.
    await macrotask();
    await frame();
    const res = await watched(async () => {
      w.bench_load_files(m.count * 2);
      const deadline = now() + 20 * 60_000;
      for (;;) {
        await new Promise((r) => setTimeout(r, 20));
        const el = $('count-info');
        if (el && Number(el.dataset.filtered) >= m.count) return status();
        const st = status();
        if (!st.running && st.store >= m.count) {
          // Merged: wait for the table to show it.
          await frame();
          continue;
        }
        if (!st.running) return st;
        if (now() > deadline) return { ...st, timeout: true };
      }
    });
    if (trace) await window.__benchTrace('files', false);
    recordWatch(out, S, res);
    out.checks.status = res.result;
    out.checks.table = $('count-info')?.textContent;
  }
  await frame();
  gc();
  await new Promise((r) => setTimeout(r, 200));
  out.values.js_heap = jsHeap();
  out.values.wasm_memory = w.bench_wasm_memory();
  return out;
}

const FILE_COLUMNS = ['time', 'event', 'service', 'user', 'ip', 'rw', 'region', 'result'];

async function filesJs({ files, runs }) {
  const out = { samples: {}, values: {}, checks: {} };
  const S = (k, v) => (out.samples[k] ||= []).push(v);
  const m = await manifestOf(files);
  const keys = m.files.map((f) => f.key);
  const inFlight = Math.min(Math.max(navigator.hardwareConcurrency || 1, 1), 4) * 2;
  out.values.in_flight = inFlight;
  out.values.files = keys.length;
  out.values.bytes = m.bytes;
  let cols = null;
  for (let rep = 0; rep < runs.ingest; rep++) {
    cols = null;
    gc();
    await macrotask();
    await frame();
    const res = await watched(async () => {
      const c = Object.fromEntries(FILE_COLUMNS.map((k) => [k, []]));
      let next = 0;
      const reader = async () => {
        while (next < keys.length) {
          const key = keys[next++];
          const resp = await fetch(`/api/aliyun/oss/${m.bucket}/${key}`);
          if (!resp.ok) throw new Error(`${key}: HTTP ${resp.status}`);
          const text = await new Response(resp.body.pipeThrough(new DecompressionStream('gzip'))).text();
          const doc = JSON.parse(text);
          const events = Array.isArray(doc) ? doc : doc.Records || [];
          for (const e of events) {
            c.time.push(Date.parse(e.eventTime) || 0);
            c.event.push(get(e, 'eventName'));
            c.service.push(get(e, 'serviceName'));
            c.user.push(get(e, 'userIdentity.userName') || get(e, 'userIdentity.principalId'));
            c.ip.push(get(e, 'sourceIpAddress'));
            c.rw.push(get(e, 'eventRW'));
            c.region.push(get(e, 'acsRegion'));
            c.result.push(get(e, 'errorCode') || 'OK');
          }
        }
      };
      await Promise.all(Array.from({ length: inFlight }, reader));
      cols = c;
      return c.time.length;
    });
    recordWatch(out, S, res);
    out.values.rows = res.result;
  }
  await new Promise((r) => setTimeout(r, 200));
  out.values.js_heap = jsHeap();
  out.checks.rows = cols ? cols.time.length : 0;
  return out;
}

window.__bench = { trailview, fields: fieldsSuite, histogram: histogramSuite, link: linkSuite, export: exportSuite, sls: slsSuite, js, perspective: perspectiveSuite, files: filesSuite, 'files-js': filesJs };
