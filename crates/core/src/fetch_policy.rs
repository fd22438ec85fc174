//! How the app pages through LookupEvents: request parameters, the cap on events, "Load older"
//! and the span the loaded events cover. Retry and pacing are [`crate::paging`]'s, as for every
//! source; the app's one driver carries the decisions out.

use crate::catalogue;
use crate::cloud::Cloud;
use crate::lookup::Condition;
use crate::numbers::thousands;
use crate::paging::{Cursor, PagedRun, Pager, Request, Retry, RunEnd, Step};
use crate::time::{format_api_time, RangePreset};

/// The documented maximum page size.
pub const LOOKUP_EVENTS_MAX_RESULTS: u32 = 50;

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

impl Pager for LookupQuery {
    type Call = catalogue::LookupEvents;
    fn request(&self, at: Option<&Cursor>) -> Request {
        let token = match at {
            Some(Cursor::Token(t)) => Some(t.as_str()),
            Some(Cursor::Page(_)) | None => None,
        };
        Request::Query(self.params(token))
    }
    fn next(&self, response: &crate::wire::LookupEventsResponse, _page: usize) -> Option<Cursor> {
        Cursor::token(response.next())
    }
}

/// The time range as the user chose it: a preset is relative to when the fetch starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeRange {
    /// The last hour, day, … (never `RangePreset::Custom`).
    Last(RangePreset),
    Between(i64, i64),
}

/// A query as the form holds it, before it is pinned to a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct QuerySpec {
    pub range: TimeRange,
    /// The clouds it reads (ActionTrail's LookupEvents, CloudTrail's, or both).
    pub clouds: crate::cloud::Clouds,
    pub direction: Direction,
    pub conditions: Vec<Condition>,
}

impl QuerySpec {
    /// The query to send when the fetch starts at `now_ms` ("Last 7 days" ends then, not when
    /// the form was last edited).
    pub fn at(&self, now_ms: i64) -> LookupQuery {
        let (start_ms, end_ms) = match self.range {
            TimeRange::Last(p) => p.range(now_ms).unwrap_or((now_ms - 3_600_000, now_ms)),
            TimeRange::Between(s, e) => (s, e),
        };
        LookupQuery {
            start_ms,
            end_ms,
            direction: self.direction,
            conditions: self.conditions.clone(),
        }
    }
}

/// What happens to the events already loaded when a new fetch starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadMode {
    /// Clear them first.
    Replace,
    /// Keep them; the new events are added (an event already loaded is not added twice).
    Add,
}

/// One LookupEvents fetch as it runs: the query, the cap, where paging is, and the span of time
/// the loaded events are known to cover. Pure: the app's driver calls `step`, performs the call,
/// and reports back with `accept_page` / `on_error`; "Load older" is `load_more`, which
/// continues from the same NextToken, so nothing is loaded twice and nothing is skipped. It
/// ends `Complete` when every matching event is loaded, `Capped` at its cap with more to read.
#[derive(Debug, Clone)]
pub struct EventsRun {
    /// Paging by NextToken, retry and how the run stopped: the runtime's, as for every source.
    /// Its runaway page guard is lifted: the cap on events bounds this run.
    run: PagedRun<LookupQuery>,
    pub query: LookupQuery,
    pub cap: usize,
    /// The cap the run started with: how many more "Load older" asks for.
    pub batch: usize,
    pub progress: Progress,
    /// The part of the last page beyond the cap, kept for `load_more`: the NextToken points
    /// past it.
    held: Vec<Box<serde_json::value::RawValue>>,
    oldest_ms: Option<i64>,
    newest_ms: Option<i64>,
    /// The bound paging last restarted from ([`EventsRun::restart_paging`]).
    restarted_from: Option<LookupQuery>,
}

impl EventsRun {
    pub fn new(query: LookupQuery, cap: usize) -> EventsRun {
        EventsRun {
            run: PagedRun::new(query.clone()).with_max_pages(usize::MAX),
            query,
            cap: cap.max(1),
            batch: cap.max(1),
            progress: Progress::default(),
            held: Vec::new(),
            oldest_ms: None,
            newest_ms: None,
            restarted_from: None,
        }
    }

