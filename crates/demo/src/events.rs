//! The demo dataset in memory: events sorted by time, each with its raw JSON (served as is)
//! and its [`EventRecord`] parsed once at startup (for condition matching).
//!
//! An event's position in the store is its place in the total order (time, generation index):
//! the LookupEvents cursor is that position, so paging is stable even among events of the same
//! second.
//!
//! With [`Live::On`] (the proxy's demo) the store goes on growing after `end_ms`: the events of
//! every second that has passed ([`generate::live_bucket`], a pure function of the seed and the
//! time) are appended the first time a [`View`] at a later "now" is asked for. They come after
//! every generated event in time, so positions already handed out (NextTokens) stay valid.

use crate::generate::{self, DemoConfig, DemoEvent, EventMaker, LIVE_BUCKET_SECS};
use std::ops::Range;
use std::sync::{RwLock, RwLockReadGuard};
use trailview_core::event::EventRecord;

pub struct StoredEvent {
    pub time_ms: i64,
    pub record: EventRecord,
    pub raw: Box<str>,
}

pub struct DemoEvents {
    events: Vec<StoredEvent>,
    config: DemoConfig,
    /// Identifies the dataset (config hash); NextTokens are bound to it.
    dataset_id: u64,
    /// The events made after `end_ms` ([`Live::On`]).
    live: Option<RwLock<LiveEvents>>,
}

/// Whether the store keeps producing events after the generated range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Live {
    /// A fixed dataset (tests).
    Off,
    /// New events appear as time passes (the proxy's demo).
    On,
}

/// The live events made so far: every second before `through_ms` is made.
struct LiveEvents {
    maker: EventMaker,
    through_ms: i64,
    events: Vec<StoredEvent>,
}

impl LiveEvents {
    /// Make the events of every whole second before `now_ms`.
    fn catch_up(&mut self, seed: u64, now_ms: i64) {
        let until = now_ms.div_euclid(1000) * 1000;
        if until <= self.through_ms {
            return;
        }
        let first = self.through_ms.div_euclid(1000 * LIVE_BUCKET_SECS);
        let last = (until - 1).div_euclid(1000 * LIVE_BUCKET_SECS);
        let mut buf = String::with_capacity(4096);
        for bucket in first..=last {
            for (time_ms, key) in generate::live_bucket(seed, bucket) {
                if time_ms < self.through_ms || time_ms >= until {
                    continue;
                }
                buf.clear();
                self.maker.write(&mut buf, key, time_ms, None, false);
                self.events.push(stored(DemoEvent {
                    time_ms,
                    json: buf.as_str().into(),
                }));
            }
        }
        self.through_ms = until;
    }
}

/// The store as one LookupEvents call sees it: the generated events, then the live ones made
/// up to the call's "now" (held still while the call reads them).
pub struct View<'a> {
    fixed: &'a [StoredEvent],
    live: Option<RwLockReadGuard<'a, LiveEvents>>,
    dataset_id: u64,
}

impl View<'_> {
    fn live(&self) -> &[StoredEvent] {
        self.live.as_ref().map_or(&[], |l| &l.events)
    }

    pub fn len(&self) -> usize {
        self.fixed.len() + self.live().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dataset_id(&self) -> u64 {
        self.dataset_id
    }

    pub fn get(&self, pos: usize) -> &StoredEvent {
        match pos.checked_sub(self.fixed.len()) {
            Some(i) => &self.live()[i],
            None => &self.fixed[pos],
        }
    }

    /// Positions of the events with `start_ms <= time < end_ms` (binary search).
    pub fn range(&self, start_ms: i64, end_ms: i64) -> Range<usize> {
        let n = self.fixed.len();
        let live = self.live();
        let lo_of = |t: i64| {
            let f = self.fixed.partition_point(|e| e.time_ms < t);
            if f < n {
                f
            } else {
                n + live.partition_point(|e| e.time_ms < t)
            }
        };
        let (lo, hi) = (lo_of(start_ms), lo_of(end_ms));
        lo..hi.max(lo)
    }
}

