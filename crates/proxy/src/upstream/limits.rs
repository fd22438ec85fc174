//! The shared rate limits every forwarded call is admitted through: each operation's calls per
//! second ([`crate::config::UpstreamConfig::rate_limits`]), counted in a window of a second
//! plus [`RATE_LIMIT_MARGIN`], a call waiting up to [`RATE_LIMIT_QUEUE`] for its slot.
//!
//! Where the calls are counted is a [`Counter`]: in this process ([`Counter::InProcess`], the
//! default), or in one Redis every replica of the proxy asks ([`Counter::Redis`], `[redis]` in
//! the config), so that replicas behind a load balancer together stay under each documented
//! rate. Redis admits with one Lua script ([`WINDOW_SCRIPT`]: a sliding window of the admitted
//! calls' times, on Redis' own clock), run atomically, by `EVALSHA` with a `NOSCRIPT`
//! fallback. When Redis cannot be asked (down, unreachable, too slow, an error) the call is
//! not forwarded: [`Verdict::Unavailable`] (fail closed; the proxy answers 503). A slot whose
//! answer took longer than [`MAX_REDIS_ROUND_TRIP`] is not used either: the call is answered
//! throttled (the slot is wasted, the safe side), since it would reach the cloud too long
//! after the time Redis counted it at.
//!
//! Both counters count per operation, as the clouds document their limits (calls per second
//! per account; one proxy signs for one account): replicas sharing a Redis must share the same
//! `[rate_limits]` (a disagreement is logged) and replicas signing for different accounts use
//! different `key_prefix`es.

use crate::config::RedisConfig;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use trailview_demo::rate_limit::RateLimiter;

/// The shared rate limits count each operation's calls in a window this much longer than a
/// second, so that forwarding jitter (a new connection, a slow signing step, the answer from
/// Redis: see [`MAX_REDIS_ROUND_TRIP`]) cannot put more than the limit into one second at the
/// cloud. The app paces each
/// operation at its limit with a 10% margin (`Operation::min_interval_ms`: `limit` calls span
/// 1.1 s), the same pace; its calls that arrive early wait for their slot
/// ([`RATE_LIMIT_QUEUE`]).
pub const RATE_LIMIT_MARGIN: Duration = Duration::from_millis(100);

/// The longest a slot from Redis may take to arrive and still be used: half the margin, the
/// other half being the way to the cloud. Redis counts a call at the time it runs the script;
/// the call leaves only when the answer is back, so a slower answer (up to `timeout_ms`) could
/// put it into the same second at the cloud as `limit` calls counted after it.
pub const MAX_REDIS_ROUND_TRIP: Duration =
    Duration::from_micros(RATE_LIMIT_MARGIN.as_micros() as u64 / 2);

/// How long a throttled answer tells the caller to wait when the slot came too late
/// ([`MAX_REDIS_ROUND_TRIP`]): Retry-After's least value.
const RETRY_AFTER_SLOW_SLOT: Duration = Duration::from_secs(1);

/// How long a call may wait for its operation's slot before it is answered throttled: the
/// app's paced calls that arrive a little early (network jitter, against the margin above) are
/// forwarded a little later instead of refused.
pub const RATE_LIMIT_QUEUE: Duration = Duration::from_millis(250);

/// The window `limit` calls are counted in.
pub const WINDOW: Duration = Duration::from_millis(1000 + RATE_LIMIT_MARGIN.as_millis() as u64);

/// What the limits say about one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Forward it: the operation is unlimited, or a slot was taken.
    Go,
    /// Over `limit` calls per [`WINDOW`]: a slot opens in `retry_in`.
    Throttled { retry_in: Duration, limit: u32 },
    /// The shared limiter could not be asked (why, for the log): the call is not forwarded.
    Unavailable(String),
}

/// The operations' limits and where their calls are counted.
pub struct RateLimits {
    /// Operation → calls per [`WINDOW`] (0 or absent: unlimited).
    limits: BTreeMap<String, u32>,
    counter: Counter,
}

/// Where the admitted calls are counted.
pub enum Counter {
    /// In this process: one sliding window per operation.
    InProcess(BTreeMap<String, RateLimiter>),
    /// In Redis, shared by every replica using it.
    Redis(Box<RedisWindow>),
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let counter = match &self.counter {
            Counter::InProcess(_) => "in-process".to_string(),
            Counter::Redis(r) => format!("redis {}", r.cfg.display),
        };
        f.debug_struct("RateLimits")
            .field("limits", &self.limits)
            .field("counter", &counter)
            .finish()
    }
}

