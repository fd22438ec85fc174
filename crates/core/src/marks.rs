//! Rows the user marked in the table (its checkbox column, Ctrl/⌘+click, `x`): two of them
//! are compared, any number copied. A mark names the event by its `eventId`, so it outlives a
//! sort, a filter, a page change and an Add that brings the same event again; an event without
//! an id is marked by its row (rows keep their place until a Replace, which clears the marks).

use crate::engine::EventStore;
use crate::numbers::thousands;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkKey {
    Event(String),
    Row(u32),
}

impl MarkKey {
    pub fn of(store: &EventStore, row: u32) -> MarkKey {
        match store.event_id(row) {
            "" => MarkKey::Row(row),
            id => MarkKey::Event(id.to_string()),
        }
    }

    fn row(&self, store: &EventStore) -> Option<u32> {
        match self {
            MarkKey::Event(id) => store.row_of_event_id(id),
            MarkKey::Row(r) => ((*r as usize) < store.len()).then_some(*r),
        }
    }
}

/// The marked events, in the order they were marked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks(Vec<MarkKey>);

impl Marks {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, store: &EventStore, row: u32) -> bool {
        let k = MarkKey::of(store, row);
        self.0.contains(&k)
    }

    /// Marks the row's event, or unmarks it.
    pub fn toggle(&mut self, store: &EventStore, row: u32) {
        let k = MarkKey::of(store, row);
        match self.0.iter().position(|m| *m == k) {
            Some(i) => {
                self.0.remove(i);
            }
            None => self.0.push(k),
        }
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The marked events' rows, in the order they were marked.
    pub fn rows(&self, store: &EventStore) -> Vec<u32> {
        self.0.iter().filter_map(|m| m.row(store)).collect()
    }

    /// The two events to compare, first marked first: only when exactly two are marked.
    pub fn pair(&self, store: &EventStore) -> Option<(u32, u32)> {
        match self.rows(store)[..] {
            [a, b] => Some((a, b)),
            _ => None,
        }
    }

    /// What "Copy rows" copies: the marked events in the table's `order` (all rows, sorted;
    /// marked rows that the filters hide are copied too), else the selected one.
    pub fn rows_to_copy(
        &self,
        store: &EventStore,
        order: &[u32],
        selected: Option<u32>,
    ) -> Vec<u32> {
        let marked = self.rows(store);
        if marked.is_empty() {
            return selected
                .filter(|&r| (r as usize) < store.len())
                .into_iter()
                .collect();
        }
        if marked.len() <= 8 {
            return order
                .iter()
                .copied()
                .filter(|r| marked.contains(r))
                .collect();
        }
        let mut is_marked = vec![false; store.len()];
        for &r in &marked {
            is_marked[r as usize] = true;
        }
        order
            .iter()
            .copied()
            .filter(|&r| is_marked.get(r as usize).copied().unwrap_or(false))
            .collect()
    }
}

/// A row's checkbox's accessible name: "Mark DescribeInstances 2026-11-30 10:00:00".
pub fn mark_label(event_name: &str, time: &str) -> String {
    match (event_name, time) {
        ("", "") => "Mark event".to_string(),
        ("", t) => format!("Mark event {t}"),
        (e, "") => format!("Mark {e}"),
        (e, t) => format!("Mark {e} {t}"),
    }
}

/// The Compare button's hint.
pub fn compare_hint(marked: usize) -> String {
    match marked {
        2 => "Compare the two marked events".to_string(),
        n => format!(
            "Mark exactly two events to compare them ({} marked)",
            thousands(n)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store() -> EventStore {
        let mut s = EventStore::new();
        s.push(&json!({"eventId": "a", "eventName": "Run"}).to_string());
        s.push(&json!({"eventName": "NoId"}).to_string());
        s.push(&json!({"eventId": "c"}).to_string());
        s
    }

    #[test]
    fn marks_follow_the_event_and_pair_only_two() {
        let s = store();
        let mut m = Marks::default();
        m.toggle(&s, 2);
        assert_eq!(m.pair(&s), None);
        m.toggle(&s, 1);
        assert!(m.contains(&s, 1) && m.contains(&s, 2) && !m.contains(&s, 0));
        assert_eq!(m.pair(&s), Some((2, 1)), "first marked first");
        m.toggle(&s, 0);
        assert_eq!((m.len(), m.pair(&s)), (3, None));
        m.toggle(&s, 2);
        assert_eq!(m.rows(&s), [1, 0]);
        // The same event added again is still marked; a cleared store has none of them.
        let mut again = s.clone();
        again.push(&json!({"eventId": "a", "eventName": "Run"}).to_string());
        assert!(m.contains(&again, 0));
        let mut empty = s.clone();
        empty.clear();
        assert!(m.rows(&empty).is_empty());
        m.clear();
        assert!(m.is_empty());
    }

    #[test]
    fn rows_to_copy_are_the_marked_in_table_order_else_the_selected() {
        let s = store();
        let mut m = Marks::default();
        let order = [2, 0, 1];
        assert_eq!(m.rows_to_copy(&s, &order, Some(1)), [1]);
        assert!(m.rows_to_copy(&s, &order, None).is_empty());
        assert!(m.rows_to_copy(&s, &order, Some(9)).is_empty());
        m.toggle(&s, 0);
        m.toggle(&s, 2);
        assert_eq!(m.rows_to_copy(&s, &order, Some(1)), [2, 0]);
        // Many marks: the same answer by another way.
        let mut big = EventStore::new();
        for i in 0..20 {
            big.push(&json!({"eventId": format!("e{i}")}).to_string());
        }
        let mut m = Marks::default();
        for r in (0..20).step_by(2) {
            m.toggle(&big, r);
        }
        let order: Vec<u32> = (0..20).rev().collect();
        let want: Vec<u32> = (0..20).rev().filter(|r| r % 2 == 0).collect();
        assert_eq!(m.rows_to_copy(&big, &order, None), want);
    }

    #[test]
    fn labels() {
        assert_eq!(
            mark_label("DescribeInstances", "2026-11-30 10:00:00"),
            "Mark DescribeInstances 2026-11-30 10:00:00"
        );
        assert_eq!(mark_label("", ""), "Mark event");
        assert_eq!(compare_hint(2), "Compare the two marked events");
        assert_eq!(
            compare_hint(1),
            "Mark exactly two events to compare them (1 marked)"
        );
    }
}
