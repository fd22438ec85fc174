//! "Follow": after a fetch, poll LookupEvents for the events newer than the newest loaded one,
//! round after round, until told to stop or a call fails for good.
//!
//! A round asks for `[newest loaded second, now)`, oldest first, and pages through it (NextToken,
//! retries and the shared pacer as for every source: the app's one driver runs the round's
//! [`PagedRun`]). The start is the newest event's second *inclusive*: events of that second
//! that were not there yet at the last poll are not skipped, and those already loaded come back
//! and are dropped by EventId in the store. Reading oldest first means a round cut short (its
//! page cap, an error) leaves no hole: the next round starts from the newest event it loaded.
//! Between rounds the follower waits [`FOLLOW_INTERVAL_MS`], and not at all while the tab is
//! hidden ([`Visibility`]). A call the retry policy gives up on stops following; what was loaded
//! stays.
//!
//! Three bounds keep a round finite and the stream whole:
//! - A round capped at [`ROUND_PAGES`] is continued from its NextToken, not started again, so a
//!   second holding more events than a round reads (a burst) is read through, not re-read
//!   forever.
//! - Following never reads further back than [`CATCH_UP_MS`] before now: after a fetch of a
//!   range that ended long ago, or a tab hidden for a day, it starts an hour back and names the
//!   span it did not read ([`Follow::skipped`]), which a fetch of that range fills.
//! - The clouds make some events visible minutes after their own time (CloudTrail says "within
//!   about 5 minutes"; ActionTrail is similar). Every [`SWEEP_EVERY_MS`] a round starts
//!   [`LATE_MS`] + [`SWEEP_EVERY_MS`] back (a sweep), so an event that shows up at most
//!   [`LATE_MS`] late is still loaded; the events read again are dropped by EventId.
//!
//! Also here: where rows added while following land in the table's order, and whether they are
//! shown at once or held behind the "n new" button ([`show_at_once`]), so that the rows a user
//! is reading never move under them.

use crate::columns::ColumnId;
use crate::dialect::ApiError;
use crate::engine::Sort;
use crate::fetch_policy::{Direction, EventsRun, LookupQuery};
use crate::lookup::Condition;
use crate::paging::{PagedRun, Retry, RunEnd, Step};
use crate::schema::Column;
use crate::table_query::SortOrder;
use crate::wire::LookupEventsResponse;
use serde_json::value::RawValue;

/// The wait between the end of one round and the start of the next. LookupEvents allows 2 calls
/// a second for the account; a round every 5 s leaves most of that to other fetches and tabs
/// (every call still waits for the shared pacer's slot).
pub const FOLLOW_INTERVAL_MS: i64 = 5_000;

/// Pages one round reads at most (50 events each); a round that stops there is followed at
/// once by the next, from the newest event it loaded, so a long pause catches up in steps.
pub const ROUND_PAGES: usize = 20;

/// How far back following reads at most (ms before now): a tail that fell further behind (a
/// fetch of an old range, a tab hidden for long) starts here and the span before is named.
pub const CATCH_UP_MS: i64 = 60 * 60_000;

/// How late (ms after its own time) an event may become visible and still be loaded by a sweep.
pub const LATE_MS: i64 = 5 * 60_000;

/// The time between sweeps: rounds that start [`LATE_MS`] + this far back.
pub const SWEEP_EVERY_MS: i64 = 2 * 60_000;

/// How long after a capped round its NextToken is still used to go on (ms).
pub const CONTINUE_WITHIN_MS: i64 = 60_000;

fn second_of(ms: i64) -> i64 {
    ms.div_euclid(1000) * 1000
}

/// Whether the page is seen: a hidden tab does not poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Visible,
    Hidden,
}

/// What the follower does next, between rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Start a round now ([`Follow::begin_round`]).
    Poll,
    /// Wait this long (ms) and ask again.
    Wait(i64),
    /// The tab is hidden: wait for it to be shown.
    Paused,
    /// Following stopped: `Failed` (a call given up on) or `Cancelled`.
    Stopped(RunEnd),
}

