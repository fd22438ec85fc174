//! The bucket source: trail files read from OSS or S3 through the proxy. The user picks a
//! bucket source (`config.json`'s `buckets`), the accounts/regions found under it and a time
//! range, lists the files (their count, bytes and, for ActionTrail, events are shown before
//! anything is downloaded), and loads them: the app (`super::bucket_host`) makes each file a
//! `FileJob` whose object comes from the proxy (`api::ObjectGets`, downloaded by the worker
//! that reads it) and hands them to the file pipeline (`super::load`).
//!
//! The panel's body ([`BucketPanelBody`]) is in the module loaded later (`crate::later`): the
//! app loads it the first time the panel is opened, and tells it the proxy base, the time zone
//! and how many events are loaded ([`BucketEnv`]).
//!
//! Every decision is core's (`trail_files::plan`: which folders to list, which files to keep,
//! the totals, retries); this module performs the listing calls a walk asks for and wires the
//! panel's signals.

use crate::api;
use crate::api::ApiClient;
use crate::events::state::Tz;
use crate::format;
use crate::runtime::{self, now_ms, retry_notice, Runner, Shown, Source, Ticket};
use crate::storage::api_client;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::sync::Arc;
use trailview_core::catalogue::Operation;
use trailview_core::dialect::ApiError;
use trailview_core::fetch_policy::LoadMode;
use trailview_core::paging::{Retry, RunEnd};
use trailview_core::time::RangePreset;
use trailview_core::trail_files::plan::{
    file_range, folder_label, list_operation, BucketSource, BucketWalk, PlannedFile, Totals,
    WalkStep, BUCKET_EVENTS_CAP,
};
use trailview_core::trail_files::RegionFolder;
use trailview_core::trail_files::{ListObjectsPage, ListObjectsRequest};
use web_sys::AbortSignal;

/// Where Settings keeps the user's bucket sources (one a line, `<cloud>:<bucket>[/<prefix>]`).
pub const SETTINGS_KEY: &str = "bucketSources";

thread_local! {
    /// The panel's listing walks: a new walk or Cancel aborts the call in flight.
    static RUNNER: Runner = Runner::default();
}

/// What the panel takes from the app that hosts it.
#[derive(Clone, Copy)]
pub struct BucketEnv {
    pub base: RwSignal<String>,
    pub tz: RwSignal<Tz>,
    /// Events loaded in the app (the Load buttons' words).
    pub loaded: RwSignal<usize>,
    /// Load the listed files into the app.
    pub load: Callback<Chosen>,
}

/// Files to load: from which source, for which range, replacing the loaded events or added.
#[derive(Clone)]
pub struct Chosen {
    pub source: BucketSource,
    pub files: Arc<Vec<PlannedFile>>,
    /// The range the files were chosen for: their events outside it are left out.
    pub range: (i64, i64),
    pub mode: LoadMode,
}

/// Where the panel is.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    /// A walk is under way: what it is doing.
    Walking(String),
    /// The files of the range are listed.
    Listed {
        files: Arc<Vec<PlannedFile>>,
        /// The range the files were chosen for: their events outside it are left out.
        range: (i64, i64),
        totals: Totals,
        /// Keys in the listed folders that are not trail files.
        skipped: usize,
    },
    Failed(String),
}

/// The panel's state.
#[derive(Clone, Copy)]
struct BucketPanelState {
    /// `config.json`'s bucket sources and the entries refused (read once).
    config: RwSignal<(Vec<BucketSource>, Vec<String>)>,
    /// `config.json`'s then Settings' sources.
    sources: RwSignal<Vec<BucketSource>>,
    /// Entries that were refused, and why.
    refused: RwSignal<Vec<String>>,
    chosen: RwSignal<Option<BucketSource>>,
    /// The region folders found under the chosen source (`None`: not walked yet).
    regions: RwSignal<Option<Vec<RegionFolder>>>,
    picked: RwSignal<Vec<RegionFolder>>,
    preset: RwSignal<RangePreset>,
    custom_start: RwSignal<String>,
    custom_end: RwSignal<String>,
    phase: RwSignal<Phase>,
}

