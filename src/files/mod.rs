//! Trail files into the events store: files opened from disk (or dropped on the page) and
//! objects downloaded through the proxy (the bucket source builds those jobs). Each file's bytes
//! go to a Web Worker running the core (`crates/worker`: gunzip, parse, map onto the columns);
//! the main thread only merges the finished batches, in slices, so the table stays usable.

pub mod bucket;
pub mod bucket_host;

use crate::api::{self, ObjectGet};

/// One file to load.
#[derive(Clone)]
pub struct FileJob {
    /// The file name or object key: shown in progress and errors.
    pub name: String,
    /// Its size in bytes, when known before reading it.
    pub size: Option<u64>,
    /// How many events it holds, when known before reading it (ActionTrail's file names say).
    pub events_hint: Option<u64>,
    /// `[from, to)` in epoch ms, for a file chosen for a time range: its events outside it
    /// (a file near the range's edges holds some) are left out and counted.
    pub window: Option<(i64, i64)>,
    pub source: JobSource,
}

/// Where a job's bytes come from.
#[derive(Clone)]
pub enum JobSource {
    /// A file opened from disk or dropped on the page: read in the browser, never uploaded.
    Disk(web_sys::File),
    /// An object from the proxy (GetObject of `key`), downloaded by the worker that reads it
    /// (the main thread does no per-file network work); retried on transient API errors with
    /// core's `paging::Attempts`, not retried for 4xx. The request is built when the file
    /// starts, so that making a load's jobs is no long main-thread task.
    Object {
        gets: std::rc::Rc<api::ObjectGets>,
        key: String,
    },
}

/// Listed objects as jobs for the file pipeline: each downloads its object (a GetObject `gets`
/// makes when the file starts, through the proxy base `gets` was made for), keeping the events
/// inside `window` when there is one.
pub fn object_jobs(
    gets: std::rc::Rc<api::ObjectGets>,
    files: &[trailview_core::trail_files::plan::PlannedFile],
    window: Option<(i64, i64)>,
) -> Vec<FileJob> {
    files
        .iter()
        .map(|f| FileJob {
            name: f.key.clone(),
            size: Some(f.size),
            events_hint: f.events,
            window,
            source: JobSource::Object {
                gets: gets.clone(),
                key: f.key.clone(),
            },
        })
        .collect()
}

pub mod pool;
pub mod view;

use crate::events::state::AppState;
use crate::runtime::{now_ms, Runner, Ticket};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pool::{get, Input, Pool};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Duration;
use trailview_core::engine::{BatchIngest, EventBatch};
use trailview_core::fetch_policy::LoadMode;
use trailview_core::file_load::{
    download_groups, expected_events, slice_rows, worker_count, FileLoad, LoadEnd, Rest,
    BYTES_IN_FLIGHT, FILES_PER_MESSAGE, JOBS_PER_WORKER,
};
use trailview_core::paging::Retry;
use wasm_bindgen::{JsCast, JsValue};

/// The file loads' state (in context beside [`AppState`]).
#[derive(Clone, Copy)]
pub struct FilesState {
    /// The running or last load: its files, progress, errors and how it ended.
    pub load: RwSignal<Option<FileLoad>>,
}

impl FilesState {
    pub fn new() -> Self {
        FilesState {
            load: RwSignal::new(None),
        }
    }

    pub fn running(&self) -> bool {
        self.load
            .with_untracked(|l| l.as_ref().is_some_and(|l| l.running()))
    }
}

impl Default for FilesState {
    fn default() -> Self {
        Self::new()
    }
}

thread_local! {
    /// The file load's runner: a new load or Cancel aborts the downloads in flight, and the
    /// answers of older loads are dropped.
    static RUNNER: Runner = Runner::default();
    static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
}

/// Main-thread time one merge turn may take before it yields (the browser paints, the table
/// answers input). A turn is made of slices of rows sized from the last slice's time to
/// [`SLICE_MS`], so that a slow slice (the CPU taken by the workers, a memory growth) overruns
/// the turn by little.
const MERGE_BUDGET_MS: f64 = 8.0;
const SLICE_MS: f64 = 2.0;
/// How often the table shows the events merged so far during a load (each time the order
/// and the filter are recomputed over the whole store).
const SHOW_EVERY_MS: f64 = 500.0;
/// How often the load panel shows the model's progress: the model changes with every file and
/// every merged slice, and each change shown recomputes the panel.
const PANEL_EVERY_MS: f64 = 150.0;
/// The longest the driver sleeps with nothing to do: one interval of the load wakes it this
/// often (the panel's elapsed time moves on, a retry that is due starts, a Cancel is seen), so
/// that waiting for a read sets no timer of its own.
const IDLE_MS: u32 = 250;

