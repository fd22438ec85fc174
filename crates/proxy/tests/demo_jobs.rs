//! The Jobs issue's demo APIs through the router: delivery history jobs, CDN report tasks,
//! CloudWatch Logs export tasks. Paging, filters, idempotent creation, the one-running rule,
//! rate limits, error shapes.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use common::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use trailview_core::{
    dialect::{read_response, Dialect},
    wire::{CdnDeliverListResponse, DescribeExportTasksResponse, ListDeliveryHistoryJobsResponse},
};
use trailview_demo::{Clock, DemoBackend};
use trailview_proxy::{app, Mode};

/// A fresh backend per test (jobs are state), with a fixed clock at END_MS.
fn jobs_app(cdn_rate: u32) -> Router {
    let demo =
        DemoBackend::with_job_seconds(store(), 0, Clock::Fixed(END_MS), 60).with_cdn_rate(cdn_rate);
    app(Mode::Demo {
        backend: Arc::new(demo),
        buckets: Arc::new(trailview_demo::buckets::DemoBuckets::new(1000, END_MS)),
        static_dir: PathBuf::from("/nonexistent"),
    })
}

async fn at(app: &Router, action: &str, params: &[(&str, &str)]) -> Reply {
    let mut all = vec![("Action", action)];
    all.extend_from_slice(params);
    let uri = format!("/api/aliyun/actiontrail?{}", query(&all));
    send(app, Request::post(uri).body(Body::empty()).unwrap()).await
}

async fn cdn(app: &Router, params: &[(&str, &str)]) -> Reply {
    let mut all = vec![
        ("Action", "DescribeCdnDeliverList"),
        ("Version", "2018-05-10"),
    ];
    all.extend_from_slice(params);
    let uri = format!("/api/aliyun/cdn?{}", query(&all));
    send(app, Request::post(uri).body(Body::empty()).unwrap()).await
}

async fn logs(app: &Router, op: &str, body: Value) -> Reply {
    let req = Request::post("/api/aws/logs")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", format!("Logs_20140328.{op}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, req).await
}

fn assert_aws_error(r: &Reply, status: u16, kind: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text());
    let v = r.json();
    assert_eq!(v["__type"], kind, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(r.header("x-amzn-requestid").is_some_and(|h| h.len() == 36));
    assert_eq!(r.header("x-amzn-errortype"), Some(kind));
    // The core reads it back as the same error.
    let e = read_response::<Value>(
        Dialect::AwsJson,
        status,
        r.header("x-amzn-requestid"),
        &r.text(),
    )
    .unwrap_err();
    assert!(e.to_string().contains(kind), "{e}");
}

#[tokio::test]
async fn list_pages_cover_every_job_once() {
    let app = jobs_app(0);
    let first = at(&app, "ListDeliveryHistoryJobs", &[]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let v = first.json();
    assert_eq!(v["PageNumber"], 1);
    assert_eq!(v["PageSize"], 20, "default page size");
    let total = v["TotalCount"].as_u64().unwrap() as usize;
    assert!(total >= 30, "dozens of seeded jobs: {total}");
    assert_eq!(v["DeliveryHistoryJobs"].as_array().unwrap().len(), 20);
    for size in [1usize, 7, 100] {
        let mut ids = Vec::new();
        let mut statuses = HashSet::new();
        for page in 1.. {
            let (p, s) = (page.to_string(), size.to_string());
            let r = at(
                &app,
                "ListDeliveryHistoryJobs",
                &[("PageNumber", &p), ("PageSize", &s)],
            )
            .await;
            let (parsed, _) = read_response::<ListDeliveryHistoryJobsResponse>(
                Dialect::AlibabaRpc,
                200,
                None,
                &r.text(),
            )
            .unwrap();
            assert_eq!(parsed.total_count, Some(total as i64));
            if parsed.jobs.is_empty() {
                break;
            }
            for j in &parsed.jobs {
                ids.push(j.job_id.unwrap());
                statuses.insert(j.job_status.unwrap());
                assert!(j.start_time.is_some() && j.end_time.is_some() && j.updated_time.is_some());
            }
        }
        assert_eq!(ids.len(), total, "page size {size}");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), total);
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
        assert!(
            statuses.contains(&2) && statuses.contains(&3) && statuses.len() >= 3,
            "{statuses:?}"
        );
    }
}