/// The follower's state: the conditions of the fetch it follows, the newest event time seen,
/// the round running (if any) and how following ended.
#[derive(Debug, Clone)]
pub struct Follow {
    conditions: Vec<Condition>,
    /// The newest event time loaded (ms): the next round starts at its second.
    newest_ms: i64,
    round: Option<PagedRun<LookupQuery>>,
    /// When the last round ended (ms), or `None` before the first.
    last_end_ms: Option<i64>,
    /// Whether the last round stopped at its page cap with more to read (`round` then holds it,
    /// to be continued from its NextToken).
    more: bool,
    /// When the last sweep started (ms); `None` before the first round.
    last_sweep_ms: Option<i64>,
    /// The span (ms, `[from, to)`) the last round that had fallen behind did not read.
    skipped: Option<(i64, i64)>,
    /// Whether the round running newly skipped [`Follow::skipped`], not yet told.
    skipped_untold: bool,
    ended: Option<RunEnd>,
    /// Rounds started.
    pub rounds: usize,
    /// Events the rounds returned (already loaded ones included).
    pub received: usize,
}

impl Follow {
    /// Follow the events of `run`'s query from its newest loaded event (the end of its range when
    /// it loaded none).
    pub fn after(run: &EventsRun) -> Follow {
        let newest = run
            .loaded_span()
            .map_or(run.query.end_ms, |(_, newest)| newest);
        Follow::from(run.query.conditions.clone(), newest)
    }

    /// Follow `run`'s query again after an earlier follow that read up to `followed_to` (its
    /// [`Follow::newest_ms`]): from whichever is newer, so turning Follow off and on does not
    /// read again what it already loaded.
    pub fn resume(run: &EventsRun, followed_to: Option<i64>) -> Follow {
        let mut f = Follow::after(run);
        if let Some(t) = followed_to {
            f.newest_ms = f.newest_ms.max(t);
        }
        f
    }

    /// Follow the events matching `conditions` from `newest_ms` on.
    pub fn from(conditions: Vec<Condition>, newest_ms: i64) -> Follow {
        Follow {
            conditions,
            newest_ms,
            round: None,
            last_end_ms: None,
            more: false,
            last_sweep_ms: None,
            skipped: None,
            skipped_untold: false,
            ended: None,
            rounds: 0,
            received: 0,
        }
    }

    /// The newest event time seen (ms).
    pub fn newest_ms(&self) -> i64 {
        self.newest_ms
    }

    /// How following ended, if it did.
    pub fn ended(&self) -> Option<RunEnd> {
        self.ended
    }

    /// Between rounds, at `now_ms`: poll, wait, pause or stop.
    pub fn next(&self, now_ms: i64, visibility: Visibility) -> Next {
        if let Some(end) = self.ended {
            return Next::Stopped(end);
        }
        if visibility == Visibility::Hidden {
            return Next::Paused;
        }
        match self.last_end_ms {
            Some(_) if self.more => Next::Poll,
            Some(t) if now_ms < t + FOLLOW_INTERVAL_MS => {
                Next::Wait(t + FOLLOW_INTERVAL_MS - now_ms)
            }
            _ => Next::Poll,
        }
    }

    /// The span a round starting at `now_ms` leaves unread because the newest loaded event is
    /// more than [`CATCH_UP_MS`] old: `[newest, oldest read)`.
    fn behind(&self, now_ms: i64) -> Option<(i64, i64)> {
        let oldest = second_of(now_ms - CATCH_UP_MS);
        (second_of(self.newest_ms) < oldest).then_some((self.newest_ms, oldest))
    }

    /// Whether a round starting at `now_ms` is a sweep (the first round is not: it sets the
    /// clock the sweeps follow).
    fn sweep_due(&self, now_ms: i64) -> bool {
        self.last_sweep_ms
            .is_some_and(|s| now_ms - s >= SWEEP_EVERY_MS)
    }

    /// The query of a new round starting at `now_ms`, to now, oldest first (at least one second
    /// long: the API refuses an empty range). It starts at the newest event's second
    /// (inclusive), at most [`CATCH_UP_MS`] back; a sweep starts [`LATE_MS`] +
    /// [`SWEEP_EVERY_MS`] back when that is earlier.
    pub fn round_query(&self, now_ms: i64) -> LookupQuery {
        let tail = second_of(self.newest_ms).max(second_of(now_ms - CATCH_UP_MS));
        let start_ms = if self.sweep_due(now_ms) {
            tail.min(second_of(now_ms - LATE_MS - SWEEP_EVERY_MS))
        } else {
            tail
        };
        LookupQuery {
            start_ms,
            end_ms: now_ms.max(start_ms + 1000),
            direction: Direction::Forward,
            conditions: self.conditions.clone(),
        }
    }

