//! Timeline layout, pure arithmetic: a time axis mapped onto pixels, "nice" ticks, bar
//! positions clipped to the view, lanes so overlapping bars never share a row, and zoom / pan;
//! [`layout`] turns one source's jobs into every shape, label and tooltip line of its SVG.
//! The app draws the SVG from these numbers; nothing here knows about the DOM.

use crate::jobs::{Job, Source, StatusClass};
use crate::table_query::sort_indices;
use chrono::{Datelike, TimeZone, Timelike, Utc};

/// A visible time range `[t0, t1)` drawn over `width` pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub t0: i64,
    pub t1: i64,
    pub width: f64,
}

/// The narrowest range the zoom allows (one minute) and the widest (about 30 years).
pub const MIN_SPAN_MS: i64 = 60_000;
pub const MAX_SPAN_MS: i64 = 30 * 365 * 86_400_000;

impl Axis {
    pub fn new(t0: i64, t1: i64, width: f64) -> Axis {
        let t1 = t1.max(t0 + 1);
        Axis {
            t0,
            t1,
            width: width.max(1.0),
        }
    }

    /// A view covering all `extents` (and `now`), with 4% padding each side.
    pub fn fit(extents: impl IntoIterator<Item = (i64, i64)>, now: i64, width: f64) -> Axis {
        let (mut lo, mut hi) = (now, now);
        for (a, b) in extents {
            lo = lo.min(a);
            hi = hi.max(b);
        }
        let span = (hi - lo).max(MIN_SPAN_MS);
        let pad = span / 25;
        Axis::new(lo - pad, lo + span + pad, width)
    }

    pub fn span(&self) -> i64 {
        self.t1 - self.t0
    }

    pub fn x(&self, t: i64) -> f64 {
        (t - self.t0) as f64 / self.span() as f64 * self.width
    }

    pub fn t(&self, x: f64) -> i64 {
        self.t0 + (x / self.width * self.span() as f64).round() as i64
    }

    /// Zoom by `factor` (< 1 zooms in) keeping the time under pixel `x` in place.
    pub fn zoom(&self, factor: f64, x: f64) -> Axis {
        let anchor = self.t(x.clamp(0.0, self.width));
        let span = ((self.span() as f64 * factor).round() as i64).clamp(MIN_SPAN_MS, MAX_SPAN_MS);
        let frac = x.clamp(0.0, self.width) / self.width;
        let t0 = anchor - (span as f64 * frac).round() as i64;
        Axis::new(t0, t0 + span, self.width)
    }

    /// Pan by `dx` pixels (positive moves the view later in time).
    pub fn pan(&self, dx: f64) -> Axis {
        let dt = (dx / self.width * self.span() as f64).round() as i64;
        Axis::new(self.t0 + dt, self.t1 + dt, self.width)
    }

    /// The zoom buttons' zoom: around "now" when it is in view (where the action is), else
    /// around the middle.
    pub fn zoom_at_now(&self, factor: f64, now: i64) -> Axis {
        let x = self.now_x(now).unwrap_or(self.width / 2.0);
        self.zoom(factor, x)
    }

    /// Pan by a `fraction` of the view's width (negative moves the view earlier).
    pub fn pan_by(&self, fraction: f64) -> Axis {
        self.pan(fraction * self.width)
    }

    /// A bar for `[a, b]`: `(x, width)` clipped to the view, at least `min_px` wide so an
    /// instant stays visible; `None` when entirely outside.
    pub fn bar(&self, a: i64, b: i64, min_px: f64) -> Option<(f64, f64)> {
        let (a, b) = (a.min(b), a.max(b));
        if b < self.t0 || a > self.t1 {
            return None;
        }
        let x0 = self.x(a).max(0.0);
        let x1 = self.x(b).min(self.width);
        let w = (x1 - x0).max(min_px);
        let x = if x0 + w > self.width {
            (self.width - w).max(0.0)
        } else {
            x0
        };
        Some((x, w))
    }

