//! `callduck status`: what the DuckDB file holds, for a quick look before querying it.

use std::fmt::Write as _;

use chrono::NaiveDateTime;
use duckdb::OptionalExt as _;

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
