//! trailview-demo: the clouds trailview reads, simulated over a generated dataset, for
//! `trailview-proxy --demo`, the end-to-end tests and the benchmark.
//!
//! * [`generate`]: the deterministic ActionTrail dataset (services and their events, a world of
//!   principals, addresses and resources, the request and response shapes, the timeline).
//! * [`events`]: the dataset in memory ([`DemoEvents`]), sorted and indexed.
//! * [`backend`]: [`DemoBackend`], which answers the catalogue's operations per API in the
//!   clouds' wire formats, over [`lookup_events`] (ActionTrail LookupEvents),
//!   [`delivery_jobs`] (ActionTrail delivery history jobs), [`cdn_deliveries`] (CDN
//!   DescribeCdnDeliverList), [`export_tasks`] (CloudWatch Logs export tasks) and
//!   [`cloudtrail_lookup`] (CloudTrail LookupEvents over the S3 bucket's world).
//! * [`buckets`]: [`buckets::DemoBuckets`], the demo OSS and S3 buckets of trail files
//!   (ActionTrail's and CloudTrail's delivery layouts), generated on request.
//! * [`aws_json`]: what the AWS JSON services share (the body, errors, NextTokens).
//! * [`rate_limit`]: the one-second sliding window the clouds throttle with.
//!
//! No HTTP here: the proxy parses requests into core's `RpcParams` and turns an [`Answer`]
//! into a response.

pub mod aws_json;
pub mod backend;
pub mod buckets;
pub mod cdn_deliveries;
pub mod cloudtrail_lookup;
pub mod delivery_jobs;
pub mod engines;
pub mod events;
pub mod export_tasks;
pub mod generate;
pub mod lookup_events;
pub mod rate_limit;

pub use backend::{Answer, Clock, DemoBackend};
pub use events::{DemoEvents, Live};
pub use generate::{DemoConfig, DemoEvent};

/// An RPC call's parameters from a query string (tests).
#[cfg(test)]
pub(crate) fn params_of(query: &str) -> trailview_core::dialect::RpcParams {
    trailview_core::dialect::RpcParams::new(
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
    )
}
