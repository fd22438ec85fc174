// The Jobs view against the demo backend (jobs take 12 s there: TRAILVIEW_DEMO_JOB_SECONDS, set
// by `cargo xtask test`): a bar per job in every source, the backfill form's idempotent create
// (a lost response is retried with the same ClientToken and makes one job), the job's progress
// to the end, the documented errors, and a data window opening the Events view.

import assert from 'node:assert/strict';
import { appTest, eventually, fetchEvents, JOB_SOURCES as SOURCES, openJobs, tid } from './helpers.mjs';



const count = async (page, s) =>
  Number(await page.locator(tid(`jobs-source-${s}`)).getAttribute('data-count'));

/**
 * Makes the first `n` CreateDeliveryHistoryJob calls reach the service and lose their answer on
 * the way back; returns the list of ClientTokens sent, filled as calls are made.
 */
async function loseCreateAnswers(page, n) {
  const creates = [];
  await page.route('**/aliyun/actiontrail?*', async (route) => {
    const url = new URL(route.request().url());
    if (url.searchParams.get('Action') !== 'CreateDeliveryHistoryJob') return route.continue();
    creates.push(url.searchParams.get('ClientToken'));
    if (creates.length <= n) {
      await route.fetch();
      return route.abort('failed');
    }
    return route.continue();
  });
  return creates;
}

/** Opens Jobs, waits until no backfill job runs (the demo allows one), returns how many there are. */
async function openJobsIdle(page) {
  await openJobs(page);
  await eventually(
    async () => (await page.locator(`${tid('job-row')}[data-status="running"]`).count()) === 0,
    'no running backfill job',
    60_000,
  );
  return count(page, 'backfill');
}

/** Zoom narrows the axis the labels are drawn from; Fit brings everything back. */
async function checkZoom(page, source) {
  // Zoom narrows the axis the labels are drawn from; Fit brings everything back. SVG <text>
  // has no innerText, so labels are read as textContent (and must be non-empty).
  const timeline = page.locator(`${tid('timeline')}[data-source="${source}"]`);
  const domain = async () => {
    const [t0, t1] = await Promise.all(['data-t0', 'data-t1'].map((a) => timeline.getAttribute(a)));
    return { t0: Number(t0), t1: Number(t1), span: Number(t1) - Number(t0) };
  };
  const labels = () => page.locator('.timeline-axis .tick-label').allTextContents();
  // No label is drawn over another or over "now".
  const overlaps = () => page.locator('.timeline-axis').evaluate((svg) => {
    const boxes = [...svg.querySelectorAll('.tick-label, .now-label')].map((t) => [t.textContent, t.getBBox()]);
    const hits = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [[a, p], [b, q]] = [boxes[i], boxes[j]];
        if (p.x < q.x + q.width && q.x < p.x + p.width) hits.push(`${a} / ${b}`);
      }
    return hits;
  });
  const fitted = await domain();
  assert.deepEqual(await overlaps(), [], 'overlapping axis labels (fitted)');
  assert.ok(fitted.span > 0, `a fitted axis: ${JSON.stringify(fitted)}`);
  const before = await labels();
  assert.ok(before.length >= 2 && before.every((l) => l.trim() !== ''), `tick labels: ${before}`);
  await page.locator(tid('timeline-zoom-in')).click();
  await page.locator(tid('timeline-zoom-in')).click();
  await eventually(async () => (await domain()).span < fitted.span, 'the axis to narrow');
  const zoomed = await domain();
  // Each zoom-in halves the span (down to the one-minute floor).
  assert.ok(Math.abs(zoomed.span - Math.max(fitted.span / 4, 60_000)) <= 2, `span ${fitted.span} -> ${zoomed.span}`);
  const after = await labels();
  assert.ok(after.length >= 2 && after.every((l) => l.trim() !== ''), `tick labels after zoom: ${after}`);
  assert.deepEqual(await overlaps(), [], 'overlapping axis labels (zoomed)');

  await page.locator(tid('timeline-fit')).click();
  // (The fitted axis ends at "now", which moves on while the test runs: within 1%.)
  await eventually(
    async () => Math.abs((await domain()).span - fitted.span) <= fitted.span / 100,
    'Fit to restore the axis',
  );
}

