//! Pacing from JustCall's rate-limit headers, so a long backfill never meets HTTP 429.
//!
//! Every answer carries two fixed-window budgets:
//! * hourly: `X-Rate-Limit-Limit`, `X-Rate-Limit-Remaining`, `X-Rate-Limit-Reset`;
//! * per minute ("burst"): `X-Rate-Limit-Burst-Limit`, `X-Rate-Limit-Burst-Remaining`,
//!   `X-Rate-Limit-Burst-Reset`;
//!
//! resets being UTC epoch seconds. The [`Pacer`] remembers the last answer's budgets and counts
//! the requests sent since; before a request, when either budget is spent it says how long to wait:
//! until that reset plus [`RESET_MARGIN`] (resets have one-second resolution and clocks differ a
//! little). Requests run at full speed until a budget runs out and then wait for the window to
//! roll over, so a backfill of `n` pages takes about `n ÷ limit` windows and no 429.
//!
//! Missing or garbled headers mean "no information": no pacing, never a panic. Reset values that
//! are clearly not epoch seconds are read leniently (milliseconds, or seconds from now) and
//! anything more than [`MAX_RESET_AHEAD`] away is ignored rather than obeyed.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// Added to every reset before sending again.
pub const RESET_MARGIN: Duration = Duration::from_millis(250);
/// A reset further ahead than this is treated as garbage (the hourly window is one hour).
pub const MAX_RESET_AHEAD: Duration = Duration::from_secs(2 * 3600);

/// One budget as an answer reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// Requests per window (informational; absent or garbled → `None`).
    pub limit: Option<u64>,
    /// Requests left in the current window.
    pub remaining: u64,
    /// When the window ends and the budget refills.
    pub reset: SystemTime,
}

/// The two budgets of one answer; a budget whose headers are missing or garbled is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `X-Rate-Limit-*`: per hour.
    pub hour: Option<Bucket>,
    /// `X-Rate-Limit-Burst-*`: per minute.
    pub burst: Option<Bucket>,
}

impl RateLimitHeaders {
    /// Reads the headers of an answer received at `now`.
    pub fn parse(headers: &HeaderMap, now: SystemTime) -> RateLimitHeaders {
        RateLimitHeaders {
            hour: bucket(
                headers,
                now,
                "x-rate-limit-limit",
                "x-rate-limit-remaining",
                "x-rate-limit-reset",
            ),
            burst: bucket(
                headers,
                now,
                "x-rate-limit-burst-limit",
                "x-rate-limit-burst-remaining",
                "x-rate-limit-burst-reset",
            ),
        }
    }

    /// The later reset among the budgets that are spent (remaining 0), if any: when a 429 that
    /// said nothing else can be retried.
    pub fn exhausted_reset(&self) -> Option<SystemTime> {
        [self.hour, self.burst]
            .into_iter()
            .flatten()
            .filter(|b| b.remaining == 0)
            .map(|b| b.reset)
            .max()
    }
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<f64> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value)
}

fn bucket(
    headers: &HeaderMap,
    now: SystemTime,
    limit: &str,
    remaining: &str,
    reset: &str,
) -> Option<Bucket> {
    let remaining = header_number(headers, remaining)? as u64;
    let reset = reset_time(header_number(headers, reset)?, now)?;
    let limit = header_number(headers, limit).map(|l| l as u64);
    Some(Bucket {
        limit,
        remaining,
        reset,
    })
}

/// A reset header value as a point in time: epoch seconds as documented; epoch milliseconds
/// (> 1e11) and small numbers (< 1e9: seconds from now) are accepted as well.
fn reset_time(value: f64, now: SystemTime) -> Option<SystemTime> {
    let at = if value < 1e9 {
        now.checked_add(Duration::try_from_secs_f64(value).ok()?)?
    } else if value > 1e11 {
        UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(value / 1000.0).ok()?)?
    } else {
        UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(value).ok()?)?
    };
    let ahead = at.duration_since(now).unwrap_or(Duration::ZERO);
    (ahead <= MAX_RESET_AHEAD).then_some(at)
}

/// Why a request has to wait, and how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaceWait {
    pub wait: Duration,
    pub reason: &'static str,
}

/// A budget as last reported, plus the requests sent since that report.
#[derive(Debug, Clone, Copy)]
struct Known {
    remaining: u64,
    reset: SystemTime,
    sent_since: u64,
}

#[derive(Debug, Default)]
struct State {
    in_flight: u64,
    hour: Option<Known>,
    burst: Option<Known>,
}

/// Shared pacing state of one client (all its requests draw on the same budgets).
#[derive(Debug)]
pub struct Pacer {
    margin: Duration,
    state: Mutex<State>,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer::new(RESET_MARGIN)
    }
}

