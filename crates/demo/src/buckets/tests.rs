use super::*;
use std::collections::{BTreeSet, HashSet};
use std::time::Instant;
use trailview_core::event::EventRecord;
use trailview_core::trail_files::{parse_list_objects, read_file, Limits};

/// 2024-06-01T00:00:00Z
const END: i64 = 1_717_200_000_000;

fn get(b: &DemoBuckets, cloud: Cloud, bucket: &str, key: &str, query: &str) -> BucketAnswer {
    b.answer(&BucketRequest {
        cloud,
        method: BucketMethod::Get,
        bucket,
        key,
        query,
    })
}

fn head(b: &DemoBuckets, cloud: Cloud, bucket: &str, key: &str) -> BucketAnswer {
    b.answer(&BucketRequest {
        cloud,
        method: BucketMethod::Head,
        bucket,
        key,
        query: "",
    })
}

fn header<'a>(a: &'a BucketAnswer, name: &str) -> Option<&'a str> {
    a.headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

fn list(b: &DemoBuckets, cloud: Cloud, bucket: &str, req: &ListObjectsRequest) -> ListObjectsPage {
    let a = get(b, cloud, bucket, "", &req.to_query());
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    parse_list_objects(std::str::from_utf8(&a.body).unwrap()).unwrap()
}

/// Every page of a listing, following continuation tokens.
fn list_all(
    b: &DemoBuckets,
    cloud: Cloud,
    bucket: &str,
    mut req: ListObjectsRequest,
) -> (Vec<ObjectEntry>, Vec<String>, usize) {
    let (mut keys, mut prefixes, mut pages) = (Vec::new(), Vec::new(), 0);
    loop {
        let p = list(b, cloud, bucket, &req);
        pages += 1;
        assert_eq!(
            p.key_count as usize,
            p.contents.len() + p.common_prefixes.len()
        );
        assert!(p.key_count <= req.page_size());
        keys.extend(p.contents);
        prefixes.extend(p.common_prefixes);
        if !p.is_truncated {
            assert_eq!(p.next_continuation_token, None);
            return (keys, prefixes, pages);
        }
        req.continuation_token = Some(p.next_continuation_token.expect("a token when truncated"));
        req.start_after = None;
    }
}

const BOTH: [(Cloud, &str); 2] = [(Cloud::Aliyun, OSS_BUCKET), (Cloud::Aws, S3_BUCKET)];

fn bucket_of(b: &DemoBuckets, cloud: Cloud) -> &Bucket {
    match cloud {
        Cloud::Aliyun => &b.oss,
        Cloud::Aws => &b.s3,
    }
}

#[test]
fn the_counts_add_up_to_the_events_asked_for() {
    for events in [0, 1, 7, 3000, DEFAULT_BUCKET_EVENTS] {
        let b = DemoBuckets::new(events, END);
        for (cloud, _) in BOTH {
            let l = &bucket_of(&b, cloud).layout;
            assert_eq!(l.windows, 8640);
            let total: u64 = (0..l.shape.accounts.len())
                .flat_map(|a| (0..l.shape.regions.len()).map(move |r| (a, r)))
                .map(|(a, r)| l.count_range(a, r, 0, l.windows))
                .sum();
            assert_eq!(total, events as u64);
        }
    }
    // An end that is not on a five-minute boundary: whole windows inside the 30 days only.
    let b = DemoBuckets::new(1000, END + 123_456);
    assert_eq!(b.oss.layout.windows, 8639);
}

#[test]
fn deterministic() {
    let a = DemoBuckets::new(5000, END);
    let b = DemoBuckets::new(5000, END);
    let c = DemoBuckets::new(5000, END + DAY);
    for (cloud, bucket) in BOTH {
        let req = ListObjectsRequest {
            max_keys: Some(50),
            ..ListObjectsRequest::default()
        };
        let la = get(&a, cloud, bucket, "", &req.to_query());
        let lb = get(&b, cloud, bucket, "", &req.to_query());
        assert_eq!(la.body, lb.body);
        assert_ne!(la.body, get(&c, cloud, bucket, "", &req.to_query()).body);
        let page = parse_list_objects(std::str::from_utf8(&la.body).unwrap()).unwrap();
        for e in page.contents.iter().take(5) {
            assert_eq!(
                get(&a, cloud, bucket, &e.key, "").body,
                get(&b, cloud, bucket, &e.key, "").body
            );
        }
    }
}

