//! Trail file keys of both layouts: parsing, day folders for a range, which files may hold a
//! range's events, and the key checks the proxy applies.

use trailview_core::event::Cloud;
use trailview_core::time::parse_rfc3339_ms;
use trailview_core::trail_files::keys::{
    check_key, check_key_form, classify_folder, name_time_window, parse_key, trail_root, Found,
    KeyError, KeyRefused, KeyUse, RegionFolder, AFTER_SLACK_MS,
};

fn ms(s: &str) -> i64 {
    parse_rfc3339_ms(s).unwrap()
}

#[test]
fn actiontrail_single_account_key() {
    // The documented example (ActionTrail storage-path page / deployment report).
    let k = "actiontrail/AliyunLogs/Actiontrail/ap-southeast-6/2026/09/25/Actiontrail_ap-southeast-6_20260925070451_1002_4_1146_8d2a62c7317236ee7bf50184a428d8a9.gz";
    let o = parse_key(k).unwrap();
    assert_eq!(o.folder.cloud, Cloud::Aliyun);
    assert_eq!(o.folder.prefix, "actiontrail/");
    assert_eq!(o.folder.event_type, "Actiontrail");
    assert_eq!(o.folder.group, None);
    assert_eq!(o.folder.account, None);
    assert_eq!(o.folder.region, "ap-southeast-6");
    assert_eq!(o.time_ms, ms("2026-09-25T07:04:51Z"));
    assert_eq!(o.event_count, Some(4));
    assert_eq!(o.size, Some(1146));
    assert_eq!(
        o.name,
        "Actiontrail_ap-southeast-6_20260925070451_1002_4_1146_8d2a62c7317236ee7bf50184a428d8a9.gz"
    );
    assert_eq!(
        o.folder.path(),
        "actiontrail/AliyunLogs/Actiontrail/ap-southeast-6/"
    );
    // No prefix.
    let o = parse_key("AliyunLogs/Actiontrail/cn-hangzhou/2026/01/02/Actiontrail_cn-hangzhou_20260102000501_1002_12_3456_0123456789abcdef0123456789abcdef.gz").unwrap();
    assert_eq!(o.folder.prefix, "");
    assert_eq!(o.folder.path(), "AliyunLogs/Actiontrail/cn-hangzhou/");
}

#[test]
fn actiontrail_multi_account_key() {
    let k = "audit/AliyunLogs/Actiontrail/rd-k3ab12/1234567890123456/cn-beijing/2026/03/31/Actiontrail_cn-beijing_20260331235959_1002_250_98765_ffffffffffffffffffffffffffffffff.gz";
    let o = parse_key(k).unwrap();
    assert_eq!(o.folder.group.as_deref(), Some("rd-k3ab12"));
    assert_eq!(o.folder.account.as_deref(), Some("1234567890123456"));
    assert_eq!(o.folder.region, "cn-beijing");
    assert_eq!(o.time_ms, ms("2026-03-31T23:59:59Z"));
    assert_eq!((o.event_count, o.size), (Some(250), Some(98765)));
    assert_eq!(
        o.folder.path(),
        "audit/AliyunLogs/Actiontrail/rd-k3ab12/1234567890123456/cn-beijing/"
    );
    assert_eq!(
        RegionFolder::parse(&o.folder.path()),
        Some(o.folder.clone())
    );
}

#[test]
fn cloudtrail_keys() {
    // The documented example name.
    let k = "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz";
    let o = parse_key(k).unwrap();
    assert_eq!(o.folder.cloud, Cloud::Aws);
    assert_eq!(o.folder.prefix, "");
    assert_eq!(o.folder.group, None);
    assert_eq!(o.folder.account.as_deref(), Some("111122223333"));
    assert_eq!(o.folder.region, "us-east-2");
    assert_eq!(o.folder.event_type, "CloudTrail");
    assert_eq!(o.time_ms, ms("2015-08-01T02:10:00Z"));
    assert_eq!((o.event_count, o.size), (None, None));
    assert_eq!(
        o.folder.path(),
        "AWSLogs/111122223333/CloudTrail/us-east-2/"
    );

    // An organisation trail, with a bucket prefix.
    let k = "org-trails/AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-1/2026/12/01/111122223333_CloudTrail_eu-west-1_20261201T0005Z_abcdefghijklmnop.json.gz";
    let o = parse_key(k).unwrap();
    assert_eq!(o.folder.prefix, "org-trails/");
    assert_eq!(o.folder.group.as_deref(), Some("o-exampleorgid"));
    assert_eq!(o.folder.account.as_deref(), Some("111122223333"));
    assert_eq!(
        o.folder.path(),
        "org-trails/AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-1/"
    );
    assert_eq!(RegionFolder::parse(&o.folder.path()), Some(o.folder));
}