impl RateLimits {
    /// Counted in Redis when `redis` is given, else in this process.
    pub fn new(limits: &BTreeMap<String, u32>, redis: Option<&RedisConfig>) -> RateLimits {
        let counter = match redis {
            Some(cfg) => Counter::Redis(Box::new(RedisWindow::new(cfg.clone()))),
            None => Counter::InProcess(
                limits
                    .iter()
                    .map(|(op, n)| (op.clone(), RateLimiter::with_margin(*n, RATE_LIMIT_MARGIN)))
                    .collect(),
            ),
        };
        RateLimits {
            limits: limits.clone(),
            counter,
        }
    }

    pub fn counter(&self) -> &Counter {
        &self.counter
    }

    /// Admit a call of `op`, waiting for a slot when one opens within [`RATE_LIMIT_QUEUE`].
    pub async fn admit(&self, op: &str) -> Verdict {
        let limit = match self.limits.get(op) {
            Some(&n) if n > 0 => n,
            _ => return Verdict::Go,
        };
        let deadline = tokio::time::Instant::now() + RATE_LIMIT_QUEUE;
        loop {
            let slot = match &self.counter {
                Counter::InProcess(l) => match l.get(op).map(RateLimiter::try_acquire) {
                    Some(Err(wait)) => Slot::Wait(wait),
                    Some(Ok(())) | None => Slot::Taken,
                },
                Counter::Redis(r) => match r.try_acquire(op, limit).await {
                    Ok(slot) => slot,
                    Err(why) => return Verdict::Unavailable(why),
                },
            };
            match slot {
                Slot::Taken => return Verdict::Go,
                Slot::TooLate => {
                    return Verdict::Throttled {
                        retry_in: RETRY_AFTER_SLOW_SLOT,
                        limit,
                    }
                }
                Slot::Wait(wait) if tokio::time::Instant::now() + wait <= deadline => {
                    tokio::time::sleep(wait).await
                }
                Slot::Wait(retry_in) => return Verdict::Throttled { retry_in, limit },
            }
        }
    }
}

/// What a counter says about one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Counted: forward it.
    Taken,
    /// Full: a slot opens in this long.
    Wait(Duration),
    /// Counted, but the answer took longer than [`MAX_REDIS_ROUND_TRIP`]: not forwarded.
    TooLate,
}

