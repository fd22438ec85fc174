//! The event table's columns as the user arranged them: which are shown, in what order, how
//! wide, and the JSON paths added as columns (`requestParameters.RegionId`). Pure: the table
//! renders [`ColumnLayout::visible`], the column menu calls the moves, and the layout is kept in
//! the browser as [`ColumnLayout::to_storage`]'s text, read back tolerantly.

use crate::json_path::JsonPath;
use crate::schema::{Column, Field};
use serde_json::{json, Value};

/// A column of the table: one of the built-in ones, or a JSON path the user added (kept in its
/// display form, `JsonPath`'s `to_string`, so two spellings of one path are one column).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnId {
    Builtin(Column),
    Path(String),
}

impl ColumnId {
    /// The header's title: the built-in column's, or the path itself.
    pub fn title(&self) -> &str {
        match self {
            ColumnId::Builtin(c) => c.title(),
            ColumnId::Path(p) => p,
        }
    }
    /// The value of the DOM's `data-col` (built-in keys; a path column is `path`).
    pub fn key(&self) -> &'static str {
        match self {
            ColumnId::Builtin(c) => c.key(),
            ColumnId::Path(_) => "path",
        }
    }
    /// The path of a path column.
    pub fn path(&self) -> Option<JsonPath> {
        match self {
            ColumnId::Builtin(_) => None,
            ColumnId::Path(p) => JsonPath::parse(p),
        }
    }
}

/// Whether a column is on the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Visible,
    Hidden,
}

/// Which way a column moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

/// One column of the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    pub id: ColumnId,
    pub shown: Shown,
    /// Width in CSS pixels the user dragged it to; `None`: the stylesheet's.
    pub width: Option<u16>,
}

/// Narrowest and widest a column can be dragged to.
pub const MIN_WIDTH: u16 = 48;
pub const MAX_WIDTH: u16 = 1200;
/// Path columns at most: each shown path column reads its path from the rows on screen, and
/// sorting or filtering by one keeps a path column of the store (which holds 8).
pub const MAX_PATH_COLUMNS: usize = 6;
/// The version of [`ColumnLayout::to_storage`]'s text.
const STORAGE_VERSION: u64 = 1;

/// Why a change to the layout was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    /// Hiding it would leave the table without a column.
    LastVisible,
    /// Not a JSON path (`a.b[0]["c d"]`).
    BadPath(String),
    /// [`MAX_PATH_COLUMNS`] are there already.
    TooManyPaths,
}

impl std::fmt::Display for LayoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayoutError::LastVisible => f.write_str("The table keeps at least one column."),
            LayoutError::BadPath(p) => write!(
                f,
                "\"{p}\" is not a JSON path (e.g. requestParameters.RegionId, resources[0].name)."
            ),
            LayoutError::TooManyPaths => write!(
                f,
                "At most {MAX_PATH_COLUMNS} JSON paths can be columns; remove one first."
            ),
        }
    }
}

/// The columns in their order, each shown or hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnLayout {
    specs: Vec<ColumnSpec>,
}

impl Default for ColumnLayout {
    /// Every built-in column, shown, in [`Column::ALL`]'s order.
    fn default() -> Self {
        ColumnLayout {
            specs: Column::ALL
                .into_iter()
                .map(|c| ColumnSpec {
                    id: ColumnId::Builtin(c),
                    shown: Shown::Visible,
                    width: None,
                })
                .collect(),
        }
    }
}

impl ColumnLayout {
    /// Every column, shown or not, in order (the column menu lists these).
    pub fn specs(&self) -> &[ColumnSpec] {
        &self.specs
    }

    /// The columns the table shows, in order.
    pub fn visible(&self) -> impl Iterator<Item = &ColumnSpec> {
        self.specs.iter().filter(|s| s.shown == Shown::Visible)
    }

    /// The visible columns' ids, in order.
    pub fn visible_ids(&self) -> Vec<ColumnId> {
        self.visible().map(|s| s.id.clone()).collect()
    }

