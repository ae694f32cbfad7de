//! callduck: JustCall → DuckDB → Firestore and the browser.
//!
//! The folders tell the story:
//! * [`justcall`]: the JustCall REST API v2.1 client (auth, paging, windows, rate limits,
//!   retries) and webhook signatures: the `callduck-justcall` crate in `engine/justcall/`;
//! * [`simulator`]: a real HTTP server that serves a deterministic JustCall account, for tests,
//!   benchmarks and `callduck demo`: the `callduck-simulator` crate in `engine/simulator/`;
//! * [`store`]: the DuckDB file: embedded schema and views from `sql/`, bulk upserts, quarantine;
//! * [`sync`]: incremental ingest of users, calls and SMS into the store;
//! * [`report`]: the analysts' reports and ad-hoc SQL over the store's views;
//! * [`crm`]: CRM customers (Copper, Fishbowl): import, normalise, match contacts to them;
//! * [`firestore`]: the Firestore sink: daily metrics and goals for the goals dashboard;
//! * [`dashboard`]: the files the browser dashboard (WebAssembly module) loads;
//! * [`webhooks`]: `callduck serve`: the webhook receiver, its processor and the scheduler;
//! * [`backoff`], [`secret`]: backoff with jitter and redacted secrets, from `callduck-justcall`;
//! * [`cli`], [`demo`], [`status`], [`bench`]: the `callduck` command.
//!
//! Record types and metric definitions live in the `callduck-metrics` crate (`wasm/`), shared
//! with the browser module.

pub mod bench;
pub mod cli;
pub mod crm;
pub mod dashboard;
pub mod demo;
pub mod firestore;
pub mod report;
pub mod status;
pub mod store;
pub mod sync;
pub mod webhooks;

// The parts that need no DuckDB are crates of their own (engine/justcall, engine/simulator), so
// they build and test in seconds; the engine shows them under their old names.
pub use callduck_justcall as justcall;
pub use callduck_justcall::{backoff, secret};
pub use callduck_simulator as simulator;
