//! The events fetch kept in this browser: its events saved as pages arrive (core's snapshot
//! chunks, written by the `persist` service off the input path, one at a time per session, each
//! session's writes in their own queue), its position in the session's manifest; the saved
//! sessions found on start (offered and restored by `events::restore`). A quota error stops the
//! saving, says so, and loses nothing in memory: the fetch goes on. A page without the Origin
//! Private File System (plain `http://` off localhost, an old browser) says so once and saves
//! nothing.

use crate::events::state::{AppState, FetchState};
use crate::persist;
use crate::persist::StoreError;
use crate::runtime::now_ms;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use trailview_core::cloud::Clouds;
use trailview_core::fetch_policy::{EventsRun, LookupQuery};
use trailview_core::numbers::thousands;
use trailview_core::session::{self, Budget, Manifest, Saved, SnapshotWriter};

/// The saved sessions and what saving or restoring has to say.
#[derive(Clone, Copy)]
pub struct PersistState {
    /// The sessions found when the app started (or `Err`: their manifest's problem).
    pub sessions: RwSignal<Vec<(String, Result<Manifest, String>)>>,
    /// Whether the list of saved sessions is offered.
    pub open: RwSignal<bool>,
    /// Shown in the status area: a restore's result, a quota error, damage found.
    pub status: RwSignal<Option<String>>,
    /// A restore under way: (events restored, events saved).
    pub restoring: RwSignal<Option<(usize, usize)>>,
    /// Saved sessions another tab is saving or restoring (their Web Lock is held elsewhere).
    pub elsewhere: RwSignal<Vec<String>>,
}

impl PersistState {
    /// The state, registered so that the fetch saves its pages, and the saved sessions listed.
    pub fn start() -> PersistState {
        let ps = PersistState {
            sessions: RwSignal::new(Vec::new()),
            open: RwSignal::new(true),
            status: RwSignal::new(None),
            restoring: RwSignal::new(None),
            elsewhere: RwSignal::new(Vec::new()),
        };
        if let Err(e) = persist::available() {
            // Not registered: no fetch makes a saver; fetching works as ever.
            ps.status.set(Some(format!(
                "Fetched events are not saved in this browser: {e}."
            )));
            return ps;
        }
        STATE.with(|s| *s.borrow_mut() = Some(ps));
        spawn_local(async move {
            let Ok(ids) = persist::list().await else {
                return;
            };
            let mut found = Vec::new();
            for id in ids {
                let m = match persist::read(&id, persist::MANIFEST).await {
                    Ok(b) => {
                        Manifest::from_json(&String::from_utf8_lossy(&b)).map_err(|e| e.to_string())
                    }
                    Err(e) => Err(format!("its manifest cannot be read: {e}")),
                };
                found.push((id, m));
            }
            // The most recent first.
            found.sort_by_key(|(_, m)| std::cmp::Reverse(m.as_ref().map_or(0, |m| m.updated_ms)));
            ps.sessions.set(found);
            prune().await;
        });
        ps
    }
}

