//! The one async driver every source runs on (events and each job source alike): it asks the
//! source's core state machine what to do (`trailview_core::paging`), waits for the operation's
//! pacer slot, makes the call, feeds the answer back, backs off when told to retry (saying so),
//! and stops when told to stop. One cancel model: a [`Runner`] per source hands out a [`Ticket`]
//! per run; starting a new run or cancelling aborts the request in flight and makes every older
//! ticket stale, so a late answer is dropped.

use crate::api::{self, ApiClient};
use gloo_timers::future::sleep;
use leptos::prelude::*;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;
use trailview_core::catalogue::{Call, Operation};
use trailview_core::dialect::ApiError;
use trailview_core::lenient::Parsed;
use trailview_core::paging::{
    Pacer, PagedRun, Request, Retry, RetryPolicy, RunEnd, Single, Step, MAX_RETRIES,
};
use web_sys::{AbortController, AbortSignal};

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[derive(Default)]
struct Slot {
    generation: u64,
    abort: Option<AbortController>,
}

/// Runs one source: at most one live run at a time.
#[derive(Clone, Default)]
pub struct Runner(Rc<RefCell<Slot>>);

impl Runner {
    /// A ticket for a new run; the previous run's request is aborted and its ticket goes stale.
    pub fn start(&self) -> Ticket {
        let mut s = self.0.borrow_mut();
        if let Some(c) = s.abort.take() {
            c.abort();
        }
        s.generation += 1;
        let c = AbortController::new().ok();
        let signal = c.as_ref().map(|c| c.signal());
        s.abort = c;
        Ticket {
            runner: self.clone(),
            generation: s.generation,
            signal,
        }
    }

    /// Stop the running run: its request is aborted and its answers are dropped.
    pub fn cancel(&self) {
        let mut s = self.0.borrow_mut();
        if let Some(c) = s.abort.take() {
            c.abort();
        }
        s.generation += 1;
    }
}

/// One run's right to touch its source's state: live until the runner starts another or cancels.
pub struct Ticket {
    runner: Runner,
    generation: u64,
    signal: Option<AbortSignal>,
}

impl Ticket {
    pub fn live(&self) -> bool {
        self.runner.0.borrow().generation == self.generation
    }

    pub fn signal(&self) -> Option<&AbortSignal> {
        self.signal.as_ref()
    }
}