    /// More events exist past those loaded: a next page, or the held rest of the last one.
    fn more(&self) -> bool {
        self.run.has_next()
            || !self.held.is_empty()
            // Paging restarted from a time bound, its first page not read yet.
            || (self.run.pages() == 0 && self.progress.pages > 0)
    }

    /// The next thing to do: the cap on events first, then paging as [`PagedRun::step`] says.
    pub fn step(&self) -> Step {
        if let Some(end) = self.run.stopped() {
            return Step::Stop(end);
        }
        if self.progress.events >= self.cap {
            return Step::Stop(if self.more() || self.progress.pages == 0 {
                RunEnd::Capped
            } else {
                RunEnd::Complete
            });
        }
        self.run.step()
    }

    /// A page arrived: returns the events to load (up to the cap; the rest is held for
    /// `load_more`). Call `note_times` with the loaded events' times afterwards.
    pub fn accept_page(
        &mut self,
        page: crate::wire::LookupEventsResponse,
        elapsed_ms: f64,
    ) -> Vec<Box<serde_json::value::RawValue>> {
        self.run.accept_page(&page);
        let mut events = page.events;
        let room = self.cap.saturating_sub(self.progress.events);
        if events.len() > room {
            self.held = events.split_off(room);
        }
        self.progress.events += events.len();
        self.progress.pages += 1;
        self.progress.elapsed_ms = elapsed_ms;
        events
    }

    /// The times of the events just loaded (for the covered span).
    pub fn note_times(&mut self, times: impl IntoIterator<Item = Option<i64>>) {
        for t in times.into_iter().flatten() {
            self.oldest_ms = Some(self.oldest_ms.map_or(t, |o| o.min(t)));
            self.newest_ms = Some(self.newest_ms.map_or(t, |n| n.max(t)));
        }
    }

    /// A call failed: retry (with backoff; `salt` spreads many tabs) or give up.
    pub fn on_error(&mut self, e: &crate::dialect::ApiError, salt: u64) -> Retry {
        let r = self.run.on_error(e, salt);
        self.progress.retries = self.run.retries();
        r
    }

    pub fn cancel(&mut self) {
        self.run.cancel();
    }

    pub fn set_elapsed(&mut self, elapsed_ms: f64) {
        self.progress.elapsed_ms = elapsed_ms;
    }

    /// Whether `load_more` can continue this run (it stopped at its cap, or was cancelled or
    /// failed part way, with more to read).
    pub fn can_load_more(&self) -> bool {
        self.more() && self.step() != Step::Stop(RunEnd::Complete)
    }

    /// Continue where the run stopped, for up to `extra` more events: returns the held events
    /// (the rest of the page the cap cut) to load first.
    pub fn load_more(&mut self, extra: usize) -> Vec<Box<serde_json::value::RawValue>> {
        self.run.resume();
        self.cap = self.progress.events + extra.max(1);
        let room = self.cap - self.progress.events;
        let mut held = std::mem::take(&mut self.held);
        if held.len() > room {
            self.held = held.split_off(room);
        }
        self.progress.events += held.len();
        held
    }

    /// The span of time within the query's range whose matching events are all loaded: the
    /// whole range once complete, else from the oldest loaded event to the end (newest first)
    /// or from the start to the newest (oldest first). `None` before any event.
    pub fn covered(&self) -> Option<(i64, i64)> {
        let q = &self.query;
        if self.step() == Step::Stop(RunEnd::Complete) {
            return Some((q.start_ms, q.end_ms));
        }
        match q.direction {
            Direction::Backward => self.oldest_ms.map(|o| (o.max(q.start_ms), q.end_ms)),
            Direction::Forward => self.newest_ms.map(|n| (q.start_ms, n.min(q.end_ms))),
        }
    }

    /// The share of the query's time range covered (what a progress bar can honestly show: the
    /// number of matching events is not known until the last page).
    pub fn fraction(&self) -> f64 {
        let span = (self.query.end_ms - self.query.start_ms).max(1) as f64;
        self.covered()
            .map_or(0.0, |(a, b)| ((b - a).max(0) as f64 / span).clamp(0.0, 1.0))
    }

