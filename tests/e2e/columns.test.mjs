// Columns of the user's choice: the Columns menu (checkboxes named by title, move left/right,
// a JSON path added as a column), dragging headers to reorder and their edges to resize,
// "add as column" from the JSON tree, path columns that sort and filter, the CSV holding the
// visible columns, and the layout kept across a reload.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { appTest, eventually, fetchEvents, openRow, rows, tid, waitForRows } from './helpers.mjs';

/** The header titles, in order. */
async function headers(page) {
  return page.$$eval(`${tid('events-table')} thead tr:first-child th:not([data-col=mark])`, (ths) =>
    ths.map((th) => th.querySelector('button.sort').textContent.replace(/[▲▼]/g, '').trim()),
  );
}

async function openMenu(page) {
  const button = page.getByRole('button', { name: 'Columns', exact: true });
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  return page.getByRole('group', { name: 'Columns' });
}

/** The path column's cells of the current page (one path column shown). */
const pathCells = (r) => r.map((x) => x.path ?? '');

appTest('columns: hide, move, resize and add a path column; the layout outlives a reload', async ({ page, shot }) => {
  const { events: total } = await fetchEvents(page, { preset: '7d', cap: 300 });
  assert.ok(total > 50, `enough demo events (${total})`);
  assert.deepEqual((await headers(page)).slice(0, 3), ['Time (UTC)', 'Event', 'Service']);

  // Hide Service: its header and cells go.
  const menu = await openMenu(page);
  await menu.getByRole('checkbox', { name: 'Service', exact: true }).uncheck();
  await eventually(async () => !(await headers(page)).includes('Service'), 'Service hidden');
  let r = await rows(page);
  assert.ok(r.length > 0 && r.every((x) => x.service === undefined), 'no Service cells');

  // Move Region left, twice, by its buttons.
  const before = await headers(page);
  const at = before.indexOf('Region');
  await menu.getByRole('button', { name: 'Move Region left' }).click();
  await menu.getByRole('button', { name: 'Move Region left' }).click();
  await eventually(async () => (await headers(page)).indexOf('Region') === at - 2, 'Region two places left');

  // Add a JSON path as a column; a bad one is refused with a message.
  await menu.getByLabel('JSON path to add as a column').fill('requestParameters[');
  await menu.getByRole('button', { name: 'Add column' }).click();
  await page.locator(tid('column-error')).waitFor();
  assert.match(await page.locator(tid('column-error')).textContent(), /is not a JSON path/);
  await menu.getByLabel('JSON path to add as a column').fill('userIdentity.type');
  await menu.getByRole('button', { name: 'Add column' }).click();
  await eventually(async () => (await headers(page)).at(-1) === 'userIdentity.type', 'the path column is last');
  ({ rows: r } = await waitForRows(page, (x) => x.length > 0 && x.some((row) => row.path), 'path cells filled'));
  const types = new Set(pathCells(r).filter(Boolean));
  assert.ok(types.size >= 1, `identity types read from the events: ${[...types]}`);
  await shot('menu');
  await page.keyboard.press('Escape');
  await eventually(async () => (await page.getByRole('group', { name: 'Columns' }).count()) === 0, 'Esc closes the menu');

  // The path column sorts (values from every event, by the background indexer) and filters.
  await page.click(tid('sort-path-userIdentity.type'));
  ({ rows: r } = await waitForRows(
    page,
    (x) => {
      const v = pathCells(x);
      return v.length > 0 && v.every((s, i) => i === 0 || v[i - 1].toLowerCase() <= s.toLowerCase() || s === '');
    },
    'rows sorted by userIdentity.type',
  ));
  const one = [...types][0];
  await page.fill(tid('colfilter-path-userIdentity.type'), one.slice(0, 4).toUpperCase());
  const { counts: c } = await waitForRows(
    page,
    (x, c) => c && c.filtered < c.total && x.length > 0 && x.every((row) => row.path.toLowerCase().includes(one.slice(0, 4).toLowerCase())),
    'the path column filter',
  );
  assert.ok(c.filtered > 0);
  await page.fill(tid('colfilter-path-userIdentity.type'), '');
  await waitForRows(page, (x, c) => c && c.filtered === total, 'filter cleared');

  // Drag the Region header onto Time: Region first.
  await page.locator(`${tid('events-table')} thead tr:first-child th[data-col="region"]`).dragTo(
    page.locator(`${tid('events-table')} thead tr:first-child th[data-col="time"]`),
  );
  await eventually(async () => (await headers(page))[0] === 'Region', 'Region dragged to the front');

  // Resize Source IP by its edge (mouse), then by keys.
  const ip = page.locator(`${tid('events-table')} thead tr:first-child th[data-col="ip"]`);
  const w0 = (await ip.boundingBox()).width;
  const edge = await ip.locator(tid('col-resize')).boundingBox();
  await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
  await page.mouse.down();
  await page.mouse.move(edge.x + edge.width / 2 + 60, edge.y + edge.height / 2, { steps: 4 });
  await page.mouse.up();
  await eventually(async () => Math.abs((await ip.boundingBox()).width - (w0 + 60)) <= 2, `Source IP ${w0} → ${w0 + 60} px`);
  const cell = page.locator(`${tid('events-table')} tbody tr${tid('event-row')} td[data-col="ip"]`).first();
  assert.ok(Math.abs((await cell.boundingBox()).width - (w0 + 60)) <= 2, 'the cells follow the header');
  await ip.locator(tid('col-resize')).focus();
  await page.keyboard.press('ArrowRight');
  await eventually(async () => Math.abs((await ip.boundingBox()).width - (w0 + 70)) <= 2, 'ArrowRight widens by 10 px');
  await shot('arranged');

  // The CSV holds the visible columns, in the table's order.
  const download = page.waitForEvent('download', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await page.getByRole('menuitem', { name: 'CSV', exact: true }).click();
  const text = readFileSync(await (await download).path(), 'utf8');
  const header = text.split('\r\n')[0].split(',');
  const shown = (await headers(page)).map((h) => (h.startsWith('Time') ? 'Time (UTC)' : h));
  assert.deepEqual(header, shown, 'the CSV header is the visible columns');
  assert.equal(text.split('\r\n').filter(Boolean).length, total + 1, 'every filtered row');

  // A reload keeps the layout (the events are not kept here).
  const arranged = await headers(page);
  await page.reload();
  await page.locator(tid('events-table')).waitFor();
  await eventually(async () => JSON.stringify(await headers(page)) === JSON.stringify(arranged), 'the same columns after a reload');
  assert.ok(!(await headers(page)).includes('Service'), 'a hidden column stays hidden after a reload');
  const ipW = (await page.locator(`${tid('events-table')} thead tr:first-child th[data-col="ip"]`).boundingBox()).width;
  assert.ok(Math.abs(ipW - (w0 + 70)) <= 2, `the width is kept (${ipW})`);
  const menu2 = await openMenu(page);
  assert.equal(await menu2.getByRole('checkbox', { name: 'Service', exact: true }).isChecked(), false);

  // Reset: every built-in column, in order; path columns gone.
  await menu2.getByRole('button', { name: 'Reset columns' }).click();
  await eventually(async () => (await headers(page)).join('|').startsWith('Time (UTC)|Event|Service|User'), 'the default columns');
  assert.ok(!(await headers(page)).includes('userIdentity.type'));
});

appTest('columns: a value in the JSON tree is added as a column, by its button or the o key', async ({ page }) => {
  await fetchEvents(page, { preset: '24h', cap: 100 });
  const tree = await openRow(page, 0);
  const leaf = tree.locator('[role="treeitem"][data-path="userIdentity.type"]');
  await leaf.hover();
  await leaf.locator(tid('add-column')).click();
  await eventually(async () => (await headers(page)).includes('userIdentity.type'), 'the tree adds the column');
  // The key on the active row: move to another leaf and press o.
  await tree.focus();
  const target = tree.locator('[role="treeitem"][data-path="eventVersion"], [role="treeitem"][data-path="acsRegion"]').first();
  const path = await target.getAttribute('data-path');
  await target.click();
  await page.keyboard.press('o');
  // acsRegion is the Region column's field: it is shown, not added twice.
  await eventually(
    async () => (path === 'acsRegion' ? (await headers(page)).includes('Region') : (await headers(page)).includes(path)),
    `o adds ${path}`,
  );
  const r = await rows(page);
  assert.ok(r.some((x) => x.path), 'path cells are filled');
});

appTest('columns: widened past the panel, the table scrolls sideways and Event and User keep their room', async ({ page, shot }) => {
  await fetchEvents(page, { preset: '24h', cap: 100 });
  const head = (col) => page.locator(`${tid('events-table')} thead tr:first-child th[data-col="${col}"]`);
  const scroller = page.locator('.table-scroll');
  const overflow = () => scroller.evaluate((el) => el.scrollWidth - el.clientWidth);
  assert.equal(await overflow(), 0, 'the default columns fit the panel at 1400 px');
  const roomy = (await head('event').boundingBox()).width;
  assert.ok(roomy > 150, `Event shares the room left (${roomy} px)`);

  // Source IP 600 px wider, by keys: more than the panel has to spare.
  const ip = head('ip');
  const w0 = (await ip.boundingBox()).width;
  await ip.locator(tid('col-resize')).focus();
  for (let i = 0; i < 12; i++) await page.keyboard.press('Shift+ArrowRight');
  await eventually(async () => Math.abs((await ip.boundingBox()).width - (w0 + 600)) <= 2, `Source IP ${w0} → ${w0 + 600} px`);
  await eventually(async () => (await overflow()) > 300, 'the table scrolls sideways');
  for (const col of ['event', 'user']) {
    const w = (await head(col).boundingBox()).width;
    assert.ok(w >= 79, `${col} keeps its 80 px floor (${w})`);
  }

  // Every row, header and body, is as wide as its cells: the hover and selection background
  // reach the last cell, and the header's cells stand over the body's.
  const spans = await page.$$eval(`${tid('events-table')} tr`, (trs) =>
    trs.map((tr) => {
      const tds = [...tr.children].filter((c) => getComputedStyle(c).display !== 'none');
      const row = tr.getBoundingClientRect();
      return { left: row.left, right: row.right, last: tds.at(-1).getBoundingClientRect().right };
    }),
  );
  assert.ok(spans.length > 3, 'header and body rows');
  for (const s of spans) {
    assert.ok(s.right >= s.last - 0.5, `a row reaches its last cell (${s.right} vs ${s.last})`);
    assert.ok(Math.abs(s.last - spans[0].last) <= 0.5, 'every row ends where the header ends');
  }

  // Narrowed back: no sideways scroll, and Event takes the room again.
  await ip.locator(tid('col-resize')).focus();
  for (let i = 0; i < 12; i++) await page.keyboard.press('Shift+ArrowLeft');
  await eventually(async () => (await overflow()) === 0, 'no sideways scroll once it fits');
  await eventually(async () => Math.abs((await head('event').boundingBox()).width - roomy) <= 2, 'Event has its room back');

  // Widened again with a row open (the detail panel takes its share of the page): the
  // selection's background reaches the last cell, scrolled to the far end.
  for (let i = 0; i < 12; i++) await page.keyboard.press('Shift+ArrowRight');
  await eventually(async () => (await overflow()) > 300, 'the table scrolls sideways again');
  await openRow(page, 0);
  await scroller.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
  const sel = page.locator(`${tid('events-table')} tbody tr.selected`);
  const bg = await sel.evaluate((tr) => getComputedStyle(tr).backgroundColor);
  assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'the selected row has its background');
  const [selBox, lastCell] = await Promise.all([
    sel.boundingBox(),
    sel.locator('td').last().boundingBox(),
  ]);
  assert.ok(selBox.x + selBox.width >= lastCell.x + lastCell.width - 0.5, 'the selected row is coloured to its last cell');
  await shot('widened');
});
