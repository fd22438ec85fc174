//! What the app's cloud query editors decide: which engine, the examples for the audit
//! questions users ask, the history of recent queries (kept in the browser as versioned JSON,
//! bounded, read back tolerantly), and a result table's view (sort, column filters, CSV)
//! through the tables' shared [`crate::table_query`] and the exports' [`crate::export`] CSV.

use super::ResultTable;
use crate::table_query::{self, SortOrder};
use serde_json::{json, Value};
use std::cmp::Ordering;

/// The engine an editor speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// Alibaba Cloud Simple Log Service: search syntax, optionally `| SQL`.
    Sls,
    /// CloudWatch Logs Insights.
    Insights,
}

impl Engine {
    /// The localStorage key (under the app's prefix) of its history.
    pub fn history_key(self) -> &'static str {
        match self {
            Engine::Sls => "query-history-sls",
            Engine::Insights => "query-history-insights",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Engine::Sls => "SLS",
            Engine::Insights => "CloudWatch Logs Insights",
        }
    }
}

/// An example query for an audit question: its label and the query it fills the box with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    pub label: &'static str,
    pub query: &'static str,
}

const SLS_EXAMPLES: &[Example] = &[
    Example {
        label: "Who deleted what",
        query: "event.eventName: Delete*",
    },
    Example {
        label: "Deletions by user (SQL)",
        query: r#"event.eventName: Delete* | select "event.userIdentity.userName" as user, "event.eventName" as action, count(*) as n group by "event.userIdentity.userName", "event.eventName" order by n desc limit 100"#,
    },
    Example {
        label: "Failed console sign-ins",
        query: r#"event.eventName: ConsoleSignin | select "event.userIdentity.userName" as user, "event.sourceIpAddress" as ip, "event.errorCode" as error, count(*) as n where "event.errorCode" != '' group by "event.userIdentity.userName", "event.sourceIpAddress", "event.errorCode" order by n desc limit 100"#,
    },
    Example {
        label: "Actions by a user",
        query: "event.userIdentity.userName: alice",
    },
    Example {
        label: "Actions from a source IP",
        query: "event.sourceIpAddress: 100.104.*",
    },
    Example {
        label: "Top actions (SQL)",
        query: r#"* | select "event.eventName" as action, count(*) as n group by "event.eventName" order by n desc limit 20"#,
    },
];

const INSIGHTS_EXAMPLES: &[Example] = &[
    Example {
        label: "Who deleted what",
        query: "fields @timestamp, eventName, userIdentity.arn, @message\n| filter eventName like /Delete/\n| sort @timestamp desc\n| limit 1000",
    },
    Example {
        label: "Failed console sign-ins",
        query: "fields @timestamp, userIdentity.userName, sourceIPAddress, @message\n| filter eventName = \"ConsoleLogin\" and responseElements.ConsoleLogin = \"Failure\"\n| sort @timestamp desc\n| limit 1000",
    },
    Example {
        label: "Actions by a user",
        query: "fields @timestamp, eventName, eventSource, @message\n| filter userIdentity.userName = \"alice\"\n| sort @timestamp desc\n| limit 1000",
    },
    Example {
        label: "Actions from a source IP",
        query: "fields @timestamp, eventName, userIdentity.arn, @message\n| filter sourceIPAddress like \"100.104.\"\n| sort @timestamp desc\n| limit 1000",
    },
    Example {
        label: "Failed calls (table)",
        query: "fields @timestamp, eventName, errorCode, sourceIPAddress\n| filter errorCode != \"\"\n| sort @timestamp desc\n| limit 200",
    },
];

/// The examples an engine's editor offers.
pub fn examples(engine: Engine) -> &'static [Example] {
    match engine {
        Engine::Sls => SLS_EXAMPLES,
        Engine::Insights => INSIGHTS_EXAMPLES,
    }
}

/// The history's format version this app writes and reads.
pub const HISTORY_VERSION: u64 = 1;
/// Recent queries kept per engine.
pub const MAX_HISTORY: usize = 20;
/// A longer query is not kept (it is run, but the history stays small).
pub const MAX_KEPT_CHARS: usize = 4_000;

/// One remembered query: the text and where it ran (`project/logstore`, or the log groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recent {
    pub query: String,
    pub target: String,
}

/// Recent queries, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<Recent>,
    /// Written by a newer app (a higher version): shown, never written over.
    newer: bool,
}

