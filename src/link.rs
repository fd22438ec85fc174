//! The view is the URL: core's `ViewState` wired to the app. On start the page's query string
//! is applied (the query bar filled, filters, sort, page, columns, the event to select when it
//! arrives; never a fetch); every change writes the URL again, replacing the history entry or
//! pushing one as `HistoryStep` says; Back and Forward apply their entry's view. "Copy link".
//!
//! The URL is written after the change's frame is painted (an animation frame, then an idle
//! callback): `history.pushState` / `replaceState` cost 2–18 ms in Chromium, which would
//! otherwise land in the frame of every filter change. Changes made before the write are
//! written together, with the greatest [`HistoryCause`] among them.

use crate::events::query_bar::QueryForm;
use crate::events::state::{kept_layout, AppState, Tz, PAGE_SIZES};
use crate::jobs_host::JobsHost;
use crate::view::View;
use leptos::prelude::*;
use trailview_core::columns::ColumnLayout;
use trailview_core::engine::TimeWindow;
use trailview_core::view_state::{
    check_length, notices_text, HistoryCause, HistoryStep, Notice, TooLong, ViewKind, ViewState,
    Zone,
};

/// The page size the app starts with (a link without `size` shows it).
const DEFAULT_PAGE_SIZE: usize = 50;

/// The link's handle: what it shows the user about links.
#[derive(Clone, Copy)]
pub struct Link {
    /// The current view's query string, or why it cannot be a link.
    pub query: Memo<Result<String, TooLong>>,
    /// What the last opened link left out, or the clipboard's answer (a dismissible line).
    pub message: RwSignal<Option<String>>,
    /// Shows a view given as a query string (a saved view), as opening its link would.
    pub show: Callback<String>,
    /// What opened the view just shown (the address, or a saved view), for the URL's next
    /// write (`HistoryStep::for_change`); `Edit` again a task later, so a link that needed no
    /// filling-in leaves no stale cause.
    opened: StoredValue<HistoryCause>,
    /// A URL write waiting for the frame to be painted, with the greatest cause of the changes
    /// it holds; `None` when none waits (Back / Forward drop a waiting write).
    pending: StoredValue<Option<HistoryCause>>,
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The page's address without its query and fragment.
fn page_address() -> String {
    location()
        .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
        .unwrap_or_default()
}

/// The view the app shows, as a link (tracks every signal it reads).
fn current(st: AppState, view: RwSignal<View>, jobs: JobsHost) -> ViewState {
    let mut v = ViewState {
        view: match view.get() {
            View::Events => ViewKind::Events,
            View::Jobs => ViewKind::Jobs(jobs.tab.get()),
        },
        zone: Some(match st.tz.get() {
            Tz::Utc => Zone::Utc,
            Tz::Local => Zone::Local,
        }),
        search: st.search.get(),
        col_filters: st.col_filters.get(),
        chips: st.path_filters.get(),
        window: st.time_window.get().map(|w| (w.start, w.end)),
        sort: st.sort.get(),
        page_size: Some(st.page_size.get()),
        page: st.page.get(),
        columns: st
            .visible_columns
            .with(|c| (*c != ColumnLayout::default().visible_ids()).then(|| c.clone())),
        event: match st.selected.get() {
            Some(row) => {
                st.version.track();
                st.store
                    .with_value(|s| (row < s.len() as u32).then(|| s.event_id(row).to_string()))
            }
            None => st.linked_event.get(),
        },
        ..ViewState::default()
    };
    st.link_query.with(|q| v.set_fetch(q.as_ref()));
    v
}

/// Shows `v`: fills the query bar with its fetch (without fetching), sets the filters, sort,
/// page and columns, selects its event or waits for it.
fn apply(st: AppState, form: QueryForm, view: RwSignal<View>, jobs: JobsHost, v: &ViewState) {
    match &v.view {
        ViewKind::Events => view.set(View::Events),
        ViewKind::Jobs(tab) => {
            jobs.tab.set(tab.clone());
            view.set(View::Jobs);
            jobs.open();
        }
    }
    if let Some(z) = v.zone {
        st.tz.set(match z {
            Zone::Utc => Tz::Utc,
            Zone::Local => Tz::Local,
        });
    }
    let fetch = v.fetch();
    if let Some((spec, cap)) = &fetch {
        form.show(spec, *cap, st.tz.get_untracked());
    }
    st.link_query.set(fetch);
    st.search.set(v.search.clone());
    st.col_filters.set(v.col_filters.clone());
    st.path_filters.set(v.chips.clone());
    let window = v.window.and_then(|(a, b)| TimeWindow::new(a, b));
    st.time_window.set(window);
    st.sort.set(v.sort.clone());
    let size = v.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    st.page_size.set(if PAGE_SIZES.contains(&size) {
        size
    } else {
        DEFAULT_PAGE_SIZE
    });
    st.page.set(v.page);
    // The link's columns over the layout the user keeps, which they do not change; a link
    // without columns (Back to such an entry) shows the kept layout again.
    st.layout.set(kept_layout().for_link(v.columns.as_deref()));
    let row = v
        .event
        .as_deref()
        .and_then(|id| st.store.with_value(|s| s.row_of_event_id(id)));
    st.selected.set(row);
    st.linked_event
        .set(if row.is_none() { v.event.clone() } else { None });
    // Nothing loaded: the link's fetch replaces the empty store; its window and page hold.
    if st.store.with_value(|s| s.is_empty()) {
        st.link_keep.set_value(Some((window, v.page)));
    }
}

/// Reads the page's query string (or `query`) and applies it; the message names what was
/// left out.
fn open(
    st: AppState,
    form: QueryForm,
    view: RwSignal<View>,
    jobs: JobsHost,
    link: Link,
    query: Option<&str>,
    cause: HistoryCause,
) {
    let Some(l) = location() else { return };
    let search = match query {
        Some(q) => q.to_string(),
        None => l.search().unwrap_or_default(),
    };
    let href = format!("{}?{}", page_address(), search.trim_start_matches('?'));
    if let Err(e) = check_length(&href) {
        link.message
            .set(Some(format!("This link was not opened. {e}")));
        return;
    }
    let (v, notices): (ViewState, Vec<Notice>) = ViewState::from_query(&search);
    link.opened.set_value(cause);
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(0).await;
        link.opened.set_value(HistoryCause::Edit);
    });
    apply(st, form, view, jobs, &v);
    link.message.set(notices_text(&notices));
}

