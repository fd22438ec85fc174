//! One table for both clouds: ActionTrail events and CloudTrail records, read from trail
//! files, map onto the same columns (plus Cloud and Account), for every identity type.

use trailview_core::engine::{EventStore, Filter, Pushed, Sort};
use trailview_core::event::{Cloud, EventRecord};
use trailview_core::schema::{Column, Field, FIELDS};
use trailview_core::trail_files::{read_file, Limits};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/trail_files");

fn load(store: &mut EventStore, name: &str) {
    let bytes = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
    let batch = read_file(&bytes, &Limits::default()).unwrap();
    let st = store.ingest_page(&batch.records);
    assert_eq!(st.odd, 0, "{name}");
}

/// The table's cells of a row, plus Cloud and Account.
fn row(s: &EventStore, r: u32) -> [&str; 9] {
    [
        s.field(r, Field::EventName),
        s.field(r, Field::Service),
        s.field(r, Field::User),
        s.field(r, Field::Ip),
        s.field(r, Field::Rw),
        s.field(r, Field::Region),
        s.field(r, Field::ErrorCode),
        s.field(r, Field::Cloud),
        s.field(r, Field::Account),
    ]
}

#[test]
fn cloudtrail_records_of_every_identity_type() {
    let mut s = EventStore::new();
    load(
        &mut s,
        "111122223333_CloudTrail_us-east-1_20260719T2135Z_Mu0KsOhtH1ar15ZZ.json.gz",
    );
    assert_eq!(s.len(), 6);
    let rows: Vec<[&str; 9]> = (0..6).map(|r| row(&s, r)).collect();
    assert_eq!(
        rows,
        [
            // Root
            [
                "CreateUser",
                "iam",
                "root",
                "192.0.2.0",
                "Write",
                "us-east-1",
                "",
                "AWS",
                "111122223333"
            ],
            // IAMUser
            [
                "StartInstances",
                "ec2",
                "Alice",
                "205.251.233.176",
                "Write",
                "us-east-2",
                "",
                "AWS",
                "111122223333"
            ],
            // AssumedRole: the role session from the ARN
            [
                "GetBucketPolicy",
                "s3",
                "RoleToBeAssumed/MySessionName",
                "198.51.100.23",
                "Read",
                "us-west-2",
                "AccessDenied",
                "AWS",
                "111122223333"
            ],
            // FederatedUser
            [
                "DescribeTable",
                "dynamodb",
                "my-federated-user-name",
                "203.0.113.5",
                "Read",
                "eu-west-1",
                "",
                "AWS",
                "111122223333"
            ],
            // AWSService: invokedBy
            [
                "GetBucketAcl",
                "s3",
                "cloudtrail.amazonaws.com",
                "cloudtrail.amazonaws.com",
                "Read",
                "us-west-2",
                "",
                "AWS",
                "111122223333"
            ],
            // AWSAccount: the calling account
            [
                "AssumeRole",
                "sts",
                "444455556666",
                "198.51.100.77",
                "Read",
                "us-east-1",
                "",
                "AWS",
                "111122223333"
            ],
        ]
    );
    let kinds: Vec<&str> = (0..6).map(|r| s.field(r, Field::IdentityType)).collect();
    assert_eq!(
        kinds,
        [
            "Root",
            "IAMUser",
            "AssumedRole",
            "FederatedUser",
            "AWSService",
            "AWSAccount"
        ]
    );
    // eventID and requestID are the ids (dedup, free text).
    assert_eq!(s.event_id(0), "ba0801a1-87ec-4d26-be87-EXAMPLE75bbb");
    assert_eq!(
        s.row_of_event_id("e755e09c-42f9-4c5c-9064-EXAMPLE228c7"),
        Some(1)
    );
    assert_eq!(s.time_ms(0), Some(1_784_496_309_000));
    assert_eq!(s.field(0, Field::EventSource), "iam.amazonaws.com");
    assert_eq!(s.field(1, Field::AccessKeyId), "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(s.field(2, Field::ErrorMessage), "Access Denied");
    // The same file again adds nothing.
    load(
        &mut s,
        "111122223333_CloudTrail_us-east-1_20260719T2135Z_Mu0KsOhtH1ar15ZZ.json.gz",
    );
    assert_eq!(s.len(), 6);
    // The raw record stays what the file had.
    assert!(s
        .raw(4)
        .contains(r#""invokedBy":"cloudtrail.amazonaws.com""#));
}

#[test]
fn actiontrail_events_of_every_identity_type() {
    let mut s = EventStore::new();
    load(
        &mut s,
        "Actiontrail_ap-southeast-6_20260925070451_1002_4_1066_df59c1b0b5d48707821fc9302a7b2bda.gz",
    );
    let rows: Vec<[&str; 9]> = (0..4).map(|r| row(&s, r)).collect();
    assert_eq!(
        rows,
        [
            // root-account
            [
                "StartInstance",
                "Ecs",
                "root",
                "198.51.100.10",
                "Write",
                "ap-southeast-6",
                "",
                "Alibaba Cloud",
                "1234567890123456"
            ],
            // ram-user
            [
                "CreateUser",
                "Ram",
                "alice",
                "203.0.113.44",
                "Write",
                "cn-hangzhou",
                "EntityAlreadyExists.User",
                "Alibaba Cloud",
                "1234567890123456"
            ],
            // assumed-role: userName is role:session
            [
                "GetBucketInfo",
                "Oss",
                "audit-role:audit-session",
                "192.0.2.88",
                "Read",
                "cn-shanghai",
                "",
                "Alibaba Cloud",
                "1234567890123456"
            ],
            // system: no userName, none made up
            [
                "ScaleOut",
                "Ess",
                "",
                "ess.aliyuncs.com",
                "Write",
                "cn-beijing",
                "",
                "Alibaba Cloud",
                "1234567890123456"
            ],
        ]
    );
    let rec = EventRecord::parse(&s.raw(2)).unwrap();
    assert_eq!(rec.role_name(), Some("audit-role"));
    assert_eq!(rec.cloud(), Some(Cloud::Aliyun));
}

#[test]
fn both_clouds_in_one_table() {
    let mut s = EventStore::new();
    load(
        &mut s,
        "Actiontrail_ap-southeast-6_20260925070451_1002_4_1066_df59c1b0b5d48707821fc9302a7b2bda.gz",
    );
    load(&mut s, "cloudtrail_identities.json");
    assert_eq!(s.len(), 10);
    let all: Vec<u32> = (0..10).collect();
    let mut facet = s.facet(Field::Cloud, &all);
    facet.sort();
    assert_eq!(
        facet,
        vec![("AWS".to_string(), 6), ("Alibaba Cloud".to_string(), 4)]
    );
    let mut count = |q: &str| {
        let f = Filter {
            text: q.into(),
            ..Filter::default()
        };
        let cf = s.compile(&f);
        s.filter(&s.order(None), &cf).len()
    };
    assert_eq!(count("cloud:aws"), 6);
    assert_eq!(count("cloud:alibaba"), 4);
    assert_eq!(
        count("account:444455556666"),
        0,
        "the account is the trail's"
    );
    assert_eq!(count("account:111122223333"), 6);
    assert_eq!(count("rw:write"), 5);
    assert_eq!(count("service:s3"), 2);
    assert_eq!(count("user:alice"), 2);
    // Free text does not search the Cloud column ("cloud" is in every Alibaba row's label).
    assert_eq!(
        count("cloud"),
        2,
        "cloudtrail.amazonaws.com, twice in one row"
    );
    assert_eq!(count("AccessDenied"), 1);
    // Sorting by the new columns.
    let order = s.order(Some(&Sort {
        column: trailview_core::columns::ColumnId::Builtin(Column::Cloud),
        order: trailview_core::table_query::SortOrder::Ascending,
    }));
    assert_eq!(s.field(order[0], Field::Cloud), "Alibaba Cloud");
    assert_eq!(Column::from_key("cloud"), Some(Column::Cloud));
    assert_eq!(Column::from_key("account"), Some(Column::Account));
    assert!(
        Column::ALL.contains(&Column::Cloud) && Column::ALL.contains(&Column::Account),
        "the table shows both, so merged files of both clouds are told apart"
    );
    assert!(!FIELDS.contains(&Field::Cloud));
    assert_eq!(Field::from_alias("cloud"), Some(Field::Cloud));
}

#[test]
fn cloudtrail_identity_fallbacks() {
    let user = |id: &str| {
        let r = EventRecord::parse(&format!(
            r#"{{"eventSource":"ec2.amazonaws.com","awsRegion":"us-east-1","userIdentity":{id}}}"#
        ))
        .unwrap();
        r.user().map(str::to_string)
    };
    // IAMUser without userName: the ARN's user (paths dropped).
    assert_eq!(
        user(r#"{"type":"IAMUser","arn":"arn:aws:iam::1:user/division/bob"}"#).as_deref(),
        Some("bob")
    );
    // Root with a userName (an account alias) shows it.
    assert_eq!(
        user(r#"{"type":"Root","userName":"my-alias","arn":"arn:aws:iam::1:root"}"#).as_deref(),
        Some("my-alias")
    );
    // AWSAccount without accountId: its principal.
    assert_eq!(
        user(r#"{"type":"AWSAccount","principalId":"AIDAX:s"}"#).as_deref(),
        Some("AIDAX:s")
    );
    // Other types: userName (SAML, web identity), else the ARN's last part.
    assert_eq!(
        user(r#"{"type":"SAMLUser","userName":"carol@example.com","principalId":"p"}"#).as_deref(),
        Some("carol@example.com")
    );
    assert_eq!(
        user(r#"{"type":"IdentityCenterUser","arn":"arn:aws:identitystore::1:user/u-123","principalId":"p"}"#)
            .as_deref(),
        Some("u-123")
    );
    assert_eq!(
        user(r#"{"type":"Unknown","principalId":"p"}"#).as_deref(),
        Some("p")
    );
    // An odd ARN does not fail the record.
    assert_eq!(
        user(r#"{"type":"AssumedRole","arn":"garbage","invokedBy":"ec2.amazonaws.com"}"#)
            .as_deref(),
        Some("ec2.amazonaws.com")
    );
    let r = EventRecord::parse(
        r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/Admin/jane"},"awsRegion":"us-east-1"}"#,
    )
    .unwrap();
    assert_eq!(r.role_name(), Some("Admin"));
    // readOnly as a string, and unusual values.
    let rw = |v: &str| {
        EventRecord::parse(&format!(r#"{{"awsRegion":"x","readOnly":{v}}}"#))
            .unwrap()
            .rw()
            .map(str::to_string)
    };
    assert_eq!(rw("true").as_deref(), Some("Read"));
    assert_eq!(rw(r#""false""#).as_deref(), Some("Write"));
    assert_eq!(rw("null"), None);
    assert_eq!(rw(r#""maybe""#), None);
}

#[test]
fn records_with_missing_or_wrongly_typed_fields_keep_what_they_have() {
    let mut s = EventStore::new();
    let bytes = br#"{"Records":[
        {"eventID":"x1","eventTime":12345,"eventName":["odd"],"awsRegion":"us-east-1","userIdentity":"odd","readOnly":"yes","eventSource":7},
        {"eventID":"x2","eventName":"ListBuckets"},
        {}
    ]}"#;
    let batch = read_file(bytes, &Limits::default()).unwrap();
    let st = s.ingest_page(&batch.records);
    assert_eq!((st.added, st.odd), (3, 0));
    assert_eq!(row(&s, 0), ["", "", "", "", "", "us-east-1", "", "AWS", ""]);
    assert_eq!(s.time_ms(0), None);
    assert_eq!(s.field(1, Field::EventName), "ListBuckets");
    assert_eq!(
        s.field(1, Field::Cloud),
        "Alibaba Cloud",
        "nothing says AWS"
    );
    assert_eq!(s.field(2, Field::Cloud), "");
}

/// A record with both spellings of an id keeps its columns and its id; a record that falls
/// back to empty (serde cannot read it) is counted as odd, not as a normal add.
#[test]
fn both_id_spellings_keep_columns_and_a_fallback_is_odd() {
    let t = r#""eventName":"X","eventTime":"2024-01-01T00:00:00Z""#;
    for (a, b) in [
        ("eventId", "eventID"),
        ("requestId", "requestID"),
        ("sourceIpAddress", "sourceIPAddress"),
    ] {
        let mut s = EventStore::new();
        let id = if a == "eventId" {
            ""
        } else {
            r#""eventId":"id1","#
        };
        let json = format!(r#"{{{id}"{a}":"a","{b}":"b",{t}}}"#);
        assert_eq!(s.push(&json), Pushed::Added, "{json}");
        assert_eq!(s.field(0, Field::EventName), "X", "{json}");
        assert_eq!(s.push(&json), Pushed::Duplicate(0), "{json}");
        if a == "sourceIpAddress" {
            assert_eq!(s.field(0, Field::Ip), "a");
        }
    }
    let mut s = EventStore::new();
    let json =
        r#"{"eventId":"a","eventID":"b","eventName":"X","eventTime":"2024-01-01T00:00:00Z"}"#;
    assert_eq!(s.push(json), Pushed::Added);
    assert_eq!(s.row_of_event_id("a"), Some(0));
    assert_eq!(s.field(0, Field::EventName), "X");
    assert_eq!(s.push(r#"{"eventName":"a","eventName":"b"}"#), Pushed::Odd);
}
