//! Canonical records → the messy JSON JustCall actually sends.
//!
//! The starting point is the records' own `Serialize` (JustCall's spelling: unpadded hours,
//! `"Yes"`/`"No"`); then, chosen deterministically from each record's id, the variations seen in
//! the wild: ids and agent ids as strings, phone numbers and extensions as JSON numbers, missing
//! values as `""`, `null` or absent, numbers as strings, `is_deleted` as `"FALSE"`, SMS
//! direction as `Outbound`/`Inbound`, tags as objects, and unknown extra fields (`justcall_ai`,
//! `ivr_info`, `queue_callback`, `friendly_duration`, ...). Every variation parses back, with the
//! lenient parser, to exactly the canonical record; the unit tests check that over a whole
//! generated data set. Malformed records are broken in ways the parser must reject, but keep
//! their `id`.

use callduck_metrics::{Call, Direction, Sms, User};
use serde_json::{json, Map, Value};

use super::dataset::mix;

const KIND_USER: u64 = 0x5553;
const KIND_CALL: u64 = 0xCA11;
const KIND_TEXT: u64 = 0x7E47;

/// Deterministic choices for one record.
struct Dice(u64);

impl Dice {
    fn new(kind: u64, id: i64) -> Dice {
        Dice(mix(mix(kind) ^ id as u64))
    }

