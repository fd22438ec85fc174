//! The Jobs view's state and fetch loops: every page of each source (PageNumber paging for
//! backfill jobs, nextToken for export tasks, one call for report deliveries), paced under each
//! API's rate limit with retry and backoff from `trailview_core::fetch_policy`; the backfill
//! create with a ClientToken that survives retries; and the refresh of running backfill jobs.

use crate::api;
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashMap;
use std::time::Duration;
use trailview_core::fetch_policy::{backoff_ms, pace_wait_ms, MAX_RETRIES};
use trailview_core::jobs::{
    backfill_has_more, backfill_page_params, client_token, Answer, Job, RowQuery, Source,
    TokenKeeper, BACKFILL_MIN_INTERVAL_MS, BACKFILL_PAGE_SIZE, CDN_MIN_INTERVAL_MS,
    EXPORT_MIN_INTERVAL_MS, EXPORT_PAGE_LIMIT, MAX_PAGES, RUNNING_REFRESH_MS,
};
use trailview_core::timeline::Axis;
use trailview_core::{
    dialect::ApiError,
    wire::{
        ContentError, CreateDeliveryHistoryJobResponse, DescribeExportTasksResponse,
        GetDeliveryHistoryJobResponse, ListDeliveryHistoryJobsResponse,
    },
};

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Where the Events view should go next (set by a click on a data window; the query bar
/// applies it as a custom range and fetches).
#[derive(Clone, Copy)]
pub struct JumpRange(pub RwSignal<Option<(i64, i64)>>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Events,
    Jobs,
}

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
    /// Bumped to cancel a running load.
    generation: StoredValue<u64>,
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
            generation: StoredValue::new(0),
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
    pub view: RwSignal<View>,
    pub tab: RwSignal<Source>,
    pub backfill: SourceState,
    pub cdn: SourceState,
    pub export: SourceState,
    /// The one time axis all timelines share; `None` until first fitted.
    pub axis: RwSignal<Option<Axis>>,
    /// "Now" for the timelines, ticking while the view is open.
    pub now: RwSignal<i64>,
    pub create: CreateState,
    refreshing: StoredValue<bool>,
}

/// The width the timelines are laid out in (SVG user units; the SVG scales to its box).
pub const TIMELINE_WIDTH: f64 = 1000.0;

