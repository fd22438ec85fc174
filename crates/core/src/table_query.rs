//! What the events table and the jobs table share about how a user edits their view of rows:
//! a header click cycles the sort, each column holds at most one filter, a row's page and the
//! pager's moves.

use crate::page::Page;
use std::cmp::Ordering;

/// Sorts `indices` stably by `cmp`, as `sort_by` does, with one compiled copy of the sort for
/// every caller: the tables and lists sort at most a few thousand rows, and each copy of the
/// standard sort adds kilobytes to the app's wasm.
pub fn sort_indices(indices: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    indices.sort_by(|a, b| cmp(*a, *b));
}

/// `items` sorted stably by `cmp` (as `sort_by` sorts them), through [`sort_indices`].
pub fn sorted_by<T: Clone>(items: &[T], cmp: impl Fn(&T, &T) -> Ordering) -> Vec<T> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_indices(&mut order, &mut |a, b| cmp(&items[a], &items[b]));
    order.into_iter().map(|i| items[i].clone()).collect()
}

/// A column's sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortOrder {
    Ascending,
    Descending,
}

impl SortOrder {
    /// `aria-sort`'s word for it.
    pub fn aria(self) -> &'static str {
        match self {
            SortOrder::Ascending => "ascending",
            SortOrder::Descending => "descending",
        }
    }

    /// The arrow a sorted header shows.
    pub fn arrow(self) -> &'static str {
        match self {
            SortOrder::Ascending => "▲",
            SortOrder::Descending => "▼",
        }
    }
}

/// A click on `column`'s header: ascending, then descending, then back to arrival order; a
/// click on another column sorts it ascending.
pub fn cycle_sort<C: PartialEq>(
    current: Option<(C, SortOrder)>,
    column: C,
) -> Option<(C, SortOrder)> {
    match current {
        Some((c, SortOrder::Ascending)) if c == column => Some((column, SortOrder::Descending)),
        Some((c, SortOrder::Descending)) if c == column => None,
        _ => Some((column, SortOrder::Ascending)),
    }
}

/// Sets `column`'s filter to `text` (an empty text removes it); the latest edited filter is last.
pub fn set_column_filter<C: PartialEq>(filters: &mut Vec<(C, String)>, column: C, text: String) {
    filters.retain(|(c, _)| *c != column);
    if !text.is_empty() {
        filters.push((column, text));
    }
}

/// `column`'s filter text (empty when it has none), for its input box.
pub fn column_filter<C: PartialEq>(filters: &[(C, String)], column: C) -> String {
    filters
        .iter()
        .find(|(c, _)| *c == column)
        .map(|(_, t)| t.clone())
        .unwrap_or_default()
}

/// The page (zero-based, `page_size` rows each) on which `row` appears in `order`, if it does.
pub fn page_of<R: PartialEq>(order: &[R], row: &R, page_size: usize) -> Option<usize> {
    order
        .iter()
        .position(|r| r == row)
        .map(|k| k / page_size.max(1))
}

/// A pager button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStep {
    First,
    Previous,
    Next,
    Last,
}

/// The page index `step` goes to from `page`, or `None` where it leads nowhere (the button is
/// disabled).
pub fn page_step(page: &Page, step: PageStep) -> Option<usize> {
    match step {
        PageStep::First | PageStep::Previous if page.is_first() => None,
        PageStep::Next | PageStep::Last if page.is_last() => None,
        PageStep::First => Some(0),
        PageStep::Previous => Some(page.index - 1),
        PageStep::Next => Some(page.index + 1),
        PageStep::Last => Some(page.count - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SortOrder::*;

    #[test]
    fn header_clicks_cycle_asc_desc_none() {
        let s = cycle_sort(None, 'a');
        assert_eq!(s, Some(('a', Ascending)));
        let s = cycle_sort(s, 'a');
        assert_eq!(s, Some(('a', Descending)));
        assert_eq!(cycle_sort(s, 'a'), None);
        assert_eq!(cycle_sort(s, 'b'), Some(('b', Ascending)), "another column");
        assert_eq!((Ascending.aria(), Descending.arrow()), ("ascending", "▼"));
    }

    #[test]
    fn one_filter_per_column() {
        let mut f = Vec::new();
        set_column_filter(&mut f, 1, "x".into());
        set_column_filter(&mut f, 2, "y".into());
        set_column_filter(&mut f, 1, "z".into());
        assert_eq!(f, vec![(2, "y".to_string()), (1, "z".to_string())]);
        set_column_filter(&mut f, 2, String::new());
        assert_eq!(f, vec![(1, "z".to_string())]);
        assert_eq!(column_filter(&f, 1), "z");
        assert_eq!(column_filter(&f, 2), "", "no filter: an empty box");
    }

    #[test]
    fn the_page_of_a_row() {
        let order = [7usize, 3, 9, 1, 4];
        assert_eq!(page_of(&order, &7, 2), Some(0));
        assert_eq!(page_of(&order, &1, 2), Some(1));
        assert_eq!(page_of(&order, &4, 2), Some(2));
        assert_eq!(page_of(&order, &5, 2), None, "filtered out");
        assert_eq!(
            page_of(&order, &4, 0),
            Some(4),
            "a page holds at least one row"
        );
    }

    #[test]
    fn pager_steps() {
        let p = Page::new(120, 50, 1);
        assert_eq!(page_step(&p, PageStep::First), Some(0));
        assert_eq!(page_step(&p, PageStep::Previous), Some(0));
        assert_eq!(page_step(&p, PageStep::Next), Some(2));
        assert_eq!(page_step(&p, PageStep::Last), Some(2));
        let first = Page::new(120, 50, 0);
        assert_eq!(page_step(&first, PageStep::First), None);
        assert_eq!(page_step(&first, PageStep::Previous), None);
        // An index past the end is clamped to the last page.
        let last = Page::new(120, 50, 9);
        assert_eq!(page_step(&last, PageStep::Previous), Some(1));
        assert_eq!(page_step(&last, PageStep::Next), None);
        assert_eq!(page_step(&last, PageStep::Last), None);
        let empty = Page::new(0, 50, 0);
        assert!([
            PageStep::First,
            PageStep::Previous,
            PageStep::Next,
            PageStep::Last
        ]
        .into_iter()
        .all(|s| page_step(&empty, s).is_none()));
    }
}