const DAY: i64 = 86_400_000;

#[test]
fn paging_covers_every_key_exactly_once() {
    let b = DemoBuckets::new(3000, END);
    for (cloud, bucket) in BOTH {
        let (all, prefixes, pages) = list_all(
            &b,
            cloud,
            bucket,
            ListObjectsRequest {
                max_keys: Some(137),
                ..ListObjectsRequest::default()
            },
        );
        assert!(prefixes.is_empty());
        assert!(pages > 5, "{pages}");
        let keys: Vec<&str> = all.iter().map(|e| e.key.as_str()).collect();
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "ascending, no repeats"
        );
        // max-keys is capped at 1000, which is also the default.
        let capped = list(
            &b,
            cloud,
            bucket,
            &ListObjectsRequest {
                max_keys: Some(5000),
                ..ListObjectsRequest::default()
            },
        );
        assert_eq!((capped.max_keys, capped.contents.len()), (1000, 1000));
        assert!(capped.is_truncated);
        assert_eq!(capped.contents[..], all[..1000]);
        // The same keys in one page of 1000 after another, and with start-after.
        let (big, _, _) = list_all(&b, cloud, bucket, ListObjectsRequest::default());
        assert_eq!(big, all);
        let mut via_start_after = Vec::new();
        let mut req = ListObjectsRequest {
            max_keys: Some(400),
            ..ListObjectsRequest::default()
        };
        loop {
            let p = list(&b, cloud, bucket, &req);
            via_start_after.extend(p.contents.iter().cloned());
            if !p.is_truncated {
                break;
            }
            req.start_after = Some(p.contents.last().unwrap().key.clone());
        }
        assert_eq!(via_start_after, all);
        // Every file exists: one per unit with events, and the events add up.
        let l = &bucket_of(&b, cloud).layout;
        let units = (0..l.shape.accounts.len() * l.shape.regions.len() * l.windows)
            .filter(|&i| {
                let per = l.windows;
                let u = Unit {
                    a: i / per / l.shape.regions.len(),
                    r: i / per % l.shape.regions.len(),
                    w: i % per,
                };
                l.count(u) > 0
            })
            .count();
        assert_eq!(all.len(), units);
        let mut events = 0;
        for e in &all {
            let o = parse_key(&e.key).unwrap();
            match cloud {
                Cloud::Aliyun => {
                    events += o.event_count.unwrap();
                    assert_eq!(o.size, Some(e.size));
                }
                Cloud::Aws => {
                    let body = get(&b, cloud, bucket, &e.key, "").body;
                    events += read_file(&body, &Limits::default()).unwrap().records.len() as u64;
                }
            }
        }
        assert_eq!(events, 3000);
    }
}