impl JobsState {
    pub fn new() -> Self {
        JobsState {
            view: RwSignal::new(View::Events),
            tab: RwSignal::new(Source::Backfill),
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
            refreshing: StoredValue::new(false),
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

    /// Load every source (each on its own loop).
    pub fn load_all(&self, base: &str) {
        for s in Source::ALL {
            self.load(s, base.to_string());
        }
    }

    pub fn load(&self, s: Source, base: String) {
        let st = self.source(s);
        st.generation.update_value(|g| *g += 1);
        let gen = st.generation.get_value();
        st.state.set(LoadState::Loading);
        st.error.set(None);
        st.content_error.set(None);
        st.notice.set(None);
        st.pages.set(0);
        let this = *self;
        spawn_local(async move {
            let live = move || st.generation.get_value() == gen;
            let result = match s {
                Source::Backfill => load_backfill(st, &base, live).await,
                Source::Cdn => load_cdn(st, &base, live).await,
                Source::Export => load_export(st, &base, live).await,
            };
            if !live() {
                return;
            }
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
    /// (GetDeliveryHistoryJob) until it is done. One loop at a time.
    pub fn refresh_running(&self, base: String) {
        if self.refreshing.get_value() {
            return;
        }
        self.refreshing.set_value(true);
        let this = *self;
        spawn_local(async move {
            loop {
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
                let mut last: Option<f64> = None;
                for id in running {
                    let wait = pace_wait_ms(last, now_ms(), BACKFILL_MIN_INTERVAL_MS);
                    if wait > 0.0 {
                        sleep(Duration::from_millis(wait as u64)).await;
                    }
                    last = Some(now_ms());
                    let params = vec![("JobId".to_string(), id.clone())];
                    match api::actiontrail_read::<GetDeliveryHistoryJobResponse>(
                        &base,
                        "GetDeliveryHistoryJob",
                        &params,
                        None,
                    )
                    .await
                    {
                        Ok((r, _)) => {
                            let mut raw = serde_json::to_value(&r.job).unwrap_or_default();
                            raw["Status"] = serde_json::to_value(&r.status).unwrap_or_default();
                            let mut job = Job::from_backfill(&r.job, now_ms() as i64);
                            job.raw = raw;
                            this.backfill.jobs.update(|jobs| {
                                if let Some(j) = jobs.iter_mut().find(|j| j.id == id) {
                                    *j = job;
                                }
                            });
                        }
                        Err(e) if e.is_retryable() => {}
                        Err(_) => {
                            // Gone (deleted) or refused: stop following it.
                            this.backfill.jobs.update(|jobs| {
                                if let Some(j) = jobs.iter_mut().find(|j| j.id == id) {
                                    j.open = false;
                                }
                            });
                        }
                    }
                }
            }
            this.refreshing.set_value(false);
        });
    }

    /// Submit the backfill form: a fresh ClientToken per new submission, the same one for
    /// automatic retries and for a resubmit after a failure that may have reached the server.
    pub fn create_backfill(&self, base: String) {
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
            let params = vec![
                ("TrailName".to_string(), trail.clone()),
                ("ClientToken".to_string(), token.clone()),
            ];
            let mut attempt = 0u32;
            let mut earlier = Answer::Definite;
            let outcome = loop {
                let r = api::actiontrail_read::<CreateDeliveryHistoryJobResponse>(
                    &base,
                    "CreateDeliveryHistoryJob",
                    &params,
                    None,
                )
                .await;
                match r {
                    Err(e) if e.is_retryable() && attempt < MAX_RETRIES => {
                        attempt += 1;
                        if Answer::of::<()>(&Err(e.clone())) == Answer::Uncertain {
                            earlier = Answer::Uncertain;
                        }
                        let delay = backoff_ms(attempt, e.is_throttling(), now_ms() as u64);
                        c.message.set(Some(format!(
                            "{e} — retrying in {:.1} s with the same ClientToken (attempt {attempt} of {MAX_RETRIES})",
                            delay as f64 / 1000.0
                        )));
                        sleep(Duration::from_millis(delay as u64)).await;
                    }
                    other => break other,
                }
            };
            let answer = Answer::of_attempts(earlier, &outcome);
            c.keeper.update_value(|k| k.settle(answer));
            match outcome {
                Ok((resp, _)) => {
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

impl Default for JobsState {
    fn default() -> Self {
        Self::new()
    }
}

/// Call `f` until it succeeds or fails for good, backing off on retryable errors.
async fn with_retry<T, F, Fut>(st: SourceState, mut f: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let mut attempt = 0u32;
    loop {
        match f().await {
            Err(e) if e.is_retryable() && attempt < MAX_RETRIES => {
                attempt += 1;
                let delay = backoff_ms(attempt, e.is_throttling(), now_ms() as u64);
                st.notice.set(Some(format!(
                    "{e} — retrying in {:.1} s (attempt {attempt} of {MAX_RETRIES})",
                    delay as f64 / 1000.0
                )));
                sleep(Duration::from_millis(delay as u64)).await;
            }
            other => return other,
        }
    }
}

async fn pace(last: &mut Option<f64>, interval: f64) {
    let wait = pace_wait_ms(*last, now_ms(), interval);
    if wait > 0.0 {
        sleep(Duration::from_millis(wait as u64)).await;
    }
    *last = Some(now_ms());
}

async fn load_backfill(
    st: SourceState,
    base: &str,
    live: impl Fn() -> bool,
) -> Result<(), ApiError> {
    let mut all: Vec<Job> = Vec::new();
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut last = None;
    for page in 1..=MAX_PAGES as u32 {
        pace(&mut last, BACKFILL_MIN_INTERVAL_MS).await;
        if !live() {
            return Ok(());
        }
        let params = backfill_page_params(page);
        let (r, _) = with_retry(st, || {
            api::actiontrail_read::<ListDeliveryHistoryJobsResponse>(
                base,
                "ListDeliveryHistoryJobs",
                &params,
                None,
            )
        })
        .await?;
        if !live() {
            return Ok(());
        }
        let now = now_ms() as i64;
        let got = r.jobs.len();
        for j in &r.jobs {
            let job = Job::from_backfill(j, now);
            // A job that moved between pages while paging is listed once.
            if seen.insert(job.id.clone(), ()).is_none() {
                all.push(job);
            }
        }
        st.pages.set(page as usize);
        st.jobs.set(all.clone());
        if !backfill_has_more(page, BACKFILL_PAGE_SIZE, r.total_count, got) {
            break;
        }
    }
    Ok(())
}

async fn load_cdn(st: SourceState, base: &str, live: impl Fn() -> bool) -> Result<(), ApiError> {
    let mut last = None;
    pace(&mut last, CDN_MIN_INTERVAL_MS).await;
    let (r, _) = with_retry(st, || api::describe_cdn_deliver_list(base, None)).await?;
    if !live() {
        return Ok(());
    }
    st.pages.set(1);
    match r.tasks() {
        Ok(tasks) => st.jobs.set(tasks.iter().map(Job::from_cdn).collect()),
        Err(e) => {
            st.jobs.set(Vec::new());
            st.content_error.set(Some(e));
        }
    }
    Ok(())
}

async fn load_export(st: SourceState, base: &str, live: impl Fn() -> bool) -> Result<(), ApiError> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    let mut last = None;
    for page in 1..=MAX_PAGES {
        pace(&mut last, EXPORT_MIN_INTERVAL_MS).await;
        if !live() {
            return Ok(());
        }
        let mut body = serde_json::json!({ "limit": EXPORT_PAGE_LIMIT });
        if let Some(t) = &token {
            body["nextToken"] = serde_json::json!(t);
        }
        let (r, _) = with_retry(st, || {
            api::aws_logs_call::<DescribeExportTasksResponse>(
                base,
                "DescribeExportTasks",
                &body,
                None,
            )
        })
        .await?;
        if !live() {
            return Ok(());
        }
        let now = now_ms() as i64;
        all.extend(r.export_tasks.iter().map(|t| Job::from_export(t, now)));
        st.pages.set(page);
        st.jobs.set(all.clone());
        match r.next_token.filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    Ok(())
}
