//! `callduck bench economy`: what a week of syncing a team costs against JustCall's rate limit
//! (Team plan: 1,800 requests an hour), and how late edits land, in each way of running.
//!
//! The simulator serves a team with its realistic volumes (weekday and hour patterns) and a clock
//! ([`crate::simulator::SimHandle::set_clock`]) that the benchmark moves one hour at a time
//! through the data set's last week, so a week takes minutes: each simulated hour the hour's calls
//! and SMS appear, late notes change some calls of the last day, and then
//! * `reference` (today's default): a cron job runs `callduck sync`, which re-scans the trailing
//!   3 days in full every run;
//! * `cadence`: the same cron job with `--full-rescan-every 24h` (and the default 10 minutes of
//!   overlap in between);
//! * `serve`: `callduck serve` with webhooks: every new record's webhook (`call.completed`,
//!   `sms.sent`, `sms.received`) and every edit's `call.updated` is delivered to an in-process
//!   server over HTTP and re-fetched as one record, and the scheduled sync runs hourly with the
//!   serve default, a daily full re-scan and the overlap in between.
//!
//! Runs are [`run_sync`] with an explicit `now` (the simulated hour), as the library allows.
//! Requests are counted by the simulator (every request that reached the API, retries
//! included); the week's first sync (a backfill) is not counted. Reported per mode: requests per
//! day, per new or changed record, the average and busiest hour's share of the hourly budget,
//! how long edits took to land (an edit is taken to happen in the middle of its hour: a cron run
//! at the hour's end lands it after 0.5 h, a webhook at once) and how many had not at the end of
//! the week (its last hour is a daily full re-scan), peak memory (the simulator runs in the same
//! process) and wall time. Under serve, the share is split into webhook re-fetches and scheduled
//! runs, and serve as it was before the cadence (the reference's runs plus the same webhooks) is
//! estimated for comparison.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{NaiveDateTime, TimeDelta};

use super::{peak_rss_mib, reset_peak_rss};
use crate::justcall::JustCallClient;
use crate::secret::Secret;
use crate::simulator::webhooks::{calls_updated, deliver};
use crate::simulator::{SimConfig, SimHandle, Simulator};
use crate::status::TEAM_PLAN_HOURLY_LIMIT;
use crate::store::{now_utc, SharedStore, Store, StoreAccess};
use crate::sync::{run_sync, SyncOptions};
use crate::webhooks::server::{start, ServeConfig};

/// What the simulated week is made of.
#[derive(Debug, Clone)]
pub struct EconomyOptions {
    /// Agents in the team.
    pub agents: usize,
    /// Simulated days (hourly runs: 24 a day).
    pub days: u32,
    /// Late edits per hour, as a share of the hour's new calls.
    pub edit_share: f64,
    /// Edits touch calls that started within this many hours before the simulated now.
    pub edit_within_hours: i64,
}

/// How a mode syncs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Reference,
    Cadence,
    Serve,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::Reference => "reference: cron hourly, full 3-day re-scan every run (today)",
            Mode::Cadence => "cadence:   cron hourly, --full-rescan-every 24h, 10m overlap",
            Mode::Serve => "serve:     webhooks + hourly schedule, daily full re-scan, 10m overlap",
        }
    }

    fn options(self) -> SyncOptions {
        SyncOptions {
            progress: false,
            business_timezone: Some("America/New_York".into()),
            full_rescan_every: match self {
                Mode::Reference => None,
                Mode::Cadence | Mode::Serve => Some(TimeDelta::hours(24)),
            },
            ..SyncOptions::default()
        }
    }
}

/// What one mode's week cost.
struct Week {
    /// Requests per simulated hour (lists and single records).
    hourly: Vec<u64>,
    /// Of which single-record re-fetches (webhooks).
    single: u64,
    new_records: u64,
    edits: u64,
    /// Simulated hours from an edit to the first run (or webhook) after which it was stored.
    landed_after: Vec<f64>,
    /// Edits not stored at the end of the week.
    stale: usize,
    peak_rss: f64,
    wall: Duration,
}

impl Week {
    fn total(&self) -> u64 {
        self.hourly.iter().sum()
    }
}

const PUBLIC_URL: &str = "https://hooks.example.com/webhooks/justcall";

