//! The editors' state and their two sources on the driver: [`SlsSource`] (core's `SlsRun`)
//! and [`InsightsSource`] (core's `InsightsRun`, and a `SlicePlan` run one slice after
//! another). Decisions are core's; this wires them to signals and to the host.

use crate::api;
use crate::runtime::{self, now_ms, Runner, Shown, Source};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use trailview_core::catalogue::{GetQueryResults, Operation, StartQuery, StopQuery, SLS_GET_LOGS};
use trailview_core::dialect::ApiError;
use trailview_core::engines::editor::{is_limit_exceeded, Engine, History, TableView};
use trailview_core::engines::insights::{
    split_results, GetQueryResultsResponse, InsightsCall, InsightsRun, QuerySpec, SlicePlan,
    StartQueryResponse, StopQueryResponse, MAX_LIMIT,
};
use trailview_core::engines::sls::{
    check_name, GetLogsPage, GetLogsSpec, Ingest, Order, SlsName, SlsRequest, SlsRun,
};
use trailview_core::engines::{Brought, ResultTable};
use trailview_core::fetch_policy::LoadMode;
use trailview_core::paging::{Request, Retry, RunEnd, Step};
use web_sys::AbortSignal;

/// The demo's (and the default) SLS project and logstore, and Insights log group.
pub const DEFAULT_PROJECT: &str = "trailview-demo";
pub const DEFAULT_LOGSTORE: &str = "actiontrail_demo-trail";
pub const DEFAULT_LOG_GROUP: &str = "aws-cloudtrail-logs-demo";
/// The most rows an SLS run reads (a tab holds about a million events).
pub const SLS_MAX_ROWS: u64 = 1_000_000;

/// What the host does with the records a query found: `(mode, source, records)` → how many
/// were new to the table. `LoadMode::Replace` empties the table first.
pub type IngestFn = Rc<dyn Fn(LoadMode, &str, Vec<String>) -> usize>;

/// The host's side: how many events the table holds, and where records go.
#[derive(Clone)]
pub struct Host {
    pub loaded: Rc<dyn Fn() -> usize>,
    pub ingest: IngestFn,
}

/// The time range of a query: the last hour, day, week or 30 days, up to when it is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    Hour,
    Day,
    Week,
    Month,
}

impl Range {
    pub const ALL: [Range; 4] = [Range::Hour, Range::Day, Range::Week, Range::Month];

    pub fn secs(self) -> i64 {
        match self {
            Range::Hour => 3_600,
            Range::Day => 86_400,
            Range::Week => 7 * 86_400,
            Range::Month => 30 * 86_400,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Range::Hour => "Last hour",
            Range::Day => "Last 24 hours",
            Range::Week => "Last 7 days",
            Range::Month => "Last 30 days",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Range::Hour => "1h",
            Range::Day => "24h",
            Range::Week => "7d",
            Range::Month => "30d",
        }
    }

    pub fn from_key(k: &str) -> Range {
        Range::ALL
            .into_iter()
            .find(|r| r.key() == k)
            .unwrap_or(Range::Day)
    }
}

thread_local! {
    static SLS_RUNNER: Runner = Runner::default();
    static INSIGHTS_RUNNER: Runner = Runner::default();
}

/// The editors' state (signals; the module's own reactive graph).
#[derive(Clone, Copy)]
pub struct QueryState {
    pub base: RwSignal<String>,
    pub engine: RwSignal<Engine>,
    pub range: RwSignal<Range>,
    pub project: RwSignal<String>,
    pub logstore: RwSignal<String>,
    /// ListLogStores' names for the picker (or why there are none).
    pub logstores: RwSignal<Result<Vec<String>, String>>,
    /// The last ListLogStores asked: an older answer (another project's) is dropped.
    logstores_asked: StoredValue<u64>,
    pub sls_query: RwSignal<String>,
    pub log_groups: RwSignal<String>,
    pub insights_query: RwSignal<String>,
    pub limit: RwSignal<String>,
    pub sls_history: RwSignal<History>,
    pub insights_history: RwSignal<History>,
    pub sls_run: RwSignal<Option<SlsRun>>,
    pub insights_run: RwSignal<Option<InsightsRun>>,
    /// The slices of a split Insights query: which runs, and what the finished ones matched
    /// and scanned.
    pub slices: RwSignal<Option<SlicePlan>>,
    /// The last Insights query started (for "Try again" and the slice plan).
    last_spec: StoredValue<Option<QuerySpec>>,
    /// Which engine's run the status, table and errors below belong to.
    pub shown: RwSignal<Option<Engine>>,
    /// Rows that are not trail records: (earlier slices' rows, the whole table shown).
    table_base: StoredValue<ResultTable>,
    pub table: RwSignal<ResultTable>,
    pub table_view: RwSignal<TableView>,
    /// Trail records that came, and how many were new to the table.
    pub events: RwSignal<Brought>,
    pub error: RwSignal<Option<ApiError>>,
    pub notice: RwSignal<Option<String>>,
    /// The Replace / Add question before a run while the table holds events: the engine asked.
    pub asking: RwSignal<Option<Engine>>,
    /// Where the next records go: the run's first batch replaces when the user said so.
    mode: StoredValue<LoadMode>,
    host: StoredValue<Option<Host>, LocalStorage>,
}

