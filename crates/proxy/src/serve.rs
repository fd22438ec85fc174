//! The one serve path: accepts TCP connections and runs each on hyper's HTTP/1 server under
//! [`ServeLimits`] (`main` serves the [`crate::app`] router with it; the load tests too).
//!
//! * **Header timeout**: a request's head (request line and headers) must arrive within
//!   `header_timeout` of its first byte, or of the connection opening; else the connection is
//!   closed. Counted here rather than by hyper's `header_read_timeout`, whose timer starts as
//!   soon as a kept-alive connection goes idle and so would also cap keep-alive at the header
//!   timeout (below a load balancer's idle timeout, which turns into 502s at the balancer).
//! * **Body timeout**: a request's body must be whole within `header_timeout` of its head
//!   (else the route answers its error for an unreadable body).
//! * **Idle timeout**: a kept-alive connection with no request for `idle_timeout` is closed.
//! * **Write timeout**: an answer that cannot write a byte for `header_timeout` (a client that
//!   does not read it) closes its connection, so clients that never read cannot hold
//!   connections at the cap.
//! * **Connection cap**: at most `max_connections` open connections. At the cap a new
//!   connection takes the place of the oldest one with nothing in flight (an idle keep-alive,
//!   or a client that has not finished a request head: what nginx does with idle keep-alive
//!   connections when short of connections), so half-open connections cannot lock others
//!   out; else the oldest whose answer has waited `STALLED_EVICTABLE` (1 s) for its client
//!   to read. When none can make room, the new one is answered 503 with
//!   `Retry-After` in the cloud's error shape of the route asked for (a few at a time; beyond
//!   those it is closed).
//! * **Drain**: when `shutdown` resolves (SIGTERM or Ctrl-C in `main`), the listener closes,
//!   connections reading a request head (or with none yet) close at once, and the others
//!   finish their requests in flight and the answers being written, then close (idle
//!   keep-alive ones at once), for at most `drain_timeout`.
//! * A request cannot start on a connection chosen to close (eviction, drain, a timeout), nor
//!   a connection be chosen once its request started: both go through one compare-and-swap.
//! * **hyper's own refusals** (400 for a malformed request, 414 for a request line longer than
//!   [`MAX_HEAD_BYTES`], 431 for more than 100 header fields or a longer head) are answered in
//!   the route's error shape ([`crate::cloud_error::route_error`]) instead of hyper's empty
//!   body.

use crate::cloud_error::route_error;
use crate::config::ServeLimits;
use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt as _;

/// Connections answered 503 at once when every connection is busy; beyond these a new
/// connection is closed without an answer.
pub const SHED_AT_ONCE: usize = 64;
/// How long a shed connection may take to send the request head its 503 answers.
const SHED_WAIT: Duration = Duration::from_secs(1);
/// The first bytes of a request kept to answer hyper's own refusals on the route's dialect.
const HEAD_KEPT: usize = 160;
/// The most of a request head read (hyper's read buffer; its default is about 400 KB): a
/// larger head is refused 431, or 414 when its request line alone does not fit. Bounds the
/// memory held by clients sending heads that never end, and is twice the `[limits]` defaults
/// for the headers (16 KiB) and the query (4 KiB) together, which the router answers with
/// their own codes.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;
/// hyper's limit on a URI.
const MAX_REQUEST_LINE: usize = 65_534;
/// The bit of `Conn::in_flight` set when the connection closes with nothing in flight.
const CLOSING: u32 = 1 << 31;
/// At the cap with no idle connection, one whose answer has waited this long for its client
/// to read makes room (a client reading a byte now and then cannot hold its connection at
/// the cap until the write timeout).
const STALLED_EVICTABLE: Duration = Duration::from_secs(1);
/// `Conn::stalled_ms` when the last write made progress.
const NOT_STALLED: u64 = u64::MAX;

