//! `callduck match`: re-links every JustCall contact to the imported CRM customers.

use std::process::ExitCode;

use super::Ctx;
use crate::store::Store;

/// Redoes the contact links.
pub fn run(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = Store::open(&ctx.db)?;
    anyhow::ensure!(
        crate::crm::links::has_customers(&store)?,
        "{} holds no CRM customers: import some first, e.g. `callduck import customers people.csv --kind copper-people`",
        ctx.db.display()
    );
    let links = crate::crm::refresh_links(&store)?;
    print!("{}", crate::crm::links::render_summary(&links));
    Ok(ExitCode::SUCCESS)
}
