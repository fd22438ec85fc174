//! A load of trail files (from disk or through the proxy) into the events store, as data: which
//! files to take, which file to start next, what to do when one fails (retry a download that
//! failed transiently, else list the file by name with its error and go on with the others),
//! when to stop (all done, Cancel, the events cap) and what the load panel says. The app starts
//! the reads, runs the workers and merges their batches; every decision is here.

use crate::dialect::ApiError;
use crate::numbers::thousands;
use crate::paging::{Attempts, Retry};

/// Workers to start for `hardware_concurrency` logical cores: one per core, at least 1, at most 4.
pub fn worker_count(hardware_concurrency: f64) -> usize {
    if hardware_concurrency.is_finite() && hardware_concurrency >= 1.0 {
        (hardware_concurrency as usize).min(4)
    } else {
        1
    }
}

/// Files a load reads, decompresses or waits to merge at once per worker: trail files are small
/// (a few KB to a few MB) and each one waits on its download and on a worker's answer, so many
/// are in flight to keep every worker busy; [`BYTES_IN_FLIGHT`] bounds their memory.
pub const JOBS_PER_WORKER: usize = 8;

/// The most bytes (files' sizes, when known) a load reads or holds for merging at once; one
/// file larger than this still starts when nothing else is in flight.
pub const BYTES_IN_FLIGHT: u64 = 16_000_000;

/// The most downloads one worker message carries (one answer for them all): the main thread's
/// cost of a message (posting it, its answer's event, the promise) is paid once per group
/// instead of once per file, which for typical trail files of a few KB outweighed the merge.
pub const FILES_PER_MESSAGE: usize = 4;

/// Downloads larger than this (by their listed size), or of an unknown size, go in a message of
/// their own: their reading is long enough that waiting for them would hold back the group's
/// small files. The worker inflates downloads up to this size in its own memory (faster than
/// the browser's stream machinery for small files).
pub const GROUP_MAX_BYTES: u64 = 256 * 1024;

/// Downloads started together (`(file, size)`, in start order), grouped into worker messages:
/// the files of a known size up to [`GROUP_MAX_BYTES`], in start order, at most `per_message`
/// to a group; every other file alone. Every file is in exactly one group.
pub fn download_groups(started: &[(usize, Option<u64>)], per_message: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for &(i, size) in started {
        if size.is_some_and(|b| b <= GROUP_MAX_BYTES) {
            open.push(i);
            if open.len() >= per_message.max(1) {
                out.push(std::mem::take(&mut open));
            }
        } else {
            out.push(vec![i]);
        }
    }
    if !open.is_empty() {
        out.push(open);
    }
    out
}

/// Events a load can make room for before it starts: the sum of the counts its files' names
/// give (ActionTrail's do; others count as none), at most `cap`.
pub fn expected_events(hints: impl IntoIterator<Item = Option<u64>>, cap: usize) -> usize {
    // A name may claim any count: saturate rather than overflow.
    let known = hints.into_iter().flatten().fold(0u64, u64::saturating_add);
    usize::try_from(known).unwrap_or(usize::MAX).min(cap)
}

/// The names a picked or dropped file may have to be read (`.gz`, `.json.gz`, `.json`,
/// `.ndjson`, any case); CloudTrail's digest files (under `CloudTrail-Digest/`) are not events.
/// `path` is the file's name or its path inside a picked folder.
pub fn accepts(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower.contains("cloudtrail-digest/") || lower.contains("cloudtrail-digest_") {
        return false;
    }
    let name = lower.rsplit('/').next().unwrap_or("");
    !name.starts_with('.')
        && [".gz", ".json", ".ndjson", ".jsonl"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// Where one file of a load is.
#[derive(Debug, Clone, PartialEq)]
pub enum FileState {
    Queued,
    /// Being read / downloaded, decompressed and parsed.
    Reading,
    /// Waiting to start its download again.
    Retrying {
        until_ms: f64,
        attempt: u32,
    },
    /// Its batch is being merged into the store.
    Merging,
    Done {
        events: usize,
    },
    Failed(String),
    /// Not read: the load stopped first (Cancel or the cap).
    Skipped,
}

/// One file of a load.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadFile {
    pub name: String,
    pub size: Option<u64>,
    pub state: FileState,
    /// Its bytes, once read (compressed size when it was gzip).
    pub bytes: u64,
    attempts: Attempts,
}

/// How a load ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadEnd {
    Complete,
    /// Stopped at the events cap.
    Capped,
    Cancelled,
}

