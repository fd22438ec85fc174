//! Secrets never appear in logs, error messages or responses: every proxy path (success, cloud
//! error, refusal, auth failure, upstream down, V1 and V3, AWS) is exercised with tracing captured
//! down to TRACE, then the capture and every response are searched for each secret.
//! (Alone in its binary: tracing's per-callsite interest cache is global, so a thread-local
//! capture next to other tests' threads can miss events.)

mod fake_cloud;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use fake_cloud::*;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use trailview_proxy::config::Config;

const TOKEN: &str = PROXY_TOKEN;

fn env(k: &str) -> Option<String> {
    test_env(true)(k)
}

fn proxy(addr: SocketAddr, extra: &str) -> Router {
    proxy_app(addr, extra, true)
}

const LOOKUP: &str = "/api/aliyun/actiontrail?Action=LookupEvents&MaxResults=50";
const AUTH: &str =
    "[auth]\nbearer_token_env = \"TRAILVIEW_PROXY_TOKEN\"\nidentity_header = \"X-Forwarded-User\"";

/// Everything the test's tracing output receives.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_never_in_logs_errors_or_responses() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut everything = String::new();
    let mut record = |r: &Reply| {
        everything.push_str(&format!("{} {:?}\n{}\n", r.status, r.headers, r.body));
    };
    let (addr, _fake) = start(true).await;
    let closed = closed_port().await;
    for (upstream, extra, oss_signature) in [
        (addr, AUTH.to_string(), "v4"),
        (closed, AUTH.to_string(), "v4"),
        (addr, format!("{AUTH}\n[aliyun]\nsignature = \"v1\""), "v1"),
    ] {
        // The buckets too (the fake cloud answers them with an error, which is passed back).
        let extra = format!(
            "{extra}\n[aliyun.oss]\nbucket = \"trail-oss\"\nprefix = \"logs\"\nendpoint = \"http://{upstream}\"\nsignature = \"{oss_signature}\"\n[aws.s3]\nbucket = \"trail-s3\"\nregion = \"us-east-1\"\nendpoint = \"http://{upstream}\"\n"
        );
        let app = proxy(upstream, &extra);
        for (method, uri, auth) in [
            (
                "GET",
                "/api/aliyun/oss/trail-oss?list-type=2&prefix=logs%2F",
                Some(TOKEN),
            ),
            ("GET", "/api/aliyun/oss/trail-oss/logs/x.gz", Some(TOKEN)),
            ("HEAD", "/api/aliyun/oss/trail-oss/logs/x.gz", Some(TOKEN)),
            ("GET", "/api/aws/s3/trail-s3/AWSLogs/x.json.gz", Some(TOKEN)),
            ("PUT", "/api/aws/s3/trail-s3/AWSLogs/x.json.gz", Some(TOKEN)),
            ("GET", "/api/aws/s3/trail-s3/AWSLogs/x.json.gz", None),
        ] {
            let mut b = Request::builder().method(method).uri(uri);
            if let Some(t) = auth {
                b = b.header("authorization", format!("Bearer {t}"));
            }
            record(&send(&app, b.body(Body::empty()).unwrap()).await);
        }
        for (uri, auth) in [
            (LOOKUP, Some(TOKEN)),
            (LOOKUP, None),
            (LOOKUP, Some("wrong-token-0123456789")),
            (
                "/api/aliyun/actiontrail?Action=ListDeliveryHistoryJobs",
                Some(TOKEN),
            ),
            ("/api/aliyun/actiontrail?Action=DeleteTrail", Some(TOKEN)),
            ("/api/aliyun/cdn?Action=DescribeCdnDeliverList", Some(TOKEN)),
        ] {
            let mut b = Request::post(uri);
            if let Some(t) = auth {
                b = b.header("authorization", format!("Bearer {t}"));
            }
            record(&send(&app, b.body(Body::empty()).unwrap()).await);
        }
        for target in [
            "Logs_20140328.DescribeExportTasks",
            "Logs_20140328.CreateExportTask",
            "Logs_20140328.DeleteLogGroup",
        ] {
            let r = send(
                &app,
                Request::post("/api/aws/logs")
                    .header("authorization", format!("Bearer {TOKEN}"))
                    .header("x-amz-target", target)
                    .body(Body::from("{}"))
                    .unwrap(),
            )
            .await;
            record(&r);
        }
    }
    // Config errors and Debug output of the configuration.
    let cfg = Config::from_toml(
        &format!("{AUTH}\n[aliyun.actiontrail]\n[aws.logs]\nregion='us-east-1'\n"),
        None,
        &env,
    )
    .unwrap();
    tracing::info!(config = ?cfg, "config");
    everything.push_str(&format!("{cfg:?}"));
    let _ = std::io::stdout().flush();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("operation=\"LookupEvents\""),
        "the access log was captured: {logs}"
    );
    assert!(logs.contains("upstream_request_id=\"AT-REQ-1\""), "{logs}");
    assert!(
        logs.contains("operation=\"GetObject\"") && logs.contains("operation=\"ListObjectsV2\""),
        "the bucket requests were forwarded: {logs}"
    );
    assert!(
        logs.contains("TRACE"),
        "everything down to TRACE was captured"
    );
    assert!(
        logs.contains("user=\"bearer\""),
        "the access log names the caller: {logs}"
    );
    for secret in [ALI_SECRET, ALI_TOKEN, AWS_SECRET, AWS_TOKEN, TOKEN] {
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
        assert!(
            !everything.contains(secret),
            "{secret} in a response:\n{everything}"
        );
    }
}
