//! Time helpers shared by the app and the proxy.
//!
//! Dates are written ([`format`], [`offset_label`]) and the query bar's `datetime-local` values
//! read ([`parse_input`]) by hand, exactly as chrono's format strings would: chrono's
//! format-string machinery (`format("%…")`, `parse_from_str`) is a large part of the app's wasm.

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

/// What is left of a `datetime-local` value while [`parse_input`] reads it.
struct Scan<'a>(&'a str);

impl Scan<'_> {
    fn literal(&mut self, l: &str) -> Option<()> {
        self.0 = self.0.strip_prefix(l)?;
        Some(())
    }
    /// One to `max` ASCII digits, right here.
    fn digits(&mut self, max: usize) -> Option<i64> {
        let n = self
            .0
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if n == 0 {
            return None;
        }
        let mut v = 0i64;
        for b in self.0[..n].bytes() {
            v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
        }
        self.0 = &self.0[n..];
        Some(v)
    }
    /// A field of one or two digits after optional white space (chrono's `%m`, `%d`, `%H`…).
    fn two(&mut self) -> Option<i64> {
        self.0 = self.0.trim_start();
        self.digits(2)
    }
    /// chrono's `%Y`: optional white space, then a sign and any number of digits, or four
    /// digits at most.
    fn year(&mut self) -> Option<i32> {
        self.0 = self.0.trim_start();
        let v = if let Some(rest) = self.0.strip_prefix('-') {
            self.0 = rest;
            0i64.checked_sub(self.digits(usize::MAX)?)?
        } else if let Some(rest) = self.0.strip_prefix('+') {
            self.0 = rest;
            self.digits(usize::MAX)?
        } else {
            self.digits(4)?
        };
        i32::try_from(v).ok()
    }
}

/// `s` read as chrono reads `%Y-%m-%dT%H:%M`, and `:%S` after it when `Seconds::Read`.
fn parse_fields(s: &str, seconds: Seconds) -> Option<NaiveDateTime> {
    let mut sc = Scan(s);
    let year = sc.year()?;
    sc.literal("-")?;
    let month = sc.two().filter(|m| (1..=12).contains(m))?;
    sc.literal("-")?;
    let day = sc.two().filter(|d| (1..=31).contains(d))?;
    sc.literal("T")?;
    let hour = sc.two().filter(|h| (0..=23).contains(h))?;
    sc.literal(":")?;
    let minute = sc.two().filter(|m| (0..=59).contains(m))?;
    let second = match seconds {
        Seconds::Absent => 0,
        Seconds::Read => {
            sc.literal(":")?;
            sc.two().filter(|s| (0..=60).contains(s))?
        }
    };
    if !sc.0.is_empty() {
        return None;
    }
    // Second 60 is a leap second, as chrono keeps it: 59 and a whole second of nanoseconds.
    let (second, nano) = if second == 60 {
        (59, 1_000_000_000)
    } else {
        (second as u32, 0)
    };
    let date = chrono::NaiveDate::from_ymd_opt(year, month as u32, day as u32)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(hour as u32, minute as u32, second, nano)?;
    Some(date.and_time(time))
}

#[derive(Clone, Copy)]
enum Seconds {
    Absent,
    Read,
}

/// A `datetime-local` input's value (`2024-05-01T08:00`, or with seconds), read as chrono's
/// `NaiveDateTime::parse_from_str` reads `%Y-%m-%dT%H:%M`, else `%Y-%m-%dT%H:%M:%S`.
pub fn parse_input(s: &str) -> Option<NaiveDateTime> {
    parse_fields(s, Seconds::Absent).or_else(|| parse_fields(s, Seconds::Read))
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

    fn chrono_input(s: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
            .ok()
    }

    #[test]
    fn parse_input_is_chronos() {
        for s in [
            "2024-05-01T08:00",
            "2024-05-01T08:00:30",
            "2024-05-01T08:00:60",
            "2024-05-01T08:59:60",
            "2024-5-1T8:0",
            " 2024-05-01T08:00",
            "2024-05-01T 08: 00",
            "2024-05-01 08:00",
            "2024-05-01t08:00",
            "2024-05-01T08:00:30.5",
            "2024-05-01T08:00 ",
            "2024-02-30T08:00",
            "2024-02-29T24:00",
            "2024-13-01T08:00",
            "2024-00-01T08:00",
            "2024-05-00T08:00",
            "2024-05-01T08:60",
            "2024-05-01T08:00:61",
            "+12024-05-01T08:00",
            "-0001-05-01T08:00:01",
            "- 1-05-01T08:00",
            "+-1-05-01T08:00",
            "20245-05-01T08:00",
            "99999999999999999999-01-01T00:00",
            "+99999999999-01-01T00:00",
            "-262144-01-01T00:00",
            "-262143-01-01T00:00",
            "2024-05-01T08:000",
            "2024-05-01T08:00:",
            "\u{3000}2024-05-01T08:00",
            "２024-05-01T08:00",
            "",
            "x",
        ] {
            assert_eq!(parse_input(s), chrono_input(s), "{s}");
        }
        // Random strings near the format: every one read as chrono reads it.
        let alphabet: Vec<char> = "0123456789-+T: t.\u{a0}".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for i in 0..200_000 {
            let mut s: Vec<char> = if i % 2 == 0 {
                "2024-05-01T08:00:30".chars().collect()
            } else {
                Vec::new()
            };
            for _ in 0..next(6) {
                let c = alphabet[next(alphabet.len())];
                match next(3) {
                    0 if !s.is_empty() => {
                        let at = next(s.len());
                        s[at] = c;
                    }
                    1 if !s.is_empty() => {
                        s.remove(next(s.len()));
                    }
                    _ => s.insert(next(s.len() + 1), c),
                }
            }
            let s: String = s.into_iter().collect();
            assert_eq!(parse_input(&s), chrono_input(&s), "{s:?}");
        }
        assert_eq!(
            parse_input("2024-05-01T08:00").map(|d| d.and_utc().timestamp_millis()),
            parse_rfc3339_ms("2024-05-01T08:00:00Z")
        );
    }
}
