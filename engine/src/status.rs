//! `callduck status`: what the DuckDB file holds, for a quick look before querying it.

use std::fmt::Write as _;

use chrono::NaiveDateTime;
use duckdb::{params, OptionalExt as _};

use crate::store::Store;

/// Renders the status report of `store`.
pub fn render(store: &Store) -> anyhow::Result<String> {
    let conn = store.conn();
    let mut out = String::new();
    writeln!(
        out,
        "store       {} (schema v{})",
        store.path().display(),
        store.schema_version()?
    )?;
    for (stream, table) in [
        ("users", "raw_justcall__users"),
        ("calls", "raw_justcall__calls"),
        ("texts", "raw_justcall__texts"),
    ] {
        let count: i64 =
            conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        let mark = store.watermark(stream)?;
        let mark = mark.map_or_else(
            || "never synced".to_string(),
            |m| format!("complete up to {m} UTC"),
        );
        writeln!(out, "{stream:<11} {count:>10} records, {mark}")?;
    }
    let (open, total): (i64, i64) = conn.query_row(
        "SELECT count(*) FILTER (WHERE resolved_at IS NULL), count(*) FROM callduck_quarantine",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    writeln!(
        out,
        "quarantine  {open:>10} unresolved ({total} ever; see table callduck_quarantine)"
    )?;
    let last = conn
        .query_row(
            "SELECT run_id, started_at, finished_at, run_status, records_new, records_updated,
                    records_quarantined, requests, responses_429, error_message
             FROM callduck_sync_runs ORDER BY run_id DESC LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, NaiveDateTime>(1)?,
                    r.get::<_, Option<NaiveDateTime>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, Option<i64>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                ))
            },
        )
        .optional()?;
    match last {
        None => writeln!(out, "last sync   none")?,
        Some((id, started, finished, status, new, updated, quarantined, requests, r429, error)) => {
            let n = |v: Option<i64>| v.unwrap_or(0);
            let took = finished.map_or_else(
                || "still running or killed".to_string(),
                |f| format!("{:.1}s", (f - started).num_milliseconds() as f64 / 1000.0),
            );
            writeln!(
                out,
                "last sync   #{id} {status} at {started} UTC ({took}): {} new, {} updated, {} quarantined, {} requests, {} HTTP 429",
                n(new),
                n(updated),
                n(quarantined),
                n(requests),
                n(r429)
            )?;
            if let Some(e) = error {
                writeln!(out, "            error: {e}")?;
            }
        }
    }
    render_budget(store, &mut out)?;
    let (pending, processed, failed, last_event): (i64, i64, i64, Option<NaiveDateTime>) = conn.query_row(
        "SELECT count(*) FILTER (WHERE event_status = 'pending'), count(*) FILTER (WHERE event_status = 'processed'),
                count(*) FILTER (WHERE event_status = 'failed'), max(received_at)
         FROM callduck_webhook_events",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    match last_event {
        None => writeln!(out, "webhooks    none received")?,
        Some(at) => writeln!(
            out,
            "webhooks    {processed} processed, {pending} pending, {failed} failed; last received {at} UTC"
        )?,
    }
    if failed > 0 {
        for e in crate::webhooks::processor::failed_events(store, 5)? {
            let record = e
                .record
                .map_or("-".to_string(), |(s, id)| format!("{s} {id}"));
            writeln!(
                out,
                "            failed {} ({}, {record}): {}",
                e.request_id,
                e.event_type,
                e.reason.unwrap_or_default()
            )?;
        }
        writeln!(
            out,
            "            `callduck events` lists them; `callduck events retry --all` tries them again"
        )?;
    }
    let (documents, last_export): (i64, Option<NaiveDateTime>) = conn.query_row(
        "SELECT count(*), max(exported_at) FROM firestore_export_ledger",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    match last_export {
        None => writeln!(out, "firestore   never exported")?,
        Some(at) => writeln!(
            out,
            "firestore   {documents} metrics documents written; last write {at} UTC"
        )?,
    }
    // Files from before the CRM tables (schema 4) get them at their next write open.
    if store.schema_version()? >= 4 {
        let mut stmt = conn.prepare(
            "SELECT import_kind, rows_loaded, rows_rejected, imported_at FROM crm_imports ORDER BY import_kind",
        )?;
        let imports: Vec<(String, i64, i64, NaiveDateTime)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        if imports.is_empty() {
            writeln!(out, "crm         no customers imported")?;
        }
        for (kind, loaded, rejected, at) in imports {
            writeln!(
                out,
                "crm         {kind}: {loaded} loaded, {rejected} rejected, imported {at} UTC"
            )?;
        }
        let (linked, ambiguous): (i64, i64) = conn.query_row(
            "SELECT count(*) FILTER (WHERE NOT is_ambiguous), count(*) FILTER (WHERE is_ambiguous) FROM crm_contact_links",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if linked + ambiguous > 0 {
            writeln!(
                out,
                "contacts    {linked} linked to customers, {ambiguous} ambiguous (see rpt_contact_matches)"
            )?;
        }
    }
    Ok(out)
}

/// JustCall's Team plan: 1,800 requests an hour (and 30 a minute). The budget line uses the
/// limit JustCall's headers reported when a run recorded one.
pub const TEAM_PLAN_HOURLY_LIMIT: u64 = 1800;

/// The runs whose cost the budget line sums: those that started within this many hours before
/// the latest run.
const BUDGET_WINDOW_HOURS: i64 = 24;

/// The request budget the recent runs used: requests per run and per hour, the busiest clock
/// hour, and their share of the hourly limit; when each stream was last re-scanned in full; and
/// the single-record re-fetches of webhook events in the same hours.
fn render_budget(store: &Store, out: &mut String) -> anyhow::Result<()> {
    let conn = store.conn();
    // Files from before the budget columns get them at their next write open.
    let has_budget: bool = conn.query_row(
        "SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = 'callduck_full_rescans'",
        [],
        |r| r.get(0),
    )?;
    if !has_budget {
        return Ok(());
    }
    let Some(last) = conn.query_row("SELECT max(started_at) FROM callduck_sync_runs", [], |r| {
        r.get::<_, Option<NaiveDateTime>>(0)
    })?
    else {
        return Ok(());
    };
    let from = last - chrono::TimeDelta::hours(BUDGET_WINDOW_HOURS);
    let (runs, requests, first, end, older, limit): (
        i64,
        i64,
        NaiveDateTime,
        NaiveDateTime,
        bool,
        Option<i64>,
    ) = conn.query_row(
        "SELECT count(*), coalesce(sum(requests), 0), min(started_at),
                max(coalesce(finished_at, started_at)),
                (SELECT count(*) > 0 FROM callduck_sync_runs WHERE started_at <= ?),
                (SELECT rate_limit_per_hour FROM callduck_sync_runs
                 WHERE rate_limit_per_hour IS NOT NULL ORDER BY run_id DESC LIMIT 1)
         FROM callduck_sync_runs WHERE started_at > ?",
        params![from, from],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )?;
    let peak: i64 = conn.query_row(
        "SELECT coalesce(max(n), 0) FROM (
             SELECT sum(coalesce(requests, 0)) AS n FROM callduck_sync_runs
             WHERE started_at > ? GROUP BY date_trunc('hour', started_at))",
        [from],
        |r| r.get(0),
    )?;
    // Runs older than the window: the window is all 24 hours; else the hours the runs span.
    let hours = if older {
        BUDGET_WINDOW_HOURS as f64
    } else {
        ((end - first).num_seconds() as f64 / 3600.0).max(1.0)
    };
    let (limit, whose) = match limit.filter(|l| *l > 0) {
        Some(l) => (l as f64, "as JustCall's headers reported"),
        None => (
            TEAM_PLAN_HOURLY_LIMIT as f64,
            "JustCall's Team plan; no limit reported yet",
        ),
    };
    let per_hour = requests as f64 / hours;
    writeln!(
        out,
        "budget      last {BUDGET_WINDOW_HOURS} h of syncs: {runs} run(s), {requests} requests: {:.0} per run, {per_hour:.0} per hour, busiest hour {peak}",
        requests as f64 / runs.max(1) as f64,
    )?;
    writeln!(
        out,
        "            {:.1}% of the hourly limit of {limit:.0}/h (busiest hour {:.1}%), {whose}",
        100.0 * per_hour / limit,
        100.0 * peak as f64 / limit,
    )?;
    // One re-fetch per record per processing pass (the pass marks its events at one instant).
    let refetched: i64 = conn.query_row(
        "SELECT count(*) FROM (SELECT DISTINCT record_stream, record_id, processed_at
             FROM callduck_webhook_events
             WHERE event_status = 'processed' AND record_id IS NOT NULL AND processed_at > ?)",
        [from],
        |r| r.get(0),
    )?;
    if refetched > 0 {
        writeln!(
            out,
            "            webhooks in the same hours: about {refetched} single-record re-fetches ({:.0} per hour, {:.1}%)",
            refetched as f64 / hours,
            100.0 * refetched as f64 / hours / limit
        )?;
    }
    let mut stmt =
        conn.prepare("SELECT stream, rescanned_until FROM callduck_full_rescans ORDER BY stream")?;
    let rescans: Vec<(String, NaiveDateTime)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    if !rescans.is_empty() {
        let list: Vec<String> = rescans
            .iter()
            .map(|(stream, at)| format!("{stream} up to {at} UTC"))
            .collect();
        writeln!(
            out,
            "            last full re-scan of the trailing days: {}",
            list.join(", ")
        )?;
    }
    Ok(())
}
