//! End to end through the signing upstream: the proxy (driven with `oneshot`) signs and forwards
//! to a loopback fake cloud that verifies every signature independently (`fake_cloud`).

mod fake_cloud;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use fake_cloud::*;
use std::net::SocketAddr;
use std::time::Duration;
use trailview_proxy::config::Config;
use trailview_proxy::{app, Mode};

fn env(tokens: bool) -> impl Fn(&str) -> Option<String> {
    test_env(tokens)
}

fn proxy(addr: SocketAddr, extra: &str, tokens: bool) -> Router {
    proxy_app(addr, extra, tokens)
}

async fn post(app: &Router, uri: &str) -> Reply {
    send(app, Request::post(uri).body(Body::empty()).unwrap()).await
}

async fn logs(app: &Router, target: &str, body: &str) -> Reply {
    send(
        app,
        Request::post("/api/aws/logs")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", target)
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

const LOOKUP: &str = "/api/aliyun/actiontrail?Action=LookupEvents&StartTime=2024-04-30T00%3A00%3A00Z&EndTime=2024-05-01T00%3A00%3A00Z&MaxResults=50&Direction=BACKWARD&LookupAttribute.1.Key=User&LookupAttribute.1.Value=%E5%BC%A0%E4%B8%89%20x*y%2Bz&LookupAttribute.2.Key=ServiceName&LookupAttribute.2.Value=Ecs";

#[tokio::test]
async fn v3_lookup_events_is_signed_and_passed_back() {
    let (addr, fake) = start(false).await;
    let app = proxy(addr, "", false);
    let r = post(&app, LOOKUP).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["RequestId"], "AT-REQ-1");
    assert_eq!(r.header("x-acs-request-id"), Some("AT-REQ-1"));
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].scheme, seen[0].action.as_str()),
        ("v3", "LookupEvents")
    );
    // The API parameters arrive intact (non-ASCII, space, '*', '+'), the common ones do not
    // travel in the query with V3.
    let p = &seen[0].params;
    assert!(
        p.contains(&("LookupAttribute.1.Value".into(), "张三 x*y+z".into())),
        "{p:?}"
    );
    assert!(p
        .iter()
        .all(|(k, _)| k != "Action" && k != "AccessKeyId" && k != "Signature"));
    assert_eq!(seen[0].headers["x-acs-version"], "2020-07-06");
    // GET works too.
    let r = send(&app, Request::get(LOOKUP).body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn v3_with_sts_tokens() {
    let (addr, fake) = start(true).await;
    let app = proxy(addr, "", true);
    let r = post(&app, LOOKUP).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(fake.seen()[0].headers["x-acs-security-token"], ALI_TOKEN);
    let r = logs(&app, "Logs_20140328.DescribeExportTasks", r#"{"limit":10}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn v1_signing_option_with_and_without_token() {
    for tokens in [false, true] {
        let (addr, fake) = start(tokens).await;
        let app = proxy(addr, "[aliyun]\nsignature = \"v1\"", tokens);
        let r = post(&app, LOOKUP).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = post(&app, "/api/aliyun/cdn?Action=DescribeCdnDeliverList").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["RequestId"], "CDN-REQ-1");
        let seen = fake.seen();
        assert_eq!(seen.len(), 2);
        assert!(seen.iter().all(|s| s.scheme == "v1"));
        assert!(seen[1]
            .params
            .contains(&("Version".into(), "2018-05-10".into())));
    }
}

#[tokio::test]
async fn client_supplied_credentials_and_common_parameters_are_dropped() {
    let (addr, fake) = start(false).await;
    let app = proxy(addr, "", false);
    let r = post(&app, "/api/aliyun/actiontrail?Action=LookupEvents&AccessKeyId=evil&Signature=x&SecurityToken=t&Timestamp=1&SignatureNonce=n").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p = &fake.seen()[0].params;
    assert!(p.is_empty(), "{p:?}");
}

/// Every name the proxy sets itself, in the spellings a browser could send.
const RESERVED_VARIANTS: &[&str] = &[
    "action",
    "ACTION",
    "aCtIoN",
    "version",
    "VERSION",
    "format",
    "FORMAT",
    "accesskeyid",
    "ACCESSKEYID",
    "signature",
    "SIGNATURE",
    "signaturemethod",
    "SIGNATUREVERSION",
    "signaturenonce",
    "signaturetype",
    "timestamp",
    "TIMESTAMP",
    "securitytoken",
    "SecurityTOKEN",
    "bearertoken",
    "Action%20",
    "%20accesskeyid",
];

#[tokio::test]
async fn reserved_parameters_are_dropped_in_every_case_for_v3_and_v1() {
    for signature in ["v3", "v1"] {
        let (addr, fake) = start(false).await;
        let app = proxy(
            addr,
            &format!("[aliyun]\nsignature = \"{signature}\""),
            false,
        );
        let mut uri = "/api/aliyun/actiontrail?Action=LookupEvents&MaxResults=5".to_string();
        for name in RESERVED_VARIANTS {
            uri.push_str(&format!("&{name}=from-browser"));
        }
        let r = post(&app, &uri).await;
        assert_eq!(r.status, StatusCode::OK, "{signature}: {}", r.body);
        let seen = fake.seen();
        let p = &seen[0].params;
        assert!(
            p.iter().all(|(_, v)| v != "from-browser"),
            "{signature}: {p:?}"
        );
        assert!(p.contains(&("MaxResults".into(), "5".into())), "{p:?}");
        // The proxy's own common parameters (V1) are there once each.
        if signature == "v1" {
            for own in [
                "Action",
                "Version",
                "AccessKeyId",
                "Timestamp",
                "SignatureNonce",
            ] {
                let n = p
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(own))
                    .count();
                assert_eq!(n, 1, "{own}: {p:?}");
            }
        }
    }
}

