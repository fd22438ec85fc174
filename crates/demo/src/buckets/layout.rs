//! One demo bucket's files, without their contents: which files exist, how many events each
//! holds, their keys (as far as they do not depend on the bytes), and ListObjectsV2's walk over
//! them.
//!
//! A file is a *unit*: an account, a region and a five-minute window. Every unit's event count
//! comes from one cumulative weight table (daily cycle, quieter weekends, region and account
//! shares, some noise), split so that the counts add up to exactly the bucket's events: unit
//! `u` holds `⌊N·C(u+1)/T⌋ − ⌊N·C(u)/T⌋` events, where `C` is the cumulative weight and `T`
//! the total. Any range of units (a day folder, a region) is counted in O(1), so listing a
//! folder never needs the month generated. Units are numbered in key order: account, region,
//! then time (the name time is increasing in the window, and the names in a folder have the
//! same width).

use chrono::{DateTime, Datelike, Timelike, Utc};
use trailview_core::catalogue::Cloud;

pub(super) const WINDOW_MS: i64 = 5 * 60_000;
pub(super) const DAY_MS: i64 = 86_400_000;
/// A file is written between 60 and 240 seconds after its window ends.
const DELAY_MIN_MS: i64 = 60_000;
const DELAY_SPAN_MS: u64 = 180_000;

/// SplitMix64 of `a` and `b` (stable across platforms).
pub(super) fn hash(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One file: account, region and window indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Unit {
    pub a: usize,
    pub r: usize,
    pub w: usize,
}

/// The fixed shape of a bucket: its cloud, accounts and regions (each sorted, as keys sort)
/// with their shares of the events.
pub(super) struct Shape {
    pub cloud: Cloud,
    pub bucket: &'static str,
    pub seed: u64,
    /// `(account id, weight)`; ActionTrail's single-account layout has no account folder and
    /// one entry.
    pub accounts: &'static [(&'static str, u64)],
    /// `(region, weight)`, sorted by name, none a prefix of another.
    pub regions: &'static [(&'static str, u64)],
    /// The accounts' local time offset for the daily cycle, in hours.
    pub utc_offset_h: i64,
}

pub(super) struct Layout {
    pub shape: &'static Shape,
    /// The first window's index (its start is `g0 * WINDOW_MS`).
    g0: i64,
    pub windows: usize,
    pub events: u64,
    /// Cumulative weights, one more than there are units.
    cum: Vec<u64>,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// Activity by local hour, in percent of the peak.
const HOURLY: [u64; 24] = [
    8, 5, 4, 3, 3, 4, 8, 20, 55, 85, 100, 95, 60, 75, 100, 100, 95, 80, 50, 35, 30, 25, 18, 12,
];

impl Layout {
    /// `events` over the whole five-minute windows inside the 30 days ending at `end_ms`.
    pub fn new(shape: &'static Shape, events: usize, end_ms: i64) -> Layout {
        let start_ms = end_ms - 30 * DAY_MS;
        let g0 = start_ms.div_euclid(WINDOW_MS) + i64::from(start_ms.rem_euclid(WINDOW_MS) != 0);
        let g1 = end_ms.div_euclid(WINDOW_MS);
        let windows = (g1 - g0).max(0) as usize;
        let units = shape.accounts.len() * shape.regions.len() * windows;
        let mut cum = Vec::with_capacity(units + 1);
        let mut total = 0u64;
        cum.push(0);
        for (a, &(_, aw)) in shape.accounts.iter().enumerate() {
            for (r, &(_, rw)) in shape.regions.iter().enumerate() {
                for w in 0..windows {
                    let start = (g0 + w as i64) * WINDOW_MS;
                    let local_s = start.div_euclid(1000) + shape.utc_offset_h * 3600;
                    let hour = local_s.div_euclid(3600).rem_euclid(24) as usize;
                    // 1970-01-01 was a Thursday: day 0 is weekday 3 (Monday = 0).
                    let weekend = (local_s.div_euclid(86_400) + 3).rem_euclid(7) >= 5;
                    let noise = 50 + hash(shape.seed, Unit { a, r, w }.id(shape, windows)) % 100;
                    let weight = HOURLY[hour] * if weekend { 3 } else { 10 } * aw * rw * noise;
                    total += weight;
                    cum.push(total);
                }
            }
        }
        Layout {
            shape,
            g0,
            windows,
            events: events as u64,
            cum,
            start_ms,
            end_ms,
        }
    }