/// What is left of a file's batch after a slice of it was merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rest {
    /// Rows to merge in a later slice.
    More,
    /// All merged; the file held `events` events.
    Done { events: usize },
}

/// A load of files. Each step costs O(1) amortised whatever the number of files (a month of a
/// busy trail is tens of thousands of files): counters and a queue cursor are kept beside the
/// files, so `files` is read-only outside this module's methods.
#[derive(Debug, Clone, PartialEq)]
pub struct FileLoad {
    pub files: Vec<LoadFile>,
    /// The most events this load adds.
    pub cap: usize,
    /// Events added to the store.
    pub added: usize,
    /// Events left out because the same `eventId` was loaded already.
    pub duplicates: usize,
    /// Events kept without columns (not objects, unreadable).
    pub odd: usize,
    /// Events left out because their time is outside the load's range (files near its
    /// edges hold some).
    pub outside: usize,
    pub retries: u32,
    pub elapsed_ms: f64,
    /// Files read at once.
    pub parallel: usize,
    /// Bytes (known sizes) read or held for merging at once.
    pub max_bytes: u64,
    pub end: Option<LoadEnd>,
    /// The first file that may still be queued (every file before it has started).
    cursor: usize,
    /// Files reading, merging or waiting for a retry.
    busy: usize,
    /// Known sizes of the files reading or merging.
    bytes_busy: u64,
    /// Files done or failed.
    finished: usize,
    skipped: usize,
    /// Bytes read, and the total when every size is known.
    bytes_read: u64,
    bytes_total: Option<u64>,
    /// The failed files, in the order they failed.
    failed: Vec<usize>,
    /// The files waiting for a retry.
    retrying: Vec<usize>,
}

/// What a state counts for.
fn is_busy(s: &FileState) -> bool {
    matches!(
        s,
        FileState::Reading | FileState::Merging | FileState::Retrying { .. }
    )
}

fn holds_bytes(s: &FileState) -> bool {
    matches!(s, FileState::Reading | FileState::Merging)
}

fn is_finished(s: &FileState) -> bool {
    matches!(s, FileState::Done { .. } | FileState::Failed(_))
}

impl FileLoad {
    /// A load of `files` (name, size if known), adding at most `cap` events, reading
    /// `parallel` files at once.
    pub fn new(files: Vec<(String, Option<u64>)>, cap: usize, parallel: usize) -> FileLoad {
        let bytes_total = files.iter().map(|(_, size)| *size).sum();
        FileLoad {
            files: files
                .into_iter()
                .map(|(name, size)| LoadFile {
                    name,
                    size,
                    state: FileState::Queued,
                    bytes: 0,
                    attempts: Attempts::default(),
                })
                .collect(),
            cap,
            added: 0,
            duplicates: 0,
            outside: 0,
            odd: 0,
            retries: 0,
            elapsed_ms: 0.0,
            parallel: parallel.max(1),
            max_bytes: u64::MAX,
            end: (cap == 0).then_some(LoadEnd::Capped),
            cursor: 0,
            busy: 0,
            bytes_busy: 0,
            finished: 0,
            skipped: 0,
            bytes_read: 0,
            bytes_total,
            failed: Vec::new(),
            retrying: Vec::new(),
        }
        .settled()
    }

    /// The same load reading at most `max_bytes` (known sizes) at once.
    pub fn with_bytes_in_flight(mut self, max_bytes: u64) -> FileLoad {
        self.max_bytes = max_bytes.max(1);
        self
    }