    fn index(&self, id: &ColumnId) -> Option<usize> {
        self.specs.iter().position(|s| &s.id == id)
    }

    pub fn shown(&self, id: &ColumnId) -> Option<Shown> {
        self.index(id).map(|i| self.specs[i].shown)
    }

    /// Shows or hides a column; the last visible one cannot be hidden.
    pub fn set_shown(&mut self, id: &ColumnId, shown: Shown) -> Result<(), LayoutError> {
        let Some(i) = self.index(id) else {
            return Ok(());
        };
        if shown == Shown::Hidden
            && self.specs[i].shown == Shown::Visible
            && self.visible().count() == 1
        {
            return Err(LayoutError::LastVisible);
        }
        self.specs[i].shown = shown;
        Ok(())
    }

    /// Moves a column one place left or right among the **visible** columns (hidden ones in
    /// between are passed over, so every press changes what the table shows); at an end,
    /// nothing changes. Returns whether it moved.
    pub fn step(&mut self, id: &ColumnId, side: Side) -> bool {
        let Some(i) = self.index(id) else {
            return false;
        };
        let neighbour = match side {
            Side::Left => (0..i)
                .rev()
                .find(|&j| self.specs[j].shown == Shown::Visible),
            Side::Right => {
                (i + 1..self.specs.len()).find(|&j| self.specs[j].shown == Shown::Visible)
            }
        };
        let Some(j) = neighbour else {
            return false;
        };
        let spec = self.specs.remove(i);
        // A left neighbour keeps its index (insert before it); a right one moves to j - 1
        // (insert after it): both at j.
        self.specs.insert(j, spec);
        true
    }

    /// A header dropped on another column's header takes that column's place (the target
    /// moves one step towards where the dragged one came from: dropped on its right
    /// neighbour, a column moves one step right); `None` moves it to the end. Returns whether
    /// the order changed.
    pub fn move_to(&mut self, id: &ColumnId, target: Option<&ColumnId>) -> bool {
        let Some(i) = self.index(id) else {
            return false;
        };
        let j = match target {
            Some(t) => match self.index(t) {
                Some(j) => j,
                None => return false,
            },
            None => self.specs.len() - 1,
        };
        if i == j {
            return false;
        }
        let spec = self.specs.remove(i);
        self.specs.insert(j, spec);
        true
    }

    /// Sets a column's width from a drag (clamped to [`MIN_WIDTH`]..=[`MAX_WIDTH`], whole
    /// pixels). Returns the width set.
    pub fn set_width(&mut self, id: &ColumnId, px: f64) -> Option<u16> {
        let i = self.index(id)?;
        let w = if px.is_finite() {
            px.round().clamp(MIN_WIDTH as f64, MAX_WIDTH as f64) as u16
        } else {
            MIN_WIDTH
        };
        self.specs[i].width = Some(w);
        Some(w)
    }

    /// Adds a JSON path as a visible column at the end (or shows it, if it is there), and
    /// returns its id. A path that is a built-in column's field (`eventName`) shows that column.
    pub fn add_path(&mut self, text: &str) -> Result<ColumnId, LayoutError> {
        let text = text.trim();
        let path = JsonPath::parse(text)
            .filter(|p| !p.0.is_empty())
            .ok_or_else(|| LayoutError::BadPath(text.to_string()))?;
        let display = path.to_string();
        let builtin = Column::ALL.into_iter().find(|c| {
            c.field()
                .filter(|f| *f != Field::Cloud)
                .is_some_and(|f| f.path() == display)
        });
        let id = match builtin {
            Some(c) => ColumnId::Builtin(c),
            None => ColumnId::Path(display),
        };
        match self.index(&id) {
            Some(i) => self.specs[i].shown = Shown::Visible,
            None => {
                if self.paths() >= MAX_PATH_COLUMNS {
                    return Err(LayoutError::TooManyPaths);
                }
                self.specs.push(ColumnSpec {
                    id: id.clone(),
                    shown: Shown::Visible,
                    width: None,
                });
            }
        }
        Ok(id)
    }

