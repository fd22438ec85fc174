//! "Follow": after a fetch, core's [`Follow`] rounds of LookupEvents for the events newer than
//! the newest loaded one, run by the one driver on the fetch's runner (a new fetch or Cancel
//! stops following; every call waits for the LookupEvents pacer the fetch uses). New rows go
//! into the store (duplicates dropped by EventId) and are saved like a fetch's pages; they show
//! at once only where they move nothing the user reads, else they wait behind "n new" (core's
//! [`show_at_once`]). No calls while the tab is hidden (`visibilitychange`).

use crate::events::fetch;
use crate::events::persist;
use crate::events::state::{AppState, FetchState, Following};
use crate::format;
use crate::runtime::{self, now_ms, retry_notice, Driven, Shown, Ticket};
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use std::time::Duration;
use trailview_core::catalogue::LookupEvents;
use trailview_core::dialect::ApiError;
use trailview_core::follow::{
    show_at_once, sort_on_start, Follow, Landing, Next, Reading, Visibility,
};
use trailview_core::lenient::Parsed;
use trailview_core::numbers::thousands;
use trailview_core::paging::{Retry, RunEnd, Step};
use trailview_core::wire::LookupEventsResponse;

thread_local! {
    /// Whether the page is hidden, as the last `visibilitychange` said.
    static HIDDEN: Cell<bool> = const { Cell::new(false) };
    static LISTENING: Cell<bool> = const { Cell::new(false) };
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

fn visibility() -> Visibility {
    if HIDDEN.with(Cell::get) {
        Visibility::Hidden
    } else {
        Visibility::Visible
    }
}

/// Whether Follow can start: a fetch has run and is not running now.
pub fn available(st: AppState) -> bool {
    st.run.with(|r| r.is_some()) && st.fetch_state.get() != FetchState::Running
}

/// Turn following on or off.
pub fn toggle(st: AppState) {
    if st.following.get_untracked() == Following::Off {
        start(st);
    } else {
        stop(st);
    }
}

/// Stop following (what it loaded stays; its held rows stay behind "n new").
pub fn stop(st: AppState) {
    // The fetch's Cancel: the round's request is aborted, its ticket goes stale.
    fetch::cancel(st);
    persist::save(st);
}

fn start(st: AppState) {
    if st.fetch_state.get_untracked() == FetchState::Running {
        return;
    }
    let followed_to = st.followed_to.get_value();
    let Some(follower) = st
        .run
        .with_untracked(|r| r.as_ref().map(|r| Follow::resume(r, followed_to)))
    else {
        return;
    };
    let ticket = fetch::next_run();
    if !LISTENING.with(|l| l.replace(true)) {
        // One listener for the page's life; the loop reads what it last said.
        let handle = window_event_listener_untyped("visibilitychange", |_| {
            HIDDEN.with(|h| h.set(page_hidden()))
        });
        std::mem::forget(handle);
    }
    HIDDEN.with(|h| h.set(page_hidden()));
    let fetched = st
        .run
        .with_untracked(|r| r.as_ref().map(|r| r.query.direction));
    if let Some(sort) =
        fetched.and_then(|d| st.sort.with_untracked(|s| sort_on_start(d, s.as_ref())))
    {
        st.sort.set(Some(sort));
    }
    st.error.set(None);
    st.notice.set(None);
    st.follower.set_value(Some(follower));
    st.follow_new.set(0);
    st.following.set(Following::Waiting);
    spawn_local(follow(st, ticket));
}

fn set_phase(st: AppState, phase: Following) {
    if st.following.get_untracked() != phase {
        st.following.set(phase);
    }
}

/// Rounds until the ticket goes stale or following stops.
async fn follow(st: AppState, ticket: Ticket) {
    let client = crate::storage::api_client(st.base.get_untracked());
    let round = Round {
        st,
        epoch: st.store.with_value(|s| s.epoch()),
        repaired: Cell::new(false),
    };
    loop {
        if !ticket.live() || round.replaced() {
            return;
        }
        let now = now_ms() as i64;
        let Some(next) = st
            .follower
            .with_value(|f| f.as_ref().map(|f| f.next(now, visibility())))
        else {
            return;
        };
        match next {
            Next::Poll => {
                set_phase(st, Following::Polling);
                st.follower.update_value(|f| {
                    if let Some(f) = f {
                        f.begin_round(now)
                    }
                });
                if runtime::drive(&client, &ticket, &round).await.is_none() {
                    return;
                }
                let skipped = st
                    .follower
                    .try_update_value(|f| f.as_mut().and_then(|f| f.end_round(now_ms() as i64)))
                    .flatten();
                if let Some(s) = skipped {
                    let tz = st.tz.get_untracked();
                    st.notice.set(Some(s.notice(|t| format::time(Some(t), tz))));
                }
            }
            Next::Wait(ms) => {
                set_phase(st, Following::Waiting);
                sleep(Duration::from_millis(ms.clamp(1, 250) as u64)).await;
            }
            Next::Paused => {
                set_phase(st, Following::Paused);
                sleep(Duration::from_millis(250)).await;
            }
            Next::Stopped(_) => {
                st.end_follow();
                persist::save(st);
                return;
            }
        }
    }
}

/// Rows just added by a round: shown at once where they move nothing the user reads, else
/// held behind "n new" (from the first of them on).
fn place(st: AppState, first_new: u32, added: usize) {
    if st.held_from.get_untracked().is_none() {
        let landing = st.sort.with_untracked(|s| Landing::of(s.as_ref()));
        let page = st.page_info.get_untracked();
        let at = Reading {
            page: page.index,
            pages: page.count,
            selected: st.selected.get_untracked().is_some(),
        };
        if !show_at_once(landing, at) {
            st.held_from.set(Some(first_new));
        }
    }
    st.follow_new.update(|n| *n += added);
}

/// Show the new rows and go to them: the first page, or the last when they land at the bottom.
pub fn show_new(st: AppState) {
    st.held_from.set(None);
    st.follow_new.set(0);
    let landing = st.sort.with_untracked(|s| Landing::of(s.as_ref()));
    let pages = st.page_info.get_untracked().count;
    st.page.set(landing.page(pages));
}

/// One round as the driver sees it.
struct Round {
    st: AppState,
    /// The store following writes to: a Replace by another load stops it.
    epoch: u64,
    repaired: Cell<bool>,
}

impl Round {
    fn replaced(&self) -> bool {
        self.st.store.with_value(|s| s.epoch()) != self.epoch
    }
}

impl Driven for Round {
    type Call = LookupEvents;

    fn step(&self) -> Step {
        if self.replaced() {
            return Step::Stop(RunEnd::Cancelled);
        }
        self.st
            .follower
            .with_value(|f| f.as_ref().map(|f| f.step()))
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
        let events = st
            .follower
            .try_update_value(|f| f.as_mut().map(|f| f.accept_page(resp)))
            .flatten()
            .unwrap_or_default();
        if events.is_empty() {
            return;
        }
        let before = st.store.with_value(|s| s.len());
        let times = st
            .store
            .try_update_value(|s| s.ingest_page_times(&events).1)
            .unwrap_or_default();
        st.follower.update_value(|f| {
            if let Some(f) = f {
                f.note_times(times)
            }
        });
        let added = st.store.with_value(|s| s.len()) - before;
        if added > 0 {
            place(st, before as u32, added);
            st.version.update(|v| *v += 1);
            persist::page(st);
        }
        // Only the follow's own lines: another load's notice ("Cancelled. …", a file load's)
        // stays.
        if self.repaired.get() {
            st.notice.set(Some(
                "Some responses were not strict JSON and were read leniently.".to_string(),
            ));
        } else if st
            .notice
            .with_untracked(|n| n.as_deref().is_some_and(|n| n.starts_with("Following: ")))
        {
            st.notice.set(None);
        }
    }

    /// Shows its own retry notice and error (`retrying`, `gave_up` below).
    fn shown(&self) -> Option<Shown> {
        None
    }
    fn on_error(&self, e: &ApiError, salt: u64) -> Retry {
        self.st
            .follower
            .try_update_value(|f| f.as_mut().map(|f| f.on_error(e, salt)))
            .flatten()
            .unwrap_or(Retry::GiveUp)
    }

    fn retrying(&self, e: &ApiError, delay_ms: u32, attempt: u32) {
        self.st.notice.set(Some(format!(
            "Following: {}",
            retry_notice(e, delay_ms, attempt)
        )));
    }

    fn gave_up(&self, e: ApiError) {
        self.st.error.set(Some(e));
        self.st.notice.set(Some(
            "Following stopped: the call failed and is not retried.".to_string(),
        ));
    }
}

/// The Follow toggle, what following is doing, and "n new" to go to the new events. The status
/// text and the button are there from the start and only change: a live region that is
/// rebuilt is not announced reliably, and a rebuilt button loses focus.
#[component]
pub fn FollowControl() -> impl IntoView {
    let st = expect_context::<AppState>();
    let on = move || st.following.get() != Following::Off;
    // A memo: polling and waiting alternate every round and read the same.
    let state = Memo::new(move |_| match st.following.get() {
        Following::Off => "",
        Following::Polling | Following::Waiting => "Following new events",
        Following::Paused => "Paused while the tab is hidden",
    });
    let held = Memo::new(move |_| st.held_from.with(Option::is_some));
    let toggle_ref = NodeRef::<leptos::html::Button>::new();
    view! {
        <div class="follow" data-testid="follow" data-state=move || st.following.get().key()>
            <button type="button" data-testid="follow-toggle" aria-pressed=move || on().to_string()
                node_ref=toggle_ref
                disabled=move || !on() && !available(st)
                title="Poll for events newer than the newest loaded one, every few seconds"
                on:click=move |_| toggle(st)>
                "Follow"
            </button>
            <span class="follow-state" role="status">{move || state.get()}</span>
            <button type="button" class="follow-new" data-testid="follow-new"
                data-new=move || st.follow_new.get()
                hidden=move || st.follow_new.get() == 0
                title=move || if held.get() { "New events are held back so that the rows you are reading do not move: show them" } else { "Go to the new events" }
                on:click=move |_| {
                    show_new(st);
                    // The button hides now; focus stays in the control.
                    if let Some(b) = toggle_ref.get_untracked() {
                        let _ = b.focus();
                    }
                }>
                {move || format!("{} new", thousands(st.follow_new.get()))}
            </button>
        </div>
    }
}
