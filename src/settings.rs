//! User settings kept in localStorage, and the settings panel.

use crate::state::{AppState, Tz};
use leptos::prelude::*;

const PREFIX: &str = "trailview.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(&format!("{PREFIX}{key}")).ok()?
}

pub fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        let k = format!("{PREFIX}{key}");
        let _ = if value.is_empty() {
            s.remove_item(&k)
        } else {
            s.set_item(&k, value)
        };
    }
}

/// The proxy token: in sessionStorage (this tab only, gone when it closes), never localStorage.
const TOKEN_KEY: &str = "trailview.proxyToken";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The proxy token entered in Settings, if any (sent as `Authorization: Bearer`).
pub fn proxy_token() -> Option<String> {
    let t = session_storage()?.get_item(TOKEN_KEY).ok()??;
    let t = t.trim().to_string();
    (!t.is_empty()).then_some(t)
}

/// The API client for `base`, with the proxy token entered in Settings (read when called, so
/// a token changed in Settings applies to the next fetch).
pub fn api_client(base: String) -> crate::api::ApiClient {
    crate::api::ApiClient {
        base,
        token: proxy_token(),
    }
}

pub fn save_proxy_token(token: &str) {
    if let Some(s) = session_storage() {
        let _ = if token.trim().is_empty() {
            s.remove_item(TOKEN_KEY)
        } else {
            s.set_item(TOKEN_KEY, token.trim())
        };
    }
}

/// The proxy base in effect: the user's override, else config.json's, else `/api`.
pub fn effective_base(config_base: Option<&str>) -> String {
    load("proxyBase")
        .filter(|s| !s.trim().is_empty())
        .or_else(|| config_base.map(str::to_string))
        .unwrap_or_else(|| crate::api::DEFAULT_BASE.to_string())
}

#[component]
pub fn SettingsPanel(config_base: RwSignal<Option<String>>) -> impl IntoView {
    let st = expect_context::<AppState>();
    let draft = RwSignal::new(load("proxyBase").unwrap_or_default());
    let token = RwSignal::new(proxy_token().unwrap_or_default());
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
        </section>
    }
}
