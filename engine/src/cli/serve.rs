//! `callduck serve`: the webhook receiver, its processor and the scheduler, until SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use super::runtime;
use super::Ctx;
use crate::justcall::{JustCallClient, JustCallConfig};
use crate::store::Store;
use crate::sync::SyncOptions;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; put a TLS proxy in front for JustCall).
    #[arg(long, default_value = "127.0.0.1:8090", env = "CALLDUCK_SERVE_ADDR")]
    pub addr: SocketAddr,
    /// The public webhook URL as registered in JustCall (signatures are computed over it).
    #[arg(long, env = "CALLDUCK_WEBHOOK_URL")]
    pub public_url: String,
    /// Also sync every interval (e.g. 15m, 1h, 1d), as `callduck sync` would.
    #[arg(long, env = "CALLDUCK_SERVE_EVERY", value_parser = crate::webhooks::schedule::parse_every)]
    pub every: Option<std::time::Duration>,
    /// How often scheduled syncs re-scan the trailing 3 days in full (`always` for every run);
    /// runs in between re-scan only --overlap before the watermark, since webhooks deliver the
    /// edits (`call.updated`, `sms.status_updated`) as they happen.
    #[arg(long, default_value = "1d", env = "CALLDUCK_FULL_RESCAN_EVERY", value_parser = crate::sync::parse_full_rescan_every)]
    pub full_rescan_every: crate::sync::RescanEvery,
    /// What scheduled syncs between full re-scans re-scan before the watermark.
    #[arg(long, default_value = "10m", env = "CALLDUCK_RESCAN_OVERLAP", value_parser = crate::webhooks::schedule::parse_every)]
    pub overlap: std::time::Duration,
    /// Largest accepted distance between a webhook's timestamp and now, in seconds.
    #[arg(long, default_value_t = 300, env = "CALLDUCK_TIMESTAMP_WINDOW_SECS")]
    pub timestamp_window_secs: i64,
    /// Largest accepted webhook body, in bytes.
    #[arg(long, default_value_t = 1024 * 1024, env = "CALLDUCK_BODY_LIMIT_BYTES")]
    pub body_limit_bytes: usize,
    /// Business time zone (IANA) for agents without a usable zone (scheduled syncs).
    #[arg(long, env = "CALLDUCK_TIMEZONE")]
    pub timezone: Option<String>,
    /// Export changed daily metrics to Firestore after processed webhooks and scheduled syncs
    /// (needs FIRESTORE_EMULATOR_HOST or GOOGLE_APPLICATION_CREDENTIALS).
    #[arg(long, env = "CALLDUCK_EXPORT_FIRESTORE")]
    pub export_firestore: bool,
    /// Project for --export-firestore (default: FIRESTORE_PROJECT_ID, GOOGLE_CLOUD_PROJECT, or the credentials' project).
    #[arg(long, requires = "export_firestore")]
    pub firestore_project: Option<String>,
    /// Keep a read-only copy of the file here for analysts (`callduck --db PATH report ...`,
    /// the duckdb CLI): DuckDB lets no other process open the file while serve writes it.
    #[arg(long, env = "CALLDUCK_SNAPSHOT")]
    pub snapshot: Option<PathBuf>,
    /// Rewrite the snapshot at most this often, after changes.
    #[arg(long, default_value = "5m", env = "CALLDUCK_SNAPSHOT_EVERY", value_parser = crate::webhooks::schedule::parse_every)]
    pub snapshot_every: std::time::Duration,
    /// Attempts to re-fetch an event's record before the event is marked failed (`callduck
    /// events` lists failed events; `callduck events retry` makes them pending again).
    #[arg(long, default_value_t = 6, env = "CALLDUCK_EVENT_MAX_ATTEMPTS", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub event_max_attempts: u32,
    /// Wait after an event's first failed attempt; doubled after each further one (at most 30m).
    #[arg(long, default_value = "10s", env = "CALLDUCK_EVENT_RETRY_BASE", value_parser = crate::webhooks::schedule::parse_every)]
    pub event_retry_base: std::time::Duration,
    /// Delete processed, ignored and failed events this long after they ended.
    #[arg(long, default_value = "7d", env = "CALLDUCK_EVENT_RETENTION", value_parser = crate::webhooks::schedule::parse_every)]
    pub event_retention: std::time::Duration,
    /// Events accepted under one signature (JustCall's signature does not cover the body; a
    /// real burst shares one only within a second and an event type). More are answered 429.
    #[arg(long, default_value_t = 1000, env = "CALLDUCK_MAX_EVENTS_PER_SIGNATURE", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_events_per_signature: u64,
    /// Connections open at once; more wait until one closes.
    #[arg(long, default_value_t = 256, env = "CALLDUCK_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub max_connections: u64,
    /// Close a connection idle this long; answer 408 to a request that takes longer.
    #[arg(long, default_value = "30s", env = "CALLDUCK_IDLE_TIMEOUT", value_parser = crate::webhooks::schedule::parse_every)]
    pub idle_timeout: std::time::Duration,
}

