//! The demo engines driven by core's state machines, as the app's driver runs them.
// Errors are rare and these are tests: ApiError stays unboxed, as in core.
#![allow(clippy::result_large_err)]

use super::insights::{self, LOG_GROUP};
use super::sls::{self, LOGSTORE, PROJECT};
use crate::backend::{Clock, DemoBackend};
use crate::events::DemoEvents;
use crate::generate::DemoConfig;
use std::sync::Arc;
use trailview_core::dialect::{read_response, ApiError, Dialect, ErrorResponse};
use trailview_core::engines::insights::{
    split_results, GetQueryResultsResponse, InsightsCall, InsightsRun, QuerySpec, QueryStatus,
    StartQueryResponse, StopQueryResponse,
};
use trailview_core::engines::sls::{GetLogsPage, GetLogsSpec, Ingest, Order, SlsRun};
use trailview_core::event::EventRecord;
use trailview_core::paging::{RunEnd, Step};

const END_MS: i64 = 1_700_000_000_000;

fn backend() -> DemoBackend {
    let store = DemoEvents::generate(&DemoConfig {
        seed: 9,
        count: 1_500,
        end_ms: END_MS,
        span_days: 1,
    });
    DemoBackend::new(Arc::new(store), 0, Clock::Fixed(END_MS))
}

fn spec(query: &str) -> GetLogsSpec {
    GetLogsSpec {
        project: PROJECT.into(),
        logstore: LOGSTORE.into(),
        from: END_MS / 1000 - 86_400,
        to: END_MS / 1000,
        query: query.into(),
        order: Order::NewestFirst,
    }
}

fn call(
    b: &DemoBackend,
    r: &trailview_core::engines::sls::SlsRequest,
) -> Result<GetLogsPage, ApiError> {
    match b.sls(&r.project, r.logstore.as_deref(), &r.params) {
        Ok(a) => GetLogsPage::read(
            200,
            Some(a.progress.as_str()),
            Some(&a.count.to_string()),
            None,
            &a.body,
        ),
        Err(e) => Err(error(e)),
    }
}

fn error(e: ErrorResponse) -> ApiError {
    let id = e
        .headers
        .iter()
        .find(|(k, _)| {
            k.eq_ignore_ascii_case("x-log-requestid") || k.eq_ignore_ascii_case("x-amzn-RequestId")
        })
        .map(|(_, v)| v.clone());
    GetLogsPage::read(e.http_status, None, None, id.as_deref(), &e.body)
        .err()
        .filter(|_| e.dialect == Dialect::SlsJson)
        .unwrap_or_else(|| {
            read_response::<serde_json::Value>(e.dialect, e.http_status, id.as_deref(), &e.body)
                .unwrap_err()
        })
}

/// Run a GetLogs query to its end: the events and table rows kept, the calls made.
fn run_sls(b: &DemoBackend, query: &str, cap: u64) -> (SlsRun, Vec<String>, usize, usize) {
    let mut run = SlsRun::new(spec(query), cap).unwrap();
    let (mut ids, mut table, mut calls) = (Vec::new(), 0, 0);
    while let Step::Fetch(r) = run.step() {
        calls += 1;
        assert!(calls < 500);
        match call(b, &r) {
            Ok(page) => {
                if run.accept(&page) == Ingest::Rows {
                    for e in &page.rows.events {
                        ids.push(EventRecord::parse(e.get()).unwrap().event_id.unwrap());
                    }
                    table += page.rows.table.rows.len();
                }
            }
            Err(e) => {
                run.on_error(&e, 0);
            }
        }
    }
    (run, ids, table, calls)
}

#[test]
fn sls_search_pages_every_event_of_the_range_once() {
    let b = backend();
    let (run, ids, table, calls) = run_sls(&b, "*", 1_000_000);
    assert_eq!(run.stopped(), Some(RunEnd::Complete));
    assert_eq!(ids.len(), 1_500);
    assert_eq!(table, 0);
    // 15 full pages and the empty one.
    assert_eq!(calls, 16);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 1_500);
}

