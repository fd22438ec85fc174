//! Hooks for `cargo xtask bench` (bench/page.js calls them through `window.wasmBindings`).
//! Compiled only with the `bench` feature: the bench builds its own copy of the app with it
//! (`target/bench/dist`); the shipped bundle (`dist/`) exports none of these.
//!
//! Ingest goes through the app's own path: each LookupEvents page's text is read with
//! `read_response::<LookupEventsResponse>` (as `api::call::<LookupEvents>` does) and appended with
//! `EventStore::ingest_page` to the live app's store. The `engine_*` hooks time the engine
//! alone (the same work as the JavaScript baselines: filter or sort, count, first 50 rows);
//! everything the user sees is measured through the DOM by the bench page.
//!
//! Trail files go through the app's file pipeline: [`bench_prepare_files`] makes the bucket's
//! listing (what the bucket panel holds before the user can press "Load"); [`bench_load_files`]
//! is "Load" (the timed part): jobs from the listing (each downloads its object,
//! `api::ObjectGets`, through the proxy base in effect) into `files::load`.

use crate::events::state::AppState;
use crate::files::FilesState;
use leptos::prelude::*;
use std::cell::RefCell;
use trailview_core::catalogue::Cloud;
use trailview_core::columns::ColumnId;
use trailview_core::engine::{Filter, PathFilter, Sort, TimeWindow};
use trailview_core::fetch_policy::LoadMode;
use trailview_core::histogram::Grid;
use trailview_core::json_path::JsonPath;
use trailview_core::schema::{Column, Field};
use trailview_core::table_query::SortOrder;
use trailview_core::trail_files::parse_key;
use trailview_core::trail_files::plan::PlannedFile;
use trailview_core::{
    dialect::{read_response, Dialect},
    wire::LookupEventsResponse,
};
use wasm_bindgen::prelude::*;

thread_local! {
    static APP: RefCell<Option<AppState>> = const { RefCell::new(None) };
    /// The root component's owner: its context holds the app's [`FilesState`].
    static OWNER: RefCell<Option<Owner>> = const { RefCell::new(None) };
    /// The rows [`bench_engine_facets`] counts over ([`bench_facet_rows`]).
    static FACET_ROWS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    /// The bucket and listing [`bench_prepare_files`] made, for [`bench_load_files`].
    static LISTING: RefCell<(String, Vec<PlannedFile>)> = const { RefCell::new((String::new(), Vec::new())) };
}

/// Called by the root component: the state the hooks act on (the last one created).
pub(crate) fn register(st: AppState) {
    APP.with(|a| *a.borrow_mut() = Some(st));
    OWNER.with(|o| *o.borrow_mut() = Owner::current());
}

/// The app's file loads' state (provided by the root component).
fn files_state() -> Result<FilesState, JsError> {
    OWNER
        .with(|o| o.borrow().clone())
        .and_then(|o| o.with(use_context::<FilesState>))
        .ok_or_else(|| JsError::new("the app provides no file loads' state"))
}

fn app() -> Result<AppState, JsError> {
    APP.with(|a| *a.borrow())
        .ok_or_else(|| JsError::new("the app is not mounted"))
}

/// Opens a view's link (its query string) as Back / Forward or a saved view does: the link's
/// search, filters, sort, page, columns and event applied to the loaded events.
#[wasm_bindgen]
pub fn bench_open_link(query: String) -> Result<(), JsError> {
    let link = OWNER
        .with(|o| o.borrow().clone())
        .and_then(|o| o.with(use_context::<crate::link::Link>))
        .ok_or_else(|| JsError::new("the app provides no link"))?;
    link.show.run(query);
    Ok(())
}

/// Empty the store (as a new query does).
#[wasm_bindgen]
pub fn bench_clear() -> Result<(), JsError> {
    let st = app()?;
    st.store.update_value(|s| s.clear());
    st.selected.set(None);
    st.page.set(0);
    st.version.update(|v| *v += 1);
    Ok(())
}

/// Ingest LookupEvents response bodies (one page of up to 50 events each) through
/// `read_response` + `ingest_page`; the view is told once at the end. Returns the row count.
#[wasm_bindgen]
pub fn bench_ingest_pages(pages: Vec<String>) -> Result<u32, JsError> {
    let st = app()?;
    for body in &pages {
        let (resp, _) = read_response::<LookupEventsResponse>(Dialect::AlibabaRpc, 200, None, body)
            .map_err(|e| JsError::new(&e.to_string()))?;
        st.store.update_value(|s| {
            s.ingest_page(&resp.events);
        });
    }
    st.version.update(|v| *v += 1);
    Ok(st.store.with_value(|s| s.len()) as u32)
}

