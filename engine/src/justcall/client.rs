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
        permit.finish(&RateLimitHeaders::parse(&headers, now));
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
mod tests {
    //! Against a scripted axum server on 127.0.0.1: every request takes the next reply.

    use super::*;
    use crate::justcall::{BackoffConfig, Jitter};
    use crate::secret::Secret;
    use axum::body::Body;
    use axum::extract::{Request, State};
    use axum::http::header;
    use axum::response::Response;
    use std::collections::VecDeque;
    use std::time::UNIX_EPOCH;

    const KEY: &str = "key-4f1c9a77";
    const SECRET: &str = "secret-b7e2d0c3";

    #[derive(Debug, Clone)]
    struct Seen {
        path: String,
        query: Vec<(String, String)>,
        authorization: Option<String>,
        accept: Option<String>,
        user_agent: Option<String>,
        at: SystemTime,
    }

    impl Seen {
        fn param(&self, name: &str) -> Option<&str> {
            self.query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        }
    }

    enum Reply {
        Json {
            status: u16,
            headers: Vec<(&'static str, String)>,
            body: String,
        },
        /// Answer after a delay.
        Slow(Duration, Box<Reply>),
        /// Promises more body than it has: hyper closes the connection before the answer.
        Hangup,
        /// Decided when the request arrives.
        Dyn(Box<dyn FnOnce(&Seen) -> Reply + Send>),
    }

