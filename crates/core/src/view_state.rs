//! The view as a URL: everything that defines what the user sees — the view and Jobs tab, the
//! query (range, order, conditions, Max events), the time zone, the search, column filters,
//! tree chips, the histogram's window, the sort, the page, the visible columns and the
//! selected event — as a query string any static host serves, and read back from one.
//! Reading never fails: an unknown or malformed parameter is left out and named in a
//! [`Notice`], so a link from another version or a hand-edited one still opens.
//!
//! The form: `?v=1&range=7d&cond=EventName:DeleteBucket&q=alice&f.service=ecs&chip.a.b=3`…
//! Each name and value is percent-encoded on its own, so a column path or a chip's path can
//! sit in a parameter's *name* (`f.$requestParameters.RegionId`, `chip.userIdentity.type`):
//! the split at the first raw `=` is unambiguous.

use crate::cloud::Clouds;
use crate::columns::ColumnId;
use crate::engine::{PathFilter, Sort};
use crate::fetch_policy::{Direction, QuerySpec, TimeRange};
use crate::json_path::{canonical, JsonPath};
use crate::lookup::{Condition, LookupKey};
use crate::percent::{decode, encode, Slash};
use crate::query_form::DEFAULT_CAP;
use crate::schema::Column;
use crate::table_query::SortOrder;
use crate::time::{format_api_time, parse_rfc3339_ms, RangePreset};

/// The version of the form [`ViewState::to_query`] writes.
const VERSION: &str = "1";
/// Longer links are refused: browsers, proxies and chat tools cut or reject URLs past ~8 KB.
pub const MAX_URL_LEN: usize = 8000;
/// At most this many repeated parameters of one kind are read (a hostile link cannot make the
/// app build thousands of filters).
const MAX_REPEATS: usize = 32;
/// At most this many `cond`: the query bar's two condition slots (a third could not be shown,
/// and the next fetch from the bar would drop it unseen).
const MAX_CONDITIONS: usize = 2;

/// Which view, and for Jobs which tab (`backfill`, `cdn`, `export`: the Jobs view's keys).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ViewKind {
    #[default]
    Events,
    Jobs(Option<String>),
}

/// The display time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Utc,
    Local,
}

/// What the user sees. `None` / empty fields are "as the app has it by default" and are not
/// written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ViewState {
    pub view: ViewKind,
    pub range: Option<TimeRange>,
    pub direction: Option<Direction>,
    pub conditions: Vec<Condition>,
    pub max_events: Option<usize>,
    /// The clouds the fetch reads, when not Alibaba Cloud only (`clouds=aliyun,aws`).
    pub clouds: Option<Clouds>,
    pub zone: Option<Zone>,
    pub search: String,
    pub col_filters: Vec<(ColumnId, String)>,
    pub chips: Vec<PathFilter>,
    /// The histogram's window, `[start, end)` in epoch ms.
    pub window: Option<(i64, i64)>,
    pub sort: Option<Sort>,
    pub page_size: Option<usize>,
    /// 0-based (written 1-based).
    pub page: usize,
    /// The visible columns in order (`None`: the layout this browser keeps).
    pub columns: Option<Vec<ColumnId>>,
    /// The selected event's `eventId`.
    pub event: Option<String>,
}

/// A part of a link that was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A parameter this version does not know.
    Unknown(String),
    /// A known parameter whose value could not be read.
    Malformed(String),
    /// More of one parameter than the app keeps ([`MAX_REPEATS`], or two conditions).
    TooMany(String, usize),
    /// The link was written by another version of the form.
    Version(String),
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::Unknown(n) => write!(f, "unknown parameter \"{n}\""),
            Notice::Malformed(n) => write!(f, "\"{n}\" could not be read"),
            Notice::TooMany(n, max) => write!(f, "more than {max} \"{n}\" (the rest left out)"),
            Notice::Version(v) => write!(f, "link version {v} (this app writes {VERSION})"),
        }
    }
}

/// The link is too long to be kept safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong(pub usize);

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "This view's link would be {} characters, over the {MAX_URL_LEN} that browsers and \
             chat tools keep safely: remove some filters or shorten the search.",
            self.0
        )
    }
}

/// `url` if it is short enough to share.
pub fn check_length(url: &str) -> Result<(), TooLong> {
    if url.len() > MAX_URL_LEN {
        Err(TooLong(url.len()))
    } else {
        Ok(())
    }
}

