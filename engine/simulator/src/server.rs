//! The simulator's HTTP layer: axum routes for `/v2.1/{users,calls,texts}` and their
//! single-record forms, with authentication, rate limits, injected faults and the list envelope.
//!
//! Every request goes through the same gate, in this order: count it, add the configured
//! latency, check `Authorization: <key>:<secret>` (401), take a rate-limit unit (429), apply the
//! next injected fault, then answer. Every answer carries the six rate-limit headers. The data
//! lock is held only while a page is rendered, never across an await.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::faults::{self, Action, Cut};
use super::query::{self, ApiError, Order, Paging};
use super::rate_limit::{epoch_now, RateHeaders};
use super::served::Selection;
use super::{render, Counters, Shared};

/// Which collection a request is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Users,
    Calls,
    Texts,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Users => "/v2.1/users",
            Kind::Calls => "/v2.1/calls",
            Kind::Texts => "/v2.1/texts",
        }
    }
}

/// A list request or a single-record request.
#[derive(Clone, Debug)]
enum Endpoint {
    List(Kind),
    One(Kind, String),
}

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;
type AppState = State<Arc<Shared>>;
type Conn = ConnectInfo<Cut>;

/// The simulator's routes.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v2.1/users", get(users))
        .route("/v2.1/users/{id}", get(user))
        .route("/v2.1/calls", get(calls))
        .route("/v2.1/calls/{id}", get(call))
        .route("/v2.1/texts", get(texts))
        .route("/v2.1/texts/{id}", get(text))
        .fallback(not_found)
        .with_state(shared)
}

async fn users(
    State(s): AppState,
    ConnectInfo(cut): Conn,
    headers: HeaderMap,
    q: Params,
) -> Response {
    handle(s, Endpoint::List(Kind::Users), cut, headers, q).await
}

async fn user(
    State(s): AppState,
    ConnectInfo(cut): Conn,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Params,
) -> Response {
    handle(s, Endpoint::One(Kind::Users, id), cut, headers, q).await
}

async fn calls(
    State(s): AppState,
    ConnectInfo(cut): Conn,
    headers: HeaderMap,
    q: Params,
) -> Response {
    handle(s, Endpoint::List(Kind::Calls), cut, headers, q).await
}

async fn call(
    State(s): AppState,
    ConnectInfo(cut): Conn,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Params,
) -> Response {
    handle(s, Endpoint::One(Kind::Calls, id), cut, headers, q).await
}

async fn texts(
    State(s): AppState,
    ConnectInfo(cut): Conn,
    headers: HeaderMap,
    q: Params,
) -> Response {
    handle(s, Endpoint::List(Kind::Texts), cut, headers, q).await
}

async fn text(
    State(s): AppState,
    ConnectInfo(cut): Conn,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Params,
) -> Response {
    handle(s, Endpoint::One(Kind::Texts, id), cut, headers, q).await
}

async fn not_found(State(s): AppState, uri: axum::http::Uri) -> Response {
    Counters::bump(&s.stats.requests);
    let rate = s
        .limiter
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .peek(epoch_now());
    error(
        StatusCode::NOT_FOUND,
        &format!("No such endpoint: {}", uri.path()),
        &rate,
    )
}

/// A JSON answer with the rate-limit headers.
fn respond(status: StatusCode, body: Vec<u8>, rate: &RateHeaders) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    add_headers(r.headers_mut(), rate);
    r
}

fn add_headers(h: &mut HeaderMap, rate: &RateHeaders) {
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in rate.pairs() {
        h.insert(
            name,
            HeaderValue::from_str(&value).expect("digits are a valid header value"),
        );
    }
}

fn error(status: StatusCode, message: &str, rate: &RateHeaders) -> Response {
    let body = json!({"status": "error", "message": message});
    respond(status, serde_json::to_vec(&body).expect("JSON"), rate)
}

fn authorized(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == expected)
}