    /// Move file `i` to `state`, keeping the counters.
    fn set_state(&mut self, i: usize, state: FileState) {
        let Some(f) = self.files.get_mut(i) else {
            return;
        };
        let size = f.size.unwrap_or(0);
        let old = std::mem::replace(&mut f.state, state);
        let new = &f.state;
        self.busy = self.busy + is_busy(new) as usize - is_busy(&old) as usize;
        if holds_bytes(&old) {
            self.bytes_busy = self.bytes_busy.saturating_sub(size);
        }
        if holds_bytes(new) {
            self.bytes_busy += size;
        }
        self.finished = self.finished + is_finished(new) as usize - is_finished(&old) as usize;
        self.skipped = self.skipped + (*new == FileState::Skipped) as usize
            - (old == FileState::Skipped) as usize;
        if matches!(old, FileState::Retrying { .. }) {
            self.retrying.retain(|r| *r != i);
        }
        if matches!(new, FileState::Retrying { .. }) {
            self.retrying.push(i);
        }
        if matches!(new, FileState::Failed(_)) {
            self.failed.push(i);
        }
    }

    fn settled(mut self) -> FileLoad {
        self.finish_if_done();
        self
    }

    pub fn running(&self) -> bool {
        self.end.is_none()
    }

    /// Files reading, merging or waiting for a retry.
    pub fn in_progress(&self) -> usize {
        self.busy
    }

    /// The files to start now (marked [`FileState::Reading`]): those whose retry time has
    /// come, and queued ones while fewer than `parallel` files and `max_bytes` are in progress.
    pub fn start_next(&mut self, now_ms: f64) -> Vec<usize> {
        let mut out = Vec::new();
        if !self.running() {
            return out;
        }
        let due: Vec<usize> = self
            .retrying
            .iter()
            .copied()
            .filter(|i| {
                matches!(self.files[*i].state, FileState::Retrying { until_ms, .. } if until_ms <= now_ms)
            })
            .collect();
        for i in due {
            self.set_state(i, FileState::Reading);
            out.push(i);
        }
        while self.busy < self.parallel {
            while self
                .files
                .get(self.cursor)
                .is_some_and(|f| f.state != FileState::Queued)
            {
                self.cursor += 1;
            }
            let Some(f) = self.files.get(self.cursor) else {
                break;
            };
            let size = f.size.unwrap_or(0);
            let limit = crate::trail_files::Limits::default().max_bytes;
            if size > limit as u64 {
                // Never downloaded nor read: a file over the limit is refused by its size.
                let i = self.cursor;
                self.set_state(i, FileState::Reading);
                self.failed(
                    i,
                    crate::trail_files::FileError::TooLarge { limit }.to_string(),
                );
                self.cursor += 1;
                continue;
            }
            if self.busy > 0 && self.bytes_busy.saturating_add(size) > self.max_bytes {
                break;
            }
            self.set_state(self.cursor, FileState::Reading);
            out.push(self.cursor);
            self.cursor += 1;
        }
        out
    }

    /// When the next retry is due, if a file waits for one.
    pub fn next_retry_ms(&self) -> Option<f64> {
        self.retrying
            .iter()
            .filter_map(|i| match self.files[*i].state {
                FileState::Retrying { until_ms, .. } => Some(until_ms),
                _ => None,
            })
            .reduce(f64::min)
    }

    /// File `i`'s download failed with `e`: retry it later when the error is transient (as
    /// core's paging retries a call), else it fails with the error.
    pub fn download_failed(&mut self, i: usize, e: &ApiError, now_ms: f64, salt: u64) -> Retry {
        let Some(f) = self
            .files
            .get_mut(i)
            .filter(|f| f.state == FileState::Reading)
        else {
            return Retry::GiveUp;
        };
        let retry = f.attempts.on_error(e, salt);
        match retry {
            Retry::After { delay_ms, attempt } => {
                self.retries += 1;
                self.set_state(
                    i,
                    FileState::Retrying {
                        until_ms: now_ms + delay_ms as f64,
                        attempt,
                    },
                );
            }
            Retry::GiveUp => self.set_state(i, FileState::Failed(e.to_string())),
        }
        self.finish_if_done();
        retry
    }

