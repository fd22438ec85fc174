//! Facets: the distinct values of a field among some rows, with their counts.
//!
//! [`EventStore::facets`] counts many fields over the same rows at once (the fields panel): one
//! pass over the rows, in blocks, counting every field's column into a `Vec` indexed by
//! dictionary id (no hashing, no string touched while counting), then the top values picked without sorting the rest. Values of a
//! JSON path come from its path column (the one tree filters use, built by
//! [`EventStore::index_path`]); rows it does not cover yet are reported as unread.

use super::dict::Dict;
use super::store::{EventStore, ABSENT};
use crate::json_path::JsonPath;
use crate::schema::Field;

/// What a facet counts: an indexed field, or the values at a JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FacetSource {
    Field(Field),
    Path(JsonPath),
}

/// What to count for one facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetQuery {
    pub source: FacetSource,
    /// Only values whose text contains this (case-insensitive; empty: every value).
    pub search: String,
    /// Values kept at most, most frequent first.
    pub limit: usize,
}

/// One value of a facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    /// As the store holds it: a field's string (`""`: absent or empty), or a path column's
    /// compact JSON (`"\"cn-hangzhou\""`, `3`, `{"a":1}`).
    pub value: String,
    pub count: usize,
}

/// The counts of one facet among some rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacetCounts {
    /// The top values matching the search, most frequent first (ties by value).
    pub values: Vec<FacetValue>,
    /// Distinct values among the rows that match the search (`values` holds at most `limit`).
    pub distinct: usize,
    /// Rows counted (the denominator of each value's share).
    pub rows: usize,
    /// Rows where a path is absent (a field's absent value is its `""` value instead).
    pub absent: usize,
    /// Rows the path column has not read yet (counted nowhere else).
    pub unread: usize,
}

impl EventStore {
    /// Distinct values of a field with their counts among `rows`, most frequent first (all of
    /// them; the panel's [`EventStore::facets`] keeps the top few without sorting).
    pub fn facet(&self, f: Field, rows: &[u32]) -> Vec<(String, usize)> {
        let (counts, dict, _) = self.tally(rows, rows.len() == self.len(), &FacetSource::Field(f));
        let mut out: Vec<(String, usize)> = counts[..dict.len()]
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(id, &c)| (dict.strings[id].to_string(), c as usize))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The counts of each query's field or path among `rows` (any order; each row once). A
    /// path without a column yet has every row unread.
    pub fn facets(&self, rows: &[u32], queries: &[FacetQuery]) -> Vec<FacetCounts> {
        // Counting follows the rows into each column: rows in ascending order read the columns
        // front to back (a sorted table's order would jump around several MB per field).
        let every = rows.len() == self.len();
        let ascending;
        let rows: &[u32] = if every || rows.len() < 4_096 || rows.is_sorted() {
            rows
        } else {
            let mut seen = vec![false; self.len()];
            for &r in rows {
                seen[r as usize] = true;
            }
            ascending = (0..self.len() as u32)
                .filter(|&r| seen[r as usize])
                .collect::<Vec<u32>>();
            &ascending
        };
        let srcs: Vec<FacetSource> = queries.iter().map(|q| q.source.clone()).collect();
        self.tally_all(rows, every, &srcs)
            .into_iter()
            .zip(queries)
            .map(|(t, q)| Self::count_one(rows.len(), t, q))
            .collect()
    }

    /// The count of each dictionary id of `src` among `rows` (one slot past the dictionary:
    /// absent path values), the dictionary, and the rows its path column has not read yet.
    /// `every`: `rows` are all the store's rows.
    fn tally(&self, rows: &[u32], every: bool, src: &FacetSource) -> (Vec<u32>, &Dict, usize) {
        self.tally_all(rows, every, std::slice::from_ref(src))
            .pop()
            .expect("one tally per source")
    }

