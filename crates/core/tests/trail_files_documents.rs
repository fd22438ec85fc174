//! Trail file documents: gzip (by magic bytes, single- and multi-member), the accepted JSON
//! shapes, and a named error for each kind of bad file.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use trailview_core::trail_files::documents::{
    is_gzip, parse_document, read_file, FileError, Limits, Shape,
};
use trailview_core::trail_files::gzip::gunzip;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/trail_files");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn read(bytes: &[u8]) -> Result<trailview_core::trail_files::Batch, FileError> {
    read_file(bytes, &Limits::default())
}

/// The error of a result (a batch's raw records have no `==`).
trait E {
    fn e(self) -> Option<FileError>;
}
impl E for Result<trailview_core::trail_files::Batch, FileError> {
    fn e(self) -> Option<FileError> {
        self.err()
    }
}

fn names(b: &trailview_core::trail_files::Batch) -> Vec<String> {
    b.records
        .iter()
        .map(|r| {
            let v: serde_json::Value = serde_json::from_str(r.get()).unwrap();
            v["eventName"].as_str().unwrap_or("").to_string()
        })
        .collect()
}

#[test]
fn delivered_files_of_both_clouds() {
    // ActionTrail: gzip of a JSON array, named .gz.
    let at = fixture(
        "Actiontrail_ap-southeast-6_20260925070451_1002_4_1066_df59c1b0b5d48707821fc9302a7b2bda.gz",
    );
    assert!(is_gzip(&at));
    let b = read(&at).unwrap();
    assert_eq!(b.shape, Shape::Array);
    assert_eq!(
        names(&b),
        ["StartInstance", "CreateUser", "GetBucketInfo", "ScaleOut"]
    );
    assert!(!b.capped);
    // CloudTrail: {"Records":[...]}, here as two concatenated gzip members.
    let ct = fixture("111122223333_CloudTrail_us-east-1_20260719T2135Z_Mu0KsOhtH1ar15ZZ.json.gz");
    let b = read(&ct).unwrap();
    assert_eq!(b.shape, Shape::Records);
    assert_eq!(b.records.len(), 6);
    assert_eq!(names(&b)[0], "CreateUser");
    // The same text, plain: the result does not depend on the name or compression.
    let plain = read(&fixture("cloudtrail_identities.json")).unwrap();
    let texts = |b: &trailview_core::trail_files::Batch| -> Vec<String> {
        b.records.iter().map(|r| r.get().to_string()).collect()
    };
    assert_eq!(texts(&plain), texts(&b));
}

#[test]
fn gzip_single_and_multi_member() {
    let text = br#"[{"eventName":"A"},{"eventName":"B"}]"#;
    assert_eq!(gunzip(&gz(text), 1 << 20).unwrap(), text);
    let mut multi = gz(&text[..10]);
    multi.extend(gz(&text[10..20]));
    multi.extend(gz(&text[20..]));
    assert_eq!(gunzip(&multi, 1 << 20).unwrap(), text);
    assert_eq!(names(&read(&multi).unwrap()), ["A", "B"]);
    // An empty member among others.
    let mut with_empty = gz(b"");
    with_empty.extend(gz(text));
    assert_eq!(names(&read(&with_empty).unwrap()), ["A", "B"]);
    // Padding after the last member (a final newline, zero bytes, whitespace) is ignored,
    // as `gzip -d` ignores it.
    for pad in [&b"\n"[..], b"\r\n", &[0u8; 512], b" \t\n\0"] {
        let mut padded = gz(text);
        padded.extend_from_slice(pad);
        assert_eq!(gunzip(&padded, 1 << 20).unwrap(), text, "{pad:?}");
        assert_eq!(names(&read(&padded).unwrap()), ["A", "B"]);
    }
    // Gzip inside gzip (compressed again in transit) is read through.
    assert_eq!(names(&read(&gz(&gz(text))).unwrap()), ["A", "B"]);
}