impl DemoEvents {
    /// Generate the dataset for `config` and index it.
    pub fn generate(config: &DemoConfig) -> DemoEvents {
        DemoEvents::from_events(config.clone(), generate::generate(config))
    }

    /// Index already generated events (sorted by time, oldest first).
    pub fn from_events(config: DemoConfig, events: Vec<DemoEvent>) -> DemoEvents {
        let events: Vec<StoredEvent> = parse_all(events);
        debug_assert!(events.windows(2).all(|w| w[0].time_ms <= w[1].time_ms));
        let mut h = Fnv::new();
        h.write(b"trailview-demo-v1");
        h.write(&config.seed.to_le_bytes());
        h.write(&(config.count as u64).to_le_bytes());
        h.write(&config.end_ms.to_le_bytes());
        h.write(&config.span_days.to_le_bytes());
        DemoEvents {
            events,
            dataset_id: h.finish(),
            config,
            live: None,
        }
    }

    /// The same store, producing new events as time passes after `end_ms` when `live` is on.
    pub fn with_live(mut self, live: Live) -> DemoEvents {
        self.live = match live {
            Live::Off => None,
            Live::On => Some(RwLock::new(LiveEvents {
                maker: EventMaker::new(self.config.seed),
                // The first whole second at or after the generated range's end.
                through_ms: (self.config.end_ms + 999).div_euclid(1000) * 1000,
                events: Vec::new(),
            })),
        };
        self
    }

    /// The store at `now_ms`: with [`Live::On`], every second before it has its events.
    pub fn view(&self, now_ms: i64) -> View<'_> {
        let live = self.live.as_ref().map(|l| {
            let behind = l.read().map_or(true, |l| l.through_ms + 1000 <= now_ms);
            if behind {
                if let Ok(mut w) = l.write() {
                    w.catch_up(self.config.seed, now_ms);
                }
            }
            l.read().unwrap_or_else(|p| p.into_inner())
        });
        View {
            fixed: &self.events,
            live,
            dataset_id: self.dataset_id,
        }
    }

    /// Events made live so far (0 without [`Live::On`]).
    pub fn live_len(&self) -> usize {
        self.live
            .as_ref()
            .map_or(0, |l| l.read().map_or(0, |l| l.events.len()))
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn config(&self) -> &DemoConfig {
        &self.config
    }

    pub fn dataset_id(&self) -> u64 {
        self.dataset_id
    }

    pub fn get(&self, pos: usize) -> &StoredEvent {
        &self.events[pos]
    }

    pub fn events(&self) -> &[StoredEvent] {
        &self.events
    }

    /// Positions of the events with `start_ms <= time < end_ms` (binary search).
    pub fn range(&self, start_ms: i64, end_ms: i64) -> Range<usize> {
        let lo = self.events.partition_point(|e| e.time_ms < start_ms);
        let hi = self.events.partition_point(|e| e.time_ms < end_ms);
        lo..hi.max(lo)
    }

    /// Time of the oldest and newest event.
    pub fn time_span(&self) -> Option<(i64, i64)> {
        Some((self.events.first()?.time_ms, self.events.last()?.time_ms))
    }
}

/// Parse every event's record, on all cores (the parse dominates startup).
fn parse_all(events: Vec<DemoEvent>) -> Vec<StoredEvent> {
    let parse = stored;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads <= 1 || events.len() < 4096 {
        return events.into_iter().map(parse).collect();
    }
    let chunk = events.len().div_ceil(threads);
    let mut chunks: Vec<Vec<DemoEvent>> = Vec::with_capacity(threads);
    let mut it = events.into_iter();
    loop {
        let c: Vec<DemoEvent> = it.by_ref().take(chunk).collect();
        if c.is_empty() {
            break;
        }
        chunks.push(c);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|c| s.spawn(move || c.into_iter().map(parse).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("parse thread"))
            .collect()
    })
}

/// One event indexed: its record parsed once (the generator writes valid JSON; a parse failure
/// would be a generator bug, and the event still gets served: its record is empty, so only
/// unconditioned queries match it).
fn stored(e: DemoEvent) -> StoredEvent {
    let record = EventRecord::parse(&e.json).map(slim).unwrap_or_default();
    StoredEvent {
        time_ms: e.time_ms,
        record,
        raw: e.json,
    }
}

