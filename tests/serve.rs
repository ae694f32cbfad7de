//! `callduck serve` against the real simulator over loopback HTTP: signature checks and refusals,
//! a burst of 10,000 signed events (duplicated and out of order), a server killed with events
//! queued, and the scheduler (its runs, and the daily cadence of its full re-scans).

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use callduck::backoff::{BackoffConfig, Jitter};
use callduck::justcall::{JustCallClient, JustCallConfig, Stream};
use callduck::secret::Secret;
use callduck::simulator::webhooks::{deliver, events_for, request_parts, WebhookEvent};
use callduck::simulator::{Fault, Poison, SimConfig, SimHandle};
use callduck::store::{now_utc, Store};
use callduck::sync::SyncOptions;
use callduck::webhooks::processor::EventPolicy;
use callduck::webhooks::server::{start as start_server, ServeConfig, ServeLimits, ServerHandle};
use common::*;
use rand::seq::{IndexedRandom as _, SliceRandom as _};
use rand::SeedableRng as _;

const PUBLIC_URL: &str = "https://hooks.kanva.example/webhooks/justcall?team=sales";

fn client(sim: &SimHandle, config: &SimConfig, attempts: u32) -> JustCallClient {
    JustCallClient::new(JustCallConfig {
        base_url: sim.base_url(),
        api_key: Secret::new(config.api_key.clone()),
        api_secret: Secret::new(config.api_secret.clone()),
        max_attempts: attempts,
        backoff: BackoffConfig {
            base: Duration::from_millis(10),
            max: Duration::from_millis(50),
            jitter: Jitter::Full,
        },
        ..JustCallConfig::default()
    })
    .unwrap()
}

fn serve_config(config: &SimConfig, every: Option<Duration>) -> ServeConfig {
    ServeConfig {
        public_url: PUBLIC_URL.into(),
        secret: Secret::new(config.api_secret.clone()),
        timestamp_window: chrono::TimeDelta::minutes(5),
        body_limit: 64 * 1024,
        batch_events: 1000,
        every,
        sync: SyncOptions {
            // The simulator's data set ends on a fixed day before the real now of a scheduled run.
            backfill_days: i64::from(config.days) + 30,
            business_timezone: Some("America/New_York".into()),
            ..SyncOptions::default()
        },
        snapshot: None,
        export: None,
        events: Default::default(),
        limits: Default::default(),
    }
}

/// A store holding the simulator's users (webhooks carry calls and SMS only).
async fn store_with_users(sim: &SimHandle, config: &SimConfig, db: &std::path::Path) -> Store {
    let opts = SyncOptions {
        streams: vec![Stream::Users],
        ..options(config)
    };
    sync(sim, config, db, &opts).await.unwrap();
    Store::open(db).unwrap()
}

