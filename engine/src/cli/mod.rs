//! The `callduck` command line: argument parsing, logging set-up and the subcommands.
//!
//! `main` calls [`main`], which parses arguments (clap reports bad flags with exit code 2), runs
//! the command and prints the whole error chain on failure, exiting with the code of
//! [`exit::Exit`] that the error's kind maps to. Each command is a module
//! here with its argument struct and a short `run` that calls the library; this file holds the
//! global flags, the flag parsers shared by several commands, logging and the dispatch.

mod check;
mod demo;
mod events;
mod exit;
mod export;
mod import;
mod install;
mod matching;
mod report;
mod serve;
mod settings;
mod sql;
mod status;
mod sync;
mod watermark;

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{NaiveDate, NaiveDateTime};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::justcall::Stream;
use crate::report::output::{Format, Output};

/// `callduck --version`: the release and the commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("CALLDUCK_COMMIT"),
    ")"
);

/// callduck: JustCall calls, SMS and users in a local DuckDB file, for analysts and dashboards.
#[derive(Debug, Parser)]
#[command(
    name = "callduck",
    version = VERSION,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Benchmarks (not everyday commands): callduck bench --help. Exit codes: see the README."
)]
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
    /// DuckDB's memory limit (e.g. 256MB, 2GB, or none for DuckDB's 80% of RAM): beyond it
    /// DuckDB evicts cached blocks and spills to disk instead of growing. Raise it for heavy
    /// analyst queries; 256MB with --batch-records 2000 suits a small VM.
    #[arg(long, global = true, env = "CALLDUCK_MEMORY_LIMIT", value_name = "SIZE",
          default_value = crate::store::DEFAULT_MEMORY_LIMIT,
          value_parser = crate::store::parse_memory_limit)]
    pub memory_limit: crate::store::MemoryLimit,
    /// Log format on stderr: text for people, json (one object per line) for log collectors.
    #[arg(
        long,
        global = true,
        value_enum,
        env = "CALLDUCK_LOG_FORMAT",
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
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
    Sync(sync::SyncArgs),
    /// Show what the DuckDB file holds: counts, watermarks, last sync, quarantine.
    Status,
    /// Run the data tests in sql/tests against the DuckDB file (exit 6 if any fails).
    Check,
    /// Start the built-in JustCall simulator, sync it into callduck-demo.duckdb, print a summary.
    ///
    /// The demo writes callduck-demo.duckdb (or the file given with --db on the command line),
    /// never the file named by CALLDUCK_DB, so simulated data cannot mix with real data.
    ///
    /// Needs no credentials and no network: the simulator serves a deterministic synthetic
    /// team on 127.0.0.1.
    Demo(demo::DemoArgs),
    /// Print an analyst report from the DuckDB file (table, csv, json or parquet).
    ///
    /// Each report is a table macro in sql/reports/ that any DuckDB client can call too, e.g.
    /// `FROM rpt_call_kpis(DATE '2026-11-01', DATE '2026-11-30')`. Days are the agents' local days.
    Report(report::ReportArgs),
    /// Run any SQL query against the DuckDB file (read-only) and print the result.
    ///
    /// Views: stg_justcall__calls, stg_justcall__texts, stg_justcall__users, fct_agent_daily,
    /// fct_sms_responses, fct_contact_activity, fct_customer_activity, fct_account_weekly,
    /// rpt_contact_matches; macros: rpt_agent_daily, rpt_call_kpis, rpt_sms_summary,
    /// rpt_call_heatmap, rpt_call_dispositions, rpt_calls_by_status, rpt_contact_activity,
    /// rpt_customer_activity, rpt_account_activity, rpt_top_customers, rpt_stale_accounts,
    /// rpt_orders_after_calls (see sql/README.md; every object and column has a COMMENT).
    Sql(sql::SqlArgs),
    /// Export daily metrics to the goals dashboard (Firestore).
    Export(export::ExportArgs),
    /// Import CRM customers or orders (Copper, Fishbowl) and link JustCall contacts to them.
    Import(import::ImportArgs),
    /// Re-match every JustCall contact to the imported CRM customers (after changing settings).
    ///
    /// Imports and syncs do this by themselves; the links are in crm_contact_links and
    /// rpt_contact_matches lists every contact with its verdict.
    Match,
    /// Show or change the file's settings (business time zone, service-level threshold).
    Settings(settings::SettingsArgs),
    /// Receive JustCall webhooks (POST /webhooks/justcall) and run the scheduled sync.
    ///
    /// Each webhook is verified (HMAC-SHA256 with JUSTCALL_API_SECRET over the --public-url
    /// registered in JustCall), deduplicated on request_id and stored before the 200 answer; the
    /// record is then re-fetched from the API and upserted. GET /healthz reports pending events.
    /// Stops cleanly on ctrl-c or SIGTERM; accepted events are never lost.
    Serve(serve::ServeArgs),
    /// List webhook events that failed (with the reason), or make them pending again.
    Events(events::EventsArgs),
    /// Move a stream's sync watermark back, so the next sync fetches from there again.
    ///
    /// For a watermark that a clock ahead of time moved into the future, or a range to fetch
    /// again: `callduck watermark reset calls --to 2026-11-01`. Without --to, the next sync
    /// backfills the stream (--backfill-days).
    Watermark(watermark::WatermarkArgs),
    /// Serve the JustCall simulator on loopback until interrupted (for trying callduck out).
    Simulate(demo::SimulateArgs),
    /// Print shell completions for bash, zsh, fish, elvish or PowerShell.
    ///
    /// e.g. `callduck completions bash > ~/.local/share/bash-completion/completions/callduck`.
    Completions(install::CompletionsArgs),
    /// Write the man pages (callduck.1 and one per command) into a directory, or print callduck.1.
    Man(install::ManArgs),
    /// Benchmarks, printing ratios against a reference run in the same process.
    #[command(hide = true)]
    Bench(crate::bench::BenchArgs),
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (timestamp, level, message, fields): for journald, Cloud
    /// Logging, Loki and the like.
    Json,
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

