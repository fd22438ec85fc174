//! A fetch session kept in the browser: the loaded events as a snapshot of the store's packed
//! rows, written in chunks as pages arrive, and a small manifest (the query, where the run is,
//! counts, size, times) so that after a reload the table comes back and an unfinished fetch
//! continues. Pure: the app's storage service writes the bytes and passes the clock.
//!
//! A snapshot is a sequence of chunks, each the store's rows since the previous one exactly as
//! the store holds them ([`EventStore::packed_row`]: the JSON text packed by the engine's codec,
//! the time, the ids' lowercase text) plus the field values (a dictionary per chunk) and what
//! the codec's shared dictionary gained meanwhile. Restoring puts the rows back without
//! parsing or packing any JSON; the store's indexes (event ids, field dictionaries) are rebuilt
//! as the rows go in ([`ChunkIngest::ingest`], in slices).
//!
//! Chunk layout (little-endian): magic `TVS1`, version, field count, chunk number, first row,
//! rows, dictionary offset, dictionary length, body length (`u32`s); the body (the codec
//! dictionary's new bytes; per field its values' count and each value as length + bytes; per
//! row: time `i64`, JSON length, each field's value index, then `eventId`, ids text and packed
//! text, each as length + bytes); a CRC-32 of everything before it.
//!
//! Resuming ([`token_refused`], [`bounded_query`]): from the saved NextToken; when the cloud
//! refuses it, from the loaded events' oldest (newest, for a forward run) second, that second
//! included: nothing is skipped, and what is read again is dropped by `eventId`.

use crate::cloud::Clouds;
use crate::dialect::ApiError;
use crate::engine::{EventStore, Pushed};
use crate::fetch_policy::{Direction, EventsRun, LookupQuery, QuerySpec, RunPosition, TimeRange};
use crate::lookup::{Condition, LookupKey};
use crate::paging::RunEnd;
use crate::schema::ALL_FIELDS;
use crate::time::format_api_time;
use serde_json::{json, Value};
use std::fmt;

const MAGIC: &[u8; 4] = b"TVS1";
/// The chunk format's version; another is refused ([`SnapshotError::OtherVersion`]).
pub const VERSION: u32 = 1;
/// The manifest's format.
pub const MANIFEST_FORMAT: u64 = 1;
const NF: usize = ALL_FIELDS.len();
const HEADER: usize = 36;

/// A chunk is written once this many rows are waiting ...
pub const CHUNK_ROWS: usize = 1_000;
/// ... or this many pages arrived since the last one (5 s of LookupEvents at 2 calls/s).
pub const CHUNK_PAGES: u32 = 10;

/// Why a snapshot or manifest cannot be read (every chunk before it was).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// No `TVS1` header.
    NotASnapshot { chunk: u32 },
    /// Written by another version of trailview (or another set of fields).
    OtherVersion { chunk: u32, found: u32 },
    /// Shorter than its header says.
    Truncated { chunk: u32 },
    /// Its checksum or contents do not hold.
    Corrupt { chunk: u32 },
    /// Not the chunk that comes next (a chunk missing or saved twice).
    OutOfOrder { chunk: u32, expected: u32 },
    /// The manifest cannot be read.
    Manifest(String),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::NotASnapshot { chunk } => {
                write!(f, "saved chunk {chunk} is not a trailview snapshot")
            }
            SnapshotError::OtherVersion { chunk, found } => write!(
                f,
                "saved chunk {chunk} was written by another version of trailview (format {found})"
            ),
            SnapshotError::Truncated { chunk } => write!(f, "saved chunk {chunk} is cut short"),
            SnapshotError::Corrupt { chunk } => {
                write!(
                    f,
                    "saved chunk {chunk} is damaged (its checksum does not match)"
                )
            }
            SnapshotError::OutOfOrder { chunk, expected } => {
                write!(
                    f,
                    "saved chunk {chunk} came where chunk {expected} was expected"
                )
            }
            SnapshotError::Manifest(m) => write!(f, "the session's manifest cannot be read: {m}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

const fn crc_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}
static CRC: [u32; 256] = crc_table();

/// CRC-32 (IEEE), as zip and gzip use.
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, &b| {
        CRC[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8)
    })
}

fn put_u32(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_le_bytes());
}
fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, b.len());
    out.extend_from_slice(b);
}

/// What of a store was saved so far, and when the next chunk is due: one per session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotWriter {
    /// Chunks written.
    pub chunks: u32,
    /// Store rows saved.
    pub rows: usize,
    /// Bytes of the codec dictionary saved.
    pub dict_len: usize,
    /// Bytes of the chunks written.
    pub bytes: u64,
    pages: u32,
}