    /// File `i` could not be read (a named error: the core's `FileError`, or the browser's).
    pub fn failed(&mut self, i: usize, error: String) {
        if self
            .files
            .get(i)
            .is_some_and(|f| f.state == FileState::Reading)
        {
            self.set_state(i, FileState::Failed(error));
        }
        self.finish_if_done();
    }

    /// File `i`'s bytes were read (`bytes` of them); its batch is to be merged. (What a file
    /// being read reports after the load stopped changes nothing: it stays skipped.)
    pub fn parsed(&mut self, i: usize, bytes: u64) {
        if let Some(f) = self
            .files
            .get_mut(i)
            .filter(|f| f.state == FileState::Reading)
        {
            self.bytes_read = self.bytes_read - f.bytes + bytes;
            f.bytes = bytes;
            self.set_state(i, FileState::Merging);
        }
    }

    /// The most rows to merge next (so that the load never adds more than its cap).
    pub fn room(&self) -> usize {
        self.cap.saturating_sub(self.added)
    }

    /// A slice of file `i`'s batch was merged.
    ///
    /// `rest` says whether file `i`'s batch has rows left. A file merged in full is done
    /// before the cap is judged: reaching the cap exactly with the last file is a complete
    /// load, and a file whose last row filled the cap is not "not read". The cap is judged on
    /// events added, after duplicates are left out, so a file overlapping what is loaded
    /// fills the room with new events only.
    pub fn merged(&mut self, i: usize, stats: crate::engine::IngestStats, rest: Rest) {
        self.added += stats.added;
        self.duplicates += stats.duplicates;
        self.outside += stats.outside;
        self.odd += stats.odd;
        if let Rest::Done { events } = rest {
            self.file_done(i, events);
        }
        if self.running() && self.added >= self.cap {
            self.stop(LoadEnd::Capped);
        }
    }

    /// File `i`'s batch is merged in full (`events` in it).
    pub fn file_done(&mut self, i: usize, events: usize) {
        if self
            .files
            .get(i)
            .is_some_and(|f| f.state == FileState::Merging)
        {
            self.set_state(i, FileState::Done { events });
        }
        self.finish_if_done();
    }

    /// Stop: files not finished are skipped (their partial merge stays in the store).
    pub fn stop(&mut self, end: LoadEnd) {
        if self.end.is_some() {
            return;
        }
        for i in 0..self.files.len() {
            if !is_finished(&self.files[i].state) {
                self.set_state(i, FileState::Skipped);
            }
        }
        self.end = Some(end);
    }

    fn finish_if_done(&mut self) {
        if self.end.is_none() && self.finished == self.files.len() {
            self.end = Some(LoadEnd::Complete);
        }
    }

    pub fn set_elapsed(&mut self, ms: f64) {
        self.elapsed_ms = ms;
    }

    pub fn files_done(&self) -> usize {
        self.finished
    }

    /// Bytes read so far, and the total when every size is known.
    pub fn bytes(&self) -> (u64, Option<u64>) {
        (self.bytes_read, self.bytes_total)
    }

    /// How many files failed.
    pub fn failed_count(&self) -> usize {
        self.failed.len()
    }

    /// The failed files: (name, error), in file order.
    pub fn failures(&self) -> Vec<(&str, &str)> {
        let mut failed = self.failed.clone();
        failed.sort_unstable();
        failed
            .into_iter()
            .filter_map(|i| match &self.files[i].state {
                FileState::Failed(e) => Some((self.files[i].name.as_str(), e.as_str())),
                _ => None,
            })
            .collect()
    }

    pub fn events_per_s(&self) -> f64 {
        if self.elapsed_ms > 0.0 {
            self.added as f64 * 1000.0 / self.elapsed_ms
        } else {
            0.0
        }
    }

    /// Share of the files finished, 0..=1.
    pub fn fraction(&self) -> f64 {
        match self.files.len() {
            0 => 1.0,
            n => self.files_done() as f64 / n as f64,
        }
    }

