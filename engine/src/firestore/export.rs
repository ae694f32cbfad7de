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
use chrono::{NaiveDate, NaiveDateTime, TimeZone as _};
use duckdb::params;
use serde_json::{json, Map, Value};

use callduck_metrics::pace::Period;

use super::value;
use super::{FirestoreClient, Write, WriteOutcome};
use crate::store::load::stable_hash;
use crate::store::{now_utc, Store, StoreAccess};

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
    /// Where the documents go (the ledger is kept per target).
    pub target: String,
    /// With `verify`: ledger entries dropped because Firestore did not hold them as recorded.
    pub repaired: usize,
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

/// The same key as the views' `callduck_email_key` (ASCII whitespace trimmed, lower case).
fn email_key(email: &str) -> String {
    callduck_metrics::options::normalize_email(email)
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

/// The ledger's name for where `client` writes: project and database, marked when it is an
/// emulator (the same project id on an emulator and in production are two targets). The
/// emulator's address is left out: it changes between runs of the same emulator data, and a
/// ledger that is wrong about another emulator is repaired by `--verify`.
pub fn target_of(client: Option<&FirestoreClient>) -> String {
    match client.map(FirestoreClient::config) {
        None => "(no Firestore: dry run from a users file)".to_string(),
        Some(c) => {
            let name = format!("projects/{}/databases/{}", c.project_id, c.database);
            match &c.emulator_host {
                Some(_) => format!("{name} (emulator)"),
                None => name,
            }
        }
    }
}

/// Replaces `firestore_users` inside the caller's transaction; returns the emails shared by
/// several users (mapped to no one).
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
    conn.execute_batch("DELETE FROM firestore_users;")?;
    let now = now_utc();
    let mut stmt = conn.prepare("INSERT OR REPLACE INTO firestore_users VALUES (?, ?, ?, ?, ?)")?;
    for u in users {
        let key = u
            .email
            .as_deref()
            .map(email_key)
            .filter(|k| !k.is_empty() && !ambiguous.contains(k));
        stmt.execute(params![u.uid, u.email, key, u.name, now])
            .context("storing the dashboard's users")?;
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

/// The metric types as an SQL list of literals.
fn types_sql(opts: &ExportOptions) -> String {
    let types: Vec<String> = opts
        .metric_types
        .iter()
        .map(|t| format!("'{}'", t.replace('\'', "''")))
        .collect();
    types.join(", ")
}

/// The local days of the export, bounded to dates DuckDB and Firestore both hold.
fn day_range(opts: &ExportOptions) -> (NaiveDate, NaiveDate) {
    let since = opts.since.unwrap_or(NaiveDate::MIN);
    let until = opts.until.unwrap_or(NaiveDate::MAX);
    (
        since.max(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()),
        until.min(NaiveDate::from_ymd_opt(2999, 12, 31).unwrap()),
    )
}

/// Forgets, in the ledger of `target`, every document of the range that Firestore does not hold
/// with the recorded value (deleted or edited by someone else), so the plan writes it again.
async fn verify_ledger<S: StoreAccess>(
    store: &S,
    client: &FirestoreClient,
    opts: &ExportOptions,
    target: &str,
) -> anyhow::Result<usize> {
    let query = json!({
        "from": [{ "collectionId": "metrics" }],
        "where": { "fieldFilter": { "field": { "fieldPath": "source" }, "op": "EQUAL", "value": value::string(SOURCE) } }
    });
    let held: HashMap<String, Option<f64>> = client
        .run_query(query)
        .await
        .context("reading the exported metrics documents to verify them")?
        .iter()
        .map(|d| {
            (
                d.id().to_string(),
                value::field(&d.fields, "value").and_then(value::as_f64),
            )
        })
        .collect();
    let (since, until) = day_range(opts);
    let types = types_sql(opts);
    store.with(|store| -> anyhow::Result<usize> {
        let conn = store.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT document_id, metric_value FROM firestore_export_ledger
             WHERE export_target = ? AND metric_type IN ({types}) AND metric_date BETWEEN ? AND ?"
        ))?;
        let stale: Vec<String> = stmt
            .query_map(params![target, since, until], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))
            })?
            .filter_map(|row| match row {
                Ok((id, recorded)) => match held.get(&id) {
                    Some(Some(v)) if (v - recorded).abs() < 1e-9 => None,
                    _ => Some(Ok(id)),
                },
                Err(e) => Some(Err(e)),
            })
            .collect::<Result<_, _>>()?;
        let mut forget = conn.prepare(
            "DELETE FROM firestore_export_ledger WHERE export_target = ? AND document_id = ?",
        )?;
        for id in &stale {
            forget.execute(params![target, id])?;
        }
        Ok(stale.len())
    })
}

