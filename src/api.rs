//! The only module that talks HTTP. It speaks each cloud API's own wire format, unsigned, to
//! the proxy base URL (see README "The proxy contract"), and turns every outcome into either a
//! parsed response or an [`ApiError`] that says what went wrong in the cloud's own terms. Route,
//! dialect, `Version` and `X-Amz-Target` come from the operation catalogue: one generic [`call`].

use gloo_net::http::{Request, Response};
use serde::Deserialize;
use trailview_core::catalogue::{Call, Cloud, Operation};
use trailview_core::dialect::{read_response, retry_after_secs, ApiError, Dialect};
use trailview_core::engines::sls::{
    list_log_stores, GetLogsPage, ListLogStoresResponse, SlsRequest,
};
use trailview_core::lenient::Parsed;
use trailview_core::paging;
use trailview_core::percent::{self, Slash};
use trailview_core::trail_files::plan;
use trailview_core::trail_files::{ListObjectsPage, ListObjectsRequest};
use web_sys::AbortSignal;

/// Default proxy base: same origin.
pub const DEFAULT_BASE: &str = "/api";

/// Where calls go and how they authenticate to the proxy: the proxy base URL, and the token
/// sent as `Authorization: Bearer` when one is set (a proxy exposed beyond one machine requires
/// it; the demo ignores it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    pub base: String,
    pub token: Option<String>,
}

/// `config.json`, deployed beside `index.html`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeployConfig {
    #[serde(rename = "proxyBase")]
    pub proxy_base: Option<String>,
    /// Buckets holding trail files, read through the proxy: `[{"label"?, "cloud": "aliyun" |
    /// "aws", "bucket", "prefix"?}]` (checked by core `BucketSource::from_config`, entry by
    /// entry, so one bad entry leaves the rest in use).
    #[serde(default)]
    pub buckets: Vec<serde_json::Value>,
}

/// Read `config.json` next to the page. Absent or unreadable: defaults (and a message why).
pub async fn load_config() -> (DeployConfig, Option<String>) {
    match Request::get("config.json").send().await {
        Ok(r) if r.ok() => match r
            .text()
            .await
            .map(|t| serde_json::from_str::<DeployConfig>(&t))
        {
            Ok(Ok(c)) => (c, None),
            Ok(Err(e)) => (
                DeployConfig::default(),
                Some(format!("config.json is not valid: {e}")),
            ),
            Err(e) => (
                DeployConfig::default(),
                Some(format!("config.json could not be read: {e}")),
            ),
        },
        Ok(r) if r.status() == 404 => (DeployConfig::default(), None),
        Ok(r) => (
            DeployConfig::default(),
            Some(format!("config.json: HTTP {}", r.status())),
        ),
        Err(e) => (DeployConfig::default(), Some(format!("config.json: {e}"))),
    }
}

fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

