//! `callduck events`: webhook events that failed, and retrying them.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Ctx;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct EventsArgs {
    #[command(subcommand)]
    pub action: Option<EventsAction>,
}

#[derive(Debug, Subcommand)]
pub enum EventsAction {
    /// List failed events with the reason (the default).
    List {
        /// How many to list, newest first.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Make failed events pending again, with their attempts reset: the next `callduck serve`
    /// processes them (stop serve first: DuckDB lets one process hold the file).
    Retry {
        /// The request ids to retry.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        request_ids: Vec<String>,
        /// Retry every failed event.
        #[arg(long)]
        all: bool,
    },
}

/// Lists or retries failed events.
pub fn run(ctx: &Ctx, args: EventsArgs) -> anyhow::Result<ExitCode> {
    use crate::webhooks::processor::{failed_events, retry_failed};
    match args.action.unwrap_or(EventsAction::List { limit: 50 }) {
        EventsAction::List { limit } => {
            let store = Store::open_read_only(&ctx.db)?;
            let failed = failed_events(&store, limit)?;
            if failed.is_empty() {
                println!("no failed webhook events");
            }
            for e in failed {
                let record = e
                    .record
                    .map_or("-".to_string(), |(s, id)| format!("{s} {id}"));
                let at = e.failed_at.map_or("-".to_string(), |t| format!("{t} UTC"));
                println!(
                    "{}  {}  {}  {} attempt(s), failed {}: {}",
                    e.request_id,
                    e.event_type,
                    record,
                    e.attempts,
                    at,
                    e.reason.unwrap_or_default()
                );
            }
        }
        EventsAction::Retry {
            request_ids,
            all: _,
        } => {
            let store = Store::open(&ctx.db)?;
            let n = retry_failed(&store, &request_ids)?;
            anyhow::ensure!(
                n > 0 || request_ids.is_empty(),
                "none of the request ids given is a failed event (see `callduck events`)"
            );
            println!("{n} failed event(s) pending again: the next `callduck serve` processes them");
        }
    }
    Ok(ExitCode::SUCCESS)
}
