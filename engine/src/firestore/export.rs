//! `callduck export firestore`: the goals dashboard's `metrics` documents from the DuckDB file.
//!
//! 1. Read the dashboard's users (the `users` collection, or a file) into `firestore_users`;
//!    agents map to users by trimmed, lower-cased email. Emails two users share are ambiguous and
//!    map to no one; agents with no user are reported (view `rpt_unmapped_agents`).
//! 2. Plan: every (user, type, local day) of `fct_dashboard_metrics` in the range, plus every
//!    document the ledger says was written in the range but has no activity any more (written
//!    again with value 0, never left stale). Documents whose content hash equals the ledger's are
//!    skipped, so a second export in a row writes nothing.
//! 3. Write in `batchWrite` requests of at most 500 documents and under the size limit; record
//!    each confirmed write in `firestore_export_ledger` right away, so an interrupted export is
//!    finished by the next run without duplicates (document ids are deterministic anyway).
//! 4. Optionally recompute `current` of the affected `goals` for their current period (daily,
//!    Monday-start weekly, monthly, quarterly, in the business time zone), summing every source's
//!    metrics as the dashboard does.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone as _};
use duckdb::params;
use serde_json::{json, Map, Value};

use super::value;
use super::{FirestoreClient, Write, WriteOutcome};
use crate::store::load::stable_hash;
use crate::store::{now_utc, Store};

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
}

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
        }
    }
}

/// A JustCall agent no dashboard user matches.
#[derive(Debug, Clone, PartialEq)]
pub struct UnmappedAgent {
    pub agent_id: Option<i64>,
    pub email: Option<String>,
    pub total_calls: i64,
    pub sms_sent: i64,
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
}

/// A dashboard user as read from Firestore or a file.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardUser {
    pub uid: String,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// One planned `metrics` document.
#[derive(Debug, Clone)]
struct PlannedDoc {
    id: String,
    user_id: String,
    metric_type: String,
    date: NaiveDate,
    value: f64,
    metadata: Map<String, Value>,
    hash: u64,
    previous: Option<f64>,
}

/// `{userId}_{type}_{YYYY-MM-DD}_justcall`.
pub fn document_id(user_id: &str, metric_type: &str, date: NaiveDate) -> String {
    format!("{user_id}_{metric_type}_{date}_{SOURCE}")
}

/// 12:00:00 UTC of `date`: the instant the dashboard stores for a day.
pub fn noon_utc(date: NaiveDate) -> NaiveDateTime {
    date.and_hms_opt(12, 0, 0).expect("noon")
}

fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

async fn dashboard_users(
    client: Option<&FirestoreClient>,
    opts: &ExportOptions,
) -> anyhow::Result<Vec<DashboardUser>> {
    if let Some(path) = &opts.users_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the users file {}", path.display()))?;
        let rows: Vec<Value> = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} must be a JSON array of {{\"id\", \"email\", \"name\"}}",
                path.display()
            )
        })?;
        return rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let uid = r
                    .get("id")
                    .or_else(|| r.get("uid"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        anyhow::anyhow!("{}: user #{} has no string \"id\"", path.display(), i + 1)
                    })?;
                Ok(DashboardUser {
                    uid: uid.to_string(),
                    email: r.get("email").and_then(Value::as_str).map(str::to_string),
                    name: r.get("name").and_then(Value::as_str).map(str::to_string),
                })
            })
            .collect();
    }
    let client =
        client.context("reading the dashboard's users needs Firestore (or --users-file)")?;
    let docs = client
        .list("users")
        .await
        .context("reading the users collection")?;
    Ok(docs
        .iter()
        .map(|d| DashboardUser {
            uid: d.id().to_string(),
            email: value::field(&d.fields, "email")
                .and_then(value::as_string)
                .map(str::to_string),
            name: value::field(&d.fields, "name")
                .and_then(value::as_string)
                .map(str::to_string),
        })
        .collect())
}