#[test]
fn delimiter_prefixes_and_tokens() {
    let b = DemoBuckets::new(20_000, END);
    let slash = |prefix: &str, max: Option<u32>| ListObjectsRequest {
        prefix: prefix.into(),
        delimiter: Some("/".into()),
        max_keys: max,
        ..ListObjectsRequest::default()
    };
    let (k, p, _) = list_all(&b, Cloud::Aliyun, OSS_BUCKET, slash("", None));
    assert!(k.is_empty());
    assert_eq!(p, ["AliyunLogs/"]);
    let (k, p, pages) = list_all(
        &b,
        Cloud::Aliyun,
        OSS_BUCKET,
        slash("AliyunLogs/Actiontrail/", Some(2)),
    );
    assert!(k.is_empty());
    assert_eq!(pages, 3);
    assert_eq!(
        p,
        [
            "AliyunLogs/Actiontrail/ap-southeast-1/",
            "AliyunLogs/Actiontrail/cn-beijing/",
            "AliyunLogs/Actiontrail/cn-hangzhou/",
            "AliyunLogs/Actiontrail/cn-shanghai/",
            "AliyunLogs/Actiontrail/cn-shenzhen/",
        ]
    );
    let (_, p, _) = list_all(&b, Cloud::Aws, S3_BUCKET, slash("AWSLogs/", None));
    assert_eq!(p, ["AWSLogs/111122223333/", "AWSLogs/444455556666/"]);
    let (_, p, _) = list_all(
        &b,
        Cloud::Aws,
        S3_BUCKET,
        slash("AWSLogs/111122223333/CloudTrail/", None),
    );
    assert_eq!(p.len(), 4);
    // Years, months and days of one region: the 30 days ending 2024-06-01 are May 2nd to 31st
    // (and the files of the last windows are written on June 1st).
    let region = "AWSLogs/111122223333/CloudTrail/us-east-1/";
    let (_, p, _) = list_all(&b, Cloud::Aws, S3_BUCKET, slash(region, None));
    assert_eq!(p, [format!("{region}2024/")]);
    let (_, p, _) = list_all(
        &b,
        Cloud::Aws,
        S3_BUCKET,
        slash(&format!("{region}2024/"), None),
    );
    assert_eq!(
        p,
        [format!("{region}2024/05/"), format!("{region}2024/06/")]
    );
    let (k, days, _) = list_all(
        &b,
        Cloud::Aws,
        S3_BUCKET,
        slash(&format!("{region}2024/05/"), Some(7)),
    );
    assert!(k.is_empty());
    assert_eq!(days.len(), 30, "the 30 days start on May 2nd");
    assert_eq!(days[0], format!("{region}2024/05/02/"));
    // A start-after inside a folder keeps the folder when later keys are under it.
    let (k, _, _) = list_all(
        &b,
        Cloud::Aws,
        S3_BUCKET,
        slash(&format!("{region}2024/05/10/"), None),
    );
    let p = list(
        &b,
        Cloud::Aws,
        S3_BUCKET,
        &ListObjectsRequest {
            start_after: Some(k[3].key.clone()),
            ..slash(&format!("{region}2024/05/"), None)
        },
    );
    assert_eq!(p.common_prefixes[0], format!("{region}2024/05/10/"));
    assert_eq!(p.common_prefixes.len(), 22);
    // A prefix in the middle of file names.
    let stem = &k[0].key[..k[0].key.len() - 20];
    let p = list(
        &b,
        Cloud::Aws,
        S3_BUCKET,
        &ListObjectsRequest {
            prefix: stem.to_string(),
            ..ListObjectsRequest::default()
        },
    );
    assert_eq!(p.contents.len(), 1);
    assert_eq!(p.contents[0], k[0]);
    // ActionTrail: a prefix that goes into the size and MD5 of a name.
    let (oss, _, _) = list_all(
        &b,
        Cloud::Aliyun,
        OSS_BUCKET,
        slash("AliyunLogs/Actiontrail/cn-hangzhou/2024/05/20/", None),
    );
    let whole = &oss[5].key;
    for cut in [whole.len() - 3, whole.len() - 30, whole.len()] {
        let p = list(
            &b,
            Cloud::Aliyun,
            OSS_BUCKET,
            &ListObjectsRequest {
                prefix: whole[..cut].to_string(),
                ..ListObjectsRequest::default()
            },
        );
        assert_eq!(p.contents, [oss[5].clone()], "{}", &whole[..cut]);
    }
    // max-keys 0 lists nothing; nothing under an unknown prefix.
    let p = list(
        &b,
        Cloud::Aliyun,
        OSS_BUCKET,
        &ListObjectsRequest {
            max_keys: Some(0),
            ..ListObjectsRequest::default()
        },
    );
    assert!(p.contents.is_empty() && !p.is_truncated);
    let p = list(&b, Cloud::Aliyun, OSS_BUCKET, &slash("AWSLogs/", None));
    assert!(p.contents.is_empty() && p.common_prefixes.is_empty());
    // A start-after past everything.
    let p = list(
        &b,
        Cloud::Aliyun,
        OSS_BUCKET,
        &ListObjectsRequest {
            start_after: Some("zzz".into()),
            ..ListObjectsRequest::default()
        },
    );
    assert!(p.contents.is_empty());
}