#[test]
fn corrupt_and_truncated_gzip() {
    let text = fixture("actiontrail_identities.json");
    let good = gz(&text);
    // Truncated: anywhere from inside the header to inside the trailer.
    for cut in [5, 20, good.len() / 2, good.len() - 5, good.len() - 1] {
        assert_eq!(
            read(&good[..cut]).e(),
            Some(FileError::TruncatedGzip),
            "cut at {cut} of {}",
            good.len()
        );
    }
    // Corrupt deflate data.
    let mut bad = good.clone();
    for b in &mut bad[20..60] {
        *b ^= 0x5a;
    }
    assert!(
        matches!(read(&bad), Err(FileError::CorruptGzip(_))),
        "{:?}",
        read(&bad)
    );
    // A wrong checksum.
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 8] ^= 0xff;
    assert!(
        matches!(read(&bad), Err(FileError::CorruptGzip(_))),
        "{:?}",
        read(&bad)
    );
    // Junk after the last member.
    let mut bad = good.clone();
    bad.extend_from_slice(b"<html>junk</html>");
    assert!(
        matches!(read(&bad), Err(FileError::CorruptGzip(_))),
        "{:?}",
        read(&bad)
    );
    // Short junk after a complete member is not a cut member.
    for junk in [&b"garbage"[..], b"x", &[0x1f], &[0x8b, 0x1f]] {
        let mut bad = good.clone();
        bad.extend_from_slice(junk);
        assert_eq!(
            read(&bad).e(),
            Some(FileError::CorruptGzip(
                "bytes after the last gzip member".into()
            )),
            "{junk:?}"
        );
    }
    // A second member that is cut is.
    let mut cut = good.clone();
    cut.extend_from_slice(&good[..good.len() / 2]);
    assert_eq!(read(&cut).e(), Some(FileError::TruncatedGzip));
    let mut cut = good.clone();
    cut.extend_from_slice(&good[..4]);
    assert_eq!(read(&cut).e(), Some(FileError::TruncatedGzip));
    // Only the magic.
    assert_eq!(read(&[0x1f, 0x8b]).e(), Some(FileError::TruncatedGzip));
    // Every error has a message for the failed-files list.
    assert!(FileError::TruncatedGzip.to_string().contains("truncated"));
}