async fn handle(
    s: Arc<Shared>,
    ep: Endpoint,
    cut: Cut,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let stats = &s.stats;
    Counters::bump(&stats.requests);
    match &ep {
        Endpoint::List(Kind::Users) => Counters::bump(&stats.users),
        Endpoint::List(Kind::Calls) => Counters::bump(&stats.calls),
        Endpoint::List(Kind::Texts) => Counters::bump(&stats.texts),
        Endpoint::One(..) => Counters::bump(&stats.single),
    }
    if !s.config.latency.is_zero() {
        tokio::time::sleep(s.config.latency).await;
    }

    let expected = format!("{}:{}", s.config.api_key, s.config.api_secret);
    if !authorized(&headers, &expected) {
        Counters::bump(&stats.unauthorized);
        let rate = s
            .limiter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .peek(epoch_now());
        tracing::debug!(
            ?ep,
            "JustCall simulator: 401 (missing or wrong credentials)"
        );
        let message = if headers.contains_key(header::AUTHORIZATION) {
            "Invalid API key or secret"
        } else {
            "Missing Authorization header: send `Authorization: <api_key>:<api_secret>`"
        };
        return error(StatusCode::UNAUTHORIZED, message, &rate);
    }

    let (allowed, mut rate) = s
        .limiter
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .acquire(epoch_now());
    if !allowed {
        Counters::bump(&stats.throttled);
        tracing::debug!(?ep, "JustCall simulator: 429 (rate limit)");
        return error(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests: rate limit exceeded",
            &rate,
        );
    }

    let mut drop_connection = false;
    let mut repeat_first_page = false;
    if let Some(action) = s.faults.next() {
        Counters::bump(&stats.faults);
        tracing::debug!(?ep, ?action, "JustCall simulator: injected fault");
        match action {
            Action::ServerError(code) => {
                let status =
                    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let message = format!("Injected server error {}", status.as_u16());
                return error(status, &message, &rate);
            }
            Action::TooManyRequests => {
                Counters::bump(&stats.throttled);
                rate.burst_remaining = 0;
                rate.burst_reset = epoch_now().as_secs() + 1;
                let mut r = error(StatusCode::TOO_MANY_REQUESTS, "Too many requests", &rate);
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                return r;
            }
            Action::Slow(delay) => tokio::time::sleep(delay).await,
            Action::DropConnection => drop_connection = true,
            Action::RepeatFirstPage => repeat_first_page = true,
        }
    }

    let mut params = match params {
        Ok(Query(p)) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.body_text(), &rate),
    };
    if repeat_first_page {
        params.insert("page".into(), "0".into());
    }
    match answer(&s, &ep, &params) {
        Ok(body) if drop_connection => {
            // 200, the headers and half the body, then the connection closes.
            cut.arm(body.len() / 2);
            respond(StatusCode::OK, body, &rate)
        }
        Ok(body) => respond(StatusCode::OK, body, &rate),
        Err(e) => {
            tracing::debug!(?ep, status = e.status, message = %e.message, "JustCall simulator: error answer");
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            error(status, &e.message, &rate)
        }
    }
}

