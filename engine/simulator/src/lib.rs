//! callduck-simulator: a real HTTP server that serves a deterministic synthetic JustCall account
//! through the REST API v2.1, for integration tests, benchmarks and `callduck demo`. It needs no
//! DuckDB; the engine re-exports it as `callduck::simulator`.
//!
//! Why a simulator: the engine must be tested against the API's real behaviour (raw
//! `key:secret` auth, 0-based pages, filters read in the account's time zone, 90-day windows,
//! rate-limit headers and 429s, messy JSON) without credentials or network. Everything here is
//! deterministic from [`SimConfig::seed`], so a test can compare what it stored with
//! [`SimHandle::dataset`] field by field.
//!
//! The files have fixed roles:
//! * `lib.rs` (this file): configuration, the public handle, start and shutdown;
//! * `names.rs`: word lists the generator draws names, companies and texts from;
//! * `dataset.rs`: the generator of users, customers, calls and SMS;
//! * `crm.rs`: CRM exports of the customers (Copper, Fishbowl) and the matching benchmark's world;
//! * `served.rs`: the data set as served: time indexes, filtering, edits, appends and the clock;
//! * `render.rs`: canonical records → the messy JSON JustCall sends;
//! * `query.rs`: query parameters → filters (time zones, 90-day spans) and paging math;
//! * `rate_limit.rs`: fixed-window hourly and burst limits and their headers;
//! * `faults.rs`: injected faults (5xx, dropped connections, slow answers, 429s, repeated pages)
//!   and poisoned records whose single-record endpoint never works;
//! * `webhooks.rs`: signed webhook deliveries of the data set, as JustCall sends them (records
//!   created, calls updated);
//! * `server.rs`: the axum routes, authentication and responses.

pub mod crm;
mod dataset;
mod faults;
mod names;
mod query;
mod rate_limit;
mod render;
mod served;
mod server;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use callduck_metrics::{Call, Sms, User};
use chrono::{NaiveDate, NaiveDateTime};

pub use dataset::generate;
pub use faults::{Fault, Poison};
pub use rate_limit::RateLimit;

/// What the simulator generates and how it behaves.
#[derive(Clone)]
pub struct SimConfig {
    /// Seed of the synthetic data set: same seed and settings, same data.
    pub seed: u64,
    /// Number of agents (JustCall users).
    pub agents: usize,
    /// History length in days, ending at `end`.
    pub days: u32,
    /// UTC "now" of the data set; every record is strictly before it.
    pub end: NaiveDateTime,
    /// Mean calls per agent and day (a weekday/hour pattern is applied).
    pub calls_per_agent_day: f64,
    /// Mean SMS per agent and day.
    pub texts_per_agent_day: f64,
    /// Size of the customer pool that contacts come from.
    pub customers: usize,
    /// The API key the server accepts.
    pub api_key: String,
    /// The API secret the server accepts (never logged).
    pub api_secret: String,
    /// IANA zone in which `from_datetime`/`to_datetime` filters are read.
    pub account_timezone: String,
    /// Enforced rate limits; `None` = unlimited (headers are still sent, with large numbers).
    pub rate_limit: Option<RateLimit>,
    /// How many calls are served malformed (chosen deterministically).
    pub malformed_calls: usize,
    /// How many SMS are served malformed (chosen deterministically).
    pub malformed_texts: usize,
    /// Added to every response.
    pub latency: Duration,
}