#[test]
fn shapes() {
    let l = Limits::default();
    let p = |s: &str| parse_document(s.as_bytes(), &l);
    let b = p(r#"  [{"eventName":"A"}, {"eventName":"B"}] "#).unwrap();
    assert_eq!(
        (b.shape, names(&b)),
        (Shape::Array, vec!["A".into(), "B".into()])
    );
    let b = p("\u{feff}{\"Records\":[{\"eventName\":\"A\"}],\"other\":1}").unwrap();
    assert_eq!((b.shape, names(&b)), (Shape::Records, vec!["A".into()]));
    // NDJSON, with blank lines and CRLF.
    let b =
        p("{\"eventName\":\"A\"}\r\n\r\n{\"eventName\":\"B\"}\n{\"eventName\":\"C\"}\n").unwrap();
    assert_eq!(b.shape, Shape::Lines);
    assert_eq!(names(&b), ["A", "B", "C"]);
    // One event alone, pretty-printed.
    let b = p("{\n  \"eventId\": \"x\",\n  \"eventName\": \"A\"\n}\n").unwrap();
    assert_eq!((b.shape, names(&b)), (Shape::Single, vec!["A".into()]));
    // A saved ActionTrail LookupEvents answer.
    let b = p(r#"{"RequestId":"r","Events":[{"eventName":"A"}],"NextToken":"t"}"#).unwrap();
    assert_eq!((b.shape, names(&b)), (Shape::Events, vec!["A".into()]));
    // A saved CloudTrail LookupEvents answer: the record is inside CloudTrailEvent.
    let b = p(r#"{"Events":[{"EventId":"e1","EventName":"A","CloudTrailEvent":"{\"eventID\":\"e1\",\"eventName\":\"A\",\"awsRegion\":\"us-east-1\"}"}]}"#).unwrap();
    assert_eq!(
        b.records[0].get(),
        r#"{"eventID":"e1","eventName":"A","awsRegion":"us-east-1"}"#
    );
    // Empty lists are files without events, not errors.
    assert!(p("[]").unwrap().records.is_empty());
    assert!(p(r#"{"Records":[]}"#).unwrap().records.is_empty());
}

#[test]
fn records_with_odd_fields_are_kept() {
    let l = Limits::default();
    let b = parse_document(
        br#"[{"eventName":"A","eventTime":12,"userIdentity":"odd"},{"x":1},7,null,{"eventID":["odd"]}]"#,
        &l,
    )
    .unwrap();
    assert_eq!(
        b.records.len(),
        5,
        "every record is kept; the store shows what it has"
    );
    assert_eq!(b.records[2].get(), "7");
}

#[test]
fn bad_files_have_named_errors() {
    let l = Limits::default();
    let p = |s: &[u8]| parse_document(s, &l);
    assert_eq!(p(b"").e(), Some(FileError::Empty));
    assert_eq!(p(b" \n\t\r\n").e(), Some(FileError::Empty));
    assert_eq!(read(&gz(b"")).e(), Some(FileError::Empty));
    assert_eq!(p(b"\xEF\xBB\xBF").e(), Some(FileError::Empty));
    // Not JSON.
    assert!(matches!(p(b"hello world"), Err(FileError::NotJson(_))));
    assert!(matches!(
        p(b"\x00\x01\x02binary"),
        Err(FileError::NotJson(_))
    ));
    assert!(
        matches!(p(b"[{\"eventName\":\"A\"},"), Err(FileError::NotJson(m)) if m.contains("ends early"))
    );
    assert!(matches!(
        p(b"{\"Records\":[{\"eventName\":\"A\"}"),
        Err(FileError::NotJson(_))
    ));
    assert!(matches!(
        p(b"[{\"eventName\":\"A\"}] trailing"),
        Err(FileError::NotJson(_))
    ));
    // NDJSON with a broken line names it.
    match p(b"{\"eventName\":\"A\"}\n{\"eventName\":\n") {
        Err(FileError::NotJson(m)) => assert!(m.contains("line"), "{m}"),
        e => panic!("{e:?}"),
    }
    // An HTML page.
    let html =
        b"<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head><body>nope</body></html>";
    assert_eq!(
        p(html).e(),
        Some(FileError::Html {
            title: Some("403 Forbidden".into())
        })
    );
    assert_eq!(read(&gz(html)).e(), p(html).e());
    assert_eq!(
        p(b"<html><body>x</body></html>").e(),
        Some(FileError::Html { title: None })
    );
    // A storage service's XML error.
    let xml = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>X</RequestId></Error>";
    assert_eq!(
        p(xml).e(),
        Some(FileError::StorageError {
            code: "AccessDenied".into(),
            message: Some("Access Denied".into())
        })
    );
    // JSON of another shape.
    for other in [
        &br#"{"name":"config","version":2}"#[..],
        br#"{}"#,
        br#"[1,2,3]"#,
        br#"[{"name":"x"}]"#,
        br#""just a string""#,
        br#"42"#,
        br#"{"Records":5}"#,
        br#"{"Records":{"eventName":"A"}}"#,
    ] {
        assert!(
            matches!(p(other), Err(FileError::OtherShape(_))),
            "{}: {:?}",
            String::from_utf8_lossy(other),
            p(other)
        );
    }
    match p(br#"{"name":"config","version":2}"#) {
        Err(FileError::OtherShape(m)) => assert!(m.contains("name, version"), "{m}"),
        e => panic!("{e:?}"),
    }
    // Each error reads as a sentence for the failed-files list.
    for e in [
        FileError::Empty,
        FileError::TooLarge { limit: 1 << 30 },
        FileError::NotJson("x".into()),
        FileError::Html { title: None },
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn too_large_files_are_refused() {
    let text = fixture("cloudtrail_identities.json");
    let small = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    assert_eq!(
        read_file(&text, &small).e(),
        Some(FileError::TooLarge { limit: 1000 })
    );
    // Compressed it is small; decompressed it is not (a gzip bomb stops at the limit).
    let z = gz(&text);
    assert!(z.len() < 4000);
    let limit = Limits {
        max_bytes: 4000,
        ..Limits::default()
    };
    assert_eq!(
        read_file(&z, &limit).e(),
        Some(FileError::TooLarge { limit: 4000 })
    );
    let bomb = gz(&vec![b' '; 50 << 20]);
    assert!(bomb.len() < 100_000);
    assert_eq!(
        read_file(
            &bomb,
            &Limits {
                max_bytes: 1 << 20,
                ..Limits::default()
            }
        )
        .e(),
        Some(FileError::TooLarge { limit: 1 << 20 })
    );
    assert!(FileError::TooLarge { limit: 1 << 30 }
        .to_string()
        .contains("1024 MB"));
}

#[test]
fn more_records_than_the_cap() {
    let cap = Limits {
        max_records: 2,
        ..Limits::default()
    };
    let arr = br#"[{"eventName":"A"},{"eventName":"B"},{"eventName":"C"}]"#;
    let b = parse_document(arr, &cap).unwrap();
    assert_eq!((names(&b), b.capped), (vec!["A".into(), "B".into()], true));
    let b = parse_document(
        br#"{"Records":[{"eventName":"A"},{"eventName":"B"}]}"#,
        &cap,
    )
    .unwrap();
    assert_eq!((b.records.len(), b.capped), (2, false));
    let b = parse_document(
        b"{\"eventName\":\"A\"}\n{\"eventName\":\"B\"}\n{\"eventName\":\"C\"}",
        &cap,
    )
    .unwrap();
    assert_eq!((names(&b), b.capped), (vec!["A".into(), "B".into()], true));
    let b = parse_document(
        br#"{"Records":[{"eventName":"A"},{"eventName":"B"},{"eventName":"C"}]}"#,
        &cap,
    )
    .unwrap();
    assert_eq!((b.records.len(), b.capped), (2, true));
}
