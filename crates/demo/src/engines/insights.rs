//! CloudWatch Logs Insights over log group [`LOG_GROUP`], holding the demo events as
//! CloudTrail records (the S3 demo bucket's rewriting, account [`ACCOUNT`]).
//!
//! * StartQuery: exactly one of `logGroupName` / `logGroupNames` / `logGroupIdentifiers`
//!   naming [`LOG_GROUP`] (else `ResourceNotFoundException`), `startTime` / `endTime` epoch
//!   seconds (both included), `queryString` in [`super::query`]'s subset (else
//!   `MalformedQueryException` with the position), `limit` 1..=10,000 (default 10,000). At most
//!   [`MAX_CONCURRENT`] queries run at once: `LimitExceededException`.
//! * A query's status is a pure function of its start and now: `Scheduled` for
//!   [`SCHEDULED_MS`], `Running` for [`RUNNING_MS`] with a growing share of its rows (and
//!   statistics), then `Complete`. StopQuery while it runs makes it `Cancelled` (its rows so far
//!   kept); on a query that is not running it is `InvalidParameterException`.
//! * Rows are `{field, value}` lists: the `fields` named (default `@timestamp`, `@message`),
//!   plus `@ptr`; sorted by `@timestamp` newest first unless `sort` says otherwise.

use super::query::{field_text, tokenize, Expr, Op, Parser, SyntaxError, Tok};
use crate::events::DemoEvents;
use serde_json::{json, Map, Value};
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::sync::Mutex;
use trailview_core::dialect::AwsError;

pub const LOG_GROUP: &str = "aws-cloudtrail-logs-demo";
pub const ACCOUNT: &str = "111122223333";
pub const REGION: &str = "us-east-1";
pub const SCHEDULED_MS: i64 = 1_000;
pub const RUNNING_MS: i64 = 3_000;
pub const MAX_CONCURRENT: usize = 30;
pub const MAX_LIMIT: i64 = 10_000;

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightsQuery {
    fields: Vec<String>,
    filters: Vec<Expr>,
    sort: Option<(String, bool)>,
    limit: Option<usize>,
}

fn malformed(e: SyntaxError, q: &str) -> AwsError {
    let near: String = q.chars().skip(e.at).take(12).collect();
    AwsError::new(
        400,
        "MalformedQueryException",
        format!(
            "unexpected symbol found {near:?} at line 1 and position {}: {}",
            e.at + 1,
            e.what
        ),
    )
}

/// The subset: `fields`, `filter`, `sort`, `limit`, joined by `|`.
pub fn parse(q: &str) -> Result<InsightsQuery, SyntaxError> {
    let toks = tokenize(q, true)?;
    let mut p = Parser::new(&toks, q.len());
    let mut out = InsightsQuery {
        fields: Vec::new(),
        filters: Vec::new(),
        sort: None,
        limit: None,
    };
    let name = |p: &mut Parser| -> Result<String, SyntaxError> {
        let at = p.at();
        match p.bump() {
            Some(Tok::Word(w)) if w != "*" => Ok(w.clone()),
            _ => Err(SyntaxError {
                at,
                what: "expected a field name".into(),
            }),
        }
    };
    loop {
        let at = p.at();
        if p.keyword("fields") {
            loop {
                out.fields.push(name(&mut p)?);
                if !p.sym(",") {
                    break;
                }
            }
        } else if p.keyword("filter") {
            let atom = |p: &mut Parser| -> Result<Expr, SyntaxError> {
                let field = name(p)?;
                let op = p.comparison("like")?;
                let at = p.at();
                let value = match p.bump() {
                    Some(Tok::DQuote(v)) | Some(Tok::SQuote(v)) | Some(Tok::Word(v)) => v.clone(),
                    Some(Tok::Slashed(v)) if matches!(op, Op::Like(_)) => v.clone(),
                    _ => {
                        return Err(SyntaxError {
                            at,
                            what: "expected a value".into(),
                        })
                    }
                };
                Ok(match op {
                    // Insights' like is a substring match (the demo reads /.../ as text).
                    Op::Like(_) => Expr::Cmp {
                        field,
                        op: Op::Like(format!("%{value}%")),
                        value,
                    },
                    op => Expr::Cmp { field, op, value },
                })
            };
            out.filters.push(p.expr(&atom, false, &[])?);
        } else if p.keyword("sort") {
            let f = name(&mut p)?;
            let desc = if p.keyword("desc") {
                true
            } else {
                p.keyword("asc");
                false
            };
            out.sort = Some((f, desc));
        } else if p.keyword("limit") {
            let at = p.at();
            match p.bump() {
                Some(Tok::Word(n)) => match n.parse::<usize>() {
                    Ok(n) if n >= 1 => out.limit = Some(n),
                    _ => {
                        return Err(SyntaxError {
                            at,
                            what: "limit must be a positive number".into(),
                        })
                    }
                },
                _ => {
                    return Err(SyntaxError {
                        at,
                        what: "expected a number".into(),
                    })
                }
            }
        } else {
            return Err(SyntaxError {
                at,
                what: "expected fields, filter, sort or limit".into(),
            });
        }
        if p.done() {
            return Ok(out);
        }
        if !p.sym("|") {
            return Err(SyntaxError {
                at: p.at(),
                what: "expected |".into(),
            });
        }
    }
}