/// Entry point of the binary.
pub fn main() -> ExitCode {
    restore_sigpipe();
    let matches = command().get_matches();
    let mut cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    cli.db_from_command_line = db_from_command_line(&matches);
    init_logging(cli.verbose, cli.quiet, cli.log_format);
    crate::store::set_memory_limit(cli.memory_limit.0);
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
            exit::Exit::of_error(&err).into()
        }
    }
}

/// The clap command with what is only known at run time: the DuckDB library's version in
/// `--version`'s long form, and the table of settings in `settings --help`.
pub fn command() -> clap::Command {
    // clap keeps `&'static str`s; this string is made once per process.
    let long_version: &'static str = Box::leak(
        format!(
            "{VERSION}\nDuckDB {}",
            crate::store::duckdb_library_version()
        )
        .into_boxed_str(),
    );
    <Cli as clap::CommandFactory>::command()
        .long_version(long_version)
        .mut_subcommand("settings", |c| c.after_long_help(settings::help_table()))
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

fn init_logging(verbose: u8, quiet: bool, format: LogFormat) {
    let default = match (quiet, verbose) {
        (true, _) => "warn",
        // gcp_auth warns at each retry while it looks for credentials; its final error is ours.
        (false, 0) => "callduck=info,gcp_auth=error,warn",
        (false, 1) => "callduck=debug,gcp_auth=warn,info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CALLDUCK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        // Span lists would repeat the fields; one flat object per event is what collectors index.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// What every command needs from the global flags.
pub struct Ctx {
    /// The DuckDB file (`--db`, `CALLDUCK_DB`).
    pub db: PathBuf,
    /// Whether `--db` was typed on the command line (the demo never takes `CALLDUCK_DB`).
    pub db_from_command_line: bool,
    /// Progress bars and summaries (off with `--quiet`).
    pub progress: bool,
}

/// Runs one parsed command line: each command is a module with its arguments and its `run`.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = Ctx {
        db: cli.db,
        db_from_command_line: cli.db_from_command_line,
        progress: !cli.quiet,
    };
    match cli.command {
        Command::Sync(args) => sync::run(&ctx, args),
        Command::Status => status::run(&ctx),
        Command::Check => check::run(&ctx),
        Command::Demo(args) => demo::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Sql(args) => sql::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Match => matching::run(&ctx),
        Command::Settings(args) => settings::run(&ctx, args),
        Command::Serve(args) => serve::run(&ctx, args),
        Command::Events(args) => events::run(&ctx, args),
        Command::Watermark(args) => watermark::run(&ctx, args),
        Command::Simulate(args) => demo::simulate(args),
        Command::Completions(args) => install::completions(args),
        Command::Man(args) => install::man(args),
        Command::Bench(args) => {
            crate::bench::run(args)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