    /// Start a round at `now_ms`: the last one continued from its NextToken when it stopped at
    /// its page cap, else a new one ([`Follow::round_query`]).
    pub fn begin_round(&mut self, now_ms: i64) {
        self.rounds += 1;
        // A NextToken kept for long (a tab hidden meanwhile) may have expired: a new round from
        // the newest loaded event reads the same events instead.
        let fresh = self
            .last_end_ms
            .is_some_and(|t| now_ms - t <= CONTINUE_WITHIN_MS);
        if self.more && fresh {
            if let Some(r) = self.round.take() {
                let cursor = r.cursor().cloned();
                self.round = Some(PagedRun::at(r.pager, cursor, 0).with_max_pages(ROUND_PAGES));
                return;
            }
        }
        self.more = false;
        if let Some(span) = self.behind(now_ms) {
            self.skipped = Some(span);
            self.skipped_untold = true;
            self.newest_ms = span.1;
        }
        let query = self.round_query(now_ms);
        if self.last_sweep_ms.is_none() || self.sweep_due(now_ms) {
            self.last_sweep_ms = Some(now_ms);
        }
        self.round = Some(PagedRun::new(query).with_max_pages(ROUND_PAGES));
    }

    /// The span (ms, `[from, to)`) following last left unread because it had fallen more than
    /// [`CATCH_UP_MS`] behind, if it did.
    pub fn skipped(&self) -> Option<(i64, i64)> {
        self.skipped
    }

    /// The driver's next step in the round: a call, or `Stop` when the round is over (read to its
    /// end or its page cap: `Complete` / `Capped`; `Failed`, `Cancelled`).
    pub fn step(&self) -> Step {
        if let Some(end) = self.ended {
            return Step::Stop(end);
        }
        match &self.round {
            Some(r) => r.step(),
            None => Step::Stop(RunEnd::Complete),
        }
    }

    /// A page of the round arrived: the events to add (the store drops those already loaded).
    /// Call [`Follow::note_times`] with their times afterwards.
    pub fn accept_page(&mut self, page: LookupEventsResponse) -> Vec<Box<RawValue>> {
        if let Some(r) = self.round.as_mut() {
            r.accept_page(&page);
        }
        self.received += page.events.len();
        page.events
    }

    /// The times of the events just added: the next round starts at the newest.
    pub fn note_times(&mut self, times: impl IntoIterator<Item = Option<i64>>) {
        for t in times.into_iter().flatten() {
            self.newest_ms = self.newest_ms.max(t);
        }
    }

    /// A call failed: retried as every fetch's (backoff, at most `MAX_RETRIES`), or following
    /// stops (`Failed`): the error is the user's to see.
    pub fn on_error(&mut self, e: &ApiError, salt: u64) -> Retry {
        let r = match self.round.as_mut() {
            Some(r) => r.on_error(e, salt),
            None => Retry::GiveUp,
        };
        if r == Retry::GiveUp {
            self.ended = Some(RunEnd::Failed);
        }
        r
    }

    /// The round the driver ran is over at `now_ms`: the span it left unread because following
    /// had fallen behind, the first time it is over (the user is told once).
    pub fn end_round(&mut self, now_ms: i64) -> Option<Skipped> {
        let end = self.step();
        self.more = end == Step::Stop(RunEnd::Capped);
        if let Step::Stop(e @ (RunEnd::Failed | RunEnd::Cancelled)) = end {
            self.ended = Some(e);
        }
        if !self.more {
            self.round = None;
        }
        self.last_end_ms = Some(now_ms);
        let untold = std::mem::take(&mut self.skipped_untold);
        self.skipped
            .filter(|_| untold)
            .map(|(from_ms, to_ms)| Skipped { from_ms, to_ms })
    }

    pub fn cancel(&mut self) {
        if self.ended.is_none() {
            self.ended = Some(RunEnd::Cancelled);
        }
        if let Some(r) = self.round.as_mut() {
            r.cancel();
        }
    }
}

