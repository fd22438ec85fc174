//! The serve path over real sockets (`trailview_proxy::serve`): header and idle timeouts, the
//! connection cap (eviction, then 503), drain, and hyper's own refusals and a chunked body
//! over the limit answered in the cloud's error shape.

mod common;
mod fake_cloud;

use axum::routing::get;
use axum::Router;
use std::future::Future as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use trailview_proxy::config::ServeLimits;
use trailview_proxy::serve::{serve, Drained};

fn limits() -> ServeLimits {
    ServeLimits {
        header_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
        max_connections: 1024,
        drain_timeout: Duration::from_secs(5),
    }
}

struct Served {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<Drained>,
}

async fn start(router: Router, limits: ServeLimits) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let done = tokio::spawn(serve(listener, router, limits, async move {
        let _ = rx.await;
    }));
    Served {
        addr,
        stop: Some(tx),
        done,
    }
}

/// A route that answers after `ms` milliseconds, and the health check.
fn slow_router() -> Router {
    Router::new()
        .route(
            "/slow/{ms}",
            get(
                |axum::extract::Path(ms): axum::extract::Path<u64>| async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    "done"
                },
            ),
        )
        .route("/healthz", get(|| async { "ok" }))
}

struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// Read one answer (with a Content-Length, or up to the close).
async fn read_answer(s: &mut TcpStream) -> Option<Answer> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let mut body = buf[head_end + 4..].to_vec();
    let len = head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())?
    });
    loop {
        if len.is_some_and(|l| body.len() >= l) {
            break;
        }
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Answer {
        status,
        head,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

async fn request(addr: SocketAddr, raw: &[u8]) -> Option<Answer> {
    let mut s = TcpStream::connect(addr).await.ok()?;
    s.write_all(raw).await.ok()?;
    read_answer(&mut s).await
}

/// Whether the server closed `s` (within `within`).
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut b = [0u8; 64];
    matches!(
        tokio::time::timeout(within, s.read(&mut b)).await,
        Ok(Ok(0)) | Ok(Err(_))
    )
}

#[tokio::test]
async fn an_unfinished_head_is_closed_after_the_header_timeout() {
    let served = start(slow_router(), limits()).await;
    // Nothing sent at all, and a head that never ends.
    let mut silent = TcpStream::connect(served.addr).await.unwrap();
    let mut slow = TcpStream::connect(served.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    slow.write_all(b"X-B: 2\r\n").await.unwrap();
    assert!(closed_within(&mut slow, Duration::from_secs(3)).await);
    assert!(closed_within(&mut silent, Duration::from_secs(3)).await);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2500),
        "{took:?}"
    );
    // On a kept-alive connection too: a head started after an answer has the header timeout
    // (1 s), not the idle one (2 s).
    let mut s = TcpStream::connect(served.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(read_answer(&mut s).await.unwrap().body, "ok");
    s.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let started = Instant::now();
    assert!(closed_within(&mut s, Duration::from_secs(3)).await);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(1700),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_trickled_body_is_refused_after_the_body_timeout() {
    let served = start(common::test_app(), limits()).await;
    let mut s = TcpStream::connect(served.addr).await.unwrap();
    s.write_all(
        b"POST /api/aliyun/actiontrail?Action=LookupEvents HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nMaxResults=5",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let a = tokio::time::timeout(Duration::from_secs(3), async {
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(400)).await;
            let _ = s.write_all(b"&").await;
        }
        read_answer(&mut s).await
    })
    .await
    .unwrap()
    .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(a.json()["Code"], "Proxy.BodyUnreadable");
    assert!(a.body.contains("within 1 s"), "{}", a.body);
}

#[tokio::test]
async fn kept_alive_connections_serve_again_until_the_idle_timeout() {
    let served = start(slow_router(), limits()).await;
    let mut s = TcpStream::connect(served.addr).await.unwrap();
    for _ in 0..2 {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        assert_eq!(read_answer(&mut s).await.unwrap().body, "ok");
        // Longer than the header timeout: idle is not a slow head.
        tokio::time::sleep(Duration::from_millis(1300)).await;
    }
    // A request that takes longer than both timeouts is not cut.
    s.write_all(b"GET /slow/2500 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(read_answer(&mut s).await.unwrap().body, "done");
    let idle = Instant::now();
    assert!(closed_within(&mut s, Duration::from_secs(4)).await);
    assert!(
        idle.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        idle.elapsed()
    );
}

#[tokio::test]
async fn at_the_cap_half_open_connections_make_room_then_busy_ones_shed_503() {
    let served = start(
        slow_router(),
        ServeLimits {
            max_connections: 3,
            header_timeout: Duration::from_secs(30),
            ..limits()
        },
    )
    .await;
    let mut half_open = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(served.addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
        half_open.push(s);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let a = request(served.addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!((a.status, a.body.as_str()), (200, "ok"));
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(closed_within(&mut half_open[0], Duration::from_secs(1)).await);

    // Three requests in flight: a fourth connection is answered 503 in the route's shape.
    let busy: Vec<_> = (0..3)
        .map(|_| {
            let addr = served.addr;
            tokio::spawn(async move {
                request(addr, b"GET /slow/1500 HTTP/1.1\r\nHost: x\r\n\r\n").await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let shed = request(
        served.addr,
        b"POST /api/aliyun/actiontrail?Action=LookupEvents HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    )
    .await
    .unwrap();
    assert_eq!(shed.status, 503, "{}", shed.body);
    assert_eq!(shed.header("retry-after"), Some("1"));
    assert_eq!(shed.json()["Code"], "ServiceUnavailable");
    let aws = request(
        served.addr,
        b"POST /api/aws/logs HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    )
    .await
    .unwrap();
    assert_eq!(
        aws.header("x-amzn-errortype"),
        Some("ServiceUnavailableException")
    );
    for b in busy {
        assert_eq!(b.await.unwrap().unwrap().body, "done");
    }
}

#[tokio::test]
async fn shutdown_drains_requests_in_flight_and_closes_the_rest() {
    let mut served = start(slow_router(), limits()).await;
    let addr = served.addr;
    let in_flight =
        tokio::spawn(
            async move { request(addr, b"GET /slow/800 HTTP/1.1\r\nHost: x\r\n\r\n").await },
        );
    let mut idle = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    served.stop.take().unwrap().send(()).unwrap();
    assert!(closed_within(&mut idle, Duration::from_millis(500)).await);
    let a = in_flight.await.unwrap().unwrap();
    assert_eq!((a.status, a.body.as_str()), (200, "done"));
    assert_eq!(served.done.await.unwrap(), Drained::Clean);
    assert!(TcpStream::connect(addr).await.is_err(), "listener closed");

    // A request longer than the drain timeout is cut at the deadline.
    let mut served = start(
        slow_router(),
        ServeLimits {
            drain_timeout: Duration::from_millis(300),
            ..limits()
        },
    )
    .await;
    let addr = served.addr;
    let long =
        tokio::spawn(
            async move { request(addr, b"GET /slow/5000 HTTP/1.1\r\nHost: x\r\n\r\n").await },
        );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopped = Instant::now();
    served.stop.take().unwrap().send(()).unwrap();
    assert_eq!(served.done.await.unwrap(), Drained::Deadline { dropped: 1 });
    assert!(stopped.elapsed() < Duration::from_secs(1));
    drop(long);
}

#[tokio::test]
async fn hypers_own_refusals_answer_in_the_routes_error_shape() {
    let served = start(common::test_app(), limits()).await;
    // A URI over 64 KB (hyper's limit, and over the 32 KiB of a head).
    let long = format!(
        "GET /api/aliyun/actiontrail?Action=LookupEvents&x={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let a = request(served.addr, long.as_bytes()).await.unwrap();
    assert_eq!(a.status, 414);
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert_eq!(a.json()["Code"], "Proxy.UriTooLong");
    // A URI far over the 32 KiB of a head is too long too (not "headers too large").
    let longer = format!(
        "GET /api/aliyun/actiontrail?Action=LookupEvents&x={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(150_000)
    );
    let a = request(served.addr, longer.as_bytes()).await.unwrap();
    assert_eq!(a.status, 414);
    assert_eq!(a.json()["Code"], "Proxy.UriTooLong");
    // A head far over 32 KiB in its headers.
    let mut big = String::from("GET /api/aliyun/actiontrail HTTP/1.1\r\nHost: x\r\n");
    for i in 0..50 {
        big.push_str(&format!("X-H{i}: {}\r\n", "v".repeat(4000)));
    }
    big.push_str("\r\n");
    let a = request(served.addr, big.as_bytes()).await.unwrap();
    assert_eq!(a.status, 431, "{} {}", a.head, a.body);
    assert_eq!(a.json()["Code"], "Proxy.HeadersTooLarge");
    // More than 100 header fields, on the AWS route.
    let mut many = String::from("POST /api/aws/logs HTTP/1.1\r\nHost: x\r\n");
    for i in 0..150 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let a = request(served.addr, many.as_bytes()).await.unwrap();
    assert_eq!(a.status, 431);
    assert_eq!(a.header("x-amzn-errortype"), Some("ValidationException"));
    assert!(a.json()["message"].as_str().unwrap().contains("header"));
    // On a storage route: the stores' XML.
    let mut many = String::from("GET /api/aws/s3/b?list-type=2 HTTP/1.1\r\nHost: x\r\n");
    for i in 0..150 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let a = request(served.addr, many.as_bytes()).await.unwrap();
    assert_eq!(a.status, 431);
    assert!(a.body.contains("<Error>"), "{}", a.body);
    // A malformed head on an API route, and something that is not HTTP at all.
    let a = request(
        served.addr,
        b"POST /api/aliyun/actiontrail HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    )
    .await
    .unwrap();
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["Code"], "Proxy.BadRequest");
    let a = request(served.addr, b"\x16\x03\x01 hello\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(a.status, 400);
    assert_eq!(a.body, "The request is not valid HTTP/1.1.\n");
    // The router's own 400 (a bad parameter) is its own answer, untouched.
    let a = request(
        served.addr,
        b"POST /api/aliyun/actiontrail?Action=LookupEvents&MaxResults=x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    )
    .await
    .unwrap();
    assert_eq!(a.status, 400);
    assert_ne!(a.json()["Code"], "Proxy.BadRequest");
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn config_limits_a_chunked_413_and_the_routers_414_431_in_the_clouds_shape() {
    let (cloud, fake) = fake_cloud::start(false).await;
    let served = start(fake_cloud::proxy_app(cloud, "", false), limits()).await;
    let chunk = "a".repeat(8 * 1024);
    let mut raw = String::from(
        "POST /api/aliyun/actiontrail?Action=LookupEvents HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    for _ in 0..3 {
        raw.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    raw.push_str("0\r\n\r\n");
    let a = request(served.addr, raw.as_bytes()).await.unwrap();
    assert_eq!(a.status, 413, "{}", a.body);
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert_eq!(a.json()["Code"], "Proxy.BodyTooLarge");
    let mut aws = String::from(
        "POST /api/aws/logs HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Logs_20140328.DescribeExportTasks\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    for _ in 0..3 {
        aws.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    aws.push_str("0\r\n\r\n");
    let a = request(served.addr, aws.as_bytes()).await.unwrap();
    assert_eq!(a.status, 413, "{}", a.body);
    assert!(a.header("x-amzn-errortype").is_some(), "{}", a.head);
    // The router's own 414 and 431 (`[limits]`) are its answers, not taken for hyper's.
    let long = format!(
        "GET /api/aliyun/actiontrail?Action=LookupEvents&x={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(5_000)
    );
    let a = request(served.addr, long.as_bytes()).await.unwrap();
    assert_eq!(a.status, 414, "{}", a.body);
    assert_eq!(a.json()["Code"], "Proxy.QueryTooLong");
    let big = format!(
        "GET /api/aliyun/actiontrail?Action=LookupEvents HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(20_000)
    );
    let a = request(served.addr, big.as_bytes()).await.unwrap();
    assert_eq!(a.status, 431, "{}", a.body);
    assert_eq!(a.json()["Code"], "Proxy.HeadersTooLarge");
    assert!(a.body.contains("20"), "the router's message: {}", a.body);
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn clients_that_never_read_their_answer_are_closed_and_free_the_cap() {
    // 32 MB in 64 KiB chunks (as a static file streams): more than the loopback socket
    // buffers on both sides hold.
    let router = slow_router().route(
        "/big.wasm",
        get(|| async { axum::body::Body::new(Chunks { left: 512 }) }),
    );
    let served = start(
        router,
        ServeLimits {
            max_connections: 2,
            ..limits()
        },
    )
    .await;
    let mut stuck = Vec::new();
    for _ in 0..2 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut s = socket.connect(served.addr).await.unwrap();
        s.write_all(b"GET /big.wasm HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        stuck.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let mut first_busy = None;
    let answered = loop {
        let a = request(served.addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
        match a {
            Some(a) if a.status == 200 => break Some(started.elapsed()),
            other => {
                first_busy.get_or_insert(other.map(|a| a.status));
            }
        }
        if started.elapsed() > Duration::from_secs(5) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        first_busy,
        Some(Some(503)),
        "both connections busy at first"
    );
    let answered = answered.expect("a new client is served once the writes time out");
    // The write timeout is the header timeout (1 s), counted from the first blocked write.
    assert!(answered >= Duration::from_millis(600), "{answered:?}");
    // The stuck clients' answers were cut: what is left to read ends short of the body.
    for mut s in stuck {
        let mut got = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut got)).await;
        assert!(read.is_ok(), "closed");
        assert!(got.len() < 32 << 20, "{}", got.len());
    }
}

/// A body of `left` chunks of 64 KiB, each produced when asked for.
struct Chunks {
    left: usize,
}

impl http_body::Body for Chunks {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        self.left -= 1;
        let chunk = axum::body::Bytes::from(vec![b'w'; 64 * 1024]);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(chunk))))
    }
}

#[tokio::test]
async fn an_answer_whose_bytes_look_like_a_refusal_streams_through_intact() {
    let last = "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
    let router = slow_router().route(
        "/object",
        get(move || async move {
            axum::body::Body::new(TwoChunks {
                chunks: vec!["first part of the object\n".into(), last.into()],
                wait: None,
            })
        }),
    );
    let served = start(router, limits()).await;
    let a = request(served.addr, b"GET /object HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(a.body, format!("first part of the object\n{last}"));
}

/// A body of known length whose chunks come 50 ms apart (each written on its own), the last
/// ending it.
struct TwoChunks {
    chunks: Vec<axum::body::Bytes>,
    wait: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl http_body::Body for TwoChunks {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.chunks.is_empty() {
            return std::task::Poll::Ready(None);
        }
        if let Some(wait) = &mut self.wait {
            std::task::ready!(wait.as_mut().poll(cx));
        }
        self.wait = Some(Box::pin(tokio::time::sleep(Duration::from_millis(50))));
        let chunk = self.chunks.remove(0);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.chunks.iter().map(|c| c.len() as u64).sum())
    }
}

#[tokio::test]
async fn shutdown_lets_an_answer_being_written_finish() {
    // 8 MB in one piece: the router is done with it (nothing in flight) while hyper still
    // writes it to a client that reads slowly.
    let big = axum::body::Bytes::from(vec![b'z'; 8 << 20]);
    let router = slow_router().route("/big", get(move || async move { big.clone() }));
    let mut served = start(router, limits()).await;
    let mut s = TcpStream::connect(served.addr).await.unwrap();
    s.write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    served.stop.take().unwrap().send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let a = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut s))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(a.body.len(), 8 << 20, "the whole answer");
    assert_eq!(served.done.await.unwrap(), Drained::Clean);
}

#[tokio::test]
async fn at_the_cap_a_connection_whose_client_does_not_read_makes_room() {
    let router = slow_router().route(
        "/big.wasm",
        get(|| async { axum::body::Body::new(Chunks { left: 512 }) }),
    );
    // A write timeout (the header timeout) far away: room is made by eviction, not by it.
    let served = start(
        router,
        ServeLimits {
            max_connections: 2,
            header_timeout: Duration::from_secs(30),
            ..limits()
        },
    )
    .await;
    let mut stuck = Vec::new();
    for _ in 0..2 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut s = socket.connect(served.addr).await.unwrap();
        s.write_all(b"GET /big.wasm HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        stuck.push(s);
    }
    // Once their writes have waited the second that makes them evictable.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let started = Instant::now();
    let a = request(served.addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!((a.status, a.body.as_str()), (200, "ok"));
    assert!(started.elapsed() < Duration::from_secs(1));
    drop(stuck);
}