/// Runs the benchmark and prints its report.
pub async fn bench_economy(o: &EconomyOptions, dir: &Path) -> anyhow::Result<()> {
    // A week of history before the measured days: the trailing re-scans read full days from the
    // first run on.
    let config = SimConfig {
        agents: o.agents,
        days: o.days + 7,
        ..SimConfig::default()
    };
    println!("bench economy: {}", crate::simulator::describe(&config));
    println!(
        "  a simulated week of {} days, one run per hour; each hour {:.0}% of the hour's new calls get a late edit (a call of the last {} h); budget: {}/h (Team plan)",
        o.days,
        o.edit_share * 100.0,
        o.edit_within_hours,
        TEAM_PLAN_HOURLY_LIMIT
    );
    let mut weeks = Vec::new();
    for mode in [Mode::Reference, Mode::Cadence, Mode::Serve] {
        let week = simulate(mode, &config, o, dir)
            .await
            .with_context(|| format!("simulating {}", mode.label()))?;
        report(mode, &week, o);
        weeks.push(week);
    }
    let reference = weeks[0].total().max(1) as f64;
    let (serve, hours) = (&weeks[2], weeks[2].hourly.len().max(1) as f64);
    let share = |requests: u64| 100.0 * requests as f64 / hours / TEAM_PLAN_HOURLY_LIMIT as f64;
    let scheduled = serve.total() - serve.single;
    println!(
        "  requests vs the reference: cadence {:.2}x, serve {:.2}x (serve's scheduled runs alone {:.2}x)",
        weeks[1].total() as f64 / reference,
        serve.total() as f64 / reference,
        scheduled as f64 / reference,
    );
    println!(
        "  serve as before this setting (a full re-scan every scheduled run, the same webhooks): about {:.1}% of the hourly budget (reference runs + webhook re-fetches)",
        share(weeks[0].total() + serve.single)
    );
    println!(
        "  aim: serve under 5% of the hourly budget: {:.1}% in all ({}): scheduled runs {:.1}%, webhook re-fetches (one per new or edited record, not changed by the cadence) {:.1}%",
        share(serve.total()),
        if share(serve.total()) < 5.0 { "met" } else { "not met" },
        share(scheduled),
        share(serve.single)
    );
    Ok(())
}

fn report(mode: Mode, w: &Week, o: &EconomyOptions) {
    let total = w.total();
    let hours = w.hourly.len().max(1) as f64;
    let per_day = total as f64 / (hours / 24.0);
    let busiest_day = w
        .hourly
        .chunks(24)
        .map(|d| d.iter().sum::<u64>())
        .max()
        .unwrap_or(0);
    let peak_hour = w.hourly.iter().copied().max().unwrap_or(0);
    let limit = TEAM_PLAN_HOURLY_LIMIT as f64;
    let changed = (w.new_records + w.edits).max(1);
    let mut landed = w.landed_after.clone();
    landed.sort_by(f64::total_cmp);
    println!("  {}", mode.label());
    println!(
        "    {total} requests in {} days: {per_day:.0}/day (busiest day {busiest_day}), {:.2} per new or changed record ({} new, {} edits)",
        o.days, total as f64 / changed as f64, w.new_records, w.edits
    );
    println!(
        "    hourly budget: {:.1}% on average ({:.0}/h), busiest hour {peak_hour} = {:.1}%{}",
        100.0 * total as f64 / hours / limit,
        total as f64 / hours,
        100.0 * peak_hour as f64 / limit,
        if w.single > 0 {
            format!(
                "; webhook re-fetches {} ({:.1}%), scheduled runs {} ({:.1}%)",
                w.single,
                100.0 * w.single as f64 / hours / limit,
                total - w.single,
                100.0 * (total - w.single) as f64 / hours / limit
            )
        } else {
            String::new()
        }
    );
    println!(
        "    edits landed after: median {:.1} h, max {:.1} h; not landed at the end: {}; peak RSS {:.0} MiB; {:.0}s",
        super::percentile(&landed, 0.5),
        landed.last().copied().unwrap_or(f64::NAN),
        w.stale,
        w.peak_rss,
        w.wall.as_secs_f64()
    );
}

fn client_of(sim: &SimHandle, config: &SimConfig) -> anyhow::Result<JustCallClient> {
    Ok(JustCallClient::with_credentials(
        &sim.base_url(),
        &config.api_key,
        &config.api_secret,
    )?)
}

/// Edited calls not yet stored as edited: id → (canonical notes, simulated time of the edit).
struct Pending(BTreeMap<i64, (Option<String>, NaiveDateTime)>);

impl Pending {
    fn new() -> Pending {
        Pending(BTreeMap::new())
    }

    fn ids(&self) -> Vec<i64> {
        self.0.keys().copied().collect()
    }

    /// Drops the edits `stored` shows, recording how long after the edit they landed (at `now`).
    fn land(
        &mut self,
        stored: &BTreeMap<i64, Option<String>>,
        now: NaiveDateTime,
        landed: &mut Vec<f64>,
    ) {
        self.0.retain(|id, (want, at)| {
            let done = stored.get(id) == Some(want);
            if done {
                landed.push((now - *at).num_minutes() as f64 / 60.0);
            }
            !done
        });
    }
}

