//! The query bar: time range, server-side LookupAttribute conditions (checked against the
//! service's pairing rules before anything is sent), the cap, Fetch and Cancel.

use crate::events::follow::FollowControl;
use crate::events::state::{AppState, FetchState, Tz};
use crate::events::{aws, fetch};
use crate::format::{self, InputPrecision};
use leptos::prelude::*;
use trailview_core::cloud::Clouds;
use trailview_core::fetch_policy::{Direction, LoadMode, QuerySpec, TimeRange};
use trailview_core::lookup::LookupKey;
use trailview_core::numbers::thousands;
use trailview_core::query_form::{check, window_range, CheckedQuery, QueryInput};
use trailview_core::time::RangePreset;

pub use trailview_core::query_form::DEFAULT_CAP;

/// The query bar's fields. They live in context (not in the component) so that a data window
/// clicked in the Jobs view can fill them in and fetch ([`QueryForm::open_range`]).
#[derive(Clone, Copy)]
pub struct QueryForm {
    pub preset: RwSignal<RangePreset>,
    pub custom_start: RwSignal<String>,
    pub custom_end: RwSignal<String>,
    pub keys: [RwSignal<String>; 2],
    pub values: [RwSignal<String>; 2],
    pub cap: RwSignal<String>,
    pub direction: RwSignal<Direction>,
    /// The clouds the query reads.
    pub clouds: RwSignal<Clouds>,
}

impl QueryForm {
    /// "Last 7 days"; the custom inputs start at the day before `now`.
    pub fn new(now: i64, tz: Tz) -> Self {
        QueryForm {
            preset: RwSignal::new(RangePreset::Days7),
            custom_start: RwSignal::new(format::to_input(now - 24 * 3_600_000, tz)),
            custom_end: RwSignal::new(format::to_input(now, tz)),
            keys: [RwSignal::new(String::new()), RwSignal::new(String::new())],
            values: [RwSignal::new(String::new()), RwSignal::new(String::new())],
            cap: RwSignal::new(DEFAULT_CAP.to_string()),
            direction: RwSignal::new(Direction::Backward),
            clouds: RwSignal::new(Clouds::default()),
        }
    }

    /// The form checked by core (`query_form::check`), tracking every field it reads.
    pub fn checked(&self, tz: Tz) -> Result<CheckedQuery, String> {
        let input = QueryInput {
            preset: self.preset.get(),
            start: self.custom_start.get(),
            end: self.custom_end.get(),
            conditions: (0..2)
                .map(|i| (self.keys[i].get(), self.values[i].get()))
                .collect(),
            direction: self.direction.get(),
            cap: self.cap.get(),
            clouds: self.clouds.get(),
        };
        check(&input, &|s| format::parse_input(s, tz))
    }

    /// Fills the form with `spec` and `cap` (an opened link's fetch, a restored session's),
    /// without fetching.
    pub fn show(&self, spec: &QuerySpec, cap: usize, tz: Tz) {
        match spec.range {
            TimeRange::Last(p) => self.preset.set(p),
            TimeRange::Between(a, b) => {
                self.preset.set(RangePreset::Custom);
                // To the second: Fetch events then sends the range the session or link sent.
                self.custom_start
                    .set(format::to_input_at(a, tz, InputPrecision::Second));
                self.custom_end
                    .set(format::to_input_at(b, tz, InputPrecision::Second));
            }
        }
        for i in 0..2 {
            let c = spec.conditions.get(i);
            self.keys[i].set(c.map(|c| c.key.as_str().to_string()).unwrap_or_default());
            self.values[i].set(c.map(|c| c.value.clone()).unwrap_or_default());
        }
        self.direction.set(spec.direction);
        self.clouds.set(spec.clouds);
        self.cap.set(cap.to_string());
    }

