//! The storage wire types: ListObjectsV2 queries and pages, and the XML error body, against
//! the official documentation's examples of both clouds.

use trailview_core::trail_files::{
    parse_list_objects, write_list_objects, ListError, ListObjectsPage, ListObjectsRequest,
    ObjectEntry, QueryRefused, StorageError,
};

fn entry(key: &str, size: u64) -> ObjectEntry {
    ObjectEntry {
        key: key.into(),
        size,
        last_modified: "2024-06-01T08:43:07.000Z".into(),
        etag: "\"5b3c1a2e053d763e1b002cc607c5a0fe\"".into(),
    }
}

#[test]
fn a_page_round_trips_through_its_xml() {
    let page = ListObjectsPage {
        name: "trailview-demo-actiontrail".into(),
        prefix: "AliyunLogs/Actiontrail/cn-hangzhou/2024/06/01/".into(),
        delimiter: Some("/".into()),
        max_keys: 1000,
        key_count: 3,
        is_truncated: true,
        continuation_token: Some("a/b=c+d&e".into()),
        next_continuation_token: Some("opaque<token>".into()),
        contents: vec![
            entry(
                "AliyunLogs/Actiontrail/cn-hangzhou/2024/06/01/a&b <c> 'd' \"e\".gz",
                1146,
            ),
            entry("非 ASCII/é/\u{1F680}.gz", 0),
        ],
        common_prefixes: vec!["AliyunLogs/Actiontrail/cn-hangzhou/2024/06/01/x/".into()],
    };
    let xml = write_list_objects(&page);
    assert!(
        xml.contains("a&amp;b &lt;c&gt; &apos;d&apos; &quot;e&quot;.gz"),
        "{xml}"
    );
    assert_eq!(parse_list_objects(&xml).unwrap(), page);

    let empty = ListObjectsPage {
        name: "b".into(),
        max_keys: 1000,
        ..ListObjectsPage::default()
    };
    assert_eq!(
        parse_list_objects(&write_list_objects(&empty)).unwrap(),
        empty
    );
}