    fn index(&self, a: usize, r: usize, w: usize) -> usize {
        (a * self.shape.regions.len() + r) * self.windows + w
    }

    /// Events in the units before index `i`.
    fn events_before(&self, i: usize) -> u64 {
        let total = *self.cum.last().unwrap_or(&0);
        if total == 0 {
            return 0;
        }
        (u128::from(self.events) * u128::from(self.cum[i]) / u128::from(total)) as u64
    }

    pub fn count(&self, u: Unit) -> u64 {
        self.count_range(u.a, u.r, u.w, u.w + 1)
    }

    /// Events in the windows `lo..hi` of one account and region.
    pub fn count_range(&self, a: usize, r: usize, lo: usize, hi: usize) -> u64 {
        self.events_before(self.index(a, r, hi)) - self.events_before(self.index(a, r, lo))
    }

    pub fn window_start(&self, w: usize) -> i64 {
        (self.g0 + w as i64) * WINDOW_MS
    }

    /// The file's name time (and Last-Modified): after its window ends, to the second.
    pub fn name_ms(&self, u: Unit) -> i64 {
        let delay =
            (hash(self.shape.seed ^ 0xDE1A, u.id(self.shape, self.windows)) % DELAY_SPAN_MS) as i64;
        (self.window_start(u.w) + WINDOW_MS + DELAY_MIN_MS + delay).div_euclid(1000) * 1000
    }

    /// The window whose file has this name time (the inverse of [`Layout::name_ms`], also for
    /// CloudTrail's names, which keep only the minute).
    pub fn window_of_name(&self, name_ms: i64) -> Option<usize> {
        let g = (name_ms - DELAY_MIN_MS).div_euclid(WINDOW_MS) - 1;
        let w = g - self.g0;
        (0..self.windows as i64).contains(&w).then_some(w as usize)
    }

    pub fn region_path(&self, a: usize, r: usize) -> String {
        let region = self.shape.regions[r].0;
        match self.shape.cloud {
            Cloud::Aliyun => format!("AliyunLogs/Actiontrail/{region}/"),
            Cloud::Aws => format!("AWSLogs/{}/CloudTrail/{region}/", self.shape.accounts[a].0),
        }
    }

    /// The day folders of one account and region, oldest first: `(path, windows lo..hi)` by
    /// the UTC date of the files' name times.
    pub fn days(&self, a: usize, r: usize) -> Vec<(String, usize, usize)> {
        if self.windows == 0 {
            return Vec::new();
        }
        let name = |w: usize| self.name_ms(Unit { a, r, w });
        let first = name(0).div_euclid(DAY_MS);
        let last = name(self.windows - 1).div_euclid(DAY_MS);
        let base = self.region_path(a, r);
        let ws: Vec<usize> = (0..self.windows).collect();
        (first..=last)
            .map(|day| {
                let lo = ws.partition_point(|&w| name(w) < day * DAY_MS);
                let hi = ws.partition_point(|&w| name(w) < (day + 1) * DAY_MS);
                let d = utc(day * DAY_MS);
                (
                    format!("{base}{:04}/{:02}/{:02}/", d.year(), d.month(), d.day()),
                    lo,
                    hi,
                )
            })
            .collect()
    }

    /// The file's key as far as it does not depend on its bytes, and whether that is all of
    /// it: CloudTrail's key is known in full; ActionTrail's ends with the file's size and MD5,
    /// so the key up to `_1002_<EventCount>_` is returned.
    pub fn stub(&self, day_path: &str, u: Unit) -> (String, bool) {
        let t = utc(self.name_ms(u));
        let region = self.shape.regions[u.r].0;
        match self.shape.cloud {
            Cloud::Aliyun => (
                format!(
                    "{day_path}Actiontrail_{region}_{:04}{:02}{:02}{:02}{:02}{:02}_1002_{}_",
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second(),
                    self.count(u)
                ),
                false,
            ),
            Cloud::Aws => (
                format!(
                    "{day_path}{}_CloudTrail_{region}_{:04}{:02}{:02}T{:02}{:02}Z_{}.json.gz",
                    self.shape.accounts[u.a].0,
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    self.unique(u)
                ),
                true,
            ),
        }
    }

