//! Processing accepted webhook events: re-fetch each record from the JustCall API and upsert it.
//!
//! The webhook body is not signed, so it is never stored as data: the event only says which
//! record to fetch. Because every event ends in "store the record as the API serves it now",
//! duplicate and out-of-order deliveries converge on the same state as one in-order delivery.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use callduck_metrics::{Call, Sms};
use duckdb::params;

use crate::justcall::{JustCallClient, JustCallError, Stream};
use crate::store::load::{parse_record, Loaded, Rejected};
use crate::store::{now_utc, Store};

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Processed {
    pub events: usize,
    pub records: usize,
    pub failed: usize,
}

/// Records re-fetched at the same time.
const FETCH_CONCURRENCY: usize = 8;

/// Events still waiting (accepted, not yet processed).
pub fn pending_count(store: &Store) -> anyhow::Result<i64> {
    Ok(store.conn().query_row(
        "SELECT count(*) FROM callduck_webhook_events WHERE event_status = 'pending'",
        [],
        |r| r.get(0),
    )?)
}

fn stream_of(name: &str) -> Option<Stream> {
    match name {
        "calls" => Some(Stream::Calls),
        "texts" => Some(Stream::Texts),
        _ => None,
    }
}

/// Processes up to `limit` pending events, oldest first. A record the API no longer has marks its
/// events failed; any other API error leaves them pending for the next pass and is returned.
pub async fn process_pending(
    store: &Arc<Mutex<Store>>,
    client: &JustCallClient,
    limit: usize,
) -> anyhow::Result<Processed> {
    let events: Vec<(String, String, i64)> = {
        let store = store.lock().expect("store lock");
        let mut stmt = store.conn().prepare(
            "SELECT request_id, record_stream, record_id FROM callduck_webhook_events
             WHERE event_status = 'pending' ORDER BY received_at, request_id LIMIT ?",
        )?;
        let rows = stmt.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    if events.is_empty() {
        return Ok(Processed::default());
    }
    let records: BTreeSet<(String, i64)> =
        events.iter().map(|(_, s, id)| (s.clone(), *id)).collect();
    let mut calls: Vec<Loaded<Call>> = Vec::new();
    let mut texts: Vec<Loaded<Sms>> = Vec::new();
    let (mut bad_calls, mut bad_texts): (Vec<Rejected>, Vec<Rejected>) = (Vec::new(), Vec::new());
    let mut gone: Vec<(String, i64, String)> = Vec::new();
    let mut fetched = 0;
    let mut stopped: Option<anyhow::Error> = None;
    // Re-fetch a few records at a time (the client's pacer keeps within the rate limits).
    let records: Vec<(String, i64)> = records.into_iter().collect();
    'chunks: for chunk in records.chunks(FETCH_CONCURRENCY) {
        let mut fetches = tokio::task::JoinSet::new();
        for (i, (stream_name, id)) in chunk.iter().enumerate() {
            let Some(stream) = stream_of(stream_name) else {
                continue;
            };
            let (client, id) = (client.clone(), *id);
            fetches.spawn(async move { (i, stream, client.get_record(stream, id).await) });
        }
        let mut answers = Vec::with_capacity(chunk.len());
        while let Some(joined) = fetches.join_next().await {
            answers.push(joined?);
        }
        answers.sort_by_key(|(i, _, _)| *i);
        for (i, stream, answer) in answers {
            let (stream_name, id) = &chunk[i];
            match answer {
                Ok(raw) => {
                    fetched += 1;
                    match stream {
                        Stream::Calls => match parse_record::<Call>(raw.get()) {
                            Ok(r) => calls.push(r),
                            Err(r) => bad_calls.push(r),
                        },
                        _ => match parse_record::<Sms>(raw.get()) {
                            Ok(r) => texts.push(r),
                            Err(r) => bad_texts.push(r),
                        },
                    }
                }
                Err(JustCallError::NotFound { request }) => {
                    gone.push((stream_name.clone(), *id, format!("{request}: not found")))
                }
                Err(e) => {
                    // Keep what was fetched; the rest stays pending for the next pass.
                    stopped = Some(
                        anyhow::Error::new(e).context(format!("re-fetching {stream_name} {id}")),
                    );
                    break 'chunks;
                }
            }
        }
    }
    let done: BTreeSet<(String, i64)> = calls
        .iter()
        .map(|c| ("calls".to_string(), c.record.id))
        .chain(texts.iter().map(|t| ("texts".to_string(), t.record.id)))
        .chain(
            bad_calls
                .iter()
                .filter_map(|r| Some(("calls".to_string(), r.record_id.as_deref()?.parse().ok()?))),
        )
        .chain(
            bad_texts
                .iter()
                .filter_map(|r| Some(("texts".to_string(), r.record_id.as_deref()?.parse().ok()?))),
        )
        .collect();
    let mut processed = Processed {
        records: fetched,
        ..Processed::default()
    };
    {
        let mut store = store.lock().expect("store lock");
        if !calls.is_empty() || !bad_calls.is_empty() {
            store.write_batch(&calls, &bad_calls, None)?;
        }
        if !texts.is_empty() || !bad_texts.is_empty() {
            store.write_batch(&texts, &bad_texts, None)?;
        }
        let now = now_utc();
        let conn = store.conn();
        let mut mark = conn.prepare(
            "UPDATE callduck_webhook_events SET event_status = ?, processed_at = ?, error_message = ?
             WHERE request_id = ?",
        )?;
        conn.execute_batch("BEGIN TRANSACTION")?;
        for (request_id, stream, id) in &events {
            let key = (stream.clone(), *id);
            if done.contains(&key) {
                mark.execute(params!["processed", now, None::<String>, request_id])?;
                processed.events += 1;
            } else if let Some((_, _, why)) =
                gone.iter().find(|(s, i, _)| *s == key.0 && *i == key.1)
            {
                mark.execute(params!["failed", now, why, request_id])?;
                processed.failed += 1;
            }
        }
        conn.execute_batch("COMMIT")?;
    }
    match stopped {
        Some(e) if processed.events == 0 => Err(e),
        Some(e) => {
            tracing::warn!("{e:#}; the remaining events stay pending");
            Ok(processed)
        }
        None => Ok(processed),
    }
}
