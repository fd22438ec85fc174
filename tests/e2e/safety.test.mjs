// Event data is shown as text, never as markup; settings (time zone, proxy base).
import assert from 'node:assert/strict';
import {
  appTest,
  BASE_URL,
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

/** Markup in every displayed field, in a key name, and in a long string (the demo data has a few
 * hostile events too, but too rarely to be sure to meet them in one fetch). */
function poison(event, i) {
  const mark = `xss-probe-${i}`;
  const e = typeof event === 'string' ? JSON.parse(event) : event;
  e.eventId = `${e.eventId || 'id'}-${mark}`;
  e.eventName = `<img src=x onerror="window.__xss='eventName'">${mark}`;
  e.serviceName = `<script>window.__xss='serviceName'</script>${mark}`;
  e.userIdentity = { ...(e.userIdentity || {}), userName: `<svg onload="window.__xss='userName'">${mark}` };
  e.sourceIpAddress = `"><iframe src="javascript:window.__xss='ip'"></iframe>`;
  e.acsRegion = `<a href="javascript:window.__xss='region'">${mark}</a>`;
  e.userAgent = '<script>alert(1)</script>';
  e.errorCode = '<b onmouseover=alert(1)>Err</b>';
  e.errorMessage = `<img src=x onerror=alert(1)> ${mark}`;
  e.requestParameters = {
    ...(e.requestParameters || {}),
    '<img src=x onerror=alert(1)>': '<script>alert(1)</script>',
    long: 'A'.repeat(30_000) + '<img src=x onerror=alert(1)>',
  };
  return typeof event === 'string' ? JSON.stringify(e) : e;
}

appTest('hostile strings in events never become markup', async ({ page, shot, dialogs }) => {
  // Poison the first API response on its way from the demo backend to the app.
  let poisoned = 0;
  await page.route(
    (url) => url.pathname.startsWith('/api/'),
    async (route) => {
      const response = await route.fetch();
      if (poisoned > 0 || !response.ok()) return route.fulfill({ response });
      const body = await response.json();
      const events = body.Events || [];
      for (let i = 0; i < Math.min(6, events.length); i++) events[i] = poison(events[i], i);
      poisoned = Math.min(6, events.length);
      return route.fulfill({ response, json: body });
    },
  );
  const baseline = await activeCount(page);
  await fetchEvents(page, { preset: '24h', cap: 200 });
  assert.ok(poisoned > 0, 'the first API response was poisoned');

  await page.fill(tid('search'), 'xss-probe');
  const { rows: r } = await waitForRows(page, (r, c) => c && c.filtered === poisoned && r.length === poisoned, 'the poisoned events');
  assert.ok(r[0].event.includes('<img src=x onerror='), `markup shows as text: ${JSON.stringify(r[0].event)}`);
  for (let i = 0; i < r.length; i++) {
    const tree = await openRow(page, i);
    await page.click(tid('expand-all'));
    // Open every long string that is rendered (the tree is virtualised: rows in view).
    for (let k = 0; k < 20; k++) {
      const more = tree.locator(tid('show-more'), { hasText: 'show more' }).first();
      if (!(await more.count())) break;
      await more.click({ timeout: 5_000 });
    }
  }
  await page.waitForTimeout(500);
  await shot('hostile');
  assert.equal(await activeCount(page), baseline, `no new active elements (${ACTIVE})`);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected code ran');
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
  // Empty means "config.json's base" (shown as the placeholder), or an explicit /api.
  const shown = (await base.inputValue()) || (await base.getAttribute('placeholder'));
  assert.equal(shown, '/api', 'config.json sets the proxy base');

  await base.fill('/no-such-api');
  await base.press('Tab'); // commits the value (change event)
  await page.selectOption(tid('range-preset'), '1h');
  await page.fill(tid('cap'), '50');
  await page.click(tid('fetch'));
  await waitForState(page, 'error').catch(() => {});
  assert.equal((await page.locator(tid('progress')).getAttribute('data-state')), 'error');
  await page.locator(tid('api-error')).waitFor({ state: 'visible' });
  await shot('api-error');

  await base.fill('');
  await base.press('Tab');
  const p = await fetchEvents(page, { preset: '24h', cap: 50 });
  assert.ok(p.events > 0);
  assert.equal((await counts(page)).total, p.events);
});

appTest('the demo serves the deployment Content-Security-Policy (every test runs under it)', async ({ page }) => {
  const res = await page.request.get(BASE_URL + '/');
  const csp = res.headers()['content-security-policy'] || '';
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/, csp);
  assert.match(csp, /style-src 'self';/, 'no inline styles allowed');
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(res.headers()['x-content-type-options'], 'nosniff');
});
