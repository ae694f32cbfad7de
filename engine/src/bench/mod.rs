//! `callduck bench`: measured, not asserted. Each benchmark prints its own reference run.
//!
//! * `load`: parse + store N call records (read from an NDJSON file, parsed by serde, appended as
//!   Arrow batches, upserted) versus DuckDB's own `read_ndjson_objects` loading the same file into
//!   the same table shape, in the same process. Prints the ratio and peak memory of each.
//! * `sync`: end-to-end sync of N calls from the simulator over loopback HTTP; with
//!   `--rate-per-minute`, also the time versus the minimum the limit allows, and the 429 count.
//! * `firestore`: documents per second into the Firestore emulator, batched versus one write per
//!   request, and a no-change re-export ([`firestore`]).
//! * `webhooks`: accepted webhooks per second and delivery-to-stored latency ([`webhooks`]).
//! * `soak`: `serve` as deployed (scheduled syncs, repeated webhooks, faults, poison records,
//!   the export) and whether every record is stored exactly once ([`soak`]).
//! * `match`: precision, recall and speed of the contact → CRM customer matcher against the
//!   simulator's ground truth, and blocks versus scoring every customer ([`crm`]).
//! * `memory`: peak RSS of a full `callduck sync` (its own process) at 1× and 4× the records,
//!   with DuckDB's default memory limit and with `--memory-limit` ([`memory`]).
//! * `views`: the daily agent metrics and KPI views over N generated calls versus hand-written
//!   GROUP BY queries computing the same numbers, in the same file ([`views`]).
//! * `economy`: a simulated week of a team syncing hourly: requests per day and per changed
//!   record, and the share of JustCall's hourly budget, for cron with a full re-scan every run
//!   (the reference), cron with a daily full re-scan, and serve with webhooks ([`economy`]).

mod crm;
mod economy;
mod firestore;
mod memory;
mod soak;
mod views;
mod webhooks;

use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use callduck_metrics::Call;
use clap::{Args, Subcommand};