#[test]
fn digests_and_other_keys_are_refused() {
    assert_eq!(
        parse_key("AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/01/111122223333_CloudTrail-Digest_us-east-2_trail_us-east-2_20150801T021000Z.json.gz"),
        Err(KeyError::Digest)
    );
    assert_eq!(
        parse_key("AWSLogs/o-org/111122223333/CloudTrail-Digest/us-east-2/2015/08/01/x.json.gz"),
        Err(KeyError::Digest)
    );
    assert_eq!(
        parse_key("logs/2026/01/01/a.json.gz"),
        Err(KeyError::NotATrailKey)
    );
    for bad in [
        // Wrong extension.
        "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json",
        // Account in the name differs from the folder's.
        "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/999922223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
        // Bad time.
        "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20151301T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
        // Missing day folder.
        "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
        // Region in the name differs from the folder's.
        "AliyunLogs/Actiontrail/cn-hangzhou/2026/01/02/Actiontrail_cn-beijing_20260102000501_1002_12_3456_0123456789abcdef0123456789abcdef.gz",
        // Count not a number.
        "AliyunLogs/Actiontrail/cn-hangzhou/2026/01/02/Actiontrail_cn-hangzhou_20260102000501_1002_x_3456_0123456789abcdef0123456789abcdef.gz",
        // Short time.
        "AliyunLogs/Actiontrail/cn-hangzhou/2026/01/02/Actiontrail_cn-hangzhou_202601020005_1002_1_3456_0123456789abcdef0123456789abcdef.gz",
        // A folder, not a file.
        "AliyunLogs/Actiontrail/cn-hangzhou/2026/01/02/",
    ] {
        assert!(
            matches!(parse_key(bad), Err(KeyError::Malformed(_))),
            "{bad}: {:?}",
            parse_key(bad)
        );
    }
}

#[test]
fn region_folders_parse_from_listings() {
    let f = RegionFolder::parse("AliyunLogs/Actiontrail/cn-hangzhou/").unwrap();
    assert_eq!(
        (f.cloud, f.region.as_str(), f.account.as_deref()),
        (Cloud::Aliyun, "cn-hangzhou", None)
    );
    let f = RegionFolder::parse("p/AWSLogs/111122223333/CloudTrail/ap-south-1").unwrap();
    assert_eq!(f.path(), "p/AWSLogs/111122223333/CloudTrail/ap-south-1/");
    assert_eq!(
        RegionFolder::parse("AWSLogs/111122223333/CloudTrail/"),
        None
    );
    assert_eq!(
        RegionFolder::parse("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/"),
        None
    );
    assert_eq!(
        RegionFolder::parse("AliyunLogs/Actiontrail/cn-hangzhou/2026/"),
        None
    );
    assert_eq!(trail_root(Cloud::Aws, "p/"), "p/AWSLogs/");
    assert_eq!(trail_root(Cloud::Aliyun, ""), "AliyunLogs/Actiontrail/");
}

#[test]
fn day_prefixes_cover_the_range_and_the_delivery_delay() {
    let aws = RegionFolder::parse("AWSLogs/111122223333/CloudTrail/us-east-1/").unwrap();
    // A range inside one day: that day only.
    assert_eq!(
        aws.day_prefixes(ms("2026-07-19T08:00:00Z"), ms("2026-07-19T12:00:00Z")),
        vec!["AWSLogs/111122223333/CloudTrail/us-east-1/2026/07/19/"]
    );
    // Ending just before midnight: files of the next day may hold its last events.
    assert_eq!(
        aws.day_prefixes(ms("2026-07-19T08:00:00Z"), ms("2026-07-19T23:50:00Z")),
        vec![
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/07/19/",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/07/20/"
        ]
    );
    // Starting just after midnight: CloudTrail names are delivery times, so the previous day's
    // files hold only earlier events; ActionTrail allows five minutes before.
    assert_eq!(
        aws.day_prefixes(ms("2026-07-20T00:02:00Z"), ms("2026-07-20T01:00:00Z"))
            .len(),
        1
    );
    let ali = RegionFolder::parse("AliyunLogs/Actiontrail/cn-hangzhou/").unwrap();
    assert_eq!(
        ali.day_prefixes(ms("2026-07-20T00:02:00Z"), ms("2026-07-20T01:00:00Z")),
        vec![
            "AliyunLogs/Actiontrail/cn-hangzhou/2026/07/19/",
            "AliyunLogs/Actiontrail/cn-hangzhou/2026/07/20/"
        ]
    );
    // Thirty days, month and year boundaries.
    let d = ali.day_prefixes(ms("2025-12-15T00:00:00Z"), ms("2026-01-14T00:00:00Z"));
    assert_eq!(d.len(), 32);
    assert_eq!(d[0], "AliyunLogs/Actiontrail/cn-hangzhou/2025/12/14/");
    assert_eq!(d[31], "AliyunLogs/Actiontrail/cn-hangzhou/2026/01/14/");
    // An inverted range lists nothing; a range of decades is cut to its newest 400 days.
    assert!(aws
        .day_prefixes(ms("2026-07-20T00:00:00Z"), ms("2026-07-10T00:00:00Z"))
        .is_empty());
    let long = aws.day_prefixes(ms("2000-01-01T00:00:00Z"), ms("2026-07-20T00:00:00Z"));
    assert_eq!(long.len(), 400);
    assert!(long[399].ends_with("2026/07/20/"));
}