impl QueryState {
    pub fn new(base: String, host: Host) -> QueryState {
        let read = |e: Engine| History::read(crate::storage::load(e.history_key()).as_deref());
        QueryState {
            base: RwSignal::new(base),
            engine: RwSignal::new(Engine::Sls),
            range: RwSignal::new(Range::Day),
            project: RwSignal::new(DEFAULT_PROJECT.into()),
            logstore: RwSignal::new(DEFAULT_LOGSTORE.into()),
            logstores: RwSignal::new(Ok(Vec::new())),
            logstores_asked: StoredValue::new(0),
            sls_query: RwSignal::new("*".into()),
            log_groups: RwSignal::new(DEFAULT_LOG_GROUP.into()),
            insights_query: RwSignal::new(
                "fields @timestamp, eventName, @message\n| sort @timestamp desc\n| limit 1000"
                    .into(),
            ),
            limit: RwSignal::new(MAX_LIMIT.to_string()),
            sls_history: RwSignal::new(read(Engine::Sls)),
            insights_history: RwSignal::new(read(Engine::Insights)),
            sls_run: RwSignal::new(None),
            insights_run: RwSignal::new(None),
            slices: RwSignal::new(None),
            last_spec: StoredValue::new(None),
            shown: RwSignal::new(None),
            table_base: StoredValue::new(ResultTable::default()),
            table: RwSignal::new(ResultTable::default()),
            table_view: RwSignal::new(TableView::default()),
            events: RwSignal::new(Brought::default()),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            asking: RwSignal::new(None),
            mode: StoredValue::new(LoadMode::Add),
            host: StoredValue::new_local(Some(host)),
        }
    }

    fn client(&self) -> api::ApiClient {
        crate::storage::api_client(self.base.get_untracked())
    }

    pub fn history(&self, e: Engine) -> RwSignal<History> {
        match e {
            Engine::Sls => self.sls_history,
            Engine::Insights => self.insights_history,
        }
    }

    fn remember(&self, e: Engine, query: &str, target: &str) {
        let h = self.history(e);
        if h.try_update(|h| h.remember(query, target)).unwrap_or(false) {
            crate::storage::save(e.history_key(), &h.with_untracked(History::text));
        }
    }

    /// Load the project's logstores for the picker.
    pub fn load_logstores(self) {
        let project = self.project.get_untracked().trim().to_string();
        let ticket = self.logstores_asked.get_value() + 1;
        self.logstores_asked.set_value(ticket);
        if let Err(e) = check_name(SlsName::Project, &project) {
            self.logstores.set(Err(e.to_string()));
            return;
        }
        spawn_local(async move {
            let r = api::sls_list_log_stores(&self.client(), &project, None).await;
            // The user may have named another project meanwhile: its list is the one shown.
            if self.logstores_asked.get_value() == ticket {
                self.logstores
                    .set(r.map(|r| r.logstores).map_err(|e| e.to_string()));
            }
        });
    }

    /// Run pressed: ask Replace / Add first when the table holds events.
    pub fn run(self, e: Engine) {
        let loaded = self
            .host
            .with_value(|h| h.as_ref().map_or(0, |h| (h.loaded)()));
        if loaded > 0 {
            self.asking.set(Some(e));
        } else {
            self.start(e, LoadMode::Replace);
        }
    }

    /// The answer to the Replace / Add question (`None`: don't run).
    pub fn confirm(self, mode: Option<LoadMode>) {
        let Some(e) = self.asking.get_untracked() else {
            return;
        };
        self.asking.set(None);
        if let Some(mode) = mode {
            self.start(e, mode);
        }
    }

