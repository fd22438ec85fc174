//! SLS (Simple Log Service) GetLogs: the query split into search and SQL, the paging plan, the
//! response read off its headers and JSON array body, and [`SlsRun`], the state machine the
//! app's driver runs.
//!
//! Paging, as documented (reference §1.2): a search query pages by `offset`, at most 100 rows a
//! call (`line` above 100 still returns 100), until a complete page has no rows; a query with
//! `| SQL` pages by the SQL's own `LIMIT offset,count` (count at most 10,000, offset + count at
//! most 1,000,000) with `line`/`offset` 0. A page whose `x-log-progress` is `Incomplete` is
//! asked again (the same request) until it is `Complete`; its rows are not kept.

use super::{event_json, Rows};
use crate::catalogue::{Operation, SLS_GET_LOGS, SLS_LIST_LOG_STORES};
use crate::dialect::{read_response, ApiError, Dialect};
use crate::paging::{Attempts, Retry, RunEnd, Step};
use crate::percent::{encode, Slash};
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::fmt;

/// Rows of a search page (`line`'s documented maximum).
pub const SEARCH_PAGE: u64 = 100;
/// Rows of one SQL page (`LIMIT offset,count`: count at most 10,000).
pub const SQL_PAGE: u64 = 10_000;
/// Rows an SQL query reaches at most (`offset + count <= 1,000,000`).
pub const SQL_MAX_ROWS: u64 = 1_000_000;
/// The same page asked again at most this many times while SLS says `Incomplete`.
pub const MAX_INCOMPLETE: u32 = 20;
/// The wait before asking an `Incomplete` page again (the SDK's 0.5 s).
pub const INCOMPLETE_DELAY_MS: u32 = 500;

/// A GetLogs or ListLogStores call, as the app sends it to the proxy: the path under the proxy
/// base and the query parameters (the proxy signs and adds the `x-log-*` headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlsRequest {
    pub project: String,
    /// `Some` for GetLogs, `None` for ListLogStores.
    pub logstore: Option<String>,
    pub params: Vec<(String, String)>,
}

impl SlsRequest {
    pub fn operation(&self) -> &'static Operation {
        match self.logstore {
            Some(_) => &SLS_GET_LOGS,
            None => &SLS_LIST_LOG_STORES,
        }
    }

    /// The path under the proxy base: `aliyun/sls/{project}/logstores[/{logstore}]`.
    pub fn path(&self) -> String {
        let mut p = format!(
            "{}/{}/logstores",
            crate::catalogue::Api::Sls.route(),
            encode(&self.project, Slash::Encode)
        );
        if let Some(l) = &self.logstore {
            p.push('/');
            p.push_str(&encode(l, Slash::Encode));
        }
        p
    }

    /// The query string (percent-encoded, in parameter order).
    pub fn query_string(&self) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.params.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(&encode(k, Slash::Encode));
            out.push('=');
            out.push_str(&encode(v, Slash::Encode));
        }
        out
    }

    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// ListLogStores' first page (up to 500 names), for the logstore picker.
pub fn list_log_stores(project: &str) -> SlsRequest {
    SlsRequest {
        project: project.to_string(),
        logstore: None,
        params: vec![("offset".into(), "0".into()), ("size".into(), "500".into())],
    }
}

pub use crate::wire::ListLogStoresResponse;

/// Why a query cannot be planned (before any call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlsQueryError {
    /// `| ` with nothing after it.
    EmptySql,
    /// `LIMIT y,x` with the offset y at or past 1,000,000, which SLS cannot reach.
    LimitOutOfRange(String),
    /// A project or logstore name SLS does not allow: why.
    BadName(String),
}

/// Which SLS name a check is about: the rules differ (a logstore may hold `_`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlsName {
    Project,
    Logstore,
}

