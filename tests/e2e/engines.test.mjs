// The Cloud query panel against the demo's engines (SLS GetLogs over project trailview-demo,
// logstore actiontrail_demo-trail; Logs Insights over log group aws-cloudtrail-logs-demo, which
// goes Scheduled → Running → Complete over a few seconds): a search brings trail records into
// the Events table, an SQL aggregation shows a result table, an Insights query shows Running
// then Complete and its rows, Cancel sends StopQuery, and a malformed query shows the engine's
// error code and message.

import assert from 'node:assert/strict';
import { appTest, counts, eventually, tid } from './helpers.mjs';

/** Opens the panel (loading its module) on `engine`'s tab. */
async function openPanel(page, engine) {
  await page.click(tid('cloud-query-toggle'));
  await page.locator(tid('cloud-query')).waitFor({ state: 'visible', timeout: 30_000 });
  await page.click(tid(`cq-tab-${engine}`));
}

const panel = (page, engine) =>
  page.locator(`${tid('cloud-query')} > div:has(${tid(`cq-${engine}-query`)})`);

async function run(page, engine, query) {
  const p = panel(page, engine);
  await p.locator(tid(`cq-${engine}-query`)).fill(query);
  await p.locator(tid('cq-run')).click();
}

const status = (page) => page.locator(tid('cq-status')).textContent();

appTest('an SLS search brings trail records into the Events table', async ({ page, shot }) => {
  await openPanel(page, 'sls');
  // The logstore picker lists the demo's logstore (ListLogStores).
  await eventually(
    () => page.locator('#cq-logstores option[value="actiontrail_demo-trail"]').count(),
    'the logstore picker lists the demo logstore',
  );
  await run(page, 'sls', 'event.eventName: Delete*');
  await eventually(async () => /^Complete/.test(await status(page)), 'the SLS run completes', 60_000);
  const c = await counts(page);
  assert.ok(c.total > 0, `events in the table: ${JSON.stringify(c)}`);
  const note = await page.locator(tid('cq-events')).textContent();
  assert.match(note, new RegExp(`^${c.total.toLocaleString('en-US')} trail records came; ${c.total.toLocaleString('en-US')} new`));
  // Every row is a deletion.
  const names = await page.locator(`${tid('events-table')} tbody tr${tid('event-row')} [data-col="event"]`).allTextContents();
  assert.ok(names.length > 0 && names.every((n) => n.trim().startsWith('Delete')), names.join(', '));
  // No fetch's run describes these events: the progress line names the query they came from.
  assert.equal(
    (await page.locator(`${tid('progress')} .label`).textContent()).trim(),
    `${c.total.toLocaleString('en-US')} events from the Cloud query (SLS trailview-demo/actiontrail_demo-trail).`,
  );
  await shot('sls-search');
  // The query is remembered.
  const recent = await panel(page, 'sls').locator(`${tid('cq-recent')} option`).allTextContents();
  assert.ok(recent.some((t) => t.startsWith('event.eventName: Delete*')), recent.join(' | '));

  // Running again asks the fetch's question: Add keeps the events (dedup by id: none new).
  await panel(page, 'sls').locator(tid('cq-run')).click();
  await page.click(tid('cq-add'));
  await eventually(async () => /^Complete/.test(await status(page)), 'the second run completes', 60_000);
  assert.equal((await counts(page)).total, c.total);
  assert.match(await page.locator(tid('cq-events')).textContent(), /; 0 new in the table/);
});

