// The view is the URL: a reload keeps the filters, the sort and the opened event; a copied link
// opened in a fresh browser shows the same view after one "Fetch events" click; Back returns to
// the previous filter; a malformed or too long link is named, never a panic. Saved views: save,
// open, rename, delete, export and import (and a bad file's error).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  appTest,
  ariaSort,
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

const params = (page) => new URL(page.url()).searchParams;

/**
 * Loads 24 hours of demo events, filters the service column to the first row's service, sorts
 * by event name and opens the second row. Returns what the view shows.
 */
async function makeView(page) {
  const { events } = await fetchEvents(page, { preset: '24h', cap: 200 });
  assert.ok(events > 20, `need demo events (got ${events})`);
  const service = (await rows(page))[0].service;
  await page.fill(tid('colfilter-service'), service);
  await waitForRows(page, (r) => r.length > 1 && r.every((x) => x.service === service), `rows of ${service}`);
  await page.click(tid('sort-event'));
  assert.equal(await ariaSort(page, 'event'), 'ascending');
  await openRow(page, 1);
  const shown = await rows(page);
  const selected = shown.find((r) => r.selected);
  assert.ok(selected?.id, 'a selected row with an event id');
  await eventually(() => params(page).get('event') === selected.id, 'the URL to name the opened event');
  const p = params(page);
  assert.equal(p.get('f.service'), service);
  assert.equal(p.get('sort'), 'event:asc');
  assert.equal(p.get('range'), '24h');
  assert.equal(p.get('max'), '200');
  return { service, id: selected.id, filtered: (await counts(page)).filtered };
}

/** After the link's one fetch: the filter, the sort and the opened event are back. */
async function assertSameView(page, { service, id }) {
  assert.equal(await page.inputValue(tid('colfilter-service')), service);
  assert.equal(await ariaSort(page, 'event'), 'ascending');
  await waitForRows(
    page,
    (r) => r.length > 1 && r.every((x) => x.service === service) && r.some((x) => x.id === id && x.selected),
    `the filtered rows with event ${id} selected`,
    20_000,
  );
  const tree = page.locator(tid('json-tree'));
  await tree.waitFor({ state: 'visible' });
  assert.ok((await tree.textContent()).includes(id), 'the tree shows the linked event');
}

/** The link's query bar is filled, the events are not fetched, and the hint says how. */
async function assertWaiting(page) {
  await page.locator(tid('link-waiting')).waitFor();
  assert.match(await page.locator(tid('link-waiting')).textContent(), /Press Fetch events/);
  assert.equal((await counts(page).catch(() => ({ total: 0 }))).total, 0, 'nothing fetched by itself');
  assert.equal(await page.inputValue(tid('range-preset')), '24h');
  assert.equal(await page.inputValue(tid('cap')), '200');
  assert.equal(await page.getByRole('button', { name: 'Fetch events', exact: true }).count(), 1);
}

appTest('filter, sort, open an event, reload: the same view and the same event', async ({ page, shot }) => {
  const view = await makeView(page);
  await page.reload({ waitUntil: 'load' });
  await page.locator(tid('fetch')).waitFor();
  await assertWaiting(page);
  assert.equal(await page.inputValue(tid('colfilter-service')), view.service);
  await shot('waiting');
  await page.getByRole('button', { name: 'Fetch events', exact: true }).click();
  await waitForState(page, 'done');
  await assertSameView(page, view);
  await shot('restored');
});

