//! The fields panel as data: the fields it lists and their names, how a value reads, the filter
//! a value's + / − adds, and the paths the user added, as kept in the browser.

use crate::engine::{FacetSource, PathFilter};
use crate::json_path::JsonPath;
use crate::schema::{Column, Field};
use serde_json::Value;

/// The fields the panel always lists: every table column's field, then error code's
/// neighbours a user pivots on (event type, user type, resource type, user agent). The error
/// code is the Result column.
pub const PANEL_FIELDS: [Field; 13] = [
    Field::EventName,
    Field::Service,
    Field::User,
    Field::Ip,
    Field::Rw,
    Field::Region,
    Field::ErrorCode,
    Field::Cloud,
    Field::Account,
    Field::EventType,
    Field::IdentityType,
    Field::ResourceType,
    Field::UserAgent,
];

/// Fields open when the panel is first shown (the rest are counted once opened).
pub const OPEN_BY_DEFAULT: [Field; 4] = [
    Field::EventName,
    Field::Service,
    Field::User,
    Field::ErrorCode,
];

/// Paths a user can add (each is a path column of 4 bytes per row; the store keeps 8, and
/// tree filters need room too).
pub const MAX_ADDED_PATHS: usize = 4;

/// Values shown before "n more", and at most after it.
pub const TOP: usize = 10;
pub const MORE: usize = 100;

/// The name a field has in the panel: its column's title, or its own.
pub fn field_title(f: Field) -> &'static str {
    if let Some(c) = Column::ALL.into_iter().find(|c| c.field() == Some(f)) {
        return c.title();
    }
    match f {
        Field::EventType => "Event type",
        Field::IdentityType => "User type",
        Field::ResourceType => "Resource type",
        Field::UserAgent => "User agent",
        Field::ResourceName => "Resource name",
        Field::AccessKeyId => "Access key",
        Field::ErrorMessage => "Error message",
        Field::EventSource => "Event source",
        Field::PrincipalId => "Principal",
        _ => f.path(),
    }
}

pub fn source_title(s: &FacetSource) -> String {
    match s {
        FacetSource::Field(f) => field_title(*f).to_string(),
        FacetSource::Path(p) => p.to_string(),
    }
}

/// A stable key (DOM ids, the open fields kept in the browser): `f:<first alias>` or
/// `p:<path>`.
pub fn source_key(s: &FacetSource) -> String {
    match s {
        FacetSource::Field(f) => format!("f:{}", f.aliases()[0]),
        FacetSource::Path(p) => format!("p:{p}"),
    }
}

pub fn source_from_key(k: &str) -> Option<FacetSource> {
    if let Some(a) = k.strip_prefix("f:") {
        return Field::from_alias(a).map(FacetSource::Field);
    }
    JsonPath::parse(k.strip_prefix("p:")?).map(FacetSource::Path)
}

/// How a value reads in the panel: a field's text (`(empty)` when absent or empty; the Result
/// column's `OK`), a path's string without quotes, any other JSON as JSON.
pub fn value_label(s: &FacetSource, value: &str) -> String {
    match s {
        FacetSource::Field(Field::ErrorCode) if value.is_empty() => "OK".into(),
        FacetSource::Field(_) if value.is_empty() => "(empty)".into(),
        FacetSource::Field(_) => value.into(),
        FacetSource::Path(_) => match serde_json::from_str::<Value>(value) {
            Ok(Value::String(s)) => s,
            _ => value.into(),
        },
    }
}

/// Filter for a value, or filter it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetOp {
    For,
    Out,
}

/// What a value's + / − adds.
#[derive(Debug, Clone, PartialEq)]
pub enum FacetFilter {
    /// The same chip as the JSON tree's + / − on that path and value.
    Path(PathFilter),
    /// A term for the search box: Cloud and Account are derived from different paths per
    /// cloud (ActionTrail's `recipientAccountId`, CloudTrail's `recipientAccountId` or
    /// `userIdentity.accountId`), so no one JSON path holds them; their own search field does.
    Search(String),
}

/// The filter a value's + ([`FacetOp::For`]) or − adds. `value` is as [`FacetValue`] holds it.
///
/// [`FacetValue`]: crate::engine::FacetValue
pub fn facet_filter(s: &FacetSource, value: &str, op: FacetOp) -> FacetFilter {
    let exclude = op == FacetOp::Out;
    match s {
        FacetSource::Field(f @ (Field::Cloud | Field::Account)) => {
            let name = f.aliases()[0];
            // `name:*` is "has a value"; a phrase is exact up to case for these short ids.
            let (neg, term) = match value.is_empty() {
                true => (!exclude, format!("{name}:*")),
                false => (exclude, format!("{name}:{}", quote(value))),
            };
            FacetFilter::Search(if neg { format!("-{term}") } else { term })
        }
        FacetSource::Field(f) => FacetFilter::Path(PathFilter {
            path: JsonPath::parse(f.path()).expect("field paths parse"),
            value: Value::String(value.into()),
            exclude,
        }),
        FacetSource::Path(p) => FacetFilter::Path(PathFilter {
            path: p.clone(),
            value: serde_json::from_str(value).unwrap_or(Value::String(value.into())),
            exclude,
        }),
    }
}

