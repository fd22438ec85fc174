//! The Jobs view: the job sources' state and runs, the view (tabs, table, backfill form) and
//! the timeline. The shipped app loads it as a module of its own, on the first visit to the
//! Jobs view (`src/bin/trailview-jobs.rs` mounts it; `crate::jobs_host` loads it): nothing here
//! may depend on the events view's state, only on what the host hands in (the proxy base, the
//! time zone, and [`OpenRange`]).

use leptos::prelude::{Callable, Callback};

pub mod state;
pub mod timeline;
pub mod view;

/// What opening a job's time range does: the host fills the Events view's query bar with the
/// range, switches to the Events view and fetches.
#[derive(Clone, Copy)]
pub struct OpenRange(pub Callback<(i64, i64)>);

impl OpenRange {
    pub fn run(&self, range: (i64, i64)) {
        self.0.run(range);
    }
}