    /// The loaded times, oldest and newest.
    pub fn loaded_span(&self) -> Option<(i64, i64)> {
        Some((self.oldest_ms?, self.newest_ms?))
    }

    /// Where the run is, to be saved and continued after a reload ([`EventsRun::at`]).
    pub fn position(&self) -> RunPosition {
        RunPosition {
            paging: self.run.pager.clone(),
            next_token: match self.run.cursor() {
                Some(Cursor::Token(t)) => Some(t.clone()),
                Some(Cursor::Page(_)) | None => None,
            },
            pages: self.progress.pages,
            paging_pages: self.run.pages(),
            events: self.progress.events,
            elapsed_ms: self.progress.elapsed_ms,
            oldest_ms: self.oldest_ms,
            newest_ms: self.newest_ms,
            held: self.held.iter().map(|e| e.get().to_string()).collect(),
            ended: match self.step() {
                Step::Stop(end) => Some(end),
                Step::Fetch(_) => None,
            },
        }
    }

    /// A run continued from a saved position: stopped (as after Cancel) unless it had ended
    /// complete or at its cap, so that [`EventsRun::load_more`] resumes it.
    pub fn at(query: LookupQuery, cap: usize, batch: usize, pos: RunPosition) -> EventsRun {
        let cursor = Cursor::token(pos.next_token.as_deref());
        let mut run = PagedRun::at(pos.paging, cursor, pos.paging_pages).with_max_pages(usize::MAX);
        if !matches!(pos.ended, Some(RunEnd::Complete | RunEnd::Capped)) {
            run.cancel();
        }
        EventsRun {
            run,
            query,
            cap: cap.max(1),
            batch: batch.max(1),
            progress: Progress {
                events: pos.events,
                pages: pos.pages,
                retries: 0,
                elapsed_ms: pos.elapsed_ms,
            },
            held: pos
                .held
                .into_iter()
                .filter_map(|e| serde_json::value::RawValue::from_string(e).ok())
                .collect(),
            oldest_ms: pos.oldest_ms,
            newest_ms: pos.newest_ms,
            restarted_from: None,
        }
    }

    /// The query pages are read with: [`EventsRun::query`], unless paging restarted from the
    /// loaded events' time bound ([`EventsRun::restart_paging`]).
    pub fn paging_query(&self) -> &LookupQuery {
        &self.run.pager
    }

    /// Whether the next request carries a NextToken.
    pub fn reads_token(&self) -> bool {
        matches!(self.run.cursor(), Some(Cursor::Token(_)))
    }

    /// Read on with `paging` from its first page, keeping the counts, the cap and the covered
    /// span (the cloud refused the NextToken; `crate::session::bounded_query` makes `paging`).
    pub fn restart_paging(&mut self, paging: LookupQuery) {
        // `progress.pages` keeps counting the pages read; paging's own count restarts.
        self.run = PagedRun::at(paging.clone(), None, 0).with_max_pages(usize::MAX);
        self.restarted_from = Some(paging);
    }

    /// The bound paging last restarted from in this run (`crate::session::restart_refused`
    /// restarts once per bound).
    pub fn restarted_from(&self) -> Option<&LookupQuery> {
        self.restarted_from.as_ref()
    }
}

/// A fetch's position as saved ([`EventsRun::position`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RunPosition {
    /// The query of the next page (the run's, or one bounded by the loaded time).
    pub paging: LookupQuery,
    pub next_token: Option<String>,
    /// Pages read by the run.
    pub pages: usize,
    /// Pages read by paging since it last (re)started: fewer than `pages` once paging
    /// restarted from a time bound, 0 before its first page.
    pub paging_pages: usize,
    pub events: usize,
    pub elapsed_ms: f64,
    pub oldest_ms: Option<i64>,
    pub newest_ms: Option<i64>,
    /// Events of the last page beyond the cap (the NextToken points past them).
    pub held: Vec<String>,
    /// How the run ended; `None` while it was running.
    pub ended: Option<RunEnd>,
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
}

/// Where the table's events came from when no fetch's run describes them (its progress line
/// says so): trail files, a Cloud query, or a restored session's AWS CloudTrail part. Events
/// of two of them, added to each other: [`Origin::Several`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Origin {
    #[default]
    Files,
    /// A Cloud query, named by its engine and target: "SLS project/logstore",
    /// "Logs Insights log-group".
    CloudQuery(String),
    /// AWS CloudTrail LookupEvents (a restored AWS-only session).
    AwsCloudTrail,
    Several,
}

