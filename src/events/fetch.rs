//! The events fetch: an `EventsRun` (paging, cap, the covered span) carried out by the one
//! driver (`crate::runtime`: pacing, retry, cancel), without losing what was loaded on Cancel.
//! Decisions come from the run; this module wires them to the app's state.

use crate::events::aws;
use crate::events::persist;
use crate::events::state::{AppState, FetchState};
use crate::runtime::{self, now_ms, retry_notice, Driven, Runner, Shown, Ticket};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::value::RawValue;
use std::cell::Cell;
use trailview_core::catalogue::LookupEvents;
use trailview_core::cloud::Cloud;
use trailview_core::cloudtrail::sort_on_fetch;
use trailview_core::dialect::ApiError;
use trailview_core::fetch_policy::{
    cancelled_text, Direction, EventsRun, LoadMode, LookupQuery, QuerySpec,
};
use trailview_core::lenient::Parsed;
use trailview_core::paging::{Retry, RunEnd, Step};
use trailview_core::session;
use trailview_core::time::format_api_time;
use trailview_core::wire::LookupEventsResponse;

thread_local! {
    /// The events fetch's runner: a new fetch or Cancel aborts the request in flight.
    static RUNNER: Runner = Runner::default();
}

/// A ticket of the events fetch's runner (a fetch, a restore, following new events): any
/// later one makes it stale.
pub fn next_run() -> Ticket {
    RUNNER.with(Runner::start)
}

/// Stop the running fetch (both clouds' parts); what was loaded stays (and "Load older" can
/// continue the Alibaba Cloud part). The notice names the parts it stopped and what is kept.
pub fn cancel(st: AppState) {
    let mut parts = Vec::new();
    if aws::running(st) {
        parts.push((Cloud::Aws, aws::loaded(st)));
    }
    aws::cancel(st);
    RUNNER.with(Runner::cancel);
    st.end_follow();
    if st.fetch_state.get_untracked() == FetchState::Running {
        st.run.update(|r| {
            if let Some(r) = r {
                r.cancel()
            }
        });
        st.fetch_state.set(FetchState::Cancelled);
        let loaded = st
            .run
            .with_untracked(|r| r.as_ref().map_or(0, |r| r.progress.events));
        parts.insert(0, (Cloud::Aliyun, loaded));
    }
    if !parts.is_empty() {
        persist::save(st);
        let total = st.store.with_value(|s| s.len());
        st.notice.set(Some(cancelled_text(&parts, total)));
    }
}

/// Stop the running fetch and hold the fetch's runner for a task that must not run beside a
/// fetch (a restore): any fetch started or continued later makes the returned ticket stale.
pub fn hold(st: AppState) -> Ticket {
    cancel(st);
    next_run()
}

/// Fetch `spec` at once when nothing is loaded; else ask first (`confirm` answers) whether it
/// replaces the loaded events or adds to them. A preset range is pinned when the fetch starts.
pub fn request(st: AppState, spec: QuerySpec, cap: usize) {
    if st.store.with_value(|s| s.is_empty()) {
        st.link_fetched(&spec, cap);
        start(st, &spec, cap, LoadMode::Replace);
    } else {
        st.pending_fetch.set(Some((spec, cap)));
    }
}

/// The answer to `request`'s question: replace, add, or (None) don't fetch.
pub fn confirm(st: AppState, mode: Option<LoadMode>) {
    let Some((spec, cap)) = st.pending_fetch.get_untracked() else {
        return;
    };
    st.pending_fetch.set(None);
    if let Some(mode) = mode {
        st.link_fetched(&spec, cap);
        start(st, &spec, cap, mode);
    }
}

