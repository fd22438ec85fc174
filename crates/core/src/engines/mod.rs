//! The clouds' own query engines: SLS GetLogs ([`sls`]) and CloudWatch Logs Insights
//! ([`insights`]). Each is one state machine the app's driver runs like any paged source
//! (`step` → call → `accept` / `on_error`), and each answer splits into events (rows that hold
//! a whole trail record, read by [`crate::event::EventRecord`] when the store ingests them) and
//! a plain [`ResultTable`] (an SQL aggregation's or a `stats` query's columns).

pub mod editor;
pub mod insights;
pub mod sls;

use serde_json::value::RawValue;

/// The trail records a Cloud query brought into the table over all its answers (and, for an
/// Insights query run as time slices, all its slices): how many came and how many were new.
/// An SLS page's rows add to what came; an Insights answer holds every row of its query so
/// far, so it replaces its query's share ([`Brought::new_answer`]) and a finished slice's
/// share is kept ([`Brought::next_slice`]). What was new always adds up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Brought {
    /// Records of the slices already finished.
    done: usize,
    /// Records of the current query (or slice) so far.
    current: usize,
    added: usize,
}

impl Brought {
    /// `came` records reached the store, `added` of them new to it.
    pub fn ingest(&mut self, came: usize, added: usize) {
        self.current += came;
        self.added += added;
    }

    /// An Insights answer is coming: it holds every row of the current query so far.
    pub fn new_answer(&mut self) {
        self.current = 0;
    }

    /// The current slice is done; the next slice's answers add to it.
    pub fn next_slice(&mut self) {
        self.done += self.current;
        self.current = 0;
    }

    /// Records that came, over every slice.
    pub fn came(&self) -> usize {
        self.done + self.current
    }

    /// Records new to the table, over every slice.
    pub fn added(&self) -> usize {
        self.added
    }

    /// Records the table already held.
    pub fn already(&self) -> usize {
        self.came().saturating_sub(self.added)
    }
}

/// An engine's answer that is not events: columns in first-seen order, rows of text (a row has
/// one cell per column; a column a row lacks is an empty cell).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl ResultTable {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn column(&mut self, name: &str) -> usize {
        match self.columns.iter().position(|c| c == name) {
            Some(i) => i,
            None => {
                self.columns.push(name.to_string());
                for row in &mut self.rows {
                    row.push(String::new());
                }
                self.columns.len() - 1
            }
        }
    }

    /// Add one row of `(column, value)` cells (a new column widens every row).
    pub fn push<'a>(&mut self, cells: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let mut row = vec![String::new(); self.columns.len()];
        for (name, value) in cells {
            let i = self.column(name);
            if i >= row.len() {
                row.resize(i + 1, String::new());
            }
            row[i] = value.to_string();
        }
        row.resize(self.columns.len(), String::new());
        self.rows.push(row);
    }

    /// Append another table's rows (its columns matched by name).
    pub fn extend(&mut self, other: &ResultTable) {
        for row in &other.rows {
            self.push(
                other
                    .columns
                    .iter()
                    .map(String::as_str)
                    .zip(row.iter().map(String::as_str)),
            );
        }
    }
}

/// One page of an engine's rows: the events (raw JSON, for the store) and the rest.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub events: Vec<Box<RawValue>>,
    pub table: ResultTable,
}

/// `text` as an event's raw JSON when it is a JSON object, else `None`.
pub(crate) fn event_json(text: &str) -> Option<Box<RawValue>> {
    let t = text.trim();
    if !t.starts_with('{') {
        return None;
    }
    RawValue::from_string(t.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_keeps_first_seen_columns_and_fills_gaps() {
        let mut t = ResultTable::default();
        t.push([("a", "1"), ("b", "2")]);
        t.push([("b", "3"), ("c", "4")]);
        assert_eq!(t.columns, ["a", "b", "c"]);
        assert_eq!(t.rows, [vec!["1", "2", ""], vec!["", "3", "4"]]);
        let mut u = ResultTable::default();
        u.push([("c", "5")]);
        u.extend(&t);
        assert_eq!(u.columns, ["c", "a", "b"]);
        assert_eq!(u.rows[2], ["4", "", "3"]);
    }

    #[test]
    fn only_json_objects_are_events() {
        assert!(event_json(" {\"eventId\":\"x\"} ").is_some());
        for bad in ["", "[1]", "\"s\"", "{not json", "12"] {
            assert!(event_json(bad).is_none(), "{bad:?}");
        }
    }
}

#[cfg(test)]
mod brought_tests {
    use super::Brought;

    #[test]
    fn sls_pages_add_up() {
        let mut b = Brought::default();
        b.ingest(100, 100);
        b.ingest(100, 40);
        assert_eq!((b.came(), b.added(), b.already()), (200, 140, 60));
    }

    /// Each Insights answer holds the rows so far (the store drops the ones it has, so only
    /// the newly shown are new); a second slice adds to the first, both counts alike.
    #[test]
    fn insights_answers_replace_and_slices_accumulate() {
        let mut b = Brought::default();
        b.new_answer();
        b.ingest(30, 30);
        b.new_answer();
        b.ingest(100, 70);
        assert_eq!((b.came(), b.added()), (100, 100));
        b.next_slice();
        b.new_answer();
        b.ingest(50, 50);
        assert_eq!((b.came(), b.added(), b.already()), (150, 150, 0));
        b.new_answer();
        b.ingest(80, 30);
        assert_eq!((b.came(), b.added(), b.already()), (180, 180, 0));
    }
}
