//! Reading CRM exports: Copper people and companies, Fishbowl customers and sales orders, or a
//! generic customer list, from CSV, JSON or NDJSON files or from the same collections in
//! Firestore.
//!
//! Columns are found by name, not position, so real exports load as they are: a header is
//! compared lower-cased with everything but letters and digits removed (`Phone Number 2` →
//! `phonenumber2`, `customer_id` → `customerid`). Every column whose name mentions a phone (or
//! mobile, cell) is a phone, every column that mentions an email is a list of emails; ids, names,
//! companies, accounts, dates and amounts have a short list of accepted names per kind
//! ([`ImportKind::id_columns`] and friends). Nested JSON (Firestore documents, Copper's API
//! shape `phone_numbers: [{number, category}]`) is flattened to dotted keys first.
//!
//! A record that cannot be used (no id, a duplicate id, nothing to match on, an order without a
//! date) is a [`Reject`] with its line number, the reason and its raw text; the others still
//! load. Only problems that make the whole file unreadable (not CSV or JSON, no id column at all)
//! are errors.

mod rows;

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use chrono::NaiveDate;
use serde_json::Value;

use rows::{csv_rows, json_row, json_rows, Row};

/// What an export holds; each kind replaces only its own previous import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum ImportKind {
    /// Copper people (Firestore `copper_people`): persons with phones, emails and a company.
    CopperPeople,
    /// Copper companies (Firestore `copper_companies`): accounts with phones and emails.
    CopperCompanies,
    /// Fishbowl customers (Firestore `fishbowl_customers`): accounts, often without phones or emails.
    FishbowlCustomers,
    /// Fishbowl sales orders (Firestore `fishbowl_sales_orders`): customer, date, amount, emails.
    FishbowlOrders,
    /// Any other customer list with id, name, company, phone and email columns.
    Generic,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::CopperPeople => "copper-people",
            ImportKind::CopperCompanies => "copper-companies",
            ImportKind::FishbowlCustomers => "fishbowl-customers",
            ImportKind::FishbowlOrders => "fishbowl-orders",
            ImportKind::Generic => "generic",
        }
    }

    /// The goals dashboard's Firestore collection for this kind (`None` for generic lists).
    pub fn collection(self) -> Option<&'static str> {
        match self {
            ImportKind::CopperPeople => Some("copper_people"),
            ImportKind::CopperCompanies => Some("copper_companies"),
            ImportKind::FishbowlCustomers => Some("fishbowl_customers"),
            ImportKind::FishbowlOrders => Some("fishbowl_sales_orders"),
            ImportKind::Generic => None,
        }
    }

    pub fn is_orders(self) -> bool {
        self == ImportKind::FishbowlOrders
    }

    /// Accepted names (normalised, see [`column_key`]) of the record's own id, best first.
    pub fn id_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::CopperPeople => &["id", "copperid", "personid", "peopleid"],
            ImportKind::CopperCompanies => &["id", "copperid", "companyid"],
            ImportKind::FishbowlCustomers => &["id", "customerid", "fishbowlid"],
            ImportKind::FishbowlOrders => &[
                "id",
                "soid",
                "salesorderid",
                "orderid",
                "num",
                "sonum",
                "sonumber",
                "ordernumber",
            ],
            ImportKind::Generic => &["id", "customerid", "externalid", "recordid"],
        }
    }

    fn name_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::CopperPeople => &["name", "fullname", "personname", "contactname"],
            ImportKind::CopperCompanies => &["name", "companyname", "company"],
            ImportKind::FishbowlCustomers => &["name", "customername", "companyname"],
            ImportKind::FishbowlOrders => &[],
            ImportKind::Generic => &["name", "fullname", "customername", "contactname"],
        }
    }

    fn company_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::CopperPeople | ImportKind::Generic => &[
                "company",
                "companyname",
                "organization",
                "organisation",
                "accountname",
                "account",
            ],
            ImportKind::FishbowlCustomers => &["companyname"],
            ImportKind::CopperCompanies | ImportKind::FishbowlOrders => &[],
        }
    }

    fn account_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::FishbowlCustomers => &["accountid", "accountnumber"],
            ImportKind::Generic => &["accountid", "accountnumber"],
            ImportKind::CopperPeople => &["companyid"],
            _ => &[],
        }
    }

    fn person_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::FishbowlCustomers => &["customercontact", "contact", "contactname"],
            _ => &[],
        }
    }
}

/// A column name as the importer compares it: lower case, letters and digits only.
pub fn column_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn is_phone_column(key: &str) -> bool {
    (key.contains("phone") || key.contains("mobile") || key.starts_with("cell"))
        && !is_label_column(key)
}

fn is_email_column(key: &str) -> bool {
    key.contains("email") && !is_label_column(key)
}