/// Ingest SLS GetLogs answers (bodies with their `x-log-progress`) as the app reads them: each
/// through `engines::sls::GetLogsPage::read`, the rows whose `event` holds a record appended with
/// `EventStore::ingest_page`; the view is told once at the end. Returns the store's row count.
#[wasm_bindgen]
pub fn bench_ingest_sls(bodies: Vec<String>, progress: Vec<String>) -> Result<u32, JsError> {
    use trailview_core::engines::sls::GetLogsPage;
    let st = app()?;
    for (i, body) in bodies.iter().enumerate() {
        let page = GetLogsPage::read(200, progress.get(i).map(String::as_str), None, None, body)
            .map_err(|e| JsError::new(&e.to_string()))?;
        st.store.update_value(|s| {
            s.ingest_page(&page.rows.events);
        });
    }
    st.version.update(|v| *v += 1);
    Ok(st.store.with_value(|s| s.len()) as u32)
}

/// The alternative ingest path the issue asks to compare: each page already parsed by the
/// browser's `JSON.parse`, crossed into wasm with `serde-wasm-bindgen`, each event written back
/// to JSON text for the store (it keeps every event's text for the tree) and pushed. Same end
/// state as [`bench_ingest_pages`]; the bench times both and the app keeps the faster (text).
#[wasm_bindgen]
pub fn bench_ingest_parsed(pages: Vec<JsValue>) -> Result<u32, JsError> {
    #[derive(serde::Deserialize)]
    struct Page {
        #[serde(rename = "Events", default)]
        events: Vec<serde_json::Value>,
    }
    let st = app()?;
    for p in pages {
        let page: Page = serde_wasm_bindgen::from_value(p)?;
        st.store.update_value(|s| {
            for e in &page.events {
                s.push(&serde_json::to_string(e).unwrap_or_default());
            }
        });
    }
    st.version.update(|v| *v += 1);
    Ok(st.store.with_value(|s| s.len()) as u32)
}

/// Bytes of wasm linear memory.
#[wasm_bindgen]
pub fn bench_wasm_memory() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0.0, |b| b.byte_length() as f64)
        })
        .unwrap_or(0.0)
}

/// Select a row (opens its JSON tree).
#[wasm_bindgen]
pub fn bench_select(row: Option<u32>) -> Result<(), JsError> {
    app()?.selected.set(row);
    Ok(())
}

/// Add a filter as the JSON tree's "filter for this value" does.
#[wasm_bindgen]
pub fn bench_add_path_filter(path: &str, value_json: &str) -> Result<(), JsError> {
    let path = JsonPath::parse(path).ok_or_else(|| JsError::new("bad path"))?;
    let value = serde_json::from_str(value_json).map_err(|e| JsError::new(&e.to_string()))?;
    app()?.add_path_filter(PathFilter {
        path,
        value,
        exclude: false,
    });
    Ok(())
}

/// Remove all filters from the JSON tree.
#[wasm_bindgen]
pub fn bench_clear_path_filters() -> Result<(), JsError> {
    app()?.path_filters.set(Vec::new());
    Ok(())
}

fn column(key: &str) -> Result<ColumnId, JsError> {
    Column::from_key(key)
        .map(ColumnId::Builtin)
        .ok_or_else(|| JsError::new("unknown column"))
}

/// Engine only: free-text filter over ingest order; returns the count (first 50 rows copied).
#[wasm_bindgen]
pub fn bench_engine_filter(text: &str) -> Result<u32, JsError> {
    let st = app()?;
    let f = Filter {
        text: text.to_string(),
        ..Filter::default()
    };
    Ok(engine_filter_count(st, &f))
}

/// The engine's share of a filter, as the baselines do it: compile, filter the ingest order,
/// copy the first 50 rows; the count.
fn engine_filter_count(st: AppState, f: &Filter) -> u32 {
    st.store
        .try_update_value(|s| {
            let cf = s.compile(f);
            let order = s.order(None);
            let rows = s.filter(&order, &cf);
            std::hint::black_box(rows.iter().take(50).copied().collect::<Vec<u32>>());
            rows.len() as u32
        })
        .unwrap_or(0)
}

