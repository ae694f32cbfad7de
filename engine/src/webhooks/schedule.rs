//! The built-in scheduler: `callduck serve --every 1h` runs the same incremental sync as
//! `callduck sync` at a fixed interval, through the server's one writer. Runs never overlap (one loop; ticks missed while a run is
//! in progress are skipped), and a failed run is logged and simply retried at the next tick.
//!
//! Webhooks deliver edits as they happen, so `callduck serve` sets the sync's
//! [`SyncOptions::full_rescan_every`] (`--full-rescan-every`, daily by default): most scheduled
//! runs re-scan only a short overlap before the watermark, and the full trailing re-scan, the
//! safety net for a missed webhook, comes on that cadence (kept in the file across restarts).

use std::time::Duration;

use crate::justcall::JustCallClient;
use crate::store::{now_utc, SharedStore};
use crate::sync::{run_sync, SyncOptions};

/// Parses an interval such as `90s`, `15m`, `1h` or `1d` (at least one second).
pub fn parse_every(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("expected a number and a unit (s, m, h, d), e.g. 1h, got {s:?}"))?;
    let secs = match unit.trim() {
        "s" | "sec" | "secs" => n,
        "m" | "min" | "mins" => n * 60,
        "h" | "hour" | "hours" => n * 3600,
        "d" | "day" | "days" => n * 86_400,
        other => return Err(format!("unknown unit {other:?} in {s:?}: use s, m, h or d")),
    };
    if secs == 0 {
        return Err("the interval must be at least 1s".into());
    }
    Ok(Duration::from_secs(secs))
}

/// Runs a sync now and then every `every` until `stop` turns true, writing through the server's
/// one writer (each batch is one transaction between the webhook processor's); marks `dirty`
/// when a run stored new or updated records (the server then exports and snapshots).
pub(crate) async fn run_every(
    every: Duration,
    writer: SharedStore,
    client: JustCallClient,
    options: SyncOptions,
    mut stop: tokio::sync::watch::Receiver<bool>,
    dirty: super::Dirty,
) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut run = 0u64;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        run += 1;
        let started = std::time::Instant::now();
        tokio::select! {
            result = run_sync(writer.clone(), client.clone(), &options, now_utc()) => match result {
                Ok(s) => {
                    let t = s.total();
                    if t.new + t.updated > 0 {
                        dirty.changed();
                    }
                    tracing::info!(run, new = t.new, updated = t.updated, quarantined = t.rejected,
                        secs = started.elapsed().as_secs_f64(), "scheduled sync finished");
                }
                Err(e) => tracing::error!("scheduled sync {run} failed (retried at the next tick): {e:#}"),
            },
            _ = stop.wait_for(|s| *s) => {
                tracing::info!("scheduled sync {run} interrupted by shutdown; committed windows are kept");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_every("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_every("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_every(" 1h "), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_every("1d"), Ok(Duration::from_secs(86_400)));
        assert!(parse_every("0s").is_err());
        assert!(parse_every("hourly").unwrap_err().contains("1h"));
        assert!(parse_every("5w").unwrap_err().contains("unit"));
    }
}
