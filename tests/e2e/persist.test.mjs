// The browser keeps what it fetched: a fetch's events and position are saved to the Origin
// Private File System as pages arrive; after a reload "Restore" brings the same table back,
// and a fetch stopped by Cancel (or by the reload) goes on with "Resume" to the same events an
// uninterrupted fetch loads, none twice. A NextToken the cloud refuses is continued from the
// loaded events' time.
import assert from 'node:assert/strict';
import { appTest, counts, eventually, progress, rows, submitFetch, tid, waitForState } from './helpers.mjs';

/** A fixed window in the past (datetime-local values, UTC), so every fetch sees the same events. */
function window(hours) {
  const end = new Date(Date.now() - 2 * 3600_000);
  end.setUTCSeconds(0, 0);
  const start = new Date(end.getTime() - hours * 3600_000);
  const v = (d) => d.toISOString().slice(0, 16);
  return { start: v(start), end: v(end) };
}

async function setQuery(page, { start, end }, cap) {
  await page.selectOption(tid('range-preset'), 'custom');
  await page.fill(tid('custom-start'), start);
  await page.fill(tid('custom-end'), end);
  await page.fill(tid('cap'), String(cap));
}

/** The manifests of the saved sessions, read from the page's OPFS. */
async function manifests(page) {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle('sessions', { create: true });
    const out = [];
    for await (const [, h] of dir.entries()) {
      try {
        const f = await (await h.getFileHandle('manifest.json')).getFile();
        out.push(JSON.parse(await f.text()));
      } catch {
        // A session whose manifest is not written yet.
      }
    }
    return out.sort((a, b) => b.updated_ms - a.updated_ms);
  });
}

/** Waits until the newest saved session holds `rows` events and its run `ended`. */
async function saved(page, rows, ended) {
  let last;
  await eventually(
    async () => {
      last = (await manifests(page))[0];
      return last && last.rows === rows && last.position.ended === ended;
    },
    `a saved session of ${rows} events, ${ended} (last: ${JSON.stringify(last && { rows: last.rows, ended: last.position.ended })})`,
    15_000,
  );
  return last;
}

/** Slow chunk reads (a second each), so that a restore takes a few seconds. */
const slowReads = ({ page }) =>
  page.addInitScript(() => {
    const read = Blob.prototype.arrayBuffer;
    Blob.prototype.arrayBuffer = function () {
      return new Promise((r) => setTimeout(r, 1000)).then(() => read.call(this));
    };
  });

/**
 * Saves a fetch of 1,500 events (two chunks or more), reloads, runs `before`, presses Restore
 * and returns the saved manifest once a first chunk is back (with `slowReads`, the rest
 * follow a second apart).
 */
async function restoreStarted(page, before = async () => {}) {
  await setQuery(page, window(24), 1500);
  await submitFetch(page);
  const p0 = await waitForState(page, 'done');
  const first = await saved(page, (await counts(page)).total, p0.events >= 1500 ? 'capped' : 'complete');
  assert.ok(first.chunks >= 2, `chunks to restore one by one: ${first.chunks}`);
  await page.reload({ waitUntil: 'load' });
  await page.locator(tid('saved-sessions')).waitFor({ timeout: 30_000 });
  await before();
  await page.getByRole('button', { name: 'Restore', exact: true }).first().click();
  await eventually(async () => (await counts(page).catch(() => ({ total: 0 }))).total > 0, 'a first chunk restored', 15_000);
  return first;
}

async function reloadAndRestore(page) {
  await page.reload({ waitUntil: 'load' });
  await page.locator(tid('saved-sessions')).waitFor({ timeout: 30_000 });
  const restore = page.getByRole('button', { name: 'Restore', exact: true }).first();
  await restore.click();
  await eventually(
    async () => /Restored/.test((await page.locator(tid('persist-status')).textContent().catch(() => '')) || ''),
    'the restore to finish',
    30_000,
  );
}

/** Starts a fetch and cancels it after `pages` pages. */
async function fetchAndCancel(page, pages) {
  await submitFetch(page, 'replace');
  await eventually(async () => (await progress(page)).pages >= pages, `${pages} pages`, 30_000);
  await page.click(tid('cancel'));
  return waitForState(page, 'cancelled', 15_000);
}

