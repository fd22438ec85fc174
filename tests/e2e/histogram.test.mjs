// The time histogram above the table: drag across it to show only a time window's events (the
// table's count equals the loaded events whose times are inside it), the chip shows and removes
// the window, "Fetch this range" fills the query bar's range; light and dark screenshots with
// the tooltip open.
import assert from 'node:assert/strict';
import { appTest, counts, eventually, fetchEvents, rows, tid } from './helpers.mjs';

/** A time cell ("2026-12-01 10:00:00", UTC in these tests) as epoch ms. */
const cellMs = (text) => Date.parse(`${text.replace(' ', 'T')}Z`);

appTest('dragging across the histogram narrows the table to the window', async ({ page, shot }) => {
  const { events: total } = await fetchEvents(page, { preset: '24h', cap: 250 });
  assert.ok(total > 50, `need demo events (got ${total})`);
  // Every loaded event's time: one page of 250 holds them all.
  await page.selectOption(tid('page-size'), '250');
  const all = await rows(page);
  assert.equal(all.length, total);
  const times = all.map((r) => cellMs(r.time));
  assert.ok(times.every(Number.isFinite), 'time cells parse');

  const svg = page.locator(tid('histogram-svg'));
  await svg.waitFor();
  const label = await svg.getAttribute('aria-label');
  assert.match(label, /^Events over time, .* \(UTC\), [\d,]+ events, [\d,]+ failed, /);
  assert.equal(Number(await svg.getAttribute('data-total')), total, 'every event in a bar');
  const grid = async () => (await svg.getAttribute('data-grid')).split(' ').map(Number); // origin width bars
  const [, , bars] = await grid();
  assert.ok(bars >= 48 && bars <= 120, `about 60-120 bars (${bars})`);
  // The role and name assistive technology (and this test) find it by.
  await page.getByRole('img', { name: /^Events over time/ }).waitFor();

  // Hover shows a bucket's range and counts.
  const box = await svg.boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  const tip = page.locator(tid('histogram-tooltip'));
  await tip.waitFor();
  assert.match(await tip.textContent(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d – .*: [\d,]+ events?, [\d,]+ failed$/);
  await shot('hover-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot('hover-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // Drag from 20% to 65% of the width.
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5, { steps: 4 });
  await page.mouse.move(box.x + box.width * 0.65, box.y + box.height * 0.5, { steps: 4 });
  await page.mouse.up();
  const chip = page.locator(tid('time-window-chip'));
  await chip.waitFor();
  const start = Number(await chip.getAttribute('data-start'));
  const end = Number(await chip.getAttribute('data-end'));
  assert.ok(start < end);
  const inside = times.filter((t) => t >= start && t < end).length;
  assert.ok(inside > 0 && inside < total, `the drag selects some events (${inside} of ${total})`);
  await eventually(async () => (await counts(page)).filtered === inside, `the table to count the ${inside} events inside the window`);
  const shown = await rows(page);
  assert.equal(shown.length, inside);
  assert.ok(shown.every((r) => cellMs(r.time) >= start && cellMs(r.time) < end), 'every row shown is inside the window');
  // Zoomed to the window.
  assert.equal(Number(await svg.getAttribute('data-total')), inside);
  assert.ok((await grid())[0] <= start);
  await shot('window-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot('window-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // "Fetch this range" fills the query bar's range (whole minutes covering the window); with
  // events loaded the app asks first: don't fetch.
  await page.click(tid('time-window-fetch'));
  await page.locator(tid('replace-prompt')).waitFor();
  await page.click(tid('keep-events'));
  const minute = (ms) => new Date(ms).toISOString().slice(0, 16);
  assert.equal(await page.inputValue(tid('custom-start')), minute(Math.floor(start / 60000) * 60000));
  assert.equal(await page.inputValue(tid('custom-end')), minute(Math.ceil(end / 60000) * 60000));

  // The chip's × removes the window.
  await page.click(tid('time-window-remove'));
  await chip.waitFor({ state: 'detached' });
  await eventually(async () => (await counts(page)).filtered === total, 'all events again');

  // Double-click zooms out too.
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 3 });
  await page.mouse.up();
  await chip.waitFor();
  await svg.dblclick();
  await chip.waitFor({ state: 'detached' });
  assert.equal((await counts(page)).filtered, total);
});
