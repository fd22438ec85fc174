//! The demo backend: a generated dataset served through the real ActionTrail wire format.

pub mod lookup_events;
pub mod store;

use crate::aliyun_error::{json_response, request_id, AliyunError};
use crate::params::RpcRequest;
use crate::rate_limit::RateLimiter;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use store::EventStore;

/// ActionTrail's API version; a `Version` parameter, if given, must be this.
pub const ACTIONTRAIL_VERSION: &str = "2020-07-06";

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
    store: Arc<EventStore>,
    lookup_limiter: RateLimiter,
    clock: Clock,
}

impl DemoBackend {
    /// `lookup_rate`: LookupEvents calls per second for all callers together (0 = unlimited).
    pub fn new(store: Arc<EventStore>, lookup_rate: u32, clock: Clock) -> DemoBackend {
        DemoBackend {
            store,
            lookup_limiter: RateLimiter::new(lookup_rate),
            clock,
        }
    }

    pub fn store(&self) -> &Arc<EventStore> {
        &self.store
    }

    /// Dispatch an ActionTrail RPC call by `Action`.
    pub fn actiontrail(&self, req: &RpcRequest) -> Result<Response, AliyunError> {
        let action = req
            .action()
            .ok_or_else(|| AliyunError::missing_parameter("Action"))?;
        if req.version().is_some_and(|v| v != ACTIONTRAIL_VERSION) {
            return Err(AliyunError::invalid_version());
        }
        match action {
            "LookupEvents" => self.lookup_events(req),
            // The history-delivery jobs (ListDeliveryHistoryJobs, CreateDeliveryHistoryJob,
            // GetDeliveryHistoryJob, DeleteDeliveryHistoryJob) come with the Jobs issue: add a
            // `jobs` module beside `lookup_events` and dispatch them here.
            _ => Err(AliyunError::action_not_found()),
        }
    }

    fn lookup_events(&self, req: &RpcRequest) -> Result<Response, AliyunError> {
        if let Err(wait) = self.lookup_limiter.try_acquire() {
            return Err(AliyunError::throttled(wait.as_secs_f64().ceil() as u64));
        }
        let q = lookup_events::parse_query(req, &self.store, self.clock.now_ms())?;
        let page = lookup_events::run(&self.store, &q);
        Ok(
            json_response(lookup_events::body(&self.store, &q, &page, &request_id()))
                .into_response(),
        )
    }
}