struct Query {
    started_ms: i64,
    stopped_ms: Option<i64>,
    rows: Vec<Value>,
    matched: usize,
    scanned: usize,
    bytes: usize,
    /// Its scan is still under way (outside the lock): it counts against the concurrency
    /// limit whatever the clock says, as a real query does until it is terminal.
    scanning: bool,
}

impl Query {
    /// A query just started, its scan not yet done.
    fn started(now: i64) -> Query {
        Query {
            started_ms: now,
            stopped_ms: None,
            rows: Vec::new(),
            matched: 0,
            scanned: 0,
            bytes: 0,
            scanning: true,
        }
    }

    /// Status and how many rows show at `now`.
    fn state(&self, now: i64) -> (&'static str, usize) {
        let at = self.stopped_ms.map_or(now, |s| s.min(now));
        let t = at - self.started_ms;
        let status = if self.stopped_ms.is_some_and(|s| s <= now) {
            "Cancelled"
        } else if t < SCHEDULED_MS {
            "Scheduled"
        } else if t < SCHEDULED_MS + RUNNING_MS {
            "Running"
        } else {
            "Complete"
        };
        let shown = if t < SCHEDULED_MS {
            0
        } else if t >= SCHEDULED_MS + RUNNING_MS {
            self.rows.len()
        } else {
            // A growing share, at least one row once running.
            let share = (t - SCHEDULED_MS + 1) as f64 / RUNNING_MS as f64;
            ((self.rows.len() as f64 * share).ceil() as usize).min(self.rows.len())
        };
        (status, shown)
    }

    /// Not yet terminal (Complete/Cancelled): it counts against [`MAX_CONCURRENT`].
    fn running(&self, now: i64) -> bool {
        self.scanning || matches!(self.state(now).0, "Scheduled" | "Running")
    }
}

/// The Insights demo's queries.
#[derive(Default)]
pub struct DemoInsights {
    queries: Mutex<HashMap<String, Query>>,
}

type Answer = Result<String, AwsError>;

fn bad(msg: impl Into<String>) -> AwsError {
    AwsError::new(400, "InvalidParameterException", msg)
}

/// `@timestamp` as Insights prints it.
fn timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

