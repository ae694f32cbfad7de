//! Refreshing `crm_contact_links`: every distinct JustCall contact matched against every imported
//! customer, written so that only links whose verdict changed are touched.
//!
//! The matcher is deterministic, so a refresh with unchanged contacts and customers changes no
//! row (`linked_at` included); a re-import that edits one customer changes the links of the
//! contacts that customer could match and nothing else. Refreshes run inside the caller's
//! transaction ([`refresh_links_in_tx`]: imports) or in their own ([`refresh_links`]: after a
//! sync, `callduck match`).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use duckdb::params;

use super::matcher::{Contact, Customer, Link, MatchConfig, Matcher};
use super::normalize::{emails, name_parts, PhoneNormalizer};
use crate::store::{now_utc, Store};

/// What a refresh found and changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkSummary {
    pub contacts: u64,
    pub customers: u64,
    /// Contacts linked to one customer (used by the views).
    pub linked: u64,
    pub ambiguous: u64,
    pub unmatched: u64,
    /// Linked contacts per method.
    pub by_method: BTreeMap<String, u64>,
    /// Rows inserted for contacts without a link before, rewritten, and deleted.
    pub new: u64,
    pub changed: u64,
    pub removed: u64,
    /// The whole refresh, and the matcher's part of it (index and verdicts).
    pub elapsed: Duration,
    pub match_elapsed: Duration,
}

/// Refreshes the links in a transaction of its own.
pub fn refresh_links(store: &Store) -> anyhow::Result<LinkSummary> {
    let (config, region) = super::settings(store)?;
    let mut phones = PhoneNormalizer::new(&region)?;
    let conn = store.conn();
    conn.execute_batch("BEGIN TRANSACTION")?;
    match refresh_links_in_tx(store, &config, &mut phones) {
        Ok(s) => {
            conn.execute_batch("COMMIT")
                .context("committing the contact links")?;
            Ok(s)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Whether the file holds any customers (a sync refreshes links only then).
pub fn has_customers(store: &Store) -> anyhow::Result<bool> {
    Ok(store
        .conn()
        .query_row("SELECT count(*) > 0 FROM crm_customers", [], |r| r.get(0))?)
}

/// Refreshes the links inside the caller's transaction.
pub fn refresh_links_in_tx(
    store: &Store,
    config: &MatchConfig,
    phones: &mut PhoneNormalizer,
) -> anyhow::Result<LinkSummary> {
    let started = Instant::now();
    let conn = store.conn();
    let (ids, customers) = load_customers(store)?;
    let (contact_ids, contacts) = load_contacts(store, phones)?;
    let match_started = Instant::now();
    let matcher = Matcher::new(customers, *config);
    let links = match_all(&matcher, &contacts);
    let match_elapsed = match_started.elapsed();

    let mut summary = LinkSummary {
        contacts: contacts.len() as u64,
        customers: ids.len() as u64,
        ..LinkSummary::default()
    };
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE callduck_new_links AS
         SELECT * EXCLUDE (linked_at) FROM crm_contact_links LIMIT 0",
    )?;
    {
        let mut app = conn.appender_to_catalog_and_db("callduck_new_links", "temp", "main")?;
        for (contact_id, link) in contact_ids.iter().zip(&links) {
            let Some(l) = link else {
                summary.unmatched += 1;
                continue;
            };
            if l.is_ambiguous {
                summary.ambiguous += 1;
            } else {
                summary.linked += 1;
                *summary
                    .by_method
                    .entry(l.method.as_str().to_string())
                    .or_default() += 1;
            }
            let (contact_part, customer_part) = l.name_parts.clone().unzip();
            app.append_row(params![
                contact_id,
                ids[l.customer],
                l.method.as_str(),
                l.score,
                l.runner_up.map(|(c, _)| ids[c].as_str()),
                l.runner_up.map(|(_, s)| s),
                l.is_ambiguous,
                contact_part,
                customer_part
            ])?;
        }
        app.flush().context("staging the new contact links")?;
    }
    let differs = "n.customer_id IS DISTINCT FROM l.customer_id
        OR n.match_method IS DISTINCT FROM l.match_method
        OR n.match_score IS DISTINCT FROM l.match_score
        OR n.runner_up_customer_id IS DISTINCT FROM l.runner_up_customer_id
        OR n.runner_up_score IS DISTINCT FROM l.runner_up_score
        OR n.is_ambiguous IS DISTINCT FROM l.is_ambiguous
        OR n.contact_name_part IS DISTINCT FROM l.contact_name_part
        OR n.customer_name_part IS DISTINCT FROM l.customer_name_part";
    let (new, changed, removed): (i64, i64, i64) = conn.query_row(
        &format!(
            "SELECT
                 count(*) FILTER (WHERE l.contact_id IS NULL),
                 count(*) FILTER (WHERE n.contact_id IS NOT NULL AND l.contact_id IS NOT NULL AND ({differs})),
                 count(*) FILTER (WHERE n.contact_id IS NULL)
             FROM callduck_new_links AS n
             FULL OUTER JOIN crm_contact_links AS l USING (contact_id)"
        ),
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if changed + removed > 0 {
        conn.execute_batch(&format!(
            "DELETE FROM crm_contact_links WHERE contact_id IN (
                 SELECT l.contact_id FROM crm_contact_links AS l
                 LEFT JOIN callduck_new_links AS n USING (contact_id)
                 WHERE n.contact_id IS NULL OR {differs})"
        ))?;
    }
    if new + changed > 0 {
        conn.execute(
            "INSERT INTO crm_contact_links
             SELECT n.*, ? AS linked_at FROM callduck_new_links AS n
             WHERE NOT EXISTS (SELECT 1 FROM crm_contact_links AS l WHERE l.contact_id = n.contact_id)",
            params![now_utc()],
        )?;
    }
    conn.execute_batch("DROP TABLE callduck_new_links")?;
    summary.new = new as u64;
    summary.changed = changed as u64;
    summary.removed = removed as u64;
    summary.elapsed = started.elapsed();
    summary.match_elapsed = match_elapsed;
    Ok(summary)
}

/// Customer ids (sorted) and their matching keys.
fn load_customers(store: &Store) -> anyhow::Result<(Vec<String>, Vec<Customer>)> {
    let conn = store.conn();
    let mut ids = Vec::new();
    let mut customers = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT customer_id, customer_name, contact_person FROM crm_customers ORDER BY customer_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let mut parts = name_parts(&r.get::<_, Option<String>>(1)?.unwrap_or_default());
        for p in name_parts(&r.get::<_, Option<String>>(2)?.unwrap_or_default()) {
            if !parts.contains(&p) {
                parts.push(p);
            }
        }
        index.insert(id.clone(), ids.len());
        ids.push(id);
        customers.push(Customer {
            name_parts: parts,
            ..Customer::default()
        });
    }
    let mut stmt = conn.prepare(
        "SELECT customer_id, phone_e164 FROM crm_customer_phones WHERE phone_e164 IS NOT NULL",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, phone): (String, String) = (r.get(0)?, r.get(1)?);
        if let Some(&i) = index.get(&id) {
            if !customers[i].phones.contains(&phone) {
                customers[i].phones.push(phone);
            }
        }
    }
    let mut stmt = conn.prepare("SELECT customer_id, email FROM crm_customer_emails")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, email): (String, String) = (r.get(0)?, r.get(1)?);
        if let Some(&i) = index.get(&id) {
            if !customers[i].emails.contains(&email) {
                customers[i].emails.push(email);
            }
        }
    }
    Ok((ids, customers))
}