use crate::simulator::{RateLimit, SimConfig, Simulator};
use crate::store::load::{parse_record, Loaded, Rejected};
use crate::store::Store;
use crate::sync::{run_sync, SyncOptions};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub which: BenchCommand,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Parse + store N call records versus DuckDB's own JSON reader.
    Load {
        /// Number of call records.
        #[arg(long, default_value_t = 1_000_000)]
        records: usize,
        /// Records per write transaction.
        #[arg(long, default_value_t = 100_000)]
        batch_records: usize,
        /// Working directory (default: a fresh temporary directory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// End-to-end sync from the simulator over loopback HTTP.
    Sync {
        /// Number of calls in the simulator (50 agents over 90 days).
        #[arg(long, default_value_t = 1_000_000)]
        records: usize,
        /// Also run a rate-limited sync with this burst limit per window.
        #[arg(long)]
        rate_per_minute: Option<u32>,
        /// Length of the simulator's rate-limit "minute", in seconds (shorten it to bench quickly).
        #[arg(long, default_value_t = 60)]
        rate_window_secs: u64,
        /// Calls in the rate-limited run.
        #[arg(long, default_value_t = 20_000)]
        rate_records: usize,
        /// Working directory (default: a fresh temporary directory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Documents per second into the Firestore emulator: batched vs one write per request.
    Firestore {
        /// Agents (dashboard users) in the simulated team.
        #[arg(long, default_value_t = 50)]
        agents: usize,
        /// Days of history exported.
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// Working directory (default: a fresh temporary directory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Webhooks accepted per second on loopback, and delivery-to-stored latency.
    Webhooks {
        /// Calls in the simulated team (SMS: about half as many); one event each.
        #[arg(long, default_value_t = 10_000)]
        calls: usize,
        /// Concurrent delivery connections.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Working directory (default: a fresh temporary directory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// `serve` as deployed: scheduled syncs, each webhook several times, faults, poison records.
    Soak {
        /// Calls in the simulated team (SMS: about half as many).
        #[arg(long, default_value_t = 15_000)]
        calls: usize,
        /// Deliveries of each record's webhook.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Concurrent delivery connections.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Seconds between scheduled syncs.
        #[arg(long, default_value_t = 2)]
        every_secs: u64,
        /// Calls whose re-fetch never works.
        #[arg(long, default_value_t = 6)]
        poison: usize,
        /// Working directory (default: a fresh temporary directory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Precision, recall and speed of matching contacts to CRM customers (simulated truth).
    Match {
        /// CRM people imported (from a generated Copper CSV).
        #[arg(long, default_value_t = 100_000)]
        customers: usize,
        /// JustCall contacts to match.
        #[arg(long, default_value_t = 100_000)]
        contacts: usize,
        /// Share of contacts that are in no CRM.
        #[arg(long, default_value_t = 0.15)]
        unknown: f64,
        /// Name-only contacts the reference (every customer scored) runs on.
        #[arg(long, default_value_t = 300)]
        sample: usize,
        /// Working directory (default: a fresh temporary directory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Requests a simulated week of hourly syncs costs against JustCall's hourly budget: cron
    /// with a full re-scan every run (the reference), cron with --full-rescan-every 24h, and
    /// serve with webhooks and a daily full re-scan.
    Economy {
        /// Agents in the simulated team (the simulator's volumes: about 25 calls and 15 SMS per
        /// agent and day, busy on weekdays).
        #[arg(long, default_value_t = 50)]
        agents: usize,
        /// Simulated days, one run per hour.
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=30))]
        days: u32,
        /// Late edits (notes, disposition, rating) per hour, as a share of the hour's new calls.
        #[arg(long, default_value_t = 0.1)]
        edit_share: f64,
        /// Edits touch calls that started within this many hours.
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(i64).range(1..=72))]
        edit_within_hours: i64,
        /// Working directory (default: a fresh temporary directory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Peak RSS of a full `callduck sync` at 1× and 4× the records, with and without a limit.
    Memory {
        /// Records at 1× (calls and SMS, 50 agents over 90 days).
        #[arg(long, default_value_t = 144_000)]
        records: usize,
        /// The `--memory-limit` of the limited runs.
        #[arg(long, default_value = "512MB")]
        limit: String,
        /// Records per write transaction.
        #[arg(long, default_value_t = 10_000)]
        batch_records: usize,
        /// Working directory (default: a fresh temporary directory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The SQL views over N calls versus hand-written GROUP BY queries for the same numbers.
    Views {
        /// Number of calls generated straight into the raw table (50 agents, 90 days).
        #[arg(long, default_value_t = 10_000_000)]
        calls: usize,
        /// Timed runs of each query (the best is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Working directory (default: a fresh temporary directory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// Runs the chosen benchmark and prints its report.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.which {
        BenchCommand::Firestore { agents, days, dir } => {
            let dir = WorkDir::new(dir)?;
            runtime.block_on(firestore::bench_firestore(agents, days, dir.path()))
        }
        BenchCommand::Webhooks {
            calls,
            concurrency,
            dir,
        } => {
            let dir = WorkDir::new(dir)?;
            runtime.block_on(webhooks::bench_webhooks(calls, concurrency, dir.path()))
        }
        BenchCommand::Soak {
            calls,
            repeats,
            concurrency,
            every_secs,
            poison,
            dir,
        } => {
            let dir = WorkDir::new(dir)?;
            let options = soak::SoakOptions {
                calls,
                repeats,
                concurrency,
                every: Duration::from_secs(every_secs.max(1)),
                poison,
            };
            runtime.block_on(soak::bench_soak(&options, dir.path()))
        }
        BenchCommand::Match {
            customers,
            contacts,
            unknown,
            sample,
            dir,
        } => {
            let dir = WorkDir::new(dir)?;
            crm::bench_match(
                customers,
                contacts,
                unknown.clamp(0.0, 1.0),
                sample,
                dir.path(),
            )
        }
        BenchCommand::Economy {
            agents,
            days,
            edit_share,
            edit_within_hours,
            dir,
        } => {
            let dir = WorkDir::new(dir)?;
            let options = economy::EconomyOptions {
                agents: agents.max(1),
                days,
                edit_share: edit_share.clamp(0.0, 1.0),
                edit_within_hours,
            };
            runtime.block_on(economy::bench_economy(&options, dir.path()))
        }
        BenchCommand::Memory {
            records,
            limit,
            batch_records,
            dir,
        } => {
            let dir = WorkDir::new(dir)?;
            memory::bench_memory(records, &limit, batch_records, dir.path())
        }
        BenchCommand::Views { calls, runs, dir } => {
            let dir = WorkDir::new(dir)?;
            views::bench_views(calls, runs.max(1), dir.path())
        }
        BenchCommand::Load {
            records,
            batch_records,
            dir,
        } => {
            let dir = WorkDir::new(dir)?;
            runtime.block_on(bench_load(records, batch_records, dir.path()))
        }
        BenchCommand::Sync {
            records,
            rate_per_minute,
            rate_window_secs,
            rate_records,
            dir,
        } => {
            let dir = WorkDir::new(dir)?;
            runtime.block_on(bench_sync(
                records,
                rate_per_minute,
                rate_window_secs,
                rate_records,
                dir.path(),
            ))
        }
    }
}

/// A working directory that is removed afterwards unless the user chose it.
struct WorkDir {
    path: PathBuf,
    remove: bool,
}

impl WorkDir {
    fn new(chosen: Option<PathBuf>) -> anyhow::Result<WorkDir> {
        let (path, remove) = match chosen {
            Some(p) => (p, false),
            None => (
                std::env::temp_dir().join(format!("callduck-bench-{}", std::process::id())),
                true,
            ),
        };
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(WorkDir { path, remove })
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The `p` quantile (0 to 1) of `sorted` values; NaN when there are none.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The simulated team of `config` served on loopback, a client of it, and a store at `db` that
/// holds its users (webhooks carry calls and SMS only): how the serve benchmarks begin.
async fn team_with_users(
    config: &SimConfig,
    db: &Path,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<(crate::simulator::SimHandle, crate::justcall::JustCallClient)> {
    let sim = Simulator::start(config.clone(), "127.0.0.1:0".parse().expect("loopback")).await?;
    let client = crate::justcall::JustCallClient::with_credentials(
        &sim.base_url(),
        &config.api_key,
        &config.api_secret,
    )?;
    let users_only = SyncOptions {
        streams: vec![crate::justcall::Stream::Users],
        progress: false,
        ..SyncOptions::default()
    };
    run_sync(Store::open(db)?, client.clone(), &users_only, now).await?;
    Ok((sim, client))
}

/// Resets the kernel's peak-RSS counter of this process (Linux), so each phase reports its own.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory since the last reset, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// Resident memory now, in MiB (Linux `VmRSS`): the baseline a phase starts from.
fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn config_for(records: usize) -> SimConfig {
    let agents = 50;
    let days = 90;
    SimConfig {
        agents,
        days,
        calls_per_agent_day: records as f64 / (agents as f64 * days as f64),
        texts_per_agent_day: 0.0,
        ..SimConfig::default()
    }
}

/// DuckDB's own reader filling the same table shape from the NDJSON file.
fn read_json_sql(path: &Path) -> String {
    let p = path.display().to_string().replace('\'', "''");
    format!(
        "INSERT INTO raw_justcall__calls
         SELECT
             CAST(j->>'id' AS BIGINT),
             nullif(j->>'call_sid', ''),
             strptime((j->>'call_date') || ' ' || (j->>'call_time'), '%Y-%m-%d %H:%M:%S'),
             try_strptime((j->>'call_user_date') || ' ' || (j->>'call_user_time'), '%Y-%m-%d %H:%M:%S'),
             TRY_CAST(j->>'agent_id' AS BIGINT),
             nullif(j->>'agent_name', ''),
             nullif(j->>'agent_email', ''),
             CASE lower(j->>'agent_active') WHEN 'yes' THEN true WHEN 'no' THEN false END,
             nullif(j->>'contact_number', ''),
             nullif(j->>'contact_name', ''),
             nullif(j->>'contact_email', ''),
             nullif(j->>'justcall_number', ''),
             nullif(j->>'justcall_line_name', ''),
             CASE WHEN lower(j->>'$.call_info.direction') IN ('incoming', 'inbound') THEN 'Incoming' ELSE 'Outgoing' END,
             nullif(j->>'$.call_info.type', ''),
             nullif(j->>'$.call_info.missed_call_reason', ''),
             nullif(j->>'$.call_info.status', ''),
             nullif(j->>'$.call_info.disposition', ''),
             nullif(j->>'$.call_info.notes', ''),
             TRY_CAST(j->>'$.call_info.rating' AS INTEGER),
             nullif(j->>'$.call_info.recording', ''),
             nullif(j->>'$.call_info.voicemail_transcription', ''),
             coalesce(TRY_CAST(j->>'$.call_duration.ring_time' AS INTEGER), 0),
             coalesce(TRY_CAST(j->>'$.call_duration.queue_wait_time' AS INTEGER), 0),
             coalesce(TRY_CAST(j->>'$.call_duration.conversation_time' AS INTEGER), 0),
             coalesce(TRY_CAST(j->>'$.call_duration.hold_time' AS INTEGER), 0),
             coalesce(TRY_CAST(j->>'$.call_duration.total_duration' AS INTEGER), 0),
             coalesce(TRY_CAST(j->>'$.call_duration.wrap_up_time' AS INTEGER), 0),
             coalesce(TRY_CAST(j->>'$.call_duration.handle_time' AS INTEGER), 0),
             TRY_CAST(j->>'cost_incurred' AS DOUBLE),
             CAST(j->'tags' AS VARCHAR[]),
             hash(j),
             j,
             now()::TIMESTAMP,
             now()::TIMESTAMP
         FROM (SELECT json AS j FROM read_ndjson_objects('{p}'))"
    )
}

async fn bench_load(records: usize, batch_records: usize, dir: &Path) -> anyhow::Result<()> {
    println!(
        "bench load: {records} call records, batches of {batch_records}, in {}",
        dir.display()
    );
    let t = Instant::now();
    let data = crate::simulator::generate(&config_for(records));
    let ndjson = dir.join("calls.ndjson");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&ndjson)?);
        for call in &data.calls {
            serde_json::to_writer(&mut out, call)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    let n = data.calls.len();
    let bytes = std::fs::metadata(&ndjson)?.len();
    drop(data);
    println!(
        "  generated {n} calls ({:.0} MiB NDJSON) in {:.1}s",
        bytes as f64 / 1048576.0,
        t.elapsed().as_secs_f64()
    );

    // Reference: DuckDB's own reader, same table shape, same process.
    let ref_db = dir.join("reference.duckdb");
    let _ = std::fs::remove_file(&ref_db);
    let store = Store::open(&ref_db)?;
    reset_peak_rss();
    let reference_base = rss_mib();
    let t = Instant::now();
    store
        .conn()
        .execute_batch(&format!(
            "{}; CHECKPOINT;",
            read_json_sql(&ndjson).trim_end().trim_end_matches(';')
        ))
        .context("DuckDB read_ndjson_objects")?;
    let reference = t.elapsed();
    let reference_mem = peak_rss_mib();
    let ref_count: i64 =
        store
            .conn()
            .query_row("SELECT count(*) FROM raw_justcall__calls", [], |r| r.get(0))?;
    drop(store);

    // callduck: read lines, parse (two threads), append Arrow batches, upsert.
    let ours_db = dir.join("callduck.duckdb");
    let _ = std::fs::remove_file(&ours_db);
    let store = Store::open(&ours_db)?;
    reset_peak_rss();
    let ours_base = rss_mib();
    let t = Instant::now();
    let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<Loaded<Call>>, Vec<Rejected>)>(2);
    let reader = {
        let ndjson = ndjson.clone();
        std::thread::spawn(move || -> anyhow::Result<()> {
            let file = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&ndjson)?);
            let mut lines = file.lines();
            loop {
                let chunk: Vec<String> = lines
                    .by_ref()
                    .take(batch_records)
                    .collect::<Result<_, _>>()?;
                if chunk.is_empty() {
                    return Ok(());
                }
                let half = chunk.len().div_ceil(2);
                let (a, b) = chunk.split_at(half);
                let parse = |part: &[String]| {
                    let mut ok = Vec::with_capacity(part.len());
                    let mut bad = Vec::new();
                    for line in part {
                        match parse_record::<Call>(line) {
                            Ok(r) => ok.push(r),
                            Err(r) => bad.push(r),
                        }
                    }
                    (ok, bad)
                };
                let ((mut ok, mut bad), (ok2, bad2)) = std::thread::scope(|s| {
                    let h = s.spawn(|| parse(b));
                    (parse(a), h.join().expect("parser thread"))
                });
                ok.extend(ok2);
                bad.extend(bad2);
                if tx.send((ok, bad)).is_err() {
                    return Ok(());
                }
            }
        })
    };
    let mut written = 0u64;
    for (ok, bad) in rx {
        let out = store.write_batch(&ok, &bad, None)?;
        written += out.new;
    }
    store.checkpoint()?; // as `callduck sync` does at the end: the reference's table is checkpointed too
    reader
        .join()
        .map_err(|_| anyhow::anyhow!("reader thread panicked"))??;
    let ours = t.elapsed();
    let ours_mem = peak_rss_mib();
    drop(store);

    println!("  DuckDB read_ndjson_objects → table : {:>7.2}s  {:>9.0} rec/s  peak RSS {:>6.0} MiB (from {:.0})  ({ref_count} rows)",
        reference.as_secs_f64(), n as f64 / reference.as_secs_f64(), reference_mem, reference_base);
    println!("  callduck parse + Arrow + upsert    : {:>7.2}s  {:>9.0} rec/s  peak RSS {:>6.0} MiB (from {:.0})  ({written} rows)",
        ours.as_secs_f64(), n as f64 / ours.as_secs_f64(), ours_mem, ours_base);
    println!(
        "  ratio callduck / DuckDB reader     : {:.2} (≤ 1.0 means at least as fast)",
        ours.as_secs_f64() / reference.as_secs_f64()
    );
    anyhow::ensure!(
        written as usize == n && ref_count as usize == n,
        "row counts differ: {written} vs {ref_count} vs {n}"
    );
    Ok(())
}

async fn bench_sync(
    records: usize,
    rate_per_minute: Option<u32>,
    rate_window_secs: u64,
    rate_records: usize,
    dir: &Path,
) -> anyhow::Result<()> {
    let config = config_for(records);
    println!("bench sync: {}", crate::simulator::describe(&config));
    let t = Instant::now();
    let sim = Simulator::start(config.clone(), "127.0.0.1:0".parse()?).await?;
    println!(
        "  simulator ready in {:.1}s on {}",
        t.elapsed().as_secs_f64(),
        sim.base_url()
    );
    let db = dir.join("sync.duckdb");
    let _ = std::fs::remove_file(&db);
    let options = SyncOptions {
        backfill_days: i64::from(config.days) + 1,
        progress: true,
        ..Default::default()
    };
    reset_peak_rss();
    let client = crate::justcall::JustCallClient::with_credentials(
        &sim.base_url(),
        &config.api_key,
        &config.api_secret,
    )?;
    let summary = run_sync(Store::open(&db)?, client, &options, config.end).await?;
    sim.shutdown();
    let secs = summary.elapsed.as_secs_f64();
    let total = summary.total();
    println!(
        "  unlimited: {} records ({} new) in {:.1}s = {:.0} rec/s, {} requests, {} HTTP 429, peak RSS {:.0} MiB",
        total.new + total.updated + total.unchanged,
        total.new,
        secs,
        (total.new + total.updated + total.unchanged) as f64 / secs,
        summary.requests,
        summary.responses_429,
        peak_rss_mib()
    );

    if let Some(per_window) = rate_per_minute {
        let window = Duration::from_secs(rate_window_secs.max(1));
        let config = SimConfig {
            rate_limit: Some(RateLimit {
                per_hour: u32::MAX,
                per_burst: per_window,
                burst_window: window,
                hour_window: Duration::from_secs(3600),
            }),
            ..config_for(rate_records)
        };
        let sim = Simulator::start(config.clone(), "127.0.0.1:0".parse()?).await?;
        let db = dir.join("sync-limited.duckdb");
        let _ = std::fs::remove_file(&db);
        let client = crate::justcall::JustCallClient::with_credentials(
            &sim.base_url(),
            &config.api_key,
            &config.api_secret,
        )?;
        let summary = run_sync(Store::open(&db)?, client, &options, config.end).await?;
        sim.shutdown();
        // The first window's allowance is free; every further `per_window` requests cost a window.
        let full_windows = summary.requests.saturating_sub(1) / u64::from(per_window);
        let minimum = window.as_secs_f64() * full_windows as f64;
        // Fewer requests than one window allows: the limit costs nothing, so no ratio.
        let ratio = if full_windows == 0 {
            "n/a (the sync fits in one window: lower --rate-per-minute or raise --rate-records)"
                .to_string()
        } else {
            format!("{:.2}", summary.elapsed.as_secs_f64() / minimum)
        };
        println!(
            "  rate limit {per_window}/{}s: {} requests in {:.1}s; minimum the limit allows {:.1}s; ratio {ratio}; HTTP 429: {}",
            window.as_secs(),
            summary.requests,
            summary.elapsed.as_secs_f64(),
            minimum,
            summary.responses_429
        );
    }
    Ok(())
}
