//! The demo's CloudTrail LookupEvents through the router: 50 a page newest first by
//! NextToken, AWS's error shapes, and the documented 2 calls a second.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use trailview_core::cloud::Cloud;
use trailview_core::cloudtrail::CloudTrailQuery;
use trailview_core::dialect::{read_response, ApiError, Dialect};
use trailview_core::event::EventRecord;
use trailview_core::wire::CloudTrailLookupEventsResponse;

const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

async fn lookup(app: &Router, body: Value) -> Result<CloudTrailLookupEventsResponse, ApiError> {
    let r = send(
        app,
        Request::post("/api/aws/cloudtrail")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", TARGET)
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    read_response(
        Dialect::AwsJson,
        r.status.as_u16(),
        r.header("x-amzn-requestid"),
        &r.text(),
    )
    .map(|(v, _)| v)
}

#[tokio::test]
async fn pages_through_a_day_with_the_core_pager() {
    let app = test_app();
    let q = CloudTrailQuery::plan(END_MS - DAY_MS, END_MS, &[]);
    let mut body = q.body(None);
    let mut times = Vec::new();
    let mut pages = 0;
    loop {
        let page = lookup(&app, body.clone()).await.unwrap();
        pages += 1;
        assert!(page.events.len() <= 50);
        let (records, dropped) = q.records(&page);
        assert_eq!(dropped, 0);
        for r in &records {
            let e = EventRecord::parse(r.get()).unwrap();
            assert_eq!(e.cloud(), Some(Cloud::Aws));
            let t = e.time_ms().unwrap();
            assert!((END_MS - DAY_MS..=END_MS).contains(&t));
            times.push(t);
        }
        match page.next() {
            Some(t) => body = q.body(Some(t)),
            None => break,
        }
    }
    assert!(times.len() > 10, "{}", times.len());
    assert_eq!(pages, times.len().div_ceil(50));
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[tokio::test]
async fn errors_carry_code_message_and_request_id() {
    let app = test_app();
    let e = lookup(&app, json!({"StartTime": 2, "EndTime": 1}))
        .await
        .unwrap_err();
    let ApiError::Service(s) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(s.code, "InvalidTimeRangeException");
    assert!(!s.message.is_empty());
    assert!(s.request_id.as_deref().is_some_and(|r| !r.is_empty()));
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn two_calls_a_second_then_throttling() {
    let app = app_with(store(), 2, PathBuf::from("/nonexistent"));
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(match lookup(&app, json!({"MaxResults": 1})).await {
            Ok(_) => "ok".to_string(),
            Err(ApiError::Service(s)) => s.code,
            Err(e) => format!("{e:?}"),
        });
    }
    assert_eq!(codes[..2], ["ok", "ok"]);
    assert!(
        codes[2..].iter().all(|c| c == "ThrottlingException"),
        "{codes:?}"
    );
    // ActionTrail's LookupEvents has a limit of its own.
    let r = send(
        &app,
        Request::post("/api/aliyun/actiontrail?Action=LookupEvents&MaxResults=1")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}