impl DemoInsights {
    pub fn start_query(&self, store: &DemoEvents, input: &Map<String, Value>, now: i64) -> Answer {
        let groups: Vec<String> = match (
            input.get("logGroupName"),
            input.get("logGroupNames"),
            input.get("logGroupIdentifiers"),
        ) {
            (Some(Value::String(g)), None, None) => vec![g.clone()],
            (None, Some(Value::Array(a)), None) | (None, None, Some(Value::Array(a)))
                if !a.is_empty() && a.len() <= 50 =>
            {
                a.iter()
                    .map(|g| g.as_str().map(String::from).ok_or_else(|| bad("Log group names are strings.")))
                    .collect::<Result<_, _>>()?
            }
            _ => {
                return Err(bad(
                    "Specify exactly one of logGroupName, logGroupNames (1 to 50) or logGroupIdentifiers.",
                ))
            }
        };
        if let Some(g) = groups
            .iter()
            .find(|g| g.as_str() != LOG_GROUP && g.rsplit(':').next() != Some(LOG_GROUP))
        {
            return Err(AwsError::new(
                400,
                "ResourceNotFoundException",
                format!("Log group '{g}' does not exist for account ID '{ACCOUNT}'"),
            ));
        }
        let secs = |k: &str| -> Result<i64, AwsError> {
            input
                .get(k)
                .and_then(Value::as_i64)
                .filter(|n| *n >= 0)
                .ok_or_else(|| bad(format!("{k} is required: epoch seconds.")))
        };
        let (start, end) = (secs("startTime")?, secs("endTime")?);
        if end < start {
            return Err(bad("endTime must be greater than or equal to startTime."));
        }
        let limit = match input.get("limit") {
            None | Some(Value::Null) => MAX_LIMIT,
            Some(v) => v
                .as_i64()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| bad("limit must be between 1 and 10000."))?,
        } as usize;
        let q = input
            .get("queryString")
            .and_then(Value::as_str)
            .filter(|q| !q.trim().is_empty())
            .ok_or_else(|| bad("queryString is required."))?;
        let query = parse(q).map_err(|e| malformed(e, q))?;
        // Reserve the query's place (it counts against the concurrency limit until its scan is
        // done and its clock says terminal), then scan without the lock: GetQueryResults of
        // other queries answer meanwhile, and no one can poll this one before StartQuery
        // returns its id.
        let id = self.reserve(now)?;
        // A scan that panics gives its place back (else the place would stay taken for good).
        struct Release<'a>(&'a DemoInsights, Option<String>);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                if let Some(id) = self.1.take() {
                    let mut q = self.0.queries.lock().unwrap_or_else(|p| p.into_inner());
                    q.remove(&id);
                }
            }
        }
        let mut place = Release(self, Some(id.clone()));
        let found = scan(store, &query, start, end, limit, now);
        place.1 = None;
        self.finish(&id, found);
        Ok(json!({ "queryId": id }).to_string())
    }

    /// A new query's place among the running ones, or `LimitExceededException`.
    fn reserve(&self, now: i64) -> Result<String, AwsError> {
        let mut queries = self.queries.lock().unwrap_or_else(|p| p.into_inner());
        if queries.values().filter(|x| x.running(now)).count() >= MAX_CONCURRENT {
            return Err(AwsError::new(
                400,
                "LimitExceededException",
                format!("Account maximum query concurrency limit of [{MAX_CONCURRENT}] reached."),
            ));
        }
        let id = uuid(now, queries.len());
        queries.insert(id.clone(), Query::started(now));
        Ok(id)
    }

    /// A reserved query's scan is done: its rows and statistics.
    fn finish(&self, id: &str, scan: Scan) {
        let mut queries = self.queries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(q) = queries.get_mut(id) {
            q.rows = scan.rows;
            q.matched = scan.matched;
            q.scanned = scan.scanned;
            q.bytes = scan.bytes;
            q.scanning = false;
        }
    }

    pub fn get_query_results(&self, input: &Map<String, Value>, now: i64) -> Answer {
        let id = query_id(input)?;
        let queries = self.queries.lock().unwrap_or_else(|p| p.into_inner());
        let q = queries.get(&id).ok_or_else(|| {
            AwsError::new(400, "ResourceNotFoundException", "Query does not exist.")
        })?;
        let (status, shown) = q.state(now);
        let share = if q.rows.is_empty() {
            1.0
        } else {
            shown as f64 / q.rows.len() as f64
        };
        let share = if status == "Scheduled" { 0.0 } else { share };
        Ok(json!({
            "results": &q.rows[..shown],
            "statistics": {
                "recordsMatched": (q.matched as f64 * share).round(),
                "recordsScanned": (q.scanned as f64 * share).round(),
                "bytesScanned": (q.bytes as f64 * share).round(),
            },
            "status": status,
        })
        .to_string())
    }

    pub fn stop_query(&self, input: &Map<String, Value>, now: i64) -> Answer {
        let id = query_id(input)?;
        let mut queries = self.queries.lock().unwrap_or_else(|p| p.into_inner());
        let q = queries.get_mut(&id).ok_or_else(|| {
            AwsError::new(400, "ResourceNotFoundException", "Query does not exist.")
        })?;
        if !q.running(now) {
            return Err(bad("Query is not running."));
        }
        q.stopped_ms = Some(now);
        Ok(json!({ "success": true }).to_string())
    }
}

/// A query's pass over the events: the first `limit` rows in its order (at most `limit`
/// kept while scanning) and its statistics.
struct Scan {
    rows: Vec<Value>,
    matched: usize,
    scanned: usize,
    bytes: usize,
}

/// The order a query's rows are kept in: newest first, or by a field's text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    NewestFirst(Reverse<i64>),
    Ascending(Option<String>),
    Descending(Reverse<Option<String>>),
}

