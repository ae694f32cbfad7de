//! `callduck export`: the Firestore metrics of the goals dashboard, and the browser dashboard's
//! columnar files.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::Ctx;
use super::{parse_date, runtime};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub target: ExportTarget,
}

#[derive(Debug, Subcommand)]
pub enum ExportTarget {
    /// Write `metrics/{uid}_{type}_{day}_justcall` documents for the goals dashboard.
    ///
    /// Agents map to the dashboard's `users` by email (trimmed, any case). Only documents whose
    /// content changed since the last export are written (ledger in the DuckDB file); days whose
    /// activity vanished are written with value 0. Emulator: FIRESTORE_EMULATOR_HOST; production:
    /// GOOGLE_APPLICATION_CREDENTIALS (service-account key).
    Firestore(FirestoreExportArgs),
    /// Write the files the browser dashboard loads: calls.cdbatch, texts.cdbatch, dashboard.json.
    ///
    /// The batches are columnar (one typed array per column) so the WebAssembly module recomputes
    /// a million calls in milliseconds; see wasm/README.md.
    Dashboard(DashboardArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DashboardArgs {
    /// Directory to write.
    #[arg(long, short = 'o', default_value = "dashboard-data")]
    pub out: PathBuf,
    /// First local day (the agents' days, as the SQL views count them) to include (default: all).
    #[arg(long, value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Last local day to include (default: all).
    #[arg(long, value_parser = parse_date)]
    pub until: Option<NaiveDate>,
    /// Recent calls listed with their details.
    #[arg(long, default_value_t = 200)]
    pub recent_calls: usize,
    /// Goal targets: JSON array of {userEmail, type, period, target} (default: a standard set).
    #[arg(long)]
    pub goals_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct FirestoreExportArgs {
    /// Google Cloud project id (default: FIRESTORE_PROJECT_ID, GOOGLE_CLOUD_PROJECT, or the credentials' project).
    #[arg(long, env = "FIRESTORE_PROJECT_ID")]
    pub project: Option<String>,
    /// First local day to export (default: the first day in the file).
    #[arg(long, value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Last local day to export (default: the last day in the file).
    #[arg(long, value_parser = parse_date)]
    pub until: Option<NaiveDate>,
    /// Metric types to write.
    #[arg(long, value_delimiter = ',', default_values = crate::firestore::export::METRIC_TYPES)]
    pub types: Vec<String>,
    /// Print what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not recompute `current` of the affected goals.
    #[arg(long)]
    pub no_goals: bool,
    /// Read dashboard users from this JSON file ([{"id", "email", "name"}]) instead of Firestore.
    #[arg(long)]
    pub users_file: Option<PathBuf>,
    /// Compute goals' current periods for this day (default: today in the business time zone).
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Attempts per request (and per failed write) before giving up.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: u32,
    /// Write even when the plan zeroes more than 10% of the documents exported before (refused
    /// otherwise: an empty or wrong users source, or another project, looks exactly like that).
    #[arg(long)]
    pub allow_zeroing: bool,
    /// First read what Firestore holds in the range, and write again every document that was
    /// deleted or edited there since callduck wrote it.
    #[arg(long)]
    pub verify: bool,
}

impl FirestoreExportArgs {
    fn options(&self, progress: bool) -> crate::firestore::export::ExportOptions {
        crate::firestore::export::ExportOptions {
            since: self.since,
            until: self.until,
            metric_types: self.types.clone(),
            dry_run: self.dry_run,
            update_goals: !self.no_goals,
            users_file: self.users_file.clone(),
            as_of: self.as_of,
            progress,
            allow_zeroing: self.allow_zeroing,
            verify: self.verify,
        }
    }

    /// The client, or `None` for a dry run from a users file without any Firestore settings.
    pub fn client(&self) -> anyhow::Result<Option<crate::firestore::FirestoreClient>> {
        let config = crate::firestore::FirestoreConfig::from_env(self.project.clone());
        match config {
            Err(e) if self.dry_run && self.users_file.is_some() => {
                tracing::debug!("dry run without Firestore: {e}");
                Ok(None)
            }
            Err(e) => Err(e.into()),
            Ok(mut config) => {
                config.max_attempts = self.max_attempts;
                Ok(Some(crate::firestore::FirestoreClient::new(config)?))
            }
        }
    }
}

/// Runs a Firestore export against an open store and prints its summary.
pub async fn export_firestore(
    store: &Store,
    args: &FirestoreExportArgs,
    client: Option<&crate::firestore::FirestoreClient>,
    progress: bool,
) -> anyhow::Result<()> {
    let summary =
        crate::firestore::export::run_export(store, client, &args.options(progress)).await?;
    print!("{}", crate::firestore::export::render_summary(&summary));
    Ok(())
}

/// Runs one export.
pub fn run(ctx: &Ctx, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let progress = ctx.progress;
    match args.target {
        ExportTarget::Dashboard(args) => {
            let store = Store::open_for_reading(&ctx.db)?;
            let opts = crate::dashboard::DashboardExport {
                out_dir: args.out.clone(),
                since: args.since,
                until: args.until,
                recent_calls: args.recent_calls,
                goals_file: args.goals_file.clone(),
            };
            let s = crate::dashboard::export_dashboard(&store, &opts)?;
            println!(
                "dashboard export: {} calls, {} SMS ({:.1} MiB) into {}{}",
                s.calls,
                s.texts,
                s.bytes as f64 / 1048576.0,
                args.out.display(),
                if s.quarantined > 0 {
                    format!("; {} unparseable record(s) skipped", s.quarantined)
                } else {
                    String::new()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        ExportTarget::Firestore(args) => {
            // Credentials first: a missing or refused one stops before the file is touched.
            let rt = runtime()?;
            let client = args.client()?;
            if let Some(client) = &client {
                rt.block_on(client.check_credentials())?;
            }
            let store = Store::open(&ctx.db)?;
            rt.block_on(export_firestore(&store, &args, client.as_ref(), progress))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
