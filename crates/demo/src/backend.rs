//! The demo backend: a generated dataset served through the real wire formats: ActionTrail
//! (LookupEvents, delivery history jobs), CDN (DescribeCdnDeliverList) and CloudWatch Logs
//! (DescribeExportTasks, CreateExportTask).
//!
//! Jobs and export tasks progress with the clock; how long a new one takes is
//! `TRAILVIEW_DEMO_JOB_SECONDS` (default 120; the end-to-end tests use a few seconds).

use crate::cdn_deliveries::CdnDeliveries;
use crate::cloudtrail_lookup::CloudTrailEvents;
use crate::delivery_jobs::{self, DeliveryJobs};
use crate::engines::insights::DemoInsights;
use crate::engines::sls::{DemoSls, SlsAnswer};
use crate::events::DemoEvents;
use crate::export_tasks::ExportTasks;
use crate::lookup_events;
use crate::rate_limit::RateLimiter;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use trailview_core::catalogue::{self, Api};
use trailview_core::dialect::{AlibabaError, AwsError, ErrorResponse, RpcParams, CDN};

/// What the demo answers a call: the success body (in the API's dialect), or the cloud's error.
pub type Answer = Result<String, ErrorResponse>;

/// A new request id: an uppercase UUID (`8-4-4-4-12` hex), like Alibaba's.
pub fn request_id() -> String {
    trailview_core::dialect::request_id(|| fastrand::u8(..16))
}

/// A new SLS request id: 24 uppercase hex digits.
pub fn sls_request_id() -> String {
    trailview_core::dialect::sls_request_id(|| fastrand::u8(..16))
}

/// Where "now" comes from (the default LookupEvents range ends at now).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock (the server).
    System,
    /// A fixed instant in epoch ms (tests).
    Fixed(i64),
}

impl Clock {
    pub fn now_ms(self) -> i64 {
        match self {
            Clock::System => chrono::Utc::now().timestamp_millis(),
            Clock::Fixed(ms) => ms,
        }
    }
}

pub struct DemoBackend {
    store: Arc<DemoEvents>,
    lookup_limiter: RateLimiter,
    clock: Clock,
    jobs: DeliveryJobs,
    cdn: CdnDeliveries,
    cdn_limiter: RateLimiter,
    logs: ExportTasks,
    sls: DemoSls,
    insights: DemoInsights,
    cloudtrail: CloudTrailEvents,
    cloudtrail_limiter: RateLimiter,
    /// Added to the clock (tests move time on with [`DemoBackend::advance`]).
    skew_ms: AtomicI64,
}