fn perf_now() -> f64 {
    thread_local! {
        static PERFORMANCE: Option<web_sys::Performance> =
            web_sys::window().and_then(|w| w.performance());
    }
    PERFORMANCE.with(|p| p.as_ref().map_or_else(now_ms, |p| p.now()))
}

fn workers() -> usize {
    web_sys::window().map_or(1, |w| worker_count(w.navigator().hardware_concurrency()))
}

/// The pool, started on first use (again after a Cancel or a worker failure).
fn pool() -> Result<Pool, String> {
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if let Some(pool) = p.as_ref().filter(|pool| pool.healthy()) {
            return Ok(pool.clone());
        }
        if let Some(old) = p.take() {
            old.terminate();
        }
        let pool = Pool::start(workers())?;
        *p = Some(pool.clone());
        Ok(pool)
    })
}

/// Load `jobs` into the events store (replacing the loaded events or adding to them), at most
/// `cap` events, a few files at a time, with progress, Cancel ([`cancel`]) and a per-file error
/// list in `fs`. A load started while another runs replaces it.
pub fn load(st: AppState, fs: FilesState, jobs: Vec<FileJob>, cap: usize, mode: LoadMode) {
    let ticket = RUNNER.with(Runner::start);
    if mode == LoadMode::Replace {
        st.replace_events();
    } else {
        st.release_held();
    }
    st.loaded_from(trailview_core::fetch_policy::Origin::Files);
    let expected = expected_events(jobs.iter().map(|j| j.events_hint), cap);
    let pool = pool();
    let files = jobs.iter().map(|j| (j.name.clone(), j.size)).collect();
    let mut model = FileLoad::new(files, cap, workers() * JOBS_PER_WORKER)
        .with_bytes_in_flight(BYTES_IN_FLIGHT);
    if let Err(e) = &pool {
        // Nothing can be read: every file says why.
        loop {
            let started = model.start_next(0.0);
            if started.is_empty() {
                break;
            }
            for i in started {
                model.failed(i, e.clone());
            }
        }
    }
    fs.load.set(Some(model));
    // The store this load writes to: a Replace by any other load (a fetch) stops this one.
    let epoch = st.store.with_value(|s| s.epoch());
    if let Ok(pool) = pool {
        spawn_local(run(
            st,
            fs,
            std::rc::Rc::new(jobs),
            expected,
            pool,
            ticket,
            epoch,
        ));
    }
}

/// Stop the running load: downloads in flight are aborted, the workers stopped, late answers
/// dropped; what was merged stays.
pub fn cancel(st: AppState, fs: FilesState) {
    RUNNER.with(Runner::cancel);
    stop_workers();
    if fs.running() {
        fs.load.update(|l| {
            if let Some(l) = l {
                l.stop(LoadEnd::Cancelled)
            }
        });
        st.version.update(|v| *v += 1);
    }
}

/// Stop the workers and what they are doing (a download, a read); the next load starts new ones.
fn stop_workers() {
    POOL.with(|p| {
        if let Some(p) = p.borrow_mut().take() {
            p.terminate();
        }
    });
}

/// Batches read and waiting to be merged, in the order they arrived. A worker reads a file
/// whole: the cap is judged while merging, on the events added (duplicates of loaded events
/// take no room).
type Ready = std::rc::Rc<RefCell<VecDeque<(usize, BatchIngest)>>>;

/// Wakes the load's driver when a read ends (a batch to merge, a failure, a retry to plan), so
/// that the next file starts at once rather than at the driver's next tick.
#[derive(Clone, Default)]
struct Wake(std::rc::Rc<RefCell<(bool, Option<std::task::Waker>)>>);

