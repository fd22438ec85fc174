//! A sliding one-second window shared by all callers: at most `limit` admitted calls in any
//! second (or, [`RateLimiter::with_margin`], in any second plus a margin). Rejected calls do
//! not count. Uses tokio's clock, so tests can pause and advance it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    /// The window `limit` calls are counted in: a second, plus the margin.
    window: Duration,
    admitted: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    /// `limit` calls per second; 0 disables the limit.
    pub fn new(limit: u32) -> RateLimiter {
        RateLimiter::with_margin(limit, Duration::ZERO)
    }

    /// `limit` calls in any `1 s + margin`: calls admitted here that reach a service later
    /// with some jitter still arrive at most `limit` in any second there, as long as the
    /// jitter stays under the margin.
    pub fn with_margin(limit: u32, margin: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window: WINDOW + margin,
            admitted: Mutex::new(VecDeque::with_capacity(limit as usize)),
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Admit one call, or say how long until one would be admitted.
    pub fn try_acquire(&self) -> Result<(), Duration> {
        if self.limit == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut q = self.admitted.lock().unwrap_or_else(|e| e.into_inner());
        while q
            .front()
            .is_some_and(|&t| now.duration_since(t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() < self.limit as usize {
            q.push_back(now);
            Ok(())
        } else {
            let oldest = *q.front().expect("full window is not empty");
            Err(self.window.saturating_sub(now.duration_since(oldest)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn two_per_second() {
        let l = RateLimiter::new(2);
        assert!(l.try_acquire().is_ok());
        assert!(l.try_acquire().is_ok());
        let wait = l.try_acquire().unwrap_err();
        assert!(wait <= WINDOW && wait > Duration::ZERO);
        tokio::time::advance(Duration::from_millis(999)).await;
        assert!(l.try_acquire().is_err());
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(l.try_acquire().is_ok());
        assert!(l.try_acquire().is_ok());
        assert!(l.try_acquire().is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn a_margin_widens_the_window() {
        let l = RateLimiter::with_margin(2, Duration::from_millis(100));
        assert!(l.try_acquire().is_ok());
        assert!(l.try_acquire().is_ok());
        tokio::time::advance(Duration::from_millis(1000)).await;
        let wait = l.try_acquire().unwrap_err();
        assert_eq!(wait, Duration::from_millis(100));
        tokio::time::advance(wait).await;
        assert!(l.try_acquire().is_ok());
    }

    #[test]
    fn zero_disables() {
        let l = RateLimiter::new(0);
        for _ in 0..100 {
            assert!(l.try_acquire().is_ok());
        }
    }
}
