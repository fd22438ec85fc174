//! The rate limits shared by replicas (`[redis]`), on the built `trailview-proxy` binary: a
//! real `redis-server` on a free loopback port (no persistence, its own temporary directory),
//! two proxy processes signing for the loopback fake cloud, both flooded at once.
//!
//! * With the in-process limits (no `[redis]`) the same flood puts more than the documented
//!   rate into one second at the cloud: each replica admits its own share. With `[redis]` the
//!   cloud never sees more than the documented rate in any sliding second, and both replicas
//!   forward.
//! * Redis hung (SIGSTOP) or gone (killed): the limited operations are answered 503 in the
//!   route's error shape within the timeout, and nothing reaches the cloud; the log says Redis
//!   is unreachable. Redis back: the proxies forward again.
//! * Redis' replies held 300 ms on one replica's way (a relay): the slots it gets come too
//!   late to be used, so it answers throttled and forwards nothing, and the cloud still never
//!   sees more than the documented rate in any sliding second (before the check: twice it).
//! * Replicas configured with different limits for an operation log the disagreement.
//!
//! Needs `redis-server`: `REDIS_SERVER`, else on PATH. `cargo xtask test` installs it (as it
//! does Chromium) and passes it; without one these tests fail, saying how to install it.
//! The figures are printed (`--nocapture`).

mod fake_cloud;
mod proxy_process;

use axum::body::Bytes;
use fake_cloud::*;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use proxy_process::{busiest_second, Proxy};
use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One test at a time: the floods and the timings measure nothing else.
static ONE_RUN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A `redis-server` of its own (killed on drop, its directory removed).
struct RedisServer {
    bin: PathBuf,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

fn redis_bin() -> PathBuf {
    std::env::var_os("REDIS_SERVER")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("redis-server"))
}

impl RedisServer {
    fn start() -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir =
            std::env::temp_dir().join(format!("trailview-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut r = RedisServer {
            bin: redis_bin(),
            port,
            dir,
            child: None,
        };
        r.restart();
        r
    }

    /// Start (again) on the same port, and wait until it answers PING.
    fn restart(&mut self) {
        let child = Command::new(&self.bin)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}): the shared rate-limit tests need redis-server. \
                     Install it with `cargo xtask setup` (apt-get install redis-server) or set \
                     REDIS_SERVER to a redis-server binary",
                    self.bin.display()
                )
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.answers_ping() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
        let mut buf = [0u8; 7];
        s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn pid(&self) -> String {
        self.child.as_ref().expect("running").id().to_string()
    }

    /// SIGSTOP / SIGCONT: a Redis that holds its connections and answers nothing.
    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.pid()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill {sig} redis-server");
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Two `trailview-proxy --config` processes for the fake cloud at `cloud`, with `extra` TOML.
fn two_proxies(cloud: SocketAddr, extra: &str) -> [Proxy; 2] {
    [one_proxy(cloud, extra), one_proxy(cloud, extra)]
}

/// A `trailview-proxy --config` process for the fake cloud at `cloud`, with `extra` TOML.
fn one_proxy(cloud: SocketAddr, extra: &str) -> Proxy {
    let config = std::env::temp_dir().join(format!(
        "trailview-shared-limits-{}-{}.toml",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\nstatic_dir = \"/nonexistent/trailview-dist\"\n{extra}\n[aliyun.actiontrail]\nendpoint = \"http://{cloud}\"\n[aliyun.cdn]\nendpoint = \"http://{cloud}\"\n[aws.logs]\nregion = \"us-east-1\"\nendpoint = \"http://{cloud}\"\n"
        ),
    )
    .unwrap();
    let env = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", ALI_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ALI_SECRET),
        ("AWS_ACCESS_KEY_ID", AWS_ID),
        ("AWS_SECRET_ACCESS_KEY", AWS_SECRET),
    ];
    let args = ["--config", config.to_str().unwrap()];
    let proxy = Proxy::spawn(&args, &env);
    let _ = std::fs::remove_file(&config);
    proxy
}