impl BucketPanelState {
    fn new(now: i64, tz: Tz) -> Self {
        BucketPanelState {
            config: RwSignal::new((Vec::new(), Vec::new())),
            sources: RwSignal::new(Vec::new()),
            refused: RwSignal::new(Vec::new()),
            chosen: RwSignal::new(None),
            regions: RwSignal::new(None),
            picked: RwSignal::new(Vec::new()),
            preset: RwSignal::new(RangePreset::Hours24),
            custom_start: RwSignal::new(format::to_input(now - 3 * 3_600_000, tz)),
            custom_end: RwSignal::new(format::to_input(now - 3_600_000, tz)),
            phase: RwSignal::new(Phase::Idle),
        }
    }

    fn source(&self) -> Option<BucketSource> {
        self.chosen.get_untracked()
    }

    /// The files listed no longer answer the picks (a region or the range changed): list again.
    fn forget_listing(&self) {
        if matches!(self.phase.get_untracked(), Phase::Listed { .. }) {
            self.phase.set(Phase::Idle);
        }
    }

    /// `config.json`'s sources, then those entered in Settings (read now: Settings may have
    /// changed them since the panel was last opened).
    fn refresh_sources(&self) {
        let (mut sources, mut refused) = self.config.get_untracked();
        let typed = crate::storage::load(SETTINGS_KEY).unwrap_or_default();
        let (more, bad) = BucketSource::from_lines(&typed);
        for m in more {
            if !sources.contains(&m) {
                sources.push(m);
            }
        }
        refused.extend(
            bad.into_iter()
                .map(|b| format!("Settings, bucket sources: {b}")),
        );
        if self
            .chosen
            .get_untracked()
            .is_none_or(|c| !sources.contains(&c))
        {
            self.chosen.set(sources.first().cloned());
        }
        self.sources.set(sources);
        self.refused.set(refused);
    }
}

/// A walk's listings as the driver sees them: calls on the walk's bucket, paced by its
/// ListObjectsV2 pacer; `progress` is told after each page and before each retry.
struct Listings<'a, F> {
    walk: &'a RefCell<BucketWalk>,
    progress: F,
    gave_up: RefCell<Option<ApiError>>,
}

impl<F: Fn(&BucketWalk, Option<String>)> Source for Listings<'_, F> {
    type Request = ListObjectsRequest;
    type Response = ListObjectsPage;
    fn operation(&self) -> &'static Operation {
        list_operation(self.walk.borrow().source.cloud)
    }
    fn step(&self) -> WalkStep {
        self.walk.borrow_mut().step()
    }
    async fn perform(
        &self,
        client: &ApiClient,
        request: &ListObjectsRequest,
        signal: Option<&AbortSignal>,
    ) -> Result<ListObjectsPage, ApiError> {
        let (cloud, bucket) = {
            let w = self.walk.borrow();
            (w.source.cloud, w.source.bucket.clone())
        };
        api::list_objects(client, cloud, &bucket, request, signal).await
    }
    fn accept(&self, page: ListObjectsPage) {
        self.walk.borrow_mut().accept(&page);
        (self.progress)(&self.walk.borrow(), None);
    }
    /// Shows its own retry notice and error (`retrying`, `gave_up` below).
    fn shown(&self) -> Option<Shown> {
        None
    }
    fn on_error(&self, e: &ApiError, salt: u64) -> Retry {
        self.walk.borrow_mut().on_error(e, salt)
    }
    fn retrying(&self, e: &ApiError, delay_ms: u32, attempt: u32) {
        (self.progress)(
            &self.walk.borrow(),
            Some(retry_notice(e, delay_ms, attempt)),
        );
    }
    fn gave_up(&self, e: ApiError) {
        *self.gave_up.borrow_mut() = Some(e);
    }
}