/// SLS's documented naming rules, checked before sending: a project name is 3 to 63
/// characters of lowercase letters, digits and hyphens, starting and ending with a letter or
/// digit; a logstore name the same, underscores allowed too.
pub fn check_name(kind: SlsName, name: &str) -> Result<(), SlsQueryError> {
    let (what, extra) = match kind {
        SlsName::Project => ("project", ""),
        SlsName::Logstore => ("logstore", ", underscores"),
    };
    let allowed = |c: char| {
        c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || c == '-'
            || (kind == SlsName::Logstore && c == '_')
    };
    let end = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let n = name.chars().count();
    let why = if name.is_empty() {
        format!("Name the SLS {what}.")
    } else if !(3..=63).contains(&n) {
        format!("The SLS {what} name \"{name}\" has {n} characters; it takes 3 to 63.")
    } else if let Some(c) = name.chars().find(|c| !allowed(*c)) {
        format!(
            "The SLS {what} name \"{name}\" holds \"{c}\": it takes lowercase letters, digits, hyphens{extra}."
        )
    } else if !end(name.chars().next()) || !end(name.chars().last()) {
        format!(
            "The SLS {what} name \"{name}\" must start and end with a lowercase letter or digit."
        )
    } else {
        return Ok(());
    };
    Err(SlsQueryError::BadName(why))
}

impl fmt::Display for SlsQueryError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            SlsQueryError::EmptySql => {
                f.write_str("Nothing after \"|\": write an SQL statement or remove the \"|\".")
            }
            SlsQueryError::LimitOutOfRange(why) | SlsQueryError::BadName(why) => f.write_str(why),
        }
    }
}

/// A query split at its first `|` outside double quotes: the search statement (`*` when empty)
/// and the SQL after it, if any.
pub fn split_query(query: &str) -> (String, Option<String>) {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in query.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '|' if !quoted => {
                let search = query[..i].trim();
                let search = if search.is_empty() { "*" } else { search };
                return (search.to_string(), Some(query[i + 1..].trim().to_string()));
            }
            _ => {}
        }
    }
    let search = query.trim();
    let search = if search.is_empty() { "*" } else { search };
    (search.to_string(), None)
}

/// The SQL's trailing `LIMIT x` / `LIMIT y,x`, as (the SQL without it, y, x).
pub fn trailing_limit(sql: &str) -> (String, Option<(u64, u64)>) {
    let trimmed = sql.trim().trim_end_matches(';').trim_end();
    let lower = trimmed.to_ascii_lowercase();
    let Some(at) = lower.rfind("limit") else {
        return (trimmed.to_string(), None);
    };
    let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
    let rest = &trimmed[at + 5..];
    if !before_ok || !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
        return (trimmed.to_string(), None);
    }
    let nums: Vec<&str> = rest.split(',').map(str::trim).collect();
    let parse = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let limit = match nums.as_slice() {
        [x] => parse(x).map(|x| (0, x)),
        [y, x] => parse(y).zip(parse(x)),
        _ => None,
    };
    match limit {
        Some(l) => (trimmed[..at].trim_end().to_string(), Some(l)),
        None => (trimmed.to_string(), None),
    }
}

/// How a query pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// A search statement: `offset` by 100 rows.
    Search { search: String },
    /// `search | sql`: the SQL without its trailing LIMIT, paged by `LIMIT offset,count` over
    /// rows `start..end`. `capped`: `end` is lower than what the query asked for (the run's
    /// row cap or SLS's 1,000,000).
    Sql {
        search: String,
        sql: String,
        start: u64,
        end: u64,
        capped: bool,
    },
}

impl Plan {
    /// The plan for `query`, reading at most `max_rows` rows.
    pub fn new(query: &str, max_rows: u64) -> Result<Plan, SlsQueryError> {
        let (search, sql) = split_query(query);
        let Some(sql) = sql else {
            return Ok(Plan::Search { search });
        };
        let (sql, limit) = trailing_limit(&sql);
        if sql.is_empty() {
            return Err(SlsQueryError::EmptySql);
        }
        let max_rows = max_rows.min(SQL_MAX_ROWS);
        let (start, asked) = match limit {
            None => (0, None),
            Some((y, x)) => {
                if y >= SQL_MAX_ROWS {
                    return Err(SlsQueryError::LimitOutOfRange(format!(
                        "LIMIT {y},{x}: SLS reads at most the first 1,000,000 rows of a result."
                    )));
                }
                (y, Some(x))
            }
        };
        let wanted = asked.unwrap_or(max_rows);
        let end = start + wanted.min(max_rows).min(SQL_MAX_ROWS - start);
        Ok(Plan::Sql {
            search,
            sql,
            start,
            end,
            capped: asked.is_none_or(|x| start + x > end),
        })
    }

