//! Filtering: a [`Filter`] (search text, column filters, tree filters, a time window) compiled
//! once against the store's dictionaries, then checked per row with integer lookups.

use super::store::{EventStore, PendingPath, ABSENT, SYNC_PATH_ROWS};
use crate::columns::ColumnId;
use crate::histogram::TimeWindow;
use crate::json_path::{canonical, JsonPath};
use crate::query::{self, Expr, Pattern, Scope, Warning};
use crate::schema::{Field, FIELDS};
use serde_json::Value;

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
    /// Per-column case-insensitive substring filters (a path column's from its path column,
    /// read in the background like a tree filter's).
    pub columns: Vec<(ColumnId, String)>,
    pub paths: Vec<PathFilter>,
    /// Only events whose time is in the window (`start` inclusive, `end` exclusive; an event
    /// without a time is outside every window): the histogram's selection.
    pub time: Option<TimeWindow>,
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
    /// A path column's filter: `bits[id]` of the path column's value id.
    PathText { path: String, bits: Vec<bool> },
    /// The row's time is in the window.
    Time(TimeWindow),
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
        // Path columns with a filter text (a path that does not parse has no column to read).
        let column_paths: Vec<(JsonPath, Pattern)> = filter
            .columns
            .iter()
            .filter(|(_, text)| !text.trim().is_empty())
            .filter_map(|(col, text)| {
                Some((col.path()?, Pattern::Contains(text.trim().to_lowercase())))
            })
            .collect();
        let keep: Vec<String> = filter
            .paths
            .iter()
            .map(|p| &p.path)
            .chain(&query_paths)
            .chain(column_paths.iter().map(|(p, _)| p))
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
            if let Some(f) = match col {
                ColumnId::Builtin(c) => c.field(),
                ColumnId::Path(_) => None,
            } {
                conds.push(Cond::Column {
                    field: f.idx(),
                    bits: self.field_bits(f, &needle),
                });
            }
        }
        for (path, needle) in &column_paths {
            self.prepare_path(path, sync_rows, &keep, &mut pending);
            let key = path.to_string();
            let bits = self.paths.get(&key).map_or_else(Vec::new, |c| {
                c.dict.lower.iter().map(|s| needle.matches(s)).collect()
            });
            conds.push(Cond::PathText { path: key, bits });
        }
        for pf in &filter.paths {
            let path_s = pf.path.to_string();
            match (Field::from_path(&path_s), &pf.value) {
                (Some(f), Value::String(s)) => {
                    let id = self.dicts[f.idx()].get(s.as_str());
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
                        .and_then(|pc| pc.dict.get(want.as_str()));
                    conds.push(Cond::PathEq {
                        path: path_s,
                        id,
                        negate: pf.exclude,
                    });
                }
            }
        }
        if let Some(w) = filter.time {
            conds.push(Cond::Time(w));
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
            Cond::Time(w) => {
                // `i64::MIN` (no time) is below every window's start but `i64::MIN`'s own.
                for (m, &t) in mask.iter_mut().zip(&self.time) {
                    *m &= t != i64::MIN && w.contains(t);
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
            Cond::PathText { path, bits } => {
                let ids: &[u32] = self.paths.get(path).map_or(&[], |c| &c.ids);
                for (m, &v) in mask.iter_mut().zip(ids) {
                    *m &= v != ABSENT && bits.get(v as usize).copied().unwrap_or(false);
                }
                for m in mask.iter_mut().skip(ids.len()) {
                    *m = false;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fixtures::{run, store, text};
    use crate::engine::store::MAX_PATH_COLUMNS;
    use crate::schema::Column;
    use serde_json::json;

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
    fn time_window_start_inclusive_end_exclusive_with_the_other_filters() {
        let mut s = store();
        let t = |secs: i64| 1_704_067_200_000 + secs * 1000; // 2024-01-01T00:00:00Z + secs
        let w = |a, b| Filter {
            time: TimeWindow::new(t(a), t(b)),
            ..Default::default()
        };
        // Rows 0, 1, 2 are at 00:00:02, :01, :03; row 3 has no time, row 4 is not an event.
        assert_eq!(run(&mut s, w(1, 3), None), vec![0, 1]);
        assert_eq!(run(&mut s, w(2, 4), None), vec![0, 2]);
        assert_eq!(
            run(&mut s, w(-100, 100), None),
            vec![0, 1, 2],
            "no time: outside"
        );
        assert_eq!(run(&mut s, w(4, 5), None), Vec::<u32>::new());
        let f = Filter {
            text: "ecs".into(),
            ..w(0, 100)
        };
        assert_eq!(run(&mut s, f, None), vec![0, 2], "AND-ed with the search");
    }

    #[test]
    fn column_filters() {
        let mut s = store();
        let f = Filter {
            columns: vec![
                (ColumnId::Builtin(Column::Service), "EC".into()),
                (ColumnId::Builtin(Column::User), "a".into()),
            ],
            ..Default::default()
        };
        assert_eq!(run(&mut s, f, None), vec![0]);
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
}