    fn begin(&self, e: Engine, mode: LoadMode) {
        self.cancel_all();
        self.shown.set(Some(e));
        self.error.set(None);
        self.notice.set(None);
        self.events.set(Brought::default());
        self.table_base.set_value(ResultTable::default());
        self.table.set(ResultTable::default());
        self.table_view.set(TableView::default());
        self.slices.set(None);
        self.mode.set_value(mode);
        if mode == LoadMode::Replace {
            self.ingest("", Vec::new());
        }
    }

    fn start(self, e: Engine, mode: LoadMode) {
        let to = (now_ms() / 1000.0) as i64;
        let from = to - self.range.get_untracked().secs();
        match e {
            Engine::Sls => {
                let spec = GetLogsSpec {
                    project: self.project.get_untracked().trim().to_string(),
                    logstore: self.logstore.get_untracked().trim().to_string(),
                    from,
                    to,
                    query: self.sls_query.get_untracked(),
                    order: Order::NewestFirst,
                };
                let target = format!("{}/{}", spec.project, spec.logstore);
                let run = match SlsRun::new(spec.clone(), SLS_MAX_ROWS) {
                    Ok(r) => r,
                    Err(err) => {
                        self.shown.set(Some(e));
                        self.notice.set(Some(err.to_string()));
                        return;
                    }
                };
                self.begin(e, mode);
                self.remember(e, &spec.query, &target);
                self.sls_run.set(Some(run));
                let ticket = SLS_RUNNER.with(Runner::start);
                spawn_local(async move {
                    let src = SlsSource {
                        qs: self,
                        source: format!("SLS {target}"),
                    };
                    runtime::drive(&self.client(), &ticket, &src).await;
                    if ticket.live() {
                        self.sls_run.update(|_| {});
                    }
                });
            }
            Engine::Insights => {
                let limit = self
                    .limit
                    .get_untracked()
                    .trim()
                    .parse::<u32>()
                    .unwrap_or(0);
                let spec = QuerySpec {
                    log_groups: self
                        .log_groups
                        .get_untracked()
                        .split([',', '\n'])
                        .map(str::trim)
                        .filter(|g| !g.is_empty())
                        .map(str::to_string)
                        .collect(),
                    start: from,
                    end: to,
                    query: self.insights_query.get_untracked(),
                    limit,
                };
                if let Err(err) = spec.body() {
                    self.shown.set(Some(e));
                    self.notice.set(Some(err.to_string()));
                    return;
                }
                self.begin(e, mode);
                self.remember(e, &spec.query, &spec.log_groups.join(", "));
                self.start_insights(spec);
            }
        }
    }

    /// One Insights query (a whole range or one slice) on the driver; after it completes, the
    /// slice plan's next slice, if any.
    fn start_insights(self, spec: QuerySpec) {
        let Ok(run) = InsightsRun::new(&spec) else {
            return;
        };
        self.last_spec.set_value(Some(spec.clone()));
        self.insights_run.set(Some(run));
        let ticket = INSIGHTS_RUNNER.with(Runner::start);
        spawn_local(async move {
            let src = InsightsSource {
                qs: self,
                source: format!("Logs Insights {}", spec.log_groups.join(", ")),
            };
            let end = runtime::drive(&self.client(), &ticket, &src).await;
            if !ticket.live() {
                return;
            }
            self.insights_run.update(|_| {});
            if end == Some(RunEnd::Complete) {
                let stats = self
                    .insights_run
                    .with_untracked(|r| r.as_ref().and_then(InsightsRun::statistics));
                let next = self
                    .slices
                    .try_update(|p| {
                        let p = p.as_mut()?;
                        p.finished(stats);
                        p.next_query()
                    })
                    .flatten();
                if let Some(next) = next {
                    self.table_base.set_value(self.table.get_untracked());
                    self.events.update(Brought::next_slice);
                    self.start_insights(next);
                }
            }
        });
    }

    /// "Try again" after `LimitExceededException`: the same query, as the user asks.
    pub fn try_again(self) {
        if let Some(spec) = self.last_spec.get_value() {
            self.error.set(None);
            self.start_insights(spec);
        }
    }

    /// The Insights query matched more than it returned: run its range as time slices.
    pub fn run_slices(self) {
        let Some(spec) = self.last_spec.get_value() else {
            return;
        };
        let matched = self.insights_run.with_untracked(|r| {
            r.as_ref()
                .and_then(InsightsRun::statistics)
                .map_or(0, |s| s.records_matched as u64)
        });
        let mut plan = SlicePlan::new(spec, matched);
        let Some(first) = plan.next_query() else {
            return;
        };
        self.begin(Engine::Insights, LoadMode::Add);
        self.slices.set(Some(plan));
        self.start_insights(first);
    }

