//! The Jobs view's state and its runs: each source's pages (`trailview_core::jobs`' pagers:
//! PageNumber for backfill jobs, nextToken for export tasks, one call for report deliveries),
//! the backfill create with a ClientToken that survives retries, and the refresh of running
//! backfill jobs, all carried out by the one driver (`crate::runtime`: pacing, retry, cancel).

use crate::api::ApiClient;
use crate::events::state::Tz;
use crate::runtime::{self, call_once, now_ms, retry_notice, Driven, Runner, Shown, Ticket};
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::time::Duration;
use trailview_core::catalogue::{Call, CreateDeliveryHistoryJob, GetDeliveryHistoryJob};
use trailview_core::jobs::{
    client_token, Answer, BackfillPages, CdnPages, ExportPages, Job, JobList, JobPages, RowQuery,
    Source, TokenKeeper, RUNNING_REFRESH_MS,
};
use trailview_core::lenient::Parsed;
use trailview_core::paging::{PagedRun, Request, Retry, RetryPolicy, RunEnd, Step, MAX_RETRIES};
use trailview_core::timeline::Axis;
use trailview_core::{dialect::ApiError, wire::ContentError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadState {
    Idle,
    Loading,
    Done,
    Error,
}

impl LoadState {
    pub fn key(self) -> &'static str {
        match self {
            LoadState::Idle => "idle",
            LoadState::Loading => "loading",
            LoadState::Done => "done",
            LoadState::Error => "error",
        }
    }
}

/// One source's data and table state.
#[derive(Clone, Copy)]
pub struct SourceState {
    pub source: Source,
    pub jobs: RwSignal<Vec<Job>>,
    pub state: RwSignal<LoadState>,
    pub pages: RwSignal<usize>,
    pub error: RwSignal<Option<ApiError>>,
    /// CDN `Content` that could not be read, with the raw text.
    pub content_error: RwSignal<Option<ContentError>>,
    pub notice: RwSignal<Option<String>>,
    pub query: RwSignal<RowQuery>,
    pub page: RwSignal<usize>,
    pub selected: RwSignal<Option<String>>,
    /// A new load aborts the one running.
    runner: StoredValue<Runner, LocalStorage>,
}

impl SourceState {
    fn new(source: Source) -> Self {
        SourceState {
            source,
            jobs: RwSignal::new(Vec::new()),
            state: RwSignal::new(LoadState::Idle),
            pages: RwSignal::new(0),
            error: RwSignal::new(None),
            content_error: RwSignal::new(None),
            notice: RwSignal::new(None),
            query: RwSignal::new(RowQuery::default()),
            page: RwSignal::new(0),
            selected: RwSignal::new(None),
            runner: StoredValue::new_local(Runner::default()),
        }
    }
}

/// The backfill form.
#[derive(Clone, Copy)]
pub struct CreateState {
    pub trail: RwSignal<String>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    pub message: RwSignal<Option<String>>,
    pub keeper: StoredValue<TokenKeeper>,
}

#[derive(Clone, Copy)]
pub struct JobsState {
    /// The proxy the sources are read through, and the time zone they are shown in: the
    /// host's settings (`jobs_host` forwards them into this separately loaded view).
    pub base: RwSignal<String>,
    pub tz: RwSignal<Tz>,
    pub tab: RwSignal<Source>,
    /// Told when the user picks a tab (the host keeps it in the page's URL); not when the
    /// host sets one.
    pub tab_changed: StoredValue<Option<Callback<Source>>>,
    pub backfill: SourceState,
    pub cdn: SourceState,
    pub export: SourceState,
    /// The one time axis all timelines share; `None` until first fitted.
    pub axis: RwSignal<Option<Axis>>,
    /// "Now" for the timelines, ticking while the view is open.
    pub now: RwSignal<i64>,
    pub create: CreateState,
    /// The refresh of running backfill jobs: a backfill load stops it, and restarts it when
    /// done, so one loop runs at a time and it follows the latest list and settings.
    refresh: StoredValue<Runner, LocalStorage>,
}

/// The width the timelines are laid out in (SVG user units; the SVG scales to its box).
pub const TIMELINE_WIDTH: f64 = 1000.0;

impl JobsState {
    pub fn new(base: String, tz: Tz) -> Self {
        JobsState {
            base: RwSignal::new(base),
            tz: RwSignal::new(tz),
            tab: RwSignal::new(Source::Backfill),
            tab_changed: StoredValue::new(None),
            backfill: SourceState::new(Source::Backfill),
            cdn: SourceState::new(Source::Cdn),
            export: SourceState::new(Source::Export),
            axis: RwSignal::new(None),
            now: RwSignal::new(now_ms() as i64),
            create: CreateState {
                trail: RwSignal::new("trail-name".to_string()),
                busy: RwSignal::new(false),
                error: RwSignal::new(None),
                message: RwSignal::new(None),
                keeper: StoredValue::new(TokenKeeper::default()),
            },
            refresh: StoredValue::new_local(Runner::default()),
        }
    }

