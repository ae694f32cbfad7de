//! callduck-metrics: the pure-Rust core shared by the callduck engine and the browser module.
//!
//! * [`records`]: JustCall v2.1 users, calls and SMS, parsed leniently ([`lenient`]).
//! * [`metrics`]: metric definitions with SQL twins in `sql/`, kept equal by the differential test.
//! * [`options`]: date range, agent, direction and time zones ([`tz`]) shared by every function.
//! * [`calls`], [`sms`], [`goals`], [`pace`]: call metrics, SMS metrics, daily goal metrics per
//!   user and day, and the dashboard's goal pace, over records as the API returns them.
//! * [`agents`]: call metrics and SMS counts per agent (the team leaderboard), all agents at once.
//! * [`columnar`]: the same metrics over typed columns (a million calls in milliseconds), and the
//!   binary batch file `callduck export dashboard` writes.
//! * [`fuzzy`]: customer-name normalisation and Jaro-Winkler search.
//! * [`synth`]: deterministic awkward test data.
//!
//! No JavaScript types appear in the core; the `#[wasm_bindgen]` layer is the crate
//! `callduck-metrics-wasm` (`wasm/bindings/`), which sits on top of it and converts
//! [`MetricsError`] to `JsError` at the boundary.

pub mod agents;
pub mod calls;
pub mod columnar;
pub mod error;
pub mod fuzzy;
pub mod goals;
pub mod lenient;
pub mod metrics;
pub mod options;
pub mod pace;
pub mod records;
pub mod sms;
pub mod synth;
pub mod tz;

pub use error::MetricsError;
pub use metrics::{CallOutcome, DailyGoalMetrics, JustCallMetrics};
pub use options::{Filter, MetricsOptions};
pub use records::{Call, CallDuration, CallInfo, Direction, Media, Sms, SmsInfo, User};
