// The table: free-text search, column filters, sorting, pagination.
import assert from 'node:assert/strict';
import {
  appTest,
  ariaSort,
  counts,
  domRowCount,
  eventually,
  fetchEvents,
  isSorted,
  pageInfo,
  rows,
  tid,
  waitForRows,
} from './helpers.mjs';

const CELLS = ['time', 'event', 'service', 'user', 'ip', 'rw', 'region', 'result'];
const rowText = (row) => CELLS.map((c) => row[c] ?? '').join('\n').toLowerCase();

appTest('free-text search and column filters narrow the table', async ({ page, shot }) => {
  const { events: total } = await fetchEvents(page, { preset: '7d', cap: 300 });
  const [first] = await rows(page);

  // Search is case-insensitive and filters as you type.
  const term = first.event;
  await page.fill(tid('search'), term.toUpperCase());
  let { counts: c, rows: r } = await waitForRows(
    page,
    (r, c) => c && c.filtered >= 1 && r.length > 0 && r.every((row) => rowText(row).includes(term.toLowerCase())),
    `search ${JSON.stringify(term)} to leave only matching rows`,
  );
  assert.equal(c.total, total, 'data-total stays the number loaded');
  assert.ok(c.filtered <= total);
  await shot('search');

  await page.fill(tid('search'), 'zz-no-such-thing-qq');
  await waitForRows(page, (r, c) => c && c.filtered === 0 && r.length === 0, 'a search without matches to empty the table');

  await page.fill(tid('search'), '');
  await waitForRows(page, (r, c) => c && c.filtered === total, 'clearing the search to restore all rows');

  // Column filters: case-insensitive "contains", combined with AND.
  const sample = (await rows(page)).find((x) => x.region && x.service) ?? first;
  const region = sample.region.slice(0, Math.max(3, sample.region.length - 1)).toUpperCase();
  await page.fill(tid('colfilter-region'), region);
  await page.fill(tid('colfilter-service'), sample.service.toLowerCase());
  ({ counts: c, rows: r } = await waitForRows(
    page,
    (r, c) =>
      c && c.filtered >= 1 && r.length > 0 &&
      r.every(
        (row) =>
          row.region.toLowerCase().includes(region.toLowerCase()) &&
          row.service.toLowerCase().includes(sample.service.toLowerCase()),
      ),
    `column filters region~${region} and service~${sample.service}`,
  ));
  assert.ok(r.some((row) => row.id === sample.id) || c.filtered > r.length, 'the sample row still matches');
  await shot('column-filters');
  await page.fill(tid('colfilter-region'), '');
  await page.fill(tid('colfilter-service'), '');
  await waitForRows(page, (r, c) => c && c.filtered === total, 'clearing column filters');
});

appTest('sorting by event name and by time', async ({ page }) => {
  const { events: total } = await fetchEvents(page, { preset: '7d', cap: 300 });
  assert.ok(total > 50, `need more than one page of demo events (got ${total})`);

  await page.click(tid('sort-event'));
  await eventually(async () => (await ariaSort(page, 'event')) === 'ascending', 'aria-sort=ascending on the event column');
  let { rows: r } = await waitForRows(page, (r) => isSorted(r.map((x) => x.event), 'ascending'), 'event names ascending');
  assert.equal(await ariaSort(page, 'time'), 'none', 'only one column is sorted');

  // The order continues on the next page.
  const last = r.at(-1);
  await page.click(tid('page-next'));
  const { rows: r2 } = await waitForRows(page, (x) => x.length > 0 && x[0].id !== r[0].id, 'page 2');
  assert.ok(isSorted([last.event, ...r2.map((x) => x.event)], 'ascending'), `page 2 continues after ${last.event}`);

  await page.click(tid('sort-event'));
  await eventually(async () => (await ariaSort(page, 'event')) === 'descending', 'a second click to sort descending');
  await waitForRows(page, (r) => isSorted(r.map((x) => x.event), 'descending'), 'event names descending');

  // Time: whatever direction the first click gives, the rows follow it, and a second click flips it.
  await page.click(tid('sort-time'));
  const dir = await eventually(async () => {
    const d = await ariaSort(page, 'time');
    return d === 'ascending' || d === 'descending' ? d : null;
  }, 'aria-sort on the time column');
  assert.equal(await ariaSort(page, 'event'), 'none');
  await waitForRows(page, (r) => r.length > 1 && isSorted(r.map((x) => x.timeKey), dir), `times ${dir}`);
  const other = dir === 'ascending' ? 'descending' : 'ascending';
  await page.click(tid('sort-time'));
  await eventually(async () => (await ariaSort(page, 'time')) === other, `time sort to flip to ${other}`);
  await waitForRows(page, (r) => isSorted(r.map((x) => x.timeKey), other), `times ${other}`);
});