    /// Where the runs' retry notice and errors are shown.
    fn shown(&self) -> Shown {
        Shown {
            notice: self.notice,
            error: self.error,
        }
    }

    /// Whether the Insights run returned a full page while more matched (offer slices).
    pub fn truncated(&self) -> Option<u64> {
        let limit = self.limit.get().trim().parse::<u32>().unwrap_or(MAX_LIMIT);
        self.insights_run.with(|r| {
            let r = r.as_ref()?;
            (r.stopped() == Some(RunEnd::Complete) && r.truncated(limit))
                .then(|| r.statistics().map_or(0, |s| s.records_matched as u64))
        })
    }

    pub fn running(&self, e: Engine) -> bool {
        match e {
            Engine::Sls => self
                .sls_run
                .with(|r| r.as_ref().is_some_and(|r| r.stopped().is_none())),
            Engine::Insights => self
                .insights_run
                .with(|r| r.as_ref().is_some_and(|r| r.stopped().is_none())),
        }
    }

    fn cancel_all(&self) {
        self.cancel(Engine::Sls);
        self.cancel(Engine::Insights);
    }

    /// Cancel: SLS stops; a running Insights query is stopped with StopQuery (core's cancel
    /// step, on a new ticket: the poll in flight is aborted).
    pub fn cancel(&self, e: Engine) {
        match e {
            Engine::Sls => {
                SLS_RUNNER.with(Runner::cancel);
                self.sls_run.update(|r| {
                    if let Some(r) = r {
                        r.cancel()
                    }
                });
            }
            Engine::Insights => {
                // The slice plan stays (a cancelled run never goes on to the next slice): the
                // status still sums the slices that completed before this one.
                let (before, stop) = self
                    .insights_run
                    .try_update(|r| {
                        let r = r.as_mut()?;
                        let before = if matches!(r.step(), Step::Fetch(InsightsCall::Stop(_))) {
                            Before::Stopping
                        } else if r.stopped().is_none() && r.query_id().is_none() {
                            Before::Starting
                        } else {
                            Before::Other
                        };
                        r.cancel();
                        Some((
                            before,
                            matches!(r.step(), Step::Fetch(InsightsCall::Stop(_))),
                        ))
                    })
                    .flatten()
                    .unwrap_or((Before::Other, false));
                if before != Before::Other {
                    // StartQuery in flight: its answer is taken on the live ticket and core
                    // stops what it started (StopQuery); a StopQuery in flight is left to
                    // finish rather than sent twice.
                    return;
                }
                let ticket = INSIGHTS_RUNNER.with(Runner::start);
                if stop {
                    let qs = *self;
                    spawn_local(async move {
                        let src = InsightsSource {
                            qs,
                            source: String::new(),
                        };
                        runtime::drive(&qs.client(), &ticket, &src).await;
                        qs.insights_run.update(|_| {});
                    });
                } else {
                    INSIGHTS_RUNNER.with(Runner::cancel);
                }
            }
        }
    }

    /// Records into the table through the host (the run's first batch replaces when asked).
    fn ingest(&self, source: &str, records: Vec<String>) {
        let came = records.len();
        let mode = self.mode.get_value();
        if came == 0 && mode == LoadMode::Add {
            return;
        }
        self.mode.set_value(LoadMode::Add);
        let added = self
            .host
            .with_value(|h| h.as_ref().map_or(0, |h| (h.ingest)(mode, source, records)));
        self.events.update(|b| b.ingest(came, added));
    }

    fn set_table(&self, t: ResultTable) {
        self.table.set(t);
    }
}

/// SLS GetLogs on the driver.
struct SlsSource {
    qs: QueryState,
    source: String,
}

impl Source for SlsSource {
    type Request = SlsRequest;
    type Response = GetLogsPage;

