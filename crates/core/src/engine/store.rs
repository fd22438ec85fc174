//! The store: ingest (parsing each event once, skipping `eventId`s already loaded), the
//! interned columns, the packed JSON text, and path columns indexed on demand.

use super::arena::{ByteArena, TextArena};
use super::codec::Packer;
use super::dict::Dict;
use super::hash_index::HashIndex;
use crate::event::{EventRecord, RecordRead};
use crate::json_path::JsonPath;
use crate::schema::{Field, ALL_FIELDS};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// A value at a JSON path, per row, computed on demand for tree filters on paths that are not
/// indexed fields. Computed incrementally: `ids` covers the first `ids.len()` rows; rows
/// ingested later, or not reached yet, are added by [`EventStore::index_path`].
#[derive(Debug, Clone)]
pub(super) struct PathColumn {
    pub(super) dict: Dict,
    /// `u32::MAX` where the path is absent.
    pub(super) ids: Vec<u32>,
}

/// Path columns kept at most (each is 4 bytes per row); unused ones are dropped first.
pub(super) const MAX_PATH_COLUMNS: usize = 8;

/// A compiled filter whose path column does not cover every row yet, so rows past `done` are
/// left out until [`EventStore::index_path`] reaches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPath {
    pub path: JsonPath,
    pub done: usize,
    pub total: usize,
}

pub(super) const ABSENT: u32 = u32::MAX;

/// Rows [`EventStore::compile`] indexes for a path filter on the spot; more are left to
/// [`EventStore::index_path`] in slices (at ~5-10 µs a row, 5,000 rows are ~25-50 ms).
pub const SYNC_PATH_ROWS: usize = 5_000;

/// What one ingest did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    /// Events added (including odd ones).
    pub added: usize,
    /// Events that were not JSON objects or had unreadable parts; kept, with empty columns.
    pub odd: usize,
    /// Events skipped because an event with the same `eventId` is already in the store.
    pub duplicates: usize,
    /// Events left out because their time is outside the range the batch was loaded for
    /// ([`crate::engine::BatchIngest::within`]).
    pub outside: usize,
}

/// What [`EventStore::push`] did with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Added,
    /// Added, but not a JSON object or with unreadable parts: its columns are empty.
    Odd,
    /// Skipped: an event with the same `eventId` is already in the store, at this row.
    Duplicate(u32),
}

/// An event's record and whether its fields were read: a record that fell back to empty (not
/// an object, or an object serde could not read) has no columns and no id to deduplicate by,
/// and is [`Pushed::Odd`].
pub(super) fn read_event(json: &str) -> (EventRecord, bool) {
    match EventRecord::parse_read(json) {
        Ok((r, read)) => (r, read == RecordRead::Fields),
        Err(_) => (EventRecord::default(), false),
    }
}

/// The loaded events: their packed JSON text, interned field columns, times, ids and path
/// columns.
#[derive(Debug, Clone)]
pub struct EventStore {
    /// Each event's JSON text, packed.
    raw: ByteArena,
    packer: Packer,
    pack_buf: Vec<u8>,
    json_bytes: usize,
    pub(super) time: Vec<i64>,
    /// The earliest and latest of `time` (missing times left out), kept as rows are added.
    pub(super) time_span: Option<(i64, i64)>,
    pub(super) cols: Vec<Vec<u32>>,
    pub(super) dicts: Vec<Dict>,
    /// Lowercase `eventId requestId ` per row: the unique, non-interned searchable text.
    pub(super) ids_lower: TextArena,
    /// Bytes that occur anywhere in `ids_lower`: a needle with any other byte cannot match.
    pub(super) ids_bytes: [bool; 256],
    event_ids: TextArena,
    /// `eventId` → row, to skip events that are already loaded (the ids are not copied: a hash
    /// match is confirmed against `event_ids`).
    id_index: HashIndex,
    pub(super) paths: HashMap<String, PathColumn>,
    /// See [`EventStore::epoch`].
    epoch: u64,
}

impl Default for EventStore {
    fn default() -> Self {
        Self::new()
    }
}