fn scan(
    store: &DemoEvents,
    query: &InsightsQuery,
    start: i64,
    end: i64,
    limit: usize,
    now: i64,
) -> Scan {
    let view = store.view(now);
    let range = view.range(
        start.saturating_mul(1000),
        end.saturating_add(1).saturating_mul(1000),
    );
    let stream = format!("{ACCOUNT}_CloudTrail_{REGION}");
    let mut top = TopN::new(query.limit.unwrap_or(limit).min(limit));
    let (mut matched, mut scanned, mut bytes) = (0, 0, 0);
    let mut record = String::new();
    for i in range {
        let e = view.get(i);
        record.clear();
        crate::buckets::write_cloudtrail_record(&mut record, &e.raw, ACCOUNT, REGION, i as u64);
        scanned += 1;
        bytes += record.len();
        let mut v: Value = serde_json::from_str(&record).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("@timestamp".into(), timestamp(e.time_ms).into());
            m.insert("@message".into(), record.clone().into());
            m.insert("@logStream".into(), stream.clone().into());
            m.insert("@log".into(), format!("{ACCOUNT}:{LOG_GROUP}").into());
        }
        let id = |f: &str| f.to_string();
        if query.filters.iter().all(|f| f.matches(&v, &record, &id)) {
            matched += 1;
            let key = match &query.sort {
                None => SortKey::NewestFirst(Reverse(e.time_ms)),
                Some((f, false)) => SortKey::Ascending(field_text(&v, f)),
                Some((f, true)) => SortKey::Descending(Reverse(field_text(&v, f))),
            };
            top.push(key, (v, i));
        }
    }
    let fields = if query.fields.is_empty() {
        vec!["@timestamp".to_string(), "@message".to_string()]
    } else {
        query.fields.clone()
    };
    let rows = top
        .into_sorted()
        .into_iter()
        .map(|(v, i)| {
            let mut row: Vec<Value> = fields
                .iter()
                .filter_map(|f| {
                    field_text(&v, f)
                        .or_else(|| v.get(f.as_str()).and_then(|x| x.as_str().map(String::from)))
                        .map(|value| json!({"field": f, "value": value}))
                })
                .collect();
            row.push(json!({"field": "@ptr", "value": format!("demo-{i}")}));
            Value::Array(row)
        })
        .collect();
    Scan {
        rows,
        matched,
        scanned,
        bytes,
    }
}

/// The first `n` items by key, ties in arrival order (what a stable sort's first `n` would
/// be), holding at most `n` while they arrive: a max-heap whose top is the worst kept.
pub(crate) struct TopN<K: Ord, T> {
    n: usize,
    arrived: usize,
    heap: BinaryHeap<Ranked<K, T>>,
}

struct Ranked<K, T> {
    key: K,
    seq: usize,
    item: T,
}

impl<K: Ord, T> PartialEq for Ranked<K, T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<K: Ord, T> Eq for Ranked<K, T> {}
impl<K: Ord, T> PartialOrd for Ranked<K, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<K: Ord, T> Ord for Ranked<K, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key).then(self.seq.cmp(&other.seq))
    }
}

impl<K: Ord, T> TopN<K, T> {
    pub(crate) fn new(n: usize) -> Self {
        TopN {
            n,
            arrived: 0,
            heap: BinaryHeap::with_capacity(n.min(1024)),
        }
    }

    pub(crate) fn push(&mut self, key: K, item: T) {
        let seq = self.arrived;
        self.arrived += 1;
        if self.heap.len() < self.n {
            self.heap.push(Ranked { key, seq, item });
        } else if self.heap.peek().is_some_and(|worst| key < worst.key) {
            // Later than every kept item, so only a strictly better key displaces the worst.
            self.heap.pop();
            self.heap.push(Ranked { key, seq, item });
        }
    }

    /// How many items are held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// The kept items, best first.
    pub(crate) fn into_sorted(self) -> Vec<T> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.item)
            .collect()
    }
}

fn query_id(input: &Map<String, Value>) -> Result<String, AwsError> {
    input
        .get("queryId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .ok_or_else(|| bad("queryId is required."))
}

/// A query id in AWS's shape (a lowercase UUID), from the start time and a counter.
fn uuid(now: i64, n: usize) -> String {
    let h = (now as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (n as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let r = fastrand::u64(..);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (h >> 32) as u32,
        (h >> 16) as u16,
        (h & 0xfff) as u16,
        (r & 0xfff) as u16,
        (r >> 16) & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> Scan {
        Scan {
            rows: Vec::new(),
            matched: 0,
            scanned: 0,
            bytes: 0,
        }
    }

    /// A scan over millions of events outlasts the status clock: the query still counts
    /// against the limit until it is terminal, so the (limit+1)th StartQuery is refused
    /// however long the others have been scanning.
    #[test]
    fn queries_still_scanning_count_against_the_concurrency_limit() {
        let insights = DemoInsights::default();
        let ids: Vec<String> = (0..MAX_CONCURRENT)
            .map(|_| insights.reserve(0).unwrap())
            .collect();
        // Long past Scheduled + Running on the clock, but the scans are not done.
        let later = 10 * (SCHEDULED_MS + RUNNING_MS);
        let e = insights.reserve(later).unwrap_err();
        assert_eq!(e.kind, "LimitExceededException");
        // One scan done (its clock already says Complete): room for exactly one more.
        insights.finish(&ids[0], empty());
        assert!(insights.reserve(later).is_ok());
        assert_eq!(
            insights.reserve(later).unwrap_err().kind,
            "LimitExceededException"
        );
    }
}
