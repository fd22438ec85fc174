//! The app's side of the Jobs view, which lives in the module loaded later (`crate::later`):
//! loaded on the first visit to the Jobs view, mounted into this component's slot, and kept in
//! step with the app's proxy base and time zone. A failed load says why and offers Retry.

use crate::events::query_bar::QueryForm;
use crate::events::state::AppState;
use crate::later::{self, Later, Loading as Load};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The Jobs view's `mount` in the module.
    #[wasm_bindgen(method, catch)]
    fn mount(
        this: &Later,
        parent: &web_sys::HtmlElement,
        base: String,
        tz: &str,
        tab: &str,
        open_range: &js_sys::Function,
        tab_changed: &js_sys::Function,
    ) -> Result<JobsApp, JsValue>;

    /// The mounted view (`JobsApp` in the module).
    type JobsApp;
    #[wasm_bindgen(method)]
    fn set_base(this: &JobsApp, base: String);
    #[wasm_bindgen(method)]
    fn set_tz(this: &JobsApp, tz: &str);
    #[wasm_bindgen(method)]
    fn set_tab(this: &JobsApp, key: &str);
    #[wasm_bindgen(method)]
    fn shown(this: &JobsApp);
}

/// Where the Jobs view appears. `open` is called on every visit to the Jobs view.
#[derive(Clone, Copy)]
pub struct JobsHost {
    load: RwSignal<Load>,
    app: StoredValue<Option<JobsApp>, LocalStorage>,
    slot: NodeRef<leptos::html::Div>,
    st: AppState,
    form: QueryForm,
    /// Opening a job's range: the host switches to the Events view.
    show_events: Callback<()>,
    /// The Jobs view's tab (its key, as the page's URL names it; `None`: the first), set by
    /// a link and by the user's pick in the module.
    pub tab: RwSignal<Option<String>>,
}

impl JobsHost {
    pub fn new(st: AppState, form: QueryForm, show_events: Callback<()>) -> Self {
        JobsHost {
            load: RwSignal::new(Load::NotYet),
            app: StoredValue::new_local(None),
            slot: NodeRef::new(),
            st,
            form,
            show_events,
            tab: RwSignal::new(None),
        }
    }

    /// The Jobs view is shown: load the module the first time (or after a failure), else
    /// tell it.
    pub fn open(self) {
        if self
            .app
            .with_value(|a| a.as_ref().map(JobsApp::shown))
            .is_some()
        {
            return;
        }
        if self.load.get_untracked() == Load::Loading {
            return;
        }
        self.load.set(Load::Loading);
        spawn_local(async move {
            match self.start().await {
                Ok(app) => {
                    app.shown();
                    self.app.set_value(Some(app));
                    self.load.set(Load::Ready);
                }
                Err(e) => self
                    .load
                    .set(Load::Failed(later::describe("The Jobs view", &e))),
            }
        });
    }

    async fn start(self) -> Result<JobsApp, JsValue> {
        let module = later::load().await?;
        let slot = self
            .slot
            .get_untracked()
            .ok_or_else(|| JsValue::from_str("the Jobs view's place is not on the page"))?;
        let (st, form, show_events, tab) = (self.st, self.form, self.show_events, self.tab);
        // Lives as long as the page: the module keeps it.
        let open_range = Closure::<dyn Fn(f64, f64)>::new(move |start: f64, end: f64| {
            show_events.run(());
            form.open_range(st, start as i64, end as i64);
        })
        .into_js_value();
        let tab_changed = Closure::<dyn Fn(String)>::new(move |key: String| {
            tab.set(Some(key));
        })
        .into_js_value();
        module.mount(
            &slot,
            self.st.base.get_untracked(),
            self.st.tz.get_untracked().key(),
            tab.get_untracked().as_deref().unwrap_or_default(),
            open_range.unchecked_ref(),
            tab_changed.unchecked_ref(),
        )
    }
}

/// The Jobs view's place: its status while the module loads (or why it did not), then the
/// view itself. The app's proxy base and time zone follow into the module.
#[component]
pub fn JobsSlot(host: JobsHost, shown: Signal<bool>) -> impl IntoView {
    let st = host.st;
    // The one Effect that reaches across: it writes nothing in this app's graph, it calls the
    // module's setters (the module's own signals are on the far side of the wasm boundary).
    Effect::new(move |_| {
        let (base, tz) = (st.base.get(), st.tz.get());
        host.app.with_value(|a| {
            if let Some(a) = a {
                a.set_base(base);
                a.set_tz(tz.key());
            }
        });
    });
    // The tab a link or Back / Forward asks for, into the module (which ignores its own).
    Effect::new(move |_| {
        let tab = host.tab.get();
        host.app.with_value(|a| {
            if let Some(a) = a {
                a.set_tab(tab.as_deref().unwrap_or_default());
            }
        });
    });
    view! {
        <div class="jobs-host" hidden=move || !shown.get()>
            {move || match host.load.get() {
                Load::NotYet | Load::Ready => None,
                Load::Loading => Some(view! {
                    <p class="jobs-loading" role="status">"Loading the Jobs view…"</p>
                }.into_any()),
                Load::Failed(m) => Some(view! {
                    <div class="api-error" role="alert" data-testid="jobs-load-error">
                        <p>{m}</p>
                        <button type="button" on:click=move |_| host.open()>"Retry"</button>
                    </div>
                }.into_any()),
            }}
            <div node_ref=host.slot></div>
        </div>
    }
}