impl Pacer {
    pub fn new(margin: Duration) -> Pacer {
        Pacer {
            margin,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few numbers, consistent after every statement: a panic elsewhere while
        // holding the lock leaves nothing to repair.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// At `now`: either the permit to send one request (counted against both budgets), or how
    /// long to wait first. Call again after waiting.
    pub fn acquire(&self, now: SystemTime) -> Result<Permit<'_>, PaceWait> {
        let mut guard = self.lock();
        let state = &mut *guard;
        let margin = self.margin;
        let mut wait: Option<PaceWait> = None;
        for (slot, reason) in [
            (&mut state.burst, "burst (per-minute) limit reached"),
            (&mut state.hour, "hourly limit reached"),
        ] {
            let Some(known) = *slot else { continue };
            let ready_at = known.reset + margin;
            match ready_at.duration_since(now) {
                // The window rolled over: the old numbers say nothing any more.
                Err(_) | Ok(Duration::ZERO) => *slot = None,
                Ok(left) if known.remaining.saturating_sub(known.sent_since) == 0 => {
                    if wait.is_none_or(|w| left > w.wait) {
                        wait = Some(PaceWait { wait: left, reason });
                    }
                }
                Ok(_) => {}
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        Ok(Self::start_locked(self, state))
    }

    /// The permit to send one request without checking the budgets (pacing off); the request is
    /// still counted, and its answer's headers still update the state.
    pub fn start(&self) -> Permit<'_> {
        let mut state = self.lock();
        Self::start_locked(self, &mut state)
    }

    fn start_locked<'a>(pacer: &'a Pacer, state: &mut State) -> Permit<'a> {
        state.in_flight += 1;
        for known in [&mut state.burst, &mut state.hour].into_iter().flatten() {
            known.sent_since += 1;
        }
        Permit { pacer, done: false }
    }

    fn finish(&self, headers: Option<&RateLimitHeaders>) {
        let mut guard = self.lock();
        let state = &mut *guard;
        state.in_flight = state.in_flight.saturating_sub(1);
        let Some(headers) = headers else { return };
        let in_flight = state.in_flight;
        for (slot, seen) in [
            (&mut state.burst, headers.burst),
            (&mut state.hour, headers.hour),
        ] {
            let Some(seen) = seen else { continue };
            let fresh = Known {
                remaining: seen.remaining,
                reset: seen.reset,
                sent_since: in_flight,
            };
            *slot = match *slot {
                // An answer from an older window, overtaken by a newer one: ignore it.
                Some(old) if seen.reset < old.reset => Some(old),
                // Same window: answers may arrive out of order; the lowest count is the latest.
                Some(old) if seen.reset == old.reset && old.remaining < seen.remaining => {
                    Some(Known {
                        sent_since: old.sent_since.min(in_flight),
                        ..old
                    })
                }
                _ => Some(fresh),
            };
        }
    }
}

/// One request in flight. Finish it with the answer's headers; dropping it (transport failure)
/// just stops counting it as in flight.
#[derive(Debug)]
pub struct Permit<'a> {
    pacer: &'a Pacer,
    done: bool,
}

