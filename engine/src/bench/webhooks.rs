//! `callduck bench webhooks`: accepted webhooks per second on loopback (signature check and
//! persistence included) and the latency from delivery to the record being queryable.
//!
//! The simulator signs one event per call and SMS of a generated team and delivers them to an
//! in-process `callduck serve` over HTTP. Reported: deliveries per second; the answer latency
//! (send → 200, i.e. verified and committed); and the time from acceptance to the record being
//! stored (`processed_at - received_at` of each event), as median and p99.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{percentile, team_with_users};
use crate::secret::Secret;
use crate::simulator::webhooks::{deliver, events_for};
use crate::simulator::SimConfig;
use crate::store::{now_utc, Store};
use crate::sync::SyncOptions;
use crate::webhooks::server::{start, ServeConfig};

/// Runs the benchmark and prints its report.
pub async fn bench_webhooks(calls: usize, concurrency: usize, dir: &Path) -> anyhow::Result<()> {
    let agents = 20;
    let days = 30;
    let per_day = (calls as f64 / (agents * days) as f64).max(1.0);
    let config = SimConfig {
        agents,
        days: days as u32,
        calls_per_agent_day: per_day,
        texts_per_agent_day: per_day / 2.0,
        ..SimConfig::default()
    };
    println!("bench webhooks: {}", crate::simulator::describe(&config));
    let db = dir.join("webhooks.duckdb");
    let (sim, client) = team_with_users(&config, &db, config.end).await?;
    let public_url = "https://hooks.example.com/webhooks/justcall";
    let serve = ServeConfig {
        public_url: public_url.into(),
        secret: Secret::new(config.api_secret.clone()),
        timestamp_window: chrono::TimeDelta::minutes(5),
        body_limit: 1024 * 1024,
        batch_events: 1000,
        every: None,
        sync: SyncOptions::default(),
        snapshot: None,
        export: None,
        events: Default::default(),
        limits: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let server = start(listener, Store::open(&db)?, client, serve).await?;
    let events = events_for(&sim.dataset());
    let url = format!("http://{}/webhooks/justcall", server.addr);
    let t = Instant::now();
    let results = deliver(
        &url,
        public_url,
        &config.api_secret,
        &events,
        concurrency,
        now_utc(),
    )
    .await;
    let burst = t.elapsed();
    let accepted = results.iter().filter(|(s, _)| *s == 200).count();
    let pending = server.drained(Duration::from_secs(600)).await?;
    let drain = t.elapsed();
    let store = server.shutdown().await;
    sim.shutdown();
    let mut answer: Vec<f64> = results
        .iter()
        .map(|(_, d)| d.as_secs_f64() * 1000.0)
        .collect();
    answer.sort_by(f64::total_cmp);
    let mut stored: Vec<f64> = {
        let store = store.lock();
        let mut stmt = store.conn().prepare(
            "SELECT epoch_us(processed_at) - epoch_us(received_at) FROM callduck_webhook_events WHERE event_status = 'processed'",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
        rows.map(|r| r.map(|us| us as f64 / 1000.0))
            .collect::<Result<_, _>>()?
    };
    stored.sort_by(f64::total_cmp);
    println!(
        "  {accepted} of {} deliveries accepted in {:.2}s = {:.0} webhooks/s ({concurrency} connections); all stored after {:.2}s ({pending} pending)",
        events.len(),
        burst.as_secs_f64(),
        accepted as f64 / burst.as_secs_f64(),
        drain.as_secs_f64()
    );
    println!(
        "  answer latency (verified + committed): median {:.1} ms, p99 {:.1} ms",
        percentile(&answer, 0.5),
        percentile(&answer, 0.99)
    );
    println!(
        "  accepted -> record stored (re-fetched, upserted): median {:.0} ms, p99 {:.0} ms",
        percentile(&stored, 0.5),
        percentile(&stored, 0.99)
    );
    Ok(())
}