    /// The user picks a tab: shown, and the host told.
    pub fn choose_tab(self, s: Source) {
        self.tab.set(s);
        if let Some(f) = self.tab_changed.get_value() {
            f.run(s);
        }
    }

    /// The host sets the tab (a link, Back / Forward): `key` is a tab's key, anything else the
    /// first tab. Unchanged when it is the tab shown (the panel is not rebuilt).
    pub fn set_tab_key(self, key: &str) {
        let s = Source::ALL
            .into_iter()
            .find(|s| s.key() == key)
            .unwrap_or(Source::Backfill);
        if self.tab.get_untracked() != s {
            self.tab.set(s);
        }
    }

    pub fn source(&self, s: Source) -> SourceState {
        match s {
            Source::Backfill => self.backfill,
            Source::Cdn => self.cdn,
            Source::Export => self.export,
        }
    }

    /// Fit the shared axis to everything loaded (executions and data windows) and now.
    pub fn fit(&self) {
        let now = now_ms() as i64;
        let mut ext = Vec::new();
        // Executions and data windows; report tasks' creation dates (often years back) would
        // squeeze everything else, so they only count through their upcoming runs.
        for s in [Source::Backfill, Source::Export] {
            self.source(s).jobs.with_untracked(|jobs| {
                ext.extend(jobs.iter().filter_map(Job::extent));
            });
        }
        // Report deliveries: a day of upcoming runs.
        ext.push((now, now + 86_400_000));
        self.axis.set(Some(Axis::fit(ext, now, TIMELINE_WIDTH)));
    }

    /// Load every source (each on its own loop), through the proxy in [`JobsState::base`].
    pub fn load_all(&self) {
        let base = self.base.get_untracked();
        for s in Source::ALL {
            self.load(s, base.clone());
        }
    }

    pub fn load(&self, s: Source, base: String) {
        let st = self.source(s);
        let ticket = st.runner.with_value(Runner::start);
        if s == Source::Backfill {
            self.refresh.with_value(Runner::cancel);
        }
        st.state.set(LoadState::Loading);
        st.error.set(None);
        st.content_error.set(None);
        st.notice.set(None);
        st.pages.set(0);
        let this = *self;
        spawn_local(async move {
            let client = crate::storage::api_client(base.clone());
            let result = match s {
                Source::Backfill => load_source(&client, &ticket, st, BackfillPages).await,
                Source::Cdn => load_source(&client, &ticket, st, CdnPages).await,
                Source::Export => load_source(&client, &ticket, st, ExportPages).await,
            };
            let Some(result) = result else {
                return;
            };
            match result {
                Ok(()) => st.state.set(LoadState::Done),
                Err(e) => {
                    st.error.set(Some(e));
                    st.state.set(LoadState::Error);
                }
            }
            st.notice.set(None);
            if this.axis.get_untracked().is_none()
                && Source::ALL
                    .iter()
                    .all(|x| this.source(*x).state.get_untracked() != LoadState::Loading)
            {
                this.fit();
            }
            if s == Source::Backfill {
                this.refresh_running(base);
            }
        });
    }

    /// While any backfill job is initializing or delivering, re-read it every few seconds
    /// (GetDeliveryHistoryJob) until it is done. Starting it stops the loop running before.
    /// Each job is tried once a round: one failing job does not hold up the others, and the
    /// next round tries it again.
    pub fn refresh_running(&self, base: String) {
        let ticket = self.refresh.with_value(Runner::start);
        let this = *self;
        spawn_local(async move {
            loop {
                if !ticket.live() {
                    return;
                }
                let running: Vec<String> = this.backfill.jobs.with_untracked(|jobs| {
                    jobs.iter()
                        .filter(|j| j.open)
                        .map(|j| j.id.clone())
                        .collect()
                });
                if running.is_empty() {
                    break;
                }
                sleep(Duration::from_millis(RUNNING_REFRESH_MS as u64)).await;
                // Built each round: a token changed in Settings is used from the next round.
                let client = crate::storage::api_client(base.clone());
                for id in running {
                    let request = Request::Query(vec![("JobId".to_string(), id.clone())]);
                    let outcome = call_once::<GetDeliveryHistoryJob>(
                        &client,
                        &ticket,
                        request,
                        RetryPolicy::NextRound,
                        |_, _, _| {},
                    )
                    .await;
                    match outcome {
                        Some(Ok(r)) => {
                            let job = Job::from_backfill(&r, now_ms() as i64);
                            this.backfill.jobs.update(|jobs| {
                                if let Some(j) = jobs.iter_mut().find(|j| j.id == id) {
                                    *j = job;
                                }
                            });
                        }
                        // Worth retrying: the next round tries again.
                        Some(Err(e)) if e.is_retryable() => {}
                        Some(Err(_)) => {
                            // Gone (deleted) or refused: stop following it.
                            this.backfill.jobs.update(|jobs| {
                                if let Some(j) = jobs.iter_mut().find(|j| j.id == id) {
                                    j.open = false;
                                }
                            });
                        }
                        None => return,
                    }
                }
            }
        });
    }

