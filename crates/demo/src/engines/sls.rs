//! SLS GetLogs and ListLogStores over the demo events: project [`PROJECT`], logstore
//! [`LOGSTORE`] (`actiontrail_<trail name>`), each row `{"__time__","__source__","__topic__",
//! "event"}` with the event's JSON as a string, as a trail's SLS delivery stores it.
//!
//! * `GET /logstores/{logstore}?type=log&from&to&query&line&offset&reverse`: `from`/`to` UNIX
//!   seconds (from included, to excluded), required; `line` at most 100 (more reads as 100),
//!   default 100; newest first with `reverse=true`.
//! * A query with `| SQL` ([`super::query`]'s subset) ignores `line`/`offset` and pages by its
//!   `LIMIT` (`LIMIT x`: x <= 1,000,000; `LIMIT y,x`: x <= 10,000; none: 100 rows).
//! * The first time an aggregation (GROUP BY or count) is asked over a range, the answer is
//!   `x-log-progress: Incomplete` (as a real engine's first pass may be); asked again it is
//!   `Complete`.
//! * Errors are SLS's `{"errorCode","errorMessage"}`: `ProjectNotExist`, `LogStoreNotExist`
//!   (404), `ParameterInvalid` (400) for a missing or bad parameter and for a query outside the
//!   subset, with the position.

use super::query::{tokenize, Expr, Op, Parser, SyntaxError, Tok};
use crate::events::{DemoEvents, View};
use serde_json::Value;
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use trailview_core::dialect::SlsError;
use trailview_core::engines::sls::{split_query, Progress, SEARCH_PAGE, SQL_MAX_ROWS, SQL_PAGE};

pub const PROJECT: &str = "trailview-demo";
pub const LOGSTORE: &str = "actiontrail_demo-trail";
/// The rows an SQL query without LIMIT returns.
pub const SQL_DEFAULT_ROWS: usize = 100;

/// A GetLogs answer: the body and its `x-log-progress` / `x-log-count` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlsAnswer {
    pub body: String,
    pub progress: Progress,
    pub count: usize,
}

/// The SQL results kept for the pages that follow (a few, the oldest evicted).
pub const RESULTS_KEPT: usize = 4;
/// The bytes of SQL results kept at most; a larger result is not kept.
pub const RESULTS_BYTES: usize = 256 << 20;

/// The SLS demo: which aggregations were asked once (their second ask is complete), the last
/// search's matches and the last SQL results (paging asks the same query again and again:
/// each page is a slice of the kept result, not a new pass over the events).
#[derive(Default)]
pub struct DemoSls {
    seen: Mutex<HashSet<String>>,
    last: Mutex<Option<(String, Arc<Vec<usize>>)>>,
    results: Mutex<Results>,
    scans: AtomicUsize,
}

/// SQL results by (range, dataset, search, SQL without its LIMIT), least recently used first.
#[derive(Default)]
struct Results {
    kept: VecDeque<(String, Arc<Vec<String>>, usize)>,
    bytes: usize,
}

impl Results {
    fn get(&mut self, key: &str) -> Option<Arc<Vec<String>>> {
        let at = self.kept.iter().position(|(k, _, _)| k == key)?;
        let entry = self.kept.remove(at)?;
        let rows = entry.1.clone();
        self.kept.push_back(entry);
        Some(rows)
    }

    fn put(&mut self, key: String, rows: Arc<Vec<String>>) {
        let bytes = rows.iter().map(|r| r.len()).sum::<usize>() + key.len();
        if bytes > RESULTS_BYTES {
            return;
        }
        // Two calls that both missed (GetLogs runs on the blocking pool) keep one entry.
        if let Some(i) = self.kept.iter().position(|(k, ..)| *k == key) {
            if let Some((_, _, b)) = self.kept.remove(i) {
                self.bytes -= b;
            }
        }
        self.bytes += bytes;
        self.kept.push_back((key, rows, bytes));
        while self.kept.len() > RESULTS_KEPT || self.bytes > RESULTS_BYTES {
            match self.kept.pop_front() {
                Some((_, _, b)) => self.bytes -= b,
                None => break,
            }
        }
    }
}

