//! `callduck sync`: users, calls and texts from JustCall into the store, incrementally.
//!
//! A fetch task walks each stream's windows ([`plan`]) page by page and parses every record
//! (bad ones become quarantine entries, never errors); a writer thread holds the store (its own,
//! or the shared writer of `callduck serve`, locked one transaction at a time) and stores batches of up to `batch_records` records per transaction, raising the
//! stream's watermark in the same transaction as the last batch of each finished window. The
//! bounded channel between them keeps fetching and writing overlapped without unbounded memory.
//! If fetching fails, everything already fetched is still stored (without advancing the
//! watermark past what is complete) and the error is returned.
//!
//! Request economy: by default every run re-scans the trailing window (`trailing_days`) in full.
//! With [`SyncOptions::full_rescan_every`] the full re-scan happens on that cadence instead, and
//! the runs in between re-scan only [`SyncOptions::overlap`] before the watermark. Each stream's
//! last full re-scan is stored in the file (`callduck_full_rescans`) by runs that succeed, so
//! the cadence survives restarts and a failed run never counts; each run also records the hourly
//! limit JustCall's headers reported, for the budget `callduck status` shows.

pub mod plan;
pub mod progress;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use callduck_metrics::{Call, Sms, User};
use chrono::{NaiveDateTime, TimeDelta};
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use crate::justcall::{ClientEvent, JustCallClient, Stream};
use crate::store::load::{parse_record, Loaded, Rejected, StreamRecord, WriteOutcome};
use crate::store::{Store, StoreAccess};
use plan::{PlanInput, StreamPlan};
use progress::{Progress, StreamProgress};

/// What `callduck sync` does; every field has a CLI flag.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Start of a first run, or of an explicit re-backfill (UTC). Wins over the watermark.
    pub since: Option<NaiveDateTime>,
    /// End of the run (UTC); default now.
    pub until: Option<NaiveDateTime>,
    /// History fetched by a first run without `since`, in days (default 90: what the API serves).
    pub backfill_days: i64,
    /// Days re-scanned before the watermark so late notes and dispositions land (default 3).
    pub trailing_days: i64,
    /// How often that trailing window is re-scanned in full: `None` (the default of `callduck
    /// sync`) every run; `Some(d)` when `d` has passed since the stream's last full re-scan.
    pub full_rescan_every: Option<TimeDelta>,
    /// What runs between full re-scans re-scan before the watermark (default 10 minutes; the
    /// API's 14-hour time-zone slack comes on top).
    pub overlap: TimeDelta,
    /// Longest window per request, in days (default 30; the API allows 90).
    pub window_days: i64,
    /// Records per write transaction (default 10,000).
    pub batch_records: usize,
    /// Streams to sync (default all: users, calls, texts).
    pub streams: Vec<Stream>,
    /// IANA zone for agents without a usable zone of their own.
    pub business_timezone: Option<String>,
    /// Draw progress bars on a terminal.
    pub progress: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            since: None,
            until: None,
            backfill_days: 90,
            trailing_days: 3,
            full_rescan_every: None,
            overlap: TimeDelta::minutes(DEFAULT_OVERLAP_MINUTES),
            window_days: 30,
            batch_records: 10_000,
            streams: vec![Stream::Users, Stream::Calls, Stream::Texts],
            business_timezone: None,
            progress: true,
        }
    }
}

/// What runs between full re-scans re-scan before the watermark, in minutes.
pub const DEFAULT_OVERLAP_MINUTES: i64 = 10;

/// How early a run may come and still count as due for a full re-scan: an hourly cron job a few
/// seconds early with a cadence of 24h re-scans once a day, not every other day.
const CADENCE_TOLERANCE_MINUTES: i64 = 5;

/// Whether the stream's trailing window is due for a full re-scan at `end`.
fn full_rescan_due(
    every: Option<TimeDelta>,
    last: Option<NaiveDateTime>,
    end: NaiveDateTime,
) -> bool {
    match (every, last) {
        (None, _) | (_, None) => true,
        (Some(every), Some(last)) => {
            let tolerance = TimeDelta::minutes(CADENCE_TOLERANCE_MINUTES).min(every / 10);
            end - last + tolerance >= every
        }
    }
}

