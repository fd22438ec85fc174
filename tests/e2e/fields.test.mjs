// The fields panel (top values of the filtered rows, + / −, added paths) and the keyboard
// shortcuts (/, j, k, Enter, Esc, f, ?).
import assert from 'node:assert/strict';
import { appTest, counts, eventually, fetchEvents, openApp, rows, tid } from './helpers.mjs';

const panel = (page) => page.getByRole('complementary', { name: 'Fields' });
const field = (page, key) => panel(page).locator(`${tid('field')}[data-key="${key}"]`);
const values = async (f) =>
  f.locator(tid('facet-value')).evaluateAll((els) => els.map((e) => [e.dataset.value, Number(e.dataset.count)]));
const blur = (page) => page.evaluate(() => document.activeElement?.blur());

for (const scheme of ['light', 'dark']) {
  appTest(`fields panel (${scheme}): + shows as many rows as the value's count, − the rest`, async ({ page, shot }) => {
    await fetchEvents(page, { preset: '7d', cap: 400 });
    const { total } = await counts(page);
    await blur(page);
    await page.keyboard.press('f');
    await panel(page).waitFor();
    const svc = field(page, 'f:service');
    await eventually(async () => (await values(svc)).length > 1, 'service values');
    assert.ok((await values(svc)).length <= 10, 'the top 10');
    const more = svc.locator(tid('facet-more'));
    if (await more.count()) {
      assert.match(await more.textContent(), /^\d+ more$/);
      await more.click();
    }
    const list = await values(svc);
    assert.equal(list.reduce((n, [, c]) => n + c, 0), total, 'the service counts (all, after "n more") add up to the rows');
    const [name, count] = list[0];
    assert.ok(count < total);
    await shot('panel');
    await svc.getByRole('button', { name: `Filter for ${name}` }).click();
    await eventually(async () => (await counts(page)).filtered === count, `the table to show ${count} rows`);
    assert.equal(await page.locator(tid('filter-chip')).count(), 1, 'the same chip as the tree adds');
    assert.deepEqual(await values(svc), [[name, count]], 'the panel follows the filter');
    // Another field's counts are of the filtered rows too: with "n more" open (up to 100
    // values), they add up to the rows shown.
    const userField = field(page, 'f:user');
    if (await userField.locator(tid('facet-more')).count()) await userField.locator(tid('facet-more')).click();
    // (The demo has a few dozen users: fewer than 100 values.)
    await eventually(
      async () => (await values(userField)).reduce((n, [, c]) => n + c, 0) === count,
      'the user counts to add up to the rows',
    );
    assert.equal(await panel(page).locator('.fields-total').textContent(), `Top values of ${count.toLocaleString('en-US')} events`);
    await page.click(tid('filter-chip-remove'));
    await eventually(async () => (await counts(page)).filtered === total, 'all rows back');
    await svc.getByRole('button', { name: `Filter out ${name}` }).click();
    await eventually(async () => (await counts(page)).filtered === total - count, 'the others');
    assert.ok(!(await values(svc)).some(([v]) => v === name), `${name} is gone from the panel`);
    await shot('filtered-out');
  }, { contextOptions: { colorScheme: scheme } });
}

appTest('fields panel: a field added by path is read in the background, kept after a reload', async ({ page, shot }) => {
  await fetchEvents(page, { preset: '7d', cap: 300 });
  await page.click(tid('fields-toggle'));
  await page.fill(tid('add-field-path'), 'requestParameters.RegionId');
  await page.click(tid('add-field'));
  const f = field(page, 'p:requestParameters.RegionId');
  await eventually(async () => (await values(f)).length > 0, 'the path field to get values');
  const [v, c] = (await values(f))[0];
  await f.getByRole('button', { name: `Filter for ${v}` }).click();
  await eventually(async () => (await counts(page)).filtered === c, `${c} rows with RegionId ${v}`);
  await page.click(tid('filter-chip-remove'));
  // Closed fields are not counted: the value list empties.
  await f.locator(tid('field-toggle')).click();
  assert.equal(await f.locator(tid('field-toggle')).getAttribute('aria-expanded'), 'false');
  await page.reload();
  await openApp(page).catch(() => {});
  await panel(page).waitFor();
  assert.equal(await field(page, 'p:requestParameters.RegionId').count(), 1, 'the added path is kept');
  await shot('after-reload');
});