appTest('jobs: the Jobs view shows a bar per job in each source, on one axis', async ({ page, shot }) => {
  await openJobs(page);
  // The events view is hidden, not removed.
  assert.equal(await page.locator(tid('fetch')).isVisible(), false);
  const expected = { backfill: [30, 200], cdn: [10, 30], export: [300, 400] };
  for (const s of SOURCES) {
    await page.locator(tid(`jobs-source-${s}`)).click();
    const n = await count(page, s);
    const [lo, hi] = expected[s];
    assert.ok(n >= lo && n <= hi, `${s}: ${n} jobs`);
    const svg = page.locator(`${tid('timeline')}[data-source="${s}"]`);
    await svg.waitFor();
    assert.equal(await svg.locator(tid('timeline-bar')).count(), n, `${s}: one bar per job`);
    assert.equal(await page.locator(tid('timeline-now')).count(), 1, 'a now line');
    // The table holds the same jobs (50 per page).
    assert.match(await page.locator(tid('jobs-count')).innerText(), new RegExp(`^${n} jobs$`));
    assert.equal(await page.locator(tid('job-row')).count(), Math.min(n, 50));
  }
  // Export codes as sent, including the document sample's COMPLETE.
  await page.locator(tid('jobs-filter-status')).fill('COMPLETE');
  await page.locator('table.jobs th[data-col="status"] button').click();
  const statuses = await page.locator(`${tid('job-row')} td[data-col="status"]`).allInnerTexts();
  assert.deepEqual(statuses.slice(0, 2), ['COMPLETE', 'COMPLETE'], statuses.join(','));
  assert.equal(statuses[2], 'COMPLETED');
  await page.locator('table.jobs th[data-col="status"] button').click();
  await page.locator('table.jobs th[data-col="status"] button').click();
  await page.locator(tid('jobs-filter-status')).fill('');
  // Hover shows the fields; a click on a bar selects its row and shows the JSON.
  const bar = page.locator(tid('timeline-bar')).first();
  const id = await bar.getAttribute('data-id');
  await bar.focus();
  await page.locator(tid('timeline-tooltip')).waitFor();
  assert.match(await page.locator(tid('timeline-tooltip')).innerText(), /Status: /);
  await bar.dispatchEvent('click');
  await page.locator(`${tid('job-row')}.selected[data-id="${id}"]`).waitFor();
  assert.match(await page.locator(tid('job-detail')).innerText(), new RegExp(id));
  await checkZoom(page, 'export');
  await shot('export');
  // Back to events: the query bar is there as before.
  await page.locator(tid('nav-events')).click();
  await page.locator(tid('fetch')).waitFor({ state: 'visible' });
});

appTest(
  'jobs: a backfill job is created once despite a lost response and a double submit, and progresses',
  async ({ page, shot }) => {
    const creates = await loseCreateAnswers(page, 1);
    const before = await openJobsIdle(page);
    await page.locator(tid('backfill-trail')).fill('ops-trail');
    await page.locator(tid('backfill-submit')).dblclick();
    await eventually(
      async () => /created/.test(await page.locator(tid('backfill-message')).innerText()),
      'the job created',
      30_000,
    );
    assert.ok(creates.length >= 2, `a retry after the lost response (${creates.length} calls)`);
    assert.equal(new Set(creates).size, 1, `one ClientToken for the retries: ${creates}`);
    assert.ok(creates[0].length <= 64 && /^[\x20-\x7e]+$/.test(creates[0]));
    await eventually(async () => (await count(page, 'backfill')) === before + 1, 'exactly one new job', 20_000);
    const row = page.locator(`${tid('job-row')}.selected`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'running');
    assert.match(await row.innerText(), /ops-trail/);
    await shot('running');
    // It refreshes on its own until it is done.
    await eventually(
      async () => ['ok', 'failed'].includes(await row.getAttribute('data-status')),
      'the job finished',
      45_000,
    );
    assert.match(await row.locator('td[data-col="status"]').innerText(), /^(Complete|Failed)$/);
    assert.equal(await count(page, 'backfill'), before + 1);

    // A new submission gets a fresh token; while it runs, another is refused plainly.
    await page.locator(tid('backfill-submit')).click();
    await eventually(
      async () => /created/.test(await page.locator(tid('backfill-message')).innerText()),
      'the second job created',
      20_000,
    );
    assert.notEqual(creates.at(-1), creates[0], 'a fresh ClientToken for a new submission');
    await page.locator(tid('backfill-submit')).click();
    await page.locator(tid('job-error')).waitFor();
    assert.equal(await page.locator(tid('job-error-code')).innerText(), 'DeliveryHistoryJobRunningException');
    assert.match(await page.locator(tid('job-error')).innerText(), /RequestId/);
    // Unknown trail: the documented 404.
    await page.locator(tid('backfill-trail')).fill('no-such-trail');
    await page.locator(tid('backfill-submit')).click();
    await eventually(
      async () => (await page.locator(tid('job-error-code')).innerText()) === 'TrailNotFoundException',
      'trail not found',
    );
    assert.equal(await page.locator(tid('job-error-message')).innerText(), 'The specified Trail does not exist.');
    await eventually(async () => (await count(page, 'backfill')) === before + 2, 'two jobs in all', 20_000);
  },
  { timeout: 180_000 },
);