/// Wires the URL to the app: applies the page's link now, keeps the URL following the view,
/// and applies the view of the entry Back / Forward go to.
pub fn start(st: AppState, form: QueryForm, view: RwSignal<View>, jobs: JobsHost) -> Link {
    let query = Memo::new(move |_| {
        let q = current(st, view, jobs).to_query();
        let url = format!("{}?{q}", page_address());
        check_length(&url).map(|()| q)
    });
    let shown = StoredValue::new(None::<Link>);
    let link = Link {
        query,
        message: RwSignal::new(None),
        opened: StoredValue::new(HistoryCause::Edit),
        pending: StoredValue::new(None),
        show: Callback::new(move |q: String| {
            if let Some(link) = shown.get_value() {
                // A change still waiting to be written gets its own entry first, so Back from
                // the saved view returns to it.
                write_url(link);
                open(
                    st,
                    form,
                    view,
                    jobs,
                    link,
                    Some(&q),
                    HistoryCause::SavedView,
                );
            }
        }),
    };
    shown.set_value(Some(link));
    provide_context(link);
    let has_query = location()
        .and_then(|l| l.search().ok())
        .is_some_and(|s| s.len() > 1);
    if has_query {
        open(st, form, view, jobs, link, None, HistoryCause::Address);
    }
    // The URL follows the view (a write to the browser's history, not to a signal), after the
    // frame that shows the change is painted.
    Effect::new(move |_| {
        if query.with(|q| q.is_err()) {
            return;
        }
        let cause = link.opened.get_value();
        let waiting = link.pending.get_value();
        link.pending
            .set_value(Some(waiting.map_or(cause, |w| w.max(cause))));
        if waiting.is_none() {
            request_animation_frame(move || after_frame(move || write_url(link)));
        }
    });
    // A write still waiting when the page goes away is made now, so the entry the page leaves
    // (Back to it, the back-forward cache) names the view. A reload within the wait (a frame
    // and at most 200 ms) still requests the entry's previous address: too late to change.
    let hide = window_event_listener(leptos::ev::pagehide, move |_| write_url(link));
    let pop = window_event_listener(leptos::ev::popstate, move |_| {
        // The entry Back / Forward went to is the view now: a write still waiting for the
        // view before would put that back over it.
        link.pending.set_value(None);
        open(st, form, view, jobs, link, None, HistoryCause::Address);
    });
    on_cleanup(move || {
        pop.remove();
        hide.remove();
    });
    link
}

/// Longest wait for an idle moment before the URL is written anyway (a page that draws every
/// frame on a busy machine may have none for seconds).
const IDLE_TIMEOUT_MS: i32 = 200;