#[tokio::test]
async fn aws_requests_carry_only_the_proxys_credentials() {
    let (addr, fake) = start(false).await;
    let app = proxy(addr, "", false);
    // A browser's own signing headers and query are not forwarded to CloudWatch Logs.
    let r = send(
        &app,
        Request::post(
            "/api/aws/logs?X-Amz-Credential=evil&x-amz-signature=x&X-AMZ-SECURITY-TOKEN=t",
        )
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "Logs_20140328.DescribeExportTasks")
        .header("authorization", "AWS4-HMAC-SHA256 Credential=evil/x")
        .header("X-Amz-Security-Token", "from-browser")
        .header("x-amz-date", "19700101T000000Z")
        .header("X-AMZ-CONTENT-SHA256", "from-browser")
        .body(Body::from(r#"{"limit":1}"#))
        .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let seen = fake.seen();
    assert_eq!(seen[0].scheme, "aws");
    assert!(seen[0].params.is_empty(), "{:?}", seen[0].params);
    for (name, value) in &seen[0].headers {
        let v = value.to_str().unwrap_or("");
        assert!(
            !v.contains("evil") && v != "from-browser" && !v.starts_with("1970"),
            "{name}: {v}"
        );
    }
}

#[tokio::test]
async fn aws_logs_sigv4_and_errors_passed_back() {
    let (addr, fake) = start(false).await;
    let app = proxy(addr, "", false);
    let r = logs(
        &app,
        "Logs_20140328.DescribeExportTasks",
        r#"{"statusCode": "COMPLETED", "limit": 10}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["exportTasks"][0]["taskId"], "t-1");
    assert_eq!(r.header("x-amzn-requestid"), Some("aws-req-1"));
    assert_eq!(
        fake.seen()[0].body,
        br#"{"statusCode": "COMPLETED", "limit": 10}"#
    );
    // A cloud error comes back unchanged: status, body, request-id and error-type headers.
    let r = logs(
        &app,
        "Logs_20140328.DescribeExportTasks",
        r#"{"taskId":"gone"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("ResourceNotFoundException")
    );
    assert_eq!(r.header("x-amzn-requestid"), Some("aws-err-1"));
    // Not JSON: refused by the proxy.
    let r = logs(&app, "Logs_20140328.DescribeExportTasks", "nope").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The app never creates export tasks: not forwarded, even when writes are.
    let r = logs(
        &app,
        "Logs_20140328.CreateExportTask",
        r#"{"logGroupName":"g","from":1,"to":2,"destination":"b"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["__type"], "AccessDeniedException");
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn aliyun_error_passed_back_unchanged() {
    let (addr, _fake) = start(false).await;
    let app = proxy(addr, "", false);
    let r = post(
        &app,
        "/api/aliyun/actiontrail?Action=ListDeliveryHistoryJobs",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["Code"], "Forbidden.RAM");
    assert_eq!(r.json()["RequestId"], "AT-REQ-403");
    assert_eq!(r.header("x-acs-request-id"), Some("AT-REQ-403"));
}

#[tokio::test]
async fn refused_operations_never_reach_the_cloud() {
    let (addr, fake) = start(false).await;
    let app = proxy(addr, "read_only = true", false);
    for uri in [
        "/api/aliyun/actiontrail?Action=DeleteDeliveryHistoryJob&JobId=1",
        "/api/aliyun/actiontrail?Action=CreateTrail",
        "/api/aliyun/actiontrail?Action=CreateDeliveryHistoryJob&TrailName=t",
        "/api/aliyun/cdn?Action=DeleteCdnDomain",
        "/api/aliyun/cdn?Action=LookupEvents",
    ] {
        let r = post(&app, uri).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        let code = r.json()["Code"].as_str().unwrap().to_string();
        assert!(code.starts_with("Forbidden."), "{code}");
        assert!(r.json()["RequestId"].is_string());
    }
    for target in [
        "Logs_20140328.DeleteLogGroup",
        "Logs_20140328.CreateExportTask",
        "Kinesis_20131202.PutRecord",
        "DescribeExportTasks",
    ] {
        let r = logs(&app, target, "{}").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{target}");
        assert_eq!(r.json()["__type"], "AccessDeniedException");
    }
    assert!(fake.seen().is_empty(), "{:?}", fake.seen());
    // Write operations go through when not read-only.
    let app = proxy(addr, "", false);
    let r = post(
        &app,
        "/api/aliyun/actiontrail?Action=CreateDeliveryHistoryJob&TrailName=t",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn shared_rate_limit_answers_like_the_cloud_without_calling_it() {
    let (addr, fake) = start(false).await;
    let app = proxy(addr, "", false);
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(post(&app, LOOKUP).await);
    }
    let ok = codes.iter().filter(|r| r.status == StatusCode::OK).count();
    assert_eq!(ok, 2, "LookupEvents: 2 per second");
    let throttled = codes.iter().find(|r| r.status != StatusCode::OK).unwrap();
    assert_eq!(throttled.status, StatusCode::BAD_REQUEST);
    assert_eq!(throttled.json()["Code"], "Throttling.User");
    // The limiter's window is 1.1 s: the message says so, not "per second".
    let message = throttled.json()["Message"].as_str().unwrap().to_string();
    assert!(
        message.contains("LookupEvents is limited to 2 calls per 1.1 s"),
        "{message}"
    );
    assert!(throttled.header("x-acs-retry-after").is_some());
    assert_eq!(
        throttled.header("retry-after"),
        throttled.header("x-acs-retry-after")
    );
    assert_eq!(fake.seen().len(), 2);
    // DescribeCdnDeliverList: 3 per second, its own window.
    let mut ok = 0;
    for _ in 0..5 {
        if post(&app, "/api/aliyun/cdn?Action=DescribeCdnDeliverList")
            .await
            .status
            == StatusCode::OK
        {
            ok += 1;
        }
    }
    assert_eq!(ok, 3);
}

#[tokio::test]
async fn the_apps_pace_passes_the_shared_limits_margin() {
    use trailview_core::catalogue::{DESCRIBE_CDN_DELIVER_LIST, LOOKUP_EVENTS};
    let (addr, fake) = start(false).await;
    let app = proxy(addr, "", false);
    // The app's pacer: each call starts min_interval_ms after the previous one started; the
    // first arrives 80 ms late (network jitter), so the third comes only 1.02 s after it:
    // inside the limiter's 1.1 s window, it waits for its slot instead of being refused.
    for (op, uri, calls) in [
        (&LOOKUP_EVENTS, LOOKUP, 5),
        (
            &DESCRIBE_CDN_DELIVER_LIST,
            "/api/aliyun/cdn?Action=DescribeCdnDeliverList",
            7,
        ),
    ] {
        let interval = Duration::from_secs_f64(op.min_interval_ms() / 1000.0);
        let start = tokio::time::Instant::now();
        for i in 0..calls {
            let late = if i == 0 { 80 } else { 0 };
            tokio::time::sleep_until(start + interval * i + Duration::from_millis(late)).await;
            let r = post(&app, uri).await;
            assert_eq!(r.status, StatusCode::OK, "{} call {i}: {}", op.name, r.body);
        }
    }
    assert_eq!(fake.seen().len(), 12);
    // A flood is still answered throttled once the wait would be longer.
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(post(&app, LOOKUP).await.status);
    }
    assert!(codes.contains(&StatusCode::BAD_REQUEST), "{codes:?}");
}

#[tokio::test]
async fn upstream_down_is_502_and_slow_is_504() {
    let closed = closed_port().await;
    let app = proxy(closed, "", false);
    let r = post(&app, LOOKUP).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.json()["Code"], "Proxy.UpstreamUnavailable");
    assert!(r.json()["Message"]
        .as_str()
        .unwrap()
        .contains(&closed.to_string()));
    let r = logs(&app, "Logs_20140328.DescribeExportTasks", "{}").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.json()["__type"], "ProxyUpstreamUnavailable");

    let (addr, _fake) = start(false).await;
    let app = proxy(addr, "[limits]\nupstream_timeout_secs = 1", false);
    let r = post(
        &app,
        "/api/aliyun/actiontrail?Action=GetDeliveryHistoryJob&JobId=1",
    )
    .await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(r.json()["Code"], "Proxy.UpstreamTimeout");
}

#[tokio::test]
async fn the_fake_cloud_rejects_a_wrong_secret() {
    // The verifier is real: a proxy with another secret gets the cloud's signature errors.
    let (addr, fake) = start(false).await;
    for (extra, uri_or_target) in [
        ("", LOOKUP),
        ("[aliyun]\nsignature = \"v1\"", LOOKUP),
        ("", "aws"),
    ] {
        let text = format!(
            "{extra}\n[aliyun.actiontrail]\nendpoint = \"http://{addr}\"\n[aws.logs]\nregion = \"us-east-1\"\nendpoint = \"http://{addr}\"\n"
        );
        let wrong = |k: &str| match k {
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET" | "AWS_SECRET_ACCESS_KEY" => {
                Some("wrong-secret".to_string())
            }
            other => env(false)(other),
        };
        let app = app(Mode::configured(&Config::from_toml(&text, None, &wrong).unwrap()).unwrap());
        let r = if uri_or_target == "aws" {
            logs(&app, "Logs_20140328.DescribeExportTasks", "{}").await
        } else {
            post(&app, uri_or_target).await
        };
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        let code = r
            .json()
            .get("Code")
            .or(r.json().get("__type"))
            .unwrap()
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            code == "SignatureDoesNotMatch" || code == "InvalidSignatureException",
            "{code}"
        );
    }
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn the_app_reads_proxy_errors() {
    // What the app's wire reader makes of the proxy's own errors.
    use trailview_core::{
        dialect::{read_response, ApiError, Dialect},
        wire::LookupEventsResponse,
    };
    let closed = closed_port().await;
    let app = proxy(closed, "", false);
    let r = post(&app, LOOKUP).await;
    let e = read_response::<LookupEventsResponse>(
        Dialect::AlibabaRpc,
        r.status.as_u16(),
        None,
        &r.body,
    )
    .unwrap_err();
    let ApiError::Service(s) = e else {
        panic!("{e:?}")
    };
    assert_eq!(s.code, "Proxy.UpstreamUnavailable");
    assert!(s.request_id.is_some());
}
