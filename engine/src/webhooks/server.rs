//! The `callduck serve` HTTP server: the JustCall webhook receiver and a health check, plus the
//! background processor and the scheduler.
//!
//! An event is answered 200 only after it is committed to the DuckDB file, so an accepted event
//! is never lost: a crash before processing leaves it `pending`, and the next start processes it.
//! Refusals: 400 malformed JSON or missing fields, 401 bad signature, stale or future timestamp
//! (logged with the reason, never the secret), 413 body over the limit, 429 a signature's budget
//! of events spent, 408 a request that took longer than the idle timeout.
//!
//! Every write of the process goes through one writer ([`SharedStore`]): the receiver's group
//! commits, the processor's upserts, the scheduled sync's batches and the export's ledger, one
//! transaction at a time. The health check and the snapshot read through connections of their
//! own and never wait for it.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse as _;
use axum::routing::{get, post};
use axum::Router;
use chrono::{NaiveDateTime, TimeDelta};
use duckdb::params;
use serde_json::Value;
use tokio::sync::Notify;

use super::limits::{LimitedListener, SignatureBudget};
use super::processor::{pending_count, process_pending, EventPolicy};
use super::signature;
use super::Dirty;
use crate::justcall::JustCallClient;
use crate::secret::Secret;
use crate::store::load::stable_hash;
use crate::store::{now_utc, same_file, SharedStore, Store};

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
    /// A read-only copy of the file for analysts (DuckDB lets no other process open a file while
    /// a writer holds it): rewritten after changes, at most once per interval. Never the file
    /// itself.
    pub snapshot: Option<(std::path::PathBuf, Duration)>,
    /// Export to Firestore after changes (processed webhooks, scheduled syncs): only the
    /// documents whose content changed are written (the export's ledger). A failed export is
    /// retried with backoff.
    pub export: Option<(
        crate::firestore::FirestoreClient,
        crate::firestore::export::ExportOptions,
    )>,
    /// How often an event whose record cannot be fetched is tried, and the waits in between.
    pub events: EventPolicy,
    /// What one client may cost the receiver.
    pub limits: ServeLimits,
}

/// Bounds on what the receiver keeps and accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// Processed, ignored and failed events are deleted this long after they ended.
    pub retention: Duration,
    /// Events accepted under one signature (see [`SignatureBudget`]).
    pub max_events_per_signature: usize,
    /// Connections open at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// A connection that neither reads nor writes this long is closed, and a request that takes
    /// longer is answered 408.
    pub idle_timeout: Duration,
    /// How far in the future a request timestamp may lie (clock skew).
    pub future_skew: TimeDelta,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            retention: Duration::from_secs(7 * 86_400),
            max_events_per_signature: 1000,
            max_connections: 256,
            idle_timeout: Duration::from_secs(30),
            future_skew: TimeDelta::seconds(60),
        }
    }
}

struct App {
    /// A reading connection for the health check (never the writer).
    health: Mutex<Store>,
    config: ServeConfig,
    persist: tokio::sync::mpsc::Sender<PersistRequest>,
    budget: SignatureBudget,
}