fn invalid(msg: impl Into<String>) -> SlsError {
    SlsError::parameter_invalid(msg)
}

fn syntax(kind: &str, e: SyntaxError) -> SlsError {
    invalid(format!(
        "{kind} syntax error at position {}: {}",
        e.at + 1,
        e.what
    ))
}

/// The event path a query's field names: `event.eventName` → `eventName`.
fn event_path(f: &str) -> String {
    f.strip_prefix("event.").unwrap_or(f).to_string()
}

/// SLS search: `*`, terms, `field: value`.
pub fn parse_search(s: &str) -> Result<Expr, SyntaxError> {
    let toks = tokenize(s, false)?;
    let mut p = Parser::new(&toks, s.len());
    if p.done() {
        return Ok(Expr::All);
    }
    let atom = |p: &mut Parser| -> Result<Expr, SyntaxError> {
        let at = p.at();
        let word = match p.bump() {
            Some(Tok::Word(w)) if w == "*" => return Ok(Expr::All),
            Some(Tok::Word(w)) | Some(Tok::DQuote(w)) => w.clone(),
            Some(t) => {
                return Err(SyntaxError {
                    at,
                    what: format!("unexpected {t:?}"),
                })
            }
            None => {
                return Err(SyntaxError {
                    at,
                    what: "unexpected end of query".into(),
                })
            }
        };
        if p.sym(":") {
            let at = p.at();
            return match p.bump() {
                Some(Tok::Word(v)) | Some(Tok::DQuote(v)) => Ok(Expr::Cmp {
                    field: word,
                    op: Op::Match,
                    value: v.clone(),
                }),
                _ => Err(SyntaxError {
                    at,
                    what: "expected a value after ':'".into(),
                }),
            };
        }
        Ok(Expr::Term(word))
    };
    let e = p.expr(&atom, true, &[])?;
    if !p.done() {
        return Err(SyntaxError {
            at: p.at(),
            what: "unexpected token".into(),
        });
    }
    Ok(e)
}

/// One item of a SELECT list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Star,
    Count { name: String },
    Field { field: String, name: String },
}

/// The SQL subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Select {
    items: Vec<Item>,
    filter: Expr,
    group: Vec<String>,
    order: Option<(String, bool)>,
    limit: Option<(u64, u64)>,
}

fn field_name(p: &mut Parser) -> Option<String> {
    match p.peek() {
        Some(Tok::Word(w)) if w != "*" => {
            p.bump();
            Some(w.clone())
        }
        Some(Tok::DQuote(w)) => {
            p.bump();
            Some(w.clone())
        }
        _ => None,
    }
}

fn number(p: &mut Parser) -> Result<u64, SyntaxError> {
    let at = p.at();
    match p.bump() {
        Some(Tok::Word(w)) => w.parse().map_err(|_| SyntaxError {
            at,
            what: format!("expected a number, found '{w}'"),
        }),
        _ => Err(SyntaxError {
            at,
            what: "expected a number".into(),
        }),
    }
}

