//! One model for the three kinds of background job the Jobs view shows: ActionTrail backfill
//! (delivery history) jobs, CDN report-delivery tasks and CloudWatch Logs export tasks. Each
//! wire record becomes a [`Job`] with a status label and class, the interval it executed and
//! the data window it covers; plus a small filter / sort / paginate over job rows (the same
//! behaviour as the events table, for a few thousand rows at most, so no indexing).

use crate::catalogue::{self, Call};
use crate::cron::Schedule;
use crate::paging::{Cursor, Pager, Request};
use crate::table_query::{sort_indices, SortOrder};
use crate::time::parse_rfc3339_ms;
use crate::{
    dialect::{ApiError, READ_ONLY_CODE},
    wire::{
        job_status_name, CdnDeliverListResponse, CdnDeliverTask, ContentError, DeliveryHistoryJob,
        DescribeExportTasksResponse, ExportTask, ListDeliveryHistoryJobsResponse,
    },
};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashSet;

/// ListDeliveryHistoryJobs: the largest page (fewest calls).
pub const BACKFILL_PAGE_SIZE: u32 = 100;
/// DescribeExportTasks: the largest `limit`.
pub const EXPORT_PAGE_LIMIT: u32 = 50;
/// How often the app re-reads running backfill jobs.
pub const RUNNING_REFRESH_MS: u32 = 3000;

/// `ListDeliveryHistoryJobs` parameters for page `n` (1-based).
pub fn backfill_page_params(page: u32) -> Vec<(String, String)> {
    vec![
        ("PageNumber".into(), page.max(1).to_string()),
        ("PageSize".into(), BACKFILL_PAGE_SIZE.to_string()),
    ]
}

/// Whether another ListDeliveryHistoryJobs page exists after `page` (1-based) given the
/// response's TotalCount and how many jobs that page held.
pub fn backfill_has_more(page: u32, page_size: u32, total: Option<i64>, got: usize) -> bool {
    match total {
        Some(t) => (page as i64) * (page_size as i64) < t && got > 0,
        None => got as u32 >= page_size,
    }
}

/// The jobs read so far by one run of one source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobList {
    pub jobs: Vec<Job>,
    /// CDN `Content` that could not be read, with the raw text.
    pub content_error: Option<ContentError>,
    seen: HashSet<String>,
}

impl JobList {
    /// Adds a job, unless one with its id is listed already (a job that moved between pages
    /// while paging is listed once).
    pub fn add(&mut self, job: Job) {
        if self.seen.insert(job.id.clone()) {
            self.jobs.push(job);
        }
    }
}

/// A job source's paging, and how its pages become jobs.
pub trait JobPages: Pager {
    /// Adds the jobs of one page (read at `now_ms`) to `list`.
    fn collect(&self, response: &<Self::Call as Call>::Response, now_ms: i64, list: &mut JobList);
}

/// ListDeliveryHistoryJobs, by PageNumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackfillPages;

impl Pager for BackfillPages {
    type Call = catalogue::ListDeliveryHistoryJobs;
    fn request(&self, at: Option<&Cursor>) -> Request {
        let page = match at {
            Some(Cursor::Page(n)) => *n,
            Some(Cursor::Token(_)) | None => 1,
        };
        Request::Query(backfill_page_params(page))
    }
    fn next(&self, r: &ListDeliveryHistoryJobsResponse, page: usize) -> Option<Cursor> {
        let page = page as u32;
        backfill_has_more(page, BACKFILL_PAGE_SIZE, r.total_count, r.jobs.len())
            .then_some(Cursor::Page(page + 1))
    }
}

impl JobPages for BackfillPages {
    fn collect(&self, r: &ListDeliveryHistoryJobsResponse, now_ms: i64, list: &mut JobList) {
        for j in &r.jobs {
            list.add(Job::from_backfill(j, now_ms));
        }
    }
}

/// DescribeExportTasks, by nextToken, [`EXPORT_PAGE_LIMIT`] a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportPages;

impl Pager for ExportPages {
    type Call = catalogue::DescribeExportTasks;
    fn request(&self, at: Option<&Cursor>) -> Request {
        let mut body = serde_json::json!({ "limit": EXPORT_PAGE_LIMIT });
        if let Some(Cursor::Token(t)) = at {
            body["nextToken"] = serde_json::json!(t);
        }
        Request::Json(body)
    }
    fn next(&self, r: &DescribeExportTasksResponse, _page: usize) -> Option<Cursor> {
        Cursor::token(r.next_token.as_deref())
    }
}

