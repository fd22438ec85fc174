//! The JSON tree as a flat list: what the virtualised tree component draws from.
//!
//! A document is indexed once into [`TreeIndex`]: one [`Node`] per value in pre-order (plus a
//! synthetic group node per [`GROUP`] items of a long array), each knowing its parent, depth,
//! position among its siblings and where its subtree ends. Expansion is one bit per node, so
//! "expand all" is a fill and the visible rows are a pre-order walk that jumps over closed
//! subtrees: O(visible rows), never a DOM or allocation per hidden node. The component renders
//! only the rows in its scroll viewport from [`TreeIndex::visible`].
//!
//! Values are not copied: a row's value is looked up in the document by [`TreeIndex::path`].

use crate::json_path::{JsonPath, Segment};
use serde_json::Value;

/// Arrays longer than this are shown as ranges of this many items.
pub const GROUP: usize = 100;

/// What a row is called in its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Root,
    Key(Box<str>),
    Index(u32),
    /// A group of array items `start..end` (exclusive).
    Range(u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An object with this many members.
    Object(u32),
    /// An array with this many items.
    Array(u32),
    /// A range of a long array's items.
    Group,
    /// A string, number, bool or null.
    Leaf,
}

#[derive(Debug, Clone)]
pub struct Node {
    /// `NONE` for the root.
    pub parent: u32,
    /// 0 for the root (ARIA level = depth + 1).
    pub depth: u32,
    /// 1-based position among its siblings (ARIA posinset).
    pub pos: u32,
    /// How many rows it shows when open (groups, not items, for a long array).
    pub children: u32,
    /// One past the last node of its subtree, in pre-order.
    pub end: u32,
    pub label: Label,
    pub kind: Kind,
}

impl Node {
    pub fn is_container(&self) -> bool {
        !matches!(self.kind, Kind::Leaf)
    }
}

pub const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Default)]
pub struct TreeIndex {
    nodes: Vec<Node>,
}

impl TreeIndex {
    pub fn build(doc: &Value) -> TreeIndex {
        let mut t = TreeIndex { nodes: Vec::new() };
        t.add(doc, NONE, 0, 1, Label::Root);
        t
    }

