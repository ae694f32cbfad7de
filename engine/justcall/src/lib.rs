//! callduck-justcall: the JustCall REST API v2.1 client (users, calls and SMS, page by page) and
//! JustCall's webhook signatures. It knows nothing of DuckDB, so it builds and tests in seconds
//! and could be published on its own; the callduck engine re-exports it as `callduck::justcall`.
//!
//! What the API expects, and what this module does about it:
//! * auth is the raw pair `Authorization: <key>:<secret>` (no `Basic`, no base64), plus
//!   `Accept: application/json`; both values are [`Secret`](crate::secret::Secret)s and never
//!   appear in logs, errors or `Debug` output;
//! * pages are 0-based, at most 100 records each; a list stops on an empty page, a short page or
//!   an empty `next_page_link` ([`Page::is_last`]), and every record's raw JSON is kept as sent so
//!   the engine can quarantine a bad record without losing its page;
//! * one request spans at most 90 days ([`windows`] splits a range, [`JustCallClient::list_page`]
//!   refuses longer windows instead of sending them);
//! * the client paces itself from the `X-Rate-Limit-*` headers so a long backfill runs at the
//!   plan's limit without tripping HTTP 429, and retries what is worth retrying with capped,
//!   jittered backoff. Errors never turn into empty results.
//!
//! The files have fixed roles:
//! * `lib.rs` (this file): re-exports and the [`Stream`] enum;
//! * `config.rs`: [`JustCallConfig`], read from the environment and validated;
//! * `error.rs`: [`JustCallError`], which names the request and never the credentials;
//! * `retry.rs`: retry policy only: which outcomes are retried, and after how long for 429;
//! * `backoff.rs`: how long to wait before the next attempt (capped, jittered, exponential),
//!   kept apart from the retry policy; the engine's Firestore sink uses it too;
//! * `secret.rs`: [`secret::Secret`], a string that prints as redacted;
//! * `signature.rs`: JustCall's webhook signature (HMAC-SHA256), checked by `callduck serve`
//!   and made by the simulator;
//! * `rate_limit.rs`: the rate-limit headers and pacing before each request;
//! * `client.rs`: [`JustCallClient`]: requests, the envelope, pages, windows and statistics.

pub mod backoff;
mod client;
mod config;
mod error;
mod rate_limit;
mod retry;
pub mod secret;
pub mod signature;

pub use crate::backoff::{Backoff, BackoffConfig, Jitter};
pub use client::{
    windows, ClientEvent, ClientStats, JustCallClient, Page, Window, MAX_WINDOW_DAYS,
};
pub use config::{JustCallConfig, DEFAULT_BASE_URL, MAX_PER_PAGE};
pub use error::JustCallError;
pub use rate_limit::{Bucket, PaceWait, Pacer, Permit, RateLimitHeaders};
pub use retry::Decision;

/// The record streams callduck ingests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stream {
    /// Agents and other users of the account (`/v2.1/users`).
    Users,
    /// Calls (`/v2.1/calls`).
    Calls,
    /// SMS and MMS (`/v2.1/texts`).
    Texts,
}

impl Stream {
    /// Every stream, in the order a sync runs them (users first: they map agents).
    pub const ALL: [Stream; 3] = [Stream::Users, Stream::Calls, Stream::Texts];

    /// The list endpoint's path; one record lives at `{path}/{id}`.
    pub fn path(&self) -> &'static str {
        match self {
            Stream::Users => "/v2.1/users",
            Stream::Calls => "/v2.1/calls",
            Stream::Texts => "/v2.1/texts",
        }
    }

    /// A short lowercase name for logs, tables and progress bars.
    pub fn name(&self) -> &'static str {
        match self {
            Stream::Users => "users",
            Stream::Calls => "calls",
            Stream::Texts => "texts",
        }
    }
}

impl std::fmt::Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_names() {
        let got: Vec<_> = Stream::ALL.iter().map(|s| (s.name(), s.path())).collect();
        assert_eq!(
            got,
            [
                ("users", "/v2.1/users"),
                ("calls", "/v2.1/calls"),
                ("texts", "/v2.1/texts")
            ]
        );
        assert_eq!(Stream::Calls.to_string(), "calls");
    }
}
