//! The "Cloud query" panel: editors for SLS GetLogs and CloudWatch Logs Insights, the clouds'
//! own engines, run through the one driver (`crate::runtime`). A module of its own
//! (`src/bin/trailview-query.rs`), loaded by `query_host` the first time the panel opens; the
//! trail records it finds reach the app's events store through the host's `ingest` callback,
//! every other result column shows in its own result table.

pub mod state;
pub mod view;
