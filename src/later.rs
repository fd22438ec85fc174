//! The one loader of the modules the app loads later: binaries of this crate that Trunk builds
//! beside the app (`data-type="worker"` assets with the `web` target: unhashed, not loaded by
//! `index.html`) and that the app `import()`s the first time one of their parts is shown, so
//! the bundle every visit downloads leaves their code out. [`Module::Views`]
//! (`src/bin/trailview-jobs.rs`) holds the Jobs view (`jobs_host`), Compare's rows
//! (`events::compare`) and the bucket panel's body (`files::bucket_host`); [`Module::Query`]
//! (`src/bin/trailview-query.rs`) the Cloud query panel (`query_host`).
//!
//! Each module is fetched once for the page: parts that ask while its load is in flight wait
//! for that load; a failed load is forgotten, so the next ask (Retry) loads again, under
//! another URL. A part mounted from a module ([`Part`]) shows "Loading…" meanwhile and why it
//! failed with Retry ([`status`]). Each module sets up its own task executor when its wasm
//! starts (its `main`), so its `spawn_local` works before any `mount_to`.
//!
//! Written by hand: Trunk 0.21 cannot split one wasm (trunk-rs/trunk#1022, so no Leptos
//! `#[lazy]`).

use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "export function load_module(url, wasm) {
  return import(url).then((m) => m.default({ module_or_path: wasm }).then(() => m));
}")]
extern "C" {
    /// `import()`s the script at `url` and instantiates its wasm (wasm-bindgen's `default`)
    /// from `wasm`: the module's namespace.
    fn load_module(url: &str, wasm: &str) -> js_sys::Promise;
}

#[wasm_bindgen]
extern "C" {
    /// The namespace of [`Module::Views`]; its parts' `mount` functions are declared beside
    /// their hosts.
    #[derive(Clone)]
    pub type Later;
}

/// A module the app loads later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Module {
    /// `trailview-jobs.js`: the Jobs view, Compare's rows, the bucket panel's body.
    Views,
    /// `trailview-query.js`: the Cloud query panel.
    Query,
}

impl Module {
    /// The script, beside `index.html` like the file workers' loader; unhashed, so served with
    /// `no-cache`.
    pub fn script(self) -> &'static str {
        match self {
            Module::Views => "trailview-jobs.js",
            Module::Query => "trailview-query.js",
        }
    }

    fn wasm(self) -> &'static str {
        match self {
            Module::Views => "trailview-jobs_bg.wasm",
            Module::Query => "trailview-query_bg.wasm",
        }
    }
}

/// One module's load.
#[derive(Default)]
struct Slot {
    /// The load in flight or done (its promise resolves to the namespace); `None` before the
    /// first ask and after a failure.
    pending: Option<js_sys::Promise>,
    /// Loads started so far: a retry asks under another URL (`?try=N`, the script and its
    /// wasm alike), as browsers may keep a failed module fetch for the URL it failed on.
    tries: u32,
}

thread_local! {
    static SLOTS: RefCell<[Slot; 2]> = RefCell::new(Default::default());
}

fn with_slot<R>(m: Module, f: impl FnOnce(&mut Slot) -> R) -> R {
    SLOTS.with_borrow_mut(|s| f(&mut s[m as usize]))
}

/// `m`'s namespace, its wasm instantiated: the load in flight or done, else one started now.
pub async fn load(m: Module) -> Result<JsValue, JsValue> {
    let (promise, tries) = with_slot(m, |s| {
        if let Some(p) = &s.pending {
            return (p.clone(), s.tries);
        }
        let p = start(m, s.tries);
        s.tries += 1;
        s.pending = Some(p.clone());
        (p, s.tries)
    });
    let loaded = wasm_bindgen_futures::JsFuture::from(promise).await;
    if loaded.is_err() {
        // Forget it (unless a newer load has started meanwhile): the next ask loads again.
        with_slot(m, |s| {
            if s.tries == tries {
                s.pending = None;
            }
        });
    }
    loaded
}