    pub fn is_sql(&self) -> bool {
        matches!(self, Plan::Sql { .. })
    }
}

/// Newest or oldest rows first (`reverse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    NewestFirst,
    OldestFirst,
}

/// What a GetLogs run reads: project, logstore and the time range (UNIX seconds, `from`
/// included, `to` excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetLogsSpec {
    pub project: String,
    pub logstore: String,
    pub from: i64,
    pub to: i64,
    pub query: String,
    pub order: Order,
}

/// `x-log-progress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Complete,
    Incomplete,
}

impl Progress {
    /// The header's value; a missing or unknown one reads as `Complete` (nothing to wait for).
    pub fn parse(header: Option<&str>) -> Progress {
        match header.map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("Incomplete") => Progress::Incomplete,
            _ => Progress::Complete,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Progress::Complete => "Complete",
            Progress::Incomplete => "Incomplete",
        }
    }
}

/// One row of GetLogs' body: its cells in the body's order, each value as text (SLS sends
/// strings; a number or other JSON value is kept as its JSON text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Row, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Row;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a row object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row, A::Error> {
                let mut cells = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    let text = match v {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    cells.push((k, text));
                }
                Ok(Row(cells))
            }
        }
        d.deserialize_map(V)
    }
}

/// GetLogs' body: a JSON array of rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetLogsBody(pub Vec<Row>);

impl<'de> Deserialize<'de> for GetLogsBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<GetLogsBody, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GetLogsBody;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of rows")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GetLogsBody, A::Error> {
                let mut rows = Vec::new();
                while let Some(r) = seq.next_element::<Row>()? {
                    rows.push(r);
                }
                Ok(GetLogsBody(rows))
            }
        }
        d.deserialize_seq(V)
    }
}

/// One GetLogs answer: progress, count and rows split into events and a result table.
#[derive(Debug, Clone)]
pub struct GetLogsPage {
    pub progress: Progress,
    /// `x-log-count`, else the number of rows.
    pub count: u64,
    /// The rows in the body (events and table rows together).
    pub row_count: usize,
    pub rows: Rows,
}

/// The SLS system columns a search row carries beside its fields.
fn is_system_column(name: &str) -> bool {
    name.starts_with("__")
}

impl GetLogsPage {
    /// Read an answer: a 2xx JSON array, or SLS's error body. `progress` and `count` are the
    /// `x-log-progress` and `x-log-count` headers, `request_id` `x-log-requestid`.
    #[allow(clippy::result_large_err)]
    pub fn read(
        http_status: u16,
        progress: Option<&str>,
        count: Option<&str>,
        request_id: Option<&str>,
        body: &str,
    ) -> Result<GetLogsPage, ApiError> {
        let (GetLogsBody(rows), _) =
            read_response::<GetLogsBody>(Dialect::SlsJson, http_status, request_id, body)?;
        let row_count = rows.len();
        Ok(GetLogsPage {
            progress: Progress::parse(progress),
            count: count
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(row_count as u64),
            row_count,
            rows: split_rows(rows),
        })
    }
}

/// Each row whose `event` is a JSON object becomes an event; every other row is a table row
/// (an SQL result's columns), without the search rows' `__system__` columns when it has
/// others.
pub fn split_rows(rows: Vec<Row>) -> Rows {
    let mut out = Rows::default();
    for Row(cells) in rows {
        if let Some(ev) = cells
            .iter()
            .find(|(k, _)| k == "event")
            .and_then(|(_, v)| event_json(v))
        {
            out.events.push(ev);
            continue;
        }
        let has_fields = cells.iter().any(|(k, _)| !is_system_column(k));
        out.table.push(
            cells
                .iter()
                .filter(|(k, _)| !has_fields || !is_system_column(k))
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
    }
    out
}

/// What the driver does with an accepted page's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingest {
    /// A complete page: add its rows.
    Rows,
    /// An `Incomplete` page that is asked again: drop its rows (the repeat returns them).
    Discard,
}