    /// Submit the backfill form: a fresh ClientToken per new submission, the same one for
    /// automatic retries and for a resubmit after a failure that may have reached the server.
    pub fn create_backfill(&self) {
        let base = self.base.get_untracked();
        let c = self.create;
        if c.busy.get_untracked() {
            return;
        }
        let trail = c.trail.get_untracked().trim().to_string();
        if trail.is_empty() {
            c.error.set(None);
            c.message.set(Some("Enter a trail name.".into()));
            return;
        }
        c.busy.set(true);
        c.error.set(None);
        c.message.set(None);
        let token = c.keeper.try_update_value(|k| {
            k.token_for(&trail, || {
                let r = || (js_sys::Math::random() * u32::MAX as f64) as u64;
                client_token((r() << 32) | r(), (r() << 32) | r())
            })
        });
        let token = token.unwrap_or_default();
        let this = *self;
        spawn_local(async move {
            let client = crate::storage::api_client(base.clone());
            let ticket = Runner::default().start();
            let request = Request::Query(vec![
                ("TrailName".to_string(), trail.clone()),
                ("ClientToken".to_string(), token.clone()),
            ]);
            // Whether an attempt before the last may have reached the service.
            let earlier = Cell::new(Answer::Definite);
            let on_retry = |e: &ApiError, delay_ms: u32, attempt: u32| {
                if Answer::of::<()>(&Err(e.clone())) == Answer::Uncertain {
                    earlier.set(Answer::Uncertain);
                }
                c.message.set(Some(format!(
                    "{e} — retrying in {} s with the same ClientToken (attempt {attempt} of {MAX_RETRIES})",
                    trailview_core::numbers::fixed(delay_ms as f64 / 1000.0, 1)
                )));
            };
            let outcome = call_once::<CreateDeliveryHistoryJob>(
                &client,
                &ticket,
                request,
                RetryPolicy::Backoff,
                on_retry,
            )
            .await;
            let Some(outcome) = outcome else {
                c.busy.set(false);
                return;
            };
            let answer = Answer::of_attempts(earlier.get(), &outcome);
            c.keeper.update_value(|k| k.settle(answer));
            match outcome {
                Ok(resp) => {
                    let id = resp.job_id.map(|i| i.to_string()).unwrap_or_default();
                    c.message.set(Some(format!(
                        "Job {id} created for {trail} (ClientToken {token})."
                    )));
                    this.backfill.selected.set(Some(id));
                    this.load(Source::Backfill, base);
                }
                Err(e) => {
                    c.message.set((answer == Answer::Uncertain).then(|| {
                        "The request may or may not have reached the service. Submit again: the same ClientToken is sent, so it cannot create a second job.".to_string()
                    }));
                    c.error.set(Some(e));
                }
            }
            c.busy.set(false);
        });
    }
}

/// One load of one job source as the driver sees it.
struct SourceLoad<P> {
    st: SourceState,
    run: RefCell<PagedRun<P>>,
    list: RefCell<JobList>,
    error: RefCell<Option<ApiError>>,
}

impl<P: JobPages> Driven for SourceLoad<P> {
    type Call = P::Call;

    fn step(&self) -> Step {
        self.run.borrow().step()
    }

    fn accept(&self, response: <P::Call as Call>::Response, _parsed: Parsed) {
        let pages = {
            let mut run = self.run.borrow_mut();
            run.accept_page(&response);
            run.pager
                .collect(&response, now_ms() as i64, &mut self.list.borrow_mut());
            run.pages()
        };
        let (jobs, content_error) = {
            let list = self.list.borrow();
            (list.jobs.clone(), list.content_error.clone())
        };
        self.st.pages.set(pages);
        self.st.jobs.set(jobs);
        if content_error.is_some() {
            self.st.content_error.set(content_error);
        }
    }

    /// Shows its own retry notice and error (`retrying`, `gave_up` below).
    fn shown(&self) -> Option<Shown> {
        None
    }
    fn on_error(&self, e: &ApiError, salt: u64) -> Retry {
        self.run.borrow_mut().on_error(e, salt)
    }

    fn retrying(&self, e: &ApiError, delay_ms: u32, attempt: u32) {
        self.st.notice.set(Some(retry_notice(e, delay_ms, attempt)));
    }

    fn gave_up(&self, e: ApiError) {
        *self.error.borrow_mut() = Some(e);
    }
}

/// Reads every page of one source into its state (up to the runaway cap): `None` when a newer
/// load took over first.
async fn load_source<P: JobPages>(
    client: &ApiClient,
    ticket: &Ticket,
    st: SourceState,
    pager: P,
) -> Option<Result<(), ApiError>> {
    let load = SourceLoad {
        st,
        run: RefCell::new(PagedRun::new(pager)),
        list: RefCell::new(JobList::default()),
        error: RefCell::new(None),
    };
    let end = runtime::drive(client, ticket, &load).await?;
    Some(match (end, load.error.into_inner()) {
        (RunEnd::Failed, Some(e)) => Err(e),
        _ => Ok(()),
    })
}