thread_local! {
    /// One pacer per operation, shared by every run that calls it (rate limits are per account
    /// and operation, not per run).
    static PACERS: RefCell<Vec<(&'static Operation, Pacer)>> = const { RefCell::new(Vec::new()) };
}

/// Waits until `op` may be called again, and takes the slot; `false` (and no slot taken) when
/// `ticket` went stale first, so a stale run never delays the live one.
async fn wait_turn(op: &'static Operation, ticket: &Ticket) -> bool {
    loop {
        if !ticket.live() {
            return false;
        }
        let wait = PACERS.with(|p| {
            let mut p = p.borrow_mut();
            let i = match p.iter().position(|(o, _)| *o == op) {
                Some(i) => i,
                None => {
                    p.push((op, Pacer::new(op)));
                    p.len() - 1
                }
            };
            let now = now_ms();
            let wait = p[i].1.wait_ms(now);
            if wait <= 0.0 {
                p[i].1.started(now);
            }
            wait
        });
        if wait <= 0.0 {
            return true;
        }
        sleep(Duration::from_millis(wait.ceil() as u64)).await;
    }
}

/// A source as the driver sees it: its state machine behind `step` / `accept` / `on_error`, how
/// one call is made, and what it shows while retrying or after giving up. The catalogue's API
/// sources implement [`Driven`] instead, which makes the call with [`api::call`]; a source on
/// another wire (a bucket's listings) implements this directly. (`async fn` here: the app is
/// single-threaded, no caller needs the future to be `Send`.)
#[allow(async_fn_in_trait)]
pub trait Source {
    type Request;
    type Response;
    /// The operation whose pacer the calls wait for.
    fn operation(&self) -> &'static Operation;
    /// The next thing to do (from the source's core state machine).
    fn step(&self) -> Step<Self::Request>;
    /// Make one call (abortable by `signal`).
    async fn perform(
        &self,
        client: &ApiClient,
        request: &Self::Request,
        signal: Option<&AbortSignal>,
    ) -> Result<Self::Response, ApiError>;
    /// How long the machine wants to wait before its next call (an `Incomplete` re-asked, a
    /// poll interval); the driver waits, the ticket checked every quarter second.
    fn delay_ms(&self) -> u32 {
        0
    }
    /// An answer arrived.
    fn accept(&self, response: Self::Response);
    /// A call failed: the machine decides (`salt` spreads the backoff of many tabs).
    fn on_error(&self, e: &ApiError, salt: u64) -> Retry;
    /// Where its retry notice and the error it gave up on are shown. Required (no default): a
    /// source that shows neither says `None` and overrides [`Source::gave_up`], so no source
    /// drops its error by forgetting this.
    fn shown(&self) -> Option<Shown>;
    /// About to wait `delay_ms` before retry `attempt`: the notice says so.
    fn retrying(&self, e: &ApiError, delay_ms: u32, attempt: u32) {
        if let Some(s) = self.shown() {
            s.retrying(e, delay_ms, attempt);
        }
    }
    /// Called every quarter second or so while backing off.
    fn waiting(&self) {}
    /// The machine gave up on `e` (its next step is a stop): the error is shown.
    fn gave_up(&self, e: ApiError) {
        if let Some(s) = self.shown() {
            s.gave_up(e);
        }
    }
}

/// Where a source shows what the driver is doing about its errors: a notice line (retrying)
/// and an error slot (given up).
#[derive(Clone, Copy)]
pub struct Shown {
    pub notice: RwSignal<Option<String>>,
    pub error: RwSignal<Option<ApiError>>,
}

impl Shown {
    pub fn retrying(self, e: &ApiError, delay_ms: u32, attempt: u32) {
        self.notice.set(Some(retry_notice(e, delay_ms, attempt)));
    }

    pub fn gave_up(self, e: ApiError) {
        self.notice.set(None);
        self.error.set(Some(e));
    }
}

/// A failed call, decided by the source's machine kept in `run` (none: give up).
pub fn machine_on_error<M: Send + Sync + 'static>(
    run: RwSignal<Option<M>>,
    decide: impl FnOnce(&mut M) -> Retry,
) -> Retry {
    run.try_update(|r| r.as_mut().map(decide))
        .flatten()
        .unwrap_or(Retry::GiveUp)
}

/// A source of one catalogue operation: the driver calls it with [`api::call`].
pub trait Driven {
    type Call: Call;
    /// The next thing to do (from the source's core state machine).
    fn step(&self) -> Step;
    /// An answer arrived.
    fn accept(&self, response: <Self::Call as Call>::Response, parsed: Parsed);
    /// A call failed: the machine decides (`salt` spreads the backoff of many tabs).
    fn on_error(&self, e: &ApiError, salt: u64) -> Retry;
    /// Where its retry notice and the error it gave up on are shown (as [`Source::shown`];
    /// required for the same reason).
    fn shown(&self) -> Option<Shown>;
    /// About to wait `delay_ms` before retry `attempt`: the notice says so.
    fn retrying(&self, e: &ApiError, delay_ms: u32, attempt: u32) {
        if let Some(s) = self.shown() {
            s.retrying(e, delay_ms, attempt);
        }
    }
    /// Called every quarter second or so while backing off.
    fn waiting(&self) {}
    /// The machine gave up on `e` (its next step is a stop): the error is shown.
    fn gave_up(&self, e: ApiError) {
        if let Some(s) = self.shown() {
            s.gave_up(e);
        }
    }
}

