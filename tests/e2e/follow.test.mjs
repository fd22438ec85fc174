// Follow new events: the demo keeps generating events while it runs (one or two every 5 s);
// after a fetch, Follow polls for the newer ones, adds them without duplicates, keeps the
// user's selection and page, shows "n new", and pauses while the tab is hidden.
import assert from 'node:assert/strict';
import { appTest, counts, eventually, fetchEvents, openRow, rows, tid } from './helpers.mjs';

/** A time cell's text ("2026-12-03 08:05:12", UTC in these tests) as epoch ms. */
const timeMs = (text) => Date.parse(`${text.trim().replace(' ', 'T').slice(0, 19)}Z`);

/** LookupEvents calls the page makes, counted. */
function countCalls(page) {
  const calls = { n: 0 };
  page.on('request', (r) => {
    if (r.url().includes('LookupEvents')) calls.n += 1;
  });
  return calls;
}

async function followState(page) {
  return page.locator(tid('follow')).getAttribute('data-state');
}

async function newCount(page) {
  const b = page.locator(tid('follow-new'));
  if ((await b.count()) === 0 || (await b.getAttribute('hidden')) !== null) return 0;
  return Number(await b.getAttribute('data-new'));
}

/** Pretends the tab is hidden (or shown again) the way a browser says so. */
async function setHidden(page, hidden) {
  await page.evaluate((hidden) => {
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }, hidden);
}

function assertUnique(r) {
  const ids = r.map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length, 'no EventId twice');
}

appTest('Follow adds the events the demo makes after the page loaded, once each', async ({ page, shot }) => {
  const loadedAt = Date.now();
  const calls = countCalls(page);
  const toggle = page.locator(tid('follow-toggle'));
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  assert.ok(await toggle.isDisabled(), 'Follow needs a fetch first');

  await page.selectOption(tid('page-size'), '250');
  const fetched = await fetchEvents(page, { preset: '1h', cap: 150 });
  assert.ok(fetched.events > 0);
  const before = await rows(page);
  assertUnique(before);
  const newestBefore = Math.max(...before.map((r) => timeMs(r.time)));

  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  assert.ok(['polling', 'waiting'].includes(await followState(page)));

  // New events arrive (one or two every 5 s in the demo): on the first page, newest first,
  // nothing selected, they show at once, on top, with "n new".
  const n = await eventually(async () => (await newCount(page)) >= 2 && (await newCount(page)), '2 new events', 30_000);
  // Every loaded event is on this page (read again if a round landed in between).
  const after = await eventually(async () => {
    const r = await rows(page);
    return r.length === (await counts(page)).total && r;
  }, 'the page to hold every loaded event');
  assertUnique(after);
  assert.ok(after.length >= before.length + n, `${after.length} rows after ${n} new`);
  // Follow's rows: not loaded by the fetch, none older than the fetch's newest second (the
  // demo stamps events to the second, so "after the page loaded" is read as "after the fetch").
  const had = new Set(before.map((r) => r.id));
  const fresh = after.filter((r) => !had.has(r.id));
  assert.ok(fresh.length >= 2, `events Follow added: ${fresh.length}`);
  for (const r of fresh) assert.ok(timeMs(r.time) >= newestBefore, `${r.id} at ${r.time} is not older than the fetch's newest`);
  assert.ok(fresh.some((r) => timeMs(r.time) >= Math.floor(loadedAt / 1000) * 1000), 'some made after the page loaded');
  assert.ok(timeMs(after[0].time) >= newestBefore, 'the newest on top');
  for (let i = 1; i < after.length; i++) {
    assert.ok(timeMs(after[i - 1].time) >= timeMs(after[i].time), `row ${i} out of order`);
  }
  // Every event fetched before is still there.
  const ids = new Set(after.map((r) => r.id));
  for (const r of before) assert.ok(ids.has(r.id), `lost ${r.id}`);
  await shot('following');

  // "n new" goes to them and clears the count.
  await page.click(tid('follow-new'));
  assert.equal(await newCount(page), 0);

  // Reading an event: new ones wait behind "n new", the rows and the selection stay put.
  await openRow(page, 3);
  const reading = await rows(page);
  const selectedId = reading.find((r) => r.selected)?.id;
  assert.ok(selectedId);
  const seen = await newCount(page);
  await eventually(async () => (await newCount(page)) > seen, 'a new event while reading', 30_000);
  const still = await rows(page);
  assert.deepEqual(still.map((r) => r.id), reading.map((r) => r.id), 'the rows did not move');
  assert.equal(still.find((r) => r.selected)?.id, selectedId, 'the same event selected');
  await shot('held');
  const held = (await newCount(page)) - seen;
  await page.click(tid('follow-new'));
  const shown = await rows(page);
  assertUnique(shown);
  assert.ok(shown.length >= still.length + held, 'the held events are shown');
  assert.equal(shown.find((r) => r.selected)?.id, selectedId, 'still selected');
  assert.ok(timeMs(shown[0].time) >= timeMs(still[0].time));

  // Hidden tab: no calls; shown again: following goes on.
  await setHidden(page, true);
  await eventually(async () => (await followState(page)) === 'paused', 'paused', 10_000);
  const paused = calls.n;
  await page.waitForTimeout(7_000);
  assert.equal(calls.n, paused, 'no LookupEvents call while hidden');
  await shot('paused');
  await setHidden(page, false);
  await eventually(async () => calls.n > paused, 'a call once shown again', 10_000);
  assert.ok(['polling', 'waiting'].includes(await followState(page)));

  // Off: no more calls.
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  assert.equal(await followState(page), 'off');
  await page.waitForTimeout(500);
  const off = calls.n;
  await page.waitForTimeout(6_000);
  assert.equal(calls.n, off, 'no call after Follow is off');
  assertUnique(await rows(page));
});

appTest('a new fetch stops following', async ({ page }) => {
  await fetchEvents(page, { preset: '1h', cap: 50 });
  const toggle = page.locator(tid('follow-toggle'));
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await fetchEvents(page, { preset: '1h', cap: 60, mode: 'replace' });
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  assert.equal(await followState(page), 'off');
});
