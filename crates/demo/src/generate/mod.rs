//! A deterministic, realistic ActionTrail dataset for the demo backend and for tests.
//!
//! [`generate`] turns a [`DemoConfig`] into events sorted **oldest first** (ascending time; events
//! in the same second keep their generation order). Each event is a compact JSON object string in
//! the shape of an ActionTrail management event, plus its time in epoch milliseconds (always a
//! whole second, equal to its `eventTime`, and inside `[start_ms, end_ms)`). The same config gives
//! byte-identical output.
//!
//! The data is meant to look like a real account: ~25 services with their real event names and
//! resource types, console sign-ins, service events, every identity type, a population of about
//! 45 principals (some with non-ASCII names) of very different activity, a daily cycle, bursts
//! (a Terraform run, a scanner, an attacker with a leaked key), about 5% failed calls. A small,
//! deterministic fraction of events (about two a day, see [`is_hostile_index`]) carries hostile or
//! odd values on purpose: HTML/script, a 24,000-character string, 60-level nesting, U+202E,
//! zero-width characters, emoji, a 250-item array, numbers as strings, nulls, empty objects,
//! spreadsheet formulas (`=HYPERLINK(…)`, `@SUM(1+1)`). They
//! are still valid JSON objects with the usual top-level fields.
//!
//! Pure and IO-free. Randomness comes from a hand-written SplitMix64 (stable across platforms
//! and crate versions, so a seed means the same dataset everywhere). The JSON is written by hand
//! rather than through `serde_json::Value`: it keeps the field order of real events and makes
//! 100,000 events take a fraction of a second.
//!
//! By concern:
//! * `services`: the catalogue of services, their event names, resource types, regions and
//!   user agents;
//! * `world`: the principals (people, bots, roles, the cloud's own services), their addresses,
//!   access keys and resources;
//! * `timeline`: when events happen and who acts; `hostile`: the odd values;
//! * `plan`: one event decided; `request_shapes`: it written as ActionTrail JSON (identity,
//!   request parameters, response elements) with the `json` writer; `rng`: the randomness.

mod hostile;
mod json;
mod plan;
mod request_shapes;
mod rng;
mod services;
mod timeline;
mod world;

use hostile::HOSTILE_KINDS;
use request_shapes::write_event;
use rng::{mix, Rng};
use timeline::{timeline, DAY_MS};
use world::World;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    pub seed: u64,
    /// Number of events.
    pub count: usize,
    /// Exclusive end of the time range (epoch ms). The proxy uses its start time.
    pub end_ms: i64,
    /// Length of the range in days, ending at `end_ms` (0 is read as 1).
    pub span_days: u32,
}

/// `end_ms` of [`DemoConfig::default`]: 2025-01-01T00:00:00Z, so that the default is pure.
pub const DEFAULT_END_MS: i64 = 1_735_689_600_000;

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            seed: 42,
            count: 60_000,
            end_ms: DEFAULT_END_MS,
            span_days: 30,
        }
    }
}

impl DemoConfig {
    /// Inclusive start of the time range (epoch ms).
    pub fn start_ms(&self) -> i64 {
        self.end_ms - i64::from(self.span_days.max(1)) * DAY_MS
    }
}

/// One generated event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEvent {
    /// `eventTime` in epoch milliseconds (a whole second).
    pub time_ms: i64,
    /// The event as a compact JSON object.
    pub json: Box<str>,
}

/// Generate `cfg.count` events, sorted by time, oldest first.
pub fn generate(cfg: &DemoConfig) -> Vec<DemoEvent> {
    let world = World::new(cfg.seed);
    let slots = timeline(cfg, &world);
    let stride = hostile_stride(cfg);
    let mut out = Vec::with_capacity(slots.len());
    let mut buf = String::with_capacity(4096);
    for (i, slot) in slots.iter().enumerate() {
        buf.clear();
        let mut rng = Rng::new(mix(cfg.seed ^ 0xD1B5_4A32_D192_ED03, i as u64));
        let hostile =
            is_hostile_index(i, stride).then(|| HOSTILE_KINDS[(i / stride) % HOSTILE_KINDS.len()]);
        write_event(&mut buf, &world, &mut rng, slot, hostile);
        out.push(DemoEvent {
            time_ms: slot.time_ms,
            json: buf.as_str().into(),
        });
    }
    out
}