impl SimConfig {
    /// The fixed end of the default data set: 2026-11-20 00:00:00 UTC.
    pub fn default_end() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 20)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("a valid fixed date")
    }

    /// The default configuration, but with history ending now (whole seconds, UTC): for the
    /// demo and `callduck simulate`. Not deterministic across runs.
    pub fn ending_now() -> SimConfig {
        let now = chrono::Utc::now().naive_utc();
        let end = now.date().and_time(
            chrono::NaiveTime::from_num_seconds_from_midnight_opt(
                chrono::Timelike::num_seconds_from_midnight(&now),
                0,
            )
            .expect("a second of the day"),
        );
        SimConfig {
            end,
            ..SimConfig::default()
        }
    }

    /// First instant of the history (inclusive): `end - days`.
    pub fn start(&self) -> NaiveDateTime {
        self.end - chrono::Duration::days(i64::from(self.days))
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            agents: 8,
            days: 90,
            end: SimConfig::default_end(),
            calls_per_agent_day: 25.0,
            texts_per_agent_day: 15.0,
            customers: 400,
            api_key: "sim-key".into(),
            api_secret: "sim-secret".into(),
            account_timezone: "America/New_York".into(),
            rate_limit: None,
            malformed_calls: 0,
            malformed_texts: 0,
            latency: Duration::ZERO,
        }
    }
}

impl std::fmt::Debug for SimConfig {
    // Hand-written so that the API secret can never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("seed", &self.seed)
            .field("agents", &self.agents)
            .field("days", &self.days)
            .field("end", &self.end)
            .field("calls_per_agent_day", &self.calls_per_agent_day)
            .field("texts_per_agent_day", &self.texts_per_agent_day)
            .field("customers", &self.customers)
            .field("api_key", &self.api_key)
            .field("api_secret", &"<redacted>")
            .field("account_timezone", &self.account_timezone)
            .field("rate_limit", &self.rate_limit)
            .field("malformed_calls", &self.malformed_calls)
            .field("malformed_texts", &self.malformed_texts)
            .field("latency", &self.latency)
            .finish()
    }
}

/// One line describing the data set a configuration produces, without generating it.
pub fn describe(config: &SimConfig) -> String {
    let agent_days = config.agents as f64 * f64::from(config.days);
    format!(
        "JustCall simulator: seed {}, {} agents, about {:.0} calls and {:.0} texts from {} to {} UTC{}",
        config.seed,
        config.agents,
        agent_days * config.calls_per_agent_day,
        agent_days * config.texts_per_agent_day,
        config.start().format("%Y-%m-%d %H:%M:%S"),
        config.end.format("%Y-%m-%d %H:%M:%S"),
        match &config.rate_limit {
            Some(r) => format!(", rate limit {}/h and {} per burst window", r.per_hour, r.per_burst),
            None => String::new(),
        }
    )
}

/// The canonical data set: what a perfect sync must store.
///
/// `calls` and `texts` are sorted by id, and ids increase with time. `calls` holds the canonical
/// value of every call including the malformed ones; `malformed_*_ids` says which are served
/// broken.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub users: Vec<User>,
    pub calls: Vec<Call>,
    pub texts: Vec<Sms>,
    pub customers: Vec<Customer>,
    pub malformed_call_ids: Vec<i64>,
    pub malformed_text_ids: Vec<i64>,
}

/// A customer of the simulated business: the pool that calls' and texts' contacts come from.
#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub company: Option<String>,
    /// E.164 numbers (records show them in messier formats).
    pub phones: Vec<String>,
    pub emails: Vec<String>,
}

/// Request counters of a running simulator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimStats {
    /// Every HTTP request received, whatever its answer.
    pub requests: u64,
    /// `GET /v2.1/users` list requests.
    pub users: u64,
    /// `GET /v2.1/calls` list requests.
    pub calls: u64,
    /// `GET /v2.1/texts` list requests.
    pub texts: u64,
    /// Single-record requests (`/v2.1/{users,calls,texts}/{id}`).
    pub single: u64,
    /// Requests answered 401.
    pub unauthorized: u64,
    /// Requests answered 429, by the rate limiter or an injected fault.
    pub throttled: u64,
    /// Injected faults served (each unit of each fault's count).
    pub faults: u64,
}

