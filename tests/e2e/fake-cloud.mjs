// A loopback stand-in for Alibaba Cloud's ActionTrail and CDN APIs for the end-to-end test of
// the signing mode: it checks every request's ACS3-HMAC-SHA256 signature with its own
// implementation (node:crypto, nothing shared with the proxy's Rust signer; the same check as
// crates/proxy/tests/fake_cloud, written from Alibaba's V3 description) and answers like the
// cloud. Every request is recorded, with whether its signature held, so a test can show that
// only signed requests arrived and that a refused one never did.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

export const ACCESS_KEY_ID = 'LTAI5tE2eTestAccessKeyId';
export const ACCESS_KEY_SECRET = 'E2E-SECRET-do-not-leak-5b1c';

const sha256hex = (data) => createHash('sha256').update(data).digest('hex');

/** RFC 3986 percent-encoding, as V3 signs: unreserved characters as they are, the rest %XX. */
export function percent(s) {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The canonical query string: encoded pairs sorted by name, then value. */
function canonicalQuery(params) {
  return params
    .map(([k, v]) => [percent(k), percent(v)])
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/**
 * Why the request's V3 signature does not hold, or null when it does. `rawQuery` is the query
 * as sent; `headers` Node's (lowercased) request headers.
 */
export function checkV3(method, path, rawQuery, headers, body, secret = ACCESS_KEY_SECRET) {
  const auth = headers.authorization || '';
  if (!auth.startsWith('ACS3-HMAC-SHA256 ')) return `not an ACS3-HMAC-SHA256 request: ${auth.slice(0, 40)}`;
  const fields = Object.fromEntries(
    auth
      .slice('ACS3-HMAC-SHA256 '.length)
      .split(',')
      .map((kv) => kv.trim().split('='))
      .map(([k, ...v]) => [k, v.join('=')]),
  );
  if (fields.Credential !== ACCESS_KEY_ID) return `unknown access key ${fields.Credential}`;
  const signed = (fields.SignedHeaders || '').split(';');
  const sorted = [...signed].sort();
  if (signed.join(';') !== sorted.join(';')) return 'SignedHeaders not sorted';
  for (const must of ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']) {
    if (!signed.includes(must)) return `${must} not signed`;
  }
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-acs-') && !signed.includes(name)) return `${name} sent but not signed`;
  }
  if (sha256hex(body) !== headers['x-acs-content-sha256']) return 'x-acs-content-sha256 is not the body hash';
  const date = Date.parse(headers['x-acs-date'] || '');
  if (!(Math.abs(Date.now() - date) < 15 * 60_000)) return `x-acs-date ${headers['x-acs-date']} is not now`;
  const params = [...new URLSearchParams(rawQuery)];
  const canonicalHeaders = signed.map((n) => `${n}:${String(headers[n] ?? '').trim()}\n`).join('');
  const request = [
    method,
    path,
    canonicalQuery(params),
    canonicalHeaders,
    signed.join(';'),
    headers['x-acs-content-sha256'],
  ].join('\n');
  const toSign = `ACS3-HMAC-SHA256\n${sha256hex(request)}`;
  const want = Buffer.from(createHmac('sha256', secret).update(toSign).digest('hex'));
  const got = Buffer.from(fields.Signature || '');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return 'signature does not match';
  return null;
}

const json = (res, status, body, requestId) => {
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'x-acs-request-id': requestId,
  });
  res.end(JSON.stringify(body));
};

const aliError = (res, status, code, message) =>
  json(res, status, { RequestId: 'FAKE-ERR', HostId: 'fake-cloud', Code: code, Message: message }, 'FAKE-ERR');

/**
 * The `total` events the fake's LookupEvents serves, newest first, one a minute back from
 * `now`; every field the table shows is set.
 */