#[test]
fn objects_match_their_listing_and_read_as_their_cloud() {
    let b = DemoBuckets::new(DEFAULT_BUCKET_EVENTS, END);
    let mut aws_types = BTreeSet::new();
    for (cloud, bucket) in BOTH {
        let l = &bucket_of(&b, cloud).layout;
        let day = match cloud {
            Cloud::Aliyun => "AliyunLogs/Actiontrail/cn-hangzhou/2024/05/14/",
            Cloud::Aws => "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/14/",
        };
        let t = Instant::now();
        let (entries, _, pages) = list_all(
            &b,
            cloud,
            bucket,
            ListObjectsRequest {
                prefix: day.into(),
                delimiter: Some("/".into()),
                ..ListObjectsRequest::default()
            },
        );
        println!(
            "{bucket}: listing {day} ({} files, {pages} page) took {:?}",
            entries.len(),
            t.elapsed()
        );
        assert_eq!(entries.len(), 288, "one file per five minutes");
        let (lo, hi) = {
            let d = l
                .days(
                    0,
                    l.shape
                        .regions
                        .iter()
                        .position(|r| day.contains(r.0))
                        .unwrap(),
                )
                .into_iter()
                .find(|d| d.0 == day)
                .unwrap();
            (d.1, d.2)
        };
        let r = l
            .shape
            .regions
            .iter()
            .position(|r| day.contains(r.0))
            .unwrap();
        let day_events = l.count_range(0, r, lo, hi);
        assert!(day_events > 5_000, "{day_events}");
        let mut seen_events = 0u64;
        let mut ids = HashSet::new();
        for e in &entries {
            let got = get(&b, cloud, bucket, &e.key, "");
            assert_eq!(got.status, 200);
            assert_eq!(got.body.len() as u64, e.size);
            assert_eq!(
                header(&got, "content-length"),
                Some(e.size.to_string().as_str())
            );
            assert_eq!(header(&got, "etag"), Some(e.etag.as_str()));
            let md5 = md5::hex(&md5::md5(&got.body));
            assert_eq!(e.etag.trim_matches('"').to_ascii_lowercase(), md5);
            let obj = parse_key(&e.key).unwrap();
            assert_eq!(obj.folder.cloud, cloud);
            let batch = read_file(&got.body, &Limits::default()).unwrap();
            if cloud == Cloud::Aliyun {
                assert_eq!(obj.size, Some(e.size), "FileSize is the object's size");
                assert!(e.key.ends_with(&format!("_{md5}.gz")));
                assert_eq!(obj.event_count, Some(batch.records.len() as u64));
                assert_eq!(e.etag, format!("\"{}\"", md5.to_ascii_uppercase()));
            }
            seen_events += batch.records.len() as u64;
            assert!(
                obj.may_hold(obj.time_ms - 10 * 60_000, obj.time_ms),
                "name time after its window"
            );
            for raw in &batch.records {
                let rec = EventRecord::parse(raw.get()).unwrap();
                assert_eq!(rec.cloud(), Some(cloud), "{}", raw.get());
                let t = rec.time_ms().unwrap();
                assert!(t < obj.time_ms && t >= obj.time_ms - 10 * 60_000);
                assert!(t >= l.start_ms && t < l.end_ms);
                assert!(ids.insert(rec.event_id.clone().unwrap()), "unique ids");
                if cloud == Cloud::Aws {
                    aws_types.insert(rec.identity_type().unwrap_or("?").to_string());
                    assert!(rec.service().unwrap().len() > 1);
                    assert!(rec.rw().is_some());
                }
            }
            // HEAD: the same headers, no body.
            let h = head(&b, cloud, bucket, &e.key);
            assert_eq!(h.status, 200);
            assert!(h.body.is_empty());
            assert_eq!(header(&h, "etag"), header(&got, "etag"));
            assert_eq!(header(&h, "content-length"), header(&got, "content-length"));
            assert_eq!(header(&h, "last-modified"), header(&got, "last-modified"));
        }
        assert_eq!(
            seen_events, day_events,
            "the day's files hold the day's events"
        );
        let t = Instant::now();
        let far = b
            .answer(&BucketRequest {
                cloud,
                method: BucketMethod::Get,
                bucket,
                key: &entries[100].key,
                query: "",
            })
            .body
            .len();
        println!(
            "{bucket}: one object from the cache ({far} bytes) took {:?}",
            t.elapsed()
        );
        // A file not generated yet.
        let other = DemoBuckets::new(DEFAULT_BUCKET_EVENTS, END);
        let t = Instant::now();
        let fresh = get(&other, cloud, bucket, &entries[150].key, "");
        println!(
            "{bucket}: generating one object ({} bytes gzip) took {:?}",
            fresh.body.len(),
            t.elapsed()
        );
        assert_eq!(fresh.status, 200);
    }
    for t in [
        "Root",
        "IAMUser",
        "AssumedRole",
        "FederatedUser",
        "AWSService",
        "AWSAccount",
    ] {
        assert!(aws_types.contains(t), "{t} in {aws_types:?}");
    }
}

