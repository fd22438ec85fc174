//! The Cloud query panel as a module of its own (`trailview-query.js` + `_bg.wasm`, built by
//! Trunk beside the app): the app loads it the first time the panel opens (`query_host`), so
//! the bundle every visit downloads leaves the editors, the engines' state machines and the
//! result table out. Its interface is [`mount`] and [`QueryApp::set_base`]; the trail records a
//! query finds go back to the host's store through its `ingest` callback, as JSON strings.

use leptos::prelude::*;
use std::rc::Rc;
use trailview::query::state::{Host, QueryState};
use trailview::query::view::QueryPanel;
use trailview_core::fetch_policy::LoadMode;
use wasm_bindgen::prelude::*;

/// The mounted panel, as the host holds it.
#[wasm_bindgen]
pub struct QueryApp {
    qs: QueryState,
}

#[wasm_bindgen]
impl QueryApp {
    /// The proxy base changed (Settings, or the deploy's `config.json` arriving).
    pub fn set_base(&self, base: String) {
        self.qs.base.set(base);
    }
}

/// Mounts the panel into `parent`. `loaded()` is how many events the host's table holds;
/// `ingest(mode, source, records)` adds `records` (JSON strings) to it, emptying it first when
/// `mode` is `"replace"`, and returns how many were new.
#[wasm_bindgen]
pub fn mount(
    parent: web_sys::HtmlElement,
    base: String,
    loaded: js_sys::Function,
    ingest: js_sys::Function,
) -> QueryApp {
    console_error_panic_hook::set_once();
    let host = Host {
        loaded: Rc::new(move || {
            loaded
                .call0(&JsValue::NULL)
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as usize
        }),
        ingest: Rc::new(move |mode: LoadMode, source: &str, records: Vec<String>| {
            let arr = js_sys::Array::new_with_length(records.len() as u32);
            for (i, r) in records.iter().enumerate() {
                arr.set(i as u32, JsValue::from_str(r));
            }
            let mode = match mode {
                LoadMode::Replace => "replace",
                LoadMode::Add => "add",
            };
            ingest
                .call3(
                    &JsValue::NULL,
                    &JsValue::from_str(mode),
                    &JsValue::from_str(source),
                    &arr,
                )
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as usize
        }),
    };
    let qs = QueryState::new(base, host);
    leptos::mount::mount_to(parent, move || {
        provide_context(qs);
        view! { <QueryPanel /> }
    })
    // The panel lives as long as the page.
    .forget();
    // After the mount, which sets up the task executor `spawn_local` needs (before it, the
    // module panicked: "no global spawn_local").
    qs.load_logstores();
    QueryApp { qs }
}

/// Runs when the app instantiates the module (wasm-bindgen's start): Leptos' task executor
/// (which `mount_to` would also set up), so that `spawn_local` works in every entry point
/// whatever it does first.
fn main() {
    console_error_panic_hook::set_once();
    let _ = any_spawner::Executor::init_wasm_bindgen();
}
