// Compare two events and copy to the clipboard: mark two rows (a checkbox, Ctrl+click), open
// "Compare" and see the paths that differ; "Copy JSON" puts the selected event in the
// clipboard, "Copy rows as CSV / Markdown" the marked rows.
import assert from 'node:assert/strict';
import { appTest, eventually, fetchEvents, openRow, tid } from './helpers.mjs';

const rowsSel = `${tid('events-table')} tbody tr${tid('event-row')}`;

/** Every leaf path of a JSON value, with its value (as the diff lists them). */
function leaves(v, path = '', out = new Map()) {
  const branch = v !== null && typeof v === 'object' && Object.keys(v).length > 0;
  if (!branch) {
    out.set(path, JSON.stringify(v));
    return out;
  }
  for (const [k, c] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
    const seg = Array.isArray(v)
      ? `[${k}]`
      : /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(k)
        ? (path ? '.' : '') + k
        : `[${JSON.stringify(k)}]`;
    leaves(c, path + seg, out);
  }
  return out;
}

/** The paths whose values differ between two events, as the diff lists them: it goes into
 * two non-empty containers of the same kind; a path in one event only lists that side's
 * leaves; anything else (a change of kind, an empty container, two leaves) is one path. */
function differing(a, b, path = '', out = []) {
  const kind = (v) => (Array.isArray(v) ? (v.length ? 'array' : 'leaf')
    : v !== null && typeof v === 'object' && Object.keys(v).length ? 'object' : 'leaf');
  if (a === undefined || b === undefined) {
    out.push(...leaves(a === undefined ? b : a, path).keys());
    return out;
  }
  if (kind(a) !== kind(b) || kind(a) === 'leaf') {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
    return out;
  }
  const keys = kind(a) === 'array'
    ? [...Array(Math.max(a.length, b.length)).keys()]
    : [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const seg = kind(a) === 'array'
      ? `[${k}]`
      : /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(k)
        ? (path ? '.' : '') + k
        : `[${JSON.stringify(k)}]`;
    differing(a[k], b[k], path + seg, out);
  }
  return out;
}

/** Every row's path the comparison lists: its rows are drawn only near the view, so the
 * list is scrolled through. */
