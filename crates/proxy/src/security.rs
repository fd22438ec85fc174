//! The layers around the app in `--config` mode (see [`secure`]): CORS for configured origins,
//! limits on query, header and body size, authentication for `/api`, and for everything served
//! security headers: a Content-Security-Policy without inline script (the inline scripts of the
//! app's `index.html`, like the module loader Trunk writes, are allowed by their SHA-256 hash,
//! computed from the file on disk so a rebuilt app is picked up and compression does not get in
//! the way), immutable caching for hashed assets and `no-cache` for the rest.

use crate::cloud_error::route_error;
use crate::config::SecurityConfig;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The response headers every mode sends: the pages' Content-Security-Policy (so the demo,
/// and the end-to-end tests against it, run under the same policy as a deployment),
/// `nosniff`, and caching by asset kind.
pub(crate) fn page_headers(router: Router, static_dir: PathBuf) -> Router {
    router.layer(middleware::from_fn_with_state(
        Arc::new(static_dir),
        response_headers,
    ))
}

/// Wrap the app with the security layers.
pub(crate) fn secure(router: Router, sec: Arc<SecurityConfig>, static_dir: PathBuf) -> Router {
    let router = page_headers(
        router.layer(middleware::from_fn_with_state(
            sec.clone(),
            crate::auth::require_auth,
        )),
        static_dir,
    )
    .layer(DefaultBodyLimit::max(sec.max_body_bytes))
    .layer(middleware::from_fn_with_state(sec.clone(), limits));
    if sec.cors_origins.is_empty() {
        return router;
    }
    router.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(sec.cors_origins.clone()))
            .allow_methods([Method::GET, Method::HEAD, Method::POST])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::HeaderName::from_static("x-amz-target"),
            ])
            .expose_headers([
                header::HeaderName::from_static("x-acs-request-id"),
                header::HeaderName::from_static("x-acs-retry-after"),
                header::HeaderName::from_static("x-amzn-requestid"),
                header::HeaderName::from_static("x-amzn-errortype"),
                header::RETRY_AFTER,
                // The storage routes' answers (Content-Length, Content-Type and Last-Modified
                // are exposed to every origin already).
                header::ETAG,
                header::CONTENT_ENCODING,
                header::HeaderName::from_static("x-oss-request-id"),
                header::HeaderName::from_static("x-amz-request-id"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// Query length (414), total header size (431), declared body size (413).
async fn limits(State(sec): State<Arc<SecurityConfig>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let query_len = req.uri().query().map_or(0, str::len);
    if query_len > sec.max_query_bytes {
        return route_error(
            &path,
            StatusCode::URI_TOO_LONG,
            "Proxy.QueryTooLong",
            &format!(
                "The query string is {query_len} bytes; trailview-proxy accepts at most {}.",
                sec.max_query_bytes
            ),
        );
    }
    let header_len: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_len > sec.max_header_bytes {
        return route_error(
            &path,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "Proxy.HeadersTooLarge",
            &format!(
                "The request headers are {header_len} bytes; trailview-proxy accepts at most {}.",
                sec.max_header_bytes
            ),
        );
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > sec.max_body_bytes as u64) {
        return route_error(
            &path,
            StatusCode::PAYLOAD_TOO_LARGE,
            "Proxy.BodyTooLarge",
            &format!(
                "The request body is larger than the {} bytes trailview-proxy accepts.",
                sec.max_body_bytes
            ),
        );
    }
    next.run(req).await
}

/// `name-0123456789abcdef.js`, `name-0123456789abcdef_bg.wasm`: Trunk's content-hashed names.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let Some((stem, _ext)) = file.split_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A path the app's pages answer: `index.html` (a directory, or the SPA fallback for a path
/// whose last segment has no `.`), or an `.html` file.
pub fn is_page_path(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    !file.contains('.') || file.ends_with(".html") || file.ends_with(".htm")
}

/// `'sha256-…'` sources for the inline `<script>` elements of an HTML page.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<script") {
        let start = at + i;
        let Some(tag_end) = lower[start..].find('>').map(|e| start + e) else {
            break;
        };
        let tag = &lower[start..tag_end];
        let Some(close) = lower[tag_end..].find("</script").map(|e| tag_end + e) else {
            break;
        };
        if !tag.contains(" src=") && !tag.contains(" src =") {
            let content = &html[tag_end + 1..close];
            let digest = Sha256::digest(content.as_bytes());
            out.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        at = close;
    }
    out
}

pub fn csp_for_html(html: &str) -> String {
    csp_for_dist(html, None)
}

/// The origin of `config.json`'s `proxyBase` when it is absolute (`https://host[:port]`): the
/// app on a CDN calls the proxy there, so `connect-src` must allow it.
pub fn proxy_origin(config_json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(config_json).ok()?;
    let base = v.get("proxyBase")?.as_str()?;
    let uri: http::Uri = base.parse().ok()?;
    let scheme = uri.scheme_str().filter(|s| *s == "https" || *s == "http")?;
    Some(format!("{scheme}://{}", uri.authority()?))
}

/// The CSP for an app directory: `index.html`'s inline scripts by hash, and `connect-src`
/// extended with the proxy origin from `config.json` (if any).
pub fn csp_for_dist(html: &str, config_json: Option<&str>) -> String {
    let connect = match config_json.and_then(proxy_origin) {
        Some(o) => format!("'self' {o}"),
        None => "'self'".to_string(),
    };
    let hashes = inline_script_hashes(html).join(" ");
    let script = if hashes.is_empty() {
        String::new()
    } else {
        format!(" {hashes}")
    };
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{script}; style-src 'self'; \
         img-src 'self' data:; connect-src {connect}; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The CSP of a Web Worker's script (Trunk's `<bin>_loader.js`): a dedicated worker runs under
/// the policy its script is served with, and the app's worker imports its wasm-bindgen script,
/// fetches its wasm and compiles it, all from this origin.
const WORKER_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
                          connect-src 'self'; frame-ancestors 'none'";

/// A Web Worker's entry script (Trunk's loader shim, named `<bin>_loader.js`).
pub fn is_worker_script(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|f| f.ends_with("_loader.js"))
}

/// The CSP for the app's pages: `index.html`'s inline scripts by hash (none if it is absent).
async fn page_csp(static_dir: &std::path::Path) -> String {
    let html = tokio::fs::read_to_string(static_dir.join("index.html"))
        .await
        .unwrap_or_default();
    let config = tokio::fs::read_to_string(static_dir.join("config.json"))
        .await
        .ok();
    csp_for_dist(&html, config.as_deref())
}

async fn response_headers(
    State(static_dir): State<Arc<PathBuf>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let (mut parts, body) = resp.into_parts();
    let h = &mut parts.headers;
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // A 304 has no Content-Type, yet its headers replace the cached 200's: decide by what the
    // 200 for this path is, or the page is reloaded under the assets' `default-src 'none'`.
    let is_html = match h.get(header::CONTENT_TYPE) {
        Some(ct) => ct.to_str().is_ok_and(|ct| ct.starts_with("text/html")),
        None => is_page_path(&path),
    };
    let api = path == "/api" || path.starts_with("/api/") || path == "/healthz";
    if api {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Response::from_parts(parts, body);
    }
    if is_html {
        // Every HTML page served is index.html (SPA fallback) or the "not built" page, which
        // has no script.
        let csp = page_csp(&static_dir).await;
        if let Ok(v) = HeaderValue::from_str(&csp) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return Response::from_parts(parts, body);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if is_worker_script(&path) {
            WORKER_CSP
        } else {
            API_CSP
        }),
    );
    let full_or_unchanged = matches!(
        parts.status,
        StatusCode::OK | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT
    );
    let cache = if full_or_unchanged && is_hashed_asset(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_assets() {
        assert!(is_hashed_asset("/trailview-5adcb07a48237bc4.js"));
        assert!(is_hashed_asset("/trailview-5adcb07a48237bc4_bg.wasm"));
        assert!(is_worker_script("/trailview-worker_loader.js"));
        assert!(!is_worker_script("/trailview-worker.js"));
        assert!(!is_worker_script("/trailview-5adcb07a48237bc4.js"));
        assert!(is_hashed_asset("/main-982eea757fd72034.css"));
        assert!(!is_hashed_asset("/config.json"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/app-1234.js"));
        assert!(!is_hashed_asset("/"));
    }

    #[test]
    fn page_paths() {
        for p in ["/", "/index.html", "/some/page", "/jobs/"] {
            assert!(is_page_path(p), "{p}");
        }
        for p in [
            "/config.json",
            "/trailview-5adcb07a48237bc4.js",
            "/favicon.ico",
        ] {
            assert!(!is_page_path(p), "{p}");
        }
    }

    #[test]
    fn inline_hashes() {
        // sha256("alert(1)") in base64.
        let html =
            "<html><script src=\"/a.js\"></script><SCRIPT type=\"module\">alert(1)</script></html>";
        let h = inline_script_hashes(html);
        assert_eq!(
            h,
            vec!["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='".to_string()]
        );
        let csp = csp_for_html(html);
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
        // The proxy on another origin (config.json) is allowed to be called.
        let csp = csp_for_dist(
            html,
            Some(r#"{"proxyBase":"https://audit.example.com:8443/api"}"#),
        );
        assert!(csp.contains("connect-src 'self' https://audit.example.com:8443;"));
        for same in [
            r#"{"proxyBase":"/api"}"#,
            "{}",
            "not json",
            r#"{"proxyBase":"javascript:x"}"#,
        ] {
            assert!(
                csp_for_dist(html, Some(same)).contains("connect-src 'self';"),
                "{same}"
            );
        }
    }
}