impl SnapshotWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Append to a restored session (its store holds exactly the saved rows).
    pub fn continuing(m: &Manifest) -> Self {
        SnapshotWriter {
            chunks: m.chunks,
            rows: m.rows,
            dict_len: m.dict_len,
            bytes: m.bytes,
            pages: 0,
        }
    }

    /// Whether `store` holds exactly what this writer saved so far (its rows and codec
    /// dictionary), so that its next chunk appends to the same session. A restore checks it
    /// before continuing a session: a store another load added to is saved as a new session.
    pub fn matches(&self, store: &EventStore) -> bool {
        store.len() == self.rows && store.packer_dict().len() == self.dict_len
    }

    /// A page arrived.
    pub fn page(&mut self) {
        self.pages = self.pages.saturating_add(1);
    }

    /// Whether a chunk should be written now: [`CHUNK_ROWS`] rows or [`CHUNK_PAGES`] pages
    /// wait (the run's end writes one too: [`SnapshotWriter::chunk`] at any time).
    pub fn due(&self, store: &EventStore) -> bool {
        let waiting = store.len().saturating_sub(self.rows);
        waiting >= CHUNK_ROWS || (waiting > 0 && self.pages >= CHUNK_PAGES)
    }

    /// Rows of `store` not saved yet: a store that was already large when saving started (an
    /// Add after loading files) is saved in [`SnapshotWriter::chunk`]s of [`CHUNK_ROWS`] each,
    /// a few per slice of the page's time, until none is left.
    pub fn backlog(&self, store: &EventStore) -> usize {
        store.len().saturating_sub(self.rows)
    }

    /// The chunk of the next rows added since the last one, at most [`CHUNK_ROWS`] of them
    /// (`None`: nothing new, or the store was not the one saved so far: it has fewer rows or
    /// another codec dictionary). The codec dictionary's new bytes all go in the first chunk
    /// that follows them (the rows after it were packed against them).
    pub fn chunk(&mut self, store: &EventStore) -> Option<Vec<u8>> {
        let dict = store.packer_dict();
        if store.len() <= self.rows || dict.len() < self.dict_len {
            return None;
        }
        let (first, last) = (self.rows, store.len().min(self.rows + CHUNK_ROWS));
        let mut values: Vec<Vec<&str>> = vec![Vec::new(); NF];
        let mut index: Vec<std::collections::HashMap<&str, u32>> =
            (0..NF).map(|_| std::collections::HashMap::new()).collect();
        let mut rows = Vec::new();
        for r in first..last {
            let r = r as u32;
            let (packed, time, ids) = store.packed_row(r);
            rows.extend_from_slice(&time.to_le_bytes());
            put_u32(&mut rows, store.raw(r).len());
            for f in ALL_FIELDS {
                let v = store.field(r, f);
                let vs = &mut values[f.idx()];
                let i = *index[f.idx()].entry(v).or_insert_with(|| {
                    vs.push(v);
                    vs.len() as u32 - 1
                });
                rows.extend_from_slice(&i.to_le_bytes());
            }
            put_bytes(&mut rows, store.event_id(r).as_bytes());
            put_bytes(&mut rows, ids.as_bytes());
            put_bytes(&mut rows, packed);
        }
        let mut body = dict[self.dict_len..].to_vec();
        for vs in &values {
            put_u32(&mut body, vs.len());
            for v in vs {
                put_bytes(&mut body, v.as_bytes());
            }
        }
        body.extend_from_slice(&rows);
        let mut out = Vec::with_capacity(HEADER + body.len() + 4);
        out.extend_from_slice(MAGIC);
        for v in [
            VERSION as usize,
            NF,
            self.chunks as usize,
            first,
            last - first,
            self.dict_len,
            dict.len() - self.dict_len,
            body.len(),
        ] {
            put_u32(&mut out, v);
        }
        out.extend_from_slice(&body);
        let sum = crc32(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        self.chunks += 1;
        self.rows = last;
        self.dict_len = dict.len();
        self.bytes += out.len() as u64;
        self.pages = 0;
        Some(out)
    }
}

/// Reads bytes at a position, or says the chunk is damaged.
struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
    chunk: u32,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or(SnapshotError::Corrupt { chunk: self.chunk })?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn text(&mut self) -> Result<(usize, usize), SnapshotError> {
        let n = self.u32()? as usize;
        let at = self.at;
        let s = self.take(n)?;
        std::str::from_utf8(s).map_err(|_| SnapshotError::Corrupt { chunk: self.chunk })?;
        Ok((at, n))
    }
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"))
}

/// One chunk, checked, its parts located.
#[derive(Debug)]
struct Chunk {
    number: u32,
    bytes: Vec<u8>,
    first_row: usize,
    dict_from: usize,
    dict: (usize, usize),
    /// (offset, length) of each field's values.
    values: Vec<Vec<(usize, usize)>>,
    /// Where each row starts.
    rows: Vec<usize>,
}

impl Chunk {
    fn parse(bytes: Vec<u8>, chunk: u32) -> Result<Chunk, SnapshotError> {
        let number = chunk;
        if bytes.len() < 12 || &bytes[..4] != MAGIC {
            return Err(SnapshotError::NotASnapshot { chunk });
        }
        let (version, fields) = (u32_at(&bytes, 4), u32_at(&bytes, 8));
        if version != VERSION {
            return Err(SnapshotError::OtherVersion {
                chunk,
                found: version,
            });
        }
        if fields as usize != NF {
            return Err(SnapshotError::OtherVersion {
                chunk,
                found: version,
            });
        }
        if bytes.len() < HEADER {
            return Err(SnapshotError::Truncated { chunk });
        }
        let body_len = u32_at(&bytes, 32) as usize;
        let want = HEADER.saturating_add(body_len).saturating_add(4);
        if bytes.len() < want {
            return Err(SnapshotError::Truncated { chunk });
        }
        if bytes.len() > want || crc32(&bytes[..want - 4]) != u32_at(&bytes, want - 4) {
            return Err(SnapshotError::Corrupt { chunk });
        }
        let found = u32_at(&bytes, 12);
        if found != chunk {
            return Err(SnapshotError::OutOfOrder {
                chunk: found,
                expected: chunk,
            });
        }
        let (first_row, n_rows) = (u32_at(&bytes, 16) as usize, u32_at(&bytes, 20) as usize);
        let (dict_from, dict_len) = (u32_at(&bytes, 24) as usize, u32_at(&bytes, 28) as usize);
        let corrupt = SnapshotError::Corrupt { chunk };
        let mut c = Cursor {
            b: &bytes[..want - 4],
            at: HEADER,
            chunk,
        };
        let dict = (c.at, dict_len);
        c.take(dict_len)?;
        let mut values = Vec::with_capacity(NF);
        for _ in 0..NF {
            let n = c.u32()? as usize;
            let mut vs = Vec::with_capacity(n.min(body_len / 4));
            for _ in 0..n {
                vs.push(c.text()?);
            }
            values.push(vs);
        }
        let mut rows = Vec::with_capacity(n_rows.min(body_len / 16));
        for _ in 0..n_rows {
            rows.push(c.at);
            c.take(12)?;
            for vs in &values {
                if c.u32()? as usize >= vs.len() {
                    return Err(corrupt);
                }
            }
            c.text()?;
            c.text()?;
            let n = c.u32()? as usize;
            c.take(n)?;
        }
        if c.at != want - 4 {
            return Err(corrupt);
        }
        Ok(Chunk {
            number,
            bytes,
            first_row,
            dict_from,
            dict,
            values,
            rows,
        })
    }
}

/// Puts a snapshot's chunks back into a store, in order: one [`SnapshotReader`] per restore.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotReader {
    /// Chunks opened so far.
    pub chunks: u32,
    rows: usize,
    dict_len: usize,
    bytes: u64,
}

impl SnapshotReader {
    /// A restore into an empty store (a cleared one).
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer appending after the chunks opened so far (their rows all ingested): the
    /// session goes on from what was restored, a damaged chunk and those after it replaced.
    pub fn writer(&self) -> SnapshotWriter {
        SnapshotWriter {
            chunks: self.chunks,
            rows: self.rows,
            dict_len: self.dict_len,
            bytes: self.bytes,
            pages: 0,
        }
    }

