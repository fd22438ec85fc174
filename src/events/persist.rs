//! The events fetch kept in this browser: its events saved as pages arrive (core's snapshot
//! chunks, written by the `persist` service off the input path, one at a time), its position in
//! the session's manifest; on start, the saved sessions offered (Restore, Delete), a restore
//! putting the chunks back in slices of a few milliseconds. A quota error stops the saving,
//! says so, and loses nothing in memory: the fetch goes on.

use crate::events::state::{AppState, FetchState};
use crate::persist::{self, StoreError};
use crate::runtime::now_ms;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::collections::VecDeque;
use trailview_core::fetch_policy::EventsRun;
use trailview_core::numbers::thousands;
use trailview_core::session::{bounded_query, size_text, Manifest, SnapshotReader, SnapshotWriter};

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

/// The session being saved: the store's (its epoch) and the writer's counts.
struct Saver {
    id: String,
    epoch: u64,
    created_ms: i64,
    writer: SnapshotWriter,
    queue: VecDeque<Write>,
    busy: bool,
}

thread_local! {
    static STATE: RefCell<Option<PersistState>> = const { RefCell::new(None) };
    static SAVER: RefCell<Option<Saver>> = const { RefCell::new(None) };
}

fn state() -> Option<PersistState> {
    STATE.with(|s| *s.borrow())
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
        *s = Some(Saver {
            id: format!("s{now}"),
            epoch,
            created_ms: now,
            writer: SnapshotWriter::new(),
            queue: VecDeque::new(),
            busy: false,
        });
    });
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
        let Some(saver) = s.as_mut() else {
            return false;
        };
        if st.store.with_value(|store| store.epoch()) != saver.epoch {
            // Another load replaced the events: this session is complete as saved.
            *s = None;
            return false;
        }
        let n = saver.writer.chunks;
        let chunk = st
            .store
            .with_value(|store| saver.writer.chunk(store))
            .map(|c| (n, c));
        let (q, cap, batch, pos) = manifest;
        let m = Manifest {
            id: saver.id.clone(),
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
        saver.queue.push_back(Write {
            chunk,
            manifest: m.to_json(),
        });
        !std::mem::replace(&mut saver.busy, true)
    });
    if queued {
        spawn_local(drain(st));
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

/// Writes the queue, one file at a time; the first failure stops the saving.
async fn drain(st: AppState) {
    loop {
        let next = SAVER.with(|s| {
            let mut s = s.borrow_mut();
            let saver = s.as_mut()?;
            match saver.queue.pop_front() {
                Some(w) => Some((saver.id.clone(), w)),
                None => {
                    saver.busy = false;
                    None
                }
            }
        });
        let Some((id, w)) = next else { return };
        let result = async {
            let dir = persist::Session::open(&id, true).await?;
            if let Some((n, bytes)) = &w.chunk {
                dir.write(&persist::chunk_name(*n), bytes).await?;
            }
            dir.write(persist::MANIFEST, w.manifest.as_bytes()).await
        }
        .await;
        if let Err(e) = result {
            SAVER.with(|s| *s.borrow_mut() = None);
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

/// Restore saved session `id`: its events replace the loaded ones, put back in slices; its
/// fetch, if unfinished, can be resumed. Saving goes on in the same session.
pub fn restore(st: AppState, id: String) {
    let Some(ps) = state() else { return };
    ps.open.set(false);
    spawn_local(async move {
        let t0 = now_ms();
        let m = match persist::read(&id, persist::MANIFEST)
            .await
            .map(|b| Manifest::from_json(&String::from_utf8_lossy(&b)).map_err(|e| e.to_string()))
        {
            Ok(Ok(m)) => m,
            Ok(Err(e)) => return ps.status.set(Some(format!("Not restored: {e}"))),
            Err(e) => {
                return ps.status.set(Some(format!(
                    "Not restored: the session cannot be read ({e})."
                )))
            }
        };
        crate::events::fetch::cancel(st);
        st.replace_events();
        let epoch = st.store.with_value(|s| s.epoch());
        ps.restoring.set(Some((0, m.rows)));
        let mut reader = SnapshotReader::new();
        let mut damage = None;
        let mut shown = now_ms();
        let dir = match persist::Session::open(&id, false).await {
            Ok(d) => Some(d),
            Err(e) => {
                damage = Some(format!("the saved chunks cannot be read ({e})"));
                None
            }
        };
        let chunks = if dir.is_some() { m.chunks } else { 0 };
        let read = |n: u32| dir.as_ref().map(|d| d.read_ahead(&persist::chunk_name(n)));
        let mut next = if chunks > 0 { read(0) } else { None };
        let mut replaced = false;
        'chunks: for n in 0..chunks {
            let Some(reading) = next.take() else { break };
            let bytes = match reading.await {
                Ok(b) => b,
                Err(e) => {
                    damage = Some(format!("saved chunk {n} cannot be read ({e})"));
                    break;
                }
            };
            // The next chunk is read while this one goes into the store.
            next = if n + 1 < chunks { read(n + 1) } else { None };
            let mut ingest = match reader.open(bytes) {
                Ok(i) => i,
                Err(e) => {
                    damage = Some(e.to_string());
                    break;
                }
            };
            // Awaiting a read gave the page its turn: a new slice of ~8 ms starts.
            let mut slice = now_ms();
            while !ingest.finished() {
                if st.store.with_value(|s| s.epoch()) != epoch {
                    // Another load replaced the events meanwhile.
                    replaced = true;
                    break 'chunks;
                }
                st.store.update_value(|s| {
                    ingest.ingest(s, 256);
                });
                if now_ms() - slice >= 8.0 {
                    gloo_timers::future::sleep(std::time::Duration::from_millis(0)).await;
                    slice = now_ms();
                }
            }
            if now_ms() - shown > 250.0 {
                shown = now_ms();
                ps.restoring
                    .set(Some((st.store.with_value(|s| s.len()), m.rows)));
                st.version.update(|v| *v += 1);
            }
        }
        // A read started ahead and not used (damage, a replace) is awaited: its failure is
        // this restore's, not an unhandled rejection.
        if let Some(reading) = next {
            let _ = reading.await;
        }
        if replaced {
            ps.restoring.set(None);
            return;
        }
        let rows = st.store.with_value(|s| s.len());
        let (run, writer) = match &damage {
            None => (
                EventsRun::at(m.query.clone(), m.cap, m.batch, m.position.clone()),
                SnapshotWriter::continuing(&m),
            ),
            Some(_) => (damaged_run(st, &m), reader.writer()),
        };
        let unfinished = m.unfinished() || damage.is_some();
        st.run.set(Some(run));
        st.fetch_state.set(if unfinished {
            FetchState::Cancelled
        } else {
            FetchState::Done
        });
        st.version.update(|v| *v += 1);
        ps.restoring.set(None);
        SAVER.with(|s| {
            *s.borrow_mut() = Some(Saver {
                id: m.id.clone(),
                epoch,
                created_ms: m.created_ms,
                writer,
                queue: VecDeque::new(),
                busy: false,
            })
        });
        ps.sessions.update(|v| v.retain(|(i, _)| *i != id));
        let secs = trailview_core::numbers::fixed((now_ms() - t0) / 1000.0, 1);
        ps.status.set(Some(match damage {
            None => format!("Restored {} events in {secs} s.", thousands(rows)),
            Some(d) => format!(
                "Restored {} of {} events in {secs} s: {d}. Resume continues from the restored events' time.",
                thousands(rows),
                thousands(m.rows)
            ),
        }));
    });
}

/// A run for a session restored only up to a damaged chunk: the saved NextToken points past
/// what was restored, so paging goes on from the restored events' time bound.
fn damaged_run(st: AppState, m: &Manifest) -> EventsRun {
    let span = st.store.with_value(|s| {
        let times = (0..s.len() as u32).filter_map(|r| s.time_ms(r));
        times.fold(None, |acc: Option<(i64, i64)>, t| {
            Some(acc.map_or((t, t), |(a, b)| (a.min(t), b.max(t))))
        })
    });
    let mut pos = m.position.clone();
    pos.next_token = None;
    pos.held.clear();
    pos.events = st.store.with_value(|s| s.len());
    (pos.oldest_ms, pos.newest_ms) = (span.map(|s| s.0), span.map(|s| s.1));
    pos.ended = Some(trailview_core::paging::RunEnd::Cancelled);
    let paging = pos.paging.clone();
    let mut run = EventsRun::at(m.query.clone(), m.cap, m.batch, pos);
    if let Some(q) = bounded_query(&paging, span) {
        run.restart_paging(q);
        run.cancel();
    }
    run
}

/// Delete saved session `id`.
pub fn delete(id: String) {
    let Some(ps) = state() else { return };
    spawn_local(async move {
        match persist::delete(&id).await {
            Ok(()) | Err(StoreError::NotFound(_)) => {
                ps.sessions.update(|v| v.retain(|(i, _)| *i != id))
            }
            Err(e) => ps
                .status
                .set(Some(format!("The saved session was not deleted: {e}."))),
        }
    });
}

/// The saved sessions, offered when the app starts: each with its query, events, size and
/// time, "Restore" and "Delete".
#[component]
pub fn SavedSessions() -> impl IntoView {
    let ps = expect_context::<PersistState>();
    let st = expect_context::<AppState>();
    move || {
        let list = ps.sessions.get();
        if list.is_empty() || !ps.open.get() {
            return None;
        }
        let tz = st.tz.get();
        let items = list
            .into_iter()
            .map(|(id, m)| {
                let desc_id = format!("saved-{id}");
                let (what, detail) = match &m {
                    Ok(m) => (
                        m.describe(),
                        format!(
                            "{} events · {} · saved {}{}",
                            thousands(m.rows),
                            size_text(m.bytes),
                            crate::format::time(Some(m.updated_ms), tz),
                            if m.unfinished() { " · unfinished" } else { "" }
                        ),
                    ),
                    Err(e) => ("A saved session that cannot be read".to_string(), e.clone()),
                };
                let (rid, did) = (id.clone(), id.clone());
                view! {
                    <li data-testid="saved-session">
                        <span class="what" id=desc_id.clone()>{what}</span>
                        <span class="detail">{detail}</span>
                        {m.is_ok().then(|| view! {
                            <button type="button" aria-describedby=desc_id.clone()
                                on:click=move |_| restore(st, rid.clone())>"Restore"</button>
                        })}
                        <button type="button" class="ghost" aria-describedby=desc_id
                            on:click=move |_| delete(did.clone())>"Delete"</button>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <section class="saved-sessions" data-testid="saved-sessions" aria-labelledby="saved-sessions-title">
                <h2 id="saved-sessions-title">"Saved sessions"</h2>
                <p>"Events fetched before are kept in this browser. Restore a session to see them again without fetching."</p>
                <ul>{items}</ul>
                <button type="button" class="ghost" on:click=move |_| ps.open.set(false)>"Not now"</button>
            </section>
        })
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