/// Events one at a time, at times (and regions) the caller decides: the demo buckets generate
/// one five-minute file on request instead of the whole dataset. The principal, event and
/// values are drawn as [`generate`] draws them (without its bursts); the same seed, key, time
/// and region give the same event.
pub struct EventMaker {
    seed: u64,
    world: World,
}

impl EventMaker {
    pub fn new(seed: u64) -> EventMaker {
        EventMaker {
            seed,
            world: World::new(seed),
        }
    }

    /// The ActionTrail account the events belong to.
    pub fn account_id(&self) -> &str {
        &self.world.account_id
    }

    /// Append the event numbered `key` at `time_ms` (rounded down to a whole second) as a
    /// compact JSON object; `region` forces its `acsRegion`; `hostile` gives it one of the odd
    /// values (chosen by `key`).
    pub fn write(
        &self,
        out: &mut String,
        key: u64,
        time_ms: i64,
        region: Option<&'static str>,
        hostile: bool,
    ) {
        let mut rng = Rng::new(mix(self.seed ^ 0x5EED_B0C4_E7F1_1E5A, key));
        let principal = rng.weighted(&self.world.weights) as u32;
        let slot = timeline::Slot {
            time_ms: time_ms.div_euclid(1000) * 1000,
            principal,
            burst: timeline::BurstKind::None,
            region,
        };
        let hostile = hostile.then(|| HOSTILE_KINDS[(key % HOSTILE_KINDS.len() as u64) as usize]);
        write_event(out, &self.world, &mut rng, &slot, hostile);
    }
}

/// Live events (the demo keeps producing them while it runs): one or two in every bucket of
/// this many seconds.
pub const LIVE_BUCKET_SECS: i64 = 5;

/// The live events of the [`LIVE_BUCKET_SECS`]-second bucket `bucket` (bucket `b` covers the
/// seconds `b * LIVE_BUCKET_SECS ..`): their times (whole seconds, epoch ms, oldest first) and
/// the [`EventMaker`] keys that write them. A pure function of `(seed, bucket)`: the events of
/// an instant are the same whenever, and however often, they are asked for. Every bucket has at
/// least one, so that following the demo sees new events every few seconds; a third of the
/// buckets have two, sometimes in the same second.
pub fn live_bucket(seed: u64, bucket: i64) -> Vec<(i64, u64)> {
    let mut rng = Rng::new(mix(seed ^ 0x11FE_E7E5_7A11_0001, bucket as u64));
    let n = 1 + usize::from(rng.below(3) == 0);
    let mut secs: Vec<i64> = (0..n)
        .map(|_| rng.below(LIVE_BUCKET_SECS as usize) as i64)
        .collect();
    secs.sort_unstable();
    secs.into_iter()
        .enumerate()
        .map(|(i, s)| {
            let time_ms = (bucket * LIVE_BUCKET_SECS + s) * 1000;
            // The top bit keeps live keys apart from the demo buckets' keys.
            let key = (1 << 63) | ((bucket as u64) << 2) | i as u64;
            (time_ms, key)
        })
        .collect()
}

/// Every how many events one is hostile: about two a day, and at most one in 1,000.
pub fn hostile_stride(cfg: &DemoConfig) -> usize {
    let per_day = cfg.count / cfg.span_days.max(1) as usize;
    (per_day / 2).clamp(1, 1000)
}