/// How the page's history follows a change of the view: deliberate steps (a fetch, a new
/// chip or column filter, a histogram window, a sort, opening an event, another view) get an
/// entry of their own, so Back returns to the view before them; typing (the search, a column
/// filter's text) and small adjustments replace the current entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryStep {
    Replace,
    Push,
}

impl HistoryStep {
    /// The step from `prev` (the view the current entry holds) to `next`; `None` when they are
    /// the same view.
    pub fn between(prev: &ViewState, next: &ViewState) -> Option<HistoryStep> {
        if prev == next {
            return None;
        }
        let filter_columns = |v: &ViewState| {
            let mut c: Vec<String> = v.col_filters.iter().map(|(c, _)| column_key(c)).collect();
            c.sort();
            c
        };
        let deliberate = prev.view != next.view
            || prev.range != next.range
            || prev.direction != next.direction
            || prev.conditions != next.conditions
            || prev.max_events != next.max_events
            || prev.clouds != next.clouds
            || prev.chips != next.chips
            || prev.window != next.window
            || prev.sort != next.sort
            // Opening an event is a step; moving from one to another (j / k) replaces.
            || (prev.event.is_none() && next.event.is_some())
            || filter_columns(prev) != filter_columns(next);
        Some(if deliberate {
            HistoryStep::Push
        } else {
            HistoryStep::Replace
        })
    }

    /// The step for a change of the view made by `cause`, from `prev` (the view the current
    /// entry holds) to `next`; `None` when they are the same view. An edit steps as
    /// [`HistoryStep::between`] says. A saved view opened from the Views menu is a step of its
    /// own (Back returns to the view it replaced). An address opened (the page's link, Back or
    /// Forward) replaces its entry: the app only fills in what the link left out, and a push
    /// there would make Back land on the partial link, which fills in and pushes again.
    pub fn for_change(
        cause: HistoryCause,
        prev: &ViewState,
        next: &ViewState,
    ) -> Option<HistoryStep> {
        let step = HistoryStep::between(prev, next)?;
        Some(match cause {
            HistoryCause::Edit => step,
            HistoryCause::SavedView => HistoryStep::Push,
            HistoryCause::Address => HistoryStep::Replace,
        })
    }
}

/// What changed the view, for the history step its URL write takes ([`HistoryStep::for_change`]).
/// Ordered: when several changes are written at once (the app writes the URL after the frame
/// is painted), the greatest cause among them decides ([`HistoryCause::max`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HistoryCause {
    /// The user changed the view (typing, a filter, a sort, an event opened).
    Edit,
    /// A saved view was opened from the Views menu.
    SavedView,
    /// The page's address was opened: the app started on a link, or Back / Forward.
    Address,
}

/// The line the app shows for what a link left out, `None` when nothing was.
pub fn notices_text(notices: &[Notice]) -> Option<String> {
    if notices.is_empty() {
        return None;
    }
    let parts: Vec<String> = notices.iter().map(Notice::to_string).collect();
    Some(format!(
        "Parts of this link were left out: {}.",
        parts.join("; ")
    ))
}

impl ViewState {
    /// The fetch the view names (its query and cap, the query bar's defaults where it says
    /// nothing), or `None` when it names none.
    pub fn fetch(&self) -> Option<(QuerySpec, usize)> {
        if self.range.is_none()
            && self.direction.is_none()
            && self.conditions.is_empty()
            && self.max_events.is_none()
            && self.clouds.is_none()
        {
            return None;
        }
        Some((
            QuerySpec {
                range: self.range.unwrap_or(TimeRange::Last(RangePreset::Days7)),
                clouds: self.clouds.unwrap_or_default(),
                direction: self.direction.unwrap_or(Direction::Backward),
                conditions: self.conditions.clone(),
            },
            self.max_events.unwrap_or(DEFAULT_CAP),
        ))
    }

    /// Names the fetch `spec` with `cap` (or none).
    pub fn set_fetch(&mut self, fetch: Option<&(QuerySpec, usize)>) {
        self.range = fetch.map(|f| f.0.range);
        self.direction = fetch.map(|f| f.0.direction);
        self.conditions = fetch.map(|f| f.0.conditions.clone()).unwrap_or_default();
        self.max_events = fetch.map(|f| f.1);
        self.clouds = fetch
            .map(|f| f.0.clouds)
            .filter(|c| *c != Clouds::default());
    }
}

/// A column as a parameter writes it: a built-in column's key, `$` and the path of a path
/// column.
fn column_key(c: &ColumnId) -> String {
    match c {
        ColumnId::Builtin(c) => c.key().to_string(),
        ColumnId::Path(p) => format!("${p}"),
    }
}