impl JobPages for ExportPages {
    fn collect(&self, r: &DescribeExportTasksResponse, now_ms: i64, list: &mut JobList) {
        // Export tasks are listed as sent (the API pages them by token, none twice).
        list.jobs
            .extend(r.export_tasks.iter().map(|t| Job::from_export(t, now_ms)));
    }
}

/// DescribeCdnDeliverList: every task in one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CdnPages;

impl Pager for CdnPages {
    type Call = catalogue::DescribeCdnDeliverList;
    fn request(&self, _at: Option<&Cursor>) -> Request {
        Request::Query(Vec::new())
    }
    fn next(&self, _r: &CdnDeliverListResponse, _page: usize) -> Option<Cursor> {
        None
    }
}

impl JobPages for CdnPages {
    fn collect(&self, r: &CdnDeliverListResponse, _now_ms: i64, list: &mut JobList) {
        match r.tasks() {
            Ok(tasks) => list.jobs.extend(tasks.iter().map(Job::from_cdn)),
            Err(e) => {
                list.jobs.clear();
                list.content_error = Some(e);
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Backfill,
    Cdn,
    Export,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Backfill, Source::Cdn, Source::Export];
    pub fn key(self) -> &'static str {
        match self {
            Source::Backfill => "backfill",
            Source::Cdn => "cdn",
            Source::Export => "export",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Source::Backfill => "Backfill jobs",
            Source::Cdn => "Report deliveries",
            Source::Export => "Export tasks",
        }
    }
}

/// How a status is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusClass {
    /// Initializing, delivering, pending, running, pending cancel.
    Running,
    Ok,
    Failed,
    Cancelled,
    /// A report-delivery task that is switched off.
    Disabled,
    /// A code the API documents do not list: shown as sent.
    Unknown,
}

impl StatusClass {
    pub const ALL: [StatusClass; 6] = [
        StatusClass::Running,
        StatusClass::Ok,
        StatusClass::Failed,
        StatusClass::Cancelled,
        StatusClass::Disabled,
        StatusClass::Unknown,
    ];
    pub fn key(self) -> &'static str {
        match self {
            StatusClass::Running => "running",
            StatusClass::Ok => "ok",
            StatusClass::Failed => "failed",
            StatusClass::Cancelled => "cancelled",
            StatusClass::Disabled => "disabled",
            StatusClass::Unknown => "unknown",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            StatusClass::Running => "Running / pending",
            StatusClass::Ok => "Complete",
            StatusClass::Failed => "Failed",
            StatusClass::Cancelled => "Cancelled",
            StatusClass::Disabled => "Disabled",
            StatusClass::Unknown => "Other status",
        }
    }
}

/// One job, whatever its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub source: Source,
    /// JobId / deliverId / taskId, as text.
    pub id: String,
    /// Trail name / task name / export task name.
    pub name: String,
    /// A short description: region, domains and frequency, log group → bucket.
    pub detail: String,
    /// The status as the API names it (unknown codes as sent).
    pub status: String,
    pub class: StatusClass,
    pub created_ms: Option<i64>,
    /// When it executed: created → completed/updated, or → now while running.
    pub exec: Option<(i64, i64)>,
    /// True when `exec` ends at "now" because the job is still running.
    pub open: bool,
    /// The data the job covers (backfill StartTime–EndTime, export from–to).
    pub window: Option<(i64, i64)>,
    /// Report deliveries: the Quartz crontab, and the parse error if it does not parse.
    pub crontab: Option<String>,
    pub schedule_error: Option<String>,
    /// The record as received, for the JSON view.
    pub raw: Value,
}

fn ordered(a: i64, b: i64) -> (i64, i64) {
    (a.min(b), a.max(b))
}

impl Job {
    pub fn from_backfill(j: &DeliveryHistoryJob, now_ms: i64) -> Job {
        let t = |s: &Option<String>| s.as_deref().and_then(parse_rfc3339_ms);
        let (created, updated) = (t(&j.created_time), t(&j.updated_time));
        let class = match j.job_status {
            Some(0 | 1) => StatusClass::Running,
            Some(2) => StatusClass::Ok,
            Some(3) => StatusClass::Failed,
            _ => StatusClass::Unknown,
        };
        let open = class == StatusClass::Running;
        let exec = created.map(|c| {
            let end = if open { now_ms } else { updated.unwrap_or(c) };
            ordered(c, end)
        });
        let window = match (t(&j.start_time), t(&j.end_time)) {
            (Some(a), Some(b)) => Some(ordered(a, b)),
            _ => None,
        };
        Job {
            source: Source::Backfill,
            id: j.job_id.map(|i| i.to_string()).unwrap_or_default(),
            name: j.trail_name.clone().unwrap_or_default(),
            detail: j.home_region.clone().unwrap_or_default(),
            status: job_status_name(j.job_status),
            class,
            created_ms: created,
            exec,
            open,
            window,
            crontab: None,
            schedule_error: None,
            raw: serde_json::to_value(j).unwrap_or(Value::Null),
        }
    }