appTest('persist: a reload, then Restore, brings back the same events and first rows', async ({ page, shot }) => {
  const w = window(4);
  await setQuery(page, w, 300);
  await submitFetch(page);
  const p = await waitForState(page, 'done');
  assert.ok(p.events > 0, 'the demo has events in the window');
  await page.locator(tid('event-row')).first().waitFor();
  const before = { counts: await counts(page), rows: (await rows(page)).slice(0, 10) };
  const m = await saved(page, before.counts.total, p.events >= 300 ? 'capped' : 'complete');
  assert.ok(m.bytes > 0 && m.chunks >= 1, `chunks saved: ${m.chunks}, ${m.bytes} bytes`);

  await page.reload({ waitUntil: 'load' });
  const list = page.locator(tid('saved-sessions'));
  await list.waitFor({ timeout: 30_000 });
  const item = list.locator(tid('saved-session')).first();
  const text = await item.textContent();
  assert.match(text, new RegExp(`${before.counts.total.toLocaleString('en-US')} events`), text);
  assert.match(text, /\d+(\.\d)? (B|KB|MB)/, `the size is shown: ${text}`);
  await shot('offered');
  await page.getByRole('button', { name: 'Restore', exact: true }).first().click();
  await eventually(
    async () => (await counts(page).catch(() => ({ total: 0 }))).total === before.counts.total,
    'the restored count',
    30_000,
  );
  await page.locator(tid('event-row')).first().waitFor();
  const after = { counts: await counts(page), rows: (await rows(page)).slice(0, 10) };
  assert.deepEqual(after.counts, before.counts, 'the same count');
  assert.deepEqual(after.rows, before.rows, 'the same first rows');
  assert.equal((await progress(page)).state, 'done');
  assert.match(await page.locator(tid('persist-status')).textContent(), /Restored [\d,]+ events in/);
  await shot('restored');
});

