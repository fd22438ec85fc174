//! The LookupEvents fetch loop: carries out a `core::fetch_policy::EventsRun` (paging, cap,
//! retry with backoff, the covered span), paced under the documented 2 calls/second,
//! cancellable at any point without losing what was loaded. Decisions come from the run.

use crate::api;
use crate::state::{AppState, FetchState};
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::value::RawValue;
use std::time::Duration;
use trailview_core::fetch_policy::{
    pace_wait_ms, EventsRun, LoadMode, LookupQuery, QuerySpec, Retry, RunEnd, Step,
    LOOKUP_EVENTS_MIN_INTERVAL_MS,
};
use trailview_core::lenient::Parsed;
use trailview_core::numbers::thousands;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

thread_local! {
    /// The running fetch's generation and abort controller. A new fetch or Cancel bumps the
    /// generation; a loop that sees a newer one stops touching the state.
    static RUN: std::cell::RefCell<(u64, Option<web_sys::AbortController>)> = const { std::cell::RefCell::new((0, None)) };
}

fn generation() -> u64 {
    RUN.with(|r| r.borrow().0)
}

fn next_generation() -> (u64, Option<web_sys::AbortSignal>) {
    RUN.with(|r| {
        let mut r = r.borrow_mut();
        if let Some(c) = r.1.take() {
            c.abort();
        }
        r.0 += 1;
        let c = web_sys::AbortController::new().ok();
        let signal = c.as_ref().map(|c| c.signal());
        r.1 = c;
        (r.0, signal)
    })
}

/// "The 1,234 events loaded are kept." / "No events were loaded." — what is true right now.
pub fn kept_message(loaded: usize) -> String {
    match loaded {
        0 => "No events were loaded.".to_string(),
        1 => "The 1 event loaded is kept.".to_string(),
        n => format!("The {} events loaded are kept.", thousands(n)),
    }
}

/// Stop the running fetch; what was loaded stays (and "Load older" can continue it).
pub fn cancel(st: AppState) {
    next_generation();
    if st.fetch_state.get_untracked() == FetchState::Running {
        st.run.update(|r| {
            if let Some(r) = r {
                r.cancel()
            }
        });
        st.fetch_state.set(FetchState::Cancelled);
        let loaded = st.store.with_value(|s| s.len());
        st.notice
            .set(Some(format!("Cancelled. {}", kept_message(loaded))));
    }
}

/// Fetch `spec` at once when nothing is loaded; else ask first (`confirm` answers) whether it
/// replaces the loaded events or adds to them. A preset range is pinned when the fetch starts.
pub fn request(st: AppState, spec: QuerySpec, cap: usize) {
    if st.store.with_value(|s| s.is_empty()) {
        start(st, spec.at(now_ms() as i64), cap, LoadMode::Replace);
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
        start(st, spec.at(now_ms() as i64), cap, mode);
    }
}

/// Fetch `query`, up to `cap` events, replacing the loaded events or adding to them.
pub fn start(st: AppState, query: LookupQuery, cap: usize, mode: LoadMode) {
    let (gen, signal) = next_generation();
    if mode == LoadMode::Replace {
        st.store.update_value(|s| s.clear());
        st.selected.set(None);
        st.page.set(0);
        st.version.update(|v| *v += 1);
    }
    st.error.set(None);
    st.notice.set(None);
    st.run.set(Some(EventsRun::new(query, cap)));
    st.fetch_state.set(FetchState::Running);
    spawn_local(drive(st, gen, signal));
}

/// Continue the last run where it stopped (its cap, Cancel or an error), for another cap's
/// worth of events: older ones when it fetched newest first. Same NextToken, so no event is
/// loaded twice and none is skipped.
pub fn load_more(st: AppState) {
    if st.fetch_state.get_untracked() == FetchState::Running
        || !st
            .run
            .with_untracked(|r| r.as_ref().is_some_and(|r| r.can_load_more()))
    {
        return;
    }
    let (gen, signal) = next_generation();
    st.error.set(None);
    st.notice.set(None);
    let held = st
        .run
        .try_update(|r| r.as_mut().map(|r| r.load_more(r.batch)))
        .flatten()
        .unwrap_or_default();
    ingest(st, &held);
    st.fetch_state.set(FetchState::Running);
    spawn_local(drive(st, gen, signal));
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
}

fn set_elapsed(st: AppState, elapsed_ms: f64) {
    st.run.update(|r| {
        if let Some(r) = r {
            r.set_elapsed(elapsed_ms)
        }
    });
}

async fn drive(st: AppState, gen: u64, signal: Option<web_sys::AbortSignal>) {
    let base = st.base.get_untracked();
    let live = move || generation() == gen;
    // Elapsed time goes on from where a continued run stopped.
    let t0 = now_ms()
        - st.run
            .with_untracked(|r| r.as_ref().map_or(0.0, |r| r.progress.elapsed_ms));
    let mut last_start: Option<f64> = None;
    let mut repaired = false;
    loop {
        let Some(step) = st.run.with_untracked(|r| r.as_ref().map(|r| r.step())) else {
            return;
        };
        let params = match step {
            Step::Fetch(p) => p,
            Step::Stop(end) => {
                st.fetch_state.set(match end {
                    RunEnd::Complete | RunEnd::Capped => FetchState::Done,
                    RunEnd::Cancelled => FetchState::Cancelled,
                    RunEnd::Failed => FetchState::Error,
                });
                return;
            }
        };
        let wait = pace_wait_ms(last_start, now_ms(), LOOKUP_EVENTS_MIN_INTERVAL_MS);
        if wait > 0.0 {
            sleep(Duration::from_millis(wait as u64)).await;
        }
        if !live() {
            return;
        }
        last_start = Some(now_ms());
        let result = api::lookup_events(&base, &params, signal.as_ref()).await;
        if !live() {
            return;
        }
        match result {
            Ok((resp, parsed)) => {
                repaired |= parsed == Parsed::Repaired;
                let next = resp.next().map(str::to_string);
                let take = st
                    .run
                    .try_update(|r| {
                        r.as_mut()
                            .map(|r| r.accept_page(resp.events, next, now_ms() - t0))
                    })
                    .flatten()
                    .unwrap_or_default();
                ingest(st, &take);
                st.notice.set(repaired.then(|| {
                    "Some responses were not strict JSON and were read leniently.".to_string()
                }));
            }
            Err(e) => {
                let retry = st
                    .run
                    .try_update(|r| r.as_mut().map(|r| r.on_error(&e, now_ms() as u64)))
                    .flatten()
                    .unwrap_or(Retry::GiveUp);
                set_elapsed(st, now_ms() - t0);
                match retry {
                    Retry::After { delay_ms, attempt } => {
                        st.notice.set(Some(format!(
                            "{e} — retrying in {:.1} s (attempt {attempt} of {})",
                            delay_ms as f64 / 1000.0,
                            trailview_core::fetch_policy::MAX_RETRIES
                        )));
                        // Sleep in steps so the elapsed time keeps counting while waiting.
                        let until = now_ms() + delay_ms as f64;
                        while now_ms() < until {
                            sleep(Duration::from_millis(
                                (until - now_ms()).clamp(1.0, 250.0) as u64
                            ))
                            .await;
                            if !live() {
                                return;
                            }
                            set_elapsed(st, now_ms() - t0);
                        }
                    }
                    Retry::GiveUp => {
                        st.error.set(Some(e));
                        st.notice.set(None);
                    }
                }
            }
        }
    }
}
