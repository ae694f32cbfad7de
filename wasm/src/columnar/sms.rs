//! A columnar batch of SMS and the SMS metrics computed on it.
//!
//! Columns (one entry per message):
//!
//! | column | type | value |
//! |---|---|---|
//! | `id` | f64 | message id |
//! | `sentAt` | f64 | unix seconds of `sms_date` + `sms_time` (UTC) |
//! | `direction` | u8 | 0 Incoming, 1 Outgoing |
//! | `deleted` | u8 | 1 when `is_deleted` |
//! | `agent` | u32 | code into `agents` ([`AgentEntry`]) |
//! | `contact` | u32 | code into `contacts` ([`ContactEntry`]: normalised key, display name) |
//! | `medium` | u32 | code into `mediums` (`medium` as served, `null` when missing) |
//! | `deliveryStatus` | u32 | code into `deliveryStatuses` (as served, `null` when missing) |

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::calls::AgentPlan;
use super::{
    check_codes, check_directions, check_integral, check_len, direction_code, span, AgentEntry,
    DictBuilder, DIRECTION_OUTGOING,
};
use crate::agents::{sorted_rows, AgentSmsCounts, SmsCounts};
use crate::error::MetricsError;
use crate::goals::Users;
use crate::lenient;
use crate::options::Filter;
use crate::records::Sms;
use crate::sms::{
    aggregate, contact_key, is_automated_medium, is_delivery_failure, status_label, ContactInfo,
    SmsEvent, SmsMetrics,
};
use crate::tz::{unix_seconds, OffsetTable};

/// One contact of an SMS batch: the key the metrics group by ([`contact_key`]; `null` when the
/// message had no number or email) and the first non-empty name seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContactEntry {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
}

/// A batch of SMS, one vector per column (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmsColumns {
    pub id: Vec<f64>,
    pub sent_at: Vec<f64>,
    pub direction: Vec<u8>,
    pub deleted: Vec<u8>,
    pub agent: Vec<u32>,
    pub contact: Vec<u32>,
    pub medium: Vec<u32>,
    pub delivery_status: Vec<u32>,
    pub agents: Vec<AgentEntry>,
    pub contacts: Vec<ContactEntry>,
    pub mediums: Vec<Option<String>>,
    pub delivery_statuses: Vec<Option<String>>,
}

impl SmsColumns {
    pub fn len(&self) -> usize {
        self.sent_at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sent_at.is_empty()
    }

    /// Checks lengths, codes, directions and instants.
    pub fn validate(&self) -> Result<(), MetricsError> {
        let n = self.len();
        check_len("id", self.id.len(), n)?;
        check_len("direction", self.direction.len(), n)?;
        check_len("deleted", self.deleted.len(), n)?;
        check_len("agent", self.agent.len(), n)?;
        check_len("contact", self.contact.len(), n)?;
        check_len("medium", self.medium.len(), n)?;
        check_len("deliveryStatus", self.delivery_status.len(), n)?;
        check_codes("agent", &self.agent, self.agents.len())?;
        check_codes("contact", &self.contact, self.contacts.len())?;
        check_codes("medium", &self.medium, self.mediums.len())?;
        check_codes(
            "deliveryStatus",
            &self.delivery_status,
            self.delivery_statuses.len(),
        )?;
        check_directions("direction", &self.direction)?;
        if let Some(i) = self.deleted.iter().position(|&d| d > 1) {
            return Err(MetricsError::invalid(
                "deleted",
                format!("row {i} is not 0 or 1"),
            ));
        }
        check_integral("sentAt", &self.sent_at)?;
        check_integral("id", &self.id)?;
        Ok(())
    }

