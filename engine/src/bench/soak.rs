//! `callduck bench soak`: `callduck serve` as deployed, at a size the test suite cannot afford.
//!
//! An in-process server with scheduled syncs every `every` seconds (and, when
//! FIRESTORE_EMULATOR_HOST is set, `--export-firestore` into a fresh emulator project) takes every
//! call's and SMS's webhook `repeats` times, shuffled, from `concurrency` connections, while the
//! simulator serves 5xx, cut connections and 429s and a few records whose re-fetch never works.
//! Reported: deliveries per second and the answer latency; the time until nothing is pending;
//! scheduled runs (ok / failed); and what matters most, against the simulator's data set: rows
//! stored twice, records missing, data tests failing, poison events failed (not pending), and
//! peak memory.

use std::path::Path;
use std::time::{Duration, Instant};

use rand::seq::SliceRandom as _;
use rand::SeedableRng as _;

use super::{peak_rss_mib, percentile, reset_peak_rss, team_with_users};
use crate::firestore::export::ExportOptions;
use crate::secret::Secret;
use crate::simulator::webhooks::{deliver, events_for};
use crate::simulator::{Fault, Poison, SimConfig};
use crate::store::{now_utc, Store};
use crate::sync::SyncOptions;
use crate::webhooks::processor::EventPolicy;
use crate::webhooks::server::{start, ServeConfig, ServeLimits};

/// What the soak run is made of.
pub struct SoakOptions {
    pub calls: usize,
    pub repeats: usize,
    pub concurrency: usize,
    pub every: Duration,
    pub poison: usize,
}

