//! The saved-sessions service (`trailview::persist`) on the browser's real Origin Private File
//! System (wasm-bindgen-test in headless Chromium): chunks written and read back, listed and
//! deleted; a damaged chunk refused by name with the chunks before it restored; a missing file
//! a NotFound; and the write / read speed of many chunks (printed; the figures for the report).

#![cfg(target_arch = "wasm32")]

use trailview::persist::{self, chunk_name, StoreError, MANIFEST};
use trailview_core::engine::EventStore;
use trailview_core::session::{SnapshotError, SnapshotReader, SnapshotWriter};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn event(i: usize) -> String {
    format!(
        r#"{{"eventId":"E-{i:07}","eventName":"DescribeInstances","serviceName":"Ecs","eventTime":"2024-05-01T{:02}:{:02}:{:02}Z","userIdentity":{{"userName":"user{}","type":"ram-user","accountId":"1234567890123456"}},"sourceIpAddress":"203.0.113.{}","eventRW":"Read","acsRegion":"cn-hangzhou","requestId":"R-{i:08X}","requestParameters":{{"RegionId":"cn-hangzhou","PageSize":50}}}}"#,
        i / 3600 % 24,
        i / 60 % 60,
        i % 60,
        i % 45,
        i % 250
    )
}

/// A store of `n` events saved in chunks of `per` rows.
fn chunks(n: usize, per: usize) -> (EventStore, Vec<Vec<u8>>) {
    let mut s = EventStore::new();
    let mut w = SnapshotWriter::new();
    let mut out = Vec::new();
    for i in 0..n {
        s.push(&event(i));
        if (i + 1) % per == 0 {
            out.extend(w.chunk(&s));
        }
    }
    out.extend(w.chunk(&s));
    (s, out)
}

#[wasm_bindgen_test]
async fn chunks_are_written_read_back_listed_and_deleted() {
    let id = format!("test-{}", js_sys::Date::now() as u64);
    let (store, cs) = chunks(300, 100);
    assert_eq!(cs.len(), 3);
    for (n, c) in cs.iter().enumerate() {
        persist::write(&id, &chunk_name(n as u32), c).await.unwrap();
    }
    persist::write(&id, MANIFEST, b"{}").await.unwrap();
    assert!(persist::list().await.unwrap().contains(&id));
    let mut back = EventStore::new();
    let mut reader = SnapshotReader::new();
    for n in 0..3 {
        let bytes = persist::read(&id, &chunk_name(n)).await.unwrap();
        assert_eq!(bytes, cs[n as usize]);
        let mut ingest = reader.open(bytes).unwrap();
        ingest.ingest(&mut back, usize::MAX).unwrap();
    }
    assert_eq!(back.len(), 300);
    for r in [0, 150, 299] {
        assert_eq!(back.raw(r), store.raw(r));
    }

    // A chunk damaged on disk: named, and the one before it restored.
    let mut bad = cs[1].clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x40;
    persist::write(&id, &chunk_name(1), &bad).await.unwrap();
    let mut back = EventStore::new();
    let mut reader = SnapshotReader::new();
    let mut err = None;
    for n in 0..3 {
        let bytes = persist::read(&id, &chunk_name(n)).await.unwrap();
        match reader.open(bytes) {
            Ok(mut i) => {
                i.ingest(&mut back, usize::MAX).unwrap();
            }
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    assert_eq!(err, Some(SnapshotError::Corrupt { chunk: 1 }));
    assert_eq!(back.len(), 100);

    // A file that is not there; then the session is gone.
    assert!(matches!(
        persist::read(&id, &chunk_name(9)).await,
        Err(StoreError::NotFound(_))
    ));
    persist::delete(&id).await.unwrap();
    assert!(!persist::list().await.unwrap().contains(&id));
    assert!(matches!(
        persist::read(&id, MANIFEST).await,
        Err(StoreError::NotFound(_))
    ));
}

/// A full quota cannot be provoked here: an exception named as the browser names it (a
/// DOMException's `name` and `message`) is read as a quota error (the app then stops saving
/// and says so).
#[wasm_bindgen_test]
fn a_quota_exception_is_a_quota_error() {
    let quota = js_sys::Object::new();
    for (k, v) in [
        ("name", "QuotaExceededError"),
        ("message", "The quota has been exceeded."),
    ] {
        js_sys::Reflect::set(&quota, &k.into(), &v.into()).unwrap();
    }
    assert_eq!(
        persist::error(quota.into()),
        StoreError::Quota("QuotaExceededError: The quota has been exceeded.".into())
    );
    assert!(persist::error(wasm_bindgen::JsValue::from_str("odd"))
        .to_string()
        .contains("odd"));
}

/// Write and read 1,000 chunks of 1,000 events (1M events' packed rows) and print the times.
#[wasm_bindgen_test]
async fn many_chunks_write_and_read_speed() {
    let id = format!("speed-{}", js_sys::Date::now() as u64);
    let (_, cs) = chunks(1_000, 1_000);
    let chunk = &cs[0];
    let n = 1_000;
    let t0 = now();
    for k in 0..n {
        persist::write(&id, &chunk_name(k), chunk).await.unwrap();
    }
    let write_ms = now() - t0;
    let t1 = now();
    let mut bytes = 0;
    let dir = persist::Session::open(&id, false).await.unwrap();
    for k in 0..n {
        bytes += dir.read(&chunk_name(k)).await.unwrap().len();
    }
    let read_ms = now() - t1;
    assert_eq!(bytes, chunk.len() * n as usize);
    // Restoring: a chunk's rows into a store (debug build: slower than the shipped app).
    let t2 = now();
    for _ in 0..10 {
        let mut s = EventStore::new();
        SnapshotReader::new()
            .open(chunk.clone())
            .unwrap()
            .ingest(&mut s, usize::MAX)
            .unwrap();
        assert_eq!(s.len(), 1_000);
    }
    let ingest_ms = (now() - t2) / 10.0;
    console_log!(
        "{}",
        format!(
            "OPFS: {n} chunks of 1,000 events, {} bytes each: write {:.0} ms ({:.1} ms/chunk), read {:.0} ms ({:.1} ms/chunk); ingest of one chunk {:.1} ms (debug wasm)",
            chunk.len(),
            write_ms,
            write_ms / n as f64,
            read_ms,
            read_ms / n as f64,
            ingest_ms
        )
    );
    persist::delete(&id).await.unwrap();
}
