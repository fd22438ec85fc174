//! Browser-to-proxy authentication for `/api/*` (the app's own files stay public: the app has to
//! load before the user can enter a token).
//!
//! A request is let through when it carries `Authorization: Bearer <token>` with one of the
//! configured tokens (compared in constant time), or — when `identity_header` is configured — a
//! non-empty value in that header, which an authenticating reverse proxy in front sets. With
//! neither configured the proxy only listens on loopback (checked at start, in `config`).

use crate::cloud_error::route_error;
use crate::config::SecurityConfig;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Who made a request (the identity header's value, or "bearer"), for the access log.
#[derive(Debug, Clone)]
pub struct Identity(pub String);

/// Equal in time independent of where the inputs differ (both sides hashed first, so the
/// lengths do not leak either).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let (ha, hb) = (Sha256::digest(a), Sha256::digest(b));
    ha.iter()
        .zip(hb.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

pub enum Outcome {
    Allowed(Identity),
    Missing,
    Wrong,
}

pub fn check(sec: &SecurityConfig, headers: &axum::http::HeaderMap) -> Outcome {
    if !sec.auth_configured() {
        return Outcome::Allowed(Identity("local".into()));
    }
    if let Some(h) = &sec.identity_header {
        if let Some(v) = headers.get(h).and_then(|v| v.to_str().ok()) {
            let v = v.trim();
            if !v.is_empty() {
                return Outcome::Allowed(Identity(v.chars().take(128).collect()));
            }
        }
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    match bearer {
        None => Outcome::Missing,
        Some(t) => {
            // Check every token (no early exit), so timing does not tell which one matched.
            let ok = sec.bearer_tokens.iter().fold(false, |acc, s| {
                constant_time_eq(t.as_bytes(), s.0.as_bytes()) | acc
            });
            if ok {
                Outcome::Allowed(Identity("bearer".into()))
            } else {
                Outcome::Wrong
            }
        }
    }
}

/// The middleware: only `/api` paths are guarded.
pub async fn require_auth(
    State(sec): State<Arc<SecurityConfig>>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if !(path == "/api" || path.starts_with("/api/")) {
        return next.run(req).await;
    }
    match check(&sec, req.headers()) {
        Outcome::Allowed(id) => {
            req.extensions_mut().insert(id);
            next.run(req).await
        }
        outcome => {
            let (status, msg) = match outcome {
                Outcome::Missing => (
                    StatusCode::UNAUTHORIZED,
                    "trailview-proxy requires authentication: enter the proxy token in Settings (sent as Authorization: Bearer), or sign in through the authenticating proxy.",
                ),
                _ => (
                    StatusCode::FORBIDDEN,
                    "trailview-proxy: the proxy token is not valid. Check the token in Settings.",
                ),
            };
            tracing::warn!(path = %path, status = status.as_u16(), "request refused: not authenticated");
            let code = if status == StatusCode::UNAUTHORIZED {
                "Proxy.Unauthenticated"
            } else {
                "Proxy.InvalidToken"
            };
            let mut resp = route_error(path, status, code, msg);
            if status == StatusCode::UNAUTHORIZED {
                resp.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"trailview-proxy\""),
                );
            }
            resp
        }
    }
}
