//! The `callduck serve` HTTP server: the JustCall webhook receiver and a health check, plus the
//! background processor and the scheduler.
//!
//! An event is answered 200 only after it is committed to the DuckDB file, so an accepted event
//! is never lost: a crash before processing leaves it `pending`, and the next start processes it.
//! Refusals: 400 malformed JSON or missing fields, 401 bad signature or stale timestamp (logged
//! with the reason, never the secret), 413 body over the limit.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use chrono::TimeDelta;
use duckdb::params;
use serde_json::Value;
use tokio::sync::Notify;

use super::processor::{pending_count, process_pending};
use super::signature;
use crate::justcall::JustCallClient;
use crate::secret::Secret;
use crate::store::{now_utc, Store};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The public webhook URL configured in JustCall: signatures are computed over it.
    pub public_url: String,
    /// The API secret (JUSTCALL_API_SECRET): the HMAC key.
    pub secret: Secret,
    /// Largest accepted difference between the request timestamp and now.
    pub timestamp_window: TimeDelta,
    /// Largest accepted body, bytes.
    pub body_limit: usize,
    /// Events processed per pass.
    pub batch_events: usize,
    /// Scheduled sync interval (`None`: webhooks only).
    pub every: Option<Duration>,
    /// Options of the scheduled sync.
    pub sync: crate::sync::SyncOptions,
}

struct App {
    store: Arc<Mutex<Store>>,
    config: ServeConfig,
    work: Notify,
}

/// A running server (for `callduck serve` and tests).
pub struct ServerHandle {
    pub addr: SocketAddr,
    /// The server's store (one connection shared by the receiver and the processor).
    pub store: Arc<Mutex<Store>>,
    shutdown: tokio::sync::watch::Sender<bool>,
    tasks: tokio::task::JoinSet<()>,
}

impl ServerHandle {
    /// Stops accepting, lets the processor finish its pass, stops the scheduler (a sync in
    /// progress keeps what it committed), and waits for all of it.
    pub async fn shutdown(mut self) -> Arc<Mutex<Store>> {
        let _ = self.shutdown.send(true);
        while self.tasks.join_next().await.is_some() {}
        self.store
    }

    /// Waits until no accepted event is pending (or `timeout` passes); returns the pending count.
    pub async fn drained(&self, timeout: Duration) -> anyhow::Result<i64> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let pending = pending_count(&self.store.lock().expect("store lock"))?;
            if pending == 0 || tokio::time::Instant::now() >= deadline {
                return Ok(pending);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `call.*` events name a call, `sms.*` events a text.
fn record_of(event_type: &str, body: &Value) -> Option<(&'static str, i64)> {
    let stream = if event_type.starts_with("call.") {
        "calls"
    } else if event_type.starts_with("sms.") {
        "texts"
    } else {
        return None;
    };
    let id = &body.get("data")?.get("id")?;
    let id = id.as_i64().or_else(|| id.as_str()?.trim().parse().ok())?;
    Some((stream, id))
}

async fn healthz(State(app): State<Arc<App>>) -> (StatusCode, String) {
    let store = app.store.clone();
    match tokio::task::spawn_blocking(move || pending_count(&store.lock().expect("store lock")))
        .await
    {
        Ok(Ok(pending)) => (StatusCode::OK, format!("ok, {pending} event(s) pending\n")),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "store unavailable\n".into(),
        ),
    }
}

async fn webhook(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let Ok(json) = serde_json::from_slice::<Value>(&body) else {
        tracing::warn!("webhook refused: malformed JSON ({} bytes)", body.len());
        return (StatusCode::BAD_REQUEST, "malformed JSON\n");
    };
    let (Some(event_type), Some(request_id)) = (
        json.get("type").and_then(Value::as_str).map(str::to_string),
        json.get("request_id").and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_i64().map(|n| n.to_string()))
        }),
    ) else {
        tracing::warn!("webhook refused: no type or request_id");
        return (
            StatusCode::BAD_REQUEST,
            "type and request_id are required\n",
        );
    };
    let checked = signature::verify(
        app.config.secret.expose(),
        &app.config.public_url,
        &event_type,
        header(&headers, "x-justcall-request-timestamp"),
        header(&headers, "x-justcall-signature"),
        header(&headers, "x-justcall-signature-version"),
        now_utc(),
        app.config.timestamp_window,
    );
    if let Err(why) = checked {
        tracing::warn!(request_id, event_type, "webhook refused: {why}");
        return (StatusCode::UNAUTHORIZED, "invalid signature\n");
    }
    let record = record_of(&event_type, &json);
    let payload = String::from_utf8_lossy(&body).into_owned();
    let store = app.store.clone();
    let persisted = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        let store = store.lock().expect("store lock");
        let status = if record.is_some() { "pending" } else { "ignored" };
        Ok(store.conn().execute(
            "INSERT INTO callduck_webhook_events (request_id, event_type, record_stream, record_id, payload, received_at, event_status)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING",
            params![request_id, event_type, record.map(|r| r.0), record.map(|r| r.1), payload, now_utc(), status],
        )?)
    })
    .await;
    match persisted {
        Ok(Ok(0)) => (StatusCode::OK, "duplicate, ignored\n"),
        Ok(Ok(_)) => {
            app.work.notify_one();
            (StatusCode::OK, "accepted\n")
        }
        Ok(Err(e)) => {
            tracing::error!("could not persist a webhook event: {e:#}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "could not persist the event, send it again\n",
            )
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n"),
    }
}

