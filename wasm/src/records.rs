//! JustCall v2.1 records (users, calls, SMS) as the engine and the browser module see them.
//!
//! The structs mirror the REST payloads field for field (nested `call_info`, `call_duration`,
//! `sms_info`) so that `computeCallMetrics(calls)` accepts exactly what the API returns. Parsing is
//! lenient (see [`crate::lenient`]); serialising writes JustCall's own spelling (`"Yes"`/`"No"`,
//! unpadded hours), which is what the simulator serves.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lenient;

/// Direction of a call or SMS, normalised from `Incoming`/`Inbound` and `Outgoing`/`Outbound`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    Incoming,
    Outgoing,
}

impl Direction {
    /// The canonical spelling stored and served: `Incoming` or `Outgoing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "Incoming",
            Direction::Outgoing => "Outgoing",
        }
    }

    /// Reads any spelling JustCall uses, case-insensitively, padding trimmed ([`lenient::trim`]).
    pub fn parse(s: &str) -> Option<Direction> {
        match lenient::trim(s).to_ascii_lowercase().as_str() {
            "incoming" | "inbound" | "in" | "received" => Some(Direction::Incoming),
            "outgoing" | "outbound" | "out" | "sent" => Some(Direction::Outgoing),
            _ => None,
        }
    }
}

impl Serialize for Direction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Direction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Direction::parse(&s).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&s),
                &"a direction (Incoming/Outgoing/Inbound/Outbound)",
            )
        })
    }
}

/// A JustCall user (agent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    /// Case varies between systems: compare case-insensitively.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub extension: Option<String>,
    /// IANA time zone name, e.g. `America/New_York`.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub working_hours_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub last_login_timestamp: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub available: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub on_call: Option<bool>,
}

/// `call_info` block of a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallInfo {
    pub direction: Direction,
    /// Outcome: `Answered`, `Missed`, `Unanswered`, `Voicemail`, `Abandoned before ringing`, ...
    #[serde(rename = "type", default, deserialize_with = "lenient::opt_string")]
    pub call_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub missed_call_reason: Option<String>,
    /// `Archived` or `Unarchived`.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub disposition: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub rating: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub recording: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub voicemail_transcription: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub call_traits: Vec<String>,
}

/// `call_duration` block of a call, in whole seconds ([`lenient::seconds`]: fractions rounded half
/// away from zero, negative and missing values 0). The engine stores these values, so the SQL
/// views and the core sum the same numbers.
///
/// JustCall defines `total_duration = conversation_time + hold_time` and
/// `handle_time = total_duration + wrap_up_time`; ring and queue wait are separate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallDuration {
    #[serde(default, deserialize_with = "lenient::seconds")]
    pub ring_time: i64,
    #[serde(default, deserialize_with = "lenient::seconds")]
    pub queue_wait_time: i64,
    #[serde(default, deserialize_with = "lenient::seconds")]
    pub conversation_time: i64,
    #[serde(default, deserialize_with = "lenient::seconds")]
    pub hold_time: i64,
    #[serde(default, deserialize_with = "lenient::seconds")]
    pub total_duration: i64,
    #[serde(default, deserialize_with = "lenient::seconds")]
    pub wrap_up_time: i64,
    #[serde(default, deserialize_with = "lenient::seconds")]
    pub handle_time: i64,
}

/// A call record (`/v2.1/calls`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub call_sid: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub contact_number: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub contact_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub contact_email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub justcall_number: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub justcall_line_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub agent_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub agent_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub agent_email: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        serialize_with = "lenient::ser_yes_no"
    )]
    pub agent_active: Option<bool>,
    /// UTC date of the call.
    #[serde(deserialize_with = "lenient::date")]
    pub call_date: NaiveDate,
    /// UTC time of the call (hour may be unpadded on the wire).
    #[serde(
        deserialize_with = "lenient::time",
        serialize_with = "lenient::ser_time"
    )]
    pub call_time: NaiveTime,
    /// Date in the agent's zone, as JustCall shows it (user-editable).
    #[serde(default, deserialize_with = "lenient::opt_date")]
    pub call_user_date: Option<NaiveDate>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_time",
        serialize_with = "lenient::ser_opt_time"
    )]
    pub call_user_time: Option<NaiveTime>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub cost_incurred: Option<f64>,
    pub call_info: CallInfo,
    /// A missing or `null` block reads as all zeros, like its missing fields.
    #[serde(default, deserialize_with = "call_duration")]
    pub call_duration: CallDuration,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub tags: Vec<String>,
}

fn call_duration<'de, D: Deserializer<'de>>(d: D) -> Result<CallDuration, D::Error> {
    Ok(Option::<CallDuration>::deserialize(d)?.unwrap_or_default())
}

impl Call {
    /// The canonical instant of the call: its UTC date and time.
    pub fn started_at(&self) -> NaiveDateTime {
        self.call_date.and_time(self.call_time)
    }
}

/// `sms_info` block of an SMS.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SmsInfo {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub body: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::flag",
        serialize_with = "lenient::ser_flag_yes_no"
    )]
    pub is_mms: bool,
    #[serde(default, deserialize_with = "media_list")]
    pub mms: Vec<Media>,
}

/// One MMS attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub media_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub content_type: Option<String>,
}

fn media_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Media>, D::Error> {
    Ok(Option::<Vec<Media>>::deserialize(d)?.unwrap_or_default())
}