#[test]
fn cloudtrail_records_have_cloudtrails_fields() {
    let b = DemoBuckets::new(50_000, END);
    let p = list(
        &b,
        Cloud::Aws,
        S3_BUCKET,
        &ListObjectsRequest {
            prefix: "AWSLogs/444455556666/CloudTrail/eu-west-1/2024/05/21/".into(),
            max_keys: Some(3),
            ..ListObjectsRequest::default()
        },
    );
    let body = get(&b, Cloud::Aws, S3_BUCKET, &p.contents[2].key, "").body;
    let batch = read_file(&body, &Limits::default()).unwrap();
    assert_eq!(batch.shape, trailview_core::trail_files::Shape::Records);
    let v: serde_json::Value = serde_json::from_str(batch.records[0].get()).unwrap();
    for f in [
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "requestID",
        "eventID",
        "readOnly",
        "eventType",
        "recipientAccountId",
    ] {
        assert!(v.get(f).is_some(), "{f} in {v}");
    }
    assert_eq!(v["awsRegion"], "eu-west-1");
    assert_eq!(v["recipientAccountId"], "444455556666");
    assert!(v["eventSource"]
        .as_str()
        .unwrap()
        .ends_with(".amazonaws.com"));
    assert!(v["readOnly"].is_boolean());
}

#[test]
fn actiontrail_events_are_in_their_region_folder() {
    let b = DemoBuckets::new(50_000, END);
    let p = list(
        &b,
        Cloud::Aliyun,
        OSS_BUCKET,
        &ListObjectsRequest {
            prefix: "AliyunLogs/Actiontrail/cn-shanghai/2024/05/21/".into(),
            max_keys: Some(3),
            ..ListObjectsRequest::default()
        },
    );
    let body = get(&b, Cloud::Aliyun, OSS_BUCKET, &p.contents[1].key, "").body;
    let batch = read_file(&body, &Limits::default()).unwrap();
    assert_eq!(batch.shape, trailview_core::trail_files::Shape::Array);
    for raw in &batch.records {
        let v: serde_json::Value = serde_json::from_str(raw.get()).unwrap();
        assert_eq!(v["acsRegion"], "cn-shanghai");
    }
}