/// The router (exposed for tests that drive it directly).
fn router(app: Arc<App>) -> Router {
    let limit = app.config.body_limit;
    Router::new()
        .route("/webhooks/justcall", post(webhook))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app)
}

/// Starts the server on `listener`: receiver, processor (which first processes what a previous
/// run left pending) and, with `config.every`, the scheduler.
pub async fn start(
    listener: tokio::net::TcpListener,
    store: Store,
    client: JustCallClient,
    config: ServeConfig,
) -> anyhow::Result<ServerHandle> {
    let addr = listener.local_addr()?;
    let sync_store = match config.every {
        Some(_) => Some(store.try_clone()?),
        None => None,
    };
    let store = Arc::new(Mutex::new(store));
    let app = Arc::new(App {
        store: store.clone(),
        config: config.clone(),
        work: Notify::new(),
    });
    let (shutdown, watch) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();

    let mut stop = watch.clone();
    let server_app = app.clone();
    tasks.spawn(async move {
        let result = axum::serve(listener, router(server_app))
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await;
        if let Err(e) = result {
            tracing::error!("the HTTP server stopped: {e}");
        }
    });

    let mut stop = watch.clone();
    let processor_app = app.clone();
    let processor_client = client.clone();
    tasks.spawn(async move {
        let mut failures = 0u32;
        loop {
            match process_pending(
                &processor_app.store,
                &processor_client,
                processor_app.config.batch_events,
            )
            .await
            {
                Ok(p) if p.events > 0 || p.failed > 0 => {
                    failures = 0;
                    tracing::debug!(
                        events = p.events,
                        records = p.records,
                        failed = p.failed,
                        "webhook events processed"
                    );
                    continue;
                }
                Ok(_) => failures = 0,
                Err(e) => {
                    failures += 1;
                    tracing::warn!("processing webhook events failed (attempt {failures}): {e:#}");
                }
            }
            if *stop.borrow() {
                return;
            }
            let wait = Duration::from_millis(if failures == 0 {
                1000
            } else {
                (500u64 << failures.min(6)).min(30_000)
            });
            tokio::select! {
                _ = processor_app.work.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    });

    if let (Some(every), Some(sync_store)) = (config.every, sync_store) {
        let stop = watch.clone();
        tasks.spawn(super::schedule::run_every(
            every,
            sync_store,
            client,
            config.sync.clone(),
            stop,
        ));
    }
    Ok(ServerHandle {
        addr,
        store,
        shutdown,
        tasks,
    })
}

/// Waits for ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
