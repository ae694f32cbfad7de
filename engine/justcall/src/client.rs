//! [`JustCallClient`]: one page of users, calls or texts per call, with auth, pacing, retries
//! and the envelope handled.
//!
//! Every request goes through [`JustCallClient::fetch`]: wait for the rate-limit budget
//! (`rate_limit.rs`), send with the raw `key:secret` header, classify the outcome (`retry.rs`),
//! wait (`backoff.rs` or the server's word) and try again up to `max_attempts`. Bodies are decoded
//! only once complete; a page keeps each record's raw JSON so one malformed record never costs
//! its page. A single `reqwest::Client` (one connection pool) serves every request; clones of a
//! [`JustCallClient`] share it, the pacing state and the statistics.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use chrono::{NaiveDateTime, Timelike};
use rand::rngs::StdRng;
use rand::SeedableRng;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::config::JustCallConfig;
use super::error::{chain, truncate, JustCallError};
use super::rate_limit::{Pacer, Permit, RateLimitHeaders};
use super::retry::{classify_status, classify_transport, Decision};
use super::Stream;
use crate::backoff::Backoff;
use crate::secret::Secret;

/// The longest window one list request may span (`to − from`); longer ones get HTTP 400.
pub const MAX_WINDOW_DAYS: i64 = 90;
/// How `from_datetime` and `to_datetime` are written.
const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
/// Longest excerpt of an error body kept in an error.
const MESSAGE_MAX_CHARS: usize = 300;
const USER_AGENT: &str = concat!("callduck/", env!("CARGO_PKG_VERSION"));

/// One page of a list.
#[derive(Debug)]
pub struct Page {
    /// The records exactly as sent (any JSON value: the engine parses and quarantines them).
    pub records: Vec<Box<RawValue>>,
    /// The 0-based page number that was requested.
    pub page: u32,
    /// No page follows: this one is empty or short, or `next_page_link` is null or empty.
    pub is_last: bool,
}

/// A closed time range of a list request, at second resolution, in the account user's zone
/// (that is how JustCall reads `from_datetime` and `to_datetime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// First second included.
    pub from: NaiveDateTime,
    /// Last second included.
    pub to: NaiveDateTime,
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} .. {}",
            self.from.format(DATETIME_FORMAT),
            self.to.format(DATETIME_FORMAT)
        )
    }
}

/// Splits `[from, to]` (whole seconds; fractions are dropped) into contiguous windows, each
/// starting one second after the previous one's `to` (no gap, no overlap) and spanning
/// `to − from ≤ max_span` (at least one second). Empty when `from > to`.
pub fn windows(from: NaiveDateTime, to: NaiveDateTime, max_span: chrono::Duration) -> Vec<Window> {
    let (from, to) = (whole_seconds(from), whole_seconds(to));
    let one = chrono::Duration::seconds(1);
    // A window of `span` covers `span` seconds: [from, from + span − 1 s].
    let span = chrono::Duration::seconds(max_span.num_seconds().max(1));
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = start
            .checked_add_signed(span - one)
            .map_or(to, |e| e.min(to));
        out.push(Window {
            from: start,
            to: end,
        });
        match end.checked_add_signed(one) {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

fn whole_seconds(t: NaiveDateTime) -> NaiveDateTime {
    t.with_nanosecond(0).unwrap_or(t)
}

/// Something the caller may want to show while a request waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// Pacing: a rate-limit budget is spent, the next request waits `until` (a duration).
    RateLimitWait {
        until: Duration,
        reason: &'static str,
    },
    /// Attempt `attempt` of `request` failed with `error`; the next starts in `wait`.
    Retry {
        request: String,
        attempt: u32,
        wait: Duration,
        error: String,
    },
}

/// Counters since the client was created (shared by its clones).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Attempts sent (retries included).
    pub requests: u64,
    /// Answers with HTTP 429.
    pub responses_429: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Time spent waiting for rate limits: pacing, and the waits 429s asked for.
    pub rate_limit_wait: Duration,
    /// Time spent in backoff before retries of other failures.
    pub backoff_wait: Duration,
    /// The hourly limit (`X-Rate-Limit-Limit`) of the last answer that reported one: the plan's
    /// budget the requests draw on (`callduck status` shows the share used).
    pub hourly_limit: Option<u64>,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    responses_429: AtomicU64,
    retries: AtomicU64,
    rate_limit_wait_us: AtomicU64,
    backoff_wait_us: AtomicU64,
    /// The `Date` of JustCall's last answer, unix seconds (0: none seen).
    server_date_secs: AtomicU64,
    /// `X-Rate-Limit-Limit` of the last answer that had one (0: none seen).
    hourly_limit: AtomicU64,
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

fn add_duration(counter: &AtomicU64, d: Duration) {
    add(counter, u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
}

type EventSink = Arc<dyn Fn(ClientEvent) + Send + Sync>;

struct Inner {
    http: reqwest::Client,
    config: JustCallConfig,
    /// `config.base_url` without a trailing slash; paths start with one.
    base: String,
    /// `key:secret`, marked sensitive.
    auth: HeaderValue,
    pacer: Pacer,
    counters: Counters,
    rng: Mutex<StdRng>,
}

/// The JustCall REST API v2.1 client. Cheap to clone; clones share connections, pacing and
/// statistics.
#[derive(Clone)]
pub struct JustCallClient {
    inner: Arc<Inner>,
    events: Option<EventSink>,
}

impl fmt::Debug for JustCallClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the Authorization header; the config prints its secrets as ***.
        f.debug_struct("JustCallClient")
            .field("config", &self.inner.config)
            .field("stats", &self.stats())
            .field("events", &self.events.is_some())
            .finish()
    }
}

