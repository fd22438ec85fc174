//! Two JSON documents compared path by path: what the Compare view lists.
//!
//! [`Diff::new`] walks both documents at once and makes one [`DiffRow`] per leaf path (a
//! string, number, bool, null, or an empty object or array), in the same canonical paths the
//! JSON tree copies (`userIdentity.userName`, `resources[0]`, `requestParameters["a.b"]`):
//! - a path in both, with equal values: [`Change::Equal`];
//! - a path in both with different values, or where the two differ in kind (an object on one
//!   side, a string or an array or an empty object on the other): one [`Change::Changed`] row
//!   for that path (its values are the two whole subtrees);
//! - a path in only one document: [`Change::Removed`] (left only) or [`Change::Added`] (right
//!   only), a row for each leaf under it.
//!
//! Objects are matched by key, arrays by index (`[1]` against `[1]`: an item inserted at the
//! front shows as every later item changed, as in a side-by-side tree). Rows are in pre-order,
//! keys sorted. The work is linear in the two documents' sizes (a string is compared once;
//! [`marked`] finds a changed string's common prefix and suffix in one pass over each), so
//! events of 100,000 values compare in milliseconds. A row keeps only its path: its values are
//! looked up in the documents ([`Diff::values`]), and its text is made for the rows on screen
//! ([`Diff::cells`]), cut to a bounded length.

use crate::json_path::{JsonPath, Segment};
use crate::numbers::thousands;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    Equal,
    Changed,
    /// Only in the right (second) document.
    Added,
    /// Only in the left (first) document.
    Removed,
}

impl Change {
    /// A stable key (CSS class, `data-change`).
    pub fn key(self) -> &'static str {
        match self {
            Change::Equal => "equal",
            Change::Changed => "changed",
            Change::Added => "added",
            Change::Removed => "removed",
        }
    }

    /// What a screen reader hears for the row's kind (colour is never the only signal).
    pub fn label(self) -> &'static str {
        match self {
            Change::Equal => "equal",
            Change::Changed => "changed",
            Change::Added => "only in the second",
            Change::Removed => "only in the first",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffRow {
    pub path: JsonPath,
    pub change: Change,
}

/// Whether the rows of equal values are listed (the Compare view's "Hide equal").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Equals {
    Shown,
    Hidden,
}

/// How many rows of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub equal: usize,
    pub changed: usize,
    pub added: usize,
    pub removed: usize,
}

impl Counts {
    /// "2 changed, 1 added, 0 removed, 40 equal".
    pub fn text(&self) -> String {
        format!(
            "{} changed, {} added, {} removed, {} equal",
            thousands(self.changed),
            thousands(self.added),
            thousands(self.removed),
            thousands(self.equal)
        )
    }

    /// Paths that differ in any way.
    pub fn differing(&self) -> usize {
        self.changed + self.added + self.removed
    }
}

/// One side of a row as text, split where it differs from the other side: `before` and
/// `after` are shared with it (only for two strings), `changed` is what to highlight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marked {
    pub before: String,
    pub changed: String,
    pub after: String,
}

impl Marked {
    fn plain(text: String) -> Marked {
        Marked {
            before: text,
            ..Marked::default()
        }
    }
    fn all(text: String) -> Marked {
        Marked {
            changed: text,
            ..Marked::default()
        }
    }
    /// The whole text.
    pub fn text(&self) -> String {
        format!("{}{}{}", self.before, self.changed, self.after)
    }
}

/// A row's two cells (`None`: the path is not in that document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cells {
    pub left: Option<Marked>,
    pub right: Option<Marked>,
}

/// Characters of shared text shown either side of a changed part.
pub const CONTEXT: usize = 40;
/// Characters of a cell's changed part (or of a whole value) shown at most.
pub const MAX_CELL: usize = 240;

#[derive(Debug, Clone)]
pub struct Diff {
    left: Value,
    right: Value,
    rows: Vec<DiffRow>,
    counts: Counts,
}

impl Diff {
    pub fn new(left: Value, right: Value) -> Diff {
        let mut rows = Vec::new();
        let mut path = Vec::new();
        walk(&mut path, Some(&left), Some(&right), &mut rows);
        let mut counts = Counts::default();
        for r in &rows {
            match r.change {
                Change::Equal => counts.equal += 1,
                Change::Changed => counts.changed += 1,
                Change::Added => counts.added += 1,
                Change::Removed => counts.removed += 1,
            }
        }
        Diff {
            left,
            right,
            rows,
            counts,
        }
    }