/// The column filters of a spec `"service=ecs&rw=write"`.
fn colfilter(spec: &str) -> Result<Filter, JsError> {
    let columns = spec
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| Ok((column(k)?, v.to_string())))
        .collect::<Result<Vec<_>, JsError>>()?;
    Ok(Filter {
        columns,
        ..Filter::default()
    })
}

/// Engine only: per-column substring filters, e.g. `[["service","ecs"],["rw","write"]]` as
/// `"service=ecs&rw=write"`; returns the count (first 50 rows copied).
#[wasm_bindgen]
pub fn bench_engine_colfilter(spec: &str) -> Result<u32, JsError> {
    let st = app()?;
    let f = colfilter(spec)?;
    Ok(engine_filter_count(st, &f))
}

/// Engine only: sort all rows; returns the first row (first 50 rows copied).
#[wasm_bindgen]
pub fn bench_engine_sort(col: &str, descending: bool) -> Result<u32, JsError> {
    let st = app()?;
    let sort = Sort {
        column: column(col)?,
        order: if descending {
            SortOrder::Descending
        } else {
            SortOrder::Ascending
        },
    };
    Ok(st.store.with_value(|s| {
        let rows = s.order(Some(&sort));
        let first: Vec<u32> = rows.iter().take(50).copied().collect();
        first.first().copied().unwrap_or(0)
    }))
}

/// Engine only: facet counts of a column over all rows; returns the number of distinct values.
#[wasm_bindgen]
pub fn bench_engine_facet(col: &str) -> Result<u32, JsError> {
    let st = app()?;
    let f: Field = Column::from_key(col)
        .and_then(Column::field)
        .ok_or_else(|| JsError::new("no facet for this column"))?;
    Ok(st.store.with_value(|s| {
        let rows = s.order(None);
        s.facet(f, &rows).len() as u32
    }))
}

/// Show the fields panel with its default fields open, or (`all`) every listed field open.
#[wasm_bindgen]
pub fn bench_fields(all: bool) -> Result<(), JsError> {
    use trailview_core::engine::FacetSource;
    use trailview_core::fields;
    let st = app()?;
    if !st.fields_open.get_untracked() {
        st.toggle_fields();
    }
    let open: &[Field] = if all {
        &fields::PANEL_FIELDS
    } else {
        &fields::OPEN_BY_DEFAULT
    };
    st.fields_expanded.set(
        open.iter()
            .map(|&f| fields::source_key(&FacetSource::Field(f)))
            .collect(),
    );
    Ok(())
}

/// The rows a column filter `spec` (as [`bench_engine_colfilter`]) leaves, in ingest order, for
/// [`bench_engine_facets`]; returns their count.
#[wasm_bindgen]
pub fn bench_facet_rows(spec: &str) -> Result<u32, JsError> {
    let st = app()?;
    let f = colfilter(spec)?;
    let rows = st
        .store
        .try_update_value(|s| {
            let cf = s.compile(&f);
            s.filter(&s.order(None), &cf)
        })
        .unwrap_or_default();
    let n = rows.len() as u32;
    FACET_ROWS.with(|r| *r.borrow_mut() = rows);
    Ok(n)
}

/// Engine only: the fields panel's counts of its default open fields (event, service, user,
/// result; top 10 each) over [`bench_facet_rows`]' rows; returns the top value's count of the
/// first.
#[wasm_bindgen]
pub fn bench_engine_facets() -> Result<u32, JsError> {
    use trailview_core::engine::{FacetQuery, FacetSource};
    use trailview_core::fields;
    let st = app()?;
    let queries: Vec<FacetQuery> = fields::OPEN_BY_DEFAULT
        .iter()
        .map(|&f| FacetQuery {
            source: FacetSource::Field(f),
            search: String::new(),
            limit: fields::TOP,
        })
        .collect();
    Ok(FACET_ROWS.with(|r| {
        st.store.with_value(|s| {
            let c = s.facets(&r.borrow(), &queries);
            c.first()
                .and_then(|c| c.values.first())
                .map_or(0, |v| v.count as u32)
        })
    }))
}

/// The listing of the OSS bucket `bucket`'s objects `keys` (ActionTrail keys: their names give
/// size, event count and time), as the bucket panel holds it once listed, before "Load".
#[wasm_bindgen]
pub fn bench_prepare_files(bucket: String, keys: Vec<String>) -> Result<(), JsError> {
    let files = keys
        .into_iter()
        .map(|key| {
            let named = parse_key(&key).ok();
            PlannedFile {
                size: named.as_ref().and_then(|o| o.size).unwrap_or(0),
                events: named.as_ref().and_then(|o| o.event_count),
                time_ms: named.as_ref().map_or(0, |o| o.time_ms),
                key,
            }
        })
        .collect();
    LISTING.with(|l| *l.borrow_mut() = (bucket, files));
    Ok(())
}

