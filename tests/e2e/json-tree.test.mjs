// The JSON tree of a selected event: expand/collapse, filter for / filter out a value, copy.
import assert from 'node:assert/strict';
import {
  appTest,
  BASE_URL,
  counts,
  eventually,
  fetchEvents,
  openRow,
  rows,
  tid,
  waitForRows,
} from './helpers.mjs';

const item = (tree, p) => tree.locator(`[role="treeitem"][data-path="${p}"]`);
const chips = (page) => page.locator(tid('filter-chip'));

/**
 * Scrolls the tree's viewport until the row for path `p` is rendered: the tree is virtualised,
 * so rows outside the viewport are not in the DOM.
 */
async function reveal(tree, p) {
  const found = await tree.evaluate(async (el, p) => {
    const has = () => [...el.querySelectorAll('[role="treeitem"]')].find((e) => e.dataset.path === p);
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    el.scrollTop = 0;
    await frame();
    for (let i = 0; i < 10_000 && !has(); i++) {
      if (el.scrollTop + el.clientHeight >= el.scrollHeight) break;
      el.scrollTop += Math.max(20, el.clientHeight * 0.8);
      await frame();
    }
    const row = has();
    if (row) row.scrollIntoView({ block: 'center' });
    await frame();
    return !!row;
  }, p);
  assert.ok(found, `a tree row for ${p}`);
  return item(tree, p);
}

/** Clicks a per-leaf action button (they may only show on hover or focus). */
async function leafAction(leaf, action) {
  await leaf.scrollIntoViewIfNeeded();
  await leaf.hover();
  await leaf.locator(tid(action)).first().click();
}

appTest('selecting a row opens its JSON tree; expand all and collapse all', async ({ page, shot }) => {
  await fetchEvents(page, { preset: '7d', cap: 300 });
  const tree = await openRow(page, 0);
  assert.equal(await tree.getAttribute('role'), 'tree');
  const selected = (await rows(page)).filter((r) => r.selected);
  assert.equal(selected.length, 1, 'exactly one row is aria-selected');

  await page.click(tid('expand-all'));
  await eventually(
    async () => (await tree.locator('[role="treeitem"][aria-expanded="false"]').count()) === 0,
    'expand-all to expand every container',
  );
  const container = await reveal(tree, 'userIdentity');
  assert.equal(await container.getAttribute('aria-expanded'), 'true');
  const nestedLeaves = tree.locator('[role="treeitem"][data-path^="userIdentity."]');
  await nestedLeaves.first().waitFor({ state: 'visible' });
  const visibleExpanded = await tree.locator('[role="treeitem"]').filter({ visible: true }).count();
  await shot('expanded');

  // Only the rows in the tree's viewport are in the DOM, however many are open.
  const inDom = await tree.locator('[role="treeitem"]').count();
  assert.ok(inDom <= 80, `${inDom} rows in the DOM`);

  await page.click(tid('collapse-all'));
  await reveal(tree, 'userIdentity');
  await eventually(async () => (await container.getAttribute('aria-expanded')) === 'false', 'collapse-all to collapse userIdentity');
  await eventually(
    async () => (await nestedLeaves.filter({ visible: true }).count()) === 0,
    'children of collapsed containers to be hidden',
  );
  const visibleCollapsed = await tree.locator('[role="treeitem"]').filter({ visible: true }).count();
  assert.ok(visibleCollapsed < visibleExpanded, `${visibleCollapsed} < ${visibleExpanded} visible nodes`);

  // Top-level leaves stay visible: eventName is one.
  await (await reveal(tree, 'eventName')).waitFor({ state: 'visible' });
});

