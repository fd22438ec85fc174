//! trailview-proxy: serves the built web app and the cloud API routes it calls.
//!
//! Module map:
//! * [`cli`]: command-line flags.
//! * [`config`]: `--config trailview.toml` merged with the environment, checked before start.
//! * [`backend`]: what answers the `/api/...` routes: [`Backend::Demo`] (`--demo`) or
//!   [`Backend::Upstream`] (`--config`: signs and forwards to the real clouds).
//! * [`upstream`]: the signing upstream (allowlist, shared rate limits, pooled HTTPS client);
//!   [`sign`]: Alibaba V3/V1 and AWS SigV4; [`allowlist`]: the operations let through.
//! * [`auth`], [`security`]: bearer token / identity header, CORS, size limits, CSP and caching
//!   headers (applied in `--config` mode).
//! * [`demo`]: the demo backend: [`demo::store`] (the generated dataset, sorted and indexed),
//!   [`demo::lookup_events`] (LookupEvents: validation, paging tokens, the scan, the body),
//!   [`demo::jobs`], [`demo::cdn`], [`demo::logs`] (delivery history jobs, report tasks,
//!   export tasks).
//! * [`params`]: RPC parameters from the query string and form body.
//! * [`aliyun_error`]: Alibaba error bodies and request ids.
//! * [`rate_limit`]: the shared one-second sliding window.
//! * [`static_files`]: `--static-dir` with the SPA fallback and the "not built" page.
//!
//! [`app`] builds the whole router, so tests drive it with `tower::ServiceExt::oneshot`.

pub mod aliyun_error;
pub mod allowlist;
pub mod auth;
pub mod backend;
pub mod cli;
pub mod config;
pub mod demo;
pub mod params;
pub mod rate_limit;
pub mod security;
pub mod sign;
pub mod static_files;
pub mod upstream;

use aliyun_error::{ErrorCode, Operation};
use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
pub use backend::Backend;
use params::RpcRequest;
use std::path::PathBuf;
use std::time::Instant;
use tower_http::compression::CompressionLayer;
use trailview_core::catalogue::Api;

#[derive(Clone)]
pub struct AppState {
    pub backend: Backend,
    /// The built web app (`index.html` and its assets).
    pub static_dir: PathBuf,
}

/// The whole application: health, API routes, static files; request log and gzip around it.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/api/aliyun/actiontrail",
            get(actiontrail).post(actiontrail),
        )
        .route("/api/aliyun/cdn", get(cdn).post(cdn))
        .route("/api/aws/logs", get(aws_logs).post(aws_logs))
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .fallback(static_files_handler)
        .layer(middleware::from_fn(log_request))
        .layer(CompressionLayer::new())
        .with_state(state)
}

async fn healthz() -> Response {
    aliyun_error::json_response(r#"{"status":"ok"}"#.to_string())
}

async fn actiontrail(
    State(st): State<AppState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let req = RpcRequest::from_parts(&method, headers, query.as_deref(), &body);
    if let Backend::Upstream(u) = &st.backend {
        return u.aliyun(Api::ActionTrail, &req).await;
    }
    st.backend.actiontrail(&req)
}

async fn cdn(
    State(st): State<AppState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let req = RpcRequest::from_parts(&method, headers, query.as_deref(), &body);
    if let Backend::Upstream(u) = &st.backend {
        return u.aliyun(Api::Cdn, &req).await;
    }
    st.backend.cdn(&req)
}

async fn aws_logs(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Backend::Upstream(u) = &st.backend {
        return u.aws_logs(&headers, &body).await;
    }
    st.backend.aws_logs(&headers, &body)
}

async fn api_not_found(method: Method, req: Request) -> Response {
    let path = req.uri().path();
    let body = serde_json::json!({
        "Code": "NotFound",
        "Message": format!("No API route {method} {path}. Routes: /api/aliyun/actiontrail, /api/aliyun/cdn, /api/aws/logs."),
        "RequestId": aliyun_error::request_id(),
    });
    let mut resp = (StatusCode::NOT_FOUND, body.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

async fn static_files_handler(State(st): State<AppState>, req: Request) -> Response {
    static_files::serve(st.static_dir.clone(), req).await
}

/// One log line per request: method, path, operation, status, error code, upstream request id,
/// user, latency.
async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    // Who (with --config and [auth]: the identity header's value, or "bearer").
    let user = req
        .extensions()
        .get::<auth::Identity>()
        .map(|i| i.0.clone());
    let resp = next.run(req).await;
    let op = resp
        .extensions()
        .get::<Operation>()
        .map_or("-", |o| o.0.as_str());
    let code = resp
        .extensions()
        .get::<ErrorCode>()
        .map_or("-", |c| c.0.as_str());
    let upstream_id = resp
        .extensions()
        .get::<upstream::UpstreamRequestId>()
        .map_or("-", |c| c.0.as_str());
    tracing::info!(
        %method,
        path = %path,
        operation = op,
        status = resp.status().as_u16(),
        code,
        upstream_request_id = upstream_id,
        user = user.as_deref().unwrap_or("-"),
        latency_ms = format_args!("{:.2}", started.elapsed().as_secs_f64() * 1000.0),
        "request"
    );
    resp
}
