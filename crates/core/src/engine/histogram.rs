//! The time histogram's one pass: the rows' integer times counted into a
//! [`crate::histogram::Grid`]'s buckets, split by result.

use super::store::EventStore;
use crate::histogram::{Grid, Histogram};
use crate::schema::Field;

impl EventStore {
    /// Counts `rows` into `grid`'s buckets: one pass over their times (integers, no date
    /// maths), OK or failed by a bit per error-code dictionary id (failed = has an error code,
    /// as the table's result column says). Rows without a time are `untimed`; rows whose time
    /// the grid does not cover are `outside`.
    pub fn histogram(&self, rows: &[u32], grid: Grid) -> Histogram {
        let failed_id: Vec<bool> = self.dicts[Field::ErrorCode.idx()]
            .strings
            .iter()
            .map(|s| !s.is_empty())
            .collect();
        let codes = &self.cols[Field::ErrorCode.idx()];
        // counts[2 * bucket + failed]
        let mut counts = vec![0u32; grid.bars * 2];
        let (mut untimed, mut outside) = (0, 0);
        let span = grid.end() - grid.origin;
        let width = grid.width;
        for &r in rows {
            let r = r as usize;
            let t = self.time[r];
            if t == i64::MIN {
                untimed += 1;
                continue;
            }
            let d = t.wrapping_sub(grid.origin);
            if d < 0 || d >= span {
                outside += 1;
                continue;
            }
            let f = failed_id[codes[r] as usize] as usize;
            counts[(d / width) as usize * 2 + f] += 1;
        }
        let mut h = Histogram::empty(grid);
        for (i, c) in counts.chunks_exact(2).enumerate() {
            h.ok[i] = c[0];
            h.failed[i] = c[1];
        }
        h.untimed = untimed;
        h.outside = outside;
        h
    }

    /// The earliest and latest event time loaded, if any event has one.
    pub fn time_span(&self) -> Option<(i64, i64)> {
        self.time_span
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::fixtures::{ev, store};
    use crate::engine::EventStore;
    use crate::histogram::{reference, Grid, DAY};

    const T0: i64 = 1_704_067_200_000; // 2024-01-01T00:00:00Z

    fn check(s: &EventStore, rows: &[u32], grid: Grid) -> crate::histogram::Histogram {
        let h = s.histogram(rows, grid);
        let want = reference(
            grid,
            rows,
            |r| s.time_ms(r),
            |r| !s.field(r, crate::schema::Field::ErrorCode).is_empty(),
        );
        assert_eq!(h, want);
        h
    }

    #[test]
    fn empty_one_event_and_the_fixture() {
        let s = EventStore::new();
        assert_eq!(s.time_span(), None);
        let g = Grid::for_range(T0, T0, 0);
        let h = check(&s, &[], g);
        assert_eq!(h.total(), 0);
        // The fixture: times 00:00:01..03, one without a time, one not an event.
        let s = store();
        assert_eq!(s.time_span(), Some((T0 + 1000, T0 + 3000)));
        let (a, b) = s.time_span().unwrap();
        let g = Grid::for_range(a, b + 1, 0);
        assert_eq!((g.origin, g.bars), (T0 + 1000, 3));
        let all: Vec<u32> = (0..5).collect();
        let h = check(&s, &all, g);
        assert_eq!(h.ok, vec![0, 1, 1]);
        assert_eq!(h.failed, vec![1, 0, 0]);
        assert_eq!((h.untimed, h.outside), (2, 0));
        // Only the second row (1 failed at 00:00:01).
        let h = check(&s, &[1], g);
        assert_eq!((h.total(), h.total_failed()), (1, 1));
        // A grid that does not cover them.
        let h = check(&s, &all, Grid::for_range(T0 + DAY, T0 + DAY + 1, 0));
        assert_eq!((h.total(), h.outside, h.untimed), (0, 3, 2));
    }

    #[test]
    fn events_on_edges_count_in_the_bucket_they_start() {
        let mut s = EventStore::new();
        for (i, t) in ["00:00:00", "00:01:00", "00:00:59", "01:59:59", "02:00:00"]
            .iter()
            .enumerate()
        {
            s.push(&ev(
                &format!("E{i}"),
                "Ecs",
                "a",
                "1.1.1.1",
                &format!("2024-01-01T{t}Z"),
                "",
            ));
        }
        // [00:00, 02:00): 1 min bars, the 02:00:00 event is past the end.
        let g = Grid::for_range(T0, T0 + 7_200_000, 0);
        let h = check(&s, &[0, 1, 2, 3, 4], g);
        assert_eq!(h.ok[0], 2, "00:00:00 and 00:00:59");
        assert_eq!(h.ok[1], 1, "00:01:00 starts the second bucket");
        assert_eq!(h.ok[119], 1);
        assert_eq!(h.outside, 1);
        assert_eq!(s.time_span(), Some((T0, T0 + 7_200_000)));
        s.clear();
        assert_eq!(s.time_span(), None, "cleared");
    }

    #[test]
    fn a_million_events() {
        let mut s = EventStore::new();
        // 1,000 distinct events, their rows repeated: the pass reads rows, not events.
        for i in 0..1000 {
            let t = format!("2024-01-{:02}T{:02}:{:02}:00Z", 1 + i % 28, i % 24, i % 60);
            s.push(&ev(
                &format!("E{i}"),
                "Ecs",
                "a",
                "1.1.1.1",
                &t,
                if i % 3 == 0 { "Denied" } else { "" },
            ));
        }
        let rows: Vec<u32> = (0..1_000_000u32)
            .map(|i| i.wrapping_mul(2_654_435_761) % 1000)
            .collect();
        let (a, b) = s.time_span().unwrap();
        let g = Grid::for_range(a, b + 1, 0);
        let h = s.histogram(&rows, g);
        assert_eq!(h.total(), 1_000_000);
        let per_event = reference(
            g,
            &(0..1000).collect::<Vec<u32>>(),
            |r| s.time_ms(r),
            |r| r % 3 == 0,
        );
        // Each event's bucket gets its count of rows.
        let mut want = crate::histogram::Histogram::empty(g);
        for &r in &rows {
            let i = g.bucket(s.time_ms(r).unwrap()).unwrap();
            if r % 3 == 0 {
                want.failed[i] += 1;
            } else {
                want.ok[i] += 1;
            }
        }
        assert_eq!(h, want);
        assert_eq!(per_event.total(), 1000);
    }
}
