//! Property tests: the indexed engine (`EventStore`: interned columns, per-dictionary filter
//! bits, rank sorts) against a straightforward reference that works on each event's values as
//! plain strings (`serde_json::Value` lookups, `to_lowercase` + `contains`, a comparator sort).
//! Same rows, same order, for random data, filters and sorts. The search text is parsed by
//! `query::parse` (tested on its own in `query.rs` and below) and the reference evaluates the
//! expression per event; wildcards by a naive recursive matcher.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;
use trailview_core::columns::ColumnId;
use trailview_core::engine::{
    EventStore, FacetQuery, FacetSource, FacetValue, Filter, PathFilter, Pushed, Sort, TimeWindow,
};
use trailview_core::histogram::{self, Grid};
use trailview_core::json_path::{canonical, JsonPath};
use trailview_core::query::{self, Expr, Pattern, Piece, Scope};
use trailview_core::schema::{Column, Field, FIELDS};
use trailview_core::table_query::SortOrder;
use trailview_demo::generate::{generate, DemoConfig};

// ---------------------------------------------------------------------------------------------
// The reference implementation.

/// One event as the reference sees it: its parsed JSON.
struct RefEvent {
    doc: Option<Value>,
}

impl RefEvent {
    fn new(json: &str) -> Self {
        RefEvent {
            doc: serde_json::from_str(json).ok(),
        }
    }
    /// The value at a dotted path if it is a JSON scalar, as the record reads it ("" if absent).
    fn field(&self, f: Field) -> String {
        let mut v = match &self.doc {
            Some(v) => v,
            None => return String::new(),
        };
        for k in f.path().split('.') {
            match v.as_object().and_then(|o| o.get(k)) {
                Some(x) => v = x,
                None => return String::new(),
            }
        }
        match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => String::new(),
        }
    }
    fn str_at(&self, k: &str) -> Option<String> {
        match self.doc.as_ref()?.get(k)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    fn path(&self, p: &JsonPath) -> Option<String> {
        p.lookup(self.doc.as_ref()?).map(canonical)
    }
    /// The value at a path as a search term sees it: a string without quotes, else JSON.
    fn path_text(&self, p: &JsonPath) -> Option<String> {
        Some(match p.lookup(self.doc.as_ref()?)? {
            Value::String(s) => s.to_lowercase(),
            v => canonical(v).to_lowercase(),
        })
    }
}

/// Does `p` match all of `s`? Naive recursion (fine for short test strings).
fn ref_glob(p: &[Piece], s: &[char]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((Piece::Lit(l), rest)) => {
            let l: Vec<char> = l.chars().collect();
            s.starts_with(&l) && ref_glob(rest, &s[l.len()..])
        }
        Some((Piece::One, rest)) => !s.is_empty() && ref_glob(rest, &s[1..]),
        Some((Piece::Star, rest)) => (0..=s.len()).any(|k| ref_glob(rest, &s[k..])),
    }
}

fn ref_pattern(p: &Pattern, lower: &str) -> bool {
    match p {
        Pattern::Contains(n) => lower.contains(n.as_str()),
        Pattern::Glob(g) => !lower.is_empty() && ref_glob(g, &lower.chars().collect::<Vec<_>>()),
    }
}

fn ref_contains(f: Field, value: &str, p: &Pattern) -> bool {
    let lower = value.to_lowercase();
    // The result column shows an empty error code as "OK": a word finds it, a wildcard means
    // the value itself.
    if lower.is_empty() && f == Field::ErrorCode && matches!(p, Pattern::Contains(_)) {
        ref_pattern(p, "ok")
    } else {
        ref_pattern(p, &lower)
    }
}