/// The value of `--full-rescan-every`: `always` (every run) or an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RescanEvery(pub Option<Duration>);

impl RescanEvery {
    /// As [`SyncOptions::full_rescan_every`].
    pub fn delta(self) -> Option<TimeDelta> {
        self.0
            .map(|d| TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX))
    }
}

/// Parses `--full-rescan-every`: `always` (or `every-run`) for a full re-scan at every run, else
/// an interval such as `24h` or `1d`.
pub fn parse_full_rescan_every(s: &str) -> Result<RescanEvery, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "always" | "every-run" | "every run" => Ok(RescanEvery(None)),
        _ => crate::webhooks::schedule::parse_every(s)
            .map(|d| RescanEvery(Some(d)))
            .map_err(|e| format!("{e}; or `always` for a full re-scan at every run")),
    }
}

/// Per-stream counts of one run.
#[derive(Debug, Clone, Default)]
pub struct StreamSummary {
    pub stream: &'static str,
    pub fetched: u64,
    pub pages: u64,
    pub windows: u64,
    pub written: WriteOutcome,
    /// The run re-scanned the stream's whole trailing window (else only the overlap, or it is
    /// the users stream, which has no window).
    pub full_rescan: bool,
}

/// What one run did, for the final summary line and `callduck_sync_runs`.
#[derive(Debug, Clone, Default)]
pub struct SyncSummary {
    pub run_id: i64,
    pub streams: Vec<StreamSummary>,
    pub requests: u64,
    pub responses_429: u64,
    pub retries: u64,
    pub rate_limit_wait: Duration,
    pub elapsed: Duration,
    /// User time zones the IANA database does not know (those agents use the business zone).
    pub unknown_timezones: Vec<String>,
    /// The contact → CRM customer links refreshed after the sync (when customers are imported).
    pub links: Option<crate::crm::LinkSummary>,
    /// The hourly limit JustCall's `X-Rate-Limit-Limit` header reported, if any.
    pub hourly_limit: Option<u64>,
}

impl SyncSummary {
    /// The summary `callduck sync` (and the demo) print: totals, a line per stream, requests,
    /// the CRM links refreshed and unknown zones.
    pub fn render(&self, db: &std::path::Path) -> String {
        use std::fmt::Write as _;
        let (s, t) = (self, self.total());
        let mut out = String::new();
        let _ = writeln!(
            out,
            "sync #{} into {}: {} new, {} updated, {} unchanged, {} quarantined ({} new) in {:.1}s",
            s.run_id,
            db.display(),
            t.new,
            t.updated,
            t.unchanged,
            t.rejected,
            t.quarantined_new,
            s.elapsed.as_secs_f64()
        );
        for st in &s.streams {
            let scan = match (st.stream, st.full_rescan) {
                ("users", _) => "",
                (_, true) => " (full re-scan)",
                (_, false) => " (overlap)",
            };
            let _ = writeln!(
                out,
                "  {:<6} {:>9} fetched in {:>6} pages over {:>3} window(s){scan}: {} new, {} updated, {} quarantined",
                st.stream, st.fetched, st.pages, st.windows, st.written.new, st.written.updated, st.written.rejected
            );
        }
        let _ = writeln!(
            out,
            "  requests: {}, HTTP 429: {}, retries: {}, waited for rate limits: {:.1}s",
            s.requests,
            s.responses_429,
            s.retries,
            s.rate_limit_wait.as_secs_f64()
        );
        if let Some(links) = &s.links {
            let _ = write!(out, "  {}", crate::crm::links::render_summary(links));
        }
        if !s.unknown_timezones.is_empty() {
            let _ = writeln!(
                out,
                "  warning: unknown user time zone(s) {:?}: those agents' days use the business zone (--timezone)",
                s.unknown_timezones
            );
        }
        out
    }

    pub fn total(&self) -> WriteOutcome {
        let mut t = WriteOutcome::default();
        for s in &self.streams {
            t.add(s.written);
        }
        t
    }
}

/// A parsed page on its way to the writer.
enum Batch {
    Users(Vec<Loaded<User>>, Vec<Rejected>),
    Calls(Vec<Loaded<Call>>, Vec<Rejected>),
    Texts(Vec<Loaded<Sms>>, Vec<Rejected>),
}

