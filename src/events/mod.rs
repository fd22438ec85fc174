//! The Events view: its state (the store, signals and memos over the core engine), the
//! LookupEvents run, and its components (query bar, progress and errors, the table, the fields
//! panel, keyboard shortcuts, saved sessions, the time histogram).

pub mod aws;
pub mod columns;
pub mod compare;
pub mod copy;
pub mod export;
pub mod fetch;
pub mod fields;
pub mod follow;
pub mod histogram;
pub mod keys;
pub mod persist;
pub mod query_bar;
pub mod restore;
pub mod state;
pub mod status;
pub mod table;
