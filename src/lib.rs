//! trailview: the browser app (Leptos, client-side rendered), sliced by feature.
//!
//! Map: `app` (root component: layout, contexts, Events | Jobs); the features `events/`
//! (state, the LookupEvents run, query bar, status, table), `jobs/` (the job sources' runs
//! and state, the view, the timeline), `query/` (the Cloud query panel's SLS and Logs Insights
//! editors) and `settings` (the panel); `later` (the one loader of the modules loaded later:
//! `src/bin/trailview-jobs.rs` with the Jobs view for `jobs_host`, Compare's rows and the
//! bucket panel's body, and `src/bin/trailview-query.rs` with the Cloud query panel for
//! `query_host`); `ui/` (components both views use); the leaf services `api` (the only module
//! that talks HTTP), `runtime` (the one driver every source runs on: pacing, retry, cancel),
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
pub mod query;
pub mod query_host;
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