appTest('an SLS SQL aggregation shows a result table with sort, filter and CSV', async ({ page, shot }) => {
  await openPanel(page, 'sls');
  const p = panel(page, 'sls');
  // An example fills the box.
  await p.locator(tid('cq-examples')).selectOption({ label: 'Top actions (SQL)' });
  assert.match(await p.locator(tid('cq-sls-query')).inputValue(), /count\(\*\) as n group by/);
  await p.locator(tid('cq-run')).click();
  const table = page.locator(tid('cq-table'));
  await table.waitFor({ timeout: 60_000 });
  await eventually(async () => /^Complete/.test(await status(page)), 'the SQL run completes', 60_000);
  const headers = await table.locator('thead th button').allTextContents();
  assert.deepEqual(headers.map((h) => h.trim()), ['action', 'n']);
  const ns = async () => (await table.locator('tbody tr td:nth-child(2)').allTextContents()).map(Number);
  const before = await ns();
  assert.ok(before.length > 1 && before.length <= 20, String(before));
  // Sort by n ascending (numbers as numbers).
  await table.locator('thead th button').nth(1).click();
  const asc = await ns();
  assert.deepEqual(asc, [...before].sort((a, b) => a - b));
  // A column filter.
  const first = (await table.locator('tbody tr td:nth-child(1)').first().textContent()).trim();
  await table.locator('thead input').first().fill(first);
  await table.locator('thead input').first().dispatchEvent('change');
  await eventually(async () => (await table.locator('tbody tr').count()) >= 1 &&
    (await table.locator('tbody tr td:nth-child(1)').allTextContents()).every((t) => t.includes(first)), 'the filter applies');
  // CSV of the shown rows.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(tid('cq-csv'))]);
  const csv = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString('utf8');
  assert.match(text, /^action,n\r\n/);
  assert.ok(text.includes(first), text);
  await table.locator('thead input').first().fill('');
  await table.locator('thead input').first().dispatchEvent('change');
  await shot('sls-sql-table');
  // An aggregation is not trail records: the Events table stays empty.
  assert.equal(await page.locator(`${tid('events-table')} tbody tr${tid('event-row')}`).count(), 0);
});

appTest('an Insights query shows Running then Complete and its rows', async ({ page, shot }) => {
  await openPanel(page, 'insights');
  const p = panel(page, 'insights');
  await p.locator(tid('cq-examples')).selectOption({ label: 'Who deleted what' });
  await p.locator(tid('cq-run')).click();
  const seen = new Set();
  await eventually(async () => {
    const s = await status(page);
    seen.add(s.split(' ')[0]);
    return /^Complete/.test(s);
  }, 'the Insights query completes', 60_000);
  assert.ok(seen.has('Running'), [...seen].join(', '));
  const s = await status(page);
  assert.match(s, /records matched · [\d,]+ scanned · [\d.]+ MB scanned/);
  const c = await counts(page);
  assert.ok(c.total > 0, JSON.stringify(c));
  const names = await page.locator(`${tid('events-table')} tbody tr${tid('event-row')} [data-col="event"]`).allTextContents();
  assert.ok(names.every((n) => n.includes('Delete')), names.join(', '));
  await shot('insights-complete');
});

appTest('Cancel on a running Insights query sends StopQuery', async ({ page, shot }) => {
  const targets = [];
  page.on('request', (r) => {
    const t = r.headers()['x-amz-target'];
    if (t) targets.push(t);
  });
  await openPanel(page, 'insights');
  const p = panel(page, 'insights');
  await run(page, 'insights', 'fields @timestamp, eventName, @message | sort @timestamp desc | limit 500');
  await eventually(async () => /^(Scheduled|Running)/.test(await status(page)), 'the query is running', 30_000);
  await p.locator(tid('cq-cancel')).click();
  await eventually(async () => /^Cancelled/.test(await status(page)), 'the query is cancelled', 30_000);
  assert.ok(targets.some((t) => t.endsWith('.StopQuery')), targets.join(', '));
  assert.ok(targets.some((t) => t.endsWith('.StartQuery')));
  const polls = targets.filter((t) => t.endsWith('.GetQueryResults')).length;
  await page.waitForTimeout(2_500);
  assert.equal(targets.filter((t) => t.endsWith('.GetQueryResults')).length, polls, 'no polls after the stop');
  await shot('insights-cancelled');
});

appTest('a malformed query shows the engine error code and message', async ({ page, shot }) => {
  await openPanel(page, 'sls');
  await run(page, 'sls', '* | select a from other');
  const err = page.locator(tid('cq-error'));
  await err.waitFor({ timeout: 30_000 });
  assert.equal((await err.locator(tid('error-code')).textContent()).trim(), 'ParameterInvalid');
  assert.ok((await err.locator(tid('error-message')).textContent()).trim().length > 0);
  assert.notEqual((await err.locator(tid('error-request-id')).textContent()).trim(), '');
  await page.click(tid('cq-tab-insights'));
  await run(page, 'insights', 'filter a ~ 1');
  await eventually(async () => (await err.locator(tid('error-code')).textContent()).trim() === 'MalformedQueryException',
    'Insights says MalformedQueryException', 30_000);
  assert.equal(await page.locator(tid('cq-try-again')).count(), 0);
  await shot('malformed');
});

/** The "N trail records came; M new in the table (K already there)." note as numbers. */
async function brought(page) {
  const t = await page.locator(tid('cq-events')).textContent();
  const m = t.match(/^([\d,]+) trail records came; ([\d,]+) new in the table \(([\d,]+) already there\)/);
  assert.ok(m, t);
  const [came, added, already] = m.slice(1).map((x) => Number(x.replace(/,/g, '')));
  return { came, added, already };
}

