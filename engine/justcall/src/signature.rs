//! JustCall webhook signatures (v1).
//!
//! `x-justcall-signature` = lowercase hex of HMAC-SHA256 with the API secret as key over
//! `secret|encodeURIComponent(webhook_url)|type|timestamp`, where `timestamp` is the
//! `x-justcall-request-timestamp` header (`YYYY-MM-DD HH:MM:SS`, UTC). The URL is the one
//! configured for this server, never the body's `webhook_url` (the body is not signed).

use chrono::{NaiveDateTime, TimeDelta};

/// JavaScript's `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` is
/// percent-encoded as UTF-8 bytes with upper-case hex.
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn message(secret: &str, url: &str, event_type: &str, timestamp: &str) -> String {
    format!(
        "{secret}|{}|{event_type}|{timestamp}",
        encode_uri_component(url)
    )
}

/// The signature JustCall sends for an event.
pub fn sign(secret: &str, url: &str, event_type: &str, timestamp: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, message(secret, url, event_type, timestamp).as_bytes());
    tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a request was refused (logged; never contains the secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    #[error("unsupported signature version {0:?}")]
    Version(String),
    #[error("unreadable timestamp {0:?}")]
    BadTimestamp(String),
    #[error("timestamp {timestamp} is {skew_secs} s away from now (window {window_secs} s)")]
    Stale {
        timestamp: String,
        skew_secs: i64,
        window_secs: i64,
    },
    #[error("timestamp {timestamp} is {ahead_secs} s ahead of now (at most {skew_secs} s of clock skew is accepted)")]
    Future {
        timestamp: String,
        ahead_secs: i64,
        skew_secs: i64,
    },
    #[error("signature does not match")]
    BadSignature,
}

