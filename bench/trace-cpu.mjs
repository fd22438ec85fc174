// node bench/trace-cpu.mjs DIR PHASE [--ab]: the main thread's CPU time per traced update.
//
// Reads DIR/<size>-PHASE.trace.json written by `cargo xtask bench` with BENCH_TRACE=DIR (and
// BENCH_TRACE_REPS=N for N updates in one trace). For each update (an `input` event dispatched
// on the renderer's main thread) it sums the thread time (`tdur`) of the main thread's tasks from
// the input's task to the end of the first Commit after it, split by where it went: script
// (everything but the rendering steps), Style, Layout, PrePaint, Paint, Layerize, Commit (self
// time, so a forced layout inside script counts as Layout). It prints the medians for the
// filter set and the filter cleared (the pairs alternate). CPU time rather than wall time: a
// busy machine stretches wall time, much less a thread's own time.
//
// --ab: the trace was taken with BENCH_CSS_B (bench/page.js `traced`): the odd-numbered pairs
// ran with that stylesheet (B), the even ones without (A); printed apart.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const [dir, phase, flag] = process.argv.slice(2);
if (!dir || !phase) {
  console.error('usage: node bench/trace-cpu.mjs DIR PHASE [--ab]   (PHASE: facets, facets-all, hist-filter, ...)');
  process.exit(2);
}
const STEPS = ['Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit'];
const bucket = (n) =>
  n === 'UpdateLayoutTree' || n === 'RecalculateStyles' || n === 'ParseAuthorStyleSheet' ? 'Style' : STEPS.includes(n) ? n : 'script';
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[s.length >> 1] : NaN;
};
// Thread time where the trace has it; wall time (counted in `walled`) where it does not.
let walled = 0;
const cpu = (e) => (e.tdur != null ? e.tdur : (walled++, e.dur));
const isTask = (e) => Number(e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');

for (const f of readdirSync(dir).filter((f) => f.endsWith(`-${phase}.trace.json`))) {
  const events = JSON.parse(readFileSync(path.join(dir, f), 'utf8')).traceEvents;
  const inputs = events.filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'input');
  if (!inputs.length) {
    console.log(`${f}: no input events`);
    continue;
  }
  const { pid, tid } = inputs[0];
  const main = events
    .filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.dur != null)
    // Outer first: by start, then the longer, then a task before what it runs (equal times).
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur || isTask(b) - isTask(a));
  // The thread's top-level tasks (a task inside another is part of it).
  const tasks = [];
  let end = -1;
  for (const t of main.filter(isTask)) {
    if (t.ts >= end) {
      tasks.push(t);
      end = t.ts + t.dur;
    }
  }
  const commits = main.filter((e) => e.name === 'Commit');
  // One update per task that dispatched inputs (a phase may set two inputs at once).
  const updates = [];
  for (const i of inputs.filter((e) => e.pid === pid && e.tid === tid).sort((a, b) => a.ts - b.ts)) {
    const task = tasks.find((t) => t.ts <= i.ts && i.ts <= t.ts + t.dur);
    if (task && updates.at(-1)?.task !== task) updates.push({ task, at: i.ts });
  }
  const rows = [];
  for (const u of updates) {
    const commit = commits.find((c) => c.ts > u.at);
    if (!commit) continue;
    const lo = u.task.ts;
    const hi = commit.ts + commit.dur;
    const inside = main.filter((e) => e.ts >= lo && e.ts + e.dur <= hi);
    // Self time: each event's time less its children's (events nest by time on one thread).
    const stack = [];
    const kids = new Map();
    let total = 0;
    for (const e of inside) {
      while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
      const up = stack.at(-1);
      if (up) kids.set(up, (kids.get(up) || 0) + cpu(e));
      else total += cpu(e);
      stack.push(e);
    }
    const split = {};
    for (const e of inside) {
      const b = bucket(e.name);
      split[b] = (split[b] || 0) + Math.max(0, cpu(e) - (kids.get(e) || 0));
    }
    rows.push({ total, wall: hi - lo, split });
  }
  // The traced updates alternate set, cleared, ..., set: an even count means one was missed
  // (an input outside every task, or no Commit after it) and the pairs below are off by one.
  if (rows.length % 2 === 0) console.warn(`${f}: ${rows.length} updates, an even number: set and cleared may be mixed up`);
  if (walled) console.warn(`${f}: ${walled} events without thread time counted with their wall time`);
  walled = 0;
  const parity = (j) => j % 2; // 0: the filter set, 1: cleared
  const variant = (j) => ((j >> 1) % 2 === 0 ? 'B' : 'A'); // pair 1, 3, ... (j >> 1 even) ran with B
  const groups = flag === '--ab'
    ? [['A set', 0, 'A'], ['B set', 0, 'B'], ['A unset', 1, 'A'], ['B unset', 1, 'B']]
    : [['set', 0, null], ['unset', 1, null]];
  for (const [label, p, v] of groups) {
    const rs = rows.filter((_, j) => parity(j) === p && (v == null || variant(j) === v));
    if (!rs.length) continue;
    const ms = (xs) => (median(xs) / 1000).toFixed(2);
    const parts = ['script', 'Style', ...STEPS].map((k) => `${k} ${ms(rs.map((r) => r.split[k] || 0))}`).join(' ');
    console.log(`${f} ${label} n=${rs.length}: cpu ${ms(rs.map((r) => r.total))} wall ${ms(rs.map((r) => r.wall))} | ${parts}`);
  }
}