    /// Where "now" is, if in view.
    pub fn now_x(&self, now: i64) -> Option<f64> {
        (self.t0..=self.t1).contains(&now).then(|| self.x(now))
    }

    /// Tick marks: a "nice" step giving about `width / min_px` ticks, each with its label, on
    /// the wall clock of a zone `offset_ms` ahead of UTC (0 for UTC): midnight ticks fall on
    /// that zone's midnight and are labelled in it.
    pub fn ticks(&self, min_px: f64, offset_ms: i64) -> Vec<Tick> {
        let want = (self.width / min_px.max(1.0)).max(1.0);
        let raw = self.span() as f64 / want;
        let step = STEPS
            .iter()
            .copied()
            .find(|s| s.approx_ms() as f64 >= raw)
            .unwrap_or(*STEPS.last().expect("steps"));
        let mut out = Vec::new();
        let (t0, t1) = (self.t0 + offset_ms, self.t1 + offset_ms);
        let mut t = step.floor(t0);
        if t < t0 {
            t = step.next(t);
        }
        while t <= t1 && out.len() < 1000 {
            out.push(Tick {
                t: t - offset_ms,
                x: self.x(t - offset_ms),
                label: step.label(t),
            });
            t = step.next(t);
        }
        out
    }
}

/// The zoom of one wheel notch: out when the wheel scrolls down, in when up.
pub fn wheel_zoom_factor(delta_y: f64) -> f64 {
    if delta_y > 0.0 {
        1.25
    } else {
        0.8
    }
}

/// A drag pans once the pointer has moved this far (viewBox units), so a click stays a click.
pub const DRAG_MIN_PX: f64 = 2.0;

/// Clears the labels that would overlap a `width`-wide label drawn at `x` (e.g. "now"): tick
/// labels are drawn from their tick to the right, about `char_w` per character.
pub fn clear_labels_over(ticks: &mut [Tick], x: f64, width: f64, char_w: f64) {
    const PAD: f64 = 4.0;
    for t in ticks {
        let (a, b) = (t.x, t.x + t.label.chars().count() as f64 * char_w);
        if a < x + width + PAD && b + PAD > x {
            t.label.clear();
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub t: i64,
    pub x: f64,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Ms(i64),
    Months(u32),
}

const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;
const STEPS: [Step; 18] = [
    Step::Ms(1000),
    Step::Ms(5000),
    Step::Ms(15_000),
    Step::Ms(30_000),
    Step::Ms(MIN),
    Step::Ms(5 * MIN),
    Step::Ms(15 * MIN),
    Step::Ms(30 * MIN),
    Step::Ms(HOUR),
    Step::Ms(3 * HOUR),
    Step::Ms(6 * HOUR),
    Step::Ms(12 * HOUR),
    Step::Ms(DAY),
    Step::Ms(7 * DAY),
    Step::Months(1),
    Step::Months(3),
    Step::Months(12),
    Step::Months(60),
];

fn utc(t: i64) -> chrono::DateTime<Utc> {
    Utc.timestamp_millis_opt(t).single().unwrap_or_default()
}

impl Step {
    fn approx_ms(self) -> i64 {
        match self {
            Step::Ms(m) => m,
            Step::Months(n) => n as i64 * 30 * DAY,
        }
    }
    fn floor(self, t: i64) -> i64 {
        match self {
            // Weeks start on Monday (1970-01-05 was one).
            Step::Ms(m) if m == 7 * DAY => (t - 4 * DAY).div_euclid(m) * m + 4 * DAY,
            Step::Ms(m) => t.div_euclid(m) * m,
            Step::Months(n) => {
                let d = utc(t);
                let idx = d.year() as i64 * 12 + d.month0() as i64;
                let idx = idx.div_euclid(n as i64) * n as i64;
                month_start(idx)
            }
        }
    }
    fn next(self, t: i64) -> i64 {
        match self {
            Step::Ms(m) => t + m,
            Step::Months(n) => {
                let d = utc(t);
                month_start(d.year() as i64 * 12 + d.month0() as i64 + n as i64)
            }
        }
    }
    fn label(self, t: i64) -> String {
        let d = utc(t);
        match self {
            Step::Ms(m) if m < MIN => crate::time::format(&d.naive_utc(), "%H:%M:%S"),
            Step::Ms(m) if m < DAY => {
                if d.hour() == 0 && d.minute() == 0 {
                    crate::time::format(&d.naive_utc(), "%m-%d")
                } else {
                    crate::time::format(&d.naive_utc(), "%H:%M")
                }
            }
            Step::Ms(_) => crate::time::format(&d.naive_utc(), "%m-%d"),
            Step::Months(n) if n < 12 => {
                if d.month() == 1 {
                    crate::time::format(&d.naive_utc(), "%Y")
                } else {
                    crate::time::format(&d.naive_utc(), "%b")
                }
            }
            Step::Months(_) => crate::time::format(&d.naive_utc(), "%Y"),
        }
    }
}

fn month_start(idx: i64) -> i64 {
    let (y, m) = (idx.div_euclid(12) as i32, idx.rem_euclid(12) as u32 + 1);
    Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0)
        .single()
        .map(|d| d.timestamp_millis())
        .unwrap_or(0)
}

/// Lanes for intervals so that no two in one lane overlap (greedy interval partitioning, in
/// order of start, earliest-free lane first). Intervals closer than `gap` also count as
/// overlapping, so bars drawn at a minimum width do not touch. Returns the lane of each
/// interval (in input order) and the number of lanes.
pub fn assign_lanes(intervals: &[(i64, i64)], gap: i64) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..intervals.len()).collect();
    let start = |i: usize| intervals[i].0.min(intervals[i].1);
    sort_indices(&mut order, &mut |a, b| (start(a), a).cmp(&(start(b), b)));
    let mut lane_end: Vec<i64> = Vec::new();
    let mut lanes = vec![0; intervals.len()];
    for i in order {
        let (a, b) = intervals[i];
        let (a, b) = (a.min(b), a.max(b));
        let lane = match lane_end.iter().position(|&e| e.saturating_add(gap) <= a) {
            Some(l) => l,
            None => {
                lane_end.push(i64::MIN);
                lane_end.len() - 1
            }
        };
        lane_end[lane] = b;
        lanes[i] = lane;
    }
    let n = lane_end.len();
    (lanes, n)
}

