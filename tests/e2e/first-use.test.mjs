// What a new user meets in the first minutes: a preset range taken when Fetch is pressed, loaded
// events never thrown away without asking, messages that say what is true, a capped fetch that
// says what it covers and continues with "Load older", and a wrong proxy base explained at once.

import assert from 'node:assert/strict';
import {
  appTest,
  counts,
  eventually,
  fetchEvents,
  progress,
  rows,
  submitFetch,
  tid,
  waitForState,
} from './helpers.mjs';

/** Records the parameters of every LookupEvents call the page makes. */
function recordLookups(page) {
  const calls = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.searchParams.get('Action') === 'LookupEvents') calls.push(Object.fromEntries(url.searchParams));
  });
  return calls;
}

const label = (page) => page.locator(`${tid('progress')} .label`).innerText();

appTest(
  'a preset range ends when Fetch is pressed, not when the page was opened',
  async ({ page }) => {
    const calls = recordLookups(page);
    // The form is filled in, then an hour passes before Fetch is pressed (no edit in between
    // that could make the page read the clock again).
    await page.selectOption(tid('range-preset'), '7d');
    await page.fill(tid('cap'), '50');
    await page.clock.fastForward('01:00:00');
    const pressedAt = await page.evaluate(() => Date.now());
    await page.click(tid('fetch'));
    await waitForState(page, 'done');
    assert.ok(calls.length >= 1, 'a LookupEvents call');
    const end = Date.parse(calls[0].EndTime);
    const start = Date.parse(calls[0].StartTime);
    assert.ok(Number.isFinite(end) && Number.isFinite(start), JSON.stringify(calls[0]));
    assert.ok(Math.abs(end - pressedAt) < 5_000, `EndTime ${calls[0].EndTime} is when Fetch was pressed (${new Date(pressedAt).toISOString()})`);
    assert.equal(end - start, 7 * 86_400_000, 'seven days');

    // Asked whether to replace the loaded events, the user answers an hour later: the range
    // ends at the answer.
    await page.click(tid('fetch'));
    await page.locator(tid('replace-prompt')).waitFor();
    await page.clock.fastForward('01:00:00');
    const answeredAt = await page.evaluate(() => Date.now());
    const before = calls.length;
    await page.click(tid('replace-events'));
    await waitForState(page, 'done');
    const again = Date.parse(calls[before].EndTime);
    assert.ok(Math.abs(again - answeredAt) < 5_000, `EndTime ${calls[before].EndTime} is when Replace was chosen`);
  },
  // The page's clock is Playwright's: time flows naturally and can jump ahead.
  { beforeOpen: ({ page }) => page.clock.install() },
);

/**
 * An hour in the past, as the custom range's datetime-local values (UTC). The demo makes new
 * events as time passes, so "the last hour" fetched twice a few seconds apart may differ by one;
 * a closed window in the past is the same every time.
 */
async function pastHour(page) {
  const end = new Date(Date.now() - 2 * 3600_000);
  end.setUTCSeconds(0, 0);
  const start = new Date(end.getTime() - 3600_000);
  const v = (d) => d.toISOString().slice(0, 16);
  await page.selectOption(tid('range-preset'), 'custom');
  await page.fill(tid('custom-start'), v(start));
  await page.fill(tid('custom-end'), v(end));
}

