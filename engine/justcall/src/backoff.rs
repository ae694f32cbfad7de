//! Backoff only: how long to wait before the next attempt of a failed request.
//!
//! Capped exponential backoff with jitter (the two variants of the AWS Architecture Blog's
//! "Exponential Backoff And Jitter"):
//! * [`Jitter::Full`]: `random(0, min(max, base × 2^n))` for the n-th retry (n from 0);
//! * [`Jitter::Decorrelated`]: `min(max, random(base, previous × 3))`, starting from `base`, so
//!   every wait is at least `base` and the waits of many clients drift apart.
//!
//! Whether to retry at all, and the waits a 429 dictates, belong to each client's retry policy
//! (`justcall/retry.rs`, `firestore/retry.rs`). The random source
//! is a parameter, so a seeded rng makes the sequence reproducible in tests.

use std::time::Duration;

use rand::Rng;

/// How retries are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffConfig {
    /// The first wait (decorrelated: the smallest wait; full: the first cap). Default 250 ms.
    pub base: Duration,
    /// No wait is longer than this. Default 30 s.
    pub max: Duration,
    /// How waits are randomised. Default [`Jitter::Decorrelated`].
    pub jitter: Jitter,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig {
            base: Duration::from_millis(250),
            max: Duration::from_secs(30),
            jitter: Jitter::Decorrelated,
        }
    }
}

/// The jitter strategy of [`Backoff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Uniform in `[0, min(max, base × 2^n)]`.
    Full,
    /// Uniform in `[base, previous × 3]`, capped at `max`.
    Decorrelated,
}

/// The waits of one request's retries: create one per request, call [`Backoff::next`] per retry.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    retries: u32,
    previous: Duration,
}

impl Backoff {
    pub fn new(config: BackoffConfig) -> Backoff {
        Backoff {
            config,
            retries: 0,
            previous: config.base,
        }
    }

    /// The wait before the next retry.
    pub fn next<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Duration {
        let BackoffConfig { base, max, jitter } = self.config;
        let base = base.min(max);
        let wait = match jitter {
            Jitter::Full => {
                let cap = base.saturating_mul(1u32 << self.retries.min(20)).min(max);
                uniform(rng, Duration::ZERO, cap)
            }
            Jitter::Decorrelated => {
                let high = self.previous.saturating_mul(3).min(max).max(base);
                uniform(rng, base, high)
            }
        };
        self.retries = self.retries.saturating_add(1);
        self.previous = wait;
        wait
    }
}

/// Uniform in `[low, high]` at microsecond resolution (`low` when the range is empty).
fn uniform<R: Rng + ?Sized>(rng: &mut R, low: Duration, high: Duration) -> Duration {
    let (low_us, high_us) = (low.as_micros() as u64, high.as_micros() as u64);
    if high_us <= low_us {
        return low;
    }
    Duration::from_micros(rng.random_range(low_us..=high_us))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn config(jitter: Jitter) -> BackoffConfig {
        BackoffConfig {
            jitter,
            ..BackoffConfig::default()
        }
    }

    fn waits(jitter: Jitter, seed: u64, n: usize) -> Vec<Duration> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut b = Backoff::new(config(jitter));
        (0..n).map(|_| b.next(&mut rng)).collect()
    }

    #[test]
    fn full_jitter_stays_under_the_doubling_cap() {
        let w = waits(Jitter::Full, 1, 12);
        for (n, d) in w.iter().enumerate() {
            let cap = Duration::from_millis(250)
                .saturating_mul(1 << n)
                .min(Duration::from_secs(30));
            assert!(*d <= cap, "retry {n}: {d:?} > {cap:?}");
        }
        assert!(w.iter().all(|d| *d <= Duration::from_secs(30)));
    }

    #[test]
    fn decorrelated_jitter_stays_between_base_and_max() {
        let w = waits(Jitter::Decorrelated, 2, 50);
        assert!(w
            .iter()
            .all(|d| *d >= Duration::from_millis(250) && *d <= Duration::from_secs(30)));
        assert!(w[0] <= Duration::from_millis(750));
        // It grows: after many retries the waits reach the cap region.
        assert!(w.iter().any(|d| *d > Duration::from_secs(5)), "{w:?}");
    }

    #[test]
    fn a_seeded_rng_gives_the_same_waits() {
        for jitter in [Jitter::Full, Jitter::Decorrelated] {
            assert_eq!(waits(jitter, 7, 10), waits(jitter, 7, 10));
            assert_ne!(waits(jitter, 7, 10), waits(jitter, 8, 10));
        }
    }

    #[test]
    fn degenerate_configs_do_not_panic() {
        let mut rng = StdRng::seed_from_u64(0);
        for (base, max) in [
            (Duration::ZERO, Duration::ZERO),
            (Duration::from_secs(5), Duration::from_secs(1)),
        ] {
            for jitter in [Jitter::Full, Jitter::Decorrelated] {
                let mut b = Backoff::new(BackoffConfig { base, max, jitter });
                for _ in 0..40 {
                    assert!(b.next(&mut rng) <= max);
                }
            }
        }
    }
}