export function fakeEvents(total, now = Date.now()) {
  return Array.from({ length: total }, (_, i) => ({
    eventId: `E2E-SIGNED-${String(i).padStart(4, '0')}`,
    eventVersion: 1,
    eventTime: new Date(now - (i + 1) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventName: ['DescribeInstances', 'CreateBucket', 'ConsoleSignin'][i % 3],
    eventType: 'ApiCall',
    eventRW: i % 3 === 1 ? 'Write' : 'Read',
    serviceName: ['Ecs', 'Oss', 'AasSub'][i % 3],
    acsRegion: 'cn-hangzhou',
    sourceIpAddress: `192.0.2.${(i % 250) + 1}`,
    requestId: `REQ-${i}`,
    userIdentity: { type: 'ram-user', userName: `signed-user-${i % 4}`, accountId: '1234567890', principalId: `p-${i % 4}` },
  }));
}

/**
 * Starts the fake on an ephemeral loopback port. `pageSize` events per LookupEvents page (by
 * NextToken = offset); `throttleFirst` (seconds): the first LookupEvents is answered as the
 * gateway throttles, `400 Throttling.User` with that `x-acs-retry-after`. Returns
 * `{ url, seen, events, close }`; `seen` lists `{ action, version, error, status, at, headers,
 * params }` per request (`error`: why its signature failed; `at`: when it arrived, in ms).
 */
export async function startFakeCloud({ total = 45, pageSize = 20, throttleFirst = 0 } = {}) {
  const events = fakeEvents(total);
  const seen = [];
  const nonces = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const [path, rawQuery = ''] = req.url.split(/\?(.*)/s);
      let error = req.method === 'POST' ? checkV3(req.method, path, rawQuery, req.headers, body) : 'POST only';
      const nonce = req.headers['x-acs-signature-nonce'];
      if (!error && nonces.has(nonce)) error = `nonce ${nonce} replayed`;
      nonces.add(nonce);
      const params = Object.fromEntries(new URLSearchParams(rawQuery));
      const action = req.headers['x-acs-action'] || params.Action || '';
      const version = req.headers['x-acs-version'] || params.Version || '';
      const lookups = seen.filter((s) => s.action === 'LookupEvents' && !s.error).length;
      const throttle = !error && throttleFirst > 0 && action === 'LookupEvents' && lookups === 0;
      seen.push({ action, version, error, status: error ? 400 : throttle ? 400 : 200, at: Date.now(), headers: { ...req.headers }, params });
      if (throttle) {
        res.writeHead(400, {
          'content-type': 'application/json;charset=utf-8',
          'x-acs-request-id': 'AT-THROTTLED',
          'x-acs-retry-after': String(throttleFirst),
        });
        return res.end(JSON.stringify({ RequestId: 'AT-THROTTLED', HostId: 'fake-cloud', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }));
      }
      if (error) return aliError(res, 400, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation. (${error})`);
      switch (`${action} ${version}`) {
        case 'LookupEvents 2020-07-06': {
          const from = Number(params.NextToken || 0);
          const page = events.slice(from, from + pageSize);
          const next = from + pageSize < events.length ? String(from + pageSize) : undefined;
          return json(res, 200, { RequestId: `AT-LOOKUP-${from}`, Events: page, NextToken: next, StartTime: params.StartTime, EndTime: params.EndTime }, `AT-LOOKUP-${from}`);
        }
        case 'ListDeliveryHistoryJobs 2020-07-06':
          return json(res, 200, { RequestId: 'AT-JOBS', TotalCount: 0, PageNumber: 1, PageSize: 100, DeliveryHistoryJobs: [] }, 'AT-JOBS');
        case 'CreateDeliveryHistoryJob 2020-07-06':
          return json(res, 200, { RequestId: 'AT-CREATE', JobId: 16602 }, 'AT-CREATE');
        case 'DescribeCdnDeliverList 2018-05-10':
          return json(res, 200, { RequestId: 'CDN-LIST', Content: '{"data":[]}' }, 'CDN-LIST');
        default:
          return aliError(res, 404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    events,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
