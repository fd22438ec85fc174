// The signing mode in a real browser: the app served by `trailview-proxy --config` (read-only,
// with a proxy token) in front of a loopback fake cloud that verifies every signature
// (fake-cloud.mjs). The other tests drive the demo; this one the path real deployments take.
//
// Environment (set by `cargo xtask test`): TRAILVIEW_PROXY_BIN (default
// <repo>/target/release/trailview-proxy), TRAILVIEW_DIST (default <repo>/dist).
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, startFakeCloud } from './fake-cloud.mjs';
import { appTest, counts, eventually, tid, waitForState } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const PROXY_BIN = process.env.TRAILVIEW_PROXY_BIN || path.join(repo, 'target/release/trailview-proxy');
const DIST = process.env.TRAILVIEW_DIST || path.join(repo, 'dist');
const TOKEN = 'e2e-proxy-token-4f0c9a7d2b6e8a1c';
/** The cloud's x-acs-retry-after on the first LookupEvents: longer than the app's own first
 * backoff after throttling (2 to 2.5 s), so the wait shown and kept is the server's. */
const THROTTLE_SECS = 4;

let cloud;
let proxy;
let base;
let tmp;
let logFile;

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

before(async () => {
  cloud = await startFakeCloud({ total: 45, pageSize: 20, throttleFirst: THROTTLE_SECS });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'trailview-e2e-signing-'));
  const config = path.join(tmp, 'trailview.toml');
  writeFileSync(
    config,
    [
      `listen = "127.0.0.1:${port}"`,
      `static_dir = ${JSON.stringify(DIST)}`,
      'read_only = true',
      '[auth]',
      'bearer_token_env = "TRAILVIEW_E2E_PROXY_TOKEN"',
      '[aliyun]',
      'signature = "v3"',
      '[aliyun.actiontrail]',
      `endpoint = "${cloud.url}"`,
      '[aliyun.cdn]',
      `endpoint = "${cloud.url}"`,
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(repo, 'target/e2e'), { recursive: true });
  logFile = path.join(repo, 'target/e2e/signing-proxy.log');
  const log = openSync(logFile, 'w');
  proxy = spawn(PROXY_BIN, ['--config', config], {
    stdio: ['ignore', log, log],
    env: {
      PATH: process.env.PATH,
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      TRAILVIEW_E2E_PROXY_TOKEN: TOKEN,
    },
  });
  let exited = null;
  proxy.on('exit', (code) => (exited = code));
  await eventually(
    async () => {
      if (exited !== null) throw new Error(`the proxy exited (${exited}): ${readFileSync(logFile, 'utf8').slice(-2000)}`);
      return (await fetch(`${base}/healthz`).catch(() => null))?.ok;
    },
    `${PROXY_BIN} --config to answer on ${base}/healthz`,
    30_000,
  );
});

