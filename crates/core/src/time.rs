//! Time helpers shared by the app and the proxy.
//!
//! Dates are written by hand ([`format`], [`offset_label`]) and the query bar's
//! `datetime-local` values are parsed with fixed chrono items ([`parse_input`]): chrono's
//! format-string machinery (`format("%…")`, `parse_from_str`) is a large part of the app's wasm.

use chrono::format::{Item, Numeric, Pad, Parsed};
use chrono::{DateTime, Datelike, NaiveDateTime, SecondsFormat, Timelike, Utc};

/// Parse an RFC 3339 / ISO 8601 UTC time (`2020-10-10T08:31:47Z`) to epoch milliseconds.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.timestamp_millis())
}

/// Format epoch milliseconds the way Alibaba's APIs want times: `YYYY-MM-DDThh:mm:ssZ`.
pub fn format_api_time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn push_two(out: &mut String, v: u32) {
    out.push(char::from(b'0' + (v / 10 % 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

/// `d` written as chrono's `d.format(pattern)` writes it, for the specifiers `%Y` (four digits,
/// signed outside 0..=9999), `%m`, `%d`, `%H`, `%M`, `%S` (two digits) and `%b` (`Jan`…`Dec`);
/// every other character is written as it is.
pub fn format(d: &NaiveDateTime, pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => {
                let y = d.year();
                if (0..=9999).contains(&y) {
                    push_two(&mut out, y as u32 / 100);
                    push_two(&mut out, y as u32 % 100);
                } else {
                    out.push_str(&std::format!("{y:+05}"));
                }
            }
            Some('m') => push_two(&mut out, d.month()),
            Some('d') => push_two(&mut out, d.day()),
            Some('H') => push_two(&mut out, d.hour()),
            Some('M') => push_two(&mut out, d.minute()),
            // A leap second (nanoseconds past 10^9) is second 60, as chrono writes it.
            Some('S') => push_two(&mut out, d.second() + d.nanosecond() / 1_000_000_000),
            Some('b') => out.push_str(MONTHS[d.month0() as usize]),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// A zone's offset from UTC (`local_minus_utc` seconds) as chrono's `%:z` writes it:
/// `+01:00`, `-09:30` (rounded to the minute).
pub fn offset_label(local_minus_utc: i32) -> String {
    let (sign, off) = if local_minus_utc < 0 {
        ('-', -local_minus_utc)
    } else {
        ('+', local_minus_utc)
    };
    let minutes = (off + 30) / 60;
    let mut out = String::with_capacity(6);
    out.push(sign);
    push_two(&mut out, (minutes / 60) as u32);
    out.push(':');
    push_two(&mut out, (minutes % 60) as u32);
    out
}

const fn num(n: Numeric) -> Item<'static> {
    Item::Numeric(n, Pad::Zero)
}

/// `%Y-%m-%dT%H:%M` as chrono's format-string parser reads it.
const INPUT_MINUTES: [Item<'static>; 9] = [
    num(Numeric::Year),
    Item::Literal("-"),
    num(Numeric::Month),
    Item::Literal("-"),
    num(Numeric::Day),
    Item::Literal("T"),
    num(Numeric::Hour),
    Item::Literal(":"),
    num(Numeric::Minute),
];

/// `%Y-%m-%dT%H:%M:%S` as chrono's format-string parser reads it.
const INPUT_SECONDS: [Item<'static>; 11] = [
    num(Numeric::Year),
    Item::Literal("-"),
    num(Numeric::Month),
    Item::Literal("-"),
    num(Numeric::Day),
    Item::Literal("T"),
    num(Numeric::Hour),
    Item::Literal(":"),
    num(Numeric::Minute),
    Item::Literal(":"),
    num(Numeric::Second),
];

fn parse_items(s: &str, items: &[Item<'static>]) -> Option<NaiveDateTime> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, s, items.iter()).ok()?;
    parsed.to_naive_datetime_with_offset(0).ok()
}

/// A `datetime-local` input's value (`2024-05-01T08:00`, or with seconds), read as chrono's
/// `NaiveDateTime::parse_from_str` reads `%Y-%m-%dT%H:%M`, else `%Y-%m-%dT%H:%M:%S`.
pub fn parse_input(s: &str) -> Option<NaiveDateTime> {
    parse_items(s, &INPUT_MINUTES).or_else(|| parse_items(s, &INPUT_SECONDS))
}

/// Time-range presets of the query bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangePreset {
    Hour1,
    Hours24,
    Days7,
    Days30,
    Custom,
}

impl RangePreset {
    pub const ALL: [RangePreset; 5] = [
        RangePreset::Hour1,
        RangePreset::Hours24,
        RangePreset::Days7,
        RangePreset::Days30,
        RangePreset::Custom,
    ];
    pub fn key(self) -> &'static str {
        match self {
            RangePreset::Hour1 => "1h",
            RangePreset::Hours24 => "24h",
            RangePreset::Days7 => "7d",
            RangePreset::Days30 => "30d",
            RangePreset::Custom => "custom",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            RangePreset::Hour1 => "Last hour",
            RangePreset::Hours24 => "Last 24 hours",
            RangePreset::Days7 => "Last 7 days",
            RangePreset::Days30 => "Last 30 days",
            RangePreset::Custom => "Custom…",
        }
    }
    pub fn from_key(k: &str) -> Option<RangePreset> {
        RangePreset::ALL.into_iter().find(|p| p.key() == k)
    }
    /// `(start, end)` in epoch ms ending at `now_ms`; `None` for Custom.
    pub fn range(self, now_ms: i64) -> Option<(i64, i64)> {
        const H: i64 = 3_600_000;
        let span = match self {
            RangePreset::Hour1 => H,
            RangePreset::Hours24 => 24 * H,
            RangePreset::Days7 => 7 * 24 * H,
            RangePreset::Days30 => 30 * 24 * H,
            RangePreset::Custom => return None,
        };
        // Whole seconds: the API's time format has no fractions.
        let end = now_ms - now_ms.rem_euclid(1000);
        Some((end - span, end))
    }
}

/// Check a custom range before sending, with the API's own words for what it would reject.
pub fn check_range(start_ms: i64, end_ms: i64) -> Result<(), String> {
    if end_ms <= start_ms {
        return Err("The end time must be later than the start time.".into());
    }
    Ok(())
}

#[cfg(test)]
mod preset_tests {
    use super::*;
    #[test]
    fn presets() {
        let now = parse_rfc3339_ms("2024-05-01T08:00:00.750Z").unwrap();
        let (s, e) = RangePreset::Days7.range(now).unwrap();
        assert_eq!(format_api_time(e), "2024-05-01T08:00:00Z");
        assert_eq!(format_api_time(s), "2024-04-24T08:00:00Z");
        assert_eq!(RangePreset::Custom.range(now), None);
        assert_eq!(RangePreset::from_key("24h"), Some(RangePreset::Hours24));
        assert!(
            check_range(2, 1).is_err() && check_range(1, 1).is_err() && check_range(1, 2).is_ok()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::format::StrftimeItems;
    use chrono::{FixedOffset, NaiveDate};

    #[test]
    fn roundtrip() {
        let ms = parse_rfc3339_ms("2020-10-10T08:31:47Z").unwrap();
        assert_eq!(format_api_time(ms), "2020-10-10T08:31:47Z");
        assert_eq!(parse_rfc3339_ms("2020-10-10 08:31"), None);
    }

    /// Every pattern the app and core write, on dates across chrono's range.
    #[test]
    fn format_is_chronos() {
        let patterns = [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y/%m/%d/",
            "%Y%m%d%H%M%S",
            "%Y%m%dT%H%M",
            "%H:%M:%S",
            "%m-%d",
            "%H:%M",
            "%Y",
            "%b",
        ];
        let mut dates = vec![
            NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
            NaiveDate::from_ymd_opt(999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(-1, 6, 15).unwrap(),
            NaiveDate::from_ymd_opt(-12345, 3, 3).unwrap(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(),
            NaiveDate::MIN,
            NaiveDate::MAX,
        ];
        dates.extend((0..12).map(|m| NaiveDate::from_ymd_opt(2023, m + 1, 9).unwrap()));
        for d in dates {
            for (h, mi, s, nano) in [(0, 0, 0, 0), (9, 5, 7, 0), (23, 59, 59, 1_500_000_000)] {
                let t = d.and_hms_nano_opt(h, mi, s, nano).unwrap();
                for p in patterns {
                    assert_eq!(format(&t, p), t.format(p).to_string(), "{t:?} {p}");
                }
            }
        }
        let t = NaiveDate::from_ymd_opt(2024, 5, 1)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        assert_eq!(format(&t, "%Y-%m-%d %H:%M:%S"), "2024-05-01 08:00:00");
    }

    #[test]
    fn offset_label_is_chronos() {
        for secs in [
            0, 3600, -3600, 19800, -34200, 50400, -43200, 45, 29, 30, -29, -30, 3599, 86399, -86399,
        ] {
            let off = FixedOffset::east_opt(secs).unwrap();
            let t = DateTime::<Utc>::from_timestamp_millis(0)
                .unwrap()
                .with_timezone(&off);
            assert_eq!(offset_label(secs), t.format("%:z").to_string(), "{secs}");
        }
        assert_eq!(offset_label(3600), "+01:00");
    }

    #[test]
    fn input_items_are_the_format_strings() {
        let items = |f: &'static str| StrftimeItems::new(f).collect::<Vec<_>>();
        assert_eq!(items("%Y-%m-%dT%H:%M"), INPUT_MINUTES);
        assert_eq!(items("%Y-%m-%dT%H:%M:%S"), INPUT_SECONDS);
        for s in [
            "2024-05-01T08:00",
            "2024-05-01T08:00:30",
            "2024-05-01T08:00:60",
            "2024-5-1T8:0",
            " 2024-05-01T08:00",
            "2024-05-01 08:00",
            "2024-05-01T08:00:30.5",
            "2024-02-30T08:00",
            "+12024-05-01T08:00",
            "-0001-05-01T08:00:01",
            "",
            "x",
        ] {
            let chrono = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
                .ok();
            assert_eq!(parse_input(s), chrono, "{s}");
        }
        assert_eq!(
            parse_input("2024-05-01T08:00").map(|d| d.and_utc().timestamp_millis()),
            parse_rfc3339_ms("2024-05-01T08:00:00Z")
        );
    }
}
