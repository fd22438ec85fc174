//! Sorting: rows ordered by a column, linear and stable (a counting sort by dictionary rank
//! for fields, an LSD radix sort for times).

use super::dict::Dict;
use super::store::{EventStore, PendingPath, ABSENT};
use crate::columns::ColumnId;
use crate::json_path::JsonPath;
use crate::schema::Field;
use crate::table_query::SortOrder;
use std::cmp::Ordering;
use std::net::IpAddr;

/// Rows sorted by a column, one way or the other.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sort {
    pub column: ColumnId,
    pub order: SortOrder,
}

impl EventStore {
    /// Row indices in the given order (ingest order when `None`). Stable: ties keep ingest order.
    /// Fields and path columns: a counting sort by the rank of each row's dictionary id; time:
    /// an LSD radix sort. Both are linear in the rows and stable by construction. A path
    /// column sorts the rows its column covers ([`EventStore::sort_pending`] says how far it
    /// is read); the rows after them follow in ingest order.
    pub fn order(&self, sort: Option<&Sort>) -> Vec<u32> {
        let Some(sort) = sort else {
            return (0..self.len() as u32).collect();
        };
        let (col, rank): (&[u32], Vec<u32>) = match &sort.column {
            ColumnId::Builtin(c) => match c.field() {
                None => return self.time_order(sort.order),
                Some(f) => {
                    let how = if f == Field::Ip {
                        Collation::Ip
                    } else {
                        Collation::Text
                    };
                    (&self.cols[f.idx()], self.ranks(&self.dicts[f.idx()], how))
                }
            },
            ColumnId::Path(p) => match self.paths.get(p) {
                Some(c) => (&c.ids, self.ranks(&c.dict, Collation::Json)),
                None => return (0..self.len() as u32).collect(),
            },
        };
        let mut rank = rank;
        if sort.order == SortOrder::Descending {
            let top = rank.len() as u32 - 1;
            for r in &mut rank {
                *r = top - *r;
            }
            // A path column's rows without the value stay last (a sparse path's first pages
            // would otherwise be blank); a field's empty values reverse with the rest, as ever.
            if matches!(sort.column, ColumnId::Path(_)) {
                for r in &mut rank {
                    *r = if *r == 0 { top } else { *r - 1 };
                }
            }
        }
        // A path column's absent value sorts as its empty string (id 0), as a field's does.
        let rank_of = |id: u32| rank[if id == ABSENT { 0 } else { id as usize }] as usize;
        let mut start = vec![0u32; rank.len() + 1];
        for &id in col {
            start[rank_of(id) + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut rows = vec![0u32; col.len()];
        for (r, &id) in col.iter().enumerate() {
            let k = &mut start[rank_of(id)];
            rows[*k as usize] = r as u32;
            *k += 1;
        }
        rows.extend(col.len() as u32..self.len() as u32);
        rows
    }

    /// The path column a sort needs read before it is complete, if any.
    pub fn sort_pending(&self, sort: Option<&Sort>) -> Option<PendingPath> {
        let ColumnId::Path(p) = &sort?.column else {
            return None;
        };
        let path = JsonPath::parse(p)?;
        let (done, total) = (self.path_indexed(&path), self.len());
        (done < total).then_some(PendingPath { path, done, total })
    }

    /// Rows by time; missing times last in both directions.
    fn time_order(&self, order: SortOrder) -> Vec<u32> {
        // Order-preserving u64 keys.
        let keys: Vec<u64> = self
            .time
            .iter()
            .map(|&t| {
                if t == i64::MIN {
                    u64::MAX
                } else {
                    let k = (t as u64) ^ (1 << 63);
                    if order == SortOrder::Descending {
                        !k // never u64::MAX: that would be i64::MIN, "missing"
                    } else {
                        k
                    }
                }
            })
            .collect();
        radix_sort_rows(&keys)
    }

    /// Rank of each dictionary id in sort order: case-insensitive, then exact; empty values
    /// last; see [`Collation`] for IPs and numbers.
    fn ranks(&self, d: &Dict, how: Collation) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..d.len() as u32).collect();
        let cmp_text = |a: &u32, b: &u32| {
            let (a, b) = (*a as usize, *b as usize);
            (d.strings[a].is_empty().cmp(&d.strings[b].is_empty()))
                .then_with(|| d.lower[a].cmp(&d.lower[b]))
                .then_with(|| d.strings[a].cmp(&d.strings[b]))
        };
        if how == Collation::Ip {
            let parsed: Vec<Option<IpAddr>> = d.strings.iter().map(|s| s.parse().ok()).collect();
            ids.sort_by(|a, b| match (parsed[*a as usize], parsed[*b as usize]) {
                (Some(x), Some(y)) => ip_key(x).cmp(&ip_key(y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => cmp_text(a, b),
            });
        } else if how == Collation::Json {
            // A JSON number is not quoted in a path column's dictionary, so it parses; a
            // string that looks like one ("10") is quoted and stays text.
            let num: Vec<Option<f64>> = d
                .strings
                .iter()
                .map(|s| s.parse::<f64>().ok().filter(|n| n.is_finite()))
                .collect();
            ids.sort_by(|a, b| match (num[*a as usize], num[*b as usize]) {
                (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| cmp_text(a, b)),
                (Some(_), None) if !d.strings[*b as usize].is_empty() => Ordering::Less,
                (None, Some(_)) if !d.strings[*a as usize].is_empty() => Ordering::Greater,
                _ => cmp_text(a, b),
            });
        } else {
            ids.sort_by(cmp_text);
        }
        let mut rank = vec![0u32; ids.len()];
        for (r, id) in ids.into_iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        rank
    }
}

/// How a column's values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Collation {
    /// Case-insensitive text, then exact.
    Text,
    /// IP addresses numerically (IPv4 before IPv6), then text.
    Ip,
    /// A path column's compact JSON: numbers numerically before anything else, then text.
    Json,
}

/// Row indices sorted by `keys[row]`, stable. Events usually arrive in time order (LookupEvents
/// pages are newest first), so a store already in key order, or in reverse key order, is
/// recognised in one pass; anything else gets an LSD radix sort (8 bits a pass, skipping bytes
/// that are the same in every key).
fn radix_sort_rows(keys: &[u64]) -> Vec<u32> {
    let n = keys.len();
    if keys.windows(2).all(|w| w[0] <= w[1]) {
        return (0..n as u32).collect();
    }
    if keys.windows(2).all(|w| w[0] >= w[1]) {
        // Reverse the runs of equal keys, keeping each run in ingest order.
        let mut rows = Vec::with_capacity(n);
        let mut end = n;
        while end > 0 {
            let mut start = end - 1;
            while start > 0 && keys[start - 1] == keys[end - 1] {
                start -= 1;
            }
            rows.extend(start as u32..end as u32);
            end = start;
        }
        return rows;
    }
    let mut counts = vec![[0u32; 256]; 8];
    for &k in keys {
        for (b, c) in counts.iter_mut().enumerate() {
            c[((k >> (8 * b)) & 0xff) as usize] += 1;
        }
    }
    // (key, row) pairs move together, so every pass reads sequentially.
    let mut items: Vec<(u64, u32)> = keys.iter().copied().zip(0..n as u32).collect();
    let mut tmp = vec![(0u64, 0u32); n];
    for (b, c) in counts.iter().enumerate() {
        if c.iter().any(|&x| x as usize == n) {
            continue; // every key has the same byte here
        }
        let mut pos = [0u32; 256];
        let mut sum = 0;
        for (p, &x) in pos.iter_mut().zip(c.iter()) {
            *p = sum;
            sum += x;
        }
        for &it in &items {
            let d = ((it.0 >> (8 * b)) & 0xff) as usize;
            tmp[pos[d] as usize] = it;
            pos[d] += 1;
        }
        std::mem::swap(&mut items, &mut tmp);
    }
    items.into_iter().map(|(_, r)| r).collect()
}

fn ip_key(ip: IpAddr) -> (u8, u128) {
    match ip {
        IpAddr::V4(v) => (4, u32::from(v) as u128),
        IpAddr::V6(v) => (6, u128::from(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::filter::Filter;
    use crate::engine::fixtures::{run, store};
    use crate::schema::Column;

    #[test]
    fn sorting_is_stable_both_ways() {
        let mut s = store();
        let by = |c, d| {
            Some(Sort {
                column: ColumnId::Builtin(c),
                order: if d {
                    SortOrder::Descending
                } else {
                    SortOrder::Ascending
                },
            })
        };
        assert_eq!(
            run(&mut s, Filter::default(), by(Column::Time, false)),
            vec![1, 0, 2, 3, 4]
        );
        assert_eq!(
            run(&mut s, Filter::default(), by(Column::Time, true)),
            vec![2, 0, 1, 3, 4]
        );
        // Case-insensitive; ties (alice twice) keep ingest order; empty last ascending.
        assert_eq!(
            run(&mut s, Filter::default(), by(Column::User, false)),
            vec![0, 3, 1, 2, 4]
        );
        assert_eq!(
            run(&mut s, Filter::default(), by(Column::User, true)),
            vec![4, 2, 1, 0, 3]
        );
        // IPs numerically: 9.9.9.9 < 10.0.0.2 < 10.0.0.10 < IPv6, empty last.
        assert_eq!(
            run(&mut s, Filter::default(), by(Column::Ip, false)),
            vec![3, 0, 1, 2, 4]
        );
    }
}
