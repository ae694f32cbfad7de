//! `callduck watermark reset`: moves a stream's watermark back.

use std::process::ExitCode;

use chrono::NaiveDateTime;
use clap::{Args, Subcommand};

use super::Ctx;
use super::{parse_instant, StreamArg};
use crate::justcall::Stream;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct WatermarkArgs {
    #[command(subcommand)]
    pub action: WatermarkAction,
}

#[derive(Debug, Subcommand)]
pub enum WatermarkAction {
    /// Move STREAM's watermark back to --to (UTC), or clear it.
    Reset {
        /// users, calls or texts.
        #[arg(value_enum)]
        stream: StreamArg,
        /// The new watermark: a UTC date or date-time up to which you know the file is complete.
        #[arg(long, value_parser = parse_instant)]
        to: Option<NaiveDateTime>,
    },
}

/// Moves the watermark back (or clears it).
pub fn run(ctx: &Ctx, args: WatermarkArgs) -> anyhow::Result<ExitCode> {
    let WatermarkAction::Reset { stream, to } = args.action;
    let stream = Stream::from(stream);
    let store = Store::open(&ctx.db)?;
    let before = store.reset_watermark(stream.name(), to)?;
    match to {
        Some(to) => println!(
            "{} watermark moved back from {before} to {to} UTC: the next sync fetches from there (less its trailing days)",
            stream.name()
        ),
        None => println!(
            "{} watermark cleared (was {before} UTC): the next sync backfills it",
            stream.name()
        ),
    }
    Ok(ExitCode::SUCCESS)
}