/// Runs `walk` on the one driver until it stops: how it ended and the error it gave up on;
/// `None` when the ticket went stale (a newer walk or Cancel).
async fn run_walk(
    env: BucketEnv,
    ticket: &Ticket,
    walk: &RefCell<BucketWalk>,
    progress: impl Fn(&BucketWalk, Option<String>),
) -> Option<(RunEnd, Option<ApiError>)> {
    let client = api_client(env.base.get_untracked());
    let listings = Listings {
        walk,
        progress,
        gave_up: RefCell::new(None),
    };
    let end = runtime::drive(&client, ticket, &listings).await?;
    Some((end, listings.gave_up.into_inner()))
}

fn walking_now(ps: BucketPanelState) -> bool {
    matches!(ps.phase.get_untracked(), Phase::Walking(_))
}

/// What a stopped walk says when it did not complete.
fn walk_failure(end: RunEnd, error: Option<ApiError>) -> Option<String> {
    match (end, error) {
        (RunEnd::Complete, _) => None,
        (_, Some(e)) => Some(e.to_string()),
        (RunEnd::Capped, None) => {
            Some("The listing was stopped: too many folders or pages.".into())
        }
        (RunEnd::Cancelled, None) => Some("Cancelled.".into()),
        (RunEnd::Failed, None) => Some("The listing failed.".into()),
    }
}

/// Find the accounts and regions under the chosen source.
fn find_regions(env: BucketEnv, ps: BucketPanelState) {
    let Some(source) = ps.source() else {
        return;
    };
    let ticket = RUNNER.with(Runner::start);
    ps.regions.set(None);
    ps.picked.set(Vec::new());
    ps.phase.set(Phase::Walking(format!(
        "Looking for accounts and regions in {}…",
        source.bucket
    )));
    spawn_local(async move {
        let walk = RefCell::new(BucketWalk::regions(source));
        let ended = run_walk(env, &ticket, &walk, |w, retry| {
            let found = w.found().len();
            ps.phase.set(Phase::Walking(retry.unwrap_or_else(|| {
                format!("Looking for accounts and regions… {found} found")
            })));
        })
        .await;
        let Some((end, error)) = ended else {
            return;
        };
        let found = walk.borrow().found();
        let failure = walk_failure(end, error);
        // A failed walk shows the folders it found before failing, and no "none found".
        if failure.is_none() || !found.is_empty() {
            ps.picked.set(found.clone());
            ps.regions.set(Some(found));
        }
        ps.phase.set(match failure {
            Some(m) => Phase::Failed(m),
            None => Phase::Idle,
        });
    });
}

/// List the files of the picked folders in the range.
fn list_files(env: BucketEnv, ps: BucketPanelState) {
    let Some(source) = ps.source() else {
        return;
    };
    let tz = env.tz.get_untracked();
    let range = file_range(
        ps.preset.get_untracked(),
        format::parse_input(&ps.custom_start.get_untracked(), tz),
        format::parse_input(&ps.custom_end.get_untracked(), tz),
        now_ms() as i64,
    );
    let (from, to) = match range {
        Ok(r) => r,
        Err(e) => {
            ps.phase.set(Phase::Failed(e));
            return;
        }
    };
    let folders = ps.picked.get_untracked();
    let ticket = RUNNER.with(Runner::start);
    ps.phase.set(Phase::Walking("Listing files…".into()));
    spawn_local(async move {
        let walk = RefCell::new(BucketWalk::files(source, &folders, from, to));
        let ended = run_walk(env, &ticket, &walk, |w, retry| {
            ps.phase.set(Phase::Walking(retry.unwrap_or_else(|| {
                format!(
                    "Listing files… {} so far, {} folders to go",
                    w.totals().summary(),
                    w.pending()
                )
            })));
        })
        .await;
        let Some((end, error)) = ended else {
            return;
        };
        let w = walk.borrow();
        ps.phase.set(match walk_failure(end, error) {
            Some(m) => Phase::Failed(m),
            None => Phase::Listed {
                files: Arc::new(w.planned()),
                range: (from, to),
                totals: w.totals(),
                skipped: w.skipped().other,
            },
        });
    });
}