/// Serves until interrupted.
pub fn run(ctx: &Ctx, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = JustCallConfig::from_env()?;
    let secret = config.api_secret.clone();
    let client = JustCallClient::new(config)?;
    if let Some(snapshot) = &args.snapshot {
        anyhow::ensure!(
            !crate::store::same_file(snapshot, &ctx.db),
            "--snapshot {} names the database file itself (--db): give the read-only copy another path",
            snapshot.display()
        );
    }
    let store = Store::open(&ctx.db)?;
    let serve = crate::webhooks::server::ServeConfig {
        public_url: args.public_url.clone(),
        secret,
        timestamp_window: chrono::TimeDelta::seconds(args.timestamp_window_secs),
        body_limit: args.body_limit_bytes,
        batch_events: 1000,
        every: args.every,
        sync: SyncOptions {
            business_timezone: args.timezone.clone(),
            progress: false,
            full_rescan_every: args.full_rescan_every.delta(),
            overlap: chrono::TimeDelta::from_std(args.overlap).unwrap_or(chrono::TimeDelta::MAX),
            ..SyncOptions::default()
        },
        snapshot: args.snapshot.clone().map(|p| (p, args.snapshot_every)),
        events: crate::webhooks::processor::EventPolicy {
            max_attempts: args.event_max_attempts,
            retry_base: args.event_retry_base,
            ..Default::default()
        },
        limits: crate::webhooks::server::ServeLimits {
            retention: args.event_retention,
            max_events_per_signature: args.max_events_per_signature as usize,
            max_connections: args.max_connections as usize,
            idle_timeout: args.idle_timeout,
            ..Default::default()
        },
        export: if args.export_firestore {
            let project = args.firestore_project.clone();
            let client = crate::firestore::FirestoreClient::new(
                crate::firestore::FirestoreConfig::from_env(project)?,
            )?;
            Some((client, crate::firestore::export::ExportOptions::default()))
        } else {
            None
        },
    };
    runtime()?.block_on(async move {
        // Credentials that cannot work stop the service at its start, not at its first export.
        if let Some((client, _)) = &serve.export {
            client.check_credentials().await?;
        }
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {} (choose another --addr)", args.addr))?;
        let handle = crate::webhooks::server::start(listener, store, client, serve).await?;
        println!("callduck serve: webhooks at http://{}/webhooks/justcall (signed for {}), health at /healthz", handle.addr, args.public_url);
        if let Some(every) = args.every {
            let full = args
                .full_rescan_every
                .0
                .map_or("every run".to_string(), |d| format!("every {}s", d.as_secs()));
            println!(
                "  scheduled sync every {}s; full trailing re-scan {full}, else {}s of overlap",
                every.as_secs(),
                args.overlap.as_secs()
            );
        }
        crate::webhooks::server::shutdown_signal().await;
        println!("callduck serve: shutting down");
        let store = handle.shutdown().await;
        let pending = crate::webhooks::processor::pending_count(&store.lock())?;
        println!("callduck serve: stopped; {pending} accepted event(s) left pending for the next start");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
