//! Authentication, CORS, request limits and static-file headers of the
//! `--config` app (driven with `oneshot`; the cloud is the loopback fake where one is needed).

mod fake_cloud;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use fake_cloud::*;
use std::net::SocketAddr;
use std::path::PathBuf;

const TOKEN: &str = PROXY_TOKEN;

fn proxy(addr: SocketAddr, extra: &str) -> Router {
    proxy_app(addr, extra, true)
}

const LOOKUP: &str = "/api/aliyun/actiontrail?Action=LookupEvents&MaxResults=50";
const AUTH: &str =
    "[auth]\nbearer_token_env = \"TRAILVIEW_PROXY_TOKEN\"\nidentity_header = \"X-Forwarded-User\"";

#[tokio::test]
async fn bearer_token_and_identity_header() {
    let (addr, fake) = start(true).await;
    let app = proxy(addr, AUTH);
    // No credentials: 401, Alibaba-shaped on the Alibaba route, AWS-shaped on the AWS route.
    let r = send(&app, Request::post(LOOKUP).body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["Code"], "Proxy.Unauthenticated");
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    let r = send(
        &app,
        Request::post("/api/aws/logs")
            .header("x-amz-target", "Logs_20140328.DescribeExportTasks")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["__type"], "MissingAuthenticationTokenException");
    // A wrong token: 403.
    for bad in [
        "Bearer nope",
        "Bearer tv-proxy-token-0123456789abcdeF",
        "Basic dXNlcjpwYXNz",
        &format!("Bearer{TOKEN}"),
    ] {
        let r = send(
            &app,
            Request::post(LOOKUP)
                .header("authorization", bad)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert!(
            matches!(r.status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED),
            "{bad}"
        );
    }
    // An empty identity header is no identity.
    let r = send(
        &app,
        Request::post(LOOKUP)
            .header("x-forwarded-user", " ")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(fake.seen().is_empty());
    // The right token, or an identity from the auth proxy.
    let r = send(
        &app,
        Request::post(LOOKUP)
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = send(
        &app,
        Request::post(LOOKUP)
            .header("x-forwarded-user", "alice@example.com")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(fake.seen().len(), 2);
    // The app itself and the health check stay public.
    let r = send(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn cors_only_for_configured_origins() {
    let (addr, _fake) = start(true).await;
    let app = proxy(
        addr,
        &format!("{AUTH}\n[cors]\nallowed_origins = [\"https://app.example.com\"]"),
    );
    let preflight = |origin: &str| {
        Request::options(LOOKUP)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization")
            .body(Body::empty())
            .unwrap()
    };
    let r = send(&app, preflight("https://app.example.com")).await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert!(r
        .header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    let r = send(&app, preflight("https://evil.example.com")).await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    // Actual requests: the header only for the allowed origin; errors carry it too, so the
    // app can show a 401.
    let r = send(
        &app,
        Request::post(LOOKUP)
            .header("origin", "https://app.example.com")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert!(r
        .header("access-control-expose-headers")
        .unwrap()
        .contains("x-acs-request-id"));
    let r = send(
        &app,
        Request::post(LOOKUP)
            .header("origin", "https://evil.example.com")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    // Without [cors], no CORS headers at all.
    let app = proxy(addr, "");
    let r = send(&app, preflight("https://app.example.com")).await;
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn request_limits() {
    let (addr, fake) = start(true).await;
    let app = proxy(
        addr,
        "[limits]\nmax_body_bytes = 100\nmax_query_bytes = 200\nmax_header_bytes = 1000",
    );
    let long_q = format!(
        "{LOOKUP}&LookupAttribute.1.Key=User&LookupAttribute.1.Value={}",
        "a".repeat(200)
    );
    let r = send(
        &app,
        Request::post(long_q.as_str()).body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::URI_TOO_LONG);
    assert_eq!(r.json()["Code"], "Proxy.QueryTooLong");
    let r = send(
        &app,
        Request::post(LOOKUP)
            .header("x-junk", "b".repeat(1000))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let big = format!("{{\"taskId\":\"{}\"}}", "c".repeat(200));
    let r = send(
        &app,
        Request::post("/api/aws/logs")
            .header("x-amz-target", "Logs_20140328.DescribeExportTasks")
            .header("content-length", big.len())
            .body(Body::from(big.clone()))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["__type"], "ValidationException");
    // Without a Content-Length (streamed), the body limit still holds.
    let stream = Body::new(Streamed(Some(big)));
    let r = send(
        &app,
        Request::post("/api/aws/logs")
            .header("x-amz-target", "Logs_20140328.DescribeExportTasks")
            .body(stream)
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(fake.seen().is_empty());
}

/// A body with no Content-Length (one data frame, size unknown up front).
struct Streamed(Option<String>);

impl http_body::Body for Streamed {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(self.0.take().map(|s| Ok(http_body::Frame::data(s.into()))))
    }
}

fn temp_dist() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trailview-proxy-sec-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><html><head><script type=\"module\">import init from '/trailview-0123456789abcdef.js';await init();</script></head><body></body></html>",
    )
    .unwrap();
    std::fs::write(
        dir.join("trailview-0123456789abcdef.js"),
        "export default async function(){}",
    )
    .unwrap();
    std::fs::write(dir.join("config.json"), "{}").unwrap();
    dir
}

#[tokio::test]
async fn static_files_headers_and_csp() {
    let addr = closed_port().await;
    let dir = temp_dist();
    let app = proxy(addr, &format!("static_dir = \"{}\"", dir.display()));
    for path in ["/", "/index.html", "/some/page"] {
        // Compressed or not, the page's own inline script is allowed by its hash.
        let r = send(
            &app,
            Request::get(path)
                .header("accept-encoding", "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        let csp = r.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    }
    let r = send(
        &app,
        Request::get("/trailview-0123456789abcdef.js")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        r.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let r = send(
        &app,
        Request::get("/config.json").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    let r = send(
        &app,
        Request::get("/missing-0123456789abcdef.js")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_ne!(
        r.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
}