impl<D: Driven> Source for D {
    type Request = Request;
    type Response = (<D::Call as Call>::Response, Parsed);
    fn operation(&self) -> &'static Operation {
        D::Call::OPERATION
    }
    fn step(&self) -> Step {
        Driven::step(self)
    }
    async fn perform(
        &self,
        client: &ApiClient,
        request: &Request,
        signal: Option<&AbortSignal>,
    ) -> Result<Self::Response, ApiError> {
        api::call::<D::Call>(client, request, signal).await
    }
    fn accept(&self, (response, parsed): Self::Response) {
        Driven::accept(self, response, parsed)
    }
    fn on_error(&self, e: &ApiError, salt: u64) -> Retry {
        Driven::on_error(self, e, salt)
    }
    fn shown(&self) -> Option<Shown> {
        Driven::shown(self)
    }
    fn retrying(&self, e: &ApiError, delay_ms: u32, attempt: u32) {
        Driven::retrying(self, e, delay_ms, attempt)
    }
    fn waiting(&self) {
        Driven::waiting(self)
    }
    fn gave_up(&self, e: ApiError) {
        Driven::gave_up(self, e)
    }
}

/// "<error> — retrying in 2.1 s (attempt 1 of 5)".
pub fn retry_notice(e: &ApiError, delay_ms: u32, attempt: u32) -> String {
    format!(
        "{e} — retrying in {} s (attempt {attempt} of {MAX_RETRIES})",
        trailview_core::numbers::fixed(delay_ms as f64 / 1000.0, 1)
    )
}

/// Runs `source` until its machine stops: how it ended, or `None` if the ticket went stale
/// first (a newer run or a cancel owns the source's state then).
pub async fn drive<S: Source>(client: &ApiClient, ticket: &Ticket, source: &S) -> Option<RunEnd> {
    let erased = Erase {
        source,
        response: RefCell::new(None),
    };
    drive_erased(client, ticket, &erased).await
}

/// A call about to be made: it starts when first polled.
type PendingCall<'a> = Pin<Box<dyn Future<Output = Result<(), ApiError>> + 'a>>;

/// A [`Source`] as the driver's loop sees it, its request and response types hidden, so that
/// the loop is compiled once rather than once per source.
trait Erased {
    fn operation(&self) -> &'static Operation;
    /// The next call (made when awaited; its answer is kept for [`Erased::accept`]), or how
    /// the run ended.
    fn step<'a>(
        &'a self,
        client: &'a ApiClient,
        signal: Option<&'a AbortSignal>,
    ) -> Result<PendingCall<'a>, RunEnd>;
    fn delay_ms(&self) -> u32;
    /// Feed the kept answer to the source.
    fn accept(&self);
    fn on_error(&self, e: &ApiError, salt: u64) -> Retry;
    fn retrying(&self, e: &ApiError, delay_ms: u32, attempt: u32);
    fn waiting(&self);
    fn gave_up(&self, e: ApiError);
}

struct Erase<'s, S: Source> {
    source: &'s S,
    response: RefCell<Option<S::Response>>,
}

impl<S: Source> Erased for Erase<'_, S> {
    fn operation(&self) -> &'static Operation {
        self.source.operation()
    }
    fn step<'a>(
        &'a self,
        client: &'a ApiClient,
        signal: Option<&'a AbortSignal>,
    ) -> Result<PendingCall<'a>, RunEnd> {
        match self.source.step() {
            Step::Fetch(request) => Ok(Box::pin(async move {
                let response = self.source.perform(client, &request, signal).await?;
                *self.response.borrow_mut() = Some(response);
                Ok(())
            })),
            Step::Stop(end) => Err(end),
        }
    }
    fn delay_ms(&self) -> u32 {
        self.source.delay_ms()
    }
    fn accept(&self) {
        if let Some(response) = self.response.borrow_mut().take() {
            self.source.accept(response);
        }
    }
    fn on_error(&self, e: &ApiError, salt: u64) -> Retry {
        self.source.on_error(e, salt)
    }
    fn retrying(&self, e: &ApiError, delay_ms: u32, attempt: u32) {
        self.source.retrying(e, delay_ms, attempt)
    }
    fn waiting(&self) {
        self.source.waiting()
    }
    fn gave_up(&self, e: ApiError) {
        self.source.gave_up(e)
    }
}

