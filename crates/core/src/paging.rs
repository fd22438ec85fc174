//! The paged-source runtime's decisions, for every source: what to request next (by NextToken,
//! by PageNumber, or one call), when to stop (last page, runaway cap, cancel, failure), how to
//! retry (backoff, at most [`MAX_RETRIES`]) and how fast to call (a [`Pacer`] per operation, from
//! the catalogue's rate limit). Pure: the app's one async driver asks [`PagedRun::step`],
//! performs the call, and reports back with `accept_page` / `on_error`.

use crate::catalogue::{Call, Operation};
use crate::dialect::{ApiError, Dialect};

/// Retries of one call before giving up (throttling, 5xx, network).
pub const MAX_RETRIES: u32 = 5;
/// Pages one run reads at most (a runaway guard: 100 pages of 100 jobs).
pub const MAX_PAGES: usize = 100;

/// One call's parameters, in its API's wire dialect.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Alibaba RPC: query-string parameters (without `Action` and `Version`, which the client
    /// adds from the catalogue).
    Query(Vec<(String, String)>),
    /// AWS JSON 1.1: the body (the client adds `X-Amz-Target` from the catalogue).
    Json(serde_json::Value),
}

impl Request {
    /// Whether this request can be sent in `dialect`.
    pub fn fits(&self, dialect: Dialect) -> bool {
        matches!(
            (self, dialect),
            (Request::Query(_), Dialect::AlibabaRpc) | (Request::Json(_), Dialect::AwsJson)
        )
    }

    /// A query parameter's value (RPC), or a top-level string or number field (JSON).
    pub fn param(&self, key: &str) -> Option<String> {
        match self {
            Request::Query(p) => p.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()),
            Request::Json(v) => match v.get(key)? {
                serde_json::Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            },
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Every page was read.
    Complete,
    /// The cap was reached and more pages exist.
    Capped,
    Cancelled,
    Failed,
}

/// What the driver does next. `R` is the source's request: an API call's [`Request`], or
/// another wire's (a bucket listing's `ListObjectsRequest`).
#[derive(Debug, Clone, PartialEq)]
pub enum Step<R = Request> {
    /// Make the call with this request.
    Fetch(R),
    Stop(RunEnd),
}

/// What to do after a failed call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Retry {
    /// Wait this long, then make the same call again.
    After {
        delay_ms: u32,
        attempt: u32,
    },
    GiveUp,
}

/// How a run treats a failed call that is worth retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    /// Back off and retry, at most [`MAX_RETRIES`] times (a user waits for this answer).
    Backoff,
    /// Give up at once: a poll tries again on its next round, so one failing call does not
    /// hold up the others.
    NextRound,
}

/// Why a call is retried: throttling backs off from a longer first wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Throttling,
    Failure,
}

impl Cause {
    pub fn of(e: &ApiError) -> Cause {
        if e.is_throttling() {
            Cause::Throttling
        } else {
            Cause::Failure
        }
    }
}

/// Backoff before retry number `attempt` (1-based): exponential from 1 s (2 s when throttled),
/// capped at 16 s, with a deterministic jitter from `salt` of up to +25% so many tabs spread out.
pub fn backoff_ms(attempt: u32, cause: Cause, salt: u64) -> u32 {
    let base: u64 = match cause {
        Cause::Throttling => 2000,
        Cause::Failure => 1000,
    };
    let exp = base
        .saturating_mul(1 << attempt.saturating_sub(1).min(5))
        .min(16_000);
    let jitter = (salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % (exp / 4 + 1);
    (exp + jitter) as u32
}

/// The longest wait a server's retry-after imposes on one retry: a throttled answer asking for
/// more is retried after this long (and is throttled again, or not), rather than leaving the
/// run silent for longer.
pub const MAX_SERVER_DELAY_MS: u32 = 60_000;

/// The wait before retry number `attempt` (1-based) after `e`: the longer of our own
/// [`backoff_ms`] and the wait the server asked for ([`ApiError::retry_after_secs`], capped at
/// [`MAX_SERVER_DELAY_MS`]).
pub fn retry_delay_ms(attempt: u32, e: &ApiError, salt: u64) -> u32 {
    let own = backoff_ms(attempt, Cause::of(e), salt);
    let server = e.retry_after_secs().map_or(0, |s| {
        (u64::from(s) * 1000).min(u64::from(MAX_SERVER_DELAY_MS)) as u32
    });
    own.max(server)
}

/// The retry policy's state for one call: how many retries this call has had, and in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempts {
    attempt: u32,
    retries: u32,
}

