//! The demo buckets behind the storage routes (`--demo`): listings and objects of both clouds
//! in their trail layouts, the stores' headers and errors, and the same refusals as the
//! signing proxy.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use trailview_core::trail_files::{parse_key, parse_list_objects, ListObjectsPage, StorageError};
use trailview_demo::buckets::{OSS_BUCKET, S3_BUCKET};

async fn call(app: &axum::Router, method: &str, uri: &str) -> Reply {
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

async fn list(app: &axum::Router, base: &str, prefix: &str) -> ListObjectsPage {
    let r = get(
        app,
        &format!(
            "{base}?list-type=2&delimiter=%2F&prefix={}",
            prefix.replace('/', "%2F")
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/xml"));
    parse_list_objects(&r.text()).unwrap()
}

/// Walk down the first folder at each level to the first file: its key.
async fn first_file(app: &axum::Router, base: &str, root: &str) -> String {
    let mut prefix = root.to_string();
    for _ in 0..10 {
        let page = list(app, base, &prefix).await;
        if let Some(c) = page.contents.first() {
            return c.key.clone();
        }
        prefix = page.common_prefixes.first().expect("a folder").clone();
    }
    panic!("no file under {root}");
}

#[tokio::test]
async fn both_buckets_list_and_serve_trail_files() {
    let app = test_app();
    for (route, bucket, root, id_header) in [
        (
            "aliyun/oss",
            OSS_BUCKET,
            "AliyunLogs/Actiontrail/",
            "x-oss-request-id",
        ),
        ("aws/s3", S3_BUCKET, "AWSLogs/", "x-amz-request-id"),
    ] {
        let base = format!("/api/{route}/{bucket}");
        let top = list(&app, &base, root).await;
        assert!(!top.common_prefixes.is_empty(), "{top:?}");
        let key = first_file(&app, &base, root).await;
        let parsed = parse_key(&key).unwrap_or_else(|e| panic!("{key}: {e:?}"));
        assert!(parsed.time_ms <= END_MS, "{key}");
        let r = get(&app, &format!("{base}/{key}")).await;
        assert_eq!(r.status, StatusCode::OK, "{key}: {}", r.text());
        assert_eq!(&r.body[..2], &[0x1f, 0x8b], "{key} is gzip");
        assert!(r.header("etag").is_some() && r.header("last-modified").is_some());
        assert!(r.header(id_header).is_some(), "{id_header}");
        let len: usize = r.header("content-length").unwrap().parse().unwrap();
        assert_eq!(len, r.body.len());
        let head = call(&app, "HEAD", &format!("{base}/{key}")).await;
        assert_eq!(head.status, StatusCode::OK);
        assert!(head.body.is_empty());
        assert_eq!(head.header("etag"), r.header("etag"));
        assert_eq!(head.header("content-length"), r.header("content-length"));
        // The file's bytes go out as they are, never compressed again.
        let gz = send(
            &app,
            Request::get(format!("{base}/{key}"))
                .header("accept-encoding", "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(gz.header("content-encoding"), None);
        assert_eq!(gz.body, r.body);
        // Errors are the stores' own.
        let r = get(&app, &format!("{base}/{root}nope.gz")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(StorageError::parse(&r.text()).unwrap().code, "NoSuchKey");
        let r = get(&app, &format!("/api/{route}/no-such-bucket?list-type=2")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(StorageError::parse(&r.text()).unwrap().code, "NoSuchBucket");
    }
}

#[tokio::test]
async fn demo_refuses_what_the_proxy_refuses() {
    let app = test_app();
    let b = format!("/api/aws/s3/{S3_BUCKET}");
    for (method, uri) in [
        ("PUT", format!("{b}/AWSLogs/x.json.gz")),
        ("DELETE", format!("{b}/AWSLogs/x.json.gz")),
        ("GET", format!("{b}?acl")),
        ("GET", format!("{b}?policy")),
        ("GET", format!("{b}/AWSLogs/x.json.gz?acl")),
        ("GET", format!("{b}/AWSLogs/../x")),
        ("GET", format!("{b}/AWSLogs%2F..%2Fx")),
        ("GET", format!("{b}/AWSLogs/%2e%2e/x")),
    ] {
        let r = call(&app, method, &uri).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert_eq!(
            StorageError::parse(&r.text()).unwrap().code,
            "AccessDenied",
            "{method} {uri}"
        );
        assert!(r.header("x-amz-request-id").is_some());
    }
}