    pub fn from_export(t: &ExportTask, now_ms: i64) -> Job {
        let code = t
            .status
            .as_ref()
            .and_then(|s| s.code.clone())
            .unwrap_or_default();
        let class = match code.as_str() {
            "PENDING" | "RUNNING" | "PENDING_CANCEL" => StatusClass::Running,
            "COMPLETED" | "COMPLETE" => StatusClass::Ok,
            "FAILED" => StatusClass::Failed,
            "CANCELLED" => StatusClass::Cancelled,
            _ => StatusClass::Unknown,
        };
        let info = t.execution_info.clone().unwrap_or_default();
        let open = class == StatusClass::Running && info.completion_time.is_none();
        let exec = info.creation_time.map(|c| {
            let end = match info.completion_time {
                Some(e) => e,
                None if open => now_ms,
                None => c,
            };
            ordered(c, end)
        });
        let window = match (t.from, t.to) {
            (Some(a), Some(b)) => Some(ordered(a, b)),
            _ => None,
        };
        let dest = match (&t.destination, &t.destination_prefix) {
            (Some(d), Some(p)) => format!("s3://{d}/{p}"),
            (Some(d), None) => format!("s3://{d}"),
            _ => String::new(),
        };
        Job {
            source: Source::Export,
            id: t.task_id.clone().unwrap_or_default(),
            name: t.task_name.clone().unwrap_or_default(),
            detail: format!("{} → {dest}", t.log_group_name.as_deref().unwrap_or("?")),
            status: if code.is_empty() {
                "(none)".into()
            } else {
                code
            },
            class,
            created_ms: info.creation_time,
            exec,
            open,
            window,
            crontab: None,
            schedule_error: None,
            raw: serde_json::to_value(t).unwrap_or(Value::Null),
        }
    }

    pub fn from_cdn(t: &CdnDeliverTask) -> Job {
        let status = t.status.clone().unwrap_or_default();
        let class = match status.as_str() {
            "enable" => StatusClass::Ok,
            "disable" => StatusClass::Disabled,
            _ => StatusClass::Unknown,
        };
        let freq = match t.frequency.as_deref() {
            Some("h") => "hourly",
            Some("d") => "daily",
            Some("M") => "monthly",
            Some(other) => other,
            None => "?",
        };
        let domains = t
            .dm_list
            .iter()
            .filter(|d| !d.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let schedule_error = t
            .crontab
            .as_deref()
            .map(Schedule::parse)
            .and_then(|r| r.err())
            .map(|e| e.0);
        Job {
            source: Source::Cdn,
            id: t.deliver_id.map(|i| i.to_string()).unwrap_or_default(),
            name: t.name.clone().unwrap_or_default(),
            detail: format!(
                "{freq} · {}",
                if domains.is_empty() {
                    "(no domains)"
                } else {
                    &domains
                }
            ),
            status: if status.is_empty() {
                "(none)".into()
            } else {
                status
            },
            class,
            created_ms: t.create_time.as_deref().and_then(parse_rfc3339_ms),
            exec: None,
            open: false,
            window: None,
            crontab: t.crontab.clone(),
            schedule_error,
            raw: serde_json::to_value(t).unwrap_or(Value::Null),
        }
    }

    /// Report deliveries: the next `n` scheduled runs after `now_ms` (none when disabled or
    /// when the crontab does not parse).
    pub fn next_runs(&self, now_ms: i64, n: usize) -> Vec<i64> {
        if self.class == StatusClass::Disabled {
            return Vec::new();
        }
        self.crontab
            .as_deref()
            .and_then(|c| Schedule::parse(c).ok())
            .map(|s| s.next_runs(now_ms, n))
            .unwrap_or_default()
    }

    /// The time span the job occupies on a timeline (execution and data window together).
    pub fn extent(&self) -> Option<(i64, i64)> {
        let mut out: Option<(i64, i64)> = None;
        for (a, b) in [self.exec, self.window].into_iter().flatten() {
            out = Some(match out {
                None => (a, b),
                Some((x, y)) => (x.min(a), y.max(b)),
            });
        }
        out.or(self.created_ms.map(|c| (c, c)))
    }
}

// ---------------------------------------------------------------------------------------------
// Table columns, filter, sort

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobColumn {
    Id,
    Name,
    Status,
    Created,
    Finished,
    Window,
    Detail,
}

impl JobColumn {
    pub const ALL: [JobColumn; 7] = [
        JobColumn::Id,
        JobColumn::Name,
        JobColumn::Status,
        JobColumn::Created,
        JobColumn::Finished,
        JobColumn::Window,
        JobColumn::Detail,
    ];
    pub fn key(self) -> &'static str {
        match self {
            JobColumn::Id => "id",
            JobColumn::Name => "name",
            JobColumn::Status => "status",
            JobColumn::Created => "created",
            JobColumn::Finished => "finished",
            JobColumn::Window => "window",
            JobColumn::Detail => "detail",
        }
    }
    /// The header for a source (the same data is called differently).
    pub fn label(self, source: Source) -> &'static str {
        match (self, source) {
            (JobColumn::Id, Source::Backfill) => "JobId",
            (JobColumn::Id, Source::Cdn) => "DeliverId",
            (JobColumn::Id, Source::Export) => "Task ID",
            (JobColumn::Name, Source::Backfill) => "Trail",
            (JobColumn::Name, _) => "Name",
            (JobColumn::Status, _) => "Status",
            (JobColumn::Created, _) => "Created",
            (JobColumn::Finished, Source::Backfill) => "Updated",
            (JobColumn::Finished, Source::Cdn) => "Next run",
            (JobColumn::Finished, Source::Export) => "Completed",
            (JobColumn::Window, Source::Cdn) => "Crontab",
            (JobColumn::Window, _) => "Data window",
            (JobColumn::Detail, Source::Backfill) => "Region",
            (JobColumn::Detail, Source::Cdn) => "Frequency · domains",
            (JobColumn::Detail, Source::Export) => "Log group → destination",
        }
    }
}

