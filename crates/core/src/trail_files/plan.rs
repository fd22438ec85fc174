//! Reading a trail from a bucket: which folders to list, which files to keep, and what loading
//! them will cost, before anything is downloaded. Pure: the app performs each listing call
//! ([`ListObjectsRequest`]) and feeds the page back; every decision is here.
//!
//! Two walks of a [`BucketSource`], both a [`BucketWalk`]:
//! 1. [`BucketWalk::regions`]: from the trail root ([`trail_root`]) down the folders with
//!    delimiter `/` (organisations, resource directories, accounts: [`classify_folder`]) to the
//!    region folders, which the user picks from.
//! 2. [`BucketWalk::files`]: for the picked region folders and a time range, only the day
//!    folders the range touches ([`RegionFolder::day_prefixes`]), keeping the files whose name
//!    time may hold events of the range ([`TrailObject::may_hold`]); digests and other keys
//!    are counted, not kept. A day folder's keys sort by name time, so its listing starts after
//!    the range's first possible name and stops at the first name past it.
//!
//! Each listing pages by `NextContinuationToken`. Retries follow the paged-source runtime's
//! policy ([`Attempts`]: backoff on throttling, 5xx and network errors, at most
//! [`crate::paging::MAX_RETRIES`]), and a walk makes at most [`MAX_LIST_CALLS`] calls.

use super::keys::{classify_folder, parse_key, trail_root, Found, RegionFolder};
use super::listing::{ListObjectsPage, ListObjectsRequest};
use crate::catalogue::{self, Api, Cloud, Operation};
use crate::dialect::ApiError;
use crate::numbers::thousands;
use crate::paging::{Attempts, Retry, RunEnd};
use crate::table_query::sorted_by;
use crate::time::{check_range, RangePreset};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::VecDeque;

/// Listing calls one walk makes at most (a runaway guard: a month of five regions is about
/// 150 day folders of one page each).
pub const MAX_LIST_CALLS: usize = 2_000;
/// Keys asked for per listing page (the storage APIs' maximum).
pub const LIST_PAGE_KEYS: u32 = 1000;

/// The most events one load from a bucket brings (the store's scale; the load stops there and
/// says so).
pub const BUCKET_EVENTS_CAP: usize = 1_000_000;

/// The time range of a bucket load: a preset ending at `now_ms`, or the custom `start`/`end`
/// (already parsed in the user's zone; `None` when the input is not a time).
pub fn file_range(
    preset: RangePreset,
    start: Option<i64>,
    end: Option<i64>,
    now_ms: i64,
) -> Result<(i64, i64), String> {
    if let Some(r) = preset.range(now_ms) {
        return Ok(r);
    }
    let (Some(s), Some(e)) = (start, end) else {
        return Err("Enter a start and an end time.".into());
    };
    check_range(s, e)?;
    Ok((s, e))
}

/// A bucket holding trail files, as `config.json` (or the user) names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSource {
    /// What the picker shows.
    pub label: String,
    pub cloud: Cloud,
    pub bucket: String,
    /// The key prefix the trail writes under: `""` or ending in `/`.
    pub prefix: String,
}

/// A bucket source as written in `config.json`: `{"label"?, "cloud": "aliyun" | "aws",
/// "bucket", "prefix"?}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct BucketSpec {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub cloud: String,
    #[serde(default)]
    pub bucket: String,
    #[serde(default)]
    pub prefix: Option<String>,
}

/// The storage API of a cloud's trail files: OSS or S3.
pub fn storage_api(cloud: Cloud) -> Api {
    match cloud {
        Cloud::Aliyun => Api::Oss,
        Cloud::Aws => Api::S3,
    }
}

/// ListObjectsV2 of a cloud's storage API (its route and pacing, from the catalogue).
pub fn list_operation(cloud: Cloud) -> &'static Operation {
    match cloud {
        Cloud::Aliyun => &catalogue::OSS_LIST_OBJECTS_V2,
        Cloud::Aws => &catalogue::S3_LIST_OBJECTS_V2,
    }
}

/// GetObject of a cloud's storage API.
pub fn get_operation(cloud: Cloud) -> &'static Operation {
    match cloud {
        Cloud::Aliyun => &catalogue::OSS_GET_OBJECT,
        Cloud::Aws => &catalogue::S3_GET_OBJECT,
    }
}

/// The storage service of a cloud, as users name it.
pub fn storage_name(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aliyun => "OSS",
        Cloud::Aws => "S3",
    }
}

/// Bucket names of both stores: 3 to 63 of lowercase letters, digits, `-` and `.`, starting
/// and ending with a letter or digit.
fn valid_bucket(b: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&b.len())
        && b.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && edge(b.chars().next())
        && edge(b.chars().last())
}