/// Where a session's Web Lock stands in this tab.
pub enum LockState {
    /// Not asked yet (asked before the session's first write).
    Unasked,
    /// Being asked (a restore asked for it; the writes wait).
    Asking,
    /// This tab holds it: only this tab writes the session.
    Held(#[allow(dead_code)] persist::Held),
    /// Another tab holds it: this tab does not write the session.
    Elsewhere,
    /// No Web Locks in this browser: written as before, tabs not kept apart.
    Unsupported,
}

/// What the lock of session `id` gives, said in the status area when it matters (no Web
/// Locks: once per page).
pub async fn lock(id: &str) -> LockState {
    match persist::try_lock(id).await {
        persist::Lock::Held(h) => LockState::Held(h),
        persist::Lock::Elsewhere => LockState::Elsewhere,
        persist::Lock::Unsupported => {
            thread_local!(static SAID: Cell<bool> = const { Cell::new(false) });
            if !SAID.with(|s| s.replace(true)) {
                if let Some(ps) = state() {
                    ps.status.set(Some(format!("Note: {}.", persist::NO_LOCKS)));
                }
            }
            LockState::Unsupported
        }
    }
}

/// Said when another tab holds a session's lock.
pub const ELSEWHERE: &str = "this session is being saved in another tab";

/// The sessions this tab is saving or restoring.
fn own() -> Vec<(String, u64)> {
    SAVER.with(|s| {
        s.borrow()
            .as_ref()
            .map(|s| (s.queue.id.clone(), s.writer.bytes))
            .into_iter()
            .collect()
    })
}

/// Delete the oldest saved sessions beyond the budget (the setting, core's rule), never one
/// being written or restored here or in another tab; says what went.
pub async fn prune() {
    let Some(ps) = state() else { return };
    let locked = persist::locked().await;
    let own = own();
    let restoring = RESTORING.with(|r| r.borrow().clone());
    let busy = |id: &str| {
        locked.as_ref().is_some_and(|l| l.iter().any(|l| l == id))
            || own.iter().any(|(o, _)| o == id)
            || restoring.as_deref() == Some(id)
    };
    ps.elsewhere.set(
        locked
            .iter()
            .flatten()
            .filter(|l| !own.iter().any(|(o, _)| o == *l) && restoring.as_deref() != Some(l))
            .cloned()
            .collect(),
    );
    let listed = ps.sessions.get_untracked();
    let mut saved: Vec<Saved> = listed
        .iter()
        .filter_map(|(id, m)| {
            let m = m.as_ref().ok()?;
            Some(Saved {
                id: id.clone(),
                updated_ms: m.updated_ms,
                bytes: m.bytes,
                busy: busy(id),
            })
        })
        .collect();
    for (id, bytes) in &own {
        if !saved.iter().any(|s| &s.id == id) {
            saved.push(Saved {
                id: id.clone(),
                updated_ms: i64::MAX,
                bytes: *bytes,
                busy: true,
            });
        }
    }
    let budget = Budget::from_setting(crate::storage::load(BUDGET_KEY).as_deref());
    let mut removed = Vec::new();
    for id in session::prune(&saved, budget) {
        if persist::delete(&id).await.is_ok() {
            if let Some((_, Ok(m))) = listed.iter().find(|(i, _)| *i == id) {
                removed.push(format!(
                    "{} ({} events, {})",
                    m.describe(),
                    thousands(m.rows),
                    session::size_text(m.bytes)
                ));
            }
            ps.sessions.update(|v| v.retain(|(i, _)| *i != id));
        }
    }
    if !removed.is_empty() {
        ps.status.set(Some(format!(
            "Removed the oldest saved sessions to stay within {} and {} sessions (Settings): {}.",
            session::size_text(budget.bytes),
            budget.sessions,
            removed.join("; ")
        )));
    }
}

/// The setting of the saved sessions' budget, in MB.
pub const BUDGET_KEY: &str = "sessionBudgetMb";

/// One chunk and the manifest that counts it, written in this order (a store's backlog:
/// chunks alone, the manifest after the last).
struct Write {
    chunk: Option<(u32, Vec<u8>)>,
    /// The manifest and the rows it counts.
    manifest: Option<(String, usize)>,
}

/// One session's writes, in order: drained by the one task that holds it, which finishes them
/// even after another session took over the saving (Cancel then a new fetch at once).
struct Queue {
    id: String,
    writes: RefCell<VecDeque<Write>>,
    busy: Cell<bool>,
    /// The session's Web Lock, held while this queue lives (the session is saved by it).
    lock: RefCell<LockState>,
    /// Rows the last manifest written counts.
    saved: Cell<usize>,
}

/// The session being saved: the store's (its epoch) and the writer's counts.
struct Saver {
    epoch: u64,
    created_ms: i64,
    writer: SnapshotWriter,
    queue: Rc<Queue>,
    /// The clouds of the rows it holds so far (a restored session's: its manifest's).
    clouds: Clouds,
    /// The Cloud queries whose records it holds, each once (a restored session's `source`
    /// first), named in its manifest by `session::sources_label`.
    sources: Vec<String>,
    /// Where the Alibaba Cloud part of its rows stands (its last run's, or a restored
    /// session's): an AWS-only fetch added to it must not write the AWS query over it.
    aliyun: Option<Placed>,
}

/// A manifest's query, cap, batch and position.
type Placed = (
    trailview_core::fetch_policy::LookupQuery,
    usize,
    usize,
    trailview_core::fetch_policy::RunPosition,
);

impl Saver {
    fn new(
        id: String,
        epoch: u64,
        created_ms: i64,
        writer: SnapshotWriter,
        lock: LockState,
        clouds: Clouds,
    ) -> Saver {
        let saved = Cell::new(writer.rows);
        Saver {
            epoch,
            created_ms,
            writer,
            clouds,
            sources: Vec::new(),
            aliyun: None,
            queue: Rc::new(Queue {
                id,
                writes: RefCell::new(VecDeque::new()),
                busy: Cell::new(false),
                lock: RefCell::new(lock),
                saved,
            }),
        }
    }
}

thread_local! {
    static STATE: RefCell<Option<PersistState>> = const { RefCell::new(None) };
    static SAVER: RefCell<Option<Saver>> = const { RefCell::new(None) };
    /// The last AWS part's query and cap (what a saved session of an AWS-only fetch names).
    static AWS_QUERY: RefCell<Option<(LookupQuery, usize)>> = const { RefCell::new(None) };
    /// The session a restore is reading.
    pub static RESTORING: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Cloud query pages so far: a save waits for the last of a burst.
    static QUERY_PAGES: Cell<u64> = const { Cell::new(0) };
    /// A slice of a large store's backlog is queued.
    static CATCHING_UP: Cell<bool> = const { Cell::new(false) };
}

/// The registered state (`None`: this page cannot save).
pub fn state() -> Option<PersistState> {
    STATE.with(|s| *s.borrow())
}

/// A new session's name.
fn new_id(now: i64) -> String {
    format!("s{now}")
}

/// The AWS part of a fetch starts: as [`begin`], and its query is what a session of an
/// AWS-only fetch names.
pub fn begin_aws(st: AppState, query: &LookupQuery, cap: usize) {
    AWS_QUERY.with(|q| *q.borrow_mut() = Some((query.clone(), cap)));
    begin(st);
}

/// A fetch starts: it saves into the session of the store it writes to (a Replace made a new
/// store: a new session; an Add goes on with the current one).
pub fn begin(st: AppState) {
    if state().is_none() {
        return;
    }
    let epoch = st.store.with_value(|s| s.epoch());
    let new = SAVER.with(|s| {
        let mut s = s.borrow_mut();
        if s.as_ref().is_some_and(|s| s.epoch == epoch) {
            return false;
        }
        let now = now_ms() as i64;
        *s = Some(Saver::new(
            new_id(now),
            epoch,
            now,
            SnapshotWriter::new(),
            LockState::Unasked,
            NO_CLOUDS,
        ));
        true
    });
    // A new session (once for a fetch of both clouds: the second part's begin finds the
    // first's session): older ones beyond the budget go.
    if new {
        spawn_local(prune());
    }
}

/// A Cloud query's records reached the store, `added` of them new: they are saved like a
/// fetch's, into the store's session (a new one after a Replace; `begin` before they came),
/// which names the query (`source`) beside any other whose records it holds. A query that
/// brought nothing new is not named (the session's rows are not its).
pub fn name_query(source: String, added: usize) {
    if added == 0 {
        return;
    }
    SAVER.with(|s| {
        if let Some(s) = s.borrow_mut().as_mut() {
            // Called for each page of records: a query is named once, however many it brings.
            if !s.sources.contains(&source) {
                s.sources.push(source);
            }
        }
    });
}

/// A Cloud query's records reached the store: saved once a chunk is due, and all of them once
/// no more came for a moment (a query has no end the store hears of).
pub fn query_page(st: AppState) {
    page(st);
    let n = QUERY_PAGES.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    spawn_local(async move {
        gloo_timers::future::sleep(std::time::Duration::from_millis(300)).await;
        if QUERY_PAGES.with(Cell::get) == n {
            save(st);
        }
    });
}

/// A new session holds no cloud's rows yet.
const NO_CLOUDS: Clouds = Clouds {
    aliyun: false,
    aws: false,
};

/// A restored session (`m`) goes on saving into its own files when the store holds exactly
/// what it saved (`writer`) and this tab holds its `lock` (another tab holding it: this tab
/// writes nothing of it); else (another load added events meanwhile) the store is saved as
/// a new session from its first row.
pub fn continue_session(st: AppState, m: &Manifest, writer: SnapshotWriter, lock: LockState) {
    if state().is_none() {
        return;
    }
    let epoch = st.store.with_value(|s| s.epoch());
    if !m.clouds.aliyun && m.clouds.aws {
        // An AWS-only session names its AWS query when it is saved again.
        AWS_QUERY.with(|q| *q.borrow_mut() = Some((m.query.clone(), m.cap)));
    }
    // The store holds the restored rows either way: their clouds are the session's.
    let saver = if st.store.with_value(|s| writer.matches(s)) {
        Saver::new(m.id.clone(), epoch, m.created_ms, writer, lock, m.clouds)
    } else {
        let now = now_ms() as i64;
        Saver::new(
            new_id(now),
            epoch,
            now,
            SnapshotWriter::new(),
            LockState::Unasked,
            m.clouds,
        )
    };
    let mut saver = saver;
    saver.sources = m.sources.clone();
    if m.clouds.aliyun {
        saver.aliyun = Some((m.query.clone(), m.cap, m.batch, m.position.clone()));
    }
    SAVER.with(|s| *s.borrow_mut() = Some(saver));
}

/// A page was loaded: its events are saved once a chunk is due.
pub fn page(st: AppState) {
    let due = SAVER.with(|s| {
        let mut s = s.borrow_mut();
        let Some(s) = s.as_mut() else { return false };
        s.writer.page();
        st.store.with_value(|store| s.writer.due(store))
    });
    if due {
        save(st);
    }
}

/// Save what is not saved yet and where the run is (a page, the run's end, Cancel): both
/// clouds' rows, the Alibaba Cloud part's position (an AWS-only fetch: its query).
pub fn save(st: AppState) {
    let fetching = Clouds {
        aliyun: st.run.with_untracked(Option::is_some),
        aws: st.aws_run.with_untracked(Option::is_some),
    };
    let (held, sources, aliyun) = SAVER.with(|s| {
        s.borrow()
            .as_ref()
            .map_or((NO_CLOUDS, Vec::new(), None), |s| {
                (s.clouds, s.sources.clone(), s.aliyun.clone())
            })
    });
    let clouds = session::saving_clouds(held, fetching);
    // What the manifest says the session's query is: the Alibaba Cloud part's (running now, or
    // its last place), else the AWS part's, else (a Cloud query's records alone) their time
    // span, read only when the manifest is written.
    let running = st.run.with_untracked(|r| r.as_ref().map(position));
    let placed: Option<Placed> = running
        .clone()
        .or_else(|| aliyun.filter(|_| clouds.aliyun))
        .or_else(|| {
            let (query, cap) = AWS_QUERY
                .with(|q| q.borrow().clone())
                .filter(|_| clouds.aws)?;
            let mut run = EventsRun::new(query, cap);
            run.cancel();
            Some(position(&run))
        });
    if placed.is_none() && sources.is_empty() {
        return;
    }
    let manifest = move || -> Placed {
        placed.clone().unwrap_or_else(|| {
            let (span, rows) = st.store.with_value(|s| {
                let span = (0..s.len() as u32).filter_map(|r| s.time_ms(r)).fold(
                    None,
                    |a: Option<(i64, i64)>, t| {
                        Some(a.map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t))))
                    },
                );
                (span, s.len())
            });
            let (query, pos) = session::query_session(span, rows);
            (query, rows.max(1), rows.max(1), pos)
        })
    };
    let t0 = now_ms();
    let mut more = false;
    let queued = SAVER.with(|s| {
        let mut s = s.borrow_mut();
        let saver = s.as_mut()?;
        if st.store.with_value(|store| store.epoch()) != saver.epoch {
            // Another load replaced the events: this session is complete as saved (its
            // queued writes are still written by its drain).
            *s = None;
            return None;
        }
        if matches!(*saver.queue.lock.borrow(), LockState::Elsewhere) {
            return None;
        }
        saver.clouds = clouds;
        if running.is_some() {
            saver.aliyun = running.clone();
        }
        // Chunks of at most 1,000 rows (core's), as many as fit in ~8 ms; the manifest, which
        // says where the run is, once every row is in a chunk (a manifest never counts rows
        // its position has gone past).
        loop {
            let n = saver.writer.chunks;
            let chunk = st
                .store
                .with_value(|store| saver.writer.chunk(store))
                .map(|c| (n, c));
            more = st.store.with_value(|store| saver.writer.backlog(store)) > 0;
            let manifest = (!more)
                .then(|| {
                    let (q, cap, batch, pos) = manifest();
                    Manifest {
                        id: saver.queue.id.clone(),
                        created_ms: saver.created_ms,
                        updated_ms: now_ms() as i64,
                        query: q,
                        cap,
                        batch,
                        position: pos,
                        chunks: saver.writer.chunks,
                        rows: saver.writer.rows,
                        dict_len: saver.writer.dict_len,
                        bytes: saver.writer.bytes,
                        clouds,
                        sources: saver.sources.clone(),
                    }
                    .to_json()
                })
                .map(|m| (m, saver.writer.rows));
            saver
                .queue
                .writes
                .borrow_mut()
                .push_back(Write { chunk, manifest });
            if !more || now_ms() - t0 >= 8.0 {
                break;
            }
        }
        (!saver.queue.busy.replace(true)).then(|| saver.queue.clone())
    });
    if let Some(queue) = queued {
        spawn_local(drain(st, queue));
    }
    // The rest of a large store's backlog in the next slices.
    if more && !CATCHING_UP.with(|c| c.replace(true)) {
        spawn_local(async move {
            gloo_timers::future::sleep(std::time::Duration::from_millis(0)).await;
            CATCHING_UP.with(|c| c.set(false));
            save(st);
        });
    }
}