impl Attempts {
    /// A call failed: retry after a backoff, or the server's retry-after when longer
    /// ([`retry_delay_ms`]; `salt` spreads many tabs), or give up (the error is not worth
    /// retrying, or the call had [`MAX_RETRIES`] already).
    pub fn on_error(&mut self, e: &ApiError, salt: u64) -> Retry {
        if e.is_retryable() && self.attempt < MAX_RETRIES {
            self.attempt += 1;
            self.retries += 1;
            Retry::After {
                delay_ms: retry_delay_ms(self.attempt, e, salt),
                attempt: self.attempt,
            }
        } else {
            Retry::GiveUp
        }
    }

    /// A call succeeded: the next one starts with a full set of retries.
    pub fn succeeded(&mut self) {
        self.attempt = 0;
    }

    /// Retries made in all.
    pub fn retries(&self) -> u32 {
        self.retries
    }
}

/// Milliseconds to wait before starting the next call, given when the previous one started.
pub fn pace_wait_ms(last_start_ms: Option<f64>, now_ms: f64, min_interval_ms: f64) -> f64 {
    match last_start_ms {
        Some(last) => (last + min_interval_ms - now_ms).max(0.0),
        None => 0.0,
    }
}

/// Keeps one operation's calls under its rate limit ([`Operation::min_interval_ms`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacer {
    interval_ms: f64,
    last_start_ms: Option<f64>,
}

impl Pacer {
    pub fn new(operation: &Operation) -> Pacer {
        Pacer {
            interval_ms: operation.min_interval_ms(),
            last_start_ms: None,
        }
    }

    /// How long to wait at `now_ms` before the next call may start.
    pub fn wait_ms(&self, now_ms: f64) -> f64 {
        pace_wait_ms(self.last_start_ms, now_ms, self.interval_ms)
    }

    /// A call started at `now_ms`.
    pub fn started(&mut self, now_ms: f64) {
        self.last_start_ms = Some(now_ms);
    }
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// NextToken / nextToken from the previous page.
    Token(String),
    /// A 1-based PageNumber.
    Page(u32),
}

impl Cursor {
    /// A token cursor, unless the service sent none (or an empty one): the last page.
    pub fn token(t: Option<&str>) -> Option<Cursor> {
        t.filter(|t| !t.is_empty())
            .map(|t| Cursor::Token(t.to_string()))
    }
}

/// How one source pages through one operation.
pub trait Pager {
    type Call: Call;
    /// The request for the page at `at` (`None`: the first page).
    fn request(&self, at: Option<&Cursor>) -> Request;
    /// Where the page after `response` starts, or `None` when it was the last. `page` is the
    /// 1-based number of the page `response` is.
    fn next(&self, response: &<Self::Call as Call>::Response, page: usize) -> Option<Cursor>;
}

/// One call, not paged (DescribeCdnDeliverList, GetDeliveryHistoryJob, CreateDeliveryHistoryJob).
#[derive(Debug, Clone, PartialEq)]
pub struct Single<C> {
    request: Request,
    call: std::marker::PhantomData<C>,
}

impl<C: Call> Single<C> {
    pub fn new(request: Request) -> Single<C> {
        Single {
            request,
            call: std::marker::PhantomData,
        }
    }
}

impl<C: Call> Pager for Single<C> {
    type Call = C;
    fn request(&self, _at: Option<&Cursor>) -> Request {
        self.request.clone()
    }
    fn next(&self, _response: &C::Response, _page: usize) -> Option<Cursor> {
        None
    }
}

