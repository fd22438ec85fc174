//! The only module that talks HTTP. It speaks each cloud API's own wire format, unsigned, to
//! the proxy base URL (see README "The proxy contract"), and turns every outcome into either a
//! parsed response or an [`ApiError`] that says what went wrong in the cloud's own terms.

use gloo_net::http::{Request, Response};
use serde::Deserialize;
use trailview_core::lenient::Parsed;
use trailview_core::wire::{read_response, ApiError, Dialect, LookupEventsResponse};
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

async fn finish(
    dialect: Dialect,
    sent: Result<Response, gloo_net::Error>,
) -> Result<(String, u16, Option<String>), ApiError> {
    let resp = sent.map_err(|e| ApiError::Network(network_message(&e)))?;
    let status = resp.status();
    let request_id = match dialect {
        Dialect::Aws => resp.headers().get("x-amzn-RequestId"),
        Dialect::Aliyun => None,
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

/// A POST to the proxy, with `Authorization: Bearer <token>` when a proxy token is set in
/// Settings (a proxy exposed beyond one machine requires it; the demo ignores it).
fn proxy_post(url: &str) -> gloo_net::http::RequestBuilder {
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
) -> Result<(String, u16), ApiError> {
    let mut all = vec![("Action".to_string(), action.to_string())];
    all.extend_from_slice(params);
    let url = format!(
        "{}?{}",
        join(base, "aliyun/actiontrail"),
        query_string(&all)
    );
    let req = proxy_post(&url).abort_signal(abort);
    let (body, status, _) = finish(Dialect::Aliyun, req.send().await).await?;
    Ok((body, status))
}

/// One page of LookupEvents.
pub async fn lookup_events(
    base: &str,
    params: &[(String, String)],
    abort: Option<&AbortSignal>,
) -> Result<(LookupEventsResponse, Parsed), ApiError> {
    let (body, status) = actiontrail_call(base, "LookupEvents", params, abort).await?;
    read_response::<LookupEventsResponse>(Dialect::Aliyun, status, None, &body)
}

// ---------------------------------------------------------------------------------------------
// Jobs: ActionTrail delivery history jobs, CDN report tasks, CloudWatch Logs export tasks.

/// A CDN RPC call: `POST {base}/aliyun/cdn?Action=...&Version=2018-05-10&...`.
pub async fn cdn_call(
    base: &str,
    action: &str,
    params: &[(String, String)],
    abort: Option<&AbortSignal>,
) -> Result<(String, u16), ApiError> {
    let mut all = vec![
        ("Action".to_string(), action.to_string()),
        ("Version".to_string(), "2018-05-10".to_string()),
    ];
    all.extend_from_slice(params);
    let url = format!("{}?{}", join(base, "aliyun/cdn"), query_string(&all));
    let req = proxy_post(&url).abort_signal(abort);
    let (body, status, _) = finish(Dialect::Aliyun, req.send().await).await?;
    Ok((body, status))
}

/// A CloudWatch Logs JSON 1.1 call: `POST {base}/aws/logs` with `X-Amz-Target`.
pub async fn aws_logs_call<T: serde::de::DeserializeOwned>(
    base: &str,
    operation: &str,
    body: &serde_json::Value,
    abort: Option<&AbortSignal>,
) -> Result<(T, Parsed), ApiError> {
    let req = proxy_post(&join(base, "aws/logs"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", &format!("Logs_20140328.{operation}"))
        .abort_signal(abort)
        .body(body.to_string())
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let (text, status, request_id) = finish(Dialect::Aws, req.send().await).await?;
    read_response::<T>(Dialect::Aws, status, request_id.as_deref(), &text)
}

/// An ActionTrail call read as `T`.
pub async fn actiontrail_read<T: serde::de::DeserializeOwned>(
    base: &str,
    action: &str,
    params: &[(String, String)],
    abort: Option<&AbortSignal>,
) -> Result<(T, Parsed), ApiError> {
    let (body, status) = actiontrail_call(base, action, params, abort).await?;
    read_response::<T>(Dialect::Aliyun, status, None, &body)
}

/// DescribeCdnDeliverList (all tasks).
pub async fn describe_cdn_deliver_list(
    base: &str,
    abort: Option<&AbortSignal>,
) -> Result<(trailview_core::wire::CdnDeliverListResponse, Parsed), ApiError> {
    let (body, status) = cdn_call(base, "DescribeCdnDeliverList", &[], abort).await?;
    read_response(Dialect::Aliyun, status, None, &body)
}
