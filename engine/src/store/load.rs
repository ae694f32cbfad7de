//! Bulk load of parsed JustCall records: Arrow batch → staging table → upsert by id.
//!
//! Each [`Store::write_batch`] is one transaction: the batch is appended (Arrow, through the
//! Appender) to an index-free temporary staging table, compared with the stored rows by id and
//! `record_hash`, and only new or changed records are written; rejected records go to the
//! quarantine in the same transaction, and so does the stream's watermark. A crash at any point
//! therefore leaves either the whole batch and its watermark, or neither: a re-run fetches the
//! same pages again and the upsert makes that harmless.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, ListBuilder, StringArray,
    StringBuilder, TimestampMicrosecondArray, UInt64Array,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use callduck_metrics::{Call, Sms, User};
use chrono::NaiveDateTime;
use duckdb::params;
use serde::de::DeserializeOwned;

use super::{now_utc, Store};

/// A record that parsed, with its raw JSON exactly as served and a stable hash of it.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub record: T,
    pub raw: String,
    pub hash: u64,
}

/// A record that did not parse: kept whole, with the reason, for the quarantine table.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub record_id: Option<String>,
    pub reason: String,
    pub raw: String,
    pub hash: u64,
}

/// FNV-1a, 64 bit: a hash that stays the same across Rust and DuckDB versions, so a re-scan of
/// an unchanged payload is recognised as unchanged forever.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Parses one raw record; on failure keeps it for quarantine with a reason naming the field.
pub fn parse_record<T: DeserializeOwned>(raw: &str) -> Result<Loaded<T>, Rejected> {
    let hash = stable_hash(raw.as_bytes());
    match serde_json::from_str::<T>(raw) {
        Ok(record) => Ok(Loaded {
            record,
            raw: raw.to_owned(),
            hash,
        }),
        Err(e) => {
            let record_id = serde_json::from_str::<serde_json::Value>(raw)
                .ok()
                .and_then(|v| match v.get("id") {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                });
            Err(Rejected {
                record_id,
                reason: e.to_string(),
                raw: raw.to_owned(),
                hash,
            })
        }
    }
}

/// What a stream's records need to be stored: their table, key and Arrow shape.
pub trait StreamRecord: DeserializeOwned + Send + 'static {
    /// Stream name as used in sync state and quarantine: `users`, `calls`, `texts`.
    const STREAM: &'static str;
    /// Raw table (see `sql/schema/`).
    const TABLE: &'static str;
    /// Key column of the raw table.
    const KEY: &'static str;
    fn id(&self) -> i64;
    /// The staging columns (the raw table's, less `first_synced_at` and `updated_at`), in order.
    fn batch(rows: &[&Loaded<Self>]) -> anyhow::Result<RecordBatch>;
}

/// What one batch write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOutcome {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rejected records seen in this batch (whether or not the quarantine already held them).
    pub rejected: u64,
    /// Rejected payloads the quarantine did not hold before.
    pub quarantined_new: u64,
}

impl WriteOutcome {
    pub fn add(&mut self, other: WriteOutcome) {
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.rejected += other.rejected;
        self.quarantined_new += other.quarantined_new;
    }
}

fn ts(t: Option<NaiveDateTime>) -> Option<i64> {
    t.map(|t| t.and_utc().timestamp_micros())
}

fn strs<'a>(it: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(it))
}

fn timestamps(it: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from_iter(it))
}

fn i32s(it: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(Int32Array::from_iter_values(
        it.map(|v| v.clamp(i32::MIN as i64, i32::MAX as i64) as i32),
    ))
}

fn field(name: &str, dt: DataType) -> Field {
    Field::new(name, dt, true)
}

fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, None)
}

fn finish(fields: Vec<Field>, columns: Vec<ArrayRef>) -> anyhow::Result<RecordBatch> {
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

fn hashes_and_raw<T>(rows: &[&Loaded<T>]) -> (ArrayRef, ArrayRef) {
    (
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.hash))),
        strs(rows.iter().map(|r| Some(r.raw.as_str()))),
    )
}

