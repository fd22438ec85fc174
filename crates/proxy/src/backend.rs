//! What answers the cloud API routes, behind the same routes in every mode: the demo backend
//! (`--demo`), or the upstream that signs requests and forwards them to the real clouds
//! (`--config`). Which operations each API has, and its version, are in core's catalogue.
//!
//! | route                     | wire format                          |
//! |---------------------------|--------------------------------------|
//! | `/api/aliyun/actiontrail` | Alibaba RPC ([`Api::ActionTrail`])   |
//! | `/api/aliyun/cdn`         | Alibaba RPC ([`Api::Cdn`])           |
//! | `/api/aws/logs`           | AWS JSON 1.1 ([`Api::CloudWatchLogs`]) |

use crate::cloud_error::{success, Respond};
use crate::params::RpcParams;
use crate::upstream::Upstream;
use axum::body::Bytes;
use axum::response::Response;
use std::future::Future;
use trailview_core::catalogue::Api;
use trailview_demo::{Answer, DemoBackend};

/// Answers the app's calls, one API at a time.
pub trait Backend: Send + Sync + 'static {
    /// An Alibaba RPC call (`Action` and its parameters).
    fn rpc(&self, api: Api, req: RpcParams) -> impl Future<Output = Response> + Send;
    /// An AWS JSON 1.1 call, named by its `X-Amz-Target`.
    fn json(&self, api: Api, target: String, body: Bytes) -> impl Future<Output = Response> + Send;
}

fn respond(api: Api, answer: Answer) -> Response {
    match answer {
        Ok(body) => success(api.dialect(), body),
        Err(e) => e.respond(),
    }
}

impl Backend for DemoBackend {
    fn rpc(&self, api: Api, req: RpcParams) -> impl Future<Output = Response> + Send {
        std::future::ready(respond(api, DemoBackend::rpc(self, api, &req)))
    }

    fn json(&self, api: Api, target: String, body: Bytes) -> impl Future<Output = Response> + Send {
        std::future::ready(respond(api, DemoBackend::json(self, api, &target, &body)))
    }
}

impl Backend for Upstream {
    async fn rpc(&self, api: Api, req: RpcParams) -> Response {
        self.aliyun(api, &req).await
    }

    async fn json(&self, _api: Api, target: String, body: Bytes) -> Response {
        self.aws_logs(&target, &body).await
    }
}