appTest('persist: both clouds\u2019 rows, and an AWS-only fetch\u2019s, come back after a reload and Restore', async ({ page, shot }) => {
  const group = page.getByRole('group', { name: 'Clouds' });
  const aws = group.getByRole('checkbox', { name: 'AWS' });
  const aliyun = group.getByRole('checkbox', { name: 'Alibaba Cloud' });
  const awsStopped = () =>
    eventually(
      async () => (await page.locator(tid('aws-progress')).getAttribute('data-state')) === 'stopped',
      'the AWS part to stop',
      30_000,
    );
  const byCloud = (r) => ({
    ids: r.map((x) => x.id).sort(),
    aws: r.filter((x) => x.cloud === 'AWS').length,
    aliyun: r.filter((x) => x.cloud === 'Alibaba Cloud').length,
  });
  await page.selectOption(tid('page-size'), '250');
  await aws.check();
  await page.selectOption(tid('range-preset'), '24h');
  await page.fill(tid('cap'), '60');
  await submitFetch(page);
  await waitForState(page, 'done');
  await awsStopped();
  const both = byCloud(await rows(page));
  assert.ok(both.aws > 0 && both.aliyun > 0, JSON.stringify(both));
  let m = await eventually(async () => {
    const m = (await manifests(page))[0];
    return m && m.rows === both.ids.length && m;
  }, `a saved session of both clouds' ${both.ids.length} rows`, 15_000);
  assert.deepEqual(m.clouds, { aliyun: true, aws: true });
  await reloadAndRestore(page);
  await page.selectOption(tid('page-size'), '250');
  assert.deepEqual(byCloud(await rows(page)), both, 'both clouds\u2019 rows are back');
  // The query bar and the page's link name the restored fetch (its pinned range, both
  // clouds), so no notice says the events shown are from another fetch.
  assert.equal(await page.locator(tid('range-preset')).inputValue(), 'custom');
  assert.ok(await aws.isChecked() && await aliyun.isChecked(), 'the restored fetch read both clouds');
  assert.equal(await page.locator(tid('cap')).inputValue(), '60');
  assert.equal(await page.locator(tid('link-waiting')).count(), 0, 'no "another fetch" notice');
  // The link names the restored span to the second (the reload's link named "last 24 hours").
  const apiTime = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await eventually(async () => {
    const q = new URL(page.url()).searchParams;
    return q.get('from') === apiTime(m.query.start_ms) && q.get('to') === apiTime(m.query.end_ms) && !q.has('range');
  }, `the link names ${apiTime(m.query.start_ms)} .. ${apiTime(m.query.end_ms)}`, 10_000);
  await shot('both-restored');

  // Saved again (an Alibaba Cloud fetch added to the restored rows), the session still holds
  // both clouds: its manifest says so, and after a reload the list does.
  const before = m.updated_ms;
  await aws.uncheck();
  await submitFetch(page, 'add');
  await waitForState(page, 'done');
  // The demo makes live events every second: the Add may bring one the first fetch did not
  // see, so what comes back is what the table holds now.
  const again = byCloud(await rows(page));
  m = await eventually(async () => {
    const x = (await manifests(page))[0];
    return x && x.updated_ms > before && x.rows === again.ids.length && x;
  }, 'the restored session saved again', 15_000);
  assert.deepEqual(m.clouds, { aliyun: true, aws: true });
  await page.reload({ waitUntil: 'load' });
  const offered = page.locator(`${tid('saved-sessions')} ${tid('saved-session')}`).first();
  await offered.waitFor({ timeout: 30_000 });
  assert.match(await offered.textContent(), /Alibaba Cloud and AWS/);
  await reloadAndRestore(page);
  await page.selectOption(tid('page-size'), '250');
  assert.deepEqual(byCloud(await rows(page)), again, 'both clouds\u2019 rows are back again');

  // An AWS-only fetch added to them keeps the Alibaba Cloud part's query and place: the AWS
  // query is not written over it, and a reload restores the Alibaba Cloud part as it was.
  const place = { query: m.query, position: m.position };
  const before2 = (await manifests(page))[0].updated_ms;
  await aliyun.uncheck();
  await aws.check();
  await submitFetch(page, 'add');
  await awsStopped();
  const added = byCloud(await rows(page));
  m = await eventually(async () => {
    const x = (await manifests(page))[0];
    return x && x.updated_ms > before2 && x.rows === added.ids.length && x;
  }, 'the session saved again after an AWS-only Add', 15_000);
  assert.deepEqual(m.clouds, { aliyun: true, aws: true });
  assert.deepEqual({ query: m.query, position: m.position }, place, 'the Alibaba Cloud part\u2019s place is kept');
  await reloadAndRestore(page);
  await page.selectOption(tid('page-size'), '250');
  assert.deepEqual(byCloud(await rows(page)), added, 'both clouds\u2019 rows are back after the AWS Add');
  assert.equal((await progress(page)).state, 'done', 'the Alibaba Cloud part restored as it ended');
  await aliyun.check();

  // AWS only: saved too, restored with nothing to resume.
  await aws.check();
  await aliyun.uncheck();
  await submitFetch(page, 'replace');
  await awsStopped();
  const alone = byCloud(await rows(page));
  assert.ok(alone.aws > 0 && alone.aliyun === 0, JSON.stringify(alone));
  m = await eventually(async () => {
    const m = (await manifests(page))[0];
    return m && m.rows === alone.ids.length && m.clouds && !m.clouds.aliyun && m;
  }, `a saved session of the AWS part's ${alone.ids.length} rows`, 15_000);
  assert.deepEqual(m.clouds, { aliyun: false, aws: true });
  await reloadAndRestore(page);
  await page.selectOption(tid('page-size'), '250');
  assert.deepEqual(byCloud(await rows(page)), alone, 'the AWS rows are back');
  // No Alibaba Cloud run describes them: the progress line names AWS CloudTrail.
  assert.equal(
    (await page.locator(`${tid('progress')} .label`).textContent()).trim(),
    `${alone.ids.length.toLocaleString('en-US')} events from AWS CloudTrail.`,
  );
  assert.equal(await page.getByRole('button', { name: 'Resume', exact: true }).count(), 0, 'nothing to resume');
});