    fn reply(status: u16, body: impl Into<String>) -> Reply {
        Reply::Json {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    fn ok(body: impl Into<String>) -> Reply {
        reply(200, body)
    }

    fn with_headers(reply: Reply, extra: &[(&'static str, String)]) -> Reply {
        match reply {
            Reply::Json {
                status,
                mut headers,
                body,
            } => {
                headers.extend_from_slice(extra);
                Reply::Json {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }

    /// An envelope around `records` (raw JSON texts); `next`: `None` leaves the link out.
    fn envelope(records: &[&str], next: Option<&str>) -> String {
        let link = match next {
            None => String::new(),
            Some(link) => format!(r#""next_page_link":{link},"#),
        };
        format!(
            r#"{{"status":"success","count":{},"current_page":0,{link}"prev_page_link":null,"data":[{}]}}"#,
            records.len(),
            records.join(",")
        )
    }

    const MORE: Option<&str> = Some(r#""https://api.justcall.io/v2.1/calls?page=1&per_page=3""#);

    #[derive(Clone)]
    struct Script {
        replies: Arc<Mutex<VecDeque<Reply>>>,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    struct Server {
        base_url: String,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    impl Server {
        fn seen(&self) -> Vec<Seen> {
            self.seen.lock().unwrap().clone()
        }
    }

    async fn handle(State(script): State<Script>, request: Request) -> Response {
        let seen = {
            let headers = request.headers();
            let header = |name: header::HeaderName| {
                headers
                    .get(name)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            };
            let url = reqwest::Url::parse(&format!("http://test{}", request.uri())).unwrap();
            Seen {
                path: url.path().to_string(),
                query: url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
                authorization: header(header::AUTHORIZATION),
                accept: header(header::ACCEPT),
                user_agent: header(header::USER_AGENT),
                at: SystemTime::now(),
            }
        };
        drop(request);
        script.seen.lock().unwrap().push(seen.clone());
        let next = script.replies.lock().unwrap().pop_front();
        let mut reply = next
            .unwrap_or_else(|| reply(500, r#"{"message":"the test script ran out of replies"}"#));
        loop {
            reply = match reply {
                Reply::Dyn(f) => f(&seen),
                Reply::Slow(wait, inner) => {
                    tokio::time::sleep(wait).await;
                    *inner
                }
                Reply::Json {
                    status,
                    headers,
                    body,
                } => {
                    let mut response = Response::builder()
                        .status(status)
                        .header(header::CONTENT_TYPE, "application/json");
                    for (k, v) in headers {
                        response = response.header(k, v);
                    }
                    return response.body(Body::from(body)).unwrap();
                }
                Reply::Hangup => {
                    let body = Body::from_stream(Body::from("{").into_data_stream());
                    return Response::builder()
                        .status(200)
                        .header(header::CONTENT_LENGTH, 4096)
                        .body(body)
                        .unwrap();
                }
            };
        }
    }

    async fn serve(replies: Vec<Reply>) -> Server {
        let script = Script {
            replies: Arc::new(Mutex::new(replies.into())),
            seen: Arc::default(),
        };
        let seen = script.seen.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(handle).with_state(script);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            base_url: format!("http://{addr}"),
            seen,
        }
    }

    fn config(base_url: &str) -> JustCallConfig {
        JustCallConfig {
            base_url: base_url.to_string(),
            api_key: Secret::new(KEY),
            api_secret: Secret::new(SECRET),
            per_page: 3,
            request_timeout: Duration::from_secs(5),
            max_attempts: 4,
            backoff: BackoffConfig {
                base: Duration::from_millis(5),
                max: Duration::from_millis(20),
                jitter: Jitter::Full,
            },
            pace: true,
            max_body_bytes: 1 << 20,
        }
    }

    type Events = Arc<Mutex<Vec<ClientEvent>>>;

    fn client_with(config: JustCallConfig) -> (JustCallClient, Events) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let events: Events = Arc::default();
        let sink = events.clone();
        let client = JustCallClient::new(config)
            .unwrap()
            .with_events(Arc::new(move |e| sink.lock().unwrap().push(e)));
        (client, events)
    }

    fn client(server: &Server) -> (JustCallClient, Events) {
        client_with(config(&server.base_url))
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, DATETIME_FORMAT).unwrap()
    }

    fn january() -> Window {
        Window {
            from: dt("2024-01-01 00:00:00"),
            to: dt("2024-01-31 23:59:59"),
        }
    }

    fn assert_no_credentials(text: &str) {
        assert!(!text.contains(SECRET), "the secret leaked: {text}");
        assert!(!text.contains(KEY), "the key leaked: {text}");
    }

    #[tokio::test]
    async fn an_answer_over_the_size_cap_is_refused_not_buffered_or_retried() {
        let big = format!(r#"{{"id":1,"notes":"{}"}}"#, "x".repeat(2 << 20));
        let server = serve(vec![ok(envelope(&[&big], Some("null")))]).await;
        let (client, _) = client(&server);
        let err = client.users_page(0).await.unwrap_err();
        assert!(
            matches!(&err, JustCallError::Decode { reason, .. } if reason.contains("larger than 1048576 bytes")),
            "{err}"
        );
        assert_eq!(client.stats().requests, 1, "not retried");
    }

    #[tokio::test]
    async fn sends_the_raw_key_secret_pair_and_json_accept() {
        let server = serve(vec![ok(envelope(&[r#"{"id":1}"#], Some("null")))]).await;
        let (client, _) = client_with(JustCallConfig {
            per_page: 100,
            ..config(&server.base_url)
        });
        let page = client.users_page(0).await.unwrap();
        assert_eq!(page.records.len(), 1);
        assert_eq!(page.records[0].get(), r#"{"id":1}"#);
        assert!(page.is_last);
        let seen = server.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].authorization.as_deref(),
            Some("key-4f1c9a77:secret-b7e2d0c3"),
            "no Basic, no base64"
        );
        assert_eq!(seen[0].accept.as_deref(), Some("application/json"));
        assert!(seen[0]
            .user_agent
            .as_deref()
            .unwrap()
            .starts_with("callduck/"));
        assert_eq!(seen[0].path, "/v2.1/users");
        assert_eq!(
            seen[0].query,
            [
                ("page".to_string(), "0".to_string()),
                ("per_page".to_string(), "100".to_string())
            ]
        );
    }

    #[tokio::test]
    async fn list_pages_send_the_window_sort_and_page() {
        let server = serve(vec![ok(envelope(&[], MORE)), ok(envelope(&[], MORE))]).await;
        let (client, _) = client(&server);
        let page = client
            .list_page(Stream::Texts, &january(), 2)
            .await
            .unwrap();
        assert!(page.is_last && page.records.is_empty() && page.page == 2);
        // Users take no window.
        client
            .list_page(Stream::Users, &january(), 0)
            .await
            .unwrap();
        let seen = server.seen();
        assert_eq!(seen[0].path, "/v2.1/texts");
        for (k, v) in [
            ("from_datetime", "2024-01-01 00:00:00"),
            ("to_datetime", "2024-01-31 23:59:59"),
            ("sort", "id"),
            ("order", "asc"),
            ("page", "2"),
            ("per_page", "3"),
        ] {
            assert_eq!(seen[0].param(k), Some(v), "{k}");
        }
        assert_eq!(seen[1].path, "/v2.1/users");
        assert_eq!(seen[1].param("from_datetime"), None);
    }

    #[tokio::test]
    async fn http_401_names_the_variables_and_never_the_credentials() {
        // A server that echoes the header back must not smuggle it into the error either.
        let body =
            format!(r#"{{"status":"error","message":"Invalid credentials {KEY}:{SECRET}"}}"#);
        let server = serve(vec![reply(401, body)]).await;
        let (client, _) = client_with(JustCallConfig {
            per_page: 100,
            ..config(&server.base_url)
        });
        let err = client
            .list_page(Stream::Calls, &january(), 0)
            .await
            .unwrap_err();
        assert!(
            matches!(err, JustCallError::Unauthorized { status: 401, .. }),
            "{err:?}"
        );
        let text = err.to_string();
        assert_eq!(
            text,
            "JustCall rejected the credentials (HTTP 401) for GET /v2.1/calls?from_datetime=2024-01-01 00:00:00\
             &to_datetime=2024-01-31 23:59:59&sort=id&order=asc&page=0&per_page=100: check JUSTCALL_API_KEY and \
             JUSTCALL_API_SECRET"
        );
        assert_no_credentials(&text);
        assert_no_credentials(&format!("{err:?}"));
        assert_no_credentials(&format!("{client:?}"));
        assert_no_credentials(&format!("{:?}", client.config()));
        assert_eq!(server.seen().len(), 1, "401 is not retried");
    }

    #[tokio::test]
    async fn http_503_twice_then_success() {
        let server = serve(vec![
            reply(503, "upstream unavailable"),
            reply(503, r#"{"message":"try later"}"#),
            ok(envelope(&[r#"{"id":7}"#], Some("null"))),
        ])
        .await;
        let (client, events) = client(&server);
        let page = client
            .list_page(Stream::Calls, &january(), 0)
            .await
            .unwrap();
        assert_eq!(page.records[0].get(), r#"{"id":7}"#);
        let stats = client.stats();
        assert_eq!(
            (stats.requests, stats.retries, stats.responses_429),
            (3, 2, 0)
        );
        let events = events.lock().unwrap().clone();
        assert_eq!(events.len(), 2);
        match &events[1] {
            ClientEvent::Retry {
                request,
                attempt,
                error,
                ..
            } => {
                assert!(request.starts_with("GET /v2.1/calls?"));
                assert_eq!(*attempt, 2);
                assert_eq!(error, "HTTP 503 Service Unavailable: try later");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn http_429_waits_for_retry_after() {
        let server = serve(vec![
            with_headers(
                reply(429, r#"{"message":"Too many requests"}"#),
                &[("retry-after", "1".into())],
            ),
            ok(envelope(&[], None)),
        ])
        .await;
        let (client, _) = client(&server);
        client.users_page(0).await.unwrap();
        let seen = server.seen();
        let gap = seen[1].at.duration_since(seen[0].at).unwrap();
        assert!(
            gap >= Duration::from_millis(950) && gap < Duration::from_millis(2500),
            "{gap:?}"
        );
        let stats = client.stats();
        assert_eq!(
            (stats.requests, stats.responses_429, stats.retries),
            (2, 1, 1)
        );
        assert!(stats.rate_limit_wait >= Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_spent_burst_budget_delays_the_next_request_instead_of_meeting_429() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let reset = now + 1;
        let reset_at = UNIX_EPOCH + Duration::from_secs(reset);
        let limits = |burst_remaining: u64| {
            vec![
                ("x-rate-limit-limit", "1800".to_string()),
                ("x-rate-limit-remaining", "1700".to_string()),
                ("x-rate-limit-reset", (now + 3000).to_string()),
                ("x-rate-limit-burst-limit", "30".to_string()),
                ("x-rate-limit-burst-remaining", burst_remaining.to_string()),
                ("x-rate-limit-burst-reset", reset.to_string()),
            ]
        };
        let (first, early) = (limits(0), limits(0));
        let server = serve(vec![
            with_headers(ok(envelope(&[], None)), &first),
            // The server enforces the budget: before the reset, 429.
            Reply::Dyn(Box::new(move |seen: &Seen| {
                if seen.at < reset_at {
                    with_headers(reply(429, "{}"), &early)
                } else {
                    ok(envelope(&[], None))
                }
            })),
        ])
        .await;
        let (client, events) = client(&server);
        client.users_page(0).await.unwrap();
        client.users_page(1).await.unwrap();
        let stats = client.stats();
        assert_eq!(
            (stats.requests, stats.responses_429, stats.retries),
            (2, 0, 0),
            "{stats:?}"
        );
        assert!(server.seen()[1].at >= reset_at);
        assert!(stats.rate_limit_wait > Duration::ZERO);
        let events = events.lock().unwrap().clone();
        assert!(
            matches!(events.as_slice(), [ClientEvent::RateLimitWait { reason, .. }] if reason.contains("burst")),
            "{events:?}"
        );
    }

    /// A raw HTTP/1.1 server: the first connection gets the head and part of the body, then the
    /// connection drops; the second gets a whole page. (axum's bodies cannot break off mid-way
    /// without a Stream implementation, which would need the futures crate.)
    async fn serve_dropping_mid_body() -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            for connection in 0.. {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = socket.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    head.extend_from_slice(&buf[..n]);
                }
                let whole = envelope(&[r#"{"id":1}"#, r#"{"id":2}"#], Some("null"));
                if connection == 0 {
                    let part = &whole[..whole.len() / 2];
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{part}",
                        whole.len()
                    );
                    socket.write_all(answer.as_bytes()).await.unwrap();
                    socket.flush().await.unwrap();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    drop(socket); // mid-body
                } else {
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{whole}",
                        whole.len()
                    );
                    socket.write_all(answer.as_bytes()).await.unwrap();
                }
            }
        });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn a_connection_dropped_mid_body_is_retried() {
        let base_url = serve_dropping_mid_body().await;
        let (client, events) = client_with(config(&base_url));
        let page = client
            .list_page(Stream::Calls, &january(), 0)
            .await
            .unwrap();
        assert_eq!(page.records.len(), 2);
        assert_eq!((client.stats().requests, client.stats().retries), (2, 1));
        let events = events.lock().unwrap().clone();
        match &events[..] {
            [ClientEvent::Retry { error, .. }] => {
                assert!(
                    error.starts_with("HTTP 200 OK, then reading the body failed: "),
                    "{error}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_connection_closed_before_the_answer_is_retried() {
        let server = serve(vec![
            Reply::Hangup,
            ok(envelope(&[r#"{"id":1}"#], Some("null"))),
        ])
        .await;
        let (client, _) = client(&server);
        let page = client.users_page(0).await.unwrap();
        assert_eq!(page.records.len(), 1);
        assert_eq!((client.stats().requests, client.stats().retries), (2, 1));
    }

    #[tokio::test]
    async fn a_timeout_is_retried() {
        let server = serve(vec![
            Reply::Slow(
                Duration::from_millis(800),
                Box::new(ok(envelope(&[], None))),
            ),
            ok(envelope(&[], None)),
        ])
        .await;
        let (client, _) = client_with(JustCallConfig {
            request_timeout: Duration::from_millis(200),
            ..config(&server.base_url)
        });
        client.users_page(0).await.unwrap();
        assert_eq!((client.stats().requests, client.stats().retries), (2, 1));
    }

    #[tokio::test]
    async fn http_400_fails_at_once_with_the_api_message() {
        let body = format!(
            r#"{{"status":"error","message":"The date range cannot exceed 90 days (account {KEY})"}}"#
        );
        let server = serve(vec![reply(400, body), ok(envelope(&[], None))]).await;
        let (client, _) = client(&server);
        let err = client
            .list_page(Stream::Calls, &january(), 0)
            .await
            .unwrap_err();
        match &err {
            JustCallError::BadRequest {
                status: 400,
                message,
                request,
            } => {
                assert_eq!(
                    message,
                    "The date range cannot exceed 90 days (account ***)"
                );
                assert!(request.starts_with("GET /v2.1/calls?from_datetime=2024-01-01 00:00:00"));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("cannot exceed 90 days"));
        assert_no_credentials(&format!("{err} {err:?}"));
        assert_eq!(client.stats().requests, 1);
    }

    #[tokio::test]
    async fn a_malformed_record_does_not_cost_its_page() {
        let records = [
            r#"{"id":1,"call_date":"2024-01-02","call_time":"8:25:43"}"#,
            r#"{"id": "not-a-number" ,  "call_info": {"type": [1, 2]}}"#,
            r#""just a string""#,
            "42",
            "null",
            r#"{"id":5}"#,
        ];
        let server = serve(vec![ok(envelope(&records, MORE))]).await;
        let (client, _) = client(&server);
        let page = client
            .list_page(Stream::Calls, &january(), 0)
            .await
            .unwrap();
        let got: Vec<&str> = page.records.iter().map(|r| r.get()).collect();
        assert_eq!(got, records, "every record kept, byte for byte");
        assert!(!page.is_last);
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts_naming_the_request() {
        let server = serve((0..5).map(|_| reply(503, "")).collect()).await;
        let (client, events) = client_with(JustCallConfig {
            max_attempts: 3,
            ..config(&server.base_url)
        });
        let err = client
            .list_page(Stream::Calls, &january(), 4)
            .await
            .unwrap_err();
        assert!(
            matches!(err, JustCallError::GaveUp { attempts: 3, .. }),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.starts_with("gave up on GET /v2.1/calls?from_datetime=2024-01-01 00:00:00&"),
            "{text}"
        );
        assert!(
            text.contains("&page=4&per_page=3 after 3 attempts: HTTP 503 Service Unavailable"),
            "{text}"
        );
        assert_eq!(server.seen().len(), 3);
        assert_eq!(
            events.lock().unwrap().len(),
            2,
            "no retry is announced after the last attempt"
        );
        assert!(client.stats().backoff_wait <= Duration::from_millis(40));
    }

    #[tokio::test]
    async fn connection_refused_is_retried_then_reported() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (client, _) = client_with(JustCallConfig {
            max_attempts: 2,
            ..config(&format!("http://127.0.0.1:{port}"))
        });
        let err = client.users_page(0).await.unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, JustCallError::GaveUp { attempts: 2, .. }),
            "{err:?}"
        );
        assert!(
            text.contains("GET /v2.1/users?page=0&per_page=3 after 2 attempts"),
            "{text}"
        );
        assert!(
            text.to_lowercase().contains("connect"),
            "the cause is shown: {text}"
        );
        assert_no_credentials(&format!("{err} {err:?}"));
    }

    #[tokio::test]
    async fn answers_that_are_not_envelopes_fail_without_retrying() {
        let server = serve(vec![
            ok("<html><body>Maintenance</body></html>"),
            ok(r#"{"status":"success","count":0}"#),
            ok(r#"{"status":"success","data":{"id":1}}"#),
            ok(r#"{"status":"error","message":"Invalid page number"}"#),
        ])
        .await;
        let (client, _) = client(&server);
        for expect in [
            "not a JSON envelope",
            "no `data` array",
            "`data` is not an array",
        ] {
            let err = client.users_page(0).await.unwrap_err();
            match &err {
                JustCallError::Decode { request, reason } => {
                    assert_eq!(request, "GET /v2.1/users?page=0&per_page=3");
                    assert!(reason.contains(expect), "{reason}");
                }
                other => panic!("{other:?}"),
            }
        }
        let err = client.users_page(0).await.unwrap_err();
        assert!(
            matches!(&err, JustCallError::BadRequest { status: 200, message, .. } if message == "Invalid page number"),
            "{err:?}"
        );
        assert_eq!(client.stats().requests, 4, "nothing was retried");
    }

    #[tokio::test]
    async fn page_end_rules() {
        let full = [r#"{"id":1}"#, r#"{"id":2}"#, r#"{"id":3}"#];
        let capped = r#"{"status":"success","per_page":"2","next_page_link":"https://x/?page=1","data":[{"id":1},{"id":2}]}"#;
        let cases: Vec<(Reply, bool, &str)> = vec![
            (
                ok(envelope(&full, MORE)),
                false,
                "full page with a next link",
            ),
            (ok(envelope(&full, Some("null"))), true, "null next link"),
            (ok(envelope(&full, Some(r#""""#))), true, "empty next link"),
            (
                ok(envelope(&full, None)),
                false,
                "no link: the sizes decide",
            ),
            (ok(envelope(&full[..2], MORE)), true, "short page"),
            (ok(envelope(&[], MORE)), true, "empty page"),
            (
                ok(capped),
                false,
                "a page as full as the server's own per_page",
            ),
        ];
        let expected: Vec<(bool, &str)> =
            cases.iter().map(|(_, last, what)| (*last, *what)).collect();
        let server = serve(cases.into_iter().map(|(r, _, _)| r).collect()).await;
        let (client, _) = client(&server);
        for (page, (last, what)) in expected.into_iter().enumerate() {
            let p = client
                .list_page(Stream::Calls, &january(), page as u32)
                .await
                .unwrap();
            assert_eq!(p.is_last, last, "{what}");
        }
    }

    #[tokio::test]
    async fn windows_over_90_days_are_refused_unsent() {
        let server = serve(vec![ok(envelope(&[], None))]).await;
        let (client, _) = client(&server);
        let from = dt("2024-01-01 00:00:00");
        let too_long = Window {
            from,
            to: from + chrono::Duration::days(90) + chrono::Duration::seconds(1),
        };
        let err = client
            .list_page(Stream::Calls, &too_long, 0)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, JustCallError::Config(m) if m.contains("90 days")),
            "{err:?}"
        );
        let reversed = Window {
            from: too_long.to,
            to: from,
        };
        assert!(matches!(
            client.list_page(Stream::Texts, &reversed, 0).await,
            Err(JustCallError::Config(_))
        ));
        assert!(server.seen().is_empty());
        let exactly = Window {
            from,
            to: from + chrono::Duration::days(90),
        };
        client.list_page(Stream::Calls, &exactly, 0).await.unwrap();
        assert_eq!(server.seen().len(), 1);
    }

    #[tokio::test]
    async fn one_record_as_object_or_one_element_array() {
        let server = serve(vec![
            ok(r#"{"status":"success","data":{"id":123,"call_sid":"CA1"}}"#),
            ok(r#"{"status":"success","data":[{"id":123}]}"#),
            ok(r#"{"status":"success","data":[]}"#),
            reply(404, r#"{"status":"error","message":"Call not found"}"#),
        ])
        .await;
        let (client, _) = client(&server);
        assert_eq!(
            client.get_record(Stream::Calls, 123).await.unwrap().get(),
            r#"{"id":123,"call_sid":"CA1"}"#
        );
        assert_eq!(
            client.get_record(Stream::Texts, 123).await.unwrap().get(),
            r#"{"id":123}"#
        );
        for _ in 0..2 {
            let err = client.get_record(Stream::Users, 9).await.unwrap_err();
            assert!(
                matches!(&err, JustCallError::NotFound { request } if request == "GET /v2.1/users/9"),
                "{err:?}"
            );
        }
        let paths: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
        assert_eq!(
            paths,
            [
                "/v2.1/calls/123",
                "/v2.1/texts/123",
                "/v2.1/users/9",
                "/v2.1/users/9"
            ]
        );
    }

    #[tokio::test]
    async fn pacing_off_still_counts_and_honours_429() {
        let server = serve(vec![
            with_headers(
                ok(envelope(&[], None)),
                &[
                    ("x-rate-limit-burst-remaining", "0".into()),
                    ("x-rate-limit-burst-reset", "5".into()),
                ],
            ),
            ok(envelope(&[], None)),
        ])
        .await;
        let (client, events) = client_with(JustCallConfig {
            pace: false,
            ..config(&server.base_url)
        });
        client.users_page(0).await.unwrap();
        client.users_page(1).await.unwrap();
        assert_eq!(client.stats().requests, 2);
        assert!(events.lock().unwrap().is_empty(), "no pacing wait");
    }

    /// Compile-time check: the request futures can be spawned on a multi-threaded runtime.
    #[allow(dead_code)]
    fn futures_are_send(client: &JustCallClient, window: &Window) {
        fn send<T: Send>(_: T) {}
        send(client.users_page(0));
        send(client.list_page(Stream::Calls, window, 0));
        send(client.get_record(Stream::Texts, 1));
        send(client.clone());
    }

    #[test]
    fn windows_are_contiguous_and_bounded() {
        let from = dt("2024-01-01 00:00:00");
        for (to, span) in [
            (dt("2024-12-31 23:59:59"), chrono::Duration::days(90)),
            (dt("2024-03-01 12:34:56"), chrono::Duration::days(30)),
            (dt("2024-01-01 00:00:00"), chrono::Duration::days(1)),
            (dt("2024-01-01 00:00:10"), chrono::Duration::seconds(3)),
            (dt("2024-01-01 00:00:05"), chrono::Duration::zero()),
        ] {
            let ws = windows(from, to, span);
            assert_eq!(ws.first().unwrap().from, from);
            assert_eq!(ws.last().unwrap().to, to);
            for w in &ws {
                assert!(w.from <= w.to);
                assert!(
                    w.to - w.from <= span.max(chrono::Duration::seconds(1)),
                    "{w}"
                );
            }
            for pair in ws.windows(2) {
                assert_eq!(
                    pair[1].from - pair[0].to,
                    chrono::Duration::seconds(1),
                    "no gap, no overlap"
                );
            }
        }
        // Day-sized windows end on :59 and the next starts on the day.
        let ws = windows(from, dt("2024-01-03 00:00:00"), chrono::Duration::days(1));
        assert_eq!(
            ws,
            [
                Window {
                    from,
                    to: dt("2024-01-01 23:59:59")
                },
                Window {
                    from: dt("2024-01-02 00:00:00"),
                    to: dt("2024-01-02 23:59:59")
                },
                Window {
                    from: dt("2024-01-03 00:00:00"),
                    to: dt("2024-01-03 00:00:00")
                },
            ]
        );
        assert!(windows(dt("2024-02-01 00:00:00"), from, chrono::Duration::days(1)).is_empty());
        // Fractions of a second are dropped, not rounded into an overlap.
        let frac = from + chrono::Duration::milliseconds(1500);
        assert_eq!(
            windows(from, frac, chrono::Duration::days(1)),
            [Window {
                from,
                to: dt("2024-01-01 00:00:01")
            }]
        );
    }
}