/// Lock-free counters behind [`SimStats`].
#[derive(Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    users: AtomicU64,
    calls: AtomicU64,
    texts: AtomicU64,
    single: AtomicU64,
    unauthorized: AtomicU64,
    throttled: AtomicU64,
    faults: AtomicU64,
}

impl Counters {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> SimStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        SimStats {
            requests: get(&self.requests),
            users: get(&self.users),
            calls: get(&self.calls),
            texts: get(&self.texts),
            single: get(&self.single),
            unauthorized: get(&self.unauthorized),
            throttled: get(&self.throttled),
            faults: get(&self.faults),
        }
    }
}

/// State shared by the handle and the request handlers.
pub(crate) struct Shared {
    pub(crate) config: SimConfig,
    pub(crate) account_tz: chrono_tz::Tz,
    pub(crate) base_url: String,
    pub(crate) served: RwLock<served::Served>,
    pub(crate) limiter: std::sync::Mutex<rate_limit::Limiter>,
    pub(crate) faults: faults::FaultQueue,
    pub(crate) poisoned: faults::Poisoned,
    pub(crate) duplicate_across_pages: AtomicBool,
    pub(crate) stats: Counters,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    pub(crate) fn served(&self) -> std::sync::RwLockReadGuard<'_, served::Served> {
        self.served.read().unwrap_or_else(|e| e.into_inner())
    }

    fn served_mut(&self) -> std::sync::RwLockWriteGuard<'_, served::Served> {
        self.served.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// Starts simulators.
pub struct Simulator;

impl Simulator {
    /// Generates the data set and serves it on `addr` (use `127.0.0.1:0` for an ephemeral
    /// port). Spawns onto the current tokio runtime; generation runs on a blocking thread.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> std::io::Result<SimHandle> {
        let account_tz: chrono_tz::Tz = config.account_timezone.parse().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "unknown account time zone {:?} (use an IANA name)",
                    config.account_timezone
                ),
            )
        })?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let host = if local.ip().is_unspecified() {
            std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
        } else {
            local.ip()
        };
        let base_url = format!("http://{}", SocketAddr::new(host, local.port()));

        let started = std::time::Instant::now();
        let cfg = config.clone();
        let served = tokio::task::spawn_blocking(move || served::Served::new(&cfg))
            .await
            .map_err(std::io::Error::other)?;
        tracing::info!(
            calls = served.data.calls.len(),
            texts = served.data.texts.len(),
            users = served.data.users.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "JustCall simulator data set generated"
        );

        let (shutdown, mut shutdown_rx) = tokio::sync::watch::channel(false);
        let shared = Arc::new(Shared {
            limiter: std::sync::Mutex::new(rate_limit::Limiter::new(config.rate_limit)),
            config,
            account_tz,
            base_url,
            served: RwLock::new(served),
            faults: faults::FaultQueue::default(),
            poisoned: faults::Poisoned::default(),
            duplicate_across_pages: AtomicBool::new(false),
            stats: Counters::default(),
            shutdown,
        });
        let app = server::router(shared.clone());
        tokio::spawn(async move {
            let graceful = async move {
                let _ = shutdown_rx.wait_for(|stop| *stop).await;
            };
            let listener = faults::CutListener(listener);
            let service = app.into_make_service_with_connect_info::<faults::Cut>();
            if let Err(e) = axum::serve(listener, service)
                .with_graceful_shutdown(graceful)
                .await
            {
                tracing::warn!(error = %e, "JustCall simulator stopped with an error");
            }
            tracing::debug!(%local, "JustCall simulator stopped");
        });
        tracing::info!(addr = %local, "JustCall simulator listening");
        Ok(SimHandle { shared })
    }
}

/// A running simulator. Cheap to clone; every clone controls the same server.
#[derive(Clone)]
pub struct SimHandle {
    shared: Arc<Shared>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// A clone of the current canonical data set (after edits and appends).
    pub fn dataset(&self) -> Dataset {
        self.shared.served().data.clone()
    }