    fn paths(&self) -> usize {
        self.specs
            .iter()
            .filter(|s| matches!(s.id, ColumnId::Path(_)))
            .count()
    }

    /// Removes a path column (built-in columns are hidden, not removed). If it was the last
    /// visible column, the first built-in one is shown.
    pub fn remove_path(&mut self, id: &ColumnId) {
        if !matches!(id, ColumnId::Path(_)) {
            return;
        }
        self.specs.retain(|s| &s.id != id);
        if self.visible().next().is_none() {
            self.specs[0].shown = Shown::Visible;
        }
    }

    /// Shows exactly `ids`, in that order, before the hidden columns (a shared link's
    /// columns); path columns it does not have are added, widths are kept. Ids it cannot show
    /// (a bad path, more than [`MAX_PATH_COLUMNS`]) are left out; with none shown the layout
    /// is unchanged. Returns how many were left out.
    pub fn show_only(&mut self, ids: &[ColumnId]) -> usize {
        let mut next = self.clone();
        let mut order: Vec<ColumnId> = Vec::new();
        let mut left_out = 0;
        for id in ids {
            let id = match id {
                ColumnId::Path(p) => match next.add_path(p) {
                    Ok(id) => id,
                    Err(_) => {
                        left_out += 1;
                        continue;
                    }
                },
                ColumnId::Builtin(_) => id.clone(),
            };
            if next.index(&id).is_none() {
                left_out += 1;
            } else if !order.contains(&id) {
                order.push(id);
            }
        }
        if order.is_empty() {
            return left_out;
        }
        let mut front: Vec<ColumnSpec> = Vec::new();
        for id in &order {
            if let Some(i) = next.index(id) {
                let mut spec = next.specs.remove(i);
                spec.shown = Shown::Visible;
                front.push(spec);
            }
        }
        for s in &mut next.specs {
            s.shown = Shown::Hidden;
        }
        front.append(&mut next.specs);
        self.specs = front;
        left_out
    }

    /// What a view shows over the layout the user keeps: a link's columns (as
    /// [`show_only`](Self::show_only) shows them, widths and the rest from the kept layout),
    /// or, for a link without columns, the kept layout itself. The kept layout is not changed:
    /// a link's columns are the link's, and only the user's own changes are kept.
    pub fn for_link(&self, columns: Option<&[ColumnId]>) -> ColumnLayout {
        let mut shown = self.clone();
        if let Some(ids) = columns {
            shown.show_only(ids);
        }
        shown
    }

    /// The layout as text for the browser's storage (versioned JSON).
    pub fn to_storage(&self) -> String {
        let cols: Vec<Value> = self
            .specs
            .iter()
            .map(|s| {
                let mut o = serde_json::Map::new();
                match &s.id {
                    ColumnId::Builtin(c) => o.insert("id".into(), c.key().into()),
                    ColumnId::Path(p) => o.insert("path".into(), p.as_str().into()),
                };
                if s.shown == Shown::Hidden {
                    o.insert("hidden".into(), true.into());
                }
                if let Some(w) = s.width {
                    o.insert("width".into(), w.into());
                }
                Value::Object(o)
            })
            .collect();
        json!({ "v": STORAGE_VERSION, "columns": cols }).to_string()
    }

