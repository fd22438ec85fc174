//! trailview-proxy: serves the built web app and the cloud API routes it calls.
//!
//! Module map:
//! * [`cli`]: command-line flags.
//! * [`config`]: `--config trailview.toml` merged with the environment, checked before start.
//! * [`backend`]: the [`Backend`] trait that answers the `/api/...` routes: the demo
//!   (`--demo`) or the [`upstream`] (`--config`: signs and forwards to the real clouds).
//! * [`upstream`]: the signing upstream (allowlist, shared rate limits, pooled HTTPS client);
//!   [`sign`]: Alibaba V3/V1 and AWS SigV4; [`allowlist`]: the operations let through.
//! * [`auth`], [`security`]: bearer token / identity header, CORS, size limits, CSP and caching
//!   headers (applied in `--config` mode).
//! * `--demo` serves `trailview_demo::DemoBackend` and `trailview_demo::buckets::DemoBuckets`
//!   (crates/demo) behind the same routes ([`backend::Demo`]).
//! * [`storage`]: the OSS and S3 routes (ListObjectsV2, GetObject, HeadObject, path-style):
//!   requests read and checked for form in every mode; the demo answers them from
//!   `trailview_demo::buckets`, the upstream signs and streams them.
//! * [`sls`]: the SLS routes (GetLogs, ListLogStores): requests read and checked for form in
//!   every mode; the demo answers them from `trailview_demo`, the upstream signs them (LOG
//!   V1) for the configured projects only.
//! * [`params`]: RPC parameters from the query string and form body.
//! * [`cloud_error`]: every error answered, in the route's dialect (shapes from core's
//!   `dialect`), and request ids.
//! * [`static_files`]: `--static-dir` with the SPA fallback and the "not built" page.
//! * [`serve`]: the one serve path (header and idle timeouts, the connection cap, drain).
//!
//! [`app`] builds the whole router for a [`Mode`]: `main` serves it and the tests drive it
//! with `tower::ServiceExt::oneshot`.

pub mod allowlist;
pub mod auth;
pub mod backend;
pub mod cli;
pub mod cloud_error;
pub mod config;
pub mod params;
pub mod security;
pub mod serve;
pub mod sign;
pub mod sls;
pub mod static_files;
pub mod storage;
pub mod upstream;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
pub use backend::{Backend, Demo};
use cloud_error::{ErrorCode, Operation};
use config::{Config, SecurityConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tower_http::compression::predicate::{DefaultPredicate, Predicate as _};
use tower_http::compression::CompressionLayer;
use trailview_core::catalogue::Api;
use trailview_core::dialect::Dialect;
use trailview_demo::buckets::DemoBuckets;
use trailview_demo::DemoBackend;
use upstream::Upstream;

/// What the proxy serves, and how it is guarded.
pub enum Mode {
    /// `--demo`: the generated dataset on loopback, under the pages' security headers.
    Demo {
        backend: Arc<DemoBackend>,
        /// The demo OSS and S3 buckets (`--bucket-events`).
        buckets: Arc<DemoBuckets>,
        static_dir: PathBuf,
    },
    /// `--config`: signs and forwards to the real clouds, behind authentication, CORS and size
    /// limits as configured.
    Upstream {
        upstream: Arc<Upstream>,
        security: Arc<SecurityConfig>,
        static_dir: PathBuf,
    },
}

impl Mode {
    /// `--config`: the upstream (its HTTPS client) from a checked configuration.
    pub fn configured(cfg: &Config) -> Result<Mode, String> {
        Ok(Mode::Upstream {
            upstream: Arc::new(Upstream::new(cfg.upstream.clone())?),
            security: Arc::new(cfg.security.clone()),
            static_dir: cfg.static_dir.clone(),
        })
    }
}

/// The whole application as served in `mode`: health, API routes, static files, the request
/// log and gzip, and the security layers. `main` and every test use this one router.
pub fn app(mode: Mode) -> Router {
    match mode {
        Mode::Demo {
            backend,
            buckets,
            static_dir,
        } => security::page_headers(
            routes(
                Arc::new(Demo {
                    api: backend,
                    buckets,
                }),
                static_dir.clone(),
            ),
            static_dir,
        ),
        Mode::Upstream {
            upstream,
            security,
            static_dir,
        } => security::secure(routes(upstream, static_dir.clone()), security, static_dir),
    }
}

/// What the route handlers share.
pub struct ProxyState<B> {
    pub backend: Arc<B>,
    /// The built web app (`index.html` and its assets).
    pub static_dir: PathBuf,
}

impl<B> Clone for ProxyState<B> {
    fn clone(&self) -> Self {
        ProxyState {
            backend: self.backend.clone(),
            static_dir: self.static_dir.clone(),
        }
    }
}

fn routes<B: Backend>(backend: Arc<B>, static_dir: PathBuf) -> Router {
    let mut router = Router::new().route("/healthz", get(healthz));
    for api in Api::ALL {
        let path = format!("/api/{}", api.route());
        router = match api.dialect() {
            Dialect::AlibabaRpc => {
                let handler = move |st, method, headers, query, body| {
                    rpc::<B>(api, st, method, headers, query, body)
                };
                router.route(&path, get(handler).post(handler))
            }
            Dialect::AwsJson => {
                let handler = move |st, headers, body| json::<B>(api, st, headers, body);
                router.route(&path, get(handler).post(handler))
            }
            Dialect::RestXml => {
                // Every method and path under the route reaches the handler, so that what is
                // not forwarded is refused in the storage APIs' own error shape.
                let handler = move |st, method, uri| storage_call::<B>(api, st, method, uri);
                router
                    .route(&path, any(handler))
                    .route(&format!("{path}/"), any(handler))
                    .route(&format!("{path}/{{*rest}}"), any(handler))
            }
            Dialect::SlsJson => {
                // Every method and path under the route reaches the handler: what is not
                // forwarded is refused in SLS's error shape.
                let handler = move |st, method, uri| sls_call::<B>(st, method, uri);
                router
                    .route(&path, any(handler))
                    .route(&format!("{path}/"), any(handler))
                    .route(&format!("{path}/{{*rest}}"), any(handler))
            }
        };
    }
    router
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .fallback(static_files_handler::<B>)
        .layer(middleware::from_fn(log_request))
        .layer(
            CompressionLayer::new().compress_when(DefaultPredicate::new().and(
                |_: StatusCode,
                 _: axum::http::Version,
                 _: &HeaderMap,
                 ext: &axum::http::Extensions| {
                    ext.get::<upstream::Uncompressed>().is_none()
                },
            )),
        )
        .with_state(ProxyState {
            backend,
            static_dir,
        })
}

async fn healthz() -> Response {
    cloud_error::json_response(r#"{"status":"ok"}"#.to_string())
}

fn with_operation(mut resp: Response, op: &str) -> Response {
    let op = if op.is_empty() { "-" } else { op };
    resp.extensions_mut().insert(Operation(op.to_string()));
    resp
}

async fn rpc<B: Backend>(
    api: Api,
    State(st): State<ProxyState<B>>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return body_refused(api, e),
    };
    let req = params::rpc_params(&method, &headers, query.as_deref(), &body);
    let op = req.action().unwrap_or("").to_string();
    with_operation(st.backend.rpc(api, req).await, &op)
}

async fn json<B: Backend>(
    api: Api,
    State(st): State<ProxyState<B>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return body_refused(api, e),
    };
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let op = api
        .operation_of_target(&target)
        .unwrap_or(&target)
        .to_string();
    with_operation(st.backend.json(api, target, body).await, &op)
}

