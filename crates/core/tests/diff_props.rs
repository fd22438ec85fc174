//! Property tests of the event diff: an event compared with itself has only equal rows, and
//! each side of a diff is rebuilt exactly from its rows (the left from the equal, changed and
//! removed rows' left values; the right from the equal, changed and added rows' right values),
//! so no path is missed, listed twice or put on the wrong side.

use proptest::prelude::*;
use serde_json::{Map, Value};
use trailview_core::diff::{Change, Diff, Equals};
use trailview_core::json_path::Segment;

/// JSON with few key names and small values, so that two generated documents share many paths
/// (and differ in kind at some of them).
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..3).prop_map(Value::from),
        "[ab]{0,3}".prop_map(Value::String),
        Just(Value::String("王芳 \u{202e}\"|\\".into())),
    ];
    leaf.prop_recursive(5, 64, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-d]|x\\.y", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Puts `v` at `path` in `doc`, making the objects and arrays on the way. Array items come in
/// order, so an index is at most the array's length (else the rows skipped one: an error).
fn set(doc: &mut Option<Value>, path: &[Segment], v: Value) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        if doc.is_some() {
            return Err("a path set twice".into());
        }
        *doc = Some(v);
        return Ok(());
    };
    match first {
        Segment::Key(k) => {
            let m = doc.get_or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(m) = m else {
                return Err(format!("{k} under a non-object"));
            };
            let mut child = m.remove(k);
            set(&mut child, rest, v)?;
            m.insert(k.clone(), child.unwrap());
        }
        Segment::Index(i) => {
            let a = doc.get_or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(a) = a else {
                return Err(format!("[{i}] under a non-array"));
            };
            if *i > a.len() {
                return Err(format!("[{i}] after {} items", a.len()));
            }
            let mut child = if *i < a.len() {
                Some(std::mem::replace(&mut a[*i], Value::Null))
            } else {
                None
            };
            set(&mut child, rest, v)?;
            if *i < a.len() {
                a[*i] = child.unwrap();
            } else {
                a.push(child.unwrap());
            }
        }
    }
    Ok(())
}

/// Sets a container's existing child again: `set` refuses a leaf set twice only.
fn rebuild(d: &Diff, left: bool) -> Result<Option<Value>, String> {
    let mut doc = None;
    for (i, row) in d.rows().iter().enumerate() {
        let (l, r) = d.values(i);
        let on_side = match (row.change, left) {
            (Change::Equal | Change::Changed, _) => true,
            (Change::Removed, true) | (Change::Added, false) => true,
            (Change::Removed, false) | (Change::Added, true) => false,
        };
        let mine = if left { l } else { r };
        match (on_side, mine) {
            (true, Some(v)) => set(&mut doc, &row.path.0, v.clone())?,
            (true, None) => return Err(format!("{} has no value on its side", row.path)),
            (false, Some(_)) => return Err(format!("{} is on the other side too", row.path)),
            (false, None) => {}
        }
    }
    Ok(doc)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn an_event_compared_with_itself_is_all_equal(a in json()) {
        let d = Diff::new(a.clone(), a.clone());
        prop_assert!(d.rows().iter().all(|r| r.change == Change::Equal));
        prop_assert!(d.shown(Equals::Hidden).is_empty());
        prop_assert_eq!(d.counts().differing(), 0);
        prop_assert_eq!(rebuild(&d, true), Ok(Some(a)));
    }

    #[test]
    fn each_side_is_rebuilt_from_its_rows(a in json(), b in json()) {
        let d = Diff::new(a.clone(), b.clone());
        prop_assert_eq!(rebuild(&d, true), Ok(Some(a.clone())));
        prop_assert_eq!(rebuild(&d, false), Ok(Some(b.clone())));
        // Equal rows are equal values, changed rows different ones; paths are unique.
        let mut paths = std::collections::HashSet::new();
        for (i, row) in d.rows().iter().enumerate() {
            prop_assert!(paths.insert(row.path.clone()), "{} listed twice", row.path);
            let (l, r) = d.values(i);
            match row.change {
                Change::Equal => prop_assert_eq!(l, r),
                Change::Changed => prop_assert!(l.is_some() && r.is_some() && l != r),
                Change::Added | Change::Removed => {}
            }
            let cells = d.cells(i);
            prop_assert_eq!(cells.left.is_some(), l.is_some());
            prop_assert_eq!(cells.right.is_some(), r.is_some());
        }
        prop_assert_eq!(d.counts().differing() == 0, a == b);
        prop_assert_eq!(
            d.shown(Equals::Hidden).len(),
            d.counts().differing()
        );
    }

    /// The marked cells of two strings put back together are the two strings (in quotes),
    /// whenever they are short enough not to be cut.
    #[test]
    fn marked_strings_are_the_strings(a in "[ab王]{0,12}", b in "[ab王]{0,12}") {
        prop_assume!(a != b);
        let (l, r) = trailview_core::diff::marked(&a, &b);
        prop_assert_eq!(l.text(), format!("\"{a}\""));
        prop_assert_eq!(r.text(), format!("\"{b}\""));
        prop_assert_eq!(&l.before, &r.before);
        prop_assert_eq!(&l.after, &r.after);
    }
}
