//! callduck: JustCall → DuckDB → Firestore and the browser.
//!
//! The folders tell the story:
//! * [`justcall`]: the JustCall REST API v2.1 client (auth, paging, windows, rate limits, retries);
//! * [`simulator`]: a real HTTP server that serves a deterministic JustCall account, for tests,
//!   benchmarks and `callduck demo`;
//! * [`store`]: the DuckDB file: embedded schema and views from `sql/`, bulk upserts, quarantine;
//! * [`sync`]: incremental ingest of users, calls and SMS into the store;
//! * [`report`]: the analysts' reports and ad-hoc SQL over the store's views;
//! * [`crm`]: CRM customers (Copper, Fishbowl): import, normalise, match contacts to them;
//! * [`firestore`]: the Firestore sink: daily metrics and goals for the goals dashboard;
//! * [`dashboard`]: the files the browser dashboard (WebAssembly module) loads;
//! * [`webhooks`]: `callduck serve`: the webhook receiver, its processor and the scheduler;
//! * [`backoff`]: capped exponential backoff with jitter, for every HTTP client;
//! * [`cli`], [`demo`], [`status`], [`bench`]: the `callduck` command.
//!
//! Record types and metric definitions live in the `callduck-metrics` crate (`wasm/`), shared
//! with the browser module.

pub mod backoff;
pub mod bench;
pub mod cli;
pub mod crm;
pub mod dashboard;
pub mod demo;
pub mod firestore;
pub mod justcall;
pub mod report;
pub mod secret;
pub mod simulator;
pub mod status;
pub mod store;
pub mod sync;
pub mod webhooks;
