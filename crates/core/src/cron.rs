//! Quartz cron expressions (as DescribeCdnDeliverList's `crontab`): parse, then list the next
//! runs after an instant, in UTC.
//!
//! Hand-written rather than a crate: the `cron` crate is not in the offline registry this
//! project builds from, and the common crates differ from Quartz where it matters here
//! (day-of-week numbering 1 = SUN, the mandatory `?`, the optional year). This covers what
//! report-delivery schedules use:
//!
//! `sec min hour day-of-month month day-of-week [year]`, each field `*`, `?` (day fields only),
//! a number, a name (`JAN`-`DEC`, `SUN`-`SAT`), a range `a-b`, a step `a/n`, `a-b/n` or `*/n`,
//! or a comma list of those. Day-of-week is 1-7 with 1 = Sunday (Quartz). When one day field is
//! `?` or `*` the other one decides; when both are restricted a day matching either runs
//! (Vixie cron's rule; Quartz rejects that form). `L`, `W` and `#` are reported as unsupported.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError(pub String);

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One field as a bit set of allowed values, and whether it was unrestricted (`*` / `?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    /// Bit v set = value v (after the field's offset) allowed; 192 bits hold 130 years.
    bits: [u64; 3],
    any: bool,
}

impl Field {
    fn has(&self, v: u32) -> bool {
        v < 192 && self.bits[(v / 64) as usize] & (1u64 << (v % 64)) != 0
    }
}

fn or(a: [u64; 3], b: [u64; 3]) -> [u64; 3] {
    [a[0] | b[0], a[1] | b[1], a[2] | b[2]]
}

/// A parsed Quartz expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    sec: Field,
    min: Field,
    hour: Field,
    dom: Field,
    month: Field,
    /// 0 = Sunday .. 6 = Saturday (converted from Quartz's 1..7).
    dow: Field,
    /// Years as offsets from 1970 (0..=129 → 1970..=2099).
    year: Field,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn value(
    s: &str,
    name: &str,
    lo: u32,
    hi: u32,
    names: &[&str],
    base: u32,
) -> Result<u32, CronError> {
    let up = s.to_ascii_uppercase();
    if let Some(i) = names.iter().position(|n| *n == up) {
        return Ok(i as u32 + base);
    }
    let v: u32 = s.parse().map_err(|_| {
        CronError(format!(
            "{name}: '{s}' is not a number{}",
            if names.is_empty() { "" } else { " or a name" }
        ))
    })?;
    if v < lo || v > hi {
        return Err(CronError(format!("{name}: {v} is outside {lo}-{hi}")));
    }
    Ok(v)
}

#[allow(clippy::too_many_arguments)]
fn field(
    s: &str,
    name: &str,
    lo: u32,
    hi: u32,
    names: &[&str],
    name_base: u32,
    question_ok: bool,
    offset: u32,
) -> Result<Field, CronError> {
    if s == "?" {
        return if question_ok {
            Ok(Field {
                bits: range_bits(lo - offset, hi - offset, 1),
                any: true,
            })
        } else {
            Err(CronError(format!(
                "{name}: '?' is only allowed in the day fields"
            )))
        };
    }
    if s == "*" {
        return Ok(Field {
            bits: range_bits(lo - offset, hi - offset, 1),
            any: true,
        });
    }
    if s.is_empty() {
        return Err(CronError(format!("{name}: empty")));
    }
    let upper = s.to_ascii_uppercase();
    let unsupported = upper.contains('#')
        || upper.split([',', '-', '/']).any(|t| {
            t.starts_with('L') && !names.contains(&t) || t.ends_with('W') && !names.contains(&t)
        });
    if unsupported {
        return Err(CronError(format!(
            "{name}: '{s}' (L, W, #) is not supported"
        )));
    }
    let mut bits = [0u64; 3];
    for part in s.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, st)) => {
                let n: u32 = st
                    .parse()
                    .map_err(|_| CronError(format!("{name}: step '{st}' is not a number")))?;
                if n == 0 {
                    return Err(CronError(format!("{name}: step 0")));
                }
                (r, n)
            }
            None => (part, 1),
        };
        let (a, b) = if range == "*" || range == "?" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (
                value(a, name, lo, hi, names, name_base)?,
                value(b, name, lo, hi, names, name_base)?,
            )
        } else {
            let a = value(range, name, lo, hi, names, name_base)?;
            // `a/n` means from a to the end in steps of n.
            (a, if step > 1 { hi } else { a })
        };
        if a > b {
            return Err(CronError(format!("{name}: range {a}-{b} is backwards")));
        }
        bits = or(bits, range_bits(a - offset, b - offset, step));
    }
    Ok(Field { bits, any: false })
}

fn range_bits(a: u32, b: u32, step: u32) -> [u64; 3] {
    let mut bits = [0u64; 3];
    let mut v = a;
    while v <= b {
        bits[(v / 64) as usize] |= 1u64 << (v % 64);
        v += step;
    }
    bits
}

impl Schedule {
    pub fn parse(expr: &str) -> Result<Schedule, CronError> {
        let f: Vec<&str> = expr.split_whitespace().collect();
        if !(6..=7).contains(&f.len()) {
            return Err(CronError(format!(
                "expected 6 or 7 fields (sec min hour day-of-month month day-of-week [year]), got {}",
                f.len()
            )));
        }
        let sec = field(f[0], "seconds", 0, 59, &[], 0, false, 0)?;
        let min = field(f[1], "minutes", 0, 59, &[], 0, false, 0)?;
        let hour = field(f[2], "hours", 0, 23, &[], 0, false, 0)?;
        let dom = field(f[3], "day-of-month", 1, 31, &[], 0, true, 0)?;
        let month = field(f[4], "month", 1, 12, &MONTHS, 1, false, 0)?;
        // Quartz 1..7 (SUN = 1) → bits 0..6 (SUN = 0).
        let dow = field(f[5], "day-of-week", 1, 7, &DAYS, 1, true, 1)?;
        let year = match f.get(6) {
            None => Field {
                bits: range_bits(0, 129, 1),
                any: true,
            },
            Some(y) => field(y, "year", 1970, 2099, &[], 0, false, 1970)?,
        };
        Ok(Schedule {
            sec,
            min,
            hour,
            dom,
            month,
            dow,
            year,
        })
    }

    fn day_matches(&self, d: NaiveDate) -> bool {
        let y = d.year() as u32;
        if !(1970..=2099).contains(&y) || !self.year.has(y - 1970) {
            return false;
        }
        if !self.month.has(d.month()) {
            return false;
        }
        let dom = self.dom.has(d.day());
        let dow = self.dow.has(d.weekday().num_days_from_sunday());
        match (self.dom.any, self.dow.any) {
            (true, true) => true,
            (true, false) => dow,
            (false, true) => dom,
            (false, false) => dom || dow,
        }
    }

    /// The next `n` run times strictly after `after_ms` (epoch ms, UTC), looking at most ~8
    /// years ahead (so a schedule that never fires, like 31 February, ends the list).
    pub fn next_runs(&self, after_ms: i64, n: usize) -> Vec<i64> {
        let mut out = Vec::with_capacity(n);
        if n == 0 {
            return out;
        }
        let Some(start) = Utc.timestamp_millis_opt(after_ms).single() else {
            return out;
        };
        let after_s = after_ms.div_euclid(1000);
        let mut day = start.date_naive();
        for _ in 0..(366 * 8) {
            if self.day_matches(day) {
                let midnight = day
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight")
                    .and_utc()
                    .timestamp();
                for h in (0..24).filter(|&h| self.hour.has(h)) {
                    for m in (0..60).filter(|&m| self.min.has(m)) {
                        for s in (0..60).filter(|&s| self.sec.has(s)) {
                            let t = midnight + (h * 3600 + m * 60 + s) as i64;
                            if t > after_s {
                                out.push(t * 1000);
                                if out.len() == n {
                                    return out;
                                }
                            }
                        }
                    }
                }
            }
            match day.succ_opt() {
                Some(d) => day = d,
                None => break,
            }
        }
        out
    }
}

/// Convenience: parse and list the next runs (epoch ms).
pub fn next_runs(expr: &str, after_ms: i64, n: usize) -> Result<Vec<i64>, CronError> {
    Ok(Schedule::parse(expr)?.next_runs(after_ms, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{format_api_time, parse_rfc3339_ms};

    fn runs(expr: &str, after: &str, n: usize) -> Vec<String> {
        next_runs(expr, parse_rfc3339_ms(after).unwrap(), n)
            .unwrap()
            .into_iter()
            .map(format_api_time)
            .collect()
    }

    #[test]
    fn daily_midnight_from_the_seed() {
        assert_eq!(
            runs("0 0 0 * * ?", "2024-02-28T12:00:00Z", 3),
            [
                "2024-02-29T00:00:00Z",
                "2024-03-01T00:00:00Z",
                "2024-03-02T00:00:00Z"
            ]
        );
        // Strictly after: a run exactly at `after` is not listed.
        assert_eq!(
            runs("0 0 0 * * ?", "2024-03-01T00:00:00Z", 1),
            ["2024-03-02T00:00:00Z"]
        );
    }

    #[test]
    fn seconds_steps_ranges_lists() {
        assert_eq!(
            runs("*/20 * * * * ?", "2024-01-01T00:00:05Z", 3),
            [
                "2024-01-01T00:00:20Z",
                "2024-01-01T00:00:40Z",
                "2024-01-01T00:01:00Z"
            ]
        );
        assert_eq!(
            runs("0 15,45 9-10 * * ?", "2024-01-01T09:20:00Z", 4),
            [
                "2024-01-01T09:45:00Z",
                "2024-01-01T10:15:00Z",
                "2024-01-01T10:45:00Z",
                "2024-01-02T09:15:00Z"
            ]
        );
        assert_eq!(
            runs("0 0 8-18/5 * * ?", "2024-01-01T00:00:00Z", 3),
            [
                "2024-01-01T08:00:00Z",
                "2024-01-01T13:00:00Z",
                "2024-01-01T18:00:00Z"
            ]
        );
        // `a/n`: from a to the end of the range.
        assert_eq!(
            runs("0 5/30 0 1 1 ?", "2024-01-01T00:00:00Z", 3),
            [
                "2024-01-01T00:05:00Z",
                "2024-01-01T00:35:00Z",
                "2025-01-01T00:05:00Z"
            ]
        );
    }

    #[test]
    fn day_of_week_is_quartz_numbered_and_named() {
        // 2024-01-01 is a Monday. Quartz: 1 = SUN, 2 = MON.
        assert_eq!(
            runs("0 0 9 ? * 2", "2024-01-01T10:00:00Z", 1),
            ["2024-01-08T09:00:00Z"]
        );
        assert_eq!(
            runs("0 0 9 ? * MON", "2024-01-01T08:00:00Z", 1),
            ["2024-01-01T09:00:00Z"]
        );
        assert_eq!(
            runs("0 30 6 ? * MON-FRI", "2024-01-05T07:00:00Z", 2),
            ["2024-01-08T06:30:00Z", "2024-01-09T06:30:00Z"]
        );
        assert_eq!(
            runs("0 0 0 ? * SUN,sat", "2024-01-01T00:00:00Z", 2),
            ["2024-01-06T00:00:00Z", "2024-01-07T00:00:00Z"]
        );
        assert_eq!(
            runs("0 0 0 ? * 1", "2024-01-01T00:00:00Z", 1),
            ["2024-01-07T00:00:00Z"]
        );
    }

    #[test]
    fn monthly_names_years_and_leap_days() {
        assert_eq!(
            runs("0 0 2 1 * ?", "2024-01-15T00:00:00Z", 3),
            [
                "2024-02-01T02:00:00Z",
                "2024-03-01T02:00:00Z",
                "2024-04-01T02:00:00Z"
            ]
        );
        assert_eq!(
            runs("0 0 0 29 FEB ?", "2024-03-01T00:00:00Z", 2),
            ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]
        );
        assert_eq!(
            runs("0 0 12 1 JAN-MAR ? 2025", "2024-06-01T00:00:00Z", 4).len(),
            3
        );
        // 31 February never happens: an empty list, not a hang.
        assert!(runs("0 0 0 31 2 ?", "2024-01-01T00:00:00Z", 1).is_empty());
        // 31st: skips shorter months.
        assert_eq!(
            runs("0 0 0 31 * ?", "2024-03-31T01:00:00Z", 2),
            ["2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z"]
        );
    }

    #[test]
    fn both_day_fields_restricted_means_either() {
        // The 15th, or any Saturday.
        assert_eq!(
            runs("0 0 0 15 * 7", "2024-01-12T00:00:00Z", 3),
            [
                "2024-01-13T00:00:00Z",
                "2024-01-15T00:00:00Z",
                "2024-01-20T00:00:00Z"
            ]
        );
    }

    #[test]
    fn errors_name_the_field() {
        let e = |s: &str| Schedule::parse(s).unwrap_err().0;
        assert!(e("0 0 * * *").contains("6 or 7 fields"));
        assert!(e("60 0 0 * * ?").contains("seconds"));
        assert!(e("0 0 24 * * ?").contains("hours"));
        assert!(e("0 0 0 ? * 8").contains("day-of-week"));
        assert!(e("0 0 0 * FOO ?").contains("month"));
        assert!(e("0 ? 0 * * ?").contains("only allowed"));
        assert!(e("0 0 0 L * ?").contains("not supported"));
        assert!(e("0 0 0 ? * 6#3").contains("not supported"));
        assert!(e("0 */0 0 * * ?").contains("step 0"));
        assert!(e("0 0 5-2 * * ?").contains("backwards"));
        assert!(e("0 0 0 * * ? 1969").contains("year"));
    }

    #[test]
    fn pre_epoch_and_limits() {
        assert_eq!(next_runs("0 0 0 * * ?", 0, 0).unwrap(), Vec::<i64>::new());
        assert_eq!(
            runs("0 0 0 1 1 ?", "2099-06-01T00:00:00Z", 2),
            Vec::<String>::new(),
            "years past 2099 are out of Quartz's range"
        );
    }
}