impl StreamRecord for User {
    const STREAM: &'static str = "users";
    const TABLE: &'static str = "raw_justcall__users";
    const KEY: &'static str = "user_id";

    fn id(&self) -> i64 {
        self.id
    }

    fn batch(rows: &[&Loaded<Self>]) -> anyhow::Result<RecordBatch> {
        let u = || rows.iter().map(|r| &r.record);
        let (hash, raw) = hashes_and_raw(rows);
        finish(
            vec![
                field("user_id", DataType::Int64),
                field("user_name", DataType::Utf8),
                field("email", DataType::Utf8),
                field("user_role", DataType::Utf8),
                field("extension", DataType::Utf8),
                field("timezone", DataType::Utf8),
                field("record_hash", DataType::UInt64),
                field("raw_json", DataType::Utf8),
            ],
            vec![
                Arc::new(Int64Array::from_iter_values(u().map(|r| r.id))),
                strs(u().map(|r| r.name.as_deref())),
                strs(u().map(|r| r.email.as_deref())),
                strs(u().map(|r| r.role.as_deref())),
                strs(u().map(|r| r.extension.as_deref())),
                strs(u().map(|r| r.timezone.as_deref())),
                hash,
                raw,
            ],
        )
    }
}

impl StreamRecord for Call {
    const STREAM: &'static str = "calls";
    const TABLE: &'static str = "raw_justcall__calls";
    const KEY: &'static str = "call_id";

    fn id(&self) -> i64 {
        self.id
    }

    fn batch(rows: &[&Loaded<Self>]) -> anyhow::Result<RecordBatch> {
        let c = || rows.iter().map(|r| &r.record);
        let d = || rows.iter().map(|r| &r.record.call_duration);
        let mut tags = ListBuilder::new(StringBuilder::new());
        for call in c() {
            for tag in &call.tags {
                tags.values().append_value(tag);
            }
            tags.append(true);
        }
        let (hash, raw) = hashes_and_raw(rows);
        let list_type = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
        finish(
            vec![
                field("call_id", DataType::Int64),
                field("call_sid", DataType::Utf8),
                field("started_at", ts_type()),
                field("user_started_at", ts_type()),
                field("agent_id", DataType::Int64),
                field("agent_name", DataType::Utf8),
                field("agent_email", DataType::Utf8),
                field("is_agent_active", DataType::Boolean),
                field("contact_number", DataType::Utf8),
                field("contact_name", DataType::Utf8),
                field("contact_email", DataType::Utf8),
                field("justcall_number", DataType::Utf8),
                field("justcall_line_name", DataType::Utf8),
                field("direction", DataType::Utf8),
                field("call_type", DataType::Utf8),
                field("missed_call_reason", DataType::Utf8),
                field("call_status", DataType::Utf8),
                field("disposition", DataType::Utf8),
                field("notes", DataType::Utf8),
                field("rating", DataType::Int32),
                field("recording_url", DataType::Utf8),
                field("voicemail_transcription", DataType::Utf8),
                field("ring_seconds", DataType::Int32),
                field("queue_wait_seconds", DataType::Int32),
                field("conversation_seconds", DataType::Int32),
                field("hold_seconds", DataType::Int32),
                field("total_duration_seconds", DataType::Int32),
                field("wrap_up_seconds", DataType::Int32),
                field("handle_seconds", DataType::Int32),
                field("cost_incurred", DataType::Float64),
                field("tags", list_type),
                field("record_hash", DataType::UInt64),
                field("raw_json", DataType::Utf8),
            ],
            vec![
                Arc::new(Int64Array::from_iter_values(c().map(|r| r.id))),
                strs(c().map(|r| r.call_sid.as_deref())),
                timestamps(c().map(|r| ts(Some(r.started_at())))),
                timestamps(c().map(|r| {
                    ts(r.call_user_date
                        .zip(r.call_user_time)
                        .map(|(d, t)| d.and_time(t)))
                })),
                Arc::new(Int64Array::from_iter(c().map(|r| r.agent_id))),
                strs(c().map(|r| r.agent_name.as_deref())),
                strs(c().map(|r| r.agent_email.as_deref())),
                Arc::new(BooleanArray::from_iter(c().map(|r| r.agent_active))),
                strs(c().map(|r| r.contact_number.as_deref())),
                strs(c().map(|r| r.contact_name.as_deref())),
                strs(c().map(|r| r.contact_email.as_deref())),
                strs(c().map(|r| r.justcall_number.as_deref())),
                strs(c().map(|r| r.justcall_line_name.as_deref())),
                strs(c().map(|r| Some(r.call_info.direction.as_str()))),
                strs(c().map(|r| r.call_info.call_type.as_deref())),
                strs(c().map(|r| r.call_info.missed_call_reason.as_deref())),
                strs(c().map(|r| r.call_info.status.as_deref())),
                strs(c().map(|r| r.call_info.disposition.as_deref())),
                strs(c().map(|r| r.call_info.notes.as_deref())),
                Arc::new(Int32Array::from_iter(c().map(|r| {
                    r.call_info
                        .rating
                        .map(|v| v.clamp(i32::MIN as i64, i32::MAX as i64) as i32)
                }))),
                strs(c().map(|r| r.call_info.recording.as_deref())),
                strs(c().map(|r| r.call_info.voicemail_transcription.as_deref())),
                i32s(d().map(|x| x.ring_time)),
                i32s(d().map(|x| x.queue_wait_time)),
                i32s(d().map(|x| x.conversation_time)),
                i32s(d().map(|x| x.hold_time)),
                i32s(d().map(|x| x.total_duration)),
                i32s(d().map(|x| x.wrap_up_time)),
                i32s(d().map(|x| x.handle_time)),
                Arc::new(Float64Array::from_iter(c().map(|r| r.cost_incurred))),
                Arc::new(tags.finish()),
                hash,
                raw,
            ],
        )
    }
}