/// One run of a paged source: where paging is, how many pages were read, the retry state and
/// how it ended. Stops after the last page, at [`MAX_PAGES`], on cancel or on a failure that is
/// not retried.
#[derive(Debug, Clone)]
pub struct PagedRun<P> {
    pub pager: P,
    cursor: Option<Cursor>,
    pages: usize,
    max_pages: usize,
    attempts: Attempts,
    policy: RetryPolicy,
    end: Option<RunEnd>,
}

impl<P: Pager> PagedRun<P> {
    /// A run that backs off and retries a failed call ([`RetryPolicy::Backoff`]).
    pub fn new(pager: P) -> PagedRun<P> {
        PagedRun::with_policy(pager, RetryPolicy::Backoff)
    }

    pub fn with_policy(pager: P, policy: RetryPolicy) -> PagedRun<P> {
        PagedRun {
            pager,
            cursor: None,
            pages: 0,
            max_pages: MAX_PAGES,
            attempts: Attempts::default(),
            policy,
            end: None,
        }
    }

    /// A run continued from a saved position: `pages` read, the next page at `cursor` (`None`
    /// with `pages > 0`: the last page was read).
    pub fn at(pager: P, cursor: Option<Cursor>, pages: usize) -> PagedRun<P> {
        let mut run = PagedRun::new(pager);
        run.cursor = cursor;
        run.pages = pages;
        run
    }

    /// Where the next page starts (`None`: the first page, or none after the last).
    pub fn cursor(&self) -> Option<&Cursor> {
        self.cursor.as_ref()
    }

    /// Read up to `max_pages` pages instead of [`MAX_PAGES`] (a source with its own cap, such
    /// as the events fetch's cap on events, lifts the runaway guard with `usize::MAX`).
    pub fn with_max_pages(mut self, max_pages: usize) -> PagedRun<P> {
        self.max_pages = max_pages;
        self
    }

    pub fn step(&self) -> Step {
        if let Some(end) = self.end {
            return Step::Stop(end);
        }
        if self.pages > 0 && self.cursor.is_none() {
            return Step::Stop(RunEnd::Complete);
        }
        if self.pages >= self.max_pages {
            return Step::Stop(RunEnd::Capped);
        }
        Step::Fetch(self.pager.request(self.cursor.as_ref()))
    }

    /// A page arrived.
    pub fn accept_page(&mut self, response: &<P::Call as Call>::Response) {
        self.attempts.succeeded();
        self.pages += 1;
        self.cursor = self.pager.next(response, self.pages);
    }