/// Replaces `firestore_users`; returns the emails shared by several users (mapped to no one).
fn store_users(store: &Store, users: &[DashboardUser]) -> anyhow::Result<Vec<String>> {
    let mut by_email: BTreeMap<String, usize> = BTreeMap::new();
    for u in users {
        if let Some(e) = &u.email {
            *by_email.entry(email_key(e)).or_default() += 1;
        }
    }
    let ambiguous: Vec<String> = by_email
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(e, _)| e.clone())
        .collect();
    let conn = store.conn();
    conn.execute_batch("BEGIN TRANSACTION; DELETE FROM firestore_users;")?;
    let now = now_utc();
    let result = (|| -> anyhow::Result<()> {
        let mut stmt =
            conn.prepare("INSERT OR REPLACE INTO firestore_users VALUES (?, ?, ?, ?, ?)")?;
        for u in users {
            let key = u
                .email
                .as_deref()
                .map(email_key)
                .filter(|k| !k.is_empty() && !ambiguous.contains(k));
            stmt.execute(params![u.uid, u.email, key, u.name, now])?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e.context("storing the dashboard's users"));
        }
    }
    Ok(ambiguous)
}

fn unmapped_agents(store: &Store) -> anyhow::Result<Vec<UnmappedAgent>> {
    let mut stmt = store
        .conn()
        .prepare("SELECT agent_id, agent_email, total_calls, sms_sent FROM rpt_unmapped_agents")?;
    let rows = stmt.query_map([], |r| {
        Ok(UnmappedAgent {
            agent_id: r.get(0)?,
            email: r.get(1)?,
            total_calls: r.get(2)?,
            sms_sent: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The documents to write: changed or new in the range, and days whose activity vanished.
fn plan(store: &Store, opts: &ExportOptions) -> anyhow::Result<(Vec<PlannedDoc>, usize)> {
    let types: Vec<String> = opts
        .metric_types
        .iter()
        .map(|t| format!("'{}'", t.replace('\'', "''")))
        .collect();
    let types = types.join(", ");
    let since = opts.since.unwrap_or(NaiveDate::MIN);
    let until = opts.until.unwrap_or(NaiveDate::MAX);
    let (since, until) = (
        since.max(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()),
        until.min(NaiveDate::from_ymd_opt(2999, 12, 31).unwrap()),
    );
    let conn = store.conn();

    let mut ledger: HashMap<String, (String, String, NaiveDate, f64, u64)> = HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT document_id, user_id, metric_type, metric_date, metric_value, content_hash
         FROM firestore_export_ledger
         WHERE metric_type IN ({types}) AND metric_date BETWEEN ? AND ?"
    ))?;
    let rows = stmt.query_map(params![since, until], |r| {
        Ok((
            r.get::<_, String>(0)?,
            (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
        ))
    })?;
    for row in rows {
        let (id, rest) = row?;
        ledger.insert(id, rest);
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT user_id, metric_type, local_date, metric_value, call_count, total_seconds, inbound_calls,
                outbound_calls, completed_calls, missed_calls, sms_sent, sms_received
         FROM fct_dashboard_metrics
         WHERE metric_type IN ({types}) AND local_date BETWEEN ? AND ?
         ORDER BY local_date, user_id, metric_type"
    ))?;
    let mut desired: Vec<PlannedDoc> = Vec::new();
    let rows = stmt.query_map(params![since, until], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, NaiveDate>(2)?,
            r.get::<_, f64>(3)?,
            [
                r.get::<_, i64>(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
            ],
        ))
    })?;
    for row in rows {
        let (user_id, metric_type, date, value, n) = row?;
        let [calls, seconds, inbound, outbound, completed, missed, sms_sent, sms_received] = n;
        desired.push(planned(
            &user_id,
            &metric_type,
            date,
            value,
            metadata(
                &metric_type,
                calls,
                seconds,
                inbound,
                outbound,
                completed,
                missed,
                sms_sent,
                sms_received,
            ),
        ));
    }
    let present: BTreeSet<String> = desired.iter().map(|d| d.id.clone()).collect();
    // Days that had a document and have no activity now: zero them.
    let mut zeroed: Vec<PlannedDoc> = ledger
        .iter()
        .filter(|(id, _)| !present.contains(*id))
        .map(|(_, (user_id, metric_type, date, _, _))| {
            planned(
                user_id,
                metric_type,
                *date,
                0.0,
                metadata(metric_type, 0, 0, 0, 0, 0, 0, 0, 0),
            )
        })
        .collect();
    zeroed.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    let mut unchanged = 0;
    let mut out = Vec::new();
    for mut doc in desired.into_iter().chain(zeroed) {
        match ledger.get(&doc.id) {
            Some((_, _, _, _, hash)) if *hash == doc.hash => unchanged += 1,
            Some((_, _, _, previous, _)) => {
                doc.previous = Some(*previous);
                out.push(doc);
            }
            None => out.push(doc),
        }
    }
    Ok((out, unchanged))
}

#[allow(clippy::too_many_arguments)]
fn metadata(
    metric_type: &str,
    calls: i64,
    seconds: i64,
    inbound: i64,
    outbound: i64,
    completed: i64,
    missed: i64,
    sms_sent: i64,
    sms_received: i64,
) -> Map<String, Value> {
    let mut m = Map::new();
    match metric_type {
        "phone_call_quantity" => {
            m.insert("totalSeconds".into(), value::integer(seconds));
            let avg = if calls > 0 {
                seconds as f64 / calls as f64
            } else {
                0.0
            };
            m.insert(
                "averageSeconds".into(),
                value::double((avg * 10.0).round() / 10.0),
            );
            m.insert("inboundCalls".into(), value::integer(inbound));
            m.insert("outboundCalls".into(), value::integer(outbound));
            m.insert("completedCalls".into(), value::integer(completed));
            m.insert("missedCalls".into(), value::integer(missed));
        }
        "talk_time_minutes" => {
            m.insert("callCount".into(), value::integer(calls));
            m.insert("totalSeconds".into(), value::integer(seconds));
        }
        _ => {
            m.insert("smsSent".into(), value::integer(sms_sent));
            m.insert("smsReceived".into(), value::integer(sms_received));
        }
    }
    m
}

fn planned(
    user_id: &str,
    metric_type: &str,
    date: NaiveDate,
    value: f64,
    metadata: Map<String, Value>,
) -> PlannedDoc {
    let id = document_id(user_id, metric_type, date);
    // The hash covers what the dashboard reads, not the write times (createdAt, syncedAt).
    let content = json!({
        "id": id, "userId": user_id, "type": metric_type, "value": value,
        "date": noon_utc(date).to_string(), "source": SOURCE, "metadata": metadata,
    });
    let hash = stable_hash(content.to_string().as_bytes());
    PlannedDoc {
        id,
        user_id: user_id.into(),
        metric_type: metric_type.into(),
        date,
        value,
        metadata,
        hash,
        previous: None,
    }
}

fn to_write(doc: &PlannedDoc, now: NaiveDateTime) -> Write {
    let mut metadata = doc.metadata.clone();
    metadata.insert("syncedAt".into(), value::timestamp(now));
    let mut fields = Map::new();
    fields.insert("id".into(), value::string(&doc.id));
    fields.insert("userId".into(), value::string(&doc.user_id));
    fields.insert("type".into(), value::string(&doc.metric_type));
    fields.insert("value".into(), value::number(doc.value));
    fields.insert("date".into(), value::timestamp(noon_utc(doc.date)));
    fields.insert("source".into(), value::string(SOURCE));
    fields.insert("metadata".into(), value::map(metadata));
    fields.insert("createdAt".into(), value::timestamp(now));
    Write {
        path: format!("metrics/{}", doc.id),
        fields,
        update_mask: None,
    }
}

fn record_written(store: &Store, docs: &[&PlannedDoc]) -> anyhow::Result<()> {
    let conn = store.conn();
    conn.execute_batch("BEGIN TRANSACTION")?;
    let now = now_utc();
    let result = (|| -> anyhow::Result<()> {
        let mut stmt = conn.prepare(
            "INSERT OR REPLACE INTO firestore_export_ledger VALUES (?, ?, ?, ?, ?, ?, ?)",
        )?;
        for d in docs {
            stmt.execute(params![
                d.id,
                d.user_id,
                d.metric_type,
                d.date,
                d.value,
                d.hash,
                now
            ])?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e.context("recording written documents in the ledger"))
        }
    }
}

/// Splits writes into requests of at most `max_writes` and under `max_bytes`.
fn chunks(client: &FirestoreClient, writes: &[Write]) -> Vec<std::ops::Range<usize>> {
    let (max_writes, max_bytes) = (
        client.config().max_writes_per_request.max(1),
        client.config().max_request_bytes,
    );
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 64);
    for (i, w) in writes.iter().enumerate() {
        let len = client.encoded_len(w);
        if i > start && (i - start >= max_writes || bytes + len > max_bytes) {
            out.push(start..i);
            start = i;
            bytes = 64;
        }
        bytes += len;
    }
    if start < writes.len() {
        out.push(start..writes.len());
    }
    out
}

