//! The web app's files from `--static-dir`, with the single-page-app fallback: a path that is
//! not a file and does not look like an asset (no `.` in its last segment) gets `index.html`.
//! HTML is sent with `Cache-Control: no-cache` so a rebuilt app is picked up at once. Without
//! an `index.html`, `/` (and any page path) answers a short page saying how to build the app.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

pub async fn serve(dir: PathBuf, req: Request) -> Response {
    let index = dir.join("index.html");
    let fallback_dir = dir.clone();
    let spa = tower::service_fn(move |req: Request| {
        let index = index.clone();
        let dir = fallback_dir.clone();
        async move { Ok::<_, Infallible>(spa_fallback(&dir, &index, req).await) }
    });
    let resp = match ServeDir::new(&dir).fallback(spa).oneshot(req).await {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    no_cache_html(resp)
}

async fn spa_fallback(dir: &Path, index: &Path, req: Request) -> Response {
    let last = req.uri().path().rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "Not found\n").into_response();
    }
    if tokio::fs::metadata(index).await.is_ok_and(|m| m.is_file()) {
        return match ServeFile::new(index).oneshot(req).await {
            Ok(r) => r.map(Body::new),
            Err(never) => match never {},
        };
    }
    not_built(dir)
}

fn not_built(dir: &Path) -> Response {
    let dir = html_escape(&dir.display().to_string());
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>trailview: app not built</title></head>\n\
         <body style=\"font-family: sans-serif; max-width: 40em; margin: 3em auto\">\n\
         <h1>The trailview web app is not built</h1>\n\
         <p>The proxy is running, but <code>{dir}/index.html</code> does not exist.</p>\n\
         <p>Run <code>cargo xtask demo</code>: it builds the app and starts this proxy in demo mode. \
         Or build the app yourself (<code>trunk build --release</code>) and start the proxy with \
         <code>--static-dir</code> pointing at the output.</p>\n\
         <p>The API is up meanwhile: <a href=\"/healthz\">/healthz</a>.</p>\n</body></html>\n"
    );
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn no_cache_html(mut resp: Response) -> Response {
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if html {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    resp
}