    /// Check the next chunk's bytes; its rows go in with [`ChunkIngest::ingest`]. A chunk that
    /// is damaged, of another version or out of place is refused with its name; the chunks
    /// before it stay in the store.
    pub fn open(&mut self, bytes: Vec<u8>) -> Result<ChunkIngest, SnapshotError> {
        let chunk = Chunk::parse(bytes, self.chunks)?;
        if chunk.first_row != self.rows || chunk.dict_from != self.dict_len {
            return Err(SnapshotError::OutOfOrder {
                chunk: self.chunks,
                expected: self.chunks,
            });
        }
        self.chunks += 1;
        self.rows += chunk.rows.len();
        self.dict_len += chunk.dict.1;
        self.bytes += chunk.bytes.len() as u64;
        let ids = chunk
            .values
            .iter()
            .map(|v| vec![u32::MAX; v.len()])
            .collect();
        Ok(ChunkIngest {
            chunk,
            next: 0,
            ids,
            dict_done: false,
        })
    }
}

/// A chunk's rows going into the store in slices.
#[derive(Debug)]
pub struct ChunkIngest {
    chunk: Chunk,
    next: usize,
    /// The store's id of each chunk value met so far.
    ids: Vec<Vec<u32>>,
    dict_done: bool,
}

/// What a slice of a restore did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Restored {
    pub added: usize,
    /// Rows whose `eventId` was in the store already (none in a snapshot read in order).
    pub duplicates: usize,
}

impl ChunkIngest {
    pub fn len(&self) -> usize {
        self.chunk.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.chunk.rows.is_empty()
    }
    pub fn finished(&self) -> bool {
        self.next >= self.chunk.rows.len()
    }
    /// Bytes of the chunk.
    pub fn bytes(&self) -> usize {
        self.chunk.bytes.len()
    }

    /// Put up to `max_rows` more rows into `store`. A chunk whose codec dictionary cannot be
    /// put back (it would not fit the store's, or the store's is not the one the chunk
    /// continues) is refused as [`SnapshotError::Corrupt`] before any of its rows goes in.
    pub fn ingest(
        &mut self,
        store: &mut EventStore,
        max_rows: usize,
    ) -> Result<Restored, SnapshotError> {
        let b = &self.chunk.bytes;
        let text = |(at, n): (usize, usize)| std::str::from_utf8(&b[at..at + n]).unwrap_or("");
        if !self.dict_done {
            let (at, n) = self.chunk.dict;
            if store.packer_dict().len() != self.chunk.dict_from
                || !store.extend_packer_dict(&b[at..at + n])
            {
                return Err(SnapshotError::Corrupt {
                    chunk: self.chunk.number,
                });
            }
            self.dict_done = true;
        }
        let mut st = Restored::default();
        let end = self
            .chunk
            .rows
            .len()
            .min(self.next.saturating_add(max_rows));
        let mut fields = [0u32; NF];
        for &at in &self.chunk.rows[self.next..end] {
            let time = i64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
            let json_len = u32_at(b, at + 8) as usize;
            let mut p = at + 12;
            for (f, id) in ALL_FIELDS.iter().zip(fields.iter_mut()) {
                let i = u32_at(b, p) as usize;
                p += 4;
                let known = &mut self.ids[f.idx()][i];
                if *known == u32::MAX {
                    *known = store.intern_field(*f, text(self.chunk.values[f.idx()][i]));
                }
                *id = *known;
            }
            let mut span = || {
                let n = u32_at(b, p) as usize;
                let s = (p + 4, n);
                p += 4 + n;
                s
            };
            let (eid, ids, packed) = (span(), span(), span());
            let eid = Some(text(eid)).filter(|e| !e.is_empty());
            match store.insert_packed(
                eid,
                text(ids),
                time,
                &fields,
                &b[packed.0..packed.0 + packed.1],
                json_len,
            ) {
                Pushed::Duplicate(_) => st.duplicates += 1,
                Pushed::Added | Pushed::Odd => st.added += 1,
            }
        }
        self.next = end;
        Ok(st)
    }
}

/// A saved session: what was asked, where the run is, what was saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The session's name in storage.
    pub id: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// The run's query, pinned when it started.
    pub query: LookupQuery,
    pub cap: usize,
    pub batch: usize,
    /// Where the run was when the last chunk was saved.
    pub position: RunPosition,
    pub chunks: u32,
    /// Rows in the saved chunks.
    pub rows: usize,
    pub dict_len: usize,
    /// Bytes of the saved chunks.
    pub bytes: u64,
    /// The clouds the fetch read: its rows are both clouds' when it read both. `query` and
    /// `position` are the Alibaba Cloud part's (an AWS-only fetch: its query, a position that
    /// is never resumed).
    pub clouds: Clouds,
    /// The Cloud queries whose records the session holds ("SLS project/logstore", "Logs
    /// Insights group"), each once in the order they came; empty when fetches brought them all.
    /// Written as the list (`sources`) and as its label (`source`, [`sources_label`]); a
    /// manifest with the label alone (written before the list) reads as one query of that name.
    pub sources: Vec<String>,
}

fn direction_key(d: Direction) -> &'static str {
    d.as_str()
}

fn query_json(q: &LookupQuery) -> Value {
    json!({
        "start_ms": q.start_ms,
        "end_ms": q.end_ms,
        "direction": direction_key(q.direction),
        "conditions": q.conditions.iter().map(|c| json!([c.key.as_str(), c.value])).collect::<Vec<_>>(),
    })
}

fn end_key(e: Option<RunEnd>) -> &'static str {
    match e {
        None => "running",
        Some(RunEnd::Complete) => "complete",
        Some(RunEnd::Capped) => "capped",
        Some(RunEnd::Cancelled) => "cancelled",
        Some(RunEnd::Failed) => "failed",
    }
}

fn bad(what: &str) -> SnapshotError {
    SnapshotError::Manifest(format!("{what} is missing or not valid"))
}

fn read_query(v: &Value) -> Result<LookupQuery, SnapshotError> {
    let i = |k: &str| v.get(k).and_then(Value::as_i64).ok_or_else(|| bad(k));
    let direction = match v.get("direction").and_then(Value::as_str) {
        Some("BACKWARD") => Direction::Backward,
        Some("FORWARD") => Direction::Forward,
        _ => return Err(bad("direction")),
    };
    let conditions = v
        .get("conditions")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("conditions"))?
        .iter()
        .map(|c| {
            let key = c.get(0).and_then(Value::as_str).and_then(LookupKey::parse);
            let value = c.get(1).and_then(Value::as_str);
            match (key, value) {
                (Some(key), Some(value)) => Ok(Condition {
                    key,
                    value: value.to_string(),
                }),
                _ => Err(bad("a condition")),
            }
        })
        .collect::<Result<_, _>>()?;
    Ok(LookupQuery {
        start_ms: i("start_ms")?,
        end_ms: i("end_ms")?,
        direction,
        conditions,
    })
}