/// `phone_numbers.0.category` labels a number; it is not one.
fn is_label_column(key: &str) -> bool {
    [
        "category",
        "type",
        "label",
        "kind",
        "ext",
        "extension",
        "verified",
        "status",
        "count",
    ]
    .iter()
    .any(|s| key.ends_with(s))
}

/// One customer as an export describes it, before normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRecord {
    pub source_id: String,
    pub name: Option<String>,
    pub company: Option<String>,
    /// A contact person of an account (Fishbowl's `customerContact`), matched like a name.
    pub contact_person: Option<String>,
    pub account_id: Option<String>,
    /// Raw phone values, as exported.
    pub phones: Vec<String>,
    /// Raw email fields, as exported (each may hold several).
    pub emails: Vec<String>,
    pub line: u64,
    pub raw_json: String,
}

/// One sales order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    pub order_id: String,
    /// The customer's id in the same CRM (Fishbowl `customerId`).
    pub customer_ref: Option<String>,
    pub ordered_on: NaiveDate,
    pub amount: f64,
    pub emails: Vec<String>,
    pub line: u64,
    pub raw_json: String,
}

/// A record that did not load.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    /// Line of the CSV row or NDJSON record, or the line where a JSON array element starts, or
    /// the position of a Firestore document.
    pub line: u64,
    pub reason: String,
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Records {
    Customers(Vec<CustomerRecord>),
    Orders(Vec<OrderRecord>),
}