#[tokio::test]
async fn list_rejects_bad_paging() {
    let app = jobs_app(0);
    for (k, v) in [
        ("PageSize", "0"),
        ("PageSize", "101"),
        ("PageSize", "abc"),
        ("PageNumber", "0"),
        ("PageNumber", "-1"),
        ("PageNumber", "1.5"),
    ] {
        let r = at(&app, "ListDeliveryHistoryJobs", &[(k, v)]).await;
        let body = assert_alibaba_error(&r, 400, "InvalidParameter");
        assert!(body["Message"].as_str().unwrap().contains(k), "{body}");
    }
    let r = at(&app, "ListDeliveryHistoryJobs", &[("PageSize", "100")]).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn create_is_idempotent_and_one_runs_at_a_time() {
    let app = jobs_app(0);
    let total = |r: Reply| r.json()["TotalCount"].as_u64().unwrap();
    let before = total(at(&app, "ListDeliveryHistoryJobs", &[]).await);
    // The seeded live job is running at the fixed "now": a new one is refused, creating nothing.
    let r = at(
        &app,
        "CreateDeliveryHistoryJob",
        &[("TrailName", "ops-trail"), ("ClientToken", "t-1")],
    )
    .await;
    let e = assert_alibaba_error(&r, 400, "DeliveryHistoryJobRunningException");
    assert!(e["Message"].as_str().unwrap().contains("JobId"));
    assert_eq!(
        total(at(&app, "ListDeliveryHistoryJobs", &[]).await),
        before
    );
    // Unknown trail: the document's 404.
    let r = at(
        &app,
        "CreateDeliveryHistoryJob",
        &[("TrailName", "no-such-trail")],
    )
    .await;
    let e = assert_alibaba_error(&r, 404, "TrailNotFoundException");
    assert_eq!(e["Message"], "The specified Trail does not exist.");
    let r = at(&app, "CreateDeliveryHistoryJob", &[]).await;
    assert_alibaba_error(&r, 400, "MissingParameter");
    let long = "x".repeat(65);
    for bad in [long.as_str(), "tökén"] {
        let r = at(
            &app,
            "CreateDeliveryHistoryJob",
            &[("TrailName", "ops-trail"), ("ClientToken", bad)],
        )
        .await;
        assert_alibaba_error(&r, 400, "InvalidParameter");
    }
    assert_eq!(
        total(at(&app, "ListDeliveryHistoryJobs", &[]).await),
        before
    );
}

#[tokio::test]
async fn create_get_delete_once_nothing_runs() {
    // An hour on, the seeded live job has finished: nothing runs.
    let demo = Arc::new(DemoBackend::with_job_seconds(
        store(),
        0,
        Clock::Fixed(END_MS),
        60,
    ));
    demo.advance(3_600_000);
    let app = app_from(demo.clone());
    let total = |r: Reply| r.json()["TotalCount"].as_u64().unwrap();
    let before = total(at(&app, "ListDeliveryHistoryJobs", &[]).await);
    let p = [
        ("TrailName", "security-trail"),
        ("ClientToken", "123e4567-e89b-12d3-a456-42665544abcd"),
    ];
    let a = at(&app, "CreateDeliveryHistoryJob", &p).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let id = a.json()["JobId"].as_i64().unwrap();
    assert_eq!(a.json()["RequestId"].as_str().unwrap().len(), 36);
    // The retry (same token) gets the same JobId and creates nothing.
    let b = at(&app, "CreateDeliveryHistoryJob", &p).await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text());
    assert_eq!(b.json()["JobId"].as_i64(), Some(id));
    assert_eq!(
        total(at(&app, "ListDeliveryHistoryJobs", &[]).await),
        before + 1
    );
    // Same token, other trail.
    let r = at(
        &app,
        "CreateDeliveryHistoryJob",
        &[("TrailName", "ops-trail"), p[1]],
    )
    .await;
    assert_alibaba_error(&r, 400, "IdempotentParameterMismatch");
    // Another token while it runs: refused.
    let r = at(
        &app,
        "CreateDeliveryHistoryJob",
        &[("TrailName", "ops-trail"), ("ClientToken", "other")],
    )
    .await;
    assert_alibaba_error(&r, 400, "DeliveryHistoryJobRunningException");
    assert_eq!(
        total(at(&app, "ListDeliveryHistoryJobs", &[]).await),
        before + 1
    );
    // Get: the job with per-region status.
    let g = at(&app, "GetDeliveryHistoryJob", &[("JobId", &id.to_string())]).await;
    assert_eq!(g.status, StatusCode::OK);
    let v = g.json();
    assert_eq!(v["JobStatus"], 0);
    assert_eq!(v["TrailName"], "security-trail");
    assert_eq!(v["HomeRegion"], "cn-shanghai");
    assert_eq!(v["Status"].as_array().unwrap().len(), 4);
    assert_eq!(v["Status"][0]["Region"], "cn-hangzhou");
    assert_alibaba_error(
        &at(&app, "GetDeliveryHistoryJob", &[]).await,
        400,
        "MissingParameter",
    );
    assert_alibaba_error(
        &at(&app, "GetDeliveryHistoryJob", &[("JobId", "x")]).await,
        400,
        "InvalidParameter",
    );
    assert_alibaba_error(
        &at(&app, "GetDeliveryHistoryJob", &[("JobId", "1")]).await,
        404,
        "DeliveryHistoryJobNotFoundException",
    );
    // It progresses with the clock: delivering, then done; then another may start.
    demo.advance(20_000);
    let g = at(&app, "GetDeliveryHistoryJob", &[("JobId", &id.to_string())]).await;
    assert_eq!(g.json()["JobStatus"], 1);
    // Running: cannot be deleted. A finished one can.
    let r = at(
        &app,
        "DeleteDeliveryHistoryJob",
        &[("JobId", &id.to_string())],
    )
    .await;
    assert_alibaba_error(&r, 400, "DeliveryHistoryJobRunningException");
    let r = at(&app, "DeleteDeliveryHistoryJob", &[("JobId", "16602")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        total(at(&app, "ListDeliveryHistoryJobs", &[]).await),
        before
    );
    demo.advance(60_000);
    let g = at(&app, "GetDeliveryHistoryJob", &[("JobId", &id.to_string())]).await;
    let done = g.json()["JobStatus"].as_i64().unwrap();
    assert!(done == 2 || done == 3, "{done}");
    let r = at(
        &app,
        "CreateDeliveryHistoryJob",
        &[("TrailName", "ops-trail")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_alibaba_error(
        &at(&app, "DeleteDeliveryHistoryJob", &[("JobId", "16602")]).await,
        404,
        "DeliveryHistoryJobNotFoundException",
    );
}

#[tokio::test]
async fn cdn_tasks_filter_and_errors() {
    let app = jobs_app(0);
    let r = cdn(&app, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert!(v["Content"].is_string(), "Content is a JSON string");
    let (parsed, _) =
        read_response::<CdnDeliverListResponse>(Dialect::AlibabaRpc, 200, None, &r.text()).unwrap();
    let tasks = parsed.tasks().unwrap();
    assert!((10..=30).contains(&tasks.len()));
    let crons: HashSet<_> = tasks.iter().map(|t| t.crontab.clone().unwrap()).collect();
    assert_eq!(crons.len(), tasks.len(), "different crontabs");
    let one = cdn(&app, &[("DeliverId", "3")]).await;
    let (p, _) =
        read_response::<CdnDeliverListResponse>(Dialect::AlibabaRpc, 200, None, &one.text())
            .unwrap();
    let t = p.tasks().unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].deliver_id, Some(3));
    let e = assert_alibaba_error(
        &cdn(&app, &[("DeliverId", "999")]).await,
        400,
        "SubscriptionNotFound",
    );
    assert_eq!(e["HostId"], "cdn.aliyuncs.com");
    assert_alibaba_error(
        &cdn(&app, &[("DeliverId", "abc")]).await,
        400,
        "InvalidParameter",
    );
    let uri = format!(
        "/api/aliyun/cdn?{}",
        query(&[
            ("Action", "DescribeCdnDeliverList"),
            ("Version", "2014-11-11")
        ])
    );
    assert_alibaba_error(
        &send(&app, Request::post(uri).body(Body::empty()).unwrap()).await,
        400,
        "InvalidVersion",
    );
    let uri = format!(
        "/api/aliyun/cdn?{}",
        query(&[("Action", "DescribeCdnDomainDetail")])
    );
    assert_alibaba_error(
        &send(&app, Request::post(uri).body(Body::empty()).unwrap()).await,
        404,
        "InvalidAction.NotFound",
    );
}

#[tokio::test(start_paused = true)]
async fn cdn_allows_three_calls_per_second() {
    let app = jobs_app(3);
    for _ in 0..3 {
        assert_eq!(cdn(&app, &[]).await.status, StatusCode::OK);
    }
    let r = cdn(&app, &[]).await;
    assert_alibaba_error(&r, 400, "Throttling.User");
    assert!(r.header("x-acs-retry-after").is_some());
    tokio::time::advance(std::time::Duration::from_millis(1001)).await;
    assert_eq!(cdn(&app, &[]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn export_tasks_page_and_filter() {
    let app = jobs_app(0);
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body = json!({ "limit": 37 });
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        let r = logs(&app, "DescribeExportTasks", body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
        assert!(r.header("x-amzn-requestid").is_some());
        let (p, _) =
            read_response::<DescribeExportTasksResponse>(Dialect::AwsJson, 200, None, &r.text())
                .unwrap();
        pages += 1;
        all.extend(p.export_tasks);
        match p.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert!(all.len() >= 300, "{}", all.len());
    assert_eq!(pages, all.len().div_ceil(37));
    let ids: HashSet<_> = all.iter().map(|t| t.task_id.clone().unwrap()).collect();
    assert_eq!(ids.len(), all.len());
    let codes: HashSet<String> = all
        .iter()
        .map(|t| t.status.clone().unwrap().code.unwrap())
        .collect();
    for c in [
        "COMPLETED",
        "FAILED",
        "CANCELLED",
        "PENDING_CANCEL",
        "COMPLETE",
    ] {
        assert!(codes.contains(c), "{c} in {codes:?}");
    }
    assert!(codes.contains("PENDING") || codes.contains("RUNNING"));
    // Default limit 50.
    let r = logs(&app, "DescribeExportTasks", json!({})).await;
    assert_eq!(r.json()["exportTasks"].as_array().unwrap().len(), 50);
    // statusCode filter.
    let r = logs(
        &app,
        "DescribeExportTasks",
        json!({"statusCode": "FAILED", "limit": 50}),
    )
    .await;
    let tasks = r.json()["exportTasks"].as_array().unwrap().clone();
    assert!(!tasks.is_empty());
    assert!(tasks.iter().all(|t| t["status"]["code"] == "FAILED"));
    // taskId filter: one or none.
    let id = all[5].task_id.clone().unwrap();
    let r = logs(&app, "DescribeExportTasks", json!({"taskId": id})).await;
    assert_eq!(r.json()["exportTasks"].as_array().unwrap().len(), 1);
    let r = logs(&app, "DescribeExportTasks", json!({"taskId": "nope"})).await;
    assert_eq!(r.json()["exportTasks"].as_array().unwrap().len(), 0);
    assert!(r.json().get("nextToken").is_none());
}

#[tokio::test]
async fn export_validation_errors() {
    let app = jobs_app(0);
    for body in [
        json!({"limit": 0}),
        json!({"limit": 51}),
        json!({"limit": "ten"}),
        json!({"statusCode": "COMPLETE"}),
        json!({"statusCode": "done"}),
        json!({"taskId": ""}),
        json!({"taskId": "x".repeat(513)}),
        json!({"nextToken": "garbage"}),
    ] {
        let r = logs(&app, "DescribeExportTasks", body.clone()).await;
        assert_aws_error(&r, 400, "InvalidParameterException");
    }
    // A token from another filter is refused.
    let r = logs(&app, "DescribeExportTasks", json!({"limit": 1})).await;
    let tok = r.json()["nextToken"].as_str().unwrap().to_string();
    let r = logs(
        &app,
        "DescribeExportTasks",
        json!({"limit": 1, "statusCode": "FAILED", "nextToken": tok}),
    )
    .await;
    assert_aws_error(&r, 400, "InvalidParameterException");
    let req = Request::post("/api/aws/logs")
        .header("x-amz-target", "Logs_20140328.DescribeExportTasks")
        .body(Body::from("{not json"))
        .unwrap();
    assert_aws_error(&send(&app, req).await, 400, "SerializationException");
    assert_aws_error(
        &logs(&app, "DeleteLogGroup", json!({})).await,
        400,
        "UnknownOperationException",
    );
}

#[tokio::test]
async fn create_export_task_rules() {
    let app = jobs_app(0);
    let ok = json!({"logGroupName": "/ecs/web", "from": 1_717_000_000_000i64, "to": 1_717_100_000_000i64, "destination": "log-exports"});
    // The seeded live task is active at the fixed "now".
    assert_aws_error(
        &logs(&app, "CreateExportTask", ok.clone()).await,
        400,
        "LimitExceededException",
    );
    for (bad, kind) in [
        (
            json!({"from": 1, "to": 2, "destination": "b"}),
            "InvalidParameterException",
        ),
        (
            json!({"logGroupName": "bad name!", "from": 1, "to": 2, "destination": "b"}),
            "InvalidParameterException",
        ),
        (
            json!({"logGroupName": "/ecs/web", "to": 2, "destination": "b"}),
            "InvalidParameterException",
        ),
        (
            json!({"logGroupName": "/ecs/web", "from": 5, "to": 2, "destination": "b"}),
            "InvalidParameterException",
        ),
        (
            json!({"logGroupName": "/ecs/web", "from": 1, "to": 2}),
            "InvalidParameterException",
        ),
        (
            json!({"logGroupName": "/no/such", "from": 1, "to": 2, "destination": "b"}),
            "ResourceNotFoundException",
        ),
    ] {
        assert_aws_error(&logs(&app, "CreateExportTask", bad).await, 400, kind);
    }
    // An hour later nothing is active: one is created, then the next is refused.
    let d = Arc::new(DemoBackend::with_job_seconds(
        store(),
        0,
        Clock::Fixed(END_MS),
        60,
    ));
    d.advance(3_600_000);
    let app = app_from(d.clone());
    let before = count_exports(&app).await;
    let r = logs(&app, "CreateExportTask", ok.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let id = r.json()["taskId"].as_str().unwrap().to_string();
    assert_aws_error(
        &logs(&app, "CreateExportTask", ok).await,
        400,
        "LimitExceededException",
    );
    assert_eq!(count_exports(&app).await, before + 1);
    let r = logs(&app, "DescribeExportTasks", json!({"taskId": id})).await;
    assert_eq!(r.json()["exportTasks"][0]["status"]["code"], "PENDING");
    assert_eq!(
        r.json()["exportTasks"][0]["destinationPrefix"],
        "exportedlogs"
    );
}

fn app_from(d: Arc<DemoBackend>) -> Router {
    app(Mode::Demo {
        backend: d,
        buckets: Arc::new(trailview_demo::buckets::DemoBuckets::new(1000, END_MS)),
        static_dir: PathBuf::from("/nonexistent"),
    })
}

async fn count_exports(app: &Router) -> usize {
    let mut n = 0;
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({});
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        let v = logs(app, "DescribeExportTasks", body).await.json();
        n += v["exportTasks"].as_array().unwrap().len();
        match v.get("nextToken").and_then(Value::as_str) {
            Some(t) => token = Some(t.to_string()),
            None => return n,
        }
    }
}
