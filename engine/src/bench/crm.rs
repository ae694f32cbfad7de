//! `callduck bench match`: accuracy and speed of the contact → customer matcher.
//!
//! The simulator's [`MatchWorld`] gives N CRM people (companies sharing main lines, common and
//! rare names) and M noisy contacts with the person each really is (typos, case, nicknames,
//! missing fields, reformatted and unknown numbers, callers in no CRM). The benchmark imports the
//! people from a Copper CSV through `callduck import`'s own path, stores the contacts as calls,
//! refreshes the links as a sync does, and prints:
//! * precision (correct links / links) and recall (correct links / contacts in the CRM), per
//!   method, and how many contacts were left ambiguous;
//! * the time of the import and of the refresh (and of its matcher part), with peak memory;
//! * two references in the same process: an exact-keys-only matcher (email, phone, then the
//!   normalised name, each only when it names one person), for what fuzzy names and
//!   tie-breaking add; and the same matcher scoring names against every customer instead of the
//!   name blocks, on a sample of name-only contacts, for what the blocks save and change.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use duckdb::params;

use super::{peak_rss_mib, reset_peak_rss, rss_mib};
use crate::crm::import::{read_file, ImportKind};
use crate::crm::matcher::{Contact, Customer, Matcher};
use crate::crm::normalize::{emails, name_parts, PhoneNormalizer};
use crate::simulator::crm::MatchWorld;
use crate::store::Store;

pub fn bench_match(
    customers: usize,
    contacts: usize,
    unknown: f64,
    sample: usize,
    dir: &Path,
) -> anyhow::Result<()> {
    let seed = 42;
    let t = Instant::now();
    let world = MatchWorld::generate(seed, customers, contacts, unknown);
    let csv = dir.join("copper_people.csv");
    std::fs::write(&csv, world.copper_people_csv(seed))?;
    println!(
        "bench match: {} CRM people, {} contacts ({:.0}% in no CRM), generated in {:.1}s",
        world.people.len(),
        world.contacts.len(),
        unknown * 100.0,
        t.elapsed().as_secs_f64()
    );

    let db = dir.join("match.duckdb");
    let _ = std::fs::remove_file(&db);
    let store = Store::open(&db)?;
    store_contacts(&store, &world)?;

    reset_peak_rss();
    let base = rss_mib();
    let t = Instant::now();
    let parsed = read_file(&csv, ImportKind::CopperPeople)?;
    let parse_secs = t.elapsed().as_secs_f64();
    // The import refreshes the links too (in its transaction): contacts are already stored.
    let summary = crate::crm::store_import(&store, &parsed, &csv.display().to_string(), false)?;
    let import_secs = t.elapsed().as_secs_f64();
    let links = &summary.links;
    println!(
        "  import + link refresh: {import_secs:.2}s (parse CSV {parse_secs:.2}s, refresh {:.2}s of which matcher {:.2}s); peak memory {:.0} MiB above {:.0} MiB",
        links.elapsed.as_secs_f64(),
        links.match_elapsed.as_secs_f64(),
        peak_rss_mib() - base,
        base
    );
    println!(
        "  {} contacts x {} customers: {} linked, {} ambiguous, {} unmatched",
        links.contacts, links.customers, links.linked, links.ambiguous, links.unmatched
    );

    let t = Instant::now();
    let again = crate::crm::refresh_links(&store)?;
    println!(
        "  refresh with nothing changed: {:.2}s, {} link(s) rewritten",
        t.elapsed().as_secs_f64(),
        again.new + again.changed + again.removed
    );

    accuracy(&store)?;
    exact_baseline(&world)?;
    reference(&world, sample)?;
    Ok(())
}

