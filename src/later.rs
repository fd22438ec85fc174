//! The module of the views the app loads later (`src/bin/trailview-jobs.rs`; `trailview-jobs.js`
//! and its `_bg.wasm` in `dist/`): the Jobs view (`jobs_host`), Compare's rows (`events::compare`)
//! and the bucket panel's body (`files::bucket_host`). Loaded by a dynamic `import()` the
//! first time one of them is shown, once for the page: the bundle every visit downloads leaves
//! their code (and the job sources' wire types, the JSON diff, the bucket listings) out.
//!
//! Written by hand: Trunk 0.21 cannot split one wasm (trunk-rs/trunk#1022, so no Leptos
//! `#[lazy]`), but it builds a second binary of this crate as a `data-type="worker"` asset
//! with the `web` target (unhashed, not loaded by `index.html`), which is all this needs.

use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;

/// Beside `index.html`, like the file workers' loader; unhashed, so served with `no-cache`.
pub const MODULE_URL: &str = "trailview-jobs.js";
const WASM_URL: &str = "trailview-jobs_bg.wasm";

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn import_module(url: &str) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// The module's namespace: wasm-bindgen's `default` (fetch and instantiate the wasm); the
    /// views' `mount` functions are declared beside their hosts.
    #[derive(Clone)]
    pub type Later;
    #[wasm_bindgen(method, catch, js_name = default)]
    async fn init(this: &Later, options: &js_sys::Object) -> Result<JsValue, JsValue>;
}

/// Where a view that lives in the module is: its host shows "Loading…" while it loads, and why
/// it did not with Retry.
#[derive(Clone, Debug, PartialEq)]
pub enum Loading {
    NotYet,
    Loading,
    Ready,
    Failed(String),
}

thread_local! {
    /// The module once instantiated.
    static LOADED: RefCell<Option<Later>> = const { RefCell::new(None) };
    /// Loads tried so far: a retry asks for the module under another URL, as browsers may
    /// keep a failed module fetch for the URL it failed on.
    static TRIES: Cell<u32> = const { Cell::new(0) };
}

/// The module, instantiated: at once after the first success, else fetched now.
pub async fn load() -> Result<Later, JsValue> {
    if let Some(m) = LOADED.with_borrow(Clone::clone) {
        return Ok(m);
    }
    let tries = TRIES.get();
    TRIES.set(tries + 1);
    // The script and its wasm under the same query, so that a retry refetches both.
    let url = |file: &str| -> Result<String, JsValue> {
        let url = web_sys::Url::new_with_base(file, &document_base())?;
        if tries > 0 {
            url.set_search(&format!("try={tries}"));
        }
        Ok(url.href())
    };
    let module: Later = import_module(&url(MODULE_URL)?).await?.unchecked_into();
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"module_or_path".into(), &url(WASM_URL)?.into())?;
    module.init(&options).await?;
    LOADED.set(Some(module.clone()));
    Ok(module)
}

fn document_base() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default()
}

/// A failed `import()` or instantiation, as a sentence: `what` could not be loaded.
pub fn describe(what: &str, e: &JsValue) -> String {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    format!("{what} could not be loaded ({MODULE_URL}): {detail}")
}