appTest('persist: Cancel then Resume, and a reload then Resume, load what an uninterrupted fetch loads', async ({ page }) => {
  const w = window(8);
  await setQuery(page, w, 5000);
  await submitFetch(page);
  const whole = await waitForState(page, 'done');
  const total = (await counts(page)).total;
  assert.ok(whole.pages >= 4, `enough pages to stop midway (${whole.pages})`);
  assert.equal(whole.events, total, 'an uninterrupted fetch loads no event twice');

  // Cancel midway, then Resume in the same page.
  let p = await fetchAndCancel(page, 2);
  assert.ok(p.events < total, `cancelled midway (${p.events} of ${total})`);
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  p = await waitForState(page, 'done');
  assert.equal(p.events, total, 'Resume goes on to the same events');
  assert.equal((await counts(page)).total, total, 'none twice, none missing');

  // Cancel midway, reload, Restore, Resume: from the saved NextToken.
  p = await fetchAndCancel(page, 2);
  await saved(page, (await counts(page)).total, 'cancelled');
  await reloadAndRestore(page);
  assert.equal((await progress(page)).state, 'cancelled', 'the restored fetch is unfinished');
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  p = await waitForState(page, 'done');
  assert.equal(p.events, total, 'the resumed fetch reaches the same count');
  assert.equal((await counts(page)).total, total, 'no duplicate, no gap after a reload');
});

appTest('persist: a refused NextToken goes on from the loaded events\u2019 time', async ({ page }) => {
  const w = window(8);
  await setQuery(page, w, 5000);
  await submitFetch(page);
  await waitForState(page, 'done');
  const total = (await counts(page)).total;

  await fetchAndCancel(page, 2);
  await saved(page, (await counts(page)).total, 'cancelled');
  // The saved token no longer valid (as after 24 hours).
  await page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle('sessions');
    let newest;
    for await (const [, h] of dir.entries()) {
      const f = await (await h.getFileHandle('manifest.json')).getFile();
      const m = JSON.parse(await f.text());
      if (!newest || m.updated_ms > newest.m.updated_ms) newest = { h, m };
    }
    newest.m.position.next_token = 'expired-token';
    const out = await (await newest.h.getFileHandle('manifest.json')).createWritable();
    await out.write(JSON.stringify(newest.m));
    await out.close();
  });
  await reloadAndRestore(page);
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  const p = await waitForState(page, 'done');
  assert.equal((await counts(page)).total, total, 'every event of the window, once');
  // The loaded events' oldest second was read again (and its events dropped by EventId): the
  // run counted more events than it kept, which reading on from the NextToken never does.
  assert.ok(p.events > total, `the time bound was used (${p.events} read, ${total} kept)`);
});

appTest(
  'persist: a page without the Origin Private File System fetches as ever and says why nothing is saved',
  async ({ page }) => {
    const w = window(4);
    await setQuery(page, w, 300);
    await submitFetch(page);
    const p = await waitForState(page, 'done');
    assert.ok(p.events > 0, 'the demo has events in the window');
    assert.equal((await counts(page)).total, p.events, 'every fetched event is in the table');
    await page.locator(tid('event-row')).first().waitFor();
    const status = await page.locator(tid('persist-status')).textContent();
    assert.match(status, /no Origin Private File System \(it needs HTTPS or localhost\)/, status);
    assert.equal(await page.locator(tid('saved-sessions')).count(), 0, 'no saved sessions offered');
  },
  {
    // As in old Safari (and, with no navigator.storage at all, any plain-http page off localhost).
    beforeOpen: ({ page }) =>
      page.addInitScript(() => {
        delete StorageManager.prototype.getDirectory;
      }),
  },
);

appTest(
  'persist: Cancel then a new fetch at once keeps the cancelled session whole',
  async ({ page }) => {
    const w = window(24);
    await setQuery(page, w, 5000);
    await submitFetch(page);
    // Page 10 queued a chunk, still being written (slowly): Cancel's write waits behind it.
    await eventually(async () => (await progress(page)).pages >= 11, '11 pages', 30_000);
    await page.click(tid('cancel'));
    await waitForState(page, 'cancelled', 15_000);
    const total = (await counts(page)).total;
    await submitFetch(page, 'replace');
    let found;
    await eventually(
      async () => {
        const all = await manifests(page);
        found = all.find((m) => m.position.ended === 'cancelled');
        return found && found.rows === total;
      },
      `the cancelled session saved with its ${total} events (found: ${JSON.stringify(found && { rows: found.rows })})`,
      30_000,
    );
    if ((await progress(page)).state === 'running') await page.click(tid('cancel'));
  },
  {
    // Slow file commits, so that writes queue up behind one another.
    beforeOpen: ({ page }) =>
      page.addInitScript(() => {
        const close = FileSystemWritableFileStream.prototype.close;
        FileSystemWritableFileStream.prototype.close = function () {
          return new Promise((r) => setTimeout(r, 1500)).then(() => close.call(this));
        };
      }),
  },
);