/// A body that could not be read (larger than the limit, declared or chunked: 413), in the
/// route's error shape like the proxy's other refusals.
fn body_refused(api: Api, e: BytesRejection) -> Response {
    let status = e.status();
    let (code, message) = if status == StatusCode::PAYLOAD_TOO_LARGE {
        (
            "Proxy.BodyTooLarge",
            "The request body is larger than trailview-proxy accepts.".to_string(),
        )
    } else {
        (
            "Proxy.BodyUnreadable",
            format!(
                "trailview-proxy could not read the request body: {}",
                std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string())
            ),
        )
    };
    cloud_error::route_error(&format!("/api/{}", api.route()), status, code, &message)
}

async fn storage_call<B: Backend>(
    api: Api,
    State(st): State<ProxyState<B>>,
    method: Method,
    uri: Uri,
) -> Response {
    match storage::StorageRequest::parse(api, &method, uri.path(), uri.query()) {
        Ok(req) => {
            let op = req.operation().name;
            with_operation(st.backend.storage(req).await, op)
        }
        Err(refusal) => {
            tracing::warn!(api = api.name(), %method, reason = ?refusal, "refused before signing");
            cloud_error::storage_error(
                Some(api.cloud()),
                StatusCode::FORBIDDEN,
                "AccessDenied",
                &refusal.message(api),
            )
        }
    }
}

async fn sls_call<B: Backend>(
    State(st): State<ProxyState<B>>,
    method: Method,
    uri: Uri,
) -> Response {
    match sls::SlsCall::parse(&method, uri.path(), uri.query()) {
        Ok(call) => {
            let op = call.operation().name;
            with_operation(st.backend.sls(call).await, op)
        }
        Err(refusal) => {
            tracing::warn!(api = "SLS", %method, reason = ?refusal, "refused before signing");
            cloud_error::proxy_error(
                Dialect::SlsJson,
                StatusCode::FORBIDDEN,
                "Unauthorized",
                &refusal.message(),
            )
        }
    }
}

async fn api_not_found(method: Method, req: Request) -> Response {
    let path = req.uri().path();
    let routes: Vec<String> = Api::ALL
        .iter()
        .map(|a| format!("/api/{}", a.route()))
        .collect();
    // Answer in the dialect of the route asked for: an AWS SDK reads `__type`, an Alibaba one
    // reads `Code`.
    let (dialect, code) = if path == "/api/aws" || path.starts_with("/api/aws/") {
        (Dialect::AwsJson, "UnknownOperationException")
    } else {
        (Dialect::AlibabaRpc, "NotFound")
    };
    cloud_error::proxy_error(
        dialect,
        StatusCode::NOT_FOUND,
        code,
        &format!(
            "No API route {method} {path}. Routes: {}.",
            routes.join(", ")
        ),
    )
}

async fn static_files_handler<B: Backend>(
    State(st): State<ProxyState<B>>,
    req: Request,
) -> Response {
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
