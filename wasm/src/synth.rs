//! Deterministic synthetic calls and SMS for tests and benchmarks (native and in the browser).
//!
//! The data is built to be awkward: agents whose email varies in case, agents with no id or no
//! email, every outcome spelling (`answered `, `Unknown`, missing types), instants clustered around
//! local midnight in New York, a span that crosses the US (2026-03-08) and EU (2026-03-29) DST
//! changes, the same phone number in several formats, bulk and automated sends, failed deliveries
//! and deleted messages. The same seed gives the same records on every platform.

use chrono::{DateTime, NaiveDateTime};

use crate::metrics::CallOutcome;
use crate::records::{Call, CallDuration, CallInfo, Direction, Sms, SmsInfo};

/// SplitMix64: small, fast and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Agents as `(id, email, name)`; agent 7 appears with two spellings of its email.
pub const AGENTS: &[(Option<i64>, Option<&str>, Option<&str>)] = &[
    (Some(7), Some("Ana.Lopez@Example.com"), Some("Ana Lopez")),
    (Some(7), Some("ana.lopez@example.com "), Some("Ana Lopez")),
    (Some(8), Some("bob@example.com"), Some("Bob Stone")),
    (Some(9), Some("cy@example.com"), None),
    (Some(10), None, Some("Dee")),
    (None, Some("Eve@Example.com"), Some("Eve")),
    (None, None, None),
];

/// Per-agent zones to use with the data (`agentTimeZones`).
pub const AGENT_TIME_ZONES: &[(&str, &str)] =
    &[("8", "America/Los_Angeles"), ("9", "Europe/London")];

/// `call_info.type` values, weighted by repetition.
pub const CALL_TYPES: &[Option<&str>] = &[
    Some("Answered"),
    Some("Answered"),
    Some("Answered"),
    Some("answered "),
    Some("Missed"),
    Some("Unanswered"),
    Some("Voicemail"),
    Some("Abandoned before ringing"),
    Some("In Progress"),
    Some("Unknown"),
    None,
];

/// 2026-02-25 00:00:00 UTC.
pub const START_UNIX: i64 = 1_771_977_600;
/// Forty days: across both DST changes of March 2026.
pub const SPAN_SECONDS: i64 = 40 * 86_400;

fn utc(unix: i64) -> NaiveDateTime {
    DateTime::from_timestamp(unix, 0)
        .expect("in range")
        .naive_utc()
}

/// Instants in increasing order, a fifth of them between 03:00 and 06:00 UTC (around midnight in
/// New York), with a few out of order.
fn instants(rng: &mut Rng, n: usize) -> Vec<i64> {
    let mut out: Vec<i64> = (0..n)
        .map(|_| {
            if rng.chance(0.2) {
                let day = rng.below((SPAN_SECONDS / 86_400) as u64) as i64;
                START_UNIX + day * 86_400 + 3 * 3600 + rng.below(3 * 3600) as i64
            } else {
                START_UNIX + rng.below(SPAN_SECONDS as u64) as i64
            }
        })
        .collect();
    out.sort_unstable();
    for _ in 0..n / 100 {
        let (a, b) = (rng.below(n as u64) as usize, rng.below(n as u64) as usize);
        out.swap(a, b);
    }
    out
}

/// `n` calls from `seed`.
pub fn calls(n: usize, seed: u64) -> Vec<Call> {
    let mut rng = Rng::new(seed);
    instants(&mut rng, n)
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let (agent_id, email, name) = *rng.pick(AGENTS);
            let call_type = *rng.pick(CALL_TYPES);
            let answered = CallOutcome::of_type(call_type) == CallOutcome::Completed;
            let conversation = if answered { rng.below(3600) as i64 } else { 0 };
            let hold = if answered && rng.chance(0.1) {
                rng.below(120) as i64
            } else {
                0
            };
            let at = utc(t);
            Call {
                id: 1_000_000 + i as i64,
                call_sid: None,
                contact_number: Some(format!("+1347555{:04}", rng.below(500))),
                contact_name: None,
                contact_email: None,
                justcall_number: None,
                justcall_line_name: None,
                agent_id,
                agent_name: name.map(str::to_owned),
                agent_email: email.map(str::to_owned),
                agent_active: Some(true),
                call_date: at.date(),
                call_time: at.time(),
                call_user_date: None,
                call_user_time: None,
                cost_incurred: None,
                call_info: CallInfo {
                    direction: if rng.chance(0.5) {
                        Direction::Outgoing
                    } else {
                        Direction::Incoming
                    },
                    call_type: call_type.map(str::to_owned),
                    missed_call_reason: None,
                    status: None,
                    disposition: None,
                    notes: None,
                    rating: None,
                    recording: None,
                    voicemail_transcription: None,
                    call_traits: Vec::new(),
                },
                call_duration: CallDuration {
                    conversation_time: conversation,
                    hold_time: hold,
                    total_duration: conversation + hold,
                    ..CallDuration::default()
                },
                tags: Vec::new(),
            }
        })
        .collect()
}