    /// The panel's one line: "Loading files: 3 of 10 files · 1.2 of 4.5 MB · 12,345 events ·
    /// 40,000 events/s · 2.1 s · 1 failed".
    pub fn summary(&self) -> String {
        let what = match self.end {
            None => "Loading files".to_string(),
            Some(LoadEnd::Complete) => "Files loaded".to_string(),
            Some(LoadEnd::Cancelled) => "Cancelled".to_string(),
            Some(LoadEnd::Capped) => format!(
                "Stopped at the cap of {} events (Max events)",
                thousands(self.cap)
            ),
        };
        let bytes = match self.bytes() {
            (read, Some(total)) if self.running() => {
                format!("{} of {}", megabytes(read), megabytes(total))
            }
            (read, _) => megabytes(read),
        };
        let plural = |n: usize, one: &str, many: &str| {
            format!("{} {}", thousands(n), if n == 1 { one } else { many })
        };
        let mut s = format!(
            "{what}: {} of {} · {bytes} · {} · {} events/s · {} s",
            thousands(self.files_done()),
            plural(self.files.len(), "file", "files"),
            plural(self.added, "event", "events"),
            thousands(self.events_per_s().round() as usize),
            crate::numbers::fixed(self.elapsed_ms / 1000.0, 1)
        );
        let failed = self.failed_count();
        if failed > 0 {
            s.push_str(&format!(" · {failed} failed"));
        }
        if self.duplicates > 0 {
            s.push_str(&format!(
                " · {} already loaded",
                plural(self.duplicates, "event", "events")
            ));
        }
        if self.outside > 0 {
            s.push_str(&format!(
                " · {} outside the range left out",
                plural(self.outside, "event", "events")
            ));
        }
        if self.retries > 0 {
            s.push_str(&format!(
                " · {}",
                plural(self.retries as usize, "retry", "retries")
            ));
        }
        let skipped = self.skipped;
        if skipped > 0 {
            s.push_str(&format!(" · {} not read", plural(skipped, "file", "files")));
        }
        s
    }
}

/// "12.3 MB"; "40.2 KB" below 1 MB (and above nothing).
pub fn megabytes(bytes: u64) -> String {
    if bytes > 0 && bytes < 1_000_000 {
        format!("{} KB", crate::numbers::fixed(bytes as f64 / 1000.0, 1))
    } else {
        format!(
            "{} MB",
            crate::numbers::fixed(bytes as f64 / 1_000_000.0, 1)
        )
    }
}

/// Rows to merge in the next slice so that a slice takes about `budget_ms`, from how long the
/// last slice of `rows` took: at most twice as many, at least 64, at most 4,000 (a slice's time
/// per row varies: new strings to intern, memory growth, a CPU shared with the workers).
pub fn slice_rows(rows: usize, took_ms: f64, budget_ms: f64) -> usize {
    let next = if took_ms <= 0.0 {
        rows.saturating_mul(2)
    } else {
        ((rows as f64 * budget_ms / took_ms) as usize).min(rows.saturating_mul(2))
    };
    next.clamp(64, 4_000)
}

#[cfg(test)]
mod tests {
    #[test]
    fn expected_events_sum_the_known_counts_up_to_the_cap() {
        use super::expected_events;
        assert_eq!(expected_events([Some(10), None, Some(5)], 100), 15);
        assert_eq!(expected_events([Some(10), Some(500)], 100), 100);
        assert_eq!(expected_events([None, None], 100), 0);
        assert_eq!(expected_events([Some(u64::MAX), Some(1)], 7), 7);
    }

