//! What the app keeps in the browser: settings in localStorage (`trailview.<key>`), the proxy
//! token in sessionStorage (this tab only). A leaf service: it knows no app state.

const PREFIX: &str = "trailview.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(&key_name(key)).ok()?
}

/// The key as the browser's storage shows it (`trailview.<key>`).
pub fn key_name(key: &str) -> String {
    format!("{PREFIX}{key}")
}

/// Keeps `value` (an empty one removes the key); false when the browser refused (no storage,
/// quota).
pub fn save(key: &str, value: &str) -> bool {
    let Some(s) = storage() else { return false };
    let k = key_name(key);
    if value.is_empty() {
        s.remove_item(&k).is_ok()
    } else {
        s.set_item(&k, value).is_ok()
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
