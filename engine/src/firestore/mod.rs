//! The Firestore sink: daily metrics for the goals dashboard, over the Firestore REST API v1.
//!
//! Fixed roles, one file each:
//! * `config.rs`: [`FirestoreConfig`]: project, emulator or production, batch limits, attempts;
//! * `auth.rs`: bearer tokens: `owner` for the emulator, OAuth2 from a service-account key
//!   (cached and refreshed by `gcp_auth`) in production; the key never reaches logs;
//! * `value.rs`: Firestore's typed value encoding (integers as strings, RFC 3339 timestamps);
//! * `retry.rs`: retry policy only: which HTTP statuses and per-write codes are retried;
//! * `client.rs`: [`FirestoreClient`]: list, query and `batchWrite` with retries of only the
//!   failed writes (backoff from `crate::backoff`);
//! * `export/`: `callduck export firestore`, one file per step: agents to dashboard users
//!   (`users.rs`), changed documents from the ledger (`plan.rs`), batched writes and the ledger
//!   (`write.rs`), and goals' `current` for their current period (`goals.rs`).

mod auth;
mod client;
mod config;
mod error;
pub mod export;
mod retry;
pub mod value;

pub use auth::Auth;
pub use client::{Document, FirestoreClient, Write, WriteOutcome};
pub use config::FirestoreConfig;
pub use error::FirestoreError;