appTest('filter for and filter out a value from the JSON tree', async ({ page, shot }) => {
  const { events: total } = await fetchEvents(page, { preset: '7d', cap: 300 });
  const [first] = await rows(page);
  let tree = await openRow(page, 0);
  await page.click(tid('expand-all'));

  // Filter for eventName = value of the selected event.
  await leafAction(await reveal(tree, 'eventName'), 'filter-for');
  await eventually(async () => (await chips(page).count()) === 1, 'one filter chip');
  const chipText = await chips(page).first().textContent();
  assert.ok(chipText.includes(first.event), `the chip ${JSON.stringify(chipText)} names ${first.event}`);
  let { counts: c } = await waitForRows(
    page,
    (r, c) => c && c.filtered >= 1 && c.filtered <= total && r.length > 0 && r.every((x) => x.event === first.event),
    `rows to be only ${first.event}`,
  );
  assert.equal(c.total, total);
  await shot('filter-for');

  await chips(page).first().locator(tid('filter-chip-remove')).click();
  await eventually(async () => (await chips(page).count()) === 0, 'the chip to go away');
  await waitForRows(page, (r, c) => c && c.filtered === total, 'all rows back after removing the chip');

  // Filter out: that event name disappears from the table.
  tree = await openRow(page, 0);
  const excluded = (await rows(page))[0].event;
  assert.ok(excluded, 'the first row has an event name');
  await page.click(tid('expand-all'));
  await leafAction(await reveal(tree, 'eventName'), 'filter-out');
  await eventually(async () => (await chips(page).count()) === 1, 'one filter chip (filter out)');
  ({ counts: c } = await waitForRows(
    page,
    (r, c) => c && c.filtered < total && r.length > 0 && r.every((x) => x.event !== excluded),
    `rows without ${excluded}`,
  ));
  await shot('filter-out');
  await chips(page).first().locator(tid('filter-chip-remove')).click();
  await waitForRows(page, (r, c) => c && c.filtered === total, 'all rows back');

  // A nested leaf works too (e.g. userIdentity.type).
  tree = await openRow(page, 0);
  await page.click(tid('expand-all'));
  await reveal(tree, 'userIdentity');
  const nested = tree.locator('[role="treeitem"][data-path^="userIdentity."]:not([aria-expanded])').first();
  const nestedPath = await nested.getAttribute('data-path');
  await leafAction(nested, 'filter-for');
  await eventually(async () => (await chips(page).count()) === 1, `a chip for ${nestedPath}`);
  c = await counts(page);
  assert.ok(c.filtered >= 1 && c.filtered <= total, `${nestedPath}: ${c.filtered} of ${total}`);
});

appTest('copy value and copy path put text on the clipboard', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
  await fetchEvents(page, { preset: '24h', cap: 100 });
  const [first] = await rows(page);
  const tree = await openRow(page, 0);
  await page.click(tid('expand-all'));
  const leaf = await reveal(tree, 'eventName');

  await leafAction(leaf, 'copy-value');
  const value = await eventually(() => page.evaluate(() => navigator.clipboard.readText()), 'clipboard text');
  assert.ok([first.event, JSON.stringify(first.event)].includes(value), `copied value ${JSON.stringify(value)}`);

  await leafAction(leaf, 'copy-path');
  await eventually(
    async () => (await page.evaluate(() => navigator.clipboard.readText())).includes('eventName'),
    'the copied path to mention eventName',
  );

  // Long strings are cut, with a "show more" control that reveals the rest.
  const more = tree.locator(tid('show-more')).first();
  if (await more.count()) {
    const holder = more.locator('xpath=ancestor::*[@role="treeitem"][1]');
    const before = (await holder.textContent()).length;
    await more.click();
    await eventually(async () => (await holder.textContent()).length > before, 'show-more to reveal more text');
  }
});

appTest('find in event steps through matching keys and values', async ({ page, shot }) => {
  await fetchEvents(page, { preset: '24h', cap: 100 });
  const [first] = await rows(page);
  const tree = await openRow(page, 0);
  await page.click(tid('collapse-all'));
  await page.fill(tid('tree-find'), first.event);
  await eventually(async () => /^1 of \d+$/.test(await page.textContent(tid('tree-find-count'))), 'a match count');
  const active = async () => {
    const id = await tree.getAttribute('aria-activedescendant');
    return id && page.getAttribute(`#${id}`, 'data-path');
  };
  await eventually(async () => (await active()) === 'eventName', 'eventName to be the active row');
  assert.match(await page.getAttribute(`#${await tree.getAttribute('aria-activedescendant')}`, 'class'), /current-match/);
  await shot('find');
  await page.fill(tid('tree-find'), 'no-such-thing-in-any-event');
  await eventually(async () => (await page.textContent(tid('tree-find-count'))) === 'no match', '"no match"');
});