fn ref_expr(e: &RefEvent, x: &Expr) -> bool {
    match x {
        Expr::True => true,
        Expr::False => false,
        Expr::Not(y) => !ref_expr(e, y),
        Expr::And(ys) => ys.iter().all(|y| ref_expr(e, y)),
        Expr::Or(ys) => ys.iter().any(|y| ref_expr(e, y)),
        Expr::Term(t) => match &t.scope {
            Scope::Field(f) => ref_contains(*f, &e.field(*f), &t.pattern),
            Scope::Path(p) => e.path_text(p).is_some_and(|v| ref_pattern(&t.pattern, &v)),
            Scope::Any => {
                let mut ids = String::new();
                for k in ["eventId", "requestId"] {
                    if let Some(s) = e.str_at(k) {
                        ids.push_str(&s.to_lowercase());
                        ids.push(' ');
                    }
                }
                FIELDS
                    .iter()
                    .any(|&f| ref_contains(f, &e.field(f), &t.pattern))
                    || match &t.pattern {
                        Pattern::Contains(n) => ids.contains(n.as_str()),
                        g => ids.split(' ').any(|id| ref_pattern(g, id)),
                    }
            }
        },
    }
}

fn ref_matches(e: &RefEvent, time: Option<i64>, filter: &Filter) -> bool {
    if let Some(w) = filter.time {
        if !time.is_some_and(|t| w.start <= t && t < w.end) {
            return false;
        }
    }
    if !ref_expr(e, &query::parse(&filter.text).expr) {
        return false;
    }
    for (col, text) in &filter.columns {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            continue;
        }
        match col {
            ColumnId::Builtin(c) => {
                if let Some(f) = c.field() {
                    if !ref_contains(f, &e.field(f), &Pattern::Contains(needle)) {
                        return false;
                    }
                }
            }
            // A path column: the value as a search term sees it; absent matches nothing.
            ColumnId::Path(p) => {
                let p = JsonPath::parse(p).expect("valid path");
                if !e.path_text(&p).is_some_and(|v| v.contains(needle.as_str())) {
                    return false;
                }
            }
        }
    }
    for pf in &filter.paths {
        let ps = pf.path.to_string();
        let indexed = FIELDS.into_iter().find(|f| f.path() == ps);
        let eq = match (indexed, &pf.value) {
            (Some(f), Value::String(s)) => e.field(f) == *s,
            _ => e.path(&pf.path) == Some(canonical(&pf.value)),
        };
        if eq == pf.exclude {
            return false;
        }
    }
    true
}

fn ip_key(ip: IpAddr) -> (u8, u128) {
    match ip {
        IpAddr::V4(v) => (4, u32::from(v) as u128),
        IpAddr::V6(v) => (6, u128::from(v)),
    }
}

fn cmp_text(a: &str, b: &str) -> Ordering {
    a.is_empty()
        .cmp(&b.is_empty())
        .then_with(|| a.to_lowercase().cmp(&b.to_lowercase()))
        .then_with(|| a.cmp(b))
}

/// A path column's values: compact JSON ("" if absent); numbers numerically before the rest,
/// the rest as text by their search form (a string without quotes), then exactly; empty last.
fn cmp_path(a: &str, b: &str) -> Ordering {
    let num = |s: &str| s.parse::<f64>().ok().filter(|n| n.is_finite());
    let lower = |s: &str| match serde_json::from_str::<String>(s) {
        Ok(t) => t.to_lowercase(),
        Err(_) => s.to_lowercase(),
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) if !b.is_empty() => Ordering::Less,
        (None, Some(_)) if !a.is_empty() => Ordering::Greater,
        _ => a
            .is_empty()
            .cmp(&b.is_empty())
            .then_with(|| lower(a).cmp(&lower(b)))
            .then_with(|| a.cmp(b)),
    }
}