impl BucketSource {
    /// Check a spec: a known cloud (`aliyun`/`oss` or `aws`/`s3`), a valid bucket name and a
    /// prefix of plain key segments (`/` appended when missing).
    pub fn from_spec(spec: &BucketSpec) -> Result<BucketSource, String> {
        let cloud = match spec.cloud.trim().to_ascii_lowercase().as_str() {
            "aliyun" | "oss" => Cloud::Aliyun,
            "aws" | "s3" => Cloud::Aws,
            other => {
                return Err(format!(
                    "bucket {:?}: cloud {other:?} is not \"aliyun\" or \"aws\"",
                    spec.bucket
                ))
            }
        };
        let bucket = spec.bucket.trim().to_string();
        if !valid_bucket(&bucket) {
            return Err(format!("{bucket:?} is not a bucket name"));
        }
        let mut prefix = spec
            .prefix
            .as_deref()
            .unwrap_or("")
            .trim()
            .trim_start_matches('/')
            .to_string();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        if let Err(e) = super::keys::check_key_form(&prefix, super::keys::KeyUse::ListPrefix) {
            return Err(format!("bucket {bucket:?}: prefix {prefix:?}: {e}"));
        }
        let label = spec
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("{} · {bucket}/{prefix}", storage_name(cloud)));
        Ok(BucketSource {
            label,
            cloud,
            bucket,
            prefix,
        })
    }

    /// What the picker shows: the label, with the store and bucket when the label does not
    /// name the bucket.
    pub fn title(&self) -> String {
        if self.label.contains(&self.bucket) {
            self.label.clone()
        } else {
            format!(
                "{} ({} {})",
                self.label,
                storage_name(self.cloud),
                self.bucket
            )
        }
    }

    /// The sources of `config.json`'s `buckets` list, and a message for each entry refused
    /// (one bad entry leaves the others, and the rest of the file, in use).
    pub fn from_config(entries: &[serde_json::Value]) -> (Vec<BucketSource>, Vec<String>) {
        let mut specs = Vec::new();
        let mut refused = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            match BucketSpec::deserialize(e) {
                Ok(s) => specs.push(s),
                Err(err) => refused.push(format!("config.json buckets[{i}]: {err}")),
            }
        }
        let (ok, more) = BucketSource::from_specs(&specs);
        refused.extend(more);
        (ok, refused)
    }

    /// The sources a user typed in Settings, one a line: `<cloud>:<bucket>[/<prefix>]`
    /// (`aws:my-trail-bucket/logs/`); blank lines are skipped.
    pub fn from_lines(text: &str) -> (Vec<BucketSource>, Vec<String>) {
        let mut specs = Vec::new();
        let mut refused = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let Some((cloud, rest)) = line.split_once(':') else {
                refused.push(format!("{line:?}: write <cloud>:<bucket>[/<prefix>]"));
                continue;
            };
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            specs.push(BucketSpec {
                label: None,
                cloud: cloud.into(),
                bucket: bucket.into(),
                prefix: Some(prefix.into()),
            });
        }
        let (ok, more) = BucketSource::from_specs(&specs);
        refused.extend(more);
        (ok, refused)
    }

    /// The sources of a list of specs, and a message for each one refused.
    pub fn from_specs(specs: &[BucketSpec]) -> (Vec<BucketSource>, Vec<String>) {
        let mut ok = Vec::new();
        let mut refused = Vec::new();
        for s in specs {
            match BucketSource::from_spec(s) {
                Ok(b) if !ok.contains(&b) => ok.push(b),
                Ok(_) => {}
                Err(e) => refused.push(e),
            }
        }
        (ok, refused)
    }
}

/// What a region folder is, for the picker: "cn-hangzhou", "123456789012 · us-east-1",
/// "o-abc / 123456789012 · us-east-1".
pub fn folder_label(f: &RegionFolder) -> String {
    let owner: Vec<&str> = [&f.group, &f.account]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if owner.is_empty() {
        f.region.clone()
    } else {
        format!("{} · {}", owner.join(" / "), f.region)
    }
}

/// One file to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub key: String,
    /// From the listing.
    pub size: u64,
    /// ActionTrail names carry it.
    pub events: Option<u64>,
    /// The time in the name, epoch ms.
    pub time_ms: i64,
}

/// Keys met in the day folders and left out, by why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Trail files whose name time cannot hold events of the range.
    pub out_of_range: usize,
    /// Keys that are not trail files of the layout (digests, other files).
    pub other: usize,
}

/// What loading the listed files will read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    pub bytes: u64,
    /// The sum of the event counts in the names that carry one.
    pub events: u64,
    /// Files whose name carries no event count (CloudTrail's).
    pub files_without_count: usize,
}

impl Totals {
    pub fn of(files: &[PlannedFile]) -> Totals {
        let mut t = Totals::default();
        for f in files {
            t.files += 1;
            t.bytes += f.size;
            match f.events {
                Some(n) => t.events += n,
                None => t.files_without_count += 1,
            }
        }
        t
    }

    /// What to say before loading when the names promise more events than `cap`.
    pub fn cap_note(&self, cap: usize) -> Option<String> {
        (self.events > cap as u64).then(|| {
            format!(
                "The file names say {} events: loading stops at {}.",
                thousands(self.events as usize),
                thousands(cap)
            )
        })
    }

    /// The events loading will bring, when every name says (ActionTrail).
    pub fn known_events(&self) -> Option<u64> {
        (self.files_without_count == 0).then_some(self.events)
    }

    /// "288 files, 12.3 MB, 14,400 events" / "288 files, 12.3 MB (the file names carry no
    /// event count)".
    pub fn summary(&self) -> String {
        let files = match self.files {
            1 => "1 file".to_string(),
            n => format!("{} files", thousands(n)),
        };
        let size = format_bytes(self.bytes);
        match (self.known_events(), self.events) {
            (Some(e), _) => format!("{files}, {size}, {} events", thousands(e as usize)),
            (None, 0) => format!("{files}, {size} (the file names carry no event count)"),
            (None, e) => format!(
                "{files}, {size}, {} events named in {} of them",
                thousands(e as usize),
                thousands(self.files - self.files_without_count)
            ),
        }
    }
}

