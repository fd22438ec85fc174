//! The event store and its filter / sort / paginate engine.
//!
//! Each event is parsed once at ingest. Its JSON text is kept for the tree; the fields the table
//! shows and searches are interned per field (a dictionary of distinct strings and a `u32` id per
//! row), times are integers. A filter is compiled once per query: text conditions are evaluated
//! against each dictionary's distinct strings (a few thousand at most), so checking a row is a
//! handful of array lookups, never string work. Sorting orders the dictionary once and then
//! sorts row indices by integer rank. Results are vectors of row indices; a page is a slice.
//! Nothing here re-parses or re-stringifies an event per keystroke.

use crate::event::EventRecord;
use crate::json_path::{canonical, JsonPath};
use crate::query::{self, Expr, Pattern, Scope, Warning};
use serde_json::value::RawValue;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;

/// Indexed fields of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    EventName,
    Service,
    User,
    Ip,
    Rw,
    Region,
    ErrorCode,
    EventType,
    IdentityType,
    UserAgent,
    ResourceType,
    ResourceName,
    AccessKeyId,
    ErrorMessage,
    EventSource,
    PrincipalId,
}

pub const FIELDS: [Field; 16] = [
    Field::EventName,
    Field::Service,
    Field::User,
    Field::Ip,
    Field::Rw,
    Field::Region,
    Field::ErrorCode,
    Field::EventType,
    Field::IdentityType,
    Field::UserAgent,
    Field::ResourceType,
    Field::ResourceName,
    Field::AccessKeyId,
    Field::ErrorMessage,
    Field::EventSource,
    Field::PrincipalId,
];

impl Field {
    fn idx(self) -> usize {
        self as usize
    }
    /// The JSON path of the field in an event.
    pub fn path(self) -> &'static str {
        match self {
            Field::EventName => "eventName",
            Field::Service => "serviceName",
            Field::User => "userIdentity.userName",
            Field::Ip => "sourceIpAddress",
            Field::Rw => "eventRW",
            Field::Region => "acsRegion",
            Field::ErrorCode => "errorCode",
            Field::EventType => "eventType",
            Field::IdentityType => "userIdentity.type",
            Field::UserAgent => "userAgent",
            Field::ResourceType => "resourceType",
            Field::ResourceName => "resourceName",
            Field::AccessKeyId => "userIdentity.accessKeyId",
            Field::ErrorMessage => "errorMessage",
            Field::EventSource => "eventSource",
            Field::PrincipalId => "userIdentity.principalId",
        }
    }
    /// Short names usable as `name:value` in the search box.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::EventName => &["event", "eventname", "name"],
            Field::Service => &["service", "servicename"],
            Field::User => &["user", "username"],
            Field::Ip => &["ip", "sourceip", "sourceipaddress"],
            Field::Rw => &["rw", "eventrw"],
            Field::Region => &["region", "acsregion"],
            Field::ErrorCode => &["result", "error", "errorcode"],
            Field::EventType => &["type", "eventtype"],
            Field::IdentityType => &["identity", "identitytype"],
            Field::UserAgent => &["ua", "useragent", "agent"],
            Field::ResourceType => &["resourcetype"],
            Field::ResourceName => &["resource", "resourcename"],
            Field::AccessKeyId => &["ak", "accesskey", "accesskeyid"],
            Field::ErrorMessage => &["message", "errormessage"],
            Field::EventSource => &["source", "eventsource"],
            Field::PrincipalId => &["principal", "principalid"],
        }
    }
    pub fn from_alias(s: &str) -> Option<Field> {
        let s = s.to_ascii_lowercase();
        FIELDS
            .into_iter()
            .find(|f| f.aliases().contains(&s.as_str()))
    }
    fn from_path(p: &str) -> Option<Field> {
        FIELDS.into_iter().find(|f| f.path() == p)
    }
    fn of(self, e: &EventRecord) -> Option<&str> {
        let id = e.user_identity.as_ref();
        match self {
            Field::EventName => e.event_name.as_deref(),
            Field::Service => e.service_name.as_deref(),
            Field::User => e.user_name(),
            Field::Ip => e.source_ip_address.as_deref(),
            Field::Rw => e.event_rw.as_deref(),
            Field::Region => e.acs_region.as_deref(),
            Field::ErrorCode => e.error_code.as_deref(),
            Field::EventType => e.event_type.as_deref(),
            Field::IdentityType => e.identity_type(),
            Field::UserAgent => e.user_agent.as_deref(),
            Field::ResourceType => e.resource_type.as_deref(),
            Field::ResourceName => e.resource_name.as_deref(),
            Field::AccessKeyId => id.and_then(|i| i.access_key_id.as_deref()),
            Field::ErrorMessage => e.error_message.as_deref(),
            Field::EventSource => e.event_source.as_deref(),
            Field::PrincipalId => id.and_then(|i| i.principal_id.as_deref()),
        }
    }
}

/// The table's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Time,
    Event,
    Service,
    User,
    Ip,
    Rw,
    Region,
    Result,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::Time,
        Column::Event,
        Column::Service,
        Column::User,
        Column::Ip,
        Column::Rw,
        Column::Region,
        Column::Result,
    ];
    /// Stable identifier (used in the DOM as `data-col`).
    pub fn key(self) -> &'static str {
        match self {
            Column::Time => "time",
            Column::Event => "event",
            Column::Service => "service",
            Column::User => "user",
            Column::Ip => "ip",
            Column::Rw => "rw",
            Column::Region => "region",
            Column::Result => "result",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Column::Time => "Time",
            Column::Event => "Event",
            Column::Service => "Service",
            Column::User => "User",
            Column::Ip => "Source IP",
            Column::Rw => "R/W",
            Column::Region => "Region",
            Column::Result => "Result",
        }
    }
    pub fn field(self) -> Option<Field> {
        match self {
            Column::Time => None,
            Column::Event => Some(Field::EventName),
            Column::Service => Some(Field::Service),
            Column::User => Some(Field::User),
            Column::Ip => Some(Field::Ip),
            Column::Rw => Some(Field::Rw),
            Column::Region => Some(Field::Region),
            Column::Result => Some(Field::ErrorCode),
        }
    }
    pub fn from_key(k: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == k)
    }
}

/// A dictionary of the distinct strings of one field. Id 0 is the empty string (absent).
#[derive(Debug, Clone)]
struct Dict {
    ids: HashMap<Box<str>, u32>,
    strings: Vec<Box<str>>,
    /// Lowercase forms, for case-insensitive matching.
    lower: Vec<Box<str>>,
}

impl Dict {
    fn new() -> Self {
        let mut d = Dict {
            ids: HashMap::new(),
            strings: Vec::new(),
            lower: Vec::new(),
        };
        d.intern("");
        d
    }
    fn intern(&mut self, s: &str) -> u32 {
        self.intern_with(s, |s| s.to_lowercase())
    }
    /// Intern compact JSON (a path column's value); its lowercase form is the value as the
    /// search box matches it: a string without its quotes and escapes, anything else as JSON.
    fn intern_json(&mut self, json: &str) -> u32 {
        self.intern_with(json, |j| match serde_json::from_str::<String>(j) {
            Ok(s) => s.to_lowercase(),
            Err(_) => j.to_lowercase(),
        })
    }
    fn intern_with(&mut self, s: &str, lower: impl FnOnce(&str) -> String) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.ids.insert(s.into(), id);
        self.strings.push(s.into());
        self.lower.push(lower(s).into());
        id
    }
    fn len(&self) -> usize {
        self.strings.len()
    }
}

