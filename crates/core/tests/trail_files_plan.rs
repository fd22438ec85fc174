//! A bucket source's walks (`trail_files::plan`) against the demo buckets, as the app drives
//! them: the regions under each trail root, a two-hour range's files (only its day folders,
//! started after and stopped at the range's names), and the files' contents: every kept file
//! downloads and parses, the ActionTrail names' event counts add up to the records loaded, and
//! no file that may hold events of the range is missed.

use trailview_core::catalogue::Cloud;
use trailview_core::paging::RunEnd;
use trailview_core::trail_files::plan::{
    read_listing, storage_error, BucketSource, BucketSpec, BucketWalk, PlannedFile, WalkStep,
};
use trailview_core::trail_files::{parse_key, read_file, Limits, ListObjectsRequest, RegionFolder};
use trailview_demo::buckets::{BucketMethod, BucketRequest, DemoBuckets, OSS_BUCKET, S3_BUCKET};

const END_MS: i64 = 1_717_200_000_000; // 2024-06-01T00:00:00Z
const HOUR: i64 = 3_600_000;

fn source(cloud: &str, bucket: &str) -> BucketSource {
    BucketSource::from_spec(&BucketSpec {
        label: None,
        cloud: cloud.into(),
        bucket: bucket.into(),
        prefix: None,
    })
    .unwrap()
}

fn get(b: &DemoBuckets, s: &BucketSource, key: &str, query: &str) -> (u16, Vec<u8>) {
    let a = b.answer(&BucketRequest {
        cloud: s.cloud,
        method: BucketMethod::Get,
        bucket: &s.bucket,
        key,
        query,
    });
    (a.status, a.body)
}

/// Runs a walk to its end against the demo buckets: its calls.
fn run(b: &DemoBuckets, walk: &mut BucketWalk) -> usize {
    let mut calls = 0;
    loop {
        match walk.step() {
            WalkStep::Stop(end) => {
                assert_eq!(end, RunEnd::Complete);
                return calls;
            }
            WalkStep::Fetch(req) => {
                calls += 1;
                let (status, body) = get(b, &walk.source, "", &req.to_query());
                let page = read_listing(status, None, std::str::from_utf8(&body).unwrap())
                    .unwrap_or_else(|e| panic!("{}: {e}", req.to_query()));
                walk.accept(&page);
            }
        }
    }
}

/// Every key under `prefix`, by plain listing (no delimiter, no start-after).
fn all_keys(b: &DemoBuckets, s: &BucketSource, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let req = ListObjectsRequest {
            prefix: prefix.into(),
            continuation_token: token.take(),
            ..Default::default()
        };
        let (status, body) = get(b, s, "", &req.to_query());
        let page = read_listing(status, None, std::str::from_utf8(&body).unwrap()).unwrap();
        keys.extend(page.contents.into_iter().map(|o| o.key));
        match page.next_continuation_token {
            Some(t) if page.is_truncated => token = Some(t),
            _ => return keys,
        }
    }
}

fn check_bucket(cloud: &str, bucket: &str, regions: usize) {
    let b = DemoBuckets::new(50_000, END_MS);
    let s = source(cloud, bucket);
    let mut walk = BucketWalk::regions(s.clone());
    run(&b, &mut walk);
    let found: Vec<RegionFolder> = walk.found();
    assert_eq!(found.len(), regions, "{found:?}");

    // Two hours across midnight, ten days before the end: two day folders per region.
    let (from, to) = (
        END_MS - 10 * 24 * HOUR - HOUR,
        END_MS - 10 * 24 * HOUR + HOUR,
    );
    let mut walk = BucketWalk::files(s.clone(), &found, from, to);
    let calls = run(&b, &mut walk);
    assert_eq!(calls, 2 * regions, "one page per day folder");
    let planned: Vec<PlannedFile> = walk.planned();
    assert!(!planned.is_empty());

    // The same files as listing every key of those days and keeping what may hold the range.
    let mut brute: Vec<String> = Vec::new();
    for f in &found {
        for day in f.day_prefixes(from, to) {
            brute.extend(
                all_keys(&b, &s, &day)
                    .into_iter()
                    .filter(|k| parse_key(k).is_ok_and(|o| o.may_hold(from, to))),
            );
        }
    }
    let mut kept: Vec<String> = planned.iter().map(|f| f.key.clone()).collect();
    brute.sort();
    kept.sort();
    assert_eq!(kept, brute);

    // Every file downloads and parses; the sizes are the listing's.
    let mut records = 0u64;
    for f in &planned {
        let (status, body) = get(&b, &s, &f.key, "");
        assert_eq!(status, 200, "{}", f.key);
        assert_eq!(body.len() as u64, f.size, "{}", f.key);
        records += read_file(&body, &Limits::default()).unwrap().records.len() as u64;
    }
    let totals = walk.totals();
    assert_eq!(totals.bytes, planned.iter().map(|f| f.size).sum::<u64>());
    match totals.known_events() {
        Some(n) => assert_eq!(n, records, "the names' event counts are the records"),
        None => assert_eq!(s.cloud, Cloud::Aws),
    }
}

#[test]
fn the_actiontrail_demo_bucket() {
    check_bucket("aliyun", OSS_BUCKET, 5);
}

#[test]
fn the_cloudtrail_demo_bucket() {
    check_bucket("aws", S3_BUCKET, 8);
}

#[test]
fn a_missing_bucket_is_the_storage_error() {
    let b = DemoBuckets::new(1000, END_MS);
    let s = source("aws", "no-such-bucket");
    let (status, body) = get(&b, &s, "", "list-type=2&prefix=AWSLogs%2F&delimiter=%2F");
    let e = read_listing(status, None, std::str::from_utf8(&body).unwrap()).unwrap_err();
    assert!(e.to_string().starts_with("NoSuchBucket"), "{e}");
    let e = storage_error(404, None, std::str::from_utf8(&body).unwrap());
    assert!(!e.is_retryable());
}