/// What [`serve`] did, for the exit line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drained {
    /// Every connection finished within the drain timeout.
    Clean,
    /// Connections still open at the deadline: `serve` returns without them (their tasks end
    /// with the runtime, as when `main` returns).
    Deadline { dropped: usize },
}

/// Serve `router` on `listener` until `shutdown` resolves, then drain (see the module docs).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) -> Drained {
    let registry = Arc::new(Registry::new());
    let (stop_tx, stop_rx) = watch::channel(false);
    let shed = Arc::new(Semaphore::new(SHED_AT_ONCE));
    let mut accept_warnings = WarnEvery::new(ACCEPT_WARNING_EVERY);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors (or another transient accept error): give
                    // connections a moment to close instead of spinning.
                    if !is_connection_error(&e) {
                        if let Some(since_last) = accept_warnings.due(Instant::now()) {
                            tracing::warn!(error = %e, failures = since_last, "accept failed");
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        match registry.admit(limits.max_connections) {
            Some(conn) => {
                let registry = registry.clone();
                let router = router.clone();
                let stop = stop_rx.clone();
                tokio::spawn(async move {
                    run_connection(stream, conn.clone(), router, limits, stop).await;
                    registry.remove(conn.id);
                });
            }
            None => match shed.clone().try_acquire_owned() {
                Ok(permit) => {
                    tokio::spawn(async move {
                        shed_connection(stream, limits.max_connections).await;
                        drop(permit);
                    });
                }
                Err(_) => drop(stream),
            },
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let deadline = Instant::now() + limits.drain_timeout;
    loop {
        let open = registry.len();
        if open == 0 {
            return Drained::Clean;
        }
        if Instant::now() >= deadline {
            return Drained::Deadline { dropped: open };
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// At most one accept-failure warning this often (accept is retried every 50 ms).
const ACCEPT_WARNING_EVERY: Duration = Duration::from_secs(10);

/// A warning logged at most once per `every`, with how many occurrences it stands for.
struct WarnEvery {
    every: Duration,
    last: Option<Instant>,
    count: u64,
}

impl WarnEvery {
    fn new(every: Duration) -> WarnEvery {
        WarnEvery {
            every,
            last: None,
            count: 0,
        }
    }

    /// One occurrence at `now`: `Some(occurrences since the last warning, this one included)`
    /// when a warning is due.
    fn due(&mut self, now: Instant) -> Option<u64> {
        self.count += 1;
        if self.last.is_some_and(|last| now < last + self.every) {
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.count))
    }
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// One open connection, as the cap, the timeouts and the error shaping see it.
struct Conn {
    id: u64,
    /// Requests whose answer is not yet fully handed to the connection, and [`CLOSING`] once
    /// the connection is chosen to close with none (eviction, drain, a timeout): set and
    /// checked by compare-and-swap, so that a request cannot start on a connection being
    /// closed, nor a connection close under a request that just started.
    in_flight: AtomicU32,
    /// A request head is being read (from the connection opening, or from the first byte
    /// after the last answer).
    reading: AtomicBool,
    /// When the current phase (reading a head, or idle) began: ms since `epoch`.
    since_ms: AtomicU64,
    /// Since when a write has waited for the client to read (ms since `epoch`), or
    /// [`NOT_STALLED`].
    stalled_ms: AtomicU64,
    epoch: Instant,
    /// The first bytes of the head being read.
    head: Mutex<Vec<u8>>,
    /// Something was written since the head being read began (hyper's refusal of that head
    /// is the first write after it).
    wrote_since_head: AtomicBool,
    /// The router has answered a request whose head hyper has not written yet.
    answer_pending: AtomicBool,
    /// The length of its request line so far, and whether that line has ended.
    line_len: AtomicU64,
    line_done: AtomicBool,
    /// Closes the connection (eviction at the cap).
    evict: Notify,
    /// The phase changed (a head started, the last answer was written): the connection's
    /// timer is set again.
    phase: Notify,
}

impl Conn {
    fn now_ms(&self) -> u64 {
        Instant::now().duration_since(self.epoch).as_millis() as u64
    }

    fn on_read(&self, bytes: &[u8]) {
        if !self.busy() && !self.reading.swap(true, Ordering::AcqRel) {
            self.since_ms.store(self.now_ms(), Ordering::Release);
            self.head.lock().unwrap_or_else(|e| e.into_inner()).clear();
            self.wrote_since_head.store(false, Ordering::Release);
            self.line_len.store(0, Ordering::Release);
            self.line_done.store(false, Ordering::Release);
            self.phase.notify_one();
        }
        if self.reading.load(Ordering::Acquire) {
            let mut head = self.head.lock().unwrap_or_else(|e| e.into_inner());
            let room = HEAD_KEPT.saturating_sub(head.len());
            head.extend_from_slice(&bytes[..room.min(bytes.len())]);
            if !self.line_done.load(Ordering::Acquire) {
                let end = bytes.iter().position(|&b| b == b'\n');
                let n = end.unwrap_or(bytes.len()) as u64;
                self.line_len.fetch_add(n, Ordering::AcqRel);
                self.line_done.store(end.is_some(), Ordering::Release);
            }
        }
    }

    /// A request starts; `false` (and it must not be served) when the connection is closing.
    #[must_use]
    fn request_started(&self) -> bool {
        let started = self
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n & CLOSING == 0).then_some(n + 1)
            })
            .is_ok();
        if started {
            self.reading.store(false, Ordering::Release);
        }
        started
    }

    /// Marks the connection closing if nothing is in flight; `false` when a request is.
    fn close_if_idle(&self) -> bool {
        self.in_flight
            .compare_exchange(0, CLOSING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
            || self.in_flight.load(Ordering::Acquire) == CLOSING
    }

    /// A request is in flight.
    fn busy(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) & !CLOSING > 0
    }

    fn answer_done(&self) {
        if self.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.since_ms.store(self.now_ms(), Ordering::Release);
            self.phase.notify_one();
        }
    }

    /// A write waits for the client to read: starts the write timeout if not started.
    fn write_blocked(&self) {
        if self
            .stalled_ms
            .compare_exchange(
                NOT_STALLED,
                self.now_ms(),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
        {
            self.phase.notify_one();
        }
    }

    fn write_progressed(&self) {
        self.stalled_ms.store(NOT_STALLED, Ordering::Release);
    }

    /// When a write waiting for the client has waited `after`, if one waits.
    fn write_deadline(&self, after: Duration) -> Option<Instant> {
        let stalled = self.stalled_ms.load(Ordering::Acquire);
        (stalled != NOT_STALLED).then(|| self.epoch + Duration::from_millis(stalled) + after)
    }

    /// When the connection's current phase times out (a request in flight: check again later).
    fn deadline(&self, limits: &ServeLimits) -> Instant {
        let since = self.epoch + Duration::from_millis(self.since_ms.load(Ordering::Acquire));
        if let Some(at) = self.write_deadline(limits.header_timeout) {
            at
        } else if self.busy() {
            Instant::now() + limits.idle_timeout.max(limits.header_timeout)
        } else if self.reading.load(Ordering::Acquire) {
            since + limits.header_timeout
        } else {
            since + limits.idle_timeout
        }
    }

    /// The path of the request being read, from its request line (`GET /api/... HTTP/1.1`).
    fn head_path(&self) -> String {
        let head = self.head.lock().unwrap_or_else(|e| e.into_inner());
        let text = String::from_utf8_lossy(&head);
        let target = text.split(' ').nth(1).unwrap_or("");
        // An absolute-form target (`http://host/path`) names its path after the authority.
        let path = match target.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => target,
        };
        path.split(['?', '#']).next().unwrap_or("").to_string()
    }
}

/// The open connections, oldest first.
struct Registry {
    conns: Mutex<BTreeMap<u64, Arc<Conn>>>,
    next_id: AtomicU64,
    epoch: Instant,
}

impl Registry {
    fn new() -> Registry {
        Registry {
            conns: Mutex::new(BTreeMap::new()),
            next_id: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn len(&self) -> usize {
        self.conns.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// A new connection, in the place of the oldest one with nothing in flight if at the cap;
    /// `None` when every connection has a request in flight.
    fn admit(&self, max: usize) -> Option<Arc<Conn>> {
        let mut conns = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        if conns.len() >= max.max(1) {
            let now = Instant::now();
            let victim = conns
                .iter()
                .find(|(_, c)| c.close_if_idle())
                .or_else(|| {
                    // Else one whose answer has waited for its client to read a while.
                    conns.iter().find(|(_, c)| {
                        c.write_deadline(STALLED_EVICTABLE)
                            .is_some_and(|at| now >= at)
                    })
                })
                .map(|(id, _)| *id)?;
            if let Some(c) = conns.remove(&victim) {
                c.evict.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now().duration_since(self.epoch).as_millis() as u64;
        let conn = Arc::new(Conn {
            id,
            in_flight: AtomicU32::new(0),
            reading: AtomicBool::new(true),
            since_ms: AtomicU64::new(now),
            stalled_ms: AtomicU64::new(NOT_STALLED),
            epoch: self.epoch,
            head: Mutex::new(Vec::new()),
            wrote_since_head: AtomicBool::new(false),
            answer_pending: AtomicBool::new(false),
            line_len: AtomicU64::new(0),
            line_done: AtomicBool::new(false),
            evict: Notify::new(),
            phase: Notify::new(),
        });
        conns.insert(id, conn.clone());
        Some(conn)
    }

    fn remove(&self, id: u64) {
        self.conns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }
}

async fn run_connection(
    stream: TcpStream,
    conn: Arc<Conn>,
    router: Router,
    limits: ServeLimits,
    mut stop: watch::Receiver<bool>,
) {
    let io = TokioIo::new(Watched {
        io: stream,
        conn: conn.clone(),
        replacement: None,
    });
    let svc_conn = conn.clone();
    let body_timeout = limits.header_timeout;
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let guard = InFlight::start(svc_conn.clone());
        let router = router.clone();
        let req = req.map(|body| Body::new(ReadDeadline::new(body, body_timeout)));
        let conn = svc_conn.clone();
        async move {
            let Some(guard) = guard else {
                // The connection was chosen to close before this request started: it is not
                // served (the connection closes; the client retries on another).
                let mut resp = busy_answer(
                    req.uri().path(),
                    "trailview-proxy is closing this connection; retry.",
                );
                resp.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                return Ok(resp);
            };
            let resp = router.oneshot(req).await.unwrap_or_else(|e| match e {});
            conn.answer_pending.store(true, Ordering::Release);
            Ok::<_, Infallible>(resp.map(|body| {
                Body::new(Guarded {
                    inner: body,
                    _guard: guard,
                })
            }))
        }
    });
    let served = http1::Builder::new()
        .keep_alive(true)
        .max_buf_size(MAX_HEAD_BYTES)
        .serve_connection(io, service);
    tokio::pin!(served);
    let mut draining = *stop.borrow();
    if draining {
        return;
    }
    loop {
        let deadline = conn.deadline(&limits);
        tokio::select! {
            _ = served.as_mut() => return,
            () = conn.evict.notified() => return,
            () = conn.phase.notified() => {}
            changed = stop.changed(), if !draining => {
                draining = true;
                if changed.is_err()
                    || (conn.reading.load(Ordering::Acquire) && conn.close_if_idle())
                {
                    // An unfinished head (or none yet): nothing to finish.
                    return;
                }
                // Requests in flight, and answers still being written, finish; hyper then
                // closes the connection (at once when it is idle).
                served.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep_until(deadline) => {
                if conn.write_deadline(limits.header_timeout).is_some_and(|at| Instant::now() >= at) {
                    // The client has not read the answer for the write timeout.
                    return;
                }
                if Instant::now() >= conn.deadline(&limits) && conn.close_if_idle() {
                    return;
                }
            }
        }
    }
}

/// Answers one request on a connection beyond the cap with 503, then closes it.
async fn shed_connection(stream: TcpStream, max: usize) {
    let service = hyper::service::service_fn(move |req: Request<Incoming>| async move {
        Ok::<_, Infallible>(busy_answer(
            req.uri().path(),
            &format!(
                "trailview-proxy has {max} connections busy (its max_connections); retry shortly."
            ),
        ))
    });
    let served = http1::Builder::new()
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(SHED_WAIT, served).await;
}

/// 503 with `Retry-After: 1` in the error shape of the route of `path`.
fn busy_answer(path: &str, message: &str) -> Response {
    let mut resp = route_error(
        path,
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        message,
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}

/// A request in flight on its connection until the answer's body is dropped.
struct InFlight(Arc<Conn>);

impl InFlight {
    /// `None` when the connection is closing.
    fn start(conn: Arc<Conn>) -> Option<InFlight> {
        conn.request_started().then_some(InFlight(conn))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.answer_done();
    }
}

/// An answer's body that keeps its request in flight while hyper writes it.
struct Guarded {
    inner: Body,
    _guard: InFlight,
}

impl hyper::body::Body for Guarded {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// A request body that fails when it is not whole `within` of its head: a client that sends
/// a head and then trickles its body cannot hold a request in flight (and so its connection
/// out of reach of the cap) for longer.
struct ReadDeadline {
    inner: Incoming,
    sleep: Pin<Box<tokio::time::Sleep>>,
    within: Duration,
}

impl ReadDeadline {
    fn new(inner: Incoming, within: Duration) -> ReadDeadline {
        ReadDeadline {
            inner,
            sleep: Box::pin(tokio::time::sleep(within)),
            within,
        }
    }
}

impl hyper::body::Body for ReadDeadline {
    type Data = axum::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match this.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(format!(
                "the request body did not arrive within {} s",
                this.within.as_secs()
            )
            .into()))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// The connection's socket: notes when a request head starts (for the timeouts) and keeps its
/// first bytes, and answers hyper's own refusals in the route's error shape.
struct Watched {
    io: TcpStream,
    conn: Arc<Conn>,
    /// The refusal written instead of hyper's, and how much of it is written.
    replacement: Option<(Vec<u8>, usize)>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            let new = &buf.filled()[before..];
            if !new.is_empty() {
                self.conn.on_read(new);
            }
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        // The first write after the router answered starts that answer (hyper may have let go
        // of a whole body, and so of the request in flight, before writing it).
        let routed = this.conn.answer_pending.swap(false, Ordering::AcqRel);
        // Only the first write while a head is read, no request having started since, can be
        // hyper's refusal of that head: the rest of an answer is left alone whatever it holds.
        let first_in_head = !this.conn.wrote_since_head.swap(true, Ordering::AcqRel);
        if this.replacement.is_none()
            && !routed
            && first_in_head
            && this.conn.reading.load(Ordering::Acquire)
            && !this.conn.busy()
        {
            if let Some(mut status) = hyper_refusal(buf) {
                // A head over the buffer before its request line ended: the URI is too long.
                if status == StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
                    && (!this.conn.line_done.load(Ordering::Acquire)
                        || this.conn.line_len.load(Ordering::Acquire) > MAX_REQUEST_LINE as u64)
                {
                    status = StatusCode::URI_TOO_LONG;
                }
                let path = this.conn.head_path();
                this.replacement = Some((shaped_refusal(status, &path), 0));
            }
        }
        if let Some((bytes, written)) = &mut this.replacement {
            while *written < bytes.len() {
                match ready!(write_watched(
                    &mut this.io,
                    &this.conn,
                    cx,
                    &bytes[*written..]
                )) {
                    Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                    Ok(n) => *written += n,
                    Err(e) => return Poll::Ready(Err(e)),
                }
            }
            // hyper's refusal (and anything after it; hyper closes the connection) is dropped.
            return Poll::Ready(Ok(buf.len()));
        }
        write_watched(&mut this.io, &this.conn, cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// A write to the client, noting for the write timeout whether it waits for the client.
fn write_watched(
    io: &mut TcpStream,
    conn: &Conn,
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<io::Result<usize>> {
    let r = Pin::new(io).poll_write(cx, buf);
    match &r {
        Poll::Pending => conn.write_blocked(),
        Poll::Ready(Ok(n)) if *n > 0 => conn.write_progressed(),
        Poll::Ready(_) => {}
    }
    r
}

/// The status of a refusal hyper writes itself (no request reached the router): a whole
/// response head with status 400, 414 or 431 and none of the headers every answer of the
/// router carries (`x-content-type-options`, from [`crate::security`]).
fn hyper_refusal(buf: &[u8]) -> Option<StatusCode> {
    let rest = buf.strip_prefix(b"HTTP/1.1 ")?;
    let status = match rest.get(..4)? {
        b"400 " => StatusCode::BAD_REQUEST,
        b"414 " => StatusCode::URI_TOO_LONG,
        b"431 " => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        _ => return None,
    };
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = buf[..end].to_ascii_lowercase();
    let from_router = head
        .windows(b"x-content-type-options:".len())
        .any(|w| w == b"x-content-type-options:");
    (!from_router).then_some(status)
}

/// hyper's refusal `status` as the route of `path` answers errors, ready to write (the
/// connection closes after it, as hyper's would).
fn shaped_refusal(status: StatusCode, path: &str) -> Vec<u8> {
    let (code, message) = match status {
        StatusCode::URI_TOO_LONG => (
            "Proxy.UriTooLong",
            "The request URI is longer than trailview-proxy reads (a request head is at most 32 KiB).",
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            "Proxy.HeadersTooLarge",
            "The request has more than 100 header fields, or a head over the 32 KiB trailview-proxy reads.",
        ),
        _ => (
            "Proxy.BadRequest",
            "The request is not valid HTTP/1.1.",
        ),
    };
    let resp: Response = route_error(path, status, code, message);
    let (parts, body) = resp.into_parts();
    let body = ready_bytes(body);
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        parts.status.as_u16(),
        parts.status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (name, value) in &parts.headers {
        if name == header::CONTENT_LENGTH || name == header::CONNECTION {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!(
            "x-content-type-options: nosniff\r\ncache-control: no-store\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&body);
    out
}

/// The bytes of a body that is already whole (an error body built from a string).
fn ready_bytes(body: Body) -> Vec<u8> {
    use hyper::body::Body as _;
    let mut body = std::pin::pin!(body);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let mut out = Vec::new();
    while let Poll::Ready(Some(Ok(frame))) = body.as_mut().poll_frame(&mut cx) {
        if let Ok(data) = frame.into_data() {
            out.extend_from_slice(&data);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_refusals_are_told_from_the_routers_answers() {
        let hyper_431 = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 03:00:00 GMT\r\n\r\n";
        assert_eq!(
            hyper_refusal(hyper_431),
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
        assert_eq!(
            hyper_refusal(b"HTTP/1.1 414 URI Too Long\r\n\r\n"),
            Some(StatusCode::URI_TOO_LONG)
        );
        // The router's own 400 (an Alibaba throttling answer) is left alone.
        let routers = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nX-Content-Type-Options: nosniff\r\n\r\n{}";
        assert_eq!(hyper_refusal(routers), None);
        assert_eq!(hyper_refusal(b"HTTP/1.1 200 OK\r\n\r\n"), None);
        assert_eq!(hyper_refusal(b"HTTP/1.1 431 Req"), None);
        assert_eq!(hyper_refusal(b"{\"a\":1}"), None);
    }

    #[test]
    fn refusals_take_the_routes_shape() {
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
        let ali = text(shaped_refusal(
            StatusCode::URI_TOO_LONG,
            "/api/aliyun/actiontrail",
        ));
        assert!(ali.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{ali}");
        let (head, body) = ali.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["Code"], "Proxy.UriTooLong");
        let aws = text(shaped_refusal(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "/api/aws/logs",
        ));
        assert!(
            aws.contains("x-amzn-errortype: ValidationException"),
            "{aws}"
        );
        let s3 = text(shaped_refusal(StatusCode::BAD_REQUEST, "/api/aws/s3/b/k"));
        assert!(s3.contains("<Error>"), "{s3}");
    }

    fn conn_reading(head: &[u8]) -> Conn {
        let c = Conn {
            id: 0,
            in_flight: AtomicU32::new(0),
            reading: AtomicBool::new(false),
            since_ms: AtomicU64::new(0),
            stalled_ms: AtomicU64::new(NOT_STALLED),
            epoch: Instant::now(),
            head: Mutex::new(Vec::new()),
            wrote_since_head: AtomicBool::new(false),
            answer_pending: AtomicBool::new(false),
            line_len: AtomicU64::new(0),
            line_done: AtomicBool::new(false),
            evict: Notify::new(),
            phase: Notify::new(),
        };
        c.on_read(head);
        c
    }

    #[test]
    fn accept_failures_warn_once_per_period_with_their_count() {
        let mut w = WarnEvery::new(Duration::from_secs(10));
        let t = Instant::now();
        assert_eq!(w.due(t), Some(1));
        let mut warned = 0;
        for i in 1..200u64 {
            if w.due(t + Duration::from_millis(50 * i)).is_some() {
                warned += 1;
            }
        }
        assert_eq!(warned, 0, "199 failures in 10 s: no more warnings");
        assert_eq!(w.due(t + Duration::from_secs(10)), Some(200));
        assert_eq!(w.due(t + Duration::from_millis(10_050)), None);
    }

    #[test]
    fn head_paths() {
        for (head, path) in [
            (&b"GET /api/aws/logs?x=1 HTTP/1.1\r\n"[..], "/api/aws/logs"),
            (
                b"POST http://h:8080/api/aliyun/oss/b HTTP/1.1",
                "/api/aliyun/oss/b",
            ),
            (b"GET /api/aliyun/actiontrail", "/api/aliyun/actiontrail"),
            (b"garbage", ""),
        ] {
            assert_eq!(conn_reading(head).head_path(), path);
        }
    }

    #[test]
    fn eviction_takes_the_oldest_connection_with_nothing_in_flight() {
        let r = Registry::new();
        let a = r.admit(2).unwrap();
        let b = r.admit(2).unwrap();
        assert!(a.request_started());
        let c = r.admit(2).unwrap();
        let ids: Vec<u64> = r.conns.lock().unwrap().keys().copied().collect();
        assert_eq!(ids, vec![a.id, c.id], "b (idle) made room, a (busy) stayed");
        assert_ne!(b.id, c.id);
        assert!(c.request_started());
        assert!(r.admit(2).is_none(), "all busy: shed");
        a.answer_done();
        assert!(r.admit(2).is_some());
    }

    #[test]
    fn a_request_cannot_start_on_a_connection_chosen_to_close_nor_the_reverse() {
        let r = Registry::new();
        let a = r.admit(1).unwrap();
        let b = r.admit(1).unwrap();
        assert!(
            !a.request_started(),
            "a was evicted for b: its request is not served"
        );
        assert!(!a.busy());
        // b's request started first: b cannot be chosen, and the next connection is shed.
        assert!(b.request_started());
        assert!(!b.close_if_idle());
        assert!(r.admit(1).is_none());
        b.answer_done();
        assert!(b.close_if_idle());
        assert!(!b.request_started());
    }
}