enum WriteMsg {
    Records(Batch),
    /// Everything of `stream` sent so far is complete up to `watermark`: flush with it.
    Commit {
        stream: Stream,
        watermark: NaiveDateTime,
    },
    /// Users are stored: make sure the views know their zones.
    UsersDone,
}

fn parse_page<T: StreamRecord>(raws: &[Box<RawValue>]) -> (Vec<Loaded<T>>, Vec<Rejected>) {
    let mut ok = Vec::with_capacity(raws.len());
    let mut bad = Vec::new();
    for raw in raws {
        match parse_record::<T>(raw.get()) {
            Ok(r) => ok.push(r),
            Err(r) => bad.push(r),
        }
    }
    (ok, bad)
}

/// Pages one window may have (a million records at 100 a page is 10,000): past this the server
/// is not ending the list, and the run stops instead of looping.
const MAX_PAGES_PER_WINDOW: u32 = 100_000;

impl Batch {
    /// The highest id among the records that parsed.
    fn max_id(&self) -> Option<i64> {
        match self {
            Batch::Users(ok, _) => ok.iter().map(|r| r.record.id).max(),
            Batch::Calls(ok, _) => ok.iter().map(|r| r.record.id).max(),
            Batch::Texts(ok, _) => ok.iter().map(|r| r.record.id).max(),
        }
    }

    fn parse(stream: Stream, raws: &[Box<RawValue>]) -> Batch {
        match stream {
            Stream::Users => {
                let (ok, bad) = parse_page(raws);
                Batch::Users(ok, bad)
            }
            Stream::Calls => {
                let (ok, bad) = parse_page(raws);
                Batch::Calls(ok, bad)
            }
            Stream::Texts => {
                let (ok, bad) = parse_page(raws);
                Batch::Texts(ok, bad)
            }
        }
    }
}

/// Accumulates one stream's records between commits.
struct Pending<T> {
    records: Vec<Loaded<T>>,
    rejected: Vec<Rejected>,
    outcome: WriteOutcome,
}

impl<T: StreamRecord> Pending<T> {
    fn new() -> Self {
        Pending {
            records: Vec::new(),
            rejected: Vec::new(),
            outcome: WriteOutcome::default(),
        }
    }

    fn push(&mut self, ok: Vec<Loaded<T>>, bad: Vec<Rejected>) {
        self.records.extend(ok);
        self.rejected.extend(bad);
    }

    fn len(&self) -> usize {
        self.records.len() + self.rejected.len()
    }

    fn flush(
        &mut self,
        store: &impl StoreAccess,
        watermark: Option<NaiveDateTime>,
    ) -> anyhow::Result<()> {
        if self.len() == 0 && watermark.is_none() {
            return Ok(());
        }
        let out = store
            .with(|store| store.write_batch(&self.records, &self.rejected, watermark))
            .with_context(|| format!("storing a batch of {} {}", self.len(), T::STREAM))?;
        self.outcome.add(out);
        self.records.clear();
        self.rejected.clear();
        Ok(())
    }
}

/// The writer thread's state: one pending buffer per stream.
struct Writer<S> {
    store: S,
    batch_records: usize,
    business_timezone: Option<String>,
    users: Pending<User>,
    calls: Pending<Call>,
    texts: Pending<Sms>,
    unknown_timezones: Vec<String>,
}

impl<S: StoreAccess> Writer<S> {
    fn handle(&mut self, msg: WriteMsg) -> anyhow::Result<()> {
        let limit = self.batch_records;
        match msg {
            WriteMsg::Records(Batch::Users(ok, bad)) => self.users.push(ok, bad),
            WriteMsg::Records(Batch::Calls(ok, bad)) => {
                self.calls.push(ok, bad);
                if self.calls.len() >= limit {
                    self.calls.flush(&self.store, None)?;
                }
            }
            WriteMsg::Records(Batch::Texts(ok, bad)) => {
                self.texts.push(ok, bad);
                if self.texts.len() >= limit {
                    self.texts.flush(&self.store, None)?;
                }
            }
            WriteMsg::Commit { stream, watermark } => match stream {
                Stream::Users => self.users.flush(&self.store, Some(watermark))?,
                Stream::Calls => self.calls.flush(&self.store, Some(watermark))?,
                Stream::Texts => self.texts.flush(&self.store, Some(watermark))?,
            },
            WriteMsg::UsersDone => {
                let business = self
                    .business_timezone
                    .as_deref()
                    .map_or("UTC", str::trim)
                    .to_string();
                self.unknown_timezones = self.store.with(|store| -> anyhow::Result<_> {
                    let mut zones: Vec<String> = {
                        let mut stmt = store.conn().prepare(
                            "SELECT DISTINCT timezone FROM raw_justcall__users WHERE timezone IS NOT NULL",
                        )?;
                        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                        rows.collect::<Result<_, _>>()?
                    };
                    zones.push(business);
                    store.ensure_time_zones(zones.iter().map(String::as_str))
                })?;
            }
        }
        Ok(())
    }