    fn push(&mut self, parent: u32, depth: u32, pos: u32, label: Label, kind: Kind) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            parent,
            depth,
            pos,
            children: 0,
            end: 0,
            label,
            kind,
        });
        id
    }

    // Recursion depth follows the document's nesting; serde_json refuses documents nested
    // deeper than 128, so this cannot overflow the stack.
    fn add(&mut self, v: &Value, parent: u32, depth: u32, pos: u32, label: Label) {
        match v {
            Value::Object(m) => {
                let id = self.push(parent, depth, pos, label, Kind::Object(m.len() as u32));
                self.nodes[id].children = m.len() as u32;
                for (i, (k, c)) in m.iter().enumerate() {
                    self.add(
                        c,
                        id as u32,
                        depth + 1,
                        i as u32 + 1,
                        Label::Key(k.as_str().into()),
                    );
                }
                self.nodes[id].end = self.nodes.len() as u32;
            }
            Value::Array(a) => {
                let id = self.push(parent, depth, pos, label, Kind::Array(a.len() as u32));
                if a.len() > GROUP {
                    self.nodes[id].children = a.len().div_ceil(GROUP) as u32;
                    for (g, start) in (0..a.len()).step_by(GROUP).enumerate() {
                        let end = (start + GROUP).min(a.len());
                        let gid = self.push(
                            id as u32,
                            depth + 1,
                            g as u32 + 1,
                            Label::Range(start as u32, end as u32),
                            Kind::Group,
                        );
                        self.nodes[gid].children = (end - start) as u32;
                        for (i, c) in a.iter().enumerate().take(end).skip(start) {
                            self.add(
                                c,
                                gid as u32,
                                depth + 2,
                                (i - start) as u32 + 1,
                                Label::Index(i as u32),
                            );
                        }
                        self.nodes[gid].end = self.nodes.len() as u32;
                    }
                } else {
                    self.nodes[id].children = a.len() as u32;
                    for (i, c) in a.iter().enumerate() {
                        self.add(
                            c,
                            id as u32,
                            depth + 1,
                            i as u32 + 1,
                            Label::Index(i as u32),
                        );
                    }
                }
                self.nodes[id].end = self.nodes.len() as u32;
            }
            _ => {
                let id = self.push(parent, depth, pos, label, Kind::Leaf);
                self.nodes[id].end = id as u32 + 1;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn node(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    /// ARIA setsize: how many siblings the node has, itself included.
    pub fn set_size(&self, id: u32) -> u32 {
        match self.node(id).parent {
            NONE => 1,
            p => self.node(p).children,
        }
    }

    /// The node's path in the document (groups are not part of paths).
    pub fn path(&self, id: u32) -> JsonPath {
        let mut segs = Vec::new();
        let mut cur = id;
        while cur != NONE {
            let n = self.node(cur);
            match &n.label {
                Label::Key(k) => segs.push(Segment::Key(k.to_string())),
                Label::Index(i) => segs.push(Segment::Index(*i as usize)),
                Label::Root | Label::Range(..) => {}
            }
            cur = n.parent;
        }
        segs.reverse();
        JsonPath(segs)
    }

    /// A stable key per row: the path, or `path#start` for a group (`items#200`).
    pub fn key(&self, id: u32) -> String {
        match self.node(id).label {
            Label::Range(start, _) => format!("{}#{start}", self.path(id)),
            _ => self.path(id).to_string(),
        }
    }

    /// The value a node stands for (`None` for a group or a path that is not in `doc`).
    pub fn value<'a>(&self, doc: &'a Value, id: u32) -> Option<&'a Value> {
        match self.node(id).kind {
            Kind::Group => None,
            _ => self.path(id).lookup(doc),
        }
    }

    /// The rows shown when `open` says which containers are open: pre-order, skipping closed
    /// subtrees. Ascending, so a node's row is found by binary search.
    pub fn visible(&self, open: &Expansion) -> Vec<u32> {
        let mut out = Vec::new();
        let mut i = 0u32;
        let n = self.nodes.len() as u32;
        while i < n {
            out.push(i);
            let node = &self.nodes[i as usize];
            i = if node.is_container() && !open.is_open(i) {
                node.end
            } else {
                i + 1
            };
        }
        out
    }

    /// The default view: the root and its direct children that are objects or short arrays.
    pub fn default_expansion(&self) -> Expansion {
        let mut e = Expansion::new(self.len());
        if self.is_empty() {
            return e;
        }
        e.set(0, true);
        let root = &self.nodes[0];
        let mut c = 1u32;
        while c < root.end {
            let n = &self.nodes[c as usize];
            if matches!(n.kind, Kind::Object(_))
                || matches!(n.kind, Kind::Array(len) if len as usize <= GROUP)
            {
                e.set(c, true);
            }
            c = n.end;
        }
        e
    }

    /// Everything open.
    pub fn all_expanded(&self) -> Expansion {
        let mut e = Expansion::new(self.len());
        e.bits.fill(u64::MAX);
        e
    }

    /// Only the root open.
    pub fn collapsed(&self) -> Expansion {
        let mut e = Expansion::new(self.len());
        if !self.is_empty() {
            e.set(0, true);
        }
        e
    }

    /// The nearest ancestor of `id` that is closed in `open` (the row that stands for `id` when
    /// it is hidden), or `id` itself when it is visible.
    pub fn visible_ancestor(&self, id: u32, open: &Expansion) -> u32 {
        let mut out = id;
        let mut cur = self.node(id).parent;
        while cur != NONE {
            if !open.is_open(cur) {
                out = cur;
            }
            cur = self.node(cur).parent;
        }
        out
    }
}

impl TreeIndex {
    /// Nodes whose key, or whose value if it is a string, number, bool or null, contains
    /// `needle` ignoring case, in document order (ascending ids). Empty for an empty needle.
    pub fn find(&self, doc: &Value, needle: &str) -> Vec<u32> {
        let needle = needle.trim().to_lowercase();
        let mut out = Vec::new();
        if needle.is_empty() || self.is_empty() {
            return out;
        }
        let mut id = 0u32;
        self.find_in(doc, &needle, &mut id, &mut out);
        out
    }

    /// Walks `v` in the order `add` numbered it (group nodes included in the count).
    fn find_in(&self, v: &Value, needle: &str, id: &mut u32, out: &mut Vec<u32>) {
        let me = *id;
        *id += 1;
        let key_hit =
            matches!(&self.node(me).label, Label::Key(k) if k.to_lowercase().contains(needle));
        let value_hit = match v {
            Value::String(s) => s.to_lowercase().contains(needle),
            Value::Number(n) => n.to_string().contains(needle),
            Value::Bool(b) => b.to_string().contains(needle),
            Value::Null => "null".contains(needle),
            _ => false,
        };
        if key_hit || value_hit {
            out.push(me);
        }
        match v {
            Value::Object(m) => {
                for c in m.values() {
                    self.find_in(c, needle, id, out);
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    if a.len() > GROUP && i % GROUP == 0 {
                        *id += 1; // the group node
                    }
                    self.find_in(c, needle, id, out);
                }
            }
            _ => {}
        }
    }

    /// Open every ancestor of `id`, so its row is visible.
    pub fn reveal(&self, open: &mut Expansion, id: u32) {
        let mut cur = self.node(id).parent;
        while cur != NONE {
            open.set(cur, true);
            cur = self.node(cur).parent;
        }
    }
}

/// Which containers are open: one bit per node.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expansion {
    bits: Vec<u64>,
}

