//! Display formatting of times in the chosen zone.

use crate::events::state::Tz;
use chrono::{DateTime, Local, TimeZone, Utc};

pub fn time(ms: Option<i64>, tz: Tz) -> String {
    let Some(ms) = ms else { return "—".into() };
    let Some(utc) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return "—".into();
    };
    match tz {
        Tz::Utc => utc.format("%Y-%m-%d %H:%M:%S").to_string(),
        Tz::Local => utc
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    }
}

/// "UTC" or "local, UTC+01:00".
pub fn zone_label(tz: Tz) -> String {
    match tz {
        Tz::Utc => "UTC".into(),
        Tz::Local => format!("local, UTC{}", Local::now().format("%:z")),
    }
}

/// Parse a `datetime-local` input value in the chosen zone.
pub fn parse_input(s: &str, tz: Tz) -> Option<i64> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    match tz {
        Tz::Utc => Some(Utc.from_utc_datetime(&naive).timestamp_millis()),
        Tz::Local => Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|d| d.timestamp_millis()),
    }
}

/// Format epoch ms for a `datetime-local` input in the chosen zone.
pub fn to_input(ms: i64, tz: Tz) -> String {
    let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    match tz {
        Tz::Utc => utc.format("%Y-%m-%dT%H:%M").to_string(),
        Tz::Local => utc
            .with_timezone(&Local)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
    }
}