appTest('pagination buttons and page size', async ({ page, shot }) => {
  const { events: total } = await fetchEvents(page, { preset: '7d', cap: 300 });
  assert.ok(total > 50, `need more than one page of demo events (got ${total})`);
  assert.equal(await page.inputValue(tid('page-size')), '50', 'default page size');

  let info = await pageInfo(page);
  assert.deepEqual([info.from, info.to, info.of], [1, 50, total], info.text);
  const firstId = (await rows(page))[0].id;
  assert.ok(firstId, 'rows carry their event id');

  await page.click(tid('page-next'));
  info = await eventually(async () => {
    const i = await pageInfo(page);
    return i.from === 51 && i;
  }, 'page-info to show 51–');
  assert.deepEqual([info.to, info.of], [Math.min(100, total), total], info.text);
  let r = await rows(page);
  assert.notEqual(r[0].id, firstId, 'page 2 shows other rows');
  assert.equal(r.length, info.to - info.from + 1);

  await page.click(tid('page-last'));
  const lastFrom = Math.floor((total - 1) / 50) * 50 + 1;
  info = await eventually(async () => {
    const i = await pageInfo(page);
    return i.from === lastFrom && i;
  }, `the last page to start at ${lastFrom}`);
  assert.equal(info.to, total, info.text);
  assert.equal((await rows(page)).length, total - lastFrom + 1);

  await page.click(tid('page-prev'));
  await eventually(async () => (await pageInfo(page)).from === lastFrom - 50, 'page-prev');

  await page.click(tid('page-first'));
  await eventually(async () => (await pageInfo(page)).from === 1, 'page-first');
  assert.equal((await rows(page))[0].id, firstId, 'back on page 1');

  await page.selectOption(tid('page-size'), '25');
  await waitForRows(page, (r) => r.length === 25, '25 rows with page size 25');
  info = await pageInfo(page);
  assert.deepEqual([info.from, info.to, info.of], [1, 25, total], info.text);
  const c = await counts(page);
  assert.equal(c.filtered, total);
  await shot('page-size-25');

  // A long page: every row is there when scrolled to, but only those near the viewport are
  // in the DOM.
  await page.selectOption(tid('page-size'), '250');
  const want = Math.min(250, total);
  await waitForRows(page, (r) => r.length === want && new Set(r.map((x) => x.id)).size === want, `${want} rows with page size 250`);
  const inDom = await domRowCount(page);
  assert.ok(inDom > 0 && inDom < 80, `${inDom} of ${want} rows in the DOM`);
  assert.equal(await page.getAttribute(tid('events-table'), 'aria-rowcount'), String(want + 2));
});

appTest('search by JSON path, with OR, and a warning for an unknown field', async ({ page, shot }) => {
  const { events: total } = await fetchEvents(page, { preset: '7d', cap: 300 });
  const loaded = await rows(page);
  const warning = () => page.textContent(tid('search-warning')).then((t) => (t ?? '').trim());
  const search = async (text, predicate, what) => {
    await page.fill(tid('search'), text);
    return waitForRows(page, predicate, what);
  };
  const nonEmptyAnd = (test) => (r, c) => c && c.filtered > 0 && r.length > 0 && r.every(test);

  // A path as "Copy path" gives it finds what the column alias finds.
  const user = loaded.find((r) => r.user)?.user;
  assert.ok(user, 'a loaded row with a user');
  const { counts: byAlias } = await search(
    `user:"${user}"`,
    nonEmptyAnd((row) => row.user.toLowerCase().includes(user.toLowerCase())),
    `user:${user}`,
  );
  const { counts: byPath } = await search(
    `userIdentity.userName:"${user}"`,
    nonEmptyAnd((row) => row.user.toLowerCase().includes(user.toLowerCase())),
    `userIdentity.userName:${user}`,
  );
  assert.equal(byPath.filtered, byAlias.filtered, 'the path and the alias find the same events');
  assert.equal(await warning(), '');

  // A path that is not a column (read from each event's JSON).
  const region = loaded.find((r) => r.region)?.region;
  const { counts: byRegionId } = await search(
    `requestParameters.RegionId:${region}`,
    nonEmptyAnd((row) => row.region.toLowerCase() === region.toLowerCase()),
    `requestParameters.RegionId:${region}`,
  );
  assert.ok(byRegionId.filtered <= total);
  assert.equal(await warning(), '');
  await shot('path-search');

  // OR: the union of both sides, every row matching one of them.
  const names = [...new Set(loaded.map((r) => r.event).filter(Boolean))];
  assert.ok(names.length >= 2, `two distinct event names among ${names.length}`);
  const [a, b] = names;
  const has = (row, n) => row.event.toLowerCase().includes(n.toLowerCase());
  const { counts: ca } = await search(`event:"${a}"`, nonEmptyAnd((row) => has(row, a)), `event:${a}`);
  const { counts: cb } = await search(`event:"${b}"`, nonEmptyAnd((row) => has(row, b)), `event:${b}`);
  const { counts: cor } = await search(
    `event:"${a}" OR event:"${b}"`,
    nonEmptyAnd((row) => has(row, a) || has(row, b)),
    `event:${a} OR event:${b}`,
  );
  assert.ok(cor.filtered >= Math.max(ca.filtered, cb.filtered) && cor.filtered <= ca.filtered + cb.filtered,
    `${cor.filtered} between max(${ca.filtered}, ${cb.filtered}) and their sum`);
  // Wildcards match the whole value.
  const prefix = a.slice(0, 3);
  await search(`event:${prefix}*`, nonEmptyAnd((row) => row.event.toLowerCase().startsWith(prefix.toLowerCase())), `event:${prefix}*`);

  // An unknown field is reported under the search box, not silently empty.
  await page.fill(tid('search'), 'foo:bar');
  await eventually(async () => (await warning()).includes('Unknown field "foo"'), 'a warning about the unknown field foo');
  assert.equal(await page.getAttribute(tid('search-warning'), 'role'), 'status');
  await shot('search-warning');
  await page.fill(tid('search'), '');
  await waitForRows(page, (r, c) => c && c.filtered === total && r.length > 0, 'clearing the search');
  assert.equal(await warning(), '');

  // The "?" button toggles the syntax list, from the keyboard too.
  const help = page.locator(tid('search-help'));
  assert.equal(await help.getAttribute('aria-expanded'), 'false');
  await help.focus();
  await page.keyboard.press('Enter');
  await eventually(async () => (await help.getAttribute('aria-expanded')) === 'true', 'the help to open');
  assert.ok(await page.isVisible(tid('search-help-panel')));
  assert.match(await page.textContent(tid('search-help-panel')), /OR/);
  await page.keyboard.press('Escape');
  await eventually(async () => (await help.getAttribute('aria-expanded')) === 'false', 'Escape to close the help');
  assert.ok(!(await page.isVisible(tid('search-help-panel'))));
});