    /// Reads [`ColumnLayout::to_storage`]'s text back. Tolerant, since the text outlives app
    /// versions and anyone can edit it: unknown columns, bad paths, repeats and widths out of
    /// range are dropped or clamped; built-in columns it does not name are added at the end,
    /// shown (a column a later version adds appears); a layout with nothing visible shows the
    /// first column. `None` when the text is not a layout at all (another version, not JSON):
    /// the caller uses the default.
    pub fn from_storage(text: &str) -> Option<ColumnLayout> {
        let v: Value = serde_json::from_str(text).ok()?;
        if v.get("v")?.as_u64()? != STORAGE_VERSION {
            return None;
        }
        let mut specs: Vec<ColumnSpec> = Vec::new();
        for c in v.get("columns")?.as_array()? {
            let id = if let Some(k) = c.get("id").and_then(Value::as_str) {
                match Column::from_key(k) {
                    Some(col) => ColumnId::Builtin(col),
                    None => continue,
                }
            } else if let Some(p) = c.get("path").and_then(Value::as_str) {
                match JsonPath::parse(p).filter(|p| !p.0.is_empty()) {
                    Some(path) => ColumnId::Path(path.to_string()),
                    None => continue,
                }
            } else {
                continue;
            };
            if specs.iter().any(|s| s.id == id)
                || (matches!(id, ColumnId::Path(_))
                    && specs
                        .iter()
                        .filter(|s| matches!(s.id, ColumnId::Path(_)))
                        .count()
                        >= MAX_PATH_COLUMNS)
            {
                continue;
            }
            let shown = if c.get("hidden").and_then(Value::as_bool) == Some(true) {
                Shown::Hidden
            } else {
                Shown::Visible
            };
            let width = c
                .get("width")
                .and_then(Value::as_f64)
                .filter(|w| w.is_finite())
                .map(|w| w.round().clamp(MIN_WIDTH as f64, MAX_WIDTH as f64) as u16);
            specs.push(ColumnSpec { id, shown, width });
        }
        for c in Column::ALL {
            if !specs.iter().any(|s| s.id == ColumnId::Builtin(c)) {
                specs.push(ColumnSpec {
                    id: ColumnId::Builtin(c),
                    shown: Shown::Visible,
                    width: None,
                });
            }
        }
        let mut layout = ColumnLayout { specs };
        if layout.visible().next().is_none() {
            layout.specs[0].shown = Shown::Visible;
        }
        Some(layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_only_shows_a_links_columns_in_order() {
        let mut l = ColumnLayout::default();
        l.set_width(&ColumnId::Builtin(Column::Service), 200.0);
        let want = vec![
            ColumnId::Path("requestParameters.Size".into()),
            ColumnId::Builtin(Column::Service),
            ColumnId::Builtin(Column::Time),
        ];
        assert_eq!(l.show_only(&want), 0);
        assert_eq!(l.visible_ids(), want);
        assert_eq!(l.specs().len(), Column::ALL.len() + 1);
        let svc = l.specs().iter().find(|s| s.id == want[1]).unwrap();
        assert_eq!(svc.width, Some(200));
        // Nothing showable: unchanged.
        let before = l.clone();
        assert_eq!(l.show_only(&[ColumnId::Path("a[".into())]), 1);
        assert_eq!(l, before);
        // Too many paths: the rest left out.
        let many: Vec<ColumnId> = (0..MAX_PATH_COLUMNS + 2)
            .map(|i| ColumnId::Path(format!("p{i}")))
            .collect();
        let mut l = ColumnLayout::default();
        assert_eq!(l.show_only(&many), 2);
        assert_eq!(l.visible_ids(), many[..MAX_PATH_COLUMNS].to_vec());
    }

    #[test]
    fn a_links_columns_are_shown_over_the_kept_layout_and_never_kept() {
        let mut kept = ColumnLayout::default();
        kept.set_width(&ColumnId::Builtin(Column::Service), 180.0);
        kept.set_shown(&ColumnId::Builtin(Column::Region), Shown::Hidden)
            .unwrap();
        let kept_text = kept.to_storage();
        let link = vec![
            ColumnId::Builtin(Column::Region),
            ColumnId::Path("requestParameters.Size".into()),
            ColumnId::Builtin(Column::Service),
        ];
        let shown = kept.for_link(Some(&link));
        assert_eq!(shown.visible_ids(), link);
        let svc = shown.specs().iter().find(|s| s.id == link[2]).unwrap();
        assert_eq!(svc.width, Some(180), "the kept width stays");
        // The kept layout is untouched: no path added, Region still hidden.
        assert_eq!(kept.to_storage(), kept_text);
        assert_eq!(kept.shown(&link[1]), None);
        // A link without columns (Back to such an entry) shows the kept layout.
        assert_eq!(kept.for_link(None), kept);
        assert_ne!(kept.for_link(None).visible_ids(), link);
    }

    use proptest::prelude::*;

    fn b(c: Column) -> ColumnId {
        ColumnId::Builtin(c)
    }
    fn titles(l: &ColumnLayout) -> Vec<String> {
        l.visible().map(|s| s.id.title().to_string()).collect()
    }

    #[test]
    fn default_shows_every_builtin_column_in_order() {
        let l = ColumnLayout::default();
        assert_eq!(
            l.visible_ids(),
            Column::ALL.into_iter().map(b).collect::<Vec<_>>()
        );
    }

    #[test]
    fn hiding_keeps_one_column() {
        let mut l = ColumnLayout::default();
        for c in &Column::ALL[1..] {
            l.set_shown(&b(*c), Shown::Hidden).unwrap();
        }
        assert_eq!(titles(&l), ["Time"]);
        assert_eq!(
            l.set_shown(&b(Column::Time), Shown::Hidden),
            Err(LayoutError::LastVisible)
        );
        assert_eq!(titles(&l), ["Time"]);
        // Hiding a hidden one is no error.
        assert_eq!(l.set_shown(&b(Column::Ip), Shown::Hidden), Ok(()));
        l.set_shown(&b(Column::Ip), Shown::Visible).unwrap();
        assert_eq!(titles(&l), ["Time", "Source IP"]);
    }

    #[test]
    fn steps_pass_over_hidden_columns_and_stop_at_the_ends() {
        let mut l = ColumnLayout::default();
        l.set_shown(&b(Column::Service), Shown::Hidden).unwrap();
        // Time, Event, [Service], User, …
        assert!(l.step(&b(Column::Event), Side::Right));
        assert_eq!(&titles(&l)[..3], ["Time", "User", "Event"]);
        assert!(l.step(&b(Column::Event), Side::Left));
        assert_eq!(&titles(&l)[..3], ["Time", "Event", "User"]);
        assert!(!l.step(&b(Column::Time), Side::Left));
        assert!(!l.step(&b(Column::Account), Side::Right));
        assert!(l.step(&b(Column::Time), Side::Right));
        assert_eq!(&titles(&l)[..2], ["Event", "Time"]);
    }

    #[test]
    fn a_drop_takes_the_targets_place() {
        let mut l = ColumnLayout::default();
        // Leftwards: before the target.
        assert!(l.move_to(&b(Column::Account), Some(&b(Column::Time))));
        assert_eq!(&titles(&l)[..2], ["Account", "Time"]);
        // Onto the right neighbour: one step right.
        assert!(l.move_to(&b(Column::Account), Some(&b(Column::Time))));
        assert_eq!(&titles(&l)[..2], ["Time", "Account"]);
        assert!(!l.move_to(&b(Column::Account), Some(&b(Column::Account))));
        assert!(l.move_to(&b(Column::Account), None));
        assert_eq!(titles(&l).last().unwrap(), "Account");
        assert!(!l.move_to(&b(Column::Account), None), "already last");
        let before = l.clone();
        assert!(!l.move_to(&b(Column::Time), Some(&ColumnId::Path("x".into()))));
        assert_eq!(l, before);
    }

    #[test]
    fn widths_are_clamped_whole_pixels() {
        let mut l = ColumnLayout::default();
        assert_eq!(l.set_width(&b(Column::Ip), 10.0), Some(MIN_WIDTH));
        assert_eq!(l.set_width(&b(Column::Ip), 1e9), Some(MAX_WIDTH));
        assert_eq!(l.set_width(&b(Column::Ip), 201.6), Some(202));
        assert_eq!(l.set_width(&b(Column::Ip), f64::NAN), Some(MIN_WIDTH));
        assert_eq!(l.set_width(&ColumnId::Path("nope".into()), 100.0), None);
    }

    #[test]
    fn paths_are_added_once_in_their_display_form() {
        let mut l = ColumnLayout::default();
        let id = l.add_path(" requestParameters.RegionId ").unwrap();
        assert_eq!(id, ColumnId::Path("requestParameters.RegionId".into()));
        assert_eq!(titles(&l).last().unwrap(), "requestParameters.RegionId");
        // The same path spelled another way is the same column.
        assert_eq!(l.add_path("requestParameters[\"RegionId\"]").unwrap(), id);
        assert_eq!(l.specs().len(), Column::ALL.len() + 1);
        // A built-in column's field shows that column.
        l.set_shown(&b(Column::Event), Shown::Hidden).unwrap();
        assert_eq!(l.add_path("eventName").unwrap(), b(Column::Event));
        assert_eq!(l.shown(&b(Column::Event)), Some(Shown::Visible));
        for bad in ["", "  ", "a[", "a[x]"] {
            assert!(
                matches!(l.add_path(bad), Err(LayoutError::BadPath(_))),
                "{bad:?}"
            );
        }
        for i in 1..MAX_PATH_COLUMNS {
            l.add_path(&format!("p{i}")).unwrap();
        }
        assert_eq!(l.add_path("one.more"), Err(LayoutError::TooManyPaths));
        l.remove_path(&id);
        assert!(l.add_path("one.more").is_ok());
        // Built-in columns are not removed.
        l.remove_path(&b(Column::Time));
        assert!(l.shown(&b(Column::Time)).is_some());
    }

    #[test]
    fn removing_the_last_visible_path_column_shows_a_builtin_one() {
        let mut l = ColumnLayout::default();
        let id = l.add_path("a.b").unwrap();
        for c in Column::ALL {
            l.set_shown(&b(c), Shown::Hidden).unwrap();
        }
        assert_eq!(titles(&l), ["a.b"]);
        l.remove_path(&id);
        assert_eq!(titles(&l), ["Time"]);
    }

    #[test]
    fn storage_round_trips() {
        let mut l = ColumnLayout::default();
        l.add_path("requestParameters[\"a;b\"]").unwrap();
        l.set_shown(&b(Column::Service), Shown::Hidden).unwrap();
        l.set_width(&b(Column::Ip), 240.0);
        l.move_to(&b(Column::Account), Some(&b(Column::Event)));
        assert_eq!(ColumnLayout::from_storage(&l.to_storage()), Some(l));
    }

    #[test]
    fn storage_is_read_tolerantly() {
        assert_eq!(ColumnLayout::from_storage("not json"), None);
        assert_eq!(ColumnLayout::from_storage(r#"{"v":2,"columns":[]}"#), None);
        assert_eq!(ColumnLayout::from_storage("[]"), None);
        // Unknown, repeated and bad entries dropped; widths clamped; missing built-ins added.
        let l = ColumnLayout::from_storage(
            r#"{"v":1,"columns":[{"id":"ip","width":5},{"id":"nope"},{"id":"ip"},{"path":"a["},
               {"path":"x.y","hidden":true,"width":"wide"},7,{"id":"time","hidden":true}]}"#,
        )
        .unwrap();
        assert_eq!(l.specs()[0].id, b(Column::Ip));
        assert_eq!(l.specs()[0].width, Some(MIN_WIDTH));
        assert_eq!(l.specs()[1].id, ColumnId::Path("x.y".into()));
        assert_eq!(l.specs()[1].shown, Shown::Hidden);
        assert_eq!(l.specs()[1].width, None);
        assert_eq!(l.shown(&b(Column::Time)), Some(Shown::Hidden));
        assert_eq!(l.specs().len(), Column::ALL.len() + 1);
        // Nothing visible: the first column is shown.
        let all_hidden: Vec<String> = Column::ALL
            .iter()
            .map(|c| format!(r#"{{"id":"{}","hidden":true}}"#, c.key()))
            .collect();
        let l = ColumnLayout::from_storage(&format!(
            r#"{{"v":1,"columns":[{}]}}"#,
            all_hidden.join(",")
        ))
        .unwrap();
        assert_eq!(l.visible().count(), 1);
        // Too many paths: the first MAX_PATH_COLUMNS are kept.
        let paths: Vec<String> = (0..MAX_PATH_COLUMNS + 3)
            .map(|i| format!(r#"{{"path":"p{i}"}}"#))
            .collect();
        let l =
            ColumnLayout::from_storage(&format!(r#"{{"v":1,"columns":[{}]}}"#, paths.join(",")))
                .unwrap();
        assert_eq!(l.specs().len(), Column::ALL.len() + MAX_PATH_COLUMNS);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Toggle(usize),
        Step(usize, bool),
        Drop(usize, Option<usize>),
        Width(usize, f64),
        AddPath(u8),
        RemovePath(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0usize..20).prop_map(Op::Toggle),
            (0usize..20, any::<bool>()).prop_map(|(i, r)| Op::Step(i, r)),
            (0usize..20, proptest::option::of(0usize..20)).prop_map(|(i, j)| Op::Drop(i, j)),
            (0usize..20, -100.0f64..2000.0).prop_map(|(i, w)| Op::Width(i, w)),
            (0u8..10).prop_map(Op::AddPath),
            (0usize..20).prop_map(Op::RemovePath),
        ]
    }

    proptest! {
        /// Whatever the user does: every built-in column is in the layout exactly once, no
        /// column twice, at least one visible, paths within the cap, and the stored text reads
        /// back to the same layout.
        #[test]
        fn any_sequence_of_moves_keeps_the_layout_whole(ops in proptest::collection::vec(op(), 0..40)) {
            let mut l = ColumnLayout::default();
            for o in ops {
                let n = l.specs().len();
                let id = |i: usize| l.specs()[i % n].id.clone();
                match o {
                    Op::Toggle(i) => {
                        let id = id(i);
                        let next = match l.shown(&id) { Some(Shown::Visible) => Shown::Hidden, _ => Shown::Visible };
                        let _ = l.set_shown(&id, next);
                    }
                    Op::Step(i, right) => { let id = id(i); l.step(&id, if right { Side::Right } else { Side::Left }); }
                    Op::Drop(i, j) => { let a = id(i); let bb = j.map(id); l.move_to(&a, bb.as_ref()); }
                    Op::Width(i, w) => { let id = id(i); l.set_width(&id, w); }
                    Op::AddPath(k) => { let _ = l.add_path(&format!("requestParameters.p{k}")); }
                    Op::RemovePath(i) => { let id = id(i); l.remove_path(&id); }
                }
                for c in Column::ALL {
                    prop_assert_eq!(l.specs().iter().filter(|s| s.id == ColumnId::Builtin(c)).count(), 1);
                }
                for (i, s) in l.specs().iter().enumerate() {
                    prop_assert!(!l.specs()[i + 1..].iter().any(|t| t.id == s.id));
                    if let Some(w) = s.width { prop_assert!((MIN_WIDTH..=MAX_WIDTH).contains(&w)); }
                }
                prop_assert!(l.visible().count() >= 1);
                prop_assert!(l.paths() <= MAX_PATH_COLUMNS);
                prop_assert_eq!(ColumnLayout::from_storage(&l.to_storage()), Some(l.clone()));
            }
        }

        /// A step moves the column past exactly one visible neighbour: the visible order is
        /// the old one with two neighbours swapped.
        #[test]
        fn a_step_swaps_two_visible_neighbours(hidden in proptest::collection::vec(any::<bool>(), 10), pick in 0usize..10, right in any::<bool>()) {
            let mut l = ColumnLayout::default();
            for (c, h) in Column::ALL.into_iter().zip(hidden) {
                if h { let _ = l.set_shown(&ColumnId::Builtin(c), Shown::Hidden); }
            }
            let before = l.visible_ids();
            let id = before[pick % before.len()].clone();
            let k = before.iter().position(|x| *x == id).unwrap();
            let moved = l.step(&id, if right { Side::Right } else { Side::Left });
            let mut want = before.clone();
            let other = if right { k + 1 } else { k.wrapping_sub(1) };
            if other < before.len() {
                want.swap(k, other);
                prop_assert!(moved);
            } else {
                prop_assert!(!moved);
            }
            prop_assert_eq!(l.visible_ids(), want);
        }
    }
}