    /// A column's ids and dictionary (a path without a column: none, empty).
    fn facet_column(&self, src: &FacetSource) -> (&[u32], &Dict) {
        static EMPTY: std::sync::OnceLock<Dict> = std::sync::OnceLock::new();
        match src {
            FacetSource::Field(f) => (&self.cols[f.idx()][..], &self.dicts[f.idx()]),
            FacetSource::Path(p) => match self.paths.get(&p.to_string()) {
                Some(c) => (&c.ids[..], &c.dict),
                None => (&[][..], EMPTY.get_or_init(Dict::new)),
            },
        }
    }

    /// [`EventStore::tally`] of every source at once: one pass over `rows` counting every
    /// column (a row's ids of all the columns read while the row is at hand), in blocks so
    /// each column's stretch of ids stays in cache.
    fn tally_all(
        &self,
        rows: &[u32],
        every: bool,
        srcs: &[FacetSource],
    ) -> Vec<(Vec<u32>, &Dict, usize)> {
        // Branch-free: every id is below the dictionary's length, and `ABSENT` (the largest
        // u32) lands in the slot past it.
        const _: () = assert!(ABSENT == u32::MAX);
        let cols: Vec<(&[u32], &Dict)> = srcs.iter().map(|s| self.facet_column(s)).collect();
        let mut counts: Vec<Vec<u32>> = cols.iter().map(|(_, d)| vec![0u32; d.len() + 1]).collect();
        let mut unread = vec![0usize; cols.len()];
        if every {
            for (k, (ids, dict)) in cols.iter().enumerate() {
                let absent = dict.len();
                let c = &mut counts[k];
                for &id in *ids {
                    c[(id as usize).min(absent)] += 1;
                }
                unread[k] = rows.len() - ids.len();
            }
        } else {
            const BLOCK: usize = 2048;
            for block in rows.chunks(BLOCK) {
                for (k, (ids, dict)) in cols.iter().enumerate() {
                    let absent = dict.len();
                    let c = &mut counts[k];
                    let read = ids.len();
                    if block.last().is_some_and(|&r| (r as usize) < read)
                        && block.iter().all(|&r| (r as usize) < read)
                    {
                        for &r in block {
                            c[(ids[r as usize] as usize).min(absent)] += 1;
                        }
                    } else {
                        for &r in block {
                            let r = r as usize;
                            if r < read {
                                c[(ids[r] as usize).min(absent)] += 1;
                            } else {
                                unread[k] += 1;
                            }
                        }
                    }
                }
            }
        }
        counts
            .into_iter()
            .zip(cols)
            .zip(unread)
            .map(|((c, (_, d)), u)| (c, d, u))
            .collect()
    }