/// A job as table text plus sort keys, computed once per fetch (and per "now" for CDN).
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub cells: Vec<String>,
    /// Per column: a number when the column is numeric or a time, else `None` (text order).
    pub keys: Vec<Option<i64>>,
}

fn window_text(w: Option<(i64, i64)>, fmt: &dyn Fn(i64) -> String) -> String {
    match w {
        Some((a, b)) => format!("{} – {}", fmt(a), fmt(b)),
        None => String::new(),
    }
}

impl JobRow {
    /// The row's cells, times written by `fmt` (the user's time zone; `format_api_time` for
    /// the API's own UTC form).
    pub fn new(job: &Job, now_ms: i64, fmt: &dyn Fn(i64) -> String) -> JobRow {
        let time = |t: Option<i64>| t.map(fmt).unwrap_or_default();
        let finished = match job.source {
            Source::Cdn => job.next_runs(now_ms, 1).first().copied(),
            _ if job.open => None,
            _ => job.exec.map(|e| e.1),
        };
        let mut cells = Vec::with_capacity(JobColumn::ALL.len());
        let mut keys = Vec::with_capacity(JobColumn::ALL.len());
        for c in JobColumn::ALL {
            let (text, key) = match c {
                JobColumn::Id => (job.id.clone(), job.id.parse::<i64>().ok()),
                JobColumn::Name => (job.name.clone(), None),
                JobColumn::Status => (job.status.clone(), None),
                JobColumn::Created => (time(job.created_ms), job.created_ms),
                JobColumn::Finished => (
                    if job.open {
                        "running…".into()
                    } else {
                        time(finished)
                    },
                    if job.open { Some(i64::MAX) } else { finished },
                ),
                JobColumn::Window => match job.source {
                    Source::Cdn => (job.crontab.clone().unwrap_or_default(), None),
                    _ => (window_text(job.window, fmt), job.window.map(|w| w.0)),
                },
                JobColumn::Detail => (job.detail.clone(), None),
            };
            cells.push(text);
            keys.push(key);
        }
        JobRow { cells, keys }
    }
}

/// What the user asked the table for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowQuery {
    /// Matches any cell (case-insensitive substring).
    pub text: String,
    /// Per column: the cell contains this (case-insensitive).
    pub columns: Vec<(JobColumn, String)>,
    /// Column and order; `None` keeps arrival order.
    pub sort: Option<(JobColumn, SortOrder)>,
}

fn col_index(c: JobColumn) -> usize {
    JobColumn::ALL.iter().position(|x| *x == c).expect("listed")
}

