//! CloudWatch Logs Insights: StartQuery's request, GetQueryResults' answer and statuses, and
//! [`InsightsRun`], the state machine the app's driver runs (start, poll until a terminal
//! status keeping the partial results, StopQuery on cancel), plus the time-slice plan for a
//! range with more matches than one query returns (10,000).

use super::{event_json, ResultTable, Rows};
use crate::catalogue::{Operation, GET_QUERY_RESULTS, START_QUERY, STOP_QUERY};
use crate::dialect::ApiError;
use crate::event::EventRecord;
use crate::paging::{Attempts, Retry, RunEnd, Step};
use serde_json::{json, Value};
use std::fmt;

/// The most rows one query returns (`limit`'s maximum).
pub const MAX_LIMIT: u32 = 10_000;
/// The most log groups one query reads (`logGroupNames`).
pub const MAX_LOG_GROUPS: usize = 50;
/// The wait between two GetQueryResults polls.
pub const POLL_MS: u32 = 1_000;

/// What one query asks: log groups, the range in epoch seconds (both included), the query
/// and the row limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuerySpec {
    pub log_groups: Vec<String>,
    pub start: i64,
    pub end: i64,
    pub query: String,
    pub limit: u32,
}

/// Why a query cannot be started (before any call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecError {
    NoLogGroup,
    TooManyLogGroups(usize),
    EmptyQuery,
    Limit(u32),
    Range { start: i64, end: i64 },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            SpecError::NoLogGroup => f.write_str("Name a log group."),
            SpecError::TooManyLogGroups(n) => {
                write!(f, "{n} log groups: a query reads at most {MAX_LOG_GROUPS}.")
            }
            SpecError::EmptyQuery => f.write_str("Write a query."),
            SpecError::Limit(n) => write!(f, "Limit {n}: it must be 1 to {MAX_LIMIT}."),
            SpecError::Range { start, end } => {
                write!(f, "The range ends ({end}) before it starts ({start}).")
            }
        }
    }
}

impl QuerySpec {
    /// StartQuery's body, or why it cannot be sent.
    pub fn body(&self) -> Result<Value, SpecError> {
        if self.log_groups.is_empty() {
            return Err(SpecError::NoLogGroup);
        }
        if self.log_groups.len() > MAX_LOG_GROUPS {
            return Err(SpecError::TooManyLogGroups(self.log_groups.len()));
        }
        if self.query.trim().is_empty() {
            return Err(SpecError::EmptyQuery);
        }
        if !(1..=MAX_LIMIT).contains(&self.limit) {
            return Err(SpecError::Limit(self.limit));
        }
        if self.end < self.start {
            return Err(SpecError::Range {
                start: self.start,
                end: self.end,
            });
        }
        Ok(json!({
            "logGroupNames": self.log_groups,
            "startTime": self.start,
            "endTime": self.end,
            "queryString": self.query,
            "limit": self.limit,
        }))
    }
}

pub use crate::wire::{
    GetQueryResultsResponse, QueryStatistics, ResultField, StartQueryResponse, StopQueryResponse,
};

/// A query's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStatus {
    Scheduled,
    Running,
    Complete,
    Failed,
    Cancelled,
    Timeout,
    Unknown,
}

impl QueryStatus {
    /// The wire's value; a missing or unrecognised one is `Unknown`.
    pub fn parse(s: Option<&str>) -> QueryStatus {
        match s.unwrap_or_default() {
            "Scheduled" => QueryStatus::Scheduled,
            "Running" => QueryStatus::Running,
            "Complete" => QueryStatus::Complete,
            "Failed" => QueryStatus::Failed,
            "Cancelled" => QueryStatus::Cancelled,
            "Timeout" => QueryStatus::Timeout,
            _ => QueryStatus::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            QueryStatus::Scheduled => "Scheduled",
            QueryStatus::Running => "Running",
            QueryStatus::Complete => "Complete",
            QueryStatus::Failed => "Failed",
            QueryStatus::Cancelled => "Cancelled",
            QueryStatus::Timeout => "Timeout",
            QueryStatus::Unknown => "Unknown",
        }
    }