/// Runs the soak and prints its report.
pub async fn bench_soak(o: &SoakOptions, dir: &Path) -> anyhow::Result<()> {
    let (agents, days) = (20usize, 30u32);
    let per_day = (o.calls as f64 / (agents as f64 * f64::from(days))).max(1.0);
    let config = SimConfig {
        agents,
        days,
        calls_per_agent_day: per_day,
        texts_per_agent_day: per_day / 2.0,
        ..SimConfig::ending_now()
    };
    println!("bench soak: {}", crate::simulator::describe(&config));
    let db = dir.join("soak.duckdb");
    let (sim, client) = team_with_users(&config, &db, now_utc()).await?;
    let data = sim.dataset();

    let export = match std::env::var("FIRESTORE_EMULATOR_HOST") {
        Ok(host) if !host.trim().is_empty() => {
            let users_file = dir.join("users.json");
            let list: Vec<_> = data
                .users
                .iter()
                .enumerate()
                .map(|(i, u)| serde_json::json!({ "id": format!("uid{i}"), "email": u.email }))
                .collect();
            std::fs::write(&users_file, serde_json::to_string(&list)?)?;
            let project = format!("callduck-bench-soak-{}", std::process::id());
            let fs = crate::firestore::FirestoreClient::new(
                crate::firestore::FirestoreConfig::from_vars(
                    Some(project),
                    Some(host),
                    None,
                    None,
                )?,
            )?;
            Some((
                fs,
                ExportOptions {
                    users_file: Some(users_file),
                    ..ExportOptions::default()
                },
            ))
        }
        _ => {
            println!("  (FIRESTORE_EMULATOR_HOST is not set: no --export-firestore in this run)");
            None
        }
    };
    let exporting = export.is_some();
    let public_url = "https://hooks.example.com/webhooks/justcall";
    let serve = ServeConfig {
        public_url: public_url.into(),
        secret: Secret::new(config.api_secret.clone()),
        timestamp_window: chrono::TimeDelta::minutes(5),
        body_limit: 1024 * 1024,
        batch_events: 1000,
        every: Some(o.every),
        sync: SyncOptions {
            progress: false,
            business_timezone: Some("America/New_York".into()),
            ..SyncOptions::default()
        },
        snapshot: Some((dir.join("read.duckdb"), Duration::from_secs(2))),
        export,
        events: EventPolicy {
            max_attempts: 3,
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(4),
        },
        limits: ServeLimits::default(),
    };
    let mut poisoned = Vec::new();
    for (i, call) in data.calls.iter().step_by(97).take(o.poison).enumerate() {
        let poison = match i % 3 {
            0 => Poison::BadRequest,
            1 => Poison::OtherRecord(data.calls[0].id),
            _ => Poison::Undecodable,
        };
        sim.poison("calls", call.id, poison);
        poisoned.push(format!("req-call-{}", call.id));
    }
    let mut events = Vec::new();
    for _ in 0..o.repeats.max(1) {
        events.extend(events_for(&data));
    }
    events.shuffle(&mut rand::rngs::StdRng::seed_from_u64(5));
    for fault in [
        Fault::ServerError {
            status: 503,
            count: 5,
        },
        Fault::DropConnection { count: 5 },
        Fault::TooManyRequests { count: 3 },
        Fault::ServerError {
            status: 500,
            count: 5,
        },
    ] {
        sim.inject(fault);
    }

    reset_peak_rss();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let server = start(listener, Store::open(&db)?, client, serve).await?;
    let url = format!("http://{}/webhooks/justcall", server.addr);
    let t = Instant::now();
    let results = deliver(
        &url,
        public_url,
        &config.api_secret,
        &events,
        o.concurrency,
        now_utc(),
    )
    .await;
    let burst = t.elapsed();
    let accepted = results.iter().filter(|(s, _)| *s == 200).count();
    let pending = server.drained(Duration::from_secs(1800)).await?;
    let drain = t.elapsed();
    // Two more ticks, so a scheduled sync ran after the last webhook, and the export settled.
    tokio::time::sleep(o.every * 2 + Duration::from_secs(if exporting { 5 } else { 0 })).await;
    let store = server.shutdown().await;
    sim.shutdown();
    let peak = peak_rss_mib();

    let store = store.lock();
    let conn = store.conn();
    let one = |sql: &str| -> anyhow::Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let twice = one(
        "SELECT (SELECT count(*) - count(DISTINCT call_id) FROM raw_justcall__calls)
              + (SELECT count(*) - count(DISTINCT sms_id) FROM raw_justcall__texts)",
    )?;
    let stored = one(
        "SELECT (SELECT count(*) FROM raw_justcall__calls) + (SELECT count(*) FROM raw_justcall__texts)
              + (SELECT count(DISTINCT record_id) FROM callduck_quarantine WHERE stream IN ('calls', 'texts') AND resolved_at IS NULL)",
    )?;
    let runs_ok = one("SELECT count(*) FROM callduck_sync_runs WHERE run_status = 'ok'")?;
    let runs_failed = one("SELECT count(*) FROM callduck_sync_runs WHERE run_status = 'failed'")?;
    let failed = one("SELECT count(*) FROM callduck_webhook_events WHERE event_status = 'failed'")?;
    let data_tests = store.run_data_tests()?;
    let mut answer: Vec<f64> = results
        .iter()
        .map(|(_, d)| d.as_secs_f64() * 1000.0)
        .collect();
    answer.sort_by(f64::total_cmp);
    let expected = (data.calls.len() + data.texts.len()) as i64;
    println!(
        "  {accepted} of {} deliveries accepted in {:.1}s = {:.0}/s ({} connections, each record {}x, scheduled sync every {}s{}); nothing pending after {:.1}s ({pending} pending)",
        events.len(),
        burst.as_secs_f64(),
        accepted as f64 / burst.as_secs_f64(),
        o.concurrency,
        o.repeats,
        o.every.as_secs(),
        if exporting { ", exporting to the emulator" } else { "" },
        drain.as_secs_f64()
    );
    println!(
        "  answer latency: median {:.1} ms, p99 {:.1} ms; scheduled syncs: {runs_ok} ok, {runs_failed} failed (retried at the next tick)",
        percentile(&answer, 0.5),
        percentile(&answer, 0.99)
    );
    println!(
        "  against the simulator: {stored} of {expected} records stored, {twice} stored twice, {} data test(s) failing; {failed} of {} poison event(s) failed; peak memory {peak:.0} MiB",
        data_tests.len(),
        poisoned.len()
    );
    Ok(())
}
