//! `callduck import customers`: CRM exports (files or the dashboard's Firestore collections).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::runtime;
use super::Ctx;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: ImportWhat,
}

#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// Load a CRM export, replacing the previous import of its kind, and re-link contacts.
    ///
    /// FILE is CSV (with a header; `,`, `;` or tab separated), a JSON array or object of
    /// records, or NDJSON. Columns are found by name: every column mentioning a phone or an
    /// email is used (e.g. `Phone Number 2`, `Work Email`); ids, names, companies, accounts,
    /// order dates and amounts have the names Copper and Fishbowl export. Records that cannot
    /// be used are listed with their line numbers (and kept in crm_import_rejects); the others
    /// load. With --firestore the records come from the kind's Firestore collection instead
    /// (copper_people, copper_companies, fishbowl_customers, fishbowl_sales_orders).
    Customers(ImportCustomersArgs),
}

#[derive(Debug, Args)]
pub struct ImportCustomersArgs {
    /// The export to read (CSV, JSON or NDJSON); omit with --firestore.
    #[arg(required_unless_present = "firestore")]
    pub file: Option<PathBuf>,
    /// What the export holds.
    #[arg(long, value_enum)]
    pub kind: crate::crm::ImportKind,
    /// Read the kind's collection from Firestore (FIRESTORE_EMULATOR_HOST or
    /// GOOGLE_APPLICATION_CREDENTIALS) instead of a file.
    #[arg(long, conflicts_with = "file")]
    pub firestore: bool,
    /// Firestore collection to read (default: the kind's, e.g. copper_people).
    #[arg(long, requires = "firestore")]
    pub collection: Option<String>,
    /// Google Cloud project for --firestore (default: FIRESTORE_PROJECT_ID, GOOGLE_CLOUD_PROJECT, or the credentials' project).
    #[arg(long, env = "FIRESTORE_PROJECT_ID")]
    pub project: Option<String>,
    /// Replace the previous import even when this one holds no record, or fewer than half as
    /// many (refused otherwise: an empty or truncated export would remove customers and links).
    #[arg(long)]
    pub allow_shrink: bool,
}

/// Loads one CRM export and re-links the contacts.
pub fn run(ctx: &Ctx, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let ImportWhat::Customers(args) = args.what;
    let (parsed, source) = match &args.file {
        Some(path) => (
            crate::crm::import::read_file(path, args.kind)?,
            path.display().to_string(),
        ),
        None => {
            let collection = match (&args.collection, args.kind.collection()) {
                (Some(c), _) => c.clone(),
                (None, Some(c)) => c.to_string(),
                (None, None) => anyhow::bail!(
                    "--kind generic has no standard collection: give --collection NAME"
                ),
            };
            let client = crate::firestore::FirestoreClient::new(
                crate::firestore::FirestoreConfig::from_env(args.project.clone())?,
            )?;
            runtime()?.block_on(crate::crm::import::read_firestore(
                &client,
                args.kind,
                &collection,
            ))?
        }
    };
    let store = Store::open(&ctx.db)?;
    let summary = crate::crm::store_import(&store, &parsed, &source, args.allow_shrink)?;
    print!("{}", crate::crm::store::render_summary(&summary));
    Ok(ExitCode::SUCCESS)
}