appTest(
  'persist: a fetch started during a restore stops the restore, and the store is saved once, whole',
  async ({ page }) => {
    const first = await restoreStarted(page);
    await setQuery(page, window(4), 300);
    await submitFetch(page, 'add');
    await eventually(
      async () => /Restore stopped by another load/.test((await page.locator(tid('persist-status')).textContent().catch(() => '')) || ''),
      'the restore to stop',
      15_000,
    );
    const p = await waitForState(page, 'done');
    assert.equal(p.state, 'done', 'the fetch ran to its end, not stopped by the restore');
    const total = (await counts(page)).total;
    // The store (what the restore put back and what the fetch added) is a new session, each row once.
    const m = await saved(page, total, p.events >= 300 ? 'capped' : 'complete');
    assert.notEqual(m.id, first.id, 'the restored session is not continued');
  },
  { beforeOpen: slowReads },
);

appTest(
  'persist: the query bar shows the session\u2019s fetch as a restore starts, and what is typed meanwhile stays',
  async ({ page }) => {
    // The reloaded page's link fills the bar with the same fetch: another cap, to see it change.
    const first = await restoreStarted(page, async () => {
      await page.locator(tid('link-waiting')).waitFor();
      await page.fill(tid('cap'), '900');
    });
    // The bar is the session's now, not the link's: no notice says otherwise.
    assert.equal(await page.locator(tid('link-waiting')).count(), 0, 'no link notice while restoring');
    const status = () => page.locator(tid('persist-status')).textContent().catch(() => '');
    assert.doesNotMatch((await status()) || '', /Restored/, 'the restore is still going');
    assert.equal(await page.inputValue(tid('cap')), '1500', 'the session\u2019s cap, while its chunks come back');
    assert.equal(await page.inputValue(tid('range-preset')), 'custom');
    await page.fill(tid('cap'), '777');
    assert.doesNotMatch((await status()) || '', /Restored/, 'typed before the restore ended');
    await eventually(async () => /Restored/.test((await status()) || ''), 'the restore to finish', 30_000);
    assert.equal(await page.inputValue(tid('cap')), '777', 'what was typed during the restore stays');
    assert.equal((await counts(page)).total, first.rows, 'every saved event is back');
  },
  { beforeOpen: slowReads },
);

/** The origin's storage use, as the page sees it. */
const usage = (page) => page.evaluate(async () => (await navigator.storage.estimate()).usage);

appTest('persist: storage running out mid-fetch stops saving, says so, and keeps every event', async ({ page, shot }) => {
  const w = window(24);
  await setQuery(page, w, 1500);
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  await submitFetch(page);
  // A first chunk saved, then the quota shrunk to what is used now and a little more: the
  // next chunk does not fit.
  const first = await (async () => {
    let m;
    await eventually(async () => (m = (await manifests(page))[0]) && m.chunks >= 1, 'a first chunk saved', 30_000);
    return m;
  })();
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: (await usage(page)) + 4096 });
  await eventually(
    async () => /quota/.test((await page.locator(tid('persist-status')).textContent().catch(() => '')) || ''),
    'the quota error shown',
    60_000,
  );
  const status = await page.locator(tid('persist-status')).textContent();
  assert.match(status, /^Saving to this browser stopped: the browser's storage quota is full/, status);
  assert.match(status, /Only the first [\d,]+ events were saved .*; the other [\d,]+ were not\./, status);
  assert.match(status, /The [\d,]+ events in memory are kept and the fetch goes on\./, status);
  await shot('quota');
  const p = await waitForState(page, ['done']);
  const total = (await counts(page)).total;
  assert.equal(total, p.events, 'every fetched event is in the table');
  const saved = (await manifests(page))[0];
  assert.ok(saved.rows < total && saved.rows >= first.rows, `the session holds what was saved (${saved.rows} of ${total})`);
  assert.equal(saved.position.ended, 'running', 'the saved position is where the saved events end');

  // The same fetch with room to save: the same count.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await submitFetch(page, 'replace');
  const again = await waitForState(page, 'done');
  assert.equal((await counts(page)).total, total, 'the count equals a fetch that saved everything');
  assert.equal(again.events, p.events);

  // After a reload the partial session is offered as unfinished, and restores what it holds.
  await page.reload({ waitUntil: 'load' });
  await page.locator(tid('saved-sessions')).waitFor({ timeout: 30_000 });
  const item = page.locator(tid('saved-session')).filter({ hasText: new RegExp(`(?<![\\d,])${saved.rows.toLocaleString('en-US')} events`) });
  assert.match(await item.first().textContent(), /unfinished/);
  await item.first().getByRole('button', { name: 'Restore', exact: true }).click();
  await eventually(async () => (await counts(page).catch(() => ({ total: 0 }))).total === saved.rows, 'the saved part restored', 30_000);
  assert.equal((await progress(page)).state, 'cancelled', 'Resume fetches the rest');
});