appTest('jobs: a data window opens the Events view on that range', async ({ page }) => {
  await openJobs(page);
  await page.locator(tid('jobs-source-export')).click();
  const link = page.locator(tid('open-window')).first();
  const text = await link.innerText();
  const [from] = text.split(' – ');
  await link.click();
  await page.locator(tid('fetch')).waitFor({ state: 'visible' });
  assert.equal(await page.locator(tid('range-preset')).inputValue(), 'custom');
  // The link shows the window in the chosen zone (UTC here) as "YYYY-MM-DD hh:mm:ss".
  assert.equal(await page.locator(tid('custom-start')).inputValue(), from.slice(0, 16).replace(' ', 'T'));
  await eventually(
    async () => ['running', 'done'].includes(await page.locator(tid('progress')).getAttribute('data-state')),
    'a fetch of that range',
  );
});

appTest('jobs: with events loaded, a data window asks in the Events view with the focus on Replace', async ({ page }) => {
  assert.ok((await fetchEvents(page)).events > 0, 'events loaded');
  await openJobs(page);
  await page.locator(tid('jobs-source-export')).click();
  await page.locator(tid('open-window')).first().click();
  await page.locator(tid('replace-prompt')).waitFor({ state: 'visible' });
  await eventually(
    async () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'replace-events'),
    'the focus on Replace',
  );
});

appTest('jobs: report Content as the document fragment is read; unreadable Content shows its raw text', async ({ page }) => {
  let body;
  await page.route('**/aliyun/cdn?*', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) }),
  );
  // The API document's own sample: a `"data": [...]` fragment with extra closing braces.
  body = {
    RequestId: '12345',
    Content:
      '"data": [{"deliverId": 1,"status": "enable","createTime": "2020-10-14T11:19:26Z","crontab": "0 0 0 * * ?","frequency": "d","name": "域名订阅","dmList": ["www.example.com"],"reports": [{"reportId": 1,"conditions": [{"op": "in","field": "prov","value": ["黑龙江","北京"]}]},{"reportId": 2}],"deliver": {"email": {"subject": "主题","to": ["example@alibaba-inc.com"]}}}]}}',
  };
  await openJobs(page);
  await page.locator(tid('jobs-source-cdn')).click();
  assert.equal(await count(page, 'cdn'), 1);
  assert.match(await page.locator(tid('job-row')).innerText(), /域名订阅/);
  // Something else entirely: a clear error with the raw text, not a blank screen.
  body = { RequestId: '12345', Content: '<html>upstream error page</html>' };
  await page.locator(tid('jobs-reload')).click();
  await page.locator(tid('job-content-error')).waitFor();
  assert.match(await page.locator(tid('job-content-error')).innerText(), /<html>upstream error page<\/html>/);
});

