//! Health, static files with SPA fallback, unknown routes, the not-yet-implemented clouds.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use std::path::PathBuf;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "trailview-proxy-test-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn healthz() {
    let r = get(&test_app(), "/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), serde_json::json!({"status": "ok"}));
}

#[tokio::test]
async fn static_files_with_spa_fallback() {
    let dir = temp_dir("dist");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>trailview</title>",
    )
    .unwrap();
    std::fs::write(dir.join("app-1234.js"), "console.log(1)").unwrap();
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("assets/style.css"), "body{}").unwrap();
    let app = app_with(store(), 0, dir.clone());

    for path in ["/", "/index.html", "/events/some-id", "/settings"] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.text().contains("<title>trailview</title>"), "{path}");
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{path}");
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
    }
    let r = get(&app, "/app-1234.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text(), "console.log(1)");
    assert!(r.header("content-type").unwrap().contains("javascript"));
    // Not a content-hashed name (16 hex digits): revalidated, never cached as immutable.
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert_eq!(get(&app, "/assets/style.css").await.text(), "body{}");
    // A missing asset is a 404, not the page.
    assert_eq!(
        get(&app, "/missing-5678.js").await.status,
        StatusCode::NOT_FOUND
    );
    // No escaping the directory.
    assert_ne!(get(&app, "/../Cargo.toml").await.status, StatusCode::OK);
    // The API is not shadowed by the fallback.
    assert_eq!(get(&app, "/api/nope").await.status, StatusCode::NOT_FOUND);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn missing_app_says_how_to_build_it() {
    let dir = temp_dir("empty");
    let app = app_with(store(), 0, dir.clone());
    for path in ["/", "/some/page"] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let t = r.text();
        assert!(
            t.contains("not built") && t.contains("cargo xtask demo"),
            "{t}"
        );
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
    }
    std::fs::remove_dir_all(dir).unwrap();
    // A directory that does not exist at all.
    let r = get(&test_app(), "/").await;
    assert!(r.text().contains("cargo xtask demo"));
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s() {
    let app = test_app();
    for path in [
        "/api",
        "/api/",
        "/api/nope",
        "/api/aliyun/actiontrail/extra",
        "/api/aliyun/ecs",
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.json()["Code"], "NotFound");
    }
    // Under /api/aws the answer is AWS-shaped, as an AWS SDK reads it.
    for path in [
        "/api/aws",
        "/api/aws/",
        "/api/aws/nope",
        "/api/aws/logs/extra",
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            r.header("content-type"),
            Some("application/x-amz-json-1.1"),
            "{path}"
        );
        let v = r.json();
        assert_eq!(v["__type"], "UnknownOperationException", "{path}: {v}");
        assert!(v["message"].as_str().unwrap().contains(path), "{v}");
        assert!(v.get("Code").is_none(), "{v}");
        assert_eq!(
            r.header("x-amzn-errortype"),
            Some("UnknownOperationException")
        );
        assert!(r.header("x-amzn-requestid").is_some());
    }
}

#[tokio::test]
async fn cdn_and_aws_answer_cloud_style_errors_for_unknown_operations() {
    let app = test_app();
    let r = send(
        &app,
        Request::post("/api/aliyun/cdn?Action=DescribeCdnDomainDetail")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let v = assert_alibaba_error(&r, 404, "InvalidAction.NotFound");
    assert_eq!(v["HostId"], "cdn.aliyuncs.com");
    assert!(v["Recommend"].as_str().unwrap().contains("product=Cdn"));

    let r = send(
        &app,
        Request::post("/api/aws/logs")
            .header("x-amz-target", "Logs_20140328.PutLogEvents")
            .header(header::CONTENT_TYPE, "application/x-amz-json-1.1")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["__type"], "UnknownOperationException");
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("PutLogEvents"));
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("UnknownOperationException")
    );
    assert!(r.header("x-amzn-requestid").is_some());
}

#[tokio::test]
async fn responses_are_gzipped_when_asked() {
    let app = test_app();
    let r = send(
        &app,
        Request::get("/api/aliyun/actiontrail?Action=LookupEvents&MaxResults=50")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(&r.body[..2], &[0x1f, 0x8b]);
}

#[tokio::test]
async fn method_not_allowed_on_api() {
    let r = send(
        &test_app(),
        Request::delete("/api/aliyun/actiontrail")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// Every operation in the catalogue (what the app sends, and what only the demo implements)
/// is answered by the demo: never with the cloud's unknown-action error.
#[tokio::test]
async fn demo_answers_every_catalogue_operation() {
    use trailview_core::catalogue::{Api, OPERATIONS};
    let app = test_app();
    for op in OPERATIONS {
        let r = match op.api {
            Api::ActionTrail | Api::Cdn => {
                let uri = format!("/{}?{}", op.api.route(), query(&[("Action", op.name)]));
                send(
                    &app,
                    Request::post(format!("/api{uri}"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
            }
            Api::CloudWatchLogs | Api::CloudTrail => {
                send(
                    &app,
                    Request::post(format!("/api/{}", op.api.route()))
                        .header("x-amz-target", op.api.target(op.name).unwrap())
                        .body(Body::from("{}"))
                        .unwrap(),
                )
                .await
            }
            Api::Sls => {
                let base = format!(
                    "/api/{}/{}/logstores",
                    op.api.route(),
                    trailview_demo::engines::sls::PROJECT
                );
                match op.name {
                    "GetLogs" => {
                        let store = trailview_demo::engines::sls::LOGSTORE;
                        get(&app, &format!("{base}/{store}?type=log&from=0&to=1")).await
                    }
                    _ => get(&app, &base).await,
                }
            }
            Api::Oss | Api::S3 => {
                let bucket = match op.api {
                    Api::Oss => trailview_demo::buckets::OSS_BUCKET,
                    _ => trailview_demo::buckets::S3_BUCKET,
                };
                let base = format!("/api/{}/{bucket}", op.api.route());
                let list = get(&app, &format!("{base}?list-type=2&max-keys=1000")).await;
                // A file of the bucket, for GetObject and HeadObject.
                let page = trailview_core::trail_files::parse_list_objects(&list.text()).unwrap();
                let key = &page
                    .contents
                    .first()
                    .expect("a file in the demo bucket")
                    .key;
                match op.name {
                    "ListObjectsV2" => list,
                    "GetObject" => get(&app, &format!("{base}/{key}")).await,
                    _ => {
                        send(
                            &app,
                            Request::head(format!("{base}/{key}"))
                                .body(Body::empty())
                                .unwrap(),
                        )
                        .await
                    }
                }
            }
        };
        let body = r.text();
        assert_ne!(r.status, StatusCode::NOT_FOUND, "{}: {body}", op.name);
        for unknown in ["InvalidAction.NotFound", "UnknownOperationException"] {
            assert!(!body.contains(unknown), "{}: {body}", op.name);
        }
    }
    // Outside the catalogue: the cloud's unknown-action error.
    let r = send(
        &app,
        Request::post("/api/aliyun/actiontrail?Action=CreateTrail")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["Code"], "InvalidAction.NotFound");
    let r = send(
        &app,
        Request::post("/api/aws/logs")
            .header("x-amz-target", "Logs_20140328.DeleteLogGroup")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["__type"], "UnknownOperationException");
}