pub fn parse_sql(s: &str) -> Result<Select, SyntaxError> {
    let toks = tokenize(s, false)?;
    let mut p = Parser::new(&toks, s.len());
    let fail = |p: &Parser, what: &str| SyntaxError {
        at: p.at(),
        what: what.into(),
    };
    if !p.keyword("select") {
        return Err(fail(&p, "mismatched input, expecting SELECT"));
    }
    let mut items = Vec::new();
    loop {
        let item = if p.keyword("count") {
            if !(p.sym("(") && p.keyword("*") && p.sym(")")) {
                return Err(fail(&p, "only count(*) is supported"));
            }
            Item::Count {
                name: "count(*)".into(),
            }
        } else if matches!(p.peek(), Some(Tok::Word(w)) if w == "*") {
            p.bump();
            Item::Star
        } else {
            match field_name(&mut p) {
                Some(f) => Item::Field {
                    name: f.clone(),
                    field: f,
                },
                None => return Err(fail(&p, "expected a column")),
            }
        };
        let item = if p.keyword("as") {
            let Some(alias) = field_name(&mut p) else {
                return Err(fail(&p, "expected an alias after AS"));
            };
            match item {
                Item::Count { .. } => Item::Count { name: alias },
                Item::Field { field, .. } => Item::Field { field, name: alias },
                Item::Star => return Err(fail(&p, "* cannot have an alias")),
            }
        } else {
            item
        };
        items.push(item);
        if !p.sym(",") {
            break;
        }
    }
    if p.keyword("from") && !p.keyword("log") {
        return Err(fail(&p, "the demo's table is 'log'"));
    }
    let where_atom = |p: &mut Parser| -> Result<Expr, SyntaxError> {
        let at = p.at();
        let Some(field) = field_name(p) else {
            return Err(SyntaxError {
                at,
                what: "expected a column".into(),
            });
        };
        let op = p.comparison("LIKE")?;
        let at = p.at();
        let value = match p.bump() {
            Some(Tok::SQuote(v)) | Some(Tok::Word(v)) => v.clone(),
            _ => {
                return Err(SyntaxError {
                    at,
                    what: "expected a 'string' or a number".into(),
                })
            }
        };
        let op = match op {
            Op::Like(_) => Op::Like(value.clone()),
            op => op,
        };
        Ok(Expr::Cmp { field, op, value })
    };
    let filter = if p.keyword("where") {
        p.expr(&where_atom, false, &["group", "order", "limit"])?
    } else {
        Expr::All
    };
    let mut group = Vec::new();
    if p.keyword("group") {
        if !p.keyword("by") {
            return Err(fail(&p, "expected BY"));
        }
        loop {
            match field_name(&mut p) {
                Some(f) => group.push(f),
                None => return Err(fail(&p, "expected a column")),
            }
            if !p.sym(",") {
                break;
            }
        }
    }
    let mut order = None;
    if p.keyword("order") {
        if !p.keyword("by") {
            return Err(fail(&p, "expected BY"));
        }
        let col = if p.keyword("count") {
            if !(p.sym("(") && p.keyword("*") && p.sym(")")) {
                return Err(fail(&p, "only count(*) is supported"));
            }
            "count(*)".to_string()
        } else {
            field_name(&mut p).ok_or_else(|| fail(&p, "expected a column"))?
        };
        let desc = if p.keyword("desc") {
            true
        } else {
            p.keyword("asc");
            false
        };
        order = Some((col, desc));
    }
    let mut limit = None;
    if p.keyword("limit") {
        let a = number(&mut p)?;
        limit = Some(if p.sym(",") {
            (a, number(&mut p)?)
        } else {
            (0, a)
        });
    }
    p.sym(";");
    if !p.done() {
        return Err(fail(&p, "extraneous input"));
    }
    // Every selected field of an aggregation is grouped.
    let aggregate = !group.is_empty() || items.iter().any(|i| matches!(i, Item::Count { .. }));
    for i in &items {
        match i {
            Item::Field { field, .. } if aggregate && !group.contains(field) => {
                return Err(SyntaxError {
                    at: 0,
                    what: format!(
                        "'{field}' must be an aggregate expression or appear in GROUP BY clause"
                    ),
                })
            }
            Item::Star if aggregate => {
                return Err(SyntaxError {
                    at: 0,
                    what: "'*' cannot be selected with an aggregation".into(),
                })
            }
            _ => {}
        }
    }
    Ok(Select {
        items,
        filter,
        group,
        order,
        limit,
    })
}

impl Select {
    fn aggregate(&self) -> bool {
        !self.group.is_empty() || self.items.iter().any(|i| matches!(i, Item::Count { .. }))
    }
}

/// A JSON object written in column order (SLS keeps the SELECT's order).
fn object(cells: &[(&str, &str)]) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in cells.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&serde_json::to_string(k).expect("string"));
        s.push(':');
        s.push_str(&serde_json::to_string(v).expect("string"));
    }
    s.push('}');
    s
}

impl DemoSls {
    /// ListLogStores of `project`.
    pub fn list_log_stores(&self, project: &str) -> Result<String, SlsError> {
        check_project(project)?;
        Ok(serde_json::json!({"count": 1, "total": 1, "logstores": [LOGSTORE]}).to_string())
    }

