//! Real-time and scheduled operation: `callduck serve`.
//!
//! * `signature` (in `callduck-justcall`): JustCall's webhook signature (HMAC-SHA256 over
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
/// JustCall's webhook signature lives with the JustCall client (the simulator signs with it).
pub use callduck_justcall::signature;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Flags set when records changed (webhooks processed, a scheduled sync stored something): the
/// processor then exports and rewrites the snapshot once it is idle, so a burst of events costs
/// one export.
#[derive(Clone, Default)]
pub(crate) struct Dirty {
    pub(crate) export: Arc<AtomicBool>,
    pub(crate) snapshot: Arc<AtomicBool>,
}

impl Dirty {
    pub(crate) fn changed(&self) {
        self.export.store(true, Ordering::SeqCst);
        self.snapshot.store(true, Ordering::SeqCst);
    }
}