appTest('keyboard: / focuses the search, j / k move the selection, ? lists the shortcuts', async ({ page, shot }) => {
  await fetchEvents(page, { preset: '7d', cap: 300 });
  await blur(page);
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'search');
  await page.keyboard.type('j');
  assert.equal(await page.inputValue(tid('search')), 'j', 'keys typed in the search are text');
  await page.keyboard.press('Escape');
  assert.equal(await page.inputValue(tid('search')), '', 'Esc clears the search');
  await blur(page);
  const selected = async () => (await rows(page)).findIndex((r) => r.selected);
  await page.keyboard.press('j');
  await eventually(async () => (await selected()) === 0, 'j selects the first row');
  await page.keyboard.press('j');
  await eventually(async () => (await selected()) === 1, 'j moves down');
  await page.keyboard.press('k');
  await eventually(async () => (await selected()) === 0, 'k moves up');
  await page.keyboard.press('Control+j');
  assert.equal(await selected(), 0, 'not with Ctrl');
  await page.keyboard.press('Escape');
  await eventually(async () => (await selected()) === -1, 'Esc closes the event');
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  for (const text of ['Focus the search box', 'fields panel', 'This list']) {
    assert.ok((await dialog.textContent()).includes(text), text);
  }
  await shot('shortcuts');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await page.keyboard.press('f');
  await panel(page).waitFor();
  await page.keyboard.press('f');
  await panel(page).waitFor({ state: 'hidden' });
  // A key pressed before the dialog's `close` event has run (a queued task) still counts: the
  // list is closed. Closed and pressed in one go, so that the order is certain.
  await page.keyboard.press('?');
  await dialog.waitFor();
  await page.evaluate(() => {
    document.querySelector('dialog.shortcuts').close();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'f', bubbles: true }));
  });
  await panel(page).waitFor();
});

appTest('keyboard: Enter opens the selected row; + / − keep the focus; Esc and f give it back to "Fields"', async ({ page, shot }) => {
  await fetchEvents(page, { preset: '7d', cap: 300 });
  const active = () => page.evaluate(() => {
    const a = document.activeElement;
    return { testid: a?.dataset.testid, label: a?.getAttribute('aria-label'), key: a?.closest('[data-key]')?.dataset.key };
  });
  // j selects the first row; Enter on that row (focused) opens it: its JSON tree.
  await blur(page);
  await page.keyboard.press('j');
  await eventually(async () => (await rows(page)).findIndex((r) => r.selected) === 0, 'j selects the first row');
  await page.locator(`${tid('event-row')}[aria-selected="true"]`).focus();
  assert.equal((await active()).testid, 'event-row', 'the selected row has the focus');
  await page.keyboard.press('Enter');
  await eventually(
    () => page.evaluate(() => document.activeElement?.matches('#event-detail [role=tree]') ?? false),
    'Enter on the row to focus its JSON tree',
  );
  await shot('row-opened');
  await page.keyboard.press('Escape');
  await eventually(async () => (await rows(page)).findIndex((r) => r.selected) === -1, 'Esc closes the event');

  await blur(page);
  await page.keyboard.press('f');
  await panel(page).waitFor();
  const svc = field(page, 'f:service');
  await eventually(async () => (await values(svc)).length > 1, 'service values');
  const [name] = (await values(svc))[0];
  // + from the keyboard: the panel recounts (one value left) and the focus stays on its +.
  await svc.getByRole('button', { name: `Filter for ${name}` }).focus();
  await page.keyboard.press('Enter');
  await eventually(async () => (await values(svc)).length === 1, 'the panel to recount');
  assert.deepEqual(await active(), { testid: 'facet-for', label: `Filter for ${name}`, key: 'f:service' });
  // − on the same value: it leaves the list, and the focus goes to its field's toggle.
  await page.keyboard.press('Tab');
  assert.equal((await active()).label, `Filter out ${name}`);
  await page.keyboard.press('Enter');
  await eventually(async () => !(await values(svc)).some(([v]) => v === name), `${name} filtered out`);
  assert.deepEqual(await active(), { testid: 'field-toggle', label: null, key: 'f:service' });
  await shot('focus-after-minus');
  // Esc with the focus in the panel closes it and focuses the "Fields" toggle; so does f.
  await page.keyboard.press('Escape');
  await panel(page).waitFor({ state: 'hidden' });
  assert.equal((await active()).testid, 'fields-toggle');
  await page.keyboard.press('f');
  await panel(page).waitFor();
  await svc.locator(tid('field-toggle')).focus();
  await page.keyboard.press('f');
  await panel(page).waitFor({ state: 'hidden' });
  assert.equal((await active()).testid, 'fields-toggle', 'f from inside the panel');
  // From outside the panel, the focus stays where it was.
  await page.keyboard.press('f');
  await panel(page).waitFor();
  await page.locator(tid('chart-toggle')).focus();
  await page.keyboard.press('Escape');
  await panel(page).waitFor({ state: 'hidden' });
  assert.equal((await active()).testid, 'chart-toggle');
});
