//! `callduck export dashboard`: the files the browser dashboard loads.
//!
//! Writes, into one directory:
//! * `calls.cdbatch`, `texts.cdbatch`: every call and SMS of the range's local days (as the SQL
//!   views bucket them, so the batches hold exactly the records behind `sqlTotalsByAgent`) as
//!   columnar batches (the binary layout of `callduck_metrics::columnar::file`), built by the same core the
//!   WebAssembly module runs, from the records' raw JSON, so the browser recomputes exactly what
//!   the SQL views compute;
//! * `dashboard.json`: the agents (id, email, name, time zone), the business time zone, the most
//!   recent calls with their details (disposition, rating, notes, recording, voicemail
//!   transcription), goal targets, and the SQL views' per-agent totals for cross-checks.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use callduck_metrics::columnar::{CallColumns, SmsColumns};
use callduck_metrics::{Call, Sms};
use chrono::NaiveDate;
use duckdb::params;
use serde_json::{json, Value};

use crate::store::Store;

/// What to export for the dashboard.
#[derive(Debug, Clone)]
pub struct DashboardExport {
    /// Directory to write (created if missing).
    pub out_dir: PathBuf,
    /// First local day (the agent's, as in `stg_justcall__calls.local_date`) of records to
    /// include (default: all).
    pub since: Option<NaiveDate>,
    /// Last local day of records to include (default: all).
    pub until: Option<NaiveDate>,
    /// Recent calls listed with their details.
    pub recent_calls: usize,
    /// Goal targets file (JSON array of {userEmail, type, period, target}); default targets
    /// per agent when absent.
    pub goals_file: Option<PathBuf>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct DashboardSummary {
    pub calls: usize,
    pub texts: usize,
    pub quarantined: usize,
    pub bytes: u64,
}

/// A stream's raw table, staging view, key and time column.
type Source = [&'static str; 4];
const CALLS: Source = [
    "raw_justcall__calls",
    "stg_justcall__calls",
    "call_id",
    "started_at",
];
const TEXTS: Source = [
    "raw_justcall__texts",
    "stg_justcall__texts",
    "sms_id",
    "sent_at",
];

/// The raw JSON of a stream's records whose local day (from its staging view, `key` joining the
/// two) is in the range, in time order. Selecting by UTC day instead would leave out or add the
/// evening records that the SQL totals, cross-checked by the page, count on a neighbouring day.
fn raw_json(
    store: &Store,
    [table, staging, key, time]: Source,
    opts: &DashboardExport,
) -> anyhow::Result<Vec<String>> {
    let (since, until) = day_range(opts);
    let mut stmt = store.conn().prepare(&format!(
        "SELECT CAST(r.raw_json AS VARCHAR) FROM {table} AS r JOIN {staging} AS s USING ({key})
         WHERE s.local_date BETWEEN ? AND ? ORDER BY r.{time}, r.{key}"
    ))?;
    let rows = stmt.query_map(params![since, until], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The export's local days, inclusive (all when unset).
fn day_range(opts: &DashboardExport) -> (NaiveDate, NaiveDate) {
    (
        opts.since
            .unwrap_or(NaiveDate::from_ymd_opt(1900, 1, 1).expect("date")),
        opts.until
            .unwrap_or(NaiveDate::from_ymd_opt(2999, 12, 31).expect("date")),
    )
}

/// Default targets when no goals file is given: a plausible sales-team set per agent.
fn default_goals(agents: &[Value]) -> Vec<Value> {
    let mut goals = Vec::new();
    for a in agents {
        let email = a["email"].clone();
        for (kind, period, target) in [
            ("phone_call_quantity", "daily", 20),
            ("phone_call_quantity", "weekly", 100),
            ("talk_time_minutes", "weekly", 300),
            ("sms_quantity", "monthly", 250),
        ] {
            goals.push(
                json!({ "userEmail": email, "type": kind, "period": period, "target": target }),
            );
        }
    }
    goals
}

/// Writes the dashboard files.
pub fn export_dashboard(store: &Store, opts: &DashboardExport) -> anyhow::Result<DashboardSummary> {
    std::fs::create_dir_all(&opts.out_dir)
        .with_context(|| format!("creating {}", opts.out_dir.display()))?;
    let mut quarantined = 0;
    let calls: Vec<Call> = raw_json(store, CALLS, opts)?
        .iter()
        .filter_map(|raw| serde_json::from_str(raw).map_err(|_| quarantined += 1).ok())
        .collect();
    let texts: Vec<Sms> = raw_json(store, TEXTS, opts)?
        .iter()
        .filter_map(|raw| serde_json::from_str(raw).map_err(|_| quarantined += 1).ok())
        .collect();
    let meta = json!({ "source": "callduck", "generatedAt": crate::store::now_utc().to_string() });
    let call_columns = CallColumns::from_calls(&calls).context("building the calls batch")?;
    let call_bytes = call_columns.to_bytes(meta.clone());
    let sms_bytes = SmsColumns::from_sms(&texts).to_bytes(meta);
    write(&opts.out_dir.join("calls.cdbatch"), &call_bytes)?;
    write(&opts.out_dir.join("texts.cdbatch"), &sms_bytes)?;

    let conn = store.conn();
    let mut stmt = conn.prepare(
        "SELECT user_id, user_name, email, email_key, timezone, effective_timezone FROM stg_justcall__users ORDER BY user_id",
    )?;
    let agents: Vec<Value> = stmt
        .query_map([], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?, "name": r.get::<_, Option<String>>(1)?, "email": r.get::<_, Option<String>>(2)?,
                "emailKey": r.get::<_, Option<String>>(3)?, "timezone": r.get::<_, Option<String>>(4)?,
                "effectiveTimezone": r.get::<_, String>(5)?,
            }))
        })?
        .collect::<Result<_, _>>()?;
    // The zone the views use for agents without a usable zone of their own (the setting trimmed,
    // UTC when callduck has no offsets for it), so the page buckets those records as SQL does.
    let business: String =
        conn.query_row("SELECT callduck_business_timezone()", [], |r| r.get(0))?;