/// Drop the fields no LookupAttribute key reads (they stay in the raw JSON): about a third
/// less memory per event. `slim_records_match_like_full_ones` checks that every key still
/// matches exactly as on the full record, so a new key in core that reads another field fails
/// the test rather than silently matching nothing.
fn slim(mut r: EventRecord) -> EventRecord {
    r.event_version = None;
    r.event_source = None;
    r.event_time = None;
    r.acs_region = None;
    r.request_id = None;
    r.user_agent = None;
    r.error_code = None;
    r.error_message = None;
    r.api_version = None;
    r.is_global = None;
    r
}

/// FNV-1a, 64 bit: a stable hash (std's `DefaultHasher` is not guaranteed stable).
pub struct Fnv(u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    /// A field: its bytes and a separator, so that ("ab","c") and ("a","bc") differ.
    pub fn field(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
    }
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_is_half_open() {
        let cfg = DemoConfig {
            seed: 1,
            count: 500,
            end_ms: 1_700_000_000_000,
            span_days: 2,
        };
        let store = DemoEvents::generate(&cfg);
        assert_eq!(store.len(), 500);
        let (first, last) = store.time_span().unwrap();
        assert_eq!(store.range(first, last + 1), 0..500);
        let r = store.range(first, last);
        assert_eq!(r.start, 0);
        assert!(r.end < 500 && store.get(r.end).time_ms == last);
        assert_eq!(store.range(last + 1, last + 2), 500..500);
        assert_eq!(store.range(10, 5).len(), 0);
    }

    #[test]
    fn slim_records_match_like_full_ones() {
        use trailview_core::lookup::LookupKey;
        let cfg = DemoConfig {
            seed: 11,
            count: 3000,
            end_ms: 1_700_000_000_000,
            span_days: 5,
        };
        let events = generate::generate(&cfg);
        let full: Vec<EventRecord> = events
            .iter()
            .map(|e| EventRecord::parse(&e.json).unwrap())
            .collect();
        let store = DemoEvents::from_events(cfg, events);
        // Values to try for each key: every value the dataset has (first 200 events), plus odd ones.
        let field = |r: &EventRecord, k: LookupKey| -> Vec<String> {
            let id = r.user_identity.clone().unwrap_or_default();
            let v = match k {
                LookupKey::ServiceName => r.service_name.clone(),
                LookupKey::EventName => r.event_name.clone(),
                LookupKey::User => id.user_name.clone(),
                LookupKey::EventId => r.event_id.clone(),
                LookupKey::ResourceType => r.resource_type.clone(),
                LookupKey::ResourceName => r.resource_name.clone(),
                LookupKey::EventRw => r.event_rw.clone(),
                LookupKey::EventAccessKeyId => id.access_key_id.clone(),
                LookupKey::SensitiveAction => Some("true".into()),
                LookupKey::SourceIpAddress => r.source_ip_address.clone(),
                LookupKey::EventType => r.event_type.clone(),
                LookupKey::RoleName => r.role_name().map(str::to_string),
                LookupKey::PrincipalId => id.principal_id.clone(),
            };
            let mut out: Vec<String> = v
                .into_iter()
                .flat_map(|s| s.split(';').map(str::to_string).collect::<Vec<_>>())
                .collect();
            // Values of the dropped fields, in case a key starts reading them.
            out.extend(
                [
                    r.acs_region.clone(),
                    r.error_code.clone(),
                    r.user_agent.clone(),
                    r.event_source.clone(),
                ]
                .into_iter()
                .flatten(),
            );
            out
        };
        for k in LookupKey::ALL {
            let mut values: Vec<String> = full.iter().take(200).flat_map(|r| field(r, k)).collect();
            values.extend(["false".to_string(), "".to_string(), "x".to_string()]);
            values.sort();
            values.dedup();
            for v in &values {
                for (f, s) in full.iter().zip(store.events()) {
                    assert_eq!(k.matches(v, f), k.matches(v, &s.record), "{k} = {v}");
                }
            }
        }
    }

    #[test]
    fn parallel_parse_keeps_order() {
        let cfg = DemoConfig {
            seed: 3,
            count: 9000,
            end_ms: 1_700_000_000_000,
            span_days: 3,
        };
        let events = generate::generate(&cfg);
        let expected: Vec<Box<str>> = events.iter().map(|e| e.json.clone()).collect();
        let store = DemoEvents::from_events(cfg, events);
        assert!(store.events().iter().map(|e| &e.raw).eq(expected.iter()));
        assert!(store.events().iter().all(|e| e.record.event_id.is_some()));
    }

    fn live_store(seed: u64, end_ms: i64) -> DemoEvents {
        DemoEvents::generate(&DemoConfig {
            seed,
            count: 300,
            end_ms,
            span_days: 1,
        })
        .with_live(Live::On)
    }

    fn ids(v: &View<'_>, range: Range<usize>) -> Vec<String> {
        range
            .map(|p| v.get(p).record.event_id.clone().expect("an id"))
            .collect()
    }

    #[test]
    fn live_events_appear_as_time_passes() {
        let end = 1_700_000_000_500;
        let store = live_store(9, end);
        assert_eq!(store.view(end).len(), 300, "nothing live at the end");
        // A minute on: 12 buckets of one or two events, all after the generated ones.
        let v = store.view(end + 60_000);
        let live = v.len() - 300;
        assert!((12..=24).contains(&live), "{live} live events in a minute");
        assert!((1..v.len()).all(|i| v.get(i - 1).time_ms <= v.get(i).time_ms));
        assert!(v.get(300).time_ms >= end && v.get(v.len() - 1).time_ms < end + 60_000);
        // Only whole seconds that have passed: asking again at the same instant adds none.
        drop(v);
        assert_eq!(store.view(end + 60_000).len(), 300 + live);
        // The range finds them.
        let v = store.view(end + 60_000);
        assert_eq!(v.range(end, end + 60_000), 300..300 + live);
        assert_eq!(v.range(0, end + 120_000).len(), 300 + live);
    }

    #[test]
    fn live_events_are_a_function_of_seed_and_time() {
        let end = 1_700_000_000_000;
        // Caught up in one step or in many small ones: the same events.
        let a = live_store(4, end);
        let b = live_store(4, end);
        for t in (0..=90_000).step_by(700) {
            let _ = b.view(end + t);
        }
        let (va, vb) = (a.view(end + 90_000), b.view(end + 90_000));
        assert_eq!(va.len(), vb.len());
        assert!((300..va.len()).all(|i| va.get(i).raw == vb.get(i).raw));
        // Another seed: other events.
        let c = live_store(5, end);
        let vc = c.view(end + 90_000);
        assert_ne!(ids(&va, 300..va.len()), ids(&vc, 300..vc.len()));
        // Whoever asks first, a second's events do not depend on when the store started.
        let later = live_store(4, end + 30_000);
        let vl = later.view(end + 90_000);
        let from = va.range(end + 30_000, end + 90_000);
        let from_l = vl.range(end + 30_000, end + 90_000);
        assert_eq!(ids(&va, from), ids(&vl, from_l));
    }

    #[test]
    fn no_event_id_twice_across_the_boundary() {
        let end = 1_700_000_000_000;
        let store = live_store(13, end);
        let v = store.view(end + 600_000);
        let all = ids(&v, 0..v.len());
        let unique: std::collections::HashSet<&String> = all.iter().collect();
        assert_eq!(unique.len(), all.len());
        assert!(v.len() > 300 + 100);
    }

    #[test]
    fn fixed_store_does_not_grow() {
        let store = DemoEvents::generate(&DemoConfig {
            seed: 1,
            count: 50,
            end_ms: 1_700_000_000_000,
            span_days: 1,
        });
        assert_eq!(store.view(1_800_000_000_000).len(), 50);
        assert_eq!(store.live_len(), 0);
    }
}
