//! The demo's SLS and Insights routes through the whole proxy app (`oneshot`), driven by
//! core's state machines as the app's driver will: paging, statuses, errors and refusals.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use trailview_core::dialect::{read_response, Dialect};
use trailview_core::engines::insights::{
    GetQueryResultsResponse, InsightsCall, InsightsRun, QuerySpec, QueryStatus, StartQueryResponse,
};
use trailview_core::engines::sls::{GetLogsPage, GetLogsSpec, Ingest, Order, SlsRun};
use trailview_core::paging::{RunEnd, Step};
use trailview_demo::engines::{insights::LOG_GROUP, sls::LOGSTORE, sls::PROJECT};

fn spec(query: &str) -> GetLogsSpec {
    GetLogsSpec {
        project: PROJECT.into(),
        logstore: LOGSTORE.into(),
        from: (END_MS - 2 * DAY_MS) / 1000,
        to: END_MS / 1000,
        query: query.into(),
        order: Order::NewestFirst,
    }
}

#[tokio::test]
async fn sls_get_logs_pages_through_the_route() {
    let app = test_app();
    let mut run = SlsRun::new(spec("* and event.eventRW: Write"), 1_000_000).unwrap();
    let (mut events, mut calls) = (0, 0);
    while let Step::Fetch(r) = run.step() {
        calls += 1;
        let reply = get(&app, &format!("/api/{}?{}", r.path(), r.query_string())).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.header("x-log-requestid").map(str::len), Some(24));
        let page = GetLogsPage::read(
            200,
            reply.header("x-log-progress"),
            reply.header("x-log-count"),
            reply.header("x-log-requestid"),
            &reply.text(),
        )
        .unwrap();
        if run.accept(&page) == Ingest::Rows {
            events += page.rows.events.len();
        }
    }
    assert_eq!(run.stopped(), Some(RunEnd::Complete));
    assert!(events > 100, "{events}");
    // Full pages, a short one, and the empty page that says the end.
    assert_eq!(calls, events.div_ceil(100) + 1);

    // SQL: an aggregation, Incomplete once, then Complete; its rows are a table.
    let mut run = SlsRun::new(
        spec(r#"* | select "event.serviceName" as service, count(*) as n group by "event.serviceName" order by n desc"#),
        1_000_000,
    )
    .unwrap();
    let mut progress = Vec::new();
    let mut rows = 0;
    while let Step::Fetch(r) = run.step() {
        let reply = get(&app, &format!("/api/{}?{}", r.path(), r.query_string())).await;
        progress.push(reply.header("x-log-progress").unwrap().to_string());
        let page = GetLogsPage::read(
            200,
            reply.header("x-log-progress"),
            None,
            None,
            &reply.text(),
        )
        .unwrap();
        if run.accept(&page) == Ingest::Rows {
            assert!(page.rows.events.is_empty());
            assert_eq!(page.rows.table.columns, ["service", "n"]);
            rows += page.rows.table.rows.len();
        }
    }
    assert_eq!(progress, ["Incomplete", "Complete"]);
    assert!(rows > 3);
}

#[tokio::test]
async fn sls_errors_and_refusals_in_its_shape() {
    let app = test_app();
    let check = |r: &Reply, status: u16, code: &str| {
        assert_eq!(r.status.as_u16(), status, "{}", r.text());
        assert_eq!(r.json()["errorCode"], code, "{}", r.text());
        assert!(r.json()["errorMessage"].is_string());
        assert!(r.header("x-log-requestid").is_some());
    };
    let base = format!("/api/aliyun/sls/{PROJECT}/logstores/{LOGSTORE}");
    let r = get(&app, &format!("{base}?type=log&from=0&to=10&query=a%3A")).await;
    check(&r, 400, "ParameterInvalid");
    let r = get(
        &app,
        &format!("/api/aliyun/sls/other-project/logstores/{LOGSTORE}?type=log&from=0&to=1"),
    )
    .await;
    check(&r, 404, "ProjectNotExist");
    let r = get(&app, &format!("/api/aliyun/sls/{PROJECT}/logstores")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["logstores"][0], LOGSTORE);
    // Refused before anything answers: other methods, paths and parameters.
    for (method, uri) in [
        ("POST", base.clone()),
        ("DELETE", base.clone()),
        ("GET", format!("{base}/shards/0?type=logs")),
        ("GET", format!("{base}?type=log&action=split")),
        ("GET", format!("{base}?type=histogram&from=0&to=1")),
        ("GET", format!("{base}?from=0&to=1")),
        ("GET", format!("/api/aliyun/sls/{PROJECT}")),
        ("GET", "/api/aliyun/sls".to_string()),
        ("GET", format!("/api/aliyun/sls/{PROJECT}/logstores/UPPER")),
    ] {
        let r = send(
            &app,
            Request::builder()
                .method(method)
                .uri(&uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        check(&r, 403, "Unauthorized");
    }
}

async fn logs(app: &axum::Router, call: &InsightsCall) -> Reply {
    send(
        app,
        Request::post("/api/aws/logs")
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                format!("Logs_20140328.{}", call.operation().name),
            )
            .body(Body::from(call.body().to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn insights_start_poll_and_malformed_query_through_the_route() {
    let app = test_app();
    let mut run = InsightsRun::new(&QuerySpec {
        log_groups: vec![LOG_GROUP.into()],
        start: (END_MS - DAY_MS) / 1000,
        end: END_MS / 1000,
        query: "fields @timestamp, eventName | filter eventName like \"Describe\" | limit 50"
            .into(),
        limit: 10_000,
    })
    .unwrap();
    let Step::Fetch(start) = run.step() else {
        panic!()
    };
    let r = logs(&app, &start).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    run.accept_start(&serde_json::from_slice::<StartQueryResponse>(&r.body).unwrap());
    let Step::Fetch(poll) = run.step() else {
        panic!()
    };
    let r = logs(&app, &poll).await;
    assert_eq!(r.status, StatusCode::OK);
    // The demo's clock is fixed in these tests: the query stays Scheduled.
    let status =
        run.accept_results(serde_json::from_slice::<GetQueryResultsResponse>(&r.body).unwrap());
    assert_eq!(status, QueryStatus::Scheduled);
    run.cancel();
    let Step::Fetch(stop) = run.step() else {
        panic!()
    };
    assert_eq!(stop.operation().name, "StopQuery");
    let r = logs(&app, &stop).await;
    assert_eq!(r.json()["success"], true);

    let bad = InsightsCall::Start(serde_json::json!({
        "logGroupName": LOG_GROUP, "startTime": 0, "endTime": 1,
        "queryString": "stats count(*) by bin(1h)"
    }));
    let r = logs(&app, &bad).await;
    let e = read_response::<StartQueryResponse>(
        Dialect::AwsJson,
        r.status.as_u16(),
        r.header("x-amzn-requestid"),
        &r.text(),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("MalformedQueryException (HTTP 400)"),
        "{e}"
    );
}
