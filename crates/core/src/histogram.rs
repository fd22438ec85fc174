//! The time histogram of the Events view, as data: the bucket grid for a time range, the
//! counts per bucket ([`crate::engine::EventStore::histogram`] is the one pass over the rows),
//! the axis, the bucket a pointer is over, the keyboard selection, and the texts (tooltip, the
//! image's accessible name). The app draws the SVG from these; nothing here knows the DOM.
//!
//! **Buckets.** Every bucket is `[start, start + width)`: start inclusive, end exclusive, so an
//! event exactly on an edge counts in the bucket that starts there. The width is the first of
//! [`STEPS_MS`] (1 s … 1 day) that covers the range in at most [`MAX_BARS`] buckets; as the steps
//! grow by at most 2.5×, that gives about 50–120 bars. A range shorter than a minute gets 1 s
//! buckets (fewer bars: one event is one bar); a range longer than 120 days gets whole days
//! (`n` days, the smallest `n` that keeps it at 120 bars or fewer).
//!
//! **Alignment, DST-free.** Edges are multiples of the width on the wall clock of a zone a
//! *fixed* `offset_ms` ahead of UTC (0 for UTC): all arithmetic is on epoch milliseconds, no
//! calendar, so every bucket is exactly `width` long. With the display zone UTC, edges are UTC
//! multiples (a day bar is a UTC day). With the display zone Local, the app passes the local
//! offset at the range's start, so hour and day bars start on local hours and local midnights;
//! after a daylight-saving change inside the range the edges stay where they were (an hour off
//! the local clock's round numbers) rather than making one bucket 23 or 25 hours long.

use crate::numbers::thousands;
use crate::timeline::{Axis, Tick};

const SEC: i64 = 1_000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;
/// A day in milliseconds.
pub const DAY: i64 = 24 * HOUR;

/// The bucket widths, smallest first.
pub const STEPS_MS: [i64; 18] = [
    SEC,
    2 * SEC,
    5 * SEC,
    10 * SEC,
    15 * SEC,
    30 * SEC,
    MIN,
    2 * MIN,
    5 * MIN,
    10 * MIN,
    15 * MIN,
    30 * MIN,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
];

/// The most bars a histogram has.
pub const MAX_BARS: usize = 120;

/// A time window `[start, end)` in epoch milliseconds: `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    pub start: i64,
    pub end: i64,
}

impl TimeWindow {
    /// `None` unless `start < end`.
    pub fn new(start: i64, end: i64) -> Option<TimeWindow> {
        (start < end).then_some(TimeWindow { start, end })
    }

    pub fn contains(&self, t: i64) -> bool {
        self.start <= t && t < self.end
    }

    /// The range to ask the server for so that the whole window is fetched: the query bar
    /// works in whole minutes, so the start is rounded down and the end up to a minute.
    pub fn fetch_range(&self) -> (i64, i64) {
        let start = self.start.div_euclid(MIN) * MIN;
        let end = (self.end + MIN - 1).div_euclid(MIN) * MIN;
        (start, end.max(start + MIN))
    }
}

/// The buckets: `bars` of `width` ms from `origin`; bucket `i` is `[edge(i), edge(i + 1))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    pub origin: i64,
    pub width: i64,
    pub bars: usize,
}

impl Grid {
    /// The buckets covering `[start, end)` (an empty range: the bucket holding `start`),
    /// aligned on a zone `offset_ms` ahead of UTC (see the module's text).
    pub fn for_range(start: i64, end: i64, offset_ms: i64) -> Grid {
        let end = end.max(start.saturating_add(1));
        let grid = |width: i64| {
            let origin = (start + offset_ms).div_euclid(width) * width - offset_ms;
            let bars = (end - origin + width - 1).div_euclid(width);
            Grid {
                origin,
                width,
                bars: bars.max(1) as usize,
            }
        };
        for w in STEPS_MS {
            let g = grid(w);
            if g.bars <= MAX_BARS {
                return g;
            }
        }
        // Over 120 days: whole days, the fewest that keep it at MAX_BARS (alignment may add a
        // bar: then one day more).
        let per = MAX_BARS as i64 * DAY;
        let mut days = (end - start + per - 1).div_euclid(per);
        loop {
            let g = grid(days * DAY);
            if g.bars <= MAX_BARS {
                return g;
            }
            days += days / 100 + 1;
        }
    }

