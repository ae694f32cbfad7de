//! `callduck export firestore`: the goals dashboard's `metrics` documents from the DuckDB file.
//!
//! This file holds the options, the summary and [`run_export`], which runs the steps, each in a
//! file of its own:
//! 1. `users.rs`: read the dashboard's users (the `users` collection, or a file) into
//!    `firestore_users`; agents map to users by their email key. Emails two users share are
//!    ambiguous and map to no one; agents with no user are reported (view `rpt_unmapped_agents`).
//! 2. `plan.rs`: every (user, type, local day) of `fct_dashboard_metrics` in the range, plus every
//!    document the ledger of this target says was written in the range but has no activity any
//!    more (written again with value 0, never left stale). Documents whose content hash equals the
//!    ledger's are skipped, so a second export in a row writes nothing; a plan that zeroes too
//!    much is refused. Users and plan are one transaction, rolled back by a dry run.
//! 3. `write.rs`: `batchWrite` requests of at most 500 documents and under the size limit; each
//!    confirmed write recorded in the ledger (per target) right away, so an interrupted export is
//!    finished by the next run without duplicates (document ids are deterministic anyway);
//!    `--verify` first forgets what Firestore no longer holds as recorded.
//! 4. `goals.rs`: `current` of every mapped user's goals for their current period (daily,
//!    Monday-start weekly, monthly, quarterly, in the business time zone), summing every source's
//!    metrics as the dashboard does, written where it changed.

mod goals;
mod plan;
mod users;
mod write;

pub use plan::{document_id, noon_utc};
pub use users::{DashboardUser, UnmappedAgent};
pub use write::target_of;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::NaiveDate;

use super::{FirestoreClient, Write, WriteOutcome};
use crate::store::{now_utc, StoreAccess};
use goals::{business_today, update_goals};
use plan::check_zeroing;
use users::{dashboard_users, store_users, unmapped_agents};
use write::{chunks, record_written, to_write, verify_ledger};

/// The metric types callduck writes (the dashboard knows others from other sources).
pub const METRIC_TYPES: [&str; 3] = ["phone_call_quantity", "talk_time_minutes", "sms_quantity"];

/// The `source` of every document callduck writes (and the document id's suffix).
pub const SOURCE: &str = "justcall";

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// First local day to export (inclusive); default: the first day in the file.
    pub since: Option<NaiveDate>,
    /// Last local day (inclusive); default: the last day in the file.
    pub until: Option<NaiveDate>,
    /// Metric types to write (a subset of [`METRIC_TYPES`]).
    pub metric_types: Vec<String>,
    /// Plan and print, write nothing.
    pub dry_run: bool,
    /// Recompute `current` of the affected goals.
    pub update_goals: bool,
    /// Read dashboard users from this JSON file (array of `{id, email, name}`) instead of the
    /// `users` collection.
    pub users_file: Option<PathBuf>,
    /// The day goals' current periods are computed for (default: today in the business zone).
    pub as_of: Option<NaiveDate>,
    /// Show a progress bar.
    pub progress: bool,
    /// Write even when the plan zeroes more than [`ZEROING_SHARE`] of the documents exported
    /// before (an empty or wrong users source looks exactly like that).
    pub allow_zeroing: bool,
    /// Before planning, read what Firestore holds in the range and forget, in the ledger, every
    /// document that is missing there or holds another value, so this run writes it again.
    pub verify: bool,
}

/// The share of previously exported (non-zero) documents an export may zero without
/// `allow_zeroing`; at least [`ZEROING_FLOOR`] documents may always be zeroed.
pub const ZEROING_SHARE: f64 = 0.10;
pub const ZEROING_FLOOR: usize = 5;

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            since: None,
            until: None,
            metric_types: METRIC_TYPES.iter().map(|t| t.to_string()).collect(),
            dry_run: false,
            update_goals: true,
            users_file: None,
            as_of: None,
            progress: false,
            allow_zeroing: false,
            verify: false,
        }
    }
}

