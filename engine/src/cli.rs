//! The `callduck` command line: argument parsing, logging set-up and the subcommands.
//!
//! `main` calls [`main`], which parses arguments (clap reports bad flags with exit code 2), runs
//! the command and prints the whole error chain on failure (exit code 1).

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{NaiveDate, NaiveDateTime};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::justcall::{JustCallClient, JustCallConfig, Stream};
use crate::report::output::{Format, Output};
use crate::report::{ReportName, ReportRequest};
use crate::simulator::{RateLimit, SimConfig, Simulator};
use crate::store::Store;
use crate::sync::{run_sync, SyncOptions};

/// callduck: JustCall calls, SMS and users in a local DuckDB file, for analysts and dashboards.
#[derive(Debug, Parser)]
#[command(name = "callduck", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// DuckDB file to read and write (`demo` uses callduck-demo.duckdb unless --db is given).
    #[arg(
        long,
        global = true,
        env = "CALLDUCK_DB",
        default_value = "callduck.duckdb"
    )]
    pub db: PathBuf,
    /// Whether `--db` was typed on the command line (not taken from the default or CALLDUCK_DB).
    #[arg(skip)]
    pub db_from_command_line: bool,
    /// More log output (-v debug, -vv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only warnings and errors; no progress bars.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch users, calls and SMS from JustCall into the DuckDB file (incremental).
    ///
    /// Credentials come from JUSTCALL_API_KEY and JUSTCALL_API_SECRET; the API from
    /// JUSTCALL_BASE_URL (default https://api.justcall.io). The first run backfills
    /// --backfill-days; later runs continue from the stored watermark and re-scan
    /// --trailing-days so late notes and dispositions land.
    Sync(SyncArgs),
    /// Show what the DuckDB file holds: counts, watermarks, last sync, quarantine.
    Status,
    /// Run the data tests in sql/tests against the DuckDB file (exit 1 if any fails).
    Check,
    /// Start the built-in JustCall simulator, sync it into callduck-demo.duckdb, print a summary.
    ///
    /// The demo writes callduck-demo.duckdb (or the file given with --db on the command line),
    /// never the file named by CALLDUCK_DB, so simulated data cannot mix with real data.
    ///
    /// Needs no credentials and no network: the simulator serves a deterministic synthetic
    /// team on 127.0.0.1.
    Demo(DemoArgs),
    /// Print an analyst report from the DuckDB file (table, csv, json or parquet).
    ///
    /// Each report is a table macro in sql/reports/ that any DuckDB client can call too, e.g.
    /// `FROM rpt_call_kpis(DATE '2026-11-01', DATE '2026-11-30')`. Days are the agents' local days.
    Report(ReportArgs),
    /// Run any SQL query against the DuckDB file (read-only) and print the result.
    ///
    /// Views: stg_justcall__calls, stg_justcall__texts, stg_justcall__users, fct_agent_daily,
    /// fct_sms_responses, fct_customer_activity, fct_account_weekly, rpt_contact_matches;
    /// macros: rpt_agent_daily, rpt_call_kpis, rpt_sms_summary, rpt_call_heatmap,
    /// rpt_call_dispositions, rpt_customer_activity, rpt_account_activity, rpt_top_customers,
    /// rpt_stale_accounts, rpt_orders_after_calls (see sql/README.md).
    Sql(SqlArgs),
    /// Export daily metrics to the goals dashboard (Firestore).
    Export(ExportArgs),
    /// Import CRM customers or orders (Copper, Fishbowl) and link JustCall contacts to them.
    Import(ImportArgs),
    /// Re-match every JustCall contact to the imported CRM customers (after changing settings).
    ///
    /// Imports and syncs do this by themselves; the links are in crm_contact_links and
    /// rpt_contact_matches lists every contact with its verdict.
    Match,
    /// Show or change the file's settings (business time zone, service-level threshold).
    Settings(SettingsArgs),
    /// Receive JustCall webhooks (POST /webhooks/justcall) and run the scheduled sync.
    ///
    /// Each webhook is verified (HMAC-SHA256 with JUSTCALL_API_SECRET over the --public-url
    /// registered in JustCall), deduplicated on request_id and stored before the 200 answer; the
    /// record is then re-fetched from the API and upserted. GET /healthz reports pending events.
    /// Stops cleanly on ctrl-c or SIGTERM; accepted events are never lost.
    Serve(ServeArgs),
    /// List webhook events that failed (with the reason), or make them pending again.
    Events(EventsArgs),
    /// Move a stream's sync watermark back, so the next sync fetches from there again.
    ///
    /// For a watermark that a clock ahead of time moved into the future, or a range to fetch
    /// again: `callduck watermark reset calls --to 2026-11-01`. Without --to, the next sync
    /// backfills the stream (--backfill-days).
    Watermark(WatermarkArgs),
    /// Serve the JustCall simulator on loopback until interrupted (for trying callduck out).
    Simulate(SimulateArgs),
    /// Benchmarks, printing ratios against a reference run in the same process.
    Bench(crate::bench::BenchArgs),
}