/// The documents to write: changed or new in the range, and days whose activity vanished.
fn plan(
    store: &Store,
    opts: &ExportOptions,
    target: &str,
) -> anyhow::Result<(Vec<PlannedDoc>, usize)> {
    let types = types_sql(opts);
    let (since, until) = day_range(opts);
    let conn = store.conn();

    let mut ledger: HashMap<String, (String, String, NaiveDate, f64, u64)> = HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT document_id, user_id, metric_type, metric_date, metric_value, content_hash
         FROM firestore_export_ledger
         WHERE export_target = ? AND metric_type IN ({types}) AND metric_date BETWEEN ? AND ?"
    ))?;
    let rows = stmt.query_map(params![target, since, until], |r| {
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

fn record_written(store: &Store, docs: &[&PlannedDoc], target: &str) -> anyhow::Result<()> {
    let conn = store.conn();
    conn.execute_batch("BEGIN TRANSACTION")?;
    let now = now_utc();
    let result = (|| -> anyhow::Result<()> {
        let mut stmt = conn.prepare(
            "INSERT OR REPLACE INTO firestore_export_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )?;
        for d in docs {
            stmt.execute(params![
                target,
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

/// Recomputes `current` (and the period bounds) of every goal for `types` of every `mapped`
/// user, every run, and writes those that differ from what the goal holds: so a goal is right
/// after a run that failed half-way, after metrics written by other sources, and when a new day,
/// week, month or quarter starts without new activity.
async fn update_goals(
    client: &FirestoreClient,
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
        if !types.contains(&kind) || !mapped.contains(&user) {
            continue;
        }
        let Some((start, end)) = Period::from_name(&period).map(|p| p.bounds(today)) else {
            tracing::warn!(
                "goal {} has an unknown period {period:?}; left as it is",
                goal.id()
            );
            continue;
        };
        let stored_start = value::field(&goal.fields, "startDate").and_then(value::as_timestamp);
        let rolled_over = stored_start.map(|t| t.date()) != Some(start);
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
        let stored = value::field(&goal.fields, "current").and_then(value::as_f64);
        if !rolled_over && stored.is_some_and(|c| (c - current).abs() < 1e-9) {
            continue;
        }
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

/// Refuses a plan that zeroes more than [`ZEROING_SHARE`] of the documents exported before (and
/// more than [`ZEROING_FLOOR`]) unless `allow_zeroing`: that is what a wrong users source or
/// project looks like, and the dashboard would show zeros where the team worked.
fn check_zeroing(
    store: &Store,
    opts: &ExportOptions,
    target: &str,
    docs: &[PlannedDoc],
) -> anyhow::Result<()> {
    // A dry run shows the zeroed count instead (it writes nothing anyway).
    if opts.allow_zeroing || opts.dry_run {
        return Ok(());
    }
    let zeroed = docs
        .iter()
        .filter(|d| d.value == 0.0 && d.previous.is_some_and(|p| p != 0.0))
        .count();
    if zeroed <= ZEROING_FLOOR {
        return Ok(());
    }
    let (since, until) = day_range(opts);
    let exported: i64 = store.conn().query_row(
        &format!(
            "SELECT count(*) FROM firestore_export_ledger
             WHERE export_target = ? AND metric_value <> 0 AND metric_type IN ({}) AND metric_date BETWEEN ? AND ?",
            types_sql(opts)
        ),
        params![target, since, until],
        |r| r.get(0),
    )?;
    anyhow::ensure!(
        zeroed as f64 <= ZEROING_SHARE * exported as f64,
        "this export would zero {zeroed} of the {exported} documents written before: is the users \
         source or the project right? Nothing was changed. Check with --dry-run, and pass \
         --allow-zeroing if the activity really is gone"
    );
    Ok(())
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
    // The users replace the stored ones only with the plan they lead to: a dry run, or a plan
    // refused for zeroing too much, changes nothing in the file.
    let (ambiguous, unmapped, mapped_users, (docs, unchanged)) =
        store.with(|store| -> anyhow::Result<_> {
            let conn = store.conn();
            conn.execute_batch("BEGIN TRANSACTION")?;
            let planned = (|| -> anyhow::Result<_> {
                let ambiguous = store_users(store, &users)?;
                let mapped_users = conn.query_row(
                    "SELECT count(DISTINCT user_id) FROM fct_dashboard_metrics",
                    [],
                    |r| r.get::<_, i64>(0),
                )? as usize;
                let planned = plan(store, opts, &target)?;
                check_zeroing(store, opts, &target, &planned.0)?;
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
        })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
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