#[test]
fn sls_search_terms_fields_and_boolean_operators() {
    let b = backend();
    let count = |q: &str| run_sls(&b, q, 1_000_000).1.len();
    let writes = count(r#""event.eventRW": Write"#);
    let reads = count("event.eventRW: Read");
    let not_write = count(r#"NOT "event.eventRW": Write"#);
    assert!(writes > 0 && reads > 0);
    assert_eq!(writes + not_write, 1_500);
    let either = count("event.eventRW: Write OR event.eventRW: Read");
    assert_eq!(either, writes + reads);
    assert_eq!(count("event.eventRW: Write AND event.eventRW: Read"), 0);
    // A space is AND; a trailing * is a prefix.
    let delete = count("event.eventName: Delete*");
    assert!(delete > 0 && delete < 1_500);
    assert!(count("event.eventName: Delete* event.eventRW: Write") <= delete);
    // A full-text term.
    assert!(count("Delete") >= delete);
}

#[test]
fn sls_sql_groups_orders_and_pages_by_limit() {
    let b = backend();
    let (run, ids, table, calls) = run_sls(
        &b,
        r#"* | select "event.eventName" as name, count(*) as n group by "event.eventName" order by n desc"#,
        1_000_000,
    );
    assert_eq!(run.stopped(), Some(RunEnd::Complete));
    assert!(ids.is_empty());
    assert!(table > 3);
    // The first ask of an aggregation is Incomplete, then asked again.
    assert_eq!(calls, 2);
    // select *: events, paged 10,000 at a time by LIMIT (all fit one page).
    let (run, ids, _, calls) = run_sls(&b, "event.eventRW: Write | select * limit 1000", 1_000_000);
    assert_eq!(run.stopped(), Some(RunEnd::Complete));
    assert_eq!(
        ids.len(),
        run_sls(&b, "event.eventRW: Write", 1_000_000)
            .1
            .len()
            .min(1000)
    );
    assert_eq!(calls, 1);
    // WHERE and a result's order.
    let r = b
        .sls(
            PROJECT,
            Some(LOGSTORE),
            &[
                ("from".into(), (END_MS / 1000 - 86_400).to_string()),
                ("to".into(), (END_MS / 1000).to_string()),
                (
                    "query".into(),
                    "* | select eventName, count(*) as n where eventName like 'Delete%' group by eventName order by n desc limit 3".into(),
                ),
            ],
        )
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&r.body).unwrap();
    assert!(!rows.is_empty() && rows.len() <= 3);
    assert!(r.body.starts_with(r#"[{"eventName":"Delete"#), "{}", r.body);
    let n: Vec<i64> = rows
        .iter()
        .map(|r| r["n"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(n.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn sls_errors_in_its_own_shape() {
    let b = backend();
    let range = |q: &str| {
        vec![
            ("from".to_string(), "0".to_string()),
            ("to".to_string(), "10".to_string()),
            ("query".to_string(), q.to_string()),
        ]
    };
    let code = |project: &str, store: &str, params: Vec<(String, String)>| match b.sls(
        project,
        Some(store),
        &params,
    ) {
        Err(e) => {
            assert_eq!(e.dialect, Dialect::SlsJson);
            assert!(e
                .headers
                .iter()
                .any(|(k, v)| *k == "x-log-requestid" && v.len() == 24));
            let body: serde_json::Value = serde_json::from_str(&e.body).unwrap();
            assert!(body["errorMessage"].is_string());
            (
                e.http_status,
                body["errorCode"].as_str().unwrap().to_string(),
            )
        }
        Ok(a) => panic!("answered {}", a.body),
    };
    assert_eq!(
        code("other", LOGSTORE, range("*")),
        (404, "ProjectNotExist".into())
    );
    assert_eq!(
        code(PROJECT, "other", range("*")),
        (404, "LogStoreNotExist".into())
    );
    assert_eq!(
        code(PROJECT, LOGSTORE, vec![]),
        (400, "ParameterInvalid".into())
    );
    for bad in [
        "a:",
        "(a",
        "* | select",
        "* | delete from log",
        "* | select eventName, count(*)",
        "* | select * limit 5,20000",
        "* | select a from other",
        "a # b",
    ] {
        assert_eq!(
            code(PROJECT, LOGSTORE, range(bad)),
            (400, "ParameterInvalid".into()),
            "{bad}"
        );
    }
    // ListLogStores.
    assert!(b.sls(PROJECT, None, &[]).unwrap().body.contains(LOGSTORE));
    assert!(b.sls("nope", None, &[]).is_err());
    // line above 100 reads as 100.
    let mut p = range("*");
    p[1].1 = (END_MS / 1000).to_string();
    p.push(("line".into(), "500".into()));
    assert_eq!(b.sls(PROJECT, Some(LOGSTORE), &p).unwrap().count, 100);
}

fn insights_spec(query: &str) -> QuerySpec {
    QuerySpec {
        log_groups: vec![LOG_GROUP.into()],
        start: END_MS / 1000 - 86_400,
        end: END_MS / 1000,
        query: query.into(),
        limit: 10_000,
    }
}

fn logs(b: &DemoBackend, call: &InsightsCall) -> Result<String, ApiError> {
    let target = format!("Logs_20140328.{}", call.operation().name);
    b.json(
        trailview_core::catalogue::Api::CloudWatchLogs,
        &target,
        call.body().to_string().as_bytes(),
    )
    .map_err(error)
}

/// Step `run` once, the demo's clock moved on by `advance` ms before the call.
fn step(b: &DemoBackend, run: &mut InsightsRun, advance: i64) -> Option<QueryStatus> {
    b.advance(advance);
    let Step::Fetch(c) = run.step() else {
        return None;
    };
    match logs(b, &c) {
        Ok(body) => match c {
            InsightsCall::Start(_) => {
                run.accept_start(&serde_json::from_str::<StartQueryResponse>(&body).unwrap());
                None
            }
            InsightsCall::Poll(_) => Some(
                run.accept_results(serde_json::from_str::<GetQueryResultsResponse>(&body).unwrap()),
            ),
            InsightsCall::Stop(_) => {
                run.accept_stop(&serde_json::from_str::<StopQueryResponse>(&body).unwrap());
                None
            }
        },
        Err(e) => {
            run.on_error(&e, 0);
            None
        }
    }
}

#[test]
fn insights_goes_scheduled_running_complete_with_partial_results() {
    let b = backend();
    let mut run = InsightsRun::new(&insights_spec(
        r#"fields @timestamp, eventName, userIdentity.type, @message | filter readOnly = "false" | sort @timestamp desc | limit 200"#,
    ))
    .unwrap();
    step(&b, &mut run, 0);
    assert!(run.query_id().is_some());
    assert_eq!(step(&b, &mut run, 100), Some(QueryStatus::Scheduled));
    assert!(run.results().results.is_empty());
    assert_eq!(step(&b, &mut run, 1_000), Some(QueryStatus::Running));
    let partial = run.results().results.len();
    assert!(partial > 0 && partial < 200, "{partial}");
    assert_eq!(step(&b, &mut run, 1_000), Some(QueryStatus::Running));
    assert!(run.results().results.len() > partial);
    assert_eq!(step(&b, &mut run, 2_000), Some(QueryStatus::Complete));
    assert_eq!(run.stopped(), Some(RunEnd::Complete));
    let rows = split_results(&run.results().results);
    assert_eq!(rows.events.len(), 200);
    let first = EventRecord::parse(rows.events[0].get()).unwrap();
    assert_eq!(first.read_only.as_deref(), Some("false"));
    assert!(first.event_id.is_some());
    let stats = run.statistics().unwrap();
    assert!(stats.records_matched >= 200.0 && stats.records_scanned >= stats.records_matched);
    assert!(run.truncated(200));
    // Newest first.
    let times: Vec<i64> = rows
        .events
        .iter()
        .map(|e| EventRecord::parse(e.get()).unwrap().time_ms().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn insights_fields_without_message_form_a_table_and_cancel_stops_it() {
    let b = backend();
    let mut run = InsightsRun::new(&insights_spec(
        r#"fields eventName, eventSource | filter eventName like "Delete" and eventSource != "s3.amazonaws.com""#,
    ))
    .unwrap();
    step(&b, &mut run, 0);
    step(&b, &mut run, 1_500);
    assert_eq!(run.status(), Some(QueryStatus::Running));
    run.cancel();
    assert_eq!(step(&b, &mut run, 0), None);
    assert_eq!(run.stopped(), Some(RunEnd::Cancelled));
    // The demo keeps it cancelled, with the rows found before the stop.
    let id = match run.step() {
        Step::Stop(_) => run.results().results.len(),
        Step::Fetch(_) => unreachable!(),
    };
    let t = split_results(&run.results().results).table;
    assert_eq!(t.columns, ["eventName", "eventSource"]);
    assert!(t
        .rows
        .iter()
        .all(|r| r[0].contains("Delete") && r[1] != "s3.amazonaws.com"));
    assert_eq!(t.rows.len(), id);
}

#[test]
fn insights_errors() {
    let b = backend();
    let start = |body: serde_json::Value| match b
        .json(
            trailview_core::catalogue::Api::CloudWatchLogs,
            "Logs_20140328.StartQuery",
            body.to_string().as_bytes(),
        )
        .map_err(error)
    {
        Err(ApiError::Service(s)) => s.code,
        other => panic!("{other:?}"),
    };
    let ok = serde_json::json!({"logGroupName": LOG_GROUP, "startTime": 0, "endTime": 10, "queryString": "fields @message"});
    let with = |k: &str, v: serde_json::Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    assert_eq!(
        start(with("queryString", "stats count(*) by bin(5m)".into())),
        "MalformedQueryException"
    );
    assert_eq!(
        start(with("queryString", "filter a ~ 1".into())),
        "MalformedQueryException"
    );
    assert_eq!(
        start(with("logGroupName", "other".into())),
        "ResourceNotFoundException"
    );
    assert_eq!(
        start(with("limit", 10_001.into())),
        "InvalidParameterException"
    );
    assert_eq!(
        start(with("endTime", serde_json::Value::Null)),
        "InvalidParameterException"
    );
    // The 31st running query.
    for _ in 0..insights::MAX_CONCURRENT {
        b.json(
            trailview_core::catalogue::Api::CloudWatchLogs,
            "Logs_20140328.StartQuery",
            ok.to_string().as_bytes(),
        )
        .unwrap();
    }
    let e = start(ok.clone());
    assert_eq!(e, "LimitExceededException");
    let mut run = InsightsRun::new(&insights_spec("fields @message")).unwrap();
    step(&b, &mut run, 0);
    assert_eq!(run.stopped(), Some(RunEnd::Failed));
    assert!(!run.error().unwrap().is_retryable());
    // Once they are complete, there is room again; StopQuery on a finished query fails.
    b.advance(10_000);
    let mut run = InsightsRun::new(&insights_spec("fields @message | limit 1")).unwrap();
    step(&b, &mut run, 0);
    step(&b, &mut run, 5_000);
    assert_eq!(run.stopped(), Some(RunEnd::Complete));
    let stop = b.json(
        trailview_core::catalogue::Api::CloudWatchLogs,
        "Logs_20140328.StopQuery",
        serde_json::json!({"queryId": "nope"})
            .to_string()
            .as_bytes(),
    );
    assert!(stop.is_err());
    // The search syntax of the SLS demo is not Insights'.
    assert!(sls::parse_search("a:").is_err());
    assert!(insights::parse("fields a | sort a desc | limit 5").is_ok());
}

/// The editors' examples are in the demo's subset and find something (events or table rows).
#[test]
fn the_editors_examples_run_in_the_demo_and_find_rows() {
    use trailview_core::engines::editor::{examples, Engine};
    let b = backend();
    for ex in examples(Engine::Sls) {
        let (run, ids, table, _) = run_sls(&b, ex.query, 1_000_000);
        assert_eq!(run.stopped(), Some(RunEnd::Complete), "{}", ex.label);
        assert!(!ids.is_empty() || table > 0, "{}: nothing found", ex.label);
    }
    for ex in examples(Engine::Insights) {
        let mut run = InsightsRun::new(&insights_spec(ex.query)).unwrap();
        for _ in 0..20 {
            step(&b, &mut run, 1_000);
            if run.stopped().is_some() {
                break;
            }
        }
        assert_eq!(
            run.stopped(),
            Some(RunEnd::Complete),
            "{}: {:?}",
            ex.label,
            run.error()
        );
        assert!(
            !run.results().results.is_empty(),
            "{}: nothing found",
            ex.label
        );
    }
}

#[test]
fn insights_top_n_keeps_at_most_n_and_matches_a_stable_sort() {
    let mut rng = fastrand::Rng::with_seed(7);
    for n in [0, 1, 3, 10, 100] {
        let items: Vec<(u8, usize)> = (0..2_000).map(|i| (rng.u8(..20), i)).collect();
        let mut top = insights::TopN::new(n);
        for &(k, i) in &items {
            top.push(k, i);
            assert!(top.len() <= n);
        }
        let mut sorted = items.clone();
        sorted.sort_by_key(|x| x.0);
        let want: Vec<usize> = sorted.into_iter().take(n).map(|x| x.1).collect();
        assert_eq!(top.into_sorted(), want, "n = {n}");
    }
}

/// StartQuery `query` over the day, then its rows once complete.
fn insights_rows(b: &DemoBackend, query: &str) -> Vec<serde_json::Value> {
    let call = |op: &str, body: serde_json::Value| -> serde_json::Value {
        let out = b
            .json(
                trailview_core::catalogue::Api::CloudWatchLogs,
                &format!("Logs_20140328.{op}"),
                body.to_string().as_bytes(),
            )
            .unwrap();
        serde_json::from_str(&out).unwrap()
    };
    let started = call(
        "StartQuery",
        serde_json::json!({"logGroupName": LOG_GROUP, "startTime": END_MS / 1000 - 86_400,
            "endTime": END_MS / 1000, "queryString": query}),
    );
    b.advance(10_000);
    let r = call(
        "GetQueryResults",
        serde_json::json!({"queryId": started["queryId"]}),
    );
    assert_eq!(r["status"], "Complete");
    r["results"].as_array().unwrap().clone()
}

#[test]
fn insights_a_limit_keeps_the_first_rows_of_the_whole_order() {
    let b = backend();
    for q in [
        "fields @timestamp, eventName",
        "fields eventName, eventTime | sort eventName",
        "fields eventName, eventTime | sort eventName desc",
        "fields eventName | filter readOnly = \"false\" | sort eventSource asc",
    ] {
        let all = insights_rows(&b, q);
        assert!(all.len() > 50, "{q}");
        for n in [1, 7, 50] {
            let some = insights_rows(&b, &format!("{q} | limit {n}"));
            assert_eq!(some[..], all[..n], "{q} | limit {n}");
        }
    }
}

#[test]
fn sls_sql_pages_slice_one_result_in_one_pass() {
    let store = DemoEvents::generate(&DemoConfig {
        seed: 3,
        count: 100_000,
        end_ms: END_MS,
        span_days: 1,
    });
    let b = DemoBackend::new(Arc::new(store), 0, Clock::Fixed(END_MS));
    // Paged by the run: 10 pages of LIMIT offset,10000 (and the empty end).
    let (run, rows, calls) = {
        let mut run = SlsRun::new(
            spec("* | select eventId, eventName order by eventName limit 100000"),
            1_000_000,
        )
        .unwrap();
        let (mut rows, mut calls) = (Vec::new(), 0);
        while let Step::Fetch(r) = run.step() {
            calls += 1;
            let page = call(&b, &r).unwrap();
            if run.accept(&page) == Ingest::Rows {
                rows.extend(page.rows.table.rows.iter().cloned());
            }
        }
        (run, rows, calls)
    };
    assert_eq!(run.stopped(), Some(RunEnd::Complete));
    assert!(calls >= 10, "{calls}");
    assert_eq!(rows.len(), 100_000);
    // One pass for the search, one for the SQL: not one per page.
    assert_eq!(b.sls_engine().scans(), 2);
    // The same rows as one big page of the same result (asked as an SQL of its own).
    let big = b
        .sls(
            PROJECT,
            Some(LOGSTORE),
            &[
                ("from".into(), (END_MS / 1000 - 86_400).to_string()),
                ("to".into(), (END_MS / 1000).to_string()),
                (
                    "query".into(),
                    "* | select \"event.eventId\" as eventId, \"event.eventName\" as eventName order by eventName limit 100000".into(),
                ),
            ],
        )
        .unwrap();
    assert_eq!(b.sls_engine().scans(), 3);
    let big: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(&big.body).unwrap();
    assert_eq!(big.len(), rows.len());
    for (a, b) in big.iter().zip(&rows) {
        let a: Vec<&str> = a.values().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(a, *b);
    }
    // Many results kept, the oldest evicted: a query asked again after others scans again.
    for n in 0..sls::RESULTS_KEPT {
        let q = format!("* | select eventId where eventName != 'x{n}' limit 0,10");
        b.sls(
            PROJECT,
            Some(LOGSTORE),
            &[
                ("from".into(), (END_MS / 1000 - 86_400).to_string()),
                ("to".into(), (END_MS / 1000).to_string()),
                ("query".into(), q),
            ],
        )
        .unwrap();
    }
    let before = b.sls_engine().scans();
    let Step::Fetch(r) = SlsRun::new(
        spec("* | select eventId, eventName order by eventName limit 10"),
        1_000_000,
    )
    .unwrap()
    .step() else {
        unreachable!()
    };
    let again = call(&b, &r).unwrap();
    assert_eq!(again.rows.table.rows[..], rows[..10]);
    assert_eq!(b.sls_engine().scans(), before + 1);
}