/// Append-only text storage: many strings in a few large chunks plus a span per string. Growing
/// never copies what is stored (no doubling of one huge buffer) and there is no allocation per
/// string. Each string is followed by `\n` in its chunk, so a scan of a chunk never finds a
/// needle without `\n` across two strings.
#[derive(Debug, Clone, Default)]
struct TextArena {
    chunks: Vec<String>,
    /// First string index of each chunk.
    first: Vec<u32>,
    /// (chunk, start, len) of each string.
    spans: Vec<(u32, u32, u32)>,
}

const ARENA_CHUNK: usize = 8 << 20;

impl TextArena {
    fn push(&mut self, s: &str) {
        let need = s.len() + 1;
        let full = self
            .chunks
            .last()
            .is_none_or(|c| c.len() + need > c.capacity());
        if full {
            self.chunks
                .push(String::with_capacity(ARENA_CHUNK.max(need)));
            self.first.push(self.spans.len() as u32);
        }
        let ci = self.chunks.len() - 1;
        let c = &mut self.chunks[ci];
        let start = c.len();
        c.push_str(s);
        c.push('\n');
        self.spans.push((ci as u32, start as u32, s.len() as u32));
    }
    fn get(&self, i: usize) -> &str {
        let (c, start, len) = self.spans[i];
        &self.chunks[c as usize][start as usize..(start + len) as usize]
    }
    /// Set `hit[i]` for every string `i` that contains `needle` (which has no `\n`).
    fn mark_containing(&self, needle: &str, hit: &mut [bool]) {
        for (ci, chunk) in self.chunks.iter().enumerate() {
            let first = self.first[ci] as usize;
            let end = self
                .first
                .get(ci + 1)
                .map_or(self.spans.len(), |&f| f as usize);
            let spans = &self.spans[first..end];
            // One match per string at most: after a match, go on at the next string (a short
            // needle such as "a" is in nearly every string, many times).
            let (mut k, mut pos) = (0, 0);
            while let Some(off) = chunk.get(pos..).and_then(|c| c.find(needle)) {
                let at = pos + off;
                // The string containing `at` (spans are in chunk order).
                while k + 1 < spans.len() && spans[k + 1].1 as usize <= at {
                    k += 1;
                }
                hit[first + k] = true;
                pos = (spans[k].1 + spans[k].2) as usize + 1;
            }
        }
    }
}

/// Compact storage of each event's JSON text: an LZ77 coding (LZ4-like tokens) against a shared
/// dictionary and the event's own earlier bytes. Audit events repeat the same keys and many of
/// the same values, so they shrink several times; one event is decoded when it is shown.
/// The dictionary grows (append-only, up to [`pack::DICT_MAX`]) with events that compressed
/// poorly, so a new kind of event teaches it its keys.
mod pack {
    pub const DICT_MAX: usize = 64 << 10;
    const MIN_MATCH: usize = 4;
    const DICT_BITS: u32 = 15;
    const OWN_BITS: u32 = 12;

    #[derive(Debug, Clone)]
    pub struct Packer {
        dict: Vec<u8>,
        /// Last dictionary position of each 4-byte hash (+1; 0 = none).
        dict_table: Vec<u32>,
        /// Per-event table: (event stamp, position + 1).
        own_table: Vec<(u32, u32)>,
        stamp: u32,
    }

    impl Default for Packer {
        fn default() -> Self {
            Packer {
                dict: Vec::new(),
                dict_table: vec![0; 1 << DICT_BITS],
                own_table: vec![(0, 0); 1 << OWN_BITS],
                stamp: 0,
            }
        }
    }

