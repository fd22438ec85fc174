//! The module of the views the app loads later (`trailview-jobs.js` + `_bg.wasm`, built by
//! Trunk beside the app; `trailview::later` loads it): the Jobs view (`jobs_host`), Compare's
//! rows (`events::compare`) and the bucket panel's body (`files::bucket_host`), so the bundle
//! every visit downloads leaves the job sources, their timelines, their wire types, the JSON
//! diff and the bucket listings out. Its whole interface is [`mount`] with [`JobsApp`]'s
//! setters, [`mount_compare`], and [`mount_bucket`] with [`BucketApp`]'s; it shares the page
//! (DOM, CSS, sessionStorage's proxy token) but not the app's memory.

use leptos::prelude::*;
use trailview::events::state::Tz;
use trailview::files::bucket::{mount_body, BucketEnv, Chosen};
use trailview::jobs::state::JobsState;
use trailview::jobs::view::{on_shown, JobsView};
use trailview::jobs::OpenRange;
use trailview_core::fetch_policy::LoadMode;
use wasm_bindgen::prelude::*;

/// The mounted Jobs view, as the host holds it.
#[wasm_bindgen]
pub struct JobsApp {
    js: JobsState,
}

#[wasm_bindgen]
impl JobsApp {
    /// The proxy base changed (Settings, or the deploy's `config.json` arriving).
    pub fn set_base(&self, base: String) {
        self.js.base.set(base);
    }

    /// The time zone changed: `utc` or `local`.
    pub fn set_tz(&self, tz: &str) {
        self.js.tz.set(Tz::from_key(tz));
    }

    /// The tab to show: `backfill`, `cdn` or `export` (anything else: the first), from the
    /// page's URL.
    pub fn set_tab(&self, key: &str) {
        self.js.set_tab_key(key);
    }

    /// The view is shown; the first time, its sources load.
    pub fn shown(&self) {
        on_shown(self.js);
    }
}

/// Mounts the Jobs view into `parent` on tab `tab` (a key, as [`JobsApp::set_tab`] takes).
/// `open_range(start_ms, end_ms)` is the host's: it opens the Events view on that range;
/// `tab_changed(key)` is called when the user picks a tab.
#[wasm_bindgen]
pub fn mount(
    parent: web_sys::HtmlElement,
    base: String,
    tz: &str,
    tab: &str,
    open_range: js_sys::Function,
    tab_changed: js_sys::Function,
) -> JobsApp {
    console_error_panic_hook::set_once();
    let js = JobsState::new(base, Tz::from_key(tz));
    js.set_tab_key(tab);
    js.tab_changed.set_value(Some(Callback::new(
        move |s: trailview_core::jobs::Source| {
            let _ = tab_changed.call1(&JsValue::NULL, &JsValue::from_str(s.key()));
        },
    )));
    let open = OpenRange(Callback::new(move |(start, end): (i64, i64)| {
        let _ = open_range.call2(
            &JsValue::NULL,
            &JsValue::from_f64(start as f64),
            &JsValue::from_f64(end as f64),
        );
    }));
    leptos::mount::mount_to(parent, move || {
        provide_context(js);
        provide_context(open);
        view! { <JobsView /> }
    })
    // The view lives as long as the page.
    .forget();
    JobsApp { js }
}

/// Compare's rows, mounted in the app's dialog until [`CompareRows::unmount`].
#[wasm_bindgen]
pub struct CompareRows {
    _rows: Box<dyn std::any::Any>,
}

#[wasm_bindgen]
impl CompareRows {
    /// The dialog closed: the rows leave the page.
    pub fn unmount(self) {}
}

/// Mounts the rows comparing two events (their JSON texts, the first on the left, and their
/// titles) into `parent`.
#[wasm_bindgen]
pub fn mount_compare(
    parent: web_sys::HtmlElement,
    first_raw: &str,
    second_raw: &str,
    first: String,
    second: String,
) -> CompareRows {
    console_error_panic_hook::set_once();
    CompareRows {
        _rows: trailview::events::compare::mount_rows(parent, first_raw, second_raw, first, second),
    }
}

/// The bucket source panel's body (`trailview::files::bucket`), mounted in the app's
/// `<details>` and kept in step by the app through the setters.
#[wasm_bindgen]
pub struct BucketApp {
    env: BucketEnv,
    opened: Callback<()>,
}

#[wasm_bindgen]
impl BucketApp {
    /// The proxy base changed.
    pub fn set_base(&self, base: String) {
        self.env.base.set(base);
    }

    /// The time zone changed: `utc` or `local`.
    pub fn set_tz(&self, tz: &str) {
        self.env.tz.set(Tz::from_key(tz));
    }

    /// The events loaded in the app.
    pub fn set_loaded(&self, loaded: f64) {
        self.env.loaded.set(loaded as usize);
    }

    /// The panel was opened again.
    pub fn opened(&self) {
        self.opened.run(());
    }
}

/// Mounts the bucket panel's body into `parent`. `load(cloud, bucket, files, start_ms, end_ms,
/// mode)` is the host's: it loads `files` (`[key, size, events or -1]` each) of `cloud`'s
/// (`aliyun` or `aws`) `bucket`, leaving out their events outside the range, `mode` `replace`
/// or `add`.
#[wasm_bindgen]
pub fn mount_bucket(
    parent: web_sys::HtmlElement,
    base: String,
    tz: &str,
    loaded: f64,
    load: js_sys::Function,
) -> BucketApp {
    console_error_panic_hook::set_once();
    let load = Callback::new(move |c: Chosen| {
        let files: js_sys::Array = c
            .files
            .iter()
            .map(|f| {
                js_sys::Array::of3(
                    &JsValue::from_str(&f.key),
                    &JsValue::from_f64(f.size as f64),
                    &JsValue::from_f64(f.events.map_or(-1.0, |n| n as f64)),
                )
            })
            .collect();
        let mode = match c.mode {
            LoadMode::Replace => "replace",
            LoadMode::Add => "add",
        };
        let args: js_sys::Array = [
            JsValue::from_str(c.source.cloud.key()),
            JsValue::from_str(&c.source.bucket),
            files.into(),
            JsValue::from_f64(c.range.0 as f64),
            JsValue::from_f64(c.range.1 as f64),
            JsValue::from_str(mode),
        ]
        .into_iter()
        .collect();
        let _ = load.apply(&JsValue::NULL, &args);
    });
    let env = BucketEnv {
        base: RwSignal::new(base),
        tz: RwSignal::new(Tz::from_key(tz)),
        loaded: RwSignal::new(loaded as usize),
        load,
    };
    let opened = mount_body(parent, env);
    BucketApp { env, opened }
}

/// Runs when the app instantiates the module (wasm-bindgen's start): Leptos' task executor
/// (which `mount_to` would also set up), so that `spawn_local` works in every entry point
/// whatever it does first.
fn main() {
    console_error_panic_hook::set_once();
    let _ = any_spawner::Executor::init_wasm_bindgen();
}