    /// Stores what is left without advancing any watermark (used when fetching stopped early).
    fn flush_all(&mut self) -> anyhow::Result<()> {
        self.users.flush(&self.store, None)?;
        self.calls.flush(&self.store, None)?;
        self.texts.flush(&self.store, None)
    }
}

/// Checks the run's range and settings, stores the business zone, and plans every stream up
/// front, so a bad range or zone fails before any request (and before the run is recorded).
fn prepare<S: StoreAccess>(
    store: &S,
    options: &SyncOptions,
    now: NaiveDateTime,
) -> anyhow::Result<Vec<(Stream, Option<StreamPlan>)>> {
    if let Some(until) = options.until {
        anyhow::ensure!(
            until <= now,
            "--until {until} is in the future (now is {} UTC): a watermark never moves past now; \
             leave --until out to sync up to now",
            now.format("%Y-%m-%d %H:%M:%S")
        );
    }
    // The zone is stored by its canonical name (" America/New_York " would match no offsets in
    // the views) and its offsets written now, not only after the users stream: a sync of calls
    // alone must not bucket days in UTC.
    if let Some(tz) = &options.business_timezone {
        let zone = crate::store::tz::parse_zone(tz)?.name().to_string();
        store.with(|s| -> anyhow::Result<()> {
            s.set_setting("business_timezone", &zone)?;
            s.ensure_time_zones([zone.as_str()])?;
            Ok(())
        })?;
    }
    let end = options.until.unwrap_or(now);

    let mut plans: Vec<(Stream, Option<StreamPlan>)> = Vec::new();
    for stream in &options.streams {
        let plan = match stream {
            Stream::Users => None,
            _ => Some({
                let watermark = store.with(|s| s.watermark(stream.name()))?;
                if let (Some(since), Some(mark)) = (options.since, watermark) {
                    if since > mark {
                        tracing::warn!(
                            "{}: --since {since} is after the stored watermark {mark}: the records \
                             in between are not fetched, so the watermark stays where it is",
                            stream.name()
                        );
                    }
                }
                let last_full = store.with(|s| s.last_full_rescan(stream.name()))?;
                let due = full_rescan_due(options.full_rescan_every, last_full, end);
                plan::plan(PlanInput {
                    watermark,
                    since: options.since,
                    end,
                    backfill: TimeDelta::days(options.backfill_days),
                    trailing: TimeDelta::days(options.trailing_days),
                    overlap: (!due).then_some(options.overlap.max(TimeDelta::zero())),
                    window: TimeDelta::days(options.window_days.clamp(1, 89)),
                })
                .map_err(|e| anyhow::anyhow!("{}: {e}", stream.name()))?
            }),
        };
        plans.push((*stream, plan));
    }
    Ok(plans)
}

/// Runs one sync of `streams` against `client` into `store`, and records it in
/// `callduck_sync_runs`. `now` is the run's notion of the present (UTC). `store` is a [`Store`]
/// of the run's own, or the [`crate::store::SharedStore`] of `callduck serve`.
pub async fn run_sync<S: StoreAccess + Send + 'static>(
    store: S,
    client: JustCallClient,
    options: &SyncOptions,
    now: NaiveDateTime,
) -> anyhow::Result<SyncSummary> {
    run_sync_until(store, client, options, now, std::future::pending()).await
}

