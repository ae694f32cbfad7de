//! Loading a parsed import into the DuckDB file.
//!
//! One transaction per import: the kind's previous customers (or orders), phones, emails and
//! rejects are deleted, the new ones appended, the import recorded in `crm_imports`, and the
//! contact links refreshed, so a reader never sees half an import and a failed import leaves the
//! previous one in place. Phones are normalised here (a phone that is not a valid number is kept
//! with a NULL `phone_e164` and counted).

use std::time::Instant;

use anyhow::Context as _;
use duckdb::params;

use super::import::{CustomerRecord, ImportKind, ParsedImport, Records, Reject};
use super::links::{refresh_links_in_tx, LinkSummary};
use super::normalize::{emails_in, normalize_name, PhoneNormalizer};
use crate::store::{now_utc, Store};

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportSummary {
    pub kind: ImportKind,
    pub source: String,
    pub rows_read: u64,
    pub loaded: u64,
    pub rejects: Vec<Reject>,
    /// Phone values stored, and how many of them are not valid numbers.
    pub phones: u64,
    pub phones_invalid: u64,
    pub emails: u64,
    /// Customers (or orders) the previous import of this kind held.
    pub replaced: u64,
    pub links: LinkSummary,
    pub elapsed: std::time::Duration,
}

/// `customer_id` of a record: `<kind>:<id in the CRM>`.
pub fn customer_id(kind: ImportKind, source_id: &str) -> String {
    format!("{}:{source_id}", kind.as_str())
}

/// The account a customer belongs to and its display name (see `stg_crm__customers`).
pub fn account(kind: ImportKind, c: &CustomerRecord) -> (String, Option<String>) {
    let display = c.company.clone().or_else(|| c.name.clone());
    match (kind, &c.account_id) {
        (ImportKind::FishbowlCustomers, Some(a)) => (format!("fishbowl-account:{a}"), display),
        (ImportKind::Generic, Some(a)) => (format!("generic-account:{a}"), display),
        _ => {
            let company = match kind {
                ImportKind::CopperCompanies => c.name.as_deref(),
                _ => c.company.as_deref(),
            };
            match company.map(normalize_name).filter(|n| !n.is_empty()) {
                Some(key) => (format!("company:{key}"), company.map(str::to_string)),
                None => (customer_id(kind, &c.source_id), display),
            }
        }
    }
}

/// An import is refused when it would silently empty or shrink what the dashboard and the
/// reports rely on: it loads no record, or fewer than half of the previous import of its kind
/// (when that held at least [`SHRINK_FLOOR`]). `allow_shrink` (`--allow-shrink`) accepts it.
pub const SHRINK_FLOOR: i64 = 20;

fn check_replacement(
    kind: ImportKind,
    loaded: usize,
    previous: i64,
    allow_shrink: bool,
) -> anyhow::Result<()> {
    if allow_shrink {
        return Ok(());
    }
    let what = if kind.is_orders() {
        "orders"
    } else {
        "customers"
    };
    anyhow::ensure!(
        loaded > 0,
        "the {} export holds no usable record{}: nothing was changed. Check the file (and its \
         rejected lines above), or pass --allow-shrink to empty it on purpose",
        kind.as_str(),
        if previous > 0 {
            format!(", and importing it would remove the {previous} {what} of the previous import and their contact links")
        } else {
            String::new()
        }
    );
    anyhow::ensure!(
        previous < SHRINK_FLOOR || loaded as i64 * 2 >= previous,
        "the {} export holds {loaded} usable {what} where the previous import held {previous}: \
         nothing was changed. Check that the file is complete, or pass --allow-shrink to \
         replace the previous import anyway",
        kind.as_str()
    );
    Ok(())
}