impl EventStore {
    pub fn new() -> Self {
        EventStore {
            raw: ByteArena::default(),
            packer: Packer::default(),
            pack_buf: Vec::new(),
            json_bytes: 0,
            time: Vec::new(),
            time_span: None,
            cols: ALL_FIELDS.iter().map(|_| Vec::new()).collect(),
            dicts: ALL_FIELDS.iter().map(|_| Dict::new()).collect(),
            ids_lower: TextArena::default(),
            ids_bytes: [false; 256],
            event_ids: TextArena::default(),
            id_index: HashIndex::default(),
            paths: HashMap::new(),
            epoch: 0,
        }
    }

    /// Room for `additional` more events in the per-row columns and the id index, made now in
    /// one allocation each: a store that grows by doubling copies every column at each power of
    /// two, and at half a million rows those copies (tens of MB) were the load's longest tasks.
    /// For a load that knows how many events are coming (trail file names say).
    ///
    /// Exact (a store that holds events is not doubled on top) and only a hint: when the memory
    /// is not there (names that announce more than comes) nothing is reserved and the store
    /// grows as it would have.
    pub fn reserve(&mut self, additional: usize) {
        if additional == 0 {
            return;
        }
        let _ = self.time.try_reserve_exact(additional);
        for c in &mut self.cols {
            let _ = c.try_reserve_exact(additional);
        }
        self.raw.reserve(additional);
        self.ids_lower.reserve(additional);
        self.event_ids.reserve(additional);
        self.id_index.reserve(self.len().saturating_add(additional));
    }

    pub fn len(&self) -> usize {
        self.time.len()
    }
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Add the events of one LookupEvents page, skipping those already loaded (by `eventId`).
    pub fn ingest_page(&mut self, events: &[Box<RawValue>]) -> IngestStats {
        self.ingest_page_with(events, |_, _| {})
    }

    /// As `ingest_page`, also giving each event's time, whether it was added or was already
    /// loaded (a fetch's covered span counts both).
    pub fn ingest_page_times(
        &mut self,
        events: &[Box<RawValue>],
    ) -> (IngestStats, Vec<Option<i64>>) {
        let mut times = Vec::with_capacity(events.len());
        let st = self.ingest_page_with(events, |store, row| times.push(store.time_ms(row)));
        (st, times)
    }

    fn ingest_page_with(
        &mut self,
        events: &[Box<RawValue>],
        mut each_row: impl FnMut(&EventStore, u32),
    ) -> IngestStats {
        let mut st = IngestStats::default();
        for e in events {
            let row = match self.push(e.get()) {
                Pushed::Added => {
                    st.added += 1;
                    self.len() as u32 - 1
                }
                Pushed::Odd => {
                    st.added += 1;
                    st.odd += 1;
                    self.len() as u32 - 1
                }
                Pushed::Duplicate(row) => {
                    st.duplicates += 1;
                    row
                }
            };
            each_row(self, row);
        }
        st
    }

    /// Add one event from its JSON text, unless an event with the same non-empty `eventId` is
    /// already in the store (events without one are always added). An event that is not an
    /// object / not JSON / an object that cannot be read as an event (the same key twice) is
    /// kept without its columns ([`Pushed::Odd`]).
    pub fn push(&mut self, json: &str) -> Pushed {
        let (rec, ok) = read_event(json);
        self.insert(
            rec.event_id.as_deref(),
            rec.request_id.as_deref(),
            rec.time_ms().unwrap_or(i64::MIN),
            ok,
            json,
            |dict, f| dict.intern(f.of(&rec).unwrap_or("")),
        )
    }