/// Contact ids and their matching keys.
fn load_contacts(
    store: &Store,
    phones: &mut PhoneNormalizer,
) -> anyhow::Result<(Vec<String>, Vec<Contact>)> {
    let mut stmt = store.conn().prepare(
        "SELECT contact_id, contact_number, contact_name, contact_email
         FROM stg_justcall__contacts ORDER BY contact_id",
    )?;
    type Row = (String, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    phones.prepare(rows.iter().filter_map(|r| r.1.as_deref()));
    let mut ids = Vec::with_capacity(rows.len());
    let mut contacts = Vec::with_capacity(rows.len());
    for (id, number, name, email) in rows {
        ids.push(id);
        contacts.push(Contact {
            phone: number.as_deref().and_then(|n| phones.e164(n)),
            emails: email.as_deref().map(emails).unwrap_or_default(),
            name_parts: name.as_deref().map(name_parts).unwrap_or_default(),
        });
    }
    Ok((ids, contacts))
}

/// Every contact's verdict, on all cores.
pub fn match_all(matcher: &Matcher, contacts: &[Contact]) -> Vec<Option<Link>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads <= 1 || contacts.len() < 2_000 {
        return contacts.iter().map(|c| matcher.link(c)).collect();
    }
    let chunk = contacts.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = contacts
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|c| matcher.link(c)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a matcher thread"))
            .collect()
    })
}

/// A few lines on what a refresh did.
pub fn render_summary(s: &LinkSummary) -> String {
    let methods = s
        .by_method
        .iter()
        .map(|(m, n)| format!("{m} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "contact links: {} contact(s) against {} customer(s): {} linked ({}), {} ambiguous, {} unmatched; {} new, {} changed, {} removed in {:.1}s\n",
        s.contacts,
        s.customers,
        s.linked,
        if methods.is_empty() { "none".to_string() } else { methods },
        s.ambiguous,
        s.unmatched,
        s.new,
        s.changed,
        s.removed,
        s.elapsed.as_secs_f64()
    )
}