/// Stores `parsed` as the current import of its kind and refreshes the contact links; refuses
/// an import that would empty or more than halve the previous one unless `allow_shrink`.
pub fn store_import(
    store: &Store,
    parsed: &ParsedImport,
    source: &str,
    allow_shrink: bool,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let (config, region) = super::settings(store)?;
    let mut phones = PhoneNormalizer::new(&region)?;
    let conn = store.conn();
    conn.execute_batch("BEGIN TRANSACTION")?;
    let result = (|| -> anyhow::Result<ImportSummary> {
        let kind = parsed.kind.as_str();
        let replaced: i64 = if parsed.kind.is_orders() {
            conn.query_row(
                "SELECT count(*) FROM crm_orders WHERE import_kind = ?",
                [kind],
                |r| r.get(0),
            )?
        } else {
            conn.query_row(
                "SELECT count(*) FROM crm_customers WHERE import_kind = ?",
                [kind],
                |r| r.get(0),
            )?
        };
        check_replacement(parsed.kind, parsed.records.len(), replaced, allow_shrink)?;
        for table in [
            "crm_customers",
            "crm_customer_phones",
            "crm_customer_emails",
            "crm_orders",
            "crm_import_rejects",
            "crm_imports",
        ] {
            conn.execute(
                &format!("DELETE FROM {table} WHERE import_kind = ?"),
                [kind],
            )?;
        }
        let mut summary = ImportSummary {
            kind: parsed.kind,
            source: source.to_string(),
            rows_read: parsed.rows_read,
            loaded: parsed.records.len() as u64,
            rejects: parsed.rejects.clone(),
            phones: 0,
            phones_invalid: 0,
            emails: 0,
            replaced: replaced as u64,
            links: LinkSummary::default(),
            elapsed: Default::default(),
        };
        match &parsed.records {
            Records::Customers(customers) => {
                let t = Instant::now();
                phones.prepare(
                    customers
                        .iter()
                        .flat_map(|c| c.phones.iter().map(String::as_str)),
                );
                tracing::debug!("normalised the phones in {:?}", t.elapsed());
                let mut c_app = conn.appender("crm_customers")?;
                let mut p_app = conn.appender("crm_customer_phones")?;
                let mut e_app = conn.appender("crm_customer_emails")?;
                for c in customers {
                    let id = customer_id(parsed.kind, &c.source_id);
                    let (account_id, account_name) = account(parsed.kind, c);
                    c_app.append_row(params![
                        id,
                        kind,
                        c.source_id,
                        c.name,
                        c.company,
                        c.contact_person,
                        account_id,
                        account_name,
                        c.line as i64,
                        c.raw_json
                    ])?;
                    let mut seen: Vec<&str> = Vec::new();
                    for raw in &c.phones {
                        if seen.contains(&raw.as_str()) {
                            continue;
                        }
                        seen.push(raw);
                        let e164 = phones.e164(raw);
                        summary.phones += 1;
                        summary.phones_invalid += u64::from(e164.is_none());
                        p_app.append_row(params![id, kind, raw, e164])?;
                    }
                    for e in emails_in(c.emails.iter().map(String::as_str)) {
                        summary.emails += 1;
                        e_app.append_row(params![id, kind, e])?;
                    }
                }
                tracing::debug!("appended customers in {:?}", t.elapsed());
                c_app.flush().context("storing customers")?;
                p_app.flush().context("storing customer phones")?;
                e_app.flush().context("storing customer emails")?;
            }
            Records::Orders(orders) => {
                let mut app = conn.appender("crm_orders")?;
                for o in orders {
                    let all = emails_in(o.emails.iter().map(String::as_str));
                    summary.emails += all.len() as u64;
                    app.append_row(params![
                        customer_id(parsed.kind, &o.order_id),
                        kind,
                        o.order_id,
                        o.customer_ref,
                        o.ordered_on,
                        o.amount,
                        (!all.is_empty()).then(|| all.join(",")),
                        o.line as i64,
                        o.raw_json
                    ])?;
                }
                app.flush().context("storing orders")?;
            }
        }
        let now = now_utc();
        {
            let mut stmt = conn.prepare("INSERT INTO crm_import_rejects VALUES (?, ?, ?, ?, ?)")?;
            for r in &parsed.rejects {
                stmt.execute(params![kind, r.line as i64, r.reason, r.raw, now])?;
            }
        }
        conn.execute(
            "INSERT INTO crm_imports VALUES (?, ?, ?, ?, ?, ?)",
            params![
                kind,
                source,
                now,
                parsed.rows_read as i64,
                parsed.records.len() as i64,
                parsed.rejects.len() as i64
            ],
        )?;
        tracing::debug!("stored the import in {:?}", started.elapsed());
        summary.links = refresh_links_in_tx(store, &config, &mut phones)?;
        Ok(summary)
    })();
    match result {
        Ok(mut summary) => {
            conn.execute_batch("COMMIT")
                .context("committing the import")?;
            summary.elapsed = started.elapsed();
            Ok(summary)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// The summary `callduck import customers` prints.
pub fn render_summary(s: &ImportSummary) -> String {
    let mut out = format!(
        "import {} from {}: {} record(s) read, {} loaded, {} rejected (replacing {} from the previous import) in {:.1}s\n",
        s.kind.as_str(),
        s.source,
        s.rows_read,
        s.loaded,
        s.rejects.len(),
        s.replaced,
        s.elapsed.as_secs_f64()
    );
    if !s.kind.is_orders() {
        out.push_str(&format!(
            "  phones: {} ({} not valid numbers, kept but not matched), emails: {}\n",
            s.phones, s.phones_invalid, s.emails
        ));
    }
    for r in s.rejects.iter().take(10) {
        out.push_str(&format!("  rejected line {}: {}\n", r.line, r.reason));
    }
    if s.rejects.len() > 10 {
        out.push_str(&format!(
            "  ... and {} more: callduck sql \"FROM crm_import_rejects WHERE import_kind = '{}' ORDER BY source_line\"\n",
            s.rejects.len() - 10,
            s.kind.as_str()
        ));
    }
    out.push_str(&super::links::render_summary(&s.links));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_or_halved_imports_are_refused_unless_allowed() {
        let kind = ImportKind::CopperPeople;
        assert!(check_replacement(kind, 0, 0, false).is_err());
        assert!(check_replacement(kind, 0, 400, false)
            .unwrap_err()
            .to_string()
            .contains("remove the 400 customers"));
        assert!(check_replacement(kind, 150, 400, false).is_err());
        assert!(check_replacement(kind, 200, 400, false).is_ok());
        assert!(
            check_replacement(kind, 3, 10, false).is_ok(),
            "small imports may shrink"
        );
        assert!(check_replacement(kind, 0, 400, true).is_ok());
    }
}