async fn drive_erased(client: &ApiClient, ticket: &Ticket, source: &dyn Erased) -> Option<RunEnd> {
    loop {
        if !ticket.live() {
            return None;
        }
        let call = match source.step(client, ticket.signal()) {
            Ok(call) => call,
            Err(end) => return Some(end),
        };
        // The machine's own wait (before the pacer's slot is taken: a wait holds no slot).
        if !pause(source.delay_ms(), ticket, || {}).await {
            return None;
        }
        if !wait_turn(source.operation(), ticket).await {
            return None;
        }
        let result = call.await;
        if !ticket.live() {
            return None;
        }
        match result {
            Ok(()) => source.accept(),
            Err(e) => match source.on_error(&e, now_ms() as u64) {
                Retry::After { delay_ms, attempt } => {
                    source.retrying(&e, delay_ms, attempt);
                    if !pause(delay_ms, ticket, || source.waiting()).await {
                        return None;
                    }
                }
                Retry::GiveUp => source.gave_up(e),
            },
        }
    }
}

/// Waits `ms`, in slices of at most a quarter second, calling `tick` after each; `false` as
/// soon as `ticket` goes stale.
async fn pause(ms: u32, ticket: &Ticket, tick: impl Fn()) -> bool {
    let until = now_ms() + ms as f64;
    while now_ms() < until {
        sleep(Duration::from_millis(
            (until - now_ms()).clamp(1.0, 250.0) as u64
        ))
        .await;
        if !ticket.live() {
            return false;
        }
        tick();
    }
    true
}

/// One call through the driver (pacing, retry), not paged.
struct Once<C: Call, F> {
    run: RefCell<PagedRun<Single<C>>>,
    outcome: RefCell<Option<Result<C::Response, ApiError>>>,
    on_retry: F,
}

impl<C: Call, F: Fn(&ApiError, u32, u32)> Driven for Once<C, F> {
    type Call = C;
    fn step(&self) -> Step {
        self.run.borrow().step()
    }
    fn accept(&self, response: C::Response, _parsed: Parsed) {
        self.run.borrow_mut().accept_page(&response);
        *self.outcome.borrow_mut() = Some(Ok(response));
    }
    /// Shows its own retry notice and error (`retrying`, `gave_up` below).
    fn shown(&self) -> Option<Shown> {
        None
    }
    fn on_error(&self, e: &ApiError, salt: u64) -> Retry {
        self.run.borrow_mut().on_error(e, salt)
    }
    fn retrying(&self, e: &ApiError, delay_ms: u32, attempt: u32) {
        (self.on_retry)(e, delay_ms, attempt)
    }
    fn gave_up(&self, e: ApiError) {
        *self.outcome.borrow_mut() = Some(Err(e));
    }
}

/// One call of `C` with `request`, retried as `policy` says (`on_retry` is told before each
/// backoff): its answer or the error it gave up on; `None` if the ticket went stale first.
pub async fn call_once<C: Call>(
    client: &ApiClient,
    ticket: &Ticket,
    request: Request,
    policy: RetryPolicy,
    on_retry: impl Fn(&ApiError, u32, u32),
) -> Option<Result<C::Response, ApiError>> {
    let once = Once {
        run: RefCell::new(PagedRun::with_policy(Single::<C>::new(request), policy)),
        outcome: RefCell::new(None),
        on_retry,
    };
    drive(client, ticket, &once).await?;
    once.outcome.into_inner()
}