// ---------------------------------------------------------------------------------------------
// One source's timeline as shapes

/// Height of one lane and of the axis strip, in viewBox units.
pub const LANE_H: f64 = 12.0;
pub const AXIS_H: f64 = 18.0;
/// Scheduled runs drawn at most per report task.
pub const MAX_RUN_MARKS: usize = 200;
/// Approximate width of a label character and of the "now" label, in viewBox units (9px font).
pub const CHAR_W: f64 = 5.2;
pub const NOW_LABEL_W: f64 = 18.0;
/// Ticks are about this far apart, in viewBox units.
const TICK_MIN_PX: f64 = 90.0;

/// A rectangle in the SVG's user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// Which edge of the panel the tooltip is placed from, as a percentage of its width: it opens
/// towards the middle so it stays inside the panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TooltipAnchor {
    Left(f64),
    Right(f64),
}

/// One job as drawn: its lane's hover / click area, the data window, the execution, the
/// creation mark and scheduled runs (report tasks), and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct BarShape {
    pub id: String,
    pub status: StatusClass,
    /// The bar's accessible name: the status is named, not only coloured.
    pub label: String,
    pub tooltip: Vec<String>,
    pub tooltip_at: TooltipAnchor,
    /// The hover / click area: the job's own extent (lanes hold several jobs); a report task
    /// owns its whole lane.
    pub hit: Rect,
    /// The data window and the range it covers (a click opens those events).
    pub window: Option<(Rect, (i64, i64))>,
    pub exec: Option<Rect>,
    /// Report tasks: when the task was created.
    pub created: Option<Rect>,
    /// A disabled report task: a line across its lane at this y.
    pub disabled_y: Option<f64>,
    /// Report tasks: the upcoming runs in view.
    pub runs: Vec<Rect>,
}

