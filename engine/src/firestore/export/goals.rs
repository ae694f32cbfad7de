//! Step 4 of the export: `current` of every mapped user's goals for their current period
//! (defined once in the metrics core), summing every source's metrics as the dashboard does.

use std::collections::BTreeSet;

use anyhow::Context as _;
use callduck_metrics::pace::Period;
use chrono::{NaiveDate, TimeZone as _};
use serde_json::{json, Map};

use super::super::value;
use super::super::{FirestoreClient, Write, WriteOutcome};
use super::write::chunks;
use crate::store::{now_utc, Store};

/// Recomputes `current` (and the period bounds) of every goal for `types` of every `mapped`
/// user, every run, and writes those that differ from what the goal holds: so a goal is right
/// after a run that failed half-way, after metrics written by other sources, and when a new day,
/// week, month or quarter starts without new activity.
pub(super) async fn update_goals(
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
pub(super) fn business_today(store: &Store) -> anyhow::Result<NaiveDate> {
    let zone = store
        .setting("business_timezone")?
        .unwrap_or_else(|| "UTC".into());
    let tz = crate::store::tz::parse_zone(&zone)?;
    Ok(tz.from_utc_datetime(&now_utc()).date_naive())
}
