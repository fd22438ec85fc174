//! CloudTrail LookupEvents through the signing upstream: SigV4 under the `cloudtrail` signing
//! name, checked independently by the loopback fake cloud (`fake_cloud`); only LookupEvents is
//! forwarded, and only on `/api/aws/cloudtrail`.

mod fake_cloud;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use fake_cloud::*;
use trailview_core::catalogue::{Api, CLOUDTRAIL_LOOKUP_EVENTS};

const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

async fn json11(app: &Router, route: &str, target: &str, body: &str) -> Reply {
    send(
        app,
        Request::post(route)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", target)
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn lookup_events_is_signed_for_cloudtrail_and_passed_back() {
    let (addr, fake) = start(false).await;
    let app = proxy_app(addr, "", false);
    let body = r#"{"StartTime":1700000000,"EndTime":1700003600,"MaxResults":50,"LookupAttributes":[{"AttributeKey":"Username","AttributeValue":"张三"}]}"#;
    let r = json11(&app, "/api/aws/cloudtrail", TARGET, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["Events"][0]["EventId"], "e-1");
    assert_eq!(r.json()["NextToken"], "ct-next");
    assert_eq!(r.header("x-amzn-requestid"), Some("ct-req-1"));
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].scheme, seen[0].action.as_str()), ("aws", TARGET));
    // The body arrives as sent; the scope names the cloudtrail service (the fake checked the
    // signature over it).
    assert_eq!(seen[0].body, body.as_bytes());
    let auth = seen[0].headers["authorization"].to_str().unwrap();
    assert!(
        auth.contains("/us-east-1/cloudtrail/aws4_request"),
        "{auth}"
    );
    // With STS credentials the token is sent and signed.
    let (addr, fake) = start(true).await;
    let app = proxy_app(addr, "", true);
    let r = json11(&app, "/api/aws/cloudtrail", TARGET, "{}").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(fake.seen()[0].headers["x-amz-security-token"], AWS_TOKEN);
}

#[tokio::test]
async fn cloudtrail_errors_come_back_unchanged() {
    let (addr, _fake) = start(false).await;
    let app = proxy_app(addr, "", false);
    let r = json11(
        &app,
        "/api/aws/cloudtrail",
        TARGET,
        r#"{"LookupAttributes":[{"AttributeKey":"Username","AttributeValue":"throttle-me"}]}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["__type"], "ThrottlingException");
    assert_eq!(r.header("x-amzn-errortype"), Some("ThrottlingException"));
    assert_eq!(r.header("x-amzn-requestid"), Some("aws-err-1"));
}

#[tokio::test]
async fn only_lookup_events_is_forwarded_and_only_on_its_route() {
    let (addr, fake) = start(false).await;
    let app = proxy_app(addr, "", false);
    let ct = |op: &str| format!("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{op}");
    for (route, target) in [
        ("/api/aws/cloudtrail", ct("DeleteTrail")),
        ("/api/aws/cloudtrail", ct("StopLogging")),
        ("/api/aws/cloudtrail", ct("PutEventSelectors")),
        ("/api/aws/cloudtrail", ct("CreateTrail")),
        (
            "/api/aws/cloudtrail",
            "Logs_20140328.DescribeExportTasks".into(),
        ),
        ("/api/aws/cloudtrail", "LookupEvents".into()),
        // CloudTrail's target on the CloudWatch Logs route.
        ("/api/aws/logs", TARGET.into()),
    ] {
        let r = json11(&app, route, &target, "{}").await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{route} {target}: {}",
            r.body
        );
        assert_eq!(r.json()["__type"], "AccessDeniedException", "{target}");
    }
    // Not JSON: refused before signing too.
    let r = json11(&app, "/api/aws/cloudtrail", TARGET, "[1]").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(fake.seen().is_empty(), "{:?}", fake.seen());
    assert_eq!(
        Api::CloudTrail
            .forwarded()
            .map(|o| o.name)
            .collect::<Vec<_>>(),
        ["LookupEvents"]
    );
}

#[test]
fn cloudtrail_has_a_rate_limit_of_its_own() {
    let limits = trailview_proxy::config::default_rate_limits();
    assert_eq!(limits["CloudTrail.LookupEvents"], 2);
    assert_eq!(limits["LookupEvents"], 2);
    assert_eq!(
        CLOUDTRAIL_LOOKUP_EVENTS.rate_key(),
        "CloudTrail.LookupEvents"
    );
}

#[tokio::test]
async fn unconfigured_cloudtrail_says_so() {
    let (addr, fake) = start(false).await;
    let cfg = trailview_proxy::config::Config::from_toml(
        &format!("[aliyun.actiontrail]\nendpoint = \"http://{addr}\"\n"),
        None,
        &test_env(false),
    )
    .unwrap();
    let app = trailview_proxy::app(trailview_proxy::Mode::configured(&cfg).unwrap());
    let r = json11(&app, "/api/aws/cloudtrail", TARGET, "{}").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(r.body.contains("CloudTrail"), "{}", r.body);
    assert!(fake.seen().is_empty());
}
