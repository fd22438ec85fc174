//! The LookupEvents fetch loop: every page of a query up to a cap, paced under the documented
//! 2 calls/second, retrying throttling, 5xx and network failures with backoff, cancellable at
//! any point without losing what was loaded. Decisions come from `trailview_core::fetch_policy`.

use crate::api;
use crate::state::{AppState, FetchState};
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use trailview_core::fetch_policy::{
    backoff_ms, pace_wait_ms, LookupQuery, Progress, LOOKUP_EVENTS_MIN_INTERVAL_MS, MAX_RETRIES,
};
use trailview_core::lenient::Parsed;

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

/// Stop the running fetch; what was loaded stays.
pub fn cancel(st: AppState) {
    next_generation();
    if st.fetch_state.get_untracked() == FetchState::Running {
        st.fetch_state.set(FetchState::Cancelled);
        st.notice
            .set(Some("Cancelled. The events loaded so far are kept.".into()));
    }
}

/// Replace the loaded events with the result of `query`, up to `cap` events.
pub fn start(st: AppState, query: LookupQuery, cap: usize) {
    let (gen, signal) = next_generation();
    st.store.update_value(|s| s.clear());
    st.version.update(|v| *v += 1);
    st.selected.set(None);
    st.error.set(None);
    st.notice.set(None);
    st.cap.set(cap);
    st.cap_reached.set(false);
    st.page.set(0);
    st.progress.set(Progress::default());
    st.fetch_state.set(FetchState::Running);
    let base = st.base.get_untracked();
    spawn_local(async move {
        let t0 = now_ms();
        let mut token: Option<String> = None;
        let mut last_start: Option<f64> = None;
        let mut attempt = 0u32;
        let mut repaired = false;
        let live = move || generation() == gen;
        loop {
            let wait = pace_wait_ms(last_start, now_ms(), LOOKUP_EVENTS_MIN_INTERVAL_MS);
            if wait > 0.0 {
                sleep(Duration::from_millis(wait as u64)).await;
            }
            if !live() {
                return;
            }
            last_start = Some(now_ms());
            let params = query.params(token.as_deref());
            let result = api::lookup_events(&base, &params, signal.as_ref()).await;
            if !live() {
                return;
            }
            match result {
                Ok((resp, parsed)) => {
                    attempt = 0;
                    repaired |= parsed == Parsed::Repaired;
                    let loaded = st.progress.get_untracked().events;
                    let room = cap.saturating_sub(loaded);
                    let take = resp.events.len().min(room);
                    st.store.update_value(|s| {
                        s.ingest_page(&resp.events[..take]);
                    });
                    st.version.update(|v| *v += 1);
                    st.progress.update(|p| {
                        p.events += take;
                        p.pages += 1;
                        p.elapsed_ms = now_ms() - t0;
                    });
                    st.notice.set(repaired.then(|| {
                        "Some responses were not strict JSON and were read leniently.".to_string()
                    }));
                    token = resp.next().map(str::to_string);
                    let more_than_cap =
                        take < resp.events.len() || (token.is_some() && loaded + take >= cap);
                    if more_than_cap {
                        st.cap_reached.set(true);
                    }
                    if token.is_none() || more_than_cap {
                        st.fetch_state.set(FetchState::Done);
                        return;
                    }
                }
                Err(e) if e.is_retryable() && attempt < MAX_RETRIES => {
                    attempt += 1;
                    let delay = backoff_ms(attempt, e.is_throttling(), now_ms() as u64);
                    st.progress.update(|p| p.retries += 1);
                    st.notice.set(Some(format!(
                        "{e} — retrying in {:.1} s (attempt {attempt} of {MAX_RETRIES})",
                        delay as f64 / 1000.0
                    )));
                    sleep(Duration::from_millis(delay as u64)).await;
                    if !live() {
                        return;
                    }
                }
                Err(e) => {
                    st.error.set(Some(e));
                    st.notice.set(None);
                    st.progress.update(|p| p.elapsed_ms = now_ms() - t0);
                    st.fetch_state.set(FetchState::Error);
                    return;
                }
            }
        }
    });
}