fn column_of(k: &str) -> Option<ColumnId> {
    match k.strip_prefix('$') {
        Some(p) => JsonPath::parse(p)
            .filter(|p| !p.0.is_empty())
            .map(|p| ColumnId::Path(p.to_string())),
        None => Column::from_key(k).map(ColumnId::Builtin),
    }
}

impl ViewState {
    /// The query string (without `?`), parameters in a fixed order.
    pub fn to_query(&self) -> String {
        let mut out = String::new();
        let mut put = |name: &str, value: &str| {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&encode(name, Slash::Encode));
            out.push('=');
            out.push_str(&encode(value, Slash::Encode));
        };
        put("v", VERSION);
        match &self.view {
            ViewKind::Events => {}
            ViewKind::Jobs(tab) => {
                put("view", "jobs");
                if let Some(t) = tab {
                    put("tab", t);
                }
            }
        }
        match self.range {
            Some(TimeRange::Last(p)) => put("range", p.key()),
            Some(TimeRange::Between(a, b)) => {
                put("from", &format_api_time(a));
                put("to", &format_api_time(b));
            }
            None => {}
        }
        if let Some(d) = self.direction {
            put(
                "order",
                match d {
                    Direction::Backward => "newest",
                    Direction::Forward => "oldest",
                },
            );
        }
        for c in &self.conditions {
            put("cond", &format!("{}:{}", c.key.as_str(), c.value));
        }
        if let Some(m) = self.max_events {
            put("max", &m.to_string());
        }
        if let Some(c) = self.clouds {
            let names: Vec<&str> = [(c.aliyun, "aliyun"), (c.aws, "aws")]
                .into_iter()
                .filter_map(|(on, n)| on.then_some(n))
                .collect();
            put("clouds", &names.join(","));
        }
        if let Some(z) = self.zone {
            put(
                "tz",
                match z {
                    Zone::Utc => "utc",
                    Zone::Local => "local",
                },
            );
        }
        if !self.search.is_empty() {
            put("q", &self.search);
        }
        for (c, text) in &self.col_filters {
            put(&format!("f.{}", column_key(c)), text);
        }
        for chip in &self.chips {
            let kind = if chip.exclude { "notchip" } else { "chip" };
            put(&format!("{kind}.{}", chip.path), &canonical(&chip.value));
        }
        if let Some((a, b)) = self.window {
            put(
                "win",
                &format!("{}/{}", format_api_time(a), format_api_time(b)),
            );
        }
        if let Some(s) = &self.sort {
            let dir = match s.order {
                SortOrder::Ascending => "asc",
                SortOrder::Descending => "desc",
            };
            put("sort", &format!("{}:{dir}", column_key(&s.column)));
        }
        if let Some(n) = self.page_size {
            put("size", &n.to_string());
        }
        if self.page > 0 {
            put("page", &(self.page + 1).to_string());
        }
        if let Some(cols) = &self.columns {
            for c in cols {
                put("col", &column_key(c));
            }
        }
        if let Some(e) = &self.event {
            put("event", e);
        }
        out
    }

    /// Reads a query string (with or without its `?`). Never fails: what cannot be read is
    /// left out and named.
    pub fn from_query(query: &str) -> (ViewState, Vec<Notice>) {
        let mut v = ViewState::default();
        let mut notices = Vec::new();
        let mut columns: Vec<ColumnId> = Vec::new();
        let mut from = None;
        let mut to = None;
        let mut counts: Vec<(String, usize)> = Vec::new();
        let query = query.strip_prefix('?').unwrap_or(query);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let (Some(name), Some(value)) = (decode(raw_name), decode(raw_value)) else {
                notices.push(Notice::Malformed(
                    decode(raw_name).unwrap_or_else(|| raw_name.to_string()),
                ));
                continue;
            };
            // Repeated kinds are capped.
            let kind = name
                .split_once('.')
                .map_or(name.as_str(), |(k, _)| k)
                .to_string();
            let n = match counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((kind.clone(), 1));
                    1
                }
            };
            let max = if kind == "cond" {
                MAX_CONDITIONS
            } else {
                MAX_REPEATS
            };
            if n == max + 1 {
                notices.push(Notice::TooMany(kind.clone(), max));
            }
            if n > max {
                continue;
            }
            let ok = match (kind.as_str(), name.split_once('.').map(|(_, r)| r)) {
                ("v", None) => {
                    if value != VERSION {
                        notices.push(Notice::Version(value.clone()));
                    }
                    true
                }
                ("view", None) => match value.as_str() {
                    "events" => {
                        v.view = ViewKind::Events;
                        true
                    }
                    "jobs" => {
                        if v.view == ViewKind::Events {
                            v.view = ViewKind::Jobs(None);
                        }
                        true
                    }
                    _ => false,
                },
                ("tab", None) => {
                    let ok = crate::jobs::Source::ALL.iter().any(|s| s.key() == value);
                    if ok {
                        v.view = ViewKind::Jobs(Some(value.clone()));
                    }
                    ok
                }
                ("range", None) => match RangePreset::from_key(&value) {
                    Some(p) if p != RangePreset::Custom => {
                        v.range = Some(TimeRange::Last(p));
                        true
                    }
                    _ => false,
                },
                ("from", None) => {
                    from = parse_rfc3339_ms(&value);
                    from.is_some()
                }
                ("to", None) => {
                    to = parse_rfc3339_ms(&value);
                    to.is_some()
                }
                ("order", None) => {
                    v.direction = match value.as_str() {
                        "newest" => Some(Direction::Backward),
                        "oldest" => Some(Direction::Forward),
                        _ => None,
                    };
                    v.direction.is_some()
                }
                ("cond", None) => match value.split_once(':') {
                    Some((k, val)) if !val.is_empty() => match LookupKey::parse(k) {
                        Some(key) => {
                            v.conditions.push(Condition {
                                key,
                                value: val.to_string(),
                            });
                            true
                        }
                        None => false,
                    },
                    _ => false,
                },
                ("clouds", None) => {
                    let mut c = Clouds {
                        aliyun: false,
                        aws: false,
                    };
                    let known = value.split(',').all(|n| match n {
                        "aliyun" => {
                            c.aliyun = true;
                            true
                        }
                        "aws" => {
                            c.aws = true;
                            true
                        }
                        _ => false,
                    });
                    // The default (Alibaba Cloud only) is read but kept as none, as the
                    // writer leaves it out: it names no fetch by itself.
                    let ok = known && c.any();
                    v.clouds = (ok && c != Clouds::default()).then_some(c);
                    ok
                }
                ("max", None) => match value.parse::<usize>() {
                    Ok(m) if m > 0 => {
                        v.max_events = Some(m);
                        true
                    }
                    _ => false,
                },
                ("tz", None) => {
                    v.zone = match value.as_str() {
                        "utc" => Some(Zone::Utc),
                        "local" => Some(Zone::Local),
                        _ => None,
                    };
                    v.zone.is_some()
                }
                ("q", None) => {
                    v.search = value.clone();
                    true
                }
                ("f", Some(col)) => match column_of(col) {
                    Some(c) if c != ColumnId::Builtin(Column::Time) && !value.is_empty() => {
                        v.col_filters.retain(|(x, _)| *x != c);
                        v.col_filters.push((c, value.clone()));
                        true
                    }
                    _ => false,
                },
                ("chip" | "notchip", Some(path)) => {
                    let p = JsonPath::parse(path).filter(|p| !p.0.is_empty());
                    match (p, serde_json::from_str::<serde_json::Value>(&value)) {
                        (Some(path), Ok(val)) => {
                            v.chips.push(PathFilter {
                                path,
                                value: val,
                                exclude: kind == "notchip",
                            });
                            true
                        }
                        _ => false,
                    }
                }
                ("win", None) => match value.split_once('/') {
                    Some((a, b)) => match (parse_rfc3339_ms(a), parse_rfc3339_ms(b)) {
                        (Some(a), Some(b)) if a < b => {
                            v.window = Some((a, b));
                            true
                        }
                        _ => false,
                    },
                    None => false,
                },
                ("sort", None) => {
                    let (col, dir) = value.rsplit_once(':').unwrap_or((&value, "asc"));
                    let order = match dir {
                        "asc" => Some(SortOrder::Ascending),
                        "desc" => Some(SortOrder::Descending),
                        _ => None,
                    };
                    match (column_of(col), order) {
                        (Some(column), Some(order)) => {
                            v.sort = Some(Sort { column, order });
                            true
                        }
                        _ => false,
                    }
                }
                ("size", None) => match value.parse::<usize>() {
                    Ok(n) if n > 0 => {
                        v.page_size = Some(n);
                        true
                    }
                    _ => false,
                },
                ("page", None) => match value.parse::<usize>() {
                    Ok(n) if n > 0 => {
                        v.page = n - 1;
                        true
                    }
                    _ => false,
                },
                ("col", None) => match column_of(&value) {
                    Some(c) if !columns.contains(&c) => {
                        columns.push(c);
                        true
                    }
                    _ => false,
                },
                ("event", None) => {
                    v.event = Some(value.clone()).filter(|e| !e.is_empty());
                    v.event.is_some()
                }
                _ => {
                    notices.push(Notice::Unknown(name.clone()));
                    continue;
                }
            };
            if !ok {
                notices.push(Notice::Malformed(name));
            }
        }
        match (from, to) {
            (Some(a), Some(b)) if a < b => v.range = Some(TimeRange::Between(a, b)),
            (None, None) => {}
            _ => notices.push(Notice::Malformed("from/to".into())),
        }
        if !columns.is_empty() {
            v.columns = Some(columns);
        }
        (v, notices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn a_default_view_is_just_the_version() {
        assert_eq!(ViewState::default().to_query(), "v=1");
        assert_eq!(ViewState::from_query(""), (ViewState::default(), vec![]));
        assert_eq!(
            ViewState::from_query("?v=1"),
            (ViewState::default(), vec![])
        );
    }

    #[test]
    fn a_full_view_reads_back_and_looks_like_a_link() {
        let v = ViewState {
            view: ViewKind::Events,
            range: Some(TimeRange::Between(1_764_000_000_000, 1_764_086_400_000)),
            direction: Some(Direction::Forward),
            conditions: vec![Condition {
                key: LookupKey::EventName,
                value: "DeleteBucket".into(),
            }],
            max_events: Some(5000),
            clouds: Some(Clouds {
                aliyun: true,
                aws: true,
            }),
            zone: Some(Zone::Local),
            search: "alice -Read".into(),
            col_filters: vec![
                (ColumnId::Builtin(Column::Service), "ecs".into()),
                (
                    ColumnId::Path("requestParameters[\"a=b&c\"]".into()),
                    "x&y=z".into(),
                ),
            ],
            chips: vec![PathFilter {
                path: JsonPath::parse("userIdentity.type").unwrap(),
                value: json!("ram-user"),
                exclude: true,
            }],
            window: Some((1_764_010_000_000, 1_764_020_000_000)),
            sort: Some(Sort {
                column: ColumnId::Path("requestParameters.Size".into()),
                order: SortOrder::Descending,
            }),
            page_size: Some(100),
            page: 2,
            columns: Some(vec![
                ColumnId::Builtin(Column::Time),
                ColumnId::Path("requestParameters.Size".into()),
            ]),
            event: Some("E-1&2".into()),
        };
        let q = v.to_query();
        assert!(
            q.starts_with("v=1&from=2025-11-24T16%3A00%3A00Z&to="),
            "{q}"
        );
        assert!(
            q.contains(
                "&cond=EventName%3ADeleteBucket&max=5000&clouds=aliyun%2Caws&tz=local&q=alice%20-Read&f.service=ecs&"
            ),
            "{q}"
        );
        assert!(
            q.contains("&notchip.userIdentity.type=%22ram-user%22&"),
            "{q}"
        );
        assert!(
            q.contains("&page=3&col=time&col=%24requestParameters.Size&event=E-1%262"),
            "{q}"
        );
        assert_eq!(ViewState::from_query(&q), (v, vec![]));
    }

    #[test]
    fn what_cannot_be_read_is_left_out_and_named() {
        let (v, n) = ViewState::from_query(
            "v=2&q=ok&nope=1&range=2w&max=-3&f.time=x&f.nosuch=y&sort=event:sideways&page=0\
             &cond=Nobody:x&cond=EventName:&chip.a[=1&chip.b=not%20json&win=2026-01-02T00:00:00Z/2026-01-01T00:00:00Z\
             &from=2026-01-01T00:00:00Z&%zz=1&tz=mars&event=",
        );
        assert_eq!(v.search, "ok");
        assert_eq!(
            v,
            ViewState {
                search: "ok".into(),
                ..ViewState::default()
            }
        );
        let names: Vec<String> = n.iter().map(|x| x.to_string()).collect();
        for want in [
            "link version 2 (this app writes 1)",
            "unknown parameter \"nope\"",
            "\"range\" could not be read",
            "\"max\" could not be read",
            "\"f.time\" could not be read",
            "\"f.nosuch\" could not be read",
            "\"sort\" could not be read",
            "\"page\" could not be read",
            "\"cond\" could not be read",
            "\"chip.a[\" could not be read",
            "\"chip.b\" could not be read",
            "\"win\" could not be read",
            "\"from/to\" could not be read",
            "\"%zz\" could not be read",
            "\"tz\" could not be read",
            "\"event\" could not be read",
        ] {
            assert!(names.iter().any(|x| x == want), "{want} in {names:?}");
        }
    }

    #[test]
    fn clouds_naming_only_the_default_name_no_fetch() {
        let (v, n) = ViewState::from_query("v=1&clouds=aliyun");
        assert_eq!(n, vec![]);
        assert_eq!(v.clouds, None);
        assert!(v.fetch().is_none(), "no fetch in the link");
        assert_eq!(v.to_query(), "v=1");
        let (v, n) = ViewState::from_query("v=1&clouds=aws");
        assert_eq!(n, vec![]);
        assert!(v.clouds.is_some_and(|c| c.aws && !c.aliyun));
    }

    #[test]
    fn the_jobs_tab_is_one_of_the_jobs_views_tabs() {
        for s in crate::jobs::Source::ALL {
            let q = format!("v=1&view=jobs&tab={}", s.key());
            let (v, n) = ViewState::from_query(&q);
            assert_eq!(v.view, ViewKind::Jobs(Some(s.key().to_string())));
            assert_eq!(n, vec![]);
            assert_eq!(v.to_query(), q);
        }
        let (v, n) = ViewState::from_query("v=1&view=jobs&tab=billing");
        assert_eq!(v.view, ViewKind::Jobs(None));
        assert_eq!(n, vec![Notice::Malformed("tab".into())]);
        // Another tab is a step Back returns from.
        let at = |t: &str| ViewState {
            view: ViewKind::Jobs(Some(t.into())),
            ..ViewState::default()
        };
        assert_eq!(
            HistoryStep::between(&at("backfill"), &at("cdn")),
            Some(HistoryStep::Push)
        );
    }

    #[test]
    fn repeats_are_capped_and_long_links_refused() {
        let q: String = (0..100).map(|i| format!("&cond=EventName:e{i}")).collect();
        let (v, n) = ViewState::from_query(&q);
        assert_eq!(
            v.conditions.len(),
            MAX_CONDITIONS,
            "the query bar's two slots"
        );
        assert_eq!(n, vec![Notice::TooMany("cond".into(), MAX_CONDITIONS)]);
        assert_eq!(check_length(&"x".repeat(MAX_URL_LEN)), Ok(()));
        let e = check_length(&"x".repeat(MAX_URL_LEN + 1)).unwrap_err();
        assert!(e.to_string().contains("8001 characters"));
    }

    #[test]
    fn typing_replaces_and_deliberate_steps_push() {
        let base = ViewState {
            search: "a".into(),
            col_filters: vec![(ColumnId::Builtin(Column::Service), "ec".into())],
            ..ViewState::default()
        };
        let with = |f: &dyn Fn(&mut ViewState)| {
            let mut v = base.clone();
            f(&mut v);
            v
        };
        assert_eq!(HistoryStep::between(&base, &base), None);
        let replace: [&dyn Fn(&mut ViewState); 6] = [
            &|v| v.search.push('b'),
            &|v| v.col_filters[0].1.push('s'),
            &|v| v.zone = Some(Zone::Local),
            &|v| v.page = 3,
            &|v| v.page_size = Some(100),
            &|v| v.columns = Some(vec![ColumnId::Builtin(Column::Time)]),
        ];
        for f in replace {
            assert_eq!(
                HistoryStep::between(&base, &with(f)),
                Some(HistoryStep::Replace)
            );
        }
        let push: [&dyn Fn(&mut ViewState); 8] = [
            &|v| v.range = Some(TimeRange::Last(RangePreset::Hour1)),
            &|v| v.max_events = Some(10),
            &|v| {
                v.chips.push(PathFilter {
                    path: JsonPath::parse("a").unwrap(),
                    value: json!(1),
                    exclude: false,
                })
            },
            &|v| {
                v.col_filters
                    .push((ColumnId::Builtin(Column::Event), "x".into()))
            },
            &|v| v.col_filters.clear(),
            &|v| v.window = Some((1000, 2000)),
            &|v| v.event = Some("E1".into()),
            &|v| v.view = ViewKind::Jobs(None),
        ];
        for f in push {
            assert_eq!(
                HistoryStep::between(&base, &with(f)),
                Some(HistoryStep::Push)
            );
        }
        // Closing the event is not a step of its own, nor is moving to another one (j / k:
        // holding j for 50 rows must not make 50 Back steps).
        let open = with(&|v| v.event = Some("E1".into()));
        assert_eq!(
            HistoryStep::between(&open, &base),
            Some(HistoryStep::Replace)
        );
        let other = with(&|v| v.event = Some("E2".into()));
        assert_eq!(
            HistoryStep::between(&open, &other),
            Some(HistoryStep::Replace)
        );
    }

    #[test]
    fn a_saved_view_pushes_and_an_opened_address_replaces() {
        let base = ViewState {
            search: "alice".into(),
            ..ViewState::default()
        };
        let saved = ViewState {
            search: "DeleteBucket".into(),
            ..ViewState::default()
        };
        // Typing the same change replaces; opening it as a saved view is a step Back returns
        // from; an address opened (Back, Forward, a link) replaces whatever changed.
        assert_eq!(
            HistoryStep::for_change(HistoryCause::Edit, &base, &saved),
            Some(HistoryStep::Replace)
        );
        assert_eq!(
            HistoryStep::for_change(HistoryCause::SavedView, &base, &saved),
            Some(HistoryStep::Push)
        );
        let chip = ViewState {
            window: Some((1, 2)),
            ..base.clone()
        };
        assert_eq!(
            HistoryStep::for_change(HistoryCause::Edit, &base, &chip),
            Some(HistoryStep::Push)
        );
        assert_eq!(
            HistoryStep::for_change(HistoryCause::Address, &base, &chip),
            Some(HistoryStep::Replace)
        );
        // The same view: nothing to write, whatever the cause.
        for cause in [
            HistoryCause::Edit,
            HistoryCause::SavedView,
            HistoryCause::Address,
        ] {
            assert_eq!(HistoryStep::for_change(cause, &saved, &saved), None);
        }
        // Changes written together: an address opened decides over a saved view, a saved view
        // over an edit.
        assert_eq!(
            HistoryCause::Edit.max(HistoryCause::SavedView),
            HistoryCause::SavedView
        );
        assert_eq!(
            HistoryCause::SavedView.max(HistoryCause::Address),
            HistoryCause::Address
        );
    }

    #[test]
    fn a_view_names_its_fetch_and_its_notices() {
        assert_eq!(ViewState::default().fetch(), None);
        let (v, n) = ViewState::from_query("cond=EventName:DeleteBucket&nope=1");
        let (spec, cap) = v.fetch().unwrap();
        assert_eq!(spec.range, TimeRange::Last(RangePreset::Days7));
        assert_eq!(spec.direction, Direction::Backward);
        assert_eq!(cap, DEFAULT_CAP);
        let mut w = ViewState::default();
        w.set_fetch(Some(&(spec, cap)));
        assert_eq!(w.fetch(), v.fetch());
        w.set_fetch(None);
        assert_eq!(w, ViewState::default());
        assert_eq!(
            notices_text(&n).unwrap(),
            "Parts of this link were left out: unknown parameter \"nope\"."
        );
        assert_eq!(notices_text(&[]), None);
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 ._~-]{0,12}",
            "[=&%+?#:/$\"\\[\\]{} 王é🚀-]{0,8}",
            any::<String>().prop_map(|s| s.chars().take(10).collect()),
        ]
    }

    fn path() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                "[a-zA-Z_][a-zA-Z0-9_]{0,6}".prop_map(|k| format!(".{k}")),
                (0usize..5).prop_map(|i| format!("[{i}]")),
                text().prop_map(|k| format!("[{}]", serde_json::Value::String(k))),
            ],
            1..4,
        )
        .prop_map(|segs| {
            let s = segs.concat();
            // The display form of the parsed path (how a layout keeps it).
            JsonPath::parse(s.trim_start_matches('.'))
                .unwrap()
                .to_string()
        })
        .prop_filter("a path", |p| !p.is_empty())
    }

    fn column() -> impl Strategy<Value = ColumnId> {
        prop_oneof![
            prop::sample::select(Column::ALL.to_vec()).prop_map(ColumnId::Builtin),
            path().prop_map(ColumnId::Path),
        ]
    }

    fn time() -> impl Strategy<Value = i64> {
        // Whole seconds, 2000..2100 (what the API's time format carries).
        (946_684_800i64..4_102_444_800).prop_map(|s| s * 1000)
    }

    fn view_state() -> impl Strategy<Value = ViewState> {
        let view = prop_oneof![
            Just(ViewKind::Events),
            Just(ViewKind::Jobs(None)),
            prop::sample::select(vec!["backfill", "cdn", "export"])
                .prop_map(|t| ViewKind::Jobs(Some(t.to_string()))),
        ];
        let range = prop::option::of(prop_oneof![
            prop::sample::select(vec![
                RangePreset::Hour1,
                RangePreset::Hours24,
                RangePreset::Days7,
                RangePreset::Days30
            ])
            .prop_map(TimeRange::Last),
            (time(), 1i64..10_000_000).prop_map(|(a, d)| TimeRange::Between(a, a + d * 1000)),
        ]);
        let cond = (prop::sample::select(LookupKey::ALL.to_vec()), text())
            .prop_filter("a value", |(_, v)| !v.is_empty())
            .prop_map(|(key, value)| Condition { key, value });
        let col_filters = prop::collection::vec((column(), text()), 0..4).prop_map(|v| {
            // One filter per column, none on time, none empty (as the app keeps them).
            let mut out: Vec<(ColumnId, String)> = Vec::new();
            for (c, t) in v {
                if c != ColumnId::Builtin(Column::Time)
                    && !t.is_empty()
                    && !out.iter().any(|(x, _)| *x == c)
                {
                    out.push((c, t));
                }
            }
            out
        });
        let chip = (
            path(),
            prop_oneof![
                text().prop_map(|s| json!(s)),
                any::<i32>().prop_map(|n| json!(n)),
                Just(json!(null)),
                Just(json!({"a": [1, "x"]}))
            ],
            any::<bool>(),
        )
            .prop_map(|(p, value, exclude)| PathFilter {
                path: JsonPath::parse(&p).unwrap(),
                value,
                exclude,
            });
        let sort = prop::option::of((column(), any::<bool>()).prop_map(|(column, d)| Sort {
            column,
            order: if d {
                SortOrder::Descending
            } else {
                SortOrder::Ascending
            },
        }));
        let columns = prop::option::of(prop::collection::vec(column(), 1..5).prop_map(|v| {
            let mut out: Vec<ColumnId> = Vec::new();
            for c in v {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            out
        }));
        (
            (
                view,
                range,
                prop::option::of(any::<bool>()),
                prop::collection::vec(cond, 0..3),
                prop::option::of(1usize..1_000_000),
            ),
            (
                prop::option::of(any::<bool>()),
                text(),
                col_filters,
                prop::collection::vec(chip, 0..3),
            ),
            (
                prop::option::of((time(), 1i64..1_000_000).prop_map(|(a, d)| (a, a + d * 1000))),
                sort,
                prop::option::of(1usize..1000),
                0usize..1000,
                columns,
                prop::option::of(text().prop_filter("an id", |s| !s.is_empty())),
            ),
        )
            .prop_map(
                |(
                    (view, range, dir, conditions, max_events),
                    (zone, search, col_filters, chips),
                    (window, sort, page_size, page, columns, event),
                )| ViewState {
                    view,
                    range,
                    direction: dir.map(|f| {
                        if f {
                            Direction::Forward
                        } else {
                            Direction::Backward
                        }
                    }),
                    conditions,
                    // AWS beside Alibaba Cloud (or AWS alone) when a cap is named.
                    clouds: max_events.map(|m| Clouds {
                        aliyun: m % 2 == 0,
                        aws: true,
                    }),
                    max_events,
                    zone: zone.map(|l| if l { Zone::Local } else { Zone::Utc }),
                    search,
                    col_filters,
                    chips,
                    window,
                    sort,
                    page_size,
                    page,
                    columns,
                    event,
                },
            )
    }

    proptest! {
        /// Any view reads back from its link as itself, with nothing left out.
        #[test]
        fn views_round_trip_through_their_links(v in view_state()) {
            let q = v.to_query();
            prop_assert_eq!(ViewState::from_query(&q), (v.clone(), vec![]));
            prop_assert_eq!(ViewState::from_query(&format!("?{q}")), (v, vec![]));
        }

        /// Any text is read without a panic, and what is read writes back to a link that
        /// reads the same.
        #[test]
        fn any_text_reads_to_a_view_that_round_trips(q in any::<String>()) {
            let (v, _) = ViewState::from_query(&q);
            let again = v.to_query();
            prop_assert_eq!(ViewState::from_query(&again), (v, vec![]));
        }
    }
}
