//! `callduck serve` as deployed, as one system: the real binary with scheduled syncs every two
//! seconds, `--export-firestore` into the real emulator and a `--snapshot`, against the simulator
//! over HTTP with faults on, while signed webhooks (each record's three times, shuffled, some for
//! records whose re-fetch never works) arrive from eight connections, and the server is killed
//! with SIGKILL half-way and started again. At the end every raw table equals the simulator,
//! `callduck check` passes, the dashboard's documents equal the SQL views and the poison events
//! are `failed`, not pending.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use callduck::justcall::Stream;
use callduck::simulator::webhooks::{deliver, events_for, WebhookEvent};
use callduck::simulator::{Fault, Poison, SimConfig};
use callduck::store::{now_utc, Store};
use callduck::sync::SyncOptions;
use common::emulator::*;
use common::*;
use rand::seq::SliceRandom as _;
use rand::SeedableRng as _;

const PUBLIC_URL: &str = "https://calls.kanva.example/webhooks/justcall";

struct Serve {
    child: Child,
    port: u16,
}

fn spawn_serve(
    db: &Path,
    snapshot: &Path,
    sim_url: &str,
    config: &SimConfig,
    fs: &Emulator,
    port: u16,
) -> Serve {
    let child = callduck(db)
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--public-url",
            PUBLIC_URL,
        ])
        .args(["--every", "2s", "--timezone", "America/New_York"])
        .args(["--export-firestore", "--firestore-project", &fs.project])
        .arg("--snapshot")
        .arg(snapshot)
        .args(["--snapshot-every", "1s"])
        .args(["--event-max-attempts", "3", "--event-retry-base", "1s"])
        .env("JUSTCALL_BASE_URL", sim_url)
        .env("JUSTCALL_API_KEY", &config.api_key)
        .env("JUSTCALL_API_SECRET", &config.api_secret)
        .env("FIRESTORE_EMULATOR_HOST", emulator_host())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Serve { child, port }
}

impl Serve {
    async fn health(&self) -> Option<String> {
        let url = format!("http://127.0.0.1:{}/healthz", self.port);
        reqwest::get(&url).await.ok()?.text().await.ok()
    }