/// The sliding window in Redis. `KEYS[1]`: the operation's sorted set of admitted calls
/// (member: a unique call id, score: Redis' `TIME` in microseconds); `KEYS[2]`: the limit the
/// last caller counted with; `ARGV`: the limit, the window in microseconds, this call's id.
/// Drops the calls older than the window, admits when fewer than the limit remain (wait 0),
/// else says how many microseconds until the oldest leaves the window; answers
/// `{wait, the limit the previous caller counted with}` (so replicas configured apart are
/// told). Rejected calls do not count, as in [`RateLimiter`]. One clock for every replica: the
/// server's. `redis.replicate_commands` lets Redis 3.2 to 4 read `TIME` before writing (later
/// versions always replicate a script's effects).
pub const WINDOW_SCRIPT: &str = r#"
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local ttl = math.floor(window / 1000) + 1000
local previous = redis.call('GETSET', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local wait = 0
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(1, tonumber(oldest[2]) + window - now)
end
return {wait, previous}
"#;

/// The Redis keys of `op`'s window and of the limit it was last counted with:
/// `{prefix}{op}` and `{prefix}{op}:limit`. Per operation, as the in-process limits and as
/// the clouds count (per account): every replica signing for the account shares them.
pub fn redis_keys(prefix: &str, op: &str) -> (String, String) {
    (format!("{prefix}{op}"), format!("{prefix}{op}:limit"))
}

/// Whether the last call to Redis worked, for logging only the changes.
const UNKNOWN: u8 = 0;
const UP: u8 = 1;
const DOWN: u8 = 2;

/// The Redis side of the shared limits: a connection manager (one multiplexed connection,
/// reconnected after a failure when the next call needs it), the script, and this replica's
/// call ids.
pub struct RedisWindow {
    cfg: RedisConfig,
    /// Made on first use (it needs the runtime), without connecting.
    conn: OnceLock<Result<ConnectionManager, String>>,
    script: redis::Script,
    /// This process's prefix for call ids (unique among replicas).
    replica: String,
    calls: AtomicU64,
    state: AtomicU8,
    /// Whether the last slot came too late ([`MAX_REDIS_ROUND_TRIP`]), for logging only the
    /// changes.
    slow: AtomicBool,
    /// The (operation, other limit) disagreements already logged.
    mismatches: Mutex<BTreeSet<(String, u32)>>,
}

impl RedisWindow {
    pub fn new(cfg: RedisConfig) -> RedisWindow {
        let replica = (0..16)
            .map(|_| b"0123456789abcdef"[fastrand::usize(..16)] as char)
            .collect();
        RedisWindow {
            cfg,
            conn: OnceLock::new(),
            script: redis::Script::new(WINDOW_SCRIPT),
            replica,
            calls: AtomicU64::new(0),
            state: AtomicU8::new(UNKNOWN),
            slow: AtomicBool::new(false),
            mismatches: Mutex::new(BTreeSet::new()),
        }
    }

    /// Where Redis is, without a password: `host:port/db`.
    pub fn display(&self) -> &str {
        &self.cfg.display
    }

    fn connection(&self) -> Result<ConnectionManager, String> {
        self.conn
            .get_or_init(|| {
                let client = redis::Client::open(self.cfg.url.0.as_str())
                    .map_err(|e| format!("bad [redis] url: {e}"))?;
                // Each attempt bounded by the timeout, one quick retry; a Redis that stays
                // down is tried again by the next call, so the limiter recovers with it.
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.cfg.timeout))
                    .set_response_timeout(Some(self.cfg.timeout))
                    .set_number_of_retries(1)
                    .set_min_delay(Duration::from_millis(50))
                    .set_max_delay(Duration::from_millis(500));
                ConnectionManager::new_lazy_with_config(client, config)
                    .map_err(|e| format!("cannot set up the Redis connection: {e}"))
            })
            .clone()
    }

    /// Ask Redis for a slot of `op` (at most `limit` calls per [`WINDOW`]): admitted, how long
    /// until a slot opens, or admitted too late to be used; `Err` when Redis cannot be asked
    /// within the timeout.
    pub async fn try_acquire(&self, op: &str, limit: u32) -> Result<Slot, String> {
        let id = format!(
            "{}:{}",
            self.replica,
            self.calls.fetch_add(1, Ordering::Relaxed)
        );
        let (key, limit_key) = redis_keys(&self.cfg.key_prefix, op);
        let asked = async {
            let mut conn = self.connection()?;
            // Timed around the script alone (a connection made first is not a late answer).
            let sent = tokio::time::Instant::now();
            let answer = self
                .script
                .key(&key)
                .key(&limit_key)
                .arg(limit)
                .arg(WINDOW.as_micros() as u64)
                .arg(&id)
                .invoke_async::<(i64, Option<u32>)>(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((answer, sent.elapsed()))
        };
        let answer = match tokio::time::timeout(self.cfg.timeout, asked).await {
            Ok(answer) => answer,
            Err(_) => Err(format!(
                "no answer within {} ms",
                self.cfg.timeout.as_millis()
            )),
        };
        match answer {
            Ok(((wait_us, previous), took)) => {
                if self.state.swap(UP, Ordering::Relaxed) == DOWN {
                    tracing::warn!(redis = %self.cfg.display, "Redis is reachable again: rate-limited operations are forwarded again");
                }
                if let Some(other) = previous.filter(|&p| p != limit) {
                    self.disagreement(op, limit, other);
                }
                Ok(match u64::try_from(wait_us) {
                    Ok(0) if took > MAX_REDIS_ROUND_TRIP => {
                        if !self.slow.swap(true, Ordering::Relaxed) {
                            tracing::warn!(redis = %self.cfg.display, operation = op, round_trip_ms = took.as_millis() as u64, max_ms = MAX_REDIS_ROUND_TRIP.as_millis() as u64, "Redis answered too slowly for its slot to be used: the call is answered throttled, not forwarded (until Redis answers in time again)");
                        }
                        Slot::TooLate
                    }
                    Ok(0) => {
                        if self.slow.swap(false, Ordering::Relaxed) {
                            tracing::warn!(redis = %self.cfg.display, round_trip_ms = took.as_millis() as u64, "Redis answers in time again: its slots are used again");
                        }
                        Slot::Taken
                    }
                    Ok(us) => Slot::Wait(Duration::from_micros(us)),
                    Err(_) => Slot::Wait(Duration::from_millis(1)),
                })
            }
            Err(why) => {
                if self.state.swap(DOWN, Ordering::Relaxed) != DOWN {
                    tracing::error!(redis = %self.cfg.display, error = %why, "Redis is unreachable: rate-limited operations are answered 503 and not forwarded until it is back");
                } else {
                    tracing::debug!(redis = %self.cfg.display, error = %why, operation = op, "Redis still unreachable");
                }
                Err(format!(
                    "Redis at {} is unreachable ({why})",
                    self.cfg.display
                ))
            }
        }
    }

    /// Another replica counts `op` with another limit: the window is shared, so the smaller
    /// limit is not kept. Logged once per operation and limit.
    fn disagreement(&self, op: &str, limit: u32, other: u32) {
        let new = self
            .mismatches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((op.to_string(), other));
        if new {
            tracing::error!(redis = %self.cfg.display, operation = op, this_limit = limit, other_limit = other, "replicas sharing this Redis disagree on the rate limit of an operation: give them the same [rate_limits] (or different [redis] key_prefix if they sign for different accounts)");
        }
    }

    /// One `PING` at start, for the log: whether Redis answers now.
    pub async fn ping(&self) -> Result<(), String> {
        let asked = async {
            let mut conn = self.connection()?;
            redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(self.cfg.timeout, asked).await {
            Ok(Ok(_)) => {
                self.state.store(UP, Ordering::Relaxed);
                Ok(())
            }
            Ok(Err(e)) => {
                self.state.store(DOWN, Ordering::Relaxed);
                Err(e)
            }
            Err(_) => {
                self.state.store(DOWN, Ordering::Relaxed);
                Err(format!(
                    "no answer within {} ms",
                    self.cfg.timeout.as_millis()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(pairs: &[(&str, u32)]) -> BTreeMap<String, u32> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn in_process_admits_the_limit_per_window_and_queues_briefly() {
        let l = RateLimits::new(&limits(&[("LookupEvents", 2), ("Free", 0)]), None);
        assert_eq!(l.admit("LookupEvents").await, Verdict::Go);
        assert_eq!(l.admit("LookupEvents").await, Verdict::Go);
        // The third would wait 1.1 s: more than the queue, so throttled at once.
        let before = tokio::time::Instant::now();
        match l.admit("LookupEvents").await {
            Verdict::Throttled { retry_in, limit } => {
                assert_eq!((retry_in, limit), (WINDOW, 2));
            }
            v => panic!("{v:?}"),
        }
        assert_eq!(before.elapsed(), Duration::ZERO);
        // 200 ms before a slot opens, a call waits for it.
        tokio::time::advance(WINDOW - Duration::from_millis(200)).await;
        let before = tokio::time::Instant::now();
        assert_eq!(l.admit("LookupEvents").await, Verdict::Go);
        assert_eq!(before.elapsed(), Duration::from_millis(200));
        // Unlimited and unknown operations always go.
        for _ in 0..100 {
            assert_eq!(l.admit("Free").await, Verdict::Go);
            assert_eq!(l.admit("Other").await, Verdict::Go);
        }
    }

    #[test]
    fn window_and_keys() {
        assert_eq!(WINDOW, Duration::from_millis(1100));
        assert_eq!(MAX_REDIS_ROUND_TRIP, Duration::from_millis(50));
        assert_eq!(
            redis_keys("trailview:rate:", "LookupEvents"),
            (
                "trailview:rate:LookupEvents".to_string(),
                "trailview:rate:LookupEvents:limit".to_string()
            )
        );
    }

    #[tokio::test]
    async fn an_unreachable_redis_fails_closed_within_the_timeout() {
        // A port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cfg = RedisConfig::parse(
            &format!("redis://127.0.0.1:{port}/"),
            Duration::from_millis(300),
            "t:".into(),
        )
        .unwrap();
        let l = RateLimits::new(&limits(&[("LookupEvents", 2)]), Some(&cfg));
        let started = std::time::Instant::now();
        match l.admit("LookupEvents").await {
            Verdict::Unavailable(why) => {
                assert!(why.contains(&format!("127.0.0.1:{port}")), "{why}")
            }
            v => panic!("{v:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(2));
        // An unlimited operation does not ask Redis.
        assert_eq!(l.admit("DescribeExportTasks").await, Verdict::Go);
    }
}