/// Everything one source's timeline draws.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineLayout {
    pub axis: Axis,
    /// The lanes' bottom edge (the axis strip included).
    pub height: f64,
    pub ticks: Vec<Tick>,
    pub now_x: Option<f64>,
    /// One per job, in the jobs' order.
    pub bars: Vec<BarShape>,
}

/// "Now" as the timeline uses it: to the tick while a job runs (its bar grows), else to the
/// minute, so an idle timeline is laid out again once a minute.
pub fn layout_now(jobs: &[Job], now: i64) -> i64 {
    if jobs.iter().any(|j| j.open) {
        now
    } else {
        now / 60_000 * 60_000
    }
}

/// The tooltip's lines for `job`, times written by `fmt` (the user's time zone).
pub fn tooltip_lines(job: &Job, now: i64, fmt: &dyn Fn(i64) -> String) -> Vec<String> {
    let mut v = vec![
        format!("{} {}", job.id, job.name),
        format!("Status: {}", job.status),
    ];
    if let Some(c) = job.created_ms {
        v.push(format!("Created: {}", fmt(c)));
    }
    if let Some((a, b)) = job.exec {
        v.push(if job.open {
            format!("Running since {} ({} s)", fmt(a), (now - a) / 1000)
        } else {
            format!("Ran: {} → {}", fmt(a), fmt(b))
        });
    }
    if let Some((a, b)) = job.window {
        v.push(format!("Data: {} → {}", fmt(a), fmt(b)));
    }
    if let Some(c) = &job.crontab {
        v.push(format!("Crontab: {c}"));
    }
    if let Some(e) = &job.schedule_error {
        v.push(format!("Crontab not understood: {e}"));
    }
    if !job.detail.is_empty() {
        v.push(job.detail.clone());
    }
    v
}

/// Lays out one source's `jobs` on `axis` at `now` (already [`layout_now`]): report tasks one
/// per lane top-down in list order; other jobs in lanes that keep overlapping ones apart,
/// filled bottom-up so the latest sit right under the axis. Ticks follow the wall clock of a
/// zone `offset_ms` ahead of UTC, with the labels under "now" cleared; `fmt` writes the
/// tooltip's times.
pub fn layout(
    source: Source,
    jobs: &[Job],
    axis: Axis,
    now: i64,
    offset_ms: i64,
    fmt: &dyn Fn(i64) -> String,
) -> TimelineLayout {
    let (lanes, n) = if source == Source::Cdn {
        ((0..jobs.len()).collect(), jobs.len())
    } else {
        // Bars drawn at their minimum width must not touch: about 3 units apart.
        let gap = (axis.span() as f64 / axis.width * 3.0) as i64;
        let ext: Vec<(i64, i64)> = jobs
            .iter()
            .map(|j| j.extent().unwrap_or((now, now)))
            .collect();
        assign_lanes(&ext, gap)
    };
    let height = AXIS_H + (n.max(1) as f64) * LANE_H + 4.0;
    let now_x = axis.now_x(now);
    let mut ticks = axis.ticks(TICK_MIN_PX, offset_ms);
    if let Some(x) = now_x {
        clear_labels_over(&mut ticks, x, NOW_LABEL_W, CHAR_W);
    }
    let bars = jobs
        .iter()
        .zip(&lanes)
        .map(|(job, &lane)| {
            let lane = if source == Source::Cdn {
                lane
            } else {
                n - 1 - lane
            };
            bar_shape(job, axis, now, AXIS_H + lane as f64 * LANE_H, fmt)
        })
        .collect();
    TimelineLayout {
        axis,
        height,
        ticks,
        now_x,
        bars,
    }
}