    /// The start of bucket `i` (`edge(bars)` is the grid's end).
    pub fn edge(&self, i: usize) -> i64 {
        self.origin + i as i64 * self.width
    }

    pub fn end(&self) -> i64 {
        self.edge(self.bars)
    }

    /// The bucket holding `t`, if the grid covers it.
    pub fn bucket(&self, t: i64) -> Option<usize> {
        if t < self.origin {
            return None;
        }
        let i = ((t - self.origin) / self.width) as usize;
        (i < self.bars).then_some(i)
    }

    /// The bucket under a pointer at `fraction` (0 = left edge, 1 = right edge) of the width.
    pub fn bar_at(&self, fraction: f64) -> usize {
        let i = (fraction * self.bars as f64).floor();
        if i.is_nan() || i < 0.0 {
            0
        } else {
            (i as usize).min(self.bars.saturating_sub(1))
        }
    }

    /// Buckets `a..=b` (either order) as a window, within `limit` if one is given (the window
    /// the histogram is zoomed to: the grid's outer buckets may reach past it).
    pub fn window(&self, a: usize, b: usize, limit: Option<TimeWindow>) -> Option<TimeWindow> {
        let (lo, hi) = (a.min(b), a.max(b).min(self.bars.saturating_sub(1)));
        let (mut s, mut e) = (self.edge(lo), self.edge(hi + 1));
        if let Some(l) = limit {
            s = s.max(l.start);
            e = e.min(l.end);
        }
        TimeWindow::new(s, e)
    }

    /// The axis over `width_px` with its ticks (at least `min_px` apart) labelled on the same
    /// fixed-offset wall clock as the buckets ([`Axis::ticks`]).
    pub fn ticks(&self, width_px: f64, min_px: f64, offset_ms: i64) -> Vec<Tick> {
        Axis::new(self.origin, self.end(), width_px).ticks(min_px, offset_ms)
    }

    /// The bucket width in words: "1 s", "15 min", "2 h", "1 day", "3 days".
    pub fn width_label(&self) -> String {
        let w = self.width;
        let (n, unit) = if w % DAY == 0 {
            (w / DAY, if w == DAY { "day" } else { "days" })
        } else if w % HOUR == 0 {
            (w / HOUR, "h")
        } else if w % MIN == 0 {
            (w / MIN, "min")
        } else {
            (w.div_euclid(SEC).max(1), "s")
        };
        format!("{n} {unit}")
    }
}

/// The counts per bucket of some rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    pub grid: Grid,
    /// Per bucket: events without an error code.
    pub ok: Vec<u32>,
    /// Per bucket: events with an error code (the table's failed rows).
    pub failed: Vec<u32>,
    /// Rows without a readable time (in no bucket).
    pub untimed: usize,
    /// Rows with a time the grid does not cover (none when the grid spans the rows' times).
    pub outside: usize,
}

impl Histogram {
    /// No rows counted yet.
    pub fn empty(grid: Grid) -> Histogram {
        Histogram {
            grid,
            ok: vec![0; grid.bars],
            failed: vec![0; grid.bars],
            untimed: 0,
            outside: 0,
        }
    }

    /// Events in buckets.
    pub fn total(&self) -> u64 {
        self.ok.iter().chain(&self.failed).map(|&c| c as u64).sum()
    }

    pub fn total_failed(&self) -> u64 {
        self.failed.iter().map(|&c| c as u64).sum()
    }