impl History {
    /// The kept text read back: what it can of it. Unreadable text or entries are skipped; a
    /// newer version's list is kept as read-only when it is readable at all.
    pub fn read(text: Option<&str>) -> History {
        let Some(v) = text.and_then(|t| serde_json::from_str::<Value>(t).ok()) else {
            return History::default();
        };
        let version = v.get("version").and_then(Value::as_u64).unwrap_or(0);
        if version == 0 {
            return History::default();
        }
        let entries = v
            .get("entries")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|e| {
                        let query = e.get("query")?.as_str()?.trim();
                        (!query.is_empty() && query.len() <= MAX_KEPT_CHARS).then(|| Recent {
                            query: query.to_string(),
                            target: e
                                .get("target")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string(),
                        })
                    })
                    .take(MAX_HISTORY)
                    .collect()
            })
            .unwrap_or_default();
        History {
            entries,
            newer: version > HISTORY_VERSION,
        }
    }

    pub fn entries(&self) -> &[Recent] {
        &self.entries
    }

    /// Whether the kept list came from a newer app (then [`History::remember`] keeps nothing).
    pub fn is_newer(&self) -> bool {
        self.newer
    }

    /// A query was run: it moves (or goes) to the front, once, and the list stays bounded.
    /// `false` when nothing changed that should be written (a newer app's list, an empty or
    /// overlong query).
    pub fn remember(&mut self, query: &str, target: &str) -> bool {
        let query = query.trim();
        if self.newer || query.is_empty() || query.len() > MAX_KEPT_CHARS {
            return false;
        }
        self.entries
            .retain(|e| e.query != query || e.target != target);
        self.entries.insert(
            0,
            Recent {
                query: query.to_string(),
                target: target.to_string(),
            },
        );
        self.entries.truncate(MAX_HISTORY);
        true
    }

    /// The text to keep.
    pub fn text(&self) -> String {
        json!({
            "version": HISTORY_VERSION,
            "entries": self.entries.iter().map(|e| json!({"query": e.query, "target": e.target})).collect::<Vec<_>>(),
        })
        .to_string()
    }
}

/// What a result table shows: its column filters (substring, case-insensitive) and sort,
/// edited through [`crate::table_query`] like the other tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableView {
    pub sort: Option<(usize, SortOrder)>,
    pub filters: Vec<(usize, String)>,
}

impl TableView {
    /// A header click.
    pub fn toggle_sort(&mut self, column: usize) {
        self.sort = table_query::cycle_sort(self.sort, column);
    }

    pub fn set_filter(&mut self, column: usize, text: String) {
        table_query::set_column_filter(&mut self.filters, column, text);
    }

    /// The rows shown, in order: those every filter matches, sorted (numbers as numbers).
    pub fn rows(&self, t: &ResultTable) -> Vec<usize> {
        let filters: Vec<(usize, String)> = self
            .filters
            .iter()
            .map(|(c, f)| (*c, f.to_lowercase()))
            .collect();
        let mut order: Vec<usize> = (0..t.rows.len())
            .filter(|&r| {
                filters.iter().all(|(c, f)| {
                    t.rows[r]
                        .get(*c)
                        .is_some_and(|cell| cell.to_lowercase().contains(f.as_str()))
                })
            })
            .collect();
        if let Some((c, dir)) = self.sort {
            let cell = |r: usize| t.rows[r].get(c).map_or("", String::as_str);
            table_query::sort_indices(&mut order, &mut |a, b| {
                let o = compare_cells(cell(a), cell(b));
                match dir {
                    SortOrder::Ascending => o,
                    SortOrder::Descending => o.reverse(),
                }
            });
        }
        order
    }
}

/// Two result cells in a total order (a sort over any strings never sees a cycle): finite
/// numbers first, by value, then everything else (`NaN`, `inf`, words) as text; equal numbers
/// ("1", "1.0") by their text. Comparing numbers as numbers only when both are would not be
/// transitive ("9" < "10" < "1a" < "9").
pub fn compare_cells(a: &str, b: &str) -> Ordering {
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// `rows` of `t` as CSV (a header line, then the rows), each field through the exports'
/// formula guard and quoting.
pub fn table_csv(t: &ResultTable, rows: &[usize]) -> String {
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        for (i, c) in cells.enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::export::push_csv_field(out, c);
        }
        out.push_str("\r\n");
    };
    line(&mut out, &mut t.columns.iter().map(String::as_str));
    for &r in rows {
        if let Some(row) = t.rows.get(r) {
            line(&mut out, &mut row.iter().map(String::as_str));
        }
    }
    out
}