    #[test]
    fn download_groups_batch_small_files_and_send_the_rest_alone() {
        use super::{download_groups, GROUP_MAX_BYTES};
        let small = Some(2_000);
        let started = [
            (0, small),
            (1, small),
            (2, Some(GROUP_MAX_BYTES + 1)),
            (3, small),
            (4, None),
            (5, Some(GROUP_MAX_BYTES)),
            (6, small),
            (7, small),
        ];
        assert_eq!(
            download_groups(&started, 4),
            vec![vec![2], vec![4], vec![0, 1, 3, 5], vec![6, 7]]
        );
        // Each file once, nothing lost; groups never over the limit; per_message 0 acts as 1.
        for per in 0..6 {
            let g = download_groups(&started, per);
            let mut all: Vec<usize> = g.iter().flatten().copied().collect();
            all.sort_unstable();
            assert_eq!(all, (0..8).collect::<Vec<_>>(), "{per}");
            assert!(
                g.iter().all(|x| !x.is_empty() && x.len() <= per.max(1)),
                "{per}"
            );
        }
        assert!(download_groups(&[], 4).is_empty());
    }

    use super::*;
    use crate::dialect::ApiError;

    fn stats(added: usize, duplicates: usize, odd: usize) -> crate::engine::IngestStats {
        crate::engine::IngestStats {
            added,
            duplicates,
            odd,
            outside: 0,
        }
    }

    #[test]
    fn events_outside_the_range_are_counted_and_said() {
        let mut l = load(1, usize::MAX, 1);
        l.start_next(0.0);
        l.parsed(0, 10);
        let mut s = stats(3, 0, 0);
        s.outside = 2;
        l.merged(0, s, Rest::Done { events: 5 });
        assert_eq!((l.added, l.outside), (3, 2));
        assert!(
            l.summary()
                .contains("· 2 events outside the range left out"),
            "{}",
            l.summary()
        );
    }

    /// A file the listing (or the disk) says is over the size limit is never started.
    #[test]
    fn a_file_over_the_limit_fails_by_its_size() {
        let big = crate::trail_files::Limits::default().max_bytes as u64 + 1;
        let mut l = FileLoad::new(
            vec![
                ("huge.json.gz".into(), Some(big)),
                ("a.gz".into(), Some(10)),
            ],
            usize::MAX,
            4,
        );
        assert_eq!(l.start_next(0.0), vec![1]);
        assert_eq!(l.failures().len(), 1);
        assert!(
            l.failures()[0].1.contains("too large"),
            "{:?}",
            l.failures()
        );
        l.parsed(1, 10);
        l.merged(1, stats(1, 0, 0), Rest::Done { events: 1 });
        assert_eq!(l.end, Some(LoadEnd::Complete));
    }

    /// Exactly the cap with the last file is a complete load; duplicates do not use the room.
    #[test]
    fn the_cap_counts_new_events_and_an_exact_fill_is_complete() {
        let mut l = load(2, 20, 2);
        l.start_next(0.0);
        l.parsed(0, 10);
        l.merged(0, stats(10, 0, 0), Rest::Done { events: 10 });
        l.parsed(1, 10);
        l.merged(1, stats(4, 6, 0), Rest::More);
        assert!(l.running(), "duplicates leave room: {}", l.summary());
        l.merged(1, stats(6, 0, 0), Rest::Done { events: 16 });
        assert_eq!(l.end, Some(LoadEnd::Complete), "{}", l.summary());
        assert!(!l.summary().contains("not read"), "{}", l.summary());
    }

    fn load(n: usize, cap: usize, parallel: usize) -> FileLoad {
        FileLoad::new(
            (0..n)
                .map(|i| (format!("f{i}.json.gz"), Some(1_000_000)))
                .collect(),
            cap,
            parallel,
        )
    }

    #[test]
    fn workers_one_per_core_at_most_four() {
        assert_eq!(worker_count(0.0), 1);
        assert_eq!(worker_count(f64::NAN), 1);
        assert_eq!(worker_count(2.0), 2);
        assert_eq!(worker_count(16.0), 4);
    }