appTest('a copied link opened in a fresh browser shows the same view after one fetch', async ({ page, context, shot }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
  const view = await makeView(page);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.locator(tid('link-message')).getByText('Link copied.').waitFor();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, page.url());

  const fresh = await context.browser().newContext({ viewport: { width: 1400, height: 900 }, timezoneId: 'UTC', locale: 'en-US' });
  try {
    const other = await fresh.newPage();
    const errors = [];
    other.on('pageerror', (e) => errors.push(String(e)));
    await other.goto(link, { waitUntil: 'load' });
    await other.locator(tid('fetch')).waitFor({ timeout: 30_000 });
    await assertWaiting(other);
    await other.getByRole('button', { name: 'Fetch events', exact: true }).click();
    await waitForState(other, 'done');
    await assertSameView(other, view);
    await other.screenshot({ path: await shot('sender').then((f) => f.replace('sender', 'receiver')), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await fresh.close();
  }
});

appTest('a refused clipboard says so and shows the link', async ({ page }) => {
  await page.evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  await page.getByRole('button', { name: 'Copy link' }).click();
  const msg = page.locator(tid('link-message'));
  await msg.getByText(/refused the clipboard/).waitFor();
  assert.ok((await msg.textContent()).includes(page.url()), 'the link to copy by hand');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await msg.waitFor({ state: 'detached' });
});

appTest('Back returns to the previous filter', async ({ page }) => {
  await fetchEvents(page, { preset: '24h', cap: 200 });
  const first = (await rows(page))[0];
  await page.fill(tid('colfilter-service'), first.service);
  await eventually(() => params(page).get('f.service') === first.service, 'the service filter in the URL');
  const afterOne = (await counts(page)).filtered;
  await page.fill(tid('colfilter-event'), first.event);
  await eventually(() => params(page).get('f.event') === first.event, 'the event filter in the URL');
  const afterTwo = (await counts(page)).filtered;
  assert.ok(afterTwo <= afterOne);
  await page.goBack();
  await eventually(async () => (await page.inputValue(tid('colfilter-event'))) === '', 'the event filter gone after Back');
  assert.equal(await page.inputValue(tid('colfilter-service')), first.service);
  await eventually(async () => (await counts(page)).filtered === afterOne, `${afterOne} rows again`);
  assert.equal(params(page).get('f.event'), null);
  await page.goForward();
  await eventually(async () => (await page.inputValue(tid('colfilter-event'))) === first.event, 'Forward brings it back');
  await eventually(async () => (await counts(page)).filtered === afterTwo, `${afterTwo} rows again`);
});

appTest('a malformed link is opened with a notice, a too long one refused', async ({ page, shot }) => {
  await page.goto(`${BASE_URL}/?v=1&q=alice&nope=1&max=-3&sort=event:sideways`, { waitUntil: 'load' });
  await page.locator(tid('fetch')).waitFor();
  const msg = page.locator(tid('link-message'));
  await msg.waitFor();
  const text = await msg.textContent();
  assert.match(text, /Parts of this link were left out/);
  assert.match(text, /unknown parameter "nope"/);
  assert.match(text, /"max" could not be read/);
  assert.match(text, /"sort" could not be read/);
  assert.equal(await page.inputValue(tid('search')), 'alice', 'what could be read is applied');
  // The address is cleaned of what was left out.
  await eventually(() => !params(page).has('nope'), 'the unknown parameter dropped from the URL');
  await shot('notice');

  await page.goto(`${BASE_URL}/?v=1&q=${'x'.repeat(8100)}`, { waitUntil: 'load' });
  await page.locator(tid('fetch')).waitFor();
  await msg.waitFor();
  assert.match(await msg.textContent(), /This link was not opened\. .* over the 8000 that browsers/);
  assert.equal(await page.inputValue(tid('search')), '', 'nothing of it applied');
});

appTest('saved views: save, open, rename, delete, export and import', async ({ page, shot }) => {
  await page.fill(tid('search'), 'DeleteBucket');
  await page.getByRole('button', { name: 'Views', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Saved views' });
  await panel.getByRole('textbox', { name: 'View name' }).fill('Deletes');
  await panel.getByRole('button', { name: 'Save view' }).click();
  const msg = page.locator(tid('views-message'));
  await msg.getByText('Saved "Deletes".').waitFor();
  // A second with the same name is refused.
  await panel.getByRole('textbox', { name: 'View name' }).fill('Deletes');
  await panel.getByRole('button', { name: 'Save view' }).click();
  await msg.getByText('A view named "Deletes" exists already.').waitFor();
  await panel.getByRole('textbox', { name: 'View name' }).fill('');

  // Another search, then open the saved view: its search is back.
  await page.fill(tid('search'), 'alice');
  await panel.getByRole('button', { name: 'Open Deletes' }).click();
  await eventually(async () => (await page.inputValue(tid('search'))) === 'DeleteBucket', 'the saved search back');
  assert.equal(params(page).get('q'), 'DeleteBucket');

  // Kept in this browser: a reload lists it.
  await page.reload({ waitUntil: 'load' });
  await page.getByRole('button', { name: 'Views', exact: true }).click();
  await panel.getByRole('button', { name: 'Rename Deletes' }).click();
  await panel.getByRole('textbox', { name: 'New name for Deletes' }).fill('Bucket deletes');
  await panel.getByRole('button', { name: 'Save name' }).click();
  await msg.getByText('Renamed to "Bucket deletes".').waitFor();
  assert.deepEqual(await page.locator(tid('saved-view')).locator('.name').allTextContents(), ['Bucket deletes']);
  await shot('menu');

  // Export, delete, import the file: the view is back.
  const download = page.waitForEvent('download', { timeout: 30_000 });
  await panel.getByRole('button', { name: 'Export views' }).click();
  const file = await (await download).path();
  const text = readFileSync(file, 'utf8');
  const json = JSON.parse(text);
  assert.equal(json.format, 'trailview-saved-views');
  assert.equal(json.version, 1);
  assert.equal(json.views.length, 1);
  assert.equal(json.views[0].name, 'Bucket deletes');
  assert.match(json.views[0].query, /(^|&)q=DeleteBucket(&|$)/);
  await panel.getByRole('button', { name: 'Delete Bucket deletes' }).click();
  await msg.getByText('Deleted "Bucket deletes".').waitFor();
  assert.equal(await page.locator(tid('saved-view')).count(), 0);
  await page.setInputFiles(tid('import-views'), { name: 'views.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await msg.getByText('Imported 1 view.').waitFor();
  assert.deepEqual(await page.locator(tid('saved-view')).locator('.name').allTextContents(), ['Bucket deletes']);
  // The same file again: nothing lost, nothing doubled.
  await page.setInputFiles(tid('import-views'), { name: 'views.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await msg.getByText('Imported 0 views; 1 already kept.').waitFor();
  assert.equal(await page.locator(tid('saved-view')).count(), 1);

  // A bad file: a clear error, the list unchanged.
  await page.setInputFiles(tid('import-views'), { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"views": 3}') });
  await msg.getByText(/^This file is not a trailview saved-views file/).waitFor();
  assert.equal(await page.locator(tid('saved-view')).count(), 1);
  await shot('bad-import');
});