appTest('persist: two tabs never write the same session; the list says which is in use elsewhere', async ({ page, context, shot }) => {
  const w = window(8);
  await setQuery(page, w, 5000);
  await fetchAndCancel(page, 2);
  const a = await saved(page, (await counts(page)).total, 'cancelled');

  // A second tab of the app: the session tab A is saving is marked, and restoring it there
  // writes none of it.
  const b = await context.newPage();
  await b.goto(page.url(), { waitUntil: 'load' });
  await b.locator(tid('saved-sessions')).waitFor({ timeout: 30_000 });
  const item = b.locator(tid('saved-session')).filter({ hasText: new RegExp(`(?<![\\d,])${a.rows.toLocaleString('en-US')} events`) }).first();
  assert.match(await item.textContent(), /in use in another tab/);
  await b.screenshot({ path: `${process.env.SCREENSHOT_DIR || '../../target/screenshots'}/persist-two-tabs-b-list.png`, fullPage: true });
  await item.getByRole('button', { name: 'Delete', exact: true }).click();
  await eventually(
    async () => /not deleted: this session is being saved in another tab/.test((await b.locator(tid('persist-status')).textContent().catch(() => '')) || ''),
    'Delete refused in tab B',
    15_000,
  );
  await item.getByRole('button', { name: 'Restore', exact: true }).click();
  await eventually(
    async () => /Restored [\d,]+ events .*Not saved by this tab: this session is being saved in another tab\./.test((await b.locator(tid('persist-status')).textContent().catch(() => '')) || ''),
    'tab B told it does not save',
    30_000,
  );
  await b.getByRole('button', { name: 'Resume', exact: true }).click();
  const pb = await waitForState(b, 'done');
  const mine = (await manifests(page)).find((m) => m.id === a.id);
  assert.equal(mine.rows, a.rows, 'tab B wrote nothing into the session');
  assert.equal(mine.position.ended, 'cancelled');
  await b.close();

  // Tab A resumes and saves its session to the end.
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await waitForState(page, 'done');
  const whole = await saved(page, (await counts(page)).total, 'complete');
  assert.equal(whole.id, a.id, 'the same session');
  assert.equal(whole.rows, pb.events, 'tab A saved what tab B loaded');
  await shot('a-done');
});

appTest(
  'persist: without Web Locks sessions are saved as before, and the page says so once',
  async ({ page }) => {
    await setQuery(page, window(4), 300);
    await submitFetch(page);
    const p = await waitForState(page, 'done');
    await saved(page, (await counts(page)).total, p.events >= 300 ? 'capped' : 'complete');
    assert.match(await page.locator(tid('persist-status')).textContent(), /no Web Locks/);
  },
  {
    beforeOpen: ({ page }) =>
      page.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });
      }),
  },
);