/// The period containing `today` for a goal period name, as inclusive local days.
pub fn period_bounds(period: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let month_start = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).expect("valid month");
    let next_month = |y: i32, m: u32| {
        if m == 12 {
            month_start(y + 1, 1)
        } else {
            month_start(y, m + 1)
        }
    };
    match period {
        "daily" => Some((today, today)),
        "weekly" => {
            let start =
                today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
            Some((start, start + chrono::Duration::days(6)))
        }
        "monthly" => {
            let start = month_start(today.year(), today.month());
            Some((start, next_month(today.year(), today.month()).pred_opt()?))
        }
        "quarterly" => {
            let first = (today.month() - 1) / 3 * 3 + 1;
            let start = month_start(today.year(), first);
            let end = next_month(today.year(), first + 2).pred_opt()?;
            Some((start, end))
        }
        _ => None,
    }
}

/// Recomputes `current` (and the period bounds) of the goals for `types` of the `affected`
/// users, and of any goal of a `mapped` user whose stored period is not the current one (a new
/// day, week, month or quarter started: `current` must restart even without new activity).
async fn update_goals(
    client: &FirestoreClient,
    affected: &BTreeSet<String>,
    mapped: &BTreeSet<String>,
    types: &[String],
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let goals = client
        .list("goals")
        .await
        .context("reading the goals collection")?;
    let now = now_utc();
    let mut writes = Vec::new();
    for goal in &goals {
        let get = |f: &str| {
            value::field(&goal.fields, f)
                .and_then(value::as_string)
                .map(str::to_string)
        };
        let (Some(user), Some(kind), Some(period)) = (get("userId"), get("type"), get("period"))
        else {
            continue;
        };
        if !types.contains(&kind) || !(affected.contains(&user) || mapped.contains(&user)) {
            continue;
        }
        let Some((start, end)) = period_bounds(&period, today) else {
            tracing::warn!(
                "goal {} has an unknown period {period:?}; left as it is",
                goal.id()
            );
            continue;
        };
        let stored_start = value::field(&goal.fields, "startDate").and_then(value::as_timestamp);
        let rolled_over = stored_start.map(|t| t.date()) != Some(start);
        if !affected.contains(&user) && !rolled_over {
            continue;
        }
        let (from, to) = (
            start.and_hms_opt(0, 0, 0).unwrap(),
            end.and_hms_opt(23, 59, 59).unwrap(),
        );
        let query = json!({
            "from": [{ "collectionId": "metrics" }],
            "where": { "compositeFilter": { "op": "AND", "filters": [
                { "fieldFilter": { "field": { "fieldPath": "userId" }, "op": "EQUAL", "value": value::string(&user) } },
                { "fieldFilter": { "field": { "fieldPath": "type" }, "op": "EQUAL", "value": value::string(&kind) } },
                { "fieldFilter": { "field": { "fieldPath": "date" }, "op": "GREATER_THAN_OR_EQUAL", "value": value::timestamp(from) } },
                { "fieldFilter": { "field": { "fieldPath": "date" }, "op": "LESS_THAN_OR_EQUAL", "value": value::timestamp(to) } },
            ] } }
        });
        // Every source counts (copper, fishbowl, manual, justcall), as on the dashboard.
        let current: f64 = client
            .run_query(query)
            .await
            .with_context(|| format!("summing metrics for goal {}", goal.id()))?
            .iter()
            .filter_map(|m| value::field(&m.fields, "value").and_then(value::as_f64))
            .sum();
        let mut fields = Map::new();
        fields.insert("current".into(), value::number(current));
        fields.insert("startDate".into(), value::timestamp(from));
        fields.insert("endDate".into(), value::timestamp(to));
        fields.insert("updatedAt".into(), value::timestamp(now));
        writes.push(Write {
            path: format!("goals/{}", goal.id()),
            fields,
            update_mask: Some(vec![
                "current".into(),
                "startDate".into(),
                "endDate".into(),
                "updatedAt".into(),
            ]),
        });
    }
    let mut updated = 0;
    for range in chunks(client, &writes) {
        let outcomes = client.batch_write(&writes[range.clone()]).await?;
        for (w, o) in writes[range].iter().zip(outcomes) {
            match o {
                WriteOutcome::Written => updated += 1,
                WriteOutcome::Failed(reason) => anyhow::bail!("updating {}: {reason}", w.path),
            }
        }
    }
    Ok(updated)
}

