// Event data is shown as text, never as markup; settings (time zone, proxy base).
import assert from 'node:assert/strict';
import {
  appTest,
  counts,
  eventually,
  fetchEvents,
  openRow,
  rows,
  tid,
  waitForRows,
  waitForState,
} from './helpers.mjs';

const ACTIVE =
  'script, img, iframe, object, embed, video, audio, link[rel=import], meta[http-equiv], ' +
  'svg script, [onerror], [onload], [onclick], [onmouseover], [onfocus], a[href^="javascript:" i]';

const activeCount = (page) => page.evaluate((sel) => document.querySelectorAll(sel).length, ACTIVE);

appTest('hostile strings in events never become markup', async ({ page, shot, dialogs }) => {
  const baseline = await activeCount(page);
  await fetchEvents(page, { preset: '30d', cap: 500 });
  // Prefer events that carry markup-like text, if the demo data has them.
  await page.fill(tid('search'), '<');
  const { counts: c } = await waitForRows(page, (r, c) => c && c.filtered <= c.total, 'search for "<"');
  if (c.filtered === 0) await page.fill(tid('search'), '');
  const n = Math.min(5, (await rows(page)).length);
  for (let i = 0; i < n; i++) {
    const tree = await openRow(page, i);
    await page.click(tid('expand-all'));
    for (const more of await tree.locator(tid('show-more')).all()) await more.click().catch(() => {});
  }
  await page.waitForTimeout(500);
  await shot('hostile');
  assert.equal(await activeCount(page), baseline, `no new active elements (${ACTIVE})`);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'alert/confirm/prompt were never called');
  assert.deepEqual(dialogs, []);
});

appTest('time zone setting switches the time column between UTC and local', async ({ page, shot }) => {
  await fetchEvents(page, { preset: '24h', cap: 100 });
  await page.click(tid('settings-toggle'));
  const tz = page.locator(tid('timezone'));
  await tz.waitFor({ state: 'visible' });
  const options = await tz.locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual([...options].sort(), ['local', 'utc']);
  await tz.selectOption('utc');
  const [first] = await rows(page);
  const timeOf = async (id) => (await rows(page)).find((r) => r.id === id)?.time;
  // The browser runs in Asia/Shanghai (UTC+8, no DST), so local time differs from UTC.
  await tz.selectOption('local');
  await eventually(async () => (await timeOf(first.id)) !== first.time, 'the time cell to change with the time zone');
  await shot('local-time');
  await tz.selectOption('utc');
  await eventually(async () => (await timeOf(first.id)) === first.time, 'UTC again');
}, { contextOptions: { timezoneId: 'Asia/Shanghai' } });

appTest('a wrong proxy base shows an API error; the right one works again', async ({ page, shot }) => {
  await page.click(tid('settings-toggle'));
  const base = page.locator(tid('proxy-base'));
  await base.waitFor({ state: 'visible' });
  assert.equal(await base.inputValue(), '/api', 'config.json sets the proxy base');

  await base.fill('/no-such-api');
  await base.press('Enter');
  await page.selectOption(tid('range-preset'), '1h');
  await page.fill(tid('cap'), '50');
  await page.click(tid('fetch'));
  await waitForState(page, 'error').catch(() => {});
  assert.equal((await page.locator(tid('progress')).getAttribute('data-state')), 'error');
  await page.locator(tid('api-error')).waitFor({ state: 'visible' });
  await shot('api-error');

  await base.fill('/api');
  await base.press('Enter');
  const p = await fetchEvents(page, { preset: '24h', cap: 50 });
  assert.ok(p.events > 0);
  assert.equal((await counts(page)).total, p.events);
});
