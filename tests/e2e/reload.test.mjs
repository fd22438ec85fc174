// Reloading the page and opening it again in another tab of the same browser: the second load
// revalidates the cached index.html (304 Not Modified), and a 304's headers replace the cached
// ones. The app must come up again under the same Content-Security-Policy (it once got the
// assets' `default-src 'none'` and stayed blank). No request during a load may fail, and the
// page's icon is served (it was a 404 for /favicon.ico).
import assert from 'node:assert/strict';
import { appTest, BASE_URL, tid } from './helpers.mjs';

/** Records every response of `target` (a page or a context) with a status of 400 or more. */
function failedResponses(target) {
  const failed = [];
  target.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return failed;
}

/** The same recorder of CSP violations as helpers.mjs installs, for pages it did not open. */
async function watchCsp(page) {
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sample || ''})`),
    );
  });
}

/** The app is interactive, nothing was blocked by the CSP, and the page's icon is served. */
async function assertAppUp(page, context) {
  const violations = () => page.evaluate(() => window.__cspViolations).catch(() => null);
  try {
    await page.locator(tid('fetch')).waitFor({ state: 'visible', timeout: 30_000 });
  } catch (e) {
    throw new Error(`the app did not come up; CSP violations: ${JSON.stringify(await violations())}`, { cause: e });
  }
  assert.deepEqual(await violations(), [], 'Content-Security-Policy violations');
  // Chromium fetches the icon from its browser process: Playwright reports no request for it.
  // So ask for what the browser asks for: the linked icon, or /favicon.ico without a link.
  const icon =
    (await page.evaluate(() => document.querySelector('link[rel~="icon"]')?.getAttribute('href'))) ||
    '/favicon.ico';
  const r = await context.request.get(new URL(icon, BASE_URL + '/').href);
  assert.equal(r.status(), 200, `GET ${icon} (the page's icon)`);
  assert.match(r.headers()['content-type'] || '', /^image\/svg\+xml/, `${icon} content-type`);
}

appTest('reload: page.reload() in the same context brings the app back', async ({ page, context }) => {
  const failed = failedResponses(context);
  const docs = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'document') docs.push(r.status());
  });
  for (let i = 0; i < 2; i++) {
    await page.reload({ waitUntil: 'load' });
    await assertAppUp(page, context);
  }
  assert.deepEqual(failed, [], 'failed requests during the reloads');
  assert.equal(docs.length, 2, `document responses: ${docs}`);
});

appTest('reload: a second tab on the same URL brings the app up', async ({ page, context }) => {
  const failed = failedResponses(context);
  const tab = await context.newPage();
  tab.setDefaultTimeout(15_000);
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  await watchCsp(tab);
  await tab.goto(BASE_URL + '/', { waitUntil: 'load' });
  await assertAppUp(tab, context);
  // And the first tab is still fine.
  await assertAppUp(page, context);
  assert.deepEqual(errors, [], 'uncaught errors in the second tab');
  assert.deepEqual(failed, [], 'failed requests while the second tab loaded');
  await tab.close();
});

appTest('reload: a first load in a fresh context: no failed request, the icon is served', async ({ context }) => {
  // The helpers' page is already loaded: a new context (empty cache), watched from before its
  // first request.
  const fresh = await context.browser().newContext();
  try {
    const tab = await fresh.newPage();
    tab.setDefaultTimeout(15_000);
    const failed = failedResponses(fresh);
    await watchCsp(tab);
    await tab.goto(BASE_URL + '/', { waitUntil: 'load' });
    await assertAppUp(tab, fresh);
    assert.deepEqual(failed, [], 'failed requests during the load');
  } finally {
    await fresh.close();
  }
});