impl Records {
    pub fn len(&self) -> usize {
        match self {
            Records::Customers(c) => c.len(),
            Records::Orders(o) => o.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An export read into records and rejects.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedImport {
    pub kind: ImportKind,
    pub records: Records,
    pub rejects: Vec<Reject>,
    /// Records read (loaded + rejected).
    pub rows_read: u64,
}

/// Reads an export file; CSV unless the extension is `.json`/`.ndjson`/`.jsonl` or the content
/// starts with `[` or `{`.
pub fn read_file(path: &Path, kind: ImportKind) -> anyhow::Result<ParsedImport> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (first bad byte at offset {}): export it as UTF-8 CSV or JSON",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let first = text.trim_start().chars().next();
    let rows = if matches!(ext.as_str(), "json" | "ndjson" | "jsonl")
        || matches!(first, Some('[') | Some('{'))
    {
        json_rows(text).with_context(|| format!("reading {} as JSON", path.display()))?
    } else {
        csv_rows(text).with_context(|| format!("reading {} as CSV", path.display()))?
    };
    let (rows, unreadable) = rows;
    let mut parsed = from_rows(kind, rows, &path.display().to_string())?;
    parsed.rows_read += unreadable.len() as u64;
    parsed.rejects.extend(unreadable);
    parsed.rejects.sort_by_key(|r| r.line);
    Ok(parsed)
}

/// Reads a Firestore collection (the goals dashboard's `copper_people`, ...) as an export:
/// returns the records and the source name (`firestore:<collection>`).
pub async fn read_firestore(
    client: &crate::firestore::FirestoreClient,
    kind: ImportKind,
    collection: &str,
) -> anyhow::Result<(ParsedImport, String)> {
    let docs = client
        .list(collection)
        .await
        .with_context(|| format!("reading the Firestore collection {collection}"))?;
    let docs = docs
        .iter()
        .map(|d| {
            (
                d.id().to_string(),
                crate::firestore::value::fields_to_plain(&d.fields),
            )
        })
        .collect();
    let source = format!("firestore:{collection}");
    Ok((from_documents(kind, docs, &source)?, source))
}

/// Reads Firestore documents (plain JSON fields, see `firestore::value::to_plain`): the document
/// id is the record's id unless it has an id field.
pub fn from_documents(
    kind: ImportKind,
    docs: Vec<(String, Value)>,
    source: &str,
) -> anyhow::Result<ParsedImport> {
    let rows = docs
        .into_iter()
        .enumerate()
        .map(|(i, (id, mut fields))| {
            if let Value::Object(map) = &mut fields {
                map.entry("id").or_insert(Value::String(id));
            }
            json_row(i as u64 + 1, &fields)
        })
        .collect();
    from_rows(kind, rows, source)
}

/// Records from rows, with the rejects of records that cannot be used.
fn from_rows(kind: ImportKind, rows: Vec<Row>, source: &str) -> anyhow::Result<ParsedImport> {
    let rows_read = rows.len() as u64;
    let ids = kind.id_columns();
    if !rows.is_empty() && !rows.iter().any(|r| r.first(ids).is_some()) {
        let mut seen: Vec<&str> = Vec::new();
        for (k, _) in rows.iter().flat_map(|r| r.fields.iter()) {
            if !seen.contains(&k.as_str()) && seen.len() < 30 {
                seen.push(k);
            }
        }
        anyhow::bail!(
            "{source} has no id column for --kind {}: expected a column named one of {} (compared \
             ignoring case, spaces and punctuation); its columns are {}",
            kind.as_str(),
            ids.join(", "),
            seen.join(", ")
        );
    }
    let mut rejects = Vec::new();
    let records = if kind.is_orders() {
        Records::Orders(unique_records(
            &rows,
            &mut rejects,
            |r| order(r, ids),
            |o| &o.order_id,
        ))
    } else {
        Records::Customers(unique_records(
            &rows,
            &mut rejects,
            |r| customer(kind, r, ids),
            |c| &c.source_id,
        ))
    };
    Ok(ParsedImport {
        kind,
        records,
        rejects,
        rows_read,
    })
}

/// The records `parse` makes of `rows`, the first of each id; the others, and the rows it
/// refuses, become rejects with the reason.
fn unique_records<T>(
    rows: &[Row],
    rejects: &mut Vec<Reject>,
    parse: impl Fn(&Row) -> Result<T, String>,
    id: impl Fn(&T) -> &String,
) -> Vec<T> {
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    for row in rows {
        let reason = match parse(row) {
            Ok(record) => match first_line.get(id(&record)) {
                Some(first) => format!("duplicate id {} (first on line {first})", id(&record)),
                None => {
                    first_line.insert(id(&record).clone(), row.line);
                    out.push(record);
                    continue;
                }
            },
            Err(reason) => reason,
        };
        rejects.push(Reject {
            line: row.line,
            reason,
            raw: row.raw.clone(),
        });
    }
    out
}

fn customer(kind: ImportKind, row: &Row, ids: &[&str]) -> Result<CustomerRecord, String> {
    let source_id = row
        .first(ids)
        .ok_or_else(|| format!("no id (a column named {})", ids.join(" or ")))?
        .to_string();
    let name = row
        .first(kind.name_columns())
        .map(str::to_string)
        .or_else(|| {
            let first = row.first(&["firstname", "first", "givenname"]);
            let last = row.first(&["lastname", "last", "surname", "familyname"]);
            match (first, last) {
                (None, None) => None,
                (f, l) => Some([f, l].into_iter().flatten().collect::<Vec<_>>().join(" ")),
            }
        });
    let phones = row.all(is_phone_column);
    let emails = row.all(is_email_column);
    let company = row.first(kind.company_columns()).map(str::to_string);
    let contact_person = row.first(kind.person_columns()).map(str::to_string);
    if name.is_none() && company.is_none() && phones.is_empty() && emails.is_empty() {
        return Err("nothing to match on: no name, company, phone or email".into());
    }
    Ok(CustomerRecord {
        source_id,
        name,
        company,
        contact_person,
        account_id: row.first(kind.account_columns()).map(str::to_string),
        phones,
        emails,
        line: row.line,
        raw_json: row.raw.clone(),
    })
}

fn order(row: &Row, ids: &[&str]) -> Result<OrderRecord, String> {
    let order_id = row
        .first(ids)
        .ok_or_else(|| format!("no id (a column named {})", ids.join(" or ")))?
        .to_string();
    let date_columns = [
        "dateissued",
        "orderdate",
        "datecreated",
        "datecompleted",
        "createdat",
        "date",
        "issuedate",
    ];
    let raw_date = row
        .first(&date_columns)
        .ok_or("no order date (dateIssued, orderDate, dateCreated or date)")?;
    let ordered_on =
        parse_date(raw_date).ok_or_else(|| format!("order date {raw_date:?} is not a date"))?;
    let amount_columns = [
        "totalprice",
        "total",
        "amount",
        "ordertotal",
        "subtotal",
        "totalamount",
    ];
    let raw_amount = row
        .first(&amount_columns)
        .ok_or("no amount (totalPrice, total or amount)")?;
    let amount =
        parse_amount(raw_amount).ok_or_else(|| format!("amount {raw_amount:?} is not a number"))?;
    let customer_ref = row
        .first(&[
            "customerid",
            "customer",
            "customernumber",
            "customeraccountid",
        ])
        .map(str::to_string);
    let emails = row.all(is_email_column);
    if customer_ref.is_none() && emails.is_empty() {
        return Err("the order names no customer (customerId or email)".into());
    }
    Ok(OrderRecord {
        order_id,
        customer_ref,
        ordered_on,
        amount,
        emails,
        line: row.line,
        raw_json: row.raw.clone(),
    })
}

/// `2026-11-03`, `2026-11-03T10:00:00Z`, `2026-11-03 10:00:00`, `11/03/2026` (US order).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_utc().date());
    }
    let head = s.split(['T', ' ']).next().unwrap_or(s);
    for fmt in ["%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%m/%d/%y"] {
        if let Ok(d) = NaiveDate::parse_from_str(head, fmt) {
            return Some(d);
        }
    }
    None
}

/// `1234.5`, `$1,234.50`, `-20` (a credit); `None` for anything else.
pub fn parse_amount(s: &str) -> Option<f64> {
    let cleaned: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, '$' | ',' | ' ' | '€' | '£'))
        .collect();
    cleaned.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests;