    pub fn rows(&self) -> &[DiffRow] {
        &self.rows
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    pub fn left(&self) -> &Value {
        &self.left
    }

    pub fn right(&self) -> &Value {
        &self.right
    }

    /// The indices of the rows to list, in order.
    pub fn shown(&self, equals: Equals) -> Vec<u32> {
        (0..self.rows.len() as u32)
            .filter(|&i| equals == Equals::Shown || self.rows[i as usize].change != Change::Equal)
            .collect()
    }

    /// Row `i`'s value in each document.
    pub fn values(&self, i: usize) -> (Option<&Value>, Option<&Value>) {
        let p = &self.rows[i].path;
        (p.lookup(&self.left), p.lookup(&self.right))
    }

    /// Row `i`'s path as the JSON tree writes it (`(root)` for the documents themselves).
    pub fn path_text(&self, i: usize) -> String {
        match &self.rows[i].path {
            p if p.0.is_empty() => "(root)".to_string(),
            p => p.to_string(),
        }
    }

    /// Row `i`'s two cells, bounded ([`CONTEXT`], [`MAX_CELL`]): an equal value plain, an
    /// added or removed one all marked, two strings marked where they differ (their common
    /// prefix and suffix shared), other changed values all marked.
    pub fn cells(&self, i: usize) -> Cells {
        let (l, r) = self.values(i);
        match (self.rows[i].change, l, r) {
            (Change::Changed, Some(Value::String(a)), Some(Value::String(b))) => {
                let (left, right) = marked(a, b);
                Cells {
                    left: Some(left),
                    right: Some(right),
                }
            }
            (Change::Equal, l, r) => Cells {
                left: l.map(|v| Marked::plain(value_text(v, MAX_CELL))),
                right: r.map(|v| Marked::plain(value_text(v, MAX_CELL))),
            },
            (_, l, r) => Cells {
                left: l.map(|v| Marked::all(value_text(v, MAX_CELL))),
                right: r.map(|v| Marked::all(value_text(v, MAX_CELL))),
            },
        }
    }
}

fn is_branch(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

// Recursion follows the documents' nesting, which serde_json bounds at 128 levels.
fn walk(path: &mut Vec<Segment>, a: Option<&Value>, b: Option<&Value>, rows: &mut Vec<DiffRow>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) if !x.is_empty() && !y.is_empty() => {
            // Both maps iterate in key order: a merge.
            let (mut xi, mut yi) = (x.iter().peekable(), y.iter().peekable());
            loop {
                let (k, l, r) = match (xi.peek(), yi.peek()) {
                    (None, None) => break,
                    (Some((kx, _)), Some((ky, _))) if kx == ky => {
                        let ((k, l), (_, r)) = (xi.next().unwrap(), yi.next().unwrap());
                        (k, Some(l), Some(r))
                    }
                    (Some((kx, _)), Some((ky, _))) if kx < ky => {
                        let (k, l) = xi.next().unwrap();
                        (k, Some(l), None)
                    }
                    (Some(_), None) => {
                        let (k, l) = xi.next().unwrap();
                        (k, Some(l), None)
                    }
                    _ => {
                        let (k, r) = yi.next().unwrap();
                        (k, None, Some(r))
                    }
                };
                path.push(Segment::Key(k.clone()));
                walk(path, l, r, rows);
                path.pop();
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if !x.is_empty() && !y.is_empty() => {
            for i in 0..x.len().max(y.len()) {
                path.push(Segment::Index(i));
                walk(path, x.get(i), y.get(i), rows);
                path.pop();
            }
        }
        (Some(l), Some(r)) => rows.push(DiffRow {
            path: JsonPath(path.clone()),
            change: if l == r {
                Change::Equal
            } else {
                Change::Changed
            },
        }),
        (Some(l), None) => leaves(path, l, Change::Removed, rows),
        (None, Some(r)) => leaves(path, r, Change::Added, rows),
        (None, None) => {}
    }
}

/// A row per leaf of `v`, all of kind `change`.
fn leaves(path: &mut Vec<Segment>, v: &Value, change: Change, rows: &mut Vec<DiffRow>) {
    if !is_branch(v) {
        rows.push(DiffRow {
            path: JsonPath(path.clone()),
            change,
        });
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                path.push(Segment::Key(k.clone()));
                leaves(path, c, change, rows);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                path.push(Segment::Index(i));
                leaves(path, c, change, rows);
                path.pop();
            }
        }
        _ => {}
    }
}

