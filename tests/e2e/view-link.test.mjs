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

/** A column filter keeps the rows whose cell contains its text, any case: "CS" keeps ECS too. */
const ofService = (row, service) => row.service.toLowerCase().includes(service.toLowerCase());

/**
 * Loads 24 hours of demo events, filters the service column to the first row's service, sorts
 * by event name and opens the second row. Returns what the view shows.
 */
async function makeView(page) {
  const { events } = await fetchEvents(page, { preset: '24h', cap: 200 });
  assert.ok(events > 20, `need demo events (got ${events})`);
  const service = (await rows(page))[0].service;
  await page.fill(tid('colfilter-service'), service);
  await waitForRows(page, (r) => r.length > 1 && r.every((x) => ofService(x, service)), `rows of ${service}`);
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
    (r) => r.length > 1 && r.every((x) => ofService(x, service)) && r.some((x) => x.id === id && x.selected),
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
  await eventually(() => params(page).get('q') === 'DeleteBucket', 'the URL names the saved view');
  // Opening a saved view is a step of its own: Back returns to the view it replaced (typing
  // "alice" replaced its entry), Forward to the saved view.
  await page.goBack();
  await eventually(async () => (await page.inputValue(tid('search'))) === 'alice', 'Back: the search before the saved view');
  assert.equal(params(page).get('q'), 'alice');
  await page.goForward();
  await eventually(async () => (await page.inputValue(tid('search'))) === 'DeleteBucket', 'Forward: the saved view again');

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

/** The table's visible columns, by key, in order. */
const shownColumns = (page) =>
  page.$$eval(`${tid('events-table')} thead tr:first-child th[data-col]:not([data-col=mark])`, (ths) => ths.map((th) => th.dataset.col));
const keptLayout = (page) => page.evaluate(() => localStorage.getItem('trailview.columns'));

/** Marks the document, so that a later check can tell a fresh load from a restored page. */
const markDocument = (page) => page.evaluate(() => { window.__sameDocument = true; });
const isSameDocument = (page) => page.evaluate(() => window.__sameDocument === true);

appTest("a link's columns are shown, never kept: the user's own layout stays theirs", async ({ page, shot }) => {
  // The user's own change: Region hidden, kept in this browser.
  await page.getByRole('button', { name: 'Columns', exact: true }).click();
  await page.getByRole('group', { name: 'Columns' }).getByRole('checkbox', { name: 'Region', exact: true }).uncheck();
  await eventually(async () => !(await shownColumns(page)).includes('region'), 'Region hidden');
  const mine = await shownColumns(page);
  const kept = await keptLayout(page);
  assert.ok(kept && kept.includes('region'), `the user's layout kept: ${kept}`);
  await page.keyboard.press('Escape');

  // A shared link with its own columns: shown, not kept.
  await page.goto(`${BASE_URL}/?v=1&q=DeleteBucket&col=time&col=event&col=region`, { waitUntil: 'load' });
  await page.locator(tid('fetch')).waitFor();
  await eventually(async () => (await shownColumns(page)).join() === 'time,event,region', "the link's columns");
  assert.equal(await keptLayout(page), kept, "the kept layout is not overwritten by the link's");
  await shot('link-columns');
  // The user's own change while the link's columns show is kept, and only that change: the
  // link's column set is not.
  await page.getByRole('separator', { name: 'Resize Event', exact: true }).focus();
  await page.keyboard.press('ArrowRight');
  await eventually(async () => (await keptLayout(page)) !== kept, 'the resize kept');
  const hidden = (text) => JSON.parse(text).columns.filter((c) => c.hidden).map((c) => c.id ?? c.path).sort();
  assert.deepEqual(hidden(await keptLayout(page)), hidden(kept), 'the same columns hidden as before the link');
  const event = JSON.parse(await keptLayout(page)).columns.find((c) => c.id === 'event');
  assert.ok(event.width > 0, `the Event column's width kept: ${JSON.stringify(event)}`);
  const resized = await keptLayout(page);

  // Back to the entry before the link: a fresh load of it shows the kept layout.
  await page.goBack({ waitUntil: 'load' });
  await page.locator(tid('fetch')).waitFor();
  await eventually(async () => (await shownColumns(page)).join() === mine.join(), `the kept columns ${mine} after Back`);
  // The app opened with no link: the kept layout.
  await page.goto(`${BASE_URL}/`, { waitUntil: 'load' });
  await page.locator(tid('fetch')).waitFor();
  await eventually(async () => (await shownColumns(page)).join() === mine.join(), `the kept columns ${mine}`);
  assert.equal(await keptLayout(page), resized);
});

appTest('Back from a view with link columns to an entry without them shows the kept layout', async ({ page }) => {
  await fetchEvents(page, { preset: '24h', cap: 100 });
  const mine = await shownColumns(page);
  assert.equal(await keptLayout(page), null, 'nothing kept: the user changed no column');
  // A step Back returns to (a column filter pushes an entry), still without `col`.
  const service = (await rows(page))[0].service;
  await page.fill(tid('colfilter-service'), service);
  await eventually(() => params(page).get('f.service') === service && !params(page).has('col'), 'the filter in the URL, no col');
  // A saved view with columns of its own, opened from the Views menu.
  const file = JSON.stringify({
    format: 'trailview-saved-views',
    version: 1,
    views: [{ name: 'Two columns', query: `v=1&range=24h&max=100&f.service=${encodeURIComponent(service)}&f.event=a&col=time&col=event`, created: 0 }],
  });
  await page.getByRole('button', { name: 'Views', exact: true }).click();
  await page.setInputFiles(tid('import-views'), { name: 'views.json', mimeType: 'application/json', buffer: Buffer.from(file) });
  await page.locator(tid('views-message')).getByText('Imported 1 view.').waitFor();
  await page.getByRole('region', { name: 'Saved views' }).getByRole('button', { name: 'Open Two columns' }).click();
  await eventually(async () => (await shownColumns(page)).join() === 'time,event', "the saved view's columns");
  await eventually(() => params(page).getAll('col').join() === 'time,event', "the saved view's columns in the URL");
  assert.equal(await keptLayout(page), null, "a saved view's columns are not kept");

  await markDocument(page);
  await page.goBack();
  await eventually(() => !params(page).has('col'), 'Back to an entry without col');
  await eventually(async () => (await shownColumns(page)).join() === mine.join(), `the kept columns ${mine} again`);
  assert.equal(await isSameDocument(page), true, 'Back within the page');
  await page.goForward();
  await eventually(async () => (await shownColumns(page)).join() === 'time,event', 'Forward: the link columns again');
  assert.equal(await keptLayout(page), null);
});

const VIEWS_KEY = 'trailview.saved-views';
const ASIDE_KEY = 'trailview.saved-views.bak';

async function saveView(page, name) {
  const panel = page.getByRole('region', { name: 'Saved views' });
  if ((await panel.count()) === 0) await page.getByRole('button', { name: 'Views', exact: true }).click();
  await panel.getByRole('textbox', { name: 'View name' }).fill(name);
  await panel.getByRole('button', { name: 'Save view' }).click();
}

const savedNames = (page) => page.locator(tid('saved-view')).locator('.name').allTextContents();

appTest('saved views: a list this app cannot read is kept aside, never written over', async ({ page, shot }) => {
  // A list written by a newer version of the app.
  const newer = JSON.stringify({ format: 'trailview-saved-views', version: 2, views: [{ name: 'future', query: 'v=2', created: 1, pinned: true }] });
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [VIEWS_KEY, newer]);
  await page.reload({ waitUntil: 'load' });
  await page.getByRole('button', { name: 'Views', exact: true }).click();
  const msg = page.locator(tid('views-message'));
  await msg.getByText(/cannot be read: This saved-views file is version 2/).waitFor();
  assert.deepEqual(await savedNames(page), []);

  await page.fill(tid('search'), 'alice');
  await saveView(page, 'Mine');
  await msg.getByText(/^Saved "Mine"\. .*kept aside, unchanged, under "trailview\.saved-views\.bak"/).waitFor();
  await shot('set-aside');
  const stored = await page.evaluate(([k, a]) => [localStorage.getItem(k), localStorage.getItem(a)], [VIEWS_KEY, ASIDE_KEY]);
  assert.equal(stored[1], newer, 'the unreadable list kept aside, unchanged');
  assert.deepEqual(JSON.parse(stored[0]).views.map((v) => v.name), ['Mine']);
  assert.deepEqual(await savedNames(page), ['Mine']);

  // Damaged again while something is kept aside already: the change is refused, both kept.
  await page.evaluate((k) => localStorage.setItem(k, '{"format": "trailview-saved-views", "vers'), VIEWS_KEY);
  await saveView(page, 'Second');
  await msg.getByText(/^Nothing was saved: .*already holds a list kept aside earlier/).waitFor();
  const after = await page.evaluate(([k, a]) => [localStorage.getItem(k), localStorage.getItem(a)], [VIEWS_KEY, ASIDE_KEY]);
  assert.deepEqual(after, ['{"format": "trailview-saved-views", "vers', newer]);
});