#[test]
fn files_kept_by_name_time() {
    let key = |t: &str| {
        format!("AWSLogs/111122223333/CloudTrail/us-east-1/2026/07/19/111122223333_CloudTrail_us-east-1_{t}_Mu0KsOhtH1ar15ZZ.json.gz")
    };
    let (from, to) = (ms("2026-07-19T10:00:00Z"), ms("2026-07-19T11:00:00Z"));
    let keep = |t: &str| parse_key(&key(t)).unwrap().may_hold(from, to);
    assert!(!keep("20260719T0955Z"), "delivered before the range");
    assert!(keep("20260719T1000Z"));
    assert!(keep("20260719T1059Z"));
    assert!(
        keep("20260719T1125Z"),
        "late delivery of the range's last events"
    );
    assert!(keep("20260719T1130Z"));
    assert!(!keep("20260719T1131Z"));
    assert_eq!(
        name_time_window(Cloud::Aws, from, to),
        (from - 59_999, to + AFTER_SLACK_MS)
    );
    // The name is cut to the minute: a file named 10:00 (delivered 10:00:50) may hold an
    // event of 10:00:40, inside a range from 10:00:30.
    let from_30s = ms("2026-07-19T10:00:30Z");
    assert!(parse_key(&key("20260719T1000Z"))
        .unwrap()
        .may_hold(from_30s, to));
    assert!(!parse_key(&key("20260719T0959Z"))
        .unwrap()
        .may_hold(from_30s, to));
    let ali = |t: &str| {
        parse_key(&format!("AliyunLogs/Actiontrail/cn-hangzhou/2026/07/19/Actiontrail_cn-hangzhou_{t}_1002_1_100_0123456789abcdef0123456789abcdef.gz"))
            .unwrap()
            .may_hold(from, to)
    };
    assert!(ali("20260719095500"), "the name may be the window's start");
    assert!(!ali("20260719095459"));
    assert!(ali("20260719113000"));
    assert!(!ali("20260719113001"));
}

#[test]
fn keys_must_stay_under_the_prefix() {
    use KeyRefused::*;
    let obj = |p: &str, k: &str| check_key(p, k, KeyUse::Object);
    let list = |p: &str, k: &str| check_key(p, k, KeyUse::ListPrefix);
    let good = "logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/07/19/a.json.gz";
    assert_eq!(obj("logs", good), Ok(()));
    assert_eq!(obj("logs/", good), Ok(()));
    assert_eq!(obj("", good), Ok(()));
    assert_eq!(obj("logs/AWSLogs", good), Ok(()));
    assert_eq!(list("logs/", "logs/"), Ok(()));
    assert_eq!(list("logs", "logs/AWSLogs/"), Ok(()));
    assert_eq!(list("", ""), Ok(()));
    assert_eq!(list("", "AWSLogs/"), Ok(()));

    assert_eq!(obj("logs", "logs2/a.json.gz"), Err(OutsidePrefix));
    assert_eq!(obj("logs", "other/a.json.gz"), Err(OutsidePrefix));
    assert_eq!(obj("logs/", "logs/"), Err(EmptySegment));
    assert_eq!(obj("logs", "logs"), Err(OutsidePrefix));
    assert_eq!(list("logs/", ""), Err(OutsidePrefix));
    assert_eq!(list("logs/", "log"), Err(OutsidePrefix));
    assert_eq!(list("logs/AWSLogs/", "logs/"), Err(OutsidePrefix));

    assert_eq!(obj("logs", "logs/../secret"), Err(DotSegment));
    assert_eq!(obj("logs", "logs/a/../../secret"), Err(DotSegment));
    assert_eq!(obj("logs", "logs/./a"), Err(DotSegment));
    assert_eq!(list("logs", "logs/.."), Err(DotSegment));
    assert_eq!(obj("logs", "logs/%2e%2e/secret"), Err(Encoded));
    assert_eq!(obj("logs", "logs/%2E%2E/secret"), Err(Encoded));
    assert_eq!(obj("logs", "logs%2f..%2fsecret"), Err(Encoded));
    assert_eq!(obj("logs", "logs/%252e%252e/x"), Err(Encoded));
    assert_eq!(obj("logs", "logs\\..\\secret"), Err(Backslash));
    assert_eq!(obj("logs", "logs//a"), Err(EmptySegment));
    assert_eq!(obj("logs", "logs/a/"), Err(EmptySegment));
    assert_eq!(obj("logs", "/logs/a"), Err(Absolute));
    assert_eq!(obj("", "/etc/passwd"), Err(Absolute));
    assert_eq!(obj("logs", "logs/a\nb"), Err(Control));
    assert_eq!(obj("logs", "logs/a\0"), Err(Control));
    assert_eq!(obj("logs", ""), Err(EmptySegment));
    // `?` / `#` would become a query (`?acl`, a sub-resource) or a fragment in a URL built
    // from the decoded key.
    assert_eq!(obj("logs", "logs/x?acl"), Err(QueryChar));
    assert_eq!(obj("logs", "logs/x#frag"), Err(QueryChar));
    assert_eq!(list("logs", "logs/?list-type=2"), Err(QueryChar));
    assert_eq!(obj("logs?acl", "logs?acl/x"), Err(QueryChar));
    // A segment of dots and spaces is a legal S3 / OSS key part, not a traversal: the stores
    // do not resolve ` ..` or `.. ` as the parent folder, so such keys are kept.
    assert_eq!(obj("logs", "logs/a/ ../b"), Ok(()));
    assert_eq!(obj("logs", "logs/.. /b"), Ok(()));
    assert_eq!(obj("logs", "logs/a b/c d.json.gz"), Ok(()));
    assert_eq!(
        obj("logs", &format!("logs/{}", "a".repeat(1100))),
        Err(TooLong)
    );
    // A bad configured prefix admits nothing.
    assert_eq!(obj("../logs", "../logs/a"), Err(DotSegment));
    assert_eq!(obj("/logs", "/logs/a"), Err(Absolute));
    assert_eq!(check_key_form("a/b/", KeyUse::ListPrefix), Ok(()));
    assert_eq!(check_key_form("a/b/", KeyUse::Object), Err(EmptySegment));
    // Every refusal has a message.
    assert!(OutsidePrefix.to_string().contains("prefix"));
}

