//! callduck-metrics: the pure-Rust core shared by the callduck engine and the browser module.
//!
//! * [`records`]: JustCall v2.1 users, calls and SMS, parsed leniently ([`lenient`]).
//! * [`metrics`]: metric definitions with SQL twins in `sql/`, kept equal by the differential test.
//!
//! No JavaScript types appear here; the `#[wasm_bindgen]` layer sits on top of this core.

pub mod lenient;
pub mod metrics;
pub mod records;

pub use metrics::{CallOutcome, DailyGoalMetrics, JustCallMetrics};
pub use records::{Call, CallDuration, CallInfo, Direction, Media, Sms, SmsInfo, User};