    /// The tallest bar's count (at least 1, to scale by).
    pub fn max(&self) -> u32 {
        self.ok
            .iter()
            .zip(&self.failed)
            .map(|(a, b)| a + b)
            .max()
            .unwrap_or(0)
            .max(1)
    }

    /// Buckets `a..=b`'s range and counts, one line: "10:00:00 – 10:05:00: 12 events, 3
    /// failed". `fmt` writes a time in the display zone.
    pub fn describe(&self, a: usize, b: usize, fmt: &dyn Fn(i64) -> String) -> String {
        let (a, b) = (a.min(b), a.max(b).min(self.grid.bars.saturating_sub(1)));
        let sum = |v: &[u32]| {
            v.get(a..=b)
                .map_or(0, |v| v.iter().map(|&c| c as u64).sum())
        };
        let (ok, failed) = (sum(&self.ok), sum(&self.failed));
        format!(
            "{} – {}: {}, {} failed",
            fmt(self.grid.edge(a)),
            fmt(self.grid.edge(b + 1)),
            events(ok + failed),
            thousands(failed as usize)
        )
    }

    /// The bars as two SVG paths (OK, failed stacked on it) in a `bars × height` box, bar `i`
    /// from `x = i + 0.1` to `i + 0.9`, scaled to the tallest bar. Empty buckets draw nothing.
    pub fn paths(&self, height: f64) -> (String, String) {
        use crate::numbers::fixed;
        let scale = height / self.max() as f64;
        let (mut ok, mut failed) = (String::new(), String::new());
        let bar = |d: &mut String, i: usize, y: f64, h: f64| {
            if h > 0.0 {
                d.push_str(&format!("M{}.1 {}h.8v{}h-.8z", i, fixed(y, 2), fixed(h, 2)));
            }
        };
        for (i, (&o, &f)) in self.ok.iter().zip(&self.failed).enumerate() {
            let (ho, hf) = (o as f64 * scale, f as f64 * scale);
            bar(&mut ok, i, height - ho, ho);
            bar(&mut failed, i, height - ho - hf, hf);
        }
        (ok, failed)
    }

    /// The image's accessible name: "Events over time, <from> to <to> (<zone>), <n> events,
    /// <k> failed, <width> bars" (and the rows without a time, if any).
    pub fn aria_label(&self, fmt: &dyn Fn(i64) -> String, zone: &str) -> String {
        let mut s = format!(
            "Events over time, {} to {} ({zone}), {}, {} failed, {} bars",
            fmt(self.grid.origin),
            fmt(self.grid.end()),
            events(self.total()),
            thousands(self.total_failed() as usize),
            self.grid.width_label()
        );
        if self.untimed > 0 {
            s.push_str(&format!("; {} without a time", events(self.untimed as u64)));
        }
        s
    }
}

fn events(n: u64) -> String {
    format!(
        "{} {}",
        thousands(n as usize),
        if n == 1 { "event" } else { "events" }
    )
}

/// The keyboard's selection of buckets: `anchor` where it started, `cursor` where it is;
/// the selection is every bucket between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub anchor: usize,
    pub cursor: usize,
}

/// How a key changes the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extend {
    /// Move the cursor, the selection collapses onto it.
    Move,
    /// Move the cursor, the anchor stays (Shift).
    Extend,
}

impl Selection {
    pub fn at(i: usize) -> Selection {
        Selection {
            anchor: i,
            cursor: i,
        }
    }

    /// The selection after `key` (ArrowLeft / ArrowRight one bucket, PageUp / PageDown ten,
    /// Home / End) over `bars` buckets; `None` for any other key.
    pub fn key(self, key: &str, extend: Extend, bars: usize) -> Option<Selection> {
        let last = bars.checked_sub(1)?;
        let c = self.cursor.min(last);
        let cursor = match key {
            "ArrowLeft" => c.saturating_sub(1),
            "ArrowRight" => (c + 1).min(last),
            "PageUp" => c.saturating_sub(10),
            "PageDown" => (c + 10).min(last),
            "Home" => 0,
            "End" => last,
            _ => return None,
        };
        Some(match extend {
            Extend::Move => Selection::at(cursor),
            Extend::Extend => Selection {
                anchor: self.anchor.min(last),
                cursor,
            },
        })
    }