/// Precision and recall of matching on exact keys alone: a contact's email, else its E.164
/// phone, else its normalised name, linked only when that key belongs to one person.
fn exact_baseline(world: &MatchWorld) -> anyhow::Result<()> {
    let mut phones = PhoneNormalizer::new("US")?;
    phones.prepare(
        world
            .people
            .iter()
            .flat_map(|p| p.phones.iter().map(String::as_str))
            .chain(world.contacts.iter().filter_map(|c| c.number.as_deref())),
    );
    let mut by_email: HashMap<String, Vec<u64>> = HashMap::new();
    let mut by_phone: HashMap<String, Vec<u64>> = HashMap::new();
    let mut by_name: HashMap<String, Vec<u64>> = HashMap::new();
    for p in &world.people {
        for e in p.emails.iter().flat_map(|e| emails(e)) {
            by_email.entry(e).or_default().push(p.id);
        }
        for x in p.phones.iter().filter_map(|x| phones.e164(x)) {
            by_phone.entry(x).or_default().push(p.id);
        }
        by_name
            .entry(crate::crm::normalize::normalize_name(&format!(
                "{} {}",
                p.first, p.last
            )))
            .or_default()
            .push(p.id);
    }
    let (mut linked, mut correct, mut in_crm) = (0u64, 0u64, 0u64);
    // Distinct contacts, as the store keys them.
    let mut seen = HashSet::new();
    for c in &world.contacts {
        if !seen.insert((&c.number, &c.name, &c.email)) {
            continue;
        }
        in_crm += u64::from(c.truth.is_some());
        let email = c.email.as_deref().map(emails).unwrap_or_default();
        let candidates = email
            .iter()
            .find_map(|e| by_email.get(e))
            .or_else(|| {
                c.number
                    .as_deref()
                    .and_then(|n| phones.e164(n))
                    .and_then(|n| by_phone.get(&n))
            })
            .or_else(|| {
                c.name
                    .as_deref()
                    .map(crate::crm::normalize::normalize_name)
                    .and_then(|n| by_name.get(&n))
            });
        if let Some([only]) = candidates.map(Vec::as_slice) {
            linked += 1;
            correct += u64::from(c.truth == Some(*only));
        }
    }
    println!(
        "  reference, exact keys only: precision {:.4}, recall {:.4} ({correct} of {in_crm})",
        correct as f64 / linked.max(1) as f64,
        correct as f64 / in_crm.max(1) as f64
    );
    Ok(())
}

/// The contacts as calls, plus a truth table keyed like the links.
fn store_contacts(store: &Store, world: &MatchWorld) -> anyhow::Result<()> {
    let conn = store.conn();
    conn.execute_batch(
        "CREATE TABLE bench_contacts (i BIGINT, contact_number VARCHAR, contact_name VARCHAR,
                                      contact_email VARCHAR, person_id BIGINT)",
    )?;
    {
        let mut app = conn.appender("bench_contacts")?;
        for (i, c) in world.contacts.iter().enumerate() {
            app.append_row(params![
                i as i64 + 1,
                c.number,
                c.name,
                c.email,
                c.truth.map(|t| t as i64)
            ])?;
        }
        app.flush()?;
    }
    conn.execute_batch(
        "INSERT INTO raw_justcall__calls BY NAME
         SELECT i AS call_id, TIMESTAMP '2026-11-01 12:00:00' + to_seconds(i) AS started_at,
                1 AS agent_id, contact_number, contact_name, contact_email,
                'Incoming' AS direction, 'Answered' AS call_type,
                0 AS ring_seconds, 0 AS queue_wait_seconds, 60 AS conversation_seconds,
                0 AS hold_seconds, 60 AS total_duration_seconds, 0 AS wrap_up_seconds,
                60 AS handle_seconds, i AS record_hash, '{}' AS raw_json,
                now()::TIMESTAMP AS first_synced_at, now()::TIMESTAMP AS updated_at
         FROM bench_contacts;
         CREATE TABLE bench_truth AS
         SELECT callduck_contact_id(contact_number, contact_name, contact_email) AS contact_id,
                any_value(person_id) AS person_id, count(DISTINCT person_id) AS people
         FROM bench_contacts GROUP BY 1;",
    )
    .context("storing the benchmark's contacts")?;
    Ok(())
}