fn parse_instant(s: &str) -> Result<NaiveDateTime, String> {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight"));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%SZ",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(dt);
        }
    }
    Err("expected a UTC date YYYY-MM-DD or date-time 'YYYY-MM-DD HH:MM:SS'".into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StreamArg {
    Users,
    Calls,
    Texts,
}

impl From<StreamArg> for Stream {
    fn from(s: StreamArg) -> Stream {
        match s {
            StreamArg::Users => Stream::Users,
            StreamArg::Calls => Stream::Calls,
            StreamArg::Texts => Stream::Texts,
        }
    }
}

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
    /// Project for --export-firestore (default: FIRESTORE_PROJECT_ID or the key file's).
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
            window_days: self.window_days,
            batch_records: self.batch_records as usize,
            streams: self.streams.iter().map(|s| Stream::from(*s)).collect(),
            business_timezone: self.timezone.clone(),
            progress,
        }
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| "expected a date YYYY-MM-DD".to_string())
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format (csv, json and parquet carry every column).
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file instead of stdout (required for parquet).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Rows the table format prints at most.
    #[arg(long, default_value_t = 200)]
    pub max_rows: usize,
}

impl OutputArgs {
    fn output(&self) -> Output {
        Output {
            format: self.format,
            path: self.output.clone(),
            max_rows: self.max_rows,
            vertical: false,
            scratch: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report to print.
    #[arg(value_enum)]
    pub name: ReportName,
    /// First local day (inclusive); default: 30 days before --to.
    #[arg(long, value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last local day (inclusive); default: the last day with activity in the file.
    #[arg(long, value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    /// Only this agent (JustCall email, any case).
    #[arg(long)]
    pub agent: Option<String>,
    /// top-customers: customers listed per agent.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub top: u32,
    /// stale-accounts: accounts not contacted in this many days (up to --to).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// orders-after-calls: days after a call in which an order counts for it.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(0..=365))]
    pub window_days: u32,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The query, e.g. "FROM rpt_call_kpis(DATE '2026-11-01', DATE '2026-11-30')".
    pub query: String,
    /// Let the query read the database only: no files (read_csv, COPY TO, ATTACH), no
    /// extensions, and no SET to undo it; for wrapping `callduck sql` in other tools. Without
    /// it, a query has the powers of the duckdb CLI on a read-only database.
    #[arg(long)]
    pub restricted: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: ImportWhat,
}

#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// Load a CRM export, replacing the previous import of its kind, and re-link contacts.
    ///
    /// FILE is CSV (with a header; `,`, `;` or tab separated), a JSON array or object of
    /// records, or NDJSON. Columns are found by name: every column mentioning a phone or an
    /// email is used (e.g. `Phone Number 2`, `Work Email`); ids, names, companies, accounts,
    /// order dates and amounts have the names Copper and Fishbowl export. Records that cannot
    /// be used are listed with their line numbers (and kept in crm_import_rejects); the others
    /// load. With --firestore the records come from the kind's Firestore collection instead
    /// (copper_people, copper_companies, fishbowl_customers, fishbowl_sales_orders).
    Customers(ImportCustomersArgs),
}

#[derive(Debug, Args)]
pub struct ImportCustomersArgs {
    /// The export to read (CSV, JSON or NDJSON); omit with --firestore.
    #[arg(required_unless_present = "firestore")]
    pub file: Option<PathBuf>,
    /// What the export holds.
    #[arg(long, value_enum)]
    pub kind: crate::crm::ImportKind,
    /// Read the kind's collection from Firestore (FIRESTORE_EMULATOR_HOST or
    /// GOOGLE_APPLICATION_CREDENTIALS) instead of a file.
    #[arg(long, conflicts_with = "file")]
    pub firestore: bool,
    /// Firestore collection to read (default: the kind's, e.g. copper_people).
    #[arg(long, requires = "firestore")]
    pub collection: Option<String>,
    /// Google Cloud project for --firestore (default: FIRESTORE_PROJECT_ID or the key file's).
    #[arg(long, env = "FIRESTORE_PROJECT_ID")]
    pub project: Option<String>,
    /// Replace the previous import even when this one holds no record, or fewer than half as
    /// many (refused otherwise: an empty or truncated export would remove customers and links).
    #[arg(long)]
    pub allow_shrink: bool,
}

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
    /// Google Cloud project id (default: FIRESTORE_PROJECT_ID, else the key file's project).
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
    fn client(&self) -> anyhow::Result<Option<crate::firestore::FirestoreClient>> {
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
    progress: bool,
) -> anyhow::Result<()> {
    let client = args.client()?;
    let summary =
        crate::firestore::export::run_export(store, client.as_ref(), &args.options(progress))
            .await?;
    print!("{}", crate::firestore::export::render_summary(&summary));
    Ok(())
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; put a TLS proxy in front for JustCall).
    #[arg(long, default_value = "127.0.0.1:8090", env = "CALLDUCK_SERVE_ADDR")]
    pub addr: SocketAddr,
    /// The public webhook URL as registered in JustCall (signatures are computed over it).
    #[arg(long, env = "CALLDUCK_WEBHOOK_URL")]
    pub public_url: String,
    /// Also sync every interval (e.g. 15m, 1h, 1d), as `callduck sync` would.
    #[arg(long, value_parser = crate::webhooks::schedule::parse_every)]
    pub every: Option<std::time::Duration>,
    /// Largest accepted distance between a webhook's timestamp and now, in seconds.
    #[arg(long, default_value_t = 300)]
    pub timestamp_window_secs: i64,
    /// Largest accepted webhook body, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub body_limit_bytes: usize,
    /// Business time zone (IANA) for agents without a usable zone (scheduled syncs).
    #[arg(long, env = "CALLDUCK_TIMEZONE")]
    pub timezone: Option<String>,
    /// Export changed daily metrics to Firestore after processed webhooks and scheduled syncs
    /// (needs FIRESTORE_EMULATOR_HOST or GOOGLE_APPLICATION_CREDENTIALS).
    #[arg(long, env = "CALLDUCK_EXPORT_FIRESTORE")]
    pub export_firestore: bool,
    /// Project for --export-firestore (default: FIRESTORE_PROJECT_ID or the key file's).
    #[arg(long, requires = "export_firestore")]
    pub firestore_project: Option<String>,
    /// Keep a read-only copy of the file here for analysts (`callduck --db PATH report ...`,
    /// the duckdb CLI): DuckDB lets no other process open the file while serve writes it.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// Rewrite the snapshot at most this often, after changes.
    #[arg(long, default_value = "5m", value_parser = crate::webhooks::schedule::parse_every)]
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

#[derive(Debug, Args)]
pub struct WatermarkArgs {
    #[command(subcommand)]
    pub action: WatermarkAction,
}

#[derive(Debug, Subcommand)]
pub enum WatermarkAction {
    /// Move STREAM's watermark back to --to (UTC), or clear it.
    Reset {
        /// users, calls or texts.
        #[arg(value_enum)]
        stream: StreamArg,
        /// The new watermark: a UTC date or date-time up to which you know the file is complete.
        #[arg(long, value_parser = parse_instant)]
        to: Option<NaiveDateTime>,
    },
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    #[command(subcommand)]
    pub action: Option<EventsAction>,
}

#[derive(Debug, Subcommand)]
pub enum EventsAction {
    /// List failed events with the reason (the default).
    List {
        /// How many to list, newest first.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Make failed events pending again, with their attempts reset: the next `callduck serve`
    /// processes them (stop serve first: DuckDB lets one process hold the file).
    Retry {
        /// The request ids to retry.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        request_ids: Vec<String>,
        /// Retry every failed event.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[command(subcommand)]
    pub action: Option<SettingsAction>,
}

#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// Set a setting: business_timezone (IANA name) or service_level_seconds (1-3600).
    Set { key: String, value: String },
    /// Remove a setting (back to its default).
    Unset { key: String },
}

/// Settings users may change, with their defaults and a validator.
const SETTINGS: &[(&str, &str, &str)] = &[
    (
        "business_timezone",
        "UTC",
        "IANA zone for agents without a usable zone of their own",
    ),
    (
        "service_level_seconds",
        "20",
        "answered-within threshold of the service level, seconds",
    ),
];

fn validate_setting(key: &str, value: &str) -> anyhow::Result<String> {
    if let Some(checked) = crate::crm::validate_setting(key, value) {
        return checked;
    }
    match key {
        "business_timezone" => Ok(crate::store::tz::parse_zone(value)?.name().to_string()),
        "service_level_seconds" => {
            let n: u32 = value.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "service_level_seconds must be a whole number of seconds, got {value:?}"
                )
            })?;
            anyhow::ensure!(
                (1..=3600).contains(&n),
                "service_level_seconds must be between 1 and 3600, got {n}"
            );
            Ok(n.to_string())
        }
        other => anyhow::bail!(
            "unknown setting {other:?}: settings are {}",
            all_settings()
                .map(|(k, _, _)| *k)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The engine's settings and the matcher's.
fn all_settings() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    SETTINGS.iter().chain(crate::crm::SETTINGS)
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Seed of the synthetic data set (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of agents.
    #[arg(long, default_value_t = 8)]
    pub agents: usize,
    /// Days of history ending now.
    #[arg(long, default_value_t = 90)]
    pub days: u32,
    /// Mean calls per agent and day.
    #[arg(long, default_value_t = 25.0)]
    pub calls_per_agent_day: f64,
    /// Mean SMS per agent and day.
    #[arg(long, default_value_t = 15.0)]
    pub texts_per_agent_day: f64,
    /// Enforce a burst limit of N requests per minute (with the real headers and 429s).
    #[arg(long)]
    pub rate_per_minute: Option<u32>,
    /// Enforce an hourly limit of N requests.
    #[arg(long)]
    pub rate_per_hour: Option<u32>,
}

impl SimArgs {
    pub fn config(&self) -> SimConfig {
        let mut cfg = SimConfig::ending_now();
        cfg.seed = self.seed;
        cfg.agents = self.agents;
        cfg.days = self.days;
        cfg.calls_per_agent_day = self.calls_per_agent_day;
        cfg.texts_per_agent_day = self.texts_per_agent_day;
        if self.rate_per_minute.is_some() || self.rate_per_hour.is_some() {
            cfg.rate_limit = Some(RateLimit {
                per_burst: self.rate_per_minute.unwrap_or(u32::MAX),
                per_hour: self.rate_per_hour.unwrap_or(u32::MAX),
                burst_window: std::time::Duration::from_secs(60),
                hour_window: std::time::Duration::from_secs(3600),
            });
        }
        cfg
    }
}

/// The demo's file when `--db` is not given on the command line.
pub const DEMO_DB: &str = "callduck-demo.duckdb";

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub sim: SimArgs,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8089")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub sim: SimArgs,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    restore_sigpipe();
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let mut cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    cli.db_from_command_line = db_from_command_line(&matches);
    init_logging(cli.verbose, cli.quiet);
    let _ = rustls::crypto::ring::default_provider().install_default();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            // duckdb-rs adds an "Error code N: Unknown error code" cause that tells users nothing.
            for cause in err
                .chain()
                .skip(1)
                .filter(|c| !c.to_string().starts_with("Error code "))
            {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

/// `callduck status | head` should end quietly like any Unix tool, not panic on a closed pipe:
/// Rust ignores SIGPIPE by default, so put back the default action.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread exists; SIG_DFL is always valid.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Whether `--db` was given on the command line, before or after the subcommand.
fn db_from_command_line(matches: &clap::ArgMatches) -> bool {
    let typed =
        |m: &clap::ArgMatches| m.value_source("db") == Some(clap::parser::ValueSource::CommandLine);
    typed(matches) || matches.subcommand().is_some_and(|(_, sub)| typed(sub))
}

fn init_logging(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "callduck=info,warn",
        (false, 1) => "callduck=debug,info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CALLDUCK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let progress = !cli.quiet;
    match cli.command {
        Command::Sync(args) => {
            let mut config = JustCallConfig::from_env()?;
            config.max_attempts = args.max_attempts;
            let client = JustCallClient::new(config)?;
            let store = Store::open(&cli.db)?;
            let options = args.options(progress);
            // Check the export's settings before a long sync, not after it.
            let export = if args.export_firestore {
                let export = FirestoreExportArgs {
                    project: args
                        .firestore_project
                        .clone()
                        .or_else(|| std::env::var("FIRESTORE_PROJECT_ID").ok()),
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
                crate::firestore::FirestoreConfig::from_env(export.project.clone())?;
                Some(export)
            } else {
                None
            };
            let rt = runtime()?;
            let summary =
                rt.block_on(run_sync(store, client, &options, crate::store::now_utc()))?;
            print!("{}", summary.render(&cli.db));
            if let Some(export) = export {
                let store = Store::open(&cli.db)?;
                rt.block_on(export_firestore(&store, &export, progress))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status => {
            let store = Store::open_read_only(&cli.db)?;
            print!("{}", crate::status::render(&store)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Report(args) => {
            let store = Store::open_for_reading(&cli.db)?;
            let request = ReportRequest {
                name: args.name,
                from: args.from,
                to: args.to,
                agent: args.agent.clone(),
                default_days: 30,
                top: args.top,
                stale_days: args.days,
                window_days: args.window_days,
            };
            crate::report::run_report(&store, &request, &args.output.output())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sql(args) => {
            // Never writes: an older callduck's file is queried with the views it has, a file
            // callduck did not create as it is.
            let store = Store::open_read_only(&cli.db)?;
            match store.views_state()? {
                crate::store::ViewsState::Current => {}
                crate::store::ViewsState::Outdated => eprintln!(
                    "note: {} was last written by another callduck version, so its views may \
                     differ from this one's; `callduck check` (or any sync) brings them up to date",
                    cli.db.display()
                ),
                crate::store::ViewsState::Foreign => eprintln!(
                    "note: {} was not created by callduck: it has none of callduck's tables or \
                     views, and `callduck sql` does not add them (it never writes)",
                    cli.db.display()
                ),
            }
            crate::report::run_sql(&store, &args.query, &args.output.output(), args.restricted)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => {
            let config = JustCallConfig::from_env()?;
            let secret = config.api_secret.clone();
            let client = JustCallClient::new(config)?;
            if let Some(snapshot) = &args.snapshot {
                anyhow::ensure!(
                    !crate::store::same_file(snapshot, &cli.db),
                    "--snapshot {} names the database file itself (--db): give the read-only copy another path",
                    snapshot.display()
                );
            }
            let store = Store::open(&cli.db)?;
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
                    let project = args
                        .firestore_project
                        .clone()
                        .or_else(|| std::env::var("FIRESTORE_PROJECT_ID").ok());
                    let client = crate::firestore::FirestoreClient::new(
                        crate::firestore::FirestoreConfig::from_env(project)?,
                    )?;
                    Some((client, crate::firestore::export::ExportOptions::default()))
                } else {
                    None
                },
            };
            runtime()?.block_on(async move {
                let listener = tokio::net::TcpListener::bind(args.addr)
                    .await
                    .with_context(|| format!("cannot listen on {} (choose another --addr)", args.addr))?;
                let handle = crate::webhooks::server::start(listener, store, client, serve).await?;
                println!("callduck serve: webhooks at http://{}/webhooks/justcall (signed for {}), health at /healthz", handle.addr, args.public_url);
                if let Some(every) = args.every {
                    println!("  scheduled sync every {}s", every.as_secs());
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
        Command::Watermark(args) => {
            let WatermarkAction::Reset { stream, to } = args.action;
            let stream = Stream::from(stream);
            let store = Store::open(&cli.db)?;
            let before = store.reset_watermark(stream.name(), to)?;
            match to {
                Some(to) => println!(
                    "{} watermark moved back from {before} to {to} UTC: the next sync fetches from there (less its trailing days)",
                    stream.name()
                ),
                None => println!(
                    "{} watermark cleared (was {before} UTC): the next sync backfills it",
                    stream.name()
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Events(args) => {
            use crate::webhooks::processor::{failed_events, retry_failed};
            match args.action.unwrap_or(EventsAction::List { limit: 50 }) {
                EventsAction::List { limit } => {
                    let store = Store::open_read_only(&cli.db)?;
                    let failed = failed_events(&store, limit)?;
                    if failed.is_empty() {
                        println!("no failed webhook events");
                    }
                    for e in failed {
                        let record = e
                            .record
                            .map_or("-".to_string(), |(s, id)| format!("{s} {id}"));
                        let at = e.failed_at.map_or("-".to_string(), |t| format!("{t} UTC"));
                        println!(
                            "{}  {}  {}  {} attempt(s), failed {}: {}",
                            e.request_id,
                            e.event_type,
                            record,
                            e.attempts,
                            at,
                            e.reason.unwrap_or_default()
                        );
                    }
                }
                EventsAction::Retry {
                    request_ids,
                    all: _,
                } => {
                    let store = Store::open(&cli.db)?;
                    let n = retry_failed(&store, &request_ids)?;
                    anyhow::ensure!(
                        n > 0 || request_ids.is_empty(),
                        "none of the request ids given is a failed event (see `callduck events`)"
                    );
                    println!("{n} failed event(s) pending again: the next `callduck serve` processes them");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => match args.target {
            ExportTarget::Dashboard(args) => {
                let store = Store::open_for_reading(&cli.db)?;
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
                let store = Store::open(&cli.db)?;
                runtime()?.block_on(export_firestore(&store, &args, progress))?;
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Import(args) => {
            let ImportWhat::Customers(args) = args.what;
            let (parsed, source) = match &args.file {
                Some(path) => (
                    crate::crm::import::read_file(path, args.kind)?,
                    path.display().to_string(),
                ),
                None => {
                    let collection = match (&args.collection, args.kind.collection()) {
                        (Some(c), _) => c.clone(),
                        (None, Some(c)) => c.to_string(),
                        (None, None) => anyhow::bail!(
                            "--kind generic has no standard collection: give --collection NAME"
                        ),
                    };
                    let client = crate::firestore::FirestoreClient::new(
                        crate::firestore::FirestoreConfig::from_env(args.project.clone())?,
                    )?;
                    runtime()?.block_on(crate::crm::import::read_firestore(
                        &client,
                        args.kind,
                        &collection,
                    ))?
                }
            };
            let store = Store::open(&cli.db)?;
            let summary = crate::crm::store_import(&store, &parsed, &source, args.allow_shrink)?;
            print!("{}", crate::crm::store::render_summary(&summary));
            Ok(ExitCode::SUCCESS)
        }
        Command::Match => {
            let store = Store::open(&cli.db)?;
            anyhow::ensure!(
                crate::crm::links::has_customers(&store)?,
                "{} holds no CRM customers: import some first, e.g. `callduck import customers people.csv --kind copper-people`",
                cli.db.display()
            );
            let links = crate::crm::refresh_links(&store)?;
            print!("{}", crate::crm::links::render_summary(&links));
            Ok(ExitCode::SUCCESS)
        }
        Command::Settings(args) => {
            match args.action {
                None => {
                    let store = Store::open_read_only(&cli.db)?;
                    for (key, default, help) in all_settings() {
                        let value = store.setting(key)?;
                        let shown = value
                            .as_deref()
                            .map_or(format!("{default} (default)"), str::to_string);
                        println!("{key:<22} {shown:<24} {help}");
                    }
                }
                Some(SettingsAction::Set { key, value }) => {
                    let value = validate_setting(&key, &value)?;
                    let store = Store::open(&cli.db)?;
                    store.set_setting(&key, &value)?;
                    if key == "business_timezone" {
                        store.ensure_time_zones([value.as_str()])?;
                    }
                    println!("{key} = {value}");
                    if crate::crm::SETTINGS.iter().any(|(k, _, _)| *k == key)
                        && crate::crm::links::has_customers(&store)?
                    {
                        let links = crate::crm::refresh_links(&store)?;
                        print!("{}", crate::crm::links::render_summary(&links));
                    }
                }
                Some(SettingsAction::Unset { key }) => {
                    anyhow::ensure!(
                        all_settings().any(|(k, _, _)| *k == key),
                        "unknown setting {key:?}"
                    );
                    let store = Store::open(&cli.db)?;
                    store.conn().execute(
                        "DELETE FROM callduck_settings WHERE setting_key = ?",
                        [&key],
                    )?;
                    println!("{key} back to its default");
                    if crate::crm::SETTINGS.iter().any(|(k, _, _)| *k == key)
                        && crate::crm::links::has_customers(&store)?
                    {
                        let links = crate::crm::refresh_links(&store)?;
                        print!("{}", crate::crm::links::render_summary(&links));
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check => {
            let store = Store::open_for_reading(&cli.db)?;
            let failures = store.run_data_tests()?;
            let total = crate::store::DATA_TESTS.len();
            for (name, rows, sample) in &failures {
                println!("FAIL {name}: {rows} row(s), e.g. {sample}");
            }
            println!(
                "{} passed, {} failed",
                total - failures.len(),
                failures.len()
            );
            Ok(if failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Demo(args) => {
            let db = if cli.db_from_command_line {
                cli.db.clone()
            } else {
                PathBuf::from(DEMO_DB)
            };
            runtime()?.block_on(crate::demo::run(&db, args.sim.config(), progress))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Simulate(args) => {
            let config = args.sim.config();
            runtime()?.block_on(async move {
                println!("{}", crate::simulator::describe(&config));
                let (key, secret) = (config.api_key.clone(), config.api_secret.clone());
                let handle = Simulator::start(config, args.addr).await?;
                println!("JustCall simulator on {}", handle.base_url());
                println!("  export JUSTCALL_BASE_URL={}", handle.base_url());
                println!("  export JUSTCALL_API_KEY={key} JUSTCALL_API_SECRET={secret}");
                println!("Press Ctrl-C to stop.");
                tokio::signal::ctrl_c().await?;
                handle.shutdown();
                anyhow::Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => {
            crate::bench::run(args)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