/// "0 B", "950 B", "12.3 KB", "4.5 MB", "1.20 GB" (powers of 1000, as the stores' consoles).
pub fn format_bytes(n: u64) -> String {
    const UNITS: [(&str, f64); 3] = [("GB", 1e9), ("MB", 1e6), ("KB", 1e3)];
    for (unit, size) in UNITS {
        let v = n as f64 / size;
        if v >= 1.0 {
            return if v < 10.0 && unit == "GB" {
                format!("{} {unit}", crate::numbers::fixed(v, 2))
            } else {
                format!("{} {unit}", crate::numbers::fixed(v, 1))
            };
        }
    }
    format!("{n} B")
}

/// What a walk looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Goal {
    Regions,
    Files { from_ms: i64, to_ms: i64 },
}

/// One prefix being listed: where its pages are.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listing {
    prefix: String,
    delimiter: Option<String>,
    start_after: Option<String>,
    token: Option<String>,
}

impl Listing {
    fn request(&self) -> ListObjectsRequest {
        ListObjectsRequest {
            prefix: self.prefix.clone(),
            delimiter: self.delimiter.clone(),
            continuation_token: self.token.clone(),
            start_after: if self.token.is_none() {
                self.start_after.clone()
            } else {
                None
            },
            max_keys: Some(LIST_PAGE_KEYS),
        }
    }
}

/// What the driver does next in a walk: list with this request (on the walk's bucket), or stop.
pub type WalkStep = crate::paging::Step<ListObjectsRequest>;

/// A walk through a bucket's listings (see the module doc): the prefixes still to list, the
/// one being paged, what was found, the retry state and how it ended.
#[derive(Debug, Clone)]
pub struct BucketWalk {
    pub source: BucketSource,
    goal: Goal,
    queue: VecDeque<Listing>,
    current: Option<Listing>,
    calls: usize,
    attempts: Attempts,
    end: Option<RunEnd>,
    found: Vec<RegionFolder>,
    files: Vec<PlannedFile>,
    skipped: Skipped,
}

impl BucketWalk {
    fn new(source: BucketSource, goal: Goal, queue: VecDeque<Listing>) -> BucketWalk {
        BucketWalk {
            source,
            goal,
            queue,
            current: None,
            calls: 0,
            attempts: Attempts::default(),
            end: None,
            found: Vec::new(),
            files: Vec::new(),
            skipped: Skipped::default(),
        }
    }

    /// Find the region folders (accounts, organisations, resource directories) under the
    /// source's trail root.
    pub fn regions(source: BucketSource) -> BucketWalk {
        let root = Listing {
            prefix: trail_root(source.cloud, &source.prefix),
            delimiter: Some("/".into()),
            start_after: None,
            token: None,
        };
        BucketWalk::new(source, Goal::Regions, VecDeque::from([root]))
    }

    /// List the files of `folders` that may hold events of `[from_ms, to_ms)`: only the day
    /// folders the range touches.
    pub fn files(
        source: BucketSource,
        folders: &[RegionFolder],
        from_ms: i64,
        to_ms: i64,
    ) -> BucketWalk {
        let mut queue = VecDeque::new();
        for f in folders {
            let (lo, _) = super::keys::name_time_window(f.cloud, from_ms, to_ms);
            for day in f.day_prefixes(from_ms, to_ms) {
                // Only the day folder of the window's start has names before it.
                let start_after =
                    first_name_before(f, lo).filter(|_| day.ends_with(&day_of_ms(lo)));
                queue.push_back(Listing {
                    start_after: start_after.map(|n| format!("{day}{n}")),
                    prefix: day,
                    delimiter: None,
                    token: None,
                });
            }
        }
        BucketWalk::new(source, Goal::Files { from_ms, to_ms }, queue)
    }

    /// The next call, or how the walk ended.
    pub fn step(&mut self) -> WalkStep {
        if let Some(end) = self.end {
            return WalkStep::Stop(end);
        }
        if self.current.is_none() {
            self.current = self.queue.pop_front();
        }
        match &self.current {
            None => WalkStep::Stop(RunEnd::Complete),
            Some(_) if self.calls >= MAX_LIST_CALLS => WalkStep::Stop(RunEnd::Capped),
            Some(l) => WalkStep::Fetch(l.request()),
        }
    }

