//! The only module that talks HTTP. It speaks each cloud API's own wire format, unsigned, to
//! the proxy base URL (see README "The proxy contract"), and turns every outcome into either a
//! parsed response or an [`ApiError`] that says what went wrong in the cloud's own terms.

use gloo_net::http::{Request, Response};
use serde::Deserialize;
use trailview_core::lenient::Parsed;
use trailview_core::{
    dialect::{read_response, ApiError, Dialect},
    wire::LookupEventsResponse,
};
use web_sys::AbortSignal;

/// Default proxy base: same origin.
pub const DEFAULT_BASE: &str = "/api";

/// `config.json`, deployed beside `index.html`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeployConfig {
    #[serde(rename = "proxyBase")]
    pub proxy_base: Option<String>,
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

async fn finish(
    dialect: Dialect,
    url: &str,
    send: impl std::future::Future<Output = Result<Response, gloo_net::Error>>,
) -> Result<(String, u16, Option<String>), ApiError> {
    let started = js_sys::Date::now();
    let sent = send.await;
    let resp = match sent {
        Ok(r) => r,
        Err(e) if e.to_string().contains("AbortError") => {
            return Err(ApiError::Network(network_message(&e)))
        }
        Err(e) => match refused_by_csp(started).await {
            Some(blocked) => {
                let abs = absolute(url);
                let what = if abs.starts_with(&blocked) {
                    abs
                } else {
                    format!("{blocked} (where {abs} redirected: a login page of a proxy in front?)")
                };
                return Err(ApiError::Refused(format!(
                    "this page's Content-Security-Policy (connect-src) does not allow {what}. A proxy base on another origin than this page must be config.json's proxyBase for the policy to allow it: clear the override in Settings, or deploy config.json with this proxyBase."
                )));
            }
            None => return Err(ApiError::Network(network_message(&e))),
        },
    };
    let status = resp.status();
    let request_id = match dialect {
        Dialect::AwsJson => resp.headers().get("x-amzn-RequestId"),
        Dialect::AlibabaRpc => None,
    };
    let body = resp
        .text()
        .await
        .map_err(|e| ApiError::Network(network_message(&e)))?;
    Ok((body, status, request_id))
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

/// A POST to the proxy, with `Authorization: Bearer <token>` when a proxy token is set in
/// Settings (a proxy exposed beyond one machine requires it; the demo ignores it).
fn proxy_post(url: &str) -> gloo_net::http::RequestBuilder {
    watch_csp();
    let req = Request::post(url);
    match crate::settings::proxy_token() {
        Some(t) => req.header("Authorization", &format!("Bearer {t}")),
        None => req,
    }
}

/// An ActionTrail RPC call: `POST {base}/aliyun/actiontrail?Action=...&...`, as the SDKs send it.
pub async fn actiontrail_call(
    base: &str,
    action: &str,
    params: &[(String, String)],
    abort: Option<&AbortSignal>,
) -> Result<(String, u16, String), ApiError> {
    let mut all = vec![("Action".to_string(), action.to_string())];
    all.extend_from_slice(params);
    let url = format!(
        "{}?{}",
        join(base, "aliyun/actiontrail"),
        query_string(&all)
    );
    let req = proxy_post(&url).abort_signal(abort);
    let (body, status, _) = finish(Dialect::AlibabaRpc, &url, req.send()).await?;
    Ok((body, status, url))
}

/// One page of LookupEvents.
pub async fn lookup_events(
    base: &str,
    params: &[(String, String)],
    abort: Option<&AbortSignal>,
) -> Result<(LookupEventsResponse, Parsed), ApiError> {
    let (body, status, url) = actiontrail_call(base, "LookupEvents", params, abort).await?;
    let r = read_response::<LookupEventsResponse>(Dialect::AlibabaRpc, status, None, &body);
    r.map_err(|e| name_url(e, "POST", &url))
}

// ---------------------------------------------------------------------------------------------
// Jobs: ActionTrail delivery history jobs, CDN report tasks, CloudWatch Logs export tasks.

/// A CDN RPC call: `POST {base}/aliyun/cdn?Action=...&Version=2018-05-10&...`.
pub async fn cdn_call(
    base: &str,
    action: &str,
    params: &[(String, String)],
    abort: Option<&AbortSignal>,
) -> Result<(String, u16, String), ApiError> {
    let mut all = vec![
        ("Action".to_string(), action.to_string()),
        ("Version".to_string(), "2018-05-10".to_string()),
    ];
    all.extend_from_slice(params);
    let url = format!("{}?{}", join(base, "aliyun/cdn"), query_string(&all));
    let req = proxy_post(&url).abort_signal(abort);
    let (body, status, _) = finish(Dialect::AlibabaRpc, &url, req.send()).await?;
    Ok((body, status, url))
}

/// A CloudWatch Logs JSON 1.1 call: `POST {base}/aws/logs` with `X-Amz-Target`.
pub async fn aws_logs_call<T: serde::de::DeserializeOwned>(
    base: &str,
    operation: &str,
    body: &serde_json::Value,
    abort: Option<&AbortSignal>,
) -> Result<(T, Parsed), ApiError> {
    let url = join(base, "aws/logs");
    let req = proxy_post(&url)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", &format!("Logs_20140328.{operation}"))
        .abort_signal(abort)
        .body(body.to_string())
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let (text, status, request_id) = finish(Dialect::AwsJson, &url, req.send()).await?;
    let r = read_response::<T>(Dialect::AwsJson, status, request_id.as_deref(), &text);
    r.map_err(|e| name_url(e, "POST", &url))
}

/// An ActionTrail call read as `T`.
pub async fn actiontrail_read<T: serde::de::DeserializeOwned>(
    base: &str,
    action: &str,
    params: &[(String, String)],
    abort: Option<&AbortSignal>,
) -> Result<(T, Parsed), ApiError> {
    let (body, status, url) = actiontrail_call(base, action, params, abort).await?;
    read_response::<T>(Dialect::AlibabaRpc, status, None, &body)
        .map_err(|e| name_url(e, "POST", &url))
}

/// DescribeCdnDeliverList (all tasks).
pub async fn describe_cdn_deliver_list(
    base: &str,
    abort: Option<&AbortSignal>,
) -> Result<(trailview_core::wire::CdnDeliverListResponse, Parsed), ApiError> {
    let (body, status, url) = cdn_call(base, "DescribeCdnDeliverList", &[], abort).await?;
    read_response(Dialect::AlibabaRpc, status, None, &body).map_err(|e| name_url(e, "POST", &url))
}
