//! The bodies of trailview's fuzz targets, one function per target, each taking the fuzzer's
//! bytes. `fuzz/fuzz_targets/<name>.rs` (cargo-fuzz, nightly) calls them; `tests/replay.rs`
//! (stable, part of `cargo xtask test`) runs every file of `fuzz/corpus/<name>/` and
//! `fuzz/regressions/<name>/` through them.
//!
//! Each target goes in where untrusted bytes really enter (an API answer's body, a trail file,
//! a worker's batch, the search box, the proxy's config file and requests) and, besides "does
//! not panic", asserts what the code promises about its output where that is cheap to check.

use serde_json::{value::RawValue, Value};
use trailview_core::catalogue::{self, Api, Call};
use trailview_core::dialect::{self, read_response, ApiError};
use trailview_core::engine::{BatchIngest, BatchWriter, EventBatch, EventStore, Filter};
use trailview_core::json_path::{canonical, JsonPath};
use trailview_core::lenient::{self, Parsed};
use trailview_core::trail_files::{self, keys, listing, plan, KeyUse};
use trailview_core::tree::{Nav, TreeIndex};
use trailview_core::{cloud::Cloud, cron, query};

/// A target's body: the fuzzer's bytes in, a panic on a finding.
pub type Target = fn(&[u8]);

/// The targets by name (the folder names under `fuzz/corpus/` and `fuzz/regressions/`).
pub const TARGETS: [(&str, Target); 9] = [
    ("lenient", lenient),
    ("json_tree", json_tree),
    ("wire", wire),
    ("cron", cron),
    ("query", query),
    ("trail_file", trail_file),
    ("proxy", proxy),
    ("view_link", view_link),
    ("column_layout", column_layout),
];

/// Text as a response body or a file is read as text: lossy UTF-8.
fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Split at the first newline: (first line, rest).
fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// The lenient JSON reader (`lenient::from_str`, `lenient::repair`): what it returns as strict
/// is what serde_json reads; what it returns as repaired is what serde_json reads from
/// `repair`'s output; well-formed JSON is never "repaired", and what fails unrepaired is
/// well-formed.
pub fn lenient(data: &[u8]) {
    let t = text(data);
    let fixed = lenient::repair(&t);
    let strict = serde_json::from_str::<Value>(&t);
    match lenient::from_str::<Value>(&t) {
        Ok((v, Parsed::Strict)) => assert_eq!(Some(&v), strict.as_ref().ok()),
        Ok((v, Parsed::Repaired)) => {
            assert!(strict.is_err(), "well-formed JSON reported as repaired");
            let again: Value = serde_json::from_str(&fixed).expect("repaired output parses");
            assert_eq!(v, again);
        }
        Err(e) => {
            assert!(strict.is_err());
            // Not repaired only when well-formed (a number out of `Value`'s range, say).
            let well_formed = serde_json::from_str::<Box<RawValue>>(&t).is_ok();
            assert_eq!(e.repaired.is_none(), well_formed, "{e:?}");
            if e.repaired.is_some() {
                assert!(serde_json::from_str::<Value>(&fixed).is_err());
            }
        }
    }
}

