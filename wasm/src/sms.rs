//! SMS metrics: sent and received by day and by contact, customer response rate, first-response
//! time and delivery failures.
//!
//! Definitions (JustCall's own SMS analytics where it has one):
//! * Deleted messages are counted in `deleted` and otherwise ignored. `totalSent` is therefore
//!   exactly the dashboard's `sms_quantity` rule ([`counts_as_sent`]): outgoing and not deleted.
//! * A message's contact is its `contact_number` reduced to digits ([`normalize_phone`]), else its
//!   `contact_email` lower-cased; messages with neither count in the totals only.
//! * **Customer response rate** = unique contacts who replied ÷ unique contacts messaged. A contact
//!   is *messaged* when it got at least one outgoing message (bulk and automated included) and has
//!   *replied* when an incoming message from it follows its first outgoing one. `null` when no
//!   contact was messaged.
//! * **First-response time**: for each contact, in time order (ties by id), an incoming message
//!   opens a wait unless one is open; the next outgoing message that is not bulk or automated
//!   ([`is_automated_medium`]) closes it, and the wait is one response time. Waits still open at
//!   the end are `unanswered`.
//! * **Delivery failures**: outgoing messages whose `delivery_status` says so
//!   ([`is_delivery_failure`]); the rate is over `totalSent`.
//!
//! The row path ([`sms_metrics`]) and the columnar one ([`crate::columnar::SmsColumns`]) reduce
//! messages to [`SmsEvent`]s in their own way and share [`aggregate`].

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::fuzzy::normalize_phone;
use crate::lenient;
use crate::metrics::counts_as_sent;
use crate::options::Filter;
use crate::records::{Direction, Sms};
use crate::tz::{date_of_day, day_number, unix_seconds};

/// Whether a `medium` marks a bulk or automated send (`Bulk SMS`, `Workflow Automation`,
/// `Automated reply`, ...): it contains `bulk` or `automat`, ASCII case-insensitively.
/// SQL twin: `is_bulk_or_automated` in `stg_justcall__texts` (the same two substrings).
pub fn is_automated_medium(medium: Option<&str>) -> bool {
    medium.is_some_and(|m| {
        let m = m.to_ascii_lowercase();
        m.contains("bulk") || m.contains("automat")
    })
}

/// Whether a `delivery_status` reports a failed delivery (`failed`, `undelivered`, `error`, ...),
/// compared [`lenient::trim`]med and lower-cased. SQL twin: `is_delivery_failed`.
pub fn is_delivery_failure(status: Option<&str>) -> bool {
    status.is_some_and(|s| {
        let s = lenient::trim(s).to_ascii_lowercase();
        s.contains("fail") || s.contains("undeliver") || s == "error" || s == "rejected"
    })
}

/// The key that identifies a message's contact (see the module docs).
pub fn contact_key(number: Option<&str>, email: Option<&str>) -> Option<String> {
    number.and_then(normalize_phone).or_else(|| {
        email
            .map(|e| lenient::trim(e).to_lowercase())
            .filter(|e| !e.is_empty())
    })
}

/// Label under which a delivery status is counted: as served, or `Unknown`.
pub fn status_label(status: Option<&str>) -> &str {
    status.unwrap_or("Unknown")
}

/// Per-contact figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactSms {
    /// Normalised phone digits or email.
    pub contact: String,
    /// First non-empty `contact_name` seen for the contact.
    pub name: Option<String>,
    pub sent: u64,
    pub received: u64,
    /// An incoming message followed the first outgoing one.
    pub replied: bool,
    pub responses: u64,
    pub average_response_seconds: Option<f64>,
}

/// First-response times, seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseTimes {
    pub responses: u64,
    pub unanswered: u64,
    pub average_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
    pub max_seconds: Option<i64>,
}

/// The SMS metrics (see the module docs for each definition).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmsMetrics {
    pub total_sent: u64,
    pub total_received: u64,
    pub deleted: u64,
    /// Sent messages that were bulk or automated.
    pub automated_sent: u64,
    pub sent_by_day: BTreeMap<String, u64>,
    pub received_by_day: BTreeMap<String, u64>,
    /// Most active contacts first (sent + received), then by contact.
    pub by_contact: Vec<ContactSms>,
    pub contacts_messaged: u64,
    pub contacts_replied: u64,
    pub response_rate: Option<f64>,
    pub first_response: ResponseTimes,
    pub delivery_failures: u64,
    pub delivery_failure_rate: Option<f64>,
    /// Sent messages by `delivery_status` as served (`Unknown` when missing).
    pub by_delivery_status: BTreeMap<String, u64>,
}