/// Notes of `ids` as stored.
fn stored_notes(
    store: &impl StoreAccess,
    ids: &[i64],
) -> anyhow::Result<BTreeMap<i64, Option<String>>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    store.with(|s| -> anyhow::Result<_> {
        let mut stmt = s.conn().prepare(&format!(
            "SELECT call_id, notes FROM raw_justcall__calls WHERE call_id IN ({list})"
        ))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// One mode's week on a fresh simulator (same seed: the same records and edits) and file.
async fn simulate(
    mode: Mode,
    config: &SimConfig,
    o: &EconomyOptions,
    dir: &Path,
) -> anyhow::Result<Week> {
    let started = Instant::now();
    reset_peak_rss();
    let sim = Simulator::start(config.clone(), "127.0.0.1:0".parse()?).await?;
    let db = dir.join(format!(
        "economy-{}.duckdb",
        match mode {
            Mode::Reference => "reference",
            Mode::Cadence => "cadence",
            Mode::Serve => "serve",
        }
    ));
    let _ = std::fs::remove_file(&db);
    let week_start = config.end - TimeDelta::days(i64::from(o.days));
    sim.set_clock(Some(week_start));
    let options = mode.options();
    let backfill = SyncOptions {
        backfill_days: 7,
        ..options.clone()
    };
    run_sync(
        Store::open(&db)?,
        client_of(&sim, config)?,
        &backfill,
        week_start,
    )
    .await?;

    let server = match mode {
        Mode::Serve => {
            let serve = ServeConfig {
                public_url: PUBLIC_URL.into(),
                secret: Secret::new(config.api_secret.clone()),
                timestamp_window: TimeDelta::minutes(5),
                body_limit: 1024 * 1024,
                batch_events: 1000,
                every: None, // the benchmark runs the schedule itself, in simulated time
                sync: options.clone(),
                snapshot: None,
                export: None,
                events: Default::default(),
                limits: Default::default(),
            };
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            Some(start(listener, Store::open(&db)?, client_of(&sim, config)?, serve).await?)
        }
        _ => None,
    };
    let url = server
        .as_ref()
        .map(|s| format!("http://{}/webhooks/justcall", s.addr));

    let mut week = Week {
        hourly: Vec::new(),
        single: 0,
        new_records: 0,
        edits: 0,
        landed_after: Vec::new(),
        stale: 0,
        peak_rss: 0.0,
        wall: Duration::ZERO,
    };
    let mut pending = Pending::new();
    let before = sim.stats();
    let mut last = before;
    for hour in 1..=i64::from(o.days) * 24 {
        let now = week_start + TimeDelta::hours(hour);
        let edit_at = now - TimeDelta::minutes(30);
        sim.set_clock(Some(now));
        let created = sim.events_between(now - TimeDelta::hours(1), now);
        let new_calls = created
            .iter()
            .filter(|e| e.event_type.starts_with("call."))
            .count();
        week.new_records += created.len() as u64;
        let edits = (new_calls as f64 * o.edit_share).round() as usize;
        let edited = sim.edit_recent_calls(edits, TimeDelta::hours(o.edit_within_hours));
        week.edits += edited.len() as u64;
        for id in &edited {
            let notes = sim.call(*id).and_then(|c| c.call_info.notes);
            pending.0.insert(*id, (notes, edit_at));
        }
        match (&server, &url) {
            (Some(server), Some(url)) => {
                for events in [created, calls_updated(&edited, hour as u64)] {
                    let results =
                        deliver(url, PUBLIC_URL, &config.api_secret, &events, 4, now_utc()).await;
                    anyhow::ensure!(
                        results.iter().all(|(s, _)| *s == 200),
                        "a webhook delivery was refused"
                    );
                    let left = server.drained(Duration::from_secs(600)).await?;
                    anyhow::ensure!(left == 0, "{left} webhook event(s) still pending");
                }
                let store: &SharedStore = &server.store;
                let landed = stored_notes(store, &pending.ids())?;
                pending.land(&landed, edit_at, &mut week.landed_after);
                run_sync(store.clone(), client_of(&sim, config)?, &options, now).await?;
                let landed = stored_notes(store, &pending.ids())?;
                pending.land(&landed, now, &mut week.landed_after);
            }
            _ => {
                run_sync(Store::open(&db)?, client_of(&sim, config)?, &options, now).await?;
                let store = Store::open_read_only(&db)?;
                let landed = stored_notes(&store, &pending.ids())?;
                pending.land(&landed, now, &mut week.landed_after);
            }
        }
        let stats = sim.stats();
        week.hourly.push(stats.requests - last.requests);
        last = stats;
    }
    week.single = last.single - before.single;
    week.stale = pending.0.len();
    if let Some(server) = server {
        drop(server.shutdown().await);
    }
    sim.shutdown();
    week.peak_rss = peak_rss_mib();
    week.wall = started.elapsed();
    Ok(week)
}
