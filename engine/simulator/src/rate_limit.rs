//! JustCall's rate limits: an hourly and a "burst" (per-minute) budget, as fixed windows.
//!
//! Windows are aligned to the Unix epoch (window k covers `[k·len, (k+1)·len)`), so they are
//! the same for every client and easy to reason about. Every authenticated request that is let
//! through uses one unit of both budgets; a request refused with 429 uses none. Every response
//! carries the six `X-Rate-Limit-*` headers; resets are the epoch second at which the window
//! ends, rounded up, so waiting until then always lands in a fresh window. Window lengths are
//! configurable so that tests can use, say, a two-second "minute".

use std::time::Duration;

/// Enforced limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per `hour_window`.
    pub per_hour: u32,
    /// Requests per `burst_window`.
    pub per_burst: u32,
    /// Length of the burst window (JustCall: 60 s).
    pub burst_window: Duration,
    /// Length of the hourly window (JustCall: 3600 s).
    pub hour_window: Duration,
}

impl RateLimit {
    /// A plan's limits with JustCall's real windows, e.g. `RateLimit::plan(1800, 30)` (Team).
    pub fn plan(per_hour: u32, per_minute: u32) -> RateLimit {
        RateLimit {
            per_hour,
            per_burst: per_minute,
            burst_window: Duration::from_secs(60),
            hour_window: Duration::from_secs(3600),
        }
    }
}

/// Limits advertised when none are enforced.
const UNLIMITED_HOUR: u32 = 1_000_000;
const UNLIMITED_BURST: u32 = 100_000;

/// The values of the six rate-limit headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    pub limit: u32,
    pub remaining: u32,
    pub reset: u64,
    pub burst_limit: u32,
    pub burst_remaining: u32,
    pub burst_reset: u64,
}

impl RateHeaders {
    /// `(name, value)` pairs in JustCall's spelling.
    pub(crate) fn pairs(&self) -> [(&'static str, String); 6] {
        [
            ("X-Rate-Limit-Limit", self.limit.to_string()),
            ("X-Rate-Limit-Remaining", self.remaining.to_string()),
            ("X-Rate-Limit-Reset", self.reset.to_string()),
            ("X-Rate-Limit-Burst-Limit", self.burst_limit.to_string()),
            (
                "X-Rate-Limit-Burst-Remaining",
                self.burst_remaining.to_string(),
            ),
            ("X-Rate-Limit-Burst-Reset", self.burst_reset.to_string()),
        ]
    }
}

/// One fixed window and its use.
#[derive(Debug)]
struct Window {
    len_ns: u128,
    limit: u32,
    index: u128,
    used: u32,
}

impl Window {
    fn new(len: Duration, limit: u32) -> Window {
        Window {
            len_ns: len.as_nanos().max(1_000_000),
            limit,
            index: 0,
            used: 0,
        }
    }

    /// Moves to the window that contains `now` (time since the epoch).
    fn roll(&mut self, now: Duration) {
        let index = now.as_nanos() / self.len_ns;
        if index != self.index {
            self.index = index;
            self.used = 0;
        }
    }

    fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }

    /// Epoch second at which the current window ends, rounded up.
    fn reset(&self) -> u64 {
        ((self.index + 1) * self.len_ns).div_ceil(1_000_000_000) as u64
    }
}

/// Both budgets of the simulated account.
#[derive(Debug)]
pub(crate) struct Limiter {
    enforce: bool,
    hour: Window,
    burst: Window,
}

impl Limiter {
    pub(crate) fn new(limit: Option<RateLimit>) -> Limiter {
        match limit {
            Some(l) => Limiter {
                enforce: true,
                hour: Window::new(l.hour_window, l.per_hour),
                burst: Window::new(l.burst_window, l.per_burst),
            },
            None => Limiter {
                enforce: false,
                hour: Window::new(Duration::from_secs(3600), UNLIMITED_HOUR),
                burst: Window::new(Duration::from_secs(60), UNLIMITED_BURST),
            },
        }
    }

    fn headers(&self) -> RateHeaders {
        RateHeaders {
            limit: self.hour.limit,
            remaining: self.hour.remaining(),
            reset: self.hour.reset(),
            burst_limit: self.burst.limit,
            burst_remaining: self.burst.remaining(),
            burst_reset: self.burst.reset(),
        }
    }

