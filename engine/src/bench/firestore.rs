//! `callduck bench firestore`: documents per second into the Firestore emulator.
//!
//! Syncs a simulated team (default 50 agents, 90 days) into a fresh file, then exports its daily
//! metrics three times in the same run: batched (`batchWrite` of up to 500), one write per request
//! (into another project, so both start empty), and a no-change re-export. Needs
//! FIRESTORE_EMULATOR_HOST (tests/run.sh shows how to start the emulator).

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;

use crate::firestore::export::{run_export, ExportOptions};
use crate::firestore::{FirestoreClient, FirestoreConfig};
use crate::simulator::{SimConfig, Simulator};
use crate::store::Store;
use crate::sync::{run_sync, SyncOptions};

/// Runs the benchmark and prints its report.
pub async fn bench_firestore(agents: usize, days: u32, dir: &Path) -> anyhow::Result<()> {
    let host = std::env::var("FIRESTORE_EMULATOR_HOST")
        .context("bench firestore writes to the emulator: set FIRESTORE_EMULATOR_HOST (gcloud emulators firestore start)")?;
    let config = SimConfig {
        agents,
        days,
        ..SimConfig::default()
    };
    println!("bench firestore: {}", crate::simulator::describe(&config));
    let (key, secret, end) = (
        config.api_key.clone(),
        config.api_secret.clone(),
        config.end,
    );
    let sim = Simulator::start(config, "127.0.0.1:0".parse().expect("loopback")).await?;
    let db = dir.join("firestore-bench.duckdb");
    let client = crate::justcall::JustCallClient::with_credentials(&sim.base_url(), &key, &secret)?;
    let options = SyncOptions {
        backfill_days: i64::from(days) + 2,
        ..SyncOptions::default()
    };
    run_sync(Store::open(&db)?, client, &options, end).await?;
    let users = sim.dataset().users;
    sim.shutdown();
    let users_file = dir.join("users.json");
    let list: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(i, u)| serde_json::json!({ "id": format!("uid{i}"), "email": u.email }))
        .collect();
    std::fs::write(&users_file, serde_json::to_string(&list)?)?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let opts = ExportOptions {
        users_file: Some(users_file),
        update_goals: false,
        as_of: Some(end.date()),
        ..ExportOptions::default()
    };

    let run = |label: &'static str, project: String, per_request: usize, fresh: bool| {
        let host = host.clone();
        let opts = opts.clone();
        let db = db.clone();
        async move {
            let store = Store::open(&db)?;
            if fresh {
                store
                    .conn()
                    .execute_batch("DELETE FROM firestore_export_ledger")?;
            }
            let mut cfg = FirestoreConfig::from_vars(Some(project), Some(host), None, None)?;
            cfg.max_writes_per_request = per_request;
            let client = FirestoreClient::new(cfg)?;
            let t = Instant::now();
            let s = run_export(&store, Some(&client), &opts).await?;
            let secs = t.elapsed().as_secs_f64();
            println!(
                "  {label:<34} {:>6} documents in {:>7.2}s = {:>8.0} docs/s, {} requests",
                s.written,
                secs,
                s.written as f64 / secs.max(1e-9),
                s.requests
            );
            anyhow::Ok((s.written, secs))
        }
    };
    let (batched_docs, batched) = run(
        "batched (batchWrite of <= 500)",
        format!("bench-batched-{stamp}"),
        500,
        true,
    )
    .await?;
    let (_, unchanged) = run(
        "no-change re-export",
        format!("bench-batched-{stamp}"),
        500,
        false,
    )
    .await?;
    let (single_docs, single) = run(
        "one write per request",
        format!("bench-single-{stamp}"),
        1,
        true,
    )
    .await?;
    println!(
        "  ratio batched / one-per-request throughput: {:.1}x; no-change re-export: {:.2}s",
        (batched_docs as f64 / batched) / (single_docs as f64 / single),
        unchanged
    );
    Ok(())
}
