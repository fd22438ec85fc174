//! Object keys of delivered trail files, in both layouts, and the key checks the proxy applies.
//!
//! ActionTrail to OSS:
//! `[<prefix>/]AliyunLogs/<EventType>/[<rd_id>/<accountId>/]<RegionId>/<YYYY>/<MM>/<DD>/Actiontrail_<RegionId>_<YYYYMMDDHHMMSS>_1002_<EventCount>_<FileSize>_<md5>.gz`
//! (`<EventType>` is `Actiontrail` or `Actiontrail-Insight`; the `rd_id/accountId` pair is a
//! multi-account trail's).
//!
//! CloudTrail to S3:
//! `[<prefix>/]AWSLogs/[<org id>/]<accountId>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<accountId>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz`
//! (`CloudTrail-Digest/` holds digest files, not events: refused as [`KeyError::Digest`]).
//!
//! Date folders are UTC. The time in a file's name is when the file was written: CloudTrail
//! documents it as the delivery time (the file holds records from before it); for ActionTrail
//! it is not documented whether it is the delivery time or the start of the five-minute window
//! the file aggregates, so [`name_time_window`] allows for both.

use crate::event::Cloud;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};

/// The folder of one trail's files for one account and region, under which the day folders
/// `YYYY/MM/DD/` are.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionFolder {
    pub cloud: Cloud,
    /// The bucket prefix before `AliyunLogs/` or `AWSLogs/`: `""` or ending in `/`.
    pub prefix: String,
    /// ActionTrail: `Actiontrail` or `Actiontrail-Insight`; CloudTrail: `CloudTrail` or
    /// `CloudTrail-Insight`.
    pub event_type: String,
    /// A multi-account ActionTrail trail's resource directory id, or a CloudTrail
    /// organisation trail's organisation id.
    pub group: Option<String>,
    /// CloudTrail: always; ActionTrail: multi-account trails only.
    pub account: Option<String>,
    pub region: String,
}

/// One delivered trail file, from its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailObject {
    pub folder: RegionFolder,
    /// The file name (the key's last segment).
    pub name: String,
    /// The time in the file's name, UTC, in epoch milliseconds.
    pub time_ms: i64,
    /// ActionTrail names carry the number of events and the file's size in bytes.
    pub event_count: Option<u64>,
    pub size: Option<u64>,
}

/// Why a key is not a trail file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// No `AliyunLogs/` or `AWSLogs/` folder in the key.
    NotATrailKey,
    /// A CloudTrail digest file (`CloudTrail-Digest/`): integrity data, not events.
    Digest,
    /// Under a trail folder, but the folders or the name are not of the layout: which part.
    Malformed(&'static str),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::NotATrailKey => f.write_str("not under AliyunLogs/ or AWSLogs/"),
            KeyError::Digest => f.write_str("a CloudTrail digest file, not events"),
            KeyError::Malformed(what) => write!(f, "not a trail file name: {what}"),
        }
    }
}

const ALIYUN_ROOT: &str = "AliyunLogs";
const AWS_ROOT: &str = "AWSLogs";

impl RegionFolder {
    /// The folder's key prefix, ending in `/`.
    pub fn path(&self) -> String {
        let mut p = self.prefix.clone();
        match self.cloud {
            Cloud::Aliyun => {
                p.push_str(ALIYUN_ROOT);
                p.push('/');
                p.push_str(&self.event_type);
                p.push('/');
                for s in [&self.group, &self.account].into_iter().flatten() {
                    p.push_str(s);
                    p.push('/');
                }
            }
            Cloud::Aws => {
                p.push_str(AWS_ROOT);
                p.push('/');
                for s in [&self.group, &self.account].into_iter().flatten() {
                    p.push_str(s);
                    p.push('/');
                }
                p.push_str(&self.event_type);
                p.push('/');
            }
        }
        p.push_str(&self.region);
        p.push('/');
        p
    }

    /// Parse a region folder's key prefix (as [`RegionFolder::path`] writes it; the trailing
    /// `/` is optional), e.g. a `CommonPrefixes` entry of a listing.
    pub fn parse(path: &str) -> Option<RegionFolder> {
        let segs: Vec<&str> = path.strip_suffix('/').unwrap_or(path).split('/').collect();
        let found = roots(&segs).find_map(|(i, cloud)| {
            let (folder, used) = folder_at(cloud, &segs, i)?;
            (used == segs.len()).then_some(folder)
        });
        found
    }