    /// A listing page arrived (the answer to the last [`WalkStep::Fetch`]).
    pub fn accept(&mut self, page: &ListObjectsPage) {
        self.attempts.succeeded();
        self.calls += 1;
        let Some(mut current) = self.current.take() else {
            return;
        };
        let mut more = page.is_truncated;
        match self.goal.clone() {
            Goal::Regions => {
                for p in &page.common_prefixes {
                    if !p.starts_with(&current.prefix) || p.len() <= current.prefix.len() {
                        continue;
                    }
                    match classify_folder(self.source.cloud, p) {
                        Some(Found::Region(f)) if !self.found.contains(&f) => self.found.push(f),
                        Some(Found::ListNext(next)) => self.queue.push_back(Listing {
                            prefix: next,
                            delimiter: Some("/".into()),
                            start_after: None,
                            token: None,
                        }),
                        Some(Found::Region(_)) | None => {}
                    }
                }
            }
            Goal::Files { from_ms, to_ms } => {
                for o in &page.contents {
                    // A key of another form (a `..` segment, a backslash, something still
                    // percent-encoded) would name another object once the browser resolved its
                    // URL: it is not this folder's file.
                    if !o.key.starts_with(&current.prefix)
                        || super::keys::check_key_form(&o.key, super::keys::KeyUse::Object).is_err()
                    {
                        self.skipped.other += 1;
                        continue;
                    }
                    match parse_key(&o.key) {
                        Ok(t) if t.may_hold(from_ms, to_ms) => self.files.push(PlannedFile {
                            key: o.key.clone(),
                            size: o.size,
                            events: t.event_count,
                            time_ms: t.time_ms,
                        }),
                        Ok(t) => {
                            self.skipped.out_of_range += 1;
                            // Keys sort by name time within a day folder: none after this.
                            let (_, hi) =
                                super::keys::name_time_window(t.folder.cloud, from_ms, to_ms);
                            if t.time_ms > hi {
                                more = false;
                            }
                        }
                        Err(_) => self.skipped.other += 1,
                    }
                }
            }
        }
        let token = page
            .next_continuation_token
            .as_deref()
            .filter(|t| !t.is_empty());
        if let (true, Some(t)) = (more, token) {
            current.token = Some(t.to_string());
            self.current = Some(current);
        }
    }

    /// A listing call failed: retry after a backoff, or give up (the walk stops as failed).
    pub fn on_error(&mut self, e: &ApiError, salt: u64) -> Retry {
        let r = self.attempts.on_error(e, salt);
        if r == Retry::GiveUp {
            self.end = Some(RunEnd::Failed);
        }
        r
    }

    pub fn cancel(&mut self) {
        if self.end.is_none() {
            self.end = Some(RunEnd::Cancelled);
        }
    }

    /// Listing calls made.
    pub fn calls(&self) -> usize {
        self.calls
    }

    /// Prefixes still to list (not counting pages of the one being listed).
    pub fn pending(&self) -> usize {
        self.queue.len() + usize::from(self.current.is_some())
    }

    /// The region folders found so far, sorted by account and region.
    pub fn found(&self) -> Vec<RegionFolder> {
        sorted_by(&self.found, |a, b| {
            (&a.group, &a.account, &a.region, &a.event_type).cmp(&(
                &b.group,
                &b.account,
                &b.region,
                &b.event_type,
            ))
        })
    }

    /// The files kept so far, oldest name time first.
    pub fn planned(&self) -> Vec<PlannedFile> {
        sorted_by(&self.files, |a, b| {
            (a.time_ms, &a.key).cmp(&(b.time_ms, &b.key))
        })
    }

    pub fn totals(&self) -> Totals {
        Totals::of(&self.files)
    }

    pub fn skipped(&self) -> Skipped {
        self.skipped
    }
}

/// The UTC date folder suffix `YYYY/MM/DD/` of `ms`.
fn day_of_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|d| crate::time::format(&d.naive_utc(), "%Y/%m/%d/"))
        .unwrap_or_default()
}

/// A name that sorts just before every file of `folder` named at or after `lo` (epoch ms) in
/// its day folder: the name's fixed start and the time, to the precision the layout names it.
fn first_name_before(folder: &RegionFolder, lo: i64) -> Option<String> {
    let t = DateTime::<Utc>::from_timestamp_millis(lo)?;
    Some(match folder.cloud {
        Cloud::Aliyun => format!(
            "Actiontrail_{}_{}",
            folder.region,
            crate::time::format(&t.naive_utc(), "%Y%m%d%H%M%S")
        ),
        Cloud::Aws => format!(
            "{}_{}_{}_{}",
            folder.account.as_deref()?,
            folder.event_type,
            folder.region,
            crate::time::format(&t.naive_utc(), "%Y%m%dT%H%M")
        ),
    })
}

/// A storage API's answer that is not a listing page or an object: its XML error
/// (`<Error><Code/><Message/><RequestId/>…`, read by [`crate::dialect::storage_error`]) as a
/// service error, else a malformed answer that says what came instead (an HTML page of another
/// server, a JSON error of a gateway, …).
pub fn storage_error(http_status: u16, request_id_header: Option<&str>, body: &str) -> ApiError {
    match crate::dialect::storage_error(http_status, request_id_header, body) {
        ApiError::Malformed {
            http_status,
            excerpt,
            ..
        } => ApiError::Malformed {
            http_status,
            detail: format!(
                "HTTP {http_status} with {}, not a storage service's XML error",
                describe_body(body)
            ),
            excerpt,
        },
        other => other,
    }
}

/// Read a ListObjectsV2 answer: a 2xx XML page, or [`storage_error`].
#[allow(clippy::result_large_err)]
pub fn read_listing(
    http_status: u16,
    request_id_header: Option<&str>,
    body: &str,
) -> Result<ListObjectsPage, ApiError> {
    if !(200..300).contains(&http_status) {
        return Err(storage_error(http_status, request_id_header, body));
    }
    super::listing::parse_list_objects(body).map_err(|e| ApiError::Malformed {
        http_status,
        detail: format!("{} is not a ListObjectsV2 result: {e}", describe_body(body)),
        excerpt: excerpt(body),
    })
}

