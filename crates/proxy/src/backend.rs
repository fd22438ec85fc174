//! What answers the cloud API routes: the demo backend (`--demo`), or the upstream that signs
//! requests and forwards them to the real clouds (`--config`), behind the same routes:
//!
//! | route                     | wire format                         | demo backend            |
//! |---------------------------|-------------------------------------|-------------------------|
//! | `/api/aliyun/actiontrail` | Alibaba RPC (ActionTrail 2020-07-06)| LookupEvents, List/Create/Get/DeleteDeliveryHistoryJob |
//! | `/api/aliyun/cdn`         | Alibaba RPC (CDN 2018-05-10)        | DescribeCdnDeliverList  |
//! | `/api/aws/logs`           | AWS JSON 1.1 (CloudWatch Logs)      | DescribeExportTasks, CreateExportTask |

use crate::aliyun_error::{request_id, AliyunError, ErrorCode, Operation};
use crate::demo::DemoBackend;
use crate::params::RpcRequest;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

#[derive(Clone)]
pub enum Backend {
    Demo(Arc<DemoBackend>),
    /// Signs and forwards to the real clouds (`--config`); its calls are async, so the route
    /// handlers in `lib.rs` dispatch to it before reaching the methods below.
    Upstream(Arc<crate::upstream::Upstream>),
}

fn upstream_not_here() -> Response {
    AliyunError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        "The upstream backend is handled by the route.",
    )
    .into_response()
}

fn with_operation(mut resp: Response, op: &str) -> Response {
    resp.extensions_mut().insert(Operation(op.to_string()));
    resp
}

impl Backend {
    pub fn kind(&self) -> &'static str {
        match self {
            Backend::Demo(_) => "demo",
            Backend::Upstream(_) => "upstream",
        }
    }

    /// An ActionTrail RPC call.
    pub fn actiontrail(&self, req: &RpcRequest) -> Response {
        let resp = match self {
            Backend::Demo(d) => d
                .actiontrail(req)
                .unwrap_or_else(IntoResponse::into_response),
            Backend::Upstream(_) => upstream_not_here(),
        };
        with_operation(resp, req.action().unwrap_or("-"))
    }

    /// A CDN RPC call (DescribeCdnDeliverList).
    pub fn cdn(&self, req: &RpcRequest) -> Response {
        let resp = match self {
            Backend::Demo(d) => d.cdn(req).unwrap_or_else(IntoResponse::into_response),
            Backend::Upstream(_) => upstream_not_here(),
        };
        with_operation(resp, req.action().unwrap_or("-"))
    }

    /// A CloudWatch Logs call, named by `X-Amz-Target` (DescribeExportTasks, CreateExportTask).
    pub fn aws_logs(&self, headers: &HeaderMap, body: &[u8]) -> Response {
        let target = headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let op = target.rsplit('.').next().unwrap_or("").to_string();
        let resp = match self {
            Backend::Demo(d) => d.aws_logs(target, body),
            Backend::Upstream(_) => upstream_not_here(),
        };
        with_operation(resp, if op.is_empty() { "-" } else { &op })
    }
}

/// An AWS JSON 1.1 error: `{"__type","message"}` with `x-amzn-RequestId` and `X-Amzn-ErrorType`.
pub fn aws_error(status: StatusCode, kind: &'static str, message: &str) -> Response {
    let body = serde_json::json!({ "__type": kind, "message": message }).to_string();
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(v) = HeaderValue::from_str(&request_id().to_ascii_lowercase()) {
        h.insert("x-amzn-RequestId", v);
    }
    h.insert("X-Amzn-ErrorType", HeaderValue::from_static(kind));
    resp.extensions_mut().insert(ErrorCode(kind.to_string()));
    resp
}
