//! trailview: the browser app (Leptos, client-side rendered).
//!
//! Map: `app` (root component, layout), `state` (signals and memos over the core engine),
//! `api` (the only module that talks HTTP), `runtime` (the one driver every source runs on:
//! pacing, retry, cancel), `fetch` (the events run), `jobs` (the job sources' runs and state),
//! `storage` (localStorage / sessionStorage, no app state), `format` (time display),
//! `components/*` (query bar, progress and errors, event table, JSON tree, jobs, settings). All logic that can be pure lives in
//! `trailview-core`.

pub mod api;
pub mod app;
#[cfg(feature = "bench")]
pub mod bench;
pub mod components;
pub mod fetch;
pub mod format;
pub mod jobs;
pub mod runtime;
pub mod state;
pub mod storage;

/// Mount the app on `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
