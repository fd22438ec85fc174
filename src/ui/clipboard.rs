//! The one way the app writes to the clipboard.

use wasm_bindgen::JsValue;

/// Writes `text` to the clipboard; the browser's refusal as text. The Clipboard API is absent
/// outside a secure context (plain http on another host than localhost): that is a refusal
/// too, not a TypeError.
pub async fn write(text: String) -> Result<(), String> {
    let nav = web_sys::window().ok_or("no window")?.navigator();
    let present = js_sys::Reflect::get(&nav, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined());
    if !present {
        return Err("this page may not use the clipboard (it needs https)".into());
    }
    wasm_bindgen_futures::JsFuture::from(nav.clipboard().write_text(&text))
        .await
        .map(|_| ())
        .map_err(|e| {
            js_sys::Reflect::get(&e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "no reason given".into())
        })
}