appTest('loaded events are replaced or added to only when the user says so', async ({ page, shot }) => {
  await pastHour(page);
  await page.fill(tid('cap'), '50');
  await submitFetch(page, 'replace');
  const first = await waitForState(page, 'done');
  assert.ok(first.events > 0, 'the hour has events');
  const firstIds = new Set((await rows(page)).map((r) => r.id));
  assert.ok(firstIds.size > 0);

  // Fetch again: the app asks; "Don't fetch" leaves everything as it was.
  await page.selectOption(tid('range-preset'), '24h');
  await page.fill(tid('cap'), '100');
  await page.click(tid('fetch'));
  const prompt = page.locator(tid('replace-prompt'));
  await prompt.waitFor();
  assert.match(await prompt.innerText(), new RegExp(`${first.events} events are loaded`));
  await shot('prompt');
  await page.click(tid('keep-events'));
  await prompt.waitFor({ state: 'detached' });
  assert.equal((await progress(page)).state, 'done');
  assert.equal((await counts(page)).total, first.events, 'nothing was thrown away');

  // Add the same hour's newest 20: all already loaded, so nothing is added, and what they
  // cover is still said (the span counts events that were already there).
  await pastHour(page);
  await page.fill(tid('cap'), '20');
  await submitFetch(page, 'add');
  await waitForState(page, 'done');
  assert.equal((await counts(page)).total, first.events, 'no event added twice');
  assert.match(await label(page), /(covers|all of) \d{4}-/);

  // Add: the newest 100 of the day; any of the hour's events among them is not added twice.
  await page.selectOption(tid('range-preset'), '24h');
  await page.fill(tid('cap'), '100');
  await submitFetch(page, 'add');
  const added = await waitForState(page, 'done');
  const total = (await counts(page)).total;
  assert.ok(total >= added.events && total <= first.events + added.events, `total ${total}`);
  const ids = new Set();
  await page.selectOption(tid('page-size'), '250');
  for (const r of await rows(page)) {
    assert.ok(r.id, 'rows carry their id');
    assert.ok(!ids.has(r.id), `event ${r.id} is shown once`);
    ids.add(r.id);
  }
  assert.equal(ids.size, total);
  for (const id of firstIds) assert.ok(ids.has(id), `the first fetch's ${id} is still there`);

  // Replace: only the new fetch's events.
  const replaced = await fetchEvents(page, { preset: '1h', cap: 20, mode: 'replace' });
  assert.equal((await counts(page)).total, replaced.events);
});

appTest('messages after an error and after Cancel say what is loaded', async ({ page }) => {
  let fail = true;
  await page.route('**/aliyun/actiontrail?*', (route) => {
    if (!fail || new URL(route.request().url()).searchParams.get('Action') !== 'LookupEvents') return route.continue();
    return route.fulfill({
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({ RequestId: 'R-1', Code: 'InvalidParameter', Message: 'Bad thing.' }),
    });
  });
  await page.selectOption(tid('range-preset'), '1h');
  await page.click(tid('fetch'));
  await page.locator(tid('api-error')).waitFor();
  const banner = await page.locator(tid('api-error')).innerText();
  assert.match(banner, /No events were loaded/);
  assert.doesNotMatch(banner, /are kept/);
  assert.equal((await counts(page)).total, 0);

  fail = false;
  await page.selectOption(tid('range-preset'), '30d');
  await page.fill(tid('cap'), '5000');
  await page.click(tid('fetch'));
  await eventually(async () => (await progress(page)).events >= 50, 'a page loaded', 30_000);
  await page.click(tid('cancel'));
  const p = await waitForState(page, 'cancelled', 15_000);
  const notice = await page.locator(tid('notice')).innerText();
  assert.match(notice, new RegExp(`The ${p.events.toLocaleString('en-US')} events loaded are kept`));
  assert.equal((await counts(page)).total, p.events);
  // A cancelled fetch continues where it stopped.
  await page.locator(tid('load-more')).waitFor();
});