    fn next(&mut self) -> u64 {
        self.0 = mix(self.0);
        self.0
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn object(v: &mut Value) -> &mut Map<String, Value> {
    v.as_object_mut()
        .expect("records serialise to JSON objects")
}

/// A missing value as `null` (kept), `""` or an absent key.
fn missing_spelling(m: &mut Map<String, Value>, key: &str, d: &mut Dice) {
    if m.get(key).is_some_and(Value::is_null) {
        match d.below(3) {
            0 => {}
            1 => {
                m.insert(key.into(), Value::String(String::new()));
            }
            _ => {
                m.remove(key);
            }
        }
    }
}

/// A digits-only string (a phone number, an extension) sometimes as a JSON number.
fn digits_as_number(m: &mut Map<String, Value>, key: &str, d: &mut Dice) {
    let number = match m.get(key) {
        Some(Value::String(s))
            if !s.is_empty()
                && s.len() <= 15
                && !s.starts_with('0')
                && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse::<u64>().ok()
        }
        _ => None,
    };
    if let Some(n) = number {
        if d.one_in(2) {
            m.insert(key.into(), Value::from(n));
        }
    }
}

/// An integer id sometimes as a string.
fn id_as_string(m: &mut Map<String, Value>, key: &str, d: &mut Dice) {
    if let Some(n) = m.get(key).and_then(Value::as_i64) {
        if d.one_in(3) {
            m.insert(key.into(), Value::String(n.to_string()));
        }
    }
}

/// A number sometimes as a string (`"0.02"`, `"4"`).
fn number_as_string(m: &mut Map<String, Value>, key: &str, d: &mut Dice) {
    if let Some(Value::Number(n)) = m.get(key) {
        if d.one_in(3) {
            let s = n.to_string();
            m.insert(key.into(), Value::String(s));
        }
    }
}

/// A list of names as an array of strings (kept), objects with a name, a comma-separated
/// string; an empty list as `[]`, `null` or absent.
fn name_list(m: &mut Map<String, Value>, key: &str, d: &mut Dice) {
    let Some(Value::Array(items)) = m.get(key) else {
        return;
    };
    let names: Vec<String> = items
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    if names.is_empty() {
        match d.below(3) {
            0 => {}
            1 => {
                m.insert(key.into(), Value::Null);
            }
            _ => {
                m.remove(key);
            }
        }
        return;
    }
    match d.below(4) {
        0 => {
            let objects = names
                .iter()
                .map(|n| json!({"id": (mix(n.len() as u64 ^ 0x7A65) % 9000 + 1000), "name": n}))
                .collect();
            m.insert(key.into(), Value::Array(objects));
        }
        1 => {
            m.insert(key.into(), Value::String(names.join(", ")));
        }
        _ => {}
    }
}

/// A boolean as JustCall spells it somewhere: `true`, `"Yes"`, `"TRUE"`, `1`, ...
fn messy_bool(b: bool, d: &mut Dice) -> Value {
    match (b, d.below(4)) {
        (b, 0) => Value::Bool(b),
        (true, 1) => "Yes".into(),
        (false, 1) => "No".into(),
        (true, 2) => "TRUE".into(),
        (false, 2) => "FALSE".into(),
        (b, _) => Value::from(u8::from(b)),
    }
}

fn friendly(secs: i64) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// A user as `/v2.1/users` serves it.
pub(crate) fn user(u: &User) -> Value {
    let mut d = Dice::new(KIND_USER, u.id);
    let mut v = serde_json::to_value(u).expect("a user serialises");
    let m = object(&mut v);
    id_as_string(m, "id", &mut d);
    digits_as_number(m, "extension", &mut d);
    for key in ["available", "on_call"] {
        if let Some(b) = m.get(key).and_then(Value::as_bool) {
            let b = messy_bool(b, &mut d);
            m.insert(key.into(), b);
        }
    }
    for key in ["role", "working_hours_type", "last_login_timestamp"] {
        missing_spelling(m, key, &mut d);
    }
    m.insert("groups".into(), json!([{"id": 1, "name": "Sales"}]));
    m.insert("owned_numbers".into(), json!([]));
    m.insert("shared_numbers".into(), Value::Null);
    v
}

/// A call as `/v2.1/calls` serves it; `malformed` breaks it so the lenient parser rejects it.
pub(crate) fn call(c: &Call, malformed: bool) -> Value {
    let mut d = Dice::new(KIND_CALL, c.id);
    let mut v = serde_json::to_value(c).expect("a call serialises");
    let m = object(&mut v);
    id_as_string(m, "id", &mut d);
    id_as_string(m, "agent_id", &mut d);
    digits_as_number(m, "contact_number", &mut d);
    digits_as_number(m, "justcall_number", &mut d);
    for key in ["contact_name", "contact_email", "cost_incurred"] {
        missing_spelling(m, key, &mut d);
    }
    number_as_string(m, "cost_incurred", &mut d);
    name_list(m, "tags", &mut d);

    let incoming = c.call_info.direction == Direction::Incoming;
    let answered = c.call_info.call_type.as_deref() == Some("Answered");
    if let Some(info) = m.get_mut("call_info").and_then(Value::as_object_mut) {
        for key in [
            "missed_call_reason",
            "disposition",
            "notes",
            "recording",
            "voicemail_transcription",
        ] {
            missing_spelling(info, key, &mut d);
        }
        number_as_string(info, "rating", &mut d);
        name_list(info, "call_traits", &mut d);
        info.insert(
            "recording_child".into(),
            if d.one_in(2) { Value::Null } else { "".into() },
        );
    }
    if let Some(dur) = m.get_mut("call_duration").and_then(Value::as_object_mut) {
        for key in [
            "ring_time",
            "queue_wait_time",
            "conversation_time",
            "hold_time",
            "total_duration",
            "wrap_up_time",
            "handle_time",
        ] {
            if dur.get(key).and_then(Value::as_i64) == Some(0) && d.one_in(4) {
                dur.insert(key.into(), Value::Null);
            } else {
                number_as_string(dur, key, &mut d);
            }
        }
        dur.insert(
            "friendly_duration".into(),
            friendly(c.call_duration.total_duration).into(),
        );
    }
    m.insert(
        "justcall_ai".into(),
        if answered && d.one_in(3) {
            let sentiment = ["Positive", "Neutral", "Negative"][d.below(3) as usize];
            json!({
                "call_summary": "The customer asked about pricing; the agent will follow up.",
                "call_moments": [],
                "call_score": d.below(100),
                "customer_sentiment": sentiment,
            })
        } else {
            Value::Null
        },
    );
    m.insert(
        "ivr_info".into(),
        if incoming && d.one_in(2) {
            let digit = d.below(3) + 1;
            json!({"digit_pressed": digit.to_string(), "content": format!("Press {digit} for the team")})
        } else {
            Value::Null
        },
    );
    if incoming && d.one_in(6) {
        m.insert(
            "queue_callback".into(),
            json!({"requested": "No", "callback_number": null}),
        );
    }

    if malformed {
        match d.below(3) {
            0 => {
                m.insert("call_date".into(), "2026-13-45".into());
            }
            1 => {
                m.remove("call_info");
            }
            _ => {
                if let Some(info) = m.get_mut("call_info").and_then(Value::as_object_mut) {
                    info.insert("direction".into(), "Sideways".into());
                }
            }
        }
    }
    v
}

/// An SMS as `/v2.1/texts` serves it; `malformed` breaks it so the lenient parser rejects it.
pub(crate) fn text(t: &Sms, malformed: bool) -> Value {
    let mut d = Dice::new(KIND_TEXT, t.id);
    let mut v = serde_json::to_value(t).expect("an SMS serialises");
    let m = object(&mut v);
    id_as_string(m, "id", &mut d);
    id_as_string(m, "agent_id", &mut d);
    digits_as_number(m, "contact_number", &mut d);
    digits_as_number(m, "justcall_number", &mut d);
    for key in ["contact_name", "contact_email"] {
        missing_spelling(m, key, &mut d);
    }
    number_as_string(m, "cost_incurred", &mut d);
    if d.one_in(3) {
        let old = match t.direction {
            Direction::Incoming => "Inbound",
            Direction::Outgoing => "Outbound",
        };
        m.insert("direction".into(), old.into());
    }
    let deleted = match (t.is_deleted, d.below(3)) {
        (false, 0) => "FALSE".into(),
        (true, 0) => "TRUE".into(),
        (b, 1) => Value::Bool(b),
        (b, _) => messy_bool(b, &mut d),
    };
    m.insert("is_deleted".into(), deleted);
    if let Some(info) = m.get_mut("sms_info").and_then(Value::as_object_mut) {
        missing_spelling(info, "body", &mut d);
        if d.one_in(4) {
            info.insert("is_mms".into(), Value::Bool(t.sms_info.is_mms));
        }
        if t.sms_info.mms.is_empty() {
            match d.below(3) {
                0 => {}
                1 => {
                    info.insert("mms".into(), Value::Null);
                }
                _ => {
                    info.remove("mms");
                }
            }
        }
    }
    m.insert(
        "message_sid".into(),
        format!("SM{:016x}", mix(t.id as u64)).into(),
    );

    if malformed {
        match d.below(3) {
            0 => {
                m.insert("sms_date".into(), "2026-13-45".into());
            }
            1 => {
                m.insert("direction".into(), "Sideways".into());
            }
            _ => {
                m.insert("sms_time".into(), "25:61:07".into());
            }
        }
    }
    v
}

/// Whether a single-record answer for this id wraps `data` in a one-element array (some API
/// versions do; clients must accept both).
pub(crate) fn single_as_array(id: i64) -> bool {
    Dice::new(0xA77A, id).one_in(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{generate, SimConfig};

    fn data() -> crate::Dataset {
        generate(&SimConfig {
            malformed_calls: 30,
            malformed_texts: 30,
            ..SimConfig::default()
        })
    }

    #[test]
    fn every_rendered_record_parses_back_to_its_canonical_value() {
        let d = data();
        for u in &d.users {
            let s = serde_json::to_string(&user(u)).unwrap();
            assert_eq!(&serde_json::from_str::<User>(&s).unwrap(), u, "{s}");
        }
        for c in &d.calls {
            let s = serde_json::to_string(&call(c, false)).unwrap();
            let back: Call = serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}: {s}"));
            assert_eq!(&back, c, "{s}");
        }
        for t in &d.texts {
            let s = serde_json::to_string(&text(t, false)).unwrap();
            let back: Sms = serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}: {s}"));
            assert_eq!(&back, t, "{s}");
        }
    }

