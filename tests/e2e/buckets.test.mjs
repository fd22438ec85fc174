// Trail files from the demo buckets through the proxy: pick a bucket source, its accounts and
// regions, a two-hour range; List files shows files, bytes (and ActionTrail's events) before
// anything is downloaded; Load brings the events into the table with their cloud.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { appTest, counts, eventually, rows, tid } from './helpers.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe's violations inside the open bucket panel (as a11y.test.mjs runs it, via DevTools). */
async function panelViolations(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (sel) => {
    const r = await window.axe.run(document.querySelector(sel));
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, tid('bucket-source'));
}

const LOAD_TIMEOUT = 90_000;

/** `YYYY-MM-DDTHH:MM` in UTC (the tests' browser zone) for a datetime-local input. */
const input = (ms) => new Date(ms).toISOString().slice(0, 16);

/** The value of the bucket source option whose label has `label`, once the panel (loaded the
 * first time it is opened) offers it. */
async function sourceValue(page, label) {
  let value;
  await eventually(async () => {
    value = await page
      .locator(`${tid('bucket-choice')} option`)
      .evaluateAll((os, label) => os.find((o) => o.textContent.includes(label))?.value, label);
    return Boolean(value);
  }, `a bucket source named ${label}`, 30_000);
  return value;
}

/** Opens the panel, picks the source whose label has `label`, waits for its regions. */
async function pickSource(page, label) {
  await page.locator(`${tid('bucket-source')} summary`).click();
  const value = await sourceValue(page, label);
  await page.selectOption(tid('bucket-choice'), value);
  await page.locator(tid('bucket-regions')).waitFor({ timeout: 30_000 });
  const regions = await page.locator(`${tid('bucket-regions')} input[type=checkbox]`).count();
  assert.ok(regions >= 2, `regions found (${regions - 1})`);
  assert.ok(await page.locator(tid('bucket-region-all')).isChecked(), 'all regions picked at first');
}

/** The range listTwoHours sets (whole minutes, as the datetime inputs hold them). */
let range = null;

/** Sets a two-hour range ending three hours ago, lists the files: the totals' text. */
async function listTwoHours(page) {
  const end = Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000;
  range = [end - 2 * 3_600_000, end];
  await page.selectOption(tid('bucket-range'), 'custom');
  await page.fill(tid('bucket-start'), input(end - 2 * 3_600_000));
  await page.fill(tid('bucket-end'), input(end));
  await page.click(tid('bucket-list'));
  const totals = page.locator(tid('bucket-totals'));
  await totals.waitFor({ timeout: 30_000 });
  return (await totals.textContent()).trim();
}

/** Events the load left out as outside the range (its summary says how many). */
async function outside(page) {
  const text = await page.locator(tid('files-progress')).textContent();
  const m = text.match(/· ([\d,]+) events? outside the range left out/);
  return m ? Number(m[1].replace(/,/g, '')) : 0;
}

/** Every row's time lies in the listed range. */
function assertInRange(r) {
  for (const row of r) {
    const t = Date.parse(row.timeKey.includes('T') ? row.timeKey : `${row.timeKey.replace(' ', 'T')}Z`);
    assert.ok(t >= range[0] && t < range[1], `row ${row.id} at ${row.timeKey} is in the range`);
  }
}

/** Loads the listed files; waits for the load to finish and returns the table's total. */
async function load(page) {
  await page.click(tid('bucket-load'));
  await eventually(
    async () => (await page.locator(tid('files-progress')).getAttribute('data-state')) === 'done',
    'the files to load',
    LOAD_TIMEOUT,
  );
  assert.equal(await page.locator(tid('file-failed')).count(), 0, 'no file failed');
  return (await counts(page)).total;
}

const number = (s) => Number(s.replace(/,/g, ''));