/// The S3 API reference's ListObjectsV2 examples (with the quotes of the ETag escaped, as S3
/// sends them).
#[test]
fn s3_listings_from_the_documentation() {
    let basic = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Name>bucket</Name>
    <Prefix/>
    <KeyCount>205</KeyCount>
    <MaxKeys>1000</MaxKeys>
    <IsTruncated>false</IsTruncated>
    <Contents>
        <Key>my-image.jpg</Key>
        <LastModified>2009-10-12T17:50:30.000Z</LastModified>
        <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
        <Size>434234</Size>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
    <Contents>
        <Key>a&amp;b &lt;c&gt;&#233;&#x1F680;.txt</Key>
        <LastModified>2009-10-12T17:50:31.000Z</LastModified>
        <ETag>"599bab3ed2c697f1d26842727561fd94-2"</ETag>
        <Size>857</Size>
        <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>webfile</DisplayName></Owner>
        <ChecksumAlgorithm>CRC32</ChecksumAlgorithm>
        <StorageClass>REDUCED_REDUNDANCY</StorageClass>
    </Contents>
</ListBucketResult>"#;
    let p = parse_list_objects(basic).unwrap();
    assert_eq!(p.name, "bucket");
    assert_eq!(p.prefix, "");
    assert_eq!(p.delimiter, None);
    assert_eq!(
        (p.key_count, p.max_keys, p.is_truncated),
        (205, 1000, false)
    );
    assert_eq!(p.contents.len(), 2);
    assert_eq!(p.contents[0].key, "my-image.jpg");
    assert_eq!(p.contents[0].size, 434_234);
    assert_eq!(p.contents[0].last_modified, "2009-10-12T17:50:30.000Z");
    assert_eq!(p.contents[0].etag, "\"fba9dede5f27731c9771645a39863328\"");
    assert_eq!(p.contents[1].key, "a&b <c>é\u{1F680}.txt");
    assert_eq!(p.contents[1].etag, "\"599bab3ed2c697f1d26842727561fd94-2\"");
    assert!(p.common_prefixes.is_empty());

    let prefixes = r#"<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>example-bucket</Name>
  <Prefix>photos/2006/</Prefix>
  <KeyCount>2</KeyCount>
  <MaxKeys>1000</MaxKeys>
  <Delimiter>/</Delimiter>
  <IsTruncated>false</IsTruncated>
  <CommonPrefixes>
    <Prefix>photos/2006/February/</Prefix>
  </CommonPrefixes>
  <CommonPrefixes>
    <Prefix>photos/2006/January/</Prefix>
  </CommonPrefixes>
</ListBucketResult>"#;
    let p = parse_list_objects(prefixes).unwrap();
    assert_eq!(p.prefix, "photos/2006/");
    assert_eq!(p.delimiter.as_deref(), Some("/"));
    assert!(p.contents.is_empty());
    assert_eq!(
        p.common_prefixes,
        ["photos/2006/February/", "photos/2006/January/"]
    );

    let truncated = r#"<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix></Prefix>
  <ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>
  <NextContinuationToken>2ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <KeyCount>1</KeyCount>
  <MaxKeys>1</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>happyface.jpg</Key>
    <LastModified>2014-11-21T19:40:05.000Z</LastModified>
    <ETag>"70ee1738b6b21e2c8a43f3a5ab0eee71"</ETag>
    <Size>11</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
</ListBucketResult>"#;
    let p = parse_list_objects(truncated).unwrap();
    assert!(p.is_truncated);
    assert_eq!(
        p.continuation_token.as_deref(),
        Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    );
    assert_eq!(
        p.next_continuation_token.as_deref(),
        Some("2ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    );
    assert_eq!(p.contents[0].key, "happyface.jpg");

    let empty = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>AWSLogs/nothing/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>"#;
    let p = parse_list_objects(empty).unwrap();
    assert_eq!(p.prefix, "AWSLogs/nothing/");
    assert_eq!(p.key_count, 0);
    assert!(p.contents.is_empty() && p.common_prefixes.is_empty() && !p.is_truncated);
}

/// OSS's ListObjectsV2 (GetBucketV2) examples: KeyCount last, `Type` and `Owner` in each
/// entry, `EncodingType=url` answers with percent-encoded names.
#[test]
fn oss_listings_from_the_documentation() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
<Name>examplebucket</Name>
    <Prefix>a/</Prefix>
    <MaxKeys>100</MaxKeys>
    <Delimiter>/</Delimiter>
    <EncodingType>url</EncodingType>
    <IsTruncated>false</IsTruncated>
    <Contents>
        <Key>a/b%20c%2B%E4%B8%AD</Key>
        <LastModified>2020-05-18T05:45:47.000Z</LastModified>
        <ETag>"35A27C2B9EAEEB6F48FD7FB5861D****"</ETag>
        <Type>Normal</Type>
        <Size>25</Size>
        <StorageClass>STANDARD</StorageClass>
        <Owner>
            <ID>1686240967192623</ID>
            <DisplayName>1686240967192623</DisplayName>
        </Owner>
    </Contents>
    <CommonPrefixes>
        <Prefix>a/b/</Prefix>
    </CommonPrefixes>
    <KeyCount>2</KeyCount>
</ListBucketResult>"#;
    let p = parse_list_objects(xml).unwrap();
    assert_eq!(p.name, "examplebucket");
    assert_eq!(p.prefix, "a/");
    assert_eq!(p.delimiter.as_deref(), Some("/"));
    assert_eq!((p.max_keys, p.key_count), (100, 2));
    assert_eq!(p.contents[0].key, "a/b c+中");
    assert_eq!(p.contents[0].etag, "\"35A27C2B9EAEEB6F48FD7FB5861D****\"");
    assert_eq!(p.contents[0].size, 25);
    assert_eq!(p.common_prefixes, ["a/b/"]);

    let truncated = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
  <Name>examplebucket</Name>
  <Prefix></Prefix>
  <ContinuationToken>ChR4ZGl0b3JpYWwvMDEuanBn</ContinuationToken>
  <MaxKeys>1</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>CgJiYw--</NextContinuationToken>
  <Contents>
    <Key>AliyunLogs/Actiontrail/ap-southeast-6/2026/09/25/Actiontrail_ap-southeast-6_20260925070451_1002_4_1146_8d2a62c7317236ee7bf50184a428d8a9.gz</Key>
    <LastModified>2026-09-25T07:04:52.000Z</LastModified>
    <ETag>"8D2A62C7317236EE7BF50184A428D8A9"</ETag>
    <Type>Normal</Type>
    <Size>1146</Size>
    <StorageClass>Standard</StorageClass>
  </Contents>
  <KeyCount>1</KeyCount>
</ListBucketResult>"#;
    let p = parse_list_objects(truncated).unwrap();
    assert!(p.is_truncated);
    assert_eq!(p.next_continuation_token.as_deref(), Some("CgJiYw--"));
    assert_eq!(
        p.continuation_token.as_deref(),
        Some("ChR4ZGl0b3JpYWwvMDEuanBn")
    );
    assert_eq!(p.contents[0].size, 1146);

    let only_prefixes = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
  <Name>examplebucket</Name>
  <Prefix>AliyunLogs/Actiontrail/</Prefix>
  <MaxKeys>1000</MaxKeys>
  <Delimiter>/</Delimiter>
  <IsTruncated>false</IsTruncated>
  <CommonPrefixes><Prefix>AliyunLogs/Actiontrail/cn-beijing/</Prefix></CommonPrefixes>
  <CommonPrefixes><Prefix>AliyunLogs/Actiontrail/cn-hangzhou/</Prefix></CommonPrefixes>
  <KeyCount>2</KeyCount>
</ListBucketResult>"#;
    let p = parse_list_objects(only_prefixes).unwrap();
    assert!(p.contents.is_empty());
    assert_eq!(
        p.common_prefixes,
        [
            "AliyunLogs/Actiontrail/cn-beijing/",
            "AliyunLogs/Actiontrail/cn-hangzhou/"
        ]
    );

    let empty = "<ListBucketResult><Name>examplebucket</Name><Prefix>x/</Prefix><MaxKeys>100</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>";
    let p = parse_list_objects(empty).unwrap();
    assert!(p.contents.is_empty() && p.common_prefixes.is_empty());
}

#[test]
fn bad_listings_are_named() {
    assert!(matches!(
        parse_list_objects("<html><body>502 Bad Gateway</body></html>"),
        Err(ListError::NotAListing(_))
    ));
    assert!(matches!(
        parse_list_objects("{\"Records\":[]}"),
        Err(ListError::NotXml(_))
    ));
    assert!(matches!(
        parse_list_objects("<ListBucketResult><Name>b</Name>"),
        Err(ListError::NotXml(_))
    ));
    assert!(matches!(
        parse_list_objects("<ListBucketResult><Name>b</Key></ListBucketResult>"),
        Err(ListError::NotXml(_))
    ));
    assert!(matches!(
        parse_list_objects("<ListBucketResult><Contents><Key>k</Key><Size>big</Size></Contents></ListBucketResult>"),
        Err(ListError::NotAListing(_))
    ));
    assert!(matches!(
        parse_list_objects(
            "<ListBucketResult><Contents><Key>a &bogus; b</Key></Contents></ListBucketResult>"
        ),
        Err(ListError::NotXml(_))
    ));
    assert!(matches!(parse_list_objects(""), Err(ListError::NotXml(_))));
    let deep = "<a>".repeat(100) + &"</a>".repeat(100);
    assert!(matches!(
        parse_list_objects(&deep),
        Err(ListError::NotXml(_))
    ));
    match parse_list_objects(
        "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R</RequestId></Error>",
    ) {
        Err(ListError::Storage(e)) => assert_eq!(e.code, "AccessDenied"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn queries_round_trip_and_encode_as_signers_do() {
    let req = ListObjectsRequest {
        prefix: "AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/01/".into(),
        delimiter: Some("/".into()),
        continuation_token: Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J+wm36Hy4vbOwM=".into()),
        start_after: Some("a b~c_d.e-f".into()),
        max_keys: Some(500),
    };
    let q = req.to_query();
    assert_eq!(
        q,
        "list-type=2&continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Bwm36Hy4vbOwM%3D\
         &delimiter=%2F&max-keys=500\
         &prefix=AWSLogs%2F111122223333%2FCloudTrail%2Fus-east-1%2F2024%2F06%2F01%2F\
         &start-after=a%20b~c_d.e-f"
    );
    assert_eq!(ListObjectsRequest::from_query(&q).unwrap(), req);

    let bare = ListObjectsRequest::default();
    assert_eq!(bare.to_query(), "list-type=2&prefix=");
    assert_eq!(
        ListObjectsRequest::from_query(&bare.to_query()).unwrap(),
        bare
    );
    assert_eq!(bare.page_size(), 1000);

    // Parameters in any order, empty values read as absent, `+` as a space.
    let r = ListObjectsRequest::from_query("prefix=a+b%2F&delimiter=&max-keys=5000&list-type=2")
        .unwrap();
    assert_eq!(r.prefix, "a b/");
    assert_eq!(r.delimiter, None);
    assert_eq!(r.max_keys, Some(5000));
    assert_eq!(r.page_size(), 1000);
    assert_eq!(
        ListObjectsRequest::from_query("list-type=2&max-keys=7")
            .unwrap()
            .page_size(),
        7
    );
}

#[test]
fn queries_other_than_list_objects_v2_are_refused() {
    let refused = |q: &str| ListObjectsRequest::from_query(q).unwrap_err();
    for sub in [
        "acl",
        "policy",
        "uploads",
        "versions",
        "lifecycle",
        "cors",
        "tagging",
    ] {
        assert_eq!(refused(sub), QueryRefused::Parameter(sub.into()));
        assert_eq!(
            refused(&format!("list-type=2&{sub}")),
            QueryRefused::Parameter(sub.into())
        );
        assert_eq!(
            refused(&format!("{sub}=&list-type=2")),
            QueryRefused::Parameter(sub.into())
        );
    }
    assert_eq!(refused(""), QueryRefused::NotListV2);
    assert_eq!(refused("prefix=a"), QueryRefused::NotListV2);
    assert_eq!(refused("list-type=1"), QueryRefused::NotListV2);
    assert_eq!(
        refused("list-type=2&list-type=2"),
        QueryRefused::Duplicate("list-type".into())
    );
    assert_eq!(
        refused("list-type=2&prefix=a&prefix=b"),
        QueryRefused::Duplicate("prefix".into())
    );
    assert_eq!(
        refused("list-type=2&fetch-owner=true"),
        QueryRefused::Parameter("fetch-owner".into())
    );
    assert_eq!(
        refused("list-type=2&encoding-type=url"),
        QueryRefused::Parameter("encoding-type".into())
    );
    assert_eq!(
        refused("list-type=2&x-oss-process=a"),
        QueryRefused::Parameter("x-oss-process".into())
    );
    // An encoded name is still that name.
    assert_eq!(
        refused("list-type=2&%61cl"),
        QueryRefused::Parameter("acl".into())
    );
    assert_eq!(
        refused("list-type=2&max-keys=ten"),
        QueryRefused::BadValue("max-keys".into())
    );
    assert_eq!(
        refused("list-type=2&max-keys=-1"),
        QueryRefused::BadValue("max-keys".into())
    );
    assert_eq!(
        refused("list-type=2&prefix=%ZZ"),
        QueryRefused::BadValue("prefix".into())
    );
    assert_eq!(
        refused("list-type=2&prefix=%FF"),
        QueryRefused::BadValue("prefix".into())
    );
}

#[test]
fn storage_errors_of_both_clouds() {
    // S3 (API reference, "Error responses"; a real NoSuchBucket adds BucketName and HostId).
    let s3 = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchBucket</Code>
  <Message>The specified bucket does not exist</Message>
  <BucketName>mybucket</BucketName>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
  <HostId>oNyhaqlbHvPaDFmDEmhvHDCOw3Imz3wcAkzcMfnf4cwT8Yl/k4nhRxDuRnAg9MhVNdNijWvBq5Q=</HostId>
</Error>"#;
    assert_eq!(
        StorageError::parse(s3),
        Some(StorageError {
            code: "NoSuchBucket".into(),
            message: "The specified bucket does not exist".into(),
            request_id: "4442587FB7D0A2F9".into(),
            host_id: Some(
                "oNyhaqlbHvPaDFmDEmhvHDCOw3Imz3wcAkzcMfnf4cwT8Yl/k4nhRxDuRnAg9MhVNdNijWvBq5Q="
                    .into()
            ),
        })
    );
    // OSS (error response examples: HostId, EC and RecommendDoc).
    let oss = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The specified key does not exist.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>test.oss-cn-zhangjiakou.aliyuncs.com</HostId>
  <Key>example.txt</Key>
  <EC>0026-00000001</EC>
  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0026-00000001</RecommendDoc>
</Error>"#;
    let e = StorageError::parse(oss).unwrap();
    assert_eq!(e.code, "NoSuchKey");
    assert_eq!(e.message, "The specified key does not exist.");
    assert_eq!(e.request_id, "5C3D9175B6FC201293AD****");
    assert_eq!(
        e.host_id.as_deref(),
        Some("test.oss-cn-zhangjiakou.aliyuncs.com")
    );
    // S3's documented sample without HostId.
    let bare = "<Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist</Message><Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>";
    assert_eq!(StorageError::parse(bare).unwrap().host_id, None);

    for e in [StorageError::parse(s3).unwrap(), e] {
        assert_eq!(StorageError::parse(&e.to_xml()), Some(e));
    }
    let odd = StorageError {
        code: "InvalidArgument".into(),
        message: "max-keys <must> be a \"number\" & 'small'".into(),
        request_id: String::new(),
        host_id: None,
    };
    assert!(odd.to_xml().starts_with("<?xml"));
    assert_eq!(StorageError::parse(&odd.to_xml()), Some(odd));

    assert_eq!(
        StorageError::parse("<Error><Message>m</Message></Error>"),
        None
    );
    assert_eq!(StorageError::parse("<html><title>x</title></html>"), None);
    assert_eq!(StorageError::parse("not xml"), None);
    assert_eq!(StorageError::parse("<ListBucketResult/>"), None);
}