/// `"text"` for the search language (its phrases have no escapes: a `"` inside is dropped).
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', ""))
}

/// The search text with `term` added (AND), unless it is there already.
pub fn append_term(search: &str, term: &str) -> String {
    let s = search.trim();
    if s.split_whitespace().any(|w| w == term) {
        s.to_string()
    } else if s.is_empty() {
        term.to_string()
    } else {
        format!("{s} {term}")
    }
}

/// The added paths from what [`format_paths`] kept (bad lines skipped, at most
/// [`MAX_ADDED_PATHS`], no duplicates, none that is an indexed field's path).
pub fn parse_paths(kept: &str) -> Vec<JsonPath> {
    let mut out: Vec<JsonPath> = Vec::new();
    for line in kept.lines() {
        if let Some(p) = JsonPath::parse(line.trim()) {
            let _ = add_path(&mut out, p);
        }
    }
    out
}

pub fn format_paths(paths: &[JsonPath]) -> String {
    paths
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why a path was not added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddPath {
    Added,
    /// Already listed (an added path, or the path of a listed field), or the whole event:
    /// nothing changes.
    Listed,
    Full,
}

/// Add `p` to the user's paths.
pub fn add_path(paths: &mut Vec<JsonPath>, p: JsonPath) -> AddPath {
    let s = p.to_string();
    if p.0.is_empty() || paths.contains(&p) || PANEL_FIELDS.iter().any(|f| f.path() == s) {
        AddPath::Listed
    } else if paths.len() >= MAX_ADDED_PATHS {
        AddPath::Full
    } else {
        paths.push(p);
        AddPath::Added
    }
}

/// The sources the panel lists: [`PANEL_FIELDS`], then the added paths.
pub fn sources(added: &[JsonPath]) -> Vec<FacetSource> {
    PANEL_FIELDS
        .iter()
        .map(|&f| FacetSource::Field(f))
        .chain(added.iter().cloned().map(FacetSource::Path))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(s: &str) -> JsonPath {
        JsonPath::parse(s).unwrap()
    }

    #[test]
    fn names_keys_and_labels() {
        assert_eq!(field_title(Field::Ip), "Source IP");
        assert_eq!(field_title(Field::ErrorCode), "Result");
        assert_eq!(field_title(Field::IdentityType), "User type");
        for s in sources(&[path("requestParameters.RegionId")]) {
            assert_eq!(source_from_key(&source_key(&s)), Some(s));
        }
        let p = FacetSource::Path(path("a.b"));
        assert_eq!(value_label(&p, "\"x y\""), "x y");
        assert_eq!(value_label(&p, "3"), "3");
        assert_eq!(value_label(&p, "{\"a\":1}"), "{\"a\":1}");
        assert_eq!(value_label(&FacetSource::Field(Field::ErrorCode), ""), "OK");
        assert_eq!(value_label(&FacetSource::Field(Field::User), ""), "(empty)");
    }

    #[test]
    fn plus_and_minus_add_the_trees_filters_or_a_search_term() {
        let user = FacetSource::Field(Field::User);
        assert_eq!(
            facet_filter(&user, "alice", FacetOp::Out),
            FacetFilter::Path(PathFilter {
                path: path("userIdentity.userName"),
                value: json!("alice"),
                exclude: true
            })
        );
        let p = FacetSource::Path(path("requestParameters.Size"));
        assert_eq!(
            facet_filter(&p, "3", FacetOp::For),
            FacetFilter::Path(PathFilter {
                path: path("requestParameters.Size"),
                value: json!(3),
                exclude: false
            })
        );
        let cloud = FacetSource::Field(Field::Cloud);
        assert_eq!(
            facet_filter(&cloud, "AWS", FacetOp::For),
            FacetFilter::Search("cloud:\"AWS\"".into())
        );
        assert_eq!(
            facet_filter(&FacetSource::Field(Field::Account), "", FacetOp::For),
            FacetFilter::Search("-account:*".into())
        );
        assert_eq!(
            facet_filter(&FacetSource::Field(Field::Account), "", FacetOp::Out),
            FacetFilter::Search("account:*".into())
        );
        assert_eq!(
            append_term(" alice ", "cloud:\"AWS\""),
            "alice cloud:\"AWS\""
        );
        assert_eq!(
            append_term("cloud:\"AWS\"", "cloud:\"AWS\""),
            "cloud:\"AWS\""
        );
        assert_eq!(append_term("", "-account:*"), "-account:*");
    }

    #[test]
    fn added_paths_round_trip_and_are_capped() {
        let mut v = Vec::new();
        assert_eq!(add_path(&mut v, path("a")), AddPath::Added);
        assert_eq!(add_path(&mut v, path("a")), AddPath::Listed);
        assert_eq!(add_path(&mut v, path("serviceName")), AddPath::Listed);
        for p in ["b", "c", "d"] {
            add_path(&mut v, path(p));
        }
        assert_eq!(add_path(&mut v, path("e")), AddPath::Full);
        assert_eq!(parse_paths(&format_paths(&v)), v);
        assert_eq!(parse_paths("a\n\n[bad\na\nb"), vec![path("a"), path("b")]);
    }
}
