//! `callduck settings`: the file's settings, each with its meaning, default and validation.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Ctx;
use crate::store::Store;

/// Without an action, lists every setting with its value (or default) and meaning.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[command(subcommand)]
    pub action: Option<SettingsAction>,
}

#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// Set a setting (see the list below); the value is checked first.
    Set { key: String, value: String },
    /// Remove a setting (back to its default).
    Unset { key: String },
}

/// Settings users may change, with their defaults and a validator.
const SETTINGS: &[(&str, &str, &str)] = &[
    (
        "business_timezone",
        "UTC",
        "IANA zone for agents without a usable zone of their own",
    ),
    (
        "service_level_seconds",
        "20",
        "answered-within threshold of the service level, seconds",
    ),
];

fn validate_setting(key: &str, value: &str) -> anyhow::Result<String> {
    if let Some(checked) = crate::crm::validate_setting(key, value) {
        return checked;
    }
    match key {
        "business_timezone" => Ok(crate::store::tz::parse_zone(value)?.name().to_string()),
        "service_level_seconds" => {
            let n: u32 = value.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "service_level_seconds must be a whole number of seconds, got {value:?}"
                )
            })?;
            anyhow::ensure!(
                (1..=3600).contains(&n),
                "service_level_seconds must be between 1 and 3600, got {n}"
            );
            Ok(n.to_string())
        }
        other => anyhow::bail!(
            "unknown setting {other:?}: settings are {}",
            all_settings()
                .map(|(k, _, _)| *k)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The engine's settings and the matcher's.
fn all_settings() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    SETTINGS.iter().chain(crate::crm::SETTINGS)
}

/// The table `callduck settings --help` ends with: every setting, its default and meaning.
pub fn help_table() -> String {
    let mut out = String::from("Settings (stored in the DuckDB file):\n");
    for (key, default, help) in all_settings() {
        out.push_str(&format!("  {key} (default {default})\n      {help}\n"));
    }
    out.push_str(
        "\nExamples:\n  callduck settings set business_timezone America/New_York\n  \
         callduck settings unset service_level_seconds",
    );
    out
}

/// A changed matching setting changes the links: refresh them (when customers are imported).
fn relink_if_matching_setting(store: &Store, key: &str) -> anyhow::Result<()> {
    if crate::crm::SETTINGS.iter().any(|(k, _, _)| *k == key)
        && crate::crm::links::has_customers(store)?
    {
        let links = crate::crm::refresh_links(store)?;
        print!("{}", crate::crm::links::render_summary(&links));
    }
    Ok(())
}

/// Shows, sets or unsets settings.
pub fn run(ctx: &Ctx, args: SettingsArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        None => {
            let store = Store::open_read_only(&ctx.db)?;
            for (key, default, help) in all_settings() {
                let value = store.setting(key)?;
                let shown = value
                    .as_deref()
                    .map_or(format!("{default} (default)"), str::to_string);
                println!("{key:<22} {shown:<24} {help}");
            }
        }
        Some(SettingsAction::Set { key, value }) => {
            let value = validate_setting(&key, &value)?;
            let store = Store::open(&ctx.db)?;
            store.set_setting(&key, &value)?;
            if key == "business_timezone" {
                store.ensure_time_zones([value.as_str()])?;
            }
            println!("{key} = {value}");
            relink_if_matching_setting(&store, &key)?;
        }
        Some(SettingsAction::Unset { key }) => {
            anyhow::ensure!(
                all_settings().any(|(k, _, _)| *k == key),
                "unknown setting {key:?}"
            );
            let store = Store::open(&ctx.db)?;
            store.unset_setting(&key)?;
            println!("{key} back to its default");
            relink_if_matching_setting(&store, &key)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