appTest('persist: saved sessions beyond the budget are removed, the oldest first, and the page says which', async ({ page, shot }) => {
  await setQuery(page, window(4), 300);
  await submitFetch(page);
  const p = await waitForState(page, 'done');
  const m = await saved(page, (await counts(page)).total, p.events >= 300 ? 'capped' : 'complete');
  // Three more sessions (their manifests only), two of them said to be 600 MB: over the
  // default budget of 1 GiB, the oldest of them goes.
  await page.evaluate(async (m) => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('sessions');
    const put = async (id, updated_ms, bytes) => {
      const d = await dir.getDirectoryHandle(id, { create: true });
      const out = await (await d.getFileHandle('manifest.json', { create: true })).createWritable();
      await out.write(JSON.stringify({ ...m, id, updated_ms, bytes, rows: 1234 }));
      await out.close();
    };
    await put('s-oldest', m.updated_ms - 3000, 600 << 20);
    await put('s-older', m.updated_ms - 2000, 600 << 20);
    await put('s-old', m.updated_ms - 1000, 1000);
  }, m);
  await page.reload({ waitUntil: 'load' });
  await page.locator(tid('saved-sessions')).waitFor({ timeout: 30_000 });
  await eventually(
    async () => /Removed the oldest saved sessions to stay within 1\.0 GB and 20 sessions/.test((await page.locator(tid('persist-status')).textContent().catch(() => '')) || ''),
    'the pruning said',
    15_000,
  );
  const ids = (await manifests(page)).map((x) => x.id).sort();
  assert.deepEqual(ids, [m.id, 's-old', 's-older'].sort(), 'only the oldest went');
  assert.equal(await page.locator(tid('saved-session')).count(), 3);
  await shot('pruned');
});

appTest('persist: a Cloud query\u2019s records are saved and come back after a reload and Restore', async ({ page, shot }) => {
  await page.click(tid('cloud-query-toggle'));
  await page.locator(tid('cloud-query')).waitFor({ state: 'visible', timeout: 30_000 });
  await page.click(tid('cq-tab-sls'));
  const panel = page.locator(`${tid('cloud-query')} > div:has(${tid('cq-sls-query')})`);
  await panel.locator(tid('cq-sls-query')).fill('event.eventName: Delete*');
  await panel.locator(tid('cq-run')).click();
  await eventually(async () => /^Complete/.test(await page.locator(tid('cq-status')).textContent()),
    'the SLS run completes', 60_000);
  const before = { counts: await counts(page), rows: (await rows(page)).slice(0, 10) };
  assert.ok(before.counts.total > 0, JSON.stringify(before.counts));
  const source = 'SLS trailview-demo/actiontrail_demo-trail';
  const m = await eventually(async () => {
    const m = (await manifests(page))[0];
    return m && m.rows === before.counts.total && m;
  }, `a saved session of the query's ${before.counts.total} records`, 15_000);
  assert.equal(m.source, source);
  assert.deepEqual(m.clouds, { aliyun: false, aws: false });
  await page.reload({ waitUntil: 'load' });
  const offered = page.locator(`${tid('saved-sessions')} ${tid('saved-session')}`).first();
  await offered.waitFor({ timeout: 30_000 });
  assert.match(await offered.textContent(), new RegExp(`Cloud query: ${source}`));
  await reloadAndRestore(page);
  await eventually(async () => (await counts(page)).total === before.counts.total, 'the restored count', 30_000);
  await page.locator(tid('event-row')).first().waitFor();
  assert.deepEqual((await rows(page)).slice(0, 10), before.rows, 'the same first rows');
  assert.equal(
    (await page.locator(`${tid('progress')} .label`).textContent()).trim(),
    `${before.counts.total.toLocaleString('en-US')} events from the Cloud query (${source}).`,
  );
  assert.equal(await page.getByRole('button', { name: 'Resume', exact: true }).count(), 0, 'nothing to resume');
  await shot('query-restored');
  // A second query's records added to the restored ones: the session names both queries
  // (each once, however many pages each brought), not only the last.
  await page.click(tid('cloud-query-toggle'));
  await page.locator(tid('cloud-query')).waitFor({ state: 'visible', timeout: 30_000 });
  await page.click(tid('cq-tab-insights'));
  const insights = page.locator(`${tid('cloud-query')} > div:has(${tid('cq-insights-query')})`);
  await insights.locator(tid('cq-insights-query')).fill('fields @timestamp, @message | filter eventName like /Delete/');
  await insights.locator(tid('cq-run')).click();
  await page.click(tid('cq-add'));
  await eventually(async () => /^Complete/.test(await page.locator(tid('cq-status')).textContent()),
    'the Insights run completes', 60_000);
  const both = `${source}; Logs Insights aws-cloudtrail-logs-demo`;
  await eventually(async () => (await manifests(page)).some((x) => x.source === both),
    `a saved session named "${both}"`, 15_000);
});
