//! Step 2 of the export: the plan. Every (user, type, local day) of `fct_dashboard_metrics` in
//! the range, plus every document the ledger of this target says was written in the range but has
//! no activity any more (written again with value 0). Documents whose content hash equals the
//! ledger's are skipped; a plan that zeroes too much is refused.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;
use serde_json::{json, Map, Value};

use super::super::value;
use super::{ExportOptions, SOURCE, ZEROING_FLOOR, ZEROING_SHARE};
use crate::store::load::stable_hash;
use crate::store::Store;

/// One planned `metrics` document.
#[derive(Debug, Clone)]
pub(super) struct PlannedDoc {
    pub(super) id: String,
    pub(super) user_id: String,
    pub(super) metric_type: String,
    pub(super) date: NaiveDate,
    pub(super) value: f64,
    pub(super) metadata: Map<String, Value>,
    pub(super) hash: u64,
    pub(super) previous: Option<f64>,
}

/// `{userId}_{type}_{YYYY-MM-DD}_justcall`.
pub fn document_id(user_id: &str, metric_type: &str, date: NaiveDate) -> String {
    format!("{user_id}_{metric_type}_{date}_{SOURCE}")
}

/// 12:00:00 UTC of `date`: the instant the dashboard stores for a day.
pub fn noon_utc(date: NaiveDate) -> NaiveDateTime {
    date.and_hms_opt(12, 0, 0).expect("noon")
}

/// The metric types as an SQL list of literals.
pub(super) fn types_sql(opts: &ExportOptions) -> String {
    let types: Vec<String> = opts
        .metric_types
        .iter()
        .map(|t| format!("'{}'", t.replace('\'', "''")))
        .collect();
    types.join(", ")
}

/// The local days of the export, bounded to dates DuckDB and Firestore both hold.
pub(super) fn day_range(opts: &ExportOptions) -> (NaiveDate, NaiveDate) {
    let since = opts.since.unwrap_or(NaiveDate::MIN);
    let until = opts.until.unwrap_or(NaiveDate::MAX);
    (
        since.max(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()),
        until.min(NaiveDate::from_ymd_opt(2999, 12, 31).unwrap()),
    )
}

/// The documents to write: changed or new in the range, and days whose activity vanished.
pub(super) fn plan(
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
pub(super) fn metadata(
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

pub(super) fn planned(
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

/// Refuses a plan that zeroes more than [`ZEROING_SHARE`] of the documents exported before (and
/// more than [`ZEROING_FLOOR`]) unless `allow_zeroing`: that is what a wrong users source or
/// project looks like, and the dashboard would show zeros where the team worked.
pub(super) fn check_zeroing(
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

#[cfg(test)]
mod tests {
    use super::super::write::to_write;
    use super::*;
    use serde_json::json;

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
