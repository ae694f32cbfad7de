//! Exit codes that scripts, cron and systemd can act on, and the one place that maps an error to
//! its code.
//!
//! The codes are part of the command line's interface: the README's "Exit codes" table lists them
//! and `tests/cli.rs` drives each one through the binary. An error gets its code from the first
//! typed error found in its chain (the library's errors keep their types under `anyhow` context),
//! so the code says what kind of thing failed whatever the command was.

use std::process::ExitCode;

use crate::firestore::FirestoreError;
use crate::justcall::JustCallError;
use crate::store::StoreError;

/// What a `callduck` process reports when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the command did what it was asked.
    Success,
    /// 1: anything not listed below, including a refusal that protects the data (a `--until` in
    /// the future, an export that would zero the dashboard, ...): the message says what to do.
    Failure,
    /// 2: the command line itself is wrong (unknown flag, bad value); printed by clap.
    Usage,
    /// 3: configuration or credentials: missing or rejected JustCall key/secret, no Firestore
    /// credentials or project, an unusable key file, a `--db` that does not exist or cannot be
    /// written, a file from a newer callduck. Retrying will not help; fix the setting.
    Config,
    /// 4: another process holds the DuckDB file (DuckDB allows one writer): retry later.
    Busy,
    /// 5: JustCall or Firestore kept failing after the retries (5xx, 429s, timeouts, a cut
    /// connection, an answer that cannot be read): usually worth retrying later.
    Upstream,
    /// 6: `callduck check` found failing data tests.
    DataTests,
    /// 130: interrupted by SIGINT or SIGTERM; `sync` stops after committing what it fetched.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Config => 3,
            Exit::Busy => 4,
            Exit::Upstream => 5,
            Exit::DataTests => 6,
            Exit::Interrupted => 130,
        }
    }

    /// The code for a failed command: that of the first typed error in the chain.
    pub fn of_error(err: &anyhow::Error) -> Exit {
        for cause in err.chain() {
            if let Some(e) = cause.downcast_ref::<StoreError>() {
                return match e {
                    StoreError::Locked { .. } => Exit::Busy,
                    StoreError::NotWritable { .. }
                    | StoreError::Missing { .. }
                    | StoreError::NewerSchema { .. } => Exit::Config,
                    StoreError::Open { .. } | StoreError::Schema { .. } => Exit::Failure,
                };
            }
            if let Some(e) = cause.downcast_ref::<JustCallError>() {
                return match e {
                    JustCallError::Unauthorized { .. } | JustCallError::Config(_) => Exit::Config,
                    JustCallError::BadRequest { .. }
                    | JustCallError::NotFound { .. }
                    | JustCallError::GaveUp { .. }
                    | JustCallError::Decode { .. } => Exit::Upstream,
                };
            }
            if let Some(e) = cause.downcast_ref::<FirestoreError>() {
                return match e {
                    FirestoreError::MissingProject
                    | FirestoreError::MissingCredentials(_)
                    | FirestoreError::BadKey { .. }
                    | FirestoreError::Token(_)
                    | FirestoreError::PermissionDenied { .. }
                    | FirestoreError::NotFound { .. } => Exit::Config,
                    FirestoreError::GaveUp { .. }
                    | FirestoreError::Http { .. }
                    | FirestoreError::Protocol { .. } => Exit::Upstream,
                };
            }
            if cause.downcast_ref::<DataTestsFailed>().is_some() {
                return Exit::DataTests;
            }
            if cause.downcast_ref::<crate::sync::Interrupted>().is_some() {
                return Exit::Interrupted;
            }
        }
        Exit::Failure
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// `callduck check` found failures (already printed, one per line).
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} data tests failed")]
pub struct DataTestsFailed {
    pub failed: usize,
    pub total: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_documented_values() {
        let all = [
            Exit::Success,
            Exit::Failure,
            Exit::Usage,
            Exit::Config,
            Exit::Busy,
            Exit::Upstream,
            Exit::DataTests,
            Exit::Interrupted,
        ];
        let codes: std::collections::BTreeSet<u8> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert_eq!(
            Exit::Usage.code(),
            2,
            "clap exits with 2 on a bad command line"
        );
    }

    #[test]
    fn the_first_typed_error_under_context_decides() {
        let err = anyhow::Error::new(JustCallError::GaveUp {
            request: "GET /v2.1/calls".into(),
            attempts: 6,
            last: "HTTP 503".into(),
        })
        .context("fetching calls");
        assert_eq!(Exit::of_error(&err), Exit::Upstream);
        let err =
            anyhow::Error::new(FirestoreError::MissingCredentials("none".into())).context("export");
        assert_eq!(Exit::of_error(&err), Exit::Config);
        assert_eq!(
            Exit::of_error(&anyhow::anyhow!("refused: --until is in the future")),
            Exit::Failure
        );
    }
}
