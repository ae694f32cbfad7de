//! Processing accepted webhook events: re-fetch each record from the JustCall API and upsert it.
//!
//! The webhook body is not signed, so it is never stored as data: the event only says which
//! record to fetch. Because every event ends in "store the record as the API serves it now",
//! duplicate and out-of-order deliveries converge on the same state as one in-order delivery.
//!
//! An event whose record cannot be fetched must not hold up the events behind it, nor be fetched
//! again every second. What is retried ([`classify`]) is kept apart from how long to wait
//! ([`EventPolicy::delay`]):
//! * a record JustCall does not have (404) marks its events `failed` at once;
//! * a refused request (400, 422), an answer that cannot be read, a record served under another id
//!   or a request that failed after the client's own retries counts one *attempt* against each of
//!   its events, which wait `retry_base · 2^(attempts−1)` (capped) before the next; after
//!   `max_attempts` they are `failed` with the reason (`callduck status`, `callduck events`);
//! * refused credentials stop the pass without counting: they concern every event, not one.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use callduck_metrics::{Call, Sms};
use chrono::{NaiveDateTime, TimeDelta};
use duckdb::params;

use crate::justcall::{JustCallClient, JustCallError, Stream};
use crate::store::load::{parse_record, Loaded, Rejected};
use crate::store::{now_utc, SharedStore, Store};

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Processed {
    /// Events marked processed.
    pub events: usize,
    /// Records fetched.
    pub records: usize,
    /// Events marked failed (for good) in this pass.
    pub failed: usize,
    /// Events whose attempt failed and that wait to be tried again.
    pub deferred: usize,
}

/// How often a failing event is tried, and how long it waits in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPolicy {
    /// Attempts before an event is marked `failed` (at least 1).
    pub max_attempts: u32,
    /// Wait after the first failed attempt; doubled after each further one.
    pub retry_base: Duration,
    /// Longest wait between two attempts.
    pub retry_max: Duration,
}

impl Default for EventPolicy {
    fn default() -> Self {
        EventPolicy {
            max_attempts: 6,
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(30 * 60),
        }
    }
}

impl EventPolicy {
    /// The wait after the `attempts`-th failed attempt (`attempts` ≥ 1).
    pub fn delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.retry_base
            .saturating_mul(1u32 << doublings)
            .min(self.retry_max)
    }
}

/// What a failed re-fetch means for the events of that record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The record does not exist: fail its events now.
    Gone(String),
    /// This record failed: count an attempt against its events.
    Attempt(String),
    /// This record failed after the client's own retries: count an attempt, and stop the pass
    /// (the API may be down; the processor backs off before the next pass).
    AttemptAndStop(String),
    /// Not about this record (credentials, configuration): stop the pass, count nothing.
    Stop(String),
}

/// The retry policy: what each client error means for the event (see the module docs).
pub fn classify(error: &JustCallError) -> Verdict {
    let text = error.to_string();
    match error {
        JustCallError::NotFound { .. } => Verdict::Gone(text),
        JustCallError::BadRequest { .. } | JustCallError::Decode { .. } => Verdict::Attempt(text),
        JustCallError::GaveUp { .. } => Verdict::AttemptAndStop(text),
        JustCallError::Unauthorized { .. } | JustCallError::Config(_) => Verdict::Stop(text),
    }
}

/// Records re-fetched at the same time.
const FETCH_CONCURRENCY: usize = 8;

/// Events still waiting (accepted, not yet processed or failed).
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

/// One pending event due now.
struct Due {
    request_id: String,
    attempts: u32,
}

/// What happened to one record of the pass.
enum Fate {
    /// Stored (or quarantined under its own id): its events are processed.
    Done,
    Gone(String),
    Attempt(String),
}

