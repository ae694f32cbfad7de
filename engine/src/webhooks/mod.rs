//! Real-time and scheduled operation: `callduck serve`.
//!
//! * `signature.rs`: JustCall's webhook signature (HMAC-SHA256 over
//!   `secret|encodeURIComponent(url)|type|timestamp`, from the *configured* public URL), checked
//!   in constant time, with a timestamp window;
//! * `server.rs`: the axum app: `POST /webhooks/justcall` verifies, deduplicates on `request_id`
//!   and persists each event to the DuckDB file before answering 200; `GET /healthz`;
//! * `limits.rs`: what one client may cost: open connections, idle time, events per signature;
//! * `processor.rs`: pending events → re-fetch the record from the API → upsert (the body is not
//!   signed, so it is never trusted); events left pending by a crash are processed at start; an
//!   event whose record keeps failing is retried with backoff, then marked `failed`;
//! * `schedule.rs`: the built-in scheduler (`--every 1h`): the same incremental sync as
//!   `callduck sync`, runs never overlap, a failed run is logged and retried at the next tick.

pub mod limits;
pub mod processor;
pub mod schedule;
pub mod server;
pub mod signature;