impl Manifest {
    pub fn to_json(&self) -> String {
        let p = &self.position;
        json!({
            "format": MANIFEST_FORMAT,
            "id": self.id,
            "created_ms": self.created_ms,
            "updated_ms": self.updated_ms,
            "query": query_json(&self.query),
            "cap": self.cap,
            "batch": self.batch,
            "position": {
                "paging": query_json(&p.paging),
                "next_token": p.next_token,
                "pages": p.pages,
                "paging_pages": p.paging_pages,
                "events": p.events,
                "elapsed_ms": p.elapsed_ms,
                "oldest_ms": p.oldest_ms,
                "newest_ms": p.newest_ms,
                "held": p.held,
                "ended": end_key(p.ended),
            },
            "chunks": self.chunks,
            "rows": self.rows,
            "dict_len": self.dict_len,
            "bytes": self.bytes,
            "clouds": {"aliyun": self.clouds.aliyun, "aws": self.clouds.aws},
            "source": sources_label(&self.sources),
            "sources": self.sources,
        })
        .to_string()
    }

    pub fn from_json(s: &str) -> Result<Manifest, SnapshotError> {
        let v: Value =
            serde_json::from_str(s).map_err(|e| SnapshotError::Manifest(e.to_string()))?;
        match v.get("format").and_then(Value::as_u64) {
            Some(MANIFEST_FORMAT) => {}
            Some(f) => {
                return Err(SnapshotError::Manifest(format!(
                    "written by another version of trailview (format {f})"
                )))
            }
            None => return Err(bad("format")),
        }
        let u = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).ok_or_else(|| bad(k));
        let i = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64).ok_or_else(|| bad(k));
        let opt_i = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64);
        let p = v.get("position").ok_or_else(|| bad("position"))?;
        let ended = match p.get("ended").and_then(Value::as_str) {
            Some("running") => None,
            Some("complete") => Some(RunEnd::Complete),
            Some("capped") => Some(RunEnd::Capped),
            Some("cancelled") => Some(RunEnd::Cancelled),
            Some("failed") => Some(RunEnd::Failed),
            _ => return Err(bad("ended")),
        };
        let position = RunPosition {
            paging: read_query(p.get("paging").ok_or_else(|| bad("paging"))?)?,
            next_token: p
                .get("next_token")
                .and_then(Value::as_str)
                .map(str::to_string),
            pages: u(p, "pages")? as usize,
            // Manifests written before it was saved apart: paging's count was `pages`.
            paging_pages: match p.get("paging_pages") {
                None => u(p, "pages")? as usize,
                Some(_) => u(p, "paging_pages")? as usize,
            },
            events: u(p, "events")? as usize,
            elapsed_ms: p.get("elapsed_ms").and_then(Value::as_f64).unwrap_or(0.0),
            oldest_ms: opt_i(p, "oldest_ms"),
            newest_ms: opt_i(p, "newest_ms"),
            held: p
                .get("held")
                .and_then(Value::as_array)
                .map(|h| {
                    h.iter()
                        .filter_map(|e| e.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            ended,
        };
        Ok(Manifest {
            id: v
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("id"))?
                .to_string(),
            created_ms: i(&v, "created_ms")?,
            updated_ms: i(&v, "updated_ms")?,
            query: read_query(v.get("query").ok_or_else(|| bad("query"))?)?,
            cap: u(&v, "cap")? as usize,
            batch: u(&v, "batch")? as usize,
            position,
            chunks: u(&v, "chunks")? as u32,
            rows: u(&v, "rows")? as usize,
            dict_len: u(&v, "dict_len")? as usize,
            bytes: u(&v, "bytes")?,
            // Manifests written before AWS was offered: Alibaba Cloud only.
            clouds: match v.get("clouds") {
                None => Clouds::default(),
                Some(c) => {
                    let b = |k: &str| {
                        c.get(k)
                            .and_then(Value::as_bool)
                            .ok_or_else(|| bad("clouds"))
                    };
                    Clouds {
                        aliyun: b("aliyun")?,
                        aws: b("aws")?,
                    }
                }
            },
            sources: match v.get("sources").and_then(Value::as_array) {
                // Anything but text in the list is dropped, not an error: the rows are what
                // matter, the names only describe them.
                Some(list) => list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                None => v
                    .get("source")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .into_iter()
                    .collect(),
            },
        })
    }

    /// Whether the Alibaba Cloud part stopped before its end (a crash, Cancel, an error):
    /// "Resume" goes on. A fetch without that part has nothing to resume.
    pub fn unfinished(&self) -> bool {
        self.clouds.aliyun
            && matches!(
                self.position.ended,
                None | Some(RunEnd::Cancelled | RunEnd::Failed)
            )
    }

    /// The fetch whose events the session holds, as the query bar and a link name it: its
    /// pinned range, clouds, order and conditions, and its cap. None for a Cloud query's
    /// records (no fetch brought them) and for a manifest that names no cloud.
    pub fn fetch(&self) -> Option<(QuerySpec, usize)> {
        if !self.sources.is_empty() || !(self.clouds.aliyun || self.clouds.aws) {
            return None;
        }
        let q = &self.query;
        Some((
            QuerySpec {
                range: TimeRange::Between(q.start_ms, q.end_ms),
                clouds: self.clouds,
                direction: q.direction,
                conditions: q.conditions.clone(),
            },
            self.cap,
        ))
    }

    /// "2026-11-30T10:00:00Z → 2026-12-01T10:00:00Z, newest first, ServiceName = Ecs".
    pub fn describe(&self) -> String {
        let q = &self.query;
        let mut s = format!(
            "{} → {}, {}",
            format_api_time(q.start_ms),
            format_api_time(q.end_ms),
            match q.direction {
                Direction::Backward => "newest first",
                Direction::Forward => "oldest first",
            }
        );
        for c in &q.conditions {
            s.push_str(&format!(", {} = {}", c.key.as_str(), c.value));
        }
        match (self.clouds.aliyun, self.clouds.aws) {
            (true, true) => s.push_str(", Alibaba Cloud and AWS"),
            (false, true) => s.push_str(", AWS"),
            _ => {}
        }
        if let Some(q) = sources_label(&self.sources) {
            s.push_str(&format!(", Cloud query: {q}"));
        }
        s
    }
}

/// How many Cloud queries a session's `source` names before it counts the rest.
const NAMED_SOURCES: usize = 3;

/// A session's `source`: the Cloud queries whose records it holds (each once, in the order
/// they came), the first three by name and the rest counted: "SLS p/a; Logs Insights g;
/// SLS p/b; +2 more". None when no query brought any.
pub fn sources_label(sources: &[String]) -> Option<String> {
    let (named, rest) = sources.split_at(sources.len().min(NAMED_SOURCES));
    let mut out = named.join("; ");
    if !rest.is_empty() {
        out.push_str(&format!("; +{} more", rest.len()));
    }
    (!out.is_empty()).then_some(out)
}