    fn count_one(rows: usize, tally: (Vec<u32>, &Dict, usize), q: &FacetQuery) -> FacetCounts {
        let (counts, dict, unread) = tally;
        let absent = counts[dict.len()] as usize;
        let needle = q.search.trim().to_lowercase();
        let strings = &dict.strings;
        // The top `limit` as (count, id), most frequent first, ties by value: each candidate
        // is placed by binary search into a list of at most `limit` (no sort of every value).
        let before = |a: (u32, u32), b: (u32, u32)| {
            a.0 > b.0 || (a.0 == b.0 && strings[a.1 as usize] < strings[b.1 as usize])
        };
        let mut hits: Vec<(u32, u32)> = Vec::new();
        let mut distinct = 0;
        for (id, &c) in counts[..dict.len()].iter().enumerate() {
            if c == 0 || !(needle.is_empty() || dict.lower[id].contains(&needle)) {
                continue;
            }
            distinct += 1;
            let x = (c, id as u32);
            if hits.len() == q.limit && hits.last().is_none_or(|&l| !before(x, l)) {
                continue;
            }
            let at = hits.partition_point(|&h| before(h, x));
            hits.insert(at, x);
            hits.truncate(q.limit);
        }
        FacetCounts {
            values: hits
                .into_iter()
                .map(|(c, id)| FacetValue {
                    value: strings[id as usize].to_string(),
                    count: c as usize,
                })
                .collect(),
            distinct,
            rows,
            absent,
            unread,
        }
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

    fn q(source: FacetSource, search: &str, limit: usize) -> FacetQuery {
        FacetQuery {
            source,
            search: search.into(),
            limit,
        }
    }

    #[test]
    fn top_values_search_and_limits() {
        let s = store();
        let all: Vec<u32> = (0..5).collect();
        let user = FacetSource::Field(Field::User);
        let got = s.facets(&all, &[q(user.clone(), "", 2), q(user.clone(), "AL", 10)]);
        assert_eq!(
            got[0].distinct, 4,
            "alice, Bob, 王芳 and the odd event's empty user"
        );
        assert_eq!(got[0].rows, 5);
        assert_eq!(
            got[0].values,
            vec![
                FacetValue {
                    value: "alice".into(),
                    count: 2
                },
                FacetValue {
                    value: "".into(),
                    count: 1
                }
            ],
            "ties by value: \"\" < \"Bob\""
        );
        assert_eq!(got[1].distinct, 1);
        assert_eq!(got[1].values[0].value, "alice");
        // Unordered rows, a subset: the same counts as in order.
        let rows = [3, 0, 1];
        let a = s.facets(&rows, &[q(user.clone(), "", 10)]);
        let b = s.facets(&[0, 1, 3], &[q(user, "", 10)]);
        assert_eq!(a, b);
        assert_eq!(a[0].values[0].count, 2);
        // No rows.
        let none = s.facets(&[], &[q(FacetSource::Field(Field::Service), "", 10)]);
        assert_eq!(none[0], FacetCounts::default());
    }

    #[test]
    fn many_sources_in_one_pass_count_as_each_alone() {
        let mut s = store();
        let p = JsonPath::parse("requestParameters.Size").unwrap();
        s.index_path(&p, 2);
        let srcs = [
            FacetSource::Field(Field::User),
            FacetSource::Path(p.clone()),
            FacetSource::Field(Field::Service),
            FacetSource::Path(JsonPath::parse("no.column").unwrap()),
        ];
        let queries: Vec<FacetQuery> = srcs.iter().map(|x| q(x.clone(), "", 10)).collect();
        for rows in [vec![0, 1, 2, 3, 4], vec![4, 0, 3], vec![1, 3], vec![]] {
            let together = s.facets(&rows, &queries);
            let alone: Vec<FacetCounts> = queries
                .iter()
                .map(|x| s.facets(&rows, std::slice::from_ref(x)).remove(0))
                .collect();
            assert_eq!(together, alone, "rows {rows:?}");
        }
        let part = s.facets(&[0, 1, 2, 3, 4], &queries);
        assert_eq!((part[1].unread, part[3].unread), (3, 5));
    }

    #[test]
    fn path_facets_report_absent_and_unread_rows() {
        let mut s = store();
        let p = JsonPath::parse("requestParameters.Size").unwrap();
        let src = FacetSource::Path(p.clone());
        let all: Vec<u32> = (0..5).collect();
        let cold = s.facets(&all, &[q(src.clone(), "", 10)]);
        assert_eq!((cold[0].unread, cold[0].rows), (5, 5));
        s.index_path(&p, 2);
        let part = s.facets(&all, &[q(src.clone(), "", 10)]);
        assert_eq!(part[0].unread, 3);
        assert_eq!(part[0].values[0].count, 2);
        s.index_path(&p, usize::MAX);
        let full = s.facets(&[4, 2, 0, 1, 3], &[q(src, "", 10)]);
        assert_eq!(full[0].unread, 0);
        assert_eq!(full[0].absent, 1, "the odd event has no requestParameters");
        assert_eq!(
            full[0].values,
            vec![FacetValue {
                value: "3".into(),
                count: 4
            }]
        );
    }
}
