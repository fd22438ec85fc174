//! Display formatting of times in the chosen zone.

use crate::events::state::Tz;
use chrono::{DateTime, Local, Offset, TimeZone, Utc};
use trailview_core::time;

pub fn time(ms: Option<i64>, tz: Tz) -> String {
    let Some(ms) = ms else { return "—".into() };
    let Some(utc) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return "—".into();
    };
    match tz {
        Tz::Utc => time::format(&utc.naive_utc(), "%Y-%m-%d %H:%M:%S"),
        Tz::Local => time::format(
            &utc.with_timezone(&Local).naive_local(),
            "%Y-%m-%d %H:%M:%S",
        ),
    }
}

/// The zone's offset from UTC at `t` (ms ahead of UTC; the browser's zone for Local): axis
/// ticks and histogram buckets are laid on that wall clock.
pub fn offset_ms(tz: Tz, t: i64) -> i64 {
    match tz {
        Tz::Utc => 0,
        Tz::Local => {
            -(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t as f64)).get_timezone_offset()
                as i64)
                * 60_000
        }
    }
}

/// "UTC" or "local, UTC+01:00".
pub fn zone_label(tz: Tz) -> String {
    match tz {
        Tz::Utc => "UTC".into(),
        Tz::Local => format!(
            "local, UTC{}",
            time::offset_label(Local::now().offset().fix().local_minus_utc())
        ),
    }
}

/// Parse a `datetime-local` input value in the chosen zone.
pub fn parse_input(s: &str, tz: Tz) -> Option<i64> {
    let naive = time::parse_input(s)?;
    match tz {
        Tz::Utc => Some(Utc.from_utc_datetime(&naive).timestamp_millis()),
        Tz::Local => Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|d| d.timestamp_millis()),
    }
}

/// How much of a time a `datetime-local` input shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum InputPrecision {
    /// Whole minutes (a range the user picks).
    Minute,
    /// Seconds too, when the time has any: a pinned range shown again (a restored session's,
    /// an opened link's) reads the same seconds the API was sent.
    Second,
}

/// Format epoch ms for a `datetime-local` input in the chosen zone, in whole minutes.
pub fn to_input(ms: i64, tz: Tz) -> String {
    to_input_at(ms, tz, InputPrecision::Minute)
}

/// Format epoch ms for a `datetime-local` input in the chosen zone, at `precision`.
pub fn to_input_at(ms: i64, tz: Tz, precision: InputPrecision) -> String {
    let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    let naive = match tz {
        Tz::Utc => utc.naive_utc(),
        Tz::Local => utc.with_timezone(&Local).naive_local(),
    };
    let seconds = precision == InputPrecision::Second && chrono::Timelike::second(&naive) != 0;
    time::format(
        &naive,
        if seconds {
            "%Y-%m-%dT%H:%M:%S"
        } else {
            "%Y-%m-%dT%H:%M"
        },
    )
}
