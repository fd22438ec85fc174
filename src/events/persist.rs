//! The events fetch kept in this browser: its events saved as pages arrive (core's snapshot
//! chunks, written by the `persist` service off the input path, one at a time per session, each
//! session's writes in their own queue), its position in the session's manifest; the saved
//! sessions found on start (offered and restored by `events::restore`). A quota error stops the
//! saving, says so, and loses nothing in memory: the fetch goes on. A page without the Origin
//! Private File System (plain `http://` off localhost, an old browser) says so once and saves
//! nothing.

use crate::events::state::{AppState, FetchState};
use crate::persist;
use crate::runtime::now_ms;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use trailview_core::fetch_policy::EventsRun;
use trailview_core::numbers::thousands;
use trailview_core::session::{Manifest, SnapshotWriter};

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
}

impl PersistState {
    /// The state, registered so that the fetch saves its pages, and the saved sessions listed.
    pub fn start() -> PersistState {
        let ps = PersistState {
            sessions: RwSignal::new(Vec::new()),
            open: RwSignal::new(true),
            status: RwSignal::new(None),
            restoring: RwSignal::new(None),
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
        });
        ps
    }
}

/// One chunk and the manifest that counts it, written in this order.
struct Write {
    chunk: Option<(u32, Vec<u8>)>,
    manifest: String,
}

/// One session's writes, in order: drained by the one task that holds it, which finishes them
/// even after another session took over the saving (Cancel then a new fetch at once).
struct Queue {
    id: String,
    writes: RefCell<VecDeque<Write>>,
    busy: Cell<bool>,
}

/// The session being saved: the store's (its epoch) and the writer's counts.
struct Saver {
    epoch: u64,
    created_ms: i64,
    writer: SnapshotWriter,
    queue: Rc<Queue>,
}

impl Saver {
    fn new(id: String, epoch: u64, created_ms: i64, writer: SnapshotWriter) -> Saver {
        Saver {
            epoch,
            created_ms,
            writer,
            queue: Rc::new(Queue {
                id,
                writes: RefCell::new(VecDeque::new()),
                busy: Cell::new(false),
            }),
        }
    }
}

thread_local! {
    static STATE: RefCell<Option<PersistState>> = const { RefCell::new(None) };
    static SAVER: RefCell<Option<Saver>> = const { RefCell::new(None) };
}

/// The registered state (`None`: this page cannot save).
pub fn state() -> Option<PersistState> {
    STATE.with(|s| *s.borrow())
}

/// A new session's name.
fn new_id(now: i64) -> String {
    format!("s{now}")
}

/// A fetch starts: it saves into the session of the store it writes to (a Replace made a new
/// store: a new session; an Add goes on with the current one).
pub fn begin(st: AppState) {
    if state().is_none() {
        return;
    }
    let epoch = st.store.with_value(|s| s.epoch());
    SAVER.with(|s| {
        let mut s = s.borrow_mut();
        if s.as_ref().is_some_and(|s| s.epoch == epoch) {
            return;
        }
        let now = now_ms() as i64;
        *s = Some(Saver::new(new_id(now), epoch, now, SnapshotWriter::new()));
    });
}

/// A restored session (`m`) goes on saving into its own files when the store holds exactly
/// what it saved (`writer`); else (another load added events meanwhile) the store is saved
/// as a new session from its first row.
pub fn continue_session(st: AppState, m: &Manifest, writer: SnapshotWriter) {
    if state().is_none() {
        return;
    }
    let epoch = st.store.with_value(|s| s.epoch());
    let saver = if st.store.with_value(|s| writer.matches(s)) {
        Saver::new(m.id.clone(), epoch, m.created_ms, writer)
    } else {
        let now = now_ms() as i64;
        Saver::new(new_id(now), epoch, now, SnapshotWriter::new())
    };
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

/// Save what is not saved yet and where the run is (a page, the run's end, Cancel).
pub fn save(st: AppState) {
    let Some(manifest) = st.run.with_untracked(|r| r.as_ref().map(position)) else {
        return;
    };
    let queued = SAVER.with(|s| {
        let mut s = s.borrow_mut();
        let saver = s.as_mut()?;
        if st.store.with_value(|store| store.epoch()) != saver.epoch {
            // Another load replaced the events: this session is complete as saved (its
            // queued writes are still written by its drain).
            *s = None;
            return None;
        }
        let n = saver.writer.chunks;
        let chunk = st
            .store
            .with_value(|store| saver.writer.chunk(store))
            .map(|c| (n, c));
        let (q, cap, batch, pos) = manifest;
        let m = Manifest {
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
        };
        saver.queue.writes.borrow_mut().push_back(Write {
            chunk,
            manifest: m.to_json(),
        });
        (!saver.queue.busy.replace(true)).then(|| saver.queue.clone())
    });
    if let Some(queue) = queued {
        spawn_local(drain(st, queue));
    }
}

fn position(
    r: &EventsRun,
) -> (
    trailview_core::fetch_policy::LookupQuery,
    usize,
    usize,
    trailview_core::fetch_policy::RunPosition,
) {
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
            let dir = persist::Session::open(&queue.id, true).await?;
            if let Some((n, bytes)) = &w.chunk {
                dir.write(&persist::chunk_name(*n), bytes).await?;
            }
            dir.write(persist::MANIFEST, w.manifest.as_bytes()).await
        }
        .await;
        if let Err(e) = result {
            queue.writes.borrow_mut().clear();
            queue.busy.set(false);
            // Only this session stops saving (a later session may be saving fine).
            SAVER.with(|s| {
                let mut s = s.borrow_mut();
                if s.as_ref().is_some_and(|s| Rc::ptr_eq(&s.queue, &queue)) {
                    *s = None;
                }
            });
            let kept = st.store.with_value(|s| s.len());
            let text = format!(
                "Saving to this browser stopped: {e}. The {} events in memory are kept{}.",
                thousands(kept),
                if st.fetch_state.get_untracked() == FetchState::Running {
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
