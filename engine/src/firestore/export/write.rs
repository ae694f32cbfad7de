//! Step 3 of the export: writing. `batchWrite` requests of at most 500 documents and under the
//! size limit; each confirmed write recorded in the ledger of its target right away, so an
//! interrupted export is finished by the next run. `--verify` re-reads what Firestore holds and
//! forgets ledger entries it does not confirm.

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::NaiveDateTime;
use duckdb::params;
use serde_json::{json, Map};

use super::super::value;
use super::super::{FirestoreClient, Write};
use super::plan::{day_range, noon_utc, types_sql, PlannedDoc};
use super::{ExportOptions, SOURCE};
use crate::store::{now_utc, Store, StoreAccess};

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

/// Forgets, in the ledger of `target`, every document of the range that Firestore does not hold
/// with the recorded value (deleted or edited by someone else), so the plan writes it again.
pub(super) async fn verify_ledger<S: StoreAccess>(
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

pub(super) fn to_write(doc: &PlannedDoc, now: NaiveDateTime) -> Write {
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

pub(super) fn record_written(
    store: &Store,
    docs: &[&PlannedDoc],
    target: &str,
) -> anyhow::Result<()> {
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
pub(super) fn chunks(client: &FirestoreClient, writes: &[Write]) -> Vec<std::ops::Range<usize>> {
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