/// One message reduced to what the metrics read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsEvent {
    pub id: i64,
    /// Unix seconds (UTC).
    pub unix: i64,
    /// Local day number.
    pub day: i64,
    pub outgoing: bool,
    pub deleted: bool,
    pub automated: bool,
    pub failed: bool,
    /// Index into the contact list given to [`aggregate`].
    pub contact: Option<u32>,
    /// Index into the status labels given to [`aggregate`].
    pub status: u32,
}

/// A contact known to [`aggregate`]: its key and display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactInfo {
    pub key: String,
    pub name: Option<String>,
}

#[derive(Default, Clone)]
struct ContactState {
    sent: u64,
    received: u64,
    first_out: bool,
    replied: bool,
    open_since: Option<i64>,
    response_total: i64,
    responses: u64,
}

fn day_string(day: i64) -> String {
    date_of_day(day).map(|d| d.to_string()).unwrap_or_default()
}

fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        None
    } else if n % 2 == 1 {
        Some(sorted[n / 2] as f64)
    } else {
        Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0)
    }
}

/// Messages per local day. Events come in time order, so a day's messages mostly come in a run:
/// the run is counted in place and added to the map once.
#[derive(Default)]
struct DayCounts {
    days: BTreeMap<i64, u64>,
    run: Option<(i64, u64)>,
}

impl DayCounts {
    #[inline(always)]
    fn add(&mut self, day: i64) {
        match &mut self.run {
            Some((d, n)) if *d == day => *n += 1,
            _ => self.flush(Some((day, 1))),
        }
    }

    fn flush(&mut self, next: Option<(i64, u64)>) {
        if let Some((d, n)) = std::mem::replace(&mut self.run, next) {
            *self.days.entry(d).or_default() += n;
        }
    }

    /// Counts by `YYYY-MM-DD`.
    fn into_dates(mut self) -> BTreeMap<String, u64> {
        self.flush(None);
        self.days
            .into_iter()
            .map(|(d, n)| (day_string(d), n))
            .collect()
    }
}

/// The SMS metrics of filtered events. `contacts` and `statuses` must be free of duplicate keys
/// and labels.
pub fn aggregate(
    mut events: Vec<SmsEvent>,
    contacts: &[ContactInfo],
    statuses: &[String],
) -> SmsMetrics {
    events.sort_by_key(|e| (e.unix, e.id));
    let mut m = SmsMetrics::default();
    let mut state = vec![ContactState::default(); contacts.len()];
    let mut status_counts = vec![0u64; statuses.len()];
    let mut sent_by_day = DayCounts::default();
    let mut received_by_day = DayCounts::default();
    let mut waits: Vec<i64> = Vec::new();
    for e in &events {
        if e.deleted {
            m.deleted += 1;
            continue;
        }
        let st = e.contact.map(|c| &mut state[c as usize]);
        if e.outgoing {
            m.total_sent += 1;
            sent_by_day.add(e.day);
            status_counts[e.status as usize] += 1;
            m.delivery_failures += u64::from(e.failed);
            m.automated_sent += u64::from(e.automated);
            if let Some(s) = st {
                s.sent += 1;
                s.first_out = true;
                if !e.automated {
                    if let Some(since) = s.open_since.take() {
                        let wait = e.unix - since;
                        waits.push(wait);
                        s.response_total += wait;
                        s.responses += 1;
                    }
                }
            }
        } else {
            m.total_received += 1;
            received_by_day.add(e.day);
            if let Some(s) = st {
                s.received += 1;
                s.replied |= s.first_out;
                s.open_since.get_or_insert(e.unix);
            }
        }
    }
    m.sent_by_day = sent_by_day.into_dates();
    m.received_by_day = received_by_day.into_dates();
    for (label, n) in statuses.iter().zip(status_counts) {
        if n > 0 {
            *m.by_delivery_status.entry(label.clone()).or_default() += n;
        }
    }
    for (info, s) in contacts.iter().zip(&state) {
        if s.sent == 0 && s.received == 0 {
            continue;
        }
        m.contacts_messaged += u64::from(s.first_out);
        m.contacts_replied += u64::from(s.replied);
        m.first_response.unanswered += u64::from(s.open_since.is_some());
        m.by_contact.push(ContactSms {
            contact: info.key.clone(),
            name: info.name.clone(),
            sent: s.sent,
            received: s.received,
            replied: s.replied,
            responses: s.responses,
            average_response_seconds: (s.responses > 0)
                .then(|| s.response_total as f64 / s.responses as f64),
        });
    }
    // A total order (contacts are distinct), so an unstable sort gives the same list.
    m.by_contact.sort_unstable_by(|a, b| {
        (b.sent + b.received)
            .cmp(&(a.sent + a.received))
            .then_with(|| a.contact.cmp(&b.contact))
    });
    m.response_rate =
        (m.contacts_messaged > 0).then(|| m.contacts_replied as f64 / m.contacts_messaged as f64);
    m.delivery_failure_rate =
        (m.total_sent > 0).then(|| m.delivery_failures as f64 / m.total_sent as f64);
    waits.sort_unstable();
    let r = &mut m.first_response;
    r.responses = waits.len() as u64;
    r.average_seconds =
        (!waits.is_empty()).then(|| waits.iter().sum::<i64>() as f64 / waits.len() as f64);
    r.median_seconds = median(&waits);
    r.max_seconds = waits.last().copied();
    m
}