impl JustCallClient {
    /// A client for `config` (validated). Installs rustls' ring provider if the process has no
    /// default crypto provider yet (reqwest is built without one).
    pub fn new(config: JustCallConfig) -> Result<Self, JustCallError> {
        config.validate()?;
        let base = config
            .parsed_base_url()?
            .as_str()
            .trim_end_matches('/')
            .to_string();
        let mut auth = HeaderValue::from_str(&format!("{}:{}", config.api_key.expose(), config.api_secret.expose()))
            .map_err(|_| {
                JustCallError::Config(
                    "JUSTCALL_API_KEY or JUSTCALL_API_SECRET contains characters not allowed in an HTTP \
                     header (control characters or non-ASCII)"
                        .into(),
                )
            })?;
        auth.set_sensitive(true);
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another thread installing one is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(USER_AGENT)
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| {
                JustCallError::Config(format!("building the HTTP client: {}", chain(&e)))
            })?;
        Ok(JustCallClient {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                pacer: Pacer::default(),
                counters: Counters::default(),
                rng: Mutex::new(StdRng::from_os_rng()),
                config,
            }),
            events: None,
        })
    }

    /// The same client, reporting rate-limit waits and retries to `sink` (called synchronously
    /// from the request's task: keep it quick).
    pub fn with_events(mut self, sink: Arc<dyn Fn(ClientEvent) + Send + Sync>) -> Self {
        self.events = Some(sink);
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &JustCallConfig {
        &self.inner.config
    }

    /// A client of `base_url` (the simulator, or any JustCall-compatible server) with explicit
    /// credentials and the default settings.
    pub fn with_credentials(
        base_url: &str,
        key: &str,
        secret: &str,
    ) -> Result<JustCallClient, JustCallError> {
        JustCallClient::new(JustCallConfig {
            base_url: base_url.to_string(),
            api_key: Secret::new(key),
            api_secret: Secret::new(secret),
            ..JustCallConfig::default()
        })
    }

    /// JustCall's clock, as the `Date` header of its last answer said (UTC, whole seconds): a
    /// sync checks its own notion of now against it before a watermark can move.
    pub fn server_date(&self) -> Option<NaiveDateTime> {
        let secs = self.inner.counters.server_date_secs.load(Ordering::Relaxed);
        (secs > 0)
            .then(|| chrono::DateTime::from_timestamp(secs as i64, 0))
            .flatten()
            .map(|d| d.naive_utc())
    }

    /// Counters so far.
    pub fn stats(&self) -> ClientStats {
        let c = &self.inner.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        ClientStats {
            requests: get(&c.requests),
            responses_429: get(&c.responses_429),
            retries: get(&c.retries),
            rate_limit_wait: Duration::from_micros(get(&c.rate_limit_wait_us)),
            backoff_wait: Duration::from_micros(get(&c.backoff_wait_us)),
            hourly_limit: Some(get(&c.hourly_limit)).filter(|l| *l > 0),
        }
    }

    /// Page `page` (0-based) of `/v2.1/users`.
    pub async fn users_page(&self, page: u32) -> Result<Page, JustCallError> {
        let per_page = self.inner.config.per_page;
        let query = vec![
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ];
        self.page(Stream::Users.path(), query, page).await
    }

    /// Page `page` (0-based) of calls or texts in `window`, oldest id first (`sort=id`,
    /// `order=asc`: records that arrive meanwhile go to the end and never shift a page). Users
    /// have no time filter: `Stream::Users` ignores `window`. A window over
    /// [`MAX_WINDOW_DAYS`] or reversed is refused with [`JustCallError::Config`], unsent.
    pub async fn list_page(
        &self,
        stream: Stream,
        window: &Window,
        page: u32,
    ) -> Result<Page, JustCallError> {
        if stream == Stream::Users {
            return self.users_page(page).await;
        }
        if window.from > window.to {
            return Err(JustCallError::Config(format!(
                "the window {window} of {stream} ends before it starts"
            )));
        }
        if window.to - window.from > chrono::Duration::days(MAX_WINDOW_DAYS) {
            return Err(JustCallError::Config(format!(
                "the window {window} of {stream} spans more than {MAX_WINDOW_DAYS} days, which JustCall refuses: \
                 split it with justcall::windows"
            )));
        }
        let per_page = self.inner.config.per_page;
        let query = vec![
            (
                "from_datetime",
                window.from.format(DATETIME_FORMAT).to_string(),
            ),
            ("to_datetime", window.to.format(DATETIME_FORMAT).to_string()),
            ("sort", "id".to_string()),
            ("order", "asc".to_string()),
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ];
        self.page(stream.path(), query, page).await
    }

    /// One record, `GET {path}/{id}`: the `data` object (or the only element of a `data` array).
    pub async fn get_record(
        &self,
        stream: Stream,
        id: i64,
    ) -> Result<Box<RawValue>, JustCallError> {
        let path = format!("{}/{id}", stream.path());
        let request = describe(&path, &[]);
        let body = self.fetch(&path, &[]).await?;
        let envelope = self.envelope(&body, &request)?;
        let decode = |reason: String| JustCallError::Decode {
            request: request.clone(),
            reason,
        };
        let Some(data) = envelope.data else {
            return Err(JustCallError::NotFound {
                request: request.clone(),
            });
        };
        match data.get().trim_start().as_bytes().first() {
            Some(b'{') => Ok(data.to_owned()),
            Some(b'[') => {
                let mut items: Vec<Box<RawValue>> = serde_json::from_str(data.get())
                    .map_err(|e| decode(format!("`data` is not an array: {e}")))?;
                match items.len() {
                    0 => Err(JustCallError::NotFound {
                        request: request.clone(),
                    }),
                    1 => Ok(items.remove(0)),
                    n => Err(decode(format!(
                        "`data` holds {n} records where one was expected"
                    ))),
                }
            }
            _ => Err(decode(format!(
                "`data` is neither an object nor an array: {}",
                self.redact(&truncate(data.get(), 80))
            ))),
        }
    }

    async fn page(
        &self,
        path: &str,
        query: Vec<(&'static str, String)>,
        page: u32,
    ) -> Result<Page, JustCallError> {
        let request = describe(path, &query);
        let body = self.fetch(path, &query).await?;
        let envelope = self.envelope(&body, &request)?;
        let decode = |reason: String| JustCallError::Decode {
            request: request.clone(),
            reason,
        };
        let data = envelope
            .data
            .ok_or_else(|| decode("the answer has no `data` array".into()))?;
        let records: Vec<Box<RawValue>> = serde_json::from_str(data.get()).map_err(|_| {
            decode(format!(
                "`data` is not an array: {}",
                self.redact(&truncate(data.get(), 80))
            ))
        })?;
        // A server that caps per_page below what we asked says so in the envelope; a page of that
        // size is full, not short.
        let requested = self.inner.config.per_page as usize;
        let page_size = envelope
            .per_page
            .as_ref()
            .and_then(number)
            .filter(|n| *n > 0)
            .map_or(requested, |n| {
                usize::try_from(n).unwrap_or(usize::MAX).min(requested)
            });
        let no_next = match &envelope.next_page_link {
            // Absent: the envelope says nothing; the size rules decide.
            None => false,
            Some(Value::String(link)) => link.trim().is_empty(),
            Some(_) => true, // null, false, ...
        };
        let is_last = records.is_empty() || records.len() < page_size || no_next;
        Ok(Page {
            records,
            page,
            is_last,
        })
    }

    /// Decodes the envelope of a complete 200 body; `"status": "error"` becomes
    /// [`JustCallError::BadRequest`].
    fn envelope<'a>(&self, body: &'a [u8], request: &str) -> Result<Envelope<'a>, JustCallError> {
        let envelope: Envelope<'a> =
            serde_json::from_slice(body).map_err(|e| JustCallError::Decode {
                request: request.to_string(),
                reason: format!(
                    "not a JSON envelope ({e}); the body starts with: {}",
                    self.redact(&truncate(
                        &String::from_utf8_lossy(&body[..body.len().min(400)]),
                        120
                    ))
                ),
            })?;
        let failed = matches!(&envelope.status, Some(Value::String(s)) if s.eq_ignore_ascii_case("error")
            || s.eq_ignore_ascii_case("fail") || s.eq_ignore_ascii_case("failure"));
        if failed {
            let message = envelope_message(&envelope).unwrap_or_else(|| "(no message)".into());
            return Err(JustCallError::BadRequest {
                status: 200,
                request: request.to_string(),
                message: self.redact(&truncate(&message, MESSAGE_MAX_CHARS)),
            });
        }
        Ok(envelope)
    }

    /// Sends `GET path?query` until it succeeds, fails for good or runs out of attempts; the
    /// complete body of the 2xx answer.
    async fn fetch(
        &self,
        path: &str,
        query: &[(&'static str, String)],
    ) -> Result<Vec<u8>, JustCallError> {
        let inner = &*self.inner;
        let request = describe(path, query);
        let url = format!("{}{path}", inner.base);
        let max_attempts = inner.config.max_attempts.max(1);
        let mut backoff = Backoff::new(inner.config.backoff);
        let mut last = String::new();
        for attempt in 1..=max_attempts {
            let permit = self.permit().await;
            add(&inner.counters.requests, 1);
            let sent = inner
                .http
                .get(&url)
                .query(query)
                .header(AUTHORIZATION, inner.auth.clone())
                .send()
                .await;
            let (decision, failure) = match sent {
                Err(e) => {
                    drop(permit);
                    (classify_transport(&e), chain(&e))
                }
                Ok(response) => match self.answer(response, permit, &request).await {
                    Ok(body) => return Ok(body),
                    Err(Attempt::Fail(error)) => return Err(error),
                    Err(Attempt::Failed(decision, failure)) => (decision, failure),
                },
            };
            let failure = self.redact(&failure);
            let wait = match decision {
                Decision::Fail => {
                    return Err(JustCallError::GaveUp {
                        request,
                        attempts: attempt,
                        last: failure,
                    })
                }
                _ if attempt == max_attempts => {
                    last = failure;
                    break;
                }
                Decision::Retry => {
                    let wait =
                        backoff.next(&mut *inner.rng.lock().unwrap_or_else(|p| p.into_inner()));
                    add_duration(&inner.counters.backoff_wait_us, wait);
                    wait
                }
                Decision::RetryAfter(wait) => {
                    add_duration(&inner.counters.rate_limit_wait_us, wait);
                    wait
                }
            };
            add(&inner.counters.retries, 1);
            tracing::debug!(%request, attempt, wait_ms = wait.as_millis() as u64, error = %failure, "retrying");
            self.emit(ClientEvent::Retry {
                request: request.clone(),
                attempt,
                wait,
                error: failure,
            });
            tokio::time::sleep(wait).await;
        }
        Err(JustCallError::GaveUp {
            request,
            attempts: max_attempts,
            last,
        })
    }

    /// The body of a 2xx answer, read chunk by chunk up to `max_body_bytes`: a larger answer is
    /// refused (not retried) before it is buffered whole.
    async fn read_capped(
        &self,
        mut response: reqwest::Response,
        status: StatusCode,
        request: &str,
    ) -> Result<Vec<u8>, Attempt> {
        let cap = self.inner.config.max_body_bytes;
        let too_large = |n: u64| {
            Attempt::Fail(JustCallError::Decode {
                request: request.to_string(),
                reason: format!(
                    "the answer is larger than {cap} bytes ({n} bytes or more); refused"
                ),
            })
        };
        if let Some(n) = response.content_length().filter(|n| *n > cap as u64) {
            return Err(too_large(n));
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > cap {
                        return Err(too_large((body.len() + chunk.len()) as u64));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) => {
                    return Err(Attempt::Failed(
                        classify_transport(&e),
                        format!("HTTP {status}, then reading the body failed: {}", chain(&e)),
                    ))
                }
            }
        }
    }

    /// Reads one answer: the body of a 2xx, or what to do about anything else.
    async fn answer(
        &self,
        response: reqwest::Response,
        permit: Permit<'_>,
        request: &str,
    ) -> Result<Vec<u8>, Attempt> {
        let now = SystemTime::now();
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(date) = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
        {
            let secs = u64::try_from(date.timestamp()).unwrap_or(0);
            self.inner
                .counters
                .server_date_secs
                .store(secs, Ordering::Relaxed);
        }
        let limits = RateLimitHeaders::parse(&headers, now);
        if let Some(limit) = limits.hour.and_then(|h| h.limit).filter(|l| *l > 0) {
            self.inner
                .counters
                .hourly_limit
                .store(limit, Ordering::Relaxed);
        }
        permit.finish(&limits);
        if status.is_success() {
            return self.read_capped(response, status, request).await;
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            add(&self.inner.counters.responses_429, 1);
        }
        let message = match response.bytes().await {
            Ok(body) => body_message(&body).map(|m| self.redact(&truncate(&m, MESSAGE_MAX_CHARS))),
            Err(_) => None,
        };
        let request = request.to_string();
        match classify_status(status, &headers, now) {
            Decision::Fail => Err(Attempt::Fail(match status.as_u16() {
                401 | 403 => JustCallError::Unauthorized {
                    status: status.as_u16(),
                    request,
                },
                404 => JustCallError::NotFound { request },
                code => JustCallError::BadRequest {
                    status: code,
                    request,
                    message: message.unwrap_or_else(|| {
                        status.canonical_reason().unwrap_or("no message").into()
                    }),
                },
            })),
            decision => {
                let failure = match message {
                    Some(m) if !m.is_empty() => format!("HTTP {status}: {m}"),
                    _ => format!("HTTP {status}"),
                };
                Err(Attempt::Failed(decision, failure))
            }
        }
    }

    /// Waits until the rate-limit budgets allow one more request (unless pacing is off).
    async fn permit(&self) -> Permit<'_> {
        let pacer = &self.inner.pacer;
        if !self.inner.config.pace {
            return pacer.start();
        }
        loop {
            match pacer.acquire(SystemTime::now()) {
                Ok(permit) => return permit,
                Err(wait) => {
                    add_duration(&self.inner.counters.rate_limit_wait_us, wait.wait);
                    tracing::debug!(
                        wait_ms = wait.wait.as_millis() as u64,
                        reason = wait.reason,
                        "pacing"
                    );
                    self.emit(ClientEvent::RateLimitWait {
                        until: wait.wait,
                        reason: wait.reason,
                    });
                    tokio::time::sleep(wait.wait).await;
                }
            }
        }
    }

    fn emit(&self, event: ClientEvent) {
        if let Some(sink) = &self.events {
            sink(event);
        }
    }

    /// `text` with the key and the secret replaced by `***` (a server may echo the header back).
    fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in [&self.inner.config.api_key, &self.inner.config.api_secret] {
            let value = secret.expose().trim();
            // Very short values would mangle ordinary words; real credentials are long.
            if value.len() >= 4 && out.contains(value) {
                out = out.replace(value, "***");
            }
        }
        out
    }
}