fn load(env: BucketEnv, ps: BucketPanelState, mode: LoadMode) {
    if let (Some(source), Phase::Listed { files, range, .. }) =
        (ps.source(), ps.phase.get_untracked())
    {
        env.load.run(Chosen {
            source,
            files,
            range,
            mode,
        });
    }
}

/// The bucket source panel's body (the app's `<details>` holds it), mounted the first time the
/// panel is opened. `opened` is called on every opening after that (sources typed in Settings
/// since are read again; the regions are found if they are not yet).
pub fn mount_body(parent: web_sys::HtmlElement, env: BucketEnv) -> Callback<()> {
    let ps = BucketPanelState::new(now_ms() as i64, env.tz.get_untracked());
    let opened = Callback::new(move |()| {
        ps.refresh_sources();
        if ps.regions.get_untracked().is_none() && !walking_now(ps) {
            find_regions(env, ps);
        }
    });
    // Mounting sets up this module's task executor, which the config's read needs.
    leptos::mount::mount_to(parent, move || view! { <BucketPanelBody env=env ps=ps /> }).forget();
    // Opened now: once config.json's sources are read.
    spawn_local(async move {
        let (cfg, _) = api::load_config().await;
        ps.config.set(BucketSource::from_config(&cfg.buckets));
        opened.run(());
    });
    opened
}

