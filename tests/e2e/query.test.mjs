// Query conditions: rules checked before sending, and server-side filtering.
import assert from 'node:assert/strict';
import { appTest, fetchEvents, progress, rows, tid } from './helpers.mjs';

appTest('an unsupported pair of conditions shows an error and sends nothing', async ({ page, shot }) => {
  const api = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname.startsWith('/api')) api.push(req.url());
  });
  await page.selectOption(tid('range-preset'), '24h');
  await page.selectOption(tid('attr-key-1'), 'EventName');
  await page.fill(tid('attr-value-1'), 'ConsoleSignin');
  await page.selectOption(tid('attr-key-2'), 'User');
  await page.fill(tid('attr-value-2'), 'Alice');
  // The button may be disabled while the query is invalid: don't wait for it to be enabled.
  await page.click(tid('fetch'), { force: true });
  const error = page.locator(tid('query-error'));
  await error.waitFor({ state: 'visible', timeout: 10_000 });
  const text = await error.textContent();
  assert.match(text, /EventName/, text);
  assert.match(text, /User/, text);
  await page.waitForTimeout(1500);
  assert.deepEqual(api, [], 'no API request was sent');
  assert.equal((await progress(page)).state, 'idle');
  await shot('invalid-pair');
});

appTest('a ServiceName condition returns only that service', async ({ page }) => {
  await fetchEvents(page, { preset: '7d', cap: 100 });
  const service = (await rows(page)).find((r) => r.service)?.service;
  assert.ok(service, 'some row shows a service');
  const p = await fetchEvents(page, { preset: '7d', cap: 100, conditions: [['ServiceName', service]] });
  assert.ok(p.events >= 1, `events for ServiceName=${service}`);
  const r = await rows(page);
  assert.ok(r.length > 0);
  for (const row of r) assert.equal(row.service, service, `row ${row.id}`);
});
