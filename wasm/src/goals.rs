//! Daily goal metrics per user and local day: the three values the goals dashboard reads
//! (`phone_call_quantity`, `talk_time_minutes`, `sms_quantity`), with the definitions of
//! [`crate::metrics`] (SQL twin: `fct_agent_daily`).
//!
//! * A user is a JustCall agent: by `agent_id`, else by email ([`normalize_email`]: trimmed,
//!   lower-cased), else the records are `unassigned` ([`UserKey`]; SQL twin: the grain of
//!   `fct_agent_daily`, one row per email for records without an agent id). Each row carries the
//!   first email and name seen for the user.
//! * The day is the record's local day in its agent's zone (see [`crate::options`]); the date
//!   range and agent options apply, `direction` does not (goals count both).
//! * `phone_call_quantity` = all calls of the day; `talk_time_minutes` =
//!   [`talk_minutes`]`(sum of total_duration)`; `sms_quantity` = SMS that [`counts_as_sent`].
//! * Rows are sorted by date, then user (ids first, then emails, then unassigned); a user-day
//!   appears when it has a call or a counted SMS.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::metrics::{counts_as_sent, talk_minutes, DailyGoalMetrics};
use crate::options::{normalize_email, Filter};
use crate::records::{Call, Sms};
use crate::tz::{date_of_day, day_number};

/// Who a record belongs to, for goal metrics.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UserKey {
    Id(i64),
    /// Normalised email.
    Email(String),
    Unassigned,
}

impl UserKey {
    pub fn of(agent_id: Option<i64>, agent_email: Option<&str>) -> UserKey {
        match (agent_id, agent_email.map(normalize_email)) {
            (Some(id), _) => UserKey::Id(id),
            (None, Some(e)) if !e.is_empty() => UserKey::Email(e),
            _ => UserKey::Unassigned,
        }
    }

    /// The agent id, for an id key.
    pub fn id(&self) -> Option<i64> {
        match self {
            UserKey::Id(id) => Some(*id),
            _ => None,
        }
    }
}

/// One user's goal metrics for one local day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDayGoals {
    pub agent_id: Option<i64>,
    /// Trimmed, lower-cased: match it to `users/{uid}.email`.
    pub agent_email: Option<String>,
    pub agent_name: Option<String>,
    /// Local date `YYYY-MM-DD`.
    pub date: String,
    /// `phone_call_quantity`, `talk_time_minutes`, `sms_quantity`, `talk_time_seconds`.
    #[serde(flatten)]
    pub metrics: DailyGoalMetrics,
}

/// Users in order of first appearance, with the first email and name seen for each.
#[derive(Debug, Default)]
pub struct Users {
    index: HashMap<UserKey, usize>,
    keys: Vec<UserKey>,
    emails: Vec<Option<String>>,
    names: Vec<Option<String>>,
}

impl Users {
    /// Registers a record's agent; returns the user's index.
    pub fn register(
        &mut self,
        agent_id: Option<i64>,
        agent_email: Option<&str>,
        agent_name: Option<&str>,
    ) -> usize {
        let key = UserKey::of(agent_id, agent_email);
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.keys.len();
                self.index.insert(key.clone(), i);
                self.keys.push(key);
                self.emails.push(None);
                self.names.push(None);
                i
            }
        };
        if self.emails[i].is_none() {
            self.emails[i] = agent_email.map(normalize_email).filter(|e| !e.is_empty());
        }
        if self.names[i].is_none() {
            self.names[i] = agent_name.filter(|n| !n.is_empty()).map(str::to_owned);
        }
        i
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key of user `i`.
    pub fn key(&self, i: usize) -> &UserKey {
        &self.keys[i]
    }

    /// The first email (normalised) and name seen for user `i`.
    pub fn email_and_name(&self, i: usize) -> (Option<String>, Option<String>) {
        (self.emails[i].clone(), self.names[i].clone())
    }

    /// Rows from `(day, user) → metrics` sums (seconds in `talk_time_seconds`), sorted.
    pub fn rows(
        &self,
        sums: impl IntoIterator<Item = ((i64, usize), DailyGoalMetrics)>,
    ) -> Vec<UserDayGoals> {
        let mut by_key: BTreeMap<(i64, &UserKey), (usize, DailyGoalMetrics)> = BTreeMap::new();
        for ((day, user), m) in sums {
            let e = by_key
                .entry((day, &self.keys[user]))
                .or_insert((user, DailyGoalMetrics::default()));
            e.1.phone_call_quantity += m.phone_call_quantity;
            e.1.talk_time_seconds += m.talk_time_seconds;
            e.1.sms_quantity += m.sms_quantity;
        }
        by_key
            .into_iter()
            .map(|((day, key), (user, mut m))| {
                m.talk_time_minutes = talk_minutes(m.talk_time_seconds);
                UserDayGoals {
                    agent_id: match key {
                        UserKey::Id(id) => Some(*id),
                        _ => None,
                    },
                    agent_email: self.emails[user].clone(),
                    agent_name: self.names[user].clone(),
                    date: date_of_day(day).map(|d| d.to_string()).unwrap_or_default(),
                    metrics: m,
                }
            })
            .collect()
    }
}