/// Precision and recall against the truth, overall and per method.
fn accuracy(store: &Store) -> anyhow::Result<()> {
    let conn = store.conn();
    let (in_crm, linked, correct, ambiguous, ambiguous_in_crm): (i64, i64, i64, i64, i64) =
        conn.query_row(
            "SELECT count(*) FILTER (WHERE t.person_id IS NOT NULL),
                    count(*) FILTER (WHERE l.contact_id IS NOT NULL AND NOT l.is_ambiguous),
                    count(*) FILTER (WHERE NOT l.is_ambiguous AND l.customer_id = 'copper-people:' || t.person_id),
                    count(*) FILTER (WHERE l.is_ambiguous),
                    count(*) FILTER (WHERE l.is_ambiguous AND t.person_id IS NOT NULL)
             FROM bench_truth AS t LEFT JOIN crm_contact_links AS l USING (contact_id)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
    let precision = correct as f64 / linked.max(1) as f64;
    let recall = correct as f64 / in_crm.max(1) as f64;
    println!(
        "  accuracy: precision {precision:.4} ({correct} of {linked} links correct), recall {recall:.4} ({correct} of {in_crm} contacts in the CRM); {ambiguous} left ambiguous ({ambiguous_in_crm} of them in the CRM)"
    );
    let mut stmt = conn.prepare(
        "SELECT l.match_method, count(*),
                count(*) FILTER (WHERE l.customer_id = 'copper-people:' || t.person_id)
         FROM bench_truth AS t JOIN crm_contact_links AS l USING (contact_id)
         WHERE NOT l.is_ambiguous GROUP BY 1 ORDER BY 2 DESC",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (method, n, ok): (String, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        println!(
            "    {method:<12} {n:>7} links, precision {:.4}",
            ok as f64 / n.max(1) as f64
        );
    }
    Ok(())
}

/// Blocks versus every customer, on name-only contacts (the only ones blocks apply to).
fn reference(world: &MatchWorld, sample: usize) -> anyhow::Result<()> {
    let mut phones = PhoneNormalizer::new("US")?;
    phones.prepare(
        world
            .people
            .iter()
            .flat_map(|p| p.phones.iter().map(String::as_str)),
    );
    let customers: Vec<Customer> = world
        .people
        .iter()
        .map(|p| Customer {
            name_parts: name_parts(&format!("{} {}", p.first, p.last)),
            phones: p.phones.iter().filter_map(|x| phones.e164(x)).collect(),
            emails: p.emails.iter().flat_map(|e| emails(e)).collect(),
        })
        .collect();
    let matcher = Matcher::new(customers, Default::default());
    let phone_index: HashSet<&str> = world
        .people
        .iter()
        .flat_map(|p| p.phones.iter().map(String::as_str))
        .collect();
    // Contacts whose phone the CRM does not know and that have no email: name-only.
    let contacts: Vec<Contact> = world
        .contacts
        .iter()
        .filter(|c| c.email.is_none() && c.name.is_some())
        .filter_map(|c| {
            let phone = c.number.as_deref().and_then(|n| phones.e164(n));
            (!phone.as_deref().is_some_and(|p| phone_index.contains(p))).then(|| Contact {
                name_parts: name_parts(c.name.as_deref().unwrap_or("")),
                phone,
                emails: Vec::new(),
            })
        })
        .take(sample)
        .collect();
    let t = Instant::now();
    let blocked: Vec<_> = contacts.iter().map(|c| matcher.link(c)).collect();
    let blocked_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let full: Vec<_> = contacts
        .iter()
        .map(|c| matcher.link_exhaustive(c))
        .collect();
    let full_secs = t.elapsed().as_secs_f64();
    let verdict = |l: &Option<crate::crm::matcher::Link>| {
        l.as_ref().filter(|l| !l.is_ambiguous).map(|l| l.customer)
    };
    let differ = blocked
        .iter()
        .zip(&full)
        .filter(|(a, b)| verdict(a) != verdict(b))
        .count();
    println!(
        "  reference, {} name-only contacts on one core: blocks {:.3}s vs every customer {:.2}s (x{:.0} faster); {differ} verdict(s) differ",
        contacts.len(),
        blocked_secs,
        full_secs,
        full_secs / blocked_secs.max(1e-9)
    );
    Ok(())
}