fn query_string(params: &[(String, String)]) -> String {
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

thread_local! {
    /// Connect-src violations the page's Content-Security-Policy enforced (from
    /// `securitypolicyviolation` events: when, and the blocked URI), so a refused request is
    /// told apart from a network failure at once instead of being retried. Kept for a minute.
    static REFUSED: std::cell::RefCell<Vec<(f64, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Starts recording enforced connect-src violations (once per page). Report-only policies
/// also fire the event, for requests that are sent anyway: those are ignored.
fn watch_csp() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::SecurityPolicyViolationEventDisposition as Disposition;
    thread_local!(static WATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if WATCHING.with(|w| w.replace(true)) {
        return;
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let on = Closure::<dyn FnMut(web_sys::SecurityPolicyViolationEvent)>::new(
        |e: web_sys::SecurityPolicyViolationEvent| {
            if e.disposition() == Disposition::Enforce
                && e.effective_directive().starts_with("connect-src")
            {
                let now = js_sys::Date::now();
                REFUSED.with(|r| {
                    let mut r = r.borrow_mut();
                    r.retain(|(t, _)| now - t < 60_000.0);
                    r.push((now, e.blocked_uri()));
                });
            }
        },
    );
    let _ = doc
        .add_event_listener_with_callback("securitypolicyviolation", on.as_ref().unchecked_ref());
    on.forget();
}

/// The absolute form of `url` (relative to the page).
fn absolute(url: &str) -> String {
    let page = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    web_sys::Url::new_with_base(url, &page)
        .map(|u| u.href())
        .unwrap_or_else(|_| url.to_string())
}

/// The URI the page's policy refused while the request that failed was under way (started at
/// `since`), if any: the request's own URL, or where a redirect sent it (reported as an origin
/// only). Every call goes to the one proxy base, so a refusal in that window is this request's.
/// The violation event is queued as a task, so this gives it a moment to arrive.
async fn refused_by_csp(since: f64) -> Option<String> {
    for i in 0..4 {
        if i > 0 {
            gloo_timers::future::sleep(std::time::Duration::from_millis(20)).await;
        }
        let hit = REFUSED.with(|r| {
            r.borrow()
                .iter()
                .rev()
                .find(|(t, b)| *t >= since && !b.is_empty())
                .map(|(_, b)| b.clone())
        });
        if hit.is_some() {
            return hit;
        }
    }
    None
}

/// Sends a request: its response, or why there is none (a network failure, an abort, or the
/// page's Content-Security-Policy refusing the URL).
async fn send(
    url: &str,
    send: impl std::future::Future<Output = Result<Response, gloo_net::Error>>,
) -> Result<Response, ApiError> {
    let started = js_sys::Date::now();
    match send.await {
        Ok(r) => Ok(r),
        Err(e) if e.to_string().contains("AbortError") => {
            Err(ApiError::Network(network_message(&e)))
        }
        Err(e) => match refused_by_csp(started).await {
            Some(blocked) => {
                let abs = absolute(url);
                let what = if abs.starts_with(&blocked) {
                    abs
                } else {
                    format!("{blocked} (where {abs} redirected: a login page of a proxy in front?)")
                };
                Err(ApiError::Refused(format!(
                    "this page's Content-Security-Policy (connect-src) does not allow {what}. A proxy base on another origin than this page must be config.json's proxyBase for the policy to allow it: clear the override in Settings, or deploy config.json with this proxyBase."
                )))
            }
            None => Err(ApiError::Network(network_message(&e))),
        },
    }
}

/// The request id header of an answer in `dialect` (Alibaba RPC puts it in the body).
fn request_id(dialect: Dialect, resp: &Response) -> Option<String> {
    let h = resp.headers();
    match dialect {
        Dialect::AwsJson => h.get("x-amzn-RequestId"),
        Dialect::SlsJson => h.get("x-log-requestid"),
        Dialect::AlibabaRpc => None,
        Dialect::RestXml => STORAGE_REQUEST_ID_HEADERS.iter().find_map(|n| h.get(n)),
    }
}

/// An answer as read off HTTP, before its body is read as a response or an error.
struct Answer {
    body: String,
    status: u16,
    request_id: Option<String>,
    /// The wait a throttled answer asks for (`x-acs-retry-after` or `Retry-After`, seconds).
    retry_after: Option<u32>,
}

async fn finish(
    dialect: Dialect,
    url: &str,
    sent: impl std::future::Future<Output = Result<Response, gloo_net::Error>>,
) -> Result<Answer, ApiError> {
    let resp = send(url, sent).await?;
    let status = resp.status();
    let request_id = request_id(dialect, &resp);
    let h = resp.headers();
    let retry_after = retry_after_secs(
        h.get("x-acs-retry-after").as_deref(),
        h.get("Retry-After").as_deref(),
    );
    let body = resp
        .text()
        .await
        .map_err(|e| ApiError::Network(network_message(&e)))?;
    Ok(Answer {
        body,
        status,
        request_id,
        retry_after,
    })
}

fn network_message(e: &gloo_net::Error) -> String {
    let s = e.to_string();
    if s.contains("AbortError") {
        "request cancelled".into()
    } else {
        format!("{s} (is the proxy running and reachable? CORS?)")
    }
}

/// An answer that is neither the API's response nor its error body says which URL was called
/// (a wrong proxy base typically answers 404 or 405 with some other server's page).
fn name_url(e: ApiError, method: &str, url: &str) -> ApiError {
    match e {
        ApiError::Malformed {
            http_status,
            detail,
            excerpt,
        } => ApiError::Malformed {
            http_status,
            detail: format!(
                "{detail} from {method} {}; check the proxy base in Settings",
                absolute(url)
            ),
            excerpt,
        },
        other => other,
    }
}

/// A POST to the proxy, with `Authorization: Bearer <token>` when the client has a token.
fn proxy_post(client: &ApiClient, url: &str) -> gloo_net::http::RequestBuilder {
    authorized(client, Request::post(url))
}

/// A GET to the proxy, with `Authorization: Bearer <token>` when the client has a token.
fn proxy_get(client: &ApiClient, url: &str) -> gloo_net::http::RequestBuilder {
    authorized(client, Request::get(url))
}

fn authorized(
    client: &ApiClient,
    req: gloo_net::http::RequestBuilder,
) -> gloo_net::http::RequestBuilder {
    watch_csp();
    match &client.token {
        Some(t) => req.header("Authorization", &format!("Bearer {t}")),
        None => req,
    }
}

/// One call of the operation `C`, read as its response type. Alibaba RPC: `POST
/// {base}/{route}?Action=...&Version=...&<params>`, as the SDKs send it. AWS JSON 1.1: `POST
/// {base}/{route}` with `X-Amz-Target` and the JSON body. `abort` cancels it in flight.
pub async fn call<C: Call>(
    client: &ApiClient,
    request: &paging::Request,
    abort: Option<&AbortSignal>,
) -> Result<(C::Response, Parsed), ApiError> {
    let dialect = C::OPERATION.api.dialect();
    let (url, a) = post(client, C::OPERATION, request, abort).await?;
    read_response::<C::Response>(dialect, a.status, a.request_id.as_deref(), &a.body)
        .map_err(|e| name_url(e.with_retry_after(a.retry_after), "POST", &url))
}

/// The HTTP part of [`call`], one copy for every operation (only reading the answer depends on
/// the response type): the URL called, and the answer.
async fn post(
    client: &ApiClient,
    op: &Operation,
    request: &paging::Request,
    abort: Option<&AbortSignal>,
) -> Result<(String, Answer), ApiError> {
    let api = op.api;
    let dialect = api.dialect();
    let route = join(&client.base, api.route());
    let (url, req) = match (dialect, request) {
        (Dialect::AlibabaRpc, paging::Request::Query(params)) => {
            let mut all = vec![
                ("Action".to_string(), op.name.to_string()),
                ("Version".to_string(), api.version().to_string()),
            ];
            all.extend_from_slice(params);
            let url = format!("{route}?{}", query_string(&all));
            let req = proxy_post(client, &url).abort_signal(abort).build();
            (url, req)
        }
        (Dialect::AwsJson, paging::Request::Json(body)) => {
            let target = api.target(op.name).unwrap_or_default();
            let req = proxy_post(client, &route)
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", &target)
                .abort_signal(abort)
                .body(body.to_string());
            (route, req)
        }
        (d, _) => {
            return Err(ApiError::Refused(format!(
                "{} speaks {d:?}: this request is in another dialect",
                op.name
            )))
        }
    };
    let req = req.map_err(|e| ApiError::Network(e.to_string()))?;
    let answer = finish(dialect, &url, req.send()).await?;
    Ok((url, answer))
}

/// A storage API's path for `bucket` (and `key`, percent-encoded segment by segment), from the
/// catalogue's route: `{base}/aliyun/oss/{bucket}[/{key}]` or `{base}/aws/s3/{bucket}[/{key}]`.
fn storage_url(client: &ApiClient, op: &Operation, bucket: &str, key: Option<&str>) -> String {
    let mut url = format!(
        "{}/{}",
        join(&client.base, op.api.route()),
        percent::encode(bucket, Slash::Keep)
    );
    if let Some(key) = key {
        url.push('/');
        url.push_str(&percent::encode(key, Slash::Keep));
    }
    url
}

/// One ListObjectsV2 call on `bucket` of `cloud`'s storage (OSS or S3), path-style: `GET
/// {base}/aliyun/oss/{bucket}?list-type=2&prefix=...`. The XML page, or the storage error
/// (`<Error><Code/>...`) as an [`ApiError`]; any other answer is a malformed one that says
/// what came instead.
pub async fn list_objects(
    client: &ApiClient,
    cloud: Cloud,
    bucket: &str,
    request: &ListObjectsRequest,
    abort: Option<&AbortSignal>,
) -> Result<ListObjectsPage, ApiError> {
    let op = plan::list_operation(cloud);
    let url = format!(
        "{}?{}",
        storage_url(client, op, bucket, None),
        request.to_query()
    );
    let req = proxy_get(client, &url)
        .abort_signal(abort)
        .build()
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let a = finish(Dialect::RestXml, &url, req.send()).await?;
    plan::read_listing(a.status, a.request_id.as_deref(), &a.body)
        .map_err(|e| name_url(e.with_retry_after(a.retry_after), "GET", &url))
}

/// One GetObject call, path-style: `GET {base}/aliyun/oss/{bucket}/{key}` (or `/aws/s3`), made by [`ObjectGets::get`],
/// as the file workers send it (`crates/worker`): they download, decompress and parse off the
/// main thread, so this module builds the request and reads its errors ([`object_error`]), and
/// the worker only carries it out. A `Content-Encoding: gzip` answer is decoded by the browser;
/// the worker detects gzip by its magic bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectGet {
    pub url: String,
    /// The `Authorization` header, when the proxy wants a token.
    pub authorization: Option<String>,
    /// The response headers that carry the storage's request id.
    pub request_id_headers: &'static [&'static str],
}

/// The response headers of a REST/XML storage API that carry its request id (OSS, S3).
const STORAGE_REQUEST_ID_HEADERS: &[&str] = &["x-oss-request-id", "x-amz-request-id"];

/// The GetObject requests of one bucket: its absolute proxy URL is resolved once (a URL parse
/// in the browser), and each object's request is that prefix and the key, percent-encoded
/// segment by segment: a string concatenation a file, no call into the browser, so that a
/// load of tens of thousands of files starts without a long main-thread task.
#[derive(Clone, Debug)]
pub struct ObjectGets {
    /// `{absolute base}/aliyun/oss/{bucket}/` (or `/aws/s3/`).
    prefix: String,
    authorization: Option<String>,
}

impl ObjectGets {
    pub fn new(client: &ApiClient, cloud: Cloud, bucket: &str) -> ObjectGets {
        watch_csp();
        ObjectGets {
            // Absolute: the worker resolves a relative URL against its script, not this page.
            prefix: format!(
                "{}/",
                absolute(&storage_url(
                    client,
                    plan::get_operation(cloud),
                    bucket,
                    None
                ))
            ),
            authorization: client.token.as_ref().map(|t| format!("Bearer {t}")),
        }
    }

    /// The GetObject of `key`. A key with a `.` or `..` segment would be resolved away by the
    /// browser's fetch and name another object: the bucket walk (core `plan::BucketWalk`)
    /// leaves such keys out before a job is made.
    pub fn get(&self, key: &str) -> ObjectGet {
        ObjectGet {
            url: format!("{}{}", self.prefix, percent::encode(key, Slash::Keep)),
            authorization: self.authorization.clone(),
            request_id_headers: STORAGE_REQUEST_ID_HEADERS,
        }
    }
}

/// What a GetObject of `get` answered with other than 2xx (`status`, the request id header,
/// the body's text), as the error users see: the storage's own error, or a malformed answer
/// that names the URL.
pub fn object_error(
    get: &ObjectGet,
    status: u16,
    request_id: Option<&str>,
    body: &str,
) -> ApiError {
    name_url(
        plan::storage_error(status, request_id, body),
        "GET",
        &get.url,
    )
}

/// A GetObject of `get` that got no answer (the worker's fetch failed with `what`).
pub fn object_unreachable(get: &ObjectGet, what: &str) -> ApiError {
    ApiError::Network(format!(
        "GET {}: {what} (is the proxy running and reachable? CORS?)",
        get.url
    ))
}

/// One SLS call as core's [`SlsRequest`] names it: `GET {base}/aliyun/sls/{project}/logstores[/{logstore}]?...`
/// (the proxy signs it and adds the `x-log-*` headers). The status, the `x-log-progress` and
/// `x-log-count` headers, the request id and the body, for the operation's reader.
async fn sls_get(
    client: &ApiClient,
    request: &SlsRequest,
    abort: Option<&AbortSignal>,
) -> Result<(String, Answer, Option<String>, Option<String>), ApiError> {
    let url = format!(
        "{}?{}",
        join(&client.base, &request.path()),
        request.query_string()
    );
    let req = proxy_get(client, &url)
        .abort_signal(abort)
        .build()
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = send(&url, req.send()).await?;
    let h = resp.headers();
    let (progress, count) = (h.get("x-log-progress"), h.get("x-log-count"));
    let retry_after = retry_after_secs(None, h.get("Retry-After").as_deref());
    let answer = Answer {
        status: resp.status(),
        request_id: request_id(Dialect::SlsJson, &resp),
        retry_after,
        body: resp
            .text()
            .await
            .map_err(|e| ApiError::Network(network_message(&e)))?,
    };
    Ok((url, answer, progress, count))
}

/// One GetLogs page (core's [`GetLogsPage::read`] of the answer), or SLS's error.
pub async fn sls_get_logs(
    client: &ApiClient,
    request: &SlsRequest,
    abort: Option<&AbortSignal>,
) -> Result<GetLogsPage, ApiError> {
    let (url, a, progress, count) = sls_get(client, request, abort).await?;
    GetLogsPage::read(
        a.status,
        progress.as_deref(),
        count.as_deref(),
        a.request_id.as_deref(),
        &a.body,
    )
    .map_err(|e| name_url(e.with_retry_after(a.retry_after), "GET", &url))
}

/// A project's logstores (ListLogStores' first page), for the editor's picker.
pub async fn sls_list_log_stores(
    client: &ApiClient,
    project: &str,
    abort: Option<&AbortSignal>,
) -> Result<ListLogStoresResponse, ApiError> {
    let (url, a, _, _) = sls_get(client, &list_log_stores(project), abort).await?;
    read_response::<ListLogStoresResponse>(
        Dialect::SlsJson,
        a.status,
        a.request_id.as_deref(),
        &a.body,
    )
    .map(|(r, _)| r)
    .map_err(|e| name_url(e.with_retry_after(a.retry_after), "GET", &url))
}