/// The SLS run's progress line: rows so far, pages, an `Incomplete` page being asked again,
/// and how it ended.
pub fn sls_progress(run: &super::sls::SlsRun) -> String {
    use crate::numbers::thousands;
    use crate::paging::RunEnd;
    let rows = format!(
        "{} rows in {} {}",
        thousands(run.rows() as usize),
        run.pages(),
        if run.pages() == 1 { "page" } else { "pages" }
    );
    match run.stopped() {
        None if run.incomplete() > 0 => format!(
            "Running: {rows}; SLS says Incomplete, asking again ({} of {})",
            run.incomplete(),
            super::sls::MAX_INCOMPLETE
        ),
        None => format!("Running: {rows} so far"),
        Some(RunEnd::Capped) if run.gave_up_incomplete() => format!(
            "Stopped: {rows}; SLS still said Incomplete after {} asks, so the last page may lack rows",
            super::sls::MAX_INCOMPLETE
        ),
        Some(end) => format!("{}: {rows}", end_word(end)),
    }
}

fn end_word(end: crate::paging::RunEnd) -> &'static str {
    use crate::paging::RunEnd;
    match end {
        RunEnd::Complete => "Complete",
        RunEnd::Capped => "Stopped at the cap",
        RunEnd::Cancelled => "Cancelled",
        RunEnd::Failed => "Failed",
    }
}

/// The Insights run's status and statistics: "Running · 1,234 records matched · 56,789
/// scanned · 12.3 MB scanned".
pub fn insights_progress(run: &super::insights::InsightsRun) -> String {
    let status = match (run.stopped(), run.status()) {
        (Some(crate::paging::RunEnd::Cancelled), _) => "Cancelled",
        (_, Some(s)) => s.as_str(),
        (None, None) if run.query_id().is_some() => "Started",
        (None, None) => "Starting",
        (Some(end), None) => end_word(end),
    };
    let mut out = status.to_string();
    if let Some(s) = run.statistics() {
        out.push_str(" · ");
        out.push_str(&statistics_text(&s));
    }
    out
}

/// "1,234 records matched · 56,789 scanned · 12.3 MB scanned".
fn statistics_text(s: &crate::wire::QueryStatistics) -> String {
    use crate::numbers::{fixed, thousands};
    format!(
        "{} records matched · {} scanned · {} MB scanned",
        thousands(s.records_matched as usize),
        thousands(s.records_scanned as usize),
        fixed(s.bytes_scanned / 1_000_000.0, 1)
    )
}

/// An Insights range run as time slices (`plan`, whose running slice is `run`): the running
/// slice's progress and what the slices before it matched and scanned, then, once every slice
/// completed, the slices' totals (what the account is billed for, not the last slice's).
pub fn slices_progress(
    plan: &super::insights::SlicePlan,
    run: &super::insights::InsightsRun,
) -> String {
    let n = plan.len();
    match plan.running() {
        Some(i) => {
            let mut out = format!("Slice {i} of {n}: {}", insights_progress(run));
            if plan.completed() > 0 {
                out.push_str(&format!(
                    ". Slices before it: {}",
                    statistics_text(&plan.totals())
                ));
            }
            out
        }
        None => format!(
            "{} · {} slice{} · {}",
            if plan.completed() == n {
                "Complete"
            } else {
                "Stopped"
            },
            plan.completed(),
            if plan.completed() == 1 { "" } else { "s" },
            statistics_text(&plan.totals())
        ),
    }
}