/// What an event names: a record to re-fetch, nothing (not a record event), or an id that cannot
/// be a JustCall record (stored as `failed` at once, never fetched).
type Named = Result<Option<(&'static str, i64)>, String>;

/// One accepted event on its way to the file, with where to send the outcome (`true`: new,
/// `false`: a duplicate `request_id`).
struct PersistRequest {
    request_id: String,
    event_type: String,
    record: Named,
    body_hash: u64,
    body_bytes: usize,
    reply: tokio::sync::oneshot::Sender<anyhow::Result<bool>>,
}

/// Group commit: writes every event waiting in the queue in one transaction, then answers each.
/// Under load many events share one commit; alone, an event is committed at once.
fn persister(
    writer: SharedStore,
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
        let result = persist_batch(&writer.lock(), &batch);
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

/// One appended batch and one `INSERT ... ON CONFLICT` per group, not one per event.
fn persist_batch(store: &Store, batch: &[PersistRequest]) -> anyhow::Result<Vec<bool>> {
    // A request_id twice in one batch: the first is the event, the others duplicates.
    let mut seen = std::collections::HashSet::new();
    let first: Vec<bool> = batch
        .iter()
        .map(|e| seen.insert(e.request_id.clone()))
        .collect();
    let conn = store.conn();
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
            let (status, record, ended, why) = match &e.record {
                Ok(Some(r)) => ("pending", Some(*r), None, None),
                Ok(None) => ("ignored", None, Some(now), None),
                Err(why) => ("failed", None, Some(now), Some(why.as_str())),
            };
            appender.append_row(params![
                e.request_id,
                e.event_type,
                record.map(|r| r.0),
                record.map(|r| r.1),
                e.body_hash,
                e.body_bytes.min(i32::MAX as usize) as i32,
                now,
                status,
                0i32,
                None::<NaiveDateTime>,
                ended,
                why
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
}

/// A running server (for `callduck serve` and tests).
pub struct ServerHandle {
    pub addr: SocketAddr,
    /// The server's one writer (the receiver, the processor, the scheduler and the export).
    pub store: SharedStore,
    health: Arc<App>,
    shutdown: tokio::sync::watch::Sender<bool>,
    tasks: tokio::task::JoinSet<()>,
}

impl ServerHandle {
    /// Stops accepting, lets the processor finish its pass, stops the scheduler (a sync in
    /// progress keeps what it committed), and waits for all of it.
    pub async fn shutdown(mut self) -> SharedStore {
        let _ = self.shutdown.send(true);
        drop(self.health);
        while self.tasks.join_next().await.is_some() {}
        self.store
    }

    /// Waits until no accepted event is pending (or `timeout` passes); returns the pending count.
    pub async fn drained(&self, timeout: Duration) -> anyhow::Result<i64> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let pending =
                pending_count(&self.health.health.lock().unwrap_or_else(|e| e.into_inner()))?;
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

/// `call.*` events name a call, `sms.*` events a text; JustCall ids are positive integers.
fn record_of(event_type: &str, body: &Value) -> Named {
    let stream = if event_type.starts_with("call.") {
        "calls"
    } else if event_type.starts_with("sms.") {
        "texts"
    } else {
        return Ok(None);
    };
    let Some(id) = body.get("data").and_then(|d| d.get("id")) else {
        return Err(format!("a {event_type} event without data.id"));
    };
    let parsed = id.as_i64().or_else(|| id.as_str()?.trim().parse().ok());
    match parsed {
        Some(n) if n > 0 => Ok(Some((stream, n))),
        _ => Err(format!(
            "data.id {} is not a JustCall record id (a positive integer)",
            id.to_string().chars().take(40).collect::<String>()
        )),
    }
}

async fn healthz(State(app): State<Arc<App>>) -> (StatusCode, String) {
    let counts = tokio::task::spawn_blocking(move || -> anyhow::Result<(i64, i64)> {
        let store = app.health.lock().unwrap_or_else(|e| e.into_inner());
        let failed: i64 = store.conn().query_row(
            "SELECT count(*) FROM callduck_webhook_events WHERE event_status = 'failed'",
            [],
            |r| r.get(0),
        )?;
        Ok((pending_count(&store)?, failed))
    })
    .await;
    match counts {
        Ok(Ok((pending, failed))) => (
            StatusCode::OK,
            format!("ok, {pending} event(s) pending, {failed} failed\n"),
        ),
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
    if request_id.is_empty() || request_id.len() > 200 {
        return (
            StatusCode::BAD_REQUEST,
            "request_id must be 1 to 200 characters\n",
        );
    }
    let checked = signature::verify(
        app.config.secret.expose(),
        &app.config.public_url,
        &event_type,
        header(&headers, "x-justcall-request-timestamp"),
        header(&headers, "x-justcall-signature"),
        header(&headers, "x-justcall-signature-version"),
        now_utc(),
        app.config.timestamp_window,
        app.config.limits.future_skew,
    );
    if let Err(why) = checked {
        tracing::warn!(request_id, event_type, "webhook refused: {why}");
        return (StatusCode::UNAUTHORIZED, "invalid signature\n");
    }
    let sig = header(&headers, "x-justcall-signature").unwrap_or_default();
    if !app.budget.admit(sig) {
        tracing::warn!(
            request_id,
            event_type,
            "webhook refused: more than {} events under one signature",
            app.config.limits.max_events_per_signature
        );
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "too many events under one signature\n",
        );
    }
    let (reply, outcome) = tokio::sync::oneshot::channel();
    let request = PersistRequest {
        record: record_of(&event_type, &json),
        request_id,
        event_type,
        body_hash: stable_hash(&body),
        body_bytes: body.len(),
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

/// The router: the two routes, the body limit and the request timeout.
fn router(app: Arc<App>) -> Router {
    let limit = app.config.body_limit;
    let timeout = app.config.limits.idle_timeout;
    Router::new()
        .route("/webhooks/justcall", post(webhook))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| async move {
                match tokio::time::timeout(timeout, next.run(request)).await {
                    Ok(response) => response,
                    Err(_) => {
                        (StatusCode::REQUEST_TIMEOUT, "request took too long\n").into_response()
                    }
                }
            },
        ))
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
    if let Some((path, _)) = &config.snapshot {
        anyhow::ensure!(
            !same_file(path, store.path()),
            "--snapshot {} names the database file itself: give the read-only copy another path",
            path.display()
        );
    }
    let addr = listener.local_addr()?;
    let writer = SharedStore::new(store);
    let work = Arc::new(Notify::new());
    let (persist, queue) = tokio::sync::mpsc::channel(4096);
    let window = config
        .timestamp_window
        .to_std()
        .unwrap_or(Duration::from_secs(300));
    let app = Arc::new(App {
        health: Mutex::new(writer.reader()?),
        budget: SignatureBudget::new(config.limits.max_events_per_signature, window),
        config: config.clone(),
        persist,
    });
    let (shutdown, watch) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    // Ends when the last App (and so the queue's sender) is gone: after the server stopped, so
    // every accepted event is committed before shutdown completes.
    let (persist_writer, persist_work) = (writer.clone(), work.clone());
    tasks.spawn(async move {
        let _ = tokio::task::spawn_blocking(move || persister(persist_writer, persist_work, queue))
            .await;
    });

    let mut stop = watch.clone();
    let server_app = app.clone();
    let listener = LimitedListener::new(
        listener,
        config.limits.max_connections,
        config.limits.idle_timeout,
    );
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

    // The snapshot starts dirty so a fresh server writes one.
    let dirty = Dirty::default();
    dirty.snapshot.store(true, Ordering::SeqCst);
    let processor = Processor {
        writer: writer.clone(),
        snapshot_reader: match &config.snapshot {
            Some(_) => Some(Arc::new(Mutex::new(writer.reader()?))),
            None => None,
        },
        client: client.clone(),
        config: config.clone(),
        work,
        dirty: dirty.clone(),
    };
    tasks.spawn(processor.run(watch.clone()));

    if let Some(every) = config.every {
        tasks.spawn(super::schedule::run_every(
            every,
            writer.clone(),
            client,
            config.sync.clone(),
            watch.clone(),
            dirty,
        ));
    }
    Ok(ServerHandle {
        addr,
        store: writer,
        health: app,
        shutdown,
        tasks,
    })
}

/// Waits after the `n`-th consecutive failure of a background step: 1 s doubling to 5 min.
fn failure_wait(n: u32) -> Duration {
    Duration::from_millis(1000u64 << n.saturating_sub(1).min(9)).min(Duration::from_secs(300))
}

/// The background loop: processes due events, then, when idle after changes, exports to
/// Firestore and rewrites the snapshot; prunes ended events every hour.
struct Processor {
    writer: SharedStore,
    snapshot_reader: Option<Arc<Mutex<Store>>>,
    client: JustCallClient,
    config: ServeConfig,
    work: Arc<Notify>,
    dirty: Dirty,
}

impl Processor {
    async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut failures = 0u32;
        let mut export_failures = 0u32;
        let mut export_after: Option<Instant> = None;
        let mut last_snapshot: Option<Instant> = None;
        let mut last_prune: Option<Instant> = None;
        loop {
            let pass = process_pending(
                &self.writer,
                &self.client,
                self.config.batch_events,
                self.config.events,
            )
            .await;
            match pass {
                Ok(p) if p.events + p.failed + p.deferred > 0 => {
                    failures = 0;
                    if p.events > 0 {
                        self.dirty.changed();
                    }
                    tracing::info!(
                        events = p.events,
                        records = p.records,
                        failed = p.failed,
                        deferred = p.deferred,
                        "webhook events processed"
                    );
                    if !*stop.borrow() {
                        continue;
                    }
                }
                Ok(_) => failures = 0,
                Err(e) => {
                    failures += 1;
                    tracing::warn!("processing webhook events failed (attempt {failures}): {e:#}");
                }
            }
            if export_after.is_none_or(|t| Instant::now() >= t) {
                match self.export().await {
                    Ok(()) => export_failures = 0,
                    Err(e) => {
                        export_failures += 1;
                        let wait = failure_wait(export_failures);
                        export_after = Some(Instant::now() + wait);
                        tracing::warn!(
                            "firestore export failed (attempt {export_failures}; retried in {}s): {e:#}",
                            wait.as_secs()
                        );
                    }
                }
            }
            self.snapshot(&mut last_snapshot).await;
            if last_prune.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
                last_prune = Some(Instant::now());
                self.prune().await;
            }
            if *stop.borrow() {
                return;
            }
            let wait = if failures == 0 {
                Duration::from_secs(1)
            } else {
                failure_wait(failures).min(Duration::from_secs(30))
            };
            tokio::select! {
                _ = self.work.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }

    /// Exports when records changed since the last successful export.
    async fn export(&self) -> anyhow::Result<()> {
        let Some((client, opts)) = &self.config.export else {
            return Ok(());
        };
        if !self.dirty.export.swap(false, Ordering::SeqCst) {
            return Ok(());
        }
        match crate::firestore::export::run_export(&self.writer, Some(client), opts).await {
            Ok(s) => {
                tracing::info!(
                    written = s.written,
                    unchanged = s.unchanged,
                    goals = s.goals_updated,
                    "firestore export after changes"
                );
                Ok(())
            }
            Err(e) => {
                self.dirty.export.store(true, Ordering::SeqCst);
                Err(e)
            }
        }
    }

    /// Rewrites the snapshot when due and changed, through its own reading connection.
    async fn snapshot(&self, last: &mut Option<Instant>) {
        let (Some((path, every)), Some(reader)) = (&self.config.snapshot, &self.snapshot_reader)
        else {
            return;
        };
        let due = last.is_none_or(|t| t.elapsed() >= *every);
        if !due || !self.dirty.snapshot.swap(false, Ordering::SeqCst) {
            return;
        }
        let (reader, path) = (reader.clone(), path.clone());
        let started = Instant::now();
        let result = tokio::task::spawn_blocking(move || {
            reader
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .snapshot_to(&path)
        })
        .await;
        match result {
            Ok(Ok(())) => {
                *last = Some(Instant::now());
                tracing::info!(
                    secs = started.elapsed().as_secs_f64(),
                    "read snapshot written"
                );
            }
            Ok(Err(e)) => {
                *last = Some(Instant::now());
                self.dirty.snapshot.store(true, Ordering::SeqCst);
                tracing::warn!(
                    "writing the read snapshot failed (retried at the next interval): {e:#}"
                );
            }
            Err(e) => tracing::error!("the snapshot task panicked: {e}"),
        }
    }

    /// Deletes events that ended longer ago than the retention period.
    async fn prune(&self) {
        let retention = TimeDelta::from_std(self.config.limits.retention).unwrap_or(TimeDelta::MAX);
        let Some(before) = now_utc().checked_sub_signed(retention) else {
            return;
        };
        match self
            .writer
            .run(move |s| super::processor::prune(s, before))
            .await
        {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => {
                tracing::info!(events = n, "pruned ended webhook events past the retention")
            }
            Ok(Err(e)) | Err(e) => tracing::warn!("pruning webhook events failed: {e:#}"),
        }
    }
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
