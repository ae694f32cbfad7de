//! Metric definitions shared by the engine, its SQL views and the browser module.
//!
//! Each definition here has a twin in `sql/` (named in its doc comment); the differential test
//! keeps the two equal on the simulator's data set. Change both or neither.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::records::{Call, Direction, Sms};

/// Final or not-yet-final outcome of a call, from its whole `call_info.type`, case-insensitively,
/// with its padding removed by [`lenient::trim`] (ASCII whitespace, as the SQL's `callduck_trim`).
///
/// `completed` = `Answered`; `missed` = every other *final* outcome (`Missed`, `Unanswered`,
/// `Voicemail`, `Abandoned before ringing`, and any unknown final type); calls still in progress
/// are neither, so `completed + missed = finished calls`. The seed's substring test counted
/// `Unanswered` as both completed and missed. SQL twin: `call_outcome` in `stg_justcall__calls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Completed,
    Missed,
    InProgress,
}

/// `call_info.type` values that mean the call has not ended yet (compared lower-cased, trimmed).
pub const IN_PROGRESS_TYPES: &[&str] = &[
    "in progress",
    "in-progress",
    "ongoing",
    "ringing",
    "initiated",
];

impl CallOutcome {
    pub fn of_type(call_type: Option<&str>) -> CallOutcome {
        let t = lenient::trim(call_type.unwrap_or("")).to_ascii_lowercase();
        if t == "answered" {
            CallOutcome::Completed
        } else if t.is_empty() || IN_PROGRESS_TYPES.contains(&t.as_str()) {
            CallOutcome::InProgress
        } else {
            CallOutcome::Missed
        }
    }

    pub fn of(call: &Call) -> CallOutcome {
        CallOutcome::of_type(call.call_info.call_type.as_deref())
    }
}

/// Rounds talk seconds to whole minutes the way the dashboard's `talk_time_minutes` does:
/// `round(seconds / 60)`, halves away from zero (DuckDB's `round` on DOUBLE does the same).
pub fn talk_minutes(total_seconds: i64) -> i64 {
    (total_seconds as f64 / 60.0).round() as i64
}

/// Whether an SMS counts towards the dashboard's `sms_quantity`: outgoing and not deleted.
/// SQL twin: `is_counted_sent` in `stg_justcall__texts`.
pub fn counts_as_sent(sms: &Sms) -> bool {
    sms.direction == Direction::Outgoing && !sms.is_deleted
}

/// The seed's `JustCallMetrics`, with the whole-value outcome rule of [`CallOutcome`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JustCallMetrics {
    pub total_calls: u64,
    pub inbound_calls: u64,
    pub outbound_calls: u64,
    pub completed_calls: u64,
    pub missed_calls: u64,
    /// Sum of `call_duration.total_duration`, seconds.
    pub total_duration: i64,
    /// `total_duration / total_calls` (0 when there are no calls), seconds.
    pub average_duration: f64,
    /// Local date (`YYYY-MM-DD`) → calls.
    pub calls_by_day: BTreeMap<String, u64>,
    /// `call_info.type` as served → calls.
    pub calls_by_status: BTreeMap<String, u64>,
}

impl JustCallMetrics {
    /// Computes the metrics over `calls`, bucketing days with `day_of` (the caller decides the
    /// time zone: the agent's, or a business default).
    pub fn compute<'a>(
        calls: impl IntoIterator<Item = &'a Call>,
        day_of: impl Fn(&Call) -> NaiveDate,
    ) -> JustCallMetrics {
        let mut m = JustCallMetrics::default();
        for call in calls {
            m.total_calls += 1;
            match call.call_info.direction {
                Direction::Incoming => m.inbound_calls += 1,
                Direction::Outgoing => m.outbound_calls += 1,
            }
            match CallOutcome::of(call) {
                CallOutcome::Completed => m.completed_calls += 1,
                CallOutcome::Missed => m.missed_calls += 1,
                CallOutcome::InProgress => {}
            }
            m.total_duration += call.call_duration.total_duration;
            *m.calls_by_day.entry(day_of(call).to_string()).or_default() += 1;
            let status = call
                .call_info
                .call_type
                .clone()
                .unwrap_or_else(|| "Unknown".into());
            *m.calls_by_status.entry(status).or_default() += 1;
        }
        if m.total_calls > 0 {
            m.average_duration = m.total_duration as f64 / m.total_calls as f64;
        }
        m
    }
}

/// The three daily values the goals dashboard reads for one user and day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyGoalMetrics {
    /// All calls of the day, any direction or outcome.
    pub phone_call_quantity: i64,
    /// `round(sum(total_duration) / 60)`.
    pub talk_time_minutes: i64,
    /// Outgoing SMS that are not deleted.
    pub sms_quantity: i64,
    /// Seconds behind `talk_time_minutes`.
    pub talk_time_seconds: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_uses_whole_values() {
        assert_eq!(
            CallOutcome::of_type(Some("Answered")),
            CallOutcome::Completed
        );
        assert_eq!(
            CallOutcome::of_type(Some(" answered ")),
            CallOutcome::Completed
        );
        assert_eq!(
            CallOutcome::of_type(Some("Unanswered")),
            CallOutcome::Missed
        );
        assert_eq!(CallOutcome::of_type(Some("Voicemail")), CallOutcome::Missed);
        // ASCII padding only (the SQL's callduck_trim): a no-break space is part of the value.
        assert_eq!(
            CallOutcome::of_type(Some("\tAnswered\n")),
            CallOutcome::Completed
        );
        assert_eq!(
            CallOutcome::of_type(Some("Answered\u{a0}")),
            CallOutcome::Missed
        );
        assert_eq!(
            CallOutcome::of_type(Some(" \u{b}\r")),
            CallOutcome::InProgress
        );
        assert_eq!(
            CallOutcome::of_type(Some("Abandoned before ringing")),
            CallOutcome::Missed
        );
        assert_eq!(
            CallOutcome::of_type(Some("In Progress")),
            CallOutcome::InProgress
        );
        assert_eq!(CallOutcome::of_type(None), CallOutcome::InProgress);
    }

    #[test]
    fn talk_minutes_rounds_half_away_from_zero() {
        assert_eq!(talk_minutes(89), 1);
        assert_eq!(talk_minutes(90), 2);
        assert_eq!(talk_minutes(29), 0);
        assert_eq!(talk_minutes(0), 0);
    }
}