appTest('a capped fetch says what it covers, and Load older continues without gap or duplicate', async ({ page, shot }) => {
  const calls = recordLookups(page);
  const p = await fetchEvents(page, { preset: '7d', cap: 120 });
  assert.equal(p.events, 120, 'exactly the cap');
  assert.match(await label(page), /Stopped at the cap.*covers \d{4}-\d\d-\d\d \d\d:\d\d:\d\d → \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(\d+% of the range\)/);
  const coverage = page.locator(tid('coverage'));
  assert.match(await coverage.innerText(), /Showing the newest events of the range, from .* are not loaded/);
  const fill = await page.locator(`${tid('progress')} .fill`).evaluate((el) => parseFloat(el.style.width));
  assert.ok(fill > 0 && fill < 100, `the bar shows the share of the range covered (${fill}%)`);
  await shot('capped');

  const before = calls.length;
  await page.click(tid('load-more'));
  await eventually(async () => {
    const q = await progress(page);
    return q.state === 'done' && q.events === 240 && q;
  }, '240 events after Load older', 30_000);
  assert.equal(calls[before].NextToken !== undefined, true, 'continues from the NextToken');
  assert.equal(calls[before].EndTime, calls[0].EndTime, 'the same query');
  assert.equal((await counts(page)).total, 240);
  // In arrival order (no sort), the events run newest to oldest without a repeat.
  await page.selectOption(tid('page-size'), '250');
  const r = await rows(page);
  assert.equal(r.length, 240);
  assert.equal(new Set(r.map((x) => x.id)).size, 240, 'no event twice');
  for (let i = 1; i < r.length; i++) {
    assert.ok(r[i - 1].timeKey >= r[i].timeKey, `row ${i} is not newer than row ${i - 1}`);
  }
  // Done with the whole range (a small one): 100% and no Load older.
  await fetchEvents(page, { preset: '1h', cap: 5000 });
  assert.match(await label(page), /^Done: .*all of /);
  assert.equal(await coverage.count(), 0);
  const full = await page.locator(`${tid('progress')} .fill`).evaluate((el) => parseFloat(el.style.width));
  assert.equal(full, 100);
});

appTest('a proxy base the page policy blocks is explained at once, not retried', async ({ page, shot }) => {
  await page.click(tid('settings-toggle'));
  const base = page.locator(tid('proxy-base'));
  // Another origin than the page's (and than config.json's proxyBase): connect-src refuses it.
  const other = new URL(page.url());
  other.hostname = other.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
  await base.fill(`${other.origin}/api`);
  await base.press('Tab');
  await page.selectOption(tid('range-preset'), '1h');
  const t0 = Date.now();
  await page.click(tid('fetch'));
  await page.locator(tid('error-refused')).waitFor({ timeout: 5_000 });
  assert.ok(Date.now() - t0 < 5_000, 'at once');
  const text = await page.locator(tid('error-refused')).innerText();
  assert.match(text, /Content-Security-Policy/);
  assert.ok(text.includes(`${other.origin}/api/aliyun/actiontrail`), text);
  assert.equal((await progress(page)).state, 'error');
  assert.doesNotMatch(await label(page), /retr/, 'no retries');
  await shot('refused');
  // The violation was the point of this test.
  await page.evaluate(() => (window.__cspViolations = []));
});

appTest('a wrong proxy path says which URL answered; elapsed time runs during retries', async ({ page }) => {
  await page.click(tid('settings-toggle'));
  const base = page.locator(tid('proxy-base'));
  await base.fill('/no-such-api');
  await base.press('Tab');
  await page.selectOption(tid('range-preset'), '1h');
  await page.click(tid('fetch'));
  await page.locator(tid('api-error')).waitFor();
  const banner = await page.locator(tid('api-error')).innerText();
  assert.match(banner, /HTTP 4\d\d/);
  assert.ok(banner.includes('/no-such-api/aliyun/actiontrail?Action=LookupEvents'), banner);
  await base.fill('');
  await base.press('Tab');

  // Two lost answers, then the service: the clock keeps running while the app waits to retry.
  let lost = 0;
  await page.route('**/aliyun/actiontrail?*', (route) =>
    lost++ < 2 ? route.abort('failed') : route.continue(),
  );
  await submitFetch(page, 'replace');
  await eventually(async () => /attempt 2 of/.test(await page.locator(tid('notice')).innerText()), 'the second retry', 15_000);
  const secs = Number((await label(page)).match(/ ([\d.]+) s/)[1]);
  assert.ok(secs >= 1, `elapsed ${secs} s while retrying`);
  await waitForState(page, 'done', 30_000);
});

appTest('the shipped bundle exports no benchmark hooks', async ({ page }) => {
  const exports = await page.evaluate(() => Object.keys(window.wasmBindings || {}));
  // The bindings are there (the app runs on them), and none of them is a bench hook: those are
  // built only with the `bench` feature, into the benchmark's own copy of the app.
  assert.ok(exports.length > 0, 'window.wasmBindings is empty: the app did not load');
  assert.deepEqual(
    exports.filter((k) => k.startsWith('bench_')),
    [],
  );
});