/// What an export did.
#[derive(Debug, Clone, Default)]
pub struct ExportSummary {
    pub dashboard_users: usize,
    pub mapped_users: usize,
    pub ambiguous_emails: Vec<String>,
    pub unmapped_agents: Vec<UnmappedAgent>,
    /// Documents in the range whose content is already in Firestore.
    pub unchanged: usize,
    /// Documents to write (new or changed), zeroed ones included.
    pub planned: usize,
    /// Of those, days whose activity disappeared (written with value 0).
    pub zeroed: usize,
    pub written: usize,
    pub failed: Vec<(String, String)>,
    pub goals_updated: usize,
    pub requests: u64,
    pub retried_writes: u64,
    pub elapsed: Duration,
    pub dry_run: bool,
    /// Up to 20 planned documents: (id, previous value, new value).
    pub sample: Vec<(String, Option<f64>, f64)>,
    /// Where the documents go (the ledger is kept per target).
    pub target: String,
    /// With `verify`: ledger entries dropped because Firestore did not hold them as recorded.
    pub repaired: usize,
}

/// What step 1 and 2 leave: ambiguous emails, unmapped agents, mapped users, and the plan with
/// its count of unchanged documents.
type UsersAndPlan = (
    Vec<String>,
    Vec<UnmappedAgent>,
    usize,
    (Vec<plan::PlannedDoc>, usize),
);

/// Steps 1 and 2 in one transaction: the users replace the stored ones only with the plan they
/// lead to, so a dry run, or a plan refused for zeroing too much, changes nothing in the file.
fn users_and_plan(
    store: &crate::store::Store,
    users: &[DashboardUser],
    opts: &ExportOptions,
    target: &str,
) -> anyhow::Result<UsersAndPlan> {
    let conn = store.conn();
    conn.execute_batch("BEGIN TRANSACTION")?;
    let planned = (|| -> anyhow::Result<UsersAndPlan> {
        let ambiguous = store_users(store, users)?;
        let mapped_users = conn.query_row(
            "SELECT count(DISTINCT user_id) FROM fct_dashboard_metrics",
            [],
            |r| r.get::<_, i64>(0),
        )? as usize;
        let planned = plan::plan(store, opts, target)?;
        check_zeroing(store, opts, target, &planned.0)?;
        Ok((ambiguous, unmapped_agents(store)?, mapped_users, planned))
    })();
    match planned {
        Ok(p) if !opts.dry_run => {
            conn.execute_batch("COMMIT")?;
            Ok(p)
        }
        other => {
            conn.execute_batch("ROLLBACK")?;
            other
        }
    }
}