    /// CloudTrail's 16-character unique string of a file.
    fn unique(&self, u: Unit) -> String {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut h = hash(self.shape.seed ^ 0x0416, u.id(self.shape, self.windows));
        (0..16)
            .map(|i| {
                if i == 8 {
                    h = hash(h, 8);
                }
                let c = ALNUM[(h % ALNUM.len() as u64) as usize] as char;
                h /= ALNUM.len() as u64;
                c
            })
            .collect()
    }

    /// The units of the listing that starts after `marker`: keys and, with `slash`, the common
    /// prefixes they roll up into, in key order, at most `max`; and whether more follow.
    /// `full_key` gives a file's whole key (ActionTrail's needs the file's bytes); it is called
    /// only where the key's start does not decide, for at most a file or two.
    pub fn list(
        &self,
        prefix: &str,
        slash: bool,
        mut marker: Option<Marker>,
        max: usize,
        full_key: &dyn Fn(Unit) -> String,
    ) -> (Vec<Item>, bool) {
        let mut items = Vec::new();
        let overlaps = |f: &str| f.starts_with(prefix) || prefix.starts_with(f);
        let skips = |m: &Option<Marker>, f: &str| m.as_ref().is_some_and(|m| m.skips_folder(f));
        for a in 0..self.shape.accounts.len() {
            for r in 0..self.shape.regions.len() {
                if self.count_range(a, r, 0, self.windows) == 0 {
                    continue;
                }
                let rp = self.region_path(a, r);
                if !overlaps(&rp) || skips(&marker, &rp) {
                    continue;
                }
                for (dp, lo, hi) in self.days(a, r) {
                    if self.count_range(a, r, lo, hi) == 0 || !overlaps(&dp) || skips(&marker, &dp)
                    {
                        continue;
                    }
                    for w in lo..hi {
                        let u = Unit { a, r, w };
                        if self.count(u) == 0 {
                            continue;
                        }
                        let (stub, complete) = self.stub(&dp, u);
                        let undecided = |s: &str| !complete && s.starts_with(stub.as_str());
                        let key = if undecided(prefix)
                            || marker.as_ref().is_some_and(|m| undecided(m.text()))
                        {
                            full_key(u)
                        } else {
                            stub
                        };
                        if !key.starts_with(prefix)
                            || marker.as_ref().is_some_and(|m| m.skips_key(&key))
                        {
                            continue;
                        }
                        if items.len() == max {
                            return (items, true);
                        }
                        let rolled = slash
                            .then(|| key[prefix.len()..].find('/'))
                            .flatten()
                            .map(|i| key[..prefix.len() + i + 1].to_string());
                        match rolled {
                            Some(cp) => {
                                items.push(Item::Prefix(cp.clone()));
                                marker = Some(Marker::Beyond(cp));
                                if skips(&marker, &dp) {
                                    break;
                                }
                            }
                            None => items.push(Item::File(u)),
                        }
                    }
                }
            }
        }
        (items, false)
    }
}

/// One entry of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Item {
    File(Unit),
    Prefix(String),
}

/// Where a listing resumes: after a key (`start-after`, or a page that ended on a key), or
/// past every key under a common prefix (a page that ended on one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Marker {
    After(String),
    Beyond(String),
}

impl Marker {
    pub fn text(&self) -> &str {
        match self {
            Marker::After(s) | Marker::Beyond(s) => s,
        }
    }

    /// Are all keys under folder `f` (ending in `/`) at or before the marker?
    fn skips_folder(&self, f: &str) -> bool {
        match self {
            Marker::After(m) => m.as_str() >= f && !m.starts_with(f),
            Marker::Beyond(p) => f.starts_with(p.as_str()) || (p.as_str() > f && !p.starts_with(f)),
        }
    }

    fn skips_key(&self, k: &str) -> bool {
        match self {
            Marker::After(m) => k <= m.as_str(),
            Marker::Beyond(p) => k.starts_with(p.as_str()) || k < p.as_str(),
        }
    }
}

impl Unit {
    /// A number for the unit, unique in its bucket (seeds its hashes).
    pub fn id(self, shape: &Shape, windows: usize) -> u64 {
        ((self.a * shape.regions.len() + self.r) * windows + self.w) as u64
    }
}

pub(super) fn utc(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}