/// "Load" on the prepared listing ([`bench_prepare_files`]), as the bucket panel does: a job
/// per object (downloaded through the proxy base in effect, `api::ObjectGets`), read in the
/// workers and merged into the store, replacing what it held, up to `cap` events. Returns at
/// once; [`bench_files_status`] tells how the load goes.
#[wasm_bindgen]
pub fn bench_load_files(cap: u32) -> Result<(), JsError> {
    let st = app()?;
    let fs = files_state()?;
    let (bucket, files) = LISTING.with(|l| std::mem::take(&mut *l.borrow_mut()));
    if files.is_empty() {
        return Err(JsError::new("no listing prepared (bench_prepare_files)"));
    }
    let gets = std::rc::Rc::new(crate::api::ObjectGets::new(
        &crate::storage::api_client(st.base.get_untracked()),
        Cloud::Aliyun,
        &bucket,
    ));
    let jobs = crate::files::object_jobs(gets, &files, None);
    crate::files::load(st, fs, jobs, cap as usize, LoadMode::Replace);
    Ok(())
}

/// The file load's state as JSON: `{"running", "files_done", "failures", "first_failure",
/// "summary", "store"}` (`store`: events in the store).
#[wasm_bindgen]
pub fn bench_files_status() -> Result<String, JsError> {
    let st = app()?;
    let fs = files_state()?;
    let store = st.store.with_value(|s| s.len());
    Ok(fs
        .load
        .with_untracked(|l| match l {
            None => serde_json::json!({ "running": false, "store": store }),
            Some(l) => {
                let failures = l.failures();
                serde_json::json!({
                    "running": l.running(),
                    "files_done": l.files_done(),
                    "failures": failures.len(),
                    "first_failure": failures.first().map(|(f, e)| format!("{f}: {e}")),
                    "summary": l.summary(),
                    "store": store,
                })
            }
        })
        .to_string())
}

/// Show only the events in `[start, end)` (ms), as a drag across the histogram does; `None`
/// (both undefined) shows all again.
#[wasm_bindgen]
pub fn bench_set_time_window(start: Option<f64>, end: Option<f64>) -> Result<(), JsError> {
    let w = start
        .zip(end)
        .and_then(|(a, b)| TimeWindow::new(a as i64, b as i64));
    app()?.set_time_window(w);
    Ok(())
}

/// The histogram's grid over every loaded time (UTC), as `[origin, width, bars]`.
fn loaded_grid(st: AppState) -> Option<Grid> {
    let (a, b) = st.store.with_value(|s| s.time_span())?;
    Some(Grid::for_range(a, b + 1, 0))
}

/// Engine only: the histogram's pass over the rows the table shows (`filtered`), into the
/// grid over every loaded time; returns the events counted.
#[wasm_bindgen]
pub fn bench_engine_histogram() -> Result<f64, JsError> {
    let st = app()?;
    let g = loaded_grid(st).ok_or_else(|| JsError::new("no event times"))?;
    Ok(st
        .filtered
        .with_untracked(|rows| st.store.with_value(|s| s.histogram(rows, g)))
        .total() as f64)
}

/// The same inputs for the plain JavaScript baseline: `[origin, width, bars]`, the rows the
/// table shows, every row's time (ms, NaN: none) and whether it failed (1) or not (0).
#[wasm_bindgen]
pub fn bench_histogram_inputs() -> Result<js_sys::Array, JsError> {
    let st = app()?;
    let g = loaded_grid(st).ok_or_else(|| JsError::new("no event times"))?;
    let rows = st.filtered.get_untracked();
    let (times, failed): (Vec<f64>, Vec<u8>) = st.store.with_value(|s| {
        (0..s.len() as u32)
            .map(|r| {
                (
                    s.time_ms(r).map_or(f64::NAN, |t| t as f64),
                    u8::from(!s.field(r, Field::ErrorCode).is_empty()),
                )
            })
            .unzip()
    });
    let out = js_sys::Array::new();
    out.push(&js_sys::Float64Array::from(
        &[g.origin as f64, g.width as f64, g.bars as f64][..],
    ));
    out.push(&js_sys::Uint32Array::from(&rows[..]));
    out.push(&js_sys::Float64Array::from(&times[..]));
    out.push(&js_sys::Uint8Array::from(&failed[..]));
    Ok(out)
}