/// A TCP relay on a free loopback port in front of `to` that passes requests on at once and
/// holds every reply `delay`: a replica whose way to Redis is slow.
async fn slow_relay(to: u16, delay: Duration) -> u16 {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", to)).await else {
                continue;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                let _ = server_write.shutdown().await;
            });
            let (tx, mut rx) =
                tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                while let Ok(n @ 1..) = server_read.read(&mut buf).await {
                    if tx
                        .send((tokio::time::Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            });
            tokio::spawn(async move {
                while let Some((at, bytes)) = rx.recv().await {
                    tokio::time::sleep_until(at).await;
                    if client_write.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    LookupEvents,
    DescribeCdnDeliverList,
    DescribeExportTasks,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::LookupEvents => "LookupEvents",
            Op::DescribeCdnDeliverList => "DescribeCdnDeliverList",
            Op::DescribeExportTasks => "DescribeExportTasks",
        }
    }

    fn request(self, addr: SocketAddr) -> http::Request<Full<Bytes>> {
        let (path, target, body) = match self {
            Op::LookupEvents => (
                "/api/aliyun/actiontrail?Action=LookupEvents&MaxResults=20",
                None,
                "",
            ),
            Op::DescribeCdnDeliverList => {
                ("/api/aliyun/cdn?Action=DescribeCdnDeliverList", None, "")
            }
            Op::DescribeExportTasks => (
                "/api/aws/logs",
                Some("Logs_20140328.DescribeExportTasks"),
                r#"{"limit":1}"#,
            ),
        };
        let mut b = http::Request::post(format!("http://{addr}{path}"));
        if let Some(t) = target {
            b = b
                .header("x-amz-target", t)
                .header("content-type", "application/x-amz-json-1.1");
        }
        b.body(Full::new(Bytes::from(body))).unwrap()
    }

    /// The operation of a call the fake cloud saw.
    fn of(s: &Seen) -> String {
        match s.scheme {
            "aws" => s
                .headers
                .get("x-amz-target")
                .and_then(|v| v.to_str().ok())
                .and_then(|t| t.rsplit('.').next())
                .unwrap_or("")
                .to_string(),
            _ => s.action.clone(),
        }
    }
}

/// A response, read whole.
struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: String,
    took: Duration,
}

async fn ask(addr: SocketAddr, op: Op) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let sent = Instant::now();
    let resp = client.request(op.request(addr)).await.expect("answered");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        took: sent.elapsed(),
    }
}

fn is_throttled(a: &Answer) -> bool {
    (a.status == 400 && a.body.contains("Throttling")) || a.status == 429
}

/// Per proxy: operation → answers 200, and how many were throttled.
#[derive(Default, Debug)]
struct Tally {
    ok: BTreeMap<Op, usize>,
    throttled: usize,
    other: Vec<String>,
}

