//! `callduck sql`: any query against the file, read-only; `--restricted` for the database only.
//! The query comes from the command line, a file (`--file`) or stdin.

use std::io::{IsTerminal as _, Read as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use clap::Args;

use super::Ctx;
use super::OutputArgs;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The query, e.g. "FROM rpt_call_kpis(DATE '2026-11-01', DATE '2026-11-30')"; `-` (or
    /// nothing, with stdin not a terminal) reads it from stdin.
    #[arg(conflicts_with = "file")]
    pub query: Option<String>,
    /// Read the query from this file (`-` for stdin), e.g. a report kept in a .sql file.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Let the query read the database only: no files (read_csv, COPY TO, ATTACH), no
    /// extensions, and no SET to undo it; for wrapping `callduck sql` in other tools. Without
    /// it, a query has the powers of the duckdb CLI on a read-only database.
    #[arg(long)]
    pub restricted: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The query text: the argument, the file, or stdin; refused when empty.
fn query_text(args: &SqlArgs) -> anyhow::Result<String> {
    let stdin = || -> anyhow::Result<String> {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the query from stdin")?;
        Ok(text)
    };
    let (text, source) = match (&args.query, &args.file) {
        (Some(q), _) if q == "-" => (stdin()?, "stdin".to_string()),
        (Some(q), _) => (q.clone(), "the command line".to_string()),
        (None, Some(path)) if path.as_os_str() == "-" => (stdin()?, "stdin".to_string()),
        (None, Some(path)) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the query from {}", path.display()))?,
            path.display().to_string(),
        ),
        (None, None) if !std::io::stdin().is_terminal() => (stdin()?, "stdin".to_string()),
        (None, None) => anyhow::bail!(
            "no query: give one as an argument, with --file PATH, or on stdin \
             (e.g. callduck sql < report.sql)"
        ),
    };
    anyhow::ensure!(
        !text.trim().is_empty(),
        "the query from {source} is empty: nothing to run"
    );
    // A query kept in a .sql file usually ends with `;`, which DuckDB's COPY (...) TO refuses.
    Ok(text
        .trim_end()
        .trim_end_matches(|c: char| c == ';' || c.is_whitespace())
        .to_string())
}

/// Runs one query and prints its result.
pub fn run(ctx: &Ctx, args: SqlArgs) -> anyhow::Result<ExitCode> {
    let query = query_text(&args)?;
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
    crate::report::run_sql(&store, &query, &args.output.output(), args.restricted)?;
    Ok(ExitCode::SUCCESS)
}
