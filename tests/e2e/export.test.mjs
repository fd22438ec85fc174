// Export of the filtered rows: CSV (the table's columns, formulas neutralised), JSON.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  appTest,
  ariaSort,
  counts,
  eventually,
  FETCH_TIMEOUT,
  fetchEvents,
  progress,
  submitFetch,
  tid,
  waitForRows,
} from './helpers.mjs';

/** The demo's spreadsheet-formula user name (crates/demo/src/generate/hostile.rs). */
const HYPERLINK = '=HYPERLINK("http://example.com","x")';
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: records of fields; quoted fields may hold `,`, `""` and line breaks. */
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += c;
    i += 1;
  }
  assert.equal(quoted, false, 'no quote left open');
  assert.equal(record.length + field.length, 0, 'the file ends with CRLF');
  return records;
}

async function exportAs(page, label) {
  const download = page.waitForEvent('download', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await page.getByRole('menuitem', { name: label, exact: true }).click();
  const d = await download;
  const file = await d.path();
  await page.locator(`${tid('export-status')}[data-state="done"]`).waitFor();
  return { name: d.suggestedFilename(), text: readFileSync(file, 'utf8') };
}

appTest('export writes every filtered row as CSV with formulas neutralised, and as JSON', async ({ page, shot }) => {
  // The demo's formula events (a few a month), then a day of ordinary ones.
  const { events: hostile } = await fetchEvents(page, { preset: '30d', cap: 300, conditions: [['User', HYPERLINK]] });
  assert.ok(hostile > 0, 'the demo has events with a formula user name');
  await page.selectOption(tid('range-preset'), '24h');
  await page.selectOption(tid('attr-key-1'), '');
  await submitFetch(page, 'add');
  // The earlier fetch's `done` stays until this one's first page: wait for its events too.
  await eventually(
    async () => (await progress(page)).state === 'done' && (await counts(page)).total >= 300,
    'the added fetch',
    FETCH_TIMEOUT,
  );
  const { total } = await counts(page);

  // Formula rows and reads: more than one page, fewer than all.
  await page.fill(tid('search'), 'hyperlink | read');
  const { counts: c } = await waitForRows(page, (r, c) => c && c.filtered < c.total && c.filtered >= hostile, 'the search');
  assert.equal(c.total, total);
  await page.click(tid('sort-user'));
  await eventually(async () => (await ariaSort(page, 'user')) === 'ascending', 'the user column sorted');
  const table = await waitForRows(page, (r) => r.length > 0, 'sorted rows');

  const csv = await exportAs(page, 'CSV');
  await shot('csv-done');
  assert.match(csv.name, /^trailview-actiontrail-\d{4}-\d\d-\d\dT\d\d-\d\dZ--\d{4}-\d\d-\d\dT\d\d-\d\dZ\.csv$/);
  const records = parseCsv(csv.text);
  assert.deepEqual(records[0], ['Time (UTC)', 'Event', 'Service', 'User', 'Source IP', 'R/W', 'Region', 'Result', 'Cloud', 'Account']);
  const body = records.slice(1);
  assert.equal(body.length, c.filtered, 'one line per filtered row, not per page');
  for (const r of body) {
    assert.equal(r.length, 10);
    for (const cell of r) assert.doesNotMatch(cell, FORMULA_START, `a cell starts with a formula character: ${cell}`);
  }
  assert.ok(body.some((r) => r[3] === `'${HYPERLINK}`), 'the formula user name is exported neutralised');
  // The table's order: the first page's rows lead the file.
  const unguard = (s) => s.replace(/^'(?=[=+\-@\t\r])/, '');
  assert.deepEqual(
    body.slice(0, table.rows.length).map((r) => [r[1], r[2], unguard(r[3])]),
    table.rows.map((r) => [r.event, r.service, r.user]),
  );

  const json = await exportAs(page, 'JSON');
  assert.match(json.name, /\.json$/);
  const events = JSON.parse(json.text);
  assert.equal(events.length, c.filtered);
  assert.deepEqual(
    events.slice(0, table.rows.length).map((e) => e.eventId),
    table.rows.map((r) => r.id),
  );
  assert.ok(events.some((e) => e.userAgent === HYPERLINK && e.userIdentity.userName === HYPERLINK));
});