#[test]
fn errors_are_storage_errors_with_a_request_id() {
    let b = DemoBuckets::new(2000, END);
    let check = |a: &BucketAnswer, cloud: Cloud, status: u16, code: &str| {
        assert_eq!(a.status, status);
        let id_header = match cloud {
            Cloud::Aliyun => "x-oss-request-id",
            Cloud::Aws => "x-amz-request-id",
        };
        let id = header(a, id_header).expect("request id header");
        assert_eq!(header(a, "content-type"), Some("application/xml"));
        let e = StorageError::parse(std::str::from_utf8(&a.body).unwrap()).unwrap();
        assert_eq!(e.code, code);
        assert_eq!(e.request_id, id);
        assert!(e.host_id.is_some());
    };
    for (cloud, bucket) in BOTH {
        check(
            &get(&b, cloud, "someone-elses-bucket", "", "list-type=2"),
            cloud,
            404,
            "NoSuchBucket",
        );
        let other = if bucket == OSS_BUCKET {
            S3_BUCKET
        } else {
            OSS_BUCKET
        };
        check(
            &get(&b, cloud, other, "", "list-type=2"),
            cloud,
            404,
            "NoSuchBucket",
        );
        for q in [
            "acl",
            "policy",
            "uploads",
            "versions",
            "list-type=1",
            "",
            "list-type=2&prefix=a&prefix=b",
            "list-type=2&max-keys=x",
            "list-type=2&delimiter=-",
            "list-type=2&continuation-token=not-a-token",
        ] {
            check(
                &get(&b, cloud, bucket, "", q),
                cloud,
                400,
                "InvalidArgument",
            );
        }
        let p = list(
            &b,
            cloud,
            bucket,
            &ListObjectsRequest {
                max_keys: Some(1),
                ..ListObjectsRequest::default()
            },
        );
        let key = &p.contents[0].key;
        check(
            &get(&b, cloud, bucket, key, "acl"),
            cloud,
            400,
            "InvalidArgument",
        );
        let missing = [
            format!("{key}x"),
            key.replace("2024/05", "2024/04"),
            key.replacen('_', "-", 1),
            format!("{}{}", &key[..key.len() - 10], "0000000000"),
            "AliyunLogs/Actiontrail/cn-hangzhou/".into(),
            "../etc/passwd".into(),
            "AWSLogs/111122223333/CloudTrail/us-east-1/2023/01/01/111122223333_CloudTrail_us-east-1_20230101T0005Z_AAAAAAAAAAAAAAAA.json.gz".into(),
            "AliyunLogs/Actiontrail/cn-hangzhou/2023/01/01/Actiontrail_cn-hangzhou_20230101000600_1002_1_100_00000000000000000000000000000000.gz".into(),
        ];
        for k in &missing {
            check(&get(&b, cloud, bucket, k, ""), cloud, 404, "NoSuchKey");
            let h = head(&b, cloud, bucket, k);
            assert_eq!(h.status, 404);
            assert!(h.body.is_empty());
        }
    }
    // Request ids differ from one request to the next.
    let a = get(&b, Cloud::Aws, "x", "", "");
    let c = get(&b, Cloud::Aws, "x", "", "");
    assert_ne!(
        header(&a, "x-amz-request-id"),
        header(&c, "x-amz-request-id")
    );
}

#[test]
fn generate_all_fills_a_large_enough_cache() {
    let b = DemoBuckets::with_cache(2000, END, 1 << 30);
    b.generate_all();
    let cached = |bucket: &Bucket| bucket.cache.len();
    let files = |cloud, bucket| {
        list_all(&b, cloud, bucket, ListObjectsRequest::default())
            .0
            .len()
    };
    assert_eq!(cached(&b.oss), files(Cloud::Aliyun, OSS_BUCKET));
    assert_eq!(cached(&b.s3), files(Cloud::Aws, S3_BUCKET));
    // A small cache keeps the newest files within its bytes.
    let small = DemoBuckets::with_cache(2000, END, 64 << 10);
    small.generate_all();
    assert!(small.oss.cache.len() > 2 && small.oss.cache.len() < 100);
}