/// The business time zone's today.
fn business_today(store: &Store) -> anyhow::Result<NaiveDate> {
    let zone = store
        .setting("business_timezone")?
        .unwrap_or_else(|| "UTC".into());
    let tz = crate::store::tz::parse_zone(&zone)?;
    Ok(tz.from_utc_datetime(&now_utc()).date_naive())
}

/// Runs one export. `client` may be `None` only for a dry run with `--users-file`.
pub async fn run_export(
    store: &Store,
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
    let ambiguous = store_users(store, &users)?;
    let mut summary = ExportSummary {
        dashboard_users: users.len(),
        ambiguous_emails: ambiguous,
        unmapped_agents: unmapped_agents(store)?,
        dry_run: opts.dry_run,
        ..ExportSummary::default()
    };
    summary.mapped_users = store.conn().query_row(
        "SELECT count(DISTINCT user_id) FROM fct_dashboard_metrics",
        [],
        |r| r.get::<_, i64>(0),
    )? as usize;
    let (docs, unchanged) = plan(store, opts)?;
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
    let mut affected_users = BTreeSet::new();
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
                WriteOutcome::Written => {
                    ok.push(doc);
                    affected_users.insert(doc.user_id.clone());
                }
                WriteOutcome::Failed(reason) => summary.failed.push((doc.id.clone(), reason)),
            }
        }
        record_written(store, &ok)?;
        summary.written += ok.len();
        bar.inc(range.len() as u64);
        tracing::debug!("wrote {} of {} documents", summary.written, summary.planned);
    }
    bar.finish_and_clear();
    if opts.update_goals {
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
        summary.goals_updated =
            update_goals(client, &affected_users, &mapped, &opts.metric_types, today).await?;
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
        "  dashboard users: {} read, {} with JustCall activity",
        s.dashboard_users, s.mapped_users
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_follow_the_dashboard() {
        let today = d("2026-11-25"); // a Wednesday
        assert_eq!(period_bounds("daily", today), Some((today, today)));
        assert_eq!(
            period_bounds("weekly", today),
            Some((d("2026-11-23"), d("2026-11-29")))
        );
        assert_eq!(
            period_bounds("monthly", today),
            Some((d("2026-11-01"), d("2026-11-30")))
        );
        assert_eq!(
            period_bounds("quarterly", today),
            Some((d("2026-10-01"), d("2026-12-31")))
        );
        assert_eq!(
            period_bounds("quarterly", d("2026-02-10")),
            Some((d("2026-01-01"), d("2026-03-31")))
        );
        assert_eq!(
            period_bounds("weekly", d("2026-11-23")).unwrap().0,
            d("2026-11-23")
        );
        assert_eq!(period_bounds("yearly", today), None);
    }

    #[test]
    fn ids_and_hashes_are_deterministic_and_ignore_write_times() {
        assert_eq!(
            document_id("u1", "sms_quantity", d("2026-11-02")),
            "u1_sms_quantity_2026-11-02_justcall"
        );
        let a = planned(
            "u1",
            "sms_quantity",
            d("2026-11-02"),
            3.0,
            metadata("sms_quantity", 0, 0, 0, 0, 0, 0, 3, 1),
        );
        let b = planned(
            "u1",
            "sms_quantity",
            d("2026-11-02"),
            3.0,
            metadata("sms_quantity", 0, 0, 0, 0, 0, 0, 3, 1),
        );
        let c = planned(
            "u1",
            "sms_quantity",
            d("2026-11-02"),
            4.0,
            metadata("sms_quantity", 0, 0, 0, 0, 0, 0, 4, 1),
        );
        assert_eq!(a.hash, b.hash);
        assert_ne!(a.hash, c.hash);
        let w = to_write(&a, noon_utc(d("2026-11-03")));
        assert_eq!(
            w.fields["date"],
            json!({"timestampValue": "2026-11-02T12:00:00.000000Z"})
        );
        assert_eq!(w.fields["value"], json!({"integerValue": "3"}));
        assert_eq!(w.path, "metrics/u1_sms_quantity_2026-11-02_justcall");
    }
}
