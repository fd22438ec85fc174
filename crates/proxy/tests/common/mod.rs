//! Shared helpers: one small dataset for all tests, and requests through `oneshot` (no sockets).
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt as _;
use trailview_core::lookup::{effective_conditions, matches_all};
use trailview_demo::buckets::DemoBuckets;
use trailview_demo::DemoConfig;
use trailview_demo::DemoEvents;
use trailview_demo::{Clock, DemoBackend};
use trailview_proxy::{app, Mode};

/// 2024-06-01T00:00:00Z: the dataset's end and the tests' "now".
pub const END_MS: i64 = 1_717_200_000_000;
pub const DAY_MS: i64 = 86_400_000;

pub fn config() -> DemoConfig {
    DemoConfig {
        seed: 42,
        count: 5000,
        end_ms: END_MS,
        span_days: 30,
    }
}

pub fn store() -> Arc<DemoEvents> {
    static S: OnceLock<Arc<DemoEvents>> = OnceLock::new();
    S.get_or_init(|| Arc::new(DemoEvents::generate(&config())))
        .clone()
}

/// Events in each demo bucket of the tests.
pub const BUCKET_EVENTS: usize = 20_000;

/// The demo buckets (shared: their generated files are cached).
pub fn buckets() -> Arc<DemoBuckets> {
    static B: OnceLock<Arc<DemoBuckets>> = OnceLock::new();
    B.get_or_init(|| Arc::new(DemoBuckets::new(BUCKET_EVENTS, END_MS)))
        .clone()
}

pub fn app_with(store: Arc<DemoEvents>, rate: u32, static_dir: PathBuf) -> Router {
    app(Mode::Demo {
        backend: Arc::new(DemoBackend::new(store, rate, Clock::Fixed(END_MS))),
        buckets: buckets(),
        static_dir,
    })
}

/// The shared dataset, no rate limit, no static files.
pub fn test_app() -> Router {
    app_with(store(), 0, PathBuf::from("/nonexistent/trailview-dist"))
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub fn query(params: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    s.finish()
}

/// `POST /api/aliyun/actiontrail?Action=LookupEvents&...` (as the SDKs and the app send it).
pub async fn lookup(app: &Router, params: &[(&str, &str)]) -> Reply {
    let mut all = vec![("Action", "LookupEvents")];
    all.extend_from_slice(params);
    let uri = format!("/api/aliyun/actiontrail?{}", query(&all));
    send(app, Request::post(uri).body(Body::empty()).unwrap()).await
}

/// Follow NextToken to the end; returns the event ids in order and the page sizes.
pub async fn collect_all(
    app: &Router,
    params: &[(&str, &str)],
    max: usize,
) -> (Vec<String>, Vec<usize>) {
    let max_s = max.to_string();
    let mut ids = Vec::new();
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10_000 {
        let mut p: Vec<(&str, &str)> = params.to_vec();
        p.push(("MaxResults", &max_s));
        if let Some(t) = &token {
            p.push(("NextToken", t));
        }
        let r = lookup(app, &p).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        let events = v["Events"].as_array().expect("Events");
        sizes.push(events.len());
        ids.extend(
            events
                .iter()
                .map(|e| e["eventId"].as_str().expect("eventId").to_string()),
        );
        match v.get("NextToken") {
            Some(t) => token = Some(t.as_str().expect("token string").to_string()),
            None => return (ids, sizes),
        }
    }
    panic!("paging did not end");
}

/// What a query should return, computed directly over the dataset.
pub fn expected(conds: &[(&str, &str)], start_ms: i64, end_ms: i64, backward: bool) -> Vec<String> {
    let given: Vec<(String, String)> = conds
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (conds, _) = effective_conditions(&given).expect("valid conditions");
    let st = store();
    let mut v: Vec<String> = st
        .events()
        .iter()
        .filter(|e| e.time_ms >= start_ms && e.time_ms < end_ms && matches_all(&conds, &e.record))
        .map(|e| e.record.event_id.clone().unwrap())
        .collect();
    if backward {
        v.reverse();
    }
    v
}

pub fn assert_alibaba_error(r: &Reply, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(r.status.as_u16(), status, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["Code"], code, "{v}");
    let id = v["RequestId"].as_str().expect("RequestId");
    assert_eq!(id.len(), 36);
    assert!(
        id.chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_lowercase()),
        "{id}"
    );
    assert!(v["HostId"]
        .as_str()
        .is_some_and(|h| h.ends_with(".aliyuncs.com")));
    assert!(v["Message"].as_str().is_some_and(|m| !m.is_empty()));
    let rec = v["Recommend"].as_str().expect("Recommend");
    assert!(
        rec.starts_with("https://api.aliyun.com/troubleshoot?q="),
        "{rec}"
    );
    assert!(
        rec.contains(&format!("q={code}&")) && rec.ends_with(&format!("requestId={id}")),
        "{rec}"
    );
    assert_eq!(v.as_object().unwrap().len(), 5, "{v}");
    v
}
