//! Lenient deserialisers for the JustCall v2.1 wire format.
//!
//! JustCall's payloads vary between endpoints, API versions and accounts: ids arrive as numbers or
//! strings, hours are unpadded (`8:25:43`), booleans are `"Yes"`/`"No"`/`"FALSE"`/`true`, directions
//! say `Outbound` where others say `Outgoing`, and optional blocks are missing or `null`. Each helper
//! here accepts every spelling seen in the wild and turns anything else into a serde error that
//! names what was expected, so the caller can quarantine the record with a useful reason.
//!
//! Padding is removed with [`trim`] everywhere in the core (fields, options, zone names), the one
//! definition of whitespace shared with the SQL views' `callduck_trim`.

use chrono::{NaiveDate, NaiveTime};
use serde::de::{self, Deserializer, Unexpected};
use serde::{Deserialize, Serializer};
use serde_json::Value;

fn describe(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match n.as_f64() {
            Some(f) => Unexpected::Float(f),
            None => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// Removes leading and trailing ASCII whitespace: space, tab, line feed, vertical tab, form feed
/// and carriage return; nothing else (a no-break space stays). SQL twin: `callduck_trim`
/// (sql/staging/callduck_text.sql). Neither built-in agrees with the other: `str::trim` removes
/// all Unicode whitespace, DuckDB's one-argument `trim` Unicode spaces but not tabs or line
/// breaks, so `"Answered\n"` was completed in Rust and missed in SQL.
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b')
}

fn value_to_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => {
            let t = trim(s);
            t.parse::<i64>().ok().or_else(|| {
                t.parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
        }
        _ => None,
    }
}

/// A required integer id: `123` or `"123"`.
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Value::deserialize(d)?;
    value_to_i64(&v).ok_or_else(|| de::Error::invalid_value(describe(&v), &"an integer id"))
}

/// An optional integer: number, numeric string, `null`, `""` or missing (with `#[serde(default)]`).
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Value::deserialize(d)?;
    match &v {
        Value::Null => Ok(None),
        Value::String(s) if trim(s).is_empty() => Ok(None),
        _ => value_to_i64(&v)
            .map(Some)
            .ok_or_else(|| de::Error::invalid_value(describe(&v), &"an integer")),
    }
}

/// A duration in whole seconds, the one definition behind every `call_duration` field (the engine
/// stores these values as they are, so the SQL views sum the same numbers):
/// * a number or numeric string (padding trimmed), fractions rounded half away from zero
///   (`12.5` → 13, `12.49` → 12), as DuckDB's `round` and [`crate::metrics::talk_minutes`] do;
/// * negative → 0 (a clock glitch, not time spent); above `i32::MAX` (68 years) → `i32::MAX`,
///   the range of the stored INTEGER columns and of the columnar batches;
/// * `null`, `""` or missing (with `#[serde(default)]`) → 0;
/// * anything else (text, `NaN`, a boolean) is an error, so the record is quarantined with a
///   reason rather than counted with a guess.
pub fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Value::deserialize(d)?;
    let f = match &v {
        Value::Null => return Ok(0),
        Value::String(s) if trim(s).is_empty() => return Ok(0),
        Value::Number(n) => n.as_f64(),
        Value::String(s) => trim(s).parse::<f64>().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
    .ok_or_else(|| de::Error::invalid_value(describe(&v), &"a duration in seconds"))?;
    // Integers are exact in f64 up to 2^53, far beyond the clamp.
    Ok(f.round().clamp(0.0, f64::from(i32::MAX)) as i64)
}

/// An optional decimal: number, numeric string, `null` or `""`.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = Value::deserialize(d)?;
    match &v {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) if trim(s).is_empty() => Ok(None),
        Value::String(s) => trim(s)
            .parse::<f64>()
            .map(Some)
            .map_err(|_| de::Error::invalid_value(describe(&v), &"a decimal number")),
        _ => Err(de::Error::invalid_value(describe(&v), &"a decimal number")),
    }
}

/// An optional string: `null` and `""` read as `None`; numbers and booleans are kept as text
/// (phone numbers and extensions sometimes arrive as numbers).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Value::deserialize(d)?;
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(de::Error::invalid_value(describe(&other), &"a string")),
    }
}

fn value_to_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().and_then(|i| match i {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }),
        Value::String(s) => match trim(s).to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "t" | "1" => Some(true),
            "no" | "n" | "false" | "f" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// An optional boolean: `true`, `"Yes"`, `"TRUE"`, `1`, ... ; `null`/`""` read as `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Value::deserialize(d)?;
    match &v {
        Value::Null => Ok(None),
        Value::String(s) if trim(s).is_empty() => Ok(None),
        _ => value_to_bool(&v).map(Some).ok_or_else(|| {
            de::Error::invalid_value(describe(&v), &"a boolean (Yes/No/true/false)")
        }),
    }
}

/// A boolean that defaults to `false` when `null`, empty or missing.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or(false))
}

/// Parses `YYYY-MM-DD` (also `YYYY-M-D`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = trim(s);
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Parses `HH:MM:SS` with an unpadded hour (`8:25:43`), and `HH:MM`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = trim(s);
    NaiveTime::parse_from_str(s, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .ok()
}