    /// Counts a request at `now` (time since the epoch): `true` if it may proceed, with the
    /// headers to send either way.
    pub(crate) fn acquire(&mut self, now: Duration) -> (bool, RateHeaders) {
        self.hour.roll(now);
        self.burst.roll(now);
        let exhausted = self.hour.remaining() == 0 || self.burst.remaining() == 0;
        if exhausted && self.enforce {
            return (false, self.headers());
        }
        self.hour.used = self.hour.used.saturating_add(1);
        self.burst.used = self.burst.used.saturating_add(1);
        (true, self.headers())
    }

    /// The headers at `now` without counting a request (for 401s and unknown paths).
    pub(crate) fn peek(&mut self, now: Duration) -> RateHeaders {
        self.hour.roll(now);
        self.burst.roll(now);
        self.headers()
    }
}

/// Time since the Unix epoch.
pub(crate) fn epoch_now() -> Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_hour: u32, per_burst: u32, burst_secs: f64) -> Limiter {
        Limiter::new(Some(RateLimit {
            per_hour,
            per_burst,
            burst_window: Duration::from_secs_f64(burst_secs),
            hour_window: Duration::from_secs(3600),
        }))
    }

    fn at(secs: f64) -> Duration {
        Duration::from_secs_f64(secs)
    }

    #[test]
    fn burst_window_refuses_then_resets() {
        let mut l = limiter(100, 3, 2.0);
        let t0 = 1_800_000_000.0; // a multiple of 2 s: a window starts here
        for k in 0..3 {
            let (ok, h) = l.acquire(at(t0 + 0.1 * k as f64));
            assert!(ok);
            assert_eq!(h.burst_remaining, 2 - k);
            assert_eq!(h.burst_reset, 1_800_000_002);
            assert_eq!(h.burst_limit, 3);
        }
        let (ok, h) = l.acquire(at(t0 + 1.9));
        assert!(!ok);
        assert_eq!(h.burst_remaining, 0);
        assert_eq!(h.remaining, 97, "a refused request uses nothing");
        let (ok, h) = l.acquire(at(t0 + 2.0));
        assert!(ok, "the next window is fresh");
        assert_eq!((h.burst_remaining, h.burst_reset), (2, 1_800_000_004));
        assert_eq!(h.reset, (1_800_000_000 / 3600 + 1) * 3600);
    }

    #[test]
    fn hourly_budget_spans_burst_windows() {
        let mut l = limiter(4, 3, 1.0);
        let t0 = 1_800_000_000.0;
        assert!(l.acquire(at(t0)).0);
        assert!(l.acquire(at(t0 + 0.5)).0);
        assert!(l.acquire(at(t0 + 1.0)).0);
        let (ok, h) = l.acquire(at(t0 + 2.0));
        assert!(ok);
        assert_eq!(h.remaining, 0);
        let (ok, h) = l.acquire(at(t0 + 3.0));
        assert!(!ok);
        assert_eq!(
            h.burst_remaining, 3,
            "the burst window is fresh but the hour is spent"
        );
    }

    #[test]
    fn reset_rounds_up_for_fractional_windows() {
        let mut l = limiter(100, 10, 1.5);
        // Window [1.5 k, 1.5 (k+1)); k = 1_200_000_000 starts at 1_800_000_000.0.
        let (_, h) = l.acquire(at(1_800_000_000.2));
        assert_eq!(h.burst_reset, 1_800_000_002); // ends at …001.5, rounded up
    }

    #[test]
    fn unlimited_sends_big_numbers_and_never_refuses() {
        let mut l = Limiter::new(None);
        for _ in 0..200_001 {
            assert!(l.acquire(at(1_800_000_000.0)).0);
        }
        let h = l.peek(at(1_800_000_000.0));
        assert_eq!(h.limit, UNLIMITED_HOUR);
        assert_eq!(h.burst_limit, UNLIMITED_BURST);
        assert_eq!(h.pairs()[0].0, "X-Rate-Limit-Limit");
    }

    #[test]
    fn peek_counts_nothing() {
        let mut l = limiter(10, 5, 60.0);
        let h = l.peek(at(1_800_000_000.0));
        assert_eq!((h.remaining, h.burst_remaining), (10, 5));
        let (_, h) = l.acquire(at(1_800_000_000.0));
        assert_eq!((h.remaining, h.burst_remaining), (9, 4));
    }
}
