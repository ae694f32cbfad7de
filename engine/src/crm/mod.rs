//! CRM customers: import Copper and Fishbowl exports, normalise their keys, match JustCall
//! contacts to them, and keep the links the account views build on.
//!
//! The folder follows the data:
//! * [`import`]: reading exports (CSV, JSON, NDJSON files, or Firestore collections) into
//!   records and rejects, finding columns by their real names (`import/rows.rs`: text to rows;
//!   `import/mod.rs`: rows to customers and orders);
//! * [`normalize`]: phones to E.164 (`phonenumber`), emails, names (the shared fuzzy core);
//! * [`store`]: loading an import into the DuckDB file, replacing that kind's previous import;
//! * [`matcher`]: the pure matcher: exact email, exact phone, blocked Jaro-Winkler names;
//! * [`links`]: refreshing `crm_contact_links` from the file's contacts and customers, after
//!   each import and each sync, changing only the links whose inputs changed.
//!
//! The views over the links (`fct_customer_activity`, `fct_account_weekly`, the `rpt_*` account
//! reports) are in `sql/`; `sql/README.md` documents them.

pub mod import;
pub mod links;
pub mod matcher;
pub mod normalize;
pub mod store;

pub use import::{ImportKind, ParsedImport};
pub use links::{refresh_links, LinkSummary};
pub use matcher::MatchConfig;
pub use store::{store_import, ImportSummary};

use crate::store::Store;

/// Settings (`callduck settings set KEY VALUE`) that tune matching, with their defaults and
/// what they mean.
pub const SETTINGS: &[(&str, &str, &str)] = &[
    (
        "phone_region",
        "US",
        "region (ISO 3166) of phone numbers written without a country code",
    ),
    (
        "match_name_threshold",
        "0.93",
        "lowest Jaro-Winkler score that links a contact by name alone",
    ),
    (
        "match_tiebreak_threshold",
        "0.80",
        "lowest name score that picks one of several customers sharing a phone or email",
    ),
    (
        "match_ambiguity_margin",
        "0.02",
        "the best customer must beat the runner-up by this, else the link is ambiguous",
    ),
    (
        "match_max_block",
        "200",
        "name words shared by more customers than this are too common to search alone",
    ),
];

/// Checks a matching setting's value; `None` when `key` is not one of [`SETTINGS`].
pub fn validate_setting(key: &str, value: &str) -> Option<anyhow::Result<String>> {
    let unit = |min: f64, max: f64| -> anyhow::Result<String> {
        let x: f64 = value
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{key} must be a number, got {value:?}"))?;
        anyhow::ensure!(
            (min..=max).contains(&x),
            "{key} must be between {min} and {max}, got {x}"
        );
        Ok(x.to_string())
    };
    Some(match key {
        "phone_region" => normalize::PhoneNormalizer::new(value)
            .map(|_| value.trim().to_ascii_uppercase())
            .map_err(Into::into),
        "match_name_threshold" | "match_tiebreak_threshold" => unit(0.5, 1.0),
        "match_ambiguity_margin" => unit(0.0, 1.0),
        "match_max_block" => value
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (10..=1_000_000).contains(n))
            .map(|n| n.to_string())
            .ok_or_else(|| {
                anyhow::anyhow!("match_max_block must be a whole number from 10 to 1000000")
            }),
        _ => return None,
    })
}

/// The matcher's configuration and phone region as the file's settings give them.
pub fn settings(store: &Store) -> anyhow::Result<(MatchConfig, String)> {
    let get = |key: &str| -> anyhow::Result<String> {
        let default = SETTINGS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, d, _)| d.to_string())
            .expect("a known setting");
        Ok(store.setting(key)?.unwrap_or(default))
    };
    let num = |key: &str| -> anyhow::Result<f64> {
        let v = get(key)?;
        v.parse()
            .map_err(|_| anyhow::anyhow!("setting {key} = {v:?} is not a number: fix it with `callduck settings set {key} VALUE`"))
    };
    let config = MatchConfig {
        name_threshold: num("match_name_threshold")?,
        tiebreak_threshold: num("match_tiebreak_threshold")?,
        ambiguity_margin: num("match_ambiguity_margin")?,
        max_block: num("match_max_block")? as usize,
    };
    Ok((config, get("phone_region")?))
}
