//! Trail files: the log files ActionTrail delivers to OSS and CloudTrail to S3, and the same
//! files opened from disk. Pure: a key is parsed, a file's bytes become a batch of raw records
//! or a named error; listing, downloading and reading files is the caller's.
//!
//! - `keys`: object keys of both layouts, the day folders to list for a time range, which
//!   files may hold events of it, and the key checks the proxy applies before signing.
//! - `documents`: bytes → records (gzip detected by its magic bytes; a JSON array,
//!   `{"Records":[…]}`, `{"Events":[…]}` or NDJSON), with [`documents::FileError`] naming
//!   what is wrong with a file.
//! - `listing`: the storage APIs' wire types: a ListObjectsV2 query and its XML page, and
//!   the XML error body (OSS and S3 share them).
//! - `plan`: a bucket source's walks (the region folders under its trail root; the files of
//!   picked folders in a time range, with their totals) and how a storage answer is read.
//! - `gzip` (cargo feature `gzip`): single- and multi-member gunzip in pure Rust.
//!
//! The records go to [`crate::engine::EventStore::ingest_page`] like LookupEvents' events;
//! [`crate::event::EventRecord`] maps both clouds' records onto the same columns.

pub mod documents;
#[cfg(feature = "gzip")]
pub mod gzip;
pub mod keys;
pub mod listing;
pub mod plan;

pub use documents::{is_gzip, parse_document, read_file, Batch, FileError, Limits, Shape};
pub use keys::{
    check_key, classify_folder, parse_key, trail_root, Found, KeyError, KeyRefused, KeyUse,
    RegionFolder, TrailObject,
};
pub use listing::{
    parse_list_objects, write_list_objects, ListError, ListObjectsPage, ListObjectsRequest,
    ObjectEntry, QueryRefused, StorageError,
};