/// What a session of a Cloud query's records names in place of a fetch's query: the records'
/// time span (`span`, newest first; the epoch when there are none) with no conditions, and a
/// position that is never resumed (a query is run again, not resumed).
pub fn query_session(span: Option<(i64, i64)>, rows: usize) -> (LookupQuery, RunPosition) {
    let (start_ms, end_ms) = span.unwrap_or((0, 0));
    let query = LookupQuery {
        start_ms,
        end_ms,
        direction: Direction::Backward,
        conditions: Vec::new(),
    };
    let mut run = EventsRun::new(query.clone(), rows.max(1));
    run.cancel();
    (query, run.position())
}

/// The clouds a saved session's rows are from as it is saved again: those it held already (a
/// restored session's, or an earlier fetch's into it) and those of the fetch saving into it
/// now (`fetching`). A fetch of one cloud added to a session of both leaves it both.
pub fn saving_clouds(held: Clouds, fetching: Clouds) -> Clouds {
    Clouds {
        aliyun: held.aliyun || fetching.aliyun,
        aws: held.aws || fetching.aws,
    }
}

/// "512 B", "1.5 KB", "310.2 MB".
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{} {}", crate::numbers::fixed(v, 1), UNITS[u])
}

/// Whether `e`, the answer to a request carrying a saved NextToken, refuses the token: the
/// cloud's `InvalidNextToken` (CloudTrail's `InvalidNextTokenException`, any code or message
/// naming the NextToken), or ActionTrail's documented catch-all for a bad parameter,
/// `InvalidQueryParameter` (the rest of the query was accepted before).
pub fn token_refused(e: &ApiError) -> bool {
    match e {
        ApiError::Service(s) if (400..500).contains(&s.http_status) => {
            s.code.contains("NextToken")
                || s.code == "InvalidQueryParameter"
                || s.message.to_ascii_lowercase().contains("nexttoken")
        }
        _ => false,
    }
}

/// The query to read on with when the cloud refused the NextToken of `paging`, given the
/// loaded events' (oldest, newest) times: a backward run (newest first) ends after the oldest
/// loaded second, a forward one starts at the newest loaded second. That second is read again
/// (the range is to the second, and events of the same second may not all be loaded): the
/// events read twice are dropped by `eventId`, none is skipped. `None`: nothing is left.
/// Nothing loaded: `paging` again from its first page.
pub fn bounded_query(paging: &LookupQuery, loaded: Option<(i64, i64)>) -> Option<LookupQuery> {
    let Some((oldest, newest)) = loaded else {
        return Some(paging.clone());
    };
    let second = |t: i64| t.div_euclid(1000) * 1000;
    let mut q = paging.clone();
    match q.direction {
        Direction::Backward => q.end_ms = q.end_ms.min(second(oldest).saturating_add(1000)),
        Direction::Forward => q.start_ms = q.start_ms.max(second(newest)),
    }
    // The end is inclusive to the second (CloudTrail's and ActionTrail's EndTime): a forward
    // run whose newest loaded second is the end's reads that second again.
    (second(q.start_ms) <= second(q.end_ms)).then_some(q)
}

/// The cloud refused `run`'s NextToken (`e`): paging restarts from the loaded events' time
/// bound ([`bounded_query`]). `false` when `e` is not such a refusal, nothing is left, or paging
/// already restarted from this very bound (the cloud refuses every token and the run made no
/// progress in time): then `e` is the run's error like any other.
pub fn restart_refused(run: &mut EventsRun, e: &ApiError) -> bool {
    if !(run.reads_token() && token_refused(e)) {
        return false;
    }
    let Some(q) = bounded_query(run.paging_query(), run.loaded_span()) else {
        return false;
    };
    if run.restarted_from() == Some(&q) {
        return false;
    }
    run.restart_paging(q);
    true
}

/// How much the saved sessions may keep in this browser: bytes of chunks and a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub bytes: u64,
    pub sessions: usize,
}

/// The budget's default: 1 GiB (about 3 million ActionTrail events as saved) ...
pub const DEFAULT_BUDGET_BYTES: u64 = 1 << 30;
/// ... and the last 20 sessions.
pub const KEEP_SESSIONS: usize = 20;

impl Budget {
    /// The budget of the setting's text, in MB (empty, not a number or 0: the default).
    pub fn from_setting(mb: Option<&str>) -> Budget {
        let bytes = mb
            .and_then(|t| t.trim().parse::<u64>().ok())
            .filter(|&mb| mb > 0)
            .map_or(DEFAULT_BUDGET_BYTES, |mb| mb.saturating_mul(1 << 20));
        Budget {
            bytes,
            sessions: KEEP_SESSIONS,
        }
    }
}

/// A saved session as pruning sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: String,
    pub updated_ms: i64,
    pub bytes: u64,
    /// Being written or restored (in this tab or another): never pruned, but counted.
    pub busy: bool,
}