impl Wake {
    fn wake(&self) {
        let waker = {
            let mut w = self.0.borrow_mut();
            w.0 = true;
            w.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Until [`Wake::wake`] (or a wake since the last wait): a read's end, or the load's
    /// interval ([`IDLE_MS`]).
    async fn wait(&self) {
        std::future::poll_fn(|cx| {
            let mut w = self.0.borrow_mut();
            if std::mem::take(&mut w.0) {
                std::task::Poll::Ready(())
            } else {
                w.1 = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        })
        .await
    }
}

/// Change the load's model without showing it: the driver shows it at most every
/// [`PANEL_EVERY_MS`] and when the load ends.
fn update_model(fs: FilesState, f: &mut dyn FnMut(&mut FileLoad)) {
    fs.load.update_untracked(|l| {
        if let Some(l) = l {
            f(l)
        }
    });
}

/// The load's driver. `expected`: the events the file names announce.
async fn run(
    st: AppState,
    fs: FilesState,
    jobs: std::rc::Rc<Vec<FileJob>>,
    expected: usize,
    pool: Pool,
    ticket: Ticket,
    epoch: u64,
) {
    // Room for the announced events, made once rather than by doublings of every column
    // during the load (each a long task at a large store); in a task of its own, after Load's.
    // (A Cancel or another load meanwhile: the loop below sees it.)
    if expected > 0 {
        yield_now().await;
        if ticket.live() && st.store.with_value(|s| s.epoch()) == epoch {
            st.store.update_value(|s| s.reserve(expected));
            yield_now().await;
        }
    }
    let ticket = std::rc::Rc::new(ticket);
    let ready: Ready = Default::default();
    let wake = Wake::default();
    // Cleared when the load's driver returns.
    let _tick = {
        let wake = wake.clone();
        gloo_timers::callback::Interval::new(IDLE_MS, move || wake.wake())
    };
    let t0 = now_ms();
    let mut rows = 256usize;
    let mut shown = perf_now();
    let mut unshown = false;
    let mut panel_shown = perf_now();
    let update = |f: &mut dyn FnMut(&mut FileLoad)| update_model(fs, f);
    loop {
        if !ticket.live() {
            return;
        }
        if st.store.with_value(|s| s.epoch()) != epoch {
            // Another load replaced the events: what this one would add belongs to no view.
            cancel(st, fs);
            return;
        }
        let mut start = Vec::new();
        update(&mut |l| {
            l.set_elapsed(now_ms() - t0);
            start = l.start_next(now_ms());
        });
        // A file from disk is read alone; downloads go in groups (one worker message each).
        // Groups are made of the files one call starts: when files end one at a time, so do
        // new groups (a group of one is still a correct message).
        let mut disk = Vec::new();
        let mut objects = Vec::new();
        for i in start {
            match &jobs[i].source {
                JobSource::Disk(file) => disk.push(Read::Disk(i, file.clone())),
                JobSource::Object { .. } => objects.push((i, jobs[i].size)),
            }
        }
        let groups = download_groups(&objects, FILES_PER_MESSAGE)
            .into_iter()
            .map(|group| {
                Read::Objects(
                    group
                        .into_iter()
                        .filter_map(|i| match &jobs[i].source {
                            JobSource::Object { gets, key } => Some((i, gets.get(key))),
                            JobSource::Disk(_) => None,
                        })
                        .collect(),
                )
            });
        for read in disk.into_iter().chain(groups) {
            spawn_local(read_group(
                read,
                jobs.clone(),
                fs,
                pool.clone(),
                ticket.clone(),
                ready.clone(),
                wake.clone(),
            ));
        }
        if perf_now() - panel_shown > PANEL_EVERY_MS {
            fs.load.notify();
            panel_shown = perf_now();
        }
        // Show what was merged in a turn of its own: the table's order and filter are
        // recomputed over the whole store then, and a merge turn would make that task longer.
        if unshown && perf_now() - shown > SHOW_EVERY_MS {
            st.version.update(|v| *v += 1);
            shown = perf_now();
            unshown = false;
            yield_now().await;
            continue;
        }
        // Merge for up to a turn's budget, then yield.
        let turn = perf_now();
        let mut merged_any = false;
        while perf_now() - turn < MERGE_BUDGET_MS {
            let Some((i, mut ingest)) = ready.borrow_mut().pop_front() else {
                break;
            };
            let room = fs
                .load
                .with_untracked(|l| l.as_ref().map_or(0, |l| l.room()));
            let n = rows.min(room);
            let t = perf_now();
            let stats = st
                .store
                .try_update_value(|s| s.ingest_batch(&mut ingest, n))
                .unwrap_or_default();
            rows = slice_rows(n.max(1), perf_now() - t, SLICE_MS);
            merged_any = true;
            let rest = if ingest.finished() {
                Rest::Done {
                    events: ingest.len(),
                }
            } else {
                Rest::More
            };
            update(&mut |l| l.merged(i, stats, rest));
            if rest == Rest::More {
                ready.borrow_mut().push_front((i, ingest));
            }
            if fs
                .load
                .with_untracked(|l| l.as_ref().is_some_and(|l| !l.running()))
            {
                break;
            }
        }
        unshown |= merged_any;
        let running = fs
            .load
            .with_untracked(|l| l.as_ref().is_some_and(|l| l.running()));
        if !running {
            if unshown {
                st.version.update(|v| *v += 1);
            }
            update(&mut |l| l.set_elapsed(now_ms() - t0));
            fs.load.notify();
            // Stopped at the cap: reads still in flight (and their downloads) are stopped,
            // late answers dropped.
            RUNNER.with(Runner::cancel);
            if pool.busy() {
                stop_workers();
            }
            return;
        }
        if ready.borrow().is_empty() {
            // Nothing to merge: wait for a read to end, or the interval (a retry that came
            // due starts at most IDLE_MS late).
            wake.wait().await;
        } else {
            yield_now().await;
        }
    }
}

/// What one worker message reads.
enum Read {
    /// File `i`, from disk.
    Disk(usize, web_sys::File),
    /// Objects to download, each with its file's index.
    Objects(Vec<(usize, ObjectGet)>),
}

/// Read a file from disk, or download and read a group of objects, in a worker and queue
/// their batches; failures go to the load's model (which retries a transient download
/// error), file by file.
async fn read_group(
    read: Read,
    jobs: std::rc::Rc<Vec<FileJob>>,
    fs: FilesState,
    pool: Pool,
    ticket: std::rc::Rc<Ticket>,
    ready: Ready,
    wake: Wake,
) {
    // Whatever this read ends with, the driver has something to do.
    struct WakeOnDrop(Wake);
    impl Drop for WakeOnDrop {
        fn drop(&mut self) {
            self.0.wake()
        }
    }
    let _wake = WakeOnDrop(wake);
    match read {
        Read::Disk(i, file) => {
            let answer = pool.read(&Input::Body(file.into())).await;
            if ticket.live() {
                settle(i, &jobs[i], None, answer, fs, &ready);
            }
        }
        Read::Objects(objects) => {
            let input = Input::Gets(objects.iter().map(|(_, g)| g.clone()).collect());
            let answer = pool.read(&input).await;
            if !ticket.live() {
                return;
            }
            // The k-th object's answer is `files[k]`.
            let files = answer.map(|a| js_sys::Array::from(&get(&a, "files")));
            for (k, (i, g)) in objects.iter().enumerate() {
                let answer = match &files {
                    Ok(files) => Ok(files.get(k as u32)),
                    Err(e) => Err(e.clone()),
                };
                settle(*i, &jobs[*i], Some(g), answer, fs, &ready);
            }
        }
    }
}

/// File `i`'s answer from a worker: its batch queued for merging, or its failure in the model.
fn settle(
    i: usize,
    job: &FileJob,
    object: Option<&ObjectGet>,
    answer: Result<JsValue, String>,
    fs: FilesState,
    ready: &Ready,
) {
    let update = |f: &mut dyn FnMut(&mut FileLoad)| update_model(fs, f);
    // A download that gave no object: the API error it is, retried when transient.
    if let (Ok(a), Some(g)) = (&answer, object) {
        let http = pool::get(a, "http");
        let network = pool::get(a, "network");
        let failed = if http.is_object() {
            let status = pool::get(&http, "status").as_f64().unwrap_or(0.0) as u16;
            let request_id = pool::get(&http, "requestId").as_string();
            let body = pool::get(&http, "body").as_string().unwrap_or_default();
            Some(api::object_error(g, status, request_id.as_deref(), &body))
        } else {
            network
                .as_string()
                .map(|what| api::object_unreachable(g, &what))
        };
        if let Some(e) = failed {
            update(&mut |l| {
                // The retry is the driver's: it starts the file again when due.
                let _: Retry = l.download_failed(i, &e, now_ms(), now_ms() as u64 ^ i as u64);
            });
            return;
        }
    }
    let parsed = answer.and_then(|a| {
        let error = get(&a, "error");
        if let Some(e) = error.as_string() {
            return Err(e);
        }
        let buf = get(&a, "batch")
            .dyn_into::<js_sys::ArrayBuffer>()
            .map_err(|_| "the file reader answered without events".to_string())?;
        let bytes = get(&a, "bytes").as_f64().unwrap_or(0.0) as u64;
        let batch = EventBatch::from_bytes(js_sys::Uint8Array::new(&buf).to_vec())
            .map_err(|e| e.to_string())?;
        Ok((bytes, batch))
    });
    match parsed {
        Ok((bytes, batch)) => {
            update(&mut |l| l.parsed(i, bytes));
            let ingest = BatchIngest::new(batch);
            let ingest = match job.window {
                Some(w) => ingest.within(w),
                None => ingest,
            };
            ready.borrow_mut().push_back((i, ingest));
        }
        Err(e) => update(&mut |l| l.failed(i, e.clone())),
    }
}

/// Give the browser a turn (input, paint) before going on: `scheduler.yield()` where there is
/// one (it resumes before other queued tasks), else a zero timeout.
async fn yield_now() {
    let global = js_sys::global();
    let scheduler = get(&global, "scheduler");
    if let Some(f) = get(&scheduler, "yield").dyn_ref::<js_sys::Function>() {
        if let Ok(p) = f.call0(&scheduler) {
            if let Ok(p) = p.dyn_into::<js_sys::Promise>() {
                let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                return;
            }
        }
    }
    gloo_timers::future::sleep(Duration::ZERO).await;
}
