//! The root component: layout, context, deploy-time configuration.

use crate::api;
use crate::events::fields::FieldsPanel;
use crate::events::keys::Shortcuts;
use crate::events::query_bar::QueryBar;
use crate::events::restore::SavedSessions;
use crate::events::state::AppState;
use crate::events::status::{Coverage, ErrorBanner, Progress};
use crate::events::table::EventsTable;
use crate::files::bucket_host::BucketPanel;
use crate::files::view::{FilesPanel, OpenFiles};
use crate::files::FilesState;
use crate::jobs_host::{JobsHost, JobsSlot};
use crate::link::{LinkBanner, LinkControls};
use crate::query_host::{QueryHost, QuerySlot, QueryToggle};
use crate::settings::SettingsPanel;
use crate::storage::effective_base;
use crate::ui::json_tree::{FilterRequest, JsonTree};
pub use crate::view::View;
use crate::views_menu::ViewsMenu;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use trailview_core::engine::PathFilter;

#[component]
pub fn App() -> impl IntoView {
    let st = AppState::new();
    #[cfg(feature = "bench")]
    crate::bench::register(st);
    provide_context(st);
    provide_context(FilesState::new());
    provide_context(crate::events::persist::PersistState::start());
    let form = crate::events::query_bar::provide_query_form(st);
    let view = RwSignal::new(View::Events);
    let jobs = JobsHost::new(st, form, Callback::new(move |()| view.set(View::Events)));
    crate::link::start(st, form, view, jobs);
    let query = QueryHost::new(st);
    Effect::new(move |_| {
        let jobs = view.get() == View::Jobs;
        if let Some(b) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = b.class_list().toggle_with_force("view-jobs", jobs);
        }
    });
    let config_base = RwSignal::new(None::<String>);
    st.base.set(effective_base(None));
    spawn_local(async move {
        let (cfg, problem) = api::load_config().await;
        config_base.set(cfg.proxy_base.clone());
        st.base.set(effective_base(cfg.proxy_base.as_deref()));
        if let Some(p) = problem {
            st.notice.set(Some(p));
        }
    });
    let show_settings = RwSignal::new(false);
    // The event pane's width (px), kept in this browser; the table has all the room while no
    // event is selected.
    let detail_w = RwSignal::new(
        crate::storage::load("detail-width")
            .and_then(|w| w.parse::<u32>().ok())
            .map_or(480.0, f64::from),
    );
    view! {
        <header class="top">
            <h1><span class="logo" aria-hidden="true">"◆"</span>" trailview"</h1>
            <span class="subtitle" data-testid="subtitle">{move || match view.get() {
                View::Events => "ActionTrail audit events",
                View::Jobs => "Backfills, report deliveries and log exports",
            }}</span>
            <nav class="views" aria-label="Views">
                <button type="button" data-testid="nav-events" aria-pressed=move || (view.get() == View::Events).to_string()
                    class:active=move || view.get() == View::Events on:click=move |_| view.set(View::Events)>"Events"</button>
                <button type="button" data-testid="nav-jobs" aria-pressed=move || (view.get() == View::Jobs).to_string()
                    class:active=move || view.get() == View::Jobs on:click=move |_| { view.set(View::Jobs); jobs.open() }>"Jobs"</button>
            </nav>
            <span class="spacer"></span>
            <LinkControls />
            <ViewsMenu />
            <button type="button" class="ghost" data-testid="settings-toggle" aria-expanded=move || show_settings.get().to_string()
                on:click=move |_| show_settings.update(|s| *s = !*s)>"Settings"</button>
        </header>
        <Show when=move || show_settings.get()>
            <SettingsPanel config_base=config_base />
        </Show>
        <QueryBar />
        <LinkBanner />
        <SavedSessions />
        <Progress />
        <ErrorBanner />
        <FilesPanel />
        <QuerySlot host=query />
        <Coverage />
        <main class="workspace" class:has-selection=move || st.selected.get().is_some() class:has-fields=move || st.fields_open.get()
            style:--detail-w=move || format!("{}px", trailview_core::numbers::fixed(detail_w.get(), 0))>
            <FieldsPanel />
            <EventsTable>
                <div class="files-bar"><OpenFiles /><BucketPanel /><QueryToggle host=query /></div>
                <button type="button" class="ghost fields-toggle" data-testid="fields-toggle" aria-keyshortcuts="f"
                    aria-pressed=move || st.fields_open.get().to_string() on:click=move |_| st.toggle_fields()>"Fields"</button>
            </EventsTable>
            <Splitter width=detail_w />
            <DetailPanel />
        </main>
        <JobsSlot host=jobs shown=Signal::derive(move || view.get() == View::Jobs) />
        <Shortcuts />
    }
}