appTest('an Insights range past its limit is offered as time slices, run one after another', async ({ page, shot }) => {
  await openPanel(page, 'insights');
  const p = panel(page, 'insights');
  const setLimit = async (n) => {
    await p.locator(tid('cq-limit')).fill(String(n));
    await p.locator(tid('cq-limit')).dispatchEvent('change');
  };
  const query = 'fields @timestamp, eventName, @message | filter eventName like /Delete/';
  // A first run with a limit of 1 says how many records match.
  await setLimit(1);
  await run(page, 'insights', query);
  const offer = page.locator(tid('cq-truncated'));
  await offer.waitFor({ timeout: 60_000 });
  const matched = Number((await offer.textContent()).match(/^([\d,]+) records matched/)[1].replace(/,/g, ''));
  assert.ok(matched >= 6, `matched ${matched}`);
  // A limit of half the matches: more than one query returns, so slices are offered (each
  // slice aims at 4/5 of the limit: about three of them).
  const limit = Math.ceil(matched / 2);
  await setLimit(limit);
  await p.locator(tid('cq-run')).click();
  await page.click(tid('cq-replace'));
  await eventually(async () => /^Complete/.test(await status(page)) && (await offer.count()) === 1,
    'the limited run completes and offers slices', 60_000);
  assert.equal((await counts(page)).total, limit);
  await offer.locator(tid('cq-slices')).click();
  const slices = new Set();
  let n = 0;
  await eventually(async () => {
    const s = await status(page);
    const m = s.match(/^Slice (\d+) of (\d+): /);
    if (m) {
      slices.add(Number(m[1]));
      n = Number(m[2]);
    }
    return slices.size > 0 && /^Complete/.test(s);
  }, 'the slices run and complete', 90_000);
  assert.ok(n >= 2, `slices: ${n}`);
  assert.ok(slices.size >= 2 && [...slices].every((i) => i >= 1 && i <= n), [...slices].join(', '));
  // The slices' records arrive: those the limited run had are already there, the rest are new;
  // what came counts every slice, as what is new does.
  const total = (await counts(page)).total;
  const b = await brought(page);
  assert.ok(total > limit, `table ${total}, limit ${limit}`);
  assert.equal(total, limit + b.added, JSON.stringify(b));
  assert.ok(b.came > limit, `more came than one query returns: ${JSON.stringify(b)}`);
  // The status sums the slices (what was billed), not the last slice's statistics.
  const done = (await status(page)).match(/^Complete · (\d+) slices · ([\d,]+) records matched · [\d,]+ scanned · [\d.]+ MB scanned$/);
  assert.ok(done, await status(page));
  assert.equal(Number(done[1]), n);
  assert.ok(Number(done[2].replace(/,/g, '')) >= b.came, `matched ${done[2]}, came ${b.came}`);
  assert.equal(
    (await page.locator(`${tid('progress')} .label`).textContent()).trim(),
    `${total.toLocaleString('en-US')} events from the Cloud query (Logs Insights aws-cloudtrail-logs-demo).`,
  );
  await shot('insights-slices');
}, { timeout: 240_000 });

appTest('an SLS project name outside the documented rules is refused before anything is sent', async ({ page, shot }) => {
  await openPanel(page, 'sls');
  await eventually(
    () => page.locator('#cq-logstores option[value="actiontrail_demo-trail"]').count(),
    'the logstore picker lists the demo logstore',
  );
  const sent = [];
  page.on('request', (r) => {
    if (r.url().includes('/aliyun/sls/')) sent.push(r.url());
  });
  const p = panel(page, 'sls');
  await p.locator(tid('cq-project')).fill('Trailview_Demo');
  await p.locator(tid('cq-project')).dispatchEvent('change');
  await eventually(async () => /The SLS project name "Trailview_Demo" holds "T"/.test(await p.textContent()),
    'the picker says why the project cannot be listed');
  await run(page, 'sls', '*');
  const notice = page.locator(tid('cq-notice'));
  await notice.waitFor({ timeout: 10_000 });
  assert.match(await notice.textContent(), /^The SLS project name "Trailview_Demo" holds "T": it takes lowercase letters, digits, hyphens\.$/);
  await page.waitForTimeout(500);
  assert.deepEqual(sent, [], 'no SLS request was sent');
  await shot('bad-project');
});