/// Indices of the rows that pass the query, in its (stable) order.
pub fn query_rows(rows: &[JobRow], q: &RowQuery) -> Vec<usize> {
    let text = q.text.trim().to_lowercase();
    let cols: Vec<(usize, String)> = q
        .columns
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(c, v)| (col_index(*c), v.trim().to_lowercase()))
        .collect();
    let mut out: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            (text.is_empty() || r.cells.iter().any(|c| c.to_lowercase().contains(&text)))
                && cols
                    .iter()
                    .all(|(i, v)| r.cells[*i].to_lowercase().contains(v))
        })
        .map(|(i, _)| i)
        .collect();
    if let Some((c, order)) = q.sort {
        let i = col_index(c);
        // Stable: equal keys keep arrival order in both directions. Empty cells sort last.
        sort_indices(&mut out, &mut |a, b| {
            let (ra, rb) = (&rows[a], &rows[b]);
            let ord = match (ra.keys[i], rb.keys[i]) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => {
                    let (x, y) = (&ra.cells[i], &rb.cells[i]);
                    match (x.is_empty(), y.is_empty()) {
                        (true, false) => return Ordering::Greater,
                        (false, true) => return Ordering::Less,
                        _ => x.to_lowercase().cmp(&y.to_lowercase()),
                    }
                }
            };
            match order {
                SortOrder::Ascending => ord,
                SortOrder::Descending => ord.reverse(),
            }
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Idempotent creation

/// Keeps CreateDeliveryHistoryJob's `ClientToken` across retries: a new submission gets a fresh
/// token; a retry after a failure that may have reached the server (network error, 5xx,
/// throttling) reuses the pending one, so the service can never create two jobs for one intent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenKeeper {
    pending: Option<(String, String)>,
}

impl TokenKeeper {
    /// The token for submitting `trail`: the pending one if it was for the same trail, else
    /// `fresh()` (which becomes pending).
    pub fn token_for(&mut self, trail: &str, fresh: impl FnOnce() -> String) -> String {
        match &self.pending {
            Some((t, tok)) if t == trail => tok.clone(),
            _ => {
                let tok = fresh();
                self.pending = Some((trail.to_string(), tok.clone()));
                tok
            }
        }
    }

    /// After an answer: a definite one (success, or an error the service decided) ends the
    /// intent; an uncertain one keeps the token for the retry.
    pub fn settle(&mut self, answer: Answer) {
        if answer == Answer::Definite {
            self.pending = None;
        }
    }

    /// After the last attempt of a submission, whatever it returned.
    pub fn settle_result<T>(&mut self, outcome: &Result<T, ApiError>) {
        self.settle(Answer::of(outcome));
    }

    pub fn pending(&self) -> Option<&str> {
        self.pending.as_ref().map(|(_, t)| t.as_str())
    }
}

/// Whether an answer tells what the service did with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Success, or an error the service decided (bad trail, a job already running, …).
    Definite,
    /// No answer, a 5xx, an unreadable body: the request may or may not have been carried out.
    Uncertain,
}

impl Answer {
    /// Definite only when the service (or the browser) said what happened: success, a 4xx
    /// error from the service or the proxy, a request never sent. Anything else — no answer,
    /// any 5xx (readable or not, retried or not), a success whose body could not be read —
    /// may have created the job.
    pub fn of<T>(outcome: &Result<T, ApiError>) -> Answer {
        match outcome {
            Ok(_) | Err(ApiError::Refused(_)) => Answer::Definite,
            Err(ApiError::Service(s)) if s.http_status < 500 => Answer::Definite,
            Err(ApiError::Malformed { http_status, .. }) if (400..500).contains(http_status) => {
                Answer::Definite
            }
            Err(_) => Answer::Uncertain,
        }
    }

    /// After automatic retries with one ClientToken: uncertain if any attempt was, unless the
    /// last one succeeded (a later "throttled" or 4xx does not say what an earlier lost attempt
    /// did).
    pub fn of_attempts<T>(earlier: Answer, last: &Result<T, ApiError>) -> Answer {
        match (last, earlier) {
            (Ok(_), _) => Answer::Definite,
            (Err(_), Answer::Uncertain) => Answer::Uncertain,
            (Err(_), Answer::Definite) => Answer::of(last),
        }
    }
}

/// What the backfill form says instead of the raw error when the proxy refused the create
/// because it is read-only; `None` for any other outcome. Status and code are kept in the
/// sentence, so the 403 is still there to quote.
pub fn read_only_refusal(e: &ApiError) -> Option<String> {
    let ApiError::Service(s) = e else {
        return None;
    };
    if s.http_status != 403 || s.code != READ_ONLY_CODE {
        return None;
    }
    let id = s
        .request_id
        .as_deref()
        .map(|id| format!(", RequestId {id}"))
        .unwrap_or_default();
    Some(format!(
        "No job was created: this proxy is read-only, so it does not send {} to the cloud. \
         Jobs can still be listed here. To create one, use the ActionTrail console or a proxy \
         that allows writes (read_only = false in its configuration). \
         (HTTP {} {}{id})",
        catalogue::CreateDeliveryHistoryJob::OPERATION.name,
        s.http_status,
        s.code
    ))
}

