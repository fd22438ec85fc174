//! Writes the ActionTrail demo bucket's objects for `cargo xtask bench`'s files suites:
//! `bench_files <count> <out-dir>` lists the bucket `trailview-demo-actiontrail` holding
//! `count` events (ListObjectsV2 through `DemoBuckets::answer`, as the proxy serves it), writes
//! each object's bytes (GetObject) to `<out-dir>/<key>`, and `manifest.json` last:
//! `{"count","bucket","bytes","files":[{"key","size","events"}]}` in listing order.
//! The same count gives the same bytes (a fixed end time).

use trailview_core::catalogue::Cloud;
use trailview_core::trail_files::{parse_key, parse_list_objects};
use trailview_demo::buckets::{BucketMethod, BucketRequest, DemoBuckets, OSS_BUCKET};

/// 2024-07-01T00:00:00Z: the 30 days of the bucket end here.
const END_MS: i64 = 1_719_792_000_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .expect("usage: bench_files <count> <out-dir>");
    let out = std::path::PathBuf::from(args.next().expect("usage: bench_files <count> <out-dir>"));
    // Each object is written once, right after its listing page: a small cache is enough.
    let buckets = DemoBuckets::with_cache(count, END_MS, 64 << 20);
    let get = |key: &str, query: &str| {
        let a = buckets.answer(&BucketRequest {
            cloud: Cloud::Aliyun,
            method: BucketMethod::Get,
            bucket: OSS_BUCKET,
            key,
            query,
        });
        assert_eq!(
            a.status,
            200,
            "{key}?{query}: {}",
            String::from_utf8_lossy(&a.body)
        );
        a.body
    };
    let mut files = Vec::new();
    let (mut bytes, mut events) = (0u64, 0u64);
    let mut token: Option<String> = None;
    loop {
        let query = match &token {
            Some(t) => format!("list-type=2&max-keys=1000&continuation-token={t}"),
            None => "list-type=2&max-keys=1000".to_string(),
        };
        let body = get("", &query);
        let page = parse_list_objects(&String::from_utf8(body).expect("listing is UTF-8"))
            .expect("a listing");
        for entry in &page.contents {
            let n = parse_key(&entry.key)
                .ok()
                .and_then(|o| o.event_count)
                .expect("an ActionTrail key carries its event count");
            let body = get(&entry.key, "");
            assert_eq!(body.len() as u64, entry.size, "{}", entry.key);
            let path = out.join(&entry.key);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("create dir");
            std::fs::write(&path, &body).expect("write object");
            bytes += entry.size;
            events += n;
            files.push(serde_json::json!({"key": entry.key, "size": entry.size, "events": n}));
        }
        token = page.next_continuation_token.filter(|_| page.is_truncated);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(events, count as u64, "the bucket's files hold every event");
    let manifest = serde_json::json!({
        "count": count,
        "bucket": OSS_BUCKET,
        "bytes": bytes,
        "files": files,
    });
    std::fs::write(out.join("manifest.json"), manifest.to_string()).expect("write manifest");
    println!(
        "{count} events in {} files, {:.1} MB gzipped -> {}",
        files.len(),
        bytes as f64 / 1e6,
        out.display()
    );
}