    /// Call `id` as it is served now (`None`: unknown, or not started by the clock).
    pub fn call(&self, id: i64) -> Option<Call> {
        self.shared.served().call(id).cloned()
    }

    /// Queues a fault; faults are served in the order injected.
    pub fn inject(&self, fault: Fault) {
        tracing::debug!(?fault, "JustCall simulator: fault injected");
        self.shared.faults.push(fault);
    }

    /// Makes the single-record endpoint of call `id` (`stream` "calls") or SMS `id` ("texts")
    /// misbehave for good; the lists still serve the record normally.
    pub fn poison(&self, stream: &str, id: i64, poison: Poison) {
        let path = match stream {
            "calls" => "/v2.1/calls",
            "texts" => "/v2.1/texts",
            other => panic!("no single-record endpoint for {other:?}"),
        };
        self.shared.poisoned.set(path, id, poison);
    }

    /// When on, page p ≥ 1 begins with the last record of page p − 1.
    pub fn set_duplicate_across_pages(&self, on: bool) {
        self.shared
            .duplicate_across_pages
            .store(on, Ordering::Relaxed);
    }

    /// Changes notes, disposition and rating of `n` calls that started within `within` before
    /// `end` (or the clock, [`SimHandle::set_clock`]; never a malformed or in-progress call).
    /// Deterministic; returns the ids, ascending.
    pub fn edit_recent_calls(&self, n: usize, within: chrono::Duration) -> Vec<i64> {
        self.shared.served_mut().edit_recent_calls(n, within)
    }

    /// Changes notes, disposition and rating of the calls `ids` (as late notes do; unknown ids
    /// are skipped). Deterministic; returns the ids edited, ascending.
    pub fn edit_calls(&self, ids: &[i64]) -> Vec<i64> {
        self.shared.served_mut().edit_calls(ids)
    }

    /// Makes time pass: from now on only records that started before `now` are served, by the
    /// lists and the single-record endpoints alike (`None`: every record, the default), and
    /// [`SimHandle::edit_recent_calls`] edits calls before `now`. For benchmarks that walk
    /// through the data set's last days hour by hour.
    pub fn set_clock(&self, now: Option<NaiveDateTime>) {
        self.shared.served_mut().set_clock(now);
    }

    /// The webhook events JustCall sends for the calls and SMS that started in `[from, to)`:
    /// `call.completed`, `sms.sent`, `sms.received`.
    pub fn events_between(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Vec<webhooks::WebhookEvent> {
        let served = self.shared.served();
        let (calls, texts) = served.started_between(from, to);
        webhooks::records_events(calls, texts)
    }

    /// Appends `n` new calls with new ids, at times in [last call's time, end). Deterministic;
    /// returns the ids, ascending.
    pub fn add_calls(&self, n: usize) -> Vec<i64> {
        self.shared.served_mut().add_calls(n)
    }

    /// Request counters so far.
    pub fn stats(&self) -> SimStats {
        self.shared.stats.snapshot()
    }

    /// Stops accepting connections and ends the server once in-flight requests are answered.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let c = SimConfig {
            api_secret: "top-secret-value".into(),
            ..SimConfig::default()
        };
        let s = format!("{c:?}");
        assert!(!s.contains("top-secret-value"), "{s}");
        assert!(s.contains("<redacted>"));
    }

    #[test]
    fn describe_is_one_line_with_the_range() {
        let s = describe(&SimConfig::default());
        assert!(!s.contains('\n'));
        assert!(s.contains("8 agents"), "{s}");
        assert!(
            s.contains("2026-08-22 00:00:00 to 2026-11-20 00:00:00"),
            "{s}"
        );
    }

    #[test]
    fn ending_now_is_whole_seconds() {
        let c = SimConfig::ending_now();
        assert_eq!(c.end.and_utc().timestamp_subsec_nanos(), 0);
        assert_eq!(c.seed, 42);
    }
}