// The axis' ticks and labels depend on the wall clock: the zoom check at several times of day
// (the page's clock set hours away from the server's, which stays on real time).
for (const hours of [-11, -5, 4, 9]) {
  appTest(
    `jobs: zoom and Fit at a simulated time ${hours > 0 ? '+' : ''}${hours} h`,
    async ({ page }) => {
      await openJobs(page);
      await checkZoom(page, 'backfill');
    },
    { beforeOpen: ({ page }) => page.clock.install({ time: Date.now() + hours * 3_600_000 }) },
  );
}

appTest(
  'jobs: submitting again after every retry lost its answer sends the same ClientToken',
  async ({ page }) => {
    // The first call and its five automatic retries reach the service; their answers are lost.
    const creates = await loseCreateAnswers(page, 6);
    const before = await openJobsIdle(page);
    await page.locator(tid('backfill-trail')).fill('ops-trail');
    await page.locator(tid('backfill-submit')).click();
    await eventually(
      async () => /may or may not have reached/.test(await page.locator(tid('backfill-message')).innerText()),
      'the app to give up retrying',
      70_000,
    );
    assert.equal(creates.length, 6);
    // The user presses Create again: the same intent, the same token, no second job.
    await page.locator(tid('backfill-submit')).click();
    await eventually(
      async () => /created/.test(await page.locator(tid('backfill-message')).innerText()),
      'the job created',
      20_000,
    );
    assert.equal(creates.length, 7);
    assert.ok(creates[0], 'a ClientToken was sent');
    assert.deepEqual(new Set(creates), new Set([creates[0]]), `one ClientToken: ${creates}`);
    await eventually(async () => (await count(page, 'backfill')) === before + 1, 'exactly one new job', 20_000);
    assert.equal(await page.locator(tid('job-error')).count(), 0, 'no "already running" error');
  },
  { timeout: 150_000 },
);

appTest('jobs: the Jobs view is downloaded on its first visit; a failed download says so and Retry loads it', async ({ page, shot }) => {
  const asked = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (/trailview-jobs(_bg\.wasm|\.js)$/.test(url.pathname)) asked.push(url.pathname + url.search);
  });
  // The app is up (openApp waited for the query bar) without the Jobs view's code.
  await page.waitForTimeout(300);
  assert.deepEqual(asked, [], 'the Jobs view was downloaded before anyone opened it');
  // The first visit's download fails: the view says why and offers Retry.
  await page.route('**/trailview-jobs.js*', (route) => route.abort('connectionrefused'));
  await page.locator(tid('nav-jobs')).click();
  const failed = page.locator(tid('jobs-load-error'));
  await failed.waitFor({ state: 'visible' });
  assert.match(await failed.innerText(), /could not be loaded/);
  await shot('load failed');
  // Retry while it still fails: asked again (under another URL), still failing, still said.
  const again = page.waitForRequest((r) => /trailview-jobs\.js\?try=1$/.test(r.url()));
  await failed.getByRole('button', { name: 'Retry' }).click();
  await again;
  await failed.waitFor({ state: 'visible' });
  // The Events view is whole behind it.
  await page.locator(tid('nav-events')).click();
  await page.locator(tid('fetch')).waitFor({ state: 'visible' });
  // Another visit tries again by itself (and fails again here).
  const third = page.waitForRequest((r) => /trailview-jobs\.js\?try=2$/.test(r.url()));
  await page.locator(tid('nav-jobs')).click();
  await third;
  await failed.waitFor({ state: 'visible' });
  // Back online, Retry loads it.
  await page.unroute('**/trailview-jobs.js*');
  await failed.getByRole('button', { name: 'Retry' }).click();
  await page.locator(tid('jobs-view')).waitFor({ state: 'visible' });
  assert.equal(await failed.count(), 0);
  for (const s of SOURCES) {
    await eventually(
      async () => (await page.locator(tid(`jobs-source-${s}`)).getAttribute('data-state')) === 'done',
      `${s} loaded`,
      60_000,
    );
  }
  // Once loaded it stays: another visit downloads nothing.
  await page.locator(tid('nav-events')).click();
  await page.locator(tid('nav-jobs')).click();
  await page.locator(tid('jobs-view')).waitFor({ state: 'visible' });
  assert.deepEqual(asked.filter((p) => p.includes('_bg.wasm')), ['/trailview-jobs_bg.wasm?try=3'], `downloads: ${asked.join(', ')}`);
});