/// Runs `f` once the current frame is painted: in an idle callback (at most
/// [`IDLE_TIMEOUT_MS`] later), or in a timer task where the browser has no
/// `requestIdleCallback` (Safari).
fn after_frame(f: impl FnOnce() + 'static) {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    let Some(w) = web_sys::window() else { return };
    let cb = Closure::once_into_js(f);
    let idle = js_sys::Reflect::get(&w, &JsValue::from_str("requestIdleCallback"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let scheduled = idle.is_some_and(|ric| {
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"timeout".into(), &IDLE_TIMEOUT_MS.into()).is_ok()
            && ric.call2(&w, &cb, &options).is_ok()
    });
    if !scheduled {
        let _ = w.set_timeout_with_callback(cb.unchecked_ref());
    }
}

/// Writes the waiting change of the view to the URL, replacing the current history entry or
/// pushing one as `HistoryStep::for_change` says; nothing when no write waits.
fn write_url(link: Link) {
    let Some(cause) = link.pending.try_update_value(|p| p.take()).flatten() else {
        return;
    };
    let Some(Ok(q)) = link.query.try_get_untracked() else {
        return;
    };
    let Some(l) = location() else { return };
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    let search = l.search().unwrap_or_default();
    let prev = ViewState::from_query(&search).0;
    let next = ViewState::from_query(&q).0;
    let step = match HistoryStep::for_change(cause, &prev, &next) {
        Some(step) => step,
        // The same view: still drop what the address holds beyond it (unknown parameters).
        None if search.strip_prefix('?') != Some(q.as_str()) => HistoryStep::Replace,
        None => return,
    };
    let url = format!("?{q}{}", l.hash().unwrap_or_default());
    let _ = match step {
        HistoryStep::Replace => {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        }
        HistoryStep::Push => {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        }
    };
}

/// "Copy link" and the link's messages.
#[component]
pub fn LinkControls() -> impl IntoView {
    let link = expect_context::<Link>();
    let copy = move |_| {
        let text = match link.query.get_untracked() {
            Ok(q) => format!("{}?{q}", page_address()),
            Err(e) => {
                link.message.set(Some(e.to_string()));
                return;
            }
        };
        leptos::task::spawn_local(async move {
            let msg = match crate::ui::clipboard::write(text.clone()).await {
                Ok(()) => "Link copied.".to_string(),
                Err(why) => format!(
                    "The browser refused the clipboard ({why}): copy this link by hand: {text}"
                ),
            };
            link.message.set(Some(msg));
        });
    };
    view! {
        <button type="button" class="ghost" data-testid="copy-link" on:click=copy
            disabled=move || link.query.with(|q| q.is_err())>"Copy link"</button>
    }
}

/// Under the query bar: what an opened link left out, the clipboard's answer, a link too long
/// to keep, and the hint that a link's events need a fetch.
#[component]
pub fn LinkBanner() -> impl IntoView {
    let link = expect_context::<Link>();
    let st = expect_context::<AppState>();
    // The link's fetch is not the one loaded: nothing is loaded yet, or Back / Forward / a
    // saved view went to another fetch than the events shown. Not while a restore runs: the
    // query bar shows the session's fetch then, which the link names once it is done.
    let restoring = crate::events::persist::state().map(|ps| ps.restoring);
    let waiting = move || {
        if restoring.is_some_and(|r| r.with(|r| r.is_some())) {
            return None;
        }
        st.version.track();
        let other = st
            .link_query
            .with(|l| l.is_some() && *l != st.loaded_query.get());
        other.then(|| st.store.with_value(|s| s.is_empty()))
    };
    view! {
        {move || link.query.with(|q| q.as_ref().err().map(|e| view! {
            <p class="link-note" role="alert" data-testid="link-too-long">{e.to_string()}</p>
        }))}
        {move || waiting().map(|empty| view! {
            <p class="link-note" role="status" data-testid="link-waiting">
                {if empty {
                    "This link's view is filled in above; its events are not loaded yet. Press Fetch events to load them."
                } else {
                    "The query above is this view's; the events shown are from another fetch. Press Fetch events to load this view's."
                }}
            </p>
        })}
        {move || link.message.get().map(|m| view! {
            <p class="link-note" role="status" data-testid="link-message">
                <span>{m}</span>
                <button type="button" class="ghost" aria-label="Dismiss" on:click=move |_| link.message.set(None)>"×"</button>
            </p>
        })}
    }
}
