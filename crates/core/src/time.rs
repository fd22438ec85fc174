//! Time helpers shared by the app and the proxy.

use chrono::{DateTime, SecondsFormat, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn roundtrip() {
        let ms = parse_rfc3339_ms("2020-10-10T08:31:47Z").unwrap();
        assert_eq!(format_api_time(ms), "2020-10-10T08:31:47Z");
        assert_eq!(parse_rfc3339_ms("2020-10-10 08:31"), None);
    }
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
