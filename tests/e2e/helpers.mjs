// Shared helpers for the end-to-end tests: one headless Chromium per test file, a fresh browser
// context per test, screenshots, and small wrappers around the app's data-testid contract.
//
// Environment (set by `cargo xtask test`):
//   TRAILVIEW_URL   the app served by `trailview-proxy --demo` (default http://127.0.0.1:8080)
//   CHROMIUM_PATH   the Chromium binary (default /usr/bin/chromium)
//   SCREENSHOT_DIR  where PNGs go (default <repo>/target/screenshots)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

export const BASE_URL = (process.env.TRAILVIEW_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOT_DIR =
  process.env.SCREENSHOT_DIR || path.resolve(here, '../../target/screenshots');

/** Flags that work for headless Chromium in containers and CI. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** How long a fetch may take: the demo API allows 2 calls/s, 500 events = 10 pages ≈ 5 s. */
export const FETCH_TIMEOUT = 60_000;
/** Per-test budget. */
export const TEST_TIMEOUT = 120_000;

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  await browser?.close();
});

const slug = (s) => s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();

/**
 * Declares a test that gets a fresh context and page with the app loaded.
 * `fn({ page, context, shot, dialogs, pageErrors })`; `shot(name)` saves target/screenshots/<test>-<name>.png.
 * On failure a `<test>-FAILED.png` screenshot is saved. The test fails on uncaught page errors
 * (including Rust panics reported to the console). `baseUrl` (a function, read when the test
 * runs) serves the app from another server than `TRAILVIEW_URL`.
 */
export function appTest(name, fn, { timeout = TEST_TIMEOUT, contextOptions = {}, beforeOpen, baseUrl } = {}) {
  test(name, { timeout }, async () => {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      timezoneId: 'UTC',
      locale: 'en-US',
      ...contextOptions,
    });
    // Anything that pops a dialog or calls alert() from event data is an injection.
    await context.addInitScript(() => {
      const hit = (what) => () => {
        window.__xss = (window.__xss || 0) + 1;
        window.__xssWhat = what;
      };
      window.alert = hit('alert');
      window.confirm = hit('confirm');
      window.prompt = hit('prompt');
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const dialogs = [];
    const pageErrors = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // The demo serves the deployment's Content-Security-Policy: anything it blocks (an inline
    // style attribute, an eval, a foreign fetch) fails the test.
    await page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sample || ''})`),
      );
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && /panicked at/.test(m.text())) pageErrors.push(m.text());
    });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const shot = async (label) => {
      const file = path.join(SCREENSHOT_DIR, `${slug(name)}-${slug(label)}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    };
    try {
      if (beforeOpen) await beforeOpen({ page, context });
      await openApp(page, baseUrl ? baseUrl() : BASE_URL);
      await fn({ page, context, shot, dialogs, pageErrors });
      assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
      const csp = await page.evaluate(() => window.__cspViolations).catch(() => []);
      assert.deepEqual(csp, [], 'Content-Security-Policy violations');
      assert.deepEqual(dialogs, [], 'the page opened dialogs');
    } catch (err) {
      await shot('FAILED').catch(() => {});
      if (pageErrors.length) err.message += `\npage errors:\n  ${pageErrors.join('\n  ')}`;
      throw err;
    } finally {
      await context.close();
    }
  });
}

export const tid = (id) => `[data-testid="${id}"]`;

/** Loads the app and waits until the query bar is interactive. */
export async function openApp(page, baseUrl = BASE_URL) {
  await page.goto(baseUrl + '/', { waitUntil: 'load' });
  await page.locator(tid('fetch')).waitFor({ state: 'visible', timeout: 30_000 });
}

/** `{ state, events, pages }` from the progress element. */
export async function progress(page) {
  return page.locator(tid('progress')).evaluate((el) => ({
    state: el.getAttribute('data-state'),
    events: Number(el.getAttribute('data-events')),
    pages: Number(el.getAttribute('data-pages')),
  }));
}

/** `{ filtered, total }` from the count-info element. */
export async function counts(page) {
  return page.locator(tid('count-info')).evaluate((el) => ({
    filtered: Number(el.getAttribute('data-filtered')),
    total: Number(el.getAttribute('data-total')),
  }));
}

/** Waits until the progress state is one of `states`; fails early on `error` unless expected. */
export async function waitForState(page, states, timeout = FETCH_TIMEOUT) {
  const want = [].concat(states);
  try {
    await page.waitForFunction(
      ([sel, want]) => {
        const s = document.querySelector(sel)?.getAttribute('data-state');
        return want.includes(s) || s === 'error';
      },
      [tid('progress'), want],
      { timeout, polling: 100 },
    );
  } catch (e) {
    const p = await progress(page).catch(() => null);
    throw new Error(`progress did not reach ${want.join('|')} within ${timeout} ms (now ${JSON.stringify(p)})`);
  }
  const p = await progress(page);
  if (!want.includes(p.state)) {
    const banner = await page.locator(tid('api-error')).textContent({ timeout: 1000 }).catch(() => '');
    throw new Error(`fetch ended in state ${p.state}: ${banner}`);
  }
  return p;
}

/**
 * Clicks Fetch; when events are already loaded the app asks first, and `mode` answers:
 * 'replace' | 'add' | 'keep'.
 */
export async function submitFetch(page, mode = 'replace') {
  const loaded = (await counts(page).catch(() => ({ total: 0 }))).total;
  await page.click(tid('fetch'));
  if (loaded > 0) {
    await page.locator(tid('replace-prompt')).waitFor();
    await page.click(tid(`${mode}-events`));
    await page.locator(tid('replace-prompt')).waitFor({ state: 'detached' });
  }
}

/**
 * Fills the query bar and fetches. `conditions` = [[key, value], ...] (up to two).
 * Waits for `done` and for the table to show the result; returns the progress.
 */