/// Processes up to `limit` pending events that are due, oldest first; see the module docs for
/// what happens to an event whose record cannot be fetched. Errors only when the pass could not
/// run at all (the store, or a failure that concerns every event).
pub async fn process_pending(
    store: &SharedStore,
    client: &JustCallClient,
    limit: usize,
    policy: EventPolicy,
) -> anyhow::Result<Processed> {
    let now = now_utc();
    let events: Vec<(String, i64, Due)> = store
        .run(move |store| -> anyhow::Result<_> {
            let mut stmt = store.conn().prepare(
                "SELECT record_stream, record_id, request_id, attempts FROM callduck_webhook_events
                 WHERE event_status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
                 ORDER BY received_at, request_id LIMIT ?",
            )?;
            let rows = stmt.query_map(params![now, limit as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    Due {
                        request_id: r.get(2)?,
                        attempts: r.get::<_, i32>(3)?.max(0) as u32,
                    },
                ))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await??;
    if events.is_empty() {
        return Ok(Processed::default());
    }
    let mut by_record: BTreeMap<(String, i64), Vec<Due>> = BTreeMap::new();
    for (stream, id, due) in events {
        by_record.entry((stream, id)).or_default().push(due);
    }
    let records: Vec<(String, i64)> = by_record.keys().cloned().collect();

    let mut calls: Vec<Loaded<Call>> = Vec::new();
    let mut texts: Vec<Loaded<Sms>> = Vec::new();
    let (mut bad_calls, mut bad_texts): (Vec<Rejected>, Vec<Rejected>) = (Vec::new(), Vec::new());
    let mut fates: HashMap<(String, i64), Fate> = HashMap::new();
    let mut fetched = 0;
    let mut stopped: Option<String> = None;
    // Re-fetch a few records at a time (the client's pacer keeps within the rate limits).
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
        let mut stop_after_chunk = None;
        for (i, stream, answer) in answers {
            let key = chunk[i].clone();
            let id = key.1;
            let fate = match answer {
                Ok(raw) => {
                    fetched += 1;
                    store_fetched(
                        stream,
                        id,
                        raw.get(),
                        &mut calls,
                        &mut texts,
                        &mut bad_calls,
                        &mut bad_texts,
                    )
                }
                Err(e) => match classify(&e) {
                    Verdict::Gone(why) => Fate::Gone(why),
                    Verdict::Attempt(why) => Fate::Attempt(why),
                    Verdict::AttemptAndStop(why) => {
                        stop_after_chunk = Some(why.clone());
                        Fate::Attempt(why)
                    }
                    Verdict::Stop(why) => {
                        stopped = Some(why);
                        continue;
                    }
                },
            };
            fates.insert(key, fate);
        }
        if stopped.is_some() {
            break 'chunks;
        }
        if let Some(why) = stop_after_chunk {
            stopped = Some(why);
            break 'chunks;
        }
    }

    let processed = store
        .run(move |store| -> anyhow::Result<Processed> {
            if !calls.is_empty() || !bad_calls.is_empty() {
                store.write_batch(&calls, &bad_calls, None)?;
            }
            if !texts.is_empty() || !bad_texts.is_empty() {
                store.write_batch(&texts, &bad_texts, None)?;
            }
            let mut processed = Processed {
                records: fetched,
                ..Processed::default()
            };
            mark(store, &by_record, &fates, policy, &mut processed)?;
            Ok(processed)
        })
        .await??;
    match stopped {
        Some(why) if processed.events + processed.failed + processed.deferred == 0 => {
            Err(anyhow::anyhow!("re-fetching webhook records: {why}"))
        }
        Some(why) => {
            tracing::warn!("{why}; the remaining events stay pending");
            Ok(processed)
        }
        None => Ok(processed),
    }
}

/// Parses a fetched record and queues it for storing; a record that is not the one asked for, or
/// that does not parse and names no id of its own, counts as a failed attempt.
fn store_fetched(
    stream: Stream,
    id: i64,
    raw: &str,
    calls: &mut Vec<Loaded<Call>>,
    texts: &mut Vec<Loaded<Sms>>,
    bad_calls: &mut Vec<Rejected>,
    bad_texts: &mut Vec<Rejected>,
) -> Fate {
    let other = |served: i64| {
        Fate::Attempt(format!(
            "JustCall answered {} {id} with record {served}: not the record the event names",
            stream.name()
        ))
    };
    let rejected = |r: Rejected, bad: &mut Vec<Rejected>| {
        let named = r
            .record_id
            .as_deref()
            .and_then(|s| s.trim().parse::<i64>().ok());
        let reason = r.reason.clone();
        // Quarantined either way (raw JSON and reason kept), as a sync would.
        bad.push(r);
        match named {
            Some(n) if n == id => Fate::Done,
            Some(n) => other(n),
            None => Fate::Attempt(format!(
                "JustCall's answer for {} {id} does not parse (quarantined): {reason}",
                stream.name()
            )),
        }
    };
    match stream {
        Stream::Calls => match parse_record::<Call>(raw) {
            Ok(r) if r.record.id == id => {
                calls.push(r);
                Fate::Done
            }
            Ok(r) => other(r.record.id),
            Err(r) => rejected(r, bad_calls),
        },
        _ => match parse_record::<Sms>(raw) {
            Ok(r) if r.record.id == id => {
                texts.push(r);
                Fate::Done
            }
            Ok(r) => other(r.record.id),
            Err(r) => rejected(r, bad_texts),
        },
    }
}

/// Marks each event by its record's fate, in one transaction.
fn mark(
    store: &Store,
    by_record: &BTreeMap<(String, i64), Vec<Due>>,
    fates: &HashMap<(String, i64), Fate>,
    policy: EventPolicy,
    processed: &mut Processed,
) -> anyhow::Result<()> {
    let now = now_utc();
    let conn = store.conn();
    conn.execute_batch("BEGIN TRANSACTION")?;
    let result = (|| -> anyhow::Result<()> {
        let mut set = conn.prepare(
            "UPDATE callduck_webhook_events
             SET event_status = ?, attempts = ?, next_attempt_at = ?, processed_at = ?, error_message = ?
             WHERE request_id = ?",
        )?;
        for (key, events) in by_record {
            let Some(fate) = fates.get(key) else { continue };
            for e in events {
                // (status, attempts, next attempt, ended at, reason)
                let (status, attempts, next, ended, why): (_, _, Option<NaiveDateTime>, _, _) =
                    match fate {
                        Fate::Done => ("processed", e.attempts, None, Some(now), None),
                        Fate::Gone(why) => {
                            ("failed", e.attempts + 1, None, Some(now), Some(why.clone()))
                        }
                        Fate::Attempt(why) if e.attempts + 1 >= policy.max_attempts.max(1) => (
                            "failed",
                            e.attempts + 1,
                            None,
                            Some(now),
                            Some(format!("{why} (gave up after {} attempts)", e.attempts + 1)),
                        ),
                        Fate::Attempt(why) => {
                            let wait = TimeDelta::from_std(policy.delay(e.attempts + 1))
                                .unwrap_or(TimeDelta::MAX);
                            (
                                "pending",
                                e.attempts + 1,
                                now.checked_add_signed(wait),
                                None,
                                Some(why.clone()),
                            )
                        }
                    };
                set.execute(params![status, attempts, next, ended, why, e.request_id])?;
                match status {
                    "processed" => processed.events += 1,
                    "failed" => processed.failed += 1,
                    _ => processed.deferred += 1,
                }
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e.context("recording what happened to webhook events"))
        }
    }
}

/// Removes events that ended (processed, ignored or failed) before `older_than`; returns how many.
/// Their request ids no longer deduplicate: a delivery repeated after that is fetched again,
/// which stores the same state.
pub fn prune(store: &Store, older_than: NaiveDateTime) -> anyhow::Result<usize> {
    Ok(store.conn().execute(
        "DELETE FROM callduck_webhook_events
         WHERE event_status <> 'pending' AND coalesce(processed_at, received_at) < ?",
        params![older_than],
    )?)
}

/// Makes failed events pending again with their attempts reset (all of them, or those named);
/// returns how many.
pub fn retry_failed(store: &Store, request_ids: &[String]) -> anyhow::Result<usize> {
    let conn = store.conn();
    let sql = "UPDATE callduck_webhook_events
               SET event_status = 'pending', attempts = 0, next_attempt_at = NULL, processed_at = NULL
               WHERE event_status = 'failed'";
    if request_ids.is_empty() {
        return Ok(conn.execute(sql, [])?);
    }
    let mut stmt = conn.prepare(&format!("{sql} AND request_id = ?"))?;
    let mut n = 0;
    for id in request_ids {
        n += stmt.execute([id])?;
    }
    Ok(n)
}

/// Failed events, newest first: request id, type, record, attempts, when, why.
#[derive(Debug, Clone)]
pub struct FailedEvent {
    pub request_id: String,
    pub event_type: String,
    pub record: Option<(String, i64)>,
    pub attempts: i64,
    pub failed_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
}

pub fn failed_events(store: &Store, limit: usize) -> anyhow::Result<Vec<FailedEvent>> {
    let mut stmt = store.conn().prepare(
        "SELECT request_id, event_type, record_stream, record_id, attempts, processed_at, error_message
         FROM callduck_webhook_events WHERE event_status = 'failed'
         ORDER BY processed_at DESC NULLS LAST, request_id LIMIT ?",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        let stream: Option<String> = r.get(2)?;
        let id: Option<i64> = r.get(3)?;
        Ok(FailedEvent {
            request_id: r.get(0)?,
            event_type: r.get(1)?,
            record: stream.zip(id),
            attempts: r.get(4)?,
            failed_at: r.get(5)?,
            reason: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_and_are_capped() {
        let p = EventPolicy {
            max_attempts: 5,
            retry_base: Duration::from_secs(2),
            retry_max: Duration::from_secs(10),
        };
        assert_eq!(p.delay(1), Duration::from_secs(2));
        assert_eq!(p.delay(2), Duration::from_secs(4));
        assert_eq!(p.delay(3), Duration::from_secs(8));
        assert_eq!(p.delay(4), Duration::from_secs(10));
        assert_eq!(p.delay(60), Duration::from_secs(10));
    }

    #[test]
    fn what_is_retried() {
        let req = || "GET /v2.1/calls/1".to_string();
        assert!(matches!(
            classify(&JustCallError::NotFound { request: req() }),
            Verdict::Gone(_)
        ));
        assert!(matches!(
            classify(&JustCallError::BadRequest {
                status: 400,
                request: req(),
                message: "bad id".into()
            }),
            Verdict::Attempt(_)
        ));
        assert!(matches!(
            classify(&JustCallError::GaveUp {
                request: req(),
                attempts: 3,
                last: "HTTP 503".into()
            }),
            Verdict::AttemptAndStop(_)
        ));
        assert!(matches!(
            classify(&JustCallError::Unauthorized {
                status: 401,
                request: req()
            }),
            Verdict::Stop(_)
        ));
    }
}