    #[test]
    fn names_accepted() {
        for ok in [
            "a.gz",
            "Actiontrail_cn-hangzhou_20261130000500_1002_10_100_ab.gz",
            "x.JSON.GZ",
            "x.json",
            "events.ndjson",
            "AWSLogs/1/CloudTrail/us-east-1/2026/11/30/1_CloudTrail_us-east-1_20261130T0000Z_abc.json.gz",
        ] {
            assert!(accepts(ok), "{ok}");
        }
        for no in [
            "readme.txt",
            ".DS_Store",
            "dir/.hidden.json",
            "AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/30/1_CloudTrail-Digest_us-east-1_x.json.gz",
            "a.zip",
        ] {
            assert!(!accepts(no), "{no}");
        }
    }

    #[test]
    fn files_start_a_few_at_a_time_and_end_complete() {
        let mut l = load(5, usize::MAX, 2);
        assert_eq!(l.start_next(0.0), vec![0, 1]);
        assert_eq!(l.start_next(0.0), Vec::<usize>::new());
        l.parsed(0, 100);
        assert!(
            l.start_next(0.0).is_empty(),
            "a file waiting to merge counts"
        );
        l.merged(0, stats(10, 1, 0), Rest::Done { events: 11 });
        assert_eq!(l.start_next(0.0), vec![2]);
        l.failed(1, "corrupt gzip: invalid deflate".into());
        assert_eq!(l.start_next(0.0), vec![3]);
        for i in [2, 3] {
            l.parsed(i, 100);
            l.merged(i, stats(5, 0, 0), Rest::Done { events: 5 });
        }
        assert_eq!(l.start_next(0.0), vec![4]);
        assert!(l.running());
        l.failed(4, "empty file".into());
        assert_eq!(l.end, Some(LoadEnd::Complete));
        assert_eq!(l.added, 20);
        assert_eq!(l.files_done(), 5);
        assert_eq!(
            l.failures(),
            vec![
                ("f1.json.gz", "corrupt gzip: invalid deflate"),
                ("f4.json.gz", "empty file")
            ]
        );
        l.set_elapsed(2000.0);
        assert_eq!(
            l.summary(),
            "Files loaded: 5 of 5 files · 0.3 KB · 20 events · 10 events/s · 2.0 s · 2 failed · 1 event already loaded"
        );
    }

    #[test]
    fn a_transient_download_error_is_retried_then_listed() {
        let mut l = load(2, usize::MAX, 4);
        assert_eq!(l.start_next(0.0), vec![0, 1]);
        let net = ApiError::Network("connection reset".into());
        let Retry::After { delay_ms, attempt } = l.download_failed(0, &net, 0.0, 7) else {
            panic!("a network error is retried");
        };
        assert_eq!(attempt, 1);
        assert!(l.start_next(delay_ms as f64 - 1.0).is_empty());
        assert_eq!(l.next_retry_ms(), Some(delay_ms as f64));
        assert_eq!(l.start_next(delay_ms as f64), vec![0]);
        let mut n = 1;
        while let Retry::After { .. } = l.download_failed(0, &net, 0.0, 7) {
            n += 1;
            assert_eq!(l.start_next(1e9), vec![0]);
        }
        assert_eq!(n, crate::paging::MAX_RETRIES);
        assert_eq!(l.retries, crate::paging::MAX_RETRIES);
        assert_eq!(l.failures().len(), 1);
        assert!(l.running(), "the other file goes on");
        // Not worth retrying: listed at once.
        let refused = ApiError::Refused("blocked".into());
        assert_eq!(l.download_failed(1, &refused, 0.0, 1), Retry::GiveUp);
        assert_eq!(l.end, Some(LoadEnd::Complete));
    }

    #[test]
    fn the_cap_stops_the_load_and_says_so() {
        let mut l = load(3, 25, 3);
        l.start_next(0.0);
        l.parsed(0, 10);
        assert_eq!(l.room(), 25);
        l.merged(0, stats(20, 0, 0), Rest::Done { events: 20 });
        assert_eq!(l.room(), 5);
        l.parsed(1, 10);
        // File 1's last row fills the cap: it is done, and file 2 is not read.
        l.merged(1, stats(5, 0, 0), Rest::Done { events: 5 });
        assert_eq!(l.end, Some(LoadEnd::Capped));
        assert_eq!(l.room(), 0);
        assert!(l.start_next(0.0).is_empty());
        assert_eq!(l.files[1].state, FileState::Done { events: 5 });
        assert!(l
            .summary()
            .starts_with("Stopped at the cap of 25 events (Max events): 2 of 3 files"));
        assert!(
            l.summary().ends_with("· 1 file not read"),
            "{}",
            l.summary()
        );
    }