appTest('a cell clips its text only where it does not fit, and a cut cell shows it on hover', async ({ page, shot }) => {
  await fetchEvents(page, { preset: '7d', cap: 100 });
  const cell = `${tid('event-row')} td[data-col=event]`;
  await page.locator(cell).first().waitFor();
  // A frame for the header cells' resize notice (the columns' widths), then a task.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  // Every rendered cell: the text's right edge, the cell's, whether it clips (ui/cut.rs decides
  // from a canvas measure; a cell it lets overflow must not reach past its own edge).
  const cells = () => page.evaluate(() => [...document.querySelectorAll('[data-testid=event-row] td[data-col]:not([data-col=mark])')].map((td) => {
    const range = document.createRange();
    range.selectNodeContents(td);
    return { text: range.getBoundingClientRect().right, edge: td.getBoundingClientRect().right, fits: td.classList.contains('fits'), clip: getComputedStyle(td).overflowX };
  }));
  const before = await cells();
  assert.ok(before.some((c) => c.fits), 'cells whose text fits are not clipped');
  for (const c of before) {
    assert.equal(c.clip, c.fits ? 'visible' : 'clip');
    if (c.fits) assert.ok(c.text <= c.edge + 0.5, `a cell left unclipped keeps its text inside (${c.text} > ${c.edge})`);
  }
  // The Event column set as wide as the first row's text plus its padding less `cut` pixels,
  // as a drag on its header's edge sets it (a width on the table, every row's cell follows).
  const at = async (cut) => {
    const text = await page.evaluate(({ sel, cut }) => {
      const td = document.querySelector(sel);
      const range = document.createRange();
      range.selectNodeContents(td);
      const cs = getComputedStyle(td);
      const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
      const table = document.querySelector('[data-testid=events-table]');
      table.style.setProperty('--col-event', `${Math.ceil(range.getBoundingClientRect().width) + pad - cut}px`);
      table.style.setProperty('--col-event-grow', '0');
      return td.textContent;
    }, { sel: cell, cut });
    const first = page.locator(cell).first();
    const fits = cut < 5;
    await eventually(async () => (await first.evaluate((td) => td.classList.contains('fits'))) === fits,
      `a cell ${cut} px too narrow to ${fits ? 'fit' : 'be cut'}`);
    await page.mouse.move(0, 0);
    await page.hover(cell);
    return { text, title: await first.getAttribute('title'), right: await first.evaluate((td) => {
      const range = document.createRange();
      range.selectNodeContents(td);
      return range.getBoundingClientRect().right - td.getBoundingClientRect().right;
    }) };
  };
  const cut = await at(40);
  assert.equal(cut.title, cut.text, 'a cut cell shows its text as its tooltip');
  await shot('cut-cells');
  // Into its end padding only: shown whole, no tooltip, still inside the cell.
  const padding = await at(3);
  assert.equal(padding.title, null);
  assert.ok(padding.right <= 0, `the text stays inside its cell (${padding.right} px past it)`);
  assert.equal((await at(-4)).title, null, 'a cell its text fits has no tooltip');
  for (const c of await cells()) {
    if (c.fits) assert.ok(c.text <= c.edge + 0.5, `a cell left unclipped keeps its text inside (${c.text} > ${c.edge})`);
  }
});
