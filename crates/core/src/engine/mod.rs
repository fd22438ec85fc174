//! The event store and its filter / sort / paginate engine.
//!
//! Each event is parsed once at ingest. Its JSON text is kept for the tree; the fields the table
//! shows and searches are interned per field (a dictionary of distinct strings and a `u32` id per
//! row), times are integers. A filter is compiled once per query: text conditions are evaluated
//! once per distinct string of each dictionary (a handful for the region, up to nearly one
//! per row for a resource name), so checking a row is a handful of array lookups, never
//! string work. Sorting orders the dictionary once and then
//! sorts row indices by integer rank. Results are vectors of row indices; a page is a slice.
//! Nothing here re-parses or re-stringifies an event per keystroke.
//!
//! - `store`: ingest, dedup by `eventId`, interned columns, path columns indexed on demand;
//!   its parts are `dict` (interned strings), `hash_index` (string → number without copying
//!   the strings, growing without a pause: the event ids and the dictionaries), `arena`
//!   (chunked text/byte storage) and `codec` (the compact coding of each event's JSON text).
//! - `batch`: events read off the main thread ([`BatchWriter`] in a worker) and merged into
//!   the store in slices ([`EventStore::ingest_batch`]) without parsing JSON again.
//! - `filter`: [`Filter`] compiled against the store ([`CompiledFilter`]) and applied to rows.
//! - `sort`: [`Sort`], the order of rows by a column.
//! - `facets`: distinct values with counts, of many fields or paths over the same rows (the
//!   fields panel).
//! - `histogram`: rows' times counted into [`crate::histogram`]'s buckets, OK / failed.
//!
//! The fields and columns are [`crate::schema`]'s; the search language is [`crate::query`]'s.

mod arena;
mod batch;
mod codec;
mod dict;
mod facets;
mod filter;
#[cfg(test)]
mod fixtures;
mod hash_index;
mod histogram;
mod sort;
mod store;

pub use crate::histogram::TimeWindow;
pub use batch::{BatchError, BatchIngest, BatchWriter, EventBatch};
pub use facets::{FacetCounts, FacetQuery, FacetSource, FacetValue};
pub use filter::{CompiledFilter, Filter, PathFilter};
pub use sort::Sort;
pub use store::{EventStore, IngestStats, PendingPath, Pushed, SYNC_PATH_ROWS};