fn start(m: Module, tries: u32) -> js_sys::Promise {
    let url = |file: &str| -> Result<String, JsValue> {
        let base = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.base_uri().ok().flatten())
            .unwrap_or_default();
        let url = web_sys::Url::new_with_base(file, &base)?;
        if tries > 0 {
            url.set_search(&format!("try={tries}"));
        }
        Ok(url.href())
    };
    match (url(m.script()), url(m.wasm())) {
        (Ok(script), Ok(wasm)) => load_module(&script, &wasm),
        (Err(e), _) | (_, Err(e)) => js_sys::Promise::reject(&e),
    }
}

/// A failed load of `what` (its first letter made a capital) from `m`, as a sentence.
pub fn describe(what: &str, m: Module, e: &JsValue) -> String {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    let mut chars = what.chars();
    let what: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    format!("{what} could not be loaded ({}): {detail}", m.script())
}

/// Where a part that lives in a module is.
#[derive(Clone, Debug, PartialEq)]
pub enum Loading {
    /// Not asked for (or, for a part mounted per use, not shown).
    NotYet,
    Loading,
    Ready,
    Failed(String),
}

/// The status of a part while its module loads: "Loading {what}…", or why it failed with
/// Retry (`data-testid` `{key}-load-error`); nothing before and once ready.
pub fn status(
    state: RwSignal<Loading>,
    what: &'static str,
    key: &'static str,
    retry: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || match state.get() {
        Loading::NotYet | Loading::Ready => None,
        Loading::Loading => Some(
            view! { <p class="later-loading" role="status">"Loading " {what} "…"</p> }.into_any(),
        ),
        Loading::Failed(m) => Some(
            view! {
                <div class="api-error" role="alert" data-testid=format!("{key}-load-error")>
                    <p>{m}</p>
                    <button type="button" on:click=move |_| retry()>"Retry"</button>
                </div>
            }
            .into_any(),
        ),
    }
}

/// A part mounted once from a module into its slot on the page, as long as the page lives:
/// its state, the handle its `mount` returned (`T`), and its slot.
pub struct Part<T: 'static> {
    module: Module,
    what: &'static str,
    key: &'static str,
    state: RwSignal<Loading>,
    app: StoredValue<Option<T>, LocalStorage>,
    /// Where the part is mounted (the host puts it on the page).
    pub slot: NodeRef<leptos::html::Div>,
}

impl<T> Clone for Part<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Part<T> {}

impl<T: 'static> Part<T> {
    /// `what` names the part in its status ("the Jobs view"); `key` its error's test id.
    pub fn new(module: Module, what: &'static str, key: &'static str) -> Self {
        Part {
            module,
            what,
            key,
            state: RwSignal::new(Loading::NotYet),
            app: StoredValue::new_local(None),
            slot: NodeRef::new(),
        }
    }

    /// `f` of the mounted part; `None` before it is mounted.
    pub fn with<R>(self, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.app.with_value(|a| a.as_ref().map(f))
    }

    /// Loads the module and mounts the part (`mount(namespace, slot)`), unless it is mounted
    /// or on its way.
    pub fn ensure(
        self,
        mount: impl FnOnce(JsValue, web_sys::HtmlElement) -> Result<T, JsValue> + 'static,
    ) {
        if self.app.with_value(Option::is_some) || self.state.get_untracked() == Loading::Loading {
            return;
        }
        self.state.set(Loading::Loading);
        leptos::task::spawn_local(async move {
            let mounted = async {
                let module = load(self.module).await?;
                let slot = self.slot.get_untracked().ok_or_else(|| {
                    JsValue::from_str(&format!("{}'s place is not on the page", self.what))
                })?;
                mount(module, slot.into())
            };
            match mounted.await {
                Ok(app) => {
                    self.app.set_value(Some(app));
                    self.state.set(Loading::Ready);
                }
                Err(e) => self
                    .state
                    .set(Loading::Failed(describe(self.what, self.module, &e))),
            }
        });
    }

    /// Its status (see [`status`]); Retry calls `retry`.
    pub fn status(self, retry: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
        status(self.state, self.what, self.key, retry)
    }
}
