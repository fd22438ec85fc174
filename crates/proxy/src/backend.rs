//! What answers the cloud API routes, behind the same routes in every mode: the demo backend
//! (`--demo`), or the upstream that signs requests and forwards them to the real clouds
//! (`--config`). Which operations each API has, and its version, are in core's catalogue.
//!
//! | route                     | wire format                          |
//! |---------------------------|--------------------------------------|
//! | `/api/aliyun/actiontrail` | Alibaba RPC ([`Api::ActionTrail`])   |
//! | `/api/aliyun/cdn`         | Alibaba RPC ([`Api::Cdn`])           |
//! | `/api/aws/logs`           | AWS JSON 1.1 ([`Api::CloudWatchLogs`]) |

use crate::cloud_error::Respond;
use crate::demo::DemoBackend;
use crate::params::RpcRequest;
use crate::upstream::Upstream;
use axum::body::Bytes;
use axum::response::Response;
use std::future::Future;
use trailview_core::catalogue::Api;

/// Answers the app's calls, one API at a time.
pub trait Backend: Send + Sync + 'static {
    /// An Alibaba RPC call (`Action` and its parameters).
    fn rpc(&self, api: Api, req: RpcRequest) -> impl Future<Output = Response> + Send;
    /// An AWS JSON 1.1 call, named by its `X-Amz-Target`.
    fn json(&self, api: Api, target: String, body: Bytes) -> impl Future<Output = Response> + Send;
}

impl Backend for DemoBackend {
    fn rpc(&self, api: Api, req: RpcRequest) -> impl Future<Output = Response> + Send {
        let answer = match api {
            Api::Cdn => self.cdn(&req),
            Api::ActionTrail => self.actiontrail(&req),
            Api::CloudWatchLogs => Err(crate::cloud_error::AlibabaError::action_not_found()),
        };
        std::future::ready(answer.unwrap_or_else(Respond::respond))
    }

    fn json(
        &self,
        _api: Api,
        target: String,
        body: Bytes,
    ) -> impl Future<Output = Response> + Send {
        std::future::ready(self.aws_logs(&target, &body))
    }
}

impl Backend for Upstream {
    async fn rpc(&self, api: Api, req: RpcRequest) -> Response {
        self.aliyun(api, &req).await
    }

    async fn json(&self, _api: Api, target: String, body: Bytes) -> Response {
        self.aws_logs(&target, &body).await
    }
}
