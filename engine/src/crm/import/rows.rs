//! From an export's text to rows: CSV (delimiter sniffed, quoted fields, line numbers kept) and
//! JSON or NDJSON (nested objects flattened to dotted keys), each row with its raw text so a
//! reject can show it.

use anyhow::Context as _;
use serde_json::{Map, Value};

use super::{column_key, Reject};

/// A record's fields as `(column key, value)` pairs, in order, with where it came from.
pub(super) struct Row {
    pub(super) line: u64,
    pub(super) fields: Vec<(String, String)>,
    pub(super) raw: String,
}

impl Row {
    pub(super) fn first(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| {
            self.fields
                .iter()
                .find(|(key, v)| key == k && !v.trim().is_empty())
                .map(|(_, v)| v.trim())
        })
    }

    pub(super) fn all(&self, pick: impl Fn(&str) -> bool) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, v)| pick(k) && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
}

pub(super) type RowsAndRejects = (Vec<Row>, Vec<Reject>);

pub(super) fn csv_rows(text: &str) -> anyhow::Result<RowsAndRejects> {
    let delimiter = sniff_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader.headers().context("reading the header line")?.clone();
    anyhow::ensure!(
        headers.iter().any(|h| !h.trim().is_empty()),
        "the first line must be a header naming the columns"
    );
    let keys: Vec<String> = headers.iter().map(column_key).collect();
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                let mut raw = Map::new();
                let mut fields = Vec::with_capacity(keys.len());
                for ((key, header), value) in keys.iter().zip(headers.iter()).zip(record.iter()) {
                    raw.insert(header.to_string(), Value::String(value.to_string()));
                    fields.push((key.clone(), value.to_string()));
                }
                if fields.iter().all(|(_, v)| v.trim().is_empty()) {
                    continue; // blank line
                }
                rows.push(Row {
                    line,
                    fields,
                    raw: Value::Object(raw).to_string(),
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } = e.kind()
                else {
                    // Anything else (broken quoting) may have lost the reader's place.
                    anyhow::bail!("line {line}: {e}");
                };
                let raw = text
                    .lines()
                    .nth(line.saturating_sub(1) as usize)
                    .unwrap_or("")
                    .to_string();
                rejects.push(Reject {
                    line,
                    reason: format!("{len} fields where the header has {expected_len}"),
                    raw,
                });
            }
        }
    }
    Ok((rows, rejects))
}

/// `,` unless the header line has more tabs or semicolons.
pub(super) fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c| header.matches(c).count();
    let (commas, tabs, semis) = (count(','), count('\t'), count(';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

pub(super) fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

pub(super) fn json_rows(text: &str) -> anyhow::Result<RowsAndRejects> {
    let trimmed = text.trim_start();
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    let offset_in = |s: &str| s.as_ptr() as usize - text.as_ptr() as usize;
    if trimmed.starts_with('[') {
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(text)?;
        for item in items {
            let line = line_of(text, offset_in(item.get()));
            match serde_json::from_str::<Value>(item.get()) {
                Ok(v @ Value::Object(_)) => rows.push(json_row(line, &v)),
                _ => rejects.push(Reject {
                    line,
                    reason: "not a JSON object".into(),
                    raw: item.get().to_string(),
                }),
            }
        }
        return Ok((rows, rejects));
    }
    // One object holding everything: `{"id": {...}, ...}` (a keyed export) or `{"documents":
    // [...]}`; else newline-delimited JSON.
    if let Ok(Value::Object(top)) = serde_json::from_str::<Value>(text) {
        let keyed = !top.is_empty() && top.values().all(Value::is_object);
        if keyed {
            for (i, (id, mut v)) in top.into_iter().enumerate() {
                if let Value::Object(m) = &mut v {
                    m.entry("id").or_insert(Value::String(id));
                }
                rows.push(json_row(i as u64 + 1, &v));
            }
            return Ok((rows, rejects));
        }
        for key in [
            "documents",
            "data",
            "records",
            "items",
            "customers",
            "orders",
        ] {
            if let Some(Value::Array(items)) = top.get(key) {
                for (i, v) in items.iter().enumerate() {
                    rows.push(json_row(i as u64 + 1, v));
                }
                return Ok((rows, rejects));
            }
        }
        rows.push(json_row(1, &Value::Object(top)));
        return Ok((rows, rejects));
    }
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = i as u64 + 1;
        match serde_json::from_str::<Value>(line) {
            Ok(v @ Value::Object(_)) => rows.push(json_row(n, &v)),
            Ok(_) => rejects.push(Reject {
                line: n,
                reason: "not a JSON object".into(),
                raw: line.to_string(),
            }),
            Err(e) => rejects.push(Reject {
                line: n,
                reason: format!("malformed JSON: {e}"),
                raw: line.to_string(),
            }),
        }
    }
    anyhow::ensure!(
        !rows.is_empty() || rejects.is_empty(),
        "not JSON: expected an array of objects, an object of objects or one object per line"
    );
    Ok((rows, rejects))
}

pub(super) fn json_row(line: u64, value: &Value) -> Row {
    let mut fields = Vec::new();
    flatten("", value, &mut fields);
    Row {
        line,
        fields,
        raw: value.to_string(),
    }
}

/// Flattens nested objects to dotted keys (normalised with [`column_key`] per segment, array
/// indexes dropped) and arrays of scalars to repeated keys.
pub(super) fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push((column_key(prefix), b.to_string())),
        Value::Number(n) => out.push((column_key(prefix), n.to_string())),
        Value::String(s) => out.push((column_key(prefix), s.clone())),
        Value::Array(items) => {
            for item in items {
                flatten(prefix, item, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
    }
}
