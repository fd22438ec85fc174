//! The storage routes through the signing upstream: the proxy (driven with `oneshot`) signs
//! and forwards to a loopback fake OSS / S3 that verifies every signature independently
//! (`fake_storage`); whatever is not forwarded is refused before it is signed, and the fake
//! sees no request.

mod fake_storage;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use fake_storage::*;
use http_body_util::BodyExt as _;
use std::net::SocketAddr;
use tower::ServiceExt as _;
use trailview_core::trail_files::StorageError;
use trailview_proxy::config::Config;
use trailview_proxy::{app, Mode};

const OSS: &str = "/api/aliyun/oss/trail-oss";
const S3: &str = "/api/aws/s3/trail-s3";

fn config(addr: SocketAddr, extra: &str, oss_extra: &str, tokens: bool) -> Config {
    let text = format!(
        "{extra}\n[aliyun.oss]\nbucket = \"trail-oss\"\nprefix = \"logs\"\nregion = \"{OSS_REGION}\"\nendpoint = \"http://{addr}\"\n{oss_extra}\n[aws.s3]\nbucket = \"trail-s3\"\nprefix = \"org/\"\nregion = \"{S3_REGION}\"\nendpoint = \"http://{addr}\"\n"
    );
    Config::from_toml(&text, None, &test_env(tokens)).unwrap()
}