/// One GetLogs run: the plan, where paging is, `Incomplete` repeats, retries and how it ended.
#[derive(Debug, Clone)]
pub struct SlsRun {
    spec: GetLogsSpec,
    plan: Plan,
    /// The next row (search: `offset`; SQL: the LIMIT's offset).
    offset: u64,
    max_rows: u64,
    rows: u64,
    pages: usize,
    incomplete: u32,
    attempts: Attempts,
    end: Option<RunEnd>,
    /// The run ended with a page SLS still called `Incomplete` after [`MAX_INCOMPLETE`] asks.
    gave_up_incomplete: bool,
}

impl SlsRun {
    /// A run of `spec` reading at most `max_rows` rows (the app's events cap).
    pub fn new(spec: GetLogsSpec, max_rows: u64) -> Result<SlsRun, SlsQueryError> {
        check_name(SlsName::Project, &spec.project)?;
        check_name(SlsName::Logstore, &spec.logstore)?;
        let plan = Plan::new(&spec.query, max_rows)?;
        let (offset, nothing) = match plan {
            Plan::Sql { start, end, .. } => (start, end <= start),
            Plan::Search { .. } => (0, max_rows == 0),
        };
        Ok(SlsRun {
            spec,
            plan,
            offset,
            max_rows,
            rows: 0,
            pages: 0,
            incomplete: 0,
            attempts: Attempts::default(),
            // `LIMIT 0` or no rows wanted: nothing to ask.
            end: nothing.then_some(RunEnd::Complete),
            gave_up_incomplete: false,
        })
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The request for the next page.
    fn request(&self) -> SlsRequest {
        let s = &self.spec;
        let (query, line, offset) = match &self.plan {
            Plan::Search { search } => (
                search.clone(),
                SEARCH_PAGE.min(self.max_rows - self.rows),
                self.offset,
            ),
            Plan::Sql {
                search, sql, end, ..
            } => {
                let count = SQL_PAGE.min(end - self.offset);
                (
                    format!("{search} | {sql} LIMIT {},{count}", self.offset),
                    0,
                    0,
                )
            }
        };
        SlsRequest {
            project: s.project.clone(),
            logstore: Some(s.logstore.clone()),
            params: vec![
                ("type".into(), "log".into()),
                ("from".into(), s.from.to_string()),
                ("to".into(), s.to.to_string()),
                ("line".into(), line.to_string()),
                ("offset".into(), offset.to_string()),
                (
                    "reverse".into(),
                    (s.order == Order::NewestFirst).to_string(),
                ),
                ("query".into(), query),
            ],
        }
    }

    pub fn step(&self) -> Step<SlsRequest> {
        match self.end {
            Some(end) => Step::Stop(end),
            None => Step::Fetch(self.request()),
        }
    }

    /// How long to wait before the next call: [`INCOMPLETE_DELAY_MS`] after an `Incomplete`.
    pub fn delay_ms(&self) -> u32 {
        if self.incomplete > 0 {
            INCOMPLETE_DELAY_MS
        } else {
            0
        }
    }

    /// A page arrived: whether to keep its rows.
    pub fn accept(&mut self, page: &GetLogsPage) -> Ingest {
        self.attempts.succeeded();
        if self.end.is_some() {
            return Ingest::Discard;
        }
        if page.progress == Progress::Incomplete {
            self.incomplete += 1;
            if self.incomplete < MAX_INCOMPLETE {
                return Ingest::Discard;
            }
            // Still incomplete: keep what SLS found and stop, saying so.
            self.gave_up_incomplete = true;
            self.end = Some(RunEnd::Capped);
        }
        self.incomplete = 0;
        self.pages += 1;
        let n = page.row_count as u64;
        self.rows += n;
        self.offset += n;
        if self.end.is_some() {
            return Ingest::Rows;
        }
        self.end = match &self.plan {
            Plan::Search { .. } if n == 0 || page.count == 0 => Some(RunEnd::Complete),
            Plan::Search { .. } if self.rows >= self.max_rows => Some(RunEnd::Capped),
            Plan::Search { .. } => None,
            Plan::Sql { end, capped, .. } => {
                let asked = SQL_PAGE.min(end - (self.offset - n));
                if n < asked {
                    Some(RunEnd::Complete)
                } else if self.offset >= *end {
                    Some(if *capped {
                        RunEnd::Capped
                    } else {
                        RunEnd::Complete
                    })
                } else {
                    None
                }
            }
        };
        Ingest::Rows
    }

    /// A call failed: retry with backoff (throttling, 5xx, network) or give up.
    pub fn on_error(&mut self, e: &ApiError, salt: u64) -> Retry {
        let r = self.attempts.on_error(e, salt);
        if r == Retry::GiveUp {
            self.end = Some(RunEnd::Failed);
        }
        r
    }

    pub fn cancel(&mut self) {
        if self.end.is_none() {
            self.end = Some(RunEnd::Cancelled);
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn pages(&self) -> usize {
        self.pages
    }

    pub fn stopped(&self) -> Option<RunEnd> {
        self.end
    }

    /// Whether the run stopped on a page SLS never completed.
    pub fn gave_up_incomplete(&self) -> bool {
        self.gave_up_incomplete
    }

    pub fn retries(&self) -> u32 {
        self.attempts.retries()
    }

    /// How many times the current page was answered `Incomplete` (and is being asked again).
    pub fn incomplete(&self) -> u32 {
        self.incomplete
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_documented_rules_before_anything_is_sent() {
        use SlsName::*;
        let longest = "a".repeat(63);
        for ok in ["trailview-demo", "abc", "a1-b2", longest.as_str()] {
            assert_eq!(check_name(Project, ok), Ok(()), "{ok}");
        }
        for ok in ["actiontrail_demo-trail", "a_b", "0ab"] {
            assert_eq!(check_name(Logstore, ok), Ok(()), "{ok}");
        }
        fn why(k: SlsName, n: &str) -> String {
            match check_name(k, n) {
                Err(SlsQueryError::BadName(w)) => w,
                other => panic!("{n}: {other:?}"),
            }
        }
        assert_eq!(why(Project, ""), "Name the SLS project.");
        assert!(why(Project, "ab").contains("has 2 characters; it takes 3 to 63"));
        assert!(why(Project, &"a".repeat(64)).contains("64 characters"));
        assert!(why(Project, "Trail").contains("holds \"T\""));
        assert!(why(Project, "a_b").contains("holds \"_\""));
        assert!(why(Logstore, "a.b").contains("underscores"));
        assert!(why(Project, "-ab").contains("must start and end"));
        assert!(why(Logstore, "ab_").contains("must start and end"));
        // A run with a bad name is not planned, so nothing is sent.
        let spec = GetLogsSpec {
            project: "Bad Project".into(),
            logstore: "actiontrail_t".into(),
            from: 0,
            to: 1,
            query: "*".into(),
            order: Order::NewestFirst,
        };
        assert!(matches!(
            SlsRun::new(spec, 10),
            Err(SlsQueryError::BadName(_))
        ));
    }
    use crate::event::EventRecord;

    fn spec(query: &str) -> GetLogsSpec {
        GetLogsSpec {
            project: "trailview-demo".into(),
            logstore: "actiontrail_demo-trail".into(),
            from: 1_700_000_000,
            to: 1_700_003_600,
            query: query.into(),
            order: Order::NewestFirst,
        }
    }

    fn page(progress: Progress, rows: usize) -> GetLogsPage {
        let body: Vec<String> = (0..rows)
            .map(|i| format!(r#"{{"__time__":"1","event":"{{\"eventId\":\"e{i}\"}}"}}"#))
            .collect();
        GetLogsPage::read(
            200,
            Some(progress.as_str()),
            None,
            None,
            &format!("[{}]", body.join(",")),
        )
        .unwrap()
    }

    fn fetch(run: &SlsRun) -> SlsRequest {
        match run.step() {
            Step::Fetch(r) => r,
            Step::Stop(e) => panic!("stopped: {e:?}"),
        }
    }

    #[test]
    fn splits_search_and_sql_at_the_first_unquoted_bar() {
        assert_eq!(split_query("  "), ("*".into(), None));
        assert_eq!(
            split_query(r#""event.eventName": "a|b" | select 1"#),
            (
                r#""event.eventName": "a|b""#.into(),
                Some("select 1".into())
            )
        );
        assert_eq!(
            split_query("| select count(*)"),
            ("*".into(), Some("select count(*)".into()))
        );
        assert_eq!(
            trailing_limit("select a from log limit 10;"),
            ("select a from log".into(), Some((0, 10)))
        );
        assert_eq!(
            trailing_limit("SELECT a LIMIT 5 , 20"),
            ("SELECT a".into(), Some((5, 20)))
        );
        for kept in ["select unlimited", "select a limit x", "select limit"] {
            assert_eq!(trailing_limit(kept), (kept.to_string(), None), "{kept}");
        }
    }

    #[test]
    fn search_pages_by_offset_until_an_empty_complete_page() {
        let mut run = SlsRun::new(spec("* and Write"), 1_000_000).unwrap();
        assert!(!run.plan().is_sql());
        let r = fetch(&run);
        assert_eq!(r.param("line"), Some("100"));
        assert_eq!(r.param("offset"), Some("0"));
        assert_eq!(r.param("query"), Some("* and Write"));
        assert_eq!(r.param("reverse"), Some("true"));
        assert_eq!(r.operation().name, "GetLogs");
        assert_eq!(
            r.path(),
            "aliyun/sls/trailview-demo/logstores/actiontrail_demo-trail"
        );
        // Incomplete: the same request again, after a wait, rows dropped.
        assert_eq!(run.accept(&page(Progress::Incomplete, 40)), Ingest::Discard);
        assert_eq!(run.delay_ms(), INCOMPLETE_DELAY_MS);
        assert_eq!(fetch(&run), r);
        assert_eq!(run.accept(&page(Progress::Complete, 100)), Ingest::Rows);
        assert_eq!(run.delay_ms(), 0);
        assert_eq!(fetch(&run).param("offset"), Some("100"));
        assert_eq!(run.accept(&page(Progress::Complete, 30)), Ingest::Rows);
        assert_eq!(fetch(&run).param("offset"), Some("130"));
        assert_eq!(run.accept(&page(Progress::Complete, 0)), Ingest::Rows);
        assert_eq!(run.step(), Step::Stop(RunEnd::Complete));
        assert_eq!((run.rows(), run.pages()), (130, 3));
    }

    #[test]
    fn search_stops_at_the_row_cap() {
        let mut run = SlsRun::new(spec("*"), 150).unwrap();
        run.accept(&page(Progress::Complete, 100));
        assert_eq!(fetch(&run).param("line"), Some("50"));
        run.accept(&page(Progress::Complete, 50));
        assert_eq!(run.step(), Step::Stop(RunEnd::Capped));
    }

    #[test]
    fn sql_pages_by_its_limit_clause() {
        let mut run = SlsRun::new(
            spec("* | select * from log order by __time__ limit 25000"),
            1_000_000,
        )
        .unwrap();
        let r = fetch(&run);
        assert_eq!(
            r.param("query"),
            Some("* | select * from log order by __time__ LIMIT 0,10000")
        );
        assert_eq!((r.param("line"), r.param("offset")), (Some("0"), Some("0")));
        run.accept(&page(Progress::Complete, 10_000));
        assert!(fetch(&run)
            .param("query")
            .unwrap()
            .ends_with("LIMIT 10000,10000"));
        run.accept(&page(Progress::Complete, 10_000));
        assert!(fetch(&run)
            .param("query")
            .unwrap()
            .ends_with("LIMIT 20000,5000"));
        run.accept(&page(Progress::Complete, 5_000));
        assert_eq!(run.step(), Step::Stop(RunEnd::Complete));
        // A short page is the last.
        let mut run = SlsRun::new(spec("* | select count(*) as n"), 1_000_000).unwrap();
        assert!(fetch(&run)
            .param("query")
            .unwrap()
            .ends_with("n LIMIT 0,10000"));
        run.accept(&page(Progress::Complete, 1));
        assert_eq!(run.step(), Step::Stop(RunEnd::Complete));
        // The run's cap below the query's own LIMIT: Capped.
        let mut run = SlsRun::new(spec("* | select * limit 10,500"), 200).unwrap();
        assert!(fetch(&run)
            .param("query")
            .unwrap()
            .ends_with("LIMIT 10,200"));
        run.accept(&page(Progress::Complete, 200));
        assert_eq!(run.step(), Step::Stop(RunEnd::Capped));
        assert_eq!(
            SlsRun::new(spec("* | "), 10).unwrap_err(),
            SlsQueryError::EmptySql
        );
        assert!(SlsRun::new(spec("* | select 1 limit 1000000,5"), 10).is_err());
    }

    #[test]
    fn an_incomplete_page_is_repeated_then_kept_and_the_run_says_so() {
        let mut run = SlsRun::new(spec("*"), 1000).unwrap();
        for _ in 1..MAX_INCOMPLETE {
            assert_eq!(run.accept(&page(Progress::Incomplete, 3)), Ingest::Discard);
            assert!(matches!(run.step(), Step::Fetch(_)));
        }
        assert_eq!(run.accept(&page(Progress::Incomplete, 3)), Ingest::Rows);
        assert_eq!(run.step(), Step::Stop(RunEnd::Capped));
        assert!(run.gave_up_incomplete());
    }

    #[test]
    fn errors_retry_or_fail_and_cancel_stops() {
        let mut run = SlsRun::new(spec("*"), 1000).unwrap();
        let throttled = GetLogsPage::read(
            403,
            None,
            None,
            Some("5F1A"),
            r#"{"errorCode":"ReadQuotaExceed","errorMessage":"Read quota is exceeded"}"#,
        )
        .unwrap_err();
        assert!(throttled.is_throttling());
        assert!(matches!(run.on_error(&throttled, 1), Retry::After { .. }));
        let bad = GetLogsPage::read(
            400,
            None,
            None,
            Some("5F1B"),
            r#"{"errorCode":"ParameterInvalid","errorMessage":"line 1:8: syntax error"}"#,
        )
        .unwrap_err();
        match &bad {
            ApiError::Service(s) => {
                assert_eq!(s.code, "ParameterInvalid");
                assert_eq!(s.request_id.as_deref(), Some("5F1B"));
                assert_eq!(s.message, "line 1:8: syntax error");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(run.on_error(&bad, 1), Retry::GiveUp);
        assert_eq!(run.step(), Step::Stop(RunEnd::Failed));
        let mut run = SlsRun::new(spec("*"), 1000).unwrap();
        run.cancel();
        assert_eq!(run.step(), Step::Stop(RunEnd::Cancelled));
        assert_eq!(run.accept(&page(Progress::Complete, 5)), Ingest::Discard);
    }

    #[test]
    fn rows_split_into_events_and_a_table() {
        let body = r#"[
            {"__time__":"1700000000","__source__":"","event":"{\"eventId\":\"a1\",\"eventName\":\"DeleteBucket\",\"userIdentity\":{\"userName\":\"alice\"}}"},
            {"__time__":"1700000001","event":"not json"},
            {"eventName":"DeleteBucket","n":12,"ratio":0.5,"x":null},
            {"__time__":"1"}
        ]"#;
        let p = GetLogsPage::read(200, Some("Complete"), Some("4"), None, body).unwrap();
        assert_eq!(
            (p.count, p.row_count, p.progress),
            (4, 4, Progress::Complete)
        );
        assert_eq!(p.rows.events.len(), 1);
        let ev = EventRecord::parse(p.rows.events[0].get()).unwrap();
        assert_eq!(ev.event_id.as_deref(), Some("a1"));
        assert_eq!(ev.user_name(), Some("alice"));
        let t = &p.rows.table;
        assert_eq!(
            t.columns,
            ["event", "eventName", "n", "ratio", "x", "__time__"]
        );
        assert_eq!(t.rows[0][..2], ["not json".to_string(), String::new()]);
        assert_eq!(t.rows[1][1..5], ["DeleteBucket", "12", "0.5", ""]);
        // Not an array: malformed, with an excerpt.
        assert!(matches!(
            GetLogsPage::read(200, None, None, None, r#"{"a":1}"#),
            Err(ApiError::Malformed { .. })
        ));
    }

    #[test]
    fn list_log_stores_request_and_answer() {
        let r = list_log_stores("p 1");
        assert_eq!(r.path(), "aliyun/sls/p%201/logstores");
        assert_eq!(r.query_string(), "offset=0&size=500");
        assert_eq!(r.operation().name, "ListLogStores");
        let (a, _) = read_response::<ListLogStoresResponse>(
            Dialect::SlsJson,
            200,
            None,
            r#"{"count":1,"total":1,"logstores":["actiontrail_demo-trail"]}"#,
        )
        .unwrap();
        assert_eq!(a.logstores, ["actiontrail_demo-trail"]);
    }
}