    #[test]
    fn malformed_records_are_rejected_but_keep_their_id() {
        let d = data();
        let mut kinds = std::collections::HashSet::new();
        for id in &d.malformed_call_ids {
            let c = d.calls.iter().find(|c| c.id == *id).unwrap();
            let v = call(c, true);
            assert_eq!(v["id"].to_string().trim_matches('"'), id.to_string());
            let err = serde_json::from_str::<Call>(&v.to_string())
                .unwrap_err()
                .to_string();
            kinds.insert(err.split(' ').take(3).collect::<Vec<_>>().join(" "));
        }
        assert!(kinds.len() >= 2, "several kinds of damage: {kinds:?}");
        for id in &d.malformed_text_ids {
            let t = d.texts.iter().find(|t| t.id == *id).unwrap();
            let v = text(t, true);
            assert_eq!(v["id"].to_string().trim_matches('"'), id.to_string());
            assert!(serde_json::from_str::<Sms>(&v.to_string()).is_err());
        }
    }

    #[test]
    fn rendering_is_messy_and_deterministic() {
        let d = data();
        let rendered: Vec<Value> = d.calls.iter().map(|c| call(c, false)).collect();
        assert_eq!(
            rendered,
            d.calls.iter().map(|c| call(c, false)).collect::<Vec<_>>()
        );
        let any = |f: &dyn Fn(&Value) -> bool| rendered.iter().any(f);
        assert!(any(&|v| v["id"].is_string()));
        assert!(any(&|v| v["id"].is_number()));
        assert!(any(&|v| v["agent_id"].is_string()));
        assert!(any(&|v| v["contact_number"].is_number()));
        assert!(any(&|v| v["call_info"]["notes"] == ""));
        assert!(
            any(&|v| v["call_time"].as_str().is_some_and(|t| t.len() == 7)),
            "unpadded hours"
        );
        assert!(any(&|v| v["agent_active"] == "Yes"));
        assert!(any(&|v| v["call_duration"]["friendly_duration"].is_string()));
        assert!(any(&|v| v["ivr_info"].is_object()));
        assert!(any(&|v| v["justcall_ai"].is_object()));
        assert!(any(&|v| v.get("queue_callback").is_some()));
        assert!(any(&|v| v["tags"]
            .as_array()
            .is_some_and(|t| t.iter().any(Value::is_object))));
        let texts: Vec<Value> = d.texts.iter().map(|t| text(t, false)).collect();
        assert!(texts.iter().any(|v| v["is_deleted"] == "FALSE"));
        assert!(texts.iter().any(|v| v["direction"] == "Outbound"));
        assert!(texts.iter().any(|v| v["sms_info"]["is_mms"] == "No"));
        let users: Vec<Value> = d.users.iter().map(user).collect();
        assert!(
            users.iter().any(|v| v["id"].is_string())
                || users.iter().any(|v| v["extension"].is_number())
        );
    }
}