    /// Encodes SMS records (dictionaries in order of first appearance; a contact's name is the
    /// first non-empty one seen).
    pub fn from_sms(sms: &[Sms]) -> SmsColumns {
        let n = sms.len();
        let mut cols = SmsColumns {
            id: Vec::with_capacity(n),
            sent_at: Vec::with_capacity(n),
            direction: Vec::with_capacity(n),
            deleted: Vec::with_capacity(n),
            agent: Vec::with_capacity(n),
            contact: Vec::with_capacity(n),
            medium: Vec::with_capacity(n),
            delivery_status: Vec::with_capacity(n),
            ..SmsColumns::default()
        };
        let mut agents: DictBuilder<AgentEntry> = DictBuilder::default();
        let mut contacts: DictBuilder<Option<String>> = DictBuilder::default();
        let mut names: Vec<Option<String>> = Vec::new();
        let mut mediums: DictBuilder<Option<String>> = DictBuilder::default();
        let mut statuses: DictBuilder<Option<String>> = DictBuilder::default();
        for s in sms {
            cols.id.push(s.id as f64);
            cols.sent_at.push(unix_seconds(s.sent_at()) as f64);
            cols.direction.push(direction_code(s.direction));
            cols.deleted.push(u8::from(s.is_deleted));
            cols.agent.push(agents.code(AgentEntry {
                id: s.agent_id,
                email: s.agent_email.clone(),
                name: s.agent_name.clone(),
            }));
            let c = contacts.code(contact_key(
                s.contact_number.as_deref(),
                s.contact_email.as_deref(),
            ));
            if c as usize == names.len() {
                names.push(None);
            }
            if names[c as usize].is_none() {
                names[c as usize] = s.contact_name.clone().filter(|n| !n.is_empty());
            }
            cols.contact.push(c);
            cols.medium.push(mediums.code(s.medium.clone()));
            cols.delivery_status
                .push(statuses.code(s.delivery_status.clone()));
        }
        cols.agents = agents.into_values();
        cols.contacts = contacts
            .into_values()
            .into_iter()
            .zip(names)
            .map(|(key, name)| ContactEntry { key, name })
            .collect();
        cols.mediums = mediums.into_values();
        cols.delivery_statuses = statuses.into_values();
        cols
    }

    /// The SMS metrics of the messages that pass `filter`; equal to [`crate::sms::sms_metrics`]
    /// on the records the batch was made from.
    pub fn sms_metrics(&self, filter: &Filter) -> SmsMetrics {
        // Contacts by key (a batch from elsewhere may repeat a key); the first named entry names it.
        let mut infos: Vec<ContactInfo> = Vec::new();
        let mut by_key: HashMap<&str, u32> = HashMap::new();
        let contact_of: Vec<Option<u32>> = self
            .contacts
            .iter()
            .map(|c| {
                let key = c.key.as_deref()?;
                let next = infos.len() as u32;
                let i = *by_key.entry(key).or_insert_with(|| {
                    infos.push(ContactInfo {
                        key: key.to_owned(),
                        name: None,
                    });
                    next
                });
                if infos[i as usize].name.is_none() {
                    infos[i as usize].name = c.name.clone().filter(|n| !n.is_empty());
                }
                Some(i)
            })
            .collect();
        let mut labels: Vec<String> = Vec::new();
        let status_of: Vec<u32> = self
            .delivery_statuses
            .iter()
            .map(|s| {
                let label = status_label(s.as_deref());
                match labels.iter().position(|l| l == label) {
                    Some(i) => i as u32,
                    None => {
                        labels.push(label.to_owned());
                        (labels.len() - 1) as u32
                    }
                }
            })
            .collect();
        let failed_of: Vec<bool> = self
            .delivery_statuses
            .iter()
            .map(|s| is_delivery_failure(s.as_deref()))
            .collect();
        let automated_of: Vec<bool> = self
            .mediums
            .iter()
            .map(|m| is_automated_medium(m.as_deref()))
            .collect();

        let plan = AgentPlan::new(&self.agents, filter, span(&self.sent_at));
        let mut cursors: Vec<_> = plan.tables.iter().map(OffsetTable::cursor).collect();
        let want_dir = filter.direction.map(direction_code);
        let mut events = Vec::new();
        // Slices in the loop (see `CallColumns::call_metrics_by_agent_grid`).
        let (cursors, zone, ok) = (&mut cursors[..], &plan.zone[..], &plan.ok[..]);
        let (automated_of, failed_of) = (&automated_of[..], &failed_of[..]);
        let (contact_of, status_of) = (&contact_of[..], &status_of[..]);
        let n = self.len();
        let (id, sent, dir, deleted) = (
            &self.id[..n],
            &self.sent_at[..n],
            &self.direction[..n],
            &self.deleted[..n],
        );
        let (agent, medium, status, contact) = (
            &self.agent[..n],
            &self.medium[..n],
            &self.delivery_status[..n],
            &self.contact[..n],
        );
        for i in 0..n {
            let a = agent[i] as usize;
            if !ok[a] || matches!(want_dir, Some(w) if w != dir[i]) {
                continue;
            }
            let unix = sent[i] as i64;
            let day = cursors[zone[a]].local_day(unix);
            if !filter.accepts_day(day) {
                continue;
            }
            let outgoing = dir[i] == DIRECTION_OUTGOING;
            events.push(SmsEvent {
                id: id[i] as i64,
                unix,
                day,
                outgoing,
                deleted: deleted[i] != 0,
                automated: outgoing && automated_of[medium[i] as usize],
                failed: outgoing && failed_of[status[i] as usize],
                contact: contact_of[contact[i] as usize],
                status: status_of[status[i] as usize],
            });
        }
        aggregate(events, &infos, &labels)
    }