#[test]
fn cheap_to_build_and_shareable() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<DemoBuckets>();
    let t = Instant::now();
    let _ = DemoBuckets::new(DEFAULT_BUCKET_EVENTS, END);
    println!("DemoBuckets::new(1M) took {:?}", t.elapsed());
}

/// `cargo test -p trailview-demo --release --lib -- --ignored --nocapture bucket_timing`
#[test]
#[ignore]
fn bucket_timing() {
    for (cloud, bucket) in BOTH {
        let b = DemoBuckets::new(DEFAULT_BUCKET_EVENTS, END);
        let day = match cloud {
            Cloud::Aliyun => "AliyunLogs/Actiontrail/cn-hangzhou/2024/05/14/",
            Cloud::Aws => "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/14/",
        };
        let t = Instant::now();
        let p = list(
            &b,
            cloud,
            bucket,
            &ListObjectsRequest {
                prefix: day.into(),
                ..ListObjectsRequest::default()
            },
        );
        let bytes: u64 = p.contents.iter().map(|e| e.size).sum();
        println!(
            "{bucket}: listing {day}: {} files, {} KB gzip, {:?}",
            p.contents.len(),
            bytes >> 10,
            t.elapsed()
        );
    }
}

/// The app's way to a time range (core's day folders, then the files whose name time may hold
/// it) finds every event of the range in the demo buckets, and the keys pass the proxy's
/// checks.
#[test]
fn a_time_range_is_found_the_way_the_app_looks_for_it() {
    use trailview_core::trail_files::{check_key, KeyUse, RegionFolder};
    let b = DemoBuckets::new(30_000, END);
    // 22:00 to 01:00 across midnight, whole windows.
    let from = END - 10 * DAY - 2 * 3_600_000;
    let to = from + 3 * 3_600_000;
    for (cloud, bucket) in BOTH {
        let l = &bucket_of(&b, cloud).layout;
        let (a, r) = (0, l.shape.regions.len() - 1);
        let folder = RegionFolder::parse(&l.region_path(a, r)).unwrap();
        assert_eq!(folder.cloud, cloud);
        let mut found = 0u64;
        for day in folder.day_prefixes(from, to) {
            let (entries, _, _) = list_all(
                &b,
                cloud,
                bucket,
                ListObjectsRequest {
                    prefix: day.clone(),
                    delimiter: Some("/".into()),
                    ..ListObjectsRequest::default()
                },
            );
            for e in entries {
                assert_eq!(check_key("", &e.key, KeyUse::Object), Ok(()));
                let obj = parse_key(&e.key).unwrap();
                if !obj.may_hold(from, to) {
                    continue;
                }
                let body = get(&b, cloud, bucket, &e.key, "").body;
                for raw in read_file(&body, &Limits::default()).unwrap().records {
                    let t = EventRecord::parse(raw.get()).unwrap().time_ms().unwrap();
                    found += u64::from((from..to).contains(&t));
                }
            }
            assert_eq!(check_key("", &day, KeyUse::ListPrefix), Ok(()));
        }
        let w0 = l.window_of_name(from + 5 * 60_000 + 60_000).unwrap();
        let w1 = w0 + 36;
        assert_eq!(l.window_start(w0), from);
        assert_eq!(found, l.count_range(a, r, w0, w1));
        assert!(found > 0);
    }
}

/// `cargo test -p trailview-demo --release --lib -- --ignored --nocapture whole_bucket_timing`
#[test]
#[ignore]
fn whole_bucket_timing() {
    let b = DemoBuckets::with_cache(DEFAULT_BUCKET_EVENTS, END, 0);
    for (cloud, bucket) in BOTH {
        let t = Instant::now();
        let (entries, _, pages) = list_all(&b, cloud, bucket, ListObjectsRequest::default());
        let bytes: u64 = entries.iter().map(|e| e.size).sum();
        println!(
            "{bucket}: whole bucket: {} files in {pages} pages, {} MB gzip, generated in {:?}",
            entries.len(),
            bytes >> 20,
            t.elapsed()
        );
    }
}
