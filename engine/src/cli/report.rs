//! `callduck report`: the analysts' reports (the `rpt_*` macros) as tables, csv, json or parquet.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;

use super::Ctx;
use super::{parse_date, OutputArgs};
use crate::report::{ReportName, ReportRequest};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report to print.
    #[arg(value_enum)]
    pub name: ReportName,
    /// First local day (inclusive); default: 30 days before --to.
    #[arg(long, value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last local day (inclusive); default: the last day with activity in the file.
    #[arg(long, value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    /// Only this agent (JustCall email, any case).
    #[arg(long)]
    pub agent: Option<String>,
    /// top-customers: customers listed per agent.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub top: u32,
    /// stale-accounts: accounts not contacted in this many days (up to --to).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// orders-after-calls: days after a call in which an order counts for it.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(0..=365))]
    pub window_days: u32,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Prints one report.
pub fn run(ctx: &Ctx, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_for_reading(&ctx.db)?;
    let request = ReportRequest {
        name: args.name,
        from: args.from,
        to: args.to,
        agent: args.agent.clone(),
        default_days: 30,
        top: args.top,
        stale_days: args.days,
        window_days: args.window_days,
    };
    crate::report::run_report(&store, &request, &args.output.output())?;
    Ok(ExitCode::SUCCESS)
}
