//! The settings panel: proxy base, proxy token, time zone, bucket sources.

use crate::events::persist::BUDGET_KEY;
use crate::events::state::{AppState, Tz};
use crate::storage::{effective_base, load, proxy_token, save, save_proxy_token};
use leptos::prelude::*;

#[component]
pub fn SettingsPanel(config_base: RwSignal<Option<String>>) -> impl IntoView {
    let st = expect_context::<AppState>();
    let draft = RwSignal::new(load("proxyBase").unwrap_or_default());
    let token = RwSignal::new(proxy_token().unwrap_or_default());
    let budget = RwSignal::new(load(BUDGET_KEY).unwrap_or_default());
    let buckets = RwSignal::new(load(crate::files::bucket::SETTINGS_KEY).unwrap_or_default());
    let apply = move || {
        let v = draft.get_untracked().trim().to_string();
        save("proxyBase", &v);
        st.base
            .set(effective_base(config_base.get_untracked().as_deref()));
    };
    view! {
        <section class="settings" aria-label="Settings">
            <label>
                "Proxy base URL"
                <input
                    data-testid="proxy-base"
                    type="text"
                    placeholder=move || config_base.get().unwrap_or_else(|| crate::api::DEFAULT_BASE.into())
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                    on:change=move |_| apply()
                />
            </label>
            <span class="hint">
                "In use: " <code>{move || st.base.get()}</code>
                " (empty = config.json, else /api; saved in this browser)"
            </span>
            <label>
                "Proxy token"
                <input
                    data-testid="proxy-token"
                    type="password"
                    autocomplete="off"
                    placeholder="none"
                    prop:value=move || token.get()
                    on:input=move |ev| token.set(event_target_value(&ev))
                    on:change=move |_| save_proxy_token(&token.get_untracked())
                />
            </label>
            <span class="hint">
                "Sent as Authorization: Bearer when the proxy requires it; kept for this tab only (session storage)"
            </span>
            <label>
                "Show times in"
                <select
                    data-testid="timezone"
                    on:change=move |ev| {
                        let tz = Tz::from_key(&event_target_value(&ev));
                        save("tz", tz.key());
                        st.tz.set(tz);
                    }
                >
                    <option value="utc" selected=move || st.tz.get() == Tz::Utc>"UTC"</option>
                    <option value="local" selected=move || st.tz.get() == Tz::Local>"Local time"</option>
                </select>
            </label>
            <label>
                "Bucket sources"
                <textarea
                    data-testid="bucket-sources"
                    rows="2"
                    placeholder="aws:my-trail-bucket/prefix/"
                    prop:value=move || buckets.get()
                    on:input=move |ev| buckets.set(event_target_value(&ev))
                    on:change=move |_| { save(crate::files::bucket::SETTINGS_KEY, buckets.get_untracked().trim()); }
                ></textarea>
            </label>
            <span class="hint">
                "One a line, <cloud>:<bucket>[/<prefix>] (cloud aliyun or aws), besides config.json's; the proxy must be configured for the bucket"
            </span>
            <label>
                "Saved sessions may use (MB)"
                <input
                    data-testid="session-budget"
                    type="number"
                    min="1"
                    placeholder="1024"
                    prop:value=move || budget.get()
                    on:input=move |ev| budget.set(event_target_value(&ev))
                    on:change=move |_| {
                        save(BUDGET_KEY, budget.get_untracked().trim());
                        leptos::task::spawn_local(crate::events::persist::prune());
                    }
                />
            </label>
            <span class="hint">
                "Beyond it, or beyond the last 20 sessions, the oldest saved sessions are removed (never one being saved or restored)"
            </span>
        </section>
    }
}
