//! `callduck status`: what the file holds.

use std::process::ExitCode;

use super::Ctx;
use crate::store::Store;

/// Prints the status of the file.
pub fn run(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = Store::open_read_only(&ctx.db)?;
    print!("{}", crate::status::render(&store)?);
    Ok(ExitCode::SUCCESS)
}