    /// Add one event whose columns were read already (by [`EventStore::push`], or by a worker
    /// into a [`super::batch::EventBatch`]): `field_id` interns the value of each of
    /// [`ALL_FIELDS`] into that field's dictionary. Skipped, before anything is interned, when
    /// an event with the same non-empty `eventId` is loaded.
    pub(super) fn insert(
        &mut self,
        event_id: Option<&str>,
        request_id: Option<&str>,
        time: i64,
        ok: bool,
        json: &str,
        mut field_id: impl FnMut(&mut Dict, Field) -> u32,
    ) -> Pushed {
        if let Some(row) = self.claim_event_id(event_id) {
            return Pushed::Duplicate(row);
        }
        for f in ALL_FIELDS {
            let id = field_id(&mut self.dicts[f.idx()], f);
            self.cols[f.idx()].push(id);
        }
        self.push_time(time);
        let mut ids = String::new();
        for s in [event_id, request_id].into_iter().flatten() {
            ids.push_str(&s.to_lowercase());
            ids.push(' ');
        }
        self.push_ids(event_id, &ids);
        self.json_bytes += json.len();
        self.pack_buf.clear();
        self.packer.encode(json.as_bytes(), &mut self.pack_buf);
        self.raw.push(&self.pack_buf);
        // Path columns now miss this row: `index_path` (or `compile`, for a few rows) adds it.
        if ok {
            Pushed::Added
        } else {
            Pushed::Odd
        }
    }

    /// The row already holding the non-empty `event_id`, or `None` after giving it the next row.
    fn claim_event_id(&mut self, event_id: Option<&str>) -> Option<u32> {
        let id = event_id.filter(|id| !id.is_empty())?;
        let h = self.id_index.hash(id);
        if let Some(row) = self.find_event_id(h, id) {
            return Some(row);
        }
        self.id_index.insert(h, self.len() as u32);
        None
    }

    fn push_time(&mut self, t: i64) {
        self.time.push(t);
        if t != i64::MIN {
            self.time_span = Some(self.time_span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        }
    }

    fn push_ids(&mut self, event_id: Option<&str>, ids_lower: &str) {
        for b in ids_lower.bytes() {
            self.ids_bytes[b as usize] = true;
        }
        self.ids_lower.push(ids_lower);
        self.event_ids.push(event_id.unwrap_or(""));
    }

    // A snapshot's hook (`crate::session`): a row as the store holds it, and a row put back
    // as it was, its JSON text still packed.

    /// The packer's shared dictionary so far (append-only).
    pub fn packer_dict(&self) -> &[u8] {
        self.packer.dict()
    }

    /// Row `row` as stored: its packed JSON text, its time (`i64::MIN`: none) and its
    /// lowercase `eventId requestId ` text.
    pub fn packed_row(&self, row: u32) -> (&[u8], i64, &str) {
        let r = row as usize;
        (self.raw.get(r), self.time[r], self.ids_lower.get(r))
    }

    /// Put back the packer dictionary's bytes a snapshot saved (before the rows packed against
    /// them); `false` when they would pass its maximum (not a snapshot of a store).
    pub fn extend_packer_dict(&mut self, bytes: &[u8]) -> bool {
        self.packer.extend_dict(bytes)
    }

    /// The id of `value` in field `f`'s dictionary (added if new), for [`EventStore::insert_packed`].
    pub fn intern_field(&mut self, f: Field, value: &str) -> u32 {
        self.dicts[f.idx()].intern(value)
    }

    /// Put back a row [`EventStore::packed_row`] gave: `fields` are [`EventStore::intern_field`]
    /// ids in [`ALL_FIELDS`] order, `json_len` its JSON text's length. Deduplicated by
    /// `eventId` as [`EventStore::push`] is.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_packed(
        &mut self,
        event_id: Option<&str>,
        ids_lower: &str,
        time: i64,
        fields: &[u32; ALL_FIELDS.len()],
        packed: &[u8],
        json_len: usize,
    ) -> Pushed {
        if let Some(row) = self.claim_event_id(event_id) {
            return Pushed::Duplicate(row);
        }
        for (c, &id) in self.cols.iter_mut().zip(fields) {
            c.push(id);
        }
        self.push_time(time);
        self.push_ids(event_id, ids_lower);
        self.json_bytes += json_len;
        self.raw.push(packed);
        Pushed::Added
    }

    /// Changes whenever the store is cleared, so that whoever holds ids into its dictionaries
    /// (a batch being merged in slices) knows they went stale.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The row of the event whose `eventId` is `id`.
    pub fn row_of_event_id(&self, id: &str) -> Option<u32> {
        if id.is_empty() {
            return None;
        }
        self.find_event_id(self.id_index.hash(id), id)
    }