    /// The message counts of [`SmsColumns::sms_metrics`] for every agent at once, in one pass;
    /// equal to [`crate::agents::sms_counts_by_agent`] on the records the batch was made from.
    pub fn sms_counts_by_agent(&self, filter: &Filter) -> Vec<AgentSmsCounts> {
        let mut users = Users::default();
        let user_of: Vec<usize> = self
            .agents
            .iter()
            .map(|a| users.register(a.id, a.email.as_deref(), a.name.as_deref()))
            .collect();
        let failed_of: Vec<bool> = self
            .delivery_statuses
            .iter()
            .map(|s| is_delivery_failure(s.as_deref()))
            .collect();
        let automated_of: Vec<bool> = self
            .mediums
            .iter()
            .map(|m| is_automated_medium(m.as_deref()))
            .collect();
        let plan = AgentPlan::new(&self.agents, filter, span(&self.sent_at));
        let mut cursors: Vec<_> = plan.tables.iter().map(OffsetTable::cursor).collect();
        let want_dir = filter.direction.map(direction_code);
        let mut counts = vec![SmsCounts::default(); users.len()];
        // Slices in the loop (see `CallColumns::call_metrics_by_agent_grid`).
        let (cursors, zone, ok, user_of) =
            (&mut cursors[..], &plan.zone[..], &plan.ok[..], &user_of[..]);
        let (automated_of, failed_of, counts_of) =
            (&automated_of[..], &failed_of[..], &mut counts[..]);
        let n = self.len();
        let (sent, dir, deleted, agent, medium, status) = (
            &self.sent_at[..n],
            &self.direction[..n],
            &self.deleted[..n],
            &self.agent[..n],
            &self.medium[..n],
            &self.delivery_status[..n],
        );
        for i in 0..n {
            let a = agent[i] as usize;
            if !ok[a] || matches!(want_dir, Some(w) if w != dir[i]) {
                continue;
            }
            let day = cursors[zone[a]].local_day(sent[i] as i64);
            if !filter.accepts_day(day) {
                continue;
            }
            let outgoing = dir[i] == DIRECTION_OUTGOING;
            counts_of[user_of[a]].add(
                outgoing,
                deleted[i] != 0,
                outgoing && automated_of[medium[i] as usize],
                outgoing && failed_of[status[i] as usize],
            );
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
}
