//! `callduck sync`: users, calls and SMS from JustCall into the file, incrementally; optionally
//! followed by the Firestore export (one scheduled command).

use std::process::ExitCode;

use chrono::NaiveDateTime;
use clap::Args;

use super::export::{export_firestore, FirestoreExportArgs};
use super::Ctx;
use super::{parse_instant, runtime, StreamArg};
use crate::justcall::{JustCallClient, JustCallConfig, Stream};
use crate::store::Store;
use crate::sync::{run_sync_until, SyncOptions};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Start (UTC date or date-time). Re-fetches from here even when a watermark exists.
    #[arg(long, value_parser = parse_instant)]
    pub since: Option<NaiveDateTime>,
    /// End (UTC date or date-time) for a bounded run; default now.
    #[arg(long, value_parser = parse_instant)]
    pub until: Option<NaiveDateTime>,
    /// History a first run fetches when --since is not given.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub backfill_days: i64,
    /// Days before the watermark that every later run re-scans for edits.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i64).range(0..=90))]
    pub trailing_days: i64,
    /// How often those trailing days are re-scanned in full: `always` (every run) or an interval
    /// such as 24h. Runs in between re-scan only --overlap before the watermark, which saves
    /// requests (the API's rate limit) but lets an edit to an older record wait for the next full
    /// re-scan. A run up to 5 minutes early counts as due; the last full re-scan of each stream
    /// is kept in the file, and a run that fails does not count.
    #[arg(long, env = "CALLDUCK_FULL_RESCAN_EVERY", default_value = "always", value_parser = crate::sync::parse_full_rescan_every)]
    pub full_rescan_every: crate::sync::RescanEvery,
    /// What runs between full re-scans re-scan before the watermark (JustCall's time-zone
    /// slack adds 2 to 28 hours more, depending on the account's zone).
    #[arg(long, env = "CALLDUCK_RESCAN_OVERLAP", default_value = "10m", value_parser = crate::webhooks::schedule::parse_every)]
    pub overlap: std::time::Duration,
    /// Longest window one request covers (the API allows 90 days).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=89))]
    pub window_days: i64,
    /// Records stored per transaction.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub batch_records: u64,
    /// Streams to sync.
    #[arg(long, value_delimiter = ',', default_values = ["users", "calls", "texts"])]
    pub streams: Vec<StreamArg>,
    /// Business time zone (IANA) for agents without a usable zone of their own.
    #[arg(long, env = "CALLDUCK_TIMEZONE")]
    pub timezone: Option<String>,
    /// Requests per JustCall call: give up after this many attempts.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: u32,
    /// After syncing, export daily metrics to Firestore (as `callduck export firestore` would,
    /// with its defaults; needs FIRESTORE_EMULATOR_HOST or GOOGLE_APPLICATION_CREDENTIALS).
    #[arg(long, env = "CALLDUCK_EXPORT_FIRESTORE")]
    pub export_firestore: bool,
    /// Project for --export-firestore (default: FIRESTORE_PROJECT_ID, GOOGLE_CLOUD_PROJECT, or the credentials' project).
    #[arg(long, requires = "export_firestore")]
    pub firestore_project: Option<String>,
}

impl SyncArgs {
    fn options(&self, progress: bool) -> SyncOptions {
        SyncOptions {
            since: self.since,
            until: self.until,
            backfill_days: self.backfill_days,
            trailing_days: self.trailing_days,
            full_rescan_every: self.full_rescan_every.delta(),
            overlap: chrono::TimeDelta::from_std(self.overlap).unwrap_or(chrono::TimeDelta::MAX),
            window_days: self.window_days,
            batch_records: self.batch_records as usize,
            streams: self.streams.iter().map(|s| Stream::from(*s)).collect(),
            business_timezone: self.timezone.clone(),
            progress,
        }
    }
}

/// Runs `callduck sync`.
pub fn run(ctx: &Ctx, args: SyncArgs) -> anyhow::Result<ExitCode> {
    let progress = ctx.progress;
    let mut config = JustCallConfig::from_env()?;
    config.max_attempts = args.max_attempts;
    let client = JustCallClient::new(config)?;
    let store = Store::open(&ctx.db)?;
    let options = args.options(progress);
    // Check the export's settings before a long sync, not after it.
    let export = if args.export_firestore {
        let export = FirestoreExportArgs {
            project: args.firestore_project.clone(),
            since: None,
            until: None,
            types: crate::firestore::export::METRIC_TYPES
                .iter()
                .map(|t| t.to_string())
                .collect(),
            dry_run: false,
            no_goals: false,
            users_file: None,
            as_of: None,
            max_attempts: 6,
            allow_zeroing: false,
            verify: false,
        };
        let client = export
            .client()?
            .expect("a client: only a dry run from a users file has none");
        Some((export, client))
    } else {
        None
    };
    let rt = runtime()?;
    if let Some((_, client)) = &export {
        rt.block_on(client.check_credentials())?;
    }
    // ctrl-c or SIGTERM: stop fetching, commit what was fetched, record the run, exit 130.
    let summary = rt.block_on(run_sync_until(
        store,
        client,
        &options,
        crate::store::now_utc(),
        crate::webhooks::server::shutdown_signal(),
    ))?;
    print!("{}", summary.render(&ctx.db));
    if let Some((export, client)) = export {
        let store = Store::open(&ctx.db)?;
        rt.block_on(export_firestore(&store, &export, Some(&client), progress))?;
    }
    Ok(ExitCode::SUCCESS)
}
