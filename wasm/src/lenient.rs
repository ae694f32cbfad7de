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

// Dates and times are read and written by hand rather than with chrono's `parse_from_str` and
// `format`, whose general format-string machinery was ~11 KiB of the gzipped WebAssembly module.
// They accept and write exactly what chrono does with `%Y-%m-%d`, `%H:%M:%S` / `%H:%M` and
// `%-H:%M:%S` (`tests::dates_and_times_are_read_as_chrono_reads_them` compares them natively).

/// An unsigned number of 1 to `max` ASCII digits after optional Unicode whitespace, as chrono reads
/// a numeric field: the number and the rest; `None` without a digit or on overflow.
fn digits(s: &str, max: usize) -> Option<(i64, &str)> {
    let s = s.trim_start();
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let mut v = 0i64;
    for b in s[..n].bytes() {
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some((v, &s[n..]))
}

/// chrono's `%Y`: an explicit sign and any number of digits, or up to four digits.
fn year(s: &str) -> Option<(i64, &str)> {
    let s = s.trim_start();
    if let Some(rest) = s.strip_prefix('-') {
        digits_after_sign(rest).map(|(v, r)| (-v, r))
    } else if let Some(rest) = s.strip_prefix('+') {
        digits_after_sign(rest)
    } else {
        digits(s, 4)
    }
}

/// Digits right after a sign (no whitespace between), as many as there are.
fn digits_after_sign(s: &str) -> Option<(i64, &str)> {
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    digits(s, usize::MAX)
}

/// Parses `YYYY-MM-DD` (also `YYYY-M-D`): chrono's `NaiveDate::parse_from_str(s, "%Y-%m-%d")`
/// after [`trim`].
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let (y, s) = year(trim(s))?;
    let (m, s) = digits(s.strip_prefix('-')?, 2)?;
    let (d, s) = digits(s.strip_prefix('-')?, 2)?;
    if !s.is_empty() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m as u32, d as u32)
}

/// Parses `HH:MM:SS` with an unpadded hour (`8:25:43`), and `HH:MM`: chrono's
/// `NaiveTime::parse_from_str` with `%H:%M:%S`, else `%H:%M`, after [`trim`] (second 60 is a
/// leap second, as in chrono).
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let (h, s) = digits(trim(s), 2)?;
    let (m, s) = digits(s.strip_prefix(':')?, 2)?;
    let sec = match s.strip_prefix(':') {
        None if s.is_empty() => 0,
        None => return None,
        Some(rest) => match digits(rest, 2)? {
            (sec, "") => sec,
            _ => return None,
        },
    };
    if !(0..=23).contains(&h) || !(0..=59).contains(&m) || !(0..=60).contains(&sec) {
        return None;
    }
    let (sec, nano) = if sec == 60 {
        (59, 1_000_000_000)
    } else {
        (sec, 0)
    };
    NaiveTime::from_hms_nano_opt(h as u32, m as u32, sec as u32, nano)
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

/// Serialises a time of day with an unpadded hour, as JustCall does (`8:05:09`): chrono's
/// `%-H:%M:%S` (a leap second is `:60`).
pub fn ser_time<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{}", time_text(t)))
}

fn time_text(t: &NaiveTime) -> String {
    use chrono::Timelike;
    let second = t.second() + t.nanosecond() / 1_000_000_000;
    format!("{}:{:02}:{:02}", t.hour(), t.minute(), second)
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

    /// Every string built from a small alphabet up to a length, plus hand-picked ones: the hand
    /// parsers accept exactly what chrono's `parse_from_str` accepts, with the same value, and
    /// `ser_time` writes what chrono's `%-H:%M:%S` writes.
    #[test]
    fn dates_and_times_are_read_as_chrono_reads_them() {
        let chrono_date = |s: &str| NaiveDate::parse_from_str(trim(s), "%Y-%m-%d").ok();
        let chrono_time = |s: &str| {
            NaiveTime::parse_from_str(trim(s), "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(trim(s), "%H:%M"))
                .ok()
        };
        let mut cases: Vec<String> = [
            "2026-03-08",
            "2026-3-8",
            " 2026-03-08\n",
            "2026-02-29",
            "2024-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-01-32",
            "2026-04-31",
            "26-03-08",
            "0-1-1",
            "+2026-03-08",
            "-2026-03-08",
            "+12026-03-08",
            "-0001-12-31",
            "20260-03-08",
            "2026- 03- 08",
            "2026 -03-08",
            "2026-03-08 ",
            "2026-03-08T00:00",
            "2026/03/08",
            "２０２６-03-08",
            "2026-\u{a0}3-08",
            "+ 2026-03-08",
            "+-1-1-1",
            "99999999999999999999-1-1",
            "-99999999999999999999-1-1",
            "+262143-12-31",
            "+262144-01-01",
            "-262144-01-01",
            "8:25:43",
            "08:25:43",
            "8:25",
            "23:59:60",
            "23:59:61",
            "24:00:00",
            "0:0:0",
            "8:5:9",
            "8: 5: 9",
            "8 :05:09",
            "8:05:",
            "8:05:09:",
            "8::09",
            ":05:09",
            "123:00:00",
            "8:005:09",
            "8:05:09.5",
            " 8:05:09 ",
            "8:05\t",
            "\u{2003}8:05:09",
            "8:\u{a0}05",
            "-8:05:09",
            "+8:05:09",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every string of up to 7 characters over a small alphabet.
        let alphabet = ['0', '1', '2', '9', '-', ':', ' ', '+'];
        let mut layer = vec![String::new()];
        for _ in 0..7 {
            layer = layer
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            cases.extend(layer.iter().cloned());
        }
        // Dates and times in every shape chrono accepts.
        for y in ["2026", "999", "1", "+2026", "-44"] {
            for m in ["1", "02", "12", "13"] {
                for d in ["1", "09", "29", "30", "31"] {
                    cases.push(format!("{y}-{m}-{d}"));
                }
            }
        }
        for h in 0..=25 {
            for m in [0, 7, 59, 60] {
                for s in ["", ":00", ":7", ":59", ":60", ":61"] {
                    cases.push(format!("{h}:{m:02}{s}"));
                }
            }
        }
        assert!(cases.len() > 900_000);
        let mut accepted = (0, 0);
        for s in &cases {
            let d = parse_date(s);
            assert_eq!(d, chrono_date(s), "date {s:?}");
            let t = parse_time(s);
            assert_eq!(t, chrono_time(s), "time {s:?}");
            if let Some(t) = t {
                assert_eq!(time_text(&t), t.format("%-H:%M:%S").to_string(), "{s:?}");
            }
            accepted.0 += usize::from(d.is_some());
            accepted.1 += usize::from(t.is_some());
        }
        assert!(accepted.0 > 1_000 && accepted.1 > 1_000, "{accepted:?}");
    }

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