/// The saved sessions to delete so that those left fit `budget`: the oldest (least recently
/// saved) first, one at a time, until the rest fit; never a busy one, which still counts
/// toward the budget (so a budget busy sessions alone exceed prunes every other one).
pub fn prune(saved: &[Saved], budget: Budget) -> Vec<String> {
    let mut total: u64 = saved.iter().map(|s| s.bytes).sum();
    let mut count = saved.len();
    let mut oldest: Vec<&Saved> = saved.iter().filter(|s| !s.busy).collect();
    oldest.sort_by(|a, b| (a.updated_ms, &a.id).cmp(&(b.updated_ms, &b.id)));
    let mut out = Vec::new();
    for s in oldest {
        if count <= budget.sessions && total <= budget.bytes {
            break;
        }
        total -= s.bytes;
        count -= 1;
        out.push(s.id.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_session_names_its_queries_and_counts_past_three() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(sources_label(&[]), None);
        assert_eq!(
            sources_label(&names(&["SLS p/a"])).as_deref(),
            Some("SLS p/a")
        );
        assert_eq!(
            sources_label(&names(&["SLS p/a", "Logs Insights g1, g2"])).as_deref(),
            Some("SLS p/a; Logs Insights g1, g2")
        );
        assert_eq!(
            sources_label(&names(&["a", "b", "c", "d", "e"])).as_deref(),
            Some("a; b; c; +2 more")
        );
    }

    use super::*;

    #[test]
    fn a_session_saved_again_keeps_the_clouds_it_held() {
        let both = Clouds {
            aliyun: true,
            aws: true,
        };
        let aliyun = Clouds::default();
        let aws = Clouds {
            aliyun: false,
            aws: true,
        };
        let none = Clouds {
            aliyun: false,
            aws: false,
        };
        // A restored session of both clouds, then a fetch of Alibaba Cloud added to it.
        assert_eq!(saving_clouds(both, aliyun), both);
        assert_eq!(saving_clouds(aws, aliyun), both);
        // A new session: the fetch's clouds.
        assert_eq!(saving_clouds(none, aws), aws);
        assert_eq!(saving_clouds(aliyun, none), aliyun);
    }
    use crate::dialect::ServiceError;

    fn store_of(n: usize) -> EventStore {
        let mut s = EventStore::new();
        for i in 0..n {
            s.push(&format!(
                r#"{{"eventId":"id-{i}","eventName":"Op{}","serviceName":"Ecs","eventTime":"2026-01-01T00:{:02}:{:02}Z","requestId":"R-{i}"}}"#,
                i % 7,
                (i / 60) % 60,
                i % 60
            ));
        }
        s
    }

    fn restore(chunks: &[Vec<u8>]) -> (EventStore, Option<SnapshotError>) {
        let mut s = EventStore::new();
        let mut r = SnapshotReader::new();
        for c in chunks {
            match r.open(c.clone()) {
                Ok(mut ci) => {
                    while !ci.finished() {
                        ci.ingest(&mut s, 7).unwrap();
                    }
                }
                Err(e) => return (s, Some(e)),
            }
        }
        (s, None)
    }

    #[test]
    fn chunks_as_rows_arrive_restore_the_store() {
        let full = store_of(300);
        let mut w = SnapshotWriter::new();
        let mut s = EventStore::new();
        let mut chunks = Vec::new();
        for i in 0..300 {
            s.push(&full.raw(i));
            if i % 40 == 39 {
                chunks.push(w.chunk(&s).unwrap());
            }
        }
        chunks.push(w.chunk(&s).unwrap());
        assert!(w.chunk(&s).is_none(), "nothing new");
        let (r, err) = restore(&chunks);
        assert_eq!(err, None);
        assert_eq!(r.len(), 300);
        for row in 0..300 {
            assert_eq!(r.raw(row), full.raw(row));
            assert_eq!(r.packed_row(row), full.packed_row(row));
            for f in ALL_FIELDS {
                assert_eq!(r.field(row, f), full.field(row, f));
            }
        }
        assert_eq!(r.json_bytes(), full.json_bytes());
        assert_eq!(r.row_of_event_id("id-77"), Some(77));
    }

    /// A restored store continues its session only while it holds exactly the saved rows: a
    /// fetch or file load that added to it during the restore makes it another session.
    #[test]
    fn a_writer_continues_only_the_store_it_saved() {
        let full = store_of(60);
        let mut w = SnapshotWriter::new();
        let mut s = EventStore::new();
        for i in 0..50 {
            s.push(&full.raw(i));
        }
        let chunk = w.chunk(&s).unwrap();
        let mut r = EventStore::new();
        let mut reader = SnapshotReader::new();
        reader
            .open(chunk)
            .unwrap()
            .ingest(&mut r, usize::MAX)
            .unwrap();
        assert!(w.matches(&r) && reader.writer().matches(&r));
        // Another load's events arrive during the restore.
        r.push(&full.raw(55));
        assert!(!w.matches(&r), "more rows than saved");
        assert!(!reader.writer().matches(&r));
        let mut fewer = EventStore::new();
        fewer.push(&full.raw(0));
        assert!(!w.matches(&fewer), "fewer rows than saved");
    }

    #[test]
    fn damage_is_named_and_the_chunks_before_it_stay() {
        let full = store_of(100);
        let mut w = SnapshotWriter::new();
        let mut s = EventStore::new();
        let mut chunks = Vec::new();
        for i in 0..100 {
            s.push(&full.raw(i));
            if i % 25 == 24 {
                chunks.push(w.chunk(&s).unwrap());
            }
        }
        let mut cut = chunks.clone();
        let n = cut[2].len();
        cut[2].truncate(n - 9);
        let (r, e) = restore(&cut);
        assert_eq!(
            (r.len(), e),
            (50, Some(SnapshotError::Truncated { chunk: 2 }))
        );
        let mut flip = chunks.clone();
        flip[1][HEADER + 40] ^= 1;
        let (r, e) = restore(&flip);
        assert_eq!(
            (r.len(), e),
            (25, Some(SnapshotError::Corrupt { chunk: 1 }))
        );
        let mut other = chunks.clone();
        other[3][4] = 2;
        let (r, e) = restore(&other);
        assert_eq!(
            (r.len(), e),
            (75, Some(SnapshotError::OtherVersion { chunk: 3, found: 2 }))
        );
        let (r, e) = restore(&[chunks[0].clone(), chunks[2].clone()]);
        assert_eq!(
            (r.len(), e),
            (
                25,
                Some(SnapshotError::OutOfOrder {
                    chunk: 2,
                    expected: 1
                })
            )
        );
        // A session restored up to the damage goes on writing after what was restored.
        let mut r = SnapshotReader::new();
        let mut s2 = EventStore::new();
        for c in &chunks[..2] {
            r.open(c.clone())
                .unwrap()
                .ingest(&mut s2, usize::MAX)
                .unwrap();
        }
        let mut w2 = r.writer();
        for i in 50..100 {
            s2.push(&full.raw(i));
        }
        let mut replaced = chunks[..2].to_vec();
        replaced.push(w2.chunk(&s2).unwrap());
        let (r, e) = restore(&replaced);
        assert_eq!((r.len(), e), (100, None));
        let (_, e) = restore(&[b"hello".to_vec()]);
        assert_eq!(e, Some(SnapshotError::NotASnapshot { chunk: 0 }));
    }

    #[test]
    fn a_chunk_is_due_after_enough_rows_or_pages() {
        let s = store_of(CHUNK_ROWS);
        let mut w = SnapshotWriter::new();
        assert!(w.due(&s));
        w.chunk(&s);
        assert!(!w.due(&s), "nothing waits");
        let s2 = store_of(CHUNK_ROWS + 3);
        assert!(!w.due(&s2));
        for _ in 0..CHUNK_PAGES {
            w.page();
        }
        assert!(w.due(&s2));
    }

    fn query(direction: Direction) -> LookupQuery {
        LookupQuery {
            start_ms: 1_000_000,
            end_ms: 9_000_000,
            direction,
            conditions: vec![Condition {
                key: LookupKey::ServiceName,
                value: "Ecs".into(),
            }],
        }
    }

    #[test]
    fn manifest_round_trips_and_names_what_is_wrong() {
        let m = Manifest {
            id: "s-1".into(),
            created_ms: 5,
            updated_ms: 9,
            query: query(Direction::Backward),
            cap: 10_000,
            batch: 10_000,
            position: RunPosition {
                paging: query(Direction::Backward),
                next_token: Some("tok".into()),
                pages: 5,
                paging_pages: 3,
                events: 150,
                elapsed_ms: 1500.0,
                oldest_ms: Some(2_000_000),
                newest_ms: None,
                held: vec![r#"{"a":1}"#.into()],
                ended: Some(RunEnd::Cancelled),
            },
            chunks: 2,
            rows: 149,
            dict_len: 300,
            bytes: 12_345,
            clouds: Clouds::default(),
            sources: Vec::new(),
        };
        let back = Manifest::from_json(&m.to_json()).unwrap();
        assert_eq!(back, m);
        assert!(m.unfinished());
        assert!(m.describe().ends_with("newest first, ServiceName = Ecs"));
        // Both clouds' rows: said, and kept through the JSON; a manifest written before AWS was
        // offered reads as Alibaba Cloud only.
        let both = Manifest {
            clouds: Clouds {
                aliyun: true,
                aws: true,
            },
            ..m.clone()
        };
        assert_eq!(Manifest::from_json(&both.to_json()).unwrap(), both);
        assert!(both
            .describe()
            .ends_with("ServiceName = Ecs, Alibaba Cloud and AWS"));
        let old = m
            .to_json()
            .replace(r#","clouds":{"aliyun":true,"aws":false}"#, "");
        assert!(!old.contains("clouds"), "{old}");
        assert_eq!(Manifest::from_json(&old).unwrap(), m);
        // AWS only: nothing to resume, whatever its position says.
        let aws = Manifest {
            clouds: Clouds {
                aliyun: false,
                aws: true,
            },
            ..m.clone()
        };
        assert!(!aws.unfinished());
        assert!(aws.describe().ends_with(", AWS"));
        // A Cloud query's records: named, kept through the JSON, nothing to resume.
        let (query, position) = query_session(Some((1_000, 9_000)), 149);
        let q = Manifest {
            query,
            position,
            clouds: Clouds {
                aliyun: false,
                aws: false,
            },
            sources: vec!["SLS p/actiontrail_t".into()],
            ..m.clone()
        };
        assert_eq!(Manifest::from_json(&q.to_json()).unwrap(), q);
        assert!(!q.unfinished());
        assert_eq!(q.query.start_ms, 1_000);
        assert!(
            q.describe().ends_with(", Cloud query: SLS p/actiontrail_t"),
            "{}",
            q.describe()
        );
        // The fetch a restore shows in the query bar and the link: the session's pinned range,
        // clouds, order, conditions and cap; none for a Cloud query's records.
        let (spec, cap) = both.fetch().unwrap();
        assert_eq!(cap, 10_000);
        assert_eq!(spec.clouds, both.clouds);
        assert_eq!(
            spec.range,
            TimeRange::Between(m.query.start_ms, m.query.end_ms)
        );
        assert_eq!(
            spec.at(123),
            m.query,
            "pinned: the same query whatever the clock"
        );
        assert_eq!(aws.fetch().unwrap().0.clouds, aws.clouds);
        assert_eq!(q.fetch(), None);
        // Two queries: both named, the list kept through the JSON; a manifest written with
        // the label alone reads as one query; text is all the list keeps.
        let two = Manifest {
            sources: vec!["SLS p/a".into(), "Logs Insights g".into()],
            ..q.clone()
        };
        let json = two.to_json();
        assert!(
            json.contains(r#""source":"SLS p/a; Logs Insights g""#),
            "{json}"
        );
        assert_eq!(Manifest::from_json(&json).unwrap(), two);
        assert!(two
            .describe()
            .ends_with(", Cloud query: SLS p/a; Logs Insights g"));
        let label_only = q
            .to_json()
            .replace(r#","sources":["SLS p/actiontrail_t"]"#, "");
        assert!(!label_only.contains("sources"), "{label_only}");
        assert_eq!(Manifest::from_json(&label_only).unwrap(), q);
        let odd = two.to_json().replace(
            r#""sources":["SLS p/a","#,
            r#""sources":[7,null,"SLS p/a","#,
        );
        assert_eq!(Manifest::from_json(&odd).unwrap(), two);
        assert!(matches!(
            Manifest::from_json("{"),
            Err(SnapshotError::Manifest(_))
        ));
        let other = m.to_json().replace("\"format\":1", "\"format\":7");
        assert_eq!(
            Manifest::from_json(&other),
            Err(SnapshotError::Manifest(
                "written by another version of trailview (format 7)".into()
            ))
        );
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(1536), "1.5 KB");
        assert_eq!(size_text(5 << 20), "5.0 MB");
    }

    fn service(status: u16, code: &str, message: &str) -> ApiError {
        ApiError::Service(ServiceError {
            http_status: status,
            code: code.into(),
            message: message.into(),
            ..Default::default()
        })
    }

    #[test]
    fn a_refused_token_is_told_from_other_errors() {
        assert!(token_refused(&service(400, "InvalidNextToken", "x")));
        assert!(token_refused(&service(
            400,
            "InvalidNextTokenException",
            "x"
        )));
        assert!(token_refused(&service(
            400,
            "InvalidQueryParameter",
            "The specified query parameter is invalid."
        )));
        assert!(token_refused(&service(
            400,
            "InvalidParameter",
            "NextToken expired"
        )));
        assert!(!token_refused(&service(
            503,
            "ServiceUnavailable",
            "NextToken"
        )));
        assert!(!token_refused(&service(
            400,
            "InvalidParameterEndTime",
            "x"
        )));
        assert!(!token_refused(&ApiError::Network("down".into())));
    }

    #[test]
    fn the_bound_keeps_the_loaded_second() {
        let b = bounded_query(&query(Direction::Backward), Some((2_500_700, 8_000_000))).unwrap();
        assert_eq!((b.start_ms, b.end_ms), (1_000_000, 2_501_000));
        let f = bounded_query(&query(Direction::Forward), Some((1_200_000, 4_000_999))).unwrap();
        assert_eq!((f.start_ms, f.end_ms), (4_000_000, 9_000_000));
        assert_eq!(f.conditions, query(Direction::Forward).conditions);
        assert_eq!(
            bounded_query(&query(Direction::Forward), None),
            Some(query(Direction::Forward))
        );
        // The end second is included (CloudTrail's and ActionTrail's EndTime): read again.
        let e = bounded_query(&query(Direction::Forward), Some((1, 9_000_500))).unwrap();
        assert_eq!((e.start_ms, e.end_ms), (9_000_000, 9_000_000));
        assert_eq!(
            bounded_query(&query(Direction::Forward), Some((1, 9_001_000))),
            None,
            "nothing after the range's end"
        );
    }

    /// A cloud that refuses every NextToken, 60 events in one second and pages of 50: paging
    /// restarts once from that second, then the refusal is the run's error (no endless loop).
    #[test]
    fn a_cloud_refusing_every_token_ends_failed() {
        use crate::paging::{RunEnd, Step};
        let mut run = EventsRun::new(query(Direction::Backward), 10_000);
        let mut restarts = 0;
        for _ in 0..1_000 {
            match run.step() {
                Step::Fetch(_) => {}
                end => {
                    assert_eq!(end, Step::Stop(RunEnd::Failed));
                    assert_eq!(restarts, 1, "one restart from the bound");
                    return;
                }
            }
            if run.reads_token() {
                let e = service(400, "InvalidNextToken", "x");
                if restart_refused(&mut run, &e) {
                    restarts += 1;
                } else {
                    run.on_error(&e, 1);
                }
                continue;
            }
            let events: Vec<_> = (0..50)
                .map(|i| {
                    serde_json::value::RawValue::from_string(format!(r#"{{"eventId":"e{i}"}}"#))
                        .unwrap()
                })
                .collect();
            let take = run.accept_page(
                crate::wire::LookupEventsResponse {
                    events,
                    next_token: Some("t".into()),
                    ..Default::default()
                },
                0.0,
            );
            run.note_times(take.iter().map(|_| Some(5_000_500)));
        }
        panic!("the run never ended ({restarts} restarts)");
    }

    #[test]
    fn a_large_store_is_saved_in_capped_chunks() {
        let full = store_of(3 * CHUNK_ROWS + 500);
        let mut w = SnapshotWriter::new();
        assert_eq!(w.backlog(&full), 3 * CHUNK_ROWS + 500);
        let mut chunks = Vec::new();
        while let Some(c) = w.chunk(&full) {
            chunks.push(c);
        }
        assert_eq!(chunks.len(), 4, "1,000 rows a chunk, then the rest");
        assert_eq!(w.backlog(&full), 0);
        let (r, err) = restore(&chunks);
        assert_eq!((r.len(), err), (full.len(), None));
        for row in [0, 999, 1000, 3499] {
            assert_eq!(r.raw(row), full.raw(row));
        }
    }

    /// A chunk whose codec dictionary does not continue the store's is refused by name.
    #[test]
    fn a_dictionary_that_cannot_be_put_back_is_a_corrupt_chunk() {
        let full = store_of(50);
        let mut w = SnapshotWriter::new();
        let c = w.chunk(&full).unwrap();
        assert!(
            !full.packer_dict().is_empty(),
            "the codec learnt from these events"
        );
        // Restored into a store whose dictionary is not the one the chunk continues.
        let mut other = store_of(50);
        let mut reader = SnapshotReader::new();
        let mut ingest = reader.open(c).unwrap();
        let before = other.len();
        assert_eq!(
            ingest.ingest(&mut other, usize::MAX),
            Err(SnapshotError::Corrupt { chunk: 0 })
        );
        assert_eq!(other.len(), before, "no row of it went in");
    }

    fn saved(id: &str, updated_ms: i64, bytes: u64, busy: bool) -> Saved {
        Saved {
            id: id.into(),
            updated_ms,
            bytes,
            busy,
        }
    }

    #[test]
    fn the_oldest_sessions_are_pruned_never_a_busy_one() {
        let b = Budget {
            bytes: 100,
            sessions: 3,
        };
        let all = [
            saved("a", 1, 40, false),
            saved("b", 2, 40, true),
            saved("c", 3, 30, false),
            saved("d", 4, 20, false),
        ];
        // 130 bytes in 4: "a" (oldest, not busy) goes; 90 in 3 fit.
        assert_eq!(prune(&all, b), vec!["a".to_string()]);
        // A smaller budget: "c" next; "b" is being written, it stays.
        assert_eq!(
            prune(&all, Budget { bytes: 60, ..b }),
            vec!["a".to_string(), "c".to_string()]
        );
        // Busy sessions alone over the budget: every other one goes, they stay.
        assert_eq!(
            prune(&all, Budget { bytes: 10, ..b }),
            vec!["a".to_string(), "c".to_string(), "d".to_string()]
        );
        assert!(prune(
            &all,
            Budget {
                bytes: 1000,
                sessions: 10
            }
        )
        .is_empty());
        assert_eq!(Budget::from_setting(Some(" 512 ")).bytes, 512 << 20);
        assert_eq!(Budget::from_setting(Some("")).bytes, DEFAULT_BUDGET_BYTES);
        assert_eq!(Budget::from_setting(Some("0")).bytes, DEFAULT_BUDGET_BYTES);
        assert_eq!(Budget::from_setting(None).sessions, KEEP_SESSIONS);
    }

    proptest::proptest! {
        /// Against the rule as said: what is left fits (or only busy sessions are left), no
        /// busy one is pruned, every pruned one is older than every kept one that could have
        /// gone, and keeping the newest pruned one back would not fit.
        #[test]
        fn pruning_keeps_the_newest_that_fit(
            list in proptest::collection::vec((0i64..50, 0u64..100, proptest::bool::weighted(0.2)), 0..12),
            bytes in 0u64..400,
            sessions in 0usize..8,
        ) {
            let all: Vec<Saved> = list
                .iter()
                .enumerate()
                .map(|(i, &(t, b, busy))| saved(&format!("s{i:02}"), t, b, busy))
                .collect();
            let budget = Budget { bytes, sessions };
            let gone = prune(&all, budget);
            let kept: Vec<&Saved> = all.iter().filter(|s| !gone.contains(&s.id)).collect();
            let fits = |k: &[&Saved]| {
                k.len() <= sessions && k.iter().map(|s| s.bytes).sum::<u64>() <= bytes
            };
            proptest::prop_assert!(fits(&kept) || kept.iter().all(|s| s.busy));
            for g in &gone {
                let g = all.iter().find(|s| &s.id == g).unwrap();
                proptest::prop_assert!(!g.busy);
                for k in kept.iter().filter(|k| !k.busy) {
                    proptest::prop_assert!((g.updated_ms, &g.id) < (k.updated_ms, &k.id));
                }
            }
            if let Some(last) = gone.last() {
                let mut back = kept.clone();
                back.push(all.iter().find(|s| &s.id == last).unwrap());
                proptest::prop_assert!(!fits(&back));
            }
        }
    }
}