/// `JsonPath` (first line: a path as the tree copies it and the search box reads it; the rest:
/// a JSON document) and the tree index over the document. A path that parses prints back to
/// itself; `extract` agrees with `lookup` on the parsed document; every tree node's path finds
/// its value; keyboard navigation stays on visible rows.
pub fn json_tree(data: &[u8]) {
    let (path_bytes, json) = split_line(data);
    let path_text = text(path_bytes);
    let doc: Option<Value> = serde_json::from_slice(json).ok();
    if let Some(p) = JsonPath::parse(&path_text) {
        let shown = p.to_string();
        assert_eq!(JsonPath::parse(&shown).as_ref(), Some(&p), "{shown}");
        let got = p.extract_bytes(json);
        if let Some(doc) = &doc {
            assert_eq!(got, p.lookup(doc).map(canonical), "{shown}");
        }
    }
    let Some(doc) = doc else { return };
    let idx = TreeIndex::build(&doc);
    for id in 0..idx.len() as u32 {
        let node = idx.node(id);
        assert!(node.end > id && node.end as usize <= idx.len());
        if let Some(v) = idx.value(&doc, id) {
            let path = idx.path(id);
            assert_eq!(path.lookup(&doc), Some(v));
            assert_eq!(JsonPath::parse(&path.to_string()).as_ref(), Some(&path));
        }
        let _ = idx.key(id);
    }
    let mut open = idx.default_expansion();
    let visible = idx.visible(&open);
    assert!(visible.windows(2).all(|w| w[0] < w[1]));
    let all = idx.visible(&idx.all_expanded());
    assert_eq!(all.len(), idx.len());
    for &active in visible.iter().take(16) {
        for nav in [
            Nav::Down,
            Nav::Up,
            Nav::PageDown(5),
            Nav::PageUp(5),
            Nav::Home,
            Nav::End,
            Nav::Right,
            Nav::Left,
            Nav::Toggle,
        ] {
            let out = idx.navigate(&visible, &open, active, nav);
            assert!(visible.binary_search(&out.active).is_ok(), "{nav:?}");
        }
    }
    for id in idx.find(&doc, &path_text) {
        idx.reveal(&mut open, id);
        let shown = idx.visible(&open);
        assert!(shown.binary_search(&id).is_ok());
        assert!(shown
            .binary_search(&idx.visible_ancestor(id, &open))
            .is_ok());
    }
}

/// One API answer read as `C`'s response, as `api::call` reads it.
fn read_as<C: Call>(status: u16, request_id: Option<&str>, body: &str) {
    let dialect = C::OPERATION.api.dialect();
    match read_response::<C::Response>(dialect, status, request_id, body) {
        Ok(_) => assert!((200..300).contains(&status)),
        Err(ApiError::Service(s)) => {
            assert!(!(200..300).contains(&status));
            assert!(!s.code.is_empty());
        }
        Err(_) => {}
    }
}

