//! A batch of events read off the main thread: each event's JSON text with everything the store
//! needs of it (the values of the indexed fields, its time, `eventId` and `requestId`, whether
//! it was readable), so that merging a batch into the [`EventStore`] parses no JSON. A worker
//! fills a [`BatchWriter`] and sends [`BatchWriter::finish`]'s bytes (one transferable buffer);
//! the main thread reads them with [`EventBatch::from_bytes`] and merges them in slices with
//! [`EventStore::ingest_batch`], which builds the same store [`EventStore::push`] would.
//!
//! Layout (little-endian `u32`s unless said):
//! - header: magic `TVB1`, field count (= [`ALL_FIELDS`]), row count, data length;
//! - per field, its count of distinct values, then every value as a span (offset, length) into
//!   the data (the batch's own dictionary: a value is stored once per batch);
//! - per row, [`ROW`] bytes: time (`i64`, `i64::MIN` when absent), flags, the batch-dictionary
//!   index of each field's value, and the spans of `eventId`, `requestId` and the JSON text;
//! - the data: the strings' bytes.

use super::dict::Dict;
use super::store::{read_event, EventStore, IngestStats, Pushed};
use crate::schema::{Field, ALL_FIELDS};
use std::collections::HashMap;
use std::fmt;

const MAGIC: &[u8; 4] = b"TVB1";
const NF: usize = ALL_FIELDS.len();
/// Bytes of one row.
const ROW: usize = 8 + 4 + 4 * NF + 3 * 8;
const HEADER: usize = 16;

const READ: u32 = 1;
const HAS_EVENT_ID: u32 = 2;
const HAS_REQUEST_ID: u32 = 4;

/// Builds a batch from events' JSON text (a worker's side).
#[derive(Debug, Default)]
pub struct BatchWriter {
    dicts: Vec<HashMap<Box<str>, u32>>,
    /// Spans of each field's distinct values, in index order.
    values: Vec<Vec<(u32, u32)>>,
    rows: Vec<u8>,
    data: Vec<u8>,
    len: usize,
}

impl BatchWriter {
    pub fn new() -> Self {
        BatchWriter {
            dicts: (0..NF).map(|_| HashMap::new()).collect(),
            values: (0..NF).map(|_| Vec::new()).collect(),
            ..Default::default()
        }
    }

    /// Events written so far.
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn put(data: &mut Vec<u8>, s: &str) -> (u32, u32) {
        let at = data.len() as u32;
        data.extend_from_slice(s.as_bytes());
        (at, s.len() as u32)
    }

    /// Read one event (as [`EventStore::push`] reads it) and add it.
    pub fn push(&mut self, json: &str) {
        let (rec, ok) = read_event(json);
        let mut flags = if ok { READ } else { 0 };
        self.rows
            .extend_from_slice(&rec.time_ms().unwrap_or(i64::MIN).to_le_bytes());
        let flags_at = self.rows.len();
        self.rows.extend_from_slice(&[0; 4]);
        for f in ALL_FIELDS {
            let v = f.of(&rec).unwrap_or("");
            let dict = &mut self.dicts[f.idx()];
            let id = match dict.get(v) {
                Some(&id) => id,
                None => {
                    let id = self.values[f.idx()].len() as u32;
                    self.values[f.idx()].push(Self::put(&mut self.data, v));
                    dict.insert(v.into(), id);
                    id
                }
            };
            self.rows.extend_from_slice(&id.to_le_bytes());
        }
        for (s, flag) in [
            (rec.event_id.as_deref(), HAS_EVENT_ID),
            (rec.request_id.as_deref(), HAS_REQUEST_ID),
            (Some(json), 0),
        ] {
            let (at, len) = match s {
                Some(s) => {
                    flags |= flag;
                    Self::put(&mut self.data, s)
                }
                None => (0, 0),
            };
            self.rows.extend_from_slice(&at.to_le_bytes());
            self.rows.extend_from_slice(&len.to_le_bytes());
        }
        self.rows[flags_at..flags_at + 4].copy_from_slice(&flags.to_le_bytes());
        self.len += 1;
    }