    /// The day folder of a UTC date, ending in `/`.
    pub fn day_path(&self, date: NaiveDate) -> String {
        format!(
            "{}{:04}/{:02}/{:02}/",
            self.path(),
            date.year(),
            date.month(),
            date.day()
        )
    }

    /// The day folders to list for the events of `[from_ms, to_ms)`: every UTC date the
    /// [`name_time_window`] touches, oldest first.
    pub fn day_prefixes(&self, from_ms: i64, to_ms: i64) -> Vec<String> {
        utc_dates(name_time_window(self.cloud, from_ms, to_ms))
            .into_iter()
            .map(|d| self.day_path(d))
            .collect()
    }
}

/// The key segments named `AliyunLogs` / `AWSLogs`, with their cloud.
fn roots<'a>(segs: &'a [&str]) -> impl Iterator<Item = (usize, Cloud)> + 'a {
    segs.iter().enumerate().filter_map(|(i, s)| match *s {
        ALIYUN_ROOT => Some((i, Cloud::Aliyun)),
        AWS_ROOT => Some((i, Cloud::Aws)),
        _ => None,
    })
}

fn prefix_of(segs: &[&str], root: usize) -> String {
    segs[..root].iter().map(|s| format!("{s}/")).collect()
}

/// A segment is a plain name: not empty, no dot segments.
fn plain(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".."
}

/// The region folder starting at `segs[root]` (the `AliyunLogs` / `AWSLogs` segment), and the
/// number of segments it spans from the key's start. Where a folder could be read two ways
/// (a multi-account trail), the caller checks what follows.
fn folder_at(cloud: Cloud, segs: &[&str], root: usize) -> Option<(RegionFolder, usize)> {
    let rest = &segs[root + 1..];
    let prefix = prefix_of(segs, root);
    match cloud {
        Cloud::Aliyun => {
            // <EventType>/[<rd_id>/<accountId>/]<RegionId>: the multi-account form when the
            // segment after the event type is not followed by a year.
            let event_type = *rest.first()?;
            let multi = rest.len() >= 4 && !is_year(rest.get(2).copied().unwrap_or(""));
            let (group, account, region, used) = if multi {
                (Some(rest[1]), Some(rest[2]), rest[3], 4)
            } else {
                (None, None, *rest.get(1)?, 2)
            };
            let all = [Some(event_type), group, account, Some(region)];
            if !all.into_iter().flatten().all(plain) {
                return None;
            }
            Some((
                RegionFolder {
                    cloud,
                    prefix,
                    event_type: event_type.to_string(),
                    group: group.map(str::to_string),
                    account: account.map(str::to_string),
                    region: region.to_string(),
                },
                root + 1 + used,
            ))
        }
        Cloud::Aws => {
            // [<org id>/]<accountId>/CloudTrail/<region>
            let ct = rest
                .iter()
                .position(|s| matches!(*s, "CloudTrail" | "CloudTrail-Insight"))?;
            let (group, account) = match ct {
                1 => (None, rest[0]),
                2 => (Some(rest[0]), rest[1]),
                _ => return None,
            };
            let region = *rest.get(ct + 1)?;
            if ![Some(account), group, Some(region)]
                .into_iter()
                .flatten()
                .all(plain)
            {
                return None;
            }
            Some((
                RegionFolder {
                    cloud,
                    prefix,
                    event_type: rest[ct].to_string(),
                    group: group.map(str::to_string),
                    account: Some(account.to_string()),
                    region: region.to_string(),
                },
                root + 1 + ct + 2,
            ))
        }
    }
}

fn is_year(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Epoch ms of a UTC date and time, if valid.
fn utc_ms(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d)?;
    let t = date.and_hms_opt(h, mi, s)?;
    Some(Utc.from_utc_datetime(&t).timestamp_millis())
}