    pub fn on_error(&mut self, e: &ApiError, salt: u64) -> Retry {
        let r = match self.policy {
            RetryPolicy::Backoff => self.attempts.on_error(e, salt),
            RetryPolicy::NextRound => Retry::GiveUp,
        };
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

    /// Pages read so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Whether the service said there is a page after the last one read.
    pub fn has_next(&self) -> bool {
        self.cursor.is_some()
    }

    /// How the run ended, if it was stopped (cancel, failure); reading the last page is not an
    /// end here, [`PagedRun::step`] says `Complete` then.
    pub fn stopped(&self) -> Option<RunEnd> {
        self.end
    }

    /// Continue a run that was stopped (cancelled or failed) from where paging is, with a full
    /// set of retries for the next call.
    pub fn resume(&mut self) {
        self.end = None;
        self.attempts.succeeded();
    }

    pub fn retries(&self) -> u32 {
        self.attempts.retries()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue;

    #[test]
    fn pacing_keeps_under_each_limit() {
        assert_eq!(pace_wait_ms(None, 1000.0, 550.0), 0.0);
        assert_eq!(pace_wait_ms(Some(1000.0), 1200.0, 550.0), 350.0);
        assert_eq!(pace_wait_ms(Some(1000.0), 2000.0, 550.0), 0.0);
        for op in catalogue::OPERATIONS {
            let mut p = Pacer::new(op);
            assert_eq!(p.wait_ms(0.0), 0.0, "the first call waits for nothing");
            // Back-to-back calls: any limit+1 consecutive starts span more than one second.
            let mut t = 0.0;
            let mut starts = Vec::new();
            for _ in 0..=op.limit.per_second() {
                t += p.wait_ms(t);
                p.started(t);
                starts.push(t);
            }
            assert!(starts.last().unwrap() - starts[0] > 1000.0, "{}", op.name);
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!((1000..=1250).contains(&backoff_ms(1, Cause::Failure, 7)));
        assert!((2000..=2500).contains(&backoff_ms(1, Cause::Throttling, 7)));
        assert!((4000..=5000).contains(&backoff_ms(3, Cause::Failure, 7)));
        assert!(backoff_ms(30, Cause::Throttling, 99) <= 20_000);
    }

    fn throttled(retry_after: Option<&str>, standard: Option<&str>) -> ApiError {
        let e = crate::dialect::AlibabaError::throttled(1).write("REQ-T");
        let read = crate::dialect::read_response::<serde_json::Value>(
            e.dialect,
            e.http_status,
            None,
            &e.body,
        );
        read.unwrap_err()
            .with_retry_after(crate::dialect::retry_after_secs(retry_after, standard))
    }

    #[test]
    fn a_servers_retry_after_sizes_the_backoff_when_longer() {
        // Without one: our own backoff (2 s from the first throttled retry).
        let own = retry_delay_ms(1, &throttled(None, None), 7);
        assert_eq!(own, backoff_ms(1, Cause::Throttling, 7));
        // Longer than ours: the server's, from either header.
        assert_eq!(retry_delay_ms(1, &throttled(Some("9"), None), 7), 9_000);
        assert_eq!(retry_delay_ms(1, &throttled(None, Some("9")), 7), 9_000);
        assert_eq!(
            retry_delay_ms(1, &throttled(Some("4"), Some("9")), 7),
            9_000
        );
        // Shorter than ours: ours (a late attempt backs off further than a "1").
        let late = backoff_ms(4, Cause::Throttling, 7);
        assert!(late > 10_000);
        assert_eq!(retry_delay_ms(4, &throttled(Some("1"), None), 7), late);
        // Capped: a server asking for an hour waits a minute.
        assert_eq!(
            retry_delay_ms(1, &throttled(Some("3600"), None), 7),
            MAX_SERVER_DELAY_MS
        );
        // The retry policy uses it, attempt by attempt.
        let mut a = Attempts::default();
        assert_eq!(
            a.on_error(&throttled(Some("30"), None), 7),
            Retry::After {
                delay_ms: 30_000,
                attempt: 1
            }
        );
        // Only a service's answer carries it: a network error has no server to ask.
        let net = ApiError::Network("down".into()).with_retry_after(Some(30));
        assert_eq!(net.retry_after_secs(), None);
        assert!(retry_delay_ms(1, &net, 7) <= 1250);
    }

    #[test]
    fn attempts_retry_what_is_worth_it_then_give_up() {
        let mut a = Attempts::default();
        let net = ApiError::Network("down".into());
        for n in 1..=MAX_RETRIES {
            assert!(matches!(a.on_error(&net, 7), Retry::After { attempt, .. } if attempt == n));
        }
        assert_eq!(a.on_error(&net, 7), Retry::GiveUp);
        a.succeeded();
        assert!(matches!(
            a.on_error(&net, 7),
            Retry::After { attempt: 1, .. }
        ));
        assert_eq!(a.retries(), MAX_RETRIES + 1);
        let refused = ApiError::Refused("csp".into());
        assert_eq!(Attempts::default().on_error(&refused, 1), Retry::GiveUp);
    }

    /// Pages of `n` numbers by token, `size` a page.
    struct Numbers {
        n: usize,
        size: usize,
    }
    impl Pager for Numbers {
        type Call = catalogue::DescribeExportTasks;
        fn request(&self, at: Option<&Cursor>) -> Request {
            let mut body = serde_json::json!({ "limit": self.size });
            if let Some(Cursor::Token(t)) = at {
                body["nextToken"] = serde_json::json!(t);
            }
            Request::Json(body)
        }
        fn next(
            &self,
            r: &crate::wire::DescribeExportTasksResponse,
            _page: usize,
        ) -> Option<Cursor> {
            Cursor::token(r.next_token.as_deref())
        }
    }

    fn serve(run: &mut PagedRun<Numbers>) -> RunEnd {
        loop {
            match run.step() {
                Step::Stop(end) => return end,
                Step::Fetch(req) => {
                    let from: usize = req.param("nextToken").map_or(0, |t| t.parse().unwrap());
                    let to = (from + run.pager.size).min(run.pager.n);
                    let resp = crate::wire::DescribeExportTasksResponse {
                        export_tasks: Vec::new(),
                        next_token: (to < run.pager.n).then(|| to.to_string()),
                    };
                    run.accept_page(&resp);
                }
            }
        }
    }

    #[test]
    fn a_run_reads_every_page_then_stops() {
        let mut run = PagedRun::new(Numbers { n: 120, size: 50 });
        assert_eq!(serve(&mut run), RunEnd::Complete);
        assert_eq!(run.pages(), 3);
        let mut run = PagedRun::new(Numbers { n: 0, size: 50 });
        assert_eq!(serve(&mut run), RunEnd::Complete);
        assert_eq!(run.pages(), 1, "an empty source is one call");
    }

    #[test]
    fn a_runaway_source_is_capped() {
        let mut run = PagedRun::new(Numbers {
            n: 1_000_000,
            size: 50,
        });
        assert_eq!(serve(&mut run), RunEnd::Capped);
        assert_eq!(run.pages(), MAX_PAGES);
        // Exactly MAX_PAGES pages is complete, not capped.
        let mut run = PagedRun::new(Numbers {
            n: MAX_PAGES * 50,
            size: 50,
        });
        assert_eq!(serve(&mut run), RunEnd::Complete);
    }

    #[test]
    fn failures_and_cancel_stop_a_run() {
        let mut run = PagedRun::new(Numbers { n: 10, size: 5 });
        let net = ApiError::Network("down".into());
        for _ in 0..MAX_RETRIES {
            assert!(matches!(run.on_error(&net, 1), Retry::After { .. }));
            assert!(
                matches!(run.step(), Step::Fetch(_)),
                "retries the same call"
            );
        }
        assert_eq!(run.on_error(&net, 1), Retry::GiveUp);
        assert_eq!(run.step(), Step::Stop(RunEnd::Failed));
        assert_eq!(run.retries(), MAX_RETRIES);
        let mut run = PagedRun::new(Numbers { n: 10, size: 5 });
        run.cancel();
        assert_eq!(run.step(), Step::Stop(RunEnd::Cancelled));
    }

    #[test]
    fn a_poll_gives_up_at_once_for_its_next_round() {
        let req = Request::Query(vec![("JobId".into(), "7".into())]);
        let mut run = PagedRun::with_policy(
            Single::<catalogue::GetDeliveryHistoryJob>::new(req),
            RetryPolicy::NextRound,
        );
        let server = ApiError::Network("down".into());
        assert!(server.is_retryable());
        assert_eq!(run.on_error(&server, 1), Retry::GiveUp, "no backoff");
        assert_eq!(run.step(), Step::Stop(RunEnd::Failed));
        assert_eq!(run.retries(), 0);
    }

    #[test]
    fn a_single_call_is_one_page() {
        let req = Request::Query(vec![("JobId".into(), "7".into())]);
        let mut run = PagedRun::new(Single::<catalogue::CreateDeliveryHistoryJob>::new(
            req.clone(),
        ));
        assert_eq!(run.step(), Step::Fetch(req));
        run.accept_page(&serde_json::from_str("{}").unwrap());
        assert_eq!(run.step(), Step::Stop(RunEnd::Complete));
        assert!(Request::Query(vec![]).fits(Dialect::AlibabaRpc));
        assert!(!Request::Json(serde_json::json!({})).fits(Dialect::AlibabaRpc));
    }
}
