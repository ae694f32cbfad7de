//! Columnar batches: the fast path for large data (a million calls recomputed in milliseconds).
//!
//! A batch holds one typed array per column (`f64`, `i32`, `u32`, `u8`) and codes `u32` into
//! dictionaries for strings, so it crosses into WebAssembly as a handful of memory copies instead
//! of a million objects, and the metric loops read dense arrays. `callduck export dashboard` will
//! write batches from the DuckDB file in the binary layout of [`file`]; the browser can also build
//! them from typed arrays, or from JSON records with [`CallColumns::from_calls`] /
//! [`SmsColumns::from_sms`].
//!
//! Every computation here must equal the row path on the same records (`calls`, `sms`, `goals`
//! modules): the tests check it on generated data across DST changes.
//!
//! Conventions shared by all batches:
//! * instants are unix seconds (UTC) as `f64` (exact for integers up to 2^53);
//! * `direction` is `0` = Incoming, `1` = Outgoing;
//! * a dictionary entry may be `null` (the record had no value), distinct from any string;
//! * agents are a dictionary of [`AgentEntry`] (`id`, `email`, `name`), one per distinct triple.

mod calls;
pub mod file;
mod goals;
mod sms;

use std::collections::HashMap;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::error::MetricsError;
use crate::lenient;
use crate::records::Direction;

pub use calls::CallColumns;
pub use goals::daily_goal_metrics;
pub use sms::{ContactEntry, SmsColumns};

/// `direction` code of Incoming.
pub const DIRECTION_INCOMING: u8 = 0;
/// `direction` code of Outgoing.
pub const DIRECTION_OUTGOING: u8 = 1;

/// The `direction` code of a [`Direction`].
pub fn direction_code(d: Direction) -> u8 {
    match d {
        Direction::Incoming => DIRECTION_INCOMING,
        Direction::Outgoing => DIRECTION_OUTGOING,
    }
}

/// One agent of a batch's agent dictionary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgentEntry {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
}

/// Assigns dictionary codes in order of first appearance.
#[derive(Debug)]
pub struct DictBuilder<K> {
    index: HashMap<K, u32>,
    values: Vec<K>,
}

impl<K> Default for DictBuilder<K> {
    fn default() -> Self {
        DictBuilder {
            index: HashMap::new(),
            values: Vec::new(),
        }
    }
}

impl<K: Hash + Eq + Clone> DictBuilder<K> {
    /// The code of `value`, adding it when new.
    pub fn code(&mut self, value: K) -> u32 {
        if let Some(&c) = self.index.get(&value) {
            return c;
        }
        let c = self.values.len() as u32;
        self.index.insert(value.clone(), c);
        self.values.push(value);
        c
    }

    pub fn into_values(self) -> Vec<K> {
        self.values
    }
}

/// Checks that a column has `rows` entries.
pub(crate) fn check_len(name: &str, len: usize, rows: usize) -> Result<(), MetricsError> {
    if len == rows {
        Ok(())
    } else {
        Err(MetricsError::invalid(
            name,
            format!("has {len} values, expected {rows} (one per row)"),
        ))
    }
}

/// Checks that every code of a column indexes its dictionary.
pub(crate) fn check_codes(name: &str, codes: &[u32], dict_len: usize) -> Result<(), MetricsError> {
    let max = codes.iter().copied().max().unwrap_or(0);
    if codes.is_empty() || (max as usize) < dict_len {
        Ok(())
    } else {
        Err(MetricsError::invalid(
            name,
            format!("code {max} is outside its dictionary of {dict_len} entries"),
        ))
    }
}

/// Checks a `direction` column.
pub(crate) fn check_directions(name: &str, codes: &[u8]) -> Result<(), MetricsError> {
    match codes.iter().position(|&d| d > DIRECTION_OUTGOING) {
        None => Ok(()),
        Some(i) => Err(MetricsError::invalid(
            name,
            format!(
                "row {i} has {}; directions are 0 (Incoming) or 1 (Outgoing)",
                codes[i]
            ),
        )),
    }
}

/// Largest integer an `f64` holds exactly.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Checks that a column of instants or ids holds integers.
pub(crate) fn check_integral(name: &str, values: &[f64]) -> Result<(), MetricsError> {
    match values
        .iter()
        .position(|v| !(v.fract() == 0.0 && v.abs() <= MAX_EXACT))
    {
        None => Ok(()),
        Some(i) => Err(MetricsError::invalid(
            name,
            format!("row {i} has {}; expected whole seconds", values[i]),
        )),
    }
}

/// Smallest and largest value of a column of instants (`(0, 0)` when empty).
pub(crate) fn span(values: &[f64]) -> (i64, i64) {
    let Some(&first) = values.first() else {
        return (0, 0);
    };
    // Plain comparisons (not f64::min, which handles NaN) so the loop vectorises; a valid batch
    // holds no NaN.
    let (mut lo, mut hi) = (first, first);
    for &v in values {
        lo = if v < lo { v } else { lo };
        hi = if v > hi { v } else { hi };
    }
    (lo as i64, hi as i64)
}

#[cfg(test)]
mod tests;