    fn operation(&self) -> &'static Operation {
        &SLS_GET_LOGS
    }

    fn step(&self) -> Step<SlsRequest> {
        self.qs
            .sls_run
            .with_untracked(|r| r.as_ref().map(SlsRun::step))
            .unwrap_or(Step::Stop(RunEnd::Cancelled))
    }

    async fn perform(
        &self,
        client: &api::ApiClient,
        request: &SlsRequest,
        signal: Option<&AbortSignal>,
    ) -> Result<GetLogsPage, ApiError> {
        api::sls_get_logs(client, request, signal).await
    }

    fn delay_ms(&self) -> u32 {
        self.qs
            .sls_run
            .with_untracked(|r| r.as_ref().map_or(0, SlsRun::delay_ms))
    }

    fn accept(&self, page: GetLogsPage) {
        let qs = self.qs;
        let keep = qs
            .sls_run
            .try_update(|r| r.as_mut().map(|r| r.accept(&page)))
            .flatten();
        qs.notice.set(None);
        if keep != Some(Ingest::Rows) {
            return;
        }
        let rows = page.rows;
        if !rows.table.is_empty() {
            qs.table.update(|t| t.extend(&rows.table));
        }
        qs.ingest(
            &self.source,
            rows.events.iter().map(|e| e.get().to_string()).collect(),
        );
    }

    fn on_error(&self, e: &ApiError, salt: u64) -> Retry {
        runtime::machine_on_error(self.qs.sls_run, |r| r.on_error(e, salt))
    }

    fn shown(&self) -> Option<Shown> {
        Some(self.qs.shown())
    }
}

/// One of Insights' three answers.
enum InsightsAnswer {
    Start(StartQueryResponse),
    Poll(GetQueryResultsResponse),
    Stop(StopQueryResponse),
}

/// CloudWatch Logs Insights on the driver: StartQuery, GetQueryResults polls, StopQuery.
struct InsightsSource {
    qs: QueryState,
    source: String,
}

impl Source for InsightsSource {
    type Request = InsightsCall;
    type Response = InsightsAnswer;

    fn operation(&self) -> &'static Operation {
        match self.step() {
            Step::Fetch(c) => c.operation(),
            Step::Stop(_) => &trailview_core::catalogue::GET_QUERY_RESULTS,
        }
    }

    fn step(&self) -> Step<InsightsCall> {
        self.qs
            .insights_run
            .with_untracked(|r| r.as_ref().map(InsightsRun::step))
            .unwrap_or(Step::Stop(RunEnd::Cancelled))
    }

    fn delay_ms(&self) -> u32 {
        self.qs
            .insights_run
            .with_untracked(|r| r.as_ref().map_or(0, InsightsRun::delay_ms))
    }

    async fn perform(
        &self,
        client: &api::ApiClient,
        call: &InsightsCall,
        signal: Option<&AbortSignal>,
    ) -> Result<InsightsAnswer, ApiError> {
        let req = Request::Json(call.body().clone());
        Ok(match call {
            InsightsCall::Start(_) => {
                InsightsAnswer::Start(api::call::<StartQuery>(client, &req, signal).await?.0)
            }
            InsightsCall::Poll(_) => {
                InsightsAnswer::Poll(api::call::<GetQueryResults>(client, &req, signal).await?.0)
            }
            InsightsCall::Stop(_) => {
                InsightsAnswer::Stop(api::call::<StopQuery>(client, &req, signal).await?.0)
            }
        })
    }

    fn accept(&self, answer: InsightsAnswer) {
        let qs = self.qs;
        qs.notice.set(None);
        match answer {
            InsightsAnswer::Start(r) => qs.insights_run.update(|run| {
                if let Some(run) = run {
                    run.accept_start(&r)
                }
            }),
            InsightsAnswer::Stop(r) => qs.insights_run.update(|run| {
                if let Some(run) = run {
                    run.accept_stop(&r)
                }
            }),
            InsightsAnswer::Poll(r) => {
                let rows = split_results(&r.results);
                qs.insights_run.update(|run| {
                    if let Some(run) = run {
                        run.accept_results(r);
                    }
                });
                let mut table = qs.table_base.get_value();
                table.extend(&rows.table);
                qs.set_table(table);
                // Each answer holds every row so far: the store drops the ones it has.
                qs.events.update(Brought::new_answer);
                qs.ingest(
                    &self.source,
                    rows.events.iter().map(|e| e.get().to_string()).collect(),
                );
            }
        }
    }

    fn on_error(&self, e: &ApiError, salt: u64) -> Retry {
        runtime::machine_on_error(self.qs.insights_run, |r| r.on_error(e, salt))
    }

    fn shown(&self) -> Option<Shown> {
        Some(self.qs.shown())
    }
}

/// Whether the shown error is Insights' "too many concurrent queries" (offer Try again).
pub fn offers_try_again(e: &ApiError) -> bool {
    is_limit_exceeded(e)
}

/// Where an Insights run was when Cancel came.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Before {
    /// StartQuery in flight.
    Starting,
    /// StopQuery in flight (or next).
    Stopping,
    /// Polling, or already done.
    Other,
}