impl StreamRecord for Sms {
    const STREAM: &'static str = "texts";
    const TABLE: &'static str = "raw_justcall__texts";
    const KEY: &'static str = "sms_id";

    fn id(&self) -> i64 {
        self.id
    }

    fn batch(rows: &[&Loaded<Self>]) -> anyhow::Result<RecordBatch> {
        let s = || rows.iter().map(|r| &r.record);
        let (hash, raw) = hashes_and_raw(rows);
        finish(
            vec![
                field("sms_id", DataType::Int64),
                field("sent_at", ts_type()),
                field("user_sent_at", ts_type()),
                field("agent_id", DataType::Int64),
                field("agent_name", DataType::Utf8),
                field("agent_email", DataType::Utf8),
                field("contact_number", DataType::Utf8),
                field("contact_name", DataType::Utf8),
                field("contact_email", DataType::Utf8),
                field("justcall_number", DataType::Utf8),
                field("justcall_line_name", DataType::Utf8),
                field("direction", DataType::Utf8),
                field("body", DataType::Utf8),
                field("is_mms", DataType::Boolean),
                field("delivery_status", DataType::Utf8),
                field("is_deleted", DataType::Boolean),
                field("medium", DataType::Utf8),
                field("cost_incurred", DataType::Float64),
                field("record_hash", DataType::UInt64),
                field("raw_json", DataType::Utf8),
            ],
            vec![
                Arc::new(Int64Array::from_iter_values(s().map(|r| r.id))),
                timestamps(s().map(|r| ts(Some(r.sent_at())))),
                timestamps(s().map(|r| {
                    ts(r.sms_user_date
                        .zip(r.sms_user_time)
                        .map(|(d, t)| d.and_time(t)))
                })),
                Arc::new(Int64Array::from_iter(s().map(|r| r.agent_id))),
                strs(s().map(|r| r.agent_name.as_deref())),
                strs(s().map(|r| r.agent_email.as_deref())),
                strs(s().map(|r| r.contact_number.as_deref())),
                strs(s().map(|r| r.contact_name.as_deref())),
                strs(s().map(|r| r.contact_email.as_deref())),
                strs(s().map(|r| r.justcall_number.as_deref())),
                strs(s().map(|r| r.justcall_line_name.as_deref())),
                strs(s().map(|r| Some(r.direction.as_str()))),
                strs(s().map(|r| r.sms_info.body.as_deref())),
                Arc::new(BooleanArray::from_iter(
                    s().map(|r| Some(r.sms_info.is_mms)),
                )),
                strs(s().map(|r| r.delivery_status.as_deref())),
                Arc::new(BooleanArray::from_iter(s().map(|r| Some(r.is_deleted)))),
                strs(s().map(|r| r.medium.as_deref())),
                Arc::new(Float64Array::from_iter(s().map(|r| r.cost_incurred))),
                hash,
                raw,
            ],
        )
    }
}