/// Fetch `spec` (its range pinned now) from the clouds it names, up to `cap` events from each,
/// replacing the loaded events or adding to them. Each cloud runs at its own rate, in
/// parallel, into the one store; with both, the table is sorted by time (newest first unless
/// the query asks for oldest first), so the clouds' events interleave by time.
pub fn start(st: AppState, spec: &QuerySpec, cap: usize, mode: LoadMode) {
    let query = spec.at(now_ms() as i64);
    let clouds = spec.clouds;
    aws::cancel(st);
    if !clouds.aws {
        st.aws_run.set(None);
        st.aws_error.set(None);
    }
    if !clouds.aliyun {
        // AWS only: the Alibaba Cloud part stays idle (no run, nothing to "Load older").
        let _ = next_run();
        st.end_follow();
        st.release_held();
        if mode == LoadMode::Replace {
            st.replace_events();
        }
        st.run.set(None);
        st.fetch_state.set(FetchState::Idle);
        st.error.set(None);
        st.notice.set(None);
    }
    if clouds.aws {
        if let Some(sort) = st
            .sort
            .with_untracked(|s| sort_on_fetch(clouds, query.direction, s.as_ref()))
        {
            st.sort.set(Some(sort));
        }
        if !clouds.aliyun {
            aws::start(st, &query, cap);
            return;
        }
    }
    start_aliyun(st, query.clone(), cap, mode);
    if clouds.aws {
        aws::start(st, &query, cap);
    }
}

/// The Alibaba Cloud part: ActionTrail LookupEvents, up to `cap` events.
fn start_aliyun(st: AppState, query: LookupQuery, cap: usize, mode: LoadMode) {
    let ticket = next_run();
    st.end_follow();
    st.release_held();
    // Another query: a later Follow starts from this fetch's events, not an older follow's.
    st.followed_to.set_value(None);
    if mode == LoadMode::Replace {
        st.replace_events();
    }
    st.error.set(None);
    st.notice.set(None);
    st.run.set(Some(EventsRun::new(query, cap)));
    st.fetch_state.set(FetchState::Running);
    persist::begin(st);
    spawn_local(drive(st, ticket));
}

/// Continue the last run where it stopped (its cap, Cancel or an error), for another cap's
/// worth of events: older ones when it fetched newest first. Same NextToken, so no event is
/// loaded twice and none is skipped.
pub fn load_more(st: AppState) {
    go_on(st, |r| r.batch);
}

/// Continue a run stopped before its cap (Cancel, an error, a reload) up to that cap: no event
/// loaded twice, none skipped.
pub fn resume(st: AppState) {
    go_on(st, |r| r.cap.saturating_sub(r.progress.events).max(1));
}

/// Whether the last run stopped before its cap and can go on ("Resume").
pub fn can_resume(st: AppState) -> bool {
    matches!(
        st.fetch_state.get(),
        FetchState::Cancelled | FetchState::Error
    ) && st.run.with(|r| {
        r.as_ref()
            .is_some_and(|r| r.can_load_more() && r.progress.events < r.cap)
    })
}

/// Continue the last run for `extra(run)` more events.
fn go_on(st: AppState, extra: impl FnOnce(&EventsRun) -> usize) {
    if st.fetch_state.get_untracked() == FetchState::Running
        || !st
            .run
            .with_untracked(|r| r.as_ref().is_some_and(|r| r.can_load_more()))
    {
        return;
    }
    let ticket = next_run();
    st.end_follow();
    st.release_held();
    st.error.set(None);
    st.notice.set(None);
    let held = st
        .run
        .try_update(|r| {
            r.as_mut().map(|r| {
                let n = extra(r);
                r.load_more(n)
            })
        })
        .flatten()
        .unwrap_or_default();
    ingest(st, &held);
    st.fetch_state.set(FetchState::Running);
    spawn_local(drive(st, ticket));
}

/// Adds events to the store and their times to the run's covered span.
fn ingest(st: AppState, events: &[Box<RawValue>]) {
    if events.is_empty() {
        return;
    }
    // Every event's time counts for the covered span, an already-loaded one too.
    let times = st
        .store
        .try_update_value(|s| s.ingest_page_times(events).1)
        .unwrap_or_default();
    st.run.update(|r| {
        if let Some(r) = r {
            r.note_times(times)
        }
    });
    st.version.update(|v| *v += 1);
    st.select_linked_event();
}

fn set_elapsed(st: AppState, elapsed_ms: f64) {
    st.run.update(|r| {
        if let Some(r) = r {
            r.set_elapsed(elapsed_ms)
        }
    });
}

