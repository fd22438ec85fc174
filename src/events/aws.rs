//! A fetch's AWS part: CloudTrail LookupEvents (core's `CloudTrailRun`) on the one driver,
//! through its own pacer (the catalogue's 2/s for CloudTrail, apart from ActionTrail's), in
//! parallel with the Alibaba Cloud part; its records go into the same store (dedup by event
//! id), and its status and error are its own, so an AWS error never stops the other cloud.

use crate::events::persist;
use crate::events::state::AppState;
use crate::runtime::{self, Driven, Runner, Shown, Ticket};
use leptos::prelude::*;
use leptos::task::spawn_local;
use trailview_core::catalogue::CloudTrailLookupEvents;
use trailview_core::cloudtrail::{CloudTrailQuery, CloudTrailRun};
use trailview_core::dialect::ApiError;
use trailview_core::fetch_policy::LookupQuery;
use trailview_core::lenient::Parsed;
use trailview_core::paging::{Retry, RunEnd, Step};
use trailview_core::wire::CloudTrailLookupEventsResponse;

thread_local! {
    /// The AWS part's runner: a new fetch or Cancel aborts its request in flight.
    static RUNNER: Runner = Runner::default();
}

/// Fetch `query`'s range and conditions from CloudTrail, up to `cap` events, into the store
/// (and the session saved in this browser, beside the Alibaba Cloud part's rows).
pub fn start(st: AppState, query: &LookupQuery, cap: usize) {
    let ticket = RUNNER.with(Runner::start);
    let q = CloudTrailQuery::plan(query.start_ms, query.end_ms, &query.conditions);
    st.aws_error.set(None);
    st.aws_notice.set(None);
    st.aws_run.set(Some(CloudTrailRun::new(q, cap)));
    persist::begin_aws(st, query, cap);
    spawn_local(drive(st, ticket));
}

/// Stop the AWS part (Cancel, or a fetch that does not read AWS); what it loaded stays.
pub fn cancel(st: AppState) {
    RUNNER.with(Runner::cancel);
    st.aws_run.update(|r| {
        if let Some(r) = r.as_mut().filter(|r| r.running()) {
            r.cancel()
        }
    });
    st.aws_notice.set(None);
}

/// Whether the AWS part is fetching.
pub fn running(st: AppState) -> bool {
    st.aws_running()
}

/// The events the AWS part of the last fetch loaded.
pub fn loaded(st: AppState) -> usize {
    st.aws_run
        .with_untracked(|r| r.as_ref().map_or(0, |r| r.events))
}

struct Aws {
    st: AppState,
    epoch: u64,
    /// A page of this run was not strict JSON (said until the run ends).
    repaired: std::cell::Cell<bool>,
}

impl Aws {
    fn replaced(&self) -> bool {
        self.st.store.with_value(|s| s.epoch()) != self.epoch
    }
}

impl Driven for Aws {
    type Call = CloudTrailLookupEvents;

    fn step(&self) -> Step {
        if self.replaced() {
            return Step::Stop(RunEnd::Cancelled);
        }
        self.st
            .aws_run
            .with_untracked(|r| r.as_ref().map(|r| r.step()))
            .unwrap_or(Step::Stop(RunEnd::Cancelled))
    }

    fn accept(&self, page: CloudTrailLookupEventsResponse, parsed: Parsed) {
        if self.replaced() {
            return;
        }
        let st = self.st;
        let records = st
            .aws_run
            .try_update(|r| r.as_mut().map(|r| r.accept_page(&page)))
            .flatten()
            .unwrap_or_default();
        if parsed == Parsed::Repaired {
            self.repaired.set(true);
        }
        st.aws_notice.set(
            self.repaired.get().then(|| {
                "Some responses were not strict JSON and were read leniently.".to_string()
            }),
        );
        if !records.is_empty() {
            st.store.update_value(|s| {
                s.ingest_page(&records);
            });
            st.version.update(|v| *v += 1);
            st.select_linked_event();
            persist::page(st);
        }
    }

    fn on_error(&self, e: &ApiError, salt: u64) -> Retry {
        runtime::machine_on_error(self.st.aws_run, |r| r.on_error(e, salt))
    }

    fn shown(&self) -> Option<Shown> {
        Some(Shown {
            notice: self.st.aws_notice,
            error: self.st.aws_error,
        })
    }
}

async fn drive(st: AppState, ticket: Ticket) {
    let client = crate::storage::api_client(st.base.get_untracked());
    let aws = Aws {
        st,
        epoch: st.store.with_value(|s| s.epoch()),
        repaired: std::cell::Cell::new(false),
    };
    runtime::drive(&client, &ticket, &aws).await;
    // A stale ticket's run was cancelled or replaced by whoever took over: nothing to add.
    if ticket.live() {
        // Tick the status (the run's own state already says how it ended).
        st.aws_run.update(|_| {});
        if !aws.replaced() {
            persist::save(st);
        }
    }
}