appTest('saved views: a save in another tab is not lost, and the list follows it', async ({ page, context }) => {
  const other = await context.newPage();
  await other.goto(page.url(), { waitUntil: 'load' });
  await other.locator(tid('fetch')).waitFor();
  // Both tabs show the (empty) list; each saves a view.
  await page.getByRole('button', { name: 'Views', exact: true }).click();
  await other.getByRole('button', { name: 'Views', exact: true }).click();
  await saveView(page, 'From the first tab');
  await page.locator(tid('views-message')).getByText('Saved "From the first tab".').waitFor();
  await eventually(async () => (await savedNames(other)).join() === 'From the first tab', 'the other tab lists it (storage event)');
  // The other tab's storage event is switched off: its save must still not lose the first's.
  await other.evaluate(() => window.addEventListener('storage', (e) => e.stopImmediatePropagation(), true));
  await saveView(page, 'Also first');
  await page.locator(tid('views-message')).getByText('Saved "Also first".').waitFor();
  await saveView(other, 'From the second tab');
  await other.locator(tid('views-message')).getByText('Saved "From the second tab".').waitFor();
  const kept = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)).views.map((v) => v.name), VIEWS_KEY);
  assert.deepEqual(kept, ['From the first tab', 'Also first', 'From the second tab']);
  assert.deepEqual(await savedNames(other), kept, 'the saving tab lists the list as kept');
  await eventually(async () => (await savedNames(page)).join() === kept.join(), 'the first tab follows');
  await other.close();
});