/// Seconds a new delivery history job or export task takes in the demo.
pub fn job_seconds_from_env() -> i64 {
    std::env::var("TRAILVIEW_DEMO_JOB_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(delivery_jobs::DEFAULT_JOB_SECONDS)
}

impl DemoBackend {
    /// `lookup_rate`: LookupEvents calls per second for all callers together (0 = unlimited).
    /// The CDN limit (3/s) applies whenever `lookup_rate` is not 0 (0 = tests, unlimited).
    pub fn new(store: Arc<DemoEvents>, lookup_rate: u32, clock: Clock) -> DemoBackend {
        Self::with_job_seconds(store, lookup_rate, clock, job_seconds_from_env())
    }

    pub fn with_job_seconds(
        store: Arc<DemoEvents>,
        lookup_rate: u32,
        clock: Clock,
        job_seconds: i64,
    ) -> DemoBackend {
        let now = clock.now_ms();
        let cloudtrail = {
            let c = store.config();
            let days = i64::from(c.span_days.max(1));
            CloudTrailEvents::new(c.count / 4, c.end_ms - days * 86_400_000, c.end_ms)
        };
        DemoBackend {
            store,
            lookup_limiter: RateLimiter::new(lookup_rate),
            clock,
            jobs: DeliveryJobs::new(now, job_seconds, 42),
            cdn: CdnDeliveries::new(now),
            cdn_limiter: RateLimiter::new(if lookup_rate == 0 {
                0
            } else {
                catalogue::DESCRIBE_CDN_DELIVER_LIST.limit.per_second()
            }),
            logs: ExportTasks::new(now, job_seconds, 42),
            sls: DemoSls::default(),
            insights: DemoInsights::default(),
            cloudtrail,
            cloudtrail_limiter: RateLimiter::new(if lookup_rate == 0 {
                0
            } else {
                catalogue::CLOUDTRAIL_LOOKUP_EVENTS.limit.per_second()
            }),
            skew_ms: AtomicI64::new(0),
        }
    }

    /// Now, by the clock plus any [`DemoBackend::advance`].
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms() + self.skew_ms.load(Ordering::Relaxed)
    }

    /// Move the demo's time on by `ms` (tests: jobs progress without waiting).
    pub fn advance(&self, ms: i64) {
        self.skew_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Override the CDN rate limit (tests).
    pub fn with_cdn_rate(mut self, rate: u32) -> DemoBackend {
        self.cdn_limiter = RateLimiter::new(rate);
        self
    }

    pub fn jobs(&self) -> &DeliveryJobs {
        &self.jobs
    }

    /// An Alibaba RPC call to `api` (ActionTrail or CDN).
    pub fn rpc(&self, api: Api, req: &RpcParams) -> Answer {
        let answer = match api {
            Api::ActionTrail => self.actiontrail(req),
            Api::Cdn => self.cdn(req),
            Api::CloudWatchLogs | Api::CloudTrail | Api::Oss | Api::S3 | Api::Sls => {
                Err(AlibabaError::action_not_found())
            }
        };
        answer.map_err(|e| e.write(&request_id()))
    }

    /// An AWS JSON 1.1 call to `api`, named by `X-Amz-Target`.
    pub fn json(&self, api: Api, target: &str, body: &[u8]) -> Answer {
        let answer = match api {
            Api::CloudWatchLogs => self.logs_call(target, body),
            Api::CloudTrail => match self.cloudtrail_limiter.try_acquire() {
                Ok(()) => self.cloudtrail.call(target, body, self.now_ms()),
                Err(wait) => {
                    let mut e = AwsError::new(400, "ThrottlingException", "Rate exceeded");
                    e.retry_after = Some(wait.as_secs_f64().ceil() as u64);
                    Err(e)
                }
            },
            Api::ActionTrail | Api::Cdn | Api::Oss | Api::S3 | Api::Sls => Err(AwsError::new(
                400,
                "UnknownOperationException",
                format!("{} is not a JSON 1.1 API.", api.name()),
            )),
        };
        answer.map_err(|e| e.write(&request_id()))
    }

    /// A CloudWatch Logs call: Insights' queries, else the export tasks.
    fn logs_call(&self, target: &str, body: &[u8]) -> Result<String, AwsError> {
        let now = self.now_ms();
        let op = Api::CloudWatchLogs
            .operation_of_target(target)
            .and_then(|name| catalogue::find(Api::CloudWatchLogs, name));
        let insights = [
            &catalogue::START_QUERY,
            &catalogue::GET_QUERY_RESULTS,
            &catalogue::STOP_QUERY,
        ];
        let Some(op) = op.filter(|op| insights.contains(op)) else {
            return self.logs.call(target, body, now);
        };
        let input = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => {
                return Err(AwsError::new(
                    400,
                    "SerializationException",
                    "The request body is not a JSON object.",
                ))
            }
        };
        match op.name {
            "StartQuery" => self.insights.start_query(&self.store, &input, now),
            "GetQueryResults" => self.insights.get_query_results(&input, now),
            _ => self.insights.stop_query(&input, now),
        }
    }

    /// An SLS call: GetLogs of `logstore` with the query parameters, or ListLogStores when
    /// `logstore` is `None`. Errors carry `x-log-requestid`.
    pub fn sls(
        &self,
        project: &str,
        logstore: Option<&str>,
        params: &[(String, String)],
    ) -> Result<SlsAnswer, ErrorResponse> {
        let answer = match logstore {
            Some(l) => self
                .sls
                .get_logs(&self.store, self.now_ms(), project, l, params),
            None => self.sls.list_log_stores(project).map(|body| SlsAnswer {
                body,
                progress: trailview_core::engines::sls::Progress::Complete,
                count: 1,
            }),
        };
        answer.map_err(|e| e.write(&sls_request_id()))
    }

    /// The SLS engine (tests count its passes over the events).
    #[cfg(test)]
    pub(crate) fn sls_engine(&self) -> &DemoSls {
        &self.sls
    }

    /// DescribeCdnDeliverList.
    fn cdn(&self, req: &RpcParams) -> Result<String, AlibabaError> {
        let action = req
            .action()
            .ok_or_else(|| AlibabaError::missing_parameter("Action").from(CDN))?;
        if req.version().is_some_and(|v| v != Api::Cdn.version()) {
            return Err(AlibabaError::invalid_version().from(CDN));
        }
        if catalogue::find(Api::Cdn, action) != Some(&catalogue::DESCRIBE_CDN_DELIVER_LIST) {
            return Err(AlibabaError::action_not_found().from(CDN));
        }
        if let Err(wait) = self.cdn_limiter.try_acquire() {
            return Err(AlibabaError::throttled(wait.as_secs_f64().ceil() as u64).from(CDN));
        }
        self.cdn.describe(req, &request_id())
    }

    pub fn store(&self) -> &Arc<DemoEvents> {
        &self.store
    }

    /// Dispatch an ActionTrail RPC call by `Action`.
    fn actiontrail(&self, req: &RpcParams) -> Result<String, AlibabaError> {
        let action = req
            .action()
            .ok_or_else(|| AlibabaError::missing_parameter("Action"))?;
        if req
            .version()
            .is_some_and(|v| v != Api::ActionTrail.version())
        {
            return Err(AlibabaError::invalid_version());
        }
        let op =
            catalogue::find(Api::ActionTrail, action).ok_or_else(AlibabaError::action_not_found)?;
        if op == &catalogue::LOOKUP_EVENTS {
            return self.lookup_events(req);
        }
        let (now, id) = (self.now_ms(), request_id());
        if op == &catalogue::LIST_DELIVERY_HISTORY_JOBS {
            self.jobs.list(req, now, &id)
        } else if op == &catalogue::CREATE_DELIVERY_HISTORY_JOB {
            self.jobs.create(req, now, &id)
        } else if op == &catalogue::GET_DELIVERY_HISTORY_JOB {
            self.jobs.get(req, now, &id)
        } else if op == &catalogue::DELETE_DELIVERY_HISTORY_JOB {
            self.jobs.delete(req, now, &id)
        } else {
            Err(AlibabaError::action_not_found())
        }
    }

    fn lookup_events(&self, req: &RpcParams) -> Result<String, AlibabaError> {
        if let Err(wait) = self.lookup_limiter.try_acquire() {
            return Err(AlibabaError::throttled(wait.as_secs_f64().ceil() as u64));
        }
        let now = self.now_ms();
        let store = self.store.view(now);
        let q = lookup_events::parse_query(req, &store, now)?;
        let page = lookup_events::run(&store, &q);
        Ok(lookup_events::body(&store, &q, &page, &request_id()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Live;
    use crate::generate::DemoConfig;
    use trailview_core::time::format_api_time;

    /// LookupEvents over a range ending now includes the events made since the proxy started,
    /// and a poll from the newest second on finds exactly the newer ones.
    #[test]
    fn lookup_events_sees_live_events() {
        let start = 1_700_000_000_000;
        let store = DemoEvents::generate(&DemoConfig {
            seed: 21,
            count: 200,
            end_ms: start,
            span_days: 1,
        })
        .with_live(Live::On);
        let backend = DemoBackend::with_job_seconds(Arc::new(store), 0, Clock::Fixed(start), 5);
        let ids = |from: i64| -> Vec<String> {
            let q = format!(
                "Action=LookupEvents&MaxResults=50&Direction=FORWARD&StartTime={}&EndTime={}",
                format_api_time(from),
                format_api_time(backend.now_ms())
            );
            let body = backend
                .rpc(Api::ActionTrail, &crate::params_of(&q))
                .unwrap();
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert!(v.get("NextToken").is_none());
            v["Events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["eventId"].as_str().unwrap().to_string())
                .collect()
        };
        assert!(ids(start - 60_000).len() < 50);
        backend.advance(20_000);
        let after = ids(start);
        assert!((4..=8).contains(&after.len()), "{} in 20 s", after.len());
        backend.advance(20_000);
        let more = ids(start);
        assert_eq!(&more[..after.len()], &after[..], "the first 20 s unchanged");
        assert!(more.len() >= after.len() + 4);
    }
}