    async fn wait_up(&self) {
        for _ in 0..400 {
            if self.health().await.is_some() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("callduck serve did not come up");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_as_deployed_survives_schedules_webhooks_faults_and_a_kill() {
    let fs = Emulator::new("soak");
    let config = SimConfig {
        agents: 6,
        days: 10,
        calls_per_agent_day: 30.0,
        texts_per_agent_day: 15.0,
        latency: Duration::from_millis(5),
        ..SimConfig::ending_now()
    };
    let sim = start(config.clone()).await;
    let data = sim.dataset();
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let snapshot = dir.path().join("read.duckdb");
    // The dashboard's users come from its own collection, keyed by the agents' emails.
    let users_only = SyncOptions {
        streams: vec![Stream::Users],
        ..options(&config)
    };
    sync(&sim, &config, &db, &users_only).await.unwrap();
    let mapped = seed_users(&fs, &db).await;

    // Records whose single-record endpoint never works: their webhooks must end `failed`
    // while the scheduled syncs still store the records from the lists.
    let poisoned: Vec<(&str, i64, Poison)> = vec![
        ("calls", data.calls[3].id, Poison::BadRequest),
        (
            "calls",
            data.calls[10].id,
            Poison::OtherRecord(data.calls[11].id),
        ),
        ("texts", data.texts[5].id, Poison::Undecodable),
    ];
    for (stream, id, poison) in &poisoned {
        sim.poison(stream, *id, poison.clone());
    }
    // Each record's event three times, shuffled, plus one event naming no real record.
    let mut events: Vec<WebhookEvent> = events_for(&data);
    let distinct = events.len();
    events.extend(events.clone());
    events.extend(events[..distinct].to_vec());
    events.push(WebhookEvent {
        request_id: "req-bogus".into(),
        event_type: "call.completed".into(),
        record_id: -1,
    });
    events.shuffle(&mut rand::rngs::StdRng::seed_from_u64(11));
    // A bad day upstream: 5xx, cut connections and 429s among the first requests.
    sim.inject(Fault::ServerError {
        status: 503,
        count: 4,
    });
    sim.inject(Fault::DropConnection { count: 3 });
    sim.inject(Fault::TooManyRequests { count: 2 });
    sim.inject(Fault::ServerError {
        status: 500,
        count: 3,
    });

    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/webhooks/justcall");
    let started = Instant::now();
    let mut server = spawn_serve(&db, &snapshot, &sim.base_url(), &config, &fs, port);
    server.wait_up().await;
    let (first, second) = events.split_at(events.len() / 2);
    let results = deliver(&url, PUBLIC_URL, &config.api_secret, first, 8, now_utc()).await;
    assert!(
        results.iter().all(|(s, _)| *s == 200),
        "every delivery of the first half answered 200"
    );
    server.child.kill().unwrap(); // SIGKILL, mid-processing and possibly mid-sync
    server.child.wait().unwrap();
    let pending_at_kill = {
        let store = Store::open_read_only(&db).expect("the file opens after a SIGKILL");
        callduck::webhooks::processor::pending_count(&store).unwrap()
    };

    let server = spawn_serve(&db, &snapshot, &sim.base_url(), &config, &fs, port);
    server.wait_up().await;
    sim.inject(Fault::DropConnection { count: 2 });
    sim.inject(Fault::ServerError {
        status: 502,
        count: 3,
    });
    let results = deliver(&url, PUBLIC_URL, &config.api_secret, second, 8, now_utc()).await;
    assert!(
        results.iter().all(|(s, _)| *s == 200),
        "every delivery of the second half answered 200"
    );

    // Drained: nothing pending, the poison events failed (3 attempts, 1 s then 2 s apart).
    let mut health = String::new();
    for _ in 0..600 {
        health = server.health().await.unwrap_or_default();
        if health.starts_with("ok, 0 event(s) pending") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        health.starts_with("ok, 0 event(s) pending"),
        "drained: {health}"
    );
    // The dashboard follows: wait until the exported documents stop changing (and at least two
    // scheduled syncs ran after the last webhook).
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut last = fs.all("metrics").await;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = fs.all("metrics").await;
        if now == last && !now.is_empty() {
            break;
        }
        last = now;
    }
    // SIGTERM: a clean stop.
    // SAFETY: sending SIGTERM to our own child process.
    unsafe { libc::kill(server.child.id() as i32, libc::SIGTERM) };
    let out = server.child.wait_with_output().unwrap();
    assert!(out.status.success(), "clean exit on SIGTERM");
    let elapsed = started.elapsed();
    sim.shutdown();

    // Every raw table equals the simulator: no duplicates, nothing missing.
    assert_store_equals(&db, &data);
    let check = callduck(&db).arg("check").output().unwrap();
    assert!(
        check.status.success(),
        "callduck check: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    // The dashboard equals the views.
    assert_eq!(
        exported(&fs).await,
        expected(&db, &mapped),
        "Firestore equals the SQL views"
    );
    // The poison events failed with their reasons; nothing is pending.
    let store = Store::open_read_only(&db).unwrap();
    let statuses: Vec<(String, String, i32, Option<String>)> = {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT record_stream || ' ' || coalesce(CAST(record_id AS VARCHAR), '-'), event_status, attempts, error_message
                 FROM callduck_webhook_events WHERE event_status <> 'processed' ORDER BY 1",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?
                    .unwrap_or_else(|| "bogus".into()),
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let mut want: Vec<String> = poisoned
        .iter()
        .map(|(s, id, _)| format!("{s} {id}"))
        .collect();
    want.push("bogus".into());
    want.sort();
    let mut got: Vec<String> = statuses.iter().map(|s| s.0.clone()).collect();
    got.sort();
    assert_eq!(
        got, want,
        "only the poison events did not end processed: {statuses:?}"
    );
    for (record, status, attempts, why) in &statuses {
        assert_eq!(status, "failed", "{record}: {why:?}");
        let why = why.clone().unwrap_or_default();
        if record != "bogus" {
            assert_eq!(
                *attempts, 3,
                "{record}: three attempts, then failed ({why})"
            );
        }
        assert!(!why.is_empty(), "{record}: a reason");
    }
    let processed: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM callduck_webhook_events WHERE event_status = 'processed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        processed as usize,
        distinct - poisoned.len(),
        "one processed event per distinct request id"
    );
    println!(
        "soak: {} deliveries ({distinct} records), {pending_at_kill} pending at the SIGKILL, {} metrics documents, {:.1}s",
        events.len(),
        fs.all("metrics").await.len(),
        elapsed.as_secs_f64()
    );
}