const MEDIUMS: &[Option<&str>] = &[
    Some("One-To-One via App"),
    Some("One-To-One via App"),
    Some("One-To-One via App"),
    Some("Bulk SMS"),
    Some("Workflow Automation"),
    None,
];

const STATUSES: &[Option<&str>] = &[
    Some("Delivered"),
    Some("Delivered"),
    Some("delivered"),
    Some("sent"),
    Some("failed"),
    Some("undelivered"),
    None,
];

/// A contact number in one of the formats seen in the wild, or an email, or nothing.
fn contact(rng: &mut Rng) -> (Option<String>, Option<String>, Option<String>) {
    let k = rng.below(60);
    if k >= 57 {
        return (None, None, None);
    }
    if k >= 54 {
        return (
            None,
            Some(format!("Client{k}@Mail.com")),
            Some(format!("Client {k}")),
        );
    }
    let local = format!("657626{:04}", 4000 + k);
    let number = match rng.below(4) {
        0 => format!("({}) {}-{}", &local[..3], &local[3..6], &local[6..]),
        1 => format!("1{local}"),
        2 => format!("+1{local}"),
        _ => local,
    };
    let name = (k.is_multiple_of(3) && rng.chance(0.5)).then(|| format!("CUSTOMER {k}"));
    (Some(number), None, name)
}

/// `n` SMS from `seed`: conversations where an incoming message is often answered minutes later.
pub fn sms(n: usize, seed: u64) -> Vec<Sms> {
    let mut rng = Rng::new(seed);
    let times = instants(&mut rng, n);
    let mut out = Vec::with_capacity(n);
    for (i, t) in times.into_iter().enumerate() {
        let (agent_id, email, name) = *rng.pick(AGENTS);
        let (number, contact_email, contact_name) = contact(&mut rng);
        let outgoing = rng.chance(0.6);
        let at = utc(t);
        out.push(Sms {
            id: 5_000_000 + i as i64,
            contact_number: number,
            contact_name,
            contact_email,
            justcall_number: None,
            justcall_line_name: None,
            agent_id,
            agent_name: name.map(str::to_owned),
            agent_email: email.map(str::to_owned),
            sms_date: at.date(),
            sms_time: at.time(),
            sms_user_date: None,
            sms_user_time: None,
            direction: if outgoing {
                Direction::Outgoing
            } else {
                Direction::Incoming
            },
            cost_incurred: None,
            sms_info: SmsInfo {
                body: Some("hello".into()),
                ..SmsInfo::default()
            },
            delivery_status: if outgoing {
                rng.pick(STATUSES).map(str::to_owned)
            } else {
                None
            },
            is_deleted: rng.chance(0.03),
            medium: if outgoing {
                rng.pick(MEDIUMS).map(str::to_owned)
            } else {
                None
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_varied() {
        assert_eq!(calls(50, 1), calls(50, 1));
        assert_ne!(calls(50, 1), calls(50, 2));
        let c = calls(2000, 3);
        assert!(c.iter().any(|c| c.call_info.call_type.is_none()));
        assert!(c
            .iter()
            .any(|c| c.agent_id.is_none() && c.agent_email.is_none()));
        assert!(c.iter().all(|c| {
            let t = crate::tz::unix_seconds(c.started_at());
            (START_UNIX..START_UNIX + SPAN_SECONDS).contains(&t)
        }));
        let s = sms(2000, 3);
        assert!(s.iter().any(|s| s.is_deleted));
        assert!(s
            .iter()
            .any(|s| s.contact_number.is_none() && s.contact_email.is_some()));
    }
}