    /// Where the cursor first lands when a key of [`Selection::key`] is pressed with no
    /// selection: the last bucket for ArrowLeft / PageUp / End, else the first.
    pub fn start(key: &str, bars: usize) -> Option<Selection> {
        let last = bars.checked_sub(1)?;
        match key {
            "ArrowLeft" | "PageUp" | "End" => Some(Selection::at(last)),
            "ArrowRight" | "PageDown" | "Home" => Some(Selection::at(0)),
            _ => None,
        }
    }

    /// The first and last bucket selected.
    pub fn range(self) -> (usize, usize) {
        (self.anchor.min(self.cursor), self.anchor.max(self.cursor))
    }
}

/// Counts `rows` into `grid`'s buckets the slow, obvious way: the reference the engine's pass
/// is tested against. `time(r)` is the row's time, `failed(r)` whether it has an error code.
pub fn reference(
    grid: Grid,
    rows: &[u32],
    time: impl Fn(u32) -> Option<i64>,
    failed: impl Fn(u32) -> bool,
) -> Histogram {
    let mut h = Histogram::empty(grid);
    for &r in rows {
        let Some(t) = time(r) else {
            h.untimed += 1;
            continue;
        };
        match (0..grid.bars).find(|&i| grid.edge(i) <= t && t < grid.edge(i + 1)) {
            Some(i) if failed(r) => h.failed[i] += 1,
            Some(i) => h.ok[i] += 1,
            None => h.outside += 1,
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_764_547_200_000; // 2025-12-01T00:00:00Z

    #[test]
    fn widths_give_60_to_120_bars_over_ranges_from_a_minute_to_120_days() {
        let mut span = MIN;
        while span <= 120 * DAY {
            for start in [T0, T0 + 7 * SEC + 3, T0 - 13 * MIN] {
                let g = Grid::for_range(start, start + span, 0);
                assert!(g.bars <= MAX_BARS, "{span}: {g:?}");
                assert!(g.bars >= 48, "{span}: {g:?} has too few bars");
                assert!(
                    g.origin <= start && g.end() >= start + span,
                    "covers: {g:?}"
                );
                assert!(STEPS_MS.contains(&g.width));
                // The smallest step that fits.
                let i = STEPS_MS.iter().position(|&w| w == g.width).unwrap();
                if i > 0 {
                    let finer = STEPS_MS[i - 1];
                    let o = start.div_euclid(finer) * finer;
                    assert!((start + span - o + finer - 1) / finer > MAX_BARS as i64);
                }
            }
            span = span * 11 / 10;
        }
    }

    #[test]
    fn tiny_and_huge_ranges() {
        // One event: one bucket of a second, holding it.
        let g = Grid::for_range(T0 + 1500, T0 + 1501, 0);
        assert_eq!((g.origin, g.width, g.bars), (T0 + 1000, SEC, 1));
        // Empty (end before start): still the bucket holding start.
        let g = Grid::for_range(T0 + 1500, T0, 0);
        assert_eq!(g.bars, 1);
        assert_eq!(g.bucket(T0 + 1500), Some(0));
        // Ten seconds: ten 1 s bars.
        assert_eq!(Grid::for_range(T0, T0 + 10 * SEC, 0).bars, 10);
        // A year: 4-day bars, 120 or fewer; ten years too, in whole days.
        for days in [121, 365, 3650, 36_500] {
            let g = Grid::for_range(T0, T0 + days * DAY, 0);
            assert_eq!(g.width % DAY, 0, "{days}");
            assert!(g.bars <= MAX_BARS && g.bars >= 60, "{days}: {g:?}");
        }
        assert_eq!(Grid::for_range(T0, T0 + 120 * DAY, 0).width, DAY);
    }

    #[test]
    fn edges_are_inclusive_at_the_start_exclusive_at_the_end() {
        // An hour: 120 bars of 30 s; two hours: 120 of a minute.
        assert_eq!(Grid::for_range(T0, T0 + HOUR, 0).width, 30 * SEC);
        let g = Grid::for_range(T0, T0 + 2 * HOUR, 0);
        assert_eq!((g.origin, g.width, g.bars), (T0, MIN, 120));
        assert_eq!(g.bucket(T0), Some(0));
        assert_eq!(g.bucket(T0 + MIN - 1), Some(0));
        assert_eq!(g.bucket(T0 + MIN), Some(1));
        assert_eq!(g.bucket(T0 + 2 * HOUR - 1), Some(119));
        assert_eq!(g.bucket(T0 + 2 * HOUR), None, "the end is not in the grid");
        assert_eq!(g.bucket(T0 - 1), None);
        let w = TimeWindow::new(T0, T0 + MIN).unwrap();
        assert!(w.contains(T0) && !w.contains(T0 + MIN) && !w.contains(T0 - 1));
        assert_eq!(TimeWindow::new(T0, T0), None);
    }

    #[test]
    fn alignment_is_utc_or_a_fixed_offset_with_no_dst() {
        // UTC: a 2-day range gets 30 min bars on UTC half hours.
        let g = Grid::for_range(T0 + 17 * MIN, T0 + 2 * DAY, 0);
        assert_eq!(g.width, 30 * MIN);
        assert_eq!(g.origin, T0);
        // India (+05:30): 3 h bars start on local multiples of 3 h, i.e. 30 min past a UTC hour.
        let ist = 5 * HOUR + 30 * MIN;
        let g = Grid::for_range(T0, T0 + 10 * DAY, ist);
        assert_eq!(g.width, 3 * HOUR);
        assert_eq!((g.origin + ist).rem_euclid(3 * HOUR), 0);
        assert_eq!(g.origin.rem_euclid(HOUR), 30 * MIN);
        // 1-day bars at local midnight (UTC-05:00), each exactly 24 h (no DST in the maths).
        let est = -5 * HOUR;
        let g = Grid::for_range(T0, T0 + 100 * DAY, est);
        assert_eq!(g.width, DAY);
        assert_eq!((g.origin + est).rem_euclid(DAY), 0);
        assert!((0..g.bars).all(|i| g.edge(i + 1) - g.edge(i) == DAY));
        // Before 1970 too.
        let g = Grid::for_range(-DAY - 1, -DAY + HOUR, 0);
        assert!(g.origin < -DAY && g.origin % g.width == 0);
    }

    #[test]
    fn keyboard_selection() {
        let s = Selection::at(5);
        assert_eq!(s.key("ArrowLeft", Extend::Move, 10), Some(Selection::at(4)));
        let e = s.key("ArrowRight", Extend::Extend, 10).unwrap();
        let e = e.key("ArrowRight", Extend::Extend, 10).unwrap();
        assert_eq!(e.range(), (5, 7));
        let e = e.key("Home", Extend::Extend, 10).unwrap();
        assert_eq!(e.range(), (0, 5));
        assert_eq!(
            e.key("End", Extend::Move, 10),
            Some(Selection::at(9)),
            "Move collapses"
        );
        assert_eq!(
            Selection::at(9).key("ArrowRight", Extend::Move, 10),
            Some(Selection::at(9))
        );
        assert_eq!(
            Selection::at(0).key("PageDown", Extend::Move, 5),
            Some(Selection::at(4))
        );
        assert_eq!(s.key("x", Extend::Move, 10), None);
        assert_eq!(Selection::start("ArrowLeft", 10), Some(Selection::at(9)));
        assert_eq!(Selection::start("ArrowRight", 10), Some(Selection::at(0)));
        assert_eq!(Selection::start("Enter", 10), None);
        assert_eq!(Selection::start("Home", 0), None);
        assert_eq!(s.key("ArrowLeft", Extend::Move, 0), None, "no bars");
        // A cursor past the bars (the grid changed) is clamped first.
        assert_eq!(
            Selection::at(50).key("ArrowLeft", Extend::Move, 10),
            Some(Selection::at(8))
        );
    }

    #[test]
    fn windows_from_buckets_and_pointer_positions() {
        let g = Grid::for_range(T0, T0 + 2 * HOUR, 0);
        assert_eq!(
            g.window(7, 3, None),
            Some(TimeWindow {
                start: T0 + 3 * MIN,
                end: T0 + 8 * MIN
            })
        );
        let limit = TimeWindow::new(T0 + 3 * MIN + 5, T0 + 5 * MIN).unwrap();
        assert_eq!(
            g.window(3, 9, Some(limit)),
            Some(limit),
            "never wider than the window zoomed to"
        );
        assert_eq!(g.bar_at(0.0), 0);
        assert_eq!(g.bar_at(0.5), 60);
        assert_eq!(g.bar_at(1.0), 119);
        assert_eq!(g.bar_at(-3.0), 0);
        assert_eq!(g.bar_at(f64::NAN), 0);
        let w = TimeWindow::new(T0 + 10 * SEC, T0 + MIN + 1).unwrap();
        assert_eq!(w.fetch_range(), (T0, T0 + 2 * MIN));
        let w = TimeWindow::new(T0, T0 + MIN).unwrap();
        assert_eq!(w.fetch_range(), (T0, T0 + MIN));
    }

    #[test]
    fn ticks_and_texts() {
        let g = Grid::for_range(T0, T0 + 2 * HOUR, 0);
        let ticks = g.ticks(1000.0, 80.0, 0);
        assert!(ticks.len() >= 4 && ticks.len() <= 13, "{ticks:?}");
        assert_eq!(
            ticks[0].label, "12-01",
            "midnight is labelled with the date"
        );
        assert_eq!(ticks[1].label, "00:15");
        assert!(ticks.windows(2).all(|w| w[1].x - w[0].x >= 80.0));
        assert_eq!(g.width_label(), "1 min");
        assert_eq!(
            Grid::for_range(T0, T0 + 200 * DAY, 0).width_label(),
            "2 days"
        );
        let mut h = Histogram::empty(g);
        h.ok[0] = 1;
        h.failed[0] = 1234;
        h.ok[2] = 5;
        let fmt = |t: i64| ((t - T0) / MIN).to_string();
        assert_eq!(h.describe(0, 0, &fmt), "0 – 1: 1,235 events, 1,234 failed");
        assert_eq!(h.describe(1, 1, &fmt), "1 – 2: 0 events, 0 failed");
        assert_eq!(h.describe(2, 0, &fmt), "0 – 3: 1,240 events, 1,234 failed");
        assert_eq!(h.describe(119, 500, &fmt), "119 – 120: 0 events, 0 failed");
        let (ok, failed) = h.paths(100.0);
        assert_eq!(ok, "M0.1 99.92h.8v0.08h-.8zM2.1 99.60h.8v0.40h-.8z");
        assert_eq!(failed, "M0.1 0.00h.8v99.92h-.8z");
        assert_eq!(
            h.aria_label(&fmt, "UTC"),
            "Events over time, 0 to 120 (UTC), 1,240 events, 1,234 failed, 1 min bars"
        );
        h.untimed = 1;
        assert!(h
            .aria_label(&fmt, "UTC")
            .ends_with("; 1 event without a time"));
        assert_eq!(h.max(), 1235);
        assert_eq!(Histogram::empty(g).max(), 1);
    }
}