    /// The row whose `eventId` is `id`, hashing to `h`.
    fn find_event_id(&self, h: u32, id: &str) -> Option<u32> {
        self.id_index
            .find(h, |row| self.event_ids.get(row as usize) == id)
    }

    pub fn clear(&mut self) {
        let epoch = self.epoch + 1;
        *self = EventStore::new();
        self.epoch = epoch;
    }

    /// Appends the event's JSON text (decoded from its packed form, the bytes a `&str` gave
    /// [`EventStore::push`]) to `out`: for callers that write many events into one buffer.
    pub fn raw_into(&self, row: u32, out: &mut Vec<u8>) {
        self.packer.decode_into(self.raw.get(row as usize), out);
    }

    /// The event's JSON text (decoded from its packed form).
    pub fn raw(&self, row: u32) -> String {
        let bytes = self.packer.decode(self.raw.get(row as usize));
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Bytes the events' packed JSON text takes (their JSON text would take
    /// [`EventStore::json_bytes`]).
    pub fn packed_bytes(&self) -> usize {
        self.raw.spans.iter().map(|s| s.2 as usize).sum()
    }

    /// Total length of the events' JSON text.
    pub fn json_bytes(&self) -> usize {
        self.json_bytes
    }

    /// Event time in epoch milliseconds.
    pub fn time_ms(&self, row: u32) -> Option<i64> {
        Some(self.time[row as usize]).filter(|t| *t != i64::MIN)
    }

    /// The value of an indexed field ("" if absent).
    pub fn field(&self, row: u32, f: Field) -> &str {
        let id = self.cols[f.idx()][row as usize];
        &self.dicts[f.idx()].strings[id as usize]
    }

    /// The value at `path` in the event as a table cell shows it: a string without its quotes,
    /// anything else as compact JSON, "" if absent. From the path's column where it covers the
    /// row, else read from the event's text (~5-10 µs: for the rows on screen, not for scans).
    pub fn path_text(&self, row: u32, path: &JsonPath) -> String {
        let json = match self.paths.get(&path.to_string()) {
            Some(c) if (row as usize) < c.ids.len() => match c.ids[row as usize] {
                ABSENT => return String::new(),
                id => c.dict.strings[id as usize].to_string(),
            },
            _ => {
                let bytes = self.packer.decode(self.raw.get(row as usize));
                match path.extract_bytes(&bytes) {
                    Some(j) => j,
                    None => return String::new(),
                }
            }
        };
        match serde_json::from_str::<String>(&json) {
            Ok(s) => s,
            Err(_) => json,
        }
    }

    /// The event's `eventId` ("" if absent).
    pub fn event_id(&self, row: u32) -> &str {
        self.event_ids.get(row as usize)
    }

    /// Extend the path column of `path` by up to `max_rows` rows (creating it if needed).
    /// Returns (rows indexed, rows in the store). The work is ~5-10 µs per row (the event's
    /// text is decoded and the path read without building the document), so callers that must
    /// stay responsive call this in slices.
    pub fn index_path(&mut self, path: &JsonPath, max_rows: usize) -> (usize, usize) {
        self.index_path_keeping(path, max_rows, &[])
    }

    /// [`EventStore::index_path`], never evicting the columns named in `keep` (the ones the
    /// filter being compiled needs).
    pub fn index_path_keeping(
        &mut self,
        path: &JsonPath,
        max_rows: usize,
        keep: &[String],
    ) -> (usize, usize) {
        let key = path.to_string();
        let total = self.len();
        if !self.paths.contains_key(&key) {
            if self.paths.len() >= MAX_PATH_COLUMNS {
                // Drop the least complete column nobody needs now (cheapest to rebuild). If
                // every column is needed, keep them all (a filter of many tree chips).
                if let Some(k) = self
                    .paths
                    .iter()
                    .filter(|(k, _)| !keep.contains(k))
                    .min_by_key(|(_, c)| c.ids.len())
                    .map(|(k, _)| k.clone())
                {
                    self.paths.remove(&k);
                }
            }
            self.paths.insert(
                key.clone(),
                PathColumn {
                    dict: Dict::new(),
                    ids: Vec::new(),
                },
            );
        }
        let mut col = self.paths.remove(&key).expect("inserted above");
        let start = col.ids.len();
        let end = total.min(start.saturating_add(max_rows));
        let mut buf = Vec::new();
        for r in start..end {
            buf.clear();
            self.packer.decode_into(self.raw.get(r), &mut buf);
            let id = path
                .extract_bytes(&buf)
                .map_or(ABSENT, |v| col.dict.intern_json(&v));
            col.ids.push(id);
        }
        let done = col.ids.len();
        self.paths.insert(key, col);
        (done, total)
    }

    /// Rows the path column of `path` covers (0 if there is none).
    pub fn path_indexed(&self, path: &JsonPath) -> usize {
        self.paths.get(&path.to_string()).map_or(0, |c| c.ids.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fixtures::{ev, store};
    use serde_json::json;

    /// A reserve on a store that holds events (as an Add load makes) keeps every row, its
    /// duplicates check and its columns; the rows after it land where they would have.
    #[test]
    fn reserve_keeps_rows_and_duplicates() {
        // Ids are `ID-<event name>-<time>`: a name per event makes each id its own.
        let e = |i: usize| {
            ev(
                &format!("Op{i}"),
                "ecs",
                &format!("u{i}"),
                "1.2.3.4",
                "2026-11-30T10:00:00Z",
                "",
            )
        };
        let mut s = EventStore::new();
        for i in 0..300 {
            assert_eq!(s.push(&e(i)), Pushed::Added);
        }
        s.reserve(5_000);
        s.reserve(0);
        assert_eq!(s.push(&e(42)), Pushed::Duplicate(42));
        for i in 300..3_000 {
            assert_eq!(s.push(&e(i)), Pushed::Added, "{i}");
        }
        assert_eq!(s.len(), 3_000);
        for i in (0..3_000).step_by(37) {
            assert_eq!(s.field(i as u32, Field::User), format!("u{i}"));
            let id = format!("ID-Op{i}-2026-11-30T10:00:00Z");
            assert_eq!(s.row_of_event_id(&id), Some(i as u32));
        }
        assert_eq!(s.push(&e(2_999)), Pushed::Duplicate(2_999));
    }

    #[test]
    fn odd_events_are_kept() {
        let s = store();
        assert_eq!(s.len(), 5);
        assert_eq!(s.raw(4), "[1,2,3]");
        assert_eq!(s.field(4, Field::EventName), "");
    }

    #[test]
    fn path_text_reads_a_value_from_the_column_or_the_event() {
        let mut s = EventStore::new();
        s.push(r#"{"eventId":"a","requestParameters":{"RegionId":"cn-hangzhou","n":3,"o":{"k":[1,"x"]}}}"#);
        s.push(r#"{"eventId":"b","requestParameters":{"RegionId":"us-west-1"}}"#);
        let p = |t: &str| JsonPath::parse(t).unwrap();
        let want = [
            ("requestParameters.RegionId", ["cn-hangzhou", "us-west-1"]),
            ("requestParameters.n", ["3", ""]),
            ("requestParameters.o", [r#"{"k":[1,"x"]}"#, ""]),
            ("requestParameters.o.k[1]", ["x", ""]),
            ("nowhere", ["", ""]),
        ];
        for (path, cells) in want {
            for (row, cell) in cells.iter().enumerate() {
                assert_eq!(s.path_text(row as u32, &p(path)), *cell, "{path} row {row}");
            }
            // The same from a path column, whole or covering the first row only.
            s.index_path(&p(path), 1);
            for (row, cell) in cells.iter().enumerate() {
                assert_eq!(
                    s.path_text(row as u32, &p(path)),
                    *cell,
                    "{path} row {row}, indexed"
                );
            }
        }
    }

    #[test]
    fn path_columns_are_capped() {
        let mut s = store();
        for i in 0..(MAX_PATH_COLUMNS + 3) {
            s.index_path(&JsonPath::parse(&format!("p{i}")).unwrap(), usize::MAX);
        }
        assert_eq!(s.paths.len(), MAX_PATH_COLUMNS);
    }

    #[test]
    fn ingest_page_times_gives_every_events_time_even_a_duplicates() {
        let page = |ids: &[(&str, &str)]| -> Vec<Box<RawValue>> {
            ids.iter()
                .map(|(id, t)| {
                    RawValue::from_string(format!(r#"{{"eventId":"{id}","eventTime":"{t}"}}"#))
                        .unwrap()
                })
                .collect()
        };
        let mut s = EventStore::new();
        s.ingest_page(&page(&[("a", "2026-01-01T00:00:00Z")]));
        let (st, times) = s.ingest_page_times(&page(&[
            ("a", "2026-01-01T00:00:00Z"),
            ("b", "2026-01-02T00:00:00Z"),
        ]));
        assert_eq!((st.added, st.duplicates), (1, 1));
        assert_eq!(
            times,
            vec![Some(1_767_225_600_000), Some(1_767_312_000_000)],
            "the duplicate's time comes from its row"
        );
    }

    #[test]
    fn duplicate_event_ids_are_skipped_on_ingest() {
        let mut s = EventStore::new();
        let page = |evs: &[String]| -> Vec<Box<RawValue>> {
            evs.iter()
                .map(|e| RawValue::from_string(e.clone()).unwrap())
                .collect()
        };
        let e = |id: &str, n: &str| json!({"eventId": id, "eventName": n}).to_string();
        let p1 = page(&[e("a", "1"), e("b", "2"), e("a", "3"), "[1]".into()]);
        assert_eq!(
            s.ingest_page(&p1),
            IngestStats {
                added: 3,
                odd: 1,
                duplicates: 1,
                outside: 0
            }
        );
        let p2 = page(&[
            e("b", "4"),
            e("c", "5"),
            e("", "6"),
            e("", "7"),
            "[1]".into(),
            r#"{"eventName":"8"}"#.into(),
            r#"{"eventId":"c","eventName":"9"}"#.into(),
        ]);
        assert_eq!(
            s.ingest_page(&p2),
            IngestStats {
                added: 5,
                odd: 1,
                duplicates: 2,
                outside: 0
            },
            "events without an id are always kept"
        );
        let names: Vec<&str> = (0..s.len() as u32)
            .map(|r| s.field(r, Field::EventName))
            .collect();
        assert_eq!(names, ["1", "2", "", "5", "6", "7", "", "8"]);
        assert_eq!(s.row_of_event_id("c"), Some(3));
        assert_eq!(s.row_of_event_id("zz"), None);
        assert_eq!(s.row_of_event_id(""), None);
        assert_eq!(s.push(&e("a", "x")), Pushed::Duplicate(0));
        assert_eq!(
            s.push(&e("A", "x")),
            Pushed::Added,
            "ids are case-sensitive"
        );
        // Many ids: the table grows and still finds every one.
        let mut s = EventStore::new();
        for i in 0..5000 {
            assert_eq!(s.push(&e(&format!("id-{i}"), "x")), Pushed::Added);
        }
        for i in (0..5000).step_by(7) {
            assert!(matches!(
                s.push(&e(&format!("id-{i}"), "y")),
                Pushed::Duplicate(_)
            ));
            assert_eq!(s.row_of_event_id(&format!("id-{i}")), Some(i));
        }
        assert_eq!(s.len(), 5000);
        s.clear();
        assert_eq!(s.push(&e("id-1", "x")), Pushed::Added, "clear forgets ids");
    }

    #[test]
    fn packed_events_round_trip() {
        let mut s = EventStore::new();
        let long = "x".repeat(70_000);
        let texts = [
            ev("A", "Ecs", "alice", "1.2.3.4", "2024-01-01T00:00:02Z", ""),
            format!("{{\"a\":\"{long}\",\"b\":\"{long}\",\"c\":\"王芳 🙂\"}}"),
            ev("B", "Ecs", "alice", "1.2.3.4", "2024-01-01T00:00:02Z", "E"),
            String::new(),
            "ab".into(),
            (0..3000).map(|i| format!("{i},")).collect(),
        ];
        for t in &texts {
            s.push(t);
        }
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(s.raw(i as u32), *t);
        }
    }
}