    // Recent calls with everything the list shows, newest first.
    let recent: Vec<Value> = calls
        .iter()
        .rev()
        .take(opts.recent_calls)
        .map(|c| {
            json!({
                "id": c.id, "startedAt": format!("{}Z", c.started_at().format("%Y-%m-%dT%H:%M:%S")),
                "agentId": c.agent_id, "agentEmail": c.agent_email, "contactName": c.contact_name,
                "contactNumber": c.contact_number, "direction": c.call_info.direction.as_str(),
                "type": c.call_info.call_type, "disposition": c.call_info.disposition,
                "rating": c.call_info.rating, "notes": c.call_info.notes,
                "recording": c.call_info.recording, "voicemailTranscription": c.call_info.voicemail_transcription,
                "totalDuration": c.call_duration.total_duration,
            })
        })
        .collect();

    let goals: Vec<Value> = match &opts.goals_file {
        Some(path) => serde_json::from_str(
            &std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
        )
        .with_context(|| {
            format!(
                "{} must be a JSON array of {{userEmail, type, period, target}}",
                path.display()
            )
        })?,
        None => default_goals(&agents),
    };

    // The SQL views' totals per agent over the exported days, for the page's cross-check. Agents
    // as fct_agent_daily has them: records without an agent id one row per email (`agentEmail`).
    let (since, until) = day_range(opts);
    let mut stmt = conn.prepare(
        "SELECT agent_id, CASE WHEN agent_id IS NULL THEN agent_email_key END AS unrouted_email_key,
                CAST(sum(phone_call_quantity) AS BIGINT), CAST(sum(completed_calls) AS BIGINT),
                CAST(sum(missed_calls) AS BIGINT), CAST(sum(talk_time_seconds) AS BIGINT), CAST(sum(sms_quantity) AS BIGINT)
         FROM fct_agent_daily WHERE local_date BETWEEN ? AND ?
         GROUP BY agent_id, unrouted_email_key ORDER BY agent_id, unrouted_email_key",
    )?;
    let sql_totals: Vec<Value> = stmt
        .query_map(params![since, until], |r| {
            Ok(json!({
                "agentId": r.get::<_, Option<i64>>(0)?, "agentEmail": r.get::<_, Option<String>>(1)?,
                "totalCalls": r.get::<_, i64>(2)?, "completedCalls": r.get::<_, i64>(3)?,
                "missedCalls": r.get::<_, i64>(4)?, "talkSeconds": r.get::<_, i64>(5)?, "smsSent": r.get::<_, i64>(6)?,
            }))
        })?
        .collect::<Result<_, _>>()?;

    let manifest = json!({
        "generatedAt": format!("{}Z", crate::store::now_utc().format("%Y-%m-%dT%H:%M:%S")),
        "businessTimezone": business,
        "files": { "calls": "calls.cdbatch", "texts": "texts.cdbatch" },
        "agents": agents,
        "goals": goals,
        "recentCalls": recent,
        "sqlTotalsByAgent": sql_totals,
        "counts": { "calls": calls.len(), "texts": texts.len() },
    });
    let manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
    write(&opts.out_dir.join("dashboard.json"), &manifest_bytes)?;
    Ok(DashboardSummary {
        calls: calls.len(),
        texts: texts.len(),
        quarantined,
        bytes: (call_bytes.len() + sms_bytes.len() + manifest_bytes.len()) as u64,
    })
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    // Write then rename, so a page never loads half a file.
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}
