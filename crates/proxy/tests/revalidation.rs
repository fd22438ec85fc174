//! Conditional requests: a browser revalidating a cached page or asset gets `304 Not Modified`,
//! and the 304's headers replace the cached response's. So a 304 must carry the headers its 200
//! did: the page's Content-Security-Policy on `index.html` (a 304 has no Content-Type, and the
//! API's `default-src 'none'` on it blanked the page on every reload), immutable caching on
//! hashed assets. Both the demo and `--config` modes are checked.

mod common;
mod fake_cloud;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use std::path::{Path, PathBuf};

const JS: &str = "/trailview-0123456789abcdef.js";
const ICON: &str = "/favicon-0123456789abcdef.svg";

fn temp_dist(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "trailview-proxy-reval-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        format!(
            "<!doctype html><html><head><link rel=\"icon\" href=\"{ICON}\"><script type=\"module\">import init from '{JS}';await init();</script></head><body></body></html>"
        ),
    )
    .unwrap();
    std::fs::write(dir.join(&JS[1..]), "export default async function(){}").unwrap();
    std::fs::write(
        dir.join(&ICON[1..]),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"></svg>",
    )
    .unwrap();
    std::fs::write(dir.join("config.json"), "{}").unwrap();
    dir
}

fn demo_app(dir: &Path) -> Router {
    common::app_with(common::store(), 0, dir.to_path_buf())
}

async fn config_app(dir: &Path) -> Router {
    fake_cloud::proxy_app(
        fake_cloud::closed_port().await,
        &format!("static_dir = \"{}\"", dir.display()),
        true,
    )
}

const SAME: [&str; 5] = [
    "content-security-policy",
    "cache-control",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
];

/// GET `path`, then GET it again with the validators of the first answer (If-Modified-Since,
/// and If-None-Match when there is an ETag), as a browser does on reload; the second answer
/// must be a 304 with the first one's security and caching headers.
async fn check_304(app: &Router, path: &str) -> String {
    let first = common::send(
        app,
        Request::get(path)
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{path}");
    let mut req = Request::get(path).header("accept-encoding", "gzip");
    let last_modified = first
        .header("last-modified")
        .unwrap_or_else(|| panic!("{path}: no Last-Modified"));
    req = req.header("if-modified-since", last_modified);
    if let Some(etag) = first.header("etag") {
        req = req.header("if-none-match", etag);
    }
    let second = common::send(app, req.body(Body::empty()).unwrap()).await;
    assert_eq!(second.status, StatusCode::NOT_MODIFIED, "{path}");
    for name in SAME {
        assert_eq!(
            second.header(name),
            first.header(name),
            "{path}: {name} of the 304 differs from the 200's"
        );
    }
    first.header("content-security-policy").unwrap().to_string()
}

async fn check_all(app: &Router) {
    for path in ["/", "/index.html", "/some/page"] {
        let csp = check_304(app, path).await;
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{path}: {csp}"
        );
        assert!(csp.contains("img-src 'self'"), "{path}: {csp}");
    }
    check_304(app, JS).await;
    check_304(app, ICON).await;
    check_304(app, "/config.json").await;
    // The favicon's own 200: an SVG image, cached like the other hashed assets.
    let r = common::get(app, ICON).await;
    assert_eq!(r.header("content-type"), Some("image/svg+xml"));
    assert_eq!(
        r.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
}

#[tokio::test]
async fn demo_304_keeps_the_page_headers() {
    let dir = temp_dist("demo");
    check_all(&demo_app(&dir)).await;
}

#[tokio::test]
async fn config_304_keeps_the_page_headers() {
    let dir = temp_dist("config");
    check_all(&config_app(&dir).await).await;
}