    /// Shows `[start, end]` as the custom range and fetches it (asking first, as Fetch does,
    /// when events are loaded).
    pub fn open_range(&self, st: AppState, start: i64, end: i64) {
        let tz = st.tz.get_untracked();
        let (s, e) = window_range(start, end);
        self.preset.set(RangePreset::Custom);
        self.custom_start.set(format::to_input(s, tz));
        self.custom_end.set(format::to_input(e, tz));
        if let Ok(q) = untrack(|| self.checked(tz)) {
            fetch::request(st, q.spec, q.cap);
        }
    }
}

/// Provides the query bar's [`QueryForm`] (the Jobs view's data windows fill it in through
/// `jobs_host`: [`QueryForm::open_range`]).
pub fn provide_query_form(st: AppState) -> QueryForm {
    let form = QueryForm::new(js_sys::Date::now() as i64, st.tz.get_untracked());
    provide_context(form);
    form
}

#[component]
pub fn QueryBar() -> impl IntoView {
    let st = expect_context::<AppState>();
    let form = use_context::<QueryForm>()
        .unwrap_or_else(|| QueryForm::new(js_sys::Date::now() as i64, st.tz.get_untracked()));
    let QueryForm {
        preset,
        custom_start,
        custom_end,
        keys,
        values,
        cap,
        direction,
        clouds,
    } = form;

    // The query as the form holds it, or why it can't be sent. A preset range is pinned to
    // the clock only when the fetch starts (`QuerySpec::at`).
    let checked = Memo::new(move |_| form.checked(st.tz.get()));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(q) = checked.get_untracked() {
            fetch::request(st, q.spec, q.cap);
        }
    };
    let running = move || st.fetch_state.get() == FetchState::Running || aws::running(st);
    let fetch_button = NodeRef::<leptos::html::Button>::new();
    let asking = Memo::new(move |_| st.pending_fetch.with(|p| p.is_some()));
    let answer = move |mode: Option<LoadMode>| {
        fetch::confirm(st, mode);
        if let Some(b) = fetch_button.get_untracked() {
            let _ = b.focus();
        }
    };

    let attr = move |i: usize| {
        let n = i + 1;
        view! {
            <span class="attr">
                <select
                    data-testid=format!("attr-key-{n}")
                    aria-label=format!("Condition {n} key")
                    on:change=move |ev| keys[i].set(event_target_value(&ev))
                >
                    <option value="" prop:selected=move || keys[i].get().is_empty()>
                        {if n == 1 { "Any event" } else { "and…" }}
                    </option>
                    {LookupKey::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.as_str() prop:selected=move || keys[i].get() == k.as_str()>{k.as_str()}</option> })
                        .collect_view()}
                </select>
                <input
                    data-testid=format!("attr-value-{n}")
                    aria-label=format!("Condition {n} value")
                    type="text"
                    disabled=move || keys[i].get().is_empty()
                    placeholder=move || LookupKey::parse(&keys[i].get()).map(|k| k.example()).unwrap_or("")
                    prop:value=move || values[i].get()
                    on:input=move |ev| values[i].set(event_target_value(&ev))
                />
            </span>
        }
    };

    view! {
        <form class="query-bar" on:submit=submit aria-label="Query">
            <label class="field">
                <span>"Time range"</span>
                <select
                    data-testid="range-preset"
                    on:change=move |ev| {
                        if let Some(p) = RangePreset::from_key(&event_target_value(&ev)) {
                            preset.set(p)
                        }
                    }
                >
                    {RangePreset::ALL
                        .into_iter()
                        .map(|p| view! { <option value=p.key() prop:selected=move || preset.get() == p>{p.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <Show when=move || preset.get() == RangePreset::Custom>
                <label class="field">
                    <span>{move || format!("From ({})", format::zone_label(st.tz.get()))}</span>
                    <input data-testid="custom-start" type="datetime-local" step="1" prop:value=move || custom_start.get()
                        on:input=move |ev| custom_start.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>"To"</span>
                    <input data-testid="custom-end" type="datetime-local" step="1" prop:value=move || custom_end.get()
                        on:input=move |ev| custom_end.set(event_target_value(&ev)) />
                </label>
            </Show>
            <fieldset class="field clouds" data-testid="clouds">
                <legend>"Clouds"</legend>
                <span class="cloud-boxes">
                    <label>
                        <input type="checkbox" data-testid="cloud-aliyun" prop:checked=move || clouds.get().aliyun
                            on:change=move |ev| { let on = event_target_checked(&ev); clouds.update(|c| c.aliyun = on) } />
                        "Alibaba Cloud"
                    </label>
                    <label>
                        <input type="checkbox" data-testid="cloud-aws" prop:checked=move || clouds.get().aws
                            on:change=move |ev| { let on = event_target_checked(&ev); clouds.update(|c| c.aws = on) } />
                        "AWS"
                    </label>
                </span>
            </fieldset>
            <fieldset class="field conditions">
                <legend title="Server-side conditions: exact, case-sensitive">"Server-side conditions"<span class="legend-hint">" (exact, case-sensitive)"</span></legend>
                {attr(0)}
                // The second condition appears once the first is chosen.
                {move || (!keys[0].get().is_empty() || !keys[1].get().is_empty()).then(|| attr(1))}
            </fieldset>
            <label class="field">
                <span>"Order"</span>
                <select data-testid="direction" on:change=move |ev| direction.set(if event_target_value(&ev) == "FORWARD" { Direction::Forward } else { Direction::Backward })>
                    <option value="BACKWARD" prop:selected=move || direction.get() == Direction::Backward>"Newest first"</option>
                    <option value="FORWARD" prop:selected=move || direction.get() == Direction::Forward>"Oldest first"</option>
                </select>
            </label>
            <label class="field cap">
                <span>"Max events"</span>
                <input data-testid="cap" type="number" min="1" prop:value=move || cap.get()
                    on:input=move |ev| cap.set(event_target_value(&ev)) />
            </label>
            <div class="buttons">
                <button data-testid="fetch" type="submit" class="primary" node_ref=fetch_button disabled=move || checked.with(|c| c.is_err())>
                    {move || if running() { "Restart" } else { "Fetch events" }}
                </button>
                <button data-testid="cancel" type="button" disabled=move || !running() on:click=move |_| fetch::cancel(st)>
                    "Cancel"
                </button>
                <FollowControl />
            </div>
            {move || asking.get().then(|| {
                // Built once per question: it takes the focus then (an answer gives it back to
                // Fetch); only the count follows the pages a running fetch adds.
                let first = NodeRef::<leptos::html::Button>::new();
                first.on_load(|b| {
                    let _ = b.focus();
                });
                let question = move || {
                    st.version.track();
                    let loaded = st.store.with_value(|s| s.len());
                    format!(
                        "{} {} loaded. Replace {} with the new fetch, or add the new events to {}?",
                        thousands(loaded),
                        if loaded == 1 { "event is" } else { "events are" },
                        if loaded == 1 { "it" } else { "them" },
                        if loaded == 1 { "it" } else { "them" },
                    )
                };
                view! {
                    <div class="replace-prompt" role="alertdialog" aria-label="Loaded events" data-testid="replace-prompt">
                        <p>{question}</p>
                        <button type="button" data-testid="replace-events" class="primary" node_ref=first
                            on:click=move |_| answer(Some(LoadMode::Replace))>"Replace"</button>
                        <button type="button" data-testid="add-events"
                            on:click=move |_| answer(Some(LoadMode::Add))>"Add to them"</button>
                        <button type="button" data-testid="keep-events"
                            on:click=move |_| answer(None)>"Don't fetch"</button>
                    </div>
                }
            })}
            {move || match checked.get() {
                Err(e) => view! { <p class="query-error" role="alert" data-testid="query-error">{e}</p> }.into_any(),
                Ok(q) if !q.notes.is_empty() => view! { <p class="query-note">{q.notes.join(" ")}</p> }.into_any(),
                Ok(_) => ().into_any(),
            }}
        </form>
    }
}
