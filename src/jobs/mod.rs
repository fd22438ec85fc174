//! The Jobs view: the job sources' state and runs, the view (tabs, table, backfill form) and
//! the timeline.

pub mod state;
pub mod timeline;
pub mod view;