impl Expansion {
    pub fn new(nodes: usize) -> Expansion {
        Expansion {
            bits: vec![0; nodes.div_ceil(64)],
        }
    }
    pub fn is_open(&self, id: u32) -> bool {
        self.bits
            .get(id as usize / 64)
            .is_some_and(|w| w >> (id % 64) & 1 == 1)
    }
    pub fn set(&mut self, id: u32, open: bool) {
        if let Some(w) = self.bits.get_mut(id as usize / 64) {
            if open {
                *w |= 1 << (id % 64);
            } else {
                *w &= !(1 << (id % 64));
            }
        }
    }
    pub fn toggle(&mut self, id: u32) {
        let open = self.is_open(id);
        self.set(id, !open);
    }
}

/// A move of the active row per the WAI-ARIA tree pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Down,
    Up,
    /// Page Down / Page Up: this many rows.
    PageDown(usize),
    PageUp(usize),
    Home,
    End,
    /// → : open a closed container, or go to the first child of an open one.
    Right,
    /// ← : close an open container, or go to the parent.
    Left,
    /// Enter / Space: toggle a container.
    Toggle,
}

/// What a key press does: the new active node, and a container to open or close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavOutcome {
    pub active: u32,
    pub set_open: Option<(u32, bool)>,
}

impl TreeIndex {
    /// Apply `nav` to the active node `active` over the rows `visible` (from [`Self::visible`]).
    pub fn navigate(&self, visible: &[u32], open: &Expansion, active: u32, nav: Nav) -> NavOutcome {
        let stay = NavOutcome {
            active,
            set_open: None,
        };
        if visible.is_empty() {
            return stay;
        }
        let Ok(pos) = visible.binary_search(&active) else {
            return NavOutcome {
                active: visible[0],
                set_open: None,
            };
        };
        let go = |p: usize| NavOutcome {
            active: visible[p.min(visible.len() - 1)],
            set_open: None,
        };
        let node = self.node(active);
        match nav {
            Nav::Down => go(pos + 1),
            Nav::Up => go(pos.saturating_sub(1)),
            Nav::PageDown(n) => go(pos.saturating_add(n.max(1))),
            Nav::PageUp(n) => go(pos.saturating_sub(n.max(1))),
            Nav::Home => go(0),
            Nav::End => go(visible.len() - 1),
            Nav::Right if node.is_container() => {
                if open.is_open(active) {
                    if node.end > active + 1 {
                        go(pos + 1)
                    } else {
                        stay
                    }
                } else {
                    NavOutcome {
                        active,
                        set_open: Some((active, true)),
                    }
                }
            }
            Nav::Right => stay,
            Nav::Left if node.is_container() && open.is_open(active) => NavOutcome {
                active,
                set_open: Some((active, false)),
            },
            Nav::Left => match node.parent {
                NONE => stay,
                p => NavOutcome {
                    active: p,
                    set_open: None,
                },
            },
            Nav::Toggle if node.is_container() => NavOutcome {
                active,
                set_open: Some((active, !open.is_open(active))),
            },
            Nav::Toggle => stay,
        }
    }
}