    fn read4(b: &[u8], i: usize) -> u32 {
        u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
    }
    fn hash(v: u32, bits: u32) -> usize {
        (v.wrapping_mul(2_654_435_761) >> (32 - bits)) as usize
    }
    /// Length of the common prefix, 8 bytes at a time.
    fn common(a: &[u8], b: &[u8]) -> usize {
        let n = a.len().min(b.len());
        let mut i = 0;
        while i + 8 <= n {
            let x = u64::from_le_bytes(a[i..i + 8].try_into().expect("8 bytes"))
                ^ u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
            if x != 0 {
                return i + (x.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while i < n && a[i] == b[i] {
            i += 1;
        }
        i
    }
    fn put_len(out: &mut Vec<u8>, mut n: usize) {
        while n >= 255 {
            out.push(255);
            n -= 255;
        }
        out.push(n as u8);
    }
    fn put_varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    impl Packer {
        /// Encode `text` into `out` (appended).
        pub fn encode(&mut self, text: &[u8], out: &mut Vec<u8>) {
            let start_len = out.len();
            self.stamp = self.stamp.wrapping_add(1);
            if self.stamp == 0 {
                self.own_table.iter_mut().for_each(|e| *e = (0, 0));
                self.stamp = 1;
            }
            let n = text.len();
            let mut lit = 0; // start of pending literals
            let mut i = 0;
            while i + MIN_MATCH <= n {
                let v = read4(text, i);
                let ho = hash(v, OWN_BITS);
                let mut best_len = 0;
                let mut best_code = 0u64;
                let (st, p1) = self.own_table[ho];
                if st == self.stamp && p1 > 0 {
                    let p = p1 as usize - 1;
                    let l = common(&text[p..], &text[i..]);
                    if l >= MIN_MATCH {
                        best_len = l;
                        best_code = (((i - p) as u64) << 1) | 1;
                    }
                }
                self.own_table[ho] = (self.stamp, i as u32 + 1);
                let d1 = self.dict_table[hash(v, DICT_BITS)];
                if d1 > 0 {
                    let q = d1 as usize - 1;
                    let l = common(&self.dict[q..], &text[i..]);
                    if l >= MIN_MATCH && l > best_len {
                        best_len = l;
                        best_code = (q as u64) << 1;
                    }
                }
                if best_len == 0 {
                    i += 1;
                    continue;
                }
                self.token(out, &text[lit..i], Some((best_len, best_code)));
                // Remember a few positions inside the match for later matches.
                let end = i + best_len;
                let mut k = i + 1;
                while k + MIN_MATCH <= n && k < end {
                    self.own_table[hash(read4(text, k), OWN_BITS)] = (self.stamp, k as u32 + 1);
                    k += 2;
                }
                i = end;
                lit = i;
            }
            self.token(out, &text[lit..], None);
            // A poorly compressed event teaches the dictionary.
            let packed = out.len() - start_len;
            if packed * 3 > n && self.dict.len() + n <= DICT_MAX {
                let base = self.dict.len();
                self.dict.extend_from_slice(text);
                for k in base..self.dict.len().saturating_sub(MIN_MATCH - 1) {
                    self.dict_table[hash(read4(&self.dict, k), DICT_BITS)] = k as u32 + 1;
                }
            }
        }

        fn token(&self, out: &mut Vec<u8>, lits: &[u8], m: Option<(usize, u64)>) {
            let ll = lits.len();
            let ml = m.map_or(0, |(l, _)| l - MIN_MATCH);
            out.push(((ll.min(15) as u8) << 4) | ml.min(15) as u8);
            if ll >= 15 {
                put_len(out, ll - 15);
            }
            out.extend_from_slice(lits);
            if let Some((_, code)) = m {
                put_varint(out, code);
                if ml >= 15 {
                    put_len(out, ml - 15);
                }
            }
        }

        /// Decode what [`Packer::encode`] wrote.
        pub fn decode(&self, b: &[u8]) -> Vec<u8> {
            let mut out = Vec::with_capacity(b.len() * 4);
            self.decode_into(b, &mut out);
            out
        }

        /// Decode appending to `out` (reused by callers that decode many events).
        pub fn decode_into(&self, mut b: &[u8], out: &mut Vec<u8>) {
            let take_len = |b: &mut &[u8], mut n: usize| loop {
                let x = b[0];
                *b = &b[1..];
                n += x as usize;
                if x != 255 {
                    return n;
                }
            };
            while !b.is_empty() {
                let t = b[0];
                b = &b[1..];
                let mut ll = (t >> 4) as usize;
                if ll == 15 {
                    ll = take_len(&mut b, 15);
                }
                out.extend_from_slice(&b[..ll]);
                b = &b[ll..];
                if b.is_empty() {
                    break;
                }
                let mut code = 0u64;
                let mut shift = 0;
                loop {
                    let x = b[0];
                    b = &b[1..];
                    code |= ((x & 0x7f) as u64) << shift;
                    shift += 7;
                    if x < 0x80 {
                        break;
                    }
                }
                let mut ml = (t & 15) as usize;
                if ml == 15 {
                    ml = take_len(&mut b, 15);
                }
                let ml = ml + MIN_MATCH;
                if code & 1 == 1 {
                    let dist = (code >> 1) as usize;
                    let from = out.len() - dist;
                    if dist >= ml {
                        out.extend_from_within(from..from + ml);
                    } else {
                        // Overlapping copy (a repeated run): byte by byte.
                        for k in 0..ml {
                            let c = out[from + k];
                            out.push(c);
                        }
                    }
                } else {
                    let q = (code >> 1) as usize;
                    out.extend_from_slice(&self.dict[q..q + ml]);
                }
            }
        }
    }
}

/// Append-only byte storage in large chunks (see [`TextArena`]), for packed events.
#[derive(Debug, Clone, Default)]
struct ByteArena {
    chunks: Vec<Vec<u8>>,
    spans: Vec<(u32, u32, u32)>,
}

impl ByteArena {
    fn push(&mut self, b: &[u8]) {
        let full = self
            .chunks
            .last()
            .is_none_or(|c| c.len() + b.len() > c.capacity());
        if full {
            self.chunks
                .push(Vec::with_capacity(ARENA_CHUNK.max(b.len())));
        }
        let ci = self.chunks.len() - 1;
        let c = &mut self.chunks[ci];
        self.spans.push((ci as u32, c.len() as u32, b.len() as u32));
        c.extend_from_slice(b);
    }
    fn get(&self, i: usize) -> &[u8] {
        let (c, start, len) = self.spans[i];
        &self.chunks[c as usize][start as usize..(start + len) as usize]
    }
}

/// A value at a JSON path, per row, computed on demand for tree filters on paths that are not
/// indexed fields. Computed incrementally: `ids` covers the first `ids.len()` rows; rows
/// ingested later, or not reached yet, are added by [`EventStore::index_path`].
#[derive(Debug, Clone)]
struct PathColumn {
    dict: Dict,
    /// `u32::MAX` where the path is absent.
    ids: Vec<u32>,
}

/// Path columns kept at most (each is 4 bytes per row); unused ones are dropped first.
const MAX_PATH_COLUMNS: usize = 8;

/// A compiled filter whose path column does not cover every row yet, so rows past `done` are
/// left out until [`EventStore::index_path`] reaches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPath {
    pub path: JsonPath,
    pub done: usize,
    pub total: usize,
}

const ABSENT: u32 = u32::MAX;

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

/// `eventId` → row, to skip events that are already loaded: open addressing over
/// (32-bit hash, row + 1) pairs, 8 bytes a slot at most half full (16 MB at 1M events); the ids
/// themselves are not copied, a hash match is confirmed against [`EventStore::event_id`].
#[derive(Debug, Clone, Default)]
struct IdIndex {
    slots: Vec<(u32, u32)>,
    len: usize,
    hasher: std::collections::hash_map::RandomState,
}

impl IdIndex {
    fn hash(&self, id: &str) -> u32 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(id) as u32
    }
    /// The row whose id is `id` (hashing to `h`), if any.
    fn find(&self, h: u32, id: &str, ids: &TextArena) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let (sh, row1) = self.slots[i];
            if row1 == 0 {
                return None;
            }
            if sh == h && ids.get(row1 as usize - 1) == id {
                return Some(row1 - 1);
            }
            i = (i + 1) & mask;
        }
    }
    /// Add `row` under hash `h` (the caller has checked it is not there).
    fn insert(&mut self, h: u32, row: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            self.slots = vec![(0, 0); (old.len() * 2).max(1024)];
            for (sh, row1) in old {
                if row1 != 0 {
                    self.place(sh, row1);
                }
            }
        }
        self.place(h, row + 1);
        self.len += 1;
    }
    fn place(&mut self, h: u32, row1: u32) {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        while self.slots[i].1 != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (h, row1);
    }
}

#[derive(Debug, Clone)]
pub struct EventStore {
    /// Each event's JSON text, packed.
    raw: ByteArena,
    packer: pack::Packer,
    pack_buf: Vec<u8>,
    json_bytes: usize,
    time: Vec<i64>,
    cols: Vec<Vec<u32>>,
    dicts: Vec<Dict>,
    /// Lowercase `eventId requestId ` per row: the unique, non-interned searchable text.
    ids_lower: TextArena,
    /// Bytes that occur anywhere in `ids_lower`: a needle with any other byte cannot match.
    ids_bytes: [bool; 256],
    event_ids: TextArena,
    id_index: IdIndex,
    paths: HashMap<String, PathColumn>,
}

impl Default for EventStore {
    fn default() -> Self {
        Self::new()
    }
}

/// Sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

/// A filter added from the JSON tree: the value at `path` equals (or, with `exclude`, does not
/// equal) `value`, compared as canonical JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct PathFilter {
    pub path: JsonPath,
    pub value: Value,
    pub exclude: bool,
}

/// Everything the user filters by, client-side.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// The search box: a query of terms (case-insensitive, substring or `*`/`?` wildcards) in
    /// any searchable field, one field (`user:bob`, see [`Field::aliases`]) or a JSON path
    /// (`userIdentity.userName:bob`), with AND (default), `OR`/`|`, `NOT`/`-`, `"phrases"`
    /// and parentheses. See [`crate::query`].
    pub text: String,
    /// Per-column case-insensitive substring filters.
    pub columns: Vec<(Column, String)>,
    pub paths: Vec<PathFilter>,
}

#[derive(Debug, Clone)]
enum Cond {
    /// A column filter: `bits[id]` of the field's value id.
    Column { field: usize, bits: Vec<bool> },
    /// Per-column value ids (a field column or a path column) equal to / not equal to `id`.
    FieldEq {
        field: usize,
        id: Option<u32>,
        negate: bool,
    },
    PathEq {
        path: String,
        id: Option<u32>,
        negate: bool,
    },
    /// The search box's query. Rows from `cover` on are not read by all of its path columns
    /// yet: unknown, so left out.
    Query { node: Node, cover: usize },
}

/// A compiled [`Expr`]: each term as bits over dictionary ids.
#[derive(Debug, Clone)]
enum Node {
    Const(bool),
    Leaf(Leaf),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
}

