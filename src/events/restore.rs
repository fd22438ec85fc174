//! Saved sessions offered on start (Restore, Delete) and a restore: the chunks put back in
//! slices of a few milliseconds. A restore holds the events fetch's runner, so it never runs
//! beside a fetch: a fetch (or Resume, Load more) started meanwhile stops it, and so does
//! another load adding to or replacing the events; a stopped restore keeps what it put back
//! and continues no session.

use crate::events::persist::{self as saving, PersistState};
use crate::events::query_bar::QueryForm;
use crate::events::state::{AppState, FetchState};
use crate::persist::{self, StoreError};
use crate::runtime::now_ms;
use leptos::prelude::*;
use leptos::task::spawn_local;
use trailview_core::fetch_policy::EventsRun;
use trailview_core::numbers::thousands;
use trailview_core::session::{bounded_query, size_text, Manifest, SnapshotReader, SnapshotWriter};

/// Restore saved session `id`: its events replace the loaded ones, put back in slices; its
/// fetch, if unfinished, can be resumed. Saving goes on in the same session. The query bar
/// (`form`) shows the session's fetch (its pinned range) as the restore starts, so Fetch events
/// asks for the same events again; once they are back, the page's link names that fetch too.
pub fn restore(st: AppState, form: Option<QueryForm>, id: String) {
    let Some(ps) = saving::state() else { return };
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
        // The session's lock while it is read and then saved on: another tab holding it is
        // saving it, so this tab restores it but writes none of it.
        let lock = saving::lock(&id).await;
        let elsewhere = matches!(lock, saving::LockState::Elsewhere);
        saving::RESTORING.with(|r| *r.borrow_mut() = Some(id.clone()));
        let _restoring = Restoring;
        // The fetch's runner is this restore's until a fetch starts (which stops it).
        let ticket = crate::events::fetch::hold(st);
        st.replace_events();
        // The query bar shows the session's fetch from the start, so that what the user types
        // while the chunks come back is theirs to keep (and to fetch, which stops the restore).
        if let (Some(form), Some((spec, cap))) = (form, m.fetch()) {
            form.show(&spec, cap, st.tz.get_untracked());
        }
        if !m.clouds.aliyun {
            // No Alibaba Cloud run to describe them: the progress line names the Cloud query
            // that brought them, or AWS CloudTrail.
            use trailview_core::fetch_policy::Origin;
            st.loaded_from(match m.sources.as_slice() {
                [] => Origin::AwsCloudTrail,
                [q] if !m.clouds.aws => Origin::CloudQuery(q.clone()),
                _ => Origin::Several,
            });
        }
        let epoch = st.store.with_value(|s| s.epoch());
        // The store's rows as this restore left them: more means another load added events.
        let mut expected = 0;
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
        let mut interrupted = false;
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
                if !alone(st, &ticket, epoch, expected) {
                    interrupted = true;
                    break 'chunks;
                }
                let slice_of = st.store.try_update_value(|s| {
                    let r = ingest.ingest(s, 256);
                    (r, s.len())
                });
                match slice_of {
                    Some((Ok(_), n)) => expected = n,
                    Some((Err(e), _)) => {
                        damage = Some(e.to_string());
                        break 'chunks;
                    }
                    None => {}
                }
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
        if interrupted || !alone(st, &ticket, epoch, expected) {
            ps.restoring.set(None);
            if st.store.with_value(|s| s.epoch()) == epoch {
                // Another load (files, a Cloud query) added to the restored events: they stay
                // the session's fetch's, which the query bar shows, as after any restore. (A
                // fetch that stopped it took the runner, and names its own.)
                if ticket.live() {
                    if let Some((spec, cap)) = m.fetch() {
                        st.link_fetched(&spec, cap);
                    }
                }
                st.version.update(|v| *v += 1);
                ps.status.set(Some(format!(
                    "Restore stopped by another load: {} of {} saved events were put back.",
                    thousands(expected),
                    thousands(m.rows)
                )));
            }
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
        // An AWS-only fetch's rows come back; it has no Alibaba Cloud part to resume.
        let unfinished = m.clouds.aliyun && (m.unfinished() || damage.is_some());
        st.run.set(m.clouds.aliyun.then_some(run));
        st.fetch_state.set(if !m.clouds.aliyun {
            FetchState::Idle
        } else if unfinished {
            FetchState::Cancelled
        } else {
            FetchState::Done
        });
        st.version.update(|v| *v += 1);
        st.select_linked_event();
        ps.restoring.set(None);
        saving::continue_session(st, &m, writer, lock);
        if let Some((spec, cap)) = m.fetch() {
            st.link_fetched(&spec, cap);
        }
        ps.sessions.update(|v| v.retain(|(i, _)| *i != id));
        let secs = trailview_core::numbers::fixed((now_ms() - t0) / 1000.0, 1);
        let note = if elsewhere {
            " Not saved by this tab: this session is being saved in another tab."
        } else {
            ""
        };
        ps.status.set(Some(match damage {
            None => format!("Restored {} events in {secs} s.{note}", thousands(rows)),
            Some(d) => format!(
                "Restored {} of {} events in {secs} s: {d}. Resume continues from the restored events' time.{note}",
                thousands(rows),
                thousands(m.rows)
            ),
        }));
    });
}

/// Clears the session being restored when the restore ends, however it ends.
struct Restoring;

impl Drop for Restoring {
    fn drop(&mut self) {
        saving::RESTORING.with(|r| *r.borrow_mut() = None);
    }
}

/// Whether the restore still owns the events: no fetch took the runner (`ticket`), no load
/// replaced the store (`epoch`) or added to it (its rows are the `expected` ones).
fn alone(st: AppState, ticket: &crate::runtime::Ticket, epoch: u64, expected: usize) -> bool {
    ticket.live()
        && st
            .store
            .with_value(|s| s.epoch() == epoch && s.len() == expected)
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
    let Some(ps) = saving::state() else { return };
    spawn_local(async move {
        // Not while another tab saves or restores it (its lock is held there).
        let lock = saving::lock(&id).await;
        if matches!(lock, saving::LockState::Elsewhere) {
            return ps.status.set(Some(format!(
                "The saved session was not deleted: {}.",
                saving::ELSEWHERE
            )));
        }
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
    let form = use_context::<QueryForm>();
    move || {
        let list = ps.sessions.get();
        if list.is_empty() || !ps.open.get() {
            return None;
        }
        let tz = st.tz.get();
        let elsewhere = ps.elsewhere.get();
        let items = list
            .into_iter()
            .map(|(id, m)| {
                let desc_id = format!("saved-{id}");
                let (what, detail) = match &m {
                    Ok(m) => (
                        m.describe(),
                        format!(
                            "{} events · {} · saved {}{}{}",
                            thousands(m.rows),
                            size_text(m.bytes),
                            crate::format::time(Some(m.updated_ms), tz),
                            if m.unfinished() { " · unfinished" } else { "" },
                            if elsewhere.contains(&id) {
                                " · in use in another tab"
                            } else {
                                ""
                            }
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
                                on:click=move |_| restore(st, form, rid.clone())>"Restore"</button>
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
