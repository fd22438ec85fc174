//! The app's side of the Jobs view, which lives in the module loaded later (`crate::later`'s
//! `Module::Views`): loaded on the first visit to the Jobs view, mounted into this component's
//! slot, and kept in step with the app's proxy base and time zone. A failed load says why and
//! offers Retry.

use crate::events::query_bar::QueryForm;
use crate::events::state::AppState;
use crate::later::{Later, Module, Part};
use leptos::prelude::*;
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
    part: Part<JobsApp>,
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
            part: Part::new(Module::Views, "the Jobs view", "jobs"),
            st,
            form,
            show_events,
            tab: RwSignal::new(None),
        }
    }

    /// The Jobs view is shown: load the module the first time (or after a failure), else
    /// tell it.
    pub fn open(self) {
        if self.part.with(JobsApp::shown).is_some() {
            return;
        }
        let (st, form, show_events, tab) = (self.st, self.form, self.show_events, self.tab);
        self.part.ensure(move |module, slot| {
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
            let app = module.unchecked_into::<Later>().mount(
                &slot,
                st.base.get_untracked(),
                st.tz.get_untracked().key(),
                tab.get_untracked().as_deref().unwrap_or_default(),
                open_range.unchecked_ref(),
                tab_changed.unchecked_ref(),
            )?;
            app.shown();
            Ok(app)
        });
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
        host.part.with(|a| {
            a.set_base(base);
            a.set_tz(tz.key());
        });
    });
    // The tab a link or Back / Forward asks for, into the module (which ignores its own).
    Effect::new(move |_| {
        let tab = host.tab.get();
        host.part
            .with(|a| a.set_tab(tab.as_deref().unwrap_or_default()));
    });
    view! {
        <div class="jobs-host" hidden=move || !shown.get()>
            {host.part.status(move || host.open())}
            <div node_ref=host.part.slot></div>
        </div>
    }
}
