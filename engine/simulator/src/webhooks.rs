//! Signed JustCall webhooks from the simulator, as JustCall would deliver them: for tests and
//! benchmarks of `callduck serve`. Bodies carry only the record id (callduck re-fetches the
//! record anyway); headers carry the v1 signature over the public URL.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use serde_json::json;

use callduck_metrics::{Call, Sms};

use super::Dataset;

/// One delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    pub request_id: String,
    pub event_type: String,
    pub record_id: i64,
}

/// One event per call (`call.completed`) and SMS (`sms.sent` / `sms.received`) of `data`.
pub fn events_for(data: &Dataset) -> Vec<WebhookEvent> {
    records_events(&data.calls, &data.texts)
}

/// The event JustCall sends when each of these calls ends and each SMS is sent or received.
pub fn records_events(calls: &[Call], texts: &[Sms]) -> Vec<WebhookEvent> {
    let calls = calls.iter().map(|c| WebhookEvent {
        request_id: format!("req-call-{}", c.id),
        event_type: "call.completed".into(),
        record_id: c.id,
    });
    let texts = texts.iter().map(|t| WebhookEvent {
        request_id: format!("req-sms-{}", t.id),
        event_type: if t.direction == callduck_metrics::Direction::Incoming {
            "sms.received"
        } else {
            "sms.sent"
        }
        .into(),
        record_id: t.id,
    });
    calls.chain(texts).collect()
}

/// `call.updated` events for calls whose notes, disposition or rating changed (e.g. the ids
/// [`crate::SimHandle::edit_calls`] returns); `edit` tells one round of edits from the next,
/// so each round's events have request ids of their own.
pub fn calls_updated(ids: &[i64], edit: u64) -> Vec<WebhookEvent> {
    ids.iter()
        .map(|id| WebhookEvent {
            request_id: format!("req-call-updated-{id}-{edit}"),
            event_type: "call.updated".into(),
            record_id: *id,
        })
        .collect()
}

/// The body and headers of one delivery.
pub fn request_parts(
    event: &WebhookEvent,
    public_url: &str,
    secret: &str,
    timestamp: NaiveDateTime,
) -> (String, Vec<(&'static str, String)>) {
    let body = json!({
        "request_id": event.request_id, "webhook_url": public_url, "url_id": 1,
        "type": event.event_type, "data": { "id": event.record_id },
    })
    .to_string();
    let ts = timestamp.format("%Y-%m-%d %H:%M:%S").to_string();
    let signature = callduck_justcall::signature::sign(secret, public_url, &event.event_type, &ts);
    let headers = vec![
        ("x-justcall-signature", signature),
        ("x-justcall-signature-version", "v1".to_string()),
        ("x-justcall-request-timestamp", ts),
        ("content-type", "application/json".to_string()),
    ];
    (body, headers)
}

/// Delivers `events` to `target` with `concurrency` connections; returns each event's HTTP
/// status (0 when the request failed) and its delivery latency. Each event is stamped, as
/// JustCall does, with the time it is sent: `timestamp` plus the time since delivery began.
pub async fn deliver(
    target: &str,
    public_url: &str,
    secret: &str,
    events: &[WebhookEvent],
    concurrency: usize,
    timestamp: NaiveDateTime,
) -> Vec<(u16, Duration)> {
    let http = reqwest::Client::new();
    let events = Arc::new(events.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let results = Arc::new(std::sync::Mutex::new(vec![
        (0u16, Duration::ZERO);
        events.len()
    ]));
    let mut workers = tokio::task::JoinSet::new();
    let began = Instant::now();
    for _ in 0..concurrency.max(1) {
        let (http, events, next, results) =
            (http.clone(), events.clone(), next.clone(), results.clone());
        let (target, public_url, secret) = (
            target.to_string(),
            public_url.to_string(),
            secret.to_string(),
        );
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(event) = events.get(i) else { return };
                let sent =
                    timestamp + chrono::TimeDelta::from_std(began.elapsed()).unwrap_or_default();
                let (body, headers) = request_parts(event, &public_url, &secret, sent);
                let mut request = http.post(&target).body(body);
                for (k, v) in headers {
                    request = request.header(k, v);
                }
                let started = Instant::now();
                let status = request
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                results.lock().expect("results")[i] = (status, started.elapsed());
            }
        });
    }
    while workers.join_next().await.is_some() {}
    Arc::try_unwrap(results)
        .expect("workers done")
        .into_inner()
        .expect("results")
}