#[test]
fn walking_a_bucket_finds_accounts_and_regions() {
    let next = |p: &str| Some(Found::ListNext(p.to_string()));
    let region = |c: Cloud, p: &str| {
        let f = RegionFolder::parse(p).unwrap();
        assert_eq!(f.cloud, c);
        Some(Found::Region(f))
    };
    let aws = |p: &str| classify_folder(Cloud::Aws, p);
    // AWSLogs/ → accounts or organisations.
    assert_eq!(
        aws("logs/AWSLogs/111122223333/"),
        next("logs/AWSLogs/111122223333/CloudTrail/")
    );
    assert_eq!(
        aws("AWSLogs/o-exampleorgid/"),
        next("AWSLogs/o-exampleorgid/")
    );
    assert_eq!(
        aws("AWSLogs/o-exampleorgid/111122223333/"),
        next("AWSLogs/o-exampleorgid/111122223333/CloudTrail/")
    );
    assert_eq!(
        aws("AWSLogs/111122223333/CloudTrail/us-east-1/"),
        region(Cloud::Aws, "AWSLogs/111122223333/CloudTrail/us-east-1/")
    );
    assert_eq!(
        aws("AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-1/"),
        region(
            Cloud::Aws,
            "AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-1/"
        )
    );
    assert_eq!(aws("AWSLogs/111122223333/CloudTrail-Digest/"), None);
    assert_eq!(
        aws("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/"),
        None
    );
    assert_eq!(aws("AWSLogs/notes/"), None);
    let ali = |p: &str| classify_folder(Cloud::Aliyun, p);
    // AliyunLogs/Actiontrail/ → regions, or resource directories.
    assert_eq!(
        ali("p/AliyunLogs/Actiontrail/cn-hangzhou/"),
        region(Cloud::Aliyun, "p/AliyunLogs/Actiontrail/cn-hangzhou/")
    );
    assert_eq!(
        ali("AliyunLogs/Actiontrail/rd-k3ab12/"),
        next("AliyunLogs/Actiontrail/rd-k3ab12/")
    );
    assert_eq!(
        ali("AliyunLogs/Actiontrail/rd-k3ab12/1234567890123456/"),
        next("AliyunLogs/Actiontrail/rd-k3ab12/1234567890123456/")
    );
    assert_eq!(
        ali("AliyunLogs/Actiontrail/rd-k3ab12/1234567890123456/cn-beijing/"),
        region(
            Cloud::Aliyun,
            "AliyunLogs/Actiontrail/rd-k3ab12/1234567890123456/cn-beijing/"
        )
    );
    assert_eq!(ali("AWSLogs/111122223333/CloudTrail/us-east-1/"), None);
}
