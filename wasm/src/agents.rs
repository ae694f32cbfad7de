//! Metrics per agent: the team leaderboard's rows, for every agent at once.
//!
//! * Agents are the users of [`crate::goals`]: by `agent_id`, else by email (trimmed,
//!   lower-cased), else `unassigned`; each row carries the first email (normalised) and name seen
//!   for the agent among all the records, as the daily goal metrics do.
//! * Every option applies as in [`crate::calls::call_metrics`] / [`crate::sms::sms_metrics`]: the
//!   date range (local days in each agent's zone), `direction`, and `agent` (then only the
//!   matching agents have rows).
//! * A row's metrics equal `call_metrics` on that agent's records alone; for an agent with an id
//!   that is `call_metrics` with `agent` set to the id. So the rows' totals add up to the team's.
//! * Only agents with at least one record that passes the filter have a row. Rows are sorted like
//!   the daily goal metrics' users: ids first (ascending), then emails, then unassigned.
//!
//! This module is the row path (the reference); [`crate::columnar::CallColumns::call_metrics_by_agent`]
//! and [`crate::columnar::SmsColumns::sms_counts_by_agent`] compute the same in one pass over the
//! columns.

use serde::{Deserialize, Serialize};

use crate::goals::Users;
use crate::metrics::JustCallMetrics;
use crate::options::Filter;
use crate::records::{Call, Direction, Sms};
use crate::sms::{is_automated_medium, is_delivery_failure, SmsMetrics};

/// One agent's call metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentCallMetrics {
    pub agent_id: Option<i64>,
    /// Trimmed, lower-cased.
    pub agent_email: Option<String>,
    pub agent_name: Option<String>,
    /// `totalCalls`, `inboundCalls`, ... `callsByDay`, `callsByStatus`.
    #[serde(flatten)]
    pub metrics: JustCallMetrics,
}

/// The message counts of [`SmsMetrics`] (same definitions; see [`crate::sms`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmsCounts {
    /// Outgoing and not deleted: the dashboard's `sms_quantity`.
    pub total_sent: u64,
    /// Incoming and not deleted.
    pub total_received: u64,
    pub deleted: u64,
    /// Sent messages that were bulk or automated.
    pub automated_sent: u64,
    /// Sent messages whose delivery failed.
    pub delivery_failures: u64,
}

impl SmsCounts {
    /// The counts of full SMS metrics.
    pub fn of(m: &SmsMetrics) -> SmsCounts {
        SmsCounts {
            total_sent: m.total_sent,
            total_received: m.total_received,
            deleted: m.deleted,
            automated_sent: m.automated_sent,
            delivery_failures: m.delivery_failures,
        }
    }

    /// Counts one message that passed the filter.
    #[inline(always)]
    pub fn add(&mut self, outgoing: bool, deleted: bool, automated: bool, failed: bool) {
        if deleted {
            self.deleted += 1;
        } else if outgoing {
            self.total_sent += 1;
            self.automated_sent += u64::from(automated);
            self.delivery_failures += u64::from(failed);
        } else {
            self.total_received += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total_sent + self.total_received + self.deleted == 0
    }
}

/// One agent's SMS counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSmsCounts {
    pub agent_id: Option<i64>,
    /// Trimmed, lower-cased.
    pub agent_email: Option<String>,
    pub agent_name: Option<String>,
    #[serde(flatten)]
    pub counts: SmsCounts,
}

/// Rows of `(user, value)` sorted by user key, each with the user's id, email and name.
pub(crate) fn sorted_rows<V, T>(
    users: &Users,
    rows: impl IntoIterator<Item = (usize, V)>,
    make: impl Fn(Option<i64>, Option<String>, Option<String>, V) -> T,
) -> Vec<T> {
    let mut rows: Vec<Option<(usize, V)>> = rows.into_iter().map(Some).collect();
    let order = key_order(users, rows.iter().map(|r| r.as_ref().map_or(0, |r| r.0)));
    order
        .into_iter()
        .filter_map(|i| rows[i].take())
        .map(|(u, v)| {
            let (email, name) = users.email_and_name(u);
            make(users.key(u).id(), email, name, v)
        })
        .collect()
}

/// Positions of `users_of_rows` in the order of their users' keys (one sort for every row type:
/// the module is compiled for size). Users are distinct, so the order is total.
fn key_order(users: &Users, users_of_rows: impl Iterator<Item = usize>) -> Vec<usize> {
    let user_of: Vec<usize> = users_of_rows.collect();
    let mut order: Vec<usize> = (0..user_of.len()).collect();
    order.sort_unstable_by(|&a, &b| users.key(user_of[a]).cmp(users.key(user_of[b])));
    order
}

/// Call metrics per agent over call records (the row path).
pub fn call_metrics_by_agent(calls: &[Call], filter: &Filter) -> Vec<AgentCallMetrics> {
    let mut users = Users::default();
    let mut groups: Vec<Vec<&Call>> = Vec::new();
    for c in calls {
        let u = users.register(
            c.agent_id,
            c.agent_email.as_deref(),
            c.agent_name.as_deref(),
        );
        if u == groups.len() {
            groups.push(Vec::new());
        }
        groups[u].push(c);
    }
    let rows = groups.iter().enumerate().filter_map(|(u, group)| {
        let m = JustCallMetrics::compute(
            group.iter().copied().filter(|c| filter.accepts_call(c)),
            |c| filter.call_date(c),
        );
        (m.total_calls > 0).then_some((u, m))
    });
    sorted_rows(
        &users,
        rows,
        |agent_id, agent_email, agent_name, metrics| AgentCallMetrics {
            agent_id,
            agent_email,
            agent_name,
            metrics,
        },
    )
}

/// SMS counts per agent over SMS records (the row path).
pub fn sms_counts_by_agent(sms: &[Sms], filter: &Filter) -> Vec<AgentSmsCounts> {
    let mut users = Users::default();
    let mut counts: Vec<SmsCounts> = Vec::new();
    for s in sms {
        let u = users.register(
            s.agent_id,
            s.agent_email.as_deref(),
            s.agent_name.as_deref(),
        );
        if u == counts.len() {
            counts.push(SmsCounts::default());
        }
        if filter.accepts_sms(s) {
            let outgoing = s.direction == Direction::Outgoing;
            counts[u].add(
                outgoing,
                s.is_deleted,
                outgoing && is_automated_medium(s.medium.as_deref()),
                outgoing && is_delivery_failure(s.delivery_status.as_deref()),
            );
        }
    }
    let rows = counts
        .into_iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty());
    sorted_rows(&users, rows, |agent_id, agent_email, agent_name, counts| {
        AgentSmsCounts {
            agent_id,
            agent_email,
            agent_name,
            counts,
        }
    })
}