/// The body of a successful answer, or the API error to send instead.
fn answer(
    s: &Shared,
    ep: &Endpoint,
    params: &HashMap<String, String>,
) -> Result<Vec<u8>, ApiError> {
    let served = s.served();
    match ep {
        Endpoint::List(kind) => {
            let paging = query::parse_paging(params)?;
            let overlap = s.duplicate_across_pages.load(Ordering::Relaxed);
            let page = |total: usize, order: Order, item: &dyn Fn(usize) -> Value| {
                list_page(&s.base_url, *kind, paging, overlap, total, order, item)
            };
            match kind {
                Kind::Users => {
                    let users = &served.data.users;
                    Ok(page(users.len(), Order::Asc, &|k| render::user(&users[k])))
                }
                Kind::Calls => {
                    let (filter, order) = query::parse_list_filter(params, s.account_tz, true)?;
                    let sel = served.select_calls(&filter);
                    let calls = &served.data.calls;
                    Ok(page(sel.len(), order, &|k| {
                        let c = &calls[sel.position(k)];
                        render::call(c, served.is_malformed_call(c.id))
                    }))
                }
                Kind::Texts => {
                    let (filter, order) = query::parse_list_filter(params, s.account_tz, false)?;
                    let sel: Selection = served.select_texts(&filter);
                    let texts = &served.data.texts;
                    Ok(page(sel.len(), order, &|k| {
                        let t = &texts[sel.position(k)];
                        render::text(t, served.is_malformed_text(t.id))
                    }))
                }
            }
        }
        Endpoint::One(kind, raw) => {
            let missing =
                || ApiError::not_found(format!("No record with id {raw:?} at {}", kind.path()));
            let id: i64 = raw.trim().parse().map_err(|_| missing())?;
            let id = match s.poisoned.get(kind.path(), id) {
                None => id,
                Some(faults::Poison::BadRequest) => {
                    return Err(ApiError::bad_request(format!(
                        "Invalid id {id}: the record cannot be retrieved"
                    )))
                }
                Some(faults::Poison::OtherRecord(other)) => other,
                Some(faults::Poison::Undecodable) => {
                    return Ok(br#"{"status": "success", "data": "record unavailable"}"#.to_vec())
                }
            };
            let (data, array) = match kind {
                Kind::Users => (render::user(served.user(id).ok_or_else(missing)?), false),
                Kind::Calls => {
                    let c = served.call(id).ok_or_else(missing)?;
                    (
                        render::call(c, served.is_malformed_call(id)),
                        render::single_as_array(id),
                    )
                }
                Kind::Texts => {
                    let t = served.text(id).ok_or_else(missing)?;
                    (
                        render::text(t, served.is_malformed_text(id)),
                        render::single_as_array(id),
                    )
                }
            };
            let data = if array {
                Value::Array(vec![data])
            } else {
                data
            };
            Ok(serde_json::to_vec(&json!({"status": "success", "data": data})).expect("JSON"))
        }
    }
}

/// One page of a list in JustCall's envelope. `item(k)` renders the k-th selected record in
/// ascending order; `order` decides which records a page holds.
fn list_page(
    base_url: &str,
    kind: Kind,
    paging: Paging,
    overlap: bool,
    total: usize,
    order: Order,
    item: &dyn Fn(usize) -> Value,
) -> Vec<u8> {
    let w = query::page_window(total, paging.page, paging.per_page, overlap);
    let data: Vec<Value> = (w.start..w.end)
        .map(|i| match order {
            Order::Asc => item(i),
            Order::Desc => item(total - 1 - i),
        })
        .collect();
    // Like the real API, the links carry only the page and its size, not the filters.
    let link = |page: usize| {
        Value::String(format!(
            "{base_url}{}?page={page}&per_page={}",
            kind.path(),
            paging.per_page
        ))
    };
    let body = json!({
        "status": "success",
        "count": data.len(),
        "total_count": total,
        "current_page": paging.page,
        "per_page": paging.per_page,
        "next_page_link": if w.has_next { link(paging.page + 1) } else { Value::Null },
        "prev_page_link": if paging.page > 0 { link(paging.page - 1) } else { Value::Null },
        "data": data,
    });
    serde_json::to_vec(&body).expect("JSON")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use callduck_metrics::{Call, Sms, User};

    use crate::{Fault, RateLimit, SimConfig, SimHandle, Simulator};

    fn client() -> reqwest::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder().build().unwrap()
    }

    fn small() -> SimConfig {
        SimConfig {
            agents: 3,
            days: 10,
            calls_per_agent_day: 20.0,
            texts_per_agent_day: 10.0,
            ..SimConfig::default()
        }
    }

    async fn start(config: SimConfig) -> SimHandle {
        Simulator::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap()
    }

    async fn get(
        c: &reqwest::Client,
        sim: &SimHandle,
        path: &str,
    ) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
        let r = c
            .get(format!("{}{path}", sim.base_url()))
            .header("Authorization", "sim-key:sim-secret")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.json().await.unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn serves_every_call_once_across_pages_and_parses_back() {
        let config = small();
        let sim = start(config.clone()).await;
        let c = client();
        let data = sim.dataset();

        // Wrong or missing credentials.
        let r = c
            .get(format!("{}/v2.1/calls", sim.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
        assert!(r.headers().contains_key("x-rate-limit-limit"));
        let r = c
            .get(format!("{}/v2.1/calls", sim.base_url()))
            .header("Authorization", "Basic c2ltLWtleTpzaW0tc2VjcmV0")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["status"], "error");

        // Users.
        let (status, headers, body) = get(&c, &sim, "/v2.1/users?per_page=100").await;
        assert_eq!(status, 200);
        for h in [
            "limit",
            "remaining",
            "reset",
            "burst-limit",
            "burst-remaining",
            "burst-reset",
        ] {
            assert!(
                headers.contains_key(format!("x-rate-limit-{h}").as_str()),
                "{h}"
            );
        }
        let users: Vec<User> = serde_json::from_value(body["data"].clone()).unwrap();
        assert_eq!(users, data.users);
        assert!(body["next_page_link"].is_null());

        // All calls, newest first, 100 per page, following next_page_link.
        let mut got: Vec<Call> = Vec::new();
        let mut url = String::from(
            "/v2.1/calls?per_page=100&from_datetime=2026-11-01&to_datetime=2026-11-20",
        );
        loop {
            let (status, _, body) = get(&c, &sim, &url).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(
                body["count"].as_u64().unwrap() as usize,
                body["data"].as_array().unwrap().len()
            );
            got.extend(serde_json::from_value::<Vec<Call>>(body["data"].clone()).unwrap());
            match body["next_page_link"].as_str() {
                Some(next) => {
                    assert!(
                        !next.contains("from_datetime"),
                        "the link drops the filters: {next}"
                    );
                    let page = next
                        .split("page=")
                        .nth(1)
                        .unwrap()
                        .split('&')
                        .next()
                        .unwrap();
                    url = format!("/v2.1/calls?per_page=100&page={page}&from_datetime=2026-11-01&to_datetime=2026-11-20");
                }
                None => break,
            }
        }
        // Filters are New York wall-clock times: 2026-11-01 00:00 EDT = 04:00 UTC.
        let from = chrono::NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(4, 0, 0)
            .unwrap();
        let mut want: Vec<Call> = data
            .calls
            .iter()
            .filter(|c| c.started_at() >= from)
            .cloned()
            .collect();
        want.reverse();
        assert_eq!(got.len(), want.len());
        assert!(
            got == want,
            "the pages hold exactly the canonical calls, newest first"
        );

        // One call, one SMS, unknown ids, bad parameters.
        let id = data.calls[5].id;
        let (status, _, body) = get(&c, &sim, &format!("/v2.1/calls/{id}")).await;
        assert_eq!(status, 200);
        let one = if body["data"].is_array() {
            body["data"][0].clone()
        } else {
            body["data"].clone()
        };
        assert_eq!(serde_json::from_value::<Call>(one).unwrap(), data.calls[5]);
        let tid = data.texts[3].id;
        let (status, _, body) = get(&c, &sim, &format!("/v2.1/texts/{tid}")).await;
        assert_eq!(status, 200);
        let one = if body["data"].is_array() {
            body["data"][0].clone()
        } else {
            body["data"].clone()
        };
        assert_eq!(serde_json::from_value::<Sms>(one).unwrap(), data.texts[3]);
        assert_eq!(get(&c, &sim, "/v2.1/calls/1").await.0, 404);
        assert_eq!(get(&c, &sim, "/v2.1/users/abc").await.0, 404);
        let (status, _, body) = get(&c, &sim, "/v2.1/texts?per_page=101").await;
        assert_eq!(status, 400);
        assert!(body["message"].as_str().unwrap().contains("per_page"));
        let (status, _, body) = get(
            &c,
            &sim,
            "/v2.1/calls?from_datetime=2026-01-01&to_datetime=2026-06-01",
        )
        .await;
        assert_eq!(status, 400);
        assert!(body["message"].as_str().unwrap().contains("90 days"));
        let (status, _, body) = get(&c, &sim, "/v2.1/calls?to_datetime=tomorrow").await;
        assert_eq!(status, 400);
        assert!(body["message"].as_str().unwrap().contains("to_datetime"));

        let stats = sim.stats();
        assert!(
            stats.calls >= 3 && stats.single == 4 && stats.users == 1 && stats.unauthorized == 2,
            "{stats:?}"
        );
        sim.shutdown();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn duplicate_pages_faults_and_rate_limits() {
        let config = SimConfig {
            rate_limit: Some(RateLimit {
                per_hour: 1000,
                per_burst: 3,
                burst_window: Duration::from_secs(1),
                hour_window: Duration::from_secs(3600),
            }),
            ..small()
        };
        let sim = start(config).await;
        let c = client();
        let data = sim.dataset();

        // Burst limit: three requests pass, the fourth in the same window gets 429 without
        // Retry-After. Align to the start of a window first.
        let now = super::epoch_now().as_secs_f64();
        let next = now.ceil();
        tokio::time::sleep(Duration::from_secs_f64(next - now + 0.05)).await;
        let mut statuses = Vec::new();
        let mut last_headers = None;
        for _ in 0..4 {
            let (status, headers, _) = get(&c, &sim, "/v2.1/users").await;
            statuses.push(status);
            last_headers = Some(headers);
        }
        assert_eq!(statuses, vec![200, 200, 200, 429]);
        let h = last_headers.unwrap();
        assert_eq!(h["x-rate-limit-burst-remaining"], "0");
        assert!(!h.contains_key("retry-after"));
        let reset: u64 = h["x-rate-limit-burst-reset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let wait = reset as f64 - super::epoch_now().as_secs_f64();
        assert!(wait > 0.0 && wait <= 1.0, "{wait}");
        tokio::time::sleep(Duration::from_secs_f64(wait + 0.05)).await;

        // Overlapping pages: page 1 starts with page 0's last call.
        sim.set_duplicate_across_pages(true);
        let (_, _, p0) = get(&c, &sim, "/v2.1/calls?per_page=50&order=asc").await;
        let (_, _, p1) = get(&c, &sim, "/v2.1/calls?per_page=50&order=asc&page=1").await;
        assert_eq!(p0["data"][49]["call_sid"], p1["data"][0]["call_sid"]);
        assert_eq!(p1["data"].as_array().unwrap().len(), 50);
        assert_eq!(
            p0["data"][0]["call_sid"].as_str(),
            data.calls[0].call_sid.as_deref()
        );
        sim.set_duplicate_across_pages(false);
        tokio::time::sleep(Duration::from_secs(1)).await;

        // Faults, in order.
        sim.inject(Fault::ServerError {
            status: 503,
            count: 1,
        });
        sim.inject(Fault::TooManyRequests { count: 1 });
        sim.inject(Fault::DropConnection { count: 1 });
        let (status, _, body) = get(&c, &sim, "/v2.1/texts").await;
        assert_eq!((status, body["status"].as_str()), (503, Some("error")));
        let r = c
            .get(format!("{}/v2.1/texts", sim.base_url()))
            .header("Authorization", "sim-key:sim-secret")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 429);
        assert_eq!(r.headers()["retry-after"], "1");
        tokio::time::sleep(Duration::from_secs(1)).await;
        let r = c
            .get(format!("{}/v2.1/texts?per_page=100", sim.base_url()))
            .header("Authorization", "sim-key:sim-secret")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "the headers arrive");
        assert!(r.bytes().await.is_err(), "the body is cut short");
        let (status, _, _) = get(&c, &sim, "/v2.1/texts").await;
        assert_eq!(status, 200, "faults are used up");
        let stats = sim.stats();
        assert_eq!(stats.faults, 3);
        assert_eq!(stats.throttled, 2);
        sim.shutdown();
    }
}