/// Runs one export. `client` may be `None` only for a dry run with `--users-file`. `store` is
/// locked only for its own reads and writes, never across a request to Firestore.
pub async fn run_export<S: StoreAccess>(
    store: &S,
    client: Option<&FirestoreClient>,
    opts: &ExportOptions,
) -> anyhow::Result<ExportSummary> {
    let started = Instant::now();
    for t in &opts.metric_types {
        anyhow::ensure!(
            METRIC_TYPES.contains(&t.as_str()),
            "unknown metric type {t:?}: callduck writes {}",
            METRIC_TYPES.join(", ")
        );
    }
    if let (Some(s), Some(u)) = (opts.since, opts.until) {
        anyhow::ensure!(s <= u, "--since {s} is after --until {u}");
    }
    let users = dashboard_users(client, opts).await?;
    anyhow::ensure!(
        !users.is_empty() || opts.allow_zeroing,
        "the dashboard's users ({}) hold no user: every metric would map to no one and be zeroed. \
         Check the project or the file; nothing was changed",
        match &opts.users_file {
            Some(path) => path.display().to_string(),
            None => format!("the users collection of {}", target_of(client)),
        }
    );
    let target = target_of(client);
    let mut repaired = 0;
    if opts.verify {
        let client = client.context("--verify reads what Firestore holds: it needs Firestore")?;
        repaired = verify_ledger(store, client, opts, &target).await?;
    }
    let (ambiguous, unmapped, mapped_users, (docs, unchanged)) =
        store.with(|store| users_and_plan(store, &users, opts, &target))?;
    let mut summary = ExportSummary {
        dashboard_users: users.len(),
        ambiguous_emails: ambiguous,
        unmapped_agents: unmapped,
        mapped_users,
        dry_run: opts.dry_run,
        target: target.clone(),
        repaired,
        ..ExportSummary::default()
    };
    summary.unchanged = unchanged;
    summary.planned = docs.len();
    summary.zeroed = docs
        .iter()
        .filter(|d| d.value == 0.0 && d.previous.is_some_and(|p| p != 0.0))
        .count();
    summary.sample = docs
        .iter()
        .take(20)
        .map(|d| (d.id.clone(), d.previous, d.value))
        .collect();
    if opts.dry_run || docs.is_empty() && !opts.update_goals {
        summary.elapsed = started.elapsed();
        return Ok(summary);
    }
    let client = client.context("writing needs Firestore")?;

    let now = now_utc();
    let writes: Vec<Write> = docs.iter().map(|d| to_write(d, now)).collect();
    let bar = if opts.progress && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::new(writes.len() as u64).with_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} metrics {bar:30} {pos}/{len} documents {per_sec} {msg}",
            )
            .expect("valid template"),
        )
    } else {
        indicatif::ProgressBar::hidden()
    };
    for range in chunks(client, &writes) {
        let outcomes = client.batch_write(&writes[range.clone()]).await;
        let outcomes = match outcomes {
            Ok(o) => o,
            Err(e) => {
                bar.abandon();
                return Err(anyhow::Error::new(e).context(format!(
                    "export stopped after {} of {} documents (the next run writes the rest)",
                    summary.written, summary.planned
                )));
            }
        };
        let mut ok = Vec::new();
        for (doc, outcome) in docs[range.clone()].iter().zip(outcomes) {
            match outcome {
                WriteOutcome::Written => ok.push(doc),
                WriteOutcome::Failed(reason) => summary.failed.push((doc.id.clone(), reason)),
            }
        }
        store.with(|store| record_written(store, &ok, &target))?;
        summary.written += ok.len();
        bar.inc(range.len() as u64);
        tracing::debug!("wrote {} of {} documents", summary.written, summary.planned);
    }
    bar.finish_and_clear();
    if opts.update_goals {
        let (today, mapped) = store.with(|store| -> anyhow::Result<_> {
            let today = match opts.as_of {
                Some(d) => d,
                None => business_today(store)?,
            };
            let mut stmt = store
                .conn()
                .prepare("SELECT DISTINCT user_id FROM fct_dashboard_metrics")?;
            let mapped: BTreeSet<String> = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok((today, mapped))
        })?;
        summary.goals_updated = update_goals(client, &mapped, &opts.metric_types, today).await?;
    }
    let counters = client.counters();
    summary.requests = counters.requests.load(Ordering::Relaxed);
    summary.retried_writes = counters.retried_writes.load(Ordering::Relaxed);
    summary.elapsed = started.elapsed();
    anyhow::ensure!(
        summary.failed.is_empty(),
        "{} document(s) could not be written, e.g. {}: {} (the others are recorded; run the export again)",
        summary.failed.len(),
        summary.failed[0].0,
        summary.failed[0].1
    );
    Ok(summary)
}

/// The summary as printed after an export.
pub fn render_summary(s: &ExportSummary) -> String {
    let mut out = String::new();
    use std::fmt::Write as _;
    let verb = if s.dry_run { "would write" } else { "wrote" };
    let written = if s.dry_run { s.planned } else { s.written };
    let _ = writeln!(
        out,
        "firestore export: {verb} {written} metrics document(s) ({} zeroed), {} unchanged, {} goal(s) updated, {} request(s) in {:.1}s",
        s.zeroed,
        s.unchanged,
        s.goals_updated,
        s.requests,
        s.elapsed.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  dashboard users: {} read, {} with JustCall activity; target {}",
        s.dashboard_users, s.mapped_users, s.target
    );
    if s.repaired > 0 {
        let _ = writeln!(
            out,
            "  verify: {} document(s) were missing or edited in Firestore and were written again",
            s.repaired
        );
    }
    for email in &s.ambiguous_emails {
        let _ = writeln!(out, "  warning: several dashboard users have the email {email}: none of them gets JustCall metrics");
    }
    if !s.unmapped_agents.is_empty() {
        let _ = writeln!(
            out,
            "  {} JustCall agent(s) match no dashboard user (view rpt_unmapped_agents):",
            s.unmapped_agents.len()
        );
        for a in &s.unmapped_agents {
            let _ = writeln!(
                out,
                "    {} (agent {}): {} calls, {} SMS sent",
                a.email.as_deref().unwrap_or("(no email)"),
                a.agent_id.map_or("?".into(), |i| i.to_string()),
                a.total_calls,
                a.sms_sent
            );
        }
    }
    if s.dry_run {
        for (id, previous, value) in &s.sample {
            let _ = match previous {
                Some(p) => writeln!(out, "  {id}: {p} -> {value}"),
                None => writeln!(out, "  {id}: {value} (new)"),
            };
        }
        if s.planned > s.sample.len() {
            let _ = writeln!(out, "  ... and {} more", s.planned - s.sample.len());
        }
    }
    out
}