/// A ClientToken from 128 random bits: a UUID-shaped, lowercase hex ASCII string (36 chars,
/// within the documented 64).
pub fn client_token(hi: u64, lo: u64) -> String {
    let h = format!("{hi:016x}{lo:016x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_api_time;
    use crate::wire::{ExportExecutionInfo, ExportTaskStatus};

    const NOW: i64 = 1_717_200_000_000;

    fn backfill(id: i64, status: i64, created: &str, updated: &str) -> DeliveryHistoryJob {
        DeliveryHistoryJob {
            job_id: Some(id),
            trail_name: Some("trail-name".into()),
            home_region: Some("cn-hangzhou".into()),
            job_status: Some(status),
            created_time: Some(created.into()),
            updated_time: Some(updated.into()),
            start_time: Some("2021-01-26T03:17:04Z".into()),
            end_time: Some("2021-04-26T03:22:04Z".into()),
            regions: Vec::new(),
        }
    }

    #[test]
    fn backfill_intervals() {
        let j = Job::from_backfill(
            &backfill(16602, 2, "2021-04-26T03:17:04Z", "2021-04-26T03:20:08Z"),
            NOW,
        );
        assert_eq!(j.status, "Complete");
        assert_eq!(j.class, StatusClass::Ok);
        assert_eq!(
            j.exec,
            Some((
                parse_rfc3339_ms("2021-04-26T03:17:04Z").unwrap(),
                parse_rfc3339_ms("2021-04-26T03:20:08Z").unwrap()
            ))
        );
        assert!(!j.open);
        assert_eq!(
            j.window.unwrap().0,
            parse_rfc3339_ms("2021-01-26T03:17:04Z").unwrap()
        );
        // Running: to now.
        let r = Job::from_backfill(
            &backfill(1, 1, "2024-05-31T23:00:00Z", "2024-05-31T23:01:00Z"),
            NOW,
        );
        assert_eq!(r.class, StatusClass::Running);
        assert!(r.open);
        assert_eq!(r.exec.unwrap().1, NOW);
        let u = Job::from_backfill(&backfill(2, 7, "x", "y"), NOW);
        assert_eq!(
            (u.status.as_str(), u.class),
            ("Unknown (7)", StatusClass::Unknown)
        );
        assert_eq!(u.exec, None);
    }

    fn export(code: &str, done: Option<i64>) -> ExportTask {
        ExportTask {
            task_id: Some("t-1".into()),
            task_name: Some("my-task".into()),
            log_group_name: Some("grp".into()),
            from: Some(2000),
            to: Some(1000),
            destination: Some("bucket".into()),
            destination_prefix: Some("p".into()),
            status: Some(ExportTaskStatus {
                code: Some(code.into()),
                message: None,
            }),
            execution_info: Some(ExportExecutionInfo {
                creation_time: Some(5000),
                completion_time: done,
            }),
        }
    }

    #[test]
    fn export_codes_as_sent() {
        let c = Job::from_export(&export("COMPLETE", Some(6000)), NOW);
        assert_eq!((c.status.as_str(), c.class), ("COMPLETE", StatusClass::Ok));
        assert_eq!(c.exec, Some((5000, 6000)));
        assert_eq!(c.window, Some((1000, 2000)), "reversed window is ordered");
        assert_eq!(c.detail, "grp → s3://bucket/p");
        let w = Job::from_export(&export("WEIRD_NEW_CODE", None), NOW);
        assert_eq!(
            (w.status.as_str(), w.class),
            ("WEIRD_NEW_CODE", StatusClass::Unknown)
        );
        assert_eq!(w.exec, Some((5000, 5000)));
        let r = Job::from_export(&export("PENDING", None), NOW);
        assert!(r.open);
        assert_eq!(r.exec, Some((5000, NOW)));
        for code in crate::wire::EXPORT_STATUS_CODES {
            assert_ne!(
                Job::from_export(&export(code, None), NOW).class,
                StatusClass::Unknown
            );
        }
    }

    #[test]
    fn cdn_schedule_and_disabled() {
        let mut t = CdnDeliverTask {
            deliver_id: Some(3),
            status: Some("enable".into()),
            create_time: Some("2020-10-14T11:19:26Z".into()),
            crontab: Some("0 0 0 * * ?".into()),
            frequency: Some("d".into()),
            name: Some("域名订阅".into()),
            dm_list: vec!["www.example.com".into()],
            ..Default::default()
        };
        let j = Job::from_cdn(&t);
        assert_eq!(j.detail, "daily · www.example.com");
        assert_eq!(
            j.next_runs(NOW, 2),
            vec![NOW + 86_400_000, NOW + 2 * 86_400_000]
        );
        let row = JobRow::new(&j, NOW, &format_api_time);
        assert_eq!(
            row.cells[col_index(JobColumn::Finished)],
            "2024-06-02T00:00:00Z"
        );
        t.status = Some("disable".into());
        let d = Job::from_cdn(&t);
        assert_eq!(d.class, StatusClass::Disabled);
        assert!(d.next_runs(NOW, 2).is_empty());
        t.crontab = Some("bad".into());
        assert!(Job::from_cdn(&t).schedule_error.is_some());
    }

    #[test]
    fn sources_page_by_their_rule_and_speak_their_dialect() {
        use crate::paging::{PagedRun, RunEnd, Step};
        assert!(BackfillPages
            .request(None)
            .fits(catalogue::LIST_DELIVERY_HISTORY_JOBS.api.dialect()));
        assert!(ExportPages
            .request(None)
            .fits(catalogue::DESCRIBE_EXPORT_TASKS.api.dialect()));
        assert!(CdnPages
            .request(None)
            .fits(catalogue::DESCRIBE_CDN_DELIVER_LIST.api.dialect()));
        // Backfill: PageNumber 1, 2, 3 until TotalCount is reached; a job listed twice once.
        let page = |ids: std::ops::Range<i64>| ListDeliveryHistoryJobsResponse {
            request_id: None,
            total_count: Some(250),
            page_number: None,
            page_size: None,
            jobs: ids
                .map(|i| backfill(i, 2, "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"))
                .collect(),
        };
        let mut run = PagedRun::new(BackfillPages);
        let mut list = JobList::default();
        let mut asked = Vec::new();
        while let Step::Fetch(req) = run.step() {
            let n: i64 = req.param("PageNumber").unwrap().parse().unwrap();
            asked.push(n);
            // Page 2 repeats the last job of page 1 (it moved while paging).
            let resp = page((n - 1) * 100 - (n == 2) as i64..(n * 100).min(250));
            run.accept_page(&resp);
            BackfillPages.collect(&resp, NOW, &mut list);
        }
        assert_eq!(run.step(), Step::Stop(RunEnd::Complete));
        assert_eq!(asked, [1, 2, 3]);
        assert_eq!(list.jobs.len(), 250, "listed once");
        // Export: nextToken until none.
        let req = ExportPages.request(Some(&Cursor::Token("t2".into())));
        assert_eq!(req.param("nextToken").as_deref(), Some("t2"));
        assert_eq!(req.param("limit").as_deref(), Some("50"));
        let last = DescribeExportTasksResponse {
            export_tasks: vec![],
            next_token: Some(String::new()),
        };
        assert_eq!(
            ExportPages.next(&last, 1),
            None,
            "an empty token is the last page"
        );
    }

    #[test]
    fn backfill_paging() {
        assert_eq!(backfill_page_params(0)[0].1, "1");
        assert!(backfill_has_more(1, 100, Some(101), 100));
        assert!(!backfill_has_more(2, 100, Some(101), 1));
        assert!(!backfill_has_more(1, 100, Some(100), 100));
        assert!(
            !backfill_has_more(1, 100, Some(500), 0),
            "an empty page ends it"
        );
        assert!(backfill_has_more(1, 100, None, 100));
    }

    #[test]
    fn a_read_only_proxys_refusal_reads_as_a_sentence() {
        use crate::dialect::{read_response, AlibabaError, Dialect, Source as ErrorSource};
        // The answer as trailview-proxy writes it (403, HostId trailview-proxy, no Recommend).
        let w = AlibabaError::new(
            403,
            READ_ONLY_CODE,
            "trailview-proxy is read-only: ActionTrail CreateDeliveryHistoryJob changes the account and is not forwarded.",
        )
        .from(ErrorSource::Proxy)
        .write("REQ-RO");
        let e =
            read_response::<Value>(Dialect::AlibabaRpc, w.http_status, None, &w.body).unwrap_err();
        let m = read_only_refusal(&e).expect("recognised");
        assert!(
            m.contains("read-only") && m.contains("CreateDeliveryHistoryJob"),
            "{m}"
        );
        assert!(
            m.contains("HTTP 403 Forbidden.ReadOnly, RequestId REQ-RO"),
            "{m}"
        );
        assert_eq!(
            Answer::of::<()>(&Err(e)),
            Answer::Definite,
            "nothing was created"
        );
        // Other refusals and errors stay raw: the cloud's own 403, another proxy 403, a 400
        // with the same code, and what is not a service answer.
        for (status, code) in [
            (403, "Forbidden.RAM"),
            (403, "Forbidden.OperationNotAllowed"),
            (400, READ_ONLY_CODE),
        ] {
            let w = AlibabaError::new(status, code, "no").write("R");
            let e = read_response::<Value>(Dialect::AlibabaRpc, status, None, &w.body).unwrap_err();
            assert_eq!(read_only_refusal(&e), None, "{status} {code}");
        }
        let m = ApiError::Malformed {
            http_status: 403,
            detail: READ_ONLY_CODE.into(),
            excerpt: READ_ONLY_CODE.into(),
        };
        assert_eq!(read_only_refusal(&m), None);
    }

    #[test]
    fn token_reused_only_for_retries() {
        let mut k = TokenKeeper::default();
        let mut n = 0;
        let mut fresh = || {
            n += 1;
            format!("t{n}")
        };
        assert_eq!(k.token_for("a", &mut fresh), "t1");
        k.settle_result::<()>(&Err(ApiError::Network("lost".into())));
        assert_eq!(k.pending(), Some("t1"), "a lost answer keeps the token");
        assert_eq!(k.token_for("a", &mut fresh), "t1", "retry reuses");
        let bad_gateway = ApiError::Malformed {
            http_status: 502,
            detail: String::new(),
            excerpt: String::new(),
        };
        k.settle_result::<()>(&Err(bad_gateway));
        assert_eq!(k.token_for("a", &mut fresh), "t1", "a 502 keeps it too");
        for status in [500, 501, 505, 200] {
            // A gateway's page instead of the service's error, or an unreadable success.
            let unreadable = ApiError::Malformed {
                http_status: status,
                detail: String::new(),
                excerpt: String::new(),
            };
            k.settle_result::<()>(&Err(unreadable));
            assert_eq!(k.pending(), Some("t1"), "HTTP {status} unreadable keeps it");
        }
        // A lost attempt, then the retry is throttled: still uncertain.
        let throttled = ApiError::Service(crate::dialect::ServiceError {
            http_status: 400,
            code: "Throttling.User".into(),
            ..Default::default()
        });
        assert_eq!(
            Answer::of_attempts::<()>(Answer::Uncertain, &Err(throttled.clone())),
            Answer::Uncertain
        );
        assert_eq!(
            Answer::of_attempts::<()>(Answer::Definite, &Err(throttled)),
            Answer::Definite
        );
        assert_eq!(
            Answer::of_attempts(Answer::Uncertain, &Ok(())),
            Answer::Definite
        );
        k.settle_result(&Ok(())); // answered
        assert_eq!(k.pending(), None);
        assert_eq!(
            k.token_for("a", &mut fresh),
            "t2",
            "a new submission is new"
        );
        k.settle(Answer::Uncertain);
        assert_eq!(
            k.token_for("b", &mut fresh),
            "t3",
            "another trail is another intent"
        );
        let t = client_token(u64::MAX, 7);
        assert_eq!(t.len(), 36);
        assert!(t.is_ascii());
        assert_eq!(&t[14..15], "4");
    }

    fn rows() -> Vec<JobRow> {
        let mk = |id: i64, st: i64, c: &str| {
            JobRow::new(
                &Job::from_backfill(&backfill(id, st, c, c), NOW),
                NOW,
                &format_api_time,
            )
        };
        vec![
            mk(3, 2, "2024-01-03T00:00:00Z"),
            mk(1, 3, "2024-01-01T00:00:00Z"),
            mk(2, 2, "2024-01-02T00:00:00Z"),
            mk(4, 2, "2024-01-01T00:00:00Z"),
        ]
    }

    #[test]
    fn filter_and_stable_sort() {
        let r = rows();
        assert_eq!(query_rows(&r, &RowQuery::default()), vec![0, 1, 2, 3]);
        let q = RowQuery {
            text: "FAIL".into(),
            ..Default::default()
        };
        assert_eq!(query_rows(&r, &q), vec![1]);
        let q = RowQuery {
            columns: vec![(JobColumn::Status, "complete".into())],
            sort: Some((JobColumn::Id, SortOrder::Descending)),
            ..Default::default()
        };
        assert_eq!(query_rows(&r, &q), vec![3, 0, 2]);
        // Equal created times keep arrival order in both directions.
        let q = RowQuery {
            sort: Some((JobColumn::Created, SortOrder::Ascending)),
            ..Default::default()
        };
        assert_eq!(query_rows(&r, &q), vec![1, 3, 2, 0]);
        let q = RowQuery {
            sort: Some((JobColumn::Created, SortOrder::Descending)),
            ..Default::default()
        };
        assert_eq!(query_rows(&r, &q), vec![0, 2, 1, 3]);
        let q = RowQuery {
            sort: Some((JobColumn::Name, SortOrder::Ascending)),
            ..Default::default()
        };
        assert_eq!(query_rows(&r, &q), vec![0, 1, 2, 3]);
    }
}