/// An SMS record (`/v2.1/texts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sms {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub contact_number: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub contact_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub contact_email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub justcall_number: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub justcall_line_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub agent_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub agent_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub agent_email: Option<String>,
    /// UTC date of the message.
    #[serde(deserialize_with = "lenient::date")]
    pub sms_date: NaiveDate,
    #[serde(
        deserialize_with = "lenient::time",
        serialize_with = "lenient::ser_time"
    )]
    pub sms_time: NaiveTime,
    #[serde(default, deserialize_with = "lenient::opt_date")]
    pub sms_user_date: Option<NaiveDate>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_time",
        serialize_with = "lenient::ser_opt_time"
    )]
    pub sms_user_time: Option<NaiveTime>,
    pub direction: Direction,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub cost_incurred: Option<f64>,
    #[serde(default, deserialize_with = "sms_info")]
    pub sms_info: SmsInfo,
    /// `Delivered`, `sent`, `failed`, ... (case varies).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub delivery_status: Option<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_deleted: bool,
    /// `One-To-One via App`, `Bulk SMS`, `... Automation`, ...
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub medium: Option<String>,
}

fn sms_info<'de, D: Deserializer<'de>>(d: D) -> Result<SmsInfo, D::Error> {
    Ok(Option::<SmsInfo>::deserialize(d)?.unwrap_or_default())
}

impl Sms {
    /// The canonical instant of the message: its UTC date and time.
    pub fn sent_at(&self) -> NaiveDateTime {
        self.sms_date.and_time(self.sms_time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALL: &str = r#"{
        "id": "9001", "contact_number": 13475550101, "agent_id": "7", "agent_email": "A@X.COM",
        "agent_active": "No", "call_date": "2026-03-08", "call_time": "8:05:09",
        "call_user_date": "2026-03-08", "call_user_time": "3:05:09", "cost_incurred": "0.02",
        "call_info": {"direction": "Outbound", "type": "Unanswered", "rating": "4", "notes": ""},
        "call_duration": {"ring_time": "12", "total_duration": 0, "hold_time": null},
        "tags": null, "justcall_ai": {"whatever": 1}
    }"#;

    #[test]
    fn parses_a_messy_call() {
        let c: Call = serde_json::from_str(CALL).unwrap();
        assert_eq!(c.id, 9001);
        assert_eq!(c.contact_number.as_deref(), Some("13475550101"));
        assert_eq!(c.agent_id, Some(7));
        assert_eq!(c.agent_active, Some(false));
        assert_eq!(c.call_info.direction, Direction::Outgoing);
        assert_eq!(c.call_info.rating, Some(4));
        assert_eq!(c.call_info.notes, None);
        assert_eq!(c.call_duration.ring_time, 12);
        assert_eq!(c.started_at().to_string(), "2026-03-08 08:05:09");
        assert_eq!(c.cost_incurred, Some(0.02));
    }

    #[test]
    fn round_trips_through_justcall_spelling() {
        let c: Call = serde_json::from_str(CALL).unwrap();
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["call_time"], "8:05:09");
        assert_eq!(json["agent_active"], "No");
        let back: Call = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn missing_call_info_is_an_error_naming_the_field() {
        let err = serde_json::from_str::<Call>(
            r#"{"id":1,"call_date":"2026-01-01","call_time":"1:00:00"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("call_info"), "{err}");
    }

    #[test]
    fn durations_are_whole_non_negative_seconds() {
        let call = |duration: &str| -> Result<CallDuration, String> {
            serde_json::from_str::<Call>(&format!(
                r#"{{"id":1,"call_date":"2026-01-01","call_time":"1:00:00",
                    "call_info":{{"direction":"Incoming\n","type":"Answered"}},
                    "call_duration":{duration}}}"#
            ))
            .map(|c| c.call_duration)
            .map_err(|e| e.to_string())
        };
        let d = call(
            r#"{"total_duration": 12.5, "conversation_time": "7.49", "hold_time": -30,
                "ring_time": " 4 ", "queue_wait_time": "-2.5", "wrap_up_time": 1e3,
                "handle_time": 1e12}"#,
        )
        .unwrap();
        assert_eq!(
            (
                d.total_duration,
                d.conversation_time,
                d.hold_time,
                d.ring_time
            ),
            (13, 7, 0, 4)
        );
        assert_eq!((d.queue_wait_time, d.wrap_up_time), (0, 1000));
        assert_eq!(d.handle_time, i64::from(i32::MAX));
        assert_eq!(
            call(r#"{"total_duration": null, "ring_time": ""}"#).unwrap(),
            CallDuration::default()
        );
        assert_eq!(call("null").unwrap(), CallDuration::default());
        for bad in [r#""1:30""#, r#""NaN""#, "true"] {
            let err = call(&format!(r#"{{"total_duration": {bad}}}"#)).unwrap_err();
            assert!(err.contains("a duration in seconds"), "{bad}: {err}");
        }
    }

    #[test]
    fn parses_sms_with_old_spellings() {
        let s: Sms = serde_json::from_str(
            r#"{"id":5,"sms_date":"2026-01-02","sms_time":"23:59:59","direction":"Outbound",
                "is_deleted":"FALSE","sms_info":{"body":"hi","is_mms":"No","mms":null}}"#,
        )
        .unwrap();
        assert_eq!(s.direction, Direction::Outgoing);
        assert!(!s.is_deleted);
        assert!(!s.sms_info.is_mms);
        let s: Sms = serde_json::from_str(
            r#"{"id":6,"sms_date":"2026-01-02","sms_time":"0:00:00","direction":"Incoming"}"#,
        )
        .unwrap();
        assert_eq!(s.sms_info, SmsInfo::default());
    }
}
