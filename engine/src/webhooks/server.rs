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
use chrono::{NaiveDateTime, TimeDelta};
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
    /// Export to Firestore after changes (processed webhooks, scheduled syncs): only the
    /// documents whose content changed are written (the export's ledger).
    /// A read-only copy of the file for analysts (DuckDB lets no other process open a file while
    /// a writer holds it): rewritten after changes, at most once per interval.
    pub snapshot: Option<(std::path::PathBuf, Duration)>,
    pub export: Option<(
        crate::firestore::FirestoreClient,
        crate::firestore::export::ExportOptions,
    )>,
}

struct App {
    store: Arc<Mutex<Store>>,
    config: ServeConfig,
    work: Arc<Notify>,
    persist: tokio::sync::mpsc::Sender<PersistRequest>,
}

/// One accepted event on its way to the file, with where to send the outcome (`true`: new,
/// `false`: a duplicate `request_id`).
struct PersistRequest {
    request_id: String,
    event_type: String,
    record: Option<(&'static str, i64)>,
    payload: String,
    reply: tokio::sync::oneshot::Sender<anyhow::Result<bool>>,
}

/// Group commit: writes every event waiting in the queue in one transaction, then answers each.
/// Under load many events share one commit; alone, an event is committed at once.
fn persister(
    store: Arc<Mutex<Store>>,
    work: Arc<Notify>,
    mut queue: tokio::sync::mpsc::Receiver<PersistRequest>,
) {
    while let Some(first) = queue.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < 1000 {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let result = (|| -> anyhow::Result<Vec<bool>> {
            // A request_id twice in one batch: the first is the event, the others duplicates.
            let mut seen = std::collections::HashSet::new();
            let first: Vec<bool> = batch
                .iter()
                .map(|e| seen.insert(e.request_id.clone()))
                .collect();
            let store = store.lock().expect("store lock");
            let conn = store.conn();
            // One appended batch and one INSERT ... ON CONFLICT per group, not one per event.
            conn.execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS callduck_incoming_events AS
                     SELECT * FROM callduck_webhook_events LIMIT 0;
                 DELETE FROM callduck_incoming_events;",
            )?;
            let now = now_utc();
            {
                let mut appender =
                    conn.appender_to_catalog_and_db("callduck_incoming_events", "temp", "main")?;
                for (e, _) in batch.iter().zip(&first).filter(|(_, f)| **f) {
                    let status = if e.record.is_some() {
                        "pending"
                    } else {
                        "ignored"
                    };
                    appender.append_row(params![
                        e.request_id,
                        e.event_type,
                        e.record.map(|r| r.0),
                        e.record.map(|r| r.1),
                        e.payload,
                        now,
                        status,
                        None::<NaiveDateTime>,
                        None::<String>
                    ])?;
                }
                appender.flush()?;
            }
            let mut stmt = conn.prepare(
                "INSERT INTO callduck_webhook_events SELECT * FROM callduck_incoming_events
                 ON CONFLICT (request_id) DO NOTHING RETURNING request_id",
            )?;
            let inserted: std::collections::HashSet<String> = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()?;
            Ok(batch
                .iter()
                .zip(&first)
                .map(|(e, f)| *f && inserted.contains(&e.request_id))
                .collect())
        })();
        match result {
            Ok(inserted) => {
                for (e, new) in batch.into_iter().zip(inserted) {
                    let _ = e.reply.send(Ok(new));
                }
                work.notify_one();
            }
            Err(err) => {
                let message = format!("{err:#}");
                for e in batch {
                    let _ = e.reply.send(Err(anyhow::anyhow!("{message}")));
                }
            }
        }
    }
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
    let (reply, outcome) = tokio::sync::oneshot::channel();
    let request = PersistRequest {
        request_id,
        event_type,
        record,
        payload,
        reply,
    };
    if app.persist.send(request).await.is_err() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down, send it again\n",
        );
    }
    match outcome.await {
        Ok(Ok(false)) => (StatusCode::OK, "duplicate, ignored\n"),
        Ok(Ok(true)) => (StatusCode::OK, "accepted\n"),
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
    let work = Arc::new(Notify::new());
    let (persist, queue) = tokio::sync::mpsc::channel(4096);
    let app = Arc::new(App {
        store: store.clone(),
        config: config.clone(),
        work: work.clone(),
        persist,
    });
    let (shutdown, watch) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    // Ends when the last App (and so the queue's sender) is gone: after the server and the
    // processor stopped, so every accepted event is committed before shutdown completes.
    let persist_store = store.clone();
    tasks.spawn(async move {
        let _ = tokio::task::spawn_blocking(move || persister(persist_store, work, queue)).await;
    });

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

    // Set when records changed (webhooks processed, a scheduled sync ran): the processor then
    // exports to Firestore once it is idle, so a burst of events costs one export.
    let dirty = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The same for the read snapshot; starts dirty so a fresh server writes one.
    let snapshot_dirty = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let export = match &config.export {
        Some((client, opts)) => Some((
            store.lock().expect("store lock").try_clone()?,
            client.clone(),
            opts.clone(),
        )),
        None => None,
    };
    let export = export.map(|e| Arc::new(Mutex::new(e)));
    let mut stop = watch.clone();
    let processor_app = app.clone();
    let processor_client = client.clone();
    let processor_dirty = dirty.clone();
    let processor_snapshot_dirty = snapshot_dirty.clone();
    let snapshot = config.snapshot.clone();
    tasks.spawn(async move {
        let mut failures = 0u32;
        let mut last_snapshot: Option<std::time::Instant> = None;
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
                    if p.events > 0 {
                        processor_dirty.store(true, std::sync::atomic::Ordering::SeqCst);
                        processor_snapshot_dirty.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
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
            if let Some(export) = &export {
                if processor_dirty.swap(false, std::sync::atomic::Ordering::SeqCst) {
                    let export = export.clone();
                    let handle = tokio::runtime::Handle::current();
                    // The store is not Sync: run the export on a blocking thread of its own.
                    let result = tokio::task::spawn_blocking(move || {
                        let guard = export.lock().expect("export lock");
                        let (store, client, opts) = &*guard;
                        handle.block_on(crate::firestore::export::run_export(store, Some(client), opts))
                    })
                    .await;
                    match result {
                        Ok(Ok(s)) => tracing::info!(written = s.written, unchanged = s.unchanged, goals = s.goals_updated, "firestore export after changes"),
                        Ok(Err(e)) => {
                            processor_dirty.store(true, std::sync::atomic::Ordering::SeqCst);
                            tracing::warn!("firestore export failed (retried after the next change or pass): {e:#}");
                        }
                        Err(e) => tracing::error!("firestore export panicked: {e}"),
                    }
                }
            }
            if let Some((path, every)) = &snapshot {
                let due = last_snapshot.is_none_or(|t| t.elapsed() >= *every);
                if due && processor_snapshot_dirty.swap(false, std::sync::atomic::Ordering::SeqCst) {
                    let (store, path) = (processor_app.store.clone(), path.clone());
                    let started = std::time::Instant::now();
                    let result = tokio::task::spawn_blocking(move || store.lock().expect("store lock").snapshot_to(&path)).await;
                    match result {
                        Ok(Ok(())) => {
                            last_snapshot = Some(std::time::Instant::now());
                            tracing::info!(secs = started.elapsed().as_secs_f64(), "read snapshot written");
                        }
                        Ok(Err(e)) => {
                            processor_snapshot_dirty.store(true, std::sync::atomic::Ordering::SeqCst);
                            tracing::warn!("writing the read snapshot failed: {e:#}");
                        }
                        Err(e) => tracing::error!("the snapshot task panicked: {e}"),
                    }
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
            dirty.clone(),
            snapshot_dirty.clone(),
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