    /// The batch's bytes.
    pub fn finish(self) -> Vec<u8> {
        let spans: usize = self.values.iter().map(|v| 4 + 8 * v.len()).sum();
        let mut out = Vec::with_capacity(HEADER + spans + self.rows.len() + self.data.len());
        out.extend_from_slice(MAGIC);
        for n in [NF, self.len, self.data.len()] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        for v in &self.values {
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            for (at, len) in v {
                out.extend_from_slice(&at.to_le_bytes());
                out.extend_from_slice(&len.to_le_bytes());
            }
        }
        out.extend_from_slice(&self.rows);
        out.extend_from_slice(&self.data);
        out
    }
}

/// Why bytes are not a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError(pub String);

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an event batch: {}", self.0)
    }
}

impl std::error::Error for BatchError {}

/// A batch's bytes, checked, with its parts located (the main thread's side).
#[derive(Debug, Clone)]
pub struct EventBatch {
    bytes: Vec<u8>,
    /// Where each field's value spans start.
    values_at: [usize; NF],
    value_counts: [u32; NF],
    rows_at: usize,
    data_at: usize,
    len: usize,
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"))
}

impl EventBatch {
    pub fn from_bytes(bytes: Vec<u8>) -> Result<EventBatch, BatchError> {
        let err = |m: &str| Err(BatchError(m.to_string()));
        if bytes.len() < HEADER || &bytes[..4] != MAGIC {
            return err("no TVB1 header");
        }
        if u32_at(&bytes, 4) as usize != NF {
            return err("another set of fields");
        }
        let len = u32_at(&bytes, 8) as usize;
        let data_len = u32_at(&bytes, 12) as usize;
        let mut at = HEADER;
        let mut values_at = [0; NF];
        let mut value_counts = [0; NF];
        for f in 0..NF {
            // `at` saturates (a huge count on a 32-bit target): past the end is cut short.
            if at > bytes.len() || bytes.len() - at < 4 {
                return err("cut short");
            }
            value_counts[f] = u32_at(&bytes, at);
            values_at[f] = at + 4;
            at = at
                .saturating_add(4)
                .saturating_add(8usize.saturating_mul(value_counts[f] as usize));
        }
        let rows_at = at;
        let data_at = rows_at.saturating_add(len.saturating_mul(ROW));
        if data_at.saturating_add(data_len) != bytes.len() {
            return err("its parts do not add up to its length");
        }
        let batch = EventBatch {
            bytes,
            values_at,
            value_counts,
            rows_at,
            data_at,
            len,
        };
        // Every span must lie in the data, and every value index in its dictionary.
        let in_data = |(a, l): (u32, u32)| (a as usize).saturating_add(l as usize) <= data_len;
        for f in 0..NF {
            if !(0..batch.value_counts[f]).all(|i| in_data(batch.value_span(f, i))) {
                return err("a value outside the data");
            }
        }
        for r in 0..len {
            let row = batch.row_at(r);
            if !(0..NF).all(|f| u32_at(&batch.bytes, row + 12 + 4 * f) < batch.value_counts[f])
                || !(0..3).all(|k| in_data(batch.span_at(row + 12 + 4 * NF + 8 * k)))
            {
                return err("a row outside the data");
            }
        }
        Ok(batch)
    }

    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn row_at(&self, r: usize) -> usize {
        self.rows_at + r * ROW
    }
    fn span_at(&self, i: usize) -> (u32, u32) {
        (u32_at(&self.bytes, i), u32_at(&self.bytes, i + 4))
    }
    fn value_span(&self, f: usize, i: u32) -> (u32, u32) {
        self.span_at(self.values_at[f] + 8 * i as usize)
    }
    /// Text of a span (checked in `from_bytes` to lie in the data); "" if it is not UTF-8.
    fn text(&self, (at, len): (u32, u32)) -> &str {
        let a = self.data_at + at as usize;
        std::str::from_utf8(&self.bytes[a..a + len as usize]).unwrap_or("")
    }
    fn flags(&self, r: usize) -> u32 {
        u32_at(&self.bytes, self.row_at(r) + 8)
    }
    pub fn time(&self, r: usize) -> i64 {
        let i = self.row_at(r);
        i64::from_le_bytes(self.bytes[i..i + 8].try_into().expect("8 bytes"))
    }
    /// The batch-dictionary index of field `f`'s value in row `r`.
    fn value_index(&self, r: usize, f: Field) -> u32 {
        u32_at(&self.bytes, self.row_at(r) + 12 + 4 * f.idx())
    }
    pub fn field(&self, r: usize, f: Field) -> &str {
        self.text(self.value_span(f.idx(), self.value_index(r, f)))
    }
    fn string(&self, r: usize, k: usize, flag: u32) -> Option<&str> {
        (flag == 0 || self.flags(r) & flag != 0)
            .then(|| self.text(self.span_at(self.row_at(r) + 12 + 4 * NF + 8 * k)))
    }
    pub fn event_id(&self, r: usize) -> Option<&str> {
        self.string(r, 0, HAS_EVENT_ID)
    }
    pub fn request_id(&self, r: usize) -> Option<&str> {
        self.string(r, 1, HAS_REQUEST_ID)
    }
    pub fn json(&self, r: usize) -> &str {
        self.string(r, 2, 0).unwrap_or("")
    }
    /// Were the event's fields read ([`Pushed::Odd`] when not)?
    pub fn read(&self, r: usize) -> bool {
        self.flags(r) & READ != 0
    }
    /// Bytes of JSON text in the batch.
    pub fn json_bytes(&self) -> usize {
        (0..self.len).map(|r| self.json(r).len()).sum()
    }
}

