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
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.ids.insert(s.into(), id);
        self.strings.push(s.into());
        self.lower.push(s.to_lowercase().into());
        id
    }
    fn len(&self) -> usize {
        self.strings.len()
    }
}

/// A value at a JSON path, per row, computed once per path on demand (for tree filters on
/// paths that are not indexed fields).
#[derive(Debug, Clone)]
struct PathColumn {
    dict: Dict,
    /// `u32::MAX` where the path is absent.
    ids: Vec<u32>,
}

const ABSENT: u32 = u32::MAX;

/// What one ingest did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    pub added: usize,
    /// Events that were not JSON objects or had unreadable parts; kept, with empty columns.
    pub odd: usize,
}

#[derive(Debug, Clone)]
pub struct EventStore {
    raw: Vec<Box<str>>,
    time: Vec<i64>,
    cols: Vec<Vec<u32>>,
    dicts: Vec<Dict>,
    /// Lowercase `eventId requestId` per row: the unique, non-interned searchable text.
    ids_lower: Vec<Box<str>>,
    event_ids: Vec<Box<str>>,
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
    /// Free text: whitespace-separated terms, all must match (case-insensitive, substring) in
    /// some searchable field. `field:term` restricts a term to one field (see
    /// [`Field::aliases`]); `-term` excludes; `"two words"` is one term.
    pub text: String,
    /// Per-column case-insensitive substring filters.
    pub columns: Vec<(Column, String)>,
    pub paths: Vec<PathFilter>,
}

#[derive(Debug, Clone)]
enum Cond {
    /// Row matches if for any of the listed fields, `bits[field][id]` is set, or (when
    /// `ids_term` is set) the row's id text contains the term.
    Any {
        fields: Vec<(usize, Vec<bool>)>,
        ids_term: Option<String>,
        negate: bool,
    },
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
}

/// A filter prepared against the current store; valid until the store changes.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    conds: Vec<Cond>,
}

impl CompiledFilter {
    pub fn is_empty(&self) -> bool {
        self.conds.is_empty()
    }
}

/// Split the search text into terms: whitespace-separated, with `"quoted phrases"`.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