/// The selected event as a JSON tree.
#[component]
fn DetailPanel() -> impl IntoView {
    let st = expect_context::<AppState>();
    let on_filter = Callback::new(move |(path, value, exclude): FilterRequest| {
        st.add_path_filter(PathFilter {
            path,
            value,
            exclude,
        });
    });
    let on_column = Callback::new(move |path: trailview_core::json_path::JsonPath| {
        if let Err(e) = st.add_path_column(&path.to_string()) {
            st.notice.set(Some(e.to_string()));
        }
    });
    let on_field = Callback::new(move |path: trailview_core::json_path::JsonPath| {
        let shown = path.to_string();
        match st.add_field(path) {
            trailview_core::fields::AddPath::Added => {}
            trailview_core::fields::AddPath::Listed => st
                .notice
                .set(Some(format!("{shown} is already in the fields panel."))),
            trailview_core::fields::AddPath::Full => st.notice.set(Some(format!(
                "The fields panel holds {} added paths: remove one to add {shown}.",
                trailview_core::fields::MAX_ADDED_PATHS
            ))),
        }
    });
    let doc = Memo::new(move |_| {
        let row = st.selected.get()?;
        st.version.track();
        let raw = st
            .store
            .with_value(|s| (row < s.len() as u32).then(|| s.raw(row).to_string()))?;
        Some(match serde_json::from_str::<serde_json::Value>(&raw) {
            Ok(v) => Ok(Arc::new(v)),
            Err(e) => Err((e.to_string(), raw)),
        })
    });
    view! {
        <aside class="detail" id="event-detail" aria-label="Selected event">
            {move || match doc.get() {
                None => view! { <p class="empty">"Select an event to see it as JSON."</p> }.into_any(),
                Some(Ok(v)) => view! { <JsonTree doc=v on_filter=on_filter on_column=on_column on_field=on_field /> }.into_any(),
                Some(Err((e, raw))) => view! {
                    <div class="api-error" role="alert"><p>{format!("This event is not valid JSON: {e}")}</p><pre class="excerpt">{raw}</pre></div>
                }.into_any(),
            }}
        </aside>
    }
}

/// The handle between the table and the event pane: drag it, or focus it and use ← → (Page
/// Up / Down, Home / End). A WAI-ARIA window splitter.
#[component]
fn Splitter(width: RwSignal<f64>) -> impl IntoView {
    use trailview_core::pane::{clamp_width, key_width, MIN_PANE_PX};
    let el = NodeRef::<leptos::html::Div>::new();
    let container = move || {
        el.get_untracked()
            .and_then(|e| e.parent_element())
            .map_or(1200.0, |p| p.client_width() as f64)
    };
    let save = move || {
        crate::storage::save(
            "detail-width",
            &trailview_core::numbers::fixed(width.get_untracked(), 0),
        )
    };
    let set = move |w: f64| width.set(w);
    let dragging = StoredValue::new(false);
    let on_down = move |ev: leptos::ev::PointerEvent| {
        use wasm_bindgen::JsCast;
        dragging.set_value(true);
        if let Some(t) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = t.set_pointer_capture(ev.pointer_id());
        }
        ev.prevent_default();
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        if !dragging.get_value() {
            return;
        }
        let Some(parent) = el.get_untracked().and_then(|e| e.parent_element()) else {
            return;
        };
        let right = parent.get_bounding_client_rect().right();
        set(clamp_width(right - ev.client_x() as f64, container()));
    };
    let on_up = move |_| {
        if dragging.get_value() {
            dragging.set_value(false);
            save();
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if let Some(w) = key_width(&ev.key(), width.get_untracked(), container()) {
            ev.prevent_default();
            set(w);
            save();
        }
    };
    view! {
        <div class="splitter" node_ref=el role="separator" tabindex="0" data-testid="splitter"
            aria-orientation="vertical" aria-label="Resize the event pane" aria-controls="event-detail"
            aria-valuemin=MIN_PANE_PX aria-valuenow=move || trailview_core::numbers::fixed(width.get(), 0)
            on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
            on:keydown=on_key>
        </div>
    }
}
