//! The binary file of a columnar batch, as `callduck export dashboard` writes it and the browser
//! reads it (with the module, or directly as typed arrays without it).
//!
//! Layout, little-endian throughout:
//!
//! | bytes | content |
//! |---|---|
//! | `0..8` | magic `CDBATCH1` (ASCII; the digit is the layout version) |
//! | `8..12` | `u32` length `H` of the header |
//! | `12..12+H` | header, UTF-8 JSON (below) |
//! | up to the next multiple of 8 | zero padding; the data section starts there (`dataStart`) |
//! | data | each column's values, packed; every column starts at a multiple of 8 |
//!
//! Header:
//!
//! ```json
//! {"kind": "calls", "rows": 1000000,
//!  "columns": [{"name": "startedAt", "type": "f64", "offset": 0, "byteLength": 8000000}, ...],
//!  "dictionaries": {"callTypes": ["Answered", null, ...], "agents": [{"id": 7, "email": "..", "name": ".."}]},
//!  "meta": {}}
//! ```
//!
//! `offset` is relative to `dataStart`; `type` is one of `f64`, `i32`, `u32`, `u8`. In JavaScript:
//! `new Float64Array(buffer, dataStart + col.offset, rows)`. Column and dictionary names are the
//! field names of [`CallColumns`] / [`SmsColumns`] in camelCase; readers ignore columns they do not
//! know, so later versions can add some. `meta` is free-form (the exporter's time range, source).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{AgentEntry, CallColumns, ContactEntry, SmsColumns};
use crate::error::MetricsError;

/// Magic bytes at the start of every batch file.
pub const MAGIC: &[u8; 8] = b"CDBATCH1";

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    F64(Vec<f64>),
    I32(Vec<i32>),
    U32(Vec<u32>),
    U8(Vec<u8>),
}

impl Column {
    fn type_name(&self) -> &'static str {
        match self {
            Column::F64(_) => "f64",
            Column::I32(_) => "i32",
            Column::U32(_) => "u32",
            Column::U8(_) => "u8",
        }
    }

    fn len(&self) -> usize {
        match self {
            Column::F64(v) => v.len(),
            Column::I32(v) => v.len(),
            Column::U32(v) => v.len(),
            Column::U8(v) => v.len(),
        }
    }

    fn width(type_name: &str) -> Option<usize> {
        match type_name {
            "f64" => Some(8),
            "i32" | "u32" => Some(4),
            "u8" => Some(1),
            _ => None,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Column::F64(v) => write_le!(v, out, 8),
            Column::I32(v) => write_le!(v, out, 4),
            Column::U32(v) => write_le!(v, out, 4),
            Column::U8(v) => out.extend_from_slice(v),
        }
    }

    fn read(type_name: &str, bytes: &[u8]) -> Column {
        match type_name {
            "f64" => Column::F64(
                bytes
                    .chunks_exact(8)
                    .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                    .collect(),
            ),
            "i32" => Column::I32(
                bytes
                    .chunks_exact(4)
                    .map(|c| i32::from_le_bytes(c.try_into().expect("4 bytes")))
                    .collect(),
            ),
            "u32" => Column::U32(
                bytes
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
                    .collect(),
            ),
            _ => Column::U8(bytes.to_vec()),
        }
    }
}

// Columns to little-endian bytes with plain loops over slices and fixed-size arrays: the
// WebAssembly module is compiled for size, where `for_each` + `extend_from_slice` per value was
// 2.4 times slower. (Reading with `chunks_exact` stays: a plain loop was slower there.)

/// Appends the values of `v` (`$w` bytes each) to `out`, little-endian.
macro_rules! write_le {
    ($v:expr, $out:expr, $w:literal) => {{
        let (v, out) = (&$v[..], &mut *$out);
        let start = out.len();
        out.resize(start + v.len() * $w, 0);
        let dst = &mut out[start..];
        for (i, x) in v.iter().enumerate() {
            let b: [u8; $w] = x.to_le_bytes();
            for k in 0..$w {
                dst[i * $w + k] = b[k];
            }
        }
    }};
}
use write_le;

/// Header entry of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnHeader {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub offset: usize,
    pub byte_length: usize,
}

/// The JSON header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    pub kind: String,
    pub rows: usize,
    pub columns: Vec<ColumnHeader>,
    #[serde(default)]
    pub dictionaries: Map<String, Value>,
    #[serde(default)]
    pub meta: Value,
}