/// A span following left unread (`[from_ms, to_ms)`) because it had fallen more than
/// [`CATCH_UP_MS`] behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skipped {
    pub from_ms: i64,
    pub to_ms: i64,
}

// The notice says "the last hour".
const _: () = assert!(CATCH_UP_MS == 60 * 60_000);

impl Skipped {
    /// What the user is told, with times written by `time` (in the app's time zone).
    pub fn notice(&self, time: impl Fn(i64) -> String) -> String {
        format!(
            "Following reads at most the last hour: events from {} to {} were not read. Fetch that range to fill it.",
            time(self.from_ms),
            time(self.to_ms)
        )
    }
}

/// The sort following sets when it starts, if any: a newest-first fetch shown in ingest order
/// is sorted by time, newest first, which keeps its rows where they are and puts the new ones
/// on top (in ingest order they would go last). A sort the user chose stays.
pub fn sort_on_start(fetched: Direction, sort: Option<&Sort>) -> Option<Sort> {
    (fetched == Direction::Backward && sort.is_none()).then_some(Sort {
        column: ColumnId::Builtin(Column::Time),
        order: SortOrder::Descending,
    })
}

/// Where rows added to the store land in the table's order under `sort`: ingest order (no
/// sort) and oldest first put them last, newest first puts them first, any other column
/// anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landing {
    Top,
    Bottom,
    Anywhere,
}

impl Landing {
    pub fn of(sort: Option<&Sort>) -> Landing {
        match sort {
            None => Landing::Bottom,
            Some(Sort {
                column: ColumnId::Builtin(Column::Time),
                order: SortOrder::Ascending,
            }) => Landing::Bottom,
            Some(Sort {
                column: ColumnId::Builtin(Column::Time),
                order: SortOrder::Descending,
            }) => Landing::Top,
            Some(_) => Landing::Anywhere,
        }
    }

    /// The page index to jump to for the new rows (`pages`: the number of pages once they are
    /// shown): the first page, or the last one when they land at the bottom.
    pub fn page(self, pages: usize) -> usize {
        match self {
            Landing::Bottom => pages.saturating_sub(1),
            Landing::Top | Landing::Anywhere => 0,
        }
    }
}

/// Where the user is in the table when new rows arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// The page shown (0-based) and the number of pages.
    pub page: usize,
    pub pages: usize,
    /// An event is selected (its row stays where the user put it).
    pub selected: bool,
}