/// `clients` connections per proxy per operation, each sending its next request as soon as
/// the last is answered (20 ms after a throttled answer), for `time`.
async fn flood(proxies: &[Proxy], ops: &[Op], clients: usize, time: Duration) -> Vec<Tally> {
    let tallies: Vec<_> = proxies
        .iter()
        .map(|_| Arc::new(Mutex::new(Tally::default())))
        .collect();
    let until = tokio::time::Instant::now() + time;
    let mut tasks = Vec::new();
    for (p, proxy) in proxies.iter().enumerate() {
        for &op in ops {
            for _ in 0..clients {
                let (addr, tally) = (proxy.addr, tallies[p].clone());
                let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
                tasks.push(tokio::spawn(async move {
                    while tokio::time::Instant::now() < until {
                        let answer = match client.request(op.request(addr)).await {
                            Ok(r) => {
                                let status = r.status().as_u16();
                                let body = r.into_body().collect().await.map(|b| b.to_bytes());
                                let body =
                                    String::from_utf8_lossy(&body.unwrap_or_default()).into_owned();
                                Answer {
                                    status,
                                    headers: http::HeaderMap::new(),
                                    body,
                                    took: Duration::ZERO,
                                }
                            }
                            Err(e) => {
                                tally.lock().unwrap().other.push(format!("{op:?}: {e}"));
                                continue;
                            }
                        };
                        let throttled = is_throttled(&answer);
                        {
                            let mut t = tally.lock().unwrap();
                            if answer.status == 200 {
                                *t.ok.entry(op).or_default() += 1;
                            } else if throttled {
                                t.throttled += 1;
                            } else {
                                t.other
                                    .push(format!("{op:?}: {} {}", answer.status, answer.body));
                            }
                        }
                        if throttled {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }));
            }
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    tallies
        .into_iter()
        .map(|t| std::mem::take(&mut *t.lock().unwrap()))
        .collect()
}

/// Operation → (calls, most in any sliding second) at the fake cloud, for calls after `from`.
fn at_the_cloud(fake: &Fake, from: usize) -> BTreeMap<String, (usize, usize)> {
    arrivals(fake, from)
        .into_iter()
        .map(|(op, mut times)| (op, (times.len(), busiest_second(&mut times))))
        .collect()
}

/// Operation → arrival times at the fake cloud, for calls after `from`, in order.
fn arrivals(fake: &Fake, from: usize) -> BTreeMap<String, Vec<Instant>> {
    let mut by_op: BTreeMap<String, Vec<Instant>> = BTreeMap::new();
    for s in &fake.seen()[from..] {
        by_op.entry(Op::of(s)).or_default().push(s.at);
    }
    for times in by_op.values_mut() {
        times.sort();
    }
    by_op
}

/// The shortest time `limit + 1` consecutive arrivals spanned: at least a second when the
/// cloud never saw more than `limit` in one; the window is 1.1 s, the rest is jitter.
fn tightest(times: &[Instant], limit: usize) -> Option<Duration> {
    times
        .windows(limit + 1)
        .map(|w| w[limit].duration_since(w[0]))
        .min()
}

const FLOOD: Duration = Duration::from_millis(3300);
const LIMITED: [Op; 2] = [Op::LookupEvents, Op::DescribeCdnDeliverList];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_the_documented_rates_through_redis() {
    let _one = ONE_RUN.lock().await;
    let rates = trailview_proxy::config::default_rate_limits();
    let (cloud, fake) = start_on_own_thread(false);

    // Without [redis]: each replica counts only its own calls.
    let alone = two_proxies(cloud, "");
    let from = fake.seen().len();
    let tallies = flood(&alone, &LIMITED, 4, FLOOD).await;
    let seen_alone = at_the_cloud(&fake, from);
    drop(alone);
    println!(
        "two replicas, in-process limits: at the fake cloud (calls, most in any second): {seen_alone:?}; 200s per replica: {:?}",
        tallies.iter().map(|t| &t.ok).collect::<Vec<_>>()
    );
    for t in &tallies {
        assert!(t.other.is_empty(), "{:?}", t.other);
    }
    for op in LIMITED {
        let limit = rates[op.name()] as usize;
        let (_, most) = seen_alone[op.name()];
        assert!(
            most > limit,
            "{op:?}: the flood must exceed the documented rate {limit} without the shared limiter (it put {most} into a second)"
        );
    }

    // With [redis]: both replicas count in one window per operation.
    let redis = RedisServer::start();
    let shared = two_proxies(cloud, &format!("[redis]\nurl = \"{}\"\n", redis.url()));
    for p in &shared {
        assert!(
            p.log().iter().all(|l| !l.contains("unreachable")),
            "{:?}",
            p.log()
        );
    }
    // A fresh window after the run above.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let from = fake.seen().len();
    let tallies = flood(&shared, &LIMITED, 4, FLOOD).await;
    let seen_shared = at_the_cloud(&fake, from);
    let spans: BTreeMap<_, _> = arrivals(&fake, from)
        .into_iter()
        .filter_map(|(op, times)| {
            let limit = *rates.get(&op)? as usize;
            Some((op, tightest(&times, limit)?.as_millis()))
        })
        .collect();
    println!(
        "two replicas sharing Redis: at the fake cloud (calls, most in any second): {seen_shared:?}; shortest span of limit+1 calls (ms): {spans:?}; 200s per replica: {:?}; throttled per replica: {:?}",
        tallies.iter().map(|t| &t.ok).collect::<Vec<_>>(),
        tallies.iter().map(|t| t.throttled).collect::<Vec<_>>()
    );
    for t in &tallies {
        assert!(t.other.is_empty(), "{:?}", t.other);
        assert!(t.throttled > 0, "each replica was flooded past the limit");
    }
    for op in LIMITED {
        let limit = rates[op.name()] as usize;
        let (calls, most) = seen_shared[op.name()];
        assert!(
            most <= limit,
            "{op:?}: {most} calls in one second at the cloud with the shared limiter, documented rate {limit}"
        );
        // The flood kept the limit busy: about `limit` calls per 1.1 s window.
        let windows = FLOOD.as_secs_f64() / 1.1;
        assert!(
            calls as f64 >= limit as f64 * (windows - 1.0),
            "{op:?}: only {calls} calls in {FLOOD:?}"
        );
        let answered: usize = tallies
            .iter()
            .map(|t| t.ok.get(&op).copied().unwrap_or(0))
            .sum();
        assert_eq!(answered, calls, "{op:?}: every 200 is a call the cloud saw");
    }
    // Both replicas forwarded.
    for (i, t) in tallies.iter().enumerate() {
        assert!(
            t.ok.values().sum::<usize>() > 0,
            "replica {i} forwarded nothing"
        );
    }
}

/// Redis' replies reach one replica 300 ms late (within its `timeout_ms`): a call admitted on
/// Redis' clock would reach the cloud 300 ms after its slot, past the window's margin, and
/// with the other replica's calls put more than the documented rate into one second. The slow
/// replica must answer those calls throttled instead of forwarding them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reply_from_redis_is_not_forwarded() {
    let _one = ONE_RUN.lock().await;
    let rates = trailview_proxy::config::default_rate_limits();
    let (cloud, fake) = start_on_own_thread(false);
    let redis = RedisServer::start();
    let relay = slow_relay(redis.port, Duration::from_millis(300)).await;
    // The slow replica's timeout covers its connection's handshake (a few round trips).
    let proxies = [
        one_proxy(
            cloud,
            &format!("[redis]\nurl = \"redis://127.0.0.1:{relay}/\"\ntimeout_ms = 1500\n"),
        ),
        one_proxy(cloud, &format!("[redis]\nurl = \"{}\"\n", redis.url())),
    ];
    until_forwarding(&proxies, Op::LookupEvents, Duration::from_secs(10)).await;

    // Alone, in a fresh window: the slow replica's slot arrives 300 ms late, so its call is
    // answered throttled in the route's shape (the slot is wasted) and not forwarded.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let before = fake.seen().len();
    let a = ask(proxies[0].addr, Op::LookupEvents).await;
    assert!(is_throttled(&a), "{} {}", a.status, a.body);
    assert!(a.body.contains("Throttling.User"), "{}", a.body);
    assert_eq!(a.headers["retry-after"], "1");
    assert_eq!(fake.seen().len(), before, "the late slot was not used");
    assert!(
        proxies[0].log().iter().any(|l| l.contains("too slow")),
        "{:?}",
        proxies[0].log()
    );

    // Both flooded at once.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let from = fake.seen().len();
    let tallies = flood(&proxies, &LIMITED, 4, FLOOD).await;
    let seen = at_the_cloud(&fake, from);
    let spans: BTreeMap<_, _> = arrivals(&fake, from)
        .into_iter()
        .filter_map(|(op, times)| {
            let limit = *rates.get(&op)? as usize;
            Some((op, tightest(&times, limit)?.as_millis()))
        })
        .collect();
    println!(
        "one replica's Redis replies 300 ms late: at the fake cloud (calls, most in any second): {seen:?}; shortest span of limit+1 calls (ms): {spans:?}; 200s per replica (slow, direct): {:?}; throttled per replica: {:?}",
        tallies.iter().map(|t| &t.ok).collect::<Vec<_>>(),
        tallies.iter().map(|t| t.throttled).collect::<Vec<_>>()
    );
    for t in &tallies {
        assert!(t.other.is_empty(), "{:?}", t.other);
    }
    for op in LIMITED {
        let limit = rates[op.name()] as usize;
        let (_, most) = seen.get(op.name()).copied().unwrap_or_default();
        assert!(
            most <= limit,
            "{op:?}: {most} calls in one second at the cloud with a slow Redis reply, documented rate {limit}"
        );
    }
    // The slow replica forwarded nothing (every slot it got came late); the direct one did.
    assert!(tallies[0].ok.is_empty(), "{:?}", tallies[0].ok);
    assert!(tallies[0].throttled > 0);
    assert!(tallies[1].ok.values().sum::<usize>() > 0);
}

/// Replicas sharing a Redis with different `[rate_limits]`: the one that finds the other's
/// limit stored logs it loudly, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_that_disagree_on_a_limit_say_so() {
    let _one = ONE_RUN.lock().await;
    let (cloud, _fake) = start_on_own_thread(false);
    let redis = RedisServer::start();
    let shared = format!("[redis]\nurl = \"{}\"\n", redis.url());
    let proxies = [
        one_proxy(cloud, &shared),
        one_proxy(cloud, &format!("[rate_limits]\nLookupEvents = 1\n{shared}")),
    ];
    for p in &proxies {
        ask(p.addr, Op::LookupEvents).await;
    }
    ask(proxies[0].addr, Op::LookupEvents).await;
    let told = |p: &Proxy| {
        p.log()
            .iter()
            .filter(|l| l.contains("disagree on the rate limit"))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (first, second) = (told(&proxies[0]), told(&proxies[1]));
    assert_eq!(second.len(), 1, "{:?}", proxies[1].log());
    assert!(second[0].contains("other_limit=2") && second[0].contains("this_limit=1"));
    assert_eq!(first.len(), 1, "{:?}", proxies[0].log());
    assert!(first[0].contains("other_limit=1") && first[0].contains("LookupEvents"));
}

/// A 503 for `op` in its route's error shape, saying the shared limiter is unavailable.
fn assert_limiter_unavailable(a: &Answer, op: Op) {
    assert_eq!(a.status, 503, "{op:?}: {}", a.body);
    assert_eq!(a.headers["retry-after"], "1");
    let v: serde_json::Value = serde_json::from_str(&a.body).expect("a JSON error body");
    match op {
        Op::DescribeExportTasks => {
            assert_eq!(a.headers["content-type"], "application/x-amz-json-1.1");
            assert!(
                v["__type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("ServiceUnavailableException")),
                "{v}"
            );
            assert!(a.headers.contains_key("x-amzn-requestid"));
            assert!(
                v["message"].as_str().unwrap().contains("rate limiter"),
                "{v}"
            );
        }
        _ => {
            assert_eq!(a.headers["content-type"], "application/json");
            assert_eq!(v["Code"], "ServiceUnavailable", "{v}");
            assert!(v["RequestId"].as_str().is_some_and(|id| id.len() == 36));
            let msg = v["Message"].as_str().unwrap();
            assert!(
                msg.contains("rate limiter") && msg.contains("Redis") && msg.contains(op.name()),
                "{msg}"
            );
        }
    }
}

/// Within `within`, every proxy answers `op` without a 503 (forwarded or throttled).
async fn until_forwarding(proxies: &[Proxy], op: Op, within: Duration) -> Duration {
    let started = Instant::now();
    for p in proxies {
        loop {
            let a = ask(p.addr, op).await;
            if a.status == 200 || is_throttled(&a) {
                break;
            }
            assert_eq!(a.status, 503, "{}", a.body);
            assert!(
                started.elapsed() < within,
                "still 503 {:?} after Redis came back",
                started.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_the_limited_operations_fail_closed() {
    let _one = ONE_RUN.lock().await;
    let (cloud, fake) = start_on_own_thread(false);
    let mut redis = RedisServer::start();
    // DescribeExportTasks has no documented rate: limited here to check the AWS shape too.
    let proxies = two_proxies(
        cloud,
        &format!(
            "[rate_limits]\nDescribeExportTasks = 5\n[redis]\nurl = \"{}\"\ntimeout_ms = 300\n",
            redis.url()
        ),
    );
    let ops = [
        Op::LookupEvents,
        Op::DescribeCdnDeliverList,
        Op::DescribeExportTasks,
    ];
    for p in &proxies {
        assert_eq!(ask(p.addr, Op::LookupEvents).await.status, 200);
    }

    // Hung: the connection stays open, nothing answers.
    redis.signal("-STOP");
    let before = fake.seen().len();
    let mut slowest = Duration::ZERO;
    for p in &proxies {
        for op in ops {
            let a = ask(p.addr, op).await;
            assert_limiter_unavailable(&a, op);
            slowest = slowest.max(a.took);
        }
    }
    assert_eq!(fake.seen().len(), before, "nothing was forwarded");
    assert!(
        slowest < Duration::from_secs(2),
        "a hung Redis held a request {slowest:?}"
    );
    redis.signal("-CONT");
    let back_after_hang =
        until_forwarding(&proxies, Op::LookupEvents, Duration::from_secs(10)).await;

    // Gone.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    redis.kill();
    let before = fake.seen().len();
    let mut slowest_down = Duration::ZERO;
    for p in &proxies {
        for op in ops {
            for _ in 0..3 {
                let a = ask(p.addr, op).await;
                assert_limiter_unavailable(&a, op);
                slowest_down = slowest_down.max(a.took);
            }
        }
    }
    assert_eq!(fake.seen().len(), before, "nothing was forwarded");
    assert!(
        slowest_down < Duration::from_secs(2),
        "a request waited {slowest_down:?} for a Redis that is down"
    );
    for p in &proxies {
        let log = p.log();
        assert!(
            log.iter().any(|l| l.contains("Redis is unreachable")),
            "the log says Redis is unreachable: {log:?}"
        );
    }

    // Back: forwarded again, and the log says so.
    redis.restart();
    let back_after_restart =
        until_forwarding(&proxies, Op::LookupEvents, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let before = fake.seen().len();
    assert_eq!(
        ask(proxies[0].addr, Op::DescribeCdnDeliverList)
            .await
            .status,
        200
    );
    assert_eq!(fake.seen().len(), before + 1);
    for p in &proxies {
        assert!(
            p.log().iter().any(|l| l.contains("reachable again")),
            "{:?}",
            p.log()
        );
    }
    println!(
        "Redis hung: 503 within {:.0} ms, forwarding again {:.0} ms after SIGCONT; Redis killed: 503 within {:.0} ms, forwarding again {:.0} ms after restart",
        slowest.as_secs_f64() * 1000.0,
        back_after_hang.as_secs_f64() * 1000.0,
        slowest_down.as_secs_f64() * 1000.0,
        back_after_restart.as_secs_f64() * 1000.0
    );
}