impl Origin {
    /// The origin once `next` brought events into a table that held events (`held > 0`)
    /// from `self`: a table that was empty (or was replaced) is `next`'s alone.
    pub fn then(&self, next: Origin, held: usize) -> Origin {
        if held == 0 || *self == next {
            next
        } else {
            Origin::Several
        }
    }

    /// The progress line without a run: "1,234 events loaded from files." /
    /// "1,234 events from the Cloud query (SLS p/l)." / "… from AWS CloudTrail."
    pub fn loaded_text(&self, n: usize) -> String {
        if n == 0 {
            return "No events loaded yet. Choose a time range and fetch.".to_string();
        }
        let events = if n == 1 {
            "1 event".to_string()
        } else {
            format!("{} events", thousands(n))
        };
        match self {
            Origin::Files => format!("{events} loaded from files."),
            Origin::CloudQuery(q) => format!("{events} from the Cloud query ({q})."),
            Origin::AwsCloudTrail => format!("{events} from AWS CloudTrail."),
            Origin::Several => format!("{events} loaded from several sources."),
        }
    }
}

/// What is kept after a fetch stopped: "The 1,234 events loaded are kept." / "No events were
/// loaded."
pub fn kept_text(loaded: usize) -> String {
    match loaded {
        0 => "No events were loaded.".to_string(),
        1 => "The 1 event loaded is kept.".to_string(),
        n => format!("The {} events loaded are kept.", thousands(n)),
    }
}

/// What Cancel says: the parts of the fetch it stopped (each cloud with the events its part
/// loaded) and the `total` the table keeps. One part reads as before Cancel had two.
pub fn cancelled_text(parts: &[(Cloud, usize)], total: usize) -> String {
    match parts {
        [a, b] if total > 0 => format!(
            "Cancelled both clouds' fetches. {} ({}: {}, {}: {}).",
            kept_text(total).trim_end_matches('.'),
            a.0.label(),
            thousands(a.1),
            b.0.label(),
            thousands(b.1)
        ),
        [_, _] => format!("Cancelled both clouds' fetches. {}", kept_text(total)),
        _ => format!("Cancelled. {}", kept_text(total)),
    }
}