    #[test]
    fn cancel_skips_what_is_left_and_keeps_the_counts() {
        let mut l = load(3, usize::MAX, 1);
        l.start_next(0.0);
        l.parsed(0, 1_500_000);
        l.merged(0, stats(7, 0, 0), Rest::More);
        l.stop(LoadEnd::Cancelled);
        l.stop(LoadEnd::Complete);
        assert_eq!(l.end, Some(LoadEnd::Cancelled));
        assert!(l.files.iter().all(|f| f.state == FileState::Skipped));
        l.parsed(1, 10);
        l.failed(2, "late".into());
        assert!(
            l.files.iter().all(|f| f.state == FileState::Skipped),
            "late news is dropped"
        );
        assert!(l
            .summary()
            .starts_with("Cancelled: 0 of 3 files · 1.5 MB · 7 events"));
        let mut running = load(2, usize::MAX, 1);
        running.start_next(0.0);
        assert!(running
            .summary()
            .starts_with("Loading files: 0 of 2 files · 0.0 MB of 2.0 MB · 0 events"));
        assert_eq!(load(0, 10, 1).end, Some(LoadEnd::Complete));
        assert_eq!(load(2, 0, 1).end, Some(LoadEnd::Capped));
    }

    #[test]
    fn bytes_in_flight_are_bounded_but_one_big_file_still_starts() {
        let sizes = [6, 6, 6, 30, 1];
        let mut l = FileLoad::new(
            sizes
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("f{i}"), Some(*s)))
                .collect(),
            usize::MAX,
            10,
        )
        .with_bytes_in_flight(15);
        assert_eq!(l.start_next(0.0), vec![0, 1], "a third 6 would pass 15");
        for i in [0, 1] {
            l.parsed(i, 6);
            l.file_done(i, 1);
        }
        assert_eq!(l.start_next(0.0), vec![2]);
        l.parsed(2, 6);
        l.file_done(2, 1);
        assert_eq!(
            l.start_next(0.0),
            vec![3],
            "alone, a file over the bound starts"
        );
        assert!(l.start_next(0.0).is_empty());
        l.failed(3, "too big".into());
        assert_eq!(l.start_next(0.0), vec![4]);
        assert_eq!(l.in_progress(), 1);
    }

    #[test]
    fn a_load_of_many_files_keeps_its_counts_in_step() {
        let n = 200_000;
        let mut l = load(n, usize::MAX, 32);
        let mut done = 0;
        while l.running() {
            let started = l.start_next(0.0);
            assert!(!started.is_empty() && started.len() <= 32);
            for i in started {
                if i % 1000 == 7 {
                    l.failed(i, "bad".into());
                } else {
                    l.parsed(i, 10);
                    l.merged(i, stats(1, 0, 0), Rest::Done { events: 1 });
                }
                done += 1;
            }
            assert_eq!(l.files_done(), done);
        }
        assert_eq!(l.end, Some(LoadEnd::Complete));
        assert_eq!(l.failed_count(), n / 1000);
        assert_eq!(l.bytes().0, 10 * (n - n / 1000) as u64);
        assert_eq!(l.in_progress(), 0);
    }

    #[test]
    fn slices_follow_their_budget() {
        assert_eq!(slice_rows(1000, 0.0, 2.0), 2000);
        assert_eq!(slice_rows(1000, 0.1, 2.0), 2000, "at most twice as many");
        assert_eq!(slice_rows(1000, 4.0, 2.0), 500);
        assert_eq!(slice_rows(10, 100.0, 2.0), 64);
        assert_eq!(slice_rows(3_000, 1.0, 2.0), 4_000);
    }
}