appTest(
  'bucket: two hours of the ActionTrail demo bucket load as many events as the file names say',
  async ({ page, shot }) => {
    await pickSource(page, 'Demo ActionTrail');
    const text = await listTwoHours(page);
    const m = text.match(/^([\d,]+) files?, [\d.]+ [KMG]?B, ([\d,]+) events$/);
    assert.ok(m, `files, bytes and events before loading: ${text}`);
    const [files, events] = [number(m[1]), number(m[2])];
    assert.ok(files > 0 && events > 0, text);
    assert.equal((await counts(page).catch(() => ({ total: 0 }))).total, 0, 'nothing loaded by listing');
    assert.deepEqual(await panelViolations(page), [], 'axe, the panel with regions and totals');
    await shot('listed');
    const total = await load(page);
    const left = await outside(page);
    assert.ok(left > 0, 'files at the edges hold events outside the range');
    assert.equal(total + left, events, `the ${events} events the names said: ${total} loaded, ${left} outside`);
    const r = await rows(page);
    assert.ok(r.length > 0);
    assertInRange(r);
    for (const row of r) assert.equal(row.cloud, 'Alibaba Cloud', `row ${row.id}'s Cloud`);
    await shot('loaded');
  },
  { timeout: 180_000 },
);

appTest(
  'bucket: two hours of the CloudTrail demo bucket, one region, load with the AWS cloud',
  async ({ page, shot }) => {
    await pickSource(page, 'Demo CloudTrail');
    // One account's one region: the rest unpicked.
    await page.locator(tid('bucket-region-all')).uncheck();
    const boxes = page.locator(`${tid('bucket-regions')} input[type=checkbox]`);
    await boxes.nth(1).check();
    const text = await listTwoHours(page);
    const m = text.match(/^([\d,]+) files?, [\d.]+ [KMG]?B \(the file names carry no event count\)$/);
    assert.ok(m, `files and bytes before loading: ${text}`);
    assert.ok(number(m[1]) > 0, text);
    const total = await load(page);
    assert.ok(total > 0, `events loaded (${total})`);
    const r = await rows(page);
    for (const row of r) assert.equal(row.cloud, 'AWS', `row ${row.id}'s Cloud`);
    assertInRange(r);
    const regions = new Set(r.map((row) => row.region));
    assert.equal(regions.size, 1, `one region's events: ${[...regions]}`);
    await shot('loaded');
  },
  { timeout: 180_000 },
);

appTest('bucket: a source the storage does not know shows its storage error', async ({ page, shot }) => {
  // A bucket source typed in Settings, beside config.json's.
  await page.click(tid('settings-toggle'));
  await page.fill(tid('bucket-sources'), 'aws:no-such-trail-bucket/logs');
  await page.locator(tid('bucket-sources')).press('Tab');
  await page.click(tid('settings-toggle'));
  await page.locator(`${tid('bucket-source')} summary`).click();
  const value = await sourceValue(page, 'no-such-trail-bucket');
  await page.selectOption(tid('bucket-choice'), value);
  const error = page.locator(tid('bucket-error'));
  await error.waitFor({ timeout: 30_000 });
  const text = (await error.textContent()).trim();
  assert.match(text, /^(NoSuchBucket|AccessDenied) \(HTTP 40[34]\)/, text);
  assert.equal(await page.locator(tid('bucket-list')).isDisabled(), true, 'nothing to list');
  await shot('error');
});

appTest('bucket: the panel is downloaded when first opened; a failed download says so and Retry loads it', async ({ page, shot }) => {
  const asked = [];
  page.on('request', (r) => {
    if (/trailview-jobs(_bg\.wasm|\.js)$/.test(new URL(r.url()).pathname)) asked.push(r.url());
  });
  await page.waitForTimeout(300);
  assert.deepEqual(asked, [], 'the panel was downloaded before anyone opened it');
  await page.route('**/trailview-jobs.js*', (route) => route.abort('connectionrefused'));
  await page.locator(`${tid('bucket-source')} summary`).click();
  const failed = page.locator(tid('bucket-load-error'));
  await failed.waitFor({ state: 'visible' });
  assert.match(await failed.innerText(), /The bucket panel could not be loaded/);
  await shot('load failed');
  await page.unroute('**/trailview-jobs.js*');
  await failed.getByRole('button', { name: 'Retry' }).click();
  // Loaded: the panel finds the first source's regions by itself, as it did when it was built in.
  await page.locator(tid('bucket-regions')).waitFor({ timeout: 30_000 });
  assert.equal(await failed.count(), 0, 'the error is gone');
  // Closed and opened again: nothing downloaded again.
  const downloads = asked.length;
  await page.locator(`${tid('bucket-source')} summary`).click();
  await page.locator(`${tid('bucket-source')} summary`).click();
  await page.locator(tid('bucket-regions')).waitFor();
  assert.equal(asked.length, downloads, `nothing downloaded again: ${asked.join(', ')}`);
});