/// The wire readers: the first byte picks an HTTP status, the first line is a request id and
/// retry header, the rest is the body, read as every operation's response type (and its
/// error dialect) and as a storage answer.
pub fn wire(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let status = [200, 201, 204, 400, 403, 404, 429, 500, 503, 302][sel as usize % 10];
    let (head, body) = split_line(rest);
    let head = text(head);
    let body = text(body);
    let rid = (!head.is_empty()).then_some(head.as_str());
    let _ = dialect::retry_after_secs(rid, rid);
    read_as::<catalogue::LookupEvents>(status, rid, &body);
    read_as::<catalogue::ListDeliveryHistoryJobs>(status, rid, &body);
    read_as::<catalogue::GetDeliveryHistoryJob>(status, rid, &body);
    read_as::<catalogue::CreateDeliveryHistoryJob>(status, rid, &body);
    read_as::<catalogue::DescribeExportTasks>(status, rid, &body);
    let cdn = read_response::<<catalogue::DescribeCdnDeliverList as Call>::Response>(
        Api::Cdn.dialect(),
        status,
        rid,
        &body,
    );
    if let Ok((r, _)) = cdn {
        let _ = r.tasks();
    }
    match plan::read_listing(status, rid, &body) {
        Ok(page) => {
            assert!((200..300).contains(&status));
            listing_keys(&page);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let _ = plan::storage_error(status, rid, &body);
    if let Ok(page) = trail_files::parse_list_objects(&body) {
        let again = trail_files::parse_list_objects(&listing::write_list_objects(&page));
        assert_eq!(again.as_ref(), Ok(&page));
    }
    if let Some(e) = trail_files::StorageError::parse(&body) {
        let again = trail_files::StorageError::parse(&e.to_xml());
        assert_eq!(again.as_ref(), Some(&e));
    }
}

/// A listing's keys and folders, read as the bucket walk reads them: trail file names, region
/// folders (which print back to themselves), the folders met on the way down.
fn listing_keys(page: &listing::ListObjectsPage) {
    let names = page.contents.iter().map(|c| c.key.as_str());
    for k in names.chain(page.common_prefixes.iter().map(String::as_str)) {
        if let Ok(o) = trail_files::parse_key(k) {
            let _ = o.may_hold(0, i64::MAX);
        }
        if let Some(f) = keys::RegionFolder::parse(k) {
            assert_eq!(keys::RegionFolder::parse(&f.path()).as_ref(), Some(&f));
            let _ = f.day_prefixes(1_767_225_600_000, 1_767_225_600_000 + 3 * 86_400_000);
        }
        for cloud in [Cloud::Aliyun, Cloud::Aws] {
            let _ = trail_files::classify_folder(cloud, k);
            let _ = trail_files::trail_root(cloud, k);
        }
    }
}

/// The Quartz cron parser (a job's schedule): a schedule that parses lists strictly increasing
/// run times after the start, no more than asked.
pub fn cron(data: &[u8]) {
    let t = text(data);
    let Ok(s) = cron::Schedule::parse(&t) else {
        return;
    };
    for after in [0i64, 1_767_225_600_000, 4_102_444_800_000] {
        let runs = s.next_runs(after, 4);
        assert!(runs.len() <= 4);
        assert!(runs.iter().all(|&r| r > after), "{t}: {runs:?}");
        assert!(runs.windows(2).all(|w| w[0] < w[1]), "{t}: {runs:?}");
    }
}

/// The invariants `query::Expr` documents: `And` / `Or` hold at least two items, never a
/// constant.
fn check_expr(e: &query::Expr) {
    match e {
        query::Expr::And(xs) | query::Expr::Or(xs) => {
            assert!(xs.len() >= 2, "{e}");
            for x in xs {
                assert!(!matches!(x, query::Expr::True | query::Expr::False), "{e}");
                check_expr(x);
            }
        }
        query::Expr::Not(x) => check_expr(x),
        _ => {}
    }
}

/// A few events for the search to run over (both clouds' shapes).
const EVENTS: [&str; 3] = [
    r#"{"eventId":"e-1","eventName":"DescribeInstances","eventTime":"2026-01-02T03:04:05Z","userIdentity":{"userName":"alice","type":"RamUser"},"requestParameters":{"Tags":["a","b"]},"acsRegion":"cn-hangzhou"}"#,
    r#"{"eventID":"e-2","eventName":"DeleteBucket","eventTime":"2026-01-02T03:04:06Z","userIdentity":{"userName":"bob"},"requestID":"r-2","eventSource":"s3.amazonaws.com","awsRegion":"us-east-1"}"#,
    r#"{"eventName":"Odd","x":[1,{"y":null}]}"#,
];

/// The search box's query language: parsing never fails and keeps its invariants; the engine
/// compiles and runs the text over a few events.
pub fn query(data: &[u8]) {
    let t = text(data);
    let q = query::parse(&t);
    check_expr(&q.expr);
    let _ = q.expr.to_string();
    for w in &q.warnings {
        let _ = w.to_string();
    }
    if q.warnings.contains(&query::Warning::TooDeep) {
        assert_eq!(q.expr, query::Expr::True);
    }
    let mut store = EventStore::new();
    for e in EVENTS {
        store.push(e);
    }
    let compiled = store.compile(&Filter {
        text: t,
        ..Filter::default()
    });
    let order = store.order(None);
    let rows = store.filter(&order, &compiled);
    assert!(rows.len() <= order.len());
}

/// What reaches the page from a file: a trail file's bytes (opened from disk or downloaded) as
/// the worker reads them, its records written into a batch as the worker posts it and merged
/// into the store as the page does; or, for bytes that start with a batch's magic `TVB1`, a
/// batch as it arrives from a worker (`EventBatch::from_bytes`, checked before any use).
pub fn trail_file(data: &[u8]) {
    if data.starts_with(b"TVB1") {
        return batch_bytes(data);
    }
    let limits = trail_files::Limits {
        max_bytes: 4 << 20,
        max_records: 64,
    };
    match trail_files::read_file(data, &limits) {
        Ok(batch) => {
            assert!(batch.records.len() <= limits.max_records);
            let mut w = BatchWriter::new();
            for r in &batch.records {
                serde_json::from_str::<Value>(r.get()).expect("a record is JSON");
                w.push(r.get());
            }
            let b = EventBatch::from_bytes(w.finish()).expect("a written batch reads back");
            assert_eq!(b.len(), batch.records.len());
            for (i, r) in batch.records.iter().enumerate() {
                assert_eq!(b.json(i), r.get());
            }
            ingest(b);
            let mut store = EventStore::new();
            store.ingest_page(&batch.records);
            assert!(store.len() <= batch.records.len());
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// A batch's bytes from a worker: refused, or every row readable and merged in slices.
fn batch_bytes(data: &[u8]) {
    let Ok(b) = EventBatch::from_bytes(data.to_vec()) else {
        return;
    };
    for r in 0..b.len().min(256) {
        let _ = (
            b.time(r),
            b.event_id(r),
            b.request_id(r),
            b.json(r),
            b.read(r),
        );
        for f in trailview_core::schema::FIELDS {
            let _ = b.field(r, f);
        }
    }
    let _ = b.json_bytes();
    if b.len() <= 4096 {
        ingest(b);
    }
}

/// Merge a batch into a new store in slices, as the page does between frames.
fn ingest(b: EventBatch) {
    let n = b.len();
    let mut ingest = BatchIngest::new(b);
    let mut store = EventStore::new();
    while !ingest.finished() {
        store.ingest_batch(&mut ingest, 7);
    }
    assert_eq!(ingest.done(), n);
    assert!(store.len() <= n);
}

/// Configuration and requests: the proxy's TOML config file, the app's bucket lines (a
/// source's buckets), an RPC request's query and form body (first line: the query; the rest:
/// the body), a storage request's path and query and its key checks against a prefix (first
/// line: the prefix).
pub fn proxy(data: &[u8]) {
    use trailview_proxy::{allowlist, config::Config, params, storage::StorageRequest};
    let t = text(data);
    if let Ok(c) = Config::from_toml(&t, None, &|_| None) {
        let _ = c.security.auth_configured();
    }
    let _ = Config::from_toml(&t, None, &|k| Some(format!("{k}-value")));

    let (query, body) = split_line(data);
    let query = text(query);
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    let req = params::rpc_params(&http::Method::POST, &headers, Some(&query), body);
    let _ = req.lookup_attributes();
    let op = req.action().unwrap_or("");
    for api in [Api::ActionTrail, Api::Cdn] {
        let _ = allowlist::check(api, op, allowlist::Writes::Refused);
    }
    let _ = req.version();

    let (path, q) = t
        .split_once('?')
        .map_or((t.as_str(), None), |(p, q)| (p, Some(q)));
    for api in [Api::Oss, Api::S3] {
        for method in [http::Method::GET, http::Method::HEAD] {
            let full = format!("/api/{}/{path}", api.route());
            if let Ok(r) = StorageRequest::parse(api, &method, &full, q) {
                assert!(trailview_proxy::config::valid_bucket_name(&r.bucket));
                if !r.key.is_empty() {
                    assert!(keys::check_key_form(&r.key, KeyUse::Object).is_ok());
                }
            }
        }
    }
}

/// A shared view's link (`view_state::ViewState::from_query`: a URL anyone can hand the app):
/// never a panic; what it reads writes back to a link that reads the same, with nothing left
/// out; the length check agrees with the text's length.
pub fn view_link(data: &[u8]) {
    use trailview_core::view_state::{check_length, ViewState, MAX_URL_LEN};
    let t = text(data);
    let (v, _) = ViewState::from_query(&t);
    let q = v.to_query();
    assert_eq!(ViewState::from_query(&q), (v, vec![]), "{q}");
    assert_eq!(check_length(&t).is_ok(), t.len() <= MAX_URL_LEN);
}

/// A column layout kept in the browser (`columns::ColumnLayout::from_storage`: localStorage
/// text anyone can edit): never a panic; every built-in column once, one visible at least,
/// widths in range; what it reads stores and reads back the same.
pub fn column_layout(data: &[u8]) {
    use trailview_core::columns::{ColumnId, ColumnLayout, MAX_WIDTH, MIN_WIDTH};
    use trailview_core::schema::Column;
    let Some(l) = ColumnLayout::from_storage(&text(data)) else {
        return;
    };
    for c in Column::ALL {
        let n = l
            .specs()
            .iter()
            .filter(|s| s.id == ColumnId::Builtin(c))
            .count();
        assert_eq!(n, 1, "{c:?}");
    }
    assert!(l.visible().count() >= 1);
    assert!(l
        .specs()
        .iter()
        .all(|s| s.width.is_none_or(|w| (MIN_WIDTH..=MAX_WIDTH).contains(&w))));
    assert_eq!(ColumnLayout::from_storage(&l.to_storage()), Some(l));
}