fn staging_table<T: StreamRecord>() -> String {
    format!("callduck_load_{}", T::STREAM)
}

impl Store {
    /// Creates the temporary staging table of a stream (same columns as the raw table, less the
    /// two bookkeeping timestamps, JSON as plain text, no constraints) if this connection lacks it.
    fn ensure_staging<T: StreamRecord>(&self) -> anyhow::Result<()> {
        self.conn().execute_batch(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS {stage} AS
             SELECT * EXCLUDE (first_synced_at, updated_at) REPLACE (CAST(raw_json AS VARCHAR) AS raw_json)
             FROM {table} LIMIT 0",
            stage = staging_table::<T>(),
            table = T::TABLE
        ))?;
        Ok(())
    }

    /// The staging table's column names, in order (the shape [`StreamRecord::batch`] must have).
    pub fn staging_columns<T: StreamRecord>(&self) -> anyhow::Result<Vec<String>> {
        self.ensure_staging::<T>()?;
        let mut stmt = self.conn().prepare(&format!(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = '{}' ORDER BY column_index",
            staging_table::<T>()
        ))?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(names)
    }

    /// Writes one batch of a stream in one transaction: upserts `records` by id (last one wins
    /// within the batch; unchanged payloads are not rewritten), quarantines `rejected`, and when
    /// `watermark` is given raises the stream's watermark to it.
    pub fn write_batch<T: StreamRecord>(
        &self,
        records: &[Loaded<T>],
        rejected: &[Rejected],
        watermark: Option<NaiveDateTime>,
    ) -> anyhow::Result<WriteOutcome> {
        self.ensure_staging::<T>()?;
        // Last occurrence of each id wins (a record served twice in one batch is stored once).
        let mut last: HashMap<i64, usize> = HashMap::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            last.insert(r.record.id(), i);
        }
        let mut keep: Vec<&Loaded<T>> = records
            .iter()
            .enumerate()
            .filter(|(i, r)| last[&r.record.id()] == *i)
            .map(|(_, r)| r)
            .collect();
        keep.sort_by_key(|r| r.record.id());

        let conn = self.conn();
        conn.execute_batch("BEGIN TRANSACTION")?;
        let result = self.write_batch_in_tx::<T>(&keep, rejected, watermark);
        match result {
            Ok(mut outcome) => {
                conn.execute_batch("COMMIT")
                    .context("committing the batch")?;
                outcome.unchanged = keep.len() as u64 - outcome.new - outcome.updated;
                Ok(outcome)
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn write_batch_in_tx<T: StreamRecord>(
        &self,
        keep: &[&Loaded<T>],
        rejected: &[Rejected],
        watermark: Option<NaiveDateTime>,
    ) -> anyhow::Result<WriteOutcome> {
        let conn = self.conn();
        let stage = staging_table::<T>();
        let now = now_utc();
        let mut outcome = WriteOutcome::default();
        conn.execute_batch(&format!("DELETE FROM {stage}"))?;
        if !keep.is_empty() {
            let batch = T::batch(keep)?;
            let mut appender = conn.appender_to_catalog_and_db(&stage, "temp", "main")?;
            appender
                .append_record_batch(batch)
                .with_context(|| format!("appending to {stage}"))?;
            appender
                .flush()
                .with_context(|| format!("flushing {stage}"))?;
            drop(appender);

            let (table, key) = (T::TABLE, T::KEY);
            // `keep` is sorted by id. Bounding the stored side by the batch's id range (literal
            // integers, so DuckDB prunes row groups by their min/max) keeps each batch's cost
            // proportional to the batch, not to the table: ids grow with time, so a backfill's
            // batches touch disjoint, recent row groups.
            let (lo, hi) = (keep[0].record.id(), keep[keep.len() - 1].record.id());
            conn.execute_batch(&format!(
                "CREATE OR REPLACE TEMP TABLE callduck_changes AS
                 SELECT s.{key}, t.first_synced_at AS prev_first_synced_at, t.{key} IS NULL AS is_new
                 FROM {stage} AS s
                 LEFT JOIN (SELECT {key}, record_hash, first_synced_at FROM {table}
                            WHERE {key} BETWEEN {lo} AND {hi}) AS t ON t.{key} = s.{key}
                 WHERE t.{key} IS NULL OR t.record_hash <> s.record_hash"
            ))?;
            let (new, updated): (i64, i64) = conn.query_row(
                "SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new) FROM callduck_changes",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if updated > 0 {
                conn.execute_batch(&format!(
                    "DELETE FROM {table} WHERE {key} BETWEEN {lo} AND {hi}
                       AND {key} IN (SELECT {key} FROM callduck_changes WHERE NOT is_new)"
                ))?;
            }
            if new + updated > 0 {
                conn.execute(
                    &format!(
                        "INSERT INTO {table} BY NAME
                         SELECT s.*,
                                coalesce(c.prev_first_synced_at, ?) AS first_synced_at,
                                ? AS updated_at
                         FROM {stage} AS s JOIN callduck_changes AS c USING ({key})"
                    ),
                    params![now, now],
                )?;
                conn.execute(
                    &format!(
                        "UPDATE callduck_quarantine SET resolved_at = ?
                         WHERE stream = ? AND resolved_at IS NULL
                           AND record_id IN (SELECT CAST({key} AS VARCHAR) FROM callduck_changes)"
                    ),
                    params![now, T::STREAM],
                )?;
            }
            outcome.new = new as u64;
            outcome.updated = updated as u64;
        }
        if !rejected.is_empty() {
            let mut stmt = conn.prepare(
                "INSERT INTO callduck_quarantine (stream, record_id, reason, record_hash, raw_json, first_seen_at)
                 SELECT ?, ?, ?, ?, ?, ?
                 WHERE NOT EXISTS (SELECT 1 FROM callduck_quarantine WHERE stream = ? AND record_hash = ?)",
            )?;
            for r in rejected {
                let n = stmt.execute(params![
                    T::STREAM,
                    r.record_id,
                    r.reason,
                    r.hash,
                    r.raw,
                    now,
                    T::STREAM,
                    r.hash
                ])?;
                outcome.quarantined_new += n as u64;
            }
            outcome.rejected = rejected.len() as u64;
        }
        if let Some(mark) = watermark {
            conn.execute(
                "INSERT INTO callduck_sync_state (stream, watermark, updated_at) VALUES (?, ?, ?)
                 ON CONFLICT (stream) DO UPDATE SET
                     watermark = greatest(coalesce(callduck_sync_state.watermark, excluded.watermark), excluded.watermark),
                     updated_at = excluded.updated_at
                 WHERE callduck_sync_state.watermark IS NULL OR excluded.watermark > callduck_sync_state.watermark",
                params![T::STREAM, mark, now],
            )?;
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_hash_is_fnv1a() {
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn rejected_records_keep_id_and_reason() {
        let bad = r#"{"id": "77", "call_date": "2026-13-45", "call_time": "1:00:00", "call_info": {"direction": "Incoming"}}"#;
        let err = parse_record::<Call>(bad).unwrap_err();
        assert_eq!(err.record_id.as_deref(), Some("77"));
        assert!(err.reason.contains("date"), "{}", err.reason);
        assert_eq!(err.raw, bad);
    }

    fn call_json(id: i64, notes: &str) -> String {
        format!(
            r#"{{"id":{id},"call_date":"2026-01-05","call_time":"9:00:00","agent_id":1,
                "call_info":{{"direction":"Incoming","type":"Answered","notes":"{notes}"}},
                "call_duration":{{"conversation_time":60,"total_duration":60,"handle_time":60}},
                "tags":["a","b"]}}"#
        )
    }

    #[test]
    fn staging_shape_matches_arrow_batches() {
        let dir = tempdir();
        let store = Store::open(&dir.join("t.duckdb")).unwrap();
        fn names(b: RecordBatch) -> Vec<String> {
            b.schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect()
        }
        assert_eq!(
            store.staging_columns::<Call>().unwrap(),
            names(Call::batch(&[]).unwrap())
        );
        assert_eq!(
            store.staging_columns::<Sms>().unwrap(),
            names(Sms::batch(&[]).unwrap())
        );
        assert_eq!(
            store.staging_columns::<User>().unwrap(),
            names(User::batch(&[]).unwrap())
        );
    }

    #[test]
    fn upsert_counts_new_updated_unchanged_and_quarantines_once() {
        let dir = tempdir();
        let store = Store::open(&dir.join("t.duckdb")).unwrap();
        let parse = |s: &str| parse_record::<Call>(s).unwrap();
        let first = vec![
            parse(&call_json(1, "x")),
            parse(&call_json(2, "y")),
            parse(&call_json(2, "y")),
        ];
        let bad = parse_record::<Call>(r#"{"id": 3, "call_date": "nope"}"#).unwrap_err();
        let out = store
            .write_batch(&first, std::slice::from_ref(&bad), None)
            .unwrap();
        assert_eq!(
            (out.new, out.updated, out.unchanged, out.quarantined_new),
            (2, 0, 0, 1)
        );

        let second = vec![parse(&call_json(1, "x")), parse(&call_json(2, "edited"))];
        let mark = chrono::NaiveDate::from_ymd_opt(2026, 1, 6)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let out = store
            .write_batch(&second, std::slice::from_ref(&bad), Some(mark))
            .unwrap();
        assert_eq!(
            (out.new, out.updated, out.unchanged, out.quarantined_new),
            (0, 1, 1, 0)
        );

        let (count, notes, tags): (i64, String, String) = store
            .conn()
            .query_row(
                "SELECT count(*), max(notes) FILTER (WHERE call_id = 2), CAST(max(tags) AS VARCHAR) FROM raw_justcall__calls",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (count, notes.as_str(), tags.as_str()),
            (2, "edited", "[a, b]")
        );
        assert_eq!(store.watermark("calls").unwrap(), Some(mark));
        let q: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM callduck_quarantine", [], |r| r.get(0))
            .unwrap();
        assert_eq!(q, 1);
        // A watermark never moves back.
        let earlier = mark - chrono::Duration::days(1);
        store.write_batch::<Call>(&[], &[], Some(earlier)).unwrap();
        assert_eq!(store.watermark("calls").unwrap(), Some(mark));
    }

    fn tempdir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "callduck-load-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