impl EventStore {
    pub fn new() -> Self {
        EventStore {
            raw: Vec::new(),
            time: Vec::new(),
            cols: FIELDS.iter().map(|_| Vec::new()).collect(),
            dicts: FIELDS.iter().map(|_| Dict::new()).collect(),
            ids_lower: Vec::new(),
            event_ids: Vec::new(),
            paths: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.raw.len()
    }
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Add the events of one LookupEvents page.
    pub fn ingest_page(&mut self, events: &[Box<RawValue>]) -> IngestStats {
        let mut st = IngestStats::default();
        for e in events {
            if !self.push(e.get()) {
                st.odd += 1;
            }
            st.added += 1;
        }
        st
    }

    /// Add one event from its JSON text. Returns false if it was kept without its columns
    /// (not an object / not JSON).
    pub fn push(&mut self, json: &str) -> bool {
        let (rec, ok) = match EventRecord::parse(json) {
            Ok(r) => {
                let ok = r != EventRecord::default() || json.trim_start().starts_with('{');
                (r, ok)
            }
            Err(_) => (EventRecord::default(), false),
        };
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
        self.ids_lower.push(ids.into());
        self.event_ids
            .push(rec.event_id.as_deref().unwrap_or("").into());
        self.raw.push(json.into());
        // Path columns computed earlier would be stale: drop them (recomputed on demand).
        self.paths.clear();
        ok
    }

    pub fn clear(&mut self) {
        *self = EventStore::new();
    }

    /// The event's JSON text.
    pub fn raw(&self, row: u32) -> &str {
        &self.raw[row as usize]
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
        &self.event_ids[row as usize]
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
    pub fn order(&self, sort: Option<Sort>) -> Vec<u32> {
        let mut rows: Vec<u32> = (0..self.len() as u32).collect();
        let Some(sort) = sort else { return rows };
        match sort.column.field() {
            None => {
                let t = &self.time;
                // Missing times sort last in both directions.
                if sort.descending {
                    rows.sort_by_key(|&r| std::cmp::Reverse(t[r as usize]));
                } else {
                    rows.sort_by_key(|&r| {
                        let v = t[r as usize];
                        if v == i64::MIN {
                            i64::MAX
                        } else {
                            v
                        }
                    });
                }
            }
            Some(f) => {
                let rank = self.ranks(f);
                let col = &self.cols[f.idx()];
                let key = |r: &u32| rank[col[*r as usize] as usize];
                if sort.descending {
                    rows.sort_by_key(|r| std::cmp::Reverse(key(r)));
                } else {
                    rows.sort_by_key(key);
                }
            }
        }
        rows
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

    fn path_column(&mut self, path: &JsonPath) -> &PathColumn {
        let key = path.to_string();
        if !self.paths.contains_key(&key) {
            let mut dict = Dict::new();
            let ids = self
                .raw
                .iter()
                .map(|raw| path.extract(raw).map_or(ABSENT, |v| dict.intern(&v)))
                .collect();
            self.paths.insert(key.clone(), PathColumn { dict, ids });
        }
        &self.paths[&key]
    }

    /// Prepare a filter. Needs `&mut` because a tree filter on a path that is not indexed
    /// computes (once, then cached until the next ingest) that path's value for every row.
    pub fn compile(&mut self, filter: &Filter) -> CompiledFilter {
        let mut conds = Vec::new();
        let contains_bits = |d: &Dict, needle: &str, empty_as: Option<&str>| -> Vec<bool> {
            d.lower
                .iter()
                .map(|s| match (s.is_empty(), empty_as) {
                    (true, Some(alt)) => alt.contains(needle),
                    _ => s.contains(needle),
                })
                .collect()
        };
        // An empty error code reads as "OK" in the result column: let "ok" find it.
        let empty_as = |f: Field| (f == Field::ErrorCode).then_some("ok");
        for term in terms(&filter.text) {
            let (negate, term) = match term.strip_prefix('-') {
                Some(t) if !t.is_empty() => (true, t.to_string()),
                _ => (false, term),
            };
            let (scope, needle) = match term.split_once(':') {
                Some((f, v)) if Field::from_alias(f).is_some() => {
                    (Field::from_alias(f), v.to_lowercase())
                }
                _ => (None, term.to_lowercase()),
            };
            let fields: Vec<Field> = match scope {
                Some(f) => vec![f],
                None => FIELDS.to_vec(),
            };
            let fields = fields
                .into_iter()
                .map(|f| {
                    (
                        f.idx(),
                        contains_bits(&self.dicts[f.idx()], &needle, empty_as(f)),
                    )
                })
                .collect();
            conds.push(Cond::Any {
                fields,
                ids_term: scope.is_none().then_some(needle),
                negate,
            });
        }
        for (col, text) in &filter.columns {
            let needle = text.trim().to_lowercase();
            if needle.is_empty() {
                continue;
            }
            // Time has no text filter: the server-side range filters it.
            if let Some(f) = col.field() {
                conds.push(Cond::Any {
                    fields: vec![(
                        f.idx(),
                        contains_bits(&self.dicts[f.idx()], &needle, empty_as(f)),
                    )],
                    ids_term: None,
                    negate: false,
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
                    let pc = self.path_column(&pf.path);
                    let id = pc.dict.ids.get(want.as_str()).copied();
                    conds.push(Cond::PathEq {
                        path: path_s,
                        id,
                        negate: pf.exclude,
                    });
                }
            }
        }
        CompiledFilter { conds }
    }

    fn row_matches(&self, r: usize, c: &Cond) -> bool {
        match c {
            Cond::Any {
                fields,
                ids_term,
                negate,
            } => {
                let hit = fields
                    .iter()
                    .any(|(f, bits)| bits[self.cols[*f][r] as usize])
                    || ids_term
                        .as_deref()
                        .is_some_and(|t| self.ids_lower[r].contains(t));
                hit != *negate
            }
            Cond::FieldEq { field, id, negate } => (Some(self.cols[*field][r]) == *id) != *negate,
            Cond::PathEq { path, id, negate } => {
                let v = self.paths[path].ids[r];
                (v != ABSENT && Some(v) == *id) != *negate
            }
        }
    }

    /// The rows of `order` that pass the filter, in that order.
    pub fn filter(&self, order: &[u32], f: &CompiledFilter) -> Vec<u32> {
        if f.conds.is_empty() {
            return order.to_vec();
        }
        order
            .iter()
            .copied()
            .filter(|&r| f.conds.iter().all(|c| self.row_matches(r as usize, c)))
            .collect()
    }
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

    #[test]
    fn facets() {
        let s = store();
        let all: Vec<u32> = (0..5).collect();
        assert_eq!(s.facet(Field::Service, &all)[0], ("Ecs".to_string(), 2));
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