/// A batch being merged into a store in slices: the next row, and the store's dictionary id of
/// each batch value met so far (interned once per batch, not once per row).
#[derive(Debug, Clone)]
pub struct BatchIngest {
    batch: EventBatch,
    next: usize,
    ids: Vec<Vec<u32>>,
    epoch: Option<u64>,
    /// `[from, to)` in epoch ms: rows outside it are left out (a file near a range's edge
    /// holds events beyond it). Rows without a time are kept.
    window: Option<(i64, i64)>,
}

const UNMAPPED: u32 = u32::MAX;

impl BatchIngest {
    pub fn new(batch: EventBatch) -> Self {
        let ids = (0..NF)
            .map(|f| vec![UNMAPPED; batch.value_counts[f] as usize])
            .collect();
        BatchIngest {
            batch,
            next: 0,
            ids,
            epoch: None,
            window: None,
        }
    }
    /// Rows merged so far.
    pub fn done(&self) -> usize {
        self.next
    }
    /// Merge only the rows whose time is in `[from_ms, to_ms)`.
    pub fn within(mut self, (from_ms, to_ms): (i64, i64)) -> BatchIngest {
        self.window = Some((from_ms, to_ms));
        self
    }

    pub fn len(&self) -> usize {
        self.batch.len
    }
    pub fn is_empty(&self) -> bool {
        self.batch.len == 0
    }
    pub fn finished(&self) -> bool {
        self.next >= self.batch.len
    }
    pub fn batch(&self) -> &EventBatch {
        &self.batch
    }
}