/// Whether rows arriving while following are shown at once, or held behind "n new" until the
/// user asks for them: shown at once only where they disturb nothing the user reads. Rows
/// landing at the bottom go on the last page without moving a row above them, so they show
/// when the user is on the last page; rows landing on top would push every row down, so they
/// show only on the first page with no event selected (someone watching the stream, not
/// reading one event); rows landing anywhere (another sort) are always held. A user who is
/// reading elsewhere keeps their page, scroll position and selection exactly as they were.
pub fn show_at_once(landing: Landing, at: Reading) -> bool {
    match landing {
        Landing::Bottom => at.page + 1 >= at.pages,
        Landing::Top => at.page == 0 && !at.selected,
        Landing::Anywhere => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lookup::LookupKey;
    use std::collections::HashSet;

    /// A fake cloud: events by time (ms, whole seconds), answering LookupEvents for
    /// `[StartTime, EndTime)` oldest first, 50 a page with an index NextToken; `fail` makes the
    /// next calls fail with the given error.
    struct Cloud {
        events: Vec<(i64, String)>,
        fail: Vec<ApiError>,
        calls: usize,
    }

    fn param(req: &crate::paging::Request, k: &str) -> Option<String> {
        req.param(k)
    }

    impl Cloud {
        fn add(&mut self, t: i64) {
            let id = format!("e{}", self.events.len());
            self.events.push((t, id));
            self.events.sort_by_key(|e| e.0);
        }
        fn answer(
            &mut self,
            req: &crate::paging::Request,
        ) -> Result<LookupEventsResponse, Box<ApiError>> {
            self.calls += 1;
            if !self.fail.is_empty() {
                return Err(Box::new(self.fail.remove(0)));
            }
            let t = |k: &str| crate::time::parse_rfc3339_ms(&param(req, k).unwrap()).unwrap();
            let (s, e) = (t("StartTime"), t("EndTime"));
            assert!(e > s, "an empty range is refused");
            assert_eq!(param(req, "Direction").as_deref(), Some("FORWARD"));
            let from: usize = param(req, "NextToken").map_or(0, |t| t.parse().unwrap());
            let all: Vec<&(i64, String)> = self
                .events
                .iter()
                .filter(|(t, _)| *t >= s && *t < e)
                .collect();
            let page: Vec<String> = all
                .iter()
                .skip(from)
                .take(50)
                .map(|(t, id)| {
                    format!(
                        r#"{{"eventId":"{id}","eventTime":"{}"}}"#,
                        crate::time::format_api_time(*t)
                    )
                })
                .collect();
            let next = (from + 50 < all.len()).then(|| format!(r#","NextToken":"{}""#, from + 50));
            let body = format!(
                r#"{{"Events":[{}]{}}}"#,
                page.join(","),
                next.unwrap_or_default()
            );
            Ok(serde_json::from_str(&body).unwrap())
        }
    }

    /// The app's store, reduced: ids loaded, deduplicated.
    #[derive(Default)]
    struct Store {
        ids: Vec<String>,
        seen: HashSet<String>,
    }

    impl Store {
        /// Adds the events, returns their times.
        fn ingest(&mut self, events: &[Box<RawValue>]) -> Vec<Option<i64>> {
            events
                .iter()
                .map(|e| {
                    let v: serde_json::Value = serde_json::from_str(e.get()).unwrap();
                    let id = v["eventId"].as_str().unwrap().to_string();
                    if self.seen.insert(id.clone()) {
                        self.ids.push(id);
                    }
                    crate::time::parse_rfc3339_ms(v["eventTime"].as_str().unwrap())
                })
                .collect()
        }
    }

    /// Runs one round as the app's driver does (no retry waits).
    fn round(f: &mut Follow, cloud: &mut Cloud, store: &mut Store, now: i64) -> Option<Skipped> {
        f.begin_round(now);
        while let Step::Fetch(req) = f.step() {
            match cloud.answer(&req) {
                Ok(page) => {
                    let events = f.accept_page(page);
                    let times = store.ingest(&events);
                    f.note_times(times);
                }
                Err(e) => {
                    let _ = f.on_error(&e, 1);
                }
            }
        }
        f.end_round(now)
    }

    fn server_error(code: &str, status: u16) -> ApiError {
        let e = crate::dialect::AlibabaError::new(status, "X", "x").write("R");
        let mut e = crate::dialect::read_response::<serde_json::Value>(
            e.dialect,
            e.http_status,
            None,
            &e.body,
        )
        .unwrap_err();
        if let ApiError::Service(s) = &mut e {
            s.code = code.to_string();
        }
        e
    }

    #[test]
    fn rounds_load_every_new_event_once_with_no_gap() {
        // Events every few seconds, several in the same second, arriving as time passes.
        let mut cloud = Cloud {
            events: Vec::new(),
            fail: Vec::new(),
            calls: 0,
        };
        let t0 = 1_700_000_000_000;
        for i in 0..10 {
            cloud.add(t0 - 60_000 + i * 5_000);
        }
        let mut store = Store::default();
        // The initial fetch loaded everything up to t0.
        let initial: Vec<Box<RawValue>> = cloud
            .events
            .iter()
            .map(|(t, id)| {
                RawValue::from_string(format!(
                    r#"{{"eventId":"{id}","eventTime":"{}"}}"#,
                    crate::time::format_api_time(*t)
                ))
                .unwrap()
            })
            .collect();
        let times = store.ingest(&initial);
        let newest = times.iter().flatten().max().copied().unwrap();
        let mut f = Follow::from(Vec::new(), newest);
        let mut now = t0;
        let mut seed = 7u64;
        for _ in 0..60 {
            // 0..=3 new events in the seconds before now (some in the newest loaded second).
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let n = (seed >> 60) % 4;
            for k in 0..n {
                let back = ((seed >> (8 * k)) % 3) as i64 * 1000;
                let t = ((now - 1 - back).div_euclid(1000) * 1000)
                    .max(f.newest_ms().div_euclid(1000) * 1000);
                cloud.add(t);
            }
            // One more in the newest loaded second, which the last poll had already read.
            if seed.is_multiple_of(3) {
                cloud.add(f.newest_ms().div_euclid(1000) * 1000);
            }
            assert_eq!(f.next(now, Visibility::Visible), Next::Poll);
            round(&mut f, &mut cloud, &mut store, now);
            let wait = match f.next(now, Visibility::Visible) {
                Next::Wait(w) => w,
                other => panic!("{other:?}"),
            };
            assert_eq!(wait, FOLLOW_INTERVAL_MS);
            now += wait + 137;
        }
        // Every event of the cloud is loaded exactly once (a burst of 120 in one second too).
        for _ in 0..120 {
            cloud.add(now - 1000);
        }
        round(&mut f, &mut cloud, &mut store, now);
        let mut want: Vec<&String> = cloud.events.iter().map(|(_, id)| id).collect();
        let mut got: Vec<&String> = store.ids.iter().collect();
        want.sort();
        got.sort();
        assert_eq!(got, want);
        assert_eq!(f.ended(), None);
    }

    #[test]
    fn a_long_pause_catches_up_in_capped_rounds_without_waiting() {
        let mut cloud = Cloud {
            events: Vec::new(),
            fail: Vec::new(),
            calls: 0,
        };
        let t0 = 1_700_000_000_000;
        for i in 0..2_500 {
            cloud.add(t0 + i * 1000);
        }
        let mut store = Store::default();
        let mut f = Follow::from(Vec::new(), t0 - 1);
        let now = t0 + 3_000_000;
        assert_eq!(f.next(now, Visibility::Hidden), Next::Paused);
        round(&mut f, &mut cloud, &mut store, now);
        assert_eq!(store.ids.len(), ROUND_PAGES * 50);
        assert_eq!(f.next(now, Visibility::Visible), Next::Poll, "more to read");
        round(&mut f, &mut cloud, &mut store, now);
        round(&mut f, &mut cloud, &mut store, now);
        assert_eq!(store.ids.len(), 2_500);
        assert!(matches!(f.next(now, Visibility::Visible), Next::Wait(_)));
    }

    fn empty_cloud() -> Cloud {
        Cloud {
            events: Vec::new(),
            fail: Vec::new(),
            calls: 0,
        }
    }

    #[test]
    fn a_second_with_more_events_than_a_round_reads_is_read_through_once() {
        let mut cloud = empty_cloud();
        let t0 = 1_700_000_000_000;
        for _ in 0..1_230 {
            cloud.add(t0 + 1_000);
        }
        let mut store = Store::default();
        let mut f = Follow::from(Vec::new(), t0);
        let now = t0 + 5_000;
        round(&mut f, &mut cloud, &mut store, now);
        assert_eq!(store.ids.len(), ROUND_PAGES * 50);
        assert_eq!(f.next(now, Visibility::Visible), Next::Poll, "more to read");
        round(&mut f, &mut cloud, &mut store, now);
        assert_eq!(store.ids.len(), 1_230);
        // 25 pages in all: the second round went on from the first one's NextToken instead of
        // reading the same second again.
        assert_eq!(cloud.calls, 25);
        assert!(matches!(f.next(now, Visibility::Visible), Next::Wait(_)));

        // A capped round's token is not used an hour later (the tab was hidden): a new round
        // from the newest loaded second.
        for _ in 0..1_100 {
            cloud.add(t0 + 2_000);
        }
        round(&mut f, &mut cloud, &mut store, now);
        assert_eq!(f.next(now, Visibility::Visible), Next::Poll, "more to read");
        let later = now + 30 * 60_000;
        f.begin_round(later);
        let Step::Fetch(req) = f.step() else { panic!() };
        assert_eq!(
            req.param("NextToken"),
            None,
            "a new round, not the old token"
        );
    }

    #[test]
    fn after_an_old_range_it_reads_the_last_hour_and_names_the_span_it_skipped() {
        let mut cloud = empty_cloud();
        let t0 = 1_700_000_000_000;
        let day = 86_400_000;
        for m in 0..24 * 60 {
            cloud.add(t0 + m * 60_000 + 500);
        }
        let mut store = Store::default();
        let mut f = Follow::from(Vec::new(), t0);
        let now = t0 + day;
        let mut told = Vec::new();
        while matches!(f.next(now, Visibility::Visible), Next::Poll) {
            told.extend(round(&mut f, &mut cloud, &mut store, now));
        }
        assert_eq!(store.ids.len(), 60, "one event a minute over the last hour");
        assert_eq!(f.skipped(), Some((t0, now - CATCH_UP_MS)));
        // Told once, with the span's times.
        let span = Skipped {
            from_ms: t0,
            to_ms: now - CATCH_UP_MS,
        };
        assert_eq!(told, [span]);
        assert_eq!(
            span.notice(|t| format!("<{}>", (t - t0) / 60_000)),
            "Following reads at most the last hour: events from <0> to <1380> were not read. Fetch that range to fill it."
        );
        f.begin_round(now + 5_000);
        assert_eq!(f.end_round(now + 5_000), None, "not told again");
        assert_eq!(f.newest_ms(), now - 60_000, "API times are whole seconds");
        // Caught up: the next round reads from the newest event on.
        assert_eq!(f.round_query(now + 5_000).start_ms, now - 60_000);
    }

    #[test]
    fn a_sweep_loads_an_event_that_became_visible_minutes_after_its_time() {
        let mut cloud = empty_cloud();
        let t0 = 1_700_000_000_000;
        let mut store = Store::default();
        let mut f = Follow::from(Vec::new(), t0);
        let mut now = t0;
        let late_id;
        // Three minutes in, an event dated two minutes ago shows up (ActionTrail and CloudTrail
        // both publish some events minutes late); the tail rounds start after it.
        loop {
            if now >= t0 + 180_000 {
                cloud.add(now - 120_000);
                late_id = cloud
                    .events
                    .iter()
                    .find(|e| e.0 == now - 120_000)
                    .unwrap()
                    .1
                    .clone();
                break;
            }
            cloud.add(now - 700);
            round(&mut f, &mut cloud, &mut store, now);
            now += FOLLOW_INTERVAL_MS;
        }
        let appeared = now;
        while !store.ids.contains(&late_id) {
            round(&mut f, &mut cloud, &mut store, now);
            now += FOLLOW_INTERVAL_MS;
            assert!(
                now - appeared <= SWEEP_EVERY_MS + FOLLOW_INTERVAL_MS,
                "loaded by the next sweep"
            );
        }
        // Sweeps aside, a round starts at the newest loaded second.
        let mut want: Vec<&String> = cloud.events.iter().map(|(_, id)| id).collect();
        let mut got: Vec<&String> = store.ids.iter().collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "every event once");
    }

    #[test]
    fn a_newest_first_fetch_in_ingest_order_is_sorted_newest_first_when_following_starts() {
        let newest_first = Sort {
            column: ColumnId::Builtin(Column::Time),
            order: SortOrder::Descending,
        };
        assert_eq!(
            sort_on_start(Direction::Backward, None),
            Some(newest_first.clone())
        );
        assert_eq!(sort_on_start(Direction::Forward, None), None);
        let by_user = Sort {
            column: ColumnId::Builtin(Column::User),
            order: SortOrder::Ascending,
        };
        assert_eq!(sort_on_start(Direction::Backward, Some(&by_user)), None);
    }

    #[test]
    fn stops_on_an_error_it_does_not_retry_and_keeps_what_was_loaded() {
        let mut cloud = Cloud {
            events: Vec::new(),
            fail: Vec::new(),
            calls: 0,
        };
        let t0 = 1_700_000_000_000;
        let mut store = Store::default();
        let mut f = Follow::from(Vec::new(), t0);
        cloud.add(t0 + 2_000);
        round(&mut f, &mut cloud, &mut store, t0 + 5_000);
        assert_eq!(store.ids.len(), 1);
        // A throttled call is retried and following goes on.
        cloud.add(t0 + 6_000);
        cloud.fail.push(server_error("Throttling.User", 400));
        round(&mut f, &mut cloud, &mut store, t0 + 11_000);
        assert_eq!(store.ids.len(), 2);
        assert_eq!(f.ended(), None);
        // Access denied is not retried: following stops, the two events stay.
        cloud.add(t0 + 12_000);
        cloud.fail.push(server_error("NoPermission", 403));
        let calls = cloud.calls;
        round(&mut f, &mut cloud, &mut store, t0 + 17_000);
        assert_eq!(cloud.calls, calls + 1, "one call, no retry");
        assert_eq!(f.ended(), Some(RunEnd::Failed));
        assert_eq!(
            f.next(t0 + 60_000, Visibility::Visible),
            Next::Stopped(RunEnd::Failed)
        );
        assert_eq!(store.ids.len(), 2);
    }

    #[test]
    fn round_query_starts_at_the_newest_second_and_is_never_empty() {
        let conditions = vec![Condition {
            key: LookupKey::EventRw,
            value: "Write".into(),
        }];
        let f = Follow::from(conditions.clone(), 1_700_000_000_750);
        let q = f.round_query(1_700_000_004_200);
        assert_eq!(
            (q.start_ms, q.end_ms),
            (1_700_000_000_000, 1_700_000_004_200)
        );
        assert_eq!(q.direction, Direction::Forward);
        assert_eq!(q.conditions, conditions);
        let q = f.round_query(1_700_000_000_900);
        assert_eq!(q.end_ms, 1_700_000_001_000);
    }

    #[test]
    fn follows_from_the_newest_loaded_event_of_a_run() {
        let q = LookupQuery {
            start_ms: 0,
            end_ms: 3_600_000,
            direction: Direction::Backward,
            conditions: Vec::new(),
        };
        let mut run = EventsRun::new(q, 100);
        assert_eq!(Follow::after(&run).newest_ms(), 3_600_000);
        run.note_times([Some(1_000), Some(2_000_000), None]);
        assert_eq!(Follow::after(&run).newest_ms(), 2_000_000);
        // Off and on again: from where the last follow got to, never back.
        assert_eq!(Follow::resume(&run, Some(3_000_000)).newest_ms(), 3_000_000);
        assert_eq!(Follow::resume(&run, Some(5)).newest_ms(), 2_000_000);
        assert_eq!(Follow::resume(&run, None).newest_ms(), 2_000_000);
    }

    #[test]
    fn cancel_stops() {
        let mut f = Follow::from(Vec::new(), 0);
        f.begin_round(5_000);
        f.cancel();
        assert_eq!(f.step(), Step::Stop(RunEnd::Cancelled));
        f.end_round(5_000);
        assert_eq!(
            f.next(9_000, Visibility::Visible),
            Next::Stopped(RunEnd::Cancelled)
        );
    }

    #[test]
    fn new_rows_show_at_once_only_where_they_move_nothing() {
        use crate::engine::Sort;
        let time = |order| Sort {
            column: ColumnId::Builtin(Column::Time),
            order,
        };
        let newest_first = time(SortOrder::Descending);
        assert_eq!(Landing::of(None), Landing::Bottom);
        assert_eq!(
            Landing::of(Some(&time(SortOrder::Ascending))),
            Landing::Bottom
        );
        assert_eq!(Landing::of(Some(&newest_first)), Landing::Top);
        let by_user = Sort {
            column: ColumnId::Builtin(Column::User),
            order: SortOrder::Ascending,
        };
        assert_eq!(Landing::of(Some(&by_user)), Landing::Anywhere);
        let at = |page, pages, selected| Reading {
            page,
            pages,
            selected,
        };
        // Newest first: only someone on the first page, nothing selected, sees them at once.
        assert!(show_at_once(Landing::Top, at(0, 5, false)));
        assert!(!show_at_once(Landing::Top, at(0, 5, true)));
        assert!(!show_at_once(Landing::Top, at(2, 5, false)));
        // At the bottom: on the last page (or the only one).
        assert!(show_at_once(Landing::Bottom, at(4, 5, true)));
        assert!(show_at_once(Landing::Bottom, at(0, 1, false)));
        assert!(!show_at_once(Landing::Bottom, at(3, 5, false)));
        assert!(!show_at_once(Landing::Anywhere, at(0, 1, false)));
        // Jumping to them.
        assert_eq!(Landing::Top.page(7), 0);
        assert_eq!(Landing::Bottom.page(7), 6);
        assert_eq!(Landing::Bottom.page(0), 0);
    }
}