/// The heading of a cloud's error banner: the request failed, and what that cloud's part had
/// loaded (`loaded`) is kept.
pub fn failed_text(loaded: usize) -> String {
    let kept = match loaded {
        0 => "No events were loaded.".to_string(),
        1 => "The 1 event it loaded is kept.".to_string(),
        n => format!("The {} events it loaded are kept.", thousands(n)),
    };
    format!("The request failed. {kept}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lookup::LookupKey;

    #[test]
    fn the_progress_line_names_where_the_events_came_from() {
        assert_eq!(Origin::Files.loaded_text(2), "2 events loaded from files.");
        assert_eq!(
            Origin::CloudQuery("SLS p/actiontrail_t".into()).loaded_text(1_500),
            "1,500 events from the Cloud query (SLS p/actiontrail_t)."
        );
        assert_eq!(
            Origin::AwsCloudTrail.loaded_text(1),
            "1 event from AWS CloudTrail."
        );
        assert!(Origin::AwsCloudTrail
            .loaded_text(0)
            .starts_with("No events"));
        // A Replace (an empty table) is the new source's alone; adding another mixes them.
        let q = Origin::CloudQuery("Logs Insights g".into());
        assert_eq!(Origin::Files.then(q.clone(), 0), q);
        assert_eq!(q.then(q.clone(), 10), q);
        assert_eq!(Origin::Files.then(q.clone(), 10), Origin::Several);
        assert_eq!(
            Origin::Several.loaded_text(3),
            "3 events loaded from several sources."
        );
    }

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
        let first = q.request(None);
        assert!(first.fits(catalogue::LOOKUP_EVENTS.api.dialect()));
        assert_eq!(first.param("NextToken"), None);
        let next = q.request(Some(&Cursor::Token("tok".into())));
        assert_eq!(next, Request::Query(p));
    }

    #[test]
    fn pacing_keeps_under_two_per_second() {
        // Any three consecutive starts span more than one second.
        let interval = catalogue::LOOKUP_EVENTS.min_interval_ms();
        let starts: Vec<f64> = (0..3).map(|i| i as f64 * interval).collect();
        assert!(starts[2] - starts[0] > 1000.0);
    }

    fn raw_events(times: &[i64]) -> Vec<Box<serde_json::value::RawValue>> {
        times
            .iter()
            .map(|t| serde_json::value::RawValue::from_string(format!("{{\"t\":{t}}}")).unwrap())
            .collect()
    }

    fn page_of(
        events: Vec<Box<serde_json::value::RawValue>>,
        next_token: Option<String>,
    ) -> crate::wire::LookupEventsResponse {
        crate::wire::LookupEventsResponse {
            events,
            next_token,
            ..Default::default()
        }
    }

    fn query(direction: Direction) -> LookupQuery {
        LookupQuery {
            start_ms: 0,
            end_ms: 1_000_000,
            direction,
            conditions: vec![],
        }
    }

    /// Feeds a run pages of `page` events from `all` (newest first), like the service would,
    /// returning the events the app loaded in order.
    fn drive(run: &mut EventsRun, all: &[i64], page: usize, loaded: &mut Vec<i64>) -> RunEnd {
        loop {
            match run.step() {
                Step::Stop(end) => return end,
                Step::Fetch(req) => {
                    let from: usize = req.param("NextToken").map_or(0, |v| v.parse().unwrap());
                    let to = (from + page).min(all.len());
                    let token = (to < all.len()).then(|| to.to_string());
                    let got = run.accept_page(page_of(raw_events(&all[from..to]), token), 1.0);
                    let times: Vec<i64> = got
                        .iter()
                        .map(|r| r.get()[5..r.get().len() - 1].parse().unwrap())
                        .collect();
                    run.note_times(times.iter().map(|t| Some(*t)));
                    loaded.extend(times);
                }
            }
        }
    }

    #[test]
    fn a_capped_run_says_what_it_covers_and_loads_older_without_gap_or_duplicate() {
        let all: Vec<i64> = (0..230).map(|i| 900_000 - i * 1000).collect();
        let mut run = EventsRun::new(query(Direction::Backward), 120);
        let mut loaded = Vec::new();
        assert_eq!(run.fraction(), 0.0);
        assert_eq!(drive(&mut run, &all, 50, &mut loaded), RunEnd::Capped);
        assert_eq!(loaded.len(), 120, "exactly the cap");
        assert_eq!(run.progress.pages, 3);
        assert_eq!(run.covered(), Some((all[119], 1_000_000)));
        assert!((run.fraction() - (1_000_000 - all[119]) as f64 / 1e6).abs() < 1e-9);
        assert!(run.can_load_more());
        // Load older: the 30 events the cap cut from page 3 first, then on from the token.
        let held = run.load_more(100);
        assert_eq!(held.len(), 30);
        loaded.extend(
            held.iter()
                .map(|r| r.get()[5..r.get().len() - 1].parse::<i64>().unwrap()),
        );
        assert_eq!(drive(&mut run, &all, 50, &mut loaded), RunEnd::Capped);
        assert_eq!(loaded.len(), 220);
        let held = run.load_more(100);
        assert_eq!(held.len(), 10, "the cap cut the last page again");
        loaded.extend(
            held.iter()
                .map(|r| r.get()[5..r.get().len() - 1].parse::<i64>().unwrap()),
        );
        assert_eq!(drive(&mut run, &all, 50, &mut loaded), RunEnd::Complete);
        assert_eq!(loaded, all, "every event once, in order");
        assert_eq!(run.covered(), Some((0, 1_000_000)));
        assert_eq!(run.fraction(), 1.0);
        assert!(!run.can_load_more());
    }

    #[test]
    fn a_run_that_ends_exactly_at_the_cap_is_complete() {
        let all: Vec<i64> = (0..100).map(|i| 500_000 - i).collect();
        let mut run = EventsRun::new(query(Direction::Backward), 100);
        assert_eq!(drive(&mut run, &all, 50, &mut Vec::new()), RunEnd::Complete);
        let mut run = EventsRun::new(query(Direction::Forward), 60);
        let asc: Vec<i64> = (0..100).map(|i| 1000 + i).collect();
        assert_eq!(drive(&mut run, &asc, 50, &mut Vec::new()), RunEnd::Capped);
        assert_eq!(
            run.covered(),
            Some((0, 1059)),
            "oldest first covers from the start"
        );
        // An empty result is complete and covers the whole range.
        let mut run = EventsRun::new(query(Direction::Backward), 10);
        assert_eq!(drive(&mut run, &[], 50, &mut Vec::new()), RunEnd::Complete);
        assert_eq!(run.fraction(), 1.0);
    }

    #[test]
    fn errors_retry_with_backoff_then_give_up() {
        use crate::dialect::ApiError;
        use crate::paging::MAX_RETRIES;
        let mut run = EventsRun::new(query(Direction::Backward), 10);
        let net = ApiError::Network("down".into());
        for n in 1..=MAX_RETRIES {
            assert!(matches!(run.on_error(&net, 7), Retry::After { attempt, .. } if attempt == n));
        }
        assert_eq!(run.on_error(&net, 7), Retry::GiveUp);
        assert_eq!(run.step(), Step::Stop(RunEnd::Failed));
        assert_eq!(run.progress.retries, MAX_RETRIES);
        let mut run = EventsRun::new(query(Direction::Backward), 10);
        let denied = ApiError::Malformed {
            http_status: 405,
            detail: String::new(),
            excerpt: String::new(),
        };
        assert_eq!(
            run.on_error(&denied, 1),
            Retry::GiveUp,
            "a 405 is not retried"
        );
        let mut run = EventsRun::new(query(Direction::Backward), 10);
        run.cancel();
        assert_eq!(run.step(), Step::Stop(RunEnd::Cancelled));
    }

    #[test]
    fn a_preset_range_is_taken_when_the_fetch_starts() {
        let spec = QuerySpec {
            range: TimeRange::Last(RangePreset::Days7),
            clouds: Default::default(),
            direction: Direction::Backward,
            conditions: vec![],
        };
        let hour = 3_600_000;
        let a = spec.at(10 * 86_400_000);
        let b = spec.at(10 * 86_400_000 + hour);
        assert_eq!(
            b.end_ms - a.end_ms,
            hour,
            "an hour later, the range ends an hour later"
        );
        assert_eq!(a.end_ms - a.start_ms, 7 * 86_400_000);
        let fixed = QuerySpec {
            range: TimeRange::Between(5, 9_000),
            ..spec
        };
        assert_eq!((fixed.at(1).start_ms, fixed.at(1 << 40).end_ms), (5, 9_000));
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
    }

    #[test]
    fn what_a_stop_says_is_kept() {
        assert_eq!(kept_text(0), "No events were loaded.");
        assert_eq!(kept_text(1), "The 1 event loaded is kept.");
        assert_eq!(kept_text(1234), "The 1,234 events loaded are kept.");
        assert_eq!(
            cancelled_text(&[(Cloud::Aliyun, 1234)], 1234),
            "Cancelled. The 1,234 events loaded are kept."
        );
        assert_eq!(
            cancelled_text(&[(Cloud::Aws, 0)], 0),
            "Cancelled. No events were loaded."
        );
        assert_eq!(
            cancelled_text(&[(Cloud::Aliyun, 100), (Cloud::Aws, 2000)], 2100),
            "Cancelled both clouds' fetches. The 2,100 events loaded are kept (Alibaba Cloud: 100, AWS: 2,000)."
        );
        assert_eq!(
            cancelled_text(&[(Cloud::Aliyun, 0), (Cloud::Aws, 0)], 0),
            "Cancelled both clouds' fetches. No events were loaded."
        );
        // A banner counts its own cloud's part, not the table's rows.
        assert_eq!(failed_text(0), "The request failed. No events were loaded.");
        assert_eq!(
            failed_text(1),
            "The request failed. The 1 event it loaded is kept."
        );
        assert_eq!(
            failed_text(2000),
            "The request failed. The 2,000 events it loaded are kept."
        );
    }
}