appTest('Esc in the Views panel closes it and returns focus to the Views button', async ({ page }) => {
  const button = page.getByRole('button', { name: 'Views', exact: true });
  await button.click();
  const panel = page.getByRole('region', { name: 'Saved views' });
  await panel.getByRole('textbox', { name: 'View name' }).focus();
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'views-toggle');
});

appTest('the Jobs tab is in the URL: a link opens it, a pick follows, Back returns', async ({ page, shot }) => {
  await page.goto(`${BASE_URL}/?v=1&view=jobs&tab=cdn`, { waitUntil: 'load' });
  const tab = (s) => page.locator(tid(`jobs-source-${s}`));
  await tab('cdn').waitFor({ timeout: 30_000 });
  await eventually(async () => (await tab('cdn').getAttribute('aria-selected')) === 'true', 'the link opens the cdn tab');
  assert.equal(await tab('backfill').getAttribute('aria-selected'), 'false');
  assert.equal(params(page).get('tab'), 'cdn');
  await shot('cdn');
  await tab('export').click();
  await eventually(() => params(page).get('tab') === 'export', 'the URL follows the tab');
  assert.equal(params(page).get('view'), 'jobs');
  await page.goBack();
  await eventually(() => params(page).get('tab') === 'cdn', 'Back to the cdn entry');
  await eventually(async () => (await tab('cdn').getAttribute('aria-selected')) === 'true', 'Back shows the cdn tab');
  await page.goForward();
  await eventually(async () => (await tab('export').getAttribute('aria-selected')) === 'true', 'Forward shows the export tab');
  // Events and back to Jobs: the tab shown is the one in the URL.
  await page.locator(tid('nav-events')).click();
  await eventually(() => params(page).get('view') !== 'jobs' && !params(page).has('tab'), 'the Events view has no tab');
  await page.locator(tid('nav-jobs')).click();
  await eventually(() => params(page).get('tab') === 'export', 'the Jobs view remembers its tab');
  // An unknown tab is named, never a panic.
  await page.goto(`${BASE_URL}/?v=1&view=jobs&tab=billing`, { waitUntil: 'load' });
  await page.locator(tid('link-message')).getByText(/"tab" could not be read/).waitFor();
  await eventually(async () => (await tab('backfill').getAttribute('aria-selected')) === 'true', 'the first tab');
});