fn cmp_field(f: Field, a: &str, b: &str) -> Ordering {
    if f == Field::Ip {
        match (a.parse::<IpAddr>().ok(), b.parse::<IpAddr>().ok()) {
            (Some(x), Some(y)) => ip_key(x).cmp(&ip_key(y)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => cmp_text(a, b),
        }
    } else {
        cmp_text(a, b)
    }
}

/// Rows passing `filter` in `sort` order, the slow, obvious way.
fn reference(
    events: &[RefEvent],
    times: &[Option<i64>],
    filter: &Filter,
    sort: Option<&Sort>,
) -> Vec<u32> {
    let mut rows: Vec<u32> = (0..events.len() as u32).collect();
    if let Some(sort) = sort {
        let cmp = |a: &u32, b: &u32| -> Ordering {
            let (a, b) = (*a as usize, *b as usize);
            let field = match &sort.column {
                ColumnId::Builtin(c) => c.field(),
                ColumnId::Path(p) => {
                    let p = JsonPath::parse(p).expect("valid path");
                    let (x, y) = (
                        events[a].path(&p).unwrap_or_default(),
                        events[b].path(&p).unwrap_or_default(),
                    );
                    // Rows without the value last in both directions.
                    if x.is_empty() || y.is_empty() {
                        return x.is_empty().cmp(&y.is_empty());
                    }
                    let o = cmp_path(&x, &y);
                    return if sort.order == SortOrder::Descending {
                        o.reverse()
                    } else {
                        o
                    };
                }
            };
            match field {
                None => match (times[a], times[b]) {
                    // Missing times last in both directions.
                    (Some(x), Some(y)) if sort.order == SortOrder::Descending => y.cmp(&x),
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                },
                Some(f) => {
                    let o = cmp_field(f, &events[a].field(f), &events[b].field(f));
                    if sort.order == SortOrder::Descending {
                        o.reverse()
                    } else {
                        o
                    }
                }
            }
        };
        rows.sort_by(cmp); // stable: ties keep ingest order
    }
    rows.retain(|&r| ref_matches(&events[r as usize], times[r as usize], filter));
    rows
}

fn reference_facet(events: &[RefEvent], f: Field, rows: &[u32]) -> Vec<(String, usize)> {
    let mut m: HashMap<String, usize> = HashMap::new();
    for &r in rows {
        *m.entry(events[r as usize].field(f)).or_default() += 1;
    }
    let mut out: Vec<_> = m.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The fields panel's counts (many fields and a path at once, searched, cut to the top few)
/// against counting each value's string over the rows.
fn check_facets(
    store: &mut EventStore,
    events: &[RefEvent],
    rows: &[u32],
) -> Result<(), TestCaseError> {
    let size = JsonPath::parse("requestParameters.Size").expect("path");
    while store.index_path(&size, 5).0 < store.len() {}
    let mut queries = Vec::new();
    for (search, limit) in [("", 3), ("a", 10), ("E", 1), ("", 100)] {
        for f in [
            Field::Service,
            Field::User,
            Field::ErrorCode,
            Field::EventName,
        ] {
            queries.push(FacetQuery {
                source: FacetSource::Field(f),
                search: search.into(),
                limit,
            });
        }
        queries.push(FacetQuery {
            source: FacetSource::Path(size.clone()),
            search: search.into(),
            limit,
        });
    }
    let got = store.facets(rows, &queries);
    for (q, c) in queries.iter().zip(&got) {
        let mut m: HashMap<String, usize> = HashMap::new();
        let mut absent = 0;
        for &r in rows {
            let e = &events[r as usize];
            let v = match &q.source {
                FacetSource::Field(f) => Some(e.field(*f)),
                FacetSource::Path(p) => e.path(p),
            };
            match v {
                Some(v) => *m.entry(v).or_default() += 1,
                None => absent += 1,
            }
        }
        let needle = q.search.to_lowercase();
        let mut all: Vec<(String, usize)> = m
            .into_iter()
            .filter(|(v, _)| {
                let text = match &q.source {
                    FacetSource::Path(_) => match serde_json::from_str::<Value>(v) {
                        Ok(Value::String(s)) => s,
                        _ => v.clone(),
                    },
                    FacetSource::Field(_) => v.clone(),
                };
                text.to_lowercase().contains(&needle)
            })
            .collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        prop_assert_eq!(c.distinct, all.len(), "{:?}", q);
        prop_assert_eq!((c.rows, c.absent, c.unread), (rows.len(), absent, 0));
        let want: Vec<FacetValue> = all
            .into_iter()
            .take(q.limit)
            .map(|(value, count)| FacetValue { value, count })
            .collect();
        prop_assert_eq!(&c.values, &want, "{:?}", q);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generated data.

const NAMES: &[&str] = &[
    "DescribeInstances",
    "describeinstances",
    "RunInstances",
    "DeleteBucket",
    "GetObject",
    "ConsoleSignin",
    "AssumeRole",
    "CreateUser",
    "Ünïcode操作",
    "",
];
const SERVICES: &[&str] = &["Ecs", "ecs", "Oss", "Ram", "Sts", "Rds", "Vpc"];
const USERS: &[&str] = &[
    "alice",
    "Alice",
    "bob",
    "王芳",
    "terraform",
    "root",
    "ALICE",
    "zoë",
    "",
];
const IPS: &[&str] = &[
    "10.0.0.2",
    "10.0.0.10",
    "9.9.9.9",
    "192.168.1.1",
    "2001:db8::1",
    "::1",
    "ecs.aliyuncs.com",
    "internal",
    "",
];
const RWS: &[&str] = &["Read", "Write", "All"];
const REGIONS: &[&str] = &["cn-hangzhou", "cn-shanghai", "us-west-1", "ap-southeast-1"];
const ERRORS: &[&str] = &[
    "",
    "",
    "",
    "NoSuchBucket",
    "Forbidden.RAM",
    "Throttling.User",
    "ok?",
];

fn pick(v: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop::sample::select(v)
}

prop_compose! {
    fn arb_event()(
        name in pick(NAMES), svc in pick(SERVICES), user in pick(USERS), ip in pick(IPS),
        rw in pick(RWS), region in pick(REGIONS), err in pick(ERRORS),
        secs in prop::option::weighted(0.9, 0i64..2_000),
        id in 0u32..200, size in prop::option::of(0u8..4), shape in 0u8..20,
    ) -> (String, Option<i64>) {
        let t = secs.map(|s| 1_700_000_000_000 + s * 1000);
        let time = t.map_or(json!("not a time"), |ms| json!(trailview_core::time::format_api_time(ms)));
        let mut e = json!({
            "eventId": format!("EvT-{id}"), "requestId": format!("REQ-{}", id % 7),
            "eventName": name, "serviceName": svc, "sourceIpAddress": ip, "eventRW": rw,
            "acsRegion": region, "eventTime": time,
            "userIdentity": {"userName": user, "type": "ram-user", "principalId": format!("P{}", id % 5)},
        });
        if !err.is_empty() { e["errorCode"] = json!(err); }
        // Size 3 is a string that reads as a number ("10"): a path column sorts it as text.
        if let Some(s) = size {
            let size = if s == 3 { json!("10") } else { json!(s) };
            e["requestParameters"] = json!({"Size": size, "Tags": ["a", s]});
        }
        let json = match shape {
            0 => "[1,2,3]".to_string(),
            1 => json!({"eventName": 42, "userIdentity": "odd"}).to_string(),
            _ => e.to_string(),
        };
        let t = if shape <= 1 { None } else { t };
        (json, t)
    }
}

fn arb_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        4 => pick(&[
            "ali",
            "ALICE",
            "ecs",
            "ok",
            "nosuch",
            "王",
            "instances",
            "10.0.0",
            "evt-1",
            "req-3",
            "read",
            "cn-",
            "zz",
            "\"run inst\"",
            "-",
            "p2",
            "u",
            "ali*",
            "*instances",
            "d?lete*",
            "*",
            "?",
            "evt-1*",
            "*-3",
            "\"ok?\"",
            "ok?",
            "r*d",
            "王*",
            "*:*",
            "2001:db8*",
        ])
        .prop_map(str::to_string),
        4 => (
            pick(&[
                "user",
                "service",
                "event",
                "ip",
                "rw",
                "result",
                "region",
                "bogus",
                "ak",
                "principal",
                "userIdentity.userName",
                "useridentity.USERNAME",
                "requestParameters.Size",
                "requestParameters.Tags[1]",
                "requestParameters.Tags",
                "requestParameters",
                "requestParameters[\"Size\"]",
                "userIdentity.principalId",
                "userIdentity.type",
                "eventId",
                "nope.path",
                "acs",
            ]),
            pick(&[
                "ali", "ecs", "ok", "write", "", "1", "Instances", "ali*", "*3", "p?", "\"a\"", "*",
                "a\"", "[\"a\"", "2*"
            ])
        )
            .prop_map(|(f, v)| format!("{f}:{v}")),
        2 => pick(&["OR", "|", "NOT", "AND", "(", ")", "-(", "user:(", "()"]).prop_map(str::to_string),
    ];
    prop::collection::vec((prop::bool::weighted(0.2), word), 0..5).prop_map(|ws| {
        ws.into_iter()
            .map(|(neg, w)| if neg { format!("-{w}") } else { w })
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// The columns whose value is at one JSON path (what the reference reads). Cloud and Account
/// are derived from several paths; their filter and sort are tested on records of both clouds
/// in `trail_files_records.rs`.
/// Path columns too (`requestParameters.Size` holds numbers, strings and objects in the
/// generated data; `nowhere` is in no event).
fn arb_column() -> impl Strategy<Value = ColumnId> {
    let mut cols: Vec<ColumnId> = Column::ALL
        .into_iter()
        .filter(|c| !matches!(c, Column::Cloud | Column::Account))
        .map(ColumnId::Builtin)
        .collect();
    for p in [
        "requestParameters.Size",
        "requestParameters.Tags[1]",
        "requestParameters",
        "userIdentity.principalId",
        "nowhere",
    ] {
        cols.push(ColumnId::Path(p.to_string()));
    }
    prop::sample::select(cols)
}

fn arb_filter() -> impl Strategy<Value = Filter> {
    let col = (
        arb_column(),
        pick(&["ec", " Write ", "a", "", "10.", "OK", "王", "1", "{"]),
    )
        .prop_map(|(c, t)| (c, t.to_string()));
    let path = (
        prop_oneof![
            Just(("userIdentity.userName", json!("alice"))),
            Just(("eventName", json!("RunInstances"))),
            Just(("eventName", json!(42))),
            Just(("serviceName", json!(""))),
            Just(("requestParameters.Size", json!(2))),
            Just(("requestParameters.Tags[1]", json!(3))),
            Just(("requestParameters", json!({"Size": 1, "Tags": ["a", 1]}))),
            Just(("userIdentity.principalId", json!("P3"))),
        ],
        any::<bool>(),
    )
        .prop_map(|((p, v), exclude)| PathFilter {
            path: JsonPath::parse(p).expect("valid path"),
            value: v,
            exclude,
        });
    // Windows over the events' times (1_700_000_000_000 + 0..2000 s), often on a second: on
    // an event's time exactly.
    let window = prop::option::weighted(
        0.4,
        (
            -20i64..2_020,
            0i64..2_100,
            prop_oneof![Just(0i64), -999i64..1_000],
        )
            .prop_filter_map("empty window", |(a, len, jitter)| {
                let start = 1_700_000_000_000 + a * 1000 + jitter;
                TimeWindow::new(start, start + len * 1000)
            }),
    );
    (
        arb_text(),
        prop::collection::vec(col, 0..3),
        prop::collection::vec(path, 0..3),
        window,
    )
        .prop_map(|(text, columns, paths, time)| Filter {
            text,
            columns,
            paths,
            time,
        })
}

fn arb_sort() -> impl Strategy<Value = Option<Sort>> {
    prop::option::weighted(
        0.8,
        (arb_column(), any::<bool>()).prop_map(|(column, descending)| Sort {
            column,
            order: if descending {
                SortOrder::Descending
            } else {
                SortOrder::Ascending
            },
        }),
    )
}

fn check(
    jsons: &[String],
    times: &[Option<i64>],
    queries: &[(Filter, Option<Sort>)],
) -> Result<(), TestCaseError> {
    let mut store = EventStore::new();
    // The reference keeps the first event of each non-empty eventId (and every event without).
    let mut seen = std::collections::HashSet::new();
    let kept: Vec<usize> = (0..jsons.len())
        .filter(|&i| match RefEvent::new(&jsons[i]).str_at("eventId") {
            Some(id) if !id.is_empty() => seen.insert(id),
            _ => true,
        })
        .collect();
    // Ingest in pages like the app does, with a query in between (caches must not go stale).
    for (i, chunk) in jsons.chunks(7).enumerate() {
        for (k, j) in chunk.iter().enumerate() {
            let dup = matches!(store.push(j), Pushed::Duplicate(_));
            prop_assert_eq!(dup, !kept.contains(&(i * 7 + k)));
        }
        if i == 0 {
            if let Some((f, _)) = queries.first() {
                let _ = store.compile(f);
            }
        }
    }
    let jsons: Vec<&String> = kept.iter().map(|&i| &jsons[i]).collect();
    let times: Vec<Option<i64>> = kept.iter().map(|&i| times[i]).collect();
    let times = &times[..];
    let events: Vec<RefEvent> = jsons.iter().map(|j| RefEvent::new(j)).collect();
    prop_assert_eq!(store.len(), jsons.len());
    for (r, e) in events.iter().enumerate() {
        let r32 = r as u32;
        prop_assert_eq!(store.raw(r32), jsons[r].as_str());
        prop_assert_eq!(store.time_ms(r32), times[r]);
        for f in FIELDS {
            let want = e.field(f);
            prop_assert_eq!(
                store.field(r32, f),
                want.as_str(),
                "row {} field {:?}",
                r,
                f
            );
        }
    }
    for (filter, sort) in queries {
        // Path columns filled in slices, as the app does for large stores.
        let cf = store.compile_with(filter, 0);
        for p in &cf.pending {
            while store.index_path(&p.path, 3).0 < store.len() {}
        }
        if let Some(p) = store.sort_pending(sort.as_ref()) {
            while store.index_path(&p.path, 3).0 < store.len() {}
        }
        let cf = store.compile_with(filter, 0);
        prop_assert!(cf.pending.is_empty());
        prop_assert_eq!(store.sort_pending(sort.as_ref()), None);
        let order = store.order(sort.as_ref());
        let got = store.filter(&order, &cf);
        let want = reference(&events, times, filter, sort.as_ref());
        prop_assert_eq!(&got, &want, "filter {:?} sort {:?}", filter, sort);
        for f in [Field::Service, Field::User, Field::ErrorCode] {
            prop_assert_eq!(store.facet(f, &got), reference_facet(&events, f, &got));
        }
        // The histogram of the filtered rows, over what the app shows: the window, else every
        // loaded time; in UTC and on a +05:30 wall clock.
        let span = filter
            .time
            .map(|w| (w.start, w.end))
            .or(store.time_span().map(|(a, b)| (a, b + 1)));
        let want_span = times
            .iter()
            .flatten()
            .fold(None, |s: Option<(i64, i64)>, &t| {
                Some(s.map_or((t, t), |(a, b)| (a.min(t), b.max(t))))
            });
        prop_assert_eq!(store.time_span(), want_span);
        if let Some((a, b)) = span {
            for offset in [0, 19_800_000] {
                let grid = Grid::for_range(a, b, offset);
                let h = store.histogram(&got, grid);
                let want = histogram::reference(
                    grid,
                    &got,
                    |r| times[r as usize],
                    |r| !events[r as usize].field(Field::ErrorCode).is_empty(),
                );
                prop_assert_eq!(&h, &want);
                prop_assert_eq!(h.outside, 0, "the grid covers every row shown");
                prop_assert_eq!(h.total() as usize + h.untimed, got.len());
                prop_assert!(grid.bars <= histogram::MAX_BARS);
            }
        }
        check_facets(&mut store, &events, &got)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_reference_on_random_events(
        events in prop::collection::vec(arb_event(), 0..120),
        queries in prop::collection::vec((arb_filter(), arb_sort()), 1..6),
    ) {
        let (jsons, times): (Vec<String>, Vec<Option<i64>>) = events.into_iter().unzip();
        check(&jsons, &times, &queries)?;
    }

    #[test]
    fn engine_matches_reference_on_demo_data(
        seed in any::<u64>(),
        count in 1usize..400,
        queries in prop::collection::vec((arb_filter(), arb_sort()), 1..6),
    ) {
        let evs = generate(&DemoConfig { seed, count, span_days: 2, ..DemoConfig::default() });
        let jsons: Vec<String> = evs.iter().map(|e| e.json.to_string()).collect();
        let times: Vec<Option<i64>> = evs.iter().map(|e| Some(e.time_ms)).collect();
        check(&jsons, &times, &queries)?;
    }
}
