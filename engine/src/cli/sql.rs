//! `callduck sql`: any query against the file, read-only; `--restricted` for the database only.

use std::process::ExitCode;

use clap::Args;

use super::Ctx;
use super::OutputArgs;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The query, e.g. "FROM rpt_call_kpis(DATE '2026-11-01', DATE '2026-11-30')".
    pub query: String,
    /// Let the query read the database only: no files (read_csv, COPY TO, ATTACH), no
    /// extensions, and no SET to undo it; for wrapping `callduck sql` in other tools. Without
    /// it, a query has the powers of the duckdb CLI on a read-only database.
    #[arg(long)]
    pub restricted: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs one query and prints its result.
pub fn run(ctx: &Ctx, args: SqlArgs) -> anyhow::Result<ExitCode> {
    // Never writes: an older callduck's file is queried with the views it has, a file
    // callduck did not create as it is.
    let store = Store::open_read_only(&ctx.db)?;
    match store.views_state()? {
        crate::store::ViewsState::Current => {}
        crate::store::ViewsState::Outdated => eprintln!(
            "note: {} was last written by another callduck version, so its views may \
             differ from this one's; `callduck check` (or any sync) brings them up to date",
            ctx.db.display()
        ),
        crate::store::ViewsState::Foreign => eprintln!(
            "note: {} was not created by callduck: it has none of callduck's tables or \
             views, and `callduck sql` does not add them (it never writes)",
            ctx.db.display()
        ),
    }
    crate::report::run_sql(&store, &args.query, &args.output.output(), args.restricted)?;
    Ok(ExitCode::SUCCESS)
}