async fn serve(
    sim: &SimHandle,
    config: &SimConfig,
    store: Store,
    every: Option<Duration>,
) -> ServerHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start_server(
        listener,
        store,
        client(sim, config, 3),
        serve_config(config, every),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_verified_and_every_refusal_has_its_status() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let server = serve(
        &sim,
        &config,
        store_with_users(&sim, &config, &db).await,
        None,
    )
    .await;
    let url = format!("http://{}/webhooks/justcall", server.addr);
    let http = reqwest::Client::new();
    let call = &sim.dataset().calls[0];
    let event = WebhookEvent {
        request_id: "r-1".into(),
        event_type: "call.completed".into(),
        record_id: call.id,
    };
    let post = |body: String, headers: Vec<(&'static str, String)>| {
        let mut r = http.post(&url).body(body);
        for (k, v) in headers {
            r = r.header(k, v);
        }
        r.send()
    };
    let status = |r: reqwest::Response| r.status().as_u16();

    let (body, headers) = request_parts(&event, PUBLIC_URL, &config.api_secret, now_utc());
    assert_eq!(
        status(post(body.clone(), headers.clone()).await.unwrap()),
        200
    );
    let replay = post(body.clone(), headers.clone()).await.unwrap();
    assert_eq!(replay.status().as_u16(), 200);
    assert!(
        replay.text().await.unwrap().contains("duplicate"),
        "a replay is ignored"
    );

    // Forged: signed with another secret, or for another URL, or another type.
    let (b, h) = request_parts(&event, PUBLIC_URL, "not-the-secret", now_utc());
    assert_eq!(status(post(b, h).await.unwrap()), 401);
    let (b, h) = request_parts(
        &event,
        "https://evil.example/hook",
        &config.api_secret,
        now_utc(),
    );
    assert_eq!(status(post(b, h).await.unwrap()), 401);
    let (_, h) = request_parts(&event, PUBLIC_URL, &config.api_secret, now_utc());
    let other_type = body.replace("call.completed", "call.updated");
    assert_eq!(status(post(other_type, h).await.unwrap()), 401);
    // Stale, and without headers.
    let (b, h) = request_parts(
        &event,
        PUBLIC_URL,
        &config.api_secret,
        now_utc() - chrono::TimeDelta::hours(1),
    );
    assert_eq!(status(post(b, h).await.unwrap()), 401);
    assert_eq!(
        status(
            post(
                body.clone(),
                vec![("content-type", "application/json".into())]
            )
            .await
            .unwrap()
        ),
        401
    );
    // Malformed, incomplete and huge bodies.
    assert_eq!(
        status(post("{not json".into(), headers.clone()).await.unwrap()),
        400
    );
    assert_eq!(
        status(
            post(r#"{"data":{}}"#.into(), headers.clone())
                .await
                .unwrap()
        ),
        400
    );
    assert_eq!(
        status(post("x".repeat(200 * 1024), headers.clone()).await.unwrap()),
        413
    );

    let health = http
        .get(format!("http://{}/healthz", server.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(server.drained(Duration::from_secs(30)).await.unwrap(), 0);
    let store = server.shutdown().await;
    let store = store.lock();
    let (events, stored): (i64, i64) = store
        .conn()
        .query_row(
            "SELECT (SELECT count(*) FROM callduck_webhook_events), (SELECT count(*) FROM raw_justcall__calls WHERE call_id = ?)",
            [call.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (events, stored),
        (1, 1),
        "one event kept, its call fetched and stored"
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_10000_events_out_of_order_and_duplicated_ends_in_the_data_set() {
    let config = SimConfig {
        agents: 8,
        days: 30,
        calls_per_agent_day: 25.0,
        texts_per_agent_day: 12.0,
        ..SimConfig::default()
    };
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let server = serve(
        &sim,
        &config,
        store_with_users(&sim, &config, &db).await,
        None,
    )
    .await;
    let data = sim.dataset();
    let mut events = events_for(&data);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let distinct = events.len();
    assert!(distinct > 8_000 && distinct < 10_000, "{distinct} records");
    let repeats: Vec<WebhookEvent> = events
        .choose_multiple(&mut rng, 10_000 - distinct)
        .cloned()
        .collect();
    events.extend(repeats);
    events.shuffle(&mut rng);

    let url = format!("http://{}/webhooks/justcall", server.addr);
    let results = deliver(&url, PUBLIC_URL, &config.api_secret, &events, 16, now_utc()).await;
    assert!(
        results.iter().all(|(s, _)| *s == 200),
        "every delivery answered 200"
    );
    assert_eq!(
        server.drained(Duration::from_secs(120)).await.unwrap(),
        0,
        "every event processed"
    );
    drop(server.shutdown().await);
    assert_store_equals(&db, &data);
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_with_events_queued_loses_nothing_after_a_restart() {
    // Slow answers keep events queued long enough to kill the server in the middle.
    let config = SimConfig {
        latency: Duration::from_millis(40),
        ..small_config()
    };
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    drop(store_with_users(&sim, &config, &db).await);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_callduck"))
            .arg("--db")
            .arg(&db)
            .args([
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--public-url",
                PUBLIC_URL,
            ])
            .env("JUSTCALL_BASE_URL", sim.base_url())
            .env("JUSTCALL_API_KEY", &config.api_key)
            .env("JUSTCALL_API_SECRET", &config.api_secret)
            .env_remove("CALLDUCK_DB")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let health = format!("http://127.0.0.1:{port}/healthz");
    let wait_up = || async {
        for _ in 0..200 {
            if let Ok(r) = reqwest::get(&health).await {
                return r.text().await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("callduck serve did not come up");
    };
    let mut server = spawn();
    wait_up().await;
    let data = sim.dataset();
    let events = events_for(&data);
    let url = format!("http://127.0.0.1:{port}/webhooks/justcall");
    let results = deliver(&url, PUBLIC_URL, &config.api_secret, &events, 8, now_utc()).await;
    assert!(results.iter().all(|(s, _)| *s == 200));
    server.kill().unwrap(); // SIGKILL, with most events still pending
    server.wait().unwrap();
    {
        let store = Store::open_read_only(&db).unwrap();
        let pending = callduck::webhooks::processor::pending_count(&store).unwrap();
        assert!(pending > 0, "the kill happened with events queued");
    }

    let server = spawn();
    wait_up().await;
    let mut drained = false;
    for _ in 0..600 {
        let text = reqwest::get(&health).await.unwrap().text().await.unwrap();
        if text.starts_with("ok, 0 event(s) pending") {
            drained = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(drained, "the restarted server processed what was queued");
    // SIGTERM: a clean stop.
    // SAFETY: sending SIGTERM to our own child process.
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    let out = server.wait_with_output().unwrap();
    assert!(out.status.success(), "clean exit on SIGTERM");
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 accepted event(s) left pending"));
    assert_store_equals(&db, &data);
    let status = Command::new(env!("CARGO_BIN_EXE_callduck"))
        .arg("--db")
        .arg(&db)
        .arg("status")
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout).to_string();
    let delivered = events.len();
    assert!(
        status.contains(&format!(
            "webhooks    {delivered} processed, 0 pending, 0 failed"
        )),
        "{status}"
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_syncs_never_overlap_and_a_failed_run_is_retried_at_the_next_tick() {
    let config = SimConfig {
        latency: Duration::from_millis(40),
        ..small_config()
    };
    let sim = start(config.clone()).await;
    // The first run's first request fails for good (3 attempts).
    sim.inject(Fault::ServerError {
        status: 500,
        count: 3,
    });
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let server = serve(
        &sim,
        &config,
        Store::open(&db).unwrap(),
        Some(Duration::from_millis(500)),
    )
    .await;
    let mut runs: Vec<(String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = Vec::new();
    for _ in 0..300 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let store = server.store.lock();
        let mut stmt = store
            .conn()
            .prepare("SELECT run_status, started_at, finished_at FROM callduck_sync_runs ORDER BY run_id")
            .unwrap();
        runs = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        if runs.iter().filter(|r| r.0 == "ok").count() >= 2 {
            break;
        }
    }
    drop(server.shutdown().await);
    assert_eq!(
        runs.first().map(|r| r.0.as_str()),
        Some("failed"),
        "the first run failed: {runs:?}"
    );
    assert!(
        runs.iter().filter(|r| r.0 == "ok").count() >= 2,
        "later ticks succeeded: {runs:?}"
    );
    for pair in runs.windows(2) {
        let finished = pair[0].2.expect("a finished run");
        assert!(pair[1].1 >= finished, "runs overlap: {pair:?}");
    }
    assert_store_equals(&db, &sim.dataset());
    sim.shutdown();
}

/// Finished runs of the scheduler so far: (run id, status, streams re-scanned in full).
fn scheduled_runs(server: &ServerHandle) -> Vec<(i64, String, String)> {
    let store = server.store.lock();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT run_id, run_status, coalesce(full_rescan_streams, '') FROM callduck_sync_runs
             WHERE run_status <> 'running' ORDER BY run_id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Waits until the scheduler has finished more than `n` runs; returns them all.
async fn scheduled_runs_beyond(server: &ServerHandle, n: usize) -> Vec<(i64, String, String)> {
    let mut runs = Vec::new();
    for _ in 0..600 {
        runs = scheduled_runs(server);
        if runs.len() > n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(runs.len() > n, "the scheduler runs: {runs:?}");
    runs
}

/// Under serve the scheduled runs re-scan the trailing days daily (`--full-rescan-every 1d`)
/// and only an overlap in between, because webhooks deliver the edits: an edit to a call days
/// old is not picked up by the scheduled runs after it, and lands as soon as its `call.updated`
/// webhook arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_serve_an_edit_lands_by_webhook_while_scheduled_runs_read_only_the_overlap() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut cfg = serve_config(&config, Some(Duration::from_millis(300)));
    cfg.sync.full_rescan_every = Some(chrono::TimeDelta::days(1));
    let server = start_server(
        listener,
        Store::open(&db).unwrap(),
        client(&sim, &config, 3),
        cfg,
    )
    .await
    .unwrap();
    // The first scheduled run backfills: a full scan.
    let runs = scheduled_runs_beyond(&server, 0).await;
    assert_eq!(
        (runs[0].1.as_str(), runs[0].2.as_str()),
        ("ok", "calls,texts"),
        "{runs:?}"
    );

    let data = sim.dataset();
    let call = data
        .calls
        .iter()
        .rev()
        .find(|c| {
            config.end - c.started_at() > chrono::TimeDelta::days(2)
                && c.call_info.call_type.as_deref() != Some("In Progress")
        })
        .unwrap()
        .id;
    sim.edit_calls(&[call]);
    let edited = sim
        .dataset()
        .calls
        .iter()
        .find(|c| c.id == call)
        .unwrap()
        .call_info
        .notes
        .clone();
    let stored = |server: &ServerHandle| -> Option<String> {
        server
            .store
            .lock()
            .conn()
            .query_row(
                "SELECT notes FROM raw_justcall__calls WHERE call_id = ?",
                [call],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_ne!(stored(&server), edited);

    // Two more scheduled runs, both after the edit: overlap runs, which do not see it.
    let seen = scheduled_runs(&server).len();
    let runs = scheduled_runs_beyond(&server, seen + 1).await;
    for run in &runs[seen..] {
        assert_eq!((run.1.as_str(), run.2.as_str()), ("ok", ""), "{runs:?}");
    }
    assert_ne!(
        stored(&server),
        edited,
        "the schedule alone has not re-read it"
    );

    // The webhook lands it.
    let url = format!("http://{}/webhooks/justcall", server.addr);
    let events = callduck::simulator::webhooks::calls_updated(&[call], 1);
    let results = deliver(&url, PUBLIC_URL, &config.api_secret, &events, 1, now_utc()).await;
    assert_eq!(results[0].0, 200);
    assert_eq!(server.drained(Duration::from_secs(60)).await.unwrap(), 0);
    assert_eq!(stored(&server), edited, "delivered by webhook");
    drop(server.shutdown().await);
    assert_store_equals(&db, &sim.dataset());
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analysts_query_a_snapshot_while_serve_holds_the_file() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let snapshot = dir.path().join("read.duckdb");
    let store = store_with_users(&sim, &config, &db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut cfg = serve_config(&config, None);
    cfg.snapshot = Some((snapshot.clone(), Duration::from_millis(200)));
    let server = start_server(listener, store, client(&sim, &config, 3), cfg)
        .await
        .unwrap();
    let data = sim.dataset();
    let url = format!("http://{}/webhooks/justcall", server.addr);
    let results = deliver(
        &url,
        PUBLIC_URL,
        &config.api_secret,
        &events_for(&data),
        8,
        now_utc(),
    )
    .await;
    assert!(results.iter().all(|(s, _)| *s == 200));
    assert_eq!(server.drained(Duration::from_secs(60)).await.unwrap(), 0);

    // The live file is locked by the server; the snapshot answers, through the binary, and
    // catches up with every record once the processor has been idle.
    let report = |db: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_callduck"))
            .arg("--db")
            .arg(db)
            .args(["sql", "SELECT (SELECT count(*) FROM raw_justcall__calls) + (SELECT count(*) FROM raw_justcall__texts) AS n", "-f", "csv"])
            .output()
            .unwrap()
    };
    let locked = report(&db);
    assert!(!locked.status.success(), "the live file is held by serve");
    assert!(
        String::from_utf8_lossy(&locked.stderr).contains("in use by another process"),
        "{}",
        String::from_utf8_lossy(&locked.stderr)
    );
    let want = (data.calls.len() + data.texts.len()).to_string();
    let mut seen = String::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if !snapshot.exists() {
            continue;
        }
        let out = report(&snapshot);
        seen = String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap_or("")
            .to_string();
        if seen == want {
            break;
        }
    }
    assert_eq!(seen, want, "the snapshot holds every record");
    let kpis = Command::new(env!("CARGO_BIN_EXE_callduck"))
        .arg("--db")
        .arg(&snapshot)
        .args(["report", "kpis", "-f", "json"])
        .output()
        .unwrap();
    assert!(
        kpis.status.success(),
        "views and macros are in the snapshot: {}",
        String::from_utf8_lossy(&kpis.stderr)
    );
    drop(server.shutdown().await);
    sim.shutdown();
}

/// A server whose failing events are retried quickly (tests cannot wait minutes).
async fn serve_with(
    sim: &SimHandle,
    config: &SimConfig,
    store: Store,
    events: EventPolicy,
    limits: ServeLimits,
) -> ServerHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut cfg = serve_config(config, None);
    cfg.events = events;
    cfg.limits = limits;
    start_server(listener, store, client(sim, config, 2), cfg)
        .await
        .unwrap()
}

fn quick_retries() -> EventPolicy {
    EventPolicy {
        max_attempts: 3,
        retry_base: Duration::from_millis(300),
        retry_max: Duration::from_secs(2),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_whose_refetch_keeps_failing_end_failed_without_holding_up_the_rest() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let data = sim.dataset();
    // 400, a record served under another id, an answer that is not a record.
    let poisoned = [
        ("calls", data.calls[0].id, Poison::BadRequest),
        (
            "calls",
            data.calls[1].id,
            Poison::OtherRecord(data.calls[2].id),
        ),
        ("texts", data.texts[0].id, Poison::Undecodable),
    ];
    for (stream, id, poison) in &poisoned {
        sim.poison(stream, *id, poison.clone());
    }
    let server = serve_with(
        &sim,
        &config,
        store_with_users(&sim, &config, &db).await,
        quick_retries(),
        ServeLimits::default(),
    )
    .await;
    let url = format!("http://{}/webhooks/justcall", server.addr);
    // The poison events first, so that everything else arrives behind them.
    let mut events: Vec<WebhookEvent> = events_for(&data);
    let poison_ids: Vec<String> = poisoned
        .iter()
        .map(|(stream, id, _)| {
            format!(
                "req-{}-{id}",
                if *stream == "calls" { "call" } else { "sms" }
            )
        })
        .collect();
    events.sort_by_key(|e| !poison_ids.contains(&e.request_id));
    events.insert(
        0,
        WebhookEvent {
            request_id: "req-minus-one".into(),
            event_type: "call.completed".into(),
            record_id: -1,
        },
    );
    let results = deliver(&url, PUBLIC_URL, &config.api_secret, &events, 4, now_utc()).await;
    assert!(results.iter().all(|(s, _)| *s == 200));
    assert_eq!(
        server.drained(Duration::from_secs(60)).await.unwrap(),
        0,
        "nothing stays pending"
    );
    let requests_after_drain = sim.stats().single;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        sim.stats().single,
        requests_after_drain,
        "failed events are not fetched again"
    );
    let store = server.shutdown().await;
    let rows: Vec<(String, String, i32, String)> = {
        let store = store.lock();
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT request_id, event_status, attempts, error_message FROM callduck_webhook_events
                 WHERE event_status <> 'processed' ORDER BY request_id",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    drop(store);
    let reasons: std::collections::BTreeMap<String, (String, i32, String)> = rows
        .into_iter()
        .map(|(id, st, n, why)| (id, (st, n, why)))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    let bad = &reasons[&format!("req-call-{}", data.calls[0].id)];
    assert_eq!((bad.0.as_str(), bad.1), ("failed", 3), "{bad:?}");
    assert!(
        bad.2.contains("HTTP 400") && bad.2.contains("gave up after 3 attempts"),
        "{bad:?}"
    );
    let other = &reasons[&format!("req-call-{}", data.calls[1].id)];
    assert!(
        other
            .2
            .contains(&format!("with record {}", data.calls[2].id)),
        "{other:?}"
    );
    let undecodable = &reasons[&format!("req-sms-{}", data.texts[0].id)];
    assert_eq!(undecodable.0, "failed");
    assert!(
        undecodable.2.contains("neither an object nor an array"),
        "{undecodable:?}"
    );
    let minus = &reasons["req-minus-one"];
    assert_eq!(
        (minus.0.as_str(), minus.1),
        ("failed", 0),
        "refused at receipt, never fetched"
    );
    assert!(minus.2.contains("not a JustCall record id"), "{minus:?}");
    // Everything else was stored; the poisoned records are missing only from the raw tables.
    {
        let s = Store::open_read_only(&db).unwrap();
        let (calls, texts): (i64, i64) = s
            .conn()
            .query_row(
                "SELECT (SELECT count(*) FROM raw_justcall__calls), (SELECT count(*) FROM raw_justcall__texts)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let malformed = |stream: &str| common::quarantined(&db, stream).len() as i64;
        assert_eq!(calls + malformed("calls"), data.calls.len() as i64 - 2);
        assert_eq!(texts + malformed("texts"), data.texts.len() as i64 - 1);
    }

    // Operators see them, and retry them, with the binary.
    let callduck = |args: &[&str]| common::callduck(&db).args(args).output().unwrap();
    let status = String::from_utf8_lossy(&callduck(&["status"]).stdout).to_string();
    assert!(status.contains("4 failed"), "{status}");
    assert!(status.contains("HTTP 400"), "{status}");
    let listed = String::from_utf8_lossy(&callduck(&["events"]).stdout).to_string();
    assert_eq!(listed.lines().count(), 4, "{listed}");
    let retried = callduck(&["events", "retry", "--all"]);
    assert!(retried.status.success());
    assert!(String::from_utf8_lossy(&retried.stdout).starts_with("4 failed event(s) pending again"));
    let s = Store::open_read_only(&db).unwrap();
    assert_eq!(callduck::webhooks::processor::pending_count(&s).unwrap(), 4);
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_observed_signature_admits_a_bounded_number_of_small_rows() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let mut cfg = serve_config(&config, None);
    cfg.body_limit = 1 << 20;
    cfg.limits.max_events_per_signature = 50;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = start_server(
        listener,
        store_with_users(&sim, &config, &db).await,
        client(&sim, &config, 2),
        cfg,
    )
    .await
    .unwrap();
    let url = format!("http://{}/webhooks/justcall", server.addr);
    let http = reqwest::Client::new();
    let event = WebhookEvent {
        request_id: "observed".into(),
        event_type: "call.completed".into(),
        record_id: sim.dataset().calls[0].id,
    };
    let (_, headers) = request_parts(&event, PUBLIC_URL, &config.api_secret, now_utc());
    let padding = "x".repeat(200 * 1024);
    let mut statuses = Vec::new();
    for i in 0..300 {
        let body = serde_json::json!({
            "request_id": format!("forged-{i}"), "type": "call.completed",
            "data": {"id": 1_000_000 + i, "padding": padding},
        })
        .to_string();
        let mut r = http.post(&url).body(body);
        for (k, v) in &headers {
            r = r.header(*k, v);
        }
        statuses.push(r.send().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 50);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 250);
    // A timestamp in the future beyond the clock skew is refused, however well signed.
    let (body, future) = request_parts(
        &event,
        PUBLIC_URL,
        &config.api_secret,
        now_utc() + chrono::TimeDelta::minutes(4),
    );
    let mut r = http.post(&url).body(body);
    for (k, v) in &future {
        r = r.header(*k, v);
    }
    assert_eq!(r.send().await.unwrap().status().as_u16(), 401);
    let store = server.shutdown().await;
    let store = store.lock();
    let (events, bytes, columns): (i64, i64, i64) = store
        .conn()
        .query_row(
            "SELECT (SELECT count(*) FROM callduck_webhook_events), (SELECT CAST(sum(body_bytes) AS BIGINT) FROM callduck_webhook_events),
                    (SELECT count(*) FROM duckdb_columns() WHERE table_name = 'callduck_webhook_events' AND column_name = 'payload')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(events, 50);
    assert!(bytes > 50 * 200 * 1024, "the sizes are recorded");
    assert_eq!(columns, 0, "no body is kept, only its size and hash");
    drop(store);
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_connections_are_closed_and_cannot_hold_the_server() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let server = serve_with(
        &sim,
        &config,
        store_with_users(&sim, &config, &db).await,
        quick_retries(),
        ServeLimits {
            max_connections: 4,
            idle_timeout: Duration::from_secs(1),
            ..ServeLimits::default()
        },
    )
    .await;
    // Four clients that connect and say nothing, one that sends half a request.
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(tokio::net::TcpStream::connect(server.addr).await.unwrap());
    }
    let health = format!("http://{}/healthz", server.addr);
    let t = std::time::Instant::now();
    let answer = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
        .get(&health)
        .send()
        .await
        .expect("answered once the idle connections are closed");
    assert_eq!(answer.status().as_u16(), 200);
    assert!(
        t.elapsed() >= Duration::from_millis(500),
        "waited for a free connection"
    );
    use tokio::io::AsyncWriteExt as _;
    let mut slow = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"POST /webhooks/justcall HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    drop(
        tokio::time::timeout(Duration::from_secs(10), server.shutdown())
            .await
            .expect("shutdown is not held by a slow client"),
    );
    drop(idle);
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_naming_the_database_is_refused_and_a_failed_one_does_not_stick() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let store = store_with_users(&sim, &config, &db).await;
    // A failed snapshot (its directory is missing) leaves nothing attached: the next one works.
    let missing = dir.path().join("no-such-dir").join("read.duckdb");
    assert!(store.snapshot_to(&missing).is_err());
    let good = dir.path().join("read.duckdb");
    store.snapshot_to(&good).expect("the next snapshot works");
    assert!(store
        .snapshot_to(&db)
        .unwrap_err()
        .to_string()
        .contains("database file itself"));
    drop(store);
    let out = common::callduck(&db)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--public-url",
            PUBLIC_URL,
            "--snapshot",
        ])
        .arg(dir.path().join(".").join("test.duckdb"))
        .env("JUSTCALL_API_KEY", &config.api_key)
        .env("JUSTCALL_API_SECRET", &config.api_secret)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("names the database file itself"), "{err}");
    // The file is untouched and opens.
    assert_store_users_only(&db);
    sim.shutdown();
}

fn assert_store_users_only(db: &std::path::Path) {
    let s = Store::open_read_only(db).unwrap();
    let n: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM raw_justcall__users", [], |r| r.get(0))
        .unwrap();
    assert!(n > 0);
}

#[test]
fn a_file_from_before_the_keys_is_deduplicated_and_then_refuses_duplicates() {
    common::init();
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    {
        // A version-4 file, as the previous callduck left it, with a call stored twice (the
        // race of two writers) and its older version first.
        let conn = duckdb::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE callduck_schema_migrations (version BIGINT PRIMARY KEY, migration_name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)",
        )
        .unwrap();
        for (name, sql) in callduck::store::MIGRATIONS {
            let version: i64 = name.split('_').next().unwrap().parse().unwrap();
            if version > 4 {
                continue;
            }
            conn.execute_batch(sql).unwrap();
            conn.execute(
                "INSERT INTO callduck_schema_migrations VALUES (?, ?, now()::TIMESTAMP)",
                duckdb::params![version, name],
            )
            .unwrap();
        }
        for (notes, updated) in [("old", "2026-11-01"), ("new", "2026-11-02")] {
            conn.execute(
                "INSERT INTO raw_justcall__calls (call_id, started_at, direction, ring_seconds, queue_wait_seconds,
                     conversation_seconds, hold_seconds, total_duration_seconds, wrap_up_seconds, handle_seconds,
                     record_hash, raw_json, first_synced_at, updated_at, notes)
                 VALUES (7, TIMESTAMP '2026-10-30 10:00:00', 'Incoming', 0, 0, 0, 0, 0, 0, 0, 1, '{}',
                         TIMESTAMP '2026-11-01', CAST(? AS TIMESTAMP), ?)",
                duckdb::params![updated, notes],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO callduck_webhook_events VALUES ('r1', 'call.completed', 'calls', 7, '{\"data\": {\"id\": 7}}', now()::TIMESTAMP, 'processed', now()::TIMESTAMP, NULL)",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&db).unwrap();
    let (n, notes): (i64, String) = store
        .conn()
        .query_row(
            "SELECT count(*), max(notes) FROM raw_justcall__calls WHERE call_id = 7",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (n, notes.as_str()),
        (1, "new"),
        "the most recently stored version is kept"
    );
    let twice = store.conn().execute_batch(
        "INSERT INTO raw_justcall__calls SELECT * FROM raw_justcall__calls WHERE call_id = 7",
    );
    assert!(
        twice.unwrap_err().to_string().contains("primary key"),
        "a second row per id is refused"
    );
    let (events, bytes): (i64, i32) = store
        .conn()
        .query_row(
            "SELECT count(*), max(body_bytes) FROM callduck_webhook_events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (events, bytes),
        (1, 19),
        "events keep their size, not their body"
    );
    assert!(store.schema_version().unwrap() >= 6);
}