/// Daily goal metrics over records as the API returns them (the row path).
pub fn daily_goal_metrics(calls: &[Call], sms: &[Sms], filter: &Filter) -> Vec<UserDayGoals> {
    let filter = filter.without_direction();
    let mut users = Users::default();
    let call_users: Vec<usize> = calls
        .iter()
        .map(|c| {
            users.register(
                c.agent_id,
                c.agent_email.as_deref(),
                c.agent_name.as_deref(),
            )
        })
        .collect();
    let sms_users: Vec<usize> = sms
        .iter()
        .map(|s| {
            users.register(
                s.agent_id,
                s.agent_email.as_deref(),
                s.agent_name.as_deref(),
            )
        })
        .collect();
    let mut sums: HashMap<(i64, usize), DailyGoalMetrics> = HashMap::new();
    for (c, user) in calls.iter().zip(call_users) {
        if filter.accepts_call(c) {
            let m = sums
                .entry((day_number(filter.call_date(c)), user))
                .or_default();
            m.phone_call_quantity += 1;
            m.talk_time_seconds += c.call_duration.total_duration;
        }
    }
    for (s, user) in sms.iter().zip(sms_users) {
        if counts_as_sent(s) && filter.accepts_sms(s) {
            sums.entry((day_number(filter.sms_date(s)), user))
                .or_default()
                .sms_quantity += 1;
        }
    }
    users.rows(sums)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::MetricsOptions;

    fn filter(json: serde_json::Value) -> Filter {
        serde_json::from_value::<MetricsOptions>(json)
            .unwrap()
            .resolve()
            .unwrap()
    }

    #[test]
    fn per_user_and_local_day() {
        let calls: Vec<Call> = serde_json::from_value(serde_json::json!([
            {"id": 1, "call_date": "2026-01-16", "call_time": "4:30:00", "agent_id": 7, "agent_email": "Ana@X.com ",
             "agent_name": "Ana", "call_info": {"direction": "Outgoing", "type": "Answered"},
             "call_duration": {"total_duration": 89}},
            {"id": 2, "call_date": "2026-01-16", "call_time": "4:45:00", "agent_id": 7, "agent_email": "ana@x.com",
             "call_info": {"direction": "Incoming", "type": "Missed"}, "call_duration": {"total_duration": 1}},
            {"id": 3, "call_date": "2026-01-16", "call_time": "14:00:00", "agent_email": "BOB@x.com",
             "call_info": {"direction": "Incoming", "type": "Answered"}, "call_duration": {"total_duration": 30}},
            {"id": 4, "call_date": "2026-01-16", "call_time": "14:00:00",
             "call_info": {"direction": "Incoming", "type": "Answered"}}
        ]))
        .unwrap();
        let sms: Vec<Sms> = serde_json::from_value(serde_json::json!([
            {"id": 1, "sms_date": "2026-01-16", "sms_time": "3:00:00", "agent_id": 7, "direction": "Outbound"},
            {"id": 2, "sms_date": "2026-01-16", "sms_time": "3:00:00", "agent_id": 7, "direction": "Outgoing", "is_deleted": "TRUE"},
            {"id": 3, "sms_date": "2026-01-16", "sms_time": "3:00:00", "agent_id": 7, "direction": "Incoming"},
            {"id": 4, "sms_date": "2026-01-17", "sms_time": "3:00:00", "agent_id": 9, "direction": "Incoming"}
        ]))
        .unwrap();
        let rows = daily_goal_metrics(
            &calls,
            &sms,
            &filter(serde_json::json!({
                "timeZone": "America/New_York", "direction": "Incoming"
            })),
        );
        let json = serde_json::to_value(&rows).unwrap();
        assert_eq!(json.as_array().unwrap().len(), 3, "{json}");
        // Agent 7: two calls at 23:30/23:45 EST on the 15th, 90 s → 2 min, one counted SMS.
        assert_eq!(json[0]["agentId"], 7);
        assert_eq!(json[0]["agentEmail"], "ana@x.com");
        assert_eq!(json[0]["agentName"], "Ana");
        assert_eq!(json[0]["date"], "2026-01-15");
        assert_eq!(json[0]["phone_call_quantity"], 2);
        assert_eq!(json[0]["talk_time_minutes"], 2);
        assert_eq!(json[0]["talk_time_seconds"], 90);
        assert_eq!(json[0]["sms_quantity"], 1);
        // Bob has no id: keyed by email. The last call has no agent at all.
        assert_eq!(json[1]["agentId"], serde_json::Value::Null);
        assert_eq!(json[1]["agentEmail"], "bob@x.com");
        assert_eq!(json[1]["talk_time_minutes"], 1);
        assert_eq!(json[2]["agentEmail"], serde_json::Value::Null);
        assert_eq!(json[2]["phone_call_quantity"], 1);

        let only_bob = daily_goal_metrics(
            &calls,
            &sms,
            &filter(serde_json::json!({"agent": "bob@X.COM"})),
        );
        assert_eq!(only_bob.len(), 1);
    }
}
