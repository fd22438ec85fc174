//! How the app pages through LookupEvents: request parameters, pacing under the documented
//! rate limit, and retry with backoff. Pure decisions; the app's fetch loop carries them out.

use crate::lookup::Condition;
use crate::time::format_api_time;

/// LookupEvents allows 2 calls per second; pace a little under it so clock jitter between
/// browser and server never trips `Throttling.User`.
pub const LOOKUP_EVENTS_MIN_INTERVAL_MS: f64 = 550.0;
/// The documented maximum page size.
pub const LOOKUP_EVENTS_MAX_RESULTS: u32 = 50;
/// Retries of one page before giving up (throttling, 5xx, network).
pub const MAX_RETRIES: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Backward,
    Forward,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Backward => "BACKWARD",
            Direction::Forward => "FORWARD",
        }
    }
}

/// One LookupEvents query, as the user set it.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupQuery {
    pub start_ms: i64,
    pub end_ms: i64,
    pub direction: Direction,
    pub conditions: Vec<Condition>,
}

impl LookupQuery {
    /// Query-string parameters for one page (without `Action`, which the API module adds).
    /// The same query gives the same parameters, as `NextToken` requires.
    pub fn params(&self, next_token: Option<&str>) -> Vec<(String, String)> {
        let mut p = vec![
            ("StartTime".to_string(), format_api_time(self.start_ms)),
            ("EndTime".to_string(), format_api_time(self.end_ms)),
            (
                "MaxResults".to_string(),
                LOOKUP_EVENTS_MAX_RESULTS.to_string(),
            ),
            ("Direction".to_string(), self.direction.as_str().to_string()),
        ];
        for (i, c) in self.conditions.iter().enumerate() {
            p.push((
                format!("LookupAttribute.{}.Key", i + 1),
                c.key.as_str().to_string(),
            ));
            p.push((format!("LookupAttribute.{}.Value", i + 1), c.value.clone()));
        }
        if let Some(t) = next_token {
            p.push(("NextToken".to_string(), t.to_string()));
        }
        p
    }
}

/// Milliseconds to wait before starting the next call, given when the previous one started.
pub fn pace_wait_ms(last_start_ms: Option<f64>, now_ms: f64, min_interval_ms: f64) -> f64 {
    match last_start_ms {
        Some(last) => (last + min_interval_ms - now_ms).max(0.0),
        None => 0.0,
    }
}

/// Backoff before retry number `attempt` (1-based): exponential from 1 s (2 s when throttled),
/// capped at 16 s, with a deterministic jitter from `salt` of up to +25% so many tabs spread out.
pub fn backoff_ms(attempt: u32, throttled: bool, salt: u64) -> u32 {
    let base: u64 = if throttled { 2000 } else { 1000 };
    let exp = base
        .saturating_mul(1 << attempt.saturating_sub(1).min(5))
        .min(16_000);
    let jitter = (salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % (exp / 4 + 1);
    (exp + jitter) as u32
}

/// Progress of a running fetch.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    pub events: usize,
    pub pages: usize,
    pub retries: u32,
    pub elapsed_ms: f64,
}

impl Progress {
    /// Events per second so far.
    pub fn rate(&self) -> f64 {
        if self.elapsed_ms <= 0.0 {
            0.0
        } else {
            self.events as f64 * 1000.0 / self.elapsed_ms
        }
    }
    /// Fraction of the cap reached (the total is unknown until the last page).
    pub fn fraction(&self, cap: usize) -> f64 {
        if cap == 0 {
            0.0
        } else {
            (self.events as f64 / cap as f64).min(1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lookup::LookupKey;

    #[test]
    fn params_are_stable_and_complete() {
        let q = LookupQuery {
            start_ms: 0,
            end_ms: 86_400_000,
            direction: Direction::Backward,
            conditions: vec![
                Condition {
                    key: LookupKey::ServiceName,
                    value: "Ecs".into(),
                },
                Condition {
                    key: LookupKey::EventRw,
                    value: "Write".into(),
                },
            ],
        };
        let p = q.params(Some("tok"));
        let get = |k: &str| p.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        assert_eq!(get("StartTime"), Some("1970-01-01T00:00:00Z"));
        assert_eq!(get("EndTime"), Some("1970-01-02T00:00:00Z"));
        assert_eq!(get("MaxResults"), Some("50"));
        assert_eq!(get("LookupAttribute.2.Key"), Some("EventRW"));
        assert_eq!(get("LookupAttribute.2.Value"), Some("Write"));
        assert_eq!(get("NextToken"), Some("tok"));
        assert_eq!(q.params(None).len() + 1, p.len());
    }

    #[test]
    fn pacing_keeps_under_two_per_second() {
        assert_eq!(pace_wait_ms(None, 1000.0, 550.0), 0.0);
        assert_eq!(pace_wait_ms(Some(1000.0), 1200.0, 550.0), 350.0);
        assert_eq!(pace_wait_ms(Some(1000.0), 2000.0, 550.0), 0.0);
        // Any three consecutive starts span more than one second.
        let starts: Vec<f64> = (0..3)
            .map(|i| i as f64 * LOOKUP_EVENTS_MIN_INTERVAL_MS)
            .collect();
        assert!(starts[2] - starts[0] > 1000.0);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!((1000..=1250).contains(&backoff_ms(1, false, 7)));
        assert!((2000..=2500).contains(&backoff_ms(1, true, 7)));
        assert!((4000..=5000).contains(&backoff_ms(3, false, 7)));
        assert!(backoff_ms(30, true, 99) <= 20_000);
    }

    #[test]
    fn progress_rate() {
        let p = Progress {
            events: 500,
            pages: 10,
            retries: 0,
            elapsed_ms: 5000.0,
        };
        assert_eq!(p.rate(), 100.0);
        assert_eq!(p.fraction(1000), 0.5);
    }
}