/// The events run as the driver sees it.
struct Events {
    st: AppState,
    /// The store the run writes to: a Replace by another load (trail files) stops the run.
    epoch: u64,
    /// When the run started, back-dated by the time a continued run had already taken.
    t0: f64,
    repaired: Cell<bool>,
    /// Paging restarted from a time bound (its notice is set; not a retry).
    rebound: Cell<bool>,
}

impl Events {
    fn replaced(&self) -> bool {
        self.st.store.with_value(|s| s.epoch()) != self.epoch
    }
}

impl Driven for Events {
    type Call = LookupEvents;

    fn step(&self) -> Step {
        if self.replaced() {
            return Step::Stop(RunEnd::Cancelled);
        }
        self.st
            .run
            .with_untracked(|r| r.as_ref().map(|r| r.step()))
            .unwrap_or(Step::Stop(RunEnd::Cancelled))
    }

    fn accept(&self, resp: LookupEventsResponse, parsed: Parsed) {
        if self.replaced() {
            return;
        }
        let st = self.st;
        if parsed == Parsed::Repaired {
            self.repaired.set(true);
        }
        let elapsed = now_ms() - self.t0;
        let take = st
            .run
            .try_update(|r| r.as_mut().map(|r| r.accept_page(resp, elapsed)))
            .flatten()
            .unwrap_or_default();
        ingest(st, &take);
        persist::page(st);
        st.notice.set(
            self.repaired.get().then(|| {
                "Some responses were not strict JSON and were read leniently.".to_string()
            }),
        );
    }

    fn on_error(&self, e: &ApiError, salt: u64) -> Retry {
        // A NextToken the cloud no longer accepts (expired, or saved before a reload): read on
        // from the loaded events' time bound, once per bound (a cloud refusing every token is
        // an error like any other, not an endless restart).
        let bound = self.st.run.try_update(|r| {
            let r = r.as_mut()?;
            session::restart_refused(r, e).then(|| (r.query.direction, r.loaded_span()))
        });
        if let Some(Some((direction, span))) = bound {
            self.rebound.set(true);
            let from = match (direction, span) {
                (_, None) => "the start of the query".to_string(),
                (Direction::Forward, Some((_, newest))) => format_api_time(newest),
                (Direction::Backward, Some((oldest, _))) => format_api_time(oldest),
            };
            let code = match e {
                ApiError::Service(s) => s.code.clone(),
                other => other.to_string(),
            };
            self.st.notice.set(Some(format!(
                "The cloud refused the saved NextToken ({code}); reading on from {from}."
            )));
            return Retry::After {
                delay_ms: 0,
                attempt: 0,
            };
        }
        let retry = self
            .st
            .run
            .try_update(|r| r.as_mut().map(|r| r.on_error(e, salt)))
            .flatten()
            .unwrap_or(Retry::GiveUp);
        set_elapsed(self.st, now_ms() - self.t0);
        retry
    }

    fn retrying(&self, e: &ApiError, delay_ms: u32, attempt: u32) {
        if self.rebound.replace(false) {
            return;
        }
        self.st.notice.set(Some(retry_notice(e, delay_ms, attempt)));
    }

    /// The elapsed time keeps counting while waiting.
    fn waiting(&self) {
        set_elapsed(self.st, now_ms() - self.t0);
    }

    fn shown(&self) -> Option<Shown> {
        Some(Shown {
            notice: self.st.notice,
            error: self.st.error,
        })
    }
}

async fn drive(st: AppState, ticket: Ticket) {
    let client = crate::storage::api_client(st.base.get_untracked());
    // Elapsed time goes on from where a continued run stopped.
    let t0 = now_ms()
        - st.run
            .with_untracked(|r| r.as_ref().map_or(0.0, |r| r.progress.elapsed_ms));
    let events = Events {
        st,
        epoch: st.store.with_value(|s| s.epoch()),
        t0,
        repaired: Cell::new(false),
        rebound: Cell::new(false),
    };
    let end = runtime::drive(&client, &ticket, &events).await;
    if events.replaced() {
        // The load that replaced the events owns the status now.
        return;
    }
    if let Some(end) = end {
        st.fetch_state.set(match end {
            RunEnd::Complete | RunEnd::Capped => FetchState::Done,
            RunEnd::Cancelled => FetchState::Cancelled,
            RunEnd::Failed => FetchState::Error,
        });
        persist::save(st);
    }
}