fn position(r: &EventsRun) -> Placed {
    (r.query.clone(), r.cap, r.batch, r.position())
}

/// Writes one session's queue, one file at a time, to its end (also when another session
/// took over the saving meanwhile); the first failure stops that session's saving.
async fn drain(st: AppState, queue: Rc<Queue>) {
    loop {
        let next = queue.writes.borrow_mut().pop_front();
        let Some(w) = next else {
            queue.busy.set(false);
            return;
        };
        let result = async {
            // The session's lock before its first write (a restore may be asking for it).
            loop {
                let unasked = match &*queue.lock.borrow() {
                    LockState::Unasked => true,
                    LockState::Asking => false,
                    LockState::Elsewhere => return Err(StoreError::Other(ELSEWHERE.into())),
                    LockState::Held(_) | LockState::Unsupported => break,
                };
                if unasked {
                    queue.lock.replace(LockState::Asking);
                    let l = lock(&queue.id).await;
                    queue.lock.replace(l);
                } else {
                    gloo_timers::future::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
            let dir = persist::Session::open(&queue.id, true).await?;
            if let Some((n, bytes)) = &w.chunk {
                dir.write(&persist::chunk_name(*n), bytes).await?;
            }
            if let Some((m, rows)) = &w.manifest {
                dir.write(persist::MANIFEST, m.as_bytes()).await?;
                queue.saved.set(*rows);
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            queue.writes.borrow_mut().clear();
            queue.busy.set(false);
            // Only this session stops saving (a later session may be saving fine). One another
            // tab is saving stays this tab's, written by none of its fetches.
            let elsewhere = matches!(*queue.lock.borrow(), LockState::Elsewhere);
            SAVER.with(|s| {
                let mut s = s.borrow_mut();
                if !elsewhere && s.as_ref().is_some_and(|s| Rc::ptr_eq(&s.queue, &queue)) {
                    *s = None;
                }
            });
            let kept = st.store.with_value(|s| s.len());
            let saved = queue.saved.get();
            let text = format!(
                "Saving to this browser stopped: {e}. {}The {} events in memory are kept{}.",
                if elsewhere || saved >= kept {
                    String::new()
                } else if saved == 0 {
                    "None of these events were saved. ".to_string()
                } else {
                    format!(
                        "Only the first {} events were saved (offered by Restore as unfinished); the other {} were not. ",
                        thousands(saved),
                        thousands(kept - saved)
                    )
                },
                thousands(kept),
                if st.fetch_state.get_untracked() == FetchState::Running || st.aws_running() {
                    " and the fetch goes on"
                } else {
                    ""
                }
            );
            if let Some(ps) = state() {
                ps.status.set(Some(text));
            }
            return;
        }
    }
}

/// What saving or restoring says, in the status area.
#[component]
pub fn PersistStatus() -> impl IntoView {
    let ps = use_context::<PersistState>();
    move || {
        let ps = ps?;
        if let Some((done, total)) = ps.restoring.get() {
            return Some(view! {
                <span class="persist-status" data-testid="persist-status">
                    {format!("Restoring… {} of {} events", thousands(done), thousands(total))}
                </span>
            });
        }
        ps.status.get().map(|t| {
            view! { <span class="persist-status" data-testid="persist-status">{t}</span> }
        })
    }
}