after(async () => {
  if (proxy && proxy.exitCode === null) {
    const gone = new Promise((resolve) => proxy.on('exit', resolve));
    proxy.kill('SIGTERM');
    await gone;
  }
  await cloud?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The requests that reached the fake cloud for `action`. */
const reached = (action) => cloud.seen.filter((s) => s.action === action);

appTest(
  'signing proxy: signed calls load events, the token is required, CSP holds, the cloud\'s retry-after is kept, a read-only refusal shows its 403',
  async ({ page, shot }) => {
    // CSP: the proxy serves the deployment's policy, the app runs under it (it is open), and a
    // script injected into the page is blocked.
    const home = await page.request.get(base + '/');
    const csp = home.headers()['content-security-policy'] || '';
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/, csp);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const injected = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true;';
      document.head.appendChild(s);
      await new Promise((r) => setTimeout(r, 100));
      const blocked = window.__cspViolations.filter((v) => v.startsWith('script-src'));
      // Only this test's own probe: anything else still fails the test at the end.
      window.__cspViolations = window.__cspViolations.filter((v) => !v.startsWith('script-src'));
      return { ran: window.__injected === true, blocked };
    });
    assert.equal(injected.ran, false, 'the injected script did not run');
    assert.equal(injected.blocked.length, 1, `one script-src violation: ${JSON.stringify(injected.blocked)}`);

    // Without the token: refused by the proxy, in the app as well; nothing reaches the cloud.
    const bare = await page.request.post(`${base}/api/aliyun/actiontrail?Action=LookupEvents&Version=2020-07-06`);
    assert.equal(bare.status(), 401);
    assert.equal((await bare.json()).Code, 'Proxy.Unauthenticated');
    const wrong = await page.request.post(`${base}/api/aliyun/actiontrail?Action=LookupEvents&Version=2020-07-06`, {
      headers: { Authorization: 'Bearer not-the-token-at-all-0000' },
    });
    assert.equal(wrong.status(), 403);
    await page.selectOption(tid('range-preset'), '24h');
    await page.fill(tid('cap'), '100');
    await page.click(tid('fetch'));
    await waitForState(page, 'error').catch(() => {});
    assert.equal(await page.locator(tid('progress')).getAttribute('data-state'), 'error');
    const banner = await page.locator(tid('api-error')).textContent();
    assert.match(banner, /Proxy\.Unauthenticated/, banner);
    assert.match(banner, /401/, banner);
    await shot('no-token');
    assert.equal(cloud.seen.length, 0, 'nothing reached the cloud without the token');

    // With the token in Settings: every page is signed, verified by the fake cloud, and loaded.
    // The first call is throttled with x-acs-retry-after: the app waits as long as it says.
    await page.click(tid('settings-toggle'));
    await page.fill(tid('proxy-token'), TOKEN);
    await page.press(tid('proxy-token'), 'Tab');
    await page.click(tid('fetch'));
    const notice = page.locator(tid('notice'), { hasText: 'retrying in' });
    await notice.waitFor({ state: 'visible' });
    const said = await notice.textContent();
    assert.match(said, /Throttling\.User/, said);
    assert.match(said, new RegExp(`retrying in ${THROTTLE_SECS}\\.0 s \\(attempt 1 of 5\\)`), said);
    const p = await waitForState(page, 'done');
    assert.equal(p.events, cloud.events.length, `all ${cloud.events.length} events`);
    assert.equal(p.pages, 3, '45 events in pages of 20');
    assert.equal((await counts(page)).total, cloud.events.length);
    const lookups = reached('LookupEvents');
    assert.equal(lookups.length, 4, 'the throttled call, then one signed call per page');
    assert.deepEqual(
      lookups.map((s) => [s.status, s.error]),
      [[400, null], [200, null], [200, null], [200, null]],
      'every signature verified',
    );
    const waited = lookups[1].at - lookups[0].at;
    assert.ok(waited >= THROTTLE_SECS * 1000 - 50, `the retry came ${waited} ms after the throttled call`);
    for (const s of lookups) {
      assert.ok(!JSON.stringify(s.headers).includes(TOKEN), 'the proxy token never reaches the cloud');
      assert.ok(!JSON.stringify(s.headers).includes(ACCESS_KEY_SECRET), 'nor the secret');
    }
    await shot('signed-events');

    // A write on a read-only proxy: refused with 403 before signing, said plainly in the form.
    await page.click(tid('nav-jobs'));
    await page.locator(tid('jobs-view')).waitFor({ state: 'visible' });
    await page.fill(tid('backfill-trail'), 'e2e-trail');
    await page.click(tid('backfill-submit'));
    const refusal = page.locator(tid('backfill-read-only'));
    await refusal.waitFor({ state: 'visible' });
    const text = await refusal.textContent();
    assert.match(text, /read-only/, text);
    assert.match(text, /HTTP 403 Forbidden\.ReadOnly/, text);
    await shot('read-only-refusal');
    assert.equal(reached('CreateDeliveryHistoryJob').length, 0, 'the write never reached the cloud');
    assert.equal(
      cloud.seen.filter((s) => s.error).length,
      0,
      `no request with a bad signature: ${JSON.stringify(cloud.seen.filter((s) => s.error).map((s) => s.error))}`,
    );
  },
  { baseUrl: () => base, timeout: 90_000 },
);
