//! Facets: the distinct values of a field among some rows, with their counts.

use super::store::EventStore;
use crate::schema::Field;

impl EventStore {
    /// Distinct values of a field with their counts among `rows`, most frequent first.
    pub fn facet(&self, f: Field, rows: &[u32]) -> Vec<(String, usize)> {
        let col = &self.cols[f.idx()];
        let mut counts = vec![0usize; self.dicts[f.idx()].len()];
        for &r in rows {
            counts[col[r as usize] as usize] += 1;
        }
        let mut out: Vec<(String, usize)> = counts
            .into_iter()
            .enumerate()
            .filter(|(_, c)| *c > 0)
            .map(|(id, c)| (self.dicts[f.idx()].strings[id].to_string(), c))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fixtures::store;

    #[test]
    fn facets() {
        let s = store();
        let all: Vec<u32> = (0..5).collect();
        assert_eq!(s.facet(Field::Service, &all)[0], ("Ecs".to_string(), 2));
    }
}
