//! trailview-core: the pure logic of trailview.
//!
//! No IO, no framework: everything here is plain data and functions, tested natively with
//! `cargo test -p trailview-core`. The web app (root crate) and the proxy (`crates/proxy`) both
//! build on it.

pub mod catalogue;
pub mod cloud;
pub mod cloudtrail;
pub mod columns;
pub mod cron;
pub mod dialect;
pub mod diff;
pub mod engine;
pub mod engines;
pub mod event;
pub mod export;
pub mod fetch_policy;
pub mod fields;
pub mod file_load;
pub mod follow;
pub mod histogram;
pub mod jobs;
pub mod json_path;
pub mod lenient;
pub mod lookup;
pub mod marks;
pub mod numbers;
pub mod page;
pub mod paging;
pub mod pane;
pub mod percent;
pub mod query;
pub mod query_form;
pub mod saved_views;
pub mod schema;
pub mod session;
pub mod shortcuts;
pub mod table_query;
pub mod time;
pub mod timeline;
pub mod trail_files;
pub mod tree;
pub mod view_state;
pub mod wire;