/// The saved session the persistence hooks write and restore.
const BENCH_SESSION: &str = "bench-persist";

thread_local! {
    /// The store's snapshot chunks, made once by [`bench_persist_save`].
    static CHUNKS: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// Save the store as a session through the app's OPFS service: its snapshot chunks (core's,
/// 1,000 rows each) made first (not timed), then each written as a file and the manifest
/// (timed, as a fetch writes them: one file at a time). Returns `[chunks, bytes, write ms]`.
#[wasm_bindgen]
pub async fn bench_persist_save() -> Result<Vec<f64>, JsError> {
    use trailview_core::fetch_policy::{Direction, EventsRun, LookupQuery};
    use trailview_core::session::{Manifest, SnapshotWriter};
    let st = app()?;
    let mut w = SnapshotWriter::new();
    let chunks: Vec<Vec<u8>> = st
        .store
        .with_value(|s| std::iter::from_fn(|| w.chunk(s)).collect());
    let _ = crate::persist::delete(BENCH_SESSION).await;
    let t0 = crate::runtime::now_ms();
    let dir = crate::persist::Session::open(BENCH_SESSION, true)
        .await
        .map_err(|e| JsError::new(&e.to_string()))?;
    for (n, c) in chunks.iter().enumerate() {
        dir.write(&crate::persist::chunk_name(n as u32), c)
            .await
            .map_err(|e| JsError::new(&e.to_string()))?;
    }
    let q = LookupQuery {
        start_ms: 0,
        end_ms: 1,
        direction: Direction::Backward,
        conditions: Vec::new(),
    };
    let mut run = EventsRun::new(q.clone(), w.rows);
    run.cancel();
    let m = Manifest {
        id: BENCH_SESSION.into(),
        created_ms: 0,
        updated_ms: 0,
        query: q,
        cap: w.rows,
        batch: w.rows,
        position: run.position(),
        chunks: w.chunks,
        rows: w.rows,
        dict_len: w.dict_len,
        bytes: w.bytes,
        clouds: Default::default(),
        sources: Vec::new(),
    };
    dir.write(crate::persist::MANIFEST, m.to_json().as_bytes())
        .await
        .map_err(|e| JsError::new(&e.to_string()))?;
    let ms = crate::runtime::now_ms() - t0;
    CHUNKS.with(|c| *c.borrow_mut() = chunks);
    Ok(vec![w.chunks as f64, w.bytes as f64, ms])
}

/// Read every chunk of the saved session back through the app's OPFS service, one after the
/// other with the next read started ahead (as a restore does); the ms.
#[wasm_bindgen]
pub async fn bench_persist_read() -> Result<f64, JsError> {
    let n = CHUNKS.with(|c| c.borrow().len()) as u32;
    let t0 = crate::runtime::now_ms();
    let dir = crate::persist::Session::open(BENCH_SESSION, false)
        .await
        .map_err(|e| JsError::new(&e.to_string()))?;
    let mut next = (n > 0).then(|| dir.read_ahead(&crate::persist::chunk_name(0)));
    let mut bytes = 0;
    for i in 0..n {
        let Some(reading) = next.take() else { break };
        let b = reading.await.map_err(|e| JsError::new(&e.to_string()))?;
        next = (i + 1 < n).then(|| dir.read_ahead(&crate::persist::chunk_name(i + 1)));
        bytes += b.len();
    }
    let ms = crate::runtime::now_ms() - t0;
    if bytes as u64 != CHUNKS.with(|c| c.borrow().iter().map(|c| c.len() as u64).sum::<u64>()) {
        return Err(JsError::new("the chunks read back differ in size"));
    }
    Ok(ms)
}

/// Chunk `i` of [`bench_persist_save`]'s snapshot, for the bench page's IndexedDB path.
#[wasm_bindgen]
pub fn bench_persist_chunk(i: u32) -> Option<Vec<u8>> {
    CHUNKS.with(|c| c.borrow().get(i as usize).cloned())
}

/// "Restore" of the saved session, as the saved sessions list starts it (the bench page times
/// it to the status line's "Restored" and the table shown).
#[wasm_bindgen]
pub fn bench_persist_restore() -> Result<(), JsError> {
    crate::events::restore::restore(app()?, None, BENCH_SESSION.into());
    Ok(())
}
