// The smaller things a new user trips on: the header names the view, the Jobs view follows the
// UTC / local setting, rows and tree actions work from the keyboard, the event pane can be
// resized and leaves the table the width while nothing is selected, and a narrow window still
// shows a useful number of rows.

import assert from 'node:assert/strict';
import { appTest, BASE_URL, eventually, fetchEvents, openRow, rows, tid } from './helpers.mjs';

appTest('the header names the view; Jobs times follow the time zone; Enter selects a job', async ({ page }) => {
  assert.equal(await page.locator(tid('subtitle')).innerText(), 'ActionTrail audit events');
  await page.locator(tid('nav-jobs')).click();
  await eventually(async () => (await page.locator(tid('jobs-source-backfill')).getAttribute('data-state')) === 'done', 'jobs loaded', 60_000);
  assert.match(await page.locator(tid('subtitle')).innerText(), /Backfills/);

  const created = () => page.locator(`${tid('job-row')} td[data-col="created"]`).first().innerText();
  const utc = await created();
  assert.match(utc, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  await page.click(tid('settings-toggle'));
  await page.locator(tid('timezone')).selectOption('local');
  // The browser runs in Asia/Shanghai (UTC+8).
  await eventually(async () => (await created()) !== utc, 'the created time in local time');
  const local = await created();
  assert.equal(Date.parse(local.replace(' ', 'T') + 'Z') - Date.parse(utc.replace(' ', 'T') + 'Z'), 8 * 3_600_000);
  await page.locator(tid('timezone')).selectOption('utc');

  const row = page.locator(tid('job-row')).nth(1);
  const id = await row.getAttribute('data-id');
  await row.focus();
  await page.keyboard.press('Enter');
  await page.locator(`${tid('job-row')}.selected[data-id="${id}"]`).waitFor();
  assert.match(await page.locator(tid('job-detail')).innerText(), new RegExp(id));
}, { contextOptions: { timezoneId: 'Asia/Shanghai' } });

appTest('the JSON tree: filter and copy from the keyboard', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
  const { events: total } = await fetchEvents(page, { preset: '24h', cap: 100 });
  const [first] = await rows(page);
  const tree = await openRow(page, 0);
  await tree.focus();
  // Move to eventName with the arrow keys (the root is open, its keys are sorted).
  for (let i = 0; i < 40; i++) {
    const active = await tree.getAttribute('aria-activedescendant');
    if (active && (await page.locator(`#${active}`).getAttribute('data-path')) === 'eventName') break;
    await page.keyboard.press('ArrowDown');
  }
  const active = await tree.getAttribute('aria-activedescendant');
  assert.equal(await page.locator(`#${active}`).getAttribute('data-path'), 'eventName');
  await page.keyboard.press('p');
  await eventually(async () => (await page.evaluate(() => navigator.clipboard.readText())) === 'eventName', 'the path copied');
  await page.keyboard.press('c');
  await eventually(async () => (await page.evaluate(() => navigator.clipboard.readText())) === first.event, 'the value copied');
  await page.keyboard.press('+');
  await page.locator(tid('filter-chip')).waitFor();
  await eventually(async () => {
    const r = await rows(page);
    return r.length > 0 && r.every((x) => x.event === first.event);
  }, 'only that event name');
  assert.ok(total > 0);
});

appTest('the event pane takes the width only when an event is open, and resizes', async ({ page }) => {
  await fetchEvents(page, { preset: '24h', cap: 100 });
  const table = page.locator(tid('events-table'));
  const wide = (await table.boundingBox()).width;
  assert.ok(wide > 1300, `the table spans the window with no event open (${wide}px)`);
  assert.equal(await page.locator('aside.detail').isVisible(), false);
  await openRow(page, 0);
  const splitter = page.locator(tid('splitter'));
  await splitter.waitFor();
  const pane = page.locator('aside.detail');
  const w0 = (await pane.boundingBox()).width;
  assert.ok((await table.boundingBox()).width < wide);
  await splitter.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await eventually(async () => Math.round((await pane.boundingBox()).width - w0) === 64, 'two steps wider');
  assert.equal(Number(await splitter.getAttribute('aria-valuenow')), Math.round(w0 + 64));
  // Dragging it to the left edge stops where the table still has room.
  const box = await splitter.boundingBox();
  await page.mouse.move(box.x + 3, box.y + 100);
  await page.mouse.down();
  await page.mouse.move(10, box.y + 100, { steps: 5 });
  await page.mouse.up();
  const panel = page.locator('.table-panel').first();
  assert.ok((await panel.boundingBox()).width >= 359.5, `the table keeps at least 360px (${(await panel.boundingBox()).width})`);
  // A width saved in a wider window never squeezes the table out.
  await page.setViewportSize({ width: 1000, height: 900 });
  await eventually(async () => (await panel.boundingBox()).width >= 359.5, 'the table keeps 360px in a narrower window');
  await page.setViewportSize({ width: 1400, height: 900 });
  // The width is remembered.
  await page.reload();
  await page.locator(tid('fetch')).waitFor();
  assert.ok(Number(await page.evaluate(() => localStorage.getItem('trailview.detail-width') ?? localStorage.getItem('detail-width'))) > w0);
});

appTest(
  'at 800 px the table shows at least 12 rows',
  async ({ page, shot }) => {
    await fetchEvents(page, { preset: '24h', cap: 100 });
    const sc = page.locator('.table-scroll').first();
    const visible = await sc.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return [...el.querySelectorAll('tbody tr')].filter((tr) => {
        const b = tr.getBoundingClientRect();
        return b.top >= r.top && b.bottom <= r.bottom + 1;
      }).length;
    });
    await shot('narrow');
    assert.ok(visible >= 12, `${visible} rows in view`);
    // The event name is not cut to a few letters.
    const w = await page.locator(`${tid('event-row')} [data-col="event"]`).first().evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(w >= 150, `event column ${w}px`);
    // Every column shown fits: the result (success or an error code) is not off screen.
    const right = await page.locator(`${tid('event-row')} [data-col="result"]`).first().evaluate((el) => el.getBoundingClientRect().right);
    assert.ok(right <= 800, `the result column ends at ${right}px`);
    // The toolbar keeps to one line; the chart starts hidden on a screen this short, and the
    // Chart button shows it (remembered).
    const tops = await page.$$eval('.toolbar > *:not(.files-bar), .toolbar .files-bar > *', (els) =>
      els.filter((e) => e.offsetParent).map((e) => e.getBoundingClientRect().top));
    // Controls of one line differ by a few pixels of alignment; a second line is ~35 px down.
    assert.ok(Math.max(...tops) - Math.min(...tops) < 20, `one toolbar line (tops ${tops.map(Math.round)})`);
    const chart = page.getByRole('button', { name: 'Chart', exact: true });
    assert.equal(await chart.getAttribute('aria-pressed'), 'false');
    assert.equal(await page.locator(tid('histogram-svg')).isVisible(), false);
    await chart.click();
    await page.locator(tid('histogram-svg')).waitFor();
    await page.reload();
    await page.locator(tid('events-table')).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Chart', exact: true }).getAttribute('aria-pressed'), 'true', 'kept after a reload');
  },
  { contextOptions: { viewport: { width: 800, height: 700 } } },
);
