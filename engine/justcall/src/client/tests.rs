//! Tests of the JustCall client against a scripted axum server on 127.0.0.1: every request
//! takes the next reply.

use super::*;
use crate::secret::Secret;
use crate::{BackoffConfig, Jitter};
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
    let mut reply =
        next.unwrap_or_else(|| reply(500, r#"{"message":"the test script ran out of replies"}"#));
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
    let body = format!(r#"{{"status":"error","message":"Invalid credentials {KEY}:{SECRET}"}}"#);
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
    assert_eq!(client.stats().hourly_limit, None, "no answer yet");
    client.users_page(0).await.unwrap();
    client.users_page(1).await.unwrap();
    let stats = client.stats();
    assert_eq!(
        (stats.requests, stats.responses_429, stats.retries),
        (2, 0, 0),
        "{stats:?}"
    );
    assert_eq!(
        stats.hourly_limit,
        Some(1800),
        "the plan's limit is recorded"
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
    let expected: Vec<(bool, &str)> = cases.iter().map(|(_, last, what)| (*last, *what)).collect();
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
