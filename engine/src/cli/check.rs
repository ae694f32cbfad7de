//! `callduck check`: the data tests of `sql/tests/` against the file (exit 6 when one fails).

use std::process::ExitCode;

use super::Ctx;
use crate::store::Store;

/// Runs the data tests and prints each failure.
pub fn run(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = Store::open_for_reading(&ctx.db)?;
    let failures = store.run_data_tests()?;
    let total = crate::store::DATA_TESTS.len();
    for (name, rows, sample) in &failures {
        println!("FAIL {name}: {rows} row(s), e.g. {sample}");
    }
    println!(
        "{} passed, {} failed",
        total - failures.len(),
        failures.len()
    );
    if failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(super::exit::DataTestsFailed {
            failed: failures.len(),
            total,
        }
        .into())
    }
}