    /// GetLogs of `project`/`logstore` with the request's query parameters.
    pub fn get_logs(
        &self,
        store: &DemoEvents,
        now_ms: i64,
        project: &str,
        logstore: &str,
        params: &[(String, String)],
    ) -> Result<SlsAnswer, SlsError> {
        check_project(project)?;
        if logstore != LOGSTORE {
            return Err(SlsError::new(
                404,
                "LogStoreNotExist",
                format!("logstore {logstore} does not exist"),
            ));
        }
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        if get("type").is_some_and(|t| t != "log") {
            return Err(invalid("type must be log"));
        }
        let int = |k: &str, default: Option<i64>| -> Result<i64, SlsError> {
            match get(k) {
                None | Some("") => default.ok_or_else(|| invalid(format!("{k} is required"))),
                Some(v) => v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n: &i64| *n >= 0)
                    .ok_or_else(|| invalid(format!("{k} is invalid: {v}"))),
            }
        };
        let (from, to) = (int("from", None)?, int("to", None)?);
        if from > to {
            return Err(invalid("from must not be larger than to"));
        }
        let line = int("line", Some(SEARCH_PAGE as i64))?.min(SEARCH_PAGE as i64) as usize;
        let offset = int("offset", Some(0))? as usize;
        let newest_first = match get("reverse") {
            None | Some("false") => false,
            Some("true") => true,
            Some(v) => return Err(invalid(format!("reverse is invalid: {v}"))),
        };
        let query = get("query").unwrap_or("");
        let (search, sql) = split_query(query);
        let filter = parse_search(&search).map_err(|e| syntax("search", e))?;
        let sql = match sql {
            Some(s) => Some(parse_sql(&s).map_err(|e| syntax("sql", e))?),
            None => None,
        };
        let view = store.view(now_ms);
        let range = view.range(from.saturating_mul(1000), to.saturating_mul(1000));
        let key = format!("{from}\n{to}\n{search}\n{}", range.end);
        let matched = {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            match last.as_ref() {
                Some((k, m)) if *k == key => m.clone(),
                _ => {
                    self.scans.fetch_add(1, Ordering::Relaxed);
                    let m: Arc<Vec<usize>> = range
                        .filter(|&i| {
                            if filter == Expr::All {
                                return true;
                            }
                            let raw = &view.get(i).raw;
                            let v: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
                            filter.matches(&v, raw, &event_path)
                        })
                        .collect::<Vec<_>>()
                        .into();
                    *last = Some((key.clone(), m.clone()));
                    m
                }
            }
        };
        let row = |i: usize| {
            let e = view.get(i);
            let time = (e.time_ms.div_euclid(1000)).to_string();
            object(&[
                ("__time__", &time),
                ("__source__", ""),
                ("__topic__", "actiontrail_audit_event"),
                ("event", &e.raw),
            ])
        };
        let Some(sql) = sql else {
            let ordered: Box<dyn Iterator<Item = &usize>> = if newest_first {
                Box::new(matched.iter().rev())
            } else {
                Box::new(matched.iter())
            };
            let rows: Vec<String> = ordered.skip(offset).take(line).map(|&i| row(i)).collect();
            return Ok(SlsAnswer {
                count: rows.len(),
                body: format!("[{}]", rows.join(",")),
                progress: Progress::Complete,
            });
        };
        let (skip, take) = match sql.limit {
            None => (0, SQL_DEFAULT_ROWS as u64),
            Some((0, x)) if x <= SQL_MAX_ROWS => (0, x),
            Some((y, x)) if x <= SQL_PAGE && y + x <= SQL_MAX_ROWS => (y, x),
            Some((y, x)) => {
                return Err(invalid(format!(
                    "LIMIT {y},{x} is out of range: the count must be 0..10000 and offset + count at most 1000000"
                )))
            }
        };
        // The pages of one result after the first are slices of the result kept.
        let result_key = format!(
            "{key}\n{:?}",
            Select {
                limit: None,
                ..sql.clone()
            }
        );
        let kept = self
            .results
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&result_key);
        let all = match kept {
            Some(rows) => rows,
            None => {
                let rows = Arc::new(self.sql_rows(&sql, &matched, &view)?);
                self.results
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .put(result_key, rows.clone());
                rows
            }
        };
        let skip = (skip as usize).min(all.len());
        let out = &all[skip..(skip + take as usize).min(all.len())];
        let progress = if sql.aggregate()
            && self
                .seen
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(format!("{key}\n{query}"))
        {
            Progress::Incomplete
        } else {
            Progress::Complete
        };
        Ok(SlsAnswer {
            count: out.len(),
            body: format!("[{}]", out.join(",")),
            progress,
        })
    }

    /// An SQL's whole result over the search's `matched` events, in its order, each row a JSON
    /// object: one pass over the events.
    fn sql_rows(
        &self,
        sql: &Select,
        matched: &[usize],
        view: &View,
    ) -> Result<Vec<String>, SlsError> {
        self.scans.fetch_add(1, Ordering::Relaxed);
        let events: Vec<(usize, Value)> = matched
            .iter()
            .map(|&i| {
                (
                    i,
                    serde_json::from_str(&view.get(i).raw).unwrap_or(Value::Null),
                )
            })
            .filter(|(i, v)| sql.filter.matches(v, &view.get(*i).raw, &event_path))
            .collect();
        let text = |v: &Value, f: &str| {
            super::query::field_text(v, &event_path(f)).unwrap_or_else(|| "null".into())
        };
        // Rows as (columns, cells) before ORDER BY and LIMIT.
        let mut rows: Vec<Vec<(String, String)>> = Vec::new();
        if sql.aggregate() {
            let mut groups: Vec<(Vec<String>, usize)> = Vec::new();
            let mut index = std::collections::HashMap::new();
            for (_, v) in &events {
                let k: Vec<String> = sql.group.iter().map(|g| text(v, g)).collect();
                let at = *index.entry(k.clone()).or_insert_with(|| {
                    groups.push((k, 0));
                    groups.len() - 1
                });
                groups[at].1 += 1;
            }
            if groups.is_empty() && sql.group.is_empty() {
                groups.push((Vec::new(), 0));
            }
            for (k, n) in groups {
                rows.push(
                    sql.items
                        .iter()
                        .map(|i| match i {
                            Item::Count { name } => (name.clone(), n.to_string()),
                            Item::Field { field, name } => {
                                let g = sql.group.iter().position(|x| x == field).unwrap_or(0);
                                (name.clone(), k[g].clone())
                            }
                            Item::Star => unreachable!("checked by parse_sql"),
                        })
                        .collect(),
                );
            }
        } else {
            for (i, v) in &events {
                let mut cells = Vec::new();
                for item in &sql.items {
                    match item {
                        Item::Star => {
                            let e = view.get(*i);
                            cells.push(("__time__".into(), e.time_ms.div_euclid(1000).to_string()));
                            cells.push(("__source__".into(), String::new()));
                            cells.push(("__topic__".into(), "actiontrail_audit_event".into()));
                            cells.push(("event".into(), e.raw.to_string()));
                        }
                        Item::Field { field, name } => cells.push((name.clone(), text(v, field))),
                        Item::Count { .. } => unreachable!("an aggregation"),
                    }
                }
                rows.push(cells);
            }
        }
        if let Some((col, desc)) = &sql.order {
            let pos = |r: &Vec<(String, String)>| r.iter().position(|(k, _)| k == col);
            if rows.first().is_some_and(|r| pos(r).is_none()) {
                return Err(invalid(format!(
                    "sql syntax error: column '{col}' cannot be resolved"
                )));
            }
            rows.sort_by(|a, b| {
                let (x, y) = (&a[pos(a).unwrap_or(0)].1, &b[pos(b).unwrap_or(0)].1);
                let o = trailview_core::engines::editor::compare_cells(x, y);
                if *desc {
                    o.reverse()
                } else {
                    o
                }
            });
        }
        Ok(rows
            .iter()
            .map(|r| {
                let cells: Vec<(&str, &str)> =
                    r.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                object(&cells)
            })
            .collect())
    }

    /// How many passes over the events the demo has made (a search's or an SQL's).
    pub fn scans(&self) -> usize {
        self.scans.load(Ordering::Relaxed)
    }
}

fn check_project(project: &str) -> Result<(), SlsError> {
    if project == PROJECT {
        Ok(())
    } else {
        Err(SlsError::new(
            404,
            "ProjectNotExist",
            format!("The Project does not exist : {project}"),
        ))
    }
}