fn proxy(addr: SocketAddr, extra: &str, oss_extra: &str, tokens: bool) -> Router {
    app(Mode::configured(&config(addr, extra, oss_extra, tokens)).unwrap())
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, n: &str) -> Option<&str> {
        self.headers.get(n).and_then(|v| v.to_str().ok())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The storage error in the body, which must be one.
    fn storage_error(&self) -> StorageError {
        StorageError::parse(&self.text())
            .unwrap_or_else(|| panic!("not an <Error>: {}", self.text()))
    }
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn call(app: &Router, method: &str, uri: &str) -> Reply {
    send(
        app,
        Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// Headers of the store the proxy must not pass back.
fn assert_only_storage_headers(r: &Reply) {
    for n in ["x-amz-id-2", "x-oss-meta-owner", "set-cookie"] {
        assert!(r.header(n).is_none(), "{n} passed back");
    }
}

#[tokio::test]
async fn oss_v4_listing_objects_and_errors() {
    let (addr, fake) = start(false).await;
    let app = proxy(addr, "", "", false);
    let r = call(
        &app,
        "GET",
        &format!("{OSS}?list-type=2&prefix=logs%2FAliyunLogs%2FActiontrail%2F&delimiter=%2F&max-keys=100"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        r.text()
            .contains("<Key>logs/AliyunLogs/Actiontrail/a.json.gz</Key>"),
        "{}",
        r.text()
    );
    assert_eq!(r.header("x-oss-request-id"), Some("FAKE-LIST-1"));
    assert_eq!(r.header("content-type"), Some("application/xml"));
    // An object with a space and non-ASCII in its key: encoded once, signed as sent.
    let key = "logs/AliyunLogs/Actiontrail/cn-hangzhou/a%20b/%E5%BC%A0%2B1.gz";
    let r = call(&app, "GET", &format!("{OSS}/{key}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.body.len(), 1000);
    assert_eq!(r.header("content-length"), Some("1000"));
    assert_eq!(r.header("etag"), Some("\"0123abcd\""));
    assert_eq!(
        r.header("last-modified"),
        Some("Sat, 01 Jun 2024 00:00:00 GMT")
    );
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.header("x-oss-request-id"), Some("FAKE-OBJ-1"));
    assert_only_storage_headers(&r);
    let r = call(&app, "HEAD", &format!("{OSS}/{key}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-length"), Some("1000"));
    assert_eq!(r.header("etag"), Some("\"0123abcd\""));
    // The store's error comes back as it is.
    let r = call(&app, "GET", &format!("{OSS}/logs/AliyunLogs/missing.gz")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.storage_error().code, "NoSuchKey");
    assert_eq!(r.header("x-oss-request-id"), Some("FAKE-ERR"));

    let seen = fake.seen();
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|s| s.scheme == "oss4"));
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/trail-oss/")
    );
    assert!(
        seen[0].query.starts_with("list-type=2&"),
        "{}",
        seen[0].query
    );
    assert_eq!(seen[1].path, format!("/trail-oss/{key}"));
    assert_eq!(seen[2].method, "HEAD");
    // Nothing of the browser's request beyond the key and query travels.
    assert!(seen.iter().all(|s| !s.headers.contains_key("cookie")));
}

#[tokio::test]
async fn oss_v1_option_and_sts_tokens() {
    for tokens in [false, true] {
        let (addr, fake) = start(tokens).await;
        let app = proxy(addr, "", "signature = \"v1\"", tokens);
        let r = call(
            &app,
            "GET",
            &format!("{OSS}?list-type=2&prefix=logs%2F&continuation-token=tok%2B%2F1"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = call(&app, "GET", &format!("{OSS}/logs/a%20b.gz")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let seen = fake.seen();
        assert_eq!(seen.len(), 2);
        assert!(seen.iter().all(|s| s.scheme == "oss1"));
        assert_eq!(seen[0].headers.contains_key("x-oss-security-token"), tokens);
    }
    // V4 with an STS token.
    let (addr, fake) = start(true).await;
    let app = proxy(addr, "", "", true);
    let r = call(&app, "HEAD", &format!("{OSS}/logs/x.gz")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(fake.seen()[0].headers["x-oss-security-token"], ALI_TOKEN);
}

#[tokio::test]
async fn s3_sigv4_unsigned_payload() {
    for tokens in [false, true] {
        let (addr, fake) = start(tokens).await;
        let app = proxy(addr, "", "", tokens);
        let r = call(
            &app,
            "GET",
            &format!("{S3}?list-type=2&prefix=org%2FAWSLogs%2F&delimiter=%2F&continuation-token=a%2Bb%3D&start-after=org%2FA"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("x-amz-request-id"), Some("FAKE-LIST-1"));
        let key = "org/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/01/111122223333_CloudTrail_us-east-1_20240601T0000Z_a%20b~c.json.gz";
        let r = call(&app, "GET", &format!("{S3}/{key}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("x-amz-request-id"), Some("FAKE-OBJ-1"));
        assert_only_storage_headers(&r);
        let r = call(&app, "HEAD", &format!("{S3}/{key}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let seen = fake.seen();
        assert_eq!(seen.len(), 3);
        assert!(seen.iter().all(|s| s.scheme == "s3"));
        assert_eq!(seen[0].path, "/trail-s3/");
        assert_eq!(seen[1].path, format!("/trail-s3/{key}"));
        assert_eq!(seen[1].headers["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
        assert_eq!(
            seen[1].headers.get("x-amz-security-token").is_some(),
            tokens
        );
    }
}

#[tokio::test]
async fn objects_stream_whole_and_uncompressed() {
    let (addr, _fake) = start(false).await;
    let app = proxy(addr, "", "", false);
    // Larger than the 32 MB cap on API answers, streamed frame by frame.
    let resp = app
        .clone()
        .oneshot(
            Request::get(format!("{S3}/org/big.gz"))
                .header("accept-encoding", "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers().get("content-encoding"), None);
    assert_eq!(resp.headers()["content-length"], BIG.to_string().as_str());
    let mut body = resp.into_body();
    let (mut total, mut frames) = (0usize, 0usize);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            total += data.len();
            frames += 1;
        }
    }
    assert_eq!(total, BIG);
    assert!(frames > 1, "{frames}");
    // A stored Content-Encoding is passed back as it is, and not compressed again.
    let r = send(
        &app,
        Request::get(format!("{OSS}/logs/encoded.json"))
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(r.body, vec![b'x'; 20]);
}

#[tokio::test]
async fn refused_before_signing() {
    let (addr, fake) = start(false).await;
    let app = proxy(addr, "", "", false);
    let cases: Vec<(&str, String)> = vec![
        // Other methods: writes, whatever read_only says.
        ("PUT", format!("{OSS}/logs/x.gz")),
        ("DELETE", format!("{S3}/org/x.gz")),
        ("POST", format!("{S3}?delete")),
        ("PATCH", format!("{OSS}/logs/x.gz")),
        ("OPTIONS", format!("{S3}/org/x.gz")),
        // HEAD on a bucket is HeadBucket, not a listing.
        ("HEAD", format!("{S3}?list-type=2&prefix=org%2F")),
        // Other buckets, or none (ListBuckets).
        ("GET", "/api/aliyun/oss/other-bucket/logs/x.gz".into()),
        (
            "GET",
            "/api/aws/s3/other-bucket?list-type=2&prefix=org%2F".into(),
        ),
        ("GET", "/api/aws/s3".into()),
        ("GET", "/api/aws/s3/".into()),
        ("GET", "/api/aliyun/oss/..%2Ftrail-oss/logs/x.gz".into()),
        // Sub-resources and other bucket queries.
        ("GET", format!("{OSS}?acl")),
        ("GET", format!("{OSS}?policy")),
        ("GET", format!("{S3}?uploads")),
        ("GET", format!("{S3}?versions&prefix=org%2F")),
        (
            "GET",
            format!("{S3}?list-type=2&prefix=org%2F&fetch-owner=true"),
        ),
        ("GET", format!("{S3}?prefix=org%2F")),
        ("GET", format!("{OSS}/logs/x.gz?acl")),
        ("GET", format!("{S3}/org/x.gz?tagging")),
        ("GET", format!("{S3}/org/x.gz?versionId=3")),
        ("GET", format!("{OSS}/logs/x.gz?x-oss-process=image")),
        // Keys and listing prefixes outside the configured prefix.
        ("GET", format!("{OSS}/other/x.gz")),
        ("GET", format!("{OSS}/logs2/x.gz")),
        ("GET", format!("{OSS}/logs")),
        ("GET", format!("{OSS}/logs/../secret.gz")),
        ("GET", format!("{OSS}/logs/%2e%2e/secret.gz")),
        ("GET", format!("{OSS}/logs/%2E%2E/secret.gz")),
        ("GET", format!("{OSS}/logs%2f..%2fsecret.gz")),
        ("GET", format!("{S3}/org%2F..%2Fsecret.gz")),
        ("GET", format!("{S3}/org/..\\secret.gz")),
        ("GET", format!("{S3}/org/%5c..%5csecret.gz")),
        ("GET", format!("{S3}/org/%252e%252e/secret.gz")),
        ("GET", format!("{S3}/org/x%3Facl")),
        ("GET", format!("{S3}/org//x.gz")),
        ("GET", format!("{S3}?list-type=2&prefix=")),
        ("GET", format!("{S3}?list-type=2&prefix=other%2F")),
        ("GET", format!("{S3}?list-type=2&prefix=org%2F..%2F")),
        ("GET", format!("{OSS}?list-type=2&prefix=logs2%2F")),
    ];
    for (method, uri) in &cases {
        let r = call(&app, method, uri).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {uri}: {}",
            r.text()
        );
        // A HEAD answer has no body.
        if *method != "HEAD" {
            assert_eq!(r.storage_error().code, "AccessDenied", "{method} {uri}");
        }
        assert_eq!(r.header("content-type"), Some("application/xml"));
        let id = if uri.starts_with("/api/aws") {
            "x-amz-request-id"
        } else {
            "x-oss-request-id"
        };
        assert!(r.header(id).is_some(), "{method} {uri}");
    }
    assert!(fake.seen().is_empty(), "{:?}", fake.seen());
    // read_only = false changes nothing: the storage APIs are read-only.
    let rw = proxy(addr, "read_only = false", "", false);
    let r = call(&rw, "PUT", &format!("{S3}/org/x.gz")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn rate_limited_like_the_store() {
    let (addr, fake) = start(false).await;
    let app = proxy(addr, "[rate_limits]\nGetObject = 1", "", false);
    let first = call(&app, "GET", &format!("{S3}/org/a.gz")).await;
    assert_eq!(first.status, StatusCode::OK);
    let second = call(&app, "GET", &format!("{S3}/org/b.gz")).await;
    assert_eq!(second.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(second.storage_error().code, "SlowDown");
    assert!(
        second
            .text()
            .contains("GetObject is limited to 1 calls per 1.1 s"),
        "{}",
        second.text()
    );
    assert!(second.header("retry-after").is_some());
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn unconfigured_store_and_authentication() {
    let (addr, fake) = start(false).await;
    let text = format!(
        "[auth]\nbearer_tokens = [\"0123456789abcdef0123\"]\n[aws.s3]\nbucket = \"trail-s3\"\nregion = \"{S3_REGION}\"\nendpoint = \"http://{addr}\"\n"
    );
    let cfg = Config::from_toml(&text, None, &test_env(false)).unwrap();
    let app = app(Mode::configured(&cfg).unwrap());
    // Without the proxy token: the store's error shape, 401.
    let r = call(&app, "GET", &format!("{S3}/AWSLogs/x.gz")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.storage_error().code, "AccessDenied");
    let authed = |uri: &str| {
        Request::get(uri)
            .header("authorization", "Bearer 0123456789abcdef0123")
            .body(Body::empty())
            .unwrap()
    };
    let r = send(&app, authed(&format!("{OSS}/logs/x.gz"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.storage_error().code, "Proxy.UpstreamNotConfigured");
    // No prefix configured: the whole bucket.
    let r = send(&app, authed(&format!("{S3}/AWSLogs/x.gz"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(fake.seen().len(), 1);
}

/// The fake checks signatures for real: signed with other secrets, every scheme is refused
/// by it (and its error passed back).
#[tokio::test]
async fn a_wrong_secret_fails_the_fakes_check() {
    let (addr, fake) = start(false).await;
    let wrong = |k: &str| match k {
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" | "AWS_SECRET_ACCESS_KEY" => Some("wrong-secret".into()),
        other => test_env(false)(other),
    };
    for oss_extra in ["", "signature = \"v1\""] {
        let text = format!(
            "[aliyun.oss]\nbucket = \"trail-oss\"\nregion = \"{OSS_REGION}\"\nendpoint = \"http://{addr}\"\n{oss_extra}\n[aws.s3]\nbucket = \"trail-s3\"\nregion = \"{S3_REGION}\"\nendpoint = \"http://{addr}\"\n"
        );
        let app = app(Mode::configured(&Config::from_toml(&text, None, &wrong).unwrap()).unwrap());
        for uri in [format!("{OSS}/x.gz"), format!("{S3}/x.gz")] {
            let r = call(&app, "GET", &uri).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
            assert_eq!(r.storage_error().code, "SignatureDoesNotMatch", "{uri}");
        }
    }
    assert!(fake.seen().is_empty());
}

/// A store's error that quotes the signed request (and so the session token) reaches the
/// browser as its Code, Message and RequestId only, with no credential in it.
#[tokio::test]
async fn a_stores_error_never_carries_a_credential() {
    let (addr, fake) = start(true).await;
    let wrong = |k: &str| match k {
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" | "AWS_SECRET_ACCESS_KEY" => {
            Some("wrong-secret-0123456789".into())
        }
        other => test_env(true)(other),
    };
    for oss_extra in ["", "signature = \"v1\""] {
        let text = format!(
            "[aliyun.oss]\nbucket = \"trail-oss\"\nregion = \"{OSS_REGION}\"\nendpoint = \"http://{addr}\"\n{oss_extra}\n[aws.s3]\nbucket = \"trail-s3\"\nregion = \"{S3_REGION}\"\nendpoint = \"http://{addr}\"\n"
        );
        let app = app(Mode::configured(&Config::from_toml(&text, None, &wrong).unwrap()).unwrap());
        for uri in [format!("{OSS}/x.gz"), format!("{S3}/x.gz")] {
            let r = call(&app, "GET", &uri).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
            let e = r.storage_error();
            assert_eq!(e.code, "SignatureDoesNotMatch", "{uri}");
            let all = format!("{:?} {}", r.headers, r.text());
            for secret in [ALI_TOKEN, AWS_TOKEN, "wrong-secret-0123456789"] {
                assert!(!all.contains(secret), "{uri}: {secret} in {all}");
            }
        }
    }
    assert!(fake.seen().is_empty(), "refused by the store");
}

/// Error bodies passed back as they are (the APIs' JSON and RPC errors) lose every secret,
/// however the service quoted it.
#[test]
fn secrets_are_redacted_in_every_form() {
    let secret = "s3cr3t/Tk+1=";
    let body = format!(
        "{{\"Message\":\"string to sign: GET&%2F&SecurityToken%3D{}%26 query SecurityToken={} canonical x-amz-security-token:{} json {}\"}}",
        "s3cr3t%252FTk%252B1%253D", "s3cr3t%2FTk%2B1%3D", secret, "s3cr3t\\/Tk+1="
    );
    let out = trailview_proxy::upstream::redact_secrets(body.as_bytes(), &[secret]);
    let out = String::from_utf8(out.to_vec()).unwrap();
    assert!(!out.contains("s3cr3t"), "{out}");
    assert_eq!(out.matches("[redacted]").count(), 4, "{out}");
}

/// An app on another origin may HEAD objects and read the stores' headers.
#[tokio::test]
async fn cors_for_the_storage_routes() {
    let (addr, _fake) = start(false).await;
    let app = proxy(
        addr,
        "[cors]\nallowed_origins = [\"https://app.example.com\"]",
        "",
        false,
    );
    let r = send(
        &app,
        Request::options(format!("{S3}/org/a.gz"))
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "HEAD")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(
        r.header("access-control-allow-methods")
            .is_some_and(|m| m.contains("HEAD")),
        "{:?}",
        r.headers
    );
    let r = send(
        &app,
        Request::get(format!("{S3}/org/a.gz"))
            .header("origin", "https://app.example.com")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let exposed = r.header("access-control-expose-headers").unwrap();
    for h in [
        "etag",
        "content-encoding",
        "x-amz-request-id",
        "x-oss-request-id",
    ] {
        assert!(exposed.contains(h), "{h}: {exposed}");
    }
}

/// A store that stalls mid-object ends the download with an error after the upstream timeout,
/// instead of holding it open.
#[tokio::test]
async fn a_stalled_object_fails_after_the_timeout() {
    let (addr, _fake) = start(false).await;
    let app = proxy(addr, "[limits]\nupstream_timeout_secs = 1", "", false);
    let resp = app
        .clone()
        .oneshot(
            Request::get(format!("{S3}/org/stall.gz"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let started = std::time::Instant::now();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        resp.into_body().collect(),
    )
    .await;
    assert!(matches!(read, Ok(Err(_))), "the body ends in an error");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