impl Permit<'_> {
    /// The answer arrived with these headers.
    pub fn finish(mut self, headers: &RateLimitHeaders) {
        self.done = true;
        self.pacer.finish(Some(headers));
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.pacer.finish(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    const T0: u64 = 1_750_000_000;

    fn at(secs: f64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs_f64(secs)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn burst(remaining: u64, reset: u64) -> RateLimitHeaders {
        RateLimitHeaders {
            hour: None,
            burst: Some(Bucket {
                limit: Some(30),
                remaining,
                reset: UNIX_EPOCH + Duration::from_secs(reset),
            }),
        }
    }

    #[test]
    fn parses_both_budgets() {
        let now = at(T0 as f64);
        let h = headers(&[
            ("X-Rate-Limit-Limit", "1800"),
            ("X-Rate-Limit-Remaining", "1799"),
            ("X-Rate-Limit-Reset", &(T0 + 3000).to_string()),
            ("X-Rate-Limit-Burst-Limit", "30"),
            ("X-Rate-Limit-Burst-Remaining", "0"),
            ("X-Rate-Limit-Burst-Reset", &(T0 + 42).to_string()),
        ]);
        let p = RateLimitHeaders::parse(&h, now);
        assert_eq!(
            p.hour,
            Some(Bucket {
                limit: Some(1800),
                remaining: 1799,
                reset: at((T0 + 3000) as f64)
            })
        );
        assert_eq!(
            p.burst,
            Some(Bucket {
                limit: Some(30),
                remaining: 0,
                reset: at((T0 + 42) as f64)
            })
        );
        assert_eq!(p.exhausted_reset(), Some(at((T0 + 42) as f64)));
    }

    #[test]
    fn garbled_or_missing_headers_mean_no_information() {
        let now = at(T0 as f64);
        for h in [
            headers(&[]),
            headers(&[
                ("X-Rate-Limit-Burst-Remaining", "zero"),
                ("X-Rate-Limit-Burst-Reset", "soon"),
            ]),
            headers(&[
                ("X-Rate-Limit-Burst-Remaining", "-1"),
                ("X-Rate-Limit-Burst-Reset", "1750000042"),
            ]),
            headers(&[("X-Rate-Limit-Burst-Remaining", "0")]),
            headers(&[
                ("X-Rate-Limit-Burst-Remaining", "0"),
                ("X-Rate-Limit-Burst-Reset", "NaN"),
            ]),
            headers(&[
                ("X-Rate-Limit-Burst-Remaining", "0"),
                ("X-Rate-Limit-Burst-Reset", "1e300"),
            ]),
            // Years ahead: obeying it would hang the sync.
            headers(&[
                ("X-Rate-Limit-Burst-Remaining", "0"),
                ("X-Rate-Limit-Burst-Reset", "99999999999"),
            ]),
        ] {
            let p = RateLimitHeaders::parse(&h, now);
            assert_eq!(p.burst, None, "{h:?}");
        }
    }

    #[test]
    fn lenient_reset_units() {
        let now = at(T0 as f64);
        let reset = |v: &str| {
            RateLimitHeaders::parse(
                &headers(&[
                    ("X-Rate-Limit-Burst-Remaining", "0"),
                    ("X-Rate-Limit-Burst-Reset", v),
                ]),
                now,
            )
            .burst
            .map(|b| b.reset)
        };
        assert_eq!(reset("30"), Some(at((T0 + 30) as f64)), "seconds from now");
        assert_eq!(
            reset(&((T0 + 30) * 1000).to_string()),
            Some(at((T0 + 30) as f64)),
            "epoch ms"
        );
        assert_eq!(
            reset(&(T0 - 5).to_string()),
            Some(at((T0 - 5) as f64)),
            "past resets are kept"
        );
    }

    #[test]
    fn waits_only_when_a_budget_is_spent() {
        let p = Pacer::default();
        let now = at(T0 as f64);
        // Nothing known: go.
        p.acquire(now).unwrap().finish(&burst(2, T0 + 10));
        // Two left: two more requests go without waiting, the third waits.
        let a = p.acquire(now).unwrap();
        let b = p.acquire(now).unwrap();
        let w = p.acquire(now).unwrap_err();
        assert_eq!(w.wait, Duration::from_secs(10) + RESET_MARGIN);
        assert!(w.reason.contains("burst"));
        drop(a);
        drop(b);
        // After the reset the stale numbers are forgotten.
        let later = at((T0 + 11) as f64);
        assert!(p.acquire(later).is_ok());
    }

    #[test]
    fn the_longer_of_two_spent_budgets_wins() {
        let p = Pacer::default();
        let now = at(T0 as f64);
        let h = RateLimitHeaders {
            hour: Some(Bucket {
                limit: None,
                remaining: 0,
                reset: at((T0 + 600) as f64),
            }),
            burst: Some(Bucket {
                limit: None,
                remaining: 0,
                reset: at((T0 + 20) as f64),
            }),
        };
        p.start().finish(&h);
        let w = p.acquire(now).unwrap_err();
        assert_eq!(
            (w.wait, w.reason),
            (
                Duration::from_secs(600) + RESET_MARGIN,
                "hourly limit reached"
            )
        );
    }

    #[test]
    fn out_of_order_answers_keep_the_latest_numbers() {
        let p = Pacer::default();
        let now = at(T0 as f64);
        let (a, b) = (p.start(), p.start());
        b.finish(&burst(0, T0 + 5));
        a.finish(&burst(1, T0 + 5)); // older answer of the same window
        assert!(p.acquire(now).is_err(), "remaining 0 must stand");
        // An answer from an earlier window is ignored too.
        p.start().finish(&burst(9, T0 - 60));
        assert!(p.acquire(now).is_err());
    }

    #[test]
    fn requests_in_flight_count_against_the_budget() {
        let p = Pacer::default();
        let now = at(T0 as f64);
        let first = p.start();
        let second = p.start();
        // The first answer says 1 left; the second request is still out, so nothing is left.
        first.finish(&burst(1, T0 + 5));
        assert!(p.acquire(now).is_err());
        drop(second);
    }
}