async function listedPaths(dialog) {
  const seen = new Set();
  const scroller = dialog.locator('.cmp-scroll');
  for (let i = 0; i < 200; i++) {
    for (const p of await dialog.locator(tid('compare-row')).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-path')))) seen.add(p);
    const done = await scroller.evaluate((el) => {
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return true;
      el.scrollTop += el.clientHeight / 2;
      return false;
    });
    if (done) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await scroller.evaluate((el) => { el.scrollTop = 0; });
  return [...seen];
}

const readClipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

appTest(
  'compare: two marked events list their differing paths; Copy JSON and Copy rows fill the clipboard',
  async ({ page, context, shot }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const asked = [];
    page.on('request', (r) => {
      if (/trailview-jobs(_bg\.wasm|\.js)$/.test(new URL(r.url()).pathname)) asked.push(r.url());
    });
    const { events } = await fetchEvents(page, { preset: '24h', cap: 100 });
    assert.ok(events >= 3, `a few events (${events})`);
    const compare = page.getByRole('button', { name: 'Compare', exact: true });
    assert.equal(await compare.count(), 0, 'no Compare button before a row is marked');

    // Copy JSON of the selected event: the clipboard holds it, pretty-printed.
    await openRow(page, 0);
    const firstId = await page.locator(rowsSel).nth(0).getAttribute('data-event-id');
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Copy JSON', exact: true }).click();
    await page.locator(`${tid('copy-status')}[data-state="done"]`).waitFor();
    const copied = await readClipboard(page);
    assert.ok(copied.includes('\n  "'), 'pretty JSON');
    const first = JSON.parse(copied);
    assert.equal(first.eventId ?? first.eventID, firstId, 'the selected event');

    // Mark the first row by its checkbox and the third by Ctrl+click.
    const box = page.locator(rowsSel).nth(0).getByRole('checkbox');
    assert.match(await box.getAttribute('aria-label'), /^Mark \S+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await box.check();
    assert.equal(await compare.isDisabled(), true, 'Compare needs two marked events');
    await page.locator(rowsSel).nth(2).click({ modifiers: ['Control'] });
    await eventually(async () => !(await compare.isDisabled()), 'Compare enabled with two marked');
    const secondId = await page.locator(rowsSel).nth(2).getAttribute('data-event-id');
    // The second event's JSON, for the expected differences: read it from its tree's copy.
    await page.locator(rowsSel).nth(2).click();
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Copy JSON', exact: true }).click();
    await eventually(async () => JSON.parse(await readClipboard(page)).eventId === secondId, 'the second event copied');
    const second = JSON.parse(await readClipboard(page));

    // Marked rows as CSV: a header and the two rows, in the table's order.
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Copy rows as CSV', exact: true }).click();
    await eventually(async () => (await readClipboard(page)).startsWith('Time (UTC),'), 'CSV copied');
    const csv = (await readClipboard(page)).split('\r\n').filter(Boolean);
    assert.equal(csv.length, 3, `header + 2 rows: ${csv.join(' / ')}`);
    assert.equal(await page.locator(tid('copy-status')).innerText(), 'Copied 2 rows as CSV');
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Copy rows as Markdown', exact: true }).click();
    await eventually(async () => (await readClipboard(page)).startsWith('| Time (UTC) |'), 'Markdown copied');
    assert.equal((await readClipboard(page)).trimEnd().split('\n').length, 4, 'header, rule, 2 rows');

    // Compare's rows are in the module loaded later: nothing of it was downloaded yet. The
    // first download fails: the dialog says why and offers Retry, which loads it.
    assert.deepEqual(asked, [], 'the module was downloaded before anyone compared');
    await page.route('**/trailview-jobs.js*', (route) => route.abort('connectionrefused'));
    await compare.click();
    const dialog = page.getByRole('dialog', { name: 'Compare' });
    await dialog.waitFor();
    const failed = dialog.locator(tid('compare-load-error'));
    await failed.waitFor({ state: 'visible' });
    assert.match(await failed.innerText(), /Compare could not be loaded/);
    await shot('compare load failed');
    await page.unroute('**/trailview-jobs.js*');
    await failed.getByRole('button', { name: 'Retry' }).click();
    // Compare: a dialog named "Compare" listing exactly the differing paths.
    await dialog.locator(tid('compare-row')).first().waitFor();
    assert.equal(await failed.count(), 0, 'the error is gone');
    const listed = await listedPaths(dialog);
    const want = differing(first, second);
    assert.ok(want.length > 0, 'two events differ');
    assert.deepEqual([...listed].sort(), [...want].sort());
    assert.ok(listed.includes('eventId'), 'the ids differ');
    await shot('compare');
    // Hide equal off: every path of both.
    await dialog.getByRole('checkbox', { name: 'Hide equal' }).uncheck();
    await eventually(
      async () => (await dialog.locator(`${tid('compare-row')}[data-change="equal"]`).count()) > 0,
      'equal rows shown',
    );
    // Esc closes it; focus is back on the button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'compare-button');
    assert.equal(
      await page.locator(`${rowsSel}[aria-selected="true"]`).count(),
      1,
      'Esc in the dialog did not close the open event',
    );
    assert.equal(await page.locator(tid('compare-row')).count(), 0, 'the rows left with the dialog');
    // Opened again: the rows at once, from the module already loaded.
    const downloads = asked.length;
    await compare.click();
    await dialog.locator(tid('compare-row')).first().waitFor();
    assert.equal(asked.length, downloads, `nothing downloaded again: ${asked.join(', ')}`);
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'hide-equal',
      'focus on Hide equal',
    );
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  },
);