export async function fetchEvents(page, { preset = '24h', cap = 300, conditions = [], mode = 'replace' } = {}) {
  await page.selectOption(tid('range-preset'), preset);
  await page.fill(tid('cap'), String(cap));
  for (const [i, [key, value]] of conditions.entries()) {
    await page.selectOption(tid(`attr-key-${i + 1}`), key);
    await page.fill(tid(`attr-value-${i + 1}`), value);
  }
  await submitFetch(page, mode);
  const p = await waitForState(page, 'done');
  if (p.events > 0) {
    await page.locator(`${tid('events-table')} tbody tr${tid('event-row')}`).first().waitFor();
  }
  return p;
}

export const COLUMNS = ['time', 'event', 'service', 'user', 'ip', 'rw', 'region', 'result'];

/**
 * The rows of the current page: `[{ id, selected, time, timeKey, event, service, ... }]` (cell
 * texts, trimmed). The table renders only the rows in its scroll viewport, so this scrolls the
 * table through the page collecting rows by `aria-rowindex`, then scrolls back.
 * `timeKey` is the sortable form of the time cell: a `<time datetime>` or `data-sort` attribute
 * if present, else the text.
 */
export async function rows(page) {
  return page.evaluate(async (sel) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const table = document.querySelector(sel.table);
    if (!table) return [];
    const sc = table.closest('.table-scroll');
    const before = sc.scrollTop;
    const found = new Map();
    const collect = () => {
      for (const tr of table.querySelectorAll(sel.row)) {
        const row = {
          id: tr.getAttribute('data-event-id'),
          selected: tr.getAttribute('aria-selected') === 'true',
        };
        for (const td of tr.querySelectorAll('[data-col]')) {
          row[td.getAttribute('data-col')] = (td.textContent || '').trim();
          if (td.getAttribute('data-col') === 'time') {
            row.timeKey = td.querySelector('time')?.getAttribute('datetime') || td.getAttribute('data-sort') || row.time;
          }
        }
        found.set(Number(tr.getAttribute('aria-rowindex')), row);
      }
    };
    const expected = Number(table.getAttribute('aria-rowcount')) - 2;
    collect();
    if (found.size < expected) {
      sc.scrollTop = 0;
      await frame();
      collect();
      while (found.size < expected && sc.scrollTop + sc.clientHeight < sc.scrollHeight) {
        sc.scrollTop += Math.max(50, sc.clientHeight - 60);
        await frame();
        collect();
      }
      sc.scrollTop = before;
      await frame();
    }
    return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  }, { table: tid('events-table'), row: `tbody tr${tid('event-row')}` });
}

/** How many table rows are in the DOM (the table renders only rows near its viewport). */
export async function domRowCount(page) {
  return page.locator(`${tid('events-table')} tbody tr${tid('event-row')}`).count();
}

/** Waits until `predicate(await rows(page), await counts(page))` holds. */
export async function waitForRows(page, predicate, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    const r = await rows(page);
    const c = await counts(page).catch(() => null);
    last = { rows: r.length, counts: c, first: r[0] };
    if (predicate(r, c)) return { rows: r, counts: c };
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    }
    await page.waitForTimeout(100);
  }
}

/** Polls `check()` (sync or async) until it returns truthy; returns that value. */
export async function eventually(check, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Parses `51–100 of 1,234` into `{ from, to, of }`. */
export async function pageInfo(page) {
  const text = (await page.locator(tid('page-info')).textContent()) || '';
  const nums = text.match(/\d[\d,.\u202f\u00a0']*/g)?.map((n) => Number(n.replace(/\D/g, ''))) || [];
  if (nums.length < 3) throw new Error(`page-info ${JSON.stringify(text)} is not "from–to of total"`);
  return { from: nums[0], to: nums[1], of: nums[2], text };
}

export async function ariaSort(page, col) {
  return page
    .locator(tid(`sort-${col}`))
    .evaluate((el) => el.closest('th')?.getAttribute('aria-sort') ?? null);
}

/**
 * Is `values` ordered (non-strictly) under byte order or case-insensitive order? False for fewer
 * than two values or any missing one: an empty or unread list proves nothing about order.
 */
export function isSorted(values, direction) {
  if (values.length < 2 || values.some((v) => typeof v !== 'string')) return false;
  const sign = direction === 'descending' ? -1 : 1;
  const ordered = (cmp) => values.every((v, i) => i === 0 || sign * cmp(values[i - 1], v) <= 0);
  const bytes = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const folded = (a, b) => bytes(a.toLowerCase(), b.toLowerCase());
  return ordered(bytes) || ordered(folded);
}

/** Clicks a row and waits for the JSON tree to show. */
export async function openRow(page, index = 0) {
  const row = page.locator(`${tid('events-table')} tbody tr${tid('event-row')}`).nth(index);
  await row.click();
  await eventually(
    async () => (await row.getAttribute('aria-selected')) === 'true',
    `row ${index} to get aria-selected=true after a click`,
  );
  const tree = page.locator(tid('json-tree'));
  await tree.waitFor({ state: 'visible', timeout: 10_000 });
  await tree.locator('[role="treeitem"]').first().waitFor();
  return tree;
}

export const JOB_SOURCES = ['backfill', 'cdn', 'export'];

/** Opens the Jobs view and waits until every source has loaded. */
export async function openJobs(page) {
  await page.locator(tid('nav-jobs')).click();
  await page.locator(tid('jobs-view')).waitFor({ state: 'visible' });
  for (const s of JOB_SOURCES) {
    await eventually(
      async () => (await page.locator(tid(`jobs-source-${s}`)).getAttribute('data-state')) === 'done',
      `${s} loaded`,
      60_000,
    );
  }
}