impl EventStore {
    /// Merge up to `max_rows` more rows of `ingest` (deduplicated by `eventId` as
    /// [`EventStore::push`] does; the same rows, columns and dictionaries as pushing each
    /// event's JSON text would give).
    pub fn ingest_batch(&mut self, ingest: &mut BatchIngest, max_rows: usize) -> IngestStats {
        if ingest.epoch != Some(self.epoch()) {
            // A new store (or a cleared one): ids interned into the old one mean nothing here.
            for ids in &mut ingest.ids {
                ids.fill(UNMAPPED);
            }
            ingest.epoch = Some(self.epoch());
        }
        let mut st = IngestStats::default();
        let end = ingest.batch.len.min(ingest.next.saturating_add(max_rows));
        let BatchIngest {
            batch,
            ids,
            next,
            window,
            ..
        } = ingest;
        for r in *next..end {
            let t = batch.time(r);
            if window.is_some_and(|(from, to)| t != i64::MIN && !(from..to).contains(&t)) {
                st.outside += 1;
                continue;
            }
            let pushed = self.insert(
                batch.event_id(r),
                batch.request_id(r),
                batch.time(r),
                batch.read(r),
                batch.json(r),
                |dict: &mut Dict, f| {
                    let i = batch.value_index(r, f) as usize;
                    let id = &mut ids[f.idx()][i];
                    if *id == UNMAPPED {
                        *id = dict.intern(batch.text(batch.value_span(f.idx(), i as u32)));
                    }
                    *id
                },
            );
            match pushed {
                Pushed::Added => st.added += 1,
                Pushed::Odd => {
                    st.added += 1;
                    st.odd += 1;
                }
                Pushed::Duplicate(_) => st.duplicates += 1,
            }
        }
        *next = end;
        st
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fixtures::ev;
    use serde_json::json;

    fn events() -> Vec<String> {
        let mut v = vec![
            ev("A", "Ecs", "alice", "1.2.3.4", "2024-01-01T00:00:02Z", ""),
            ev("B", "Oss", "Bob", "::1", "2024-01-01T00:00:01Z", "NoSuchKey"),
            ev("A", "Ecs", "alice", "1.2.3.4", "2024-01-01T00:00:02Z", ""),
            json!({"eventID": "ct-1", "eventTime": "2024-01-01T00:00:05Z", "eventSource": "ec2.amazonaws.com",
                   "eventName": "RunInstances", "awsRegion": "us-east-1", "readOnly": false,
                   "requestID": "REQ-1", "recipientAccountId": "123456789012",
                   "userIdentity": {"type": "IAMUser", "userName": "Ana", "arn": "arn:aws:iam::123456789012:user/Ana"}})
            .to_string(),
            "[1,2,3]".into(),
            "not json".into(),
            r#"{"eventName":"a","eventName":"b"}"#.into(),
            r#"{"eventId":"","eventName":"no id"}"#.into(),
            r#"{"eventName":{"odd":1},"requestId":"R-É"}"#.into(),
            String::new(),
            "王芳 🙂".into(),
        ];
        for i in 0..300 {
            v.push(
                json!({"eventId": format!("id-{}", i % 250), "eventName": format!("E{}", i % 7),
                       "eventTime": format!("2024-01-01T00:{:02}:00Z", i % 60)})
                .to_string(),
            );
        }
        v
    }

    fn batch_of(evs: &[String]) -> EventBatch {
        let mut w = BatchWriter::new();
        for e in evs {
            w.push(e);
        }
        assert_eq!(w.len(), evs.len());
        EventBatch::from_bytes(w.finish()).unwrap()
    }

    /// Every observable part of two stores is the same.
    fn assert_same(a: &EventStore, b: &EventStore) {
        assert_eq!(a.len(), b.len());
        assert_eq!(a.json_bytes(), b.json_bytes());
        assert_eq!(a.time, b.time);
        assert_eq!(a.cols, b.cols);
        for (da, db) in a.dicts.iter().zip(&b.dicts) {
            assert_eq!(da.strings, db.strings);
            assert_eq!(da.lower, db.lower);
        }
        assert_eq!(a.ids_bytes, b.ids_bytes);
        for r in 0..a.len() as u32 {
            assert_eq!(a.raw(r), b.raw(r));
            assert_eq!(a.event_id(r), b.event_id(r));
            assert_eq!(a.ids_lower.get(r as usize), b.ids_lower.get(r as usize));
            assert_eq!(
                a.row_of_event_id(a.event_id(r)),
                b.row_of_event_id(b.event_id(r))
            );
        }
        assert_eq!(a.packed_bytes(), b.packed_bytes());
    }

    #[test]
    fn a_batch_round_trips_what_push_reads() {
        let evs = events();
        let b = batch_of(&evs);
        assert_eq!(b.len(), evs.len());
        for (r, e) in evs.iter().enumerate() {
            let (rec, ok) = read_event(e);
            assert_eq!(b.json(r), e);
            assert_eq!(b.read(r), ok, "{e}");
            assert_eq!(b.time(r), rec.time_ms().unwrap_or(i64::MIN));
            assert_eq!(b.event_id(r), rec.event_id.as_deref());
            assert_eq!(b.request_id(r), rec.request_id.as_deref());
            for f in ALL_FIELDS {
                assert_eq!(b.field(r, f), f.of(&rec).unwrap_or(""), "{f:?} of {e}");
            }
        }
        assert_eq!(b.field(3, Field::Cloud), "AWS");
        assert_eq!(b.field(3, Field::Account), "123456789012");
        assert_eq!(b.request_id(8), Some("R-É"));
        assert_eq!(b.json_bytes(), evs.iter().map(String::len).sum::<usize>());
        assert!(batch_of(&[]).is_empty());
    }

    #[test]
    fn a_window_leaves_out_the_rows_outside_it() {
        let ms = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        let evs = [
            ev("A", "Ecs", "alice", "1.2.3.4", "2024-01-01T00:00:02Z", ""),
            ev("B", "Oss", "bob", "::1", "2024-01-01T00:00:01Z", ""),
            ev("C", "Oss", "bob", "::1", "2024-01-01T00:00:05Z", ""),
            json!({"eventId": "no-time"}).to_string(),
        ];
        let mut store = EventStore::new();
        let mut ingest = BatchIngest::new(batch_of(&evs))
            .within((ms("2024-01-01T00:00:02Z"), ms("2024-01-01T00:00:05Z")));
        let s = store.ingest_batch(&mut ingest, 100);
        assert_eq!((s.added, s.outside), (2, 2), "02 and the timeless one stay");
        assert!(store.row_of_event_id("ID-A-2024-01-01T00:00:02Z").is_some());
        assert!(store.row_of_event_id("no-time").is_some());
        assert!(
            store.row_of_event_id("ID-C-2024-01-01T00:00:05Z").is_none(),
            "the end is open"
        );
    }

    #[test]
    fn ingest_batch_builds_the_store_push_builds() {
        let evs = events();
        let mut pushed = EventStore::new();
        pushed.push(&ev(
            "A",
            "Ecs",
            "alice",
            "1.2.3.4",
            "2024-01-01T00:00:02Z",
            "",
        ));
        let mut merged = pushed.clone();
        let mut want = IngestStats::default();
        for e in &evs {
            match pushed.push(e) {
                Pushed::Added => want.added += 1,
                Pushed::Odd => {
                    want.added += 1;
                    want.odd += 1
                }
                Pushed::Duplicate(_) => want.duplicates += 1,
            }
        }
        // In slices of 7 rows, in two batches (ids interned in the first are met again).
        let (one, two) = evs.split_at(100);
        let mut got = IngestStats::default();
        for part in [one, two] {
            let mut ingest = BatchIngest::new(batch_of(part));
            while !ingest.finished() {
                let s = merged.ingest_batch(&mut ingest, 7);
                got.added += s.added;
                got.odd += s.odd;
                got.duplicates += s.duplicates;
            }
            assert_eq!(ingest.done(), part.len());
        }
        assert_eq!(got, want);
        assert!(want.duplicates >= 51 && want.odd >= 4, "{want:?}");
        assert_same(&merged, &pushed);
    }

    #[test]
    fn a_cleared_store_gets_fresh_ids() {
        let evs = events();
        let mut s = EventStore::new();
        let mut ingest = BatchIngest::new(batch_of(&evs));
        s.ingest_batch(&mut ingest, 50);
        s.clear();
        s.ingest_batch(&mut ingest, usize::MAX);
        let mut want = EventStore::new();
        for e in &evs[50..] {
            want.push(e);
        }
        assert_same(&s, &want);
    }

    #[test]
    fn bytes_that_are_not_a_batch_are_refused() {
        let good = {
            let mut w = BatchWriter::new();
            w.push(&ev(
                "A",
                "Ecs",
                "alice",
                "1.2.3.4",
                "2024-01-01T00:00:02Z",
                "",
            ));
            w.finish()
        };
        assert!(EventBatch::from_bytes(good.clone()).is_ok());
        assert!(EventBatch::from_bytes(Vec::new()).is_err());
        assert!(EventBatch::from_bytes(b"TVB2".repeat(8)).is_err());
        for cut in [1, 10, good.len() / 2] {
            assert!(EventBatch::from_bytes(good[..good.len() - cut].to_vec()).is_err());
        }
        // A span pointing past the data (the JSON text's length of the one row).
        let mut bad = good.clone();
        let data_len = u32_at(&good, 12) as usize;
        let json_len_at = good.len() - data_len - 4;
        bad[json_len_at..json_len_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(EventBatch::from_bytes(bad).is_err());
        // Every field's value count at its largest: the offsets run past the end (on a 32-bit
        // target they saturate) and the batch is refused, not read out of bounds.
        for f in 0..NF {
            let mut bad = good.clone();
            let mut at = HEADER;
            for _ in 0..f {
                at += 4 + 8 * u32_at(&good, at) as usize;
            }
            bad[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
            assert!(EventBatch::from_bytes(bad).is_err(), "field {f}");
        }
    }
}
