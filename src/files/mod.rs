//! Trail files into the events store: files opened from disk (or dropped on the page) and
//! objects downloaded through the proxy (the bucket source builds those jobs). Each file's bytes
//! go to a Web Worker running the core (`crates/worker`: gunzip, parse, map onto the columns);
//! the main thread only merges the finished batches, in slices, so the table stays usable.

pub mod bucket;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use trailview_core::dialect::ApiError;

/// The bytes of one object fetched through the proxy, or why not.
pub type FetchFuture = Pin<Box<dyn Future<Output = Result<js_sys::ArrayBuffer, ApiError>>>>;

/// Starts one download; the signal aborts it (Cancel).
pub type FetchBytes = Rc<dyn Fn(Option<web_sys::AbortSignal>) -> FetchFuture>;

/// One file to load.
#[derive(Clone)]
pub struct FileJob {
    /// The file name or object key: shown in progress and errors.
    pub name: String,
    /// Its size in bytes, when known before reading it.
    pub size: Option<u64>,
    /// How many events it holds, when known before reading it (ActionTrail's file names say).
    pub events_hint: Option<u64>,
    pub source: JobSource,
}

/// Where a job's bytes come from.
#[derive(Clone)]
pub enum JobSource {
    /// A file opened from disk or dropped on the page: read in the browser, never uploaded.
    Disk(web_sys::File),
    /// Bytes from the proxy (GetObject); retried on transient [`ApiError`]s with core's
    /// `paging::Attempts`, not retried for 4xx.
    Fetch(FetchBytes),
}

use crate::events::state::AppState;
use leptos::prelude::*;
use trailview_core::fetch_policy::LoadMode;

/// The file loads' state (in context beside [`AppState`]).
#[derive(Clone, Copy)]
pub struct FilesState {
    /// The running or last load's progress and per-file errors, shown by the load panel.
    pub status: RwSignal<Option<String>>,
}

impl FilesState {
    pub fn new() -> Self {
        FilesState {
            status: RwSignal::new(None),
        }
    }
}

impl Default for FilesState {
    fn default() -> Self {
        Self::new()
    }
}

/// Load `jobs` into the events store (replacing the loaded events or adding to them), at most
/// `cap` events, a few files at a time, with progress, Cancel ([`cancel`]) and a per-file error
/// list in `fs`.
pub fn load(st: AppState, fs: FilesState, jobs: Vec<FileJob>, cap: usize, mode: LoadMode) {
    let _ = (st, jobs, cap, mode);
    fs.status
        .set(Some("Loading files is not wired yet.".to_string()));
}

/// Stop the running load: downloads in flight are aborted, late worker results dropped; what
/// was merged stays.
pub fn cancel(fs: FilesState) {
    let _ = fs;
}