fn bar_shape(job: &Job, axis: Axis, now: i64, y: f64, fmt: &dyn Fn(i64) -> String) -> BarShape {
    let report = job.source == Source::Cdn;
    let exec = job.exec.and_then(|(a, b)| axis.bar(a, b, 3.0));
    let window = job.window.and_then(|r| {
        axis.bar(r.0, r.1, 2.0).map(|(x, w)| {
            let rect = Rect {
                x,
                y: y + 1.0,
                w,
                h: LANE_H - 2.0,
            };
            (rect, r)
        })
    });
    // Beside the execution (or else the data window).
    let tip_x = job
        .exec
        .or(job.window)
        .and_then(|(a, b)| axis.bar(a, b, 3.0))
        .map_or(0.0, |(x, _)| x);
    let pct = (tip_x / axis.width * 100.0).clamp(0.0, 100.0);
    let tooltip_at = if pct < 50.0 {
        TooltipAnchor::Left(pct)
    } else {
        TooltipAnchor::Right(100.0 - pct)
    };
    let (hit_x, hit_w) = if report {
        (0.0, axis.width)
    } else {
        job.extent()
            .and_then(|(a, b)| axis.bar(a, b, 4.0))
            .unwrap_or((0.0, 0.0))
    };
    let created = report
        .then(|| job.created_ms.and_then(|c| axis.now_x(c)))
        .flatten()
        .map(|x| Rect {
            x: x - 1.0,
            y: y + 2.0,
            w: 2.0,
            h: LANE_H - 4.0,
        });
    let runs = if report {
        job.next_runs(now.max(axis.t0), MAX_RUN_MARKS)
            .into_iter()
            .take_while(|t| *t <= axis.t1)
            .map(|t| Rect {
                x: axis.x(t) - 1.0,
                y: y + 1.0,
                w: 2.0,
                h: LANE_H - 2.0,
            })
            .collect()
    } else {
        Vec::new()
    };
    BarShape {
        id: job.id.clone(),
        status: job.class,
        label: format!("{} {}, status: {}", job.id, job.name, job.status),
        tooltip: tooltip_lines(job, now, fmt),
        tooltip_at,
        hit: Rect {
            x: hit_x,
            y,
            w: hit_w,
            h: LANE_H,
        },
        window,
        exec: exec.map(|(x, w)| Rect {
            x,
            y: y + 3.0,
            w,
            h: LANE_H - 6.0,
        }),
        created,
        disabled_y: (job.class == StatusClass::Disabled).then_some(y + LANE_H / 2.0),
        runs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{format_api_time, parse_rfc3339_ms};

    #[test]
    fn scale_round_trips() {
        let a = Axis::new(1000, 2000, 500.0);
        assert_eq!(a.x(1000), 0.0);
        assert_eq!(a.x(1500), 250.0);
        assert_eq!(a.x(2000), 500.0);
        assert_eq!(a.t(250.0), 1500);
        assert_eq!(Axis::new(5, 5, 0.0).span(), 1, "never a zero span");
    }

    #[test]
    fn fit_pads_and_includes_now() {
        let a = Axis::fit([(0, 100_000), (50_000, 200_000)], 250_000, 1000.0);
        assert!(a.t0 < 0 && a.t1 > 250_000);
        assert_eq!(a.t0, -10_000);
        let e = Axis::fit(std::iter::empty(), 1_000_000, 1000.0);
        assert!(e.span() >= MIN_SPAN_MS);
    }

    #[test]
    fn bars_clip_and_keep_minimum_width() {
        let a = Axis::new(0, 1000, 100.0);
        assert_eq!(a.bar(100, 300, 2.0), Some((10.0, 20.0)));
        assert_eq!(a.bar(300, 100, 2.0), Some((10.0, 20.0)), "reversed");
        assert_eq!(a.bar(500, 500, 3.0), Some((50.0, 3.0)), "an instant");
        assert_eq!(a.bar(-500, 200, 2.0), Some((0.0, 20.0)), "clipped left");
        assert_eq!(a.bar(900, 5000, 2.0), Some((90.0, 10.0)), "clipped right");
        assert_eq!(
            a.bar(1000, 1000, 4.0),
            Some((96.0, 4.0)),
            "minimum width stays in view"
        );
        assert_eq!(a.bar(1001, 2000, 2.0), None);
        assert_eq!(a.bar(-10, -1, 2.0), None);
    }

    #[test]
    fn zoom_keeps_anchor_and_pan_shifts() {
        let a = Axis::new(0, 1_000_000, 1000.0);
        let z = a.zoom(0.5, 250.0);
        assert_eq!(z.span(), 500_000);
        assert_eq!(z.t(250.0), a.t(250.0), "the time under the pointer stays");
        let out = z.zoom(2.0, 250.0);
        assert_eq!((out.t0, out.t1), (a.t0, a.t1));
        assert_eq!(a.zoom(1e-9, 0.0).span(), MIN_SPAN_MS, "zoom-in limit");
        let p = a.pan(100.0);
        assert_eq!((p.t0, p.t1), (100_000, 1_100_000));
        assert_eq!(a.pan(-1000.0).t1, 0);
        assert_eq!(a.now_x(500_000), Some(500.0));
        assert_eq!(a.now_x(2_000_000), None);
        // The buttons zoom around now when in view, else around the middle.
        let n = a.zoom_at_now(0.5, 800_000);
        assert_eq!((n.span(), n.t(800.0)), (500_000, 800_000));
        let m = a.zoom_at_now(0.5, 5_000_000);
        assert_eq!((m.t0, m.t1), (250_000, 750_000));
        assert_eq!(a.pan_by(-0.25).t0, -250_000);
        assert_eq!(
            (wheel_zoom_factor(3.0), wheel_zoom_factor(-3.0)),
            (1.25, 0.8)
        );
    }

    #[test]
    fn ticks_are_nice_and_in_view() {
        let ms = |s: &str| parse_rfc3339_ms(s).unwrap();
        let a = Axis::new(
            ms("2024-01-01T00:07:00Z"),
            ms("2024-01-01T06:00:00Z"),
            600.0,
        );
        let t = a.ticks(80.0, 0);
        assert!(t.len() >= 3 && t.len() <= 8, "{t:?}");
        assert_eq!(format_api_time(t[0].t), "2024-01-01T01:00:00Z");
        assert_eq!(t[0].label, "01:00");
        assert!(t
            .iter()
            .all(|k| k.t >= a.t0 && k.t <= a.t1 && k.x >= 0.0 && k.x <= 600.0));
        // Months over a year.
        let y = Axis::new(
            ms("2023-11-15T00:00:00Z"),
            ms("2024-11-15T00:00:00Z"),
            1200.0,
        );
        let t = y.ticks(90.0, 0);
        assert_eq!(format_api_time(t[0].t), "2023-12-01T00:00:00Z");
        assert_eq!(t[0].label, "Dec");
        assert_eq!(t[1].label, "2024");
        // Weeks start on Monday.
        let w = Axis::new(
            ms("2024-01-03T00:00:00Z"),
            ms("2024-03-01T00:00:00Z"),
            700.0,
        );
        let t = w.ticks(80.0, 0);
        assert_eq!(format_api_time(t[0].t), "2024-01-08T00:00:00Z");
        assert_eq!(t[0].label, "01-08");
    }

    #[test]
    fn lanes_never_overlap() {
        let iv = [(0, 10), (5, 15), (10, 20), (12, 13), (30, 40)];
        let (lanes, n) = assign_lanes(&iv, 0);
        assert_eq!(lanes, vec![0, 1, 0, 2, 0]);
        assert_eq!(n, 3);
        // With a gap, touching intervals separate.
        let (lanes, _) = assign_lanes(&[(0, 10), (10, 20)], 1);
        assert_eq!(lanes, vec![0, 1]);
        // Property: no two in one lane overlap.
        let iv: Vec<(i64, i64)> = (0..200)
            .map(|i| {
                let a = (i * 7919) % 1000;
                (a, a + (i * 31) % 90)
            })
            .collect();
        let (lanes, n) = assign_lanes(&iv, 2);
        assert!(n < 200);
        for i in 0..iv.len() {
            for j in 0..i {
                if lanes[i] == lanes[j] {
                    let (a, b) = (iv[i], iv[j]);
                    assert!(a.1 + 2 <= b.0 || b.1 + 2 <= a.0, "{a:?} {b:?}");
                }
            }
        }
        assert_eq!(assign_lanes(&[], 0), (vec![], 0));
    }

    #[test]
    fn ticks_follow_the_zone_and_clear_the_now_label() {
        let day = 86_400_000;
        let a = Axis::new(10 * day, 14 * day, 1000.0);
        let utc = a.ticks(150.0, 0);
        assert!(utc.iter().all(|t| t.t % day == 0), "UTC midnights");
        // Two hours ahead of UTC: that zone's midnight is 22:00 UTC.
        let plus2 = a.ticks(150.0, 2 * 3_600_000);
        assert!(!plus2.is_empty());
        assert!(plus2.iter().all(|t| (t.t + 2 * 3_600_000) % day == 0));
        assert_eq!(
            utc[1..].iter().map(|t| &t.label).collect::<Vec<_>>(),
            plus2.iter().map(|t| &t.label).collect::<Vec<_>>(),
            "the same wall-clock labels (the axis starts at 02:00 there)"
        );
        let mut ticks = utc.clone();
        let now_x = ticks[1].x + 10.0;
        clear_labels_over(&mut ticks, now_x, 16.0, 5.0);
        assert!(
            ticks[1].label.is_empty(),
            "the label under 'now' is cleared"
        );
        assert_eq!(ticks[0].label, utc[0].label, "others stay");
        assert_eq!(ticks[2].label, utc[2].label);
    }

    const H: i64 = 3_600_000;

    fn backfill(id: i64, status: i64, created: i64, minutes: i64) -> Job {
        use crate::wire::DeliveryHistoryJob;
        let t = format_api_time;
        Job::from_backfill(
            &DeliveryHistoryJob {
                job_id: Some(id),
                trail_name: Some("trail-name".into()),
                home_region: Some("cn-hangzhou".into()),
                job_status: Some(status),
                created_time: Some(t(created)),
                updated_time: Some(t(created + minutes * 60_000)),
                start_time: Some(t(created - 24 * H)),
                end_time: Some(t(created)),
                regions: Vec::new(),
            },
            created + 100 * H,
        )
    }

    fn report(id: i64, status: &str, cron: &str) -> Job {
        use crate::wire::CdnDeliverTask;
        Job::from_cdn(&CdnDeliverTask {
            deliver_id: Some(id),
            status: Some(status.into()),
            crontab: Some(cron.into()),
            frequency: Some("h".into()),
            name: Some(format!("task {id}")),
            create_time: Some("2024-05-31T23:30:00Z".into()),
            ..Default::default()
        })
    }

    #[test]
    fn layout_keeps_overlapping_jobs_apart_latest_under_the_axis() {
        let t0 = 1_717_200_000_000;
        let jobs = vec![
            backfill(1, 2, t0, 30),
            backfill(2, 3, t0 + H, 20),
            backfill(3, 2, t0 + 60 * H, 10),
        ];
        let axis = Axis::new(t0 - 30 * H, t0 + 70 * H, 1000.0);
        let now = t0 + 65 * H;
        let l = layout(Source::Backfill, &jobs, axis, now, 0, &format_api_time);
        assert_eq!(l.bars.len(), 3);
        let y: Vec<f64> = l.bars.iter().map(|b| b.hit.y).collect();
        // Two lanes, filled bottom-up: the first lane is the lower one.
        assert_eq!(y, vec![AXIS_H + LANE_H, AXIS_H, AXIS_H + LANE_H]);
        assert_eq!(l.height, AXIS_H + 2.0 * LANE_H + 4.0);
        assert_eq!(l.now_x, Some(950.0));
        assert!(l.ticks.iter().all(|t| t.label.is_empty()
            || t.x + t.label.len() as f64 * CHAR_W + 4.0 <= 950.0
            || t.x >= 950.0 + NOW_LABEL_W + 4.0));
        let b = &l.bars[1];
        assert_eq!(b.id, "2");
        assert_eq!(b.status, StatusClass::Failed);
        assert_eq!(b.label, "2 trail-name, status: Failed");
        let (win, range) = b.window.expect("a data window");
        assert_eq!(range, (t0 + H - 24 * H, t0 + H));
        assert_eq!((win.x, win.w), (70.0, 240.0));
        assert_eq!((win.y, win.h), (AXIS_H + 1.0, LANE_H - 2.0));
        let exec = b.exec.expect("an execution");
        assert_eq!((exec.y, exec.h), (AXIS_H + 3.0, LANE_H - 6.0));
        assert!(
            (exec.x - 310.0).abs() < 1e-9 && (exec.w - 10.0 / 3.0).abs() < 1e-9,
            "{exec:?}"
        );
        // The hit area spans window and execution.
        assert_eq!(b.hit.x, 70.0);
        assert!((b.hit.w - 243.333).abs() < 0.01, "{:?}", b.hit);
        assert!(b.created.is_none() && b.runs.is_empty() && b.disabled_y.is_none());
        assert_eq!(b.tooltip_at, TooltipAnchor::Left(31.0));
        assert_eq!(
            b.tooltip,
            vec![
                "2 trail-name".to_string(),
                "Status: Failed".into(),
                "Created: 2024-06-01T01:00:00Z".into(),
                "Ran: 2024-06-01T01:00:00Z → 2024-06-01T01:20:00Z".into(),
                "Data: 2024-05-31T01:00:00Z → 2024-06-01T01:00:00Z".into(),
                "cn-hangzhou".into(),
            ]
        );
        // A bar past the middle anchors its tooltip from the right.
        assert!(matches!(l.bars[2].tooltip_at, TooltipAnchor::Right(p) if (p - 10.0).abs() < 1e-9));
        // An empty source still has one lane's height.
        let e = layout(Source::Export, &[], axis, now, 0, &format_api_time);
        assert!(e.bars.is_empty());
        assert_eq!(e.height, AXIS_H + LANE_H + 4.0);
    }

    #[test]
    fn layout_of_report_tasks_runs_disabled_and_whole_lane_hit() {
        let now = 1_717_200_000_000; // 2024-06-01T00:00:00Z
        let jobs = vec![
            report(1, "enable", "0 0 */6 * * ?"),
            report(2, "disable", "0 0 * * * ?"),
        ];
        let axis = Axis::new(now - H, now + 24 * H, 1000.0);
        let l = layout(Source::Cdn, &jobs, axis, now, 0, &format_api_time);
        let (a, b) = (&l.bars[0], &l.bars[1]);
        assert_eq!((a.hit.y, b.hit.y), (AXIS_H, AXIS_H + LANE_H), "top-down");
        assert_eq!((a.hit.x, a.hit.w), (0.0, 1000.0));
        // Every 6 hours after now within 24 h: 06, 12, 18, 24.
        assert_eq!(a.runs.len(), 4);
        assert_eq!(a.runs[0].x, axis.x(now + 6 * H) - 1.0);
        assert!(b.runs.is_empty());
        assert_eq!(b.disabled_y, Some(AXIS_H + LANE_H + LANE_H / 2.0));
        assert_eq!(a.disabled_y, None);
        let c = a.created.expect("created in view");
        assert_eq!((c.x, c.w), (axis.x(now - H / 2) - 1.0, 2.0));
        assert!(a.tooltip.contains(&"Crontab: 0 0 */6 * * ?".to_string()));
    }

    #[test]
    fn layout_now_ticks_only_while_a_job_runs() {
        let t0 = 1_717_200_000_000;
        let done = vec![backfill(1, 2, t0, 30)];
        assert_eq!(layout_now(&done, t0 + 61_234), t0 + 60_000);
        let running = vec![backfill(1, 2, t0, 30), backfill(2, 0, t0, 30)];
        assert_eq!(layout_now(&running, t0 + 61_234), t0 + 61_234);
        let j = &running[1];
        let lines = tooltip_lines(j, j.exec.unwrap().0 + 5_000, &format_api_time);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Running since") && l.ends_with("(5 s)")),
            "{lines:?}"
        );
    }
}