#[component]
fn BucketPanelBody(env: BucketEnv, ps: BucketPanelState) -> impl IntoView {
    let walking = move || matches!(ps.phase.get(), Phase::Walking(_));
    let pick_source = move |v: String| {
        RUNNER.with(Runner::cancel);
        let chosen = v
            .parse::<usize>()
            .ok()
            .and_then(|i| ps.sources.with_untracked(|s| s.get(i).cloned()));
        ps.chosen.set(chosen);
        ps.regions.set(None);
        ps.picked.set(Vec::new());
        ps.phase.set(Phase::Idle);
        find_regions(env, ps);
    };
    let toggle = move |f: RegionFolder, on: bool| {
        ps.picked.update(|p| {
            p.retain(|x| *x != f);
            if on {
                p.push(f);
            }
        });
        ps.forget_listing();
    };
    let region_list = move || {
        ps.regions.get().map(|found| {
            if found.is_empty() {
                return view! {
                    <p class="hint" data-testid="bucket-no-regions">"No trail folders found under this source."</p>
                }
                .into_any();
            }
            let all = found.clone();
            let all_on = move || ps.picked.with(|p| p.len() == all.len());
            let everything = found.clone();
            view! {
                <fieldset class="bucket-regions" data-testid="bucket-regions">
                    <legend>"Accounts and regions"</legend>
                    <label>
                        <input type="checkbox" data-testid="bucket-region-all" prop:checked=all_on
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                ps.picked.set(if on { everything.clone() } else { Vec::new() });
                                ps.forget_listing();
                            } />
                        "All"
                    </label>
                    {found
                        .into_iter()
                        .map(|f| {
                            let label = folder_label(&f);
                            let (f1, f2) = (f.clone(), f);
                            view! {
                                <label>
                                    <input type="checkbox" prop:checked=move || ps.picked.with(|p| p.contains(&f1))
                                        on:change=move |ev| toggle(f2.clone(), event_target_checked(&ev)) />
                                    {label}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
            }
            .into_any()
        })
    };
    let can_list =
        move || !walking() && ps.chosen.get().is_some() && ps.picked.with(|p| !p.is_empty());
    let loaded = move || env.loaded.get();
    view! {
            {move || ps.refused.with(|r| (!r.is_empty()).then(|| view! {
                <p class="query-error" role="alert">{r.join(" ")}</p>
            }))}
            {move || {
                if ps.sources.with(|s| s.is_empty()) {
                    return view! {
                        <p class="hint">"No bucket sources: config.json lists them under \"buckets\"."</p>
                    }
                    .into_any();
                }
                view! {
                    <label class="field">
                        <span>"Bucket"</span>
                        <select data-testid="bucket-choice" on:change=move |ev| pick_source(event_target_value(&ev))>
                            <option value="" selected=move || ps.chosen.get().is_none()>"Choose a bucket…"</option>
                            {ps.sources.get().into_iter().enumerate().map(|(i, s)| {
                                let this = s.clone();
                                view! {
                                <option value=i.to_string() selected=move || ps.chosen.with(|c| c.as_ref() == Some(&this))>
                                    {s.title()}
                                </option>
                            }}).collect_view()}
                        </select>
                    </label>
                    <button type="button" data-testid="bucket-find" disabled=move || walking() || ps.chosen.get().is_none()
                        on:click=move |_| find_regions(env, ps)>"Find accounts and regions"</button>
                }
                .into_any()
            }}
            {region_list}
            <label class="field">
                <span>"Time range"</span>
                <select data-testid="bucket-range" on:change=move |ev| {
                    if let Some(p) = RangePreset::from_key(&event_target_value(&ev)) {
                        ps.preset.set(p);
                        ps.forget_listing();
                    }
                }>
                    {RangePreset::ALL
                        .into_iter()
                        .map(|p| view! { <option value=p.key() selected=move || ps.preset.get() == p>{p.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <Show when=move || ps.preset.get() == RangePreset::Custom>
                <label class="field">
                    <span>{move || format!("From ({})", format::zone_label(env.tz.get()))}</span>
                    <input data-testid="bucket-start" type="datetime-local" prop:value=move || ps.custom_start.get()
                        on:input=move |ev| {
                            ps.custom_start.set(event_target_value(&ev));
                            ps.forget_listing();
                        } />
                </label>
                <label class="field">
                    <span>"To"</span>
                    <input data-testid="bucket-end" type="datetime-local" prop:value=move || ps.custom_end.get()
                        on:input=move |ev| {
                            ps.custom_end.set(event_target_value(&ev));
                            ps.forget_listing();
                        } />
                </label>
            </Show>
            <div class="buttons">
                <button type="button" data-testid="bucket-list" disabled=move || !can_list()
                    on:click=move |_| list_files(env, ps)>"List files"</button>
                <button type="button" data-testid="bucket-cancel" disabled=move || !walking()
                    on:click=move |_| {
                        RUNNER.with(Runner::cancel);
                        ps.phase.set(Phase::Failed("Cancelled.".into()));
                    }>"Cancel"</button>
            </div>
            {move || match ps.phase.get() {
                Phase::Idle => ().into_any(),
                Phase::Walking(m) => view! { <p class="hint" role="status" data-testid="bucket-status">{m}</p> }.into_any(),
                Phase::Failed(m) => view! { <p class="query-error" role="alert" data-testid="bucket-error">{m}</p> }.into_any(),
                Phase::Listed { totals, skipped, .. } => {
                    let note = totals.cap_note(BUCKET_EVENTS_CAP);
                    let empty = totals.files == 0;
                    view! {
                        <div class="bucket-listed" role="status">
                            <p data-testid="bucket-totals">{totals.summary()}</p>
                            {(skipped > 0).then(|| view! {
                                <p class="hint">{format!("{skipped} other objects in those folders are not trail files.")}</p>
                            })}
                            {note.map(|n| view! { <p class="query-note">{n}</p> })}
                            {move || if loaded() == 0 {
                                view! {
                                    <button type="button" class="primary" data-testid="bucket-load" disabled=empty
                                        on:click=move |_| load(env, ps, LoadMode::Replace)>"Load"</button>
                                }.into_any()
                            } else {
                                view! {
                                    <button type="button" class="primary" data-testid="bucket-load" disabled=empty
                                        on:click=move |_| load(env, ps, LoadMode::Replace)>"Load, replacing the loaded events"</button>
                                    <button type="button" data-testid="bucket-add" disabled=empty
                                        on:click=move |_| load(env, ps, LoadMode::Add)>"Add to the loaded events"</button>
                                }.into_any()
                            }}
                        </div>
                    }
                    .into_any()
                }
            }}
    }
}