/// A required `YYYY-MM-DD` date.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let v = Value::deserialize(d)?;
    v.as_str()
        .and_then(parse_date)
        .ok_or_else(|| de::Error::invalid_value(describe(&v), &"a date YYYY-MM-DD"))
}

/// An optional `YYYY-MM-DD` date; `null`/`""` read as `None`.
pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let v = Value::deserialize(d)?;
    match &v {
        Value::Null => Ok(None),
        Value::String(s) if trim(s).is_empty() => Ok(None),
        _ => v
            .as_str()
            .and_then(parse_date)
            .map(Some)
            .ok_or_else(|| de::Error::invalid_value(describe(&v), &"a date YYYY-MM-DD")),
    }
}

/// A required `H:MM:SS` time of day (hour may be unpadded).
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let v = Value::deserialize(d)?;
    v.as_str()
        .and_then(parse_time)
        .ok_or_else(|| de::Error::invalid_value(describe(&v), &"a time H:MM:SS"))
}

/// An optional `H:MM:SS` time; `null`/`""` read as `None`.
pub fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveTime>, D::Error> {
    let v = Value::deserialize(d)?;
    match &v {
        Value::Null => Ok(None),
        Value::String(s) if trim(s).is_empty() => Ok(None),
        _ => v
            .as_str()
            .and_then(parse_time)
            .map(Some)
            .ok_or_else(|| de::Error::invalid_value(describe(&v), &"a time H:MM:SS")),
    }
}

/// A list of strings: an array (of strings or numbers), a comma-separated string, or `null`.
pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Value::deserialize(d)?;
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(s
            .split(',')
            .map(trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()),
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Null => None,
                Value::String(s) => Some(Ok(s)),
                Value::Number(n) => Some(Ok(n.to_string())),
                // Tags are sometimes objects such as {"id": 1, "name": "VIP"}: keep the name.
                Value::Object(map) => match map.get("name").and_then(Value::as_str) {
                    Some(name) => Some(Ok(name.to_owned())),
                    None => Some(Err(de::Error::custom("a list item object without a name"))),
                },
                other => Some(Err(de::Error::invalid_value(describe(&other), &"a string"))),
            })
            .collect(),
        other => Err(de::Error::invalid_value(
            describe(&other),
            &"a list of strings",
        )),
    }
}

/// Serialises an optional boolean the way JustCall writes it: `"Yes"`/`"No"`.
pub fn ser_yes_no<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(true) => s.serialize_str("Yes"),
        Some(false) => s.serialize_str("No"),
        None => s.serialize_none(),
    }
}

/// Serialises a boolean as `"Yes"`/`"No"`.
pub fn ser_flag_yes_no<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(if *v { "Yes" } else { "No" })
}

/// Serialises a time of day with an unpadded hour, as JustCall does (`8:05:09`).
pub fn ser_time<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{}", t.format("%-H:%M:%S")))
}

/// Serialises an optional time of day with an unpadded hour.
pub fn ser_opt_time<S: Serializer>(t: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => ser_time(t, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct T {
        #[serde(deserialize_with = "id")]
        id: i64,
        #[serde(default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "opt_time")]
        t: Option<NaiveTime>,
        #[serde(default, deserialize_with = "string_list")]
        tags: Vec<String>,
    }

    fn parse(s: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(s)
    }

    #[test]
    fn ids_as_numbers_or_strings() {
        assert_eq!(parse(r#"{"id": 42}"#).unwrap().id, 42);
        assert_eq!(parse(r#"{"id": "42"}"#).unwrap().id, 42);
        assert_eq!(parse(r#"{"id": 42.0}"#).unwrap().id, 42);
        let err = parse(r#"{"id": "abc"}"#).err().unwrap().to_string();
        assert!(err.contains("an integer id"), "{err}");
    }

    #[test]
    fn booleans_in_every_spelling() {
        for (raw, want) in [
            ("\"Yes\"", Some(true)),
            ("\"No\"", Some(false)),
            ("\"FALSE\"", Some(false)),
            ("true", Some(true)),
            ("0", Some(false)),
            ("null", None),
            ("\"\"", None),
        ] {
            let t = parse(&format!(r#"{{"id":1,"b":{raw}}}"#)).unwrap();
            assert_eq!(t.b, want, "{raw}");
        }
        assert!(parse(r#"{"id":1,"b":"maybe"}"#).is_err());
    }

    #[test]
    fn unpadded_hours() {
        let t = parse(r#"{"id":1,"t":"8:25:43"}"#).unwrap();
        assert_eq!(t.t, NaiveTime::from_hms_opt(8, 25, 43));
        assert!(parse(r#"{"id":1,"t":"25:00:00"}"#).is_err());
    }

    #[test]
    fn tag_lists() {
        let t = parse(r#"{"id":1,"tags":["a", 2, {"id":3,"name":"VIP"}, null]}"#).unwrap();
        assert_eq!(t.tags, vec!["a", "2", "VIP"]);
        let t = parse(r#"{"id":1,"tags":"x, y"}"#).unwrap();
        assert_eq!(t.tags, vec!["x", "y"]);
    }
}