/// `YYYYMMDDHHMMSS` (ActionTrail).
fn parse_time14(s: &str) -> Option<i64> {
    if s.len() != 14 || !s.is_ascii() {
        return None;
    }
    let n = |a: usize, b: usize| digits(&s[a..b]);
    utc_ms(
        n(0, 4)?,
        n(4, 6)?,
        n(6, 8)?,
        n(8, 10)?,
        n(10, 12)?,
        n(12, 14)?,
    )
}

/// `YYYYMMDDTHHmmZ` (CloudTrail).
fn parse_time_tz(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if s.len() != 14 || !s.is_ascii() || b[8] != b'T' || b[13] != b'Z' {
        return None;
    }
    let n = |a: usize, b: usize| digits(&s[a..b]);
    utc_ms(n(0, 4)?, n(4, 6)?, n(6, 8)?, n(9, 11)?, n(11, 13)?, 0)
}

/// Parse a trail file's object key (either layout).
pub fn parse_key(key: &str) -> Result<TrailObject, KeyError> {
    let segs: Vec<&str> = key.split('/').collect();
    let mut first_err = None;
    for (i, cloud) in roots(&segs) {
        match parse_at(cloud, &segs, i) {
            Ok(o) => return Ok(o),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or(KeyError::NotATrailKey))
}

fn parse_at(cloud: Cloud, segs: &[&str], root: usize) -> Result<TrailObject, KeyError> {
    if cloud == Cloud::Aws
        && segs[root + 1..]
            .iter()
            .take(3)
            .any(|s| *s == "CloudTrail-Digest")
    {
        return Err(KeyError::Digest);
    }
    let (folder, used) = folder_at(cloud, segs, root).ok_or(KeyError::Malformed("folders"))?;
    // <YYYY>/<MM>/<DD>/<name>
    if segs.len() != used + 4 {
        return Err(KeyError::Malformed("date folders"));
    }
    let (y, m, d) = (
        digits(segs[used]),
        digits(segs[used + 1]),
        digits(segs[used + 2]),
    );
    let (Some(_), Some(_), Some(_)) = (y, m, d) else {
        return Err(KeyError::Malformed("date folders"));
    };
    let name = segs[used + 3];
    let (time_ms, event_count, size) = match cloud {
        Cloud::Aliyun => {
            // Actiontrail_<RegionId>_<YYYYMMDDHHMMSS>_1002_<EventCount>_<FileSize>_<md5>.gz
            let stem = name.strip_suffix(".gz").ok_or(KeyError::Malformed(".gz"))?;
            let p: Vec<&str> = stem.split('_').collect();
            if p.len() != 7 || p[1] != folder.region {
                return Err(KeyError::Malformed("file name"));
            }
            let t = parse_time14(p[2]).ok_or(KeyError::Malformed("time in the name"))?;
            let count = digits(p[4]).ok_or(KeyError::Malformed("event count"))?;
            let size = p[5]
                .parse::<u64>()
                .map_err(|_| KeyError::Malformed("file size"))?;
            (t, Some(count as u64), Some(size))
        }
        Cloud::Aws => {
            // <accountId>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<UniqueString>.json.gz
            let stem = name
                .strip_suffix(".json.gz")
                .ok_or(KeyError::Malformed(".json.gz"))?;
            let p: Vec<&str> = stem.splitn(5, '_').collect();
            if p.len() != 5
                || Some(p[0]) != folder.account.as_deref()
                || p[1] != folder.event_type
                || p[2] != folder.region
                || p[4].is_empty()
            {
                return Err(KeyError::Malformed("file name"));
            }
            let t = parse_time_tz(p[3]).ok_or(KeyError::Malformed("time in the name"))?;
            (t, None, None)
        }
    };
    Ok(TrailObject {
        folder,
        name: name.to_string(),
        time_ms,
        event_count,
        size,
    })
}

/// How far a file's name time may be after the events it holds: CloudTrail delivers "within
/// an average of about 5 minutes", not guaranteed; ActionTrail "within 10 minutes", after a
/// five-minute window. 30 minutes is three times the documented ActionTrail bound and six times
/// CloudTrail's average; a file read for nothing costs one request, a file missed loses events.
pub const AFTER_SLACK_MS: i64 = 30 * 60_000;

/// How far a file's name time may be before the events it holds: for CloudTrail, under a
/// minute (the name is the delivery time cut to the minute, `…T1000Z` for 10:00:50); five
/// minutes for ActionTrail, in case the name is the start of the window the file aggregates.
pub fn before_slack_ms(cloud: Cloud) -> i64 {
    match cloud {
        Cloud::Aws => 60_000 - 1,
        Cloud::Aliyun => 5 * 60_000,
    }
}

/// The name times, inclusive, of files that may hold events of `[from_ms, to_ms)`.
pub fn name_time_window(cloud: Cloud, from_ms: i64, to_ms: i64) -> (i64, i64) {
    (
        from_ms.saturating_sub(before_slack_ms(cloud)),
        to_ms.saturating_add(AFTER_SLACK_MS),
    )
}

impl TrailObject {
    /// May this file hold events of `[from_ms, to_ms)`? (Its events still need the range
    /// applied: a file near an edge holds events outside it too.)
    pub fn may_hold(&self, from_ms: i64, to_ms: i64) -> bool {
        let (lo, hi) = name_time_window(self.folder.cloud, from_ms, to_ms);
        (lo..=hi).contains(&self.time_ms)
    }
}

/// The UTC dates from `lo` to `hi` (epoch ms, inclusive); none if `hi < lo`, at most 400 (a
/// longer span is cut at its newest 400 days: trails keep 90 days' lookups, files longer, but
/// a range of years is a mistake, not a listing to start).
fn utc_dates((lo, hi): (i64, i64)) -> Vec<NaiveDate> {
    const MAX_DAYS: usize = 400;
    let date = |ms: i64| chrono::DateTime::<Utc>::from_timestamp_millis(ms).map(|d| d.date_naive());
    let (Some(a), Some(b)) = (date(lo), date(hi)) else {
        return Vec::new();
    };
    if b < a {
        return Vec::new();
    }
    let n = ((b - a).num_days() as usize + 1).min(MAX_DAYS);
    let start = b - chrono::Days::new(n as u64 - 1);
    start.iter_days().take(n).collect()
}

/// What a key is for, in [`check_key`]: an object (GetObject / HeadObject) or a listing's
/// `prefix` (which may end in `/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    Object,
    ListPrefix,
}

