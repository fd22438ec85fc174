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
