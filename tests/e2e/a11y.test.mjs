// Accessibility: axe-core (npm, pinned in package.json) audits every view and state a user
// reaches, in the light and the dark colour scheme: Events empty, loaded (with the "Load older"
// line), with a tree open and a find in it, asking before a replace, with the search help open and
// after a failed fetch; Jobs on each tab with a job selected and its tooltip open; Settings open.
//
// No violation of any impact is allowed unless it is listed in ACCEPTED below with the reason;
// serious and critical ones never are. axe checks the contrast of text only, so the timeline's
// graphics (status bars, data windows, marks) are checked here against WCAG 1.4.11 (3:1) from
// their computed colours, and status must be named in each bar's accessible name, not carried by
// colour alone.
//
// axe runs through `page.evaluate` (DevTools' Runtime.evaluate), which the page's
// Content-Security-Policy does not govern: the CSP stays on and the test still fails on any
// violation of it (helpers.mjs). `addScriptTag` would be an inline <script>, which the CSP blocks.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  appTest,
  eventually,
  fetchEvents,
  JOB_SOURCES as SOURCES,
  openJobs,
  openRow,
  submitFetch,
  tid,
  waitForState,
} from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Minor / moderate findings that are accepted, with the reason: `{ rule: reason }`. A rule listed
 * here is still reported when axe rates it serious or critical. None at present: the first run
 * found empty-table-header (the time column's filter cell) and landmark-one-main (the Jobs view),
 * both fixed. Results axe leaves "incomplete" (needs review) are not failures: text over SVG and
 * rows under the sticky header (contrast: covered by the palette test), and icon-only buttons
 * ("+", "«") whose aria-label differs from their glyph.
 */
const ACCEPTED = {};

const SCHEMES = ['light', 'dark'];

/** Runs axe on the page as it is; returns the violations (summarised) not accepted. */
async function audit(page, state) {
  // The source as an expression: evaluated by DevTools (not an eval in the page), it defines
  // `window.axe`.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    // axe reports an aria reference it cannot resolve (an aria-describedby to a missing id) as
    // "needs review" under aria-valid-attr-value, not as a violation: that counts too. (Other
    // "needs review" results, e.g. an empty table body awaiting rows, are not failures.)
    const aria = r.incomplete.filter((v) => v.id === 'aria-valid-attr-value');
    return [...r.violations, ...aria].map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`),
    }));
  });
  return found
    .filter((v) => !(ACCEPTED[v.id] && (v.impact === 'minor' || v.impact === 'moderate')))
    .map((v) => ({ state, ...v }));
}

function report(problems) {
  return problems
    .map(
      (p) =>
        `[${p.state}] ${p.id} (${p.impact}, ${p.nodes.length}): ${p.help}\n` +
        p.nodes.slice(0, 6).map((n) => `    ${n}`).join('\n'),
    )
    .join('\n');
}

/** The WCAG relative-luminance contrast ratio of two `rgb(a)` colours (b opaque). */
function contrast(fg, bg) {
  const parse = (c) => c.match(/[\d.]+/g).map(Number);
  const [r, g, b, a = 1] = parse(fg);
  const [R, G, B] = parse(bg);
  const mix = [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
  const lum = ([x, y, z]) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(x) + 0.7152 * f(y) + 0.0722 * f(z);
  };
  const [l1, l2] = [lum(mix), lum([R, G, B])].sort((p, q) => q - p);
  return (l1 + 0.05) / (l2 + 0.05);
}

/**
 * WCAG 1.4.11 for the timeline: every status colour of an execution bar, the data window's
 * outline, the "now" line and the next-run marks reach 3:1 against the timeline's background.
 * Every bar names its status in its accessible name (colour is not the only carrier).
 */
async function checkTimelineGraphics(page, state) {
  const seen = await page.evaluate(() => {
    const bg = getComputedStyle(document.querySelector('.timeline-wrap')).backgroundColor;
    const out = [];
    // A part that must be drawn but has no colour (fill or stroke "none") fails as 0:1.
    const add = (what, el, prop) => {
      const c = getComputedStyle(el)[prop];
      out.push({ what, color: c && c !== 'none' ? c : 'rgba(0, 0, 0, 0)', bg });
    };
    const seenClass = new Set();
    for (const g of document.querySelectorAll('[data-testid="timeline-bar"]')) {
      const status = g.getAttribute('data-status');
      if (seenClass.has(status)) continue;
      seenClass.add(status);
      const exec = g.querySelector('.exec');
      if (exec) add(`exec bar (${status})`, exec, 'fill');
      const win = g.querySelector('.window');
      if (win) add(`data window outline (${status})`, win, 'stroke');
      const line = g.querySelector('.disabled-line');
      if (line) add(`disabled line`, line, 'stroke');
    }
    const run = document.querySelector('svg.timeline .run');
    if (run) add('next run mark', run, 'fill');
    const now = document.querySelector('svg.timeline .now');
    if (now) add('now line', now, 'stroke');
    const names = [...document.querySelectorAll('[data-testid="timeline-bar"]')].map((g) => ({
      label: g.getAttribute('aria-label') || '',
      status: g.getAttribute('data-status'),
    }));
    return { colors: out, names };
  });
  const problems = [];
  for (const { what, color, bg } of seen.colors) {
    const ratio = contrast(color, bg);
    if (ratio < 3) problems.push(`[${state}] ${what}: ${color} on ${bg} is ${ratio.toFixed(2)}:1 (needs 3:1)`);
  }
  const unnamed = seen.names.filter(({ label }) => !/, status: \S/.test(label));
  if (unnamed.length) {
    problems.push(`[${state}] ${unnamed.length} bars do not name their status, e.g. ${JSON.stringify(unnamed[0].label)}`);
  }
  if (seen.names.length === 0) problems.push(`[${state}] no timeline bars to check`);
  return problems;
}

/**
 * The palette, pair by pair: each colour as it is used (text 4.5:1, graphics 3:1) against every
 * background it is drawn on (rows hovered and selected included, and the find highlights of the
 * JSON tree). axe leaves text it cannot place (rows scrolled under the sticky header, SVG text)
 * as "incomplete"; these pairs cover it whatever axe could see.
 */
const PALETTE_PAIRS = [
  [['fg', 'muted', 'accent', 'err', 'ok', 'str', 'num', 'bool', 'null', 'key',
    'st-running', 'st-ok', 'st-failed', 'st-cancelled', 'st-disabled', 'st-unknown'],
   ['bg', 'panel', 'row-sel', 'row-hover'], 4.5],
  [['fg', 'muted', 'err'], ['warn-bg', 'err-bg'], 4.5],
  [['fg', 'muted', 'accent', 'str', 'num', 'bool', 'null', 'key'], ['match', 'match-cur'], 4.5],
  [['accent-fg'], ['accent'], 4.5],
  [['st-running', 'st-ok', 'st-failed', 'st-cancelled', 'st-disabled', 'st-unknown', 'st-run', 'err', 'accent'],
   ['panel', 'row-sel', 'row-hover'], 3],
];

async function checkPalette(page, scheme) {
  const names = [...new Set(PALETTE_PAIRS.flatMap(([f, b]) => [...f, ...b]))];
  const vars = await page.evaluate((names) => {
    // Resolve each custom property to rgb() through a probe element.
    const probe = document.createElement('span');
    document.body.append(probe);
    const out = {};
    for (const n of names) {
      probe.style.setProperty('color', `var(--${n})`);
      out[n] = getComputedStyle(probe).color;
    }
    probe.remove();
    return out;
  }, names);
  const problems = [];
  for (const [fgs, bgs, min] of PALETTE_PAIRS) {
    for (const f of fgs) {
      for (const b of bgs) {
        const r = contrast(vars[f], vars[b]);
        if (!(r >= min)) problems.push(`[${scheme}] --${f} ${vars[f]} on --${b} ${vars[b]}: ${r.toFixed(2)}:1 (needs ${min}:1)`);
      }
    }
  }
  return problems;
}


for (const scheme of SCHEMES) {
  const contextOptions = { colorScheme: scheme };

  appTest(`a11y (${scheme}): every colour pair of the palette meets WCAG AA`, async ({ page }) => {
    const problems = await checkPalette(page, scheme);
    assert.deepEqual(problems, [], 'colour pairs below WCAG AA');
  }, { contextOptions });

  appTest(`a11y (${scheme}): the Events view, empty, loaded, with a tree open and after a failed fetch`, async ({ page, shot }) => {
    const problems = [];
    problems.push(...(await audit(page, 'events empty')));

    await page.click(tid('settings-toggle'));
    await page.locator(tid('proxy-base')).waitFor();
    problems.push(...(await audit(page, 'events, settings open')));
    await page.click(tid('settings-toggle'));

    // Capped: the "Load older" line shows.
    await fetchEvents(page, { preset: '24h', cap: 100 });
    await page.locator(tid('coverage')).waitFor();
    problems.push(...(await audit(page, 'events loaded')));

    // The explore controls: the Columns menu, the fields panel, the shortcuts dialog.
    await page.getByRole('button', { name: 'Columns', exact: true }).click();
    await page.getByRole('group', { name: 'Columns' }).waitFor();
    problems.push(...(await audit(page, 'events, columns menu open')));
    await page.keyboard.press('Escape');
    await page.click(tid('fields-toggle'));
    await page.getByRole('complementary', { name: 'Fields' }).waitFor();
    problems.push(...(await audit(page, 'events, fields panel open')));
    await page.click(tid('fields-toggle'));
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    problems.push(...(await audit(page, 'events, shortcuts dialog open')));
    await page.keyboard.press('Escape');

    const help = page.locator('[aria-controls="search-help-panel"]');
    await help.click();
    problems.push(...(await audit(page, 'events, search help open')));
    await help.click();

    await openRow(page, 1);
    problems.push(...(await audit(page, 'events, tree open')));
    // Find in event: matches and the current match are highlighted.
    await page.locator(tid('tree-find')).fill('"');
    await page.locator(tid('tree-find')).fill('Time');
    await eventually(async () => /^1 of \d+$/.test(await page.textContent(tid('tree-find-count'))), 'a match count');
    await shot('tree-find');
    problems.push(...(await audit(page, 'events, tree open, find in event')));

    // Two rows marked and compared.
    const eventRows = page.locator(`${tid('events-table')} tbody tr${tid('event-row')}`);
    await eventRows.nth(0).getByRole('checkbox').check();
    await eventRows.nth(2).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.getByRole('dialog', { name: 'Compare' }).locator(tid('compare-row')).first().waitFor();
    problems.push(...(await audit(page, 'events, compare open')));
    await page.keyboard.press('Escape');

    await page.click(tid('fetch'));
    await page.locator(tid('replace-prompt')).waitFor();
    problems.push(...(await audit(page, 'events, asking before replacing')));
    await page.click(tid('keep-events'));
    await page.locator(tid('replace-prompt')).waitFor({ state: 'detached' });

    await page.route('**/aliyun/actiontrail?*', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ RequestId: 'R-A11Y', HostId: 'h', Code: 'InvalidParameter', Message: 'The parameter is invalid.' }),
      }),
    );
    await submitFetch(page, 'add');
    await waitForState(page, 'error').catch(() => {});
    await page.locator(tid('api-error')).waitFor();
    await shot('failed');
    problems.push(...(await audit(page, 'events, failed fetch')));

    assert.equal(problems.length, 0, `axe found:\n${report(problems)}`);
  }, { contextOptions });

  appTest(`a11y (${scheme}): the Jobs view on each tab, a job selected, its tooltip open, Settings open`, async ({ page, shot }) => {
    const problems = [];
    const graphics = [];
    await openJobs(page);
    problems.push(...(await audit(page, 'jobs loaded')));
    for (const s of SOURCES) {
      await page.locator(tid(`jobs-source-${s}`)).click();
      await page.locator(tid(`jobs-panel-${s}`)).waitFor();
      await page.locator(tid('job-row')).first().waitFor();
      await page.locator(tid('job-row')).first().click();
      await page.locator(`${tid('job-row')}.selected`).waitFor();
      const bar = page.locator(tid('timeline-bar')).nth(1);
      await bar.focus();
      await page.locator(tid('timeline-tooltip')).waitFor();
      await shot(s);
      problems.push(...(await audit(page, `jobs ${s}, job selected, tooltip open`)));
      graphics.push(...(await checkTimelineGraphics(page, `jobs ${s}`)));
    }
    await page.click(tid('settings-toggle'));
    await page.locator(tid('proxy-base')).waitFor();
    problems.push(...(await audit(page, 'jobs, settings open')));

    assert.ok(
      problems.length === 0 && graphics.length === 0,
      `axe found:\n${report(problems)}\ntimeline graphics below 3:1 or without a status in their name:\n${graphics.join('\n')}`,
    );
  }, { contextOptions });
}