/// Vertical layout of the visible rows: every row is `row` pixels tall, except rows whose long
/// string is opened ("show more"), which are `tall` pixels. `tall_rows` are their indices in the
/// visible list, ascending.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowLayout<'a> {
    pub row: f64,
    pub tall: f64,
    pub tall_rows: &'a [usize],
}

impl RowLayout<'_> {
    /// Top of visible row `i`.
    pub fn offset(&self, i: usize) -> f64 {
        let before = self.tall_rows.partition_point(|&t| t < i);
        i as f64 * self.row + before as f64 * (self.tall - self.row)
    }

    /// Height of all `n` rows.
    pub fn total(&self, n: usize) -> f64 {
        self.offset(n)
    }

    /// The visible row at pixel `y` (clamped to `0..n`).
    pub fn index_at(&self, y: f64, n: usize) -> usize {
        if n == 0 || y <= 0.0 {
            return 0;
        }
        // Walk the tall rows (few) and divide the plain stretches.
        let mut top = 0.0;
        let mut start = 0usize;
        for &t in self.tall_rows {
            let stretch_end = top + (t - start) as f64 * self.row;
            if y < stretch_end {
                break;
            }
            if y < stretch_end + self.tall {
                return t.min(n - 1);
            }
            top = stretch_end + self.tall;
            start = t + 1;
        }
        let i = start + ((y - top) / self.row) as usize;
        i.min(n - 1)
    }

    /// The rows to render for a viewport `[scroll_top, scroll_top + height)`, with `overscan`
    /// extra rows on each side.
    pub fn window(
        &self,
        scroll_top: f64,
        height: f64,
        n: usize,
        overscan: usize,
    ) -> (usize, usize) {
        if n == 0 {
            return (0, 0);
        }
        let first = self.index_at(scroll_top, n);
        let last = self.index_at(scroll_top + height, n);
        (first.saturating_sub(overscan), (last + 1 + overscan).min(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(t: &TreeIndex, rows: &[u32]) -> Vec<String> {
        rows.iter().map(|&r| t.key(r)).collect()
    }

    #[test]
    fn index_is_pre_order_with_paths_levels_and_positions() {
        let doc = json!({"a": {"b": [1, 2]}, "c": "x", "d.e": null});
        let t = TreeIndex::build(&doc);
        assert_eq!(t.len(), 7);
        let all: Vec<u32> = (0..7).collect();
        assert_eq!(
            keys(&t, &all),
            ["", "a", "a.b", "a.b[0]", "a.b[1]", "c", "[\"d.e\"]"]
        );
        let b = t.node(2);
        assert_eq!((b.depth, b.pos, b.children, b.end), (2, 1, 2, 5));
        assert_eq!(t.set_size(1), 3);
        assert_eq!(t.node(6).pos, 3);
        assert_eq!(t.set_size(0), 1);
        assert_eq!(t.value(&doc, 4), Some(&json!(2)));
        assert_eq!(t.value(&doc, 6), Some(&Value::Null));
    }

    #[test]
    fn default_view_opens_root_and_its_objects_and_short_arrays() {
        let long: Vec<_> = (0..150).collect();
        let doc = json!({"a": {"x": {"y": 1}}, "l": long, "s": [1], "z": 3});
        let t = TreeIndex::build(&doc);
        let v = t.visible(&t.default_expansion());
        assert_eq!(keys(&t, &v), ["", "a", "a.x", "l", "s", "s[0]", "z"]);
        assert_eq!(
            keys(&t, &t.visible(&t.collapsed())),
            ["", "a", "l", "s", "z"]
        );
    }

    #[test]
    fn long_arrays_are_grouped_by_hundreds() {
        let items: Vec<_> = (0..250).map(|i| json!({ "n": i })).collect();
        let doc = json!({ "items": items });
        let t = TreeIndex::build(&doc);
        // root, items, 3 groups, 250 objects, 250 leaves
        assert_eq!(t.len(), 1 + 1 + 3 + 500);
        let mut open = t.default_expansion();
        open.set(1, true);
        let v = t.visible(&open);
        assert_eq!(
            keys(&t, &v),
            ["", "items", "items#0", "items#100", "items#200"]
        );
        assert_eq!(t.node(1).children, 3);
        let g = v[4];
        assert_eq!(t.node(g).label, Label::Range(200, 250));
        assert_eq!((t.node(g).pos, t.set_size(g)), (3, 3));
        open.set(g, true);
        let v = t.visible(&open);
        assert_eq!(v.len(), 5 + 50);
        assert_eq!(t.key(v[5]), "items[200]");
        assert_eq!((t.node(v[5]).pos, t.set_size(v[5])), (1, 50));
        assert_eq!(t.node(v[5]).depth, 3);
        assert_eq!(t.path(v[5]).lookup(&doc), Some(&json!({"n": 200})));
    }

    #[test]
    fn expand_all_shows_every_node_and_is_cheap_for_large_documents() {
        let items: Vec<_> = (0..30_000)
            .map(|i| json!({"a": i, "b": "x", "c": {"d": i}}))
            .collect();
        let doc = json!({ "items": items });
        let t = TreeIndex::build(&doc);
        let v = t.visible(&t.all_expanded());
        assert_eq!(v.len(), t.len());
        assert_eq!(t.len(), 2 + 300 + 30_000 * 5);
        assert!(v.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn find_matches_keys_and_values_and_reveals_them() {
        let items: Vec<_> = (0..150).map(|i| json!({ "n": i })).collect();
        let doc = json!({"userName": "Alice", "items": items, "deep": {"a": {"AccessKeyId": "LTAI5"}}, "ok": true});
        let t = TreeIndex::build(&doc);
        let keys_of = |ids: Vec<u32>| ids.iter().map(|&i| t.key(i)).collect::<Vec<_>>();
        assert_eq!(keys_of(t.find(&doc, "alice")), ["userName"]);
        assert_eq!(keys_of(t.find(&doc, "ACCESSKEY")), ["deep.a.AccessKeyId"]);
        assert_eq!(keys_of(t.find(&doc, "ltai")), ["deep.a.AccessKeyId"]);
        assert_eq!(keys_of(t.find(&doc, "tru")), ["ok"]);
        // Numbers inside grouped arrays: ids line up with the index (groups counted).
        assert_eq!(keys_of(t.find(&doc, "149")), ["items[149].n"]);
        assert_eq!(
            t.find(&doc, "12").len(),
            12,
            "12, 112 and 120..=129: {:?}",
            keys_of(t.find(&doc, "12"))
        );
        assert!(t.find(&doc, "  ").is_empty());
        let ids = t.find(&doc, "149");
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let mut open = t.collapsed();
        let target = ids[0];
        assert!(t.visible(&open).binary_search(&target).is_err());
        t.reveal(&mut open, target);
        assert!(t.visible(&open).binary_search(&target).is_ok());
    }

    #[test]
    fn hidden_nodes_map_to_their_closed_ancestor() {
        let doc = json!({"a": {"b": {"c": 1}}});
        let t = TreeIndex::build(&doc);
        let mut open = t.all_expanded();
        open.set(1, false);
        assert_eq!(t.visible_ancestor(3, &open), 1);
        assert_eq!(t.visible_ancestor(1, &open), 1);
        assert_eq!(t.visible_ancestor(0, &open), 0);
    }

    #[test]
    fn keyboard_follows_the_aria_tree_pattern() {
        let doc = json!({"a": {"b": 1}, "c": 2});
        let t = TreeIndex::build(&doc);
        let mut open = t.all_expanded();
        let nav = |open: &Expansion, active, n| {
            let v = t.visible(open);
            t.navigate(&v, open, active, n)
        };
        // ids: 0 root, 1 a, 2 a.b, 3 c
        assert_eq!(nav(&open, 0, Nav::Down).active, 1);
        let o = nav(&open, 1, Nav::Left);
        assert_eq!(o.set_open, Some((1, false)));
        open.set(1, false);
        assert_eq!(
            nav(&open, 1, Nav::Down).active,
            3,
            "closed children skipped"
        );
        assert_eq!(nav(&open, 1, Nav::Right).set_open, Some((1, true)));
        open.set(1, true);
        assert_eq!(nav(&open, 1, Nav::Right).active, 2);
        assert_eq!(nav(&open, 2, Nav::Left).active, 1, "leaf: to parent");
        assert_eq!(
            nav(&open, 2, Nav::Right),
            NavOutcome {
                active: 2,
                set_open: None
            }
        );
        assert_eq!(nav(&open, 2, Nav::End).active, 3);
        assert_eq!(nav(&open, 3, Nav::Home).active, 0);
        assert_eq!(nav(&open, 0, Nav::PageDown(2)).active, 2);
        assert_eq!(nav(&open, 0, Nav::PageDown(99)).active, 3);
        assert_eq!(nav(&open, 3, Nav::PageUp(2)).active, 1);
        assert_eq!(nav(&open, 1, Nav::PageUp(99)).active, 0);
        assert_eq!(nav(&open, 3, Nav::Down).active, 3);
        assert_eq!(nav(&open, 0, Nav::Up).active, 0);
        assert_eq!(nav(&open, 0, Nav::Left).set_open, Some((0, false)));
        assert_eq!(nav(&open, 1, Nav::Toggle).set_open, Some((1, false)));
        assert_eq!(nav(&open, 3, Nav::Toggle).set_open, None);
        // An active node that is no longer visible falls back to the first row.
        open.set(1, false);
        assert_eq!(nav(&open, 2, Nav::Down).active, 0);
        // An empty container: → stays.
        let t2 = TreeIndex::build(&json!({"e": {}}));
        let o2 = t2.all_expanded();
        let v2 = t2.visible(&o2);
        assert_eq!(t2.navigate(&v2, &o2, 1, Nav::Right).active, 1);
    }

    #[test]
    fn row_layout_with_tall_rows() {
        let plain = RowLayout {
            row: 20.0,
            tall: 200.0,
            tall_rows: &[],
        };
        assert_eq!(plain.offset(10), 200.0);
        assert_eq!(plain.index_at(199.0, 100), 9);
        assert_eq!(plain.index_at(200.0, 100), 10);
        assert_eq!(plain.index_at(1e9, 100), 99);
        assert_eq!(plain.window(400.0, 100.0, 100, 5), (15, 31));
        assert_eq!(plain.window(0.0, 100.0, 0, 5), (0, 0));

        let tall = [3usize, 5];
        let l = RowLayout {
            row: 20.0,
            tall: 200.0,
            tall_rows: &tall,
        };
        assert_eq!(l.offset(3), 60.0);
        assert_eq!(l.offset(4), 260.0);
        assert_eq!(l.offset(5), 280.0);
        assert_eq!(l.offset(6), 480.0);
        assert_eq!(l.total(7), 500.0);
        for (y, want) in [
            (0.0, 0),
            (59.0, 2),
            (60.0, 3),
            (259.0, 3),
            (260.0, 4),
            (279.0, 4),
            (280.0, 5),
            (479.0, 5),
            (480.0, 6),
            (499.0, 6),
        ] {
            assert_eq!(l.index_at(y, 7), want, "y={y}");
        }
        // index_at is the inverse of offset everywhere.
        for i in 0..7 {
            assert_eq!(l.index_at(l.offset(i), 7), i);
        }
    }
}
