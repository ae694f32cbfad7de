//! Firestore's typed JSON values (REST v1): `integerValue` is a string, `timestampValue` is
//! RFC 3339 with a `Z`, maps nest as `mapValue.fields`. Reading accepts what other writers store
//! too: integers or doubles for numbers, and `{seconds, nanos}` maps for old timestamps.

use chrono::{DateTime, NaiveDateTime};
use serde_json::{json, Map, Value};

pub fn string(s: &str) -> Value {
    json!({ "stringValue": s })
}

pub fn integer(n: i64) -> Value {
    json!({ "integerValue": n.to_string() })
}

pub fn double(x: f64) -> Value {
    json!({ "doubleValue": x })
}

/// A number as the dashboard reads it: whole numbers as integers, others as doubles.
pub fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        integer(x as i64)
    } else {
        double(x)
    }
}

/// A UTC instant as a Timestamp (never a string: the dashboard calls `.toDate()`).
pub fn timestamp(utc: NaiveDateTime) -> Value {
    json!({ "timestampValue": utc.and_utc().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string() })
}

pub fn map(fields: Map<String, Value>) -> Value {
    json!({ "mapValue": { "fields": fields } })
}

/// A field of a document's `fields`.
pub fn field<'a>(fields: &'a Value, name: &str) -> Option<&'a Value> {
    fields.get(name)
}

/// A string field.
pub fn as_string(v: &Value) -> Option<&str> {
    v.get("stringValue")?.as_str()
}

/// A number field (integer or double).
pub fn as_f64(v: &Value) -> Option<f64> {
    if let Some(i) = v.get("integerValue") {
        return i
            .as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| i.as_f64());
    }
    v.get("doubleValue")?.as_f64()
}

/// A timestamp field: a Timestamp, or an old `{seconds, nanos}` map.
pub fn as_timestamp(v: &Value) -> Option<NaiveDateTime> {
    if let Some(t) = v.get("timestampValue").and_then(Value::as_str) {
        return DateTime::parse_from_rfc3339(t).ok().map(|t| t.naive_utc());
    }
    let fields = v.get("mapValue")?.get("fields")?;
    let seconds = as_f64(fields.get("seconds").or_else(|| fields.get("_seconds"))?)? as i64;
    let nanos = fields
        .get("nanos")
        .or_else(|| fields.get("_nanoseconds"))
        .and_then(as_f64)
        .unwrap_or(0.0) as u32;
    DateTime::from_timestamp(seconds, nanos).map(|t| t.naive_utc())
}

/// A typed value as plain JSON (what an export file would hold): strings, numbers, booleans,
/// arrays and objects as themselves, timestamps as RFC 3339 strings, references and geo points
/// as strings and objects.
pub fn to_plain(v: &Value) -> Value {
    let Some((kind, inner)) = v.as_object().and_then(|o| o.iter().next()) else {
        return Value::Null;
    };
    match kind.as_str() {
        "integerValue" => inner
            .as_str()
            .and_then(|s| s.parse::<i64>().ok())
            .map_or_else(|| inner.clone(), Value::from),
        "mapValue" => fields_to_plain(inner.get("fields").unwrap_or(&Value::Null)),
        "arrayValue" => Value::Array(
            inner
                .get("values")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(to_plain).collect())
                .unwrap_or_default(),
        ),
        "nullValue" => Value::Null,
        _ => inner.clone(),
    }
}

/// A document's `fields` as a plain JSON object.
pub fn fields_to_plain(fields: &Value) -> Value {
    Value::Object(
        fields
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), to_plain(v))).collect())
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn encodes_as_the_rest_api_expects_and_reads_back() {
        let noon = NaiveDate::from_ymd_opt(2026, 11, 10)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        assert_eq!(
            timestamp(noon),
            json!({"timestampValue": "2026-11-10T12:00:00.000000Z"})
        );
        assert_eq!(as_timestamp(&timestamp(noon)), Some(noon));
        assert_eq!(number(8.0), json!({"integerValue": "8"}));
        assert_eq!(number(2.5), json!({"doubleValue": 2.5}));
        assert_eq!(as_f64(&integer(-3)), Some(-3.0));
        let old = json!({"mapValue": {"fields": {"seconds": {"integerValue": "1794312000"}, "nanos": {"integerValue": "0"}}}});
        assert_eq!(as_timestamp(&old), Some(noon));
        assert_eq!(as_string(&string("x")), Some("x"));
    }

    #[test]
    fn typed_values_become_plain_json() {
        let fields = json!({
            "name": {"stringValue": "Ann"},
            "n": {"integerValue": "7"},
            "x": {"doubleValue": 1.5},
            "ok": {"booleanValue": true},
            "none": {"nullValue": null},
            "at": {"timestampValue": "2026-11-10T12:00:00Z"},
            "phones": {"arrayValue": {"values": [{"mapValue": {"fields": {"number": {"stringValue": "2019449536"}}}}]}},
            "empty": {"arrayValue": {}}
        });
        assert_eq!(
            fields_to_plain(&fields),
            json!({"name": "Ann", "n": 7, "x": 1.5, "ok": true, "none": null,
                   "at": "2026-11-10T12:00:00Z", "phones": [{"number": "2019449536"}], "empty": []})
        );
    }
}
