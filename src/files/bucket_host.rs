//! The app's side of the bucket source panel ("Load from a bucket", beside Open files): the
//! `<details>` is the app's, its body (`super::bucket`: sources, regions, range, listing) is in
//! the module loaded later (`crate::later`), loaded the first time the panel is opened and kept
//! in step with the proxy base, the time zone and the loaded events. The files it lists come
//! back here to be loaded by the app's file pipeline. A failed load says why and offers Retry.

use super::FilesState;
use crate::api;
use crate::events::state::AppState;
use crate::later::{Later, Module, Part};
use crate::storage::api_client;
use js_sys::Array;
use leptos::prelude::*;
use trailview_core::cloud::Cloud;
use trailview_core::fetch_policy::LoadMode;
use trailview_core::trail_files::plan::{PlannedFile, BUCKET_EVENTS_CAP};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The panel body's `mount_bucket` in the module.
    #[wasm_bindgen(method, catch)]
    fn mount_bucket(
        this: &Later,
        parent: &web_sys::HtmlElement,
        base: String,
        tz: &str,
        loaded: f64,
        load: &js_sys::Function,
    ) -> Result<BucketApp, JsValue>;

    /// The mounted body (`BucketApp` in the module).
    type BucketApp;
    #[wasm_bindgen(method)]
    fn set_base(this: &BucketApp, base: String);
    #[wasm_bindgen(method)]
    fn set_tz(this: &BucketApp, tz: &str);
    #[wasm_bindgen(method)]
    fn set_loaded(this: &BucketApp, loaded: f64);
    #[wasm_bindgen(method)]
    fn opened(this: &BucketApp);
}

/// The files the module chose, as it passes them (`[key, size, events or -1]` each).
fn planned(files: &Array) -> Vec<PlannedFile> {
    files
        .iter()
        .filter_map(|f| {
            let f: Array = f.dyn_into().ok()?;
            Some(PlannedFile {
                key: f.get(0).as_string()?,
                size: f.get(1).as_f64()? as u64,
                events: f.get(2).as_f64().filter(|n| *n >= 0.0).map(|n| n as u64),
                time_ms: 0,
            })
        })
        .collect()
}

/// Load the chosen files: each an object of `bucket` read through the proxy.
fn load(
    st: AppState,
    fs: FilesState,
    cloud: Cloud,
    bucket: &str,
    files: &[PlannedFile],
    range: (i64, i64),
    mode: LoadMode,
) {
    let gets = std::rc::Rc::new(api::ObjectGets::new(
        &api_client(st.base.get_untracked()),
        cloud,
        bucket,
    ));
    super::load(
        st,
        fs,
        super::object_jobs(gets, files, Some(range)),
        BUCKET_EVENTS_CAP,
        mode,
    );
}

/// The bucket source panel (in the Events view, beside Open files).
#[component]
pub fn BucketPanel() -> impl IntoView {
    let st = expect_context::<AppState>();
    let fs = expect_context::<FilesState>();
    let part = Part::<BucketApp>::new(Module::Views, "the bucket panel", "bucket");
    let loaded = Memo::new(move |_| {
        st.version.track();
        st.store.with_value(|s| s.len())
    });
    // The app's settings and loaded events, into the module (which holds its own signals).
    Effect::new(move |_| {
        let (base, tz, n) = (st.base.get(), st.tz.get(), loaded.get());
        part.with(|a| {
            a.set_base(base);
            a.set_tz(tz.key());
            a.set_loaded(n as f64);
        });
    });
    let start = move || {
        part.ensure(move |module, slot| {
            // Lives as long as the page: the module keeps it.
            let load_files = Closure::<dyn Fn(String, String, Array, f64, f64, String)>::new(
                move |cloud: String,
                      bucket: String,
                      files: Array,
                      start: f64,
                      end: f64,
                      mode: String| {
                    // Anything but the two modes is ignored (never a Replace that clears the table).
                    let mode = match mode.as_str() {
                        "add" => LoadMode::Add,
                        "replace" => LoadMode::Replace,
                        _ => return,
                    };
                    let range = (start as i64, end as i64);
                    if let Some(cloud) = Cloud::from_key(&cloud) {
                        load(st, fs, cloud, &bucket, &planned(&files), range, mode);
                    }
                },
            )
            .into_js_value();
            module.unchecked_into::<Later>().mount_bucket(
                &slot,
                st.base.get_untracked(),
                st.tz.get_untracked().key(),
                loaded.get_untracked() as f64,
                load_files.unchecked_ref(),
            )
        })
    };
    view! {
        <details class="bucket-source" data-testid="bucket-source"
            on:toggle=move |ev| {
                if !event_target::<web_sys::Element>(&ev).has_attribute("open") {
                    return;
                }
                if part.with(BucketApp::opened).is_none() {
                    start();
                }
            }>
            <summary>"Load from a bucket"</summary>
            {part.status(start)}
            <div class="bucket-body" node_ref=part.slot></div>
        </details>
    }
}
