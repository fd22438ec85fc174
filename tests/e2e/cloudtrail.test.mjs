// A query over both clouds: ActionTrail's LookupEvents and CloudTrail's, each through its own
// pacer (2 calls/s each) in parallel, merged into one table sorted by time, the Cloud column
// telling them apart; an AWS error is shown with its code, message and RequestId while the
// Alibaba Cloud part goes on.
import assert from 'node:assert/strict';
import { appTest, counts, eventually, progress, rows, submitFetch, tid, waitForState } from './helpers.mjs';

const CT_TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

/** The Clouds group's checkboxes, found by their accessible names. */
function clouds(page) {
  const group = page.getByRole('group', { name: 'Clouds' });
  return {
    aliyun: group.getByRole('checkbox', { name: 'Alibaba Cloud' }),
    aws: group.getByRole('checkbox', { name: 'AWS' }),
  };
}

/** The calls to each cloud's LookupEvents, with when each started. */
function recordCalls(page) {
  const calls = { aliyun: [], aws: [] };
  page.on('request', (r) => {
    const url = r.url();
    if (url.includes('/aws/cloudtrail')) {
      calls.aws.push({ at: Date.now(), target: r.headers()['x-amz-target'], body: r.postData() });
    } else if (url.includes('/aliyun/actiontrail') && url.includes('LookupEvents')) {
      calls.aliyun.push({ at: Date.now() });
    }
  });
  return calls;
}

async function awsProgress(page) {
  return page.locator(tid('aws-progress')).evaluate((el) => ({
    state: el.getAttribute('data-state'),
    events: Number(el.getAttribute('data-events')),
    text: el.textContent,
  }));
}

appTest('a query over both clouds merges them by time with the Cloud column showing both', async ({ page, shot }) => {
  const calls = recordCalls(page);
  const c = clouds(page);
  assert.equal(await c.aliyun.isChecked(), true, 'Alibaba Cloud by default');
  assert.equal(await c.aws.isChecked(), false);
  // Keyboard: focus the AWS box and press Space.
  await c.aws.focus();
  await page.keyboard.press('Space');
  assert.equal(await c.aws.isChecked(), true);

  await page.selectOption(tid('page-size'), '250');
  await page.selectOption(tid('range-preset'), '24h');
  await page.fill(tid('cap'), '120');
  await page.click(tid('fetch'));
  await waitForState(page, 'done');
  const aws = await eventually(async () => {
    const p = await awsProgress(page);
    return p.state === 'stopped' && p;
  }, 'the AWS part to stop', 30_000);
  assert.ok(aws.events > 0 && aws.events <= 120, aws.text);
  assert.match(aws.text, /^AWS: (Done|Stopped at the cap)/);
  const ali = await progress(page);
  assert.ok(ali.events > 0 && ali.events <= 120);
  assert.match(await page.locator(tid('progress')).textContent(), /Alibaba Cloud: /);
  assert.equal((await counts(page)).total, ali.events + aws.events, 'every event of both clouds, once');

  // CloudTrail's calls: its own target, epoch-second times, 50 a page, paced at 2/s.
  assert.ok(calls.aws.length >= 2, `${calls.aws.length} CloudTrail calls`);
  for (const call of calls.aws) {
    assert.equal(call.target, CT_TARGET);
    const body = JSON.parse(call.body);
    assert.equal(body.MaxResults, 50);
    assert.equal(typeof body.StartTime, 'number');
    assert.ok(body.EndTime - body.StartTime >= 86_399 && body.EndTime - body.StartTime <= 86_401, JSON.stringify(body));
  }
  assert.ok(JSON.parse(calls.aws[1].body).NextToken, 'the second page asks by NextToken');
  // At most 2 calls in any second (3 within 1.1 s would break it; a little slack for when the
  // test sees them).
  for (let i = 2; i < calls.aws.length; i++) {
    assert.ok(calls.aws[i].at - calls.aws[i - 2].at >= 900, 'CloudTrail calls at most 2 a second');
  }
  // In parallel: each cloud's calls overlap the other's (not one after the other).
  assert.ok(calls.aliyun.length >= 2, `${calls.aliyun.length} ActionTrail calls`);
  assert.ok(
    calls.aws[0].at < calls.aliyun.at(-1).at && calls.aliyun[0].at < calls.aws.at(-1).at,
    'both clouds fetched at the same time',
  );

  // One table, sorted by time (newest first), both clouds in the Cloud column, interleaved.
  const r = await rows(page);
  assert.equal(r.length, ali.events + aws.events);
  assert.equal(new Set(r.map((x) => x.id)).size, r.length, 'no event twice');
  const cloudsSeen = new Set(r.map((x) => x.cloud));
  assert.deepEqual([...cloudsSeen].sort(), ['AWS', 'Alibaba Cloud']);
  for (let i = 1; i < r.length; i++) {
    assert.ok(r[i - 1].timeKey >= r[i].timeKey, `row ${i} out of order: ${r[i - 1].timeKey} < ${r[i].timeKey}`);
  }
  let switches = 0;
  for (let i = 1; i < r.length; i++) if (r[i].cloud !== r[i - 1].cloud) switches++;
  assert.ok(switches >= 4, `the clouds interleave by time (${switches} switches)`);
  // An AWS row opens as a CloudTrail record.
  const awsRow = r.findIndex((x) => x.cloud === 'AWS');
  await page.locator(`${tid('event-row')}[data-event-id="${r[awsRow].id}"]`).click();
  await page.locator(tid('json-tree')).getByText('awsRegion').first().waitFor();
  await shot('both-clouds');
});