/// Whether the event at sorted position `index` carries a hostile value.
pub fn is_hostile_index(index: usize, stride: usize) -> bool {
    stride > 1 && index % stride == stride / 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};
    use trailview_core::event::EventRecord;

    fn cfg(count: usize) -> DemoConfig {
        DemoConfig {
            seed: 7,
            count,
            end_ms: 1_717_200_000_000,
            span_days: 30,
        }
    }

    #[test]
    fn deterministic() {
        let a = generate(&cfg(2000));
        let b = generate(&cfg(2000));
        assert_eq!(a, b);
        let c = generate(&DemoConfig {
            seed: 8,
            ..cfg(2000)
        });
        assert_ne!(a, c);
    }

    #[test]
    fn small_and_degenerate_configs() {
        assert!(generate(&DemoConfig { count: 0, ..cfg(0) }).is_empty());
        let one = generate(&DemoConfig {
            count: 1,
            span_days: 0,
            ..cfg(1)
        });
        assert_eq!(one.len(), 1);
        let c = DemoConfig {
            count: 50,
            span_days: 1,
            ..cfg(50)
        };
        for e in generate(&c) {
            assert!(e.time_ms >= c.start_ms() && e.time_ms < c.end_ms);
        }
    }

    #[test]
    fn invariants_of_5000_events() {
        let c = cfg(5000);
        let events = generate(&c);
        assert_eq!(events.len(), 5000);
        let mut services = HashSet::new();
        let mut kinds = HashSet::new();
        let mut types = HashSet::new();
        let mut rws = HashSet::new();
        let mut users: HashMap<String, usize> = HashMap::new();
        let mut failed = 0;
        let (mut v4, mut v6) = (false, false);
        let mut event_ids = HashSet::new();
        let mut num_version = 0;
        for (i, e) in events.iter().enumerate() {
            if i > 0 {
                assert!(events[i - 1].time_ms <= e.time_ms, "sorted oldest first");
            }
            assert!(
                e.time_ms >= c.start_ms() && e.time_ms < c.end_ms,
                "in range"
            );
            assert_eq!(e.time_ms % 1000, 0);
            let v: serde_json::Value = serde_json::from_str(&e.json).expect("valid JSON");
            assert!(v.is_object());
            let r = EventRecord::parse(&e.json).unwrap();
            assert_eq!(r.time_ms(), Some(e.time_ms));
            assert!(
                event_ids.insert(r.event_id.clone().unwrap()),
                "event ids unique"
            );
            let name = r.event_name.clone().unwrap();
            let rw = r.event_rw.clone().unwrap();
            if ["Describe", "Get", "List", "Lookup"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                assert_eq!(rw, "Read", "{name}");
            }
            rws.insert(rw);
            services.insert(r.service_name.clone().unwrap());
            kinds.insert(r.identity_type().unwrap().to_string());
            types.insert(r.event_type.clone().unwrap());
            if let Some(u) = r.user_name() {
                *users.entry(u.to_string()).or_default() += 1;
            }
            if r.failed() {
                failed += 1;
            } else if r.error_code.is_some() {
                assert_eq!(r.error_code.as_deref(), Some(""));
                assert_eq!(v["errorMessage"], "");
            }
            let ip = r.source_ip_address.clone().unwrap();
            v4 |= ip.parse::<std::net::Ipv4Addr>().is_ok();
            v6 |= ip.parse::<std::net::Ipv6Addr>().is_ok();
            if v["eventVersion"].is_number() {
                num_version += 1;
            }
            match r.identity_type() {
                _ if is_hostile_index(i, hostile_stride(&c)) => {}
                Some("assumed-role") => {
                    let id = &v["userIdentity"];
                    let un = id["userName"].as_str().unwrap();
                    let pid = id["principalId"].as_str().unwrap();
                    assert_eq!(
                        un.split_once(':').unwrap().1,
                        pid.split_once(':').unwrap().1
                    );
                    if let Some(k) = id["accessKeyId"].as_str() {
                        assert!(k.starts_with("STS."));
                    }
                }
                Some("system") => assert!(v["userIdentity"]["userName"]
                    .as_str()
                    .unwrap()
                    .starts_with("AliyunServiceRoleFor")),
                _ => {}
            }
            if r.event_type.as_deref() == Some("ApiCall") {
                assert!(r.api_version.is_some());
            }
            if r.event_type.as_deref() == Some("ConsoleSignin") {
                assert_eq!(r.service_name.as_deref(), Some("AasSub"));
                assert!(v["additionalEventData"]["loginAccount"].is_string());
                assert!(v["additionalEventData"]["isMFAChecked"].is_string());
            }
        }
        assert!(services.len() >= 20, "{services:?}");
        for k in ["root-account", "ram-user", "assumed-role", "system"] {
            assert!(kinds.contains(k), "{k}");
        }
        for t in [
            "ApiCall",
            "ConsoleOperation",
            "ConsoleSignin",
            "ConsoleSignout",
            "AliyunServiceEvent",
        ] {
            assert!(types.contains(t), "{t}");
        }
        assert!(rws.contains("Read") && rws.contains("Write"));
        let rate = failed as f64 / events.len() as f64;
        assert!((0.03..=0.07).contains(&rate), "failure rate {rate}");
        assert!(v4 && v6);
        assert!(num_version > 0 && num_version < events.len() / 4);
        for u in ["张伟", "王芳", "Ünsal", "José", "Ólafur", "田中太郎"] {
            assert!(users.contains_key(u), "{u}");
        }
        assert!(users.len() >= 35, "{}", users.len());
        // A few users are much more active than others.
        let mut counts: Vec<usize> = users.values().copied().collect();
        counts.sort_unstable();
        assert!(counts[counts.len() - 1] > 10 * counts[counts.len() / 2].max(1) / 2);
    }

    #[test]
    fn hostile_values_present_in_every_week() {
        let c = cfg(5000);
        let events = generate(&c);
        let all: String = events
            .iter()
            .map(|e| &*e.json)
            .collect::<Vec<_>>()
            .join("\n");
        for needle in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "\\\"><svg onload=alert(1)>",
            "\u{202E}",
            "\u{200B}",
            "🚀",
            "\"userAgent\":null",
            "\"requestParameters\":{}",
            "\"BigId\":12345678901234567890",
            "\"userAgent\":\"=HYPERLINK(\\\"http://example.com\\\",\\\"x\\\")\"",
            "\"userName\":\"=HYPERLINK(",
            "\"resourceName\":\"@SUM(1+1)\"",
        ] {
            assert!(all.contains(needle), "{needle}");
        }
        assert!(events.iter().any(|e| e.json.len() > 20_000));
        let depth = |s: &str| {
            let (mut d, mut m) = (0i32, 0i32);
            for ch in s.chars() {
                match ch {
                    '{' | '[' => {
                        d += 1;
                        m = m.max(d)
                    }
                    '}' | ']' => d -= 1,
                    _ => {}
                }
            }
            m
        };
        assert!(events.iter().any(|e| depth(&e.json) > 60));
        assert!(events.iter().any(|e| {
            let v: serde_json::Value = serde_json::from_str(&e.json).unwrap();
            v["requestParameters"]["InstanceIds"]
                .as_array()
                .is_some_and(|a| a.len() == 250)
        }));
        // At least a handful in any 7-day window.
        let stride = hostile_stride(&c);
        let hostile_times: Vec<i64> = events
            .iter()
            .enumerate()
            .filter(|(i, _)| is_hostile_index(*i, stride))
            .map(|(_, e)| e.time_ms)
            .collect();
        let mut t = c.start_ms();
        while t + 7 * DAY_MS <= c.end_ms {
            let n = hostile_times
                .iter()
                .filter(|&&h| h >= t && h < t + 7 * DAY_MS)
                .count();
            assert!(n >= 5, "only {n} hostile events in the week from {t}");
            t += DAY_MS;
        }
        // With the default size, every ~1000th event.
        assert_eq!(hostile_stride(&DemoConfig::default()), 1000);
    }

    #[test]
    fn daily_cycle() {
        let events = generate(&cfg(5000));
        let mut by_hour = [0usize; 24];
        for e in &events {
            by_hour[((e.time_ms / 1000 + 8 * 3600) / 3600 % 24) as usize] += 1;
        }
        // 10:00-11:00 China time is much busier than 03:00-04:00.
        assert!(by_hour[10] > 3 * by_hour[3], "{by_hour:?}");
    }

    /// `cargo test -p trailview-core --release -- --ignored --nocapture gen_100k`
    #[test]
    #[ignore]
    fn gen_100k_timing() {
        let t = std::time::Instant::now();
        let ev = generate(&DemoConfig {
            count: 100_000,
            ..DemoConfig::default()
        });
        let bytes: usize = ev.iter().map(|e| e.json.len()).sum();
        println!(
            "100k events in {:?}, {} MB of JSON",
            t.elapsed(),
            bytes / 1_000_000
        );
    }
}