/// Checks one request's signature headers against the configured URL and secret. A timestamp
/// may lie up to `window` in the past but only `future_skew` (clock skew) in the future: a
/// signature valid for longer than the window would admit bodies for longer.
#[allow(clippy::too_many_arguments)] // the three headers, the three settings and the clock, spelled out
pub fn verify(
    secret: &str,
    url: &str,
    event_type: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    version: Option<&str>,
    now: NaiveDateTime,
    window: TimeDelta,
    future_skew: TimeDelta,
) -> Result<(), Rejection> {
    let timestamp = timestamp.ok_or(Rejection::MissingHeader("x-justcall-request-timestamp"))?;
    let signature = signature.ok_or(Rejection::MissingHeader("x-justcall-signature"))?;
    if let Some(v) = version {
        if !v.trim().eq_ignore_ascii_case("v1") {
            return Err(Rejection::Version(v.to_string()));
        }
    }
    // The reference shows `2024-03-21 17:08:22`; JustCall's docs also call the header an integer,
    // so unix seconds (or milliseconds) are accepted too. The signature covers the text as sent.
    let t = timestamp.trim();
    let at = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S")
        .ok()
        .or_else(|| {
            let n: i64 = t.parse().ok()?;
            let secs = if n > 100_000_000_000 { n / 1000 } else { n };
            chrono::DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc())
        })
        .ok_or_else(|| Rejection::BadTimestamp(timestamp.to_string()))?;
    let ahead = (at - now).num_seconds();
    let allowed_ahead = future_skew.min(window).num_seconds();
    if ahead > allowed_ahead {
        return Err(Rejection::Future {
            timestamp: timestamp.to_string(),
            ahead_secs: ahead,
            skew_secs: allowed_ahead,
        });
    }
    let skew = (now - at).num_seconds().abs();
    if skew > window.num_seconds() {
        return Err(Rejection::Stale {
            timestamp: timestamp.to_string(),
            skew_secs: skew,
            window_secs: window.num_seconds(),
        });
    }
    let tag: Vec<u8> = (0..signature.trim().len() / 2)
        .filter_map(|i| u8::from_str_radix(signature.trim().get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    // Constant-time comparison.
    ring::hmac::verify(
        &key,
        message(secret, url, event_type, timestamp.trim()).as_bytes(),
        &tag,
    )
    .map_err(|_| Rejection::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "ea39089c40790e9dc7a080ec95e849b8fa0fa5fb";
    const URL: &str = "https://webhook.site/3bcea770-370a-4b09-8b66-426f687e08a4";
    const TS: &str = "2024-03-21 17:08:22";
    const SIG: &str = "56761bae5b27a784a3ddd2af828bc5def7176bc0a8650199b04c737bd39bbecf";

    fn now() -> NaiveDateTime {
        NaiveDateTime::parse_from_str("2024-03-21 17:09:00", "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn the_documented_test_vector_passes() {
        assert_eq!(sign(SECRET, URL, "call.completed", TS), SIG);
        let ok = verify(
            SECRET,
            URL,
            "call.completed",
            Some(TS),
            Some(SIG),
            Some("v1"),
            now(),
            TimeDelta::minutes(5),
            TimeDelta::minutes(1),
        );
        assert_eq!(ok, Ok(()));
    }

    #[test]
    fn forged_stale_and_incomplete_requests_are_refused() {
        let w = TimeDelta::minutes(5);
        let check = |ty: &str, ts: Option<&str>, sig: Option<&str>, now: NaiveDateTime| {
            verify(
                SECRET,
                URL,
                ty,
                ts,
                sig,
                Some("v1"),
                now,
                w,
                TimeDelta::minutes(1),
            )
        };
        assert_eq!(
            check("call.updated", Some(TS), Some(SIG), now()),
            Err(Rejection::BadSignature)
        );
        let mut forged = SIG.to_string();
        forged.replace_range(0..1, "6");
        assert_eq!(
            check("call.completed", Some(TS), Some(&forged), now()),
            Err(Rejection::BadSignature)
        );
        let later = now() + TimeDelta::hours(1);
        assert!(matches!(
            check("call.completed", Some(TS), Some(SIG), later),
            Err(Rejection::Stale { .. })
        ));
        // Within the window in the past, but not in the future beyond the clock skew: a
        // signature stamped ahead would stay valid (and admit bodies) for longer than the window.
        let earlier = now() - TimeDelta::minutes(3);
        assert!(matches!(
            check("call.completed", Some(TS), Some(SIG), earlier),
            Err(Rejection::Future {
                ahead_secs: 142,
                ..
            })
        ));
        let slightly = now() - TimeDelta::seconds(90);
        assert_eq!(
            check("call.completed", Some(TS), Some(SIG), slightly),
            Ok(())
        );
        assert_eq!(
            check("call.completed", None, Some(SIG), now()),
            Err(Rejection::MissingHeader("x-justcall-request-timestamp"))
        );
        assert_eq!(
            check("call.completed", Some(TS), None, now()),
            Err(Rejection::MissingHeader("x-justcall-signature"))
        );
        assert!(matches!(
            check("call.completed", Some("yesterday"), Some(SIG), now()),
            Err(Rejection::BadTimestamp(_))
        ));
        let v2 = verify(
            SECRET,
            URL,
            "call.completed",
            Some(TS),
            Some(SIG),
            Some("v2"),
            now(),
            w,
            w,
        );
        assert!(matches!(v2, Err(Rejection::Version(_))));
        // Another URL (e.g. the body's, not the configured one) does not verify.
        let other = verify(
            SECRET,
            "https://evil.example/hook",
            "call.completed",
            Some(TS),
            Some(SIG),
            None,
            now(),
            w,
            w,
        );
        assert_eq!(other, Err(Rejection::BadSignature));
    }

    #[test]
    fn encode_uri_component_matches_javascript() {
        assert_eq!(
            encode_uri_component("https://a.b/c?d=e f&g"),
            "https%3A%2F%2Fa.b%2Fc%3Fd%3De%20f%26g"
        );
        assert_eq!(encode_uri_component("A-z_0.!~*'()"), "A-z_0.!~*'()");
        assert_eq!(encode_uri_component("é"), "%C3%A9");
    }
}
