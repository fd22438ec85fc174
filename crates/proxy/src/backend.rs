//! What answers the cloud API routes, behind the same routes in every mode: the demo backend
//! (`--demo`), or the upstream that signs requests and forwards them to the real clouds
//! (`--config`). Which operations each API has, and its version, are in core's catalogue.
//!
//! | route                     | wire format                          |
//! |---------------------------|--------------------------------------|
//! | `/api/aliyun/actiontrail` | Alibaba RPC ([`Api::ActionTrail`])   |
//! | `/api/aliyun/cdn`         | Alibaba RPC ([`Api::Cdn`])           |
//! | `/api/aws/logs`           | AWS JSON 1.1 ([`Api::CloudWatchLogs`]) |
//! | `/api/aws/cloudtrail`     | AWS JSON 1.1 ([`Api::CloudTrail`])   |
//! | `/api/aliyun/oss/{bucket}[/{key}]` | OSS REST XML, path-style ([`Api::Oss`]) |
//! | `/api/aws/s3/{bucket}[/{key}]`     | S3 REST XML, path-style ([`Api::S3`])   |
//! | `/api/aliyun/sls/{project}/logstores[/{logstore}]` | SLS REST JSON ([`Api::Sls`]) |

use crate::cloud_error::{storage_error, success, ErrorCode, Respond};
use crate::params::RpcParams;
use crate::sls::SlsCall;
use crate::storage::{StorageMethod, StorageRequest};
use crate::upstream::{Uncompressed, Upstream};
use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use std::future::Future;
use std::sync::Arc;
use trailview_core::catalogue::Api;
use trailview_core::trail_files::StorageError;
use trailview_demo::buckets::{BucketMethod, BucketRequest, DemoBuckets};
use trailview_demo::{Answer, DemoBackend};

/// Answers the app's calls, one API at a time.
pub trait Backend: Send + Sync + 'static {
    /// An Alibaba RPC call (`Action` and its parameters).
    fn rpc(&self, api: Api, req: RpcParams) -> impl Future<Output = Response> + Send;
    /// An AWS JSON 1.1 call, named by its `X-Amz-Target`.
    fn json(&self, api: Api, target: String, body: Bytes) -> impl Future<Output = Response> + Send;
    /// A storage call (OSS or S3: ListObjectsV2, GetObject, HeadObject) of a checked form.
    fn storage(&self, req: StorageRequest) -> impl Future<Output = Response> + Send;
    /// An SLS call (GetLogs, ListLogStores) of a checked form.
    fn sls(&self, call: SlsCall) -> impl Future<Output = Response> + Send;
}

fn respond(api: Api, answer: Answer) -> Response {
    match answer {
        Ok(body) => success(api.dialect(), body),
        Err(e) => e.respond(),
    }
}

/// `--demo`: the generated clouds' APIs ([`DemoBackend`]) and their trail buckets
/// ([`DemoBuckets`]).
pub struct Demo {
    pub api: Arc<DemoBackend>,
    pub buckets: Arc<DemoBuckets>,
}

impl Backend for Demo {
    fn rpc(&self, api: Api, req: RpcParams) -> impl Future<Output = Response> + Send {
        std::future::ready(respond(api, self.api.rpc(api, &req)))
    }

    async fn json(&self, api: Api, target: String, body: Bytes) -> Response {
        // Insights' StartQuery scans the demo events (seconds at millions): CPU work, off the
        // async threads, like every demo JSON call.
        let demo = self.api.clone();
        match tokio::task::spawn_blocking(move || demo.json(api, &target, &body)).await {
            Ok(answer) => respond(api, answer),
            Err(_) => crate::cloud_error::proxy_error(
                api.dialect(),
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalFailure",
                "The demo's answer failed.",
            ),
        }
    }

    async fn sls(&self, call: SlsCall) -> Response {
        // A query scans the demo events: CPU work, off the async threads.
        let api = self.api.clone();
        let answer = tokio::task::spawn_blocking(move || {
            api.sls(&call.project, call.logstore.as_deref(), &call.params)
        })
        .await;
        match answer {
            Ok(a) => sls_answer(a),
            Err(_) => crate::cloud_error::proxy_error(
                trailview_core::dialect::Dialect::SlsJson,
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
                "The demo's query failed.",
            ),
        }
    }

    async fn storage(&self, req: StorageRequest) -> Response {
        // Generating and gzipping a file is CPU work: off the async threads.
        let buckets = self.buckets.clone();
        let cloud = req.api.cloud();
        let listing = req.key.is_empty();
        let answer = tokio::task::spawn_blocking(move || {
            buckets.answer(&BucketRequest {
                cloud,
                method: match req.method {
                    StorageMethod::Get => BucketMethod::Get,
                    StorageMethod::Head => BucketMethod::Head,
                },
                bucket: &req.bucket,
                key: &req.key,
                query: &req.query,
            })
        })
        .await;
        let Ok(answer) = answer else {
            return storage_error(
                Some(cloud),
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "The demo bucket failed to answer.",
            );
        };
        let status =
            StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = (!status.is_success())
            .then(|| {
                std::str::from_utf8(&answer.body)
                    .ok()
                    .and_then(StorageError::parse)
            })
            .flatten()
            .map(|e| e.code);
        let mut resp = Response::new(Body::from(answer.body));
        *resp.status_mut() = status;
        for (name, value) in answer.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                resp.headers_mut().append(n, v);
            }
        }
        if let Some(c) = code {
            resp.extensions_mut().insert(ErrorCode(c));
        }
        if !listing && status.is_success() {
            resp.extensions_mut().insert(Uncompressed);
        }
        resp
    }
}

/// The demo's SLS answer: the JSON body with `x-log-progress`, `x-log-count` and
/// `x-log-requestid`, or SLS's error.
fn sls_answer(
    answer: Result<trailview_demo::engines::sls::SlsAnswer, trailview_core::dialect::ErrorResponse>,
) -> Response {
    match answer {
        Err(e) => e.respond(),
        Ok(a) => {
            let mut resp = success(Api::Sls.dialect(), a.body);
            let h = resp.headers_mut();
            for (name, value) in [
                ("x-log-progress", a.progress.as_str().to_string()),
                ("x-log-count", a.count.to_string()),
                ("x-log-requestid", crate::cloud_error::sls_request_id()),
            ] {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    h.insert(HeaderName::from_static(name), v);
                }
            }
            resp
        }
    }
}

impl Backend for Upstream {
    async fn rpc(&self, api: Api, req: RpcParams) -> Response {
        self.aliyun(api, &req).await
    }

    async fn json(&self, api: Api, target: String, body: Bytes) -> Response {
        self.aws_json(api, &target, &body).await
    }

    async fn storage(&self, req: StorageRequest) -> Response {
        Upstream::storage(self, &req).await
    }

    async fn sls(&self, call: SlsCall) -> Response {
        Upstream::sls(self, &call).await
    }
}
