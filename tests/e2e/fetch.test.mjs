// Fetching: the query bar, progress, cap, cancel.
import assert from 'node:assert/strict';
import {
  appTest,
  counts,
  eventually,
  fetchEvents,
  pageInfo,
  progress,
  rows,
  tid,
  waitForState,
  COLUMNS,
} from './helpers.mjs';

appTest('fetch the last 24h with a cap of 500 fills the table', async ({ page, shot }) => {
  assert.equal((await progress(page)).state, 'idle', 'nothing is fetched before clicking fetch');
  const presets = await page
    .locator(`${tid('range-preset')} option`)
    .evaluateAll((os) => os.map((o) => o.value));
  for (const v of ['1h', '24h', '7d', '30d', 'custom']) assert.ok(presets.includes(v), `preset ${v}`);

  const p = await fetchEvents(page, { preset: '24h', cap: 500 });
  assert.ok(p.events > 0, `the demo returns events for 24h (got ${p.events})`);
  assert.ok(p.events <= 500, `the cap of 500 is respected (got ${p.events})`);
  assert.ok(p.pages >= 1, `pages fetched: ${p.pages}`);

  const c = await counts(page);
  assert.equal(c.total, p.events, 'count-info total = events loaded');
  assert.equal(c.filtered, c.total, 'no filters yet');

  const r = await rows(page);
  assert.equal(r.length, Math.min(50, p.events), 'default page size is 50');
  assert.equal(new Set(r.map((x) => x.id)).size, r.length, 'data-event-id is unique');
  for (const row of r) {
    assert.ok(row.id, 'every row has data-event-id');
    for (const col of COLUMNS) assert.ok(col in row, `row ${row.id} has a ${col} cell`);
    assert.ok(row.time && row.event, `row ${row.id} shows time and event name`);
  }
  const info = await pageInfo(page);
  assert.deepEqual([info.from, info.to, info.of], [1, r.length, p.events], info.text);
  await shot('loaded');
});

appTest('cancel stops a long fetch and keeps what was loaded', async ({ page, shot }) => {
  await page.selectOption(tid('range-preset'), '30d');
  await page.fill(tid('cap'), '5000');
  await page.click(tid('fetch'));
  await eventually(
    async () => {
      const p = await progress(page);
      return p.state === 'running' && p.pages >= 1;
    },
    'the fetch to be running with at least one page loaded',
    30_000,
  );
  await page.click(tid('cancel'));
  const p = await waitForState(page, 'cancelled', 15_000);
  assert.ok(p.events < 5000, `cancelled before the cap (${p.events} events)`);
  // No further pages arrive after cancelling.
  await page.waitForTimeout(1500);
  assert.deepEqual(await progress(page), p, 'progress is frozen after cancel');
  assert.equal((await counts(page)).total, p.events, 'the table keeps the events loaded so far');
  await shot('cancelled');
});