appTest('an AWS error shows its code, message and RequestId while Alibaba Cloud goes on', async ({ page, shot }) => {
  let served = 0;
  await page.route('**/api/aws/cloudtrail', async (route) => {
    served++;
    await route.fulfill({
      status: 400,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-RequestId': 'ct-req-42',
        'access-control-expose-headers': 'x-amzn-RequestId',
      },
      body: JSON.stringify({
        __type: 'com.amazonaws.cloudtrail.v20131101#InvalidTimeRangeException',
        message: 'Start time must be less than or equal to end time.',
      }),
    });
  });
  await clouds(page).aws.check();
  await page.selectOption(tid('range-preset'), '1h');
  await page.fill(tid('cap'), '60');
  await page.click(tid('fetch'));
  const banner = page.locator(tid('aws-api-error'));
  await banner.waitFor();
  assert.equal(await banner.locator(tid('error-code')).textContent(), 'InvalidTimeRangeException');
  assert.equal(
    await banner.locator(tid('error-message')).textContent(),
    'Start time must be less than or equal to end time.',
  );
  assert.equal(await banner.locator(tid('error-request-id')).textContent(), 'ct-req-42');
  assert.match(await banner.textContent(), /^AWS: The request failed/);
  assert.equal(served, 1, 'not retried');
  // The Alibaba Cloud part finished on its own.
  const ali = await waitForState(page, 'done');
  assert.ok(ali.events > 0);
  // The AWS banner counts the AWS part's events, not the other cloud's rows in the table.
  assert.match(
    await banner.locator('strong').textContent(),
    /^AWS: The request failed\. No events were loaded\.$/,
  );
  assert.equal(await page.locator(tid('api-error')).count(), 0);
  assert.match((await awsProgress(page)).text, /AWS: Stopped by an error: 0 events/);
  await shot('aws-error');
});

appTest('AWS alone: only CloudTrail is called, and the link names the clouds', async ({ page }) => {
  const calls = recordCalls(page);
  const c = clouds(page);
  await c.aws.check();
  await c.aliyun.uncheck();
  // Neither: nothing to send.
  await c.aws.uncheck();
  assert.ok(await page.locator(tid('fetch')).isDisabled());
  assert.match(await page.locator(tid('query-error')).textContent(), /Choose Alibaba Cloud, AWS or both/);
  await c.aws.check();
  await page.selectOption(tid('range-preset'), '24h');
  await page.fill(tid('cap'), '40');
  await page.click(tid('fetch'));
  const aws = await eventually(async () => {
    const p = await awsProgress(page).catch(() => null);
    return p && p.state === 'stopped' && p;
  }, 'the AWS part to stop', 30_000);
  assert.equal(aws.events, 40);
  assert.equal(calls.aliyun.length, 0, 'ActionTrail not called');
  assert.equal(calls.aws.length, 1);
  assert.match(await page.locator(tid('progress')).textContent(), /Alibaba Cloud: not in this query/);
  const r = await rows(page);
  assert.ok(r.length === 40 && r.every((x) => x.cloud === 'AWS'));
  // The URL is written after the frame is painted (src/link.rs), so it is waited for.
  await eventually(() => /clouds=aws(&|$)/.test(page.url()), 'the link to name AWS alone');
});

appTest('Cancel during a fetch of both clouds stops both, keeps what they loaded and says so', async ({ page, shot }) => {
  const calls = recordCalls(page);
  const c = clouds(page);
  await c.aws.check();
  await page.selectOption(tid('range-preset'), '30d');
  await page.fill(tid('cap'), '5000');
  await page.click(tid('fetch'));
  await eventually(
    async () => (await progress(page)).events >= 50 && (await awsProgress(page)).events >= 50,
    'a page from each cloud',
    30_000,
  );
  await page.click(tid('cancel'));
  const ali = await waitForState(page, 'cancelled', 15_000);
  const aws = await eventually(async () => {
    const p = await awsProgress(page);
    return p.state === 'stopped' && p;
  }, 'the AWS part to stop');
  assert.match(aws.text, /^AWS: Cancelled: /, aws.text);
  assert.ok(ali.events < 5000 && aws.events < 5000, 'both stopped midway');
  const total = (await counts(page)).total;
  assert.equal(total, ali.events + aws.events, 'what both loaded stays');
  const n = (x) => x.toLocaleString('en-US');
  assert.equal(
    await page.locator(tid('notice')).innerText(),
    `Cancelled both clouds' fetches. The ${n(total)} events loaded are kept (Alibaba Cloud: ${n(ali.events)}, AWS: ${n(aws.events)}).`,
  );
  // Neither cloud is called again; the rows stay.
  const made = { aliyun: calls.aliyun.length, aws: calls.aws.length };
  await page.waitForTimeout(2_000);
  assert.deepEqual({ aliyun: calls.aliyun.length, aws: calls.aws.length }, made, 'no call after Cancel');
  assert.equal((await counts(page)).total, total);
  assert.equal(await page.locator(tid('cancel')).isDisabled(), true);
  await shot('both-cancelled');

  // AWS alone: Cancel stops it and says so too.
  await c.aliyun.uncheck();
  await submitFetch(page, 'replace');
  await eventually(async () => (await awsProgress(page)).events >= 50, 'an AWS page', 30_000);
  await page.click(tid('cancel'));
  const alone = await eventually(async () => {
    const p = await awsProgress(page);
    return p.state === 'stopped' && p;
  }, 'the AWS part to stop');
  assert.match(alone.text, /^AWS: Cancelled: /, alone.text);
  assert.equal((await counts(page)).total, alone.events);
  assert.equal(
    await page.locator(tid('notice')).innerText(),
    `Cancelled. The ${n(alone.events)} events loaded are kept.`,
  );
});