/// A decoded batch: header fields and columns by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub kind: String,
    pub rows: usize,
    pub columns: Vec<(String, Column)>,
    pub dictionaries: Map<String, Value>,
    pub meta: Value,
}

fn pad8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

fn bad(message: impl Into<String>) -> MetricsError {
    MetricsError::invalid("batch file", message)
}

impl Batch {
    /// Serialises the batch in the layout of the module docs.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut columns = Vec::with_capacity(self.columns.len());
        let mut offset = 0;
        for (name, col) in &self.columns {
            let byte_length = col.len() * Column::width(col.type_name()).expect("known type");
            columns.push(ColumnHeader {
                name: name.clone(),
                type_name: col.type_name().to_owned(),
                offset,
                byte_length,
            });
            offset = pad8(offset + byte_length);
        }
        let header = Header {
            kind: self.kind.clone(),
            rows: self.rows,
            columns,
            dictionaries: self.dictionaries.clone(),
            meta: self.meta.clone(),
        };
        let json = serde_json::to_vec(&header).expect("a header serialises");
        let data_start = pad8(12 + json.len());
        let mut out = Vec::with_capacity(data_start + offset);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        out.resize(data_start, 0);
        for ((_, col), h) in self.columns.iter().zip(&header.columns) {
            out.resize(data_start + h.offset, 0);
            col.write(&mut out);
        }
        out
    }

    /// Reads a batch file, checking its magic, header and bounds.
    pub fn from_bytes(bytes: &[u8]) -> Result<Batch, MetricsError> {
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(bad("not a callduck batch (magic CDBATCH1 missing)"));
        }
        let h = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
        let json = bytes
            .get(12..12usize.saturating_add(h))
            .ok_or_else(|| bad("header runs past the end of the file"))?;
        let header: Header =
            serde_json::from_slice(json).map_err(|e| bad(format!("header: {e}")))?;
        let data_start = pad8(12 + h);
        let mut columns = Vec::with_capacity(header.columns.len());
        for c in &header.columns {
            let width = Column::width(&c.type_name)
                .ok_or_else(|| bad(format!("column {}: unknown type {:?}", c.name, c.type_name)))?;
            if header.rows.checked_mul(width) != Some(c.byte_length) {
                return Err(bad(format!(
                    "column {}: {} bytes for {} rows of {}",
                    c.name, c.byte_length, header.rows, c.type_name
                )));
            }
            let data = data_start
                .checked_add(c.offset)
                .and_then(|start| Some(start..start.checked_add(c.byte_length)?))
                .and_then(|range| bytes.get(range))
                .ok_or_else(|| bad(format!("column {} runs past the end of the file", c.name)))?;
            columns.push((c.name.clone(), Column::read(&c.type_name, data)));
        }
        Ok(Batch {
            kind: header.kind,
            rows: header.rows,
            columns,
            dictionaries: header.dictionaries,
            meta: header.meta,
        })
    }

    fn take(&mut self, name: &str) -> Result<Column, MetricsError> {
        let i = self
            .columns
            .iter()
            .position(|(n, _)| n == name)
            .ok_or_else(|| bad(format!("column {name} is missing")))?;
        Ok(self.columns.swap_remove(i).1)
    }

    fn f64(&mut self, name: &str) -> Result<Vec<f64>, MetricsError> {
        match self.take(name)? {
            Column::F64(v) => Ok(v),
            other => Err(bad(format!(
                "column {name} is {}, expected f64",
                other.type_name()
            ))),
        }
    }

    fn i32(&mut self, name: &str) -> Result<Vec<i32>, MetricsError> {
        match self.take(name)? {
            Column::I32(v) => Ok(v),
            other => Err(bad(format!(
                "column {name} is {}, expected i32",
                other.type_name()
            ))),
        }
    }

    fn u32(&mut self, name: &str) -> Result<Vec<u32>, MetricsError> {
        match self.take(name)? {
            Column::U32(v) => Ok(v),
            other => Err(bad(format!(
                "column {name} is {}, expected u32",
                other.type_name()
            ))),
        }
    }

    fn u8(&mut self, name: &str) -> Result<Vec<u8>, MetricsError> {
        match self.take(name)? {
            Column::U8(v) => Ok(v),
            other => Err(bad(format!(
                "column {name} is {}, expected u8",
                other.type_name()
            ))),
        }
    }

    fn dict<T: for<'de> Deserialize<'de>>(&mut self, name: &str) -> Result<Vec<T>, MetricsError> {
        let v = self
            .dictionaries
            .remove(name)
            .ok_or_else(|| bad(format!("dictionary {name} is missing")))?;
        serde_json::from_value(v).map_err(|e| bad(format!("dictionary {name}: {e}")))
    }

    fn expect_kind(&self, kind: &str) -> Result<(), MetricsError> {
        if self.kind == kind {
            Ok(())
        } else {
            Err(bad(format!("holds {:?}, expected {kind:?}", self.kind)))
        }
    }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("dictionaries serialise")
}