/// SMS metrics over records as the API returns them (the row path).
pub fn sms_metrics(sms: &[Sms], filter: &Filter) -> SmsMetrics {
    // Contacts in order of first appearance over all records, named by the first non-empty name.
    let mut contact_index: HashMap<String, u32> = HashMap::new();
    let mut contacts: Vec<ContactInfo> = Vec::new();
    let mut status_index: HashMap<&str, u32> = HashMap::new();
    let mut statuses: Vec<String> = Vec::new();
    let mut record_contact: Vec<Option<u32>> = Vec::with_capacity(sms.len());
    for s in sms {
        let idx = contact_key(s.contact_number.as_deref(), s.contact_email.as_deref()).map(|key| {
            let next = contacts.len() as u32;
            let i = *contact_index.entry(key.clone()).or_insert_with(|| {
                contacts.push(ContactInfo { key, name: None });
                next
            });
            if contacts[i as usize].name.is_none() {
                contacts[i as usize].name = s.contact_name.clone().filter(|n| !n.is_empty());
            }
            i
        });
        record_contact.push(idx);
    }
    let mut events = Vec::new();
    for (s, contact) in sms.iter().zip(record_contact) {
        if !filter.accepts_sms(s) {
            continue;
        }
        let label = status_label(s.delivery_status.as_deref());
        let next = statuses.len() as u32;
        let status = *status_index.entry(label).or_insert_with(|| {
            statuses.push(label.to_owned());
            next
        });
        let outgoing = s.direction == Direction::Outgoing;
        debug_assert_eq!(outgoing && !s.is_deleted, counts_as_sent(s));
        events.push(SmsEvent {
            id: s.id,
            unix: unix_seconds(s.sent_at()),
            day: day_number(filter.sms_date(s)),
            outgoing,
            deleted: s.is_deleted,
            automated: outgoing && is_automated_medium(s.medium.as_deref()),
            failed: outgoing && is_delivery_failure(s.delivery_status.as_deref()),
            contact,
            status,
        });
    }
    aggregate(events, &contacts, &statuses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::MetricsOptions;

    fn sms(id: i64, at: &str, contact: &str, dir: &str, medium: &str, status: &str) -> Sms {
        let (date, time) = at.split_once(' ').unwrap();
        serde_json::from_value(serde_json::json!({
            "id": id, "sms_date": date, "sms_time": time, "contact_number": contact,
            "contact_name": if contact.starts_with('+') { "Plus Name" } else { "" },
            "agent_id": 7, "direction": dir, "medium": medium, "delivery_status": status,
            "is_deleted": id == 99,
        }))
        .unwrap()
    }

    fn run(records: &[Sms], opts: serde_json::Value) -> SmsMetrics {
        let f = serde_json::from_value::<MetricsOptions>(opts)
            .unwrap()
            .resolve()
            .unwrap();
        sms_metrics(records, &f)
    }

    #[test]
    fn response_rate_and_first_response() {
        let records = vec![
            // Contact A: messaged by a bulk send, replies twice, answered 10 min after the first reply.
            sms(
                1,
                "2026-03-02 14:00:00",
                "347-469-9543",
                "Outgoing",
                "Bulk SMS",
                "Delivered",
            ),
            sms(2, "2026-03-02 14:05:00", "+13474699543", "Incoming", "", ""),
            sms(3, "2026-03-02 14:06:00", "13474699543", "Incoming", "", ""),
            // An automated reply does not close the wait.
            sms(
                4,
                "2026-03-02 14:07:00",
                "3474699543",
                "Outgoing",
                "Workflow Automation",
                "sent",
            ),
            sms(
                5,
                "2026-03-02 14:15:00",
                "3474699543",
                "Outgoing",
                "One-To-One via App",
                "delivered",
            ),
            // Contact B: messaged, never replies; one failed delivery.
            sms(
                6,
                "2026-03-02 15:00:00",
                "2019449536",
                "Outgoing",
                "One-To-One via App",
                "failed",
            ),
            // Contact C: writes in first, never answered.
            sms(7, "2026-03-03 02:00:00", "6576264396", "Incoming", "", ""),
            // Deleted: ignored except for the count.
            sms(
                99,
                "2026-03-03 03:00:00",
                "2019449536",
                "Outgoing",
                "",
                "Delivered",
            ),
        ];
        let m = run(&records, serde_json::json!({}));
        assert_eq!((m.total_sent, m.total_received, m.deleted), (4, 3, 1));
        assert_eq!(m.automated_sent, 2);
        assert_eq!((m.contacts_messaged, m.contacts_replied), (2, 1));
        assert_eq!(m.response_rate, Some(0.5));
        assert_eq!(m.first_response.responses, 1);
        assert_eq!(m.first_response.average_seconds, Some(600.0));
        assert_eq!(m.first_response.median_seconds, Some(600.0));
        assert_eq!(m.first_response.unanswered, 1);
        assert_eq!(m.delivery_failures, 1);
        assert_eq!(m.delivery_failure_rate, Some(0.25));
        assert_eq!(m.by_delivery_status["Delivered"], 1);
        assert_eq!(m.by_delivery_status["delivered"], 1);
        assert_eq!(m.sent_by_day["2026-03-02"], 4);
        assert_eq!(m.received_by_day["2026-03-03"], 1);
        let a = &m.by_contact[0];
        assert_eq!(
            (a.contact.as_str(), a.sent, a.received, a.replied),
            ("3474699543", 3, 2, true)
        );
        assert_eq!(a.name.as_deref(), Some("Plus Name"));
        assert_eq!(a.average_response_seconds, Some(600.0));

        // In New York the 02:00 UTC message on 03-03 is on 03-02.
        let ny = run(
            &records,
            serde_json::json!({"timeZone": "America/New_York"}),
        );
        assert_eq!(ny.received_by_day.get("2026-03-02"), Some(&3));
        // A date range cuts the set before pairing.
        let day2 = run(&records, serde_json::json!({"from": "2026-03-03"}));
        assert_eq!(
            (
                day2.total_received,
                day2.contacts_messaged,
                day2.response_rate
            ),
            (1, 0, None)
        );
    }

    #[test]
    fn detects_failures_and_automation() {
        assert!(is_delivery_failure(Some("Failed")));
        assert!(is_delivery_failure(Some("undelivered")));
        assert!(!is_delivery_failure(Some("Delivered")));
        assert!(!is_delivery_failure(None));
        assert!(is_automated_medium(Some("Bulk SMS")));
        assert!(is_automated_medium(Some("Zapier Automation")));
        assert!(is_automated_medium(Some("AUTOMATED reply")));
        assert!(is_delivery_failure(Some("Error\r\n")));
        assert!(!is_delivery_failure(Some("error\u{a0}")));
        assert!(!is_automated_medium(Some("One-To-One via App")));
        assert_eq!(
            contact_key(None, Some(" A@B.com ")).as_deref(),
            Some("a@b.com")
        );
        assert_eq!(contact_key(Some("x"), None), None);
    }
}