/// One term: the row matches if, for one of `fields`, the bit of its value id is set; or the
/// bit of its value id in the path column `path`; or its id text matches `ids`.
#[derive(Debug, Clone)]
struct Leaf {
    fields: Vec<(usize, Vec<bool>)>,
    path: Option<(String, Vec<bool>)>,
    ids: Option<Pattern>,
}

/// A filter prepared against the current store; valid until the store changes.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    conds: Vec<Cond>,
    /// Path columns this filter needs that are not complete yet.
    pub pending: Vec<PendingPath>,
    /// What the search box's query has that was not understood, or cannot match.
    pub warnings: Vec<Warning>,
}

impl CompiledFilter {
    pub fn is_empty(&self) -> bool {
        self.conds.is_empty()
    }
}

impl EventStore {
    pub fn new() -> Self {
        EventStore {
            raw: ByteArena::default(),
            packer: pack::Packer::default(),
            pack_buf: Vec::new(),
            json_bytes: 0,
            time: Vec::new(),
            cols: FIELDS.iter().map(|_| Vec::new()).collect(),
            dicts: FIELDS.iter().map(|_| Dict::new()).collect(),
            ids_lower: TextArena::default(),
            ids_bytes: [false; 256],
            event_ids: TextArena::default(),
            id_index: IdIndex::default(),
            paths: HashMap::new(),
        }
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
    /// object / not JSON is kept without its columns ([`Pushed::Odd`]).
    pub fn push(&mut self, json: &str) -> Pushed {
        let (rec, ok) = match EventRecord::parse(json) {
            Ok(r) => {
                let ok = r != EventRecord::default() || json.trim_start().starts_with('{');
                (r, ok)
            }
            Err(_) => (EventRecord::default(), false),
        };
        if let Some(id) = rec.event_id.as_deref().filter(|id| !id.is_empty()) {
            let h = self.id_index.hash(id);
            if let Some(row) = self.id_index.find(h, id, &self.event_ids) {
                return Pushed::Duplicate(row);
            }
            self.id_index.insert(h, self.len() as u32);
        }
        for f in FIELDS {
            let id = self.dicts[f.idx()].intern(f.of(&rec).unwrap_or(""));
            self.cols[f.idx()].push(id);
        }
        self.time.push(rec.time_ms().unwrap_or(i64::MIN));
        let mut ids = String::new();
        for s in [&rec.event_id, &rec.request_id].into_iter().flatten() {
            ids.push_str(&s.to_lowercase());
            ids.push(' ');
        }
        for b in ids.bytes() {
            self.ids_bytes[b as usize] = true;
        }
        self.ids_lower.push(&ids);
        self.event_ids.push(rec.event_id.as_deref().unwrap_or(""));
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

    /// The row of the event whose `eventId` is `id`.
    pub fn row_of_event_id(&self, id: &str) -> Option<u32> {
        if id.is_empty() {
            return None;
        }
        self.id_index
            .find(self.id_index.hash(id), id, &self.event_ids)
    }

    pub fn clear(&mut self) {
        *self = EventStore::new();
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

    /// The event's `eventId` ("" if absent).
    pub fn event_id(&self, row: u32) -> &str {
        self.event_ids.get(row as usize)
    }

    /// Distinct values of a field with their counts among `rows`, most frequent first.
    pub fn facet(&self, f: Field, rows: &[u32]) -> Vec<(String, usize)> {
        let col = &self.cols[f.idx()];
        let mut counts = vec![0usize; self.dicts[f.idx()].len()];
        for &r in rows {
            counts[col[r as usize] as usize] += 1;
        }
        let mut out: Vec<(String, usize)> = counts
            .into_iter()
            .enumerate()
            .filter(|(_, c)| *c > 0)
            .map(|(id, c)| (self.dicts[f.idx()].strings[id].to_string(), c))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// Row indices in the given order (ingest order when `None`). Stable: ties keep ingest order.
    /// Fields: a counting sort by the rank of each row's dictionary id; time: an LSD radix sort.
    /// Both are linear in the rows and stable by construction.
    pub fn order(&self, sort: Option<Sort>) -> Vec<u32> {
        let Some(sort) = sort else {
            return (0..self.len() as u32).collect();
        };
        match sort.column.field() {
            None => {
                // Order-preserving u64 keys; missing times sort last in both directions.
                let keys: Vec<u64> = self
                    .time
                    .iter()
                    .map(|&t| {
                        if t == i64::MIN {
                            u64::MAX
                        } else {
                            let k = (t as u64) ^ (1 << 63);
                            if sort.descending {
                                !k // never u64::MAX: that would be i64::MIN, "missing"
                            } else {
                                k
                            }
                        }
                    })
                    .collect();
                radix_sort_rows(&keys)
            }
            Some(f) => {
                let mut rank = self.ranks(f);
                if sort.descending {
                    let top = rank.len() as u32 - 1;
                    for r in &mut rank {
                        *r = top - *r;
                    }
                }
                let col = &self.cols[f.idx()];
                let mut start = vec![0u32; rank.len() + 1];
                for &id in col {
                    start[rank[id as usize] as usize + 1] += 1;
                }
                for i in 1..start.len() {
                    start[i] += start[i - 1];
                }
                let mut rows = vec![0u32; col.len()];
                for (r, &id) in col.iter().enumerate() {
                    let k = &mut start[rank[id as usize] as usize];
                    rows[*k as usize] = r as u32;
                    *k += 1;
                }
                rows
            }
        }
    }

    /// Rank of each dictionary id in the field's sort order: case-insensitive, then exact;
    /// IP addresses numerically (IPv4 before IPv6); empty values last.
    fn ranks(&self, f: Field) -> Vec<u32> {
        let d = &self.dicts[f.idx()];
        let mut ids: Vec<u32> = (0..d.len() as u32).collect();
        let cmp_text = |a: &u32, b: &u32| {
            let (a, b) = (*a as usize, *b as usize);
            (d.strings[a].is_empty().cmp(&d.strings[b].is_empty()))
                .then_with(|| d.lower[a].cmp(&d.lower[b]))
                .then_with(|| d.strings[a].cmp(&d.strings[b]))
        };
        if f == Field::Ip {
            let parsed: Vec<Option<IpAddr>> = d.strings.iter().map(|s| s.parse().ok()).collect();
            ids.sort_by(|a, b| match (parsed[*a as usize], parsed[*b as usize]) {
                (Some(x), Some(y)) => ip_key(x).cmp(&ip_key(y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => cmp_text(a, b),
            });
        } else {
            ids.sort_by(cmp_text);
        }
        let mut rank = vec![0u32; ids.len()];
        for (r, id) in ids.into_iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        rank
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
    fn index_path_keeping(
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

    /// Prepare a filter. Needs `&mut` because a tree filter on a path that is not indexed
    /// extends that path's column, if only up to [`SYNC_PATH_ROWS`] rows are missing (a few
    /// newly fetched pages). A larger gap is left for [`EventStore::index_path`] and reported
    /// in [`CompiledFilter::pending`]; rows past the column's end do not pass meanwhile.
    pub fn compile(&mut self, filter: &Filter) -> CompiledFilter {
        self.compile_with(filter, SYNC_PATH_ROWS)
    }

    /// [`EventStore::compile`] with the synchronous budget given (`usize::MAX`: index every row
    /// now, as tests and the reference do).
    pub fn compile_with(&mut self, filter: &Filter, sync_rows: usize) -> CompiledFilter {
        let mut conds = Vec::new();
        let mut pending = Vec::new();
        let query = query::parse(&filter.text);
        let query_paths = query.expr.paths();
        let keep: Vec<String> = filter
            .paths
            .iter()
            .map(|p| &p.path)
            .chain(&query_paths)
            .map(|p| p.to_string())
            .collect();
        for p in &query_paths {
            self.prepare_path(p, sync_rows, &keep, &mut pending);
        }
        let mut warnings = query.warnings;
        warnings.extend(self.path_warnings(&query_paths));
        match self.compile_expr(&query.expr) {
            Node::Const(true) => {}
            node => {
                let cover = query_paths
                    .iter()
                    .map(|p| self.path_indexed(p))
                    .min()
                    .unwrap_or(usize::MAX);
                conds.push(Cond::Query { node, cover });
            }
        }
        for (col, text) in &filter.columns {
            let needle = Pattern::Contains(text.trim().to_lowercase());
            if text.trim().is_empty() {
                continue;
            }
            // Time has no text filter: the server-side range filters it.
            if let Some(f) = col.field() {
                conds.push(Cond::Column {
                    field: f.idx(),
                    bits: self.field_bits(f, &needle),
                });
            }
        }
        for pf in &filter.paths {
            let path_s = pf.path.to_string();
            match (Field::from_path(&path_s), &pf.value) {
                (Some(f), Value::String(s)) => {
                    let id = self.dicts[f.idx()].ids.get(s.as_str()).copied();
                    conds.push(Cond::FieldEq {
                        field: f.idx(),
                        id,
                        negate: pf.exclude,
                    });
                }
                _ => {
                    let want = canonical(&pf.value);
                    self.prepare_path(&pf.path, sync_rows, &keep, &mut pending);
                    let id = self
                        .paths
                        .get(&path_s)
                        .and_then(|pc| pc.dict.ids.get(want.as_str()).copied());
                    conds.push(Cond::PathEq {
                        path: path_s,
                        id,
                        negate: pf.exclude,
                    });
                }
            }
        }
        CompiledFilter {
            conds,
            pending,
            warnings,
        }
    }

    /// Make sure the path column of `path` exists, and extend it now if at most `sync_rows`
    /// rows are missing; else it is reported in `pending` for [`EventStore::index_path`].
    fn prepare_path(
        &mut self,
        path: &JsonPath,
        sync_rows: usize,
        keep: &[String],
        pending: &mut Vec<PendingPath>,
    ) {
        let missing = self.len() - self.path_indexed(path);
        if missing <= sync_rows || !self.paths.contains_key(&path.to_string()) {
            // Creating the column is cheap; filling it may not be.
            let rows = if missing <= sync_rows { missing } else { 0 };
            self.index_path_keeping(path, rows, keep);
        }
        let (done, total) = (self.path_indexed(path), self.len());
        if done < total && !pending.iter().any(|p| p.path == *path) {
            pending.push(PendingPath {
                path: path.clone(),
                done,
                total,
            });
        }
    }

    /// [`Warning::NoSuchPath`] for each of `paths` whose column is complete and holds no value.
    fn path_warnings(&self, paths: &[JsonPath]) -> Vec<Warning> {
        paths
            .iter()
            .filter(|p| {
                self.paths.get(&p.to_string()).is_some_and(|c| {
                    !self.is_empty() && c.ids.len() == self.len() && c.dict.len() <= 1
                })
            })
            .map(|p| Warning::NoSuchPath(p.to_string()))
            .collect()
    }

    /// The warnings [`EventStore::compile`] gives for this search text, without compiling
    /// (the path columns' state as the last compile left it).
    pub fn query_warnings(&self, text: &str) -> Vec<Warning> {
        let q = query::parse(text);
        let mut w = q.warnings;
        w.extend(self.path_warnings(&q.expr.paths()));
        w
    }

    /// A bit per dictionary id of `f`: whether that value matches. An empty error code reads
    /// as "OK" in the result column, so the word "ok" finds it; a wildcard means the value
    /// itself (`errorCode:*` = has an error code, like any other field).
    fn field_bits(&self, f: Field, p: &Pattern) -> Vec<bool> {
        let empty_as = (f == Field::ErrorCode && matches!(p, Pattern::Contains(_))).then_some("ok");
        self.dicts[f.idx()]
            .lower
            .iter()
            .map(|s| p.matches_value(s, empty_as))
            .collect()
    }

    fn compile_expr(&self, e: &Expr) -> Node {
        match e {
            Expr::True => Node::Const(true),
            Expr::False => Node::Const(false),
            Expr::Term(t) => self.compile_term(&t.scope, &t.pattern),
            Expr::Not(x) => match self.compile_expr(x) {
                Node::Const(b) => Node::Const(!b),
                n => Node::Not(Box::new(n)),
            },
            Expr::And(xs) | Expr::Or(xs) => {
                let and = matches!(e, Expr::And(_));
                let mut nodes = Vec::new();
                for x in xs {
                    match self.compile_expr(x) {
                        // The identity of this operation: leave it out.
                        Node::Const(b) if b == and => {}
                        // Its absorbing value: decides the whole.
                        Node::Const(b) => return Node::Const(b),
                        n => nodes.push(n),
                    }
                }
                match nodes.len() {
                    0 => Node::Const(and),
                    1 => nodes.pop().expect("one node"),
                    _ if and => Node::And(nodes),
                    _ => Node::Or(nodes),
                }
            }
        }
    }

    /// A term as bits over the distinct values of its field(s) or path: the only place the
    /// query's text is compared with event text (once per distinct string).
    fn compile_term(&self, scope: &Scope, p: &Pattern) -> Node {
        let mut leaf = Leaf {
            fields: Vec::new(),
            path: None,
            ids: None,
        };
        let fields: &[Field] = match scope {
            Scope::Any => &FIELDS,
            Scope::Field(f) => std::slice::from_ref(f),
            Scope::Path(_) => &[],
        };
        for &f in fields {
            let bits = self.field_bits(f, p);
            // Fields where no value matches cannot make a row match: leave them out.
            if bits.contains(&true) {
                leaf.fields.push((f.idx(), bits));
            }
        }
        if let Scope::Path(path) = scope {
            let key = path.to_string();
            if let Some(col) = self.paths.get(&key) {
                let bits: Vec<bool> = col.dict.lower.iter().map(|s| p.matches(s)).collect();
                if bits.contains(&true) {
                    leaf.path = Some((key, bits));
                }
            }
        }
        if *scope == Scope::Any {
            // Ids can only match a literal whose bytes all occur in some id.
            let lit = p.longest_literal();
            if lit.bytes().all(|b| self.ids_bytes[b as usize]) {
                leaf.ids = Some(p.clone());
            }
        }
        if leaf.fields.is_empty() && leaf.path.is_none() && leaf.ids.is_none() {
            Node::Const(false)
        } else {
            Node::Leaf(leaf)
        }
    }

    /// `out[r] = node holds for row r`.
    fn eval(&self, node: &Node, out: &mut [bool]) {
        match node {
            Node::Const(b) => out.fill(*b),
            Node::Leaf(l) => {
                out.fill(false);
                self.eval_leaf(l, out);
            }
            Node::Not(x) => {
                self.eval(x, out);
                out.iter_mut().for_each(|o| *o = !*o);
            }
            Node::And(xs) => {
                self.eval(&xs[0], out);
                let mut tmp = vec![false; out.len()];
                for x in &xs[1..] {
                    self.eval(x, &mut tmp);
                    for (o, t) in out.iter_mut().zip(&tmp) {
                        *o &= *t;
                    }
                }
            }
            Node::Or(xs) => {
                out.fill(false);
                let mut tmp = Vec::new();
                for x in xs {
                    match x {
                        // A term only sets bits: straight into `out`.
                        Node::Leaf(l) => self.eval_leaf(l, out),
                        x => {
                            tmp.resize(out.len(), false);
                            self.eval(x, &mut tmp);
                            for (o, t) in out.iter_mut().zip(&tmp) {
                                *o |= *t;
                            }
                        }
                    }
                }
            }
        }
    }

    /// `hit[r] |= the term matches row r`: integer lookups per row, except for the ids, which
    /// are unique per row (a substring scan of the id arena; wildcards check the rows whose
    /// ids contain the pattern's longest literal).
    fn eval_leaf(&self, l: &Leaf, hit: &mut [bool]) {
        for (f, bits) in &l.fields {
            for (h, &id) in hit.iter_mut().zip(&self.cols[*f]) {
                *h |= bits[id as usize];
            }
        }
        if let Some((key, bits)) = &l.path {
            if let Some(col) = self.paths.get(key) {
                for (h, &v) in hit.iter_mut().zip(&col.ids) {
                    // Ids interned after compiling (none expected) count as no match.
                    *h |= v != ABSENT && bits.get(v as usize).copied().unwrap_or(false);
                }
            }
        }
        match &l.ids {
            None => {}
            Some(Pattern::Contains(t)) if !t.contains('\n') => {
                self.ids_lower.mark_containing(t, hit)
            }
            Some(p) => {
                // The arena's scan needs a needle without `\n` (its separator).
                let lit = p.longest_literal();
                let scan = !lit.is_empty() && !lit.contains('\n');
                let mut cand = vec![!scan; hit.len()];
                if scan {
                    self.ids_lower.mark_containing(lit, &mut cand);
                }
                for (r, (h, c)) in hit.iter_mut().zip(cand).enumerate() {
                    if c && !*h {
                        let ids = self.ids_lower.get(r);
                        *h = match p {
                            Pattern::Contains(t) => ids.contains(t.as_str()),
                            _ => ids.split(' ').any(|id| p.matches(id)),
                        };
                    }
                }
            }
        }
    }

    /// `mask[r] &= row r satisfies c`, column by column in row order (sequential memory).
    fn apply(&self, c: &Cond, mask: &mut [bool]) {
        match c {
            Cond::Column { field, bits } => {
                for (m, &id) in mask.iter_mut().zip(&self.cols[*field]) {
                    *m &= bits[id as usize];
                }
            }
            Cond::Query { node, cover } => {
                let mut hit = vec![false; mask.len()];
                self.eval(node, &mut hit);
                for (m, h) in mask.iter_mut().zip(hit) {
                    *m &= h;
                }
                // Rows a path column does not cover yet are unknown: left out either way.
                for m in mask.iter_mut().skip(*cover) {
                    *m = false;
                }
            }
            Cond::FieldEq { field, id, negate } => {
                for (m, &v) in mask.iter_mut().zip(&self.cols[*field]) {
                    *m &= (Some(v) == *id) != *negate;
                }
            }
            Cond::PathEq { path, id, negate } => {
                // A column dropped since compiling covers no row (not expected: `compile`
                // keeps the columns its filter needs).
                let ids: &[u32] = self.paths.get(path).map_or(&[], |c| &c.ids);
                for (m, &v) in mask.iter_mut().zip(ids) {
                    *m &= (v != ABSENT && Some(v) == *id) != *negate;
                }
                // Rows the column does not cover yet are unknown: left out either way.
                for m in mask.iter_mut().skip(ids.len()) {
                    *m = false;
                }
            }
        }
    }

    /// The rows of `order` that pass the filter, in that order.
    pub fn filter(&self, order: &[u32], f: &CompiledFilter) -> Vec<u32> {
        if f.conds.is_empty() {
            return order.to_vec();
        }
        let mut mask = vec![true; self.len()];
        for c in &f.conds {
            self.apply(c, &mut mask);
        }
        order
            .iter()
            .copied()
            .filter(|&r| mask[r as usize])
            .collect()
    }
}

/// Row indices sorted by `keys[row]`, stable. Events usually arrive in time order (LookupEvents
/// pages are newest first), so a store already in key order, or in reverse key order, is
/// recognised in one pass; anything else gets an LSD radix sort (8 bits a pass, skipping bytes
/// that are the same in every key).
fn radix_sort_rows(keys: &[u64]) -> Vec<u32> {
    let n = keys.len();
    if keys.windows(2).all(|w| w[0] <= w[1]) {
        return (0..n as u32).collect();
    }
    if keys.windows(2).all(|w| w[0] >= w[1]) {
        // Reverse the runs of equal keys, keeping each run in ingest order.
        let mut rows = Vec::with_capacity(n);
        let mut end = n;
        while end > 0 {
            let mut start = end - 1;
            while start > 0 && keys[start - 1] == keys[end - 1] {
                start -= 1;
            }
            rows.extend(start as u32..end as u32);
            end = start;
        }
        return rows;
    }
    let mut counts = vec![[0u32; 256]; 8];
    for &k in keys {
        for (b, c) in counts.iter_mut().enumerate() {
            c[((k >> (8 * b)) & 0xff) as usize] += 1;
        }
    }
    // (key, row) pairs move together, so every pass reads sequentially.
    let mut items: Vec<(u64, u32)> = keys.iter().copied().zip(0..n as u32).collect();
    let mut tmp = vec![(0u64, 0u32); n];
    for (b, c) in counts.iter().enumerate() {
        if c.iter().any(|&x| x as usize == n) {
            continue; // every key has the same byte here
        }
        let mut pos = [0u32; 256];
        let mut sum = 0;
        for (p, &x) in pos.iter_mut().zip(c.iter()) {
            *p = sum;
            sum += x;
        }
        for &it in &items {
            let d = ((it.0 >> (8 * b)) & 0xff) as usize;
            tmp[pos[d] as usize] = it;
            pos[d] += 1;
        }
        std::mem::swap(&mut items, &mut tmp);
    }
    items.into_iter().map(|(_, r)| r).collect()
}

fn ip_key(ip: IpAddr) -> (u8, u128) {
    match ip {
        IpAddr::V4(v) => (4, u32::from(v) as u128),
        IpAddr::V6(v) => (6, u128::from(v)),
    }
}

/// One page of a filtered list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Zero-based page index, clamped into range.
    pub index: usize,
    pub size: usize,
    pub start: usize,
    pub end: usize,
    pub total: usize,
    pub count: usize,
}

impl Page {
    pub fn new(total: usize, size: usize, index: usize) -> Page {
        let size = size.max(1);
        let count = total.div_ceil(size).max(1);
        let index = index.min(count - 1);
        let start = (index * size).min(total);
        let end = (start + size).min(total);
        Page {
            index,
            size,
            start,
            end,
            total,
            count,
        }
    }
    pub fn is_first(&self) -> bool {
        self.index == 0
    }
    pub fn is_last(&self) -> bool {
        self.index + 1 >= self.count
    }
    /// `51–100 of 1,234`, or `0 of 0`.
    pub fn label(&self) -> String {
        if self.total == 0 {
            return "0 of 0".into();
        }
        format!(
            "{}–{} of {}",
            thousands(self.start + 1),
            thousands(self.end),
            thousands(self.total)
        )
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(name: &str, svc: &str, user: &str, ip: &str, t: &str, err: &str) -> String {
        json!({"eventId": format!("ID-{name}-{t}"), "eventName": name, "serviceName": svc,
               "userIdentity": {"userName": user, "type": "ram-user"}, "sourceIpAddress": ip,
               "eventTime": t, "errorCode": err, "eventRW": "Read", "acsRegion": "cn-hangzhou",
               "requestParameters": {"RegionId": "cn-hangzhou", "Size": 3}})
        .to_string()
    }

    fn store() -> EventStore {
        let mut s = EventStore::new();
        s.push(&ev(
            "DeleteInstance",
            "Ecs",
            "alice",
            "10.0.0.2",
            "2024-01-01T00:00:02Z",
            "",
        ));
        s.push(&ev(
            "GetObject",
            "Oss",
            "Bob",
            "10.0.0.10",
            "2024-01-01T00:00:01Z",
            "NoSuchBucket",
        ));
        s.push(&ev(
            "RunInstances",
            "Ecs",
            "王芳",
            "2001:db8::1",
            "2024-01-01T00:00:03Z",
            "",
        ));
        s.push(&ev(
            "AssumeRole",
            "Sts",
            "alice",
            "9.9.9.9",
            "bad time",
            "Forbidden.RAM",
        ));
        s.push("[1,2,3]");
        s
    }

    fn run(s: &mut EventStore, f: Filter, sort: Option<Sort>) -> Vec<u32> {
        let cf = s.compile(&f);
        let order = s.order(sort);
        s.filter(&order, &cf)
    }

    #[test]
    fn odd_events_are_kept() {
        let s = store();
        assert_eq!(s.len(), 5);
        assert_eq!(s.raw(4), "[1,2,3]");
        assert_eq!(s.field(4, Field::EventName), "");
    }

    #[test]
    fn free_text_terms_scopes_and_negation() {
        let mut s = store();
        let t = |s: &mut EventStore, q: &str| {
            run(
                s,
                Filter {
                    text: q.into(),
                    ..Default::default()
                },
                None,
            )
        };
        assert_eq!(t(&mut s, "ALICE"), vec![0, 3]);
        assert_eq!(t(&mut s, "alice ecs"), vec![0]);
        assert_eq!(t(&mut s, "-alice"), vec![1, 2, 4]);
        assert_eq!(t(&mut s, "user:bob"), vec![1]);
        assert_eq!(t(&mut s, "service:ecs"), vec![0, 2]);
        assert_eq!(t(&mut s, "王"), vec![2]);
        assert_eq!(
            t(&mut s, "id-getobject"),
            vec![1],
            "event ids are searchable"
        );
        assert_eq!(t(&mut s, "result:ok"), vec![0, 2, 4]);
        assert_eq!(t(&mut s, "\"no such\""), Vec::<u32>::new());
        assert_eq!(t(&mut s, "nosuch"), vec![1]);
        assert_eq!(t(&mut s, ""), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn column_filters() {
        let mut s = store();
        let f = Filter {
            columns: vec![(Column::Service, "EC".into()), (Column::User, "a".into())],
            ..Default::default()
        };
        assert_eq!(run(&mut s, f, None), vec![0]);
    }

    #[test]
    fn sorting_is_stable_both_ways() {
        let mut s = store();
        let by = |c, d| {
            Some(Sort {
                column: c,
                descending: d,
            })
        };
        assert_eq!(
            run(&mut s, Filter::default(), by(Column::Time, false)),
            vec![1, 0, 2, 3, 4]
        );
        assert_eq!(
            run(&mut s, Filter::default(), by(Column::Time, true)),
            vec![2, 0, 1, 3, 4]
        );
        // Case-insensitive; ties (alice twice) keep ingest order; empty last ascending.
        assert_eq!(
            run(&mut s, Filter::default(), by(Column::User, false)),
            vec![0, 3, 1, 2, 4]
        );
        assert_eq!(
            run(&mut s, Filter::default(), by(Column::User, true)),
            vec![4, 2, 1, 0, 3]
        );
        // IPs numerically: 9.9.9.9 < 10.0.0.2 < 10.0.0.10 < IPv6, empty last.
        assert_eq!(
            run(&mut s, Filter::default(), by(Column::Ip, false)),
            vec![3, 0, 1, 2, 4]
        );
    }

    #[test]
    fn path_columns_fill_in_slices_and_follow_ingest() {
        let mut s = store();
        let f = Filter {
            paths: vec![PathFilter {
                path: JsonPath::parse("requestParameters.Size").unwrap(),
                value: json!(3),
                exclude: false,
            }],
            ..Default::default()
        };
        let all = {
            let mut full = store();
            let cf = full.compile_with(&f, usize::MAX);
            assert!(cf.pending.is_empty());
            full.filter(&full.order(None), &cf)
        };
        // Nothing indexed synchronously: the filter is pending and passes no row yet.
        let cf = s.compile_with(&f, 0);
        assert_eq!(
            cf.pending,
            vec![PendingPath {
                path: f.paths[0].path.clone(),
                done: 0,
                total: 5
            }]
        );
        assert!(s.filter(&s.order(None), &cf).is_empty());
        // Two rows at a time: partial results are the full result's prefix among those rows.
        assert_eq!(s.index_path(&f.paths[0].path, 2), (2, 5));
        let cf = s.compile_with(&f, 0);
        assert_eq!(cf.pending[0].done, 2);
        let part = s.filter(&s.order(None), &cf);
        assert_eq!(
            part,
            all.iter().copied().filter(|&r| r < 2).collect::<Vec<_>>()
        );
        while s.index_path(&f.paths[0].path, 2).0 < s.len() {}
        let cf = s.compile_with(&f, 0);
        assert!(cf.pending.is_empty());
        assert_eq!(s.filter(&s.order(None), &cf), all);
        // A new row is indexed by `compile` itself (a small gap), not dropped.
        s.push(r#"{"eventId":"n","requestParameters":{"Size":3}}"#);
        let cf = s.compile(&f);
        assert!(cf.pending.is_empty());
        assert_eq!(s.filter(&s.order(None), &cf).last(), Some(&5));
    }

    #[test]
    fn a_filter_never_evicts_its_own_path_columns() {
        let mut s = store();
        for i in 0..(MAX_PATH_COLUMNS - 1) {
            s.index_path(&JsonPath::parse(&format!("old{i}")).unwrap(), usize::MAX);
        }
        let pf = |p: &str| PathFilter {
            path: JsonPath::parse(p).unwrap(),
            value: json!(3),
            exclude: false,
        };
        let f = Filter {
            paths: vec![pf("a"), pf("b")],
            ..Default::default()
        };
        for sync in [0, usize::MAX] {
            let cf = s.compile_with(&f, sync);
            assert!(s.paths.contains_key("a") && s.paths.contains_key("b"));
            let _ = s.filter(&s.order(None), &cf); // no panic
        }
        // Many chips at once: all kept, over the cap.
        let many = Filter {
            paths: (0..MAX_PATH_COLUMNS + 2)
                .map(|i| pf(&format!("m{i}")))
                .collect(),
            ..Default::default()
        };
        let cf = s.compile(&many);
        assert!(many
            .paths
            .iter()
            .all(|p| s.paths.contains_key(&p.path.to_string())));
        let _ = s.filter(&s.order(None), &cf);
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
    fn path_filters_indexed_and_not() {
        let mut s = store();
        let pf = |p: &str, v: Value, exclude| PathFilter {
            path: JsonPath::parse(p).unwrap(),
            value: v,
            exclude,
        };
        let f = Filter {
            paths: vec![pf("userIdentity.userName", json!("alice"), false)],
            ..Default::default()
        };
        assert_eq!(run(&mut s, f, None), vec![0, 3]);
        let f = Filter {
            paths: vec![pf("requestParameters.Size", json!(3), false)],
            ..Default::default()
        };
        assert_eq!(run(&mut s, f, None), vec![0, 1, 2, 3]);
        let f = Filter {
            paths: vec![pf("requestParameters.Size", json!(3), true)],
            ..Default::default()
        };
        assert_eq!(run(&mut s, f, None), vec![4], "absent counts as not equal");
        let f = Filter {
            paths: vec![pf("eventName", json!("Nope"), false)],
            ..Default::default()
        };
        assert_eq!(run(&mut s, f, None), Vec::<u32>::new());
    }

    fn text(s: &mut EventStore, q: &str) -> Vec<u32> {
        run(
            s,
            Filter {
                text: q.into(),
                ..Default::default()
            },
            None,
        )
    }

    #[test]
    fn query_operators_wildcards_and_warnings() {
        let mut s = store();
        assert_eq!(text(&mut s, "alice OR bob"), vec![0, 1, 3]);
        assert_eq!(text(&mut s, "alice | bob"), vec![0, 1, 3]);
        assert_eq!(text(&mut s, "ecs alice OR bob"), vec![0]);
        assert_eq!(text(&mut s, "NOT alice"), vec![1, 2, 4]);
        assert_eq!(text(&mut s, "-(alice OR bob)"), vec![2, 4]);
        assert_eq!(text(&mut s, "user:(alice OR bob) -ecs"), vec![1, 3]);
        assert_eq!(text(&mut s, "event:*Instance*"), vec![0, 2]);
        assert_eq!(text(&mut s, "event:Delete*"), vec![0]);
        assert_eq!(
            text(&mut s, "event:instance*"),
            Vec::<u32>::new(),
            "anchored"
        );
        assert_eq!(text(&mut s, "user:?ob"), vec![1]);
        assert_eq!(text(&mut s, "user:*"), vec![0, 1, 2, 3], "has a user");
        assert_eq!(text(&mut s, "-user:*"), vec![4]);
        assert_eq!(
            text(&mut s, "result:ok"),
            vec![0, 2, 4],
            "an empty error code reads as OK"
        );
        assert_eq!(
            text(&mut s, "errorCode:*"),
            vec![1, 3],
            "a wildcard means the value: has an error code"
        );
        assert_eq!(text(&mut s, "-errorCode:*"), vec![0, 2, 4]);
        assert_eq!(text(&mut s, "id-get*"), vec![1], "wildcards on ids");
        assert_eq!(text(&mut s, "*-bad time"), vec![3]);
        assert_eq!(text(&mut s, "王*"), vec![2]);
        // Not understood: reported, and read the closest sensible way.
        let cf = s.compile(&Filter {
            text: "foo:bar alice OR".into(),
            ..Default::default()
        });
        assert_eq!(
            cf.warnings,
            vec![
                Warning::UnknownField {
                    name: "foo".into(),
                    text: "foo:bar".into()
                },
                Warning::Dangling("OR")
            ]
        );
        assert_eq!(s.query_warnings("foo:bar alice OR"), cf.warnings);
        assert_eq!(s.filter(&s.order(None), &cf), Vec::<u32>::new());
        assert_eq!(text(&mut s, "alice OR"), vec![0, 3]);
    }

    #[test]
    fn query_paths() {
        let mut s = store();
        // An indexed field's path is that field: no path column.
        assert_eq!(text(&mut s, "userIdentity.userName:bob"), vec![1]);
        assert_eq!(text(&mut s, "userIdentity.userName:BO*"), vec![1]);
        assert!(s.paths.is_empty());
        assert_eq!(
            text(&mut s, "requestParameters.RegionId:hangzhou"),
            vec![0, 1, 2, 3]
        );
        assert_eq!(text(&mut s, "requestParameters.Size:3"), vec![0, 1, 2, 3]);
        assert_eq!(text(&mut s, "-requestParameters.Size:3"), vec![4]);
        assert_eq!(
            text(&mut s, "requestParameters:regionid"),
            vec![0, 1, 2, 3],
            "JSON text"
        );
        assert_eq!(text(&mut s, "[0]:1"), vec![4], "arrays by index");
        assert_eq!(
            text(&mut s, "eventTime:bad*"),
            vec![3],
            "a known top-level key"
        );
        assert_eq!(
            text(
                &mut s,
                "userIdentity.type:ram* requestParameters.Size:3 OR alice"
            ),
            vec![0, 1, 2, 3]
        );
        let cf = s.compile(&Filter {
            text: "requestParameters.Nope:x".into(),
            ..Default::default()
        });
        assert_eq!(
            cf.warnings,
            vec![Warning::NoSuchPath("requestParameters.Nope".into())]
        );
        assert_eq!(
            s.query_warnings("requestParameters.Nope:y"),
            cf.warnings,
            "known once the column is read"
        );
        assert!(EventStore::new()
            .query_warnings("requestParameters.Nope:x")
            .is_empty());
    }

    #[test]
    fn query_paths_on_a_large_store_are_read_in_slices() {
        let mut s = store();
        let f = Filter {
            text: "requestParameters.RegionId:cn-* OR alice".into(),
            ..Default::default()
        };
        let path = JsonPath::parse("requestParameters.RegionId").unwrap();
        let cf = s.compile_with(&f, 0);
        assert_eq!(
            cf.pending,
            vec![PendingPath {
                path: path.clone(),
                done: 0,
                total: 5
            }]
        );
        assert!(cf.warnings.is_empty(), "not known yet");
        assert!(
            s.filter(&s.order(None), &cf).is_empty(),
            "rows not read yet are left out, even those other terms match"
        );
        s.index_path(&path, 2);
        let cf = s.compile_with(&f, 0);
        assert_eq!(s.filter(&s.order(None), &cf), vec![0, 1]);
        while s.index_path(&path, 2).0 < s.len() {}
        let cf = s.compile_with(&f, 0);
        assert!(cf.pending.is_empty());
        assert_eq!(s.filter(&s.order(None), &cf), vec![0, 1, 2, 3]);
        // The same path in a tree filter and the query: one pending entry.
        let mut s = store();
        let both = Filter {
            text: "requestParameters.Size:3".into(),
            paths: vec![PathFilter {
                path: JsonPath::parse("requestParameters.Size").unwrap(),
                value: json!(3),
                exclude: false,
            }],
            ..Default::default()
        };
        assert_eq!(s.compile_with(&both, 0).pending.len(), 1);
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
                duplicates: 1
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
                duplicates: 2
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
    fn facets() {
        let s = store();
        let all: Vec<u32> = (0..5).collect();
        assert_eq!(s.facet(Field::Service, &all)[0], ("Ecs".to_string(), 2));
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

    #[test]
    fn pages() {
        let p = Page::new(1234, 50, 1);
        assert_eq!((p.start, p.end, p.count), (50, 100, 25));
        assert_eq!(p.label(), "51–100 of 1,234");
        let p = Page::new(1234, 50, 99);
        assert_eq!((p.index, p.start, p.end), (24, 1200, 1234));
        assert!(p.is_last());
        assert_eq!(Page::new(0, 25, 3).label(), "0 of 0");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