/// Why a key is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRefused {
    /// Starts with `/`.
    Absolute,
    /// Has a `\`.
    Backslash,
    /// Has a `%` (a key still percent-encoded after decoding, e.g. `%2e%2e` or `%2f`; trail
    /// keys never contain one).
    Encoded,
    /// Has a `.` or `..` segment.
    DotSegment,
    /// Has an empty segment (`//`, or an object key ending in `/`).
    EmptySegment,
    /// Has a control character.
    Control,
    /// Has a `?` or `#`: a proxy that builds the upstream path from the decoded key would turn
    /// `%3Facl` into the `?acl` sub-resource (trail keys never contain one).
    QueryChar,
    /// Longer than 1024 bytes (the storage APIs' limit).
    TooLong,
    /// Not under the configured prefix.
    OutsidePrefix,
}

impl std::fmt::Display for KeyRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyRefused::Absolute => "the key starts with /",
            KeyRefused::Backslash => "the key has a backslash",
            KeyRefused::Encoded => "the key has a percent-encoded part",
            KeyRefused::DotSegment => "the key has a . or .. segment",
            KeyRefused::EmptySegment => "the key has an empty segment",
            KeyRefused::Control => "the key has a control character",
            KeyRefused::QueryChar => "the key has a ? or #",
            KeyRefused::TooLong => "the key is longer than 1024 bytes",
            KeyRefused::OutsidePrefix => "the key is outside the configured prefix",
        })
    }
}

