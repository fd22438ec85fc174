//! The app's side of the Cloud query panel, a module of its own (`src/bin/trailview-query.rs`,
//! `trailview-query.js` + `_bg.wasm`): loaded by a dynamic `import()` the first time the user
//! opens the panel (the "Cloud query" button beside Open files), mounted into its slot above
//! the table, and kept on the app's proxy base. The trail records a query finds come back
//! through `ingest` into the events store (Replace or Add, as the user answered; dedup by
//! event id). A failed load says why and offers Retry. The loading is `crate::later`'s.

use crate::events::state::AppState;
use crate::later::{Module, Part};
use leptos::prelude::*;
use serde_json::value::RawValue;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    type QueryModule;
    #[wasm_bindgen(method, catch)]
    fn mount(
        this: &QueryModule,
        parent: &web_sys::HtmlElement,
        base: String,
        loaded: &js_sys::Function,
        ingest: &js_sys::Function,
    ) -> Result<QueryApp, JsValue>;

    type QueryApp;
    #[wasm_bindgen(method)]
    fn set_base(this: &QueryApp, base: String);
}

/// The panel's place and its open / closed state.
#[derive(Clone, Copy)]
pub struct QueryHost {
    part: Part<QueryApp>,
    st: AppState,
    pub open: RwSignal<bool>,
}

impl QueryHost {
    pub fn new(st: AppState) -> Self {
        QueryHost {
            part: Part::new(Module::Query, "the Cloud query panel", "query"),
            st,
            open: RwSignal::new(false),
        }
    }

    /// The button: open (loading the module the first time) or close the panel.
    pub fn toggle(self) {
        let open = !self.open.get_untracked();
        self.open.set(open);
        if open {
            self.ensure_loaded();
        }
    }

    fn ensure_loaded(self) {
        let st = self.st;
        self.part.ensure(move |module, slot| {
            let loaded =
                Closure::<dyn Fn() -> f64>::new(move || st.store.with_value(|s| s.len()) as f64)
                    .into_js_value();
            let ingest = Closure::<dyn Fn(String, String, js_sys::Array) -> f64>::new(
                move |mode: String, source: String, records: js_sys::Array| {
                    ingest(st, &mode, source, &records)
                },
            )
            .into_js_value();
            module.unchecked_into::<QueryModule>().mount(
                &slot,
                st.base.get_untracked(),
                loaded.unchecked_ref(),
                ingest.unchecked_ref(),
            )
        });
    }
}

/// A query's records into the store: `"replace"` stops the fetch and empties the table first.
/// How many were new (the store drops ids it has).
fn ingest(st: AppState, mode: &str, source: String, records: &js_sys::Array) -> f64 {
    if mode == "replace" {
        crate::events::fetch::cancel(st);
        st.replace_events();
    }
    let raws: Vec<Box<RawValue>> = records
        .iter()
        .filter_map(|v| v.as_string())
        .filter_map(|s| RawValue::from_string(s).ok())
        .collect();
    if raws.is_empty() {
        return 0.0;
    }
    // What the table held before: records that were all there already change no origin.
    let held = st.store.with_value(|s| s.len());
    crate::events::persist::begin(st);
    let added = st
        .store
        .try_update_value(|s| s.ingest_page(&raws).added)
        .unwrap_or(0);
    crate::events::persist::name_query(source.clone(), added);
    if added > 0 {
        st.loaded_from_after(
            trailview_core::fetch_policy::Origin::CloudQuery(source),
            held,
        );
    }
    st.version.update(|v| *v += 1);
    crate::events::persist::query_page(st);
    added as f64
}

/// The "Cloud query" button (beside Open files).
#[component]
pub fn QueryToggle(host: QueryHost) -> impl IntoView {
    view! {
        <button type="button" data-testid="cloud-query-toggle" aria-expanded=move || host.open.get().to_string()
            class="short-label" on:click=move |_| host.toggle()><span class="narrow-hidden">"Cloud "</span>"query"</button>
    }
}

/// The panel's place: its status while the module loads (or why it did not), then the panel.
#[component]
pub fn QuerySlot(host: QueryHost) -> impl IntoView {
    let st = host.st;
    // Calls the module's setter; writes nothing in this app's graph.
    Effect::new(move |_| {
        let base = st.base.get();
        host.part.with(|a| a.set_base(base));
    });
    view! {
        <div class="query-host" hidden=move || !host.open.get()>
            {host.part.status(move || host.ensure_loaded())}
            <div node_ref=host.part.slot></div>
        </div>
    }
}
