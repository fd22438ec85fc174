//! trailview: the browser app (Leptos, client-side rendered), sliced by feature.
//!
//! Map: `app` (root component: layout, contexts, Events | Jobs); the features `events/`
//! (state, the LookupEvents run, query bar, status, table), `jobs/` (the job sources' runs
//! and state, the view, the timeline: in the module loaded later, `src/bin/trailview-jobs.rs`,
//! which `later` loads for `jobs_host` on the first visit, and for Compare) and `settings` (the
//! panel); `ui/` (components both views use); the leaf services `api` (the only module that
//! talks HTTP), `runtime` (the one driver every source runs on: pacing, retry, cancel),
//! `storage` (localStorage / sessionStorage, no app state) and `format` (time display); `link`
//! (the view as the page's URL, Copy link) and `views_menu` (saved views). All logic that can
//! be pure lives in `trailview-core`.

pub mod api;
pub mod app;
#[cfg(feature = "bench")]
pub mod bench;
pub mod events;
pub mod files;
pub mod format;
pub mod jobs;
pub mod jobs_host;
pub mod later;
pub mod link;
pub mod persist;
pub mod runtime;
pub mod settings;
pub mod storage;
pub mod ui;
pub mod view;
pub mod views_menu;

/// Mount the app on `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