    /// How a run ends on this status, or `None` while the query is still going.
    pub fn end(self) -> Option<RunEnd> {
        match self {
            QueryStatus::Scheduled | QueryStatus::Running => None,
            QueryStatus::Complete => Some(RunEnd::Complete),
            QueryStatus::Cancelled => Some(RunEnd::Cancelled),
            QueryStatus::Failed | QueryStatus::Timeout | QueryStatus::Unknown => {
                Some(RunEnd::Failed)
            }
        }
    }
}

/// The call the driver makes next.
#[derive(Debug, Clone, PartialEq)]
pub enum InsightsCall {
    Start(Value),
    Poll(Value),
    Stop(Value),
}

impl InsightsCall {
    pub fn operation(&self) -> &'static Operation {
        match self {
            InsightsCall::Start(_) => &START_QUERY,
            InsightsCall::Poll(_) => &GET_QUERY_RESULTS,
            InsightsCall::Stop(_) => &STOP_QUERY,
        }
    }

    pub fn body(&self) -> &Value {
        match self {
            InsightsCall::Start(b) | InsightsCall::Poll(b) | InsightsCall::Stop(b) => b,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Starting,
    /// Cancelled before StartQuery answered: nothing more is sent, but if its answer still
    /// arrives (it was in flight) the query it started is stopped.
    StartCancelled,
    Polling(String),
    Stopping(String),
    Done(RunEnd),
}

/// One Insights query: StartQuery, GetQueryResults every [`POLL_MS`] until a terminal status
/// (the latest answer's rows kept, partial while `Running`), StopQuery when cancelled while it
/// runs. A failed call is retried with backoff when worth it; `LimitExceededException` (too many
/// concurrent queries) is not: the run fails and the user may start it again.
#[derive(Debug, Clone)]
pub struct InsightsRun {
    start_body: Value,
    phase: Phase,
    status: Option<QueryStatus>,
    latest: GetQueryResultsResponse,
    polls: u32,
    attempts: Attempts,
    error: Option<ApiError>,
}

impl InsightsRun {
    pub fn new(spec: &QuerySpec) -> Result<InsightsRun, SpecError> {
        Ok(InsightsRun {
            start_body: spec.body()?,
            phase: Phase::Starting,
            status: None,
            latest: GetQueryResultsResponse::default(),
            polls: 0,
            attempts: Attempts::default(),
            error: None,
        })
    }

    pub fn step(&self) -> Step<InsightsCall> {
        match &self.phase {
            Phase::Starting => Step::Fetch(InsightsCall::Start(self.start_body.clone())),
            Phase::Polling(id) => Step::Fetch(InsightsCall::Poll(json!({ "queryId": id }))),
            Phase::Stopping(id) => Step::Fetch(InsightsCall::Stop(json!({ "queryId": id }))),
            Phase::StartCancelled => Step::Stop(RunEnd::Cancelled),
            Phase::Done(end) => Step::Stop(*end),
        }
    }

    /// The wait before the next call: [`POLL_MS`] before each poll but none before the first
    /// poll or the stop.
    pub fn delay_ms(&self) -> u32 {
        match self.phase {
            Phase::Polling(_) if self.polls > 0 => POLL_MS,
            _ => 0,
        }
    }

    /// StartQuery answered.
    pub fn accept_start(&mut self, r: &StartQueryResponse) {
        self.attempts.succeeded();
        let id = r.query_id.as_deref().filter(|id| !id.is_empty());
        if self.phase == Phase::StartCancelled {
            // The user cancelled while it was starting: stop what it started.
            self.phase = id.map_or(Phase::Done(RunEnd::Cancelled), |id| {
                Phase::Stopping(id.to_string())
            });
            return;
        }
        if self.phase != Phase::Starting {
            return;
        }
        self.phase = match id {
            Some(id) => Phase::Polling(id.to_string()),
            None => {
                self.error = Some(ApiError::Malformed {
                    http_status: 200,
                    detail: "StartQuery answered without a queryId".into(),
                    excerpt: String::new(),
                });
                Phase::Done(RunEnd::Failed)
            }
        };
    }

    /// GetQueryResults answered: its rows replace the previous ones (each answer holds every
    /// row found so far). Returns the status.
    pub fn accept_results(&mut self, r: GetQueryResultsResponse) -> QueryStatus {
        self.attempts.succeeded();
        let status = QueryStatus::parse(r.status.as_deref());
        if !matches!(self.phase, Phase::Polling(_)) {
            return status;
        }
        self.polls += 1;
        self.status = Some(status);
        self.latest = r;
        if let Some(end) = status.end() {
            self.phase = Phase::Done(end);
        }
        status
    }

    /// StopQuery answered: the run is cancelled.
    pub fn accept_stop(&mut self, _r: &StopQueryResponse) {
        self.attempts.succeeded();
        if matches!(self.phase, Phase::Stopping(_)) {
            self.phase = Phase::Done(RunEnd::Cancelled);
            self.status = Some(QueryStatus::Cancelled);
        }
    }

    /// A call failed. A failed StopQuery (the query already ended, say) still ends the run as
    /// cancelled, keeping the error to show.
    pub fn on_error(&mut self, e: &ApiError, salt: u64) -> Retry {
        let retry = self.attempts.on_error(e, salt);
        if retry == Retry::GiveUp {
            self.error = Some(e.clone());
            self.phase = Phase::Done(match self.phase {
                Phase::Stopping(_) | Phase::StartCancelled => RunEnd::Cancelled,
                _ => RunEnd::Failed,
            });
        }
        retry
    }

    /// The user cancelled: a running query is stopped with StopQuery; one not started yet (or
    /// whose StartQuery is in flight and will be dropped) simply ends.
    pub fn cancel(&mut self) {
        self.phase = match std::mem::replace(&mut self.phase, Phase::Done(RunEnd::Cancelled)) {
            Phase::Polling(id) | Phase::Stopping(id) => Phase::Stopping(id),
            Phase::Starting | Phase::StartCancelled => Phase::StartCancelled,
            done @ Phase::Done(_) => done,
        };
    }

    pub fn query_id(&self) -> Option<&str> {
        match &self.phase {
            Phase::Polling(id) | Phase::Stopping(id) => Some(id),
            _ => None,
        }
    }

    /// The last status GetQueryResults gave (`None` before the first poll).
    pub fn status(&self) -> Option<QueryStatus> {
        self.status
    }

    pub fn stopped(&self) -> Option<RunEnd> {
        match self.phase {
            Phase::Done(end) => Some(end),
            Phase::StartCancelled => Some(RunEnd::Cancelled),
            _ => None,
        }
    }

    pub fn statistics(&self) -> Option<QueryStatistics> {
        self.latest.statistics
    }

    /// The rows found so far (partial while the query runs).
    pub fn results(&self) -> &GetQueryResultsResponse {
        &self.latest
    }

    /// The error that ended the run, if one did.
    pub fn error(&self) -> Option<&ApiError> {
        self.error.as_ref()
    }

    /// Whether the range holds more matches than the rows returned: a full page at `limit`
    /// while more records matched. Offer [`time_slices`] then.
    pub fn truncated(&self, limit: u32) -> bool {
        let rows = self.latest.results.len();
        rows >= limit as usize
            && self
                .latest
                .statistics
                .is_some_and(|s| s.records_matched > rows as f64)
    }
}

/// Whether `message` is a CloudTrail (or ActionTrail) record: a JSON object with an event id
/// or an event source.
fn trail_record(message: &str) -> bool {
    EventRecord::parse(message)
        .is_ok_and(|r| r.event_id.is_some() || (r.event_source.is_some() && r.event_name.is_some()))
}

/// Rows as events (a row whose `@message` holds a trail record) and a result table (every
/// other row, without the `@ptr` handle).
pub fn split_results(results: &[Vec<ResultField>]) -> Rows {
    let mut out = Rows::default();
    for row in results {
        let message = row
            .iter()
            .find(|f| f.field.as_deref() == Some("@message"))
            .and_then(|f| f.value.as_deref());
        if let Some(ev) = message.filter(|m| trail_record(m)).and_then(event_json) {
            out.events.push(ev);
            continue;
        }
        out.table.push(row.iter().filter_map(|f| {
            let name = f.field.as_deref()?;
            (name != "@ptr").then(|| (name, f.value.as_deref().unwrap_or_default()))
        }));
    }
    out
}

/// `range` (`start..=end`, epoch seconds) split into slices expected to hold at most
/// `per_slice` of `matched` records each, if they are spread evenly (with a fifth to spare):
/// consecutive, disjoint, covering the range, at least one second each.
pub fn time_slices(start: i64, end: i64, matched: u64, per_slice: u32) -> Vec<(i64, i64)> {
    if end < start {
        return Vec::new();
    }
    let secs = (end - start) as u128 + 1;
    let per = (per_slice.max(1) as u128 * 4).div_ceil(5).max(1);
    let n = (matched as u128).div_ceil(per).clamp(1, secs);
    (0..n)
        .map(|i| {
            let s = start + (secs * i / n) as i64;
            let e = start + (secs * (i + 1) / n) as i64 - 1;
            (s, e)
        })
        .collect()
}

/// A query per slice, one after another (each waits for the previous one to finish, so the
/// slices never take more than one of the account's concurrent queries).
#[derive(Debug, Clone)]
pub struct SlicePlan {
    spec: QuerySpec,
    slices: Vec<(i64, i64)>,
    next: usize,
    /// Slices that completed, and their statistics summed (what the account was billed for).
    finished: usize,
    done: QueryStatistics,
}

impl SlicePlan {
    pub fn new(spec: QuerySpec, matched: u64) -> SlicePlan {
        let slices = time_slices(spec.start, spec.end, matched, spec.limit);
        SlicePlan {
            spec,
            slices,
            next: 0,
            finished: 0,
            done: QueryStatistics::default(),
        }
    }

    /// The slice handed out last completed with `stats` (its run's last statistics).
    pub fn finished(&mut self, stats: Option<QueryStatistics>) {
        if self.finished >= self.next {
            return;
        }
        self.finished += 1;
        if let Some(s) = stats {
            self.done.records_matched += s.records_matched;
            self.done.records_scanned += s.records_scanned;
            self.done.bytes_scanned += s.bytes_scanned;
        }
    }

    /// The slice running (1-based), while one is: handed out and not finished.
    pub fn running(&self) -> Option<usize> {
        (self.finished < self.next).then_some(self.next)
    }

    /// How many slices completed.
    pub fn completed(&self) -> usize {
        self.finished
    }

    /// The completed slices' statistics, summed.
    pub fn totals(&self) -> QueryStatistics {
        self.done
    }

    pub fn len(&self) -> usize {
        self.slices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slices.is_empty()
    }

    /// The next slice's query, or `None` after the last.
    pub fn next_query(&mut self) -> Option<QuerySpec> {
        let (start, end) = *self.slices.get(self.next)?;
        self.next += 1;
        Some(QuerySpec {
            start,
            end,
            ..self.spec.clone()
        })
    }
}

/// A result table's text (for tests and the demo's checks): rows joined by newlines.
pub fn table_text(t: &ResultTable) -> String {
    t.rows
        .iter()
        .map(|r| r.join("\t"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::{read_response, Dialect};

    fn spec() -> QuerySpec {
        QuerySpec {
            log_groups: vec!["aws-cloudtrail-logs-demo".into()],
            start: 1_700_000_000,
            end: 1_700_003_599,
            query: "fields @timestamp, eventName | limit 20".into(),
            limit: 10_000,
        }
    }

    fn results(status: &str, rows: usize) -> GetQueryResultsResponse {
        let body = json!({
            "status": status,
            "statistics": {"recordsMatched": 50.0, "recordsScanned": 900.0, "bytesScanned": 12345.0},
            "results": (0..rows).map(|i| json!([
                {"field": "@timestamp", "value": "2023-11-14 22:13:20.000"},
                {"field": "@message", "value": format!(r#"{{"eventVersion":"1.08","eventID":"id{i}","eventSource":"s3.amazonaws.com","eventName":"GetObject"}}"#)},
                {"field": "@ptr", "value": "CmAKJ"}
            ])).collect::<Vec<_>>()
        });
        read_response(Dialect::AwsJson, 200, None, &body.to_string())
            .unwrap()
            .0
    }

    #[test]
    fn start_query_body_and_its_checks() {
        let b = spec().body().unwrap();
        assert_eq!(b["logGroupNames"][0], "aws-cloudtrail-logs-demo");
        assert_eq!(b["startTime"], 1_700_000_000);
        assert_eq!(b["endTime"], 1_700_003_599);
        assert_eq!(b["limit"], 10_000);
        for (bad, err) in [
            (
                QuerySpec {
                    limit: 10_001,
                    ..spec()
                },
                SpecError::Limit(10_001),
            ),
            (
                QuerySpec {
                    log_groups: vec![],
                    ..spec()
                },
                SpecError::NoLogGroup,
            ),
            (
                QuerySpec {
                    log_groups: vec!["g".into(); 51],
                    ..spec()
                },
                SpecError::TooManyLogGroups(51),
            ),
            (
                QuerySpec {
                    query: " ".into(),
                    ..spec()
                },
                SpecError::EmptyQuery,
            ),
            (
                QuerySpec { end: 1, ..spec() },
                SpecError::Range {
                    start: 1_700_000_000,
                    end: 1,
                },
            ),
        ] {
            assert_eq!(bad.body().unwrap_err(), err);
        }
    }

    #[test]
    fn polls_until_complete_keeping_partial_results() {
        let mut run = InsightsRun::new(&spec()).unwrap();
        let Step::Fetch(call) = run.step() else {
            panic!()
        };
        assert_eq!(call.operation().name, "StartQuery");
        run.accept_start(&StartQueryResponse {
            query_id: Some("q-1".into()),
        });
        assert_eq!(run.delay_ms(), 0);
        let Step::Fetch(call) = run.step() else {
            panic!()
        };
        assert_eq!(call.operation().name, "GetQueryResults");
        assert_eq!(call.body(), &json!({"queryId": "q-1"}));
        assert_eq!(
            run.accept_results(results("Scheduled", 0)),
            QueryStatus::Scheduled
        );
        assert_eq!(run.delay_ms(), POLL_MS);
        assert_eq!(
            run.accept_results(results("Running", 3)),
            QueryStatus::Running
        );
        assert_eq!(run.results().results.len(), 3);
        assert_eq!(run.stopped(), None);
        assert_eq!(
            run.accept_results(results("Complete", 5)),
            QueryStatus::Complete
        );
        assert_eq!(run.step(), Step::Stop(RunEnd::Complete));
        assert_eq!(run.statistics().unwrap().records_scanned, 900.0);
        let rows = split_results(&run.results().results);
        assert_eq!(rows.events.len(), 5);
        assert!(rows.table.is_empty());
        let ev = EventRecord::parse(rows.events[4].get()).unwrap();
        assert_eq!(ev.event_id.as_deref(), Some("id4"));
        // Failure statuses end the run as failed.
        for status in ["Failed", "Timeout", "Unknown", "weird"] {
            let mut run = InsightsRun::new(&spec()).unwrap();
            run.accept_start(&StartQueryResponse {
                query_id: Some("q".into()),
            });
            run.accept_results(results(status, 0));
            assert_eq!(run.stopped(), Some(RunEnd::Failed), "{status}");
        }
    }

    #[test]
    fn cancel_sends_stop_query_only_while_it_runs() {
        let mut run = InsightsRun::new(&spec()).unwrap();
        run.accept_start(&StartQueryResponse {
            query_id: Some("q-9".into()),
        });
        run.accept_results(results("Running", 2));
        run.cancel();
        let Step::Fetch(call) = run.step() else {
            panic!()
        };
        assert_eq!(call.operation().name, "StopQuery");
        assert_eq!(call.body(), &json!({"queryId": "q-9"}));
        // A late poll answer is ignored.
        run.accept_results(results("Complete", 9));
        assert_eq!(run.results().results.len(), 2);
        run.accept_stop(&StopQueryResponse {
            success: Some(true),
        });
        assert_eq!(run.step(), Step::Stop(RunEnd::Cancelled));
        // Before the query exists: no call.
        let mut run = InsightsRun::new(&spec()).unwrap();
        run.cancel();
        assert_eq!(run.step(), Step::Stop(RunEnd::Cancelled));
        assert_eq!(run.stopped(), Some(RunEnd::Cancelled));
        // ... but when the StartQuery that was in flight answers after all, the query it
        // started is stopped (it would run on, scanning and holding a concurrency slot).
        run.accept_start(&StartQueryResponse {
            query_id: Some("q-late".into()),
        });
        let Step::Fetch(call) = run.step() else {
            panic!("StopQuery for the late query")
        };
        assert_eq!(call.operation().name, "StopQuery");
        assert_eq!(call.body(), &json!({"queryId": "q-late"}));
        run.accept_stop(&StopQueryResponse {
            success: Some(true),
        });
        assert_eq!(run.step(), Step::Stop(RunEnd::Cancelled));
        // A StopQuery that fails still ends as cancelled, with the error kept.
        let mut run = InsightsRun::new(&spec()).unwrap();
        run.accept_start(&StartQueryResponse {
            query_id: Some("q".into()),
        });
        run.cancel();
        let e = read_response::<StopQueryResponse>(
            Dialect::AwsJson,
            400,
            None,
            r#"{"__type":"InvalidParameterException","message":"Query is not running"}"#,
        )
        .unwrap_err();
        assert_eq!(run.on_error(&e, 0), Retry::GiveUp);
        assert_eq!(run.step(), Step::Stop(RunEnd::Cancelled));
        assert!(run.error().is_some());
    }

    #[test]
    fn limit_exceeded_is_not_retried_but_throttling_is() {
        let read = |body: &str| {
            read_response::<StartQueryResponse>(Dialect::AwsJson, 400, Some("rid"), body)
                .unwrap_err()
        };
        let mut run = InsightsRun::new(&spec()).unwrap();
        let throttled = read(r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#);
        assert!(matches!(run.on_error(&throttled, 3), Retry::After { .. }));
        let limit = read(
            r#"{"__type":"com.amazonaws.logs#LimitExceededException","message":"Account maximum query concurrency limit of [30] reached."}"#,
        );
        assert_eq!(run.on_error(&limit, 3), Retry::GiveUp);
        assert_eq!(run.step(), Step::Stop(RunEnd::Failed));
        match run.error() {
            Some(ApiError::Service(s)) => assert_eq!(s.code, "LimitExceededException"),
            other => panic!("{other:?}"),
        }
        // No queryId: failed, not a loop.
        let mut run = InsightsRun::new(&spec()).unwrap();
        run.accept_start(&StartQueryResponse::default());
        assert_eq!(run.step(), Step::Stop(RunEnd::Failed));
    }

    #[test]
    fn rows_without_a_trail_record_form_a_table() {
        let rows: GetQueryResultsResponse = serde_json::from_value(json!({"results": [
            [{"field": "eventName", "value": "DeleteBucket"}, {"field": "count()", "value": "4"}],
            [{"field": "@message", "value": "plain text line"}, {"field": "@ptr", "value": "x"}],
            [{"field": "@message", "value": "{\"level\":\"info\"}"}]
        ]}))
        .unwrap();
        let split = split_results(&rows.results);
        assert!(split.events.is_empty());
        assert_eq!(split.table.columns, ["eventName", "count()", "@message"]);
        assert_eq!(
            table_text(&split.table),
            "DeleteBucket\t4\t\n\t\tplain text line\n\t\t{\"level\":\"info\"}"
        );
    }

    #[test]
    fn truncated_ranges_are_sliced() {
        let mut run = InsightsRun::new(&QuerySpec { limit: 5, ..spec() }).unwrap();
        run.accept_start(&StartQueryResponse {
            query_id: Some("q".into()),
        });
        run.accept_results(results("Complete", 5));
        assert!(run.truncated(5));
        assert!(!run.truncated(10));
        // 50 matched, 5 a query with a fifth to spare: 4 a slice, 13 slices.
        let mut plan = SlicePlan::new(QuerySpec { limit: 5, ..spec() }, 50);
        assert_eq!(plan.len(), 13);
        let first = plan.next_query().unwrap();
        assert_eq!(first.start, 1_700_000_000);
        assert_eq!(plan.running(), Some(1));
        let mut last = first;
        let stats = QueryStatistics {
            records_matched: 4.0,
            records_scanned: 100.0,
            bytes_scanned: 2_000.0,
        };
        plan.finished(Some(stats));
        // A second word of the same slice's end counts once.
        plan.finished(Some(stats));
        assert_eq!((plan.running(), plan.completed()), (None, 1));
        while let Some(q) = plan.next_query() {
            last = q;
            assert_eq!(plan.running(), Some(plan.completed() + 1));
            plan.finished(Some(stats));
        }
        assert_eq!(last.end, 1_700_003_599);
        assert_eq!((plan.running(), plan.completed()), (None, 13));
        assert_eq!(
            plan.totals(),
            QueryStatistics {
                records_matched: 52.0,
                records_scanned: 1_300.0,
                bytes_scanned: 26_000.0,
            }
        );
        assert_eq!(
            time_slices(10, 12, 1_000_000, 1),
            [(10, 10), (11, 11), (12, 12)]
        );
        assert_eq!(time_slices(10, 9, 5, 1), []);
        assert_eq!(time_slices(0, 99, 0, 10), [(0, 99)]);
    }
}