impl CallColumns {
    /// The batch file of these calls, with free-form `meta`.
    pub fn to_bytes(&self, meta: Value) -> Vec<u8> {
        let mut dictionaries = Map::new();
        dictionaries.insert("callTypes".into(), to_value(&self.call_types));
        dictionaries.insert("agents".into(), to_value(&self.agents));
        Batch {
            kind: "calls".into(),
            rows: self.len(),
            columns: vec![
                ("id".into(), Column::F64(self.id.clone())),
                ("startedAt".into(), Column::F64(self.started_at.clone())),
                (
                    "totalDuration".into(),
                    Column::I32(self.total_duration.clone()),
                ),
                ("callType".into(), Column::U32(self.call_type.clone())),
                ("agent".into(), Column::U32(self.agent.clone())),
                ("direction".into(), Column::U8(self.direction.clone())),
            ],
            dictionaries,
            meta,
        }
        .to_bytes()
    }

    /// Reads and validates a calls batch file.
    pub fn from_bytes(bytes: &[u8]) -> Result<CallColumns, MetricsError> {
        let mut b = Batch::from_bytes(bytes)?;
        b.expect_kind("calls")?;
        let cols = CallColumns {
            id: b.f64("id")?,
            started_at: b.f64("startedAt")?,
            direction: b.u8("direction")?,
            call_type: b.u32("callType")?,
            total_duration: b.i32("totalDuration")?,
            agent: b.u32("agent")?,
            call_types: b.dict::<Option<String>>("callTypes")?,
            agents: b.dict::<AgentEntry>("agents")?,
        };
        cols.validate()?;
        Ok(cols)
    }
}

impl SmsColumns {
    /// The batch file of these messages, with free-form `meta`.
    pub fn to_bytes(&self, meta: Value) -> Vec<u8> {
        let mut dictionaries = Map::new();
        dictionaries.insert("agents".into(), to_value(&self.agents));
        dictionaries.insert("contacts".into(), to_value(&self.contacts));
        dictionaries.insert("mediums".into(), to_value(&self.mediums));
        dictionaries.insert("deliveryStatuses".into(), to_value(&self.delivery_statuses));
        Batch {
            kind: "sms".into(),
            rows: self.len(),
            columns: vec![
                ("id".into(), Column::F64(self.id.clone())),
                ("sentAt".into(), Column::F64(self.sent_at.clone())),
                ("agent".into(), Column::U32(self.agent.clone())),
                ("contact".into(), Column::U32(self.contact.clone())),
                ("medium".into(), Column::U32(self.medium.clone())),
                (
                    "deliveryStatus".into(),
                    Column::U32(self.delivery_status.clone()),
                ),
                ("direction".into(), Column::U8(self.direction.clone())),
                ("deleted".into(), Column::U8(self.deleted.clone())),
            ],
            dictionaries,
            meta,
        }
        .to_bytes()
    }

    /// Reads and validates an SMS batch file.
    pub fn from_bytes(bytes: &[u8]) -> Result<SmsColumns, MetricsError> {
        let mut b = Batch::from_bytes(bytes)?;
        b.expect_kind("sms")?;
        let cols = SmsColumns {
            id: b.f64("id")?,
            sent_at: b.f64("sentAt")?,
            direction: b.u8("direction")?,
            deleted: b.u8("deleted")?,
            agent: b.u32("agent")?,
            contact: b.u32("contact")?,
            medium: b.u32("medium")?,
            delivery_status: b.u32("deliveryStatus")?,
            agents: b.dict::<AgentEntry>("agents")?,
            contacts: b.dict::<ContactEntry>("contacts")?,
            mediums: b.dict::<Option<String>>("mediums")?,
            delivery_statuses: b.dict::<Option<String>>("deliveryStatuses")?,
        };
        cols.validate()?;
        Ok(cols)
    }
}