/// The outcome of an attempt that produced no body.
enum Attempt {
    /// Stop with this error.
    Fail(JustCallError),
    /// Retry (or give up) as decided; the string describes the failure.
    Failed(Decision, String),
}

/// JustCall's envelope, loosely: only `data` matters, the rest steers paging and errors.
#[derive(Debug, Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    status: Option<Value>,
    #[serde(default)]
    message: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
    #[serde(default)]
    per_page: Option<Value>,
    /// `None` when absent, `Some(Value::Null)` when null.
    #[serde(default, deserialize_with = "present")]
    next_page_link: Option<Value>,
}

/// A field that is present, even as `null` (plain `Option` would read `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

fn envelope_message(envelope: &Envelope<'_>) -> Option<String> {
    [&envelope.message, &envelope.error]
        .into_iter()
        .flatten()
        .find_map(value_message)
}

/// A human message out of a JSON value: a string, or an object's `message`/`error`, or the JSON.
fn value_message(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => ["message", "error", "msg", "detail"]
            .iter()
            .find_map(|k| map.get(*k).and_then(value_message))
            .or_else(|| Some(value.to_string())),
        other => Some(other.to_string()),
    }
}

/// The message of an error body: JSON `message`, `error`, `errors`, ... or the text itself.
fn body_message(body: &[u8]) -> Option<String> {
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        if let Value::Object(map) = &json {
            if let Some(m) = ["message", "error", "errors", "msg", "detail"]
                .iter()
                .find_map(|k| map.get(*k).and_then(value_message))
            {
                return Some(m);
            }
        }
        return value_message(&json);
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A number, or a string holding one (JustCall sends both).
fn number(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `GET path?k=v&...`, readable (not percent-encoded); never headers.
fn describe(path: &str, query: &[(&'static str, String)]) -> String {
    if query.is_empty() {
        return format!("GET {path}");
    }
    let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("GET {path}?{}", q.join("&"))
}

#[cfg(test)]
mod tests;