/// A sync stopped by a signal: what was fetched before it is committed, the run is recorded as
/// failed with this reason, and no watermark moved past what was stored.
#[derive(Debug, thiserror::Error)]
#[error(
    "interrupted: what was fetched so far is committed; the next sync continues from the last \
     watermark"
)]
pub struct Interrupted;

/// [`run_sync`] that stops fetching when `stop` completes (e.g. on ctrl-c or SIGTERM): pages
/// already handed to the writer are committed, the run is recorded, and the result is
/// [`Interrupted`].
pub async fn run_sync_until<S: StoreAccess + Send + 'static>(
    store: S,
    client: JustCallClient,
    options: &SyncOptions,
    now: NaiveDateTime,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<SyncSummary> {
    let started = Instant::now();
    let plans = prepare(&store, options, now)?;
    let run_id = store.with(Store::begin_run)?;

    let (tx, mut rx) = mpsc::channel::<WriteMsg>(16);
    let mut writer = Writer {
        store,
        batch_records: options.batch_records.max(1),
        business_timezone: options.business_timezone.clone(),
        users: Pending::new(),
        calls: Pending::new(),
        texts: Pending::new(),
        unknown_timezones: Vec::new(),
    };
    let writer_thread = std::thread::Builder::new()
        .name("callduck-writer".into())
        .spawn(move || {
            let mut result = Ok(());
            while let Some(msg) = rx.blocking_recv() {
                if let Err(e) = writer.handle(msg) {
                    result = Err(e);
                    break;
                }
            }
            if result.is_ok() {
                result = writer.flush_all();
            }
            // Everything is committed by now: a checkpoint that cannot run (another connection of
            // the process is mid-transaction, e.g. the snapshot of `serve`) is only postponed,
            // DuckDB checkpoints on its own later.
            if result.is_ok() {
                if let Err(e) = writer.store.with(Store::checkpoint) {
                    tracing::debug!("checkpoint postponed: {e:#}");
                }
            }
            (writer, result)
        })
        .context("starting the writer thread")?;

    let progress = Progress::new(options.progress);
    let current: Arc<std::sync::Mutex<Option<StreamProgress>>> = Arc::default();
    let events_target = current.clone();
    let client = client.with_events(Arc::new(move |event: ClientEvent| {
        let text = match &event {
            ClientEvent::RateLimitWait { until, reason } => {
                format!("rate limit: waiting {:.1}s ({reason})", until.as_secs_f64())
            }
            ClientEvent::Retry {
                request,
                attempt,
                wait,
                error,
            } => {
                format!(
                    "retry {attempt} of {request} in {:.1}s after: {error}",
                    wait.as_secs_f64()
                )
            }
        };
        if let Some(bar) = events_target.lock().unwrap().as_ref() {
            bar.waiting(&text);
        } else {
            tracing::info!("{text}");
        }
    }));

    let fetch_result = tokio::select! {
        result = fetch_all(&client, &plans, &tx, &progress, &current, now) => result,
        () = stop => Err(anyhow::Error::new(Interrupted)),
    };
    drop(tx);
    let (writer, write_result) = tokio::task::spawn_blocking(move || writer_thread.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;

    let mut streams = fetch_result.as_ref().map(|s| s.clone()).unwrap_or_default();
    for s in &mut streams {
        s.written = match s.stream {
            "users" => writer.users.outcome,
            "calls" => writer.calls.outcome,
            _ => writer.texts.outcome,
        };
    }
    let stats = client.stats();
    let summary = SyncSummary {
        run_id,
        streams,
        requests: stats.requests,
        responses_429: stats.responses_429,
        retries: stats.retries,
        rate_limit_wait: stats.rate_limit_wait,
        elapsed: started.elapsed(),
        unknown_timezones: writer.unknown_timezones.clone(),
        links: None,
        hourly_limit: stats.hourly_limit,
    };
    let total = {
        let mut t = WriteOutcome::default();
        for o in [
            writer.users.outcome,
            writer.calls.outcome,
            writer.texts.outcome,
        ] {
            t.add(o);
        }
        t
    };
    let error = match (&fetch_result, &write_result) {
        (Err(e), _) => Some(format!("{e:#}")),
        (_, Err(e)) => Some(format!("{e:#}")),
        _ => None,
    };
    // Only a run that succeeded counts as a full re-scan: a failed one is repeated in full.
    let full: Vec<(&str, NaiveDateTime)> = plans
        .iter()
        .filter_map(|(stream, plan)| plan.as_ref().map(|p| (stream.name(), p)))
        .filter(|(_, p)| p.full_rescan && error.is_none())
        .map(|(name, p)| (name, p.end))
        .collect();
    writer.store.with(|s| -> anyhow::Result<()> {
        s.conn().execute_batch("BEGIN TRANSACTION")?;
        let recorded = (|| -> anyhow::Result<()> {
            for (stream, until) in &full {
                s.record_full_rescan(stream, *until, run_id)?;
            }
            let names: Vec<&str> = full.iter().map(|(name, _)| *name).collect();
            s.record_run_budget(run_id, summary.hourly_limit, &names)?;
            s.finish_run(
                run_id,
                error.is_none(),
                total.new,
                total.updated,
                total.rejected,
                summary.requests,
                summary.responses_429,
                error.as_deref(),
            )
        })();
        match recorded {
            Ok(()) => Ok(s.conn().execute_batch("COMMIT")?),
            Err(e) => {
                let _ = s.conn().execute_batch("ROLLBACK");
                Err(e.context("recording the end of the sync run"))
            }
        }
    })?;
    write_result?;
    fetch_result?;
    let mut summary = summary;
    // New contacts (or new spellings of old ones) need their CRM links.
    summary.links = writer.store.with(|store| -> anyhow::Result<_> {
        if !crate::crm::links::has_customers(store)? {
            return Ok(None);
        }
        Ok(Some(
            crate::crm::refresh_links(store).context("refreshing the CRM contact links")?,
        ))
    })?;
    Ok(summary)
}

async fn send(tx: &mpsc::Sender<WriteMsg>, msg: WriteMsg) -> anyhow::Result<()> {
    tx.send(msg)
        .await
        .map_err(|_| anyhow::anyhow!("the store stopped accepting records (see the error below)"))
}

/// How far this run's "now" may be ahead of JustCall's clock (its `Date` header) before the
/// run is refused: further, a watermark would move past the real present.
const CLOCK_AHEAD_TOLERANCE_SECS: i64 = 300;

/// Refuses to go on when `now` is ahead of JustCall's clock by more than the tolerance.
fn check_clock(client: &JustCallClient, now: NaiveDateTime) -> anyhow::Result<()> {
    if let Some(server) = client.server_date() {
        let ahead = (now - server).num_seconds();
        anyhow::ensure!(
            ahead <= CLOCK_AHEAD_TOLERANCE_SECS,
            "this machine's clock ({now} UTC) is {ahead} s ahead of JustCall's ({server} UTC): a \
             watermark would move past the real now and later records would be skipped. Fix the \
             clock (NTP) and sync again; nothing was stored"
        );
    }
    Ok(())
}

async fn fetch_all(
    client: &JustCallClient,
    plans: &[(Stream, Option<StreamPlan>)],
    tx: &mpsc::Sender<WriteMsg>,
    progress: &Progress,
    current: &std::sync::Mutex<Option<StreamProgress>>,
    now: NaiveDateTime,
) -> anyhow::Result<Vec<StreamSummary>> {
    let mut summaries = Vec::new();
    let mut clock_checked = false;
    for (stream, plan) in plans {
        let windows = plan.as_ref().map_or(1, |p| p.windows.len() as u64);
        let bar = progress.stream(stream.name(), windows);
        *current.lock().unwrap() = Some(bar.clone());
        let mut summary = StreamSummary {
            stream: stream.name(),
            windows,
            full_rescan: plan.as_ref().is_some_and(|p| p.full_rescan),
            ..Default::default()
        };
        match plan {
            None => {
                let mut page = 0;
                loop {
                    anyhow::ensure!(
                        page < MAX_PAGES_PER_WINDOW,
                        "JustCall served more than {MAX_PAGES_PER_WINDOW} pages of users without a \
                         last page: stopped so as not to loop"
                    );
                    let p = client.users_page(page).await?;
                    if !clock_checked {
                        check_clock(client, now)?;
                        clock_checked = true;
                    }
                    summary.pages += 1;
                    summary.fetched += p.records.len() as u64;
                    bar.fetched(summary.fetched, summary.pages);
                    send(tx, WriteMsg::Records(Batch::parse(*stream, &p.records))).await?;
                    if p.is_last {
                        break;
                    }
                    page += 1;
                }
                send(
                    tx,
                    WriteMsg::Commit {
                        stream: *stream,
                        watermark: now,
                    },
                )
                .await?;
                send(tx, WriteMsg::UsersDone).await?;
                bar.window_done(summary.fetched, summary.pages);
            }
            Some(plan) => {
                for (window, earned) in &plan.windows {
                    let mut page = 0;
                    let mut highest: Option<i64> = None;
                    loop {
                        let p = client.list_page(*stream, window, page).await?;
                        if !clock_checked {
                            check_clock(client, now)?;
                            clock_checked = true;
                        }
                        summary.pages += 1;
                        summary.fetched += p.records.len() as u64;
                        bar.fetched(summary.fetched, summary.pages);
                        let batch = Batch::parse(*stream, &p.records);
                        // Pages come sorted by id: a page that does not reach past the previous
                        // one's highest id is a repeated page (or an unsorted server), and
                        // following it could loop forever. What was fetched is stored; the
                        // window earns no watermark.
                        if let Some(max) = batch.max_id() {
                            if let Some(prev) = highest.filter(|prev| max <= *prev) {
                                anyhow::bail!(
                                    "JustCall served page {page} of {} from {} to {} with ids up to {max}, \
                                     not past the previous page's {prev}: the server repeats pages or \
                                     does not sort by id, so the sync stopped (nothing is lost: the next \
                                     run fetches this window again)",
                                    stream.name(),
                                    window.from,
                                    window.to
                                );
                            }
                            highest = Some(max);
                        }
                        anyhow::ensure!(
                            page < MAX_PAGES_PER_WINDOW,
                            "JustCall served more than {MAX_PAGES_PER_WINDOW} pages of {} for one window without \
                             a last page: stopped so as not to loop",
                            stream.name()
                        );
                        send(tx, WriteMsg::Records(batch)).await?;
                        if p.is_last {
                            break;
                        }
                        page += 1;
                    }
                    send(
                        tx,
                        WriteMsg::Commit {
                            stream: *stream,
                            watermark: *earned,
                        },
                    )
                    .await?;
                    bar.window_done(summary.fetched, summary.pages);
                }
            }
        }
        bar.finish();
        summaries.push(summary);
    }
    *current.lock().unwrap() = None;
    Ok(summaries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn rescan_cadences_parse() {
        assert_eq!(parse_full_rescan_every("always"), Ok(RescanEvery(None)));
        assert_eq!(
            parse_full_rescan_every("24h").map(RescanEvery::delta),
            Ok(Some(TimeDelta::hours(24)))
        );
        assert!(parse_full_rescan_every("daily")
            .unwrap_err()
            .contains("always"));
    }

    #[test]
    fn the_full_rescan_is_due_on_its_cadence() {
        let day = Some(TimeDelta::hours(24));
        // Every run by default, and the first run whatever the cadence.
        assert!(full_rescan_due(None, Some(at(2, 10, 0)), at(2, 11, 0)));
        assert!(full_rescan_due(day, None, at(2, 11, 0)));
        // Not before the cadence has passed...
        assert!(!full_rescan_due(day, Some(at(2, 10, 0)), at(2, 11, 0)));
        assert!(!full_rescan_due(day, Some(at(2, 10, 0)), at(3, 9, 54)));
        // ... then due, also for a cron run a few seconds (up to five minutes) early.
        assert!(full_rescan_due(day, Some(at(2, 10, 0)), at(3, 9, 56)));
        assert!(full_rescan_due(day, Some(at(2, 10, 0)), at(3, 12, 0)));
        // The tolerance is at most a tenth of a short cadence.
        let ten_minutes = Some(TimeDelta::minutes(10));
        assert!(!full_rescan_due(
            ten_minutes,
            Some(at(2, 10, 0)),
            at(2, 10, 8)
        ));
        assert!(full_rescan_due(
            ten_minutes,
            Some(at(2, 10, 0)),
            at(2, 10, 9)
        ));
    }
}