/// Whether `e` is CloudWatch Logs' "too many concurrent queries": shown plainly, run again
/// only when the user asks.
pub fn is_limit_exceeded(e: &crate::dialect::ApiError) -> bool {
    matches!(e, crate::dialect::ApiError::Service(s) if s.code == "LimitExceededException")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_sort_in_a_total_order_whatever_the_text() {
        let cells = [
            "10", "9", "1a", "nan", "NaN", "inf", "-1", "1.0", "1", "", "b", "2e3",
        ];
        // Transitive and antisymmetric over every triple (a cycle is what makes sort panic).
        for a in cells {
            for b in cells {
                assert_eq!(
                    compare_cells(a, b),
                    compare_cells(b, a).reverse(),
                    "{a} {b}"
                );
                for c in cells {
                    if compare_cells(a, b).is_le() && compare_cells(b, c).is_le() {
                        assert!(compare_cells(a, c).is_le(), "{a} <= {b} <= {c}");
                    }
                }
            }
        }
        let mut many: Vec<&str> = cells
            .iter()
            .copied()
            .cycle()
            .take(40 * cells.len())
            .collect();
        many.sort_by(|a, b| compare_cells(a, b));
        let mut once: Vec<&str> = cells.to_vec();
        once.sort_by(|a, b| compare_cells(a, b));
        once.dedup();
        many.dedup();
        assert_eq!(many, once);
        assert_eq!(
            once,
            ["-1", "1", "1.0", "9", "10", "2e3", "", "1a", "NaN", "b", "inf", "nan"]
        );
    }

    #[test]
    fn history_keeps_newest_first_once_and_bounded() {
        let mut h = History::read(None);
        assert!(h.entries().is_empty());
        for i in 0..30 {
            assert!(h.remember(&format!("q{i}"), "p/l"));
        }
        assert_eq!(h.entries().len(), MAX_HISTORY);
        assert_eq!(h.entries()[0].query, "q29");
        assert!(h.remember("  q25 ", "p/l"));
        assert_eq!(h.entries()[0].query, "q25");
        assert_eq!(h.entries().iter().filter(|e| e.query == "q25").count(), 1);
        // The same text on another target is another entry.
        assert!(h.remember("q25", "p/other"));
        assert_eq!(h.entries()[1].query, "q25");
        assert!(!h.remember("   ", "p/l"));
        assert!(!h.remember(&"x".repeat(MAX_KEPT_CHARS + 1), "p/l"));
        let back = History::read(Some(&h.text()));
        assert_eq!(back, h);
    }

    #[test]
    fn history_reads_damaged_text_tolerantly() {
        for bad in [
            "",
            "not json",
            "[]",
            "{\"entries\":[]}",
            "{\"version\":\"1\"}",
        ] {
            assert_eq!(History::read(Some(bad)), History::default(), "{bad}");
        }
        let h = History::read(Some(
            r#"{"version":1,"entries":[{"query":"a","target":"t"},{"query":5},{"nope":1},{"query":"  "},{"query":"b"}]}"#,
        ));
        let qs: Vec<_> = h.entries().iter().map(|e| e.query.as_str()).collect();
        assert_eq!(qs, ["a", "b"]);
        assert_eq!(h.entries()[1].target, "");
        let many: Vec<_> = (0..100)
            .map(|i| json!({"query": format!("q{i}")}))
            .collect();
        let h = History::read(Some(&json!({"version":1,"entries":many}).to_string()));
        assert_eq!(h.entries().len(), MAX_HISTORY);
    }

    #[test]
    fn a_newer_apps_history_is_shown_but_never_written_over() {
        let mut h = History::read(Some(
            r#"{"version":2,"entries":[{"query":"a","target":"t","more":{}}]}"#,
        ));
        assert!(h.is_newer());
        assert_eq!(h.entries().len(), 1);
        assert!(!h.remember("b", "t"));
        assert_eq!(h.entries().len(), 1);
    }

    #[test]
    fn every_engine_has_the_audit_questions() {
        for e in [Engine::Sls, Engine::Insights] {
            let labels: Vec<_> = examples(e).iter().map(|x| x.label).collect();
            for q in [
                "Who deleted what",
                "Failed console sign-ins",
                "Actions by a user",
                "Actions from a source IP",
            ] {
                assert!(labels.contains(&q), "{e:?} {q}");
            }
        }
        assert_ne!(Engine::Sls.history_key(), Engine::Insights.history_key());
    }

    fn table() -> ResultTable {
        let mut t = ResultTable::default();
        t.push([("name", "DeleteBucket"), ("n", "9")]);
        t.push([("name", "=cmd()"), ("n", "10")]);
        t.push([("name", "deleteUser"), ("n", "2")]);
        t
    }

    #[test]
    fn a_table_view_sorts_numbers_as_numbers_and_filters_columns() {
        let t = table();
        let mut v = TableView::default();
        assert_eq!(v.rows(&t), [0, 1, 2]);
        v.toggle_sort(1);
        assert_eq!(v.rows(&t), [2, 0, 1]);
        v.toggle_sort(1);
        assert_eq!(v.rows(&t), [1, 0, 2]);
        v.toggle_sort(1);
        assert_eq!(v.sort, None);
        v.set_filter(0, "DELETE".into());
        assert_eq!(v.rows(&t), [0, 2]);
        v.set_filter(1, "2".into());
        assert_eq!(v.rows(&t), [2]);
        v.set_filter(0, String::new());
        v.set_filter(1, String::new());
        assert_eq!(v.rows(&t).len(), 3);
    }

    #[test]
    fn progress_lines_say_what_the_runs_do() {
        use crate::engines::insights::{InsightsRun, QuerySpec};
        use crate::engines::sls::{GetLogsSpec, Order, SlsRun};
        let run = SlsRun::new(
            GetLogsSpec {
                project: "proj".into(),
                logstore: "logs".into(),
                from: 0,
                to: 10,
                query: "*".into(),
                order: Order::NewestFirst,
            },
            1000,
        )
        .unwrap();
        assert_eq!(sls_progress(&run), "Running: 0 rows in 0 pages so far");
        let mut run = InsightsRun::new(&QuerySpec {
            log_groups: vec!["g".into()],
            start: 0,
            end: 10,
            query: "fields @message".into(),
            limit: 10,
        })
        .unwrap();
        assert_eq!(insights_progress(&run), "Starting");
        run.cancel();
        assert_eq!(insights_progress(&run), "Cancelled");
        let limit = crate::dialect::read_response::<serde_json::Value>(
            crate::dialect::Dialect::AwsJson,
            400,
            None,
            r#"{"__type":"com.amazonaws.logs#LimitExceededException","message":"too many"}"#,
        )
        .unwrap_err();
        assert!(is_limit_exceeded(&limit));
    }

    #[test]
    fn slices_show_their_totals_not_the_last_slice() {
        use super::super::insights::{InsightsRun, QuerySpec, SlicePlan};
        use crate::wire::{GetQueryResultsResponse, QueryStatistics, StartQueryResponse};
        let spec = QuerySpec {
            log_groups: vec!["g".into()],
            start: 0,
            end: 99,
            query: "fields @message".into(),
            limit: 10,
        };
        // 20 matched, 8 a slice (a fifth to spare): 3 slices.
        let mut plan = SlicePlan::new(spec, 20);
        assert_eq!(plan.len(), 3);
        let answer = |status: &str, matched: f64| GetQueryResultsResponse {
            results: Vec::new(),
            statistics: Some(QueryStatistics {
                records_matched: matched,
                records_scanned: 1_000.0,
                bytes_scanned: 1_250_000.0,
            }),
            status: Some(status.into()),
        };
        for i in 1..=3 {
            let q = plan.next_query().unwrap();
            let mut run = InsightsRun::new(&q).unwrap();
            run.accept_start(&StartQueryResponse {
                query_id: Some(format!("q{i}")),
            });
            run.accept_results(answer("Running", 6.0));
            let shown = slices_progress(&plan, &run);
            if i == 1 {
                assert_eq!(
                    shown,
                    "Slice 1 of 3: Running · 6 records matched · 1,000 scanned · 1.3 MB scanned"
                );
            }
            if i == 2 {
                // Cancelled mid-slice (the plan is kept): the slices before it still count.
                let mut cancelled = run.clone();
                cancelled.cancel();
                cancelled.accept_stop(&crate::wire::StopQueryResponse::default());
                assert_eq!(
                    slices_progress(&plan, &cancelled),
                    "Slice 2 of 3: Cancelled · 6 records matched · 1,000 scanned · 1.3 MB scanned. \
                     Slices before it: 7 records matched · 1,000 scanned · 1.3 MB scanned"
                );
            }
            if i == 3 {
                assert_eq!(
                    shown,
                    "Slice 3 of 3: Running · 6 records matched · 1,000 scanned · 1.3 MB scanned. \
                     Slices before it: 14 records matched · 2,000 scanned · 2.5 MB scanned"
                );
            }
            run.accept_results(answer("Complete", 7.0));
            plan.finished(run.statistics());
            if i == 1 {
                // Between a slice's end and the next slice's start.
                assert_eq!(
                    slices_progress(&plan, &run),
                    "Stopped · 1 slice · 7 records matched · 1,000 scanned · 1.3 MB scanned"
                );
            }
        }
        assert!(plan.next_query().is_none());
        let run = InsightsRun::new(&QuerySpec {
            log_groups: vec!["g".into()],
            start: 67,
            end: 99,
            query: "fields @message".into(),
            limit: 10,
        })
        .unwrap();
        assert_eq!(
            slices_progress(&plan, &run),
            "Complete · 3 slices · 21 records matched · 3,000 scanned · 3.8 MB scanned"
        );
    }

    #[test]
    fn a_tables_csv_is_guarded_and_quoted() {
        let t = table();
        let csv = table_csv(&t, &[1, 0]);
        assert_eq!(csv, "name,n\r\n'=cmd(),10\r\nDeleteBucket,9\r\n");
    }
}