/// At most `max` characters of `s`, with "…" when cut.
fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// The last `max` characters of `s`, with "…" before them when cut.
fn cut_start(s: &str, max: usize) -> String {
    match s.char_indices().rev().nth(max.saturating_sub(1)) {
        Some((at, _)) if at > 0 && max > 0 => format!("…{}", &s[at..]),
        Some(_) if max == 0 && !s.is_empty() => "…".to_string(),
        _ => s.to_string(),
    }
}

/// A value as a cell shows it: a string in quotes (as it is, not escaped), anything else as
/// compact JSON; at most `max` characters. (A container is written out whole before it is
/// cut: only for the rows on screen, and serde_json's own writer keeps the app's bundle from
/// holding a second copy of the serializer.)
pub fn value_text(v: &Value, max: usize) -> String {
    match v {
        Value::String(s) => format!("\"{}\"", cut(s, max)),
        v => cut(&serde_json::to_string(v).unwrap_or_default(), max),
    }
}

/// The byte lengths of the longest common prefix and (not overlapping it) suffix of `a` and
/// `b`, on character boundaries. One pass over each string: no quadratic alignment.
pub fn common_affixes(a: &str, b: &str) -> (usize, usize) {
    let prefix = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    // A prefix that ends inside one string's char cannot happen: equal chars have equal bytes.
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let suffix = ra
        .chars()
        .rev()
        .zip(rb.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    (prefix, suffix)
}

/// Two different strings as cells: the shared prefix and suffix (cut to [`CONTEXT`] characters
/// next to the change) plain, the differing middle of each (cut to [`MAX_CELL`]) marked.
pub fn marked(a: &str, b: &str) -> (Marked, Marked) {
    let (p, s) = common_affixes(a, b);
    let side = |t: &str| Marked {
        before: format!("\"{}", cut_start(&t[..p], CONTEXT)),
        changed: cut(&t[p..t.len() - s], MAX_CELL),
        after: format!("{}\"", cut(&t[t.len() - s..], CONTEXT)),
    };
    (side(a), side(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(a: Value, b: Value) -> Vec<(String, Change)> {
        let d = Diff::new(a, b);
        (0..d.rows().len())
            .map(|i| (d.path_text(i), d.rows()[i].change))
            .collect()
    }

    fn r(p: &str, c: Change) -> (String, Change) {
        (p.to_string(), c)
    }

    #[test]
    fn nested_objects_by_path() {
        let a = json!({"eventName": "Run", "user": {"name": "alice", "type": "ram"},
                       "req": {"a.b": 1, "gone": {"x": true}}});
        let b = json!({"eventName": "Stop", "user": {"name": "alice", "type": "ram"},
                       "req": {"a.b": 1, "new": null}});
        assert_eq!(
            rows(a, b),
            [
                r("eventName", Change::Changed),
                r("req[\"a.b\"]", Change::Equal),
                r("req.gone.x", Change::Removed),
                r("req.new", Change::Added),
                r("user.name", Change::Equal),
                r("user.type", Change::Equal),
            ]
        );
    }

    #[test]
    fn arrays_by_index() {
        let a = json!({"tags": ["a", "b", {"k": 1}], "x": [1]});
        let b = json!({"tags": ["a", "c"], "x": [1, 2, [3]]});
        assert_eq!(
            rows(a, b),
            [
                r("tags[0]", Change::Equal),
                r("tags[1]", Change::Changed),
                r("tags[2].k", Change::Removed),
                r("x[0]", Change::Equal),
                r("x[1]", Change::Added),
                r("x[2][0]", Change::Added),
            ]
        );
    }

    #[test]
    fn a_change_of_kind_is_one_changed_row() {
        let a = json!({"a": {"b": 1}, "c": [1, 2], "d": "1", "e": {}, "f": {"g": 1}, "h": []});
        let b = json!({"a": "x", "c": {"0": 1}, "d": 1, "e": [], "f": {}, "h": []});
        assert_eq!(
            rows(a, b),
            [
                r("a", Change::Changed),
                r("c", Change::Changed),
                r("d", Change::Changed),
                r("e", Change::Changed),
                r("f", Change::Changed),
                r("h", Change::Equal),
            ]
        );
        assert_eq!(rows(json!(1), json!([1])), [r("(root)", Change::Changed)]);
        assert_eq!(rows(json!(null), json!(null)), [r("(root)", Change::Equal)]);
    }

    #[test]
    fn counts_hide_equal_and_cells() {
        let d = Diff::new(
            json!({"a": 1, "b": "same", "c": {"d": [1, 2]}, "s": "hello world"}),
            json!({"a": 2, "b": "same", "e": true, "s": "hello there world"}),
        );
        assert_eq!(
            d.counts(),
            Counts {
                equal: 1,
                changed: 2,
                added: 1,
                removed: 2
            }
        );
        assert_eq!(d.counts().text(), "2 changed, 1 added, 2 removed, 1 equal");
        assert_eq!(d.shown(Equals::Shown).len(), 6);
        let hidden = d.shown(Equals::Hidden);
        assert_eq!(hidden.len(), 5);
        assert!(hidden
            .iter()
            .all(|&i| d.rows()[i as usize].change != Change::Equal));
        let at = |p: &str| (0..d.rows().len()).find(|&i| d.path_text(i) == p).unwrap();
        let c = d.cells(at("a"));
        assert_eq!(c.left.unwrap().changed, "1");
        assert_eq!(c.right.unwrap().changed, "2");
        let c = d.cells(at("b"));
        assert_eq!(c.left.unwrap().before, "\"same\"");
        let c = d.cells(at("c.d[1]"));
        assert_eq!(
            (c.left.map(|m| m.text()), c.right),
            (Some("2".into()), None)
        );
        let c = d.cells(at("e"));
        assert_eq!(
            (c.left, c.right.map(|m| m.changed)),
            (None, Some("true".into()))
        );
        let c = d.cells(at("s"));
        let (l, r) = (c.left.unwrap(), c.right.unwrap());
        assert_eq!(
            (l.before.as_str(), l.changed.as_str(), l.after.as_str()),
            ("\"hello ", "", "world\"")
        );
        assert_eq!(
            (r.before.as_str(), r.changed.as_str(), r.after.as_str()),
            ("\"hello ", "there ", "world\"")
        );
    }

    #[test]
    fn affixes_on_char_boundaries() {
        assert_eq!(common_affixes("abc", "abc"), (3, 0));
        assert_eq!(common_affixes("", "x"), (0, 0));
        assert_eq!(common_affixes("aXb", "aYb"), (1, 1));
        assert_eq!(common_affixes("aa", "aaa"), (2, 0));
        assert_eq!(common_affixes("王芳x", "王明x"), (3, 1));
        assert_eq!(common_affixes("é", "è"), (0, 0));
        assert_eq!(common_affixes("xé", "yé"), (0, 2));
    }

    #[test]
    fn long_strings_are_cut_around_the_change() {
        let a = format!("{}A{}", "p".repeat(100_000), "s".repeat(100_000));
        let b = format!("{}B{}", "p".repeat(100_000), "s".repeat(100_000));
        let d = Diff::new(json!({"ua": a}), json!({"ua": b}));
        let c = d.cells(0);
        let l = c.left.unwrap();
        assert_eq!(l.changed, "A");
        assert_eq!(l.before, format!("\"…{}", "p".repeat(CONTEXT)));
        assert_eq!(l.after, format!("{}…\"", "s".repeat(CONTEXT)));
        // A large object is cut to the cell's bound.
        let big = json!({"x": (0..100_000).collect::<Vec<_>>()});
        let t = value_text(&big, MAX_CELL);
        assert_eq!(t.chars().count(), MAX_CELL + 1);
        assert!(t.ends_with('…') && t.starts_with("{\"x\":[0,1,2"));
        assert_eq!(value_text(&json!("王芳"), 1), "\"王…\"");
        assert_eq!(cut_start("abc", 0), "…");
        assert_eq!(cut_start("", 0), "");
        assert_eq!(cut_start("abc", 3), "abc");
        assert_eq!(cut_start("abc", 2), "…bc");
    }

    /// `cargo test -p trailview-core --release --lib -- --ignored --nocapture diff_100k`
    #[test]
    #[ignore]
    fn diff_100k_timing() {
        let doc = |salt: u64| {
            json!({"items": (0..25_000u64).map(|i| json!({"id": i, "name": format!("n{i}"),
                "v": if i % 1000 == 0 { salt } else { i }, "tags": ["a"]})).collect::<Vec<_>>()})
        };
        let (a, b) = (doc(1), doc(2));
        let t = std::time::Instant::now();
        let d = Diff::new(a, b);
        let shown = d.shown(Equals::Hidden);
        println!(
            "{} rows, {} differ, in {:?}",
            d.rows().len(),
            shown.len(),
            t.elapsed()
        );
    }
}
