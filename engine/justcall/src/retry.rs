//! Retry policy only: is an attempt's outcome worth another attempt, and must it wait for
//! something specific first?
//!
//! * Retried after backoff ([`Decision::Retry`]): HTTP 5xx (500, 502, 503, 504, ...) and 408;
//!   timeouts; connection failures (refused, reset, closed) including a body that broke off
//!   mid-way.
//! * Retried at a time the server chose ([`Decision::RetryAfter`]): HTTP 429, after `Retry-After`
//!   (seconds or an HTTP date) when present, else at the later spent rate-limit reset, else 1 s.
//! * Not retried ([`Decision::Fail`]): every other status (400, 401, 403, 404, 422, ...), a
//!   complete body that is not the JSON envelope, request-building errors and TLS errors such as
//!   an untrusted certificate (the same answer would come back).
//!
//! How long [`Decision::Retry`] waits is `backoff.rs`'s business; the attempt budget is the
//! client's.

use std::error::Error as StdError;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;

use super::rate_limit::{RateLimitHeaders, RESET_MARGIN};

/// The wait after a 429 that says nothing about when to come back.
pub const DEFAULT_429_WAIT: Duration = Duration::from_secs(1);

/// What to do after one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Try again after the backoff's wait.
    Retry,
    /// Try again after exactly this long (the server asked for it).
    RetryAfter(Duration),
    /// Stop: another attempt would get the same answer.
    Fail,
}

/// An HTTP answer's status (the body, if any, was read completely).
pub fn classify_status(status: StatusCode, headers: &HeaderMap, now: SystemTime) -> Decision {
    match status.as_u16() {
        429 => Decision::RetryAfter(wait_after_429(headers, now)),
        408 => Decision::Retry,
        500..=599 => Decision::Retry,
        _ => Decision::Fail,
    }
}

/// How long a 429 asks to wait: `Retry-After`, else until the later spent reset (plus the pacing
/// margin), else [`DEFAULT_429_WAIT`].
pub fn wait_after_429(headers: &HeaderMap, now: SystemTime) -> Duration {
    if let Some(wait) = retry_after(headers, now) {
        return wait;
    }
    if let Some(reset) = RateLimitHeaders::parse(headers, now).exhausted_reset() {
        return reset.duration_since(now).unwrap_or(Duration::ZERO) + RESET_MARGIN;
    }
    DEFAULT_429_WAIT
}

/// `Retry-After` as delta-seconds (decimals tolerated) or an HTTP date; garbage → `None`.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<f64>() {
        // Anything beyond the hourly window is not a plausible rate-limit wait.
        return (secs.is_finite() && (0.0..=7200.0).contains(&secs))
            .then(|| Duration::from_secs_f64(secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let at = SystemTime::from(date.with_timezone(&chrono::Utc));
    let wait = at.duration_since(now).unwrap_or(Duration::ZERO);
    (wait <= Duration::from_secs(7200)).then_some(wait)
}

/// A failure to get a complete answer (no response, or a body that could not be read).
pub fn classify_transport(error: &reqwest::Error) -> Decision {
    if error.is_builder() || error.is_redirect() {
        return Decision::Fail;
    }
    if error.is_timeout() || error.is_body() || error.is_connect() || error.is_request() {
        return if is_tls_failure(error) {
            Decision::Fail
        } else {
            Decision::Retry
        };
    }
    // Anything else from the transport (decoding a compressed body, protocol errors): a new
    // connection may well succeed.
    Decision::Retry
}

/// A TLS error (bad certificate, handshake failure) somewhere in the chain: retrying cannot help.
fn is_tls_failure(error: &(dyn StdError + 'static)) -> bool {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = current {
        if e.is::<rustls::Error>() {
            return true;
        }
        // io::Error::source() skips the error it wraps; look inside.
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            if inner.is::<rustls::Error>() {
                return true;
            }
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use std::time::UNIX_EPOCH;

    const T0: u64 = 1_750_000_000;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(T0)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn statuses() {
        let h = HeaderMap::new();
        for code in [500, 502, 503, 504, 599, 408] {
            assert_eq!(
                classify_status(StatusCode::from_u16(code).unwrap(), &h, now()),
                Decision::Retry,
                "{code}"
            );
        }
        for code in [400, 401, 403, 404, 405, 409, 422] {
            assert_eq!(
                classify_status(StatusCode::from_u16(code).unwrap(), &h, now()),
                Decision::Fail,
                "{code}"
            );
        }
        assert_eq!(
            classify_status(StatusCode::TOO_MANY_REQUESTS, &h, now()),
            Decision::RetryAfter(DEFAULT_429_WAIT)
        );
    }

    #[test]
    fn a_429_waits_for_retry_after_then_the_spent_reset() {
        let h = headers(&[("Retry-After", "3")]);
        assert_eq!(wait_after_429(&h, now()), Duration::from_secs(3));
        let h = headers(&[("Retry-After", "Sun, 15 Jun 2025 15:06:50 GMT")]); // T0 + 10 s
        assert_eq!(wait_after_429(&h, now()), Duration::from_secs(10));
        // No Retry-After: the later of the spent budgets' resets.
        let h = headers(&[
            ("X-Rate-Limit-Remaining", "0"),
            ("X-Rate-Limit-Reset", &(T0 + 100).to_string()),
            ("X-Rate-Limit-Burst-Remaining", "0"),
            ("X-Rate-Limit-Burst-Reset", &(T0 + 20).to_string()),
        ]);
        assert_eq!(
            wait_after_429(&h, now()),
            Duration::from_secs(100) + RESET_MARGIN
        );
        // A budget with requests left does not count.
        let h = headers(&[
            ("X-Rate-Limit-Remaining", "5"),
            ("X-Rate-Limit-Reset", &(T0 + 100).to_string()),
            ("X-Rate-Limit-Burst-Remaining", "0"),
            ("X-Rate-Limit-Burst-Reset", &(T0 + 20).to_string()),
        ]);
        assert_eq!(
            wait_after_429(&h, now()),
            Duration::from_secs(20) + RESET_MARGIN
        );
        // Garbage everywhere: one second.
        let h = headers(&[("Retry-After", "later"), ("X-Rate-Limit-Burst-Reset", "x")]);
        assert_eq!(wait_after_429(&h, now()), DEFAULT_429_WAIT);
    }

    #[test]
    fn tls_errors_are_found_inside_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        #[derive(Debug, thiserror::Error)]
        #[error("client error (Connect)")]
        struct Outer(#[source] std::io::Error);
        assert!(is_tls_failure(&Outer(io)));
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(!is_tls_failure(&Outer(refused)));
    }

    #[tokio::test]
    async fn connection_refused_is_retried() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        // A port that was just free: nothing listens there.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let err = reqwest::Client::new()
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(classify_transport(&err), Decision::Retry, "{err:?}");
    }
}