/// "an empty body", "an HTML page", "JSON", "XML", "text".
fn describe_body(body: &str) -> &'static str {
    let t = body.trim_start_matches('\u{feff}').trim_start();
    let lower: String = t.chars().take(64).collect::<String>().to_ascii_lowercase();
    if t.is_empty() {
        "an empty body"
    } else if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        "an HTML page"
    } else if t.starts_with('{') || t.starts_with('[') {
        "JSON"
    } else if t.starts_with('<') {
        "XML"
    } else {
        "text"
    }
}

fn excerpt(body: &str) -> String {
    const MAX: usize = 600;
    match body.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &body[..i]),
        None => body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::ServiceError;
    use crate::trail_files::keys::KeyUse;
    use crate::trail_files::listing::ObjectEntry;
    use crate::trail_files::listing::StorageError;

    fn ms(s: &str) -> i64 {
        crate::time::parse_rfc3339_ms(s).unwrap()
    }

    fn source(cloud: Cloud, prefix: &str) -> BucketSource {
        BucketSource::from_spec(&BucketSpec {
            label: None,
            cloud: match cloud {
                Cloud::Aliyun => "aliyun".into(),
                Cloud::Aws => "aws".into(),
            },
            bucket: "trail-bucket".into(),
            prefix: Some(prefix.into()),
        })
        .unwrap()
    }

    fn page(prefixes: &[&str], keys: &[(&str, u64)], next: Option<&str>) -> ListObjectsPage {
        ListObjectsPage {
            name: "trail-bucket".into(),
            prefix: String::new(),
            delimiter: None,
            max_keys: 1000,
            key_count: (prefixes.len() + keys.len()) as u32,
            is_truncated: next.is_some(),
            continuation_token: None,
            next_continuation_token: next.map(str::to_string),
            contents: keys
                .iter()
                .map(|(k, size)| ObjectEntry {
                    key: k.to_string(),
                    size: *size,
                    last_modified: "2024-05-01T00:00:00.000Z".into(),
                    etag: "\"x\"".into(),
                })
                .collect(),
            common_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn list(step: WalkStep) -> ListObjectsRequest {
        match step {
            WalkStep::Fetch(r) => r,
            other => panic!("expected a listing, got {other:?}"),
        }
    }

    #[test]
    fn specs_are_checked_and_normalised() {
        let s = source(Cloud::Aws, "/logs");
        assert_eq!(s.prefix, "logs/");
        assert_eq!(s.label, "S3 · trail-bucket/logs/");
        assert_eq!(s.title(), s.label);
        let named = BucketSource {
            label: "Audit".into(),
            ..s.clone()
        };
        assert_eq!(named.title(), "Audit (S3 trail-bucket)");
        assert_eq!(source(Cloud::Aliyun, "").prefix, "");
        let spec = |cloud: &str, bucket: &str, prefix: &str| BucketSpec {
            label: Some("  ".into()),
            cloud: cloud.into(),
            bucket: bucket.into(),
            prefix: Some(prefix.into()),
        };
        assert!(BucketSource::from_spec(&spec("gcp", "trail-bucket", "")).is_err());
        for bad in [
            "ab",
            "Trail",
            "-trail",
            "trail/x",
            "trail-",
            &"a".repeat(64),
        ] {
            assert!(
                BucketSource::from_spec(&spec("s3", bad, "")).is_err(),
                "{bad}"
            );
        }
        for bad in ["a/../b", "a//b", "a%2e", "a?acl"] {
            assert!(
                BucketSource::from_spec(&spec("oss", "trail", bad)).is_err(),
                "{bad}"
            );
        }
        let (ok, refused) = BucketSource::from_specs(&[
            spec("oss", "trail", "x"),
            spec("oss", "trail", "x/"),
            spec("aws", "Bad", ""),
        ]);
        assert_eq!(ok.len(), 1, "duplicates once");
        assert_eq!(ok[0].cloud, Cloud::Aliyun);
        assert_eq!(refused.len(), 1);
        let parsed: Vec<BucketSpec> = serde_json::from_str(
            r#"[{"cloud":"aws","bucket":"trailview-demo-cloudtrail"},{"label":"A","cloud":"aliyun","bucket":"b-1","prefix":"p/"}]"#,
        )
        .unwrap();
        assert_eq!(parsed[1].label.as_deref(), Some("A"));
        assert_eq!(BucketSource::from_specs(&parsed).0.len(), 2);
        let entries: Vec<serde_json::Value> = serde_json::from_str(
            r#"[{"cloud":"aws","bucket":"trailview-demo-cloudtrail"},{"cloud":7},{"bucket":"b-1"}]"#,
        )
        .unwrap();
        let (ok, refused) = BucketSource::from_config(&entries);
        assert_eq!(ok.len(), 1);
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert!(
            refused[0].starts_with("config.json buckets[1]"),
            "{refused:?}"
        );
        assert!(
            refused[1].contains("is not \"aliyun\" or \"aws\""),
            "{refused:?}"
        );
        let (ok, refused) = BucketSource::from_lines(
            "aws:my-trail-bucket/logs/cloudtrail\n\n  oss:at-bucket \nmy-bucket\ngcp:x-y-z",
        );
        assert_eq!(ok.len(), 2);
        assert_eq!(
            (ok[0].cloud, &*ok[0].bucket, &*ok[0].prefix),
            (Cloud::Aws, "my-trail-bucket", "logs/cloudtrail/")
        );
        assert_eq!((ok[1].cloud, &*ok[1].prefix), (Cloud::Aliyun, ""));
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert_eq!(storage_api(Cloud::Aws), Api::S3);
        assert_eq!(list_operation(Cloud::Aliyun).api, Api::Oss);
        assert_eq!(get_operation(Cloud::Aws).name, "GetObject");
    }

    #[test]
    fn cloudtrail_walk_finds_accounts_organisations_and_regions() {
        let mut w = BucketWalk::regions(source(Cloud::Aws, "logs/"));
        let r = list(w.step());
        assert_eq!(r.prefix, "logs/AWSLogs/");
        assert_eq!(r.delimiter.as_deref(), Some("/"));
        assert_eq!(r.max_keys, Some(LIST_PAGE_KEYS));
        // The root: an account, an organisation, and something else; paged.
        w.accept(&page(
            &["logs/AWSLogs/111122223333/", "logs/AWSLogs/o-abc123/"],
            &[("logs/AWSLogs/aws-readme.txt", 10)],
            Some("tok1"),
        ));
        let r = list(w.step());
        assert_eq!(r.prefix, "logs/AWSLogs/");
        assert_eq!(r.continuation_token.as_deref(), Some("tok1"));
        w.accept(&page(&["logs/AWSLogs/notes/"], &[], None));
        // The account: straight to its CloudTrail folder (no digests).
        let r = list(w.step());
        assert_eq!(r.prefix, "logs/AWSLogs/111122223333/CloudTrail/");
        assert_eq!(r.continuation_token, None);
        w.accept(&page(
            &[
                "logs/AWSLogs/111122223333/CloudTrail/us-east-1/",
                "logs/AWSLogs/111122223333/CloudTrail/eu-west-1/",
            ],
            &[],
            None,
        ));
        let r = list(w.step());
        assert_eq!(r.prefix, "logs/AWSLogs/o-abc123/");
        w.accept(&page(&["logs/AWSLogs/o-abc123/444455556666/"], &[], None));
        let r = list(w.step());
        assert_eq!(r.prefix, "logs/AWSLogs/o-abc123/444455556666/CloudTrail/");
        w.accept(&page(
            &["logs/AWSLogs/o-abc123/444455556666/CloudTrail/us-east-1/"],
            &[],
            None,
        ));
        assert_eq!(w.step(), WalkStep::Stop(RunEnd::Complete));
        assert_eq!(w.calls(), 5);
        let found = w.found();
        let labels: Vec<String> = found.iter().map(folder_label).collect();
        assert_eq!(
            labels,
            [
                "111122223333 · eu-west-1",
                "111122223333 · us-east-1",
                "o-abc123 / 444455556666 · us-east-1"
            ]
        );
        assert!(found.iter().all(|f| f.prefix == "logs/"));
    }

    #[test]
    fn actiontrail_walk_finds_regions_and_multi_account_folders() {
        let mut w = BucketWalk::regions(source(Cloud::Aliyun, ""));
        assert_eq!(list(w.step()).prefix, "AliyunLogs/Actiontrail/");
        w.accept(&page(
            &[
                "AliyunLogs/Actiontrail/cn-hangzhou/",
                "AliyunLogs/Actiontrail/cn-shanghai/",
                "AliyunLogs/Actiontrail/rd-a1b2/",
            ],
            &[],
            None,
        ));
        assert_eq!(list(w.step()).prefix, "AliyunLogs/Actiontrail/rd-a1b2/");
        w.accept(&page(
            &["AliyunLogs/Actiontrail/rd-a1b2/1234567890123456/"],
            &[],
            None,
        ));
        assert_eq!(
            list(w.step()).prefix,
            "AliyunLogs/Actiontrail/rd-a1b2/1234567890123456/"
        );
        w.accept(&page(
            &["AliyunLogs/Actiontrail/rd-a1b2/1234567890123456/cn-beijing/"],
            &[],
            None,
        ));
        assert_eq!(w.step(), WalkStep::Stop(RunEnd::Complete));
        let labels: Vec<String> = w.found().iter().map(folder_label).collect();
        assert_eq!(
            labels,
            [
                "cn-hangzhou",
                "cn-shanghai",
                "rd-a1b2 / 1234567890123456 · cn-beijing"
            ]
        );
        let f = &w.found()[2];
        assert_eq!(
            f.path(),
            "AliyunLogs/Actiontrail/rd-a1b2/1234567890123456/cn-beijing/"
        );
    }

    #[test]
    fn an_empty_bucket_is_one_call_and_no_regions() {
        let mut w = BucketWalk::regions(source(Cloud::Aliyun, "x/"));
        assert_eq!(list(w.step()).prefix, "x/AliyunLogs/Actiontrail/");
        w.accept(&page(&[], &[], None));
        assert_eq!(w.step(), WalkStep::Stop(RunEnd::Complete));
        assert!(w.found().is_empty());
    }

    fn at_folder(region: &str) -> RegionFolder {
        RegionFolder::parse(&format!("AliyunLogs/Actiontrail/{region}/")).unwrap()
    }

    fn at_key(region: &str, time14: &str, count: u64, size: u64) -> String {
        format!(
            "AliyunLogs/Actiontrail/{region}/{}/{}/{}/Actiontrail_{region}_{time14}_1002_{count}_{size}_0123456789abcdef0123456789abcdef.gz",
            &time14[0..4],
            &time14[4..6],
            &time14[6..8]
        )
    }

    #[test]
    fn actiontrail_files_in_a_two_hour_range() {
        let from = ms("2024-05-01T10:00:00Z");
        let to = ms("2024-05-01T12:00:00Z");
        let folder = at_folder("cn-hangzhou");
        let mut w = BucketWalk::files(source(Cloud::Aliyun, ""), &[folder], from, to);
        let r = list(w.step());
        assert_eq!(r.prefix, "AliyunLogs/Actiontrail/cn-hangzhou/2024/05/01/");
        assert_eq!(r.delimiter, None);
        // Starts just before the window's first name (five minutes before `from`).
        assert_eq!(
            r.start_after.as_deref(),
            Some("AliyunLogs/Actiontrail/cn-hangzhou/2024/05/01/Actiontrail_cn-hangzhou_20240501095500")
        );
        let keys = [
            at_key("cn-hangzhou", "20240501095500", 10, 1000),
            at_key("cn-hangzhou", "20240501100000", 20, 2000),
            at_key("cn-hangzhou", "20240501115500", 30, 3000),
            at_key("cn-hangzhou", "20240501123000", 40, 4000),
            at_key("cn-hangzhou", "20240501123500", 50, 5000),
        ];
        let entries: Vec<(&str, u64)> = keys
            .iter()
            .map(|k| (k.as_str(), parse_key(k).unwrap().size.unwrap()))
            .collect();
        w.accept(&page(&[], &entries, Some("more")));
        // 12:35 is past 12:00 + 30 min: nothing after it can be in range, so no next page.
        assert_eq!(w.step(), WalkStep::Stop(RunEnd::Complete));
        let t = w.totals();
        assert_eq!(t.files, 4);
        assert_eq!(t.bytes, 10_000);
        assert_eq!(t.known_events(), Some(100));
        assert_eq!(t.summary(), "4 files, 10.0 KB, 100 events");
        assert_eq!(w.skipped().out_of_range, 1);
        assert_eq!(w.planned()[0].events, Some(10));
        assert_eq!(w.planned()[3].time_ms, ms("2024-05-01T12:30:00Z"));
    }

    #[test]
    fn only_the_day_folders_of_the_range_are_listed() {
        let from = ms("2024-05-01T23:00:00Z");
        let to = ms("2024-05-02T01:00:00Z");
        let folders = [at_folder("cn-hangzhou"), at_folder("cn-shanghai")];
        let mut w = BucketWalk::files(source(Cloud::Aliyun, ""), &folders, from, to);
        let mut prefixes = Vec::new();
        let mut starts = Vec::new();
        while let WalkStep::Fetch(r) = w.step() {
            prefixes.push(r.prefix.clone());
            starts.push(r.start_after.is_some());
            w.accept(&page(&[], &[], None));
        }
        assert_eq!(
            prefixes,
            [
                "AliyunLogs/Actiontrail/cn-hangzhou/2024/05/01/",
                "AliyunLogs/Actiontrail/cn-hangzhou/2024/05/02/",
                "AliyunLogs/Actiontrail/cn-shanghai/2024/05/01/",
                "AliyunLogs/Actiontrail/cn-shanghai/2024/05/02/",
            ]
        );
        assert_eq!(
            starts,
            [true, false, true, false],
            "start-after in the first day only"
        );
        assert_eq!(w.totals().summary(), "0 files, 0 B, 0 events");
    }

    #[test]
    fn cloudtrail_files_skip_digests_and_other_keys_and_page_on() {
        let from = ms("2024-05-01T10:00:00Z");
        let to = ms("2024-05-01T12:00:00Z");
        let folder =
            RegionFolder::parse("AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/").unwrap();
        let mut w = BucketWalk::files(source(Cloud::Aws, ""), &[folder], from, to);
        let day = "AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/05/01/";
        let r = list(w.step());
        assert_eq!(r.prefix, day);
        // A name is cut to the minute: the listing starts after 09:59 (09:59's files sort
        // after it and are then left out by their name time).
        assert_eq!(
            r.start_after.as_deref(),
            Some(&*format!(
                "{day}111122223333_CloudTrail_us-east-1_20240501T0959"
            ))
        );
        let name = |t: &str| {
            format!("{day}111122223333_CloudTrail_us-east-1_{t}_AbCdEfGh12345678.json.gz")
        };
        let k1 = name("20240501T1005Z");
        let k2 = name("20240501T1210Z");
        let k3 = name("20240501T1225Z");
        // A listed key that climbs out of its folder (the browser would resolve the `..` of
        // its URL and fetch another object) though its name parses: not a file of this folder.
        let climbing = format!(
            "{day}../../../../../../../../AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1006Z_AbCdEfGh12345678.json.gz"
        );
        assert!(
            parse_key(&climbing).is_ok(),
            "the name alone does not refuse it"
        );
        w.accept(&page(
            &[],
            &[
                (&k1, 700),
                (&format!("{day}readme.txt"), 5),
                (&climbing, 50),
                (&k2, 900),
            ],
            Some("t2"),
        ));
        let r = list(w.step());
        assert_eq!(r.continuation_token.as_deref(), Some("t2"));
        assert_eq!(
            r.start_after, None,
            "S3 ignores start-after with a token; not sent"
        );
        w.accept(&page(&[], &[(&k3, 100)], None));
        assert_eq!(w.step(), WalkStep::Stop(RunEnd::Complete));
        let t = w.totals();
        assert_eq!((t.files, t.bytes, t.files_without_count), (3, 1700, 3));
        assert_eq!(t.known_events(), None);
        assert_eq!(
            t.summary(),
            "3 files, 1.7 KB (the file names carry no event count)"
        );
        assert_eq!(w.skipped().other, 2);
    }

    #[test]
    fn failures_retry_then_stop_and_cancel_stops() {
        let mut w = BucketWalk::regions(source(Cloud::Aws, ""));
        let first = w.step();
        let slow = ApiError::Service(ServiceError {
            http_status: 503,
            code: "SlowDown".into(),
            ..Default::default()
        });
        for _ in 0..crate::paging::MAX_RETRIES {
            assert!(matches!(w.on_error(&slow, 3), Retry::After { .. }));
            assert_eq!(w.step(), first, "the same call again");
        }
        assert_eq!(w.on_error(&slow, 3), Retry::GiveUp);
        assert_eq!(w.step(), WalkStep::Stop(RunEnd::Failed));
        let mut w = BucketWalk::regions(source(Cloud::Aws, ""));
        let denied = ApiError::Service(ServiceError {
            http_status: 403,
            code: "AccessDenied".into(),
            ..Default::default()
        });
        assert_eq!(
            w.on_error(&denied, 1),
            Retry::GiveUp,
            "a 4xx is not retried"
        );
        let mut w = BucketWalk::regions(source(Cloud::Aws, ""));
        w.cancel();
        assert_eq!(w.step(), WalkStep::Stop(RunEnd::Cancelled));
    }

    #[test]
    fn a_runaway_walk_is_capped() {
        let mut w = BucketWalk::regions(source(Cloud::Aws, ""));
        let mut n = 0;
        while let WalkStep::Fetch(_) = w.step() {
            n += 1;
            w.accept(&page(&[], &[], Some(&format!("t{n}"))));
        }
        assert_eq!(w.step(), WalkStep::Stop(RunEnd::Capped));
        assert_eq!(w.calls(), MAX_LIST_CALLS);
    }

    #[test]
    fn storage_errors_and_other_answers() {
        let xml = StorageError {
            code: "NoSuchBucket".into(),
            message: "The specified bucket does not exist.".into(),
            request_id: "5F1A".into(),
            host_id: Some("b.oss-cn-hangzhou.aliyuncs.com".into()),
        }
        .to_xml();
        match storage_error(404, Some("hdr"), &xml) {
            ApiError::Service(s) => {
                assert_eq!(s.code, "NoSuchBucket");
                assert_eq!(s.request_id.as_deref(), Some("5F1A"));
                assert_eq!(s.http_status, 404);
                assert!(s
                    .to_string()
                    .contains("The specified bucket does not exist."));
            }
            other => panic!("{other:?}"),
        }
        let html = "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>";
        let e = storage_error(502, None, html);
        assert!(e.to_string().contains("an HTML page"), "{e}");
        assert!(e.is_retryable(), "a gateway's 502 is retried");
        assert!(storage_error(404, None, "")
            .to_string()
            .contains("an empty body"));
        assert!(storage_error(400, None, r#"{"Code":"x"}"#)
            .to_string()
            .contains("JSON"));
        // A 200 that is not a listing.
        let e = read_listing(200, None, "<html>login</html>").unwrap_err();
        assert!(e.to_string().contains("not a ListObjectsV2 result"), "{e}");
        assert!(!e.is_retryable());
        let e = read_listing(403, Some("req-9"), &xml).unwrap_err();
        assert!(matches!(e, ApiError::Service(ref s) if s.code == "NoSuchBucket"));
    }

    #[test]
    fn ranges_and_the_cap() {
        let now = ms("2024-05-01T12:00:00.500Z");
        assert_eq!(
            file_range(RangePreset::Hour1, None, None, now),
            Ok((ms("2024-05-01T11:00:00Z"), ms("2024-05-01T12:00:00Z")))
        );
        let (s, e) = (ms("2024-05-01T08:00:00Z"), ms("2024-05-01T10:00:00Z"));
        assert_eq!(
            file_range(RangePreset::Custom, Some(s), Some(e), now),
            Ok((s, e))
        );
        assert!(file_range(RangePreset::Custom, Some(e), Some(s), now).is_err());
        assert!(file_range(RangePreset::Custom, None, Some(s), now).is_err());
        let t = Totals {
            files: 2,
            bytes: 10,
            events: 1_200_000,
            files_without_count: 0,
        };
        assert_eq!(
            t.cap_note(BUCKET_EVENTS_CAP).as_deref(),
            Some("The file names say 1,200,000 events: loading stops at 1,000,000.")
        );
        assert_eq!(Totals::default().cap_note(BUCKET_EVENTS_CAP), None);
    }

    #[test]
    fn keys_are_encoded_by_segment() {
        assert!(crate::trail_files::keys::check_key_form("a/b", KeyUse::Object).is_ok());
    }

    #[test]
    fn sizes_read_as_the_consoles_show_them() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(12_345), "12.3 KB");
        assert_eq!(format_bytes(4_500_000), "4.5 MB");
        assert_eq!(format_bytes(1_200_000_000), "1.20 GB");
        assert_eq!(format_bytes(12_000_000_000), "12.0 GB");
        let t = Totals::of(&[
            PlannedFile {
                key: "a".into(),
                size: 1,
                events: Some(5),
                time_ms: 0,
            },
            PlannedFile {
                key: "b".into(),
                size: 1,
                events: None,
                time_ms: 0,
            },
        ]);
        assert_eq!(t.summary(), "2 files, 2 B, 5 events named in 1 of them");
    }
}
