//! The core's one error type: what was wrong with an input, named after the field the caller
//! wrote (`timeZone`, `callType`, ...), so the browser layer can turn it into a `JsError` once,
//! at the boundary, without adding context.

use std::fmt;

/// An invalid option, column or record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsError {
    /// The option, column or field at fault, as the caller spells it.
    pub field: String,
    pub message: String,
}

impl MetricsError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> MetricsError {
        MetricsError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for MetricsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for MetricsError {}