/// The checks of [`check_key`] other than the prefix: the key's own form.
///
/// A key that passes is still a key, not a URL path: the caller percent-encodes it (each
/// segment, keeping the `/`) when it builds the upstream URL. `?` and `#` are refused anyway,
/// so that a caller which forgets cannot turn a key into a query or a fragment.
///
/// A segment of dots with spaces (` ..`, `.. `) is accepted: S3 and OSS keys may hold spaces,
/// and neither store resolves such a segment as a parent folder.
pub fn check_key_form(key: &str, usage: KeyUse) -> Result<(), KeyRefused> {
    if key.len() > 1024 {
        return Err(KeyRefused::TooLong);
    }
    if key.starts_with('/') {
        return Err(KeyRefused::Absolute);
    }
    if key.contains('\\') {
        return Err(KeyRefused::Backslash);
    }
    if key.contains('%') {
        return Err(KeyRefused::Encoded);
    }
    if key.chars().any(char::is_control) {
        return Err(KeyRefused::Control);
    }
    if key.contains(['?', '#']) {
        return Err(KeyRefused::QueryChar);
    }
    if key.is_empty() {
        return match usage {
            KeyUse::ListPrefix => Ok(()),
            KeyUse::Object => Err(KeyRefused::EmptySegment),
        };
    }
    let segs: Vec<&str> = key.split('/').collect();
    for (i, s) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        if *s == "." || *s == ".." {
            return Err(KeyRefused::DotSegment);
        }
        if s.is_empty() && !(last && usage == KeyUse::ListPrefix) {
            return Err(KeyRefused::EmptySegment);
        }
    }
    Ok(())
}

/// May the proxy forward `key` for a bucket configured with `prefix`? The key (as the request
/// names it, after one percent-decoding) must be of a plain form ([`check_key_form`]) and under
/// the prefix as a folder: prefix `logs` (or `logs/`) admits `logs/…`, not `logs2/…`; an
/// empty prefix admits the whole bucket. A listing's prefix may be the folder itself (`logs/`).
/// The configured prefix is checked the same way (a bad one admits nothing).
pub fn check_key(prefix: &str, key: &str, usage: KeyUse) -> Result<(), KeyRefused> {
    check_key_form(prefix, KeyUse::ListPrefix)?;
    check_key_form(key, usage)?;
    if prefix.is_empty() {
        return Ok(());
    }
    let folder = prefix.strip_suffix('/').unwrap_or(prefix);
    let rest = key
        .strip_prefix(folder)
        .and_then(|r| r.strip_prefix('/'))
        .ok_or(KeyRefused::OutsidePrefix)?;
    if rest.is_empty() && usage == KeyUse::Object {
        return Err(KeyRefused::OutsidePrefix);
    }
    Ok(())
}

/// What a folder found while walking a bucket's trails is (a `CommonPrefixes` entry of a
/// listing with delimiter `/`, starting at [`trail_root`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A region folder: list its day folders ([`RegionFolder::day_prefixes`]).
    Region(RegionFolder),
    /// An organisation, resource directory or account folder: list this prefix next.
    ListNext(String),
}

/// Classify a folder met while walking from [`trail_root`]; `None` for folders that hold no
/// events (`CloudTrail-Digest/`, anything else). CloudTrail: `o-…` is an organisation (its
/// accounts are below), twelve digits an account (its regions are under `CloudTrail/`).
/// ActionTrail: `rd-…` is a resource directory (accounts below), digits an account (regions
/// below), anything else a region.
pub fn classify_folder(cloud: Cloud, path: &str) -> Option<Found> {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let last = trimmed.rsplit('/').next()?;
    let folder = |p: &str| format!("{p}/");
    let all_digits = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit());
    match cloud {
        Cloud::Aws => {
            if let Some(f) = RegionFolder::parse(trimmed).filter(|f| f.cloud == cloud) {
                return Some(Found::Region(f));
            }
            if last.starts_with("o-") {
                Some(Found::ListNext(folder(trimmed)))
            } else if all_digits {
                Some(Found::ListNext(format!("{trimmed}/CloudTrail/")))
            } else {
                None
            }
        }
        Cloud::Aliyun => {
            if last.starts_with("rd-") || all_digits {
                return Some(Found::ListNext(folder(trimmed)));
            }
            RegionFolder::parse(trimmed)
                .filter(|f| f.cloud == cloud)
                .map(Found::Region)
        }
    }
}

/// Where to start listing a bucket's trails of `cloud` under `prefix` (`""` or ending in
/// `/`): `AliyunLogs/Actiontrail/` or `AWSLogs/`.
pub fn trail_root(cloud: Cloud, prefix: &str) -> String {
    match cloud {
        Cloud::Aliyun => format!("{prefix}{ALIYUN_ROOT}/Actiontrail/"),
        Cloud::Aws => format!("{prefix}{AWS_ROOT}/"),
    }
}
